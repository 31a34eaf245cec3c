"""The audit log page (admins only, filtered, paginated) and user changes made in the admin being audited."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone

from dashboard.models import AuditEntry

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:audit_log")


def entry(action=AuditEntry.Action.EXPORT, username="bob", at=None, **fields):
    return AuditEntry.objects.create(action=action, username=username, at=at or timezone.now(), **fields)


def test_admins_see_the_log_with_who_when_where_and_what(client_as, django_assert_max_num_queries):
    for n in range(30):
        entry(
            AuditEntry.Action.MUTE,
            username=f"user{n}",
            address="10.1.2.3",
            target=f"finding {n}",
            details={"check": "s3.bucket_default_encryption"},
        )
    client = client_as("admin")

    with django_assert_max_num_queries(8):
        response = client.get(URL)

    assert response.status_code == 200
    assert "Audit log" in response.text
    assert "10.1.2.3" in response.text
    assert "Muted findings" in response.text
    assert "check=s3.bucket_default_encryption" in response.text
    assert reverse("dashboard:audit_log") in response.text  # the admin's navigation links to it


@pytest.mark.parametrize("role", ["viewer", "auditor", "operator"])
def test_below_admin_the_log_is_refused_and_not_in_the_navigation(client_as, role):
    client = client_as(role)
    assert client.get(URL).status_code == 403
    assert URL not in client.get(reverse("dashboard:overview")).text


def test_filters_by_action_user_and_dates(client_as):
    now = timezone.now()
    entry(AuditEntry.Action.EXPORT, "carol", now - timedelta(days=10))
    entry(AuditEntry.Action.EXPORT, "carol", now)
    entry(AuditEntry.Action.MUTE, "carol", now)
    entry(AuditEntry.Action.EXPORT, "dave", now)
    client = client_as("admin")
    day = (now - timedelta(days=1)).date().isoformat()

    response = client.get(URL, {"action": "export", "user": "CAROL", "start": day}, headers={"HX-Request": "true"})

    assert list(response.context["page"]) == [AuditEntry.objects.get(action="export", username="carol", at=now)]
    assert 'id="audit-table"' in response.text
    assert "<html" not in response.text


@pytest.mark.parametrize(
    "query",
    [
        {"action": "nonsense"},
        {"start": "2026-13-45"},
        {"start": "2026-06-30", "end": "2026-06-01"},
        {"page": "-1"},
        {"page": "99999"},
        {"page": "x"},
        {"user": "x" * 5000},
    ],
)
def test_bad_filters_are_explained_not_500(client_as, query):
    entry()
    response = client_as("admin").get(URL, query)

    assert response.status_code == 200


def test_entries_are_paginated(client_as):
    AuditEntry.objects.bulk_create([AuditEntry(action=AuditEntry.Action.SIGN_IN, username=f"u{n}") for n in range(120)])
    response = client_as("admin").get(URL, {"page": 3})
    assert len(response.context["page"].object_list) == 120 + 1 - 100  # plus the sign-in of the admin viewing it
    assert response.context["page"].number == 3


def test_hostile_text_in_the_log_is_escaped(client_as):
    entry(username="<script>alert(1)</script>", target="<img src=x onerror=alert(1)>", details={"<b>": "<i>"})
    text = client_as("admin").get(URL).text
    assert "<script>alert(1)" not in text
    assert "<img src=x" not in text
    assert "&lt;script&gt;" in text


# --- User changes in the admin ---------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    boss = User.objects.create_superuser("boss", password="a-long-test-password")  # noqa: S106
    client.force_login(boss)
    return client


def test_adding_a_user_in_the_admin_is_audited(admin_client):
    admin_client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "newbie",
            "password1": "a-fine-long-password-42",
            "password2": "a-fine-long-password-42",
            "usable_password": "true",
        },
        REMOTE_ADDR="10.9.8.7",
    )

    assert User.objects.filter(username="newbie").exists()
    audited = AuditEntry.objects.get(action=AuditEntry.Action.USER_CHANGED)
    assert (audited.username, audited.address, audited.details["change"]) == ("boss", "10.9.8.7", "added")
    assert "newbie" in audited.target
    assert "a-fine-long-password-42" not in str(audited.details)


def test_giving_a_user_a_role_in_the_admin_is_audited(admin_client):
    user = User.objects.create_user("worker", password="a-long-test-password")  # noqa: S106
    admin_group = Group.objects.get_or_create(name="admin")[0]
    url = reverse("admin:auth_user_change", args=[user.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(
        {
            "groups": [admin_group.pk],
            "user_permissions": [],
            "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        }
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert user.groups.filter(name="admin").exists()
    audited = AuditEntry.objects.get(action=AuditEntry.Action.USER_CHANGED)
    assert audited.details["change"] == "changed"
    assert "Groups" in audited.details["fields"]


def test_deleting_a_user_in_the_admin_is_audited(admin_client):
    user = User.objects.create_user("leaver", password="a-long-test-password")  # noqa: S106

    admin_client.post(reverse("admin:auth_user_delete", args=[user.pk]), {"post": "yes"})

    assert not User.objects.filter(username="leaver").exists()
    audited = AuditEntry.objects.get(action=AuditEntry.Action.USER_CHANGED)
    assert audited.details["change"] == "deleted"
    assert "leaver" in audited.target


def test_changing_ones_own_password_is_audited(client):
    user = User.objects.create_user("self-service", password="a-long-test-password")  # noqa: S106
    client.force_login(user)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": "a-long-test-password",
            "new_password1": "another-long-password-7",
            "new_password2": "another-long-password-7",
        },
        REMOTE_ADDR="10.0.0.9",
    )

    assert response.status_code == 302
    audited = AuditEntry.objects.get(action=AuditEntry.Action.USER_CHANGED)
    assert (audited.username, audited.address, audited.details) == (
        "self-service",
        "10.0.0.9",
        {"change": "password changed"},
    )
