"""Figures of a version that follow the scenarios as decided (overrides applied), computed when the
version is shown: the snapshot keeps the proposals, the overrides live beside it."""

from __future__ import annotations

from collections import Counter

from django.utils.translation import gettext as _

SCENARIO_KEYS = ["1", "2", "3", "4", "none"]

# How a track's colour can move between two half-years (rapporter.compile._colour_move). Missing data
# is its own move, never "better": versions compiled before it existed hold better and worse only.
COLOUR_MOVES = ["better", "worse", "no_data_now", "new_data"]


def scenario_counts(rows: list[dict]) -> dict[str, int]:
    """Providers per decided scenario; "none" for providers with too few data for any."""
    counts = Counter(str(row["scenario"]) if row["scenario"] else "none" for row in rows)
    return {key: counts.get(key, 0) for key in SCENARIO_KEYS}


def _direction(was: int | None, now: int | None) -> str:
    """A scenario that disappeared for want of data is "no_data_now", never an improvement; one that
    appeared where there was none is "new_data"."""
    if was and not now:
        return "no_data_now"
    if now and not was:
        return "new_data"
    return "worse" if now > was else "better"


def direction_word(direction: str) -> str:
    return {
        "worse": _("worse"),
        "better": _("better"),
        "no_data_now": _("no data now"),
        "new_data": _("new data"),
    }.get(direction, direction)


def scenario_changes(data: dict, rows: list[dict]) -> list[dict]:
    """Providers whose decided scenario differs from the one they ended with in the previous
    half-year's report, the biggest worsening first, then the new and the lost data."""
    before = (data.get("changes") or {}).get("before") or {}
    changes = []
    for row in rows:
        if row["provider_ref"] not in before or before[row["provider_ref"]] == row["scenario"]:
            continue
        was, now = before[row["provider_ref"]], row["scenario"]
        changes.append(
            {
                "provider_ref": row["provider_ref"],
                "name": row["name"],
                "before": was,
                "after": now,
                "direction": _direction(was, now),
            }
        )
    order = {"worse": 0, "better": 1, "new_data": 2, "no_data_now": 3}
    return sorted(
        changes,
        key=lambda change: (
            order[change["direction"]],
            -((change["after"] or 0) - (change["before"] or 0)),
            change["name"],
        ),
    )


def colour_changes(data: dict) -> list[dict]:
    """Per track, how many providers' colours moved which way; None where the version was compiled
    before a move was counted (it is shown as not counted, not as zero)."""
    colours = (data.get("changes") or {}).get("colours") or {}
    return [{"track": track, **{move: moved.get(move) for move in COLOUR_MOVES}} for track, moved in colours.items()]


def previous_undecided(data: dict) -> str | None:
    """The previous half-year when it had no published version to compare with, else None."""
    return (data.get("changes") or {}).get("undecided")


def for_display(data: dict, rows: list[dict]) -> dict:
    """What the page and the PDF show beside the snapshot."""
    return {
        "scenario_counts": scenario_counts(rows),
        "scenario_changes": scenario_changes(data, rows),
        "colour_changes": colour_changes(data),
        "standing_out_count": sum(1 for row in rows if row["scenario"] in (3, 4)),
        "provisional": bool(data.get("provisional")),
    }
