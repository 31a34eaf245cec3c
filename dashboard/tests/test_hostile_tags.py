"""Huge or hostile tag values (AWS allows any text; an attacker with tag rights in one account writes them)
render escaped, truncated and bidi-isolated on the finding page."""

import pytest
from django.urls import reverse

from dashboard.tests.factories import FindingFactory, ResourceFactory

pytestmark = pytest.mark.django_db

HUGE = "A" * 100_000
RTL_OVERRIDE = "\u202e"


@pytest.fixture
def finding():
    resource = ResourceFactory(
        tags={
            "<script>alert('key')</script>": "<img src=x onerror=alert(1)>",
            "huge": HUGE,
            "spoof": f"invoice{RTL_OVERRIDE}fdp.exe",
            "x" * 1000: "long key",
        }
    )
    return FindingFactory(resource=resource)


def test_hostile_tags_render_escaped(client_as, finding):
    text = client_as("viewer").get(reverse("dashboard:finding", args=[finding.pk])).text

    assert "<script>alert('key')" not in text
    assert "<img src=x" not in text
    assert "&lt;script&gt;" in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text


def test_huge_tags_are_truncated(client_as, finding):
    response = client_as("viewer").get(reverse("dashboard:finding", args=[finding.pk]))

    assert response.status_code == 200
    assert "A" * 300 not in response.text
    assert "x" * 200 not in response.text
    assert len(response.content) < 100_000  # the 100 KB value is not in the page


def test_right_to_left_overrides_are_isolated(client_as, finding):
    text = client_as("viewer").get(reverse("dashboard:finding", args=[finding.pk])).text

    assert f"<bdi>spoof=invoice{RTL_OVERRIDE}fdp.exe</bdi>" in text  # cannot reorder the text around it
