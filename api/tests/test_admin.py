import pytest
from django.urls import reverse

from dashboard.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client_as):
    client = client_as("superuser")
    client.user.is_staff = True
    client.user.save()
    return client


def test_admins_see_every_token_without_its_hash_and_can_revoke_it(api_as, admin):
    api = api_as("viewer")
    page = admin.get(reverse("admin:api_apitoken_change", args=[api.token.pk]))
    assert page.status_code == 200 and api.token.prefix in page.text and api.token.secret_hash not in page.text
    admin.post(reverse("admin:api_apitoken_changelist"), {"action": "revoke", "_selected_action": [api.token.pk]})
    assert api.get("/api/v1/accounts/").status_code == 401
    entry = AuditEntry.objects.get(action="token_revoked")
    assert entry.user == admin.user and entry.details["owner"] == api.user.username


def test_the_admin_neither_adds_nor_edits_tokens(admin):
    assert admin.get(reverse("admin:api_apitoken_add")).status_code == 403
