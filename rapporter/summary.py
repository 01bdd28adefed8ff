"""Figures of a version that follow the scenarios as decided (overrides applied), computed when the
version is shown: the snapshot keeps the proposals, the overrides live beside it."""

from __future__ import annotations

from collections import Counter

SCENARIO_KEYS = ["1", "2", "3", "4", "none"]


def scenario_counts(rows: list[dict]) -> dict[str, int]:
    """Providers per decided scenario; "none" for providers with too few data for any."""
    counts = Counter(str(row["scenario"]) if row["scenario"] else "none" for row in rows)
    return {key: counts.get(key, 0) for key in SCENARIO_KEYS}


def scenario_changes(data: dict, rows: list[dict]) -> list[dict]:
    """Providers whose decided scenario differs from the one they ended with in the previous
    half-year's report, the biggest worsening first."""
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
                "direction": "worse" if (now or 0) > (was or 0) else "better",
            }
        )
    return sorted(changes, key=lambda change: (-((change["after"] or 0) - (change["before"] or 0)), change["name"]))


def for_display(data: dict, rows: list[dict]) -> dict:
    """What the page and the PDF show beside the snapshot."""
    return {
        "scenario_counts": scenario_counts(rows),
        "scenario_changes": scenario_changes(data, rows),
        "standing_out_count": sum(1 for row in rows if row["scenario"] in (3, 4)),
    }
