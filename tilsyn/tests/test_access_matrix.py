"""The permission matrix: every URL pattern × every persona, GET and POST.

A URL pattern missing from MATRIX fails the test, so a new view cannot slip past unreviewed.
Expected codes: 200 allowed, 302 redirect (anonymous → login), 403 role without access,
405 method not allowed for an allowed role.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from conftest import ALL_PERSONAS, client_for
from kvalitet import services as track_services
from kvalitet.models import Case, Complaint, ImportRun, SurveyLink
from kvalitet.periods import HalfYear
from leverandoer.tests import factories
from rapporter import services as report_services
from tilsyn import services
from tilsyn.tests import factories as supervision

STAFF = {"contract_manager", "administrator"}
EVERYONE = set(ALL_PERSONAS) - {"anonymous"}


@dataclass
class Row:
    get: dict[str, int]
    post: dict[str, int] = field(default_factory=dict)
    kwargs: str | None = None  # which fixture object supplies the URL's arguments


def roles_only(allowed: set[str], ok: int = 200, post_ok: int | None = None) -> Row:
    """Allowed personas get `ok`; other roles 403; anonymous is sent to the login page."""

    def codes(success: int | None) -> dict[str, int]:
        return {
            persona: 302 if persona == "anonymous" else (success if persona in allowed else 403)
            for persona in ALL_PERSONAS
            if success is not None or persona not in allowed
        }

    return Row(get=codes(ok), post=codes(post_ok))


def everyone(code: int, post: int | None = None) -> Row:
    return Row(
        get=dict.fromkeys(ALL_PERSONAS, code), post=dict.fromkeys(ALL_PERSONAS, post) if post is not None else {}
    )


def with_kwargs(row: Row, kwargs: str, **overrides: int) -> Row:
    """Point a row at a fixture object; `overrides` set codes per persona for GET and POST."""
    row.kwargs = kwargs
    row.get.update(overrides)
    row.post.update({persona: code for persona, code in overrides.items() if persona in row.post or code == 404})
    return row


INSPECTORS_TOO = STAFF | {"inspector_a", "inspector_b"}
MANAGERS = {"contract_manager"}  # supervision decisions; administrators only read
RECORDERS = {"contract_manager", "inspector_a", "inspector_b"}
COMPLAINTS = {"contract_manager", "caseworker"}


MATRIX: dict[str, Row] = {
    "home": roles_only(EVERYONE),
    "login": Row(
        get={persona: 200 if persona == "anonymous" else 302 for persona in ALL_PERSONAS},
        post={persona: 200 if persona == "anonymous" else 302 for persona in ALL_PERSONAS},
    ),
    "logout": everyone(200, post=302),
    "set_language": everyone(302, post=302),
    "accessibility": everyone(200, post=405),
    "system_status": roles_only({"administrator"}, post_ok=405),
    "worker_ping": roles_only({"administrator"}, ok=405, post_ok=302),
    "leverandoer:provider_list": roles_only(STAFF),
    "leverandoer:provider_create": roles_only(STAFF),
    "leverandoer:provider_detail": with_kwargs(roles_only(STAFF), "provider"),
    "leverandoer:provider_edit": with_kwargs(roles_only(STAFF), "provider"),
    "leverandoer:provider_referral": with_kwargs(roles_only(STAFF), "provider"),
    "leverandoer:agreement_list": roles_only(STAFF),
    "leverandoer:agreement_create": roles_only(STAFF),
    "leverandoer:agreement_detail": with_kwargs(roles_only(STAFF), "agreement"),
    "leverandoer:agreement_edit": with_kwargs(roles_only(STAFF), "agreement"),
    "leverandoer:offer_list": roles_only(STAFF),
    "leverandoer:offer_create": roles_only(STAFF),
    "leverandoer:offer_detail": with_kwargs(roles_only(STAFF), "offer"),
    "leverandoer:offer_edit": with_kwargs(roles_only(STAFF), "offer"),
    "leverandoer:offer_referral": with_kwargs(roles_only(STAFF), "offer"),
    "leverandoer:comparable_group_list": roles_only(STAFF),
    # Inspections: inspector A is assigned the inspection; to inspector B it does not exist.
    "tilsyn:inspection_list": roles_only(INSPECTORS_TOO),
    "tilsyn:inspection_create": roles_only(MANAGERS),
    "tilsyn:inspection_detail": with_kwargs(roles_only(INSPECTORS_TOO), "inspection", inspector_b=404),
    "tilsyn:inspection_edit": with_kwargs(roles_only(MANAGERS), "inspection"),
    "tilsyn:inspection_record": with_kwargs(roles_only(RECORDERS), "inspection", inspector_b=404),
    "tilsyn:inspection_report": with_kwargs(roles_only(INSPECTORS_TOO), "inspection", inspector_b=404),
    "tilsyn:inspection_assess": with_kwargs(roles_only(MANAGERS), "submitted"),
    "tilsyn:inspection_close": with_kwargs(roles_only(MANAGERS, ok=405, post_ok=302), "assessed"),
    "tilsyn:measure_done": with_kwargs(roles_only(MANAGERS, ok=405, post_ok=302), "measure"),
    "tilsyn:follow_up_done": with_kwargs(roles_only(MANAGERS, ok=405, post_ok=302), "follow_up"),
    "tilsyn:plan": roles_only(STAFF),
    "tilsyn:plan_suggestion": with_kwargs(roles_only(MANAGERS, ok=405, post_ok=302), "suggestion"),
    "tilsyn:calendar": roles_only(INSPECTORS_TOO),
    "tilsyn:calendar_renew": roles_only(INSPECTORS_TOO, ok=405, post_ok=302),
    # The feed is for calendar programs: the secret token in the URL is the key, not a session.
    "tilsyn:calendar_feed": with_kwargs(everyone(200), "feed"),
    # Tracks 1–4. Complaints are registered by caseworkers and followed by contract managers.
    "kvalitet:complaint_list": roles_only(COMPLAINTS),
    "kvalitet:complaint_create": roles_only(COMPLAINTS),
    "kvalitet:complaint_edit": with_kwargs(roles_only(COMPLAINTS), "complaint"),
    "kvalitet:survey_link": with_kwargs(roles_only(MANAGERS), "offer"),
    # The survey itself is public and anonymous; an empty POST shows the form again.
    "kvalitet:survey_answer": with_kwargs(everyone(200, post=200), "survey"),
    "kvalitet:spot_check_list": roles_only(MANAGERS),
    "kvalitet:spot_check_detail": with_kwargs(roles_only(MANAGERS), "spot_check"),
    "kvalitet:case_review": with_kwargs(roles_only(MANAGERS), "sampled_case"),
    "kvalitet:import_data": roles_only(MANAGERS),
    "kvalitet:import_run": with_kwargs(roles_only(MANAGERS, post_ok=405), "import_run"),
    "kvalitet:provider_tracks": with_kwargs(roles_only(STAFF), "provider"),
    "kvalitet:offer_tracks": with_kwargs(roles_only(STAFF), "offer"),
    # Reports: read by staff; compiled by contract managers (an empty POST shows the form again).
    # The secretariat reads published versions only: the fixture's draft answers 404 to it.
    "rapporter:report_list": Row(
        get=roles_only(STAFF | {"secretariat"}).get,
        post={**roles_only(MANAGERS | {"secretariat"}, post_ok=200).post, "administrator": 403, "secretariat": 403},
    ),
    "rapporter:run_detail": with_kwargs(roles_only(STAFF), "run"),
    "rapporter:report_detail": with_kwargs(roles_only(STAFF | {"secretariat"}), "report", secretariat=404),
    "rapporter:report_pdf": with_kwargs(roles_only(STAFF | {"secretariat"}), "report", secretariat=404),
    "rapporter:report_export_xlsx": with_kwargs(roles_only(STAFF | {"secretariat"}), "report", secretariat=404),
    "rapporter:report_export_csv": with_kwargs(roles_only(STAFF | {"secretariat"}), "report_table", secretariat=404),
    "rapporter:report_review": with_kwargs(roles_only(MANAGERS, post_ok=200), "report"),
    "rapporter:report_approve": with_kwargs(roles_only(MANAGERS, ok=405, post_ok=302), "report"),
    "rapporter:report_publish": with_kwargs(roles_only(MANAGERS, ok=405, post_ok=302), "report"),
    "rapporter:report_discard": with_kwargs(roles_only(MANAGERS, ok=405, post_ok=302), "report"),
    # Follow-up cases: read by staff, decided by contract managers.
    "tilsyn:case_list": roles_only(STAFF),
    "tilsyn:case_open": roles_only(MANAGERS, post_ok=200),
    "tilsyn:case_detail": with_kwargs(roles_only(STAFF), "case"),
    "tilsyn:case_number": with_kwargs(roles_only(MANAGERS, ok=405, post_ok=302), "case"),
    "tilsyn:case_measure_add": with_kwargs(roles_only(MANAGERS, ok=405, post_ok=302), "case"),
    "tilsyn:case_close": with_kwargs(roles_only(MANAGERS, ok=405, post_ok=302), "case"),
    "tilsyn:action_plan_list": roles_only(STAFF),
    "tilsyn:action_plan_edit": with_kwargs(roles_only(MANAGERS), "action_plan"),
    "tilsyn:action_plan_file": with_kwargs(roles_only(STAFF), "action_plan"),
    # The Django admin checks access itself: administrators only, everyone else to its login.
    "admin:*": Row(get={persona: 200 if persona == "administrator" else 302 for persona in ALL_PERSONAS}),
}


def url_names(patterns=None, namespace: str = "") -> set[str]:
    names = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                names.add("admin:*")
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"URL pattern {pattern.pattern} has no name and cannot be in the matrix"
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_pattern_is_in_the_matrix():
    assert url_names() == set(MATRIX)


@pytest.fixture
def objects(db, personas) -> dict:
    offer = factories.offer()
    inspector_a, manager = personas["inspector_a"], personas["contract_manager"]
    planned = supervision.inspection(performer=inspector_a, created_by=manager)
    planned.report_file.save("r.pdf", supervision.pdf_upload())
    submitted = supervision.submitted(performer=inspector_a, created_by=manager)
    assessed = supervision.submitted(performer=inspector_a, created_by=manager, findings=[("premises", "red")])
    assessment = services.assessment_confirm(inspection=assessed, scenario=3, justification="", by=manager)
    plan = assessment.action_plan
    plan.file.save("p.pdf", supervision.pdf_upload())
    feed = services.calendar_feed_renew(user=manager)
    complaint = Complaint.objects.create(
        ref="KLG-T-1", received_on=date(2025, 3, 1), kind="formality", provider=offer.provider
    )
    survey = SurveyLink.objects.create(offer=offer)
    anden_aktoer = factories.provider(kind="anden_aktoer")
    Case.objects.create(provider=anden_aktoer, case_ref="S-1", status="ongoing")
    spot_check = track_services.spot_check_draw(provider=anden_aktoer, by=manager, ongoing=1, completed=0, seed=1)
    report = report_services.compile_now(period=HalfYear(2025, 1), by=manager)
    import_run = ImportRun.objects.create(kind="providers", filename="leverandoerer.csv", started_by=manager)
    return {
        "provider": {"ref": offer.provider.ref},
        "offer": {"ref": offer.ref},
        "agreement": {"pk": factories.agreement(provider=offer.provider).pk},
        "inspection": {"ref": planned.ref},
        "submitted": {"ref": submitted.ref},
        "assessed": {"ref": assessed.ref},
        "measure": {"pk": assessment.measures.first().pk},
        "follow_up": {"pk": assessment.follow_ups.first().pk},
        "action_plan": {"pk": plan.pk},
        "case": {"ref": assessment.case.ref},
        "suggestion": {"year": timezone.localdate().year, "ref": offer.provider.ref},
        "feed": {"token": feed.token},
        "complaint": {"ref": complaint.ref},
        "survey": {"token": survey.token},
        "spot_check": {"pk": spot_check.pk},
        "sampled_case": {"pk": spot_check.sampled.first().pk},
        "run": {"pk": report.run_id},
        "import_run": {"pk": import_run.pk},
        "report": {"period": report.period, "version": report.version},
        "report_table": {"period": report.period, "version": report.version, "table": "matrix"},
    }


def _url(name: str, row: Row, objects: dict) -> str:
    if name == "admin:*":
        return reverse("admin:index")
    return reverse(name, kwargs=objects[row.kwargs] if row.kwargs else None)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_get(name, client, personas, objects):
    row = MATRIX[name]
    url = _url(name, row, objects)
    seen = {persona: client_for(client, personas[persona]).get(url).status_code for persona in ALL_PERSONAS}
    assert seen == row.get


@pytest.mark.parametrize("name", sorted(name for name, row in MATRIX.items() if row.post))
def test_post(name, client, personas, objects):
    """POST with empty data: refused roles change nothing; allowed roles are covered by view tests."""
    row = MATRIX[name]
    url = _url(name, row, objects)
    seen = {persona: client_for(client, personas[persona]).post(url).status_code for persona in row.post}
    assert seen == row.post


def test_anonymous_is_sent_to_login_with_next(client, objects):
    url = reverse("leverandoer:provider_detail", kwargs=objects["provider"])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize(
    ("persona", "visible", "hidden"),
    [
        ("contract_manager", ["Leverandører", "Tilbud", "Rammeaftaler"], ["Systemstatus"]),
        ("administrator", ["Leverandører", "Systemstatus"], []),
        ("inspector_a", [], ["Leverandører", "Tilbud", "Rammeaftaler", "Systemstatus"]),
        ("secretariat", ["Kvalitetsrapporter"], ["Leverandører", "Tilbud", "Rammeaftaler", "Systemstatus", "Klager"]),
        ("caseworker", [], ["Leverandører", "Tilbud", "Systemstatus"]),
    ],
)
def test_navigation_shows_each_role_only_what_it_may_use(client, personas, persona, visible, hidden):
    response = client_for(client, personas[persona]).get(reverse("home"))
    menu = response.content.decode().split('id="main-nav"')[1].split("</ul>")[0]
    for label in visible:
        assert f">{label}<" in menu
    for label in hidden:
        assert f">{label}<" not in menu
