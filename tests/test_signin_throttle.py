"""Sign-in throttling (django-axes, dashboard/signin.py): a limit per user name from every address and a
larger one per address for every user name, counted atomically in the database; the client's address from
X-Forwarded-For only when the connection comes from a trusted proxy; a locked-out flood writes no audit row
per attempt; admins unlock with axes' commands or the admin."""

import threading
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from dashboard.models import AuditEntry
from dashboard.signin import client_address

PASSWORD = "a-long-test-password"  # noqa: S105 - a test user's password
Action = AuditEntry.Action


@pytest.fixture
def alice(db):
    return User.objects.create_user("alice", password=PASSWORD)


@pytest.fixture
def limits(settings):
    """Three failures for a user name, five for an address, within 15 minutes."""
    settings.AXES_FAILURE_LIMIT = settings.SIGNIN_MAX_FAILURES = 3
    settings.SIGNIN_MAX_FAILURES_PER_ADDRESS = 5
    return settings


def sign_in(client, password, username="alice", address="10.0.0.1", url="login", **headers):
    return client.post(reverse(url), {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


def is_signed_in(response):
    return response.status_code == 302 and response.wsgi_request.user.is_authenticated


def audited(action, **filters):
    return AuditEntry.objects.filter(action=action, **filters).count()


# --- The two limits ----------------------------------------------------------------------------------------------


def test_failures_for_one_user_name_lock_it_out_from_every_address(client, alice, limits):
    for attempt, address in enumerate(["10.0.0.1", "10.0.0.2"]):
        response = sign_in(client, "wrong", address=address)
        assert response.status_code == 200, attempt
        assert "correct username and password" in response.text

    third = sign_in(client, "wrong", address="10.0.0.3")
    refused = sign_in(client, PASSWORD, address="10.0.0.4")  # even the right password, from a new address

    assert third.status_code == refused.status_code == 429
    assert "Too many failed sign-ins" in refused.text
    assert "_auth_user_id" not in client.session


def test_failures_from_one_address_lock_it_out_for_every_user_name(client, alice, limits):
    for name in ["bob", "carol", "dave", "erin"]:
        assert sign_in(client, "guess", username=name, address="192.0.2.9").status_code == 200
    assert sign_in(client, "guess", username="frank", address="192.0.2.9").status_code == 429  # the fifth

    assert sign_in(client, PASSWORD, address="192.0.2.9").status_code == 429  # alice never failed, but here
    assert is_signed_in(sign_in(client, PASSWORD, address="192.0.2.10"))  # elsewhere she is not locked out


def test_an_address_is_not_locked_at_the_user_name_limit(client, alice, limits):
    """An office shares one address: four people mistyping once each is not an attack."""
    for name in ["bob", "carol", "dave", "erin"]:
        sign_in(client, "typo", username=name, address="192.0.2.9")

    assert is_signed_in(sign_in(client, PASSWORD, address="192.0.2.9"))


def test_the_lockout_ends_after_the_window(client, alice, limits, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    for _ in range(3):
        sign_in(client, "wrong")
    assert sign_in(client, PASSWORD).status_code == 429

    time_machine.shift(timedelta(minutes=limits.SIGNIN_LOCKOUT_MINUTES, seconds=1))

    assert is_signed_in(sign_in(client, PASSWORD))


def test_a_success_does_not_wipe_an_address_failures(client, alice, limits):
    """Mallory's own account must not reset the count of her guesses at other people's passwords."""
    User.objects.create_user("mallory", password=PASSWORD)
    for name in ["bob", "carol", "dave"]:
        sign_in(client, "guess", username=name, address="192.0.2.66")
    assert is_signed_in(sign_in(client, PASSWORD, username="mallory", address="192.0.2.66"))
    client.post(reverse("logout"))

    sign_in(client, "guess", username="erin", address="192.0.2.66")

    assert sign_in(client, "guess", username="frank", address="192.0.2.66").status_code == 429


def test_the_admin_sign_in_is_throttled_too(client, alice, limits):
    alice.is_staff = alice.is_superuser = True
    alice.save()
    for _ in range(3):
        sign_in(client, "wrong")

    response = sign_in(client, PASSWORD, url="admin:login")

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db(transaction=True)
def test_simultaneous_failures_are_all_counted(limits):
    """Counting is atomic: eight failures at once from one address for one name are eight, not fewer."""
    User.objects.create_user("alice", password=PASSWORD)
    limits.AXES_FAILURE_LIMIT = limits.SIGNIN_MAX_FAILURES_PER_ADDRESS = 100
    start = threading.Barrier(8)
    errors = []

    def fail():
        try:
            start.wait(timeout=30)
            sign_in(Client(), "wrong")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=fail) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert AccessAttempt.objects.aggregate(total=Sum("failures_since_start"))["total"] == 8


# --- The audit log during a flood --------------------------------------------------------------------------------


def test_a_locked_out_flood_writes_no_audit_row_per_attempt(client, alice, limits):
    for _ in range(3):
        sign_in(client, "wrong")
    before = AuditEntry.objects.count()

    for _ in range(40):
        assert sign_in(client, "wrong").status_code == 429

    assert AuditEntry.objects.count() == before
    assert audited(Action.SIGN_IN_FAILED, username="alice") == 3  # the failures that were checked
    assert audited(Action.SIGN_IN_LOCKED_OUT, username="alice") == 1  # and the lockout, once
    attempts = AccessAttempt.objects.aggregate(total=Sum("failures_since_start"))["total"]
    assert attempts == 3  # refused attempts are not counted either: the flood does not grow a row


# --- Unlocking ---------------------------------------------------------------------------------------------------


def test_an_admin_unlocks_a_user_name_with_the_axes_command(client, alice, limits):
    for address in ["10.0.0.1", "10.0.0.2", "10.0.0.3"]:
        sign_in(client, "wrong", address=address)
    assert sign_in(client, PASSWORD).status_code == 429

    call_command("axes_reset_username", "alice")

    assert is_signed_in(sign_in(client, PASSWORD))


def test_an_admin_unlocks_in_the_admin_and_it_is_audited(client, alice, limits):
    for _ in range(3):
        sign_in(client, "wrong")
    admin = User.objects.create_superuser("root-admin", password=PASSWORD)
    staff = Client()
    staff.force_login(admin)
    attempt = AccessAttempt.objects.get(username="alice")

    response = staff.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    entry = AuditEntry.objects.get(action=Action.SIGN_IN_UNLOCKED)
    assert entry.username == "root-admin"
    assert "alice" in entry.target
    assert is_signed_in(sign_in(client, PASSWORD))


# --- The client's address ------------------------------------------------------------------------------------------


def request_from(remote, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        ([], "198.51.100.7", "203.0.113.1", "198.51.100.7"),  # no trusted proxy: the header is ignored
        (["10.0.0.0/8"], "198.51.100.7", "203.0.113.1", "198.51.100.7"),  # not from the proxy: ignored
        (["10.0.0.0/8"], "10.0.0.5", "203.0.113.1", "203.0.113.1"),
        (["10.0.0.0/8"], "10.0.0.5", "6.6.6.6, 203.0.113.1", "203.0.113.1"),  # the client's own prefix is ignored
        (["10.0.0.0/8"], "10.0.0.5", "6.6.6.6, 203.0.113.1, 10.0.0.9", "203.0.113.1"),  # two trusted hops
        (["10.0.0.0/8"], "10.0.0.5", "10.0.0.9, 10.0.0.8", "10.0.0.9"),  # only proxies: the furthest
        (["10.0.0.0/8"], "10.0.0.5", "unknown", "10.0.0.5"),  # nonsense forwarded: the proxy is all we know
        (["10.0.0.0/8"], "10.0.0.5", "", "10.0.0.5"),
        (["10.0.0.0/8"], "10.0.0.5", None, "10.0.0.5"),
        (["10.0.0.0/8"], "::ffff:10.0.0.5", "203.0.113.1", "203.0.113.1"),  # IPv4 mapped into IPv6
        (["2001:db8::/32"], "2001:db8::1", "2001:db8:ffff::1, 2a00::1", "2a00::1"),
        (["10.0.0.7/32"], "10.0.0.8", "203.0.113.1", "10.0.0.8"),
        ([], "", None, None),
    ],
)
def test_the_client_address_comes_from_x_forwarded_for_only_through_a_trusted_proxy(
    settings, proxies, remote, forwarded, expected
):
    settings.TRUSTED_PROXIES = proxies

    assert client_address(request_from(remote, forwarded)) == expected


def test_a_spoofed_x_forwarded_for_does_not_escape_the_address_limit(client, alice, limits):
    for number in range(5):
        sign_in(
            client, "guess", username=f"user{number}", address="198.51.100.7", HTTP_X_FORWARDED_FOR=f"7.7.7.{number}"
        )

    assert sign_in(client, PASSWORD, address="198.51.100.7", HTTP_X_FORWARDED_FOR="8.8.8.8").status_code == 429
    assert set(AuditEntry.objects.values_list("address", flat=True)) == {"198.51.100.7"}


def test_behind_a_trusted_proxy_each_client_address_is_counted_and_audited(client, alice, limits):
    limits.TRUSTED_PROXIES = ["10.0.0.0/24"]
    for number in range(5):
        sign_in(client, "guess", username=f"user{number}", address="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.50")

    locked = sign_in(client, PASSWORD, address="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.50")
    other = sign_in(client, PASSWORD, address="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.51")

    assert locked.status_code == 429
    assert is_signed_in(other)  # the proxy's own address is not what was locked out
    assert set(AuditEntry.objects.values_list("address", flat=True)) == {"203.0.113.50", "203.0.113.51"}
