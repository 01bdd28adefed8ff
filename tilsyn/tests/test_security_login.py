"""Point 3 of the security issue: lockout after repeated failures, password rules, session
inactivity and absolute lifetime, a new session key at login, logout, and deactivation."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tilsyn.security import LAST_SEEN, LOGIN_AT, REFRESH_SECONDS

PASSWORD = "korrekt-hest-batteri-9"
pytestmark = pytest.mark.django_db


def login(client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# --- Lockout -------------------------------------------------------------------------------------


def test_five_failures_lock_that_user_at_that_address_with_a_page_that_says_why(client, contract_manager, caplog):
    english(client)
    caplog.set_level(logging.INFO, logger="axes")
    for _attempt in range(4):
        response = login(client, contract_manager.username, "forkert")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()

    locked = login(client, contract_manager.username, "forkert")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "<h1" in page
    assert "Login locked for a while" in page
    assert "After 5 failed attempts, logging in as this user from this address is locked for 15 minutes." in page
    assert "contact an administrator, who can lift the lock" in page

    attempt = AccessAttempt.objects.get(username=contract_manager.username)
    assert (attempt.ip_address, attempt.failures_since_start) == ("10.0.0.1", 5)
    assert AccessFailureLog.objects.filter(username=contract_manager.username, ip_address="10.0.0.1").count() == 5
    assert any(
        "Locking out" in record.getMessage() and contract_manager.username in record.getMessage()
        for record in caplog.records
    )
    assert not any("forkert" in record.getMessage() for record in caplog.records)

    # Now even the right password is refused from that address, and nobody is logged in.
    assert login(client, contract_manager.username, PASSWORD).status_code == 429
    assert SESSION_KEY not in client.session


def test_the_lockout_page_speaks_danish_by_default(client, contract_manager):
    for _attempt in range(4):
        login(client, contract_manager.username, "forkert")
    page = login(client, contract_manager.username, "forkert").content.decode()
    assert "Efter 5 mislykkede forsøg er login som denne bruger fra denne adresse spærret i 15 minutter." in page


def test_the_lock_is_per_user_and_address(client, contract_manager, personas):
    for _attempt in range(5):
        login(client, contract_manager.username, "forkert")
    assert login(client, contract_manager.username, PASSWORD).status_code == 429

    # The same user from another address, and another user from the same address, get in.
    elsewhere = Client()
    assert login(elsewhere, contract_manager.username, PASSWORD, address="10.0.0.2")["Location"] == reverse("home")
    colleague = Client()
    assert login(colleague, personas["inspector_a"].username, PASSWORD)["Location"] == reverse("home")


def test_after_the_cool_off_the_right_password_works_again(client, contract_manager):
    for _attempt in range(5):
        login(client, contract_manager.username, "forkert")
    assert login(client, contract_manager.username, PASSWORD).status_code == 429

    # The failures are counted from the attempt rows' time: move them past the cool-off.
    past = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=past)
    assert login(client, contract_manager.username, PASSWORD)["Location"] == reverse("home")


def test_a_successful_login_resets_the_count(client, contract_manager):
    for _attempt in range(4):
        login(client, contract_manager.username, "forkert")
    assert login(client, contract_manager.username, PASSWORD)["Location"] == reverse("home")
    client.post(reverse("logout"))
    for _attempt in range(4):
        assert login(client, contract_manager.username, "forkert").status_code == 200
    assert login(client, contract_manager.username, PASSWORD)["Location"] == reverse("home")


def test_the_admin_login_is_locked_the_same_way(client, administrator):
    english(client)
    url = reverse("admin:login")
    for _attempt in range(4):
        response = client.post(url, {"username": administrator.username, "password": "forkert"}, REMOTE_ADDR="10.0.0.5")
        assert response.status_code == 200
    locked = client.post(url, {"username": administrator.username, "password": "forkert"}, REMOTE_ADDR="10.0.0.5")
    assert locked.status_code == 429
    assert "Login locked for a while" in locked.content.decode()
    again = client.post(url, {"username": administrator.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.5")
    assert again.status_code == 429
    assert SESSION_KEY not in client.session


def test_a_proxy_header_names_the_address_when_configured(client, contract_manager, settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    for _attempt in range(5):
        client.post(
            reverse("login"),
            {"username": contract_manager.username, "password": "forkert"},
            REMOTE_ADDR="10.9.9.9",
            HTTP_X_REAL_IP="192.0.2.7",
        )
    assert AccessAttempt.objects.get().ip_address == "192.0.2.7"


def test_client_login_and_force_login_still_work_in_tests(client, contract_manager):
    assert client.login(username=contract_manager.username, password=PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    assert not Client().login(username=contract_manager.username, password="forkert")
    other = Client()
    other.force_login(contract_manager)
    assert other.get(reverse("home")).status_code == 200


def test_the_administrator_can_read_and_lift_lockouts_in_the_admin(client, contract_manager, administrator):
    for _attempt in range(5):
        login(client, contract_manager.username, "forkert")
    admin_client = Client()
    admin_client.force_login(administrator)
    changelist = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert changelist.status_code == 200
    assert contract_manager.username in changelist.content.decode()
    attempt = AccessAttempt.objects.get()
    response = admin_client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert login(client, contract_manager.username, PASSWORD)["Location"] == reverse("home")


# --- Passwords -----------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["kort", "123456789012", "password1234", "contract-manager"])
def test_weak_passwords_are_refused(password, contract_manager):
    with pytest.raises(ValidationError):
        validate_password(password, user=contract_manager)


def test_a_good_password_passes(contract_manager):
    validate_password(PASSWORD, user=contract_manager)


def test_the_admin_refuses_a_weak_password_for_a_new_user(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("admin:auth_user_add"),
        {"username": "ny-bruger", "password1": "12345678", "password2": "12345678", "usable_password": "true"},
    )
    assert response.status_code == 200
    assert not get_user_model().objects.filter(username="ny-bruger").exists()


# --- Sessions ------------------------------------------------------------------------------------


def test_login_gives_a_new_session_key(client, contract_manager):
    before = client.session
    before["probe"] = "anonymous visit"
    before.save()
    old_key = before.session_key
    assert Session.objects.filter(session_key=old_key).exists()

    login(client, contract_manager.username, PASSWORD)
    new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()
    assert Session.objects.get(session_key=new_key).get_decoded()[SESSION_KEY] == str(contract_manager.pk)


def test_logout_ends_the_session_and_the_old_key_no_longer_authenticates(client, contract_manager):
    login(client, contract_manager.username, PASSWORD)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get(reverse("home")).status_code == 200

    assert client.post(reverse("logout"))["Location"] == reverse("login")
    assert not Session.objects.filter(session_key=key).exists()

    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    response = replay.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def set_session(client, **values) -> None:
    session = client.session
    session.update(values)
    session.save()


def test_activity_moves_the_inactivity_expiry_on(client, contract_manager):
    client.force_login(contract_manager)
    key = client.session.session_key
    set_session(client, **{LAST_SEEN: int(time.time()) - REFRESH_SECONDS})
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(minutes=1))

    assert client.get(reverse("home")).status_code == 200
    expiry = Session.objects.get(session_key=key).expire_date
    expected = timezone.now() + timedelta(minutes=settings.SESSION_IDLE_MINUTES)
    assert abs((expiry - expected).total_seconds()) < 60


def test_requests_within_a_minute_do_not_write_the_session(client, contract_manager):
    client.force_login(contract_manager)
    key = client.session.session_key
    before = Session.objects.get(session_key=key).expire_date
    client.get(reverse("home"))
    assert Session.objects.get(session_key=key).expire_date == before


def test_an_inactive_session_is_over(client, contract_manager):
    client.force_login(contract_manager)
    assert client.get(reverse("home")).status_code == 200
    key = client.session.session_key
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_MINUTES * 60 == 30 * 60
    # The row's expiry was set SESSION_IDLE_MINUTES after the last request; that time has passed.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    # The login page says why, once.
    login_page = client.get(response["Location"]).content.decode()
    assert "Du blev logget ud efter 30 minutter uden aktivitet." in login_page
    assert "uden aktivitet" not in client.get(response["Location"]).content.decode()


def set_login_time(client, seconds_ago: int) -> None:
    set_session(client, **{LOGIN_AT: int(time.time()) - seconds_ago})


def test_a_session_ends_after_its_absolute_lifetime_however_active(client, contract_manager):
    english(client)
    client.force_login(contract_manager)
    assert client.get(reverse("home")).status_code == 200
    key = client.session.session_key
    set_login_time(client, settings.SESSION_ABSOLUTE_HOURS * 3600 + 1)

    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not Session.objects.filter(session_key=key).exists()
    page = client.get(response["Location"]).content.decode()
    assert "You were logged out 10 hours after logging in. Log in again to continue." in page


def test_a_session_within_its_lifetime_goes_on(client, contract_manager):
    client.force_login(contract_manager)
    client.get(reverse("home"))
    set_login_time(client, settings.SESSION_ABSOLUTE_HOURS * 3600 - 60)
    assert client.get(reverse("home")).status_code == 200


def test_the_login_time_is_recorded_at_login(client, contract_manager):
    login(client, contract_manager.username, PASSWORD)
    assert abs(client.session[LOGIN_AT] - time.time()) < 60


def test_a_session_without_a_login_time_counts_from_its_first_request(client, contract_manager):
    client.force_login(contract_manager)
    session = client.session
    del session[LOGIN_AT]
    session.save()
    assert client.get(reverse("home")).status_code == 200
    assert abs(client.session[LOGIN_AT] - time.time()) < 60


# --- Deactivation --------------------------------------------------------------------------------


def sessions_of(user) -> list[str]:
    return [s.session_key for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(user.pk)]


@pytest.fixture
def inspector_sessions(personas):
    inspector = personas["inspector_a"]
    browsers = [Client(), Client()]
    for browser in browsers:
        login(browser, inspector.username, PASSWORD)
        assert browser.get(reverse("home")).status_code == 200
    assert len(sessions_of(inspector)) == 2
    return inspector, browsers


def change_form_data(user) -> dict:
    joined = timezone.localtime(user.date_joined)
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "groups": [group.pk for group in user.groups.all()],
        "date_joined_0": joined.date().isoformat(),
        "date_joined_1": joined.time().replace(microsecond=0).isoformat(),
        "initial-date_joined_0": joined.date().isoformat(),
        "initial-date_joined_1": joined.time().replace(microsecond=0).isoformat(),
    }


def test_deactivating_a_user_in_the_admin_ends_all_their_sessions(client, administrator, inspector_sessions, personas):
    inspector, browsers = inspector_sessions
    bystander = Client()
    bystander.force_login(personas["contract_manager"])
    client.force_login(administrator)

    response = client.post(reverse("admin:auth_user_change", args=[inspector.pk]), change_form_data(inspector))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    inspector.refresh_from_db()
    assert not inspector.is_active
    assert sessions_of(inspector) == []
    for browser in browsers:
        answer = browser.get(reverse("home"))
        assert answer.status_code == 302
        assert answer["Location"].startswith(reverse("login"))
    # Nobody else is logged out.
    assert bystander.get(reverse("home")).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_deactivate_action_ends_sessions_but_never_the_administrators_own(
    client, administrator, inspector_sessions
):
    inspector, browsers = inspector_sessions
    client.force_login(administrator)
    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "deactivate", "_selected_action": [inspector.pk, administrator.pk]},
    )
    assert response.status_code == 302
    inspector.refresh_from_db()
    administrator.refresh_from_db()
    assert (inspector.is_active, administrator.is_active) == (False, True)
    assert sessions_of(inspector) == []
    assert browsers[0].get(reverse("home")).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_only_administrators_reach_the_user_pages(client, personas):
    for name in ["contract_manager", "inspector_a", "secretariat", "caseworker"]:
        client.force_login(personas[name])
        response = client.get(reverse("admin:auth_user_changelist"))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("admin:login"))


def test_logging_out_or_arriving_fresh_says_nothing_about_inactivity(client, contract_manager):
    assert "uden aktivitet" not in client.get(reverse("login")).content.decode()
    client.force_login(contract_manager)
    client.post(reverse("logout"))
    assert "uden aktivitet" not in client.get(reverse("login")).content.decode()
