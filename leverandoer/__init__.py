"""Providers, framework agreements, offers, comparable groups and referral status; also the
roles and access declarations every app uses (the lowest app, imported by all others)."""
