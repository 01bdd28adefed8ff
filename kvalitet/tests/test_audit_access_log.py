"""Audit: every read of complaint data is logged (user, time, action, citizen reference), searchable by
an administrator per citizen reference, and not editable by anyone."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from conftest import client_for
from kvalitet.models import Complaint, ComplaintAccess
from leverandoer.tests import factories

pytestmark = pytest.mark.django_db


def complaint(citizen_ref: str = "B-1001", **fields) -> Complaint:
    defaults = {
        "ref": f"KLG-{citizen_ref}",
        "received_on": date(2025, 3, 1),
        "kind": Complaint.Kind.FORMALITY,
        "provider": factories.provider(),
        "citizen_ref": citizen_ref,
        "subject": "Manglende partshøring",
    }
    defaults.update(fields)
    return Complaint.objects.create(**defaults)


def test_reading_a_complaint_writes_one_row_with_user_action_and_citizen(client, personas):
    case = complaint("B-1001")
    caseworker = personas["caseworker"]
    client_for(client, caseworker)
    assert client.get(reverse("kvalitet:complaint_edit", args=[case.ref])).status_code == 200
    row = ComplaintAccess.objects.get()
    assert (row.user, row.action, row.complaint_ref, row.citizen_ref) == (caseworker, "view", case.ref, "B-1001")


def test_a_list_writes_one_row_per_complaint_shown(client, personas):
    first, second = complaint("B-1001"), complaint("B-2002", provider=factories.provider(name="Andet Sted"))
    client_for(client, personas["contract_manager"])
    assert client.get(reverse("kvalitet:complaint_list")).status_code == 200
    assert sorted(ComplaintAccess.objects.values_list("action", "complaint_ref", "citizen_ref")) == [
        ("list", first.ref, "B-1001"),
        ("list", second.ref, "B-2002"),
    ]
    ComplaintAccess.objects.all().delete()
    client.get(reverse("kvalitet:complaint_list"), {"q": "Andet Sted"})
    assert list(ComplaintAccess.objects.values_list("citizen_ref", flat=True)) == ["B-2002"]


def test_a_refused_reader_leaves_no_row_and_sees_nothing(client, personas):
    case = complaint("B-1001")
    client_for(client, personas["inspector_a"])
    assert client.get(reverse("kvalitet:complaint_edit", args=[case.ref])).status_code == 403
    assert not ComplaintAccess.objects.exists()


def test_the_administrator_finds_the_reads_of_one_citizen_by_reference(client, personas):
    mine, other = complaint("B-1001"), complaint("B-2002")
    client_for(client, personas["caseworker"])
    client.get(reverse("kvalitet:complaint_edit", args=[mine.ref]))
    client.get(reverse("kvalitet:complaint_edit", args=[other.ref]))
    client_for(client, personas["administrator"])
    response = client.get(reverse("admin:kvalitet_complaintaccess_changelist"), {"q": "b-1001"})
    assert response.status_code == 200
    found = list(response.context["cl"].result_list)
    assert [(row.citizen_ref, row.complaint_ref, row.user.username) for row in found] == [
        ("B-1001", mine.ref, "caseworker")
    ]
    assert "B-2002" not in response.content.decode()


def test_no_one_can_add_change_or_delete_the_log_in_the_admin(client, personas):
    case = complaint("B-1001")
    client_for(client, personas["caseworker"])
    client.get(reverse("kvalitet:complaint_edit", args=[case.ref]))
    row = ComplaintAccess.objects.get()
    administrator = personas["administrator"]
    administrator.is_superuser = True  # not even a superuser
    administrator.save()
    client_for(client, administrator)
    change = reverse("admin:kvalitet_complaintaccess_change", args=[row.pk])
    assert client.get(change).status_code == 200  # read only
    changed = {"user": administrator.pk, "action": "list", "complaint_ref": "X", "citizen_ref": "B-9"}
    assert client.post(change, {**changed, "at_0": "2025-01-01", "at_1": "10:00"}).status_code == 403
    delete = reverse("admin:kvalitet_complaintaccess_delete", args=[row.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:kvalitet_complaintaccess_add")).status_code == 403
    changelist = reverse("admin:kvalitet_complaintaccess_changelist")
    bulk = client.post(changelist, {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"})
    assert bulk.status_code in (200, 302)
    row.refresh_from_db()
    assert (row.action, row.citizen_ref, ComplaintAccess.objects.count()) == ("view", "B-1001", 1)
    with pytest.raises(ValueError, match="append-only"):
        row.save()


def test_other_roles_cannot_open_the_log(client, personas):
    for persona in ("caseworker", "contract_manager"):
        client_for(client, personas[persona])
        response = client.get(reverse("admin:kvalitet_complaintaccess_changelist"))
        assert response.status_code == 302
        assert "/login/" in response["Location"]


def test_reads_in_the_admin_are_logged_too(client, personas):
    case = complaint("B-1001")
    client_for(client, personas["administrator"])
    assert client.get(reverse("admin:kvalitet_complaint_changelist")).status_code == 200
    assert client.get(reverse("admin:kvalitet_complaint_change", args=[case.pk])).status_code == 200
    assert client.get(reverse("admin:kvalitet_complaint_history", args=[case.pk])).status_code == 200
    version = case.history.get().history_id
    version_url = reverse("admin:kvalitet_complaint_simple_history", args=[case.pk, version])
    assert client.get(version_url).status_code == 200
    assert list(ComplaintAccess.objects.order_by("pk").values_list("action", "citizen_ref")) == [
        ("list", "B-1001"),
        ("view", "B-1001"),
        ("view", "B-1001"),
        ("view", "B-1001"),
    ]


def test_a_cpr_number_searched_for_is_masked_before_it_reaches_the_page(client, personas):
    complaint("B-1001")
    client_for(client, personas["caseworker"])
    response = client.get(reverse("kvalitet:complaint_list"), {"q": "010190-1234"})
    assert response.status_code == 302
    assert "010190" not in response["Location"]
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "010190" not in page.content.decode()
