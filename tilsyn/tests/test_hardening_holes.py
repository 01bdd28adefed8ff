"""Issue 14: the smaller holes a penetration test found (admin ids, PDF uploads, the survey limit)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

# Ids a person (or a scanner) might put where the admin expects a primary key.
BAD_IDS = ["abc", "99999999999999999999", "-1", "1.5", "1e5", "%00", "'\"<>", "ÆØÅ", "0x10", " 1", "_5F"]


def admin_id_urls():
    """Every URL of every registered ModelAdmin that takes an object id, with each bad id."""
    for model_admin in admin.site._registry.values():
        for pattern in model_admin.get_urls():
            groups = pattern.pattern.regex.groups
            if not pattern.name or groups == 0:
                continue
            for bad in BAD_IDS:
                # Every id bad, and (for `<id>/history/<history_id>/`) a good object id with a bad one.
                for args in {(bad,) * groups, ("1",) * (groups - 1) + (bad,)}:
                    try:
                        yield reverse(f"admin:{pattern.name}", args=args)
                    except NoReverseMatch:
                        continue


@pytest.mark.django_db
def test_no_admin_url_answers_500_for_a_bad_id(client, administrator):
    client.force_login(administrator)
    client.raise_request_exception = False
    urls = list(admin_id_urls())
    assert len(urls) > 100  # every model, every id pattern
    failures = []
    for url in urls:
        for method in (client.get, client.post):
            response = method(url)
            if response.status_code >= 500:
                failures.append((method.__name__, url, response.status_code))
    assert failures == [], "\n".join(map(str, failures))
    # A missing object is the admin's usual answer: not found, or back to the list with a message.
    assert client.get(reverse("admin:tilsyn_inspection_history", args=["abc"])).status_code in (302, 404)
