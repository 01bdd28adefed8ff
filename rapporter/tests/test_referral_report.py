"""The referral status in the report: each provider row and offer row of the snapshot records it
at compile time; the report page, the committee PDF and the tables show it; versions compiled
before the key existed read as open."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from kvalitet.periods import HalfYear
from leverandoer.models import Offer, Provider, ReferralStatus
from leverandoer.tests import factories as provider_factories
from rapporter import exports, services
from rapporter.pdf import render_pdf
from rapporter.tests.test_versions import old_version  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

H1 = HalfYear(2025, 1)


def set_status(target, status: str) -> None:
    type(target).objects.filter(pk=target.pk).update(referral_status=status, referral_reason="Brud")
    target.refresh_from_db()


@pytest.fixture
def providers():
    """A stopped provider with one offer; an open provider with a restricted and an open offer."""
    stopped = provider_factories.provider(ref="LEV-0500", name="Stop ApS")
    provider_factories.agreement(provider=stopped)
    provider_factories.offer(ref="O-STOP", name="Forløb hos Stop", provider=stopped)
    set_status(stopped, ReferralStatus.STOPPED)
    open_ = provider_factories.provider(ref="LEV-0501", name="Åben ApS")
    provider_factories.agreement(provider=open_)
    restricted_offer = provider_factories.offer(ref="O-HALV", name="Halvt forløb", provider=open_)
    set_status(restricted_offer, ReferralStatus.RESTRICTED)
    provider_factories.offer(ref="O-AABEN", name="Åbent forløb", provider=open_)
    return stopped, open_


def _rows(report) -> dict[str, dict]:
    return {row["provider_ref"]: row for row in report.data["providers"]}


def test_the_snapshot_records_the_referral_status_of_each_provider_and_offer(providers):
    stopped, _open = providers
    report = services.compile_now(period=H1)
    rows = _rows(report)
    assert rows["LEV-0500"]["referral_status"] == "stopped"
    assert rows["LEV-0501"]["referral_status"] == "open"
    offers = {offer["offer_ref"]: offer["referral_status"] for row in rows.values() for offer in row["offers"]}
    # The offer's effective status: the stricter of its own and its provider's.
    assert offers == {"O-STOP": "stopped", "O-HALV": "restricted", "O-AABEN": "open"}
    # At compile time: a later change leaves the snapshot as it was.
    set_status(stopped, ReferralStatus.OPEN)
    report.refresh_from_db()
    assert _rows(report)["LEV-0500"]["referral_status"] == "stopped"


def test_the_compile_reads_the_same_number_of_queries_for_2_and_20_providers():
    def add(n):
        for _ in range(n):
            provider = provider_factories.provider()
            provider_factories.agreement(provider=provider)
            set_status(provider_factories.offer(provider=provider), ReferralStatus.RESTRICTED)
            set_status(provider, ReferralStatus.STOPPED)

    def counted() -> int:
        with CaptureQueriesContext(connection) as captured:
            services.compile_now(period=H1)
        return len(captured)

    add(2)
    few = counted()
    add(18)
    assert counted() == few
    assert Provider.objects.count() == 20
    assert Offer.objects.count() == 20


def test_the_report_page_shows_the_status_of_providers_and_offers(cm_client, providers):
    report = services.compile_now(period=H1)
    response = cm_client.get(report.get_absolute_url())
    assert response.status_code == 200
    text = response.content.decode()
    assert "Henvisning: Stoppet" in text  # Stop ApS in the matrix, and its offer
    assert "Henvisning: Begrænset" in text  # the restricted offer
    assert "Henvisning: Åben" not in text  # open is not marked


def test_the_pdf_names_the_referral_status_beside_the_scenario(providers):
    report = services.compile_now(period=H1)
    pdf = render_pdf(report)
    words = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Henvisning: Stoppet" in words
    assert "Henvisning: Åben" not in words


def _csv(cm_client, report, table: str) -> list[list[str]]:
    response = cm_client.get(reverse("rapporter:report_export_csv", args=[report.period, report.version, table]))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_the_tables_have_a_henvisning_column(cm_client, providers):
    report = services.compile_now(period=H1)
    matrix = _csv(cm_client, report, "matrix")
    column = matrix[0].index("Henvisning")
    assert matrix[0][column - 1] == "Scenarie"
    assert {row[0]: row[column] for row in matrix[1:]} == {"LEV-0500": "Stoppet", "LEV-0501": "Åben"}
    offers = _csv(cm_client, report, "offers")
    column = offers[0].index("Henvisning")
    assert {row[2]: row[column] for row in offers[1:]} == {
        "O-STOP": "Stoppet",
        "O-HALV": "Begrænset",
        "O-AABEN": "Åben",
    }
    assert offers[0][column - 1] == "Målgruppe"


def test_a_version_compiled_before_the_status_was_recorded_reads_as_open(cm_client, old_version):  # noqa: F811
    assert all("referral_status" not in row for row in old_version.data["providers"])
    page = cm_client.get(old_version.get_absolute_url())
    assert page.status_code == 200
    assert "Henvisning:" not in page.content.decode()
    matrix = exports.tables(old_version)["matrix"]
    column = matrix[0].index("Henvisning")
    assert {row[column] for row in matrix[1:]} == {"Åben"}
    args = [old_version.period, old_version.version]
    assert cm_client.get(reverse("rapporter:report_pdf", args=args)).status_code == 200
