"""The main journeys in a real browser against a live server, each with the mouse and with the
keyboard alone; axe-core checks every page they visit for WCAG 2.1 A and AA.

1. A contract manager plans an inspection, logs its findings and confirms its scenario; confirming
   scenario 3 for a red finding opens a follow-up case and restricts the offer the manager ticks.
2. An external inspector uploads a visit report (PDF) and records findings.
3. The committee secretariat downloads a published report; the PDF's text holds the traffic-light matrix.
4. The anonymous survey on a phone-sized screen.

Screenshots of the pages land in var/screenshots/.
"""

from __future__ import annotations

import io
import os
import re
from datetime import date
from pathlib import Path

import pytest
from django.db import connections
from django.utils import timezone
from pypdf import PdfReader

from conftest import make_user
from kvalitet.models import Complaint, SurveyLink, SurveyResponse
from kvalitet.periods import HalfYear
from leverandoer.access import Role
from leverandoer.tests import factories as provider_factories
from rapporter import services as report_services
from tilsyn import services as supervision_services
from tilsyn.models import Assessment, FollowUpCase, Inspection
from tilsyn.tests import factories as supervision
from tilsyn.tests.browser import CHROMIUM, CHROMIUM_ARGS, PHONE, Axe, Keys, require_tools, screenshot

PASSWORD = "korrekt-hest-batteri-9"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def chromium():
    """A browser per test: with one browser for the module, Playwright's event loop is running
    while the next test's database is set up, and its serialized rollback does not take."""
    require_tools()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are plain synchronous code all the same.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
            # The test's ORM calls ran in Playwright's context, with a database connection of
            # their own: close it, or PostgreSQL cannot drop the test database at the end.
            connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def axe():
    return Axe()


def _context(chromium, **options):
    context = chromium.new_context(bypass_csp=True, locale="da-DK", accept_downloads=True, **options)
    context.set_default_timeout(15_000)
    # Chromium asks for /favicon.ico on its own, after the test may have ended; answer it here.
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    return context


@pytest.fixture
def page(chromium, live_server):
    context = _context(chromium, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.base = live_server.url
    yield page
    context.close()


@pytest.fixture
def phone(chromium, live_server):
    context = _context(chromium, **PHONE)
    page = context.new_page()
    page.base = live_server.url
    yield page
    context.close()


def visit(page, path: str, axe: Axe, shot: str | None = None) -> None:
    """Open a page by its address (as typing it in the address bar), then check it."""
    response = page.goto(page.base + path)
    assert response.status == 200, f"{path}: {response.status}"
    check(page, axe, shot)


def check(page, axe: Axe, shot: str | None = None) -> None:
    page.wait_for_load_state("load")
    axe.check(page)
    if shot:
        screenshot(page, shot)


def log_in_with_mouse(page, axe: Axe, username: str) -> None:
    visit(page, "/login/", axe, "login")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(page.base + "/")
    check(page, axe)


def log_in_with_keys(page, keys: Keys, axe: Axe, username: str) -> None:
    visit(page, "/login/", axe)
    keys.type_into("#id_username", username)
    keys.type_into("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(page.base + "/")
    check(page, axe)


def follow(page, axe: Axe, selector: str, keys: Keys | None = None, shot: str | None = None) -> None:
    """Follow a link or press a button, with the mouse or with Tab and Enter."""
    with page.expect_navigation():
        if keys:
            keys.press(selector, "Enter")
        else:
            page.click(selector)
    check(page, axe, shot)


# --- 1. The contract manager plans, logs and assesses an inspection ----------------------------


@pytest.fixture
def managed_provider(personas):
    return provider_factories.provider(name="Jobvejen A/S", contract_manager=personas["contract_manager"])


def _manager_journey(page, axe: Axe, personas, provider, keys: Keys | None) -> Inspection:
    manager = personas["contract_manager"]
    today = timezone.localdate()
    if keys:
        log_in_with_keys(page, keys, axe, manager.username)
    else:
        log_in_with_mouse(page, axe, manager.username)
    screenshot(page, "start-contract-manager")

    follow(page, axe, '#main-nav a[href="/tilsyn/"]', keys, shot="inspection-list")
    follow(page, axe, 'main a[href="/tilsyn/nyt/"]', keys, shot="inspection-plan")
    if keys:
        keys.choose("#id_provider", str(provider.pk))
        keys.choose("#id_method", "visit")
        keys.date("#id_planned_on", today)
        keys.choose("#id_performer", str(manager.pk))
        with page.expect_navigation():
            keys.press("main form button[type=submit]", "Enter")
    else:
        page.select_option("#id_provider", value=str(provider.pk))
        page.select_option("#id_method", value="visit")
        page.fill("#id_planned_on", today.isoformat())
        page.select_option("#id_performer", value=str(manager.pk))
        with page.expect_navigation():
            page.click("main form button[type=submit]")
    check(page, axe, "inspection-detail-planned")
    inspection = Inspection.objects.get(provider=provider)
    assert (inspection.status, inspection.planned_on, inspection.performer) == ("planned", today, manager)

    record = f"/tilsyn/{inspection.ref}/fund/"
    follow(page, axe, f'main a[href="{record}"]', keys, shot="inspection-record")
    if keys:
        keys.date("#id_performed_on", today)
        keys.radio("area-premises-rating", "yellow")
        keys.type_into("#id_area-premises-remark", "Skiltningen mangler ved indgangen.")
        keys.radio("area-attendance-rating", "green")
        with page.expect_navigation():
            keys.press("main form button[name=submit]", "Enter")
    else:
        page.fill("#id_performed_on", today.isoformat())
        page.check('input[name="area-premises-rating"][value="yellow"]')
        page.fill("#id_area-premises-remark", "Skiltningen mangler ved indgangen.")
        page.check('input[name="area-attendance-rating"][value="green"]')
        with page.expect_navigation():
            page.click("main form button[name=submit]")
    check(page, axe, "inspection-detail-submitted")
    inspection.refresh_from_db()
    assert inspection.status == "submitted"
    assert sorted(inspection.findings.values_list("control_area__code", "rating")) == [
        ("attendance", "green"),
        ("premises", "yellow"),
    ]

    follow(page, axe, f'main a[href="/tilsyn/{inspection.ref}/vurdering/"]', keys, shot="inspection-assess")
    assert page.locator('input[name="scenario"][value="2"]').is_checked()  # yellow proposes scenario 2
    if keys:
        with page.expect_navigation():
            keys.press("main form button[type=submit]", "Enter")
    else:
        with page.expect_navigation():
            page.click("main form button[type=submit]")
    check(page, axe, "inspection-detail-assessed")
    assessment = Assessment.objects.get(inspection=inspection)
    assert (assessment.proposed_scenario, assessment.scenario, assessment.confirmed_by) == (2, 2, manager)
    return inspection


def test_contract_manager_plans_logs_and_assesses_an_inspection(page, axe, personas, managed_provider):
    _manager_journey(page, axe, personas, managed_provider, keys=None)


def test_contract_manager_journey_with_the_keyboard_alone(page, axe, personas, managed_provider):
    _manager_journey(page, axe, personas, managed_provider, keys=Keys(page))


def _scenario_3_journey(page, axe: Axe, personas, provider, keys: Keys | None) -> None:
    """A red finding proposes scenario 3; the manager ticks one of the provider's two offers, and the
    case opens with that offer's referrals restricted at once (Table 1, "change of referral strategy")."""
    kept, restricted = (
        provider_factories.offer(provider=provider, name=name) for name in ("Mentorforløb", "Afklaring")
    )
    inspection = supervision.submitted(
        performer=personas["inspector_a"], provider=provider, findings=[("premises", "red")]
    )
    if keys:
        log_in_with_keys(page, keys, axe, personas["contract_manager"].username)
    else:
        log_in_with_mouse(page, axe, personas["contract_manager"].username)
    # The start page lists the inspection waiting for assessment; it links to the assessment.
    follow(page, axe, f'main a[href="/tilsyn/{inspection.ref}/vurdering/"]', keys, shot="assess-scenario-3")
    assert page.locator('input[name="scenario"][value="3"]').is_checked()  # red proposes scenario 3
    assert "Tilbud med ændret henvisningsstrategi (scenarie 3)" in page.locator("main form").inner_text()
    assert page.locator('input[name="offers"]').count() == 2
    checkbox = f'input[name="offers"][value="{restricted.pk}"]'
    if keys:
        keys.tab_to(checkbox)
        page.keyboard.press("Space")
        with page.expect_navigation():
            keys.press("main form button[type=submit]", "Enter")
    else:
        page.check(checkbox)
        with page.expect_navigation():
            page.click("main form button[type=submit]")
    check(page, axe, "inspection-detail-scenario-3")
    case = FollowUpCase.objects.get(provider=provider)
    assert re.fullmatch(r"OPF-\d{4}-\d{4}", case.ref)
    assert (case.scenario, case.source) == (3, "inspection")
    status = " ".join(page.locator(".messages").inner_text().split())
    assert f"Opfølgningssag {case.ref} er oprettet (scenarie 3)." in status
    assert "Henvisning er begrænset for: Afklaring." in status
    restricted.refresh_from_db()
    kept.refresh_from_db()
    assert (restricted.referral_status, kept.referral_status) == ("restricted", "open")

    # The inspection's page names the case; the case page shows the restriction.
    follow(page, axe, f'main a[href="{case.get_absolute_url()}"]', keys, shot="case-detail-scenario-3")
    facts = " ".join(page.locator("main dl.facts").inner_text().split())
    assert "Afklaring: Begrænset" in facts
    assert "Mentorforløb" not in facts  # only the offers that are not open
    assert inspection.ref in page.locator("main").inner_text()
    # The provider's page lists its offers with their referral status.
    follow(page, axe, f'main p.lead a[href="{provider.get_absolute_url()}"]', keys, shot="provider-restricted-offer")
    row = page.locator("main tr", has=page.locator(f'a[href="{restricted.get_absolute_url()}"]'))
    assert "Henvisning: Begrænset" in row.inner_text()
    row = page.locator("main tr", has=page.locator(f'a[href="{kept.get_absolute_url()}"]'))
    assert "Henvisning: Åben" in row.inner_text()
    assert case.ref in page.locator("main").inner_text()

    # "Opfølgningssager" in the menu lists the case.
    follow(page, axe, '#main-nav a[href="/opfoelgningssager/"]', keys, shot="case-list")
    assert page.locator("h1").inner_text() == "Opfølgningssager"
    row = page.locator("main tbody tr", has=page.locator(f'a[href="{case.get_absolute_url()}"]'))
    assert provider.name in row.inner_text()


def test_contract_manager_confirms_scenario_3_and_restricts_an_offer(page, axe, personas, managed_provider):
    _scenario_3_journey(page, axe, personas, managed_provider, keys=None)


def test_scenario_3_journey_with_the_keyboard_alone(page, axe, personas, managed_provider):
    _scenario_3_journey(page, axe, personas, managed_provider, keys=Keys(page))


# --- 2. The external inspector uploads a visit report and records findings --------------------


@pytest.fixture
def assigned_inspection(personas, managed_provider):
    return supervision.inspection(
        performer=personas["inspector_a"],
        created_by=personas["contract_manager"],
        provider=managed_provider,
        planned_on=timezone.localdate(),
    )


def _inspector_journey(page, axe: Axe, personas, inspection: Inspection, keys: Keys | None, tmp_path) -> None:
    inspector = personas["inspector_a"]
    report = tmp_path / "Besøgsrapport Jobvejen.pdf"
    report.write_bytes(supervision.pdf_bytes("Besøgsrapport"))
    today = timezone.localdate()
    if keys:
        log_in_with_keys(page, keys, axe, inspector.username)
    else:
        log_in_with_mouse(page, axe, inspector.username)
    screenshot(page, "start-inspector")

    # The start page lists the inspector's visit; its page offers the findings form.
    follow(page, axe, f'main a[href="/tilsyn/{inspection.ref}/"]', keys)
    follow(page, axe, f'main a[href="/tilsyn/{inspection.ref}/fund/"]', keys)
    if keys:
        keys.date("#id_performed_on", today)
        keys.choose_file("#id_report", report)
        keys.radio("area-premises-rating", "red")
        keys.type_into("#id_area-premises-remark", "Lokalerne er for små til holdet.")
        keys.tab_to("#id_area-premises-gross_violation")
        page.keyboard.press("Space")
        keys.radio("area-hours_documented-rating", "green")
        with page.expect_navigation():
            keys.press("main form button[name=save]", "Enter")
    else:
        page.fill("#id_performed_on", today.isoformat())
        page.set_input_files("#id_report", str(report))
        page.check('input[name="area-premises-rating"][value="red"]')
        page.fill("#id_area-premises-remark", "Lokalerne er for små til holdet.")
        page.check("#id_area-premises-gross_violation")
        page.check('input[name="area-hours_documented-rating"][value="green"]')
        with page.expect_navigation():
            page.click("main form button[name=save]")
    check(page, axe, "inspection-detail-draft")
    inspection.refresh_from_db()
    assert inspection.status == "performed"  # saved, not yet submitted
    assert inspection.report_filename == report.name
    assert inspection.report_file.read().startswith(b"%PDF")

    # Back in the form the draft is kept; submitting sends it to the contract manager.
    follow(page, axe, f'main a[href="/tilsyn/{inspection.ref}/fund/"]', keys, shot="inspection-record-draft")
    assert page.locator('input[name="area-premises-rating"][value="red"]').is_checked()
    with page.expect_navigation():
        if keys:
            keys.press("main form button[name=submit]", "Enter")
        else:
            page.click("main form button[name=submit]")
    check(page, axe)
    inspection.refresh_from_db()
    assert (inspection.status, inspection.submitted_by) == ("submitted", inspector)
    findings = inspection.findings.order_by("control_area__code")
    assert [(f.control_area.code, f.rating, f.gross_violation) for f in findings] == [
        ("hours_documented", "green", False),
        ("premises", "red", True),
    ]
    assert findings[1].remark == "Lokalerne er for små til holdet."
    # The uploaded report can be opened from the inspection's page.
    link = page.locator(f'main a[href="/tilsyn/{inspection.ref}/rapport/"]').first
    assert link.inner_text() == report.name


def test_inspector_uploads_a_visit_report_and_records_findings(page, axe, personas, assigned_inspection, tmp_path):
    _inspector_journey(page, axe, personas, assigned_inspection, None, tmp_path)


def test_inspector_journey_with_the_keyboard_alone(page, axe, personas, assigned_inspection, tmp_path):
    _inspector_journey(page, axe, personas, assigned_inspection, Keys(page), tmp_path)


# --- 3. The secretariat downloads a published report --------------------------------------------


@pytest.fixture
def published_report(personas):
    red = provider_factories.provider(ref="LEV-0100", name="Rød ApS")
    for n in range(3):
        Complaint.objects.create(
            ref=f"K-{n}",
            provider=red,
            kind="formality",
            received_on=date(2025, 1, 5),
            decision="upheld",
            decided_on=date(2025, 2, 1),
        )
    manager = personas["contract_manager"]
    report = report_services.compile_now(period=HalfYear(2025, 1), by=manager)
    report_services.scenario_decide(
        report=report, provider_ref="LEV-0100", scenario=4, justification="Gentagne klager", by=manager
    )
    second = make_user("mads", Role.CONTRACT_MANAGER)
    report_services.report_approve(report=report, by=second)
    report_services.report_publish(report=report, by=second)
    return report


def _secretariat_journey(page, axe: Axe, personas, report, keys: Keys | None) -> None:
    secretariat = personas["secretariat"]
    if keys:
        log_in_with_keys(page, keys, axe, secretariat.username)
    else:
        log_in_with_mouse(page, axe, secretariat.username)
    screenshot(page, "start-secretariat")
    follow(page, axe, 'main a[href="/rapporter/"]', keys, shot="report-list")
    follow(page, axe, f'main a[href="{report.get_absolute_url()}"]', keys, shot="report-detail")
    pdf = f'main a[href="/rapporter/{report.period}/v{report.version}/pdf/"]'
    with page.expect_download() as download:
        if keys:
            keys.press(pdf, "Enter")
        else:
            page.click(pdf)
    assert download.value.suggested_filename == "kvalitetsrapport-2025-H1-v1.pdf"
    reader = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Trafiklys: leverandører × spor" in text
    assert "Leverandører × spor" in text  # the matrix table's caption
    # The matrix: a row per provider, a cell per track with its colour in words, then the scenario
    # (changed by a contract manager, so marked *).
    matrix = " ".join(text.split("Leverandører × spor")[-1].split())
    assert re.search(r"Leverandør Klager .* Scenarie Rød ApS \(LEV-0100\) Rød(?: –)+ 4\*", matrix), matrix[:600]
    screenshot(page, "report-downloaded")


def test_secretariat_downloads_the_published_report(page, axe, personas, published_report):
    _secretariat_journey(page, axe, personas, published_report, None)


def test_secretariat_journey_with_the_keyboard_alone(page, axe, personas, published_report):
    _secretariat_journey(page, axe, personas, published_report, Keys(page))


# --- 4. The anonymous survey on a phone ---------------------------------------------------------


@pytest.fixture
def survey():
    offer = provider_factories.offer(name="Job i sigte")
    return SurveyLink.objects.create(offer=offer)


def _survey_journey(phone, axe: Axe, survey, keys: Keys | None) -> None:
    visit(phone, f"/svar/{survey.token}/", axe, "survey-phone")
    # Nothing is wider than the phone: no sideways scrolling.
    assert phone.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    if keys:
        keys.radio("score", "4")
        keys.type_into("#id_comment", "Gode undervisere.")
        with phone.expect_navigation():
            keys.press("main form button[type=submit]", "Enter")
    else:
        phone.tap('label[for="id_score_1"]')
        phone.fill("#id_comment", "Gode undervisere.")
        with phone.expect_navigation():
            phone.tap("main form button[type=submit]")
    check(phone, axe, "survey-thanks-phone")
    answer = SurveyResponse.objects.get(offer=survey.offer)
    assert (answer.score, answer.comment) == (4, "Gode undervisere.")
    # The accessibility statement is one link away, on the phone too.
    follow(phone, axe, 'footer a[href="/tilgaengelighed/"]', keys, shot="accessibility-phone")
    assert phone.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_the_survey_on_a_phone(phone, axe, survey):
    _survey_journey(phone, axe, survey, None)


def test_the_survey_on_a_phone_with_the_keyboard_alone(phone, axe, survey):
    _survey_journey(phone, axe, survey, Keys(phone))


def test_the_accessibility_statement_is_open_to_all_and_linked_from_every_page(page, axe, personas, settings):
    settings.ACCESSIBILITY_CONTACT_EMAIL = "tilgaengelighed@kommune.example.dk"
    visit(page, "/tilgaengelighed/", axe, "accessibility")
    text = page.locator("main").inner_text()
    assert "Digitaliseringsstyrelsen" in text
    assert page.locator('main a[href="https://www.was.digst.dk/"]').count() == 1
    assert page.locator('main a[href="mailto:tilgaengelighed@kommune.example.dk"]').count() == 1
    log_in_with_mouse(page, axe, personas["caseworker"].username)
    assert page.locator('footer a[href="/tilgaengelighed/"]').count() == 1


# --- Every page in the menu, for the roles that see the most ---------------------------------------


@pytest.fixture
def some_of_everything(personas, managed_provider):
    offer = provider_factories.offer(provider=managed_provider, name="Job i sigte")
    SurveyLink.objects.create(offer=offer)
    provider_factories.agreement(provider=managed_provider)
    inspection = supervision.submitted(performer=personas["inspector_a"], provider=managed_provider)
    Complaint.objects.create(
        ref="K-1", provider=managed_provider, kind="formality", received_on=date(2025, 1, 5), decision="upheld"
    )
    report_services.compile_now(period=HalfYear(2025, 1), by=personas["contract_manager"])
    # A case from other knowledge with scenario 3: measures, follow-ups and an action plan to show.
    supervision_services.case_open_other(
        provider=managed_provider,
        knowledge_source="Henvendelse fra en sagsbehandler",
        justification="Borgere oplyser, at forløbet ikke holdes.",
        scenario=3,
        case_number="2025-0001234",
        by=personas["contract_manager"],
    )
    return inspection


@pytest.mark.parametrize("persona", ["contract_manager", "administrator", "inspector_a", "secretariat", "caseworker"])
def test_every_page_in_the_menu_passes_axe(page, axe, personas, some_of_everything, persona):
    log_in_with_mouse(page, axe, personas[persona].username)
    links = page.eval_on_selector_all(
        "#main-nav a.nav-link, #main-nav a.dropdown-item", "links => links.map(a => a.getAttribute('href'))"
    )
    assert links, "no menu"
    for href in dict.fromkeys(links):
        visit(page, href, axe, f"menu-{persona}-{href.strip('/').replace('/', '-') or 'home'}")
    # The roles that see the follow-up cases see a case's page, too; a contract manager the form.
    if "/opfoelgningssager/" in links:
        case = FollowUpCase.objects.get()
        visit(page, "/opfoelgningssager/?status=all", axe)
        visit(page, case.get_absolute_url(), axe, f"case-detail-{persona}")
        assert case.ref in page.locator("h1").inner_text()
        if persona == "contract_manager":
            visit(page, "/opfoelgningssager/ny/", axe, "case-form")
    assert ("/opfoelgningssager/" in links) == (persona in ("contract_manager", "administrator"))


# --- Wide tables on a phone -----------------------------------------------------------------------


def test_wide_tables_scroll_inside_their_box_on_a_phone(phone, axe, personas, some_of_everything):
    """Tables scroll sideways in a .table-responsive box; the page itself (header, menu) stays put.
    The box is also the containing block of the tables' visually hidden captions, which would
    otherwise widen the page."""
    inspection = some_of_everything
    offer = inspection.provider.offers.get()
    log_in_with_mouse(phone, axe, personas["contract_manager"].username)
    pages = [
        "/handleplaner/",
        "/stikproever/",
        inspection.get_absolute_url(),
        f"/tilsyn/{inspection.ref}/vurdering/",
        offer.get_absolute_url(),
        inspection.provider.get_absolute_url(),
        "/import/",
        "/sammenlignelige-grupper/",
        "/plan/",
        "/opfoelgningssager/",
        FollowUpCase.objects.get().get_absolute_url(),
    ]
    for path in pages:
        visit(phone, path, axe)
        width = phone.evaluate("() => document.documentElement.scrollWidth")
        assert width <= phone.viewport_size["width"], f"{path}: the page is {width} px wide"
        loose = phone.eval_on_selector_all(
            "main table", "tables => tables.filter(t => !t.closest('.table-responsive')).length"
        )
        assert loose == 0, f"{path}: {loose} table(s) outside a .table-responsive box"
    # The icon the browser asks for is there (no 404 for /favicon.ico in the console).
    icon = phone.get_attribute('link[rel="icon"]', "href")
    assert icon.endswith(".svg")
    response = phone.request.get(phone.base + icon)
    assert (response.status, response.headers["content-type"]) == (200, "image/svg+xml")
