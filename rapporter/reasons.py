"""The structured reasons of a report, rendered as Danish sentences (through the catalogue)."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext as _


def figure(value) -> str:
    """A figure in Danish form: 99,6 and 2 (not 2,0)."""
    if value is None:
        return "–"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, float):
        return number_format(value, decimal_pos=1)
    if isinstance(value, int):
        return number_format(value)
    return str(value)


def percentage(value) -> str:
    """A percentage with one decimal always, so that 99,0 % stands beside 99,6 %; a dash for none."""
    if value is None:
        return "–"
    return number_format(value, decimal_pos=1) + "\u00a0%"


def track_labels() -> dict[str, str]:
    return {
        "complaints": _("complaints"),
        "user_surveys": _("user surveys"),
        "case_handling": _("case handling"),
        "effect": _("effect"),
        "supervision": _("supervision"),
    }


def track_reason(entry: dict) -> str:
    reason, f = entry.get("reason"), entry.get("figures", {})
    texts = {
        "general_practice": lambda: _("A complaint indicates a general wrong practice: always red."),
        "upheld_green": lambda: (
            _("%(upheld)s upheld of %(total)s complaints; green up to %(green)s.")
            % {"upheld": f.get("upheld"), "total": f.get("total"), "green": figure(f.get("green"))}
        ),
        "upheld_yellow": lambda: (
            _("%(upheld)s upheld of %(total)s complaints; yellow up to %(yellow)s.")
            % {"upheld": f.get("upheld"), "total": f.get("total"), "yellow": figure(f.get("yellow"))}
        ),
        "upheld_red": lambda: (
            _("%(upheld)s upheld of %(total)s complaints; red above %(yellow)s.")
            % {"upheld": f.get("upheld"), "total": f.get("total"), "yellow": figure(f.get("yellow"))}
        ),
        "too_few_answers": lambda: (
            _("Only %(answers)s answers; at least %(minimum)s are needed.")
            % {"answers": f.get("answers"), "minimum": f.get("minimum")}
        ),
        "mean_score": lambda: (
            _("Mean score %(mean)s from %(answers)s answers; green from %(green)s, yellow from %(yellow)s.")
            % {
                "mean": figure(f.get("mean")),
                "answers": f.get("answers"),
                "green": figure(f.get("green")),
                "yellow": figure(f.get("yellow")),
            }
        ),
        "too_few_cases": lambda: (
            _("Only %(cases)s reviewed cases; at least %(minimum)s are needed.")
            % {"cases": f.get("cases"), "minimum": f.get("minimum")}
        ),
        "compliance": lambda: (
            _(
                "Compliance %(compliance)s %% (%(met)s of %(assessed)s items met); green from %(green)s %%, yellow from %(yellow)s %%."
            )
            % {
                "compliance": figure(f.get("compliance")),
                "met": f.get("met"),
                "assessed": f.get("assessed"),
                "green": figure(f.get("green")),
                "yellow": figure(f.get("yellow")),
            }
        ),
        "too_few_citizens": lambda: (
            _("No offer has at least %(minimum)s citizens with a measured result.") % {"minimum": f.get("minimum")}
        ),
        "effect_gap": lambda: (
            _(
                "Weakest offer %(offer)s: %(rate)s %% off public support against %(group)s %% in its comparable group (%(gap)s points); green from %(green)s, yellow from %(yellow)s points."
            )
            % {
                "offer": f.get("offer"),
                "rate": figure(f.get("rate")),
                "group": figure(f.get("group_rate")),
                "gap": figure(f.get("gap")),
                "green": figure(f.get("green")),
                "yellow": figure(f.get("yellow")),
            }
        ),
        "worst_sub_indicator": lambda: _worst(f),
        "no_data": lambda: _("No data in the half-year."),
    }
    return texts.get(reason, lambda: reason or "")()


def _worst(f: dict) -> str:
    parts = []
    if "findings" in f:
        counts = f["findings"]
        parts.append(
            _("findings: %(red)s red, %(yellow)s yellow, %(green)s green")
            % {"red": counts.get("red", 0), "yellow": counts.get("yellow", 0), "green": counts.get("green", 0)}
        )
    if "hours_delivered_pct" in f:
        parts.append(_("hours delivered %(pct)s %%") % {"pct": figure(f["hours_delivered_pct"])})
    if "reports_on_time_pct" in f:
        parts.append(_("progression reports on time %(pct)s %%") % {"pct": figure(f["reports_on_time_pct"])})
    return _("The worst of: %(parts)s.") % {"parts": "; ".join(parts)}


def scenario_reason(row: dict) -> str:
    labels = track_labels()
    tracks = ", ".join(labels.get(track, track) for track in row.get("scenario_tracks", []))
    texts = {
        "gross_violation": _("A gross violation of the framework agreement in the half-year."),
        "red_again": _("Red again as in the previous half-year: %(tracks)s.") % {"tracks": tracks},
        "red": _("Red: %(tracks)s.") % {"tracks": tracks},
        "three_yellow": _("Three or more yellow tracks: %(tracks)s.") % {"tracks": tracks},
        "yellow": _("Yellow: %(tracks)s.") % {"tracks": tracks},
        "no_remarks": _("No remarks."),
        "no_data": _("No data (ingen data)."),
        "confirmed_on_inspection": _("Raised to the scenario confirmed on an inspection in the half-year."),
    }
    return texts.get(row.get("scenario_reason"), "")
