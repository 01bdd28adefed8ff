"""The structured reasons of a report, rendered as Danish sentences (through the catalogue)."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import suppression
from .suppression import Suppressed


def figure(value) -> str:
    """A figure in Danish form: 99,6 and 2 (not 2,0); a withheld one as "<5¹" or "–²"."""
    if isinstance(value, Suppressed):
        return value.marked()
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
    """A percentage with one decimal always, so that 99,0 % stands beside 99,6 %; a dash for none;
    a withheld one as "<5¹" or "–²", without the sign (it is not a percentage)."""
    if isinstance(value, Suppressed):
        return value.marked()
    if value is None:
        return "–"
    return number_format(value, decimal_pos=1) + "\u00a0%"


def decimal(value) -> str:
    """A percentage figure with one decimal always (20,0 beside 14,3), without the sign."""
    if isinstance(value, Suppressed):
        return value.marked()
    return "–" if value is None else number_format(value, decimal_pos=1)


def track_labels() -> dict[str, str]:
    return {
        "complaints": _("complaints"),
        "user_surveys": _("user surveys"),
        "case_handling": _("case handling"),
        "effect": _("effect"),
        "supervision": _("supervision"),
    }


def public_track_reason(entry: dict) -> str:
    """The reason as the public (the PDF, the exports, the secretariat) reads it: figures over small
    numbers withheld, and a comparison with too few providers said to be suppressed."""
    return track_reason(suppression.track(entry)[0])


def _withheld(f: dict, *keys: str) -> bool:
    return any(isinstance(f.get(key), Suppressed) for key in keys)


def track_reason(entry: dict) -> str:
    """The reason of a track's colour; a public entry (see `public_track_reason`) renders its
    withheld figures as "<5¹" or "–²"."""
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
                "mean": decimal(f.get("mean")),
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
                "Compliance %(compliance)s (%(cases)s reviewed cases); green from %(green)s %%, yellow from %(yellow)s %%."
            )
            % {
                "compliance": decimal(f.get("compliance")),
                "cases": f.get("cases"),
                "green": figure(f.get("green")),
                "yellow": figure(f.get("yellow")),
            }
            if _withheld(f, "compliance")
            else _(
                "Compliance %(compliance)s %% (%(met)s of %(assessed)s items met in %(cases)s reviewed cases); green from %(green)s %%, yellow from %(yellow)s %%."
            )
            % {
                "compliance": decimal(f.get("compliance")),
                "met": f.get("met"),
                "assessed": f.get("assessed"),
                "cases": f.get("cases"),
                "green": figure(f.get("green")),
                "yellow": figure(f.get("yellow")),
            }
            if f.get("cases") is not None
            else _(
                "Compliance %(compliance)s %% (%(met)s of %(assessed)s items met); green from %(green)s %%, yellow from %(yellow)s %%."
            )
            % {
                "compliance": decimal(f.get("compliance")),
                "met": f.get("met"),
                "assessed": f.get("assessed"),
                "green": figure(f.get("green")),
                "yellow": figure(f.get("yellow")),
            }
        ),
        "too_few_citizens": lambda: (
            _("Only %(n)s citizens with a measured result; at least %(minimum)s are needed.")
            % {"n": f.get("n"), "minimum": f.get("minimum")}
            if "n" in f
            else _("No offer has at least %(minimum)s citizens with a measured result.") % {"minimum": f.get("minimum")}
        ),
        "no_comparable": lambda: _(
            "No comparable offers: no other offer in the comparable group has a measured result."
        ),
        "effect_interval": lambda: _effect(f),
        "provider_level": lambda: (
            _("Measured for the provider, not per offer: %(reason)s")
            % {"reason": track_reason({"reason": f.get("provider_reason"), "figures": f})}
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


def _others(count) -> str:
    """ "the 3 other offers", "the one other offer": the comparison the effect colour makes."""
    if not isinstance(count, int):
        return str(count)
    return ngettext("the one other offer", "the %(count)s other offers", count) % {"count": count}


def _providers(count) -> str:
    if not isinstance(count, int):
        return str(count)
    return ngettext("%(count)s provider", "%(count)s providers", count) % {"count": count}


def _effect(f: dict) -> str:
    """An effect colour with its figures: the rate, n and the interval, the other offers' rate and
    how many they are, the limits; and when the rate alone would have graded worse, that the basis
    is uncertain. Withheld figures (public entries) read "<5¹" or "–²", and a comparison with too
    few providers says it is suppressed."""
    common = {
        "offer": f.get("offer"),
        "n": f.get("n"),
        "confidence": figure(f.get("confidence")),
        "others": _others(f.get("group_offers")),
        "providers": _providers(f.get("group_providers")),
        "group_n": figure(f.get("group_n")),
        "yellow_gap": figure(-f["green"]) if f.get("green") is not None else "–",
        "red_gap": figure(-f["yellow"]) if f.get("yellow") is not None else "–",
    }
    if not _withheld(f, "rate", "interval_low", "interval_high", "group_rate"):
        text = _(
            "Offer %(offer)s: %(rate)s %% off public support (n = %(n)s; %(confidence)s %% interval "
            "%(low)s–%(high)s %%) against %(group)s %% for %(others)s of its comparable group "
            "(%(providers)s, n = %(group_n)s). Yellow when the interval's upper bound lies more than "
            "%(yellow_gap)s points below, red when more than %(red_gap)s."
        ) % {
            **common,
            "rate": decimal(f.get("rate")),
            "low": decimal(f.get("interval_low")),
            "high": decimal(f.get("interval_high")),
            "group": decimal(f.get("group_rate")),
        }
    else:
        # The same sentence with the sign beside each figure, since a withheld one is no percentage.
        interval = (
            f.get("interval_low")
            if _withheld(f, "interval_low")
            else f"{decimal(f.get('interval_low'))}–{decimal(f.get('interval_high'))}\u00a0%"
        )
        text = _(
            "Offer %(offer)s: %(rate)s off public support (n = %(n)s; %(confidence)s %% interval "
            "%(interval)s) against %(group)s for %(others)s of its comparable group "
            "(%(providers)s, n = %(group_n)s). Yellow when the interval's upper bound lies more than "
            "%(yellow_gap)s points below, red when more than %(red_gap)s."
        ) % {
            **common,
            "rate": percentage(f.get("rate")),
            "interval": figure(interval),
            "group": percentage(f.get("group_rate")),
        }
    if f.get("uncertain"):
        text += " " + _("Uncertain basis (n = %(n)s): the rate alone would have given a worse colour.") % {
            "n": f.get("n")
        }
    if isinstance(f.get("group_rate"), Suppressed) and f["group_rate"].kind == suppression.GROUP:
        text += " " + suppression.comparison_suppressed()
    return text


def _worst(f: dict) -> str:
    parts = []
    if "findings" in f:
        counts = f["findings"]
        parts.append(
            _("findings: %(red)s red, %(yellow)s yellow, %(green)s green")
            % {"red": counts.get("red", 0), "yellow": counts.get("yellow", 0), "green": counts.get("green", 0)}
        )
    if "hours_delivered_pct" in f:
        parts.append(_("hours delivered %(pct)s %%") % {"pct": decimal(f["hours_delivered_pct"])})
    if "reports_on_time_pct" in f:
        if _withheld(f, "reports_on_time_pct"):
            parts.append(
                _("progression reports on time %(pct)s (n = %(n)s)")
                % {"pct": decimal(f["reports_on_time_pct"]), "n": f.get("reports_due")}
            )
        elif "reports_due" in f:
            parts.append(
                _("progression reports on time %(pct)s %% (n = %(n)s)")
                % {"pct": decimal(f["reports_on_time_pct"]), "n": f["reports_due"]}
            )
        else:
            parts.append(_("progression reports on time %(pct)s %%") % {"pct": decimal(f["reports_on_time_pct"])})
    return _("The worst of: %(parts)s.") % {"parts": "; ".join(parts)}


def scenario_reason(row: dict) -> str:
    """Why a provider's half-year got its proposal, naming every cause: the inspection with the gross
    violation, the decided remark a red finding repeats, the decision it was raised to."""
    labels = track_labels()
    details = row.get("scenario_details") or {}

    def names(tracks) -> str:
        return ", ".join(labels.get(track, track) for track in tracks)

    tracks = names(row.get("scenario_tracks", []))
    texts = {
        "gross_violation": lambda: (
            _("A gross violation of the framework agreement in the half-year: %(inspections)s.")
            % {"inspections": ", ".join(details["inspections"])}
            if details.get("inspections")
            else _("A gross violation of the framework agreement in the half-year.")
        ),
        "repeated_remark": lambda: (
            _("A red finding repeats a remark decided as more criticisable (scenario 3–4): %(repeats)s.")
            % {
                "repeats": "; ".join(
                    _("%(area)s in %(inspection)s repeats %(earlier)s")
                    % {
                        "area": repeat.get("area_label", repeat.get("area")),
                        "inspection": repeat.get("inspection"),
                        "earlier": ", ".join(repeat.get("earlier", [])),
                    }
                    for repeat in details.get("repeats", [])
                )
            }
        ),
        "red_again_decided": lambda: (
            _(
                "Red again in %(tracks)s as in %(period)s, whose published decision was scenario %(scenario)s "
                "with these tracks among its reasons."
            )
            % {"tracks": tracks, "period": details.get("previous_period"), "scenario": details.get("previous_scenario")}
        ),
        "red_twice_undecided": lambda: (
            _(
                "Red: %(tracks)s. %(repeated)s: red two half-years running; the previous half-year not decided as scenario 3–4."
            )
            % {"tracks": tracks, "repeated": names(details.get("repeated_tracks", [])).capitalize()}
        ),
        "raised_by_inspection": lambda: (
            _("Raised from %(from)s to scenario %(scenario)s, decided on inspection %(inspection)s in the half-year.")
            % {
                "from": row.get("raised_from") if row.get("raised_from") is not None else _("none"),
                "scenario": details.get("inspection_scenario"),
                "inspection": details.get("inspection"),
            }
        ),
        # Reasons of versions compiled before issue 13, which still render.
        "red_again": lambda: _("Red again as in the previous half-year: %(tracks)s.") % {"tracks": tracks},
        "confirmed_on_inspection": lambda: _("Raised to the scenario confirmed on an inspection in the half-year."),
        "red": lambda: _("Red: %(tracks)s.") % {"tracks": tracks},
        "three_yellow": lambda: _("Three or more yellow tracks: %(tracks)s.") % {"tracks": tracks},
        "yellow": lambda: _("Yellow: %(tracks)s.") % {"tracks": tracks},
        "no_remarks": lambda: _("No remarks."),
        "no_data": lambda: _("No data (ingen data)."),
    }
    return texts.get(row.get("scenario_reason"), lambda: "")()
