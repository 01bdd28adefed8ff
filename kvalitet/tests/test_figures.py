"""Track figures for one half-year (2025H1), checked against values worked out by hand.

The scene: provider P (Anden Aktør) runs offer A (mentor × jobparate) and offer C (mentor × unge);
provider Q runs offer B (mentor × jobparate). A and B are comparable and pooled; C is alone in
its group. Rows just outside the half-year are there to prove they are left out.
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from kvalitet import figures, services
from kvalitet.figures import latest_period
from kvalitet.models import (
    Attendance,
    Case,
    Complaint,
    HoursRecord,
    Outcome,
    ProgressReport,
    SampledCase,
    SurveyResponse,
)
from kvalitet.periods import HalfYear
from leverandoer.models import Provider, TargetGroup
from leverandoer.tests import factories

pytestmark = pytest.mark.django_db

H1 = HalfYear(2025, 1)
D = Decimal
_numbers = itertools.count(1)


# --- Builders ----------------------------------------------------------------------------------


def complaint(provider, received_on, decision="", decided_on=None, **fields) -> Complaint:
    return Complaint.objects.create(
        ref=f"KLG-T-{next(_numbers):04d}",
        provider=provider,
        kind=Complaint.Kind.FORMALITY,
        received_on=received_on,
        decision=decision,
        decided_on=decided_on,
        **fields,
    )


def answers(offer, *scored_days) -> None:
    SurveyResponse.objects.bulk_create(
        SurveyResponse(offer=offer, answered_on=day, score=score) for day, score in scored_days
    )


def hours(offer, start, end, ordered, delivered) -> None:
    HoursRecord.objects.create(
        offer=offer,
        order_ref=f"BST-{offer.ref}-{next(_numbers)}",
        period_start=start,
        period_end=end,
        ordered_hours=D(ordered),
        delivered_hours=D(delivered),
    )


def report(offer, due, submitted=None) -> None:
    ProgressReport.objects.create(
        offer=offer,
        citizen_ref=f"B-{100000 + next(_numbers)}",
        due_date=due,
        submitted_date=submitted,
        content_approved=None if submitted is None else True,
    )


def attendance(offer, month, correct) -> None:
    Attendance.objects.create(
        offer=offer, citizen_ref=f"B-{200000 + next(_numbers)}", month=month, registered_correctly=correct
    )


def outcome(offer, course_end, off) -> Outcome:
    """A course ending on `course_end`, measured `result_months` after the end (the offer's model)."""
    return Outcome.objects.create(
        offer=offer,
        citizen_ref=f"B-{300000 + next(_numbers)}",
        course_start=course_end - relativedelta(months=3),
        course_end=course_end,
        months_after=offer.result_months,
        off_public_support=off,
        follow_up_on=course_end + relativedelta(months=offer.result_months),
    )


@pytest.fixture
def scene(personas):
    p = factories.provider(name="P Anden Aktør", kind=Provider.Kind.ANDEN_AKTOER, cvr="")
    q = factories.provider(name="Q Jobhus")
    a = factories.offer(provider=p, name="A mentor jobparate")
    c = factories.offer(provider=p, name="C mentor unge", target_group=TargetGroup.objects.get(code="unge"))
    b = factories.offer(provider=q, name="B mentor jobparate")
    assert a.comparable_group == b.comparable_group != c.comparable_group
    assert (a.result_basis, a.result_months) == ("end", 6)

    # Track 1: complaints, dated by the decision, else by receipt.
    complaint(p, date(2025, 1, 10), "upheld", date(2025, 2, 1), general_practice=True)  # counts, upheld
    complaint(p, date(2024, 12, 15), "partly_upheld", date(2025, 1, 20))  # decided in H1: counts, upheld
    complaint(p, date(2025, 3, 1), "dismissed", date(2025, 3, 20))  # counts, not upheld
    complaint(p, date(2025, 4, 1), "not_upheld", date(2025, 5, 1))  # counts, not upheld
    complaint(p, date(2025, 6, 10))  # undecided: dated by receipt, counts
    complaint(p, date(2025, 5, 15), "upheld", date(2025, 7, 2))  # decided in H2: not counted
    complaint(p, date(2024, 11, 1), "upheld", date(2024, 12, 1), general_practice=True)  # 2024: not counted
    complaint(q, date(2025, 2, 1), "upheld", date(2025, 3, 1))  # another provider

    # Track 2: surveys. A: 5+4+2+4 = 15 over 4; B: 3+3 = 6 over 2; C: 1 over 1.
    answers(a, (date(2025, 1, 1), 5), (date(2025, 2, 14), 4), (date(2025, 4, 2), 2), (date(2025, 6, 30), 4))
    answers(a, (date(2024, 12, 31), 1), (date(2025, 7, 1), 1))  # outside
    answers(b, (date(2025, 3, 3), 3), (date(2025, 5, 5), 3))
    answers(c, (date(2025, 2, 2), 1))

    # Track 4: hours by period end. A: 50/100, 300/300 and 100/100 (ends in H1) = 450/500 = 90.0 %,
    # where the mean of the percentages would be 83.3 %. The row ending in July is left out.
    hours(a, date(2025, 1, 1), date(2025, 3, 31), 100, 50)
    hours(a, date(2025, 4, 1), date(2025, 6, 30), 300, 300)
    hours(a, date(2024, 12, 1), date(2025, 1, 31), 100, 100)
    hours(a, date(2025, 6, 1), date(2025, 7, 31), 100, 0)
    hours(b, date(2025, 1, 1), date(2025, 6, 30), 200, 190)  # 95 %
    hours(c, date(2025, 1, 1), date(2025, 6, 30), 50, 40)  # 80 %

    # Progression reports by due date. A: 4 due, 3 submitted, 2 on time (same day counts).
    report(a, date(2025, 2, 1), date(2025, 1, 30))
    report(a, date(2025, 3, 1), date(2025, 3, 1))
    report(a, date(2025, 4, 1), date(2025, 4, 5))
    report(a, date(2025, 5, 1))
    report(a, date(2025, 7, 5), date(2025, 6, 20))  # due in H2
    report(a, date(2024, 12, 20), date(2025, 1, 10))  # due in 2024
    report(b, date(2025, 2, 10), date(2025, 2, 9))
    report(b, date(2025, 3, 10), date(2025, 3, 12))

    # Attendance by month. A: 3 of 4 registered correctly; B: 1 of 1.
    for month, correct in [(1, True), (2, True), (3, False), (6, True), (7, False)]:
        attendance(a, date(2025, month, 1), correct)
    attendance(b, date(2025, 1, 1), True)

    # Outcomes by follow-up date (course end + 6 months). A: 2 of 3 off public support.
    outcome(a, date(2024, 9, 15), True)  # follow-up 15.03.2025
    outcome(a, date(2024, 10, 10), False)  # follow-up 10.04.2025
    outcome(a, date(2024, 12, 31), True)  # follow-up 30.06.2025
    outcome(a, date(2024, 6, 30), True)  # follow-up 30.12.2024: outside
    outcome(a, date(2025, 1, 1), False)  # follow-up 01.07.2025: outside
    outcome(b, date(2024, 11, 1), False)

    # Track 3: P's cases, all drawn; reviewed in H1 except the completed case (December 2024).
    for ref, status in [("S-1", "ongoing"), ("S-2", "ongoing"), ("S-3", "completed")]:
        Case.objects.create(provider=p, case_ref=ref, status=status)
    spot_check = services.spot_check_draw(
        provider=p, by=personas["contract_manager"], ongoing=2, completed=1, seed=7, on=date(2024, 12, 1)
    )
    sampled = {row.case.case_ref: row for row in SampledCase.objects.filter(spot_check=spot_check)}
    assert sorted(sampled) == ["S-1", "S-2", "S-3"]
    on = date(2025, 2, 10)
    services.case_review_save(
        sampled_case=sampled["S-1"],
        judgements={"job_plan_present": True, "job_plan_adequate": False, "documentation": None},
        on=on,
    )
    services.case_review_save(
        sampled_case=sampled["S-2"], judgements={"job_plan_present": True, "job_plan_adequate": True}, on=on
    )
    services.case_review_save(
        sampled_case=sampled["S-3"], judgements={"job_plan_present": False}, on=date(2024, 12, 20)
    )
    return {"p": p, "q": q, "a": a, "b": b, "c": c}


def percents(ratios: dict) -> dict:
    return {metric: ratio.percent for metric, ratio in ratios.items() if metric != "survey"}


# --- Offer figures -----------------------------------------------------------------------------


def test_offer_figures_own_and_pooled_with_comparable_offers(scene):
    data = figures.offer_figures(offer=scene["a"], period=H1)
    own, group = data["own"], data["group"]

    assert data["period"] == H1
    assert data["peers"] == 2  # A and B; C is another target group

    assert own["survey"] == figures.Ratio(D(15), D(4))
    assert figures.survey_mean(own["survey"]) == D("3.8")  # 3.75 rounded half up, as the colour compares it
    assert own["hours"] == figures.Ratio(D(450), D(500))
    assert percents(own) == {
        "hours": D("90.0"),
        "reports_submitted": D("75.0"),
        "reports_on_time": D("50.0"),
        "attendance": D("75.0"),
        "outcomes": D("66.7"),
    }

    # The pool of A and B: sums over sums, not a mean of the two offers' figures.
    assert group["survey"] == figures.Ratio(D(21), D(6))
    assert figures.survey_mean(group["survey"]) == D("3.50")
    assert group["hours"] == figures.Ratio(D(640), D(700))
    assert percents(group) == {
        "hours": D("91.4"),  # the mean of 90 % and 95 % would be 92.5 %
        "reports_submitted": D("83.3"),  # 5 / 6
        "reports_on_time": D("50.0"),  # 3 / 6
        "attendance": D("80.0"),  # 4 / 5
        "outcomes": D("50.0"),  # 2 / 4
    }


def test_hours_are_a_ratio_of_sums_not_a_mean_of_percentages(scene):
    own = figures.offer_figures(offer=scene["a"], period=H1)["own"]["hours"]
    shares = [D(50) / D(100), D(300) / D(300), D(100) / D(100)]
    mean_of_percentages = (D(100) * sum(shares) / len(shares)).quantize(D("0.1"))
    assert mean_of_percentages == D("83.3")
    assert own.percent == D("90.0") != mean_of_percentages


def test_an_offer_of_another_group_is_not_pooled(scene):
    data = figures.offer_figures(offer=scene["c"], period=H1)
    assert data["peers"] == 1
    assert data["group"] == data["own"]
    assert data["own"]["survey"] == figures.Ratio(D(1), D(1))
    assert data["own"]["hours"].percent == D("80.0")
    # Nothing due, registered or measured: no percentage rather than 0 %.
    for metric in ["reports_submitted", "reports_on_time", "attendance", "outcomes"]:
        assert data["own"][metric] == figures.ZERO
        assert data["own"][metric].percent is None


def test_another_half_year_has_its_own_figures(scene):
    h2 = figures.offer_figures(offer=scene["a"], period=HalfYear(2025, 2))["own"]
    assert h2["survey"] == figures.Ratio(D(1), D(1))
    assert h2["hours"] == figures.Ratio(D(0), D(100))
    assert h2["reports_submitted"] == figures.Ratio(D(1), D(1))
    assert h2["reports_on_time"] == figures.Ratio(D(1), D(1))
    assert h2["attendance"] == figures.Ratio(D(0), D(1))
    assert h2["outcomes"] == figures.Ratio(D(0), D(1))


# --- Provider figures --------------------------------------------------------------------------


def test_provider_figures_rows_totals_and_pools(scene):
    data = figures.provider_figures(provider=scene["p"], period=H1)

    assert [row["offer"] for row in data["rows"]] == [scene["a"], scene["c"]]
    row_a, row_c = data["rows"]
    assert row_a["group"]["hours"] == figures.Ratio(D(640), D(700))  # pooled with B at provider Q
    assert row_c["group"] == row_c["own"]  # alone in its group

    totals = data["totals"]
    assert totals["survey"] == figures.Ratio(D(16), D(5))
    assert figures.survey_mean(totals["survey"]) == D("3.20")
    assert totals["hours"] == figures.Ratio(D(490), D(550))
    assert percents(totals) == {
        "hours": D("89.1"),
        "reports_submitted": D("75.0"),
        "reports_on_time": D("50.0"),
        "attendance": D("75.0"),
        "outcomes": D("66.7"),
    }


def test_complaints_upheld_and_partly_upheld_count_dismissed_does_not(scene):
    counts = figures.provider_figures(provider=scene["p"], period=H1)["complaints"]
    assert counts["total"] == 5
    assert counts["upheld"] == 2
    assert counts["general"] == 1


def test_complaints_of_a_provider_without_any_in_the_half_year(scene):
    counts = figures.provider_figures(provider=scene["q"], period=HalfYear(2025, 2))["complaints"]
    assert (counts["total"], counts["upheld"], counts["general"]) == (0, 0, 0)


def test_spot_check_compliance_is_met_over_assessed(scene):
    # H1: S-1 met + not met (documentation not assessed), S-2 met + met; S-3 was reviewed in 2024.
    compliance = figures.provider_figures(provider=scene["p"], period=H1)["compliance"]
    assert compliance == figures.Ratio(D(3), D(4))
    assert compliance.percent == D("75.0")
    previous = figures.provider_figures(provider=scene["p"], period=H1.previous())["compliance"]
    assert previous == figures.Ratio(D(0), D(1))
    assert figures.provider_figures(provider=scene["q"], period=H1)["compliance"].percent is None


# --- The page ----------------------------------------------------------------------------------


def test_provider_tracks_page(cm_client, scene):
    url = reverse("kvalitet:provider_tracks", args=[scene["p"].ref])

    response = cm_client.get(url, {"period": "2025H1"})
    assert response.status_code == 200
    assert response.context["data"]["period"] == H1
    assert response.context["data"]["complaints"]["upheld"] == 2

    response = cm_client.get(url, {"period": "abc"})
    assert response.status_code == 200
    assert response.context["form"].errors
    # A bad period falls back to the latest half-year that has data (here the scene's 2025 data).
    assert response.context["data"]["period"] == latest_period()
    assert latest_period() <= HalfYear.containing(timezone.localdate())


def test_offer_tracks_page(cm_client, scene):
    url = reverse("kvalitet:offer_tracks", args=[scene["a"].ref])
    response = cm_client.get(url, {"period": "2025H1"})
    assert response.status_code == 200
    assert response.context["data"]["own"]["hours"].percent == D("90.0")
    response = cm_client.get(url, {"period": "2025H3"})
    assert response.status_code == 200
    assert response.context["form"].errors
