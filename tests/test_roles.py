"""The four roles exist as groups from the first migrate, so an admin only has to assign them."""

import pytest
from django.contrib.auth.models import Group

from dashboard.permissions import ROLES


@pytest.mark.django_db
def test_migrations_create_the_four_role_groups():
    assert ROLES == ("viewer", "auditor", "operator", "admin")
    assert set(Group.objects.filter(name__in=ROLES).values_list("name", flat=True)) == set(ROLES)
