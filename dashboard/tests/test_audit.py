import pytest
from django.contrib.auth.models import User

from dashboard.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_sign_in_failed_sign_in_and_sign_out_are_audited(client):
    User.objects.create_user("alice", password="a-long-password-1")
    client.post("/login/", {"username": "alice", "password": "wrong"})
    client.post("/login/", {"username": "alice", "password": "a-long-password-1"})
    client.post("/logout/")
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "username"))
    assert actions == [("sign_in_failed", "alice"), ("sign_in", "alice"), ("sign_out", "alice")]
    assert AuditEntry.objects.first().address == "127.0.0.1"


def test_audit_entries_cannot_be_changed():
    entry = AuditEntry.objects.create(action=AuditEntry.Action.EXPORT, username="x")
    entry.target = "tampered"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
