"""schemathesis fuzzes /api/v1/ against the OpenAPI document the app itself serves, through the WSGI app, with a
seeded database and a valid token: no answer is a 5xx, and every answer (errors too) matches the document."""

from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.tests.factories import AwsAccountFactory
from api import tokens
from api.tests.conftest import make_user
from checks.catalog.base import Area, Status
from dashboard.tests.factories import AreaScoreFactory, FindingEventFactory, FindingFactory, ScanFactory
from posture.wsgi import application

MAX_EXAMPLES = 10  # per operation and mode: the whole run stays well under a minute
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def seed():
    """Two accounts with scores, findings and events (one muted), so list and detail answers carry data."""
    for number in (1, 2):
        account = AwsAccountFactory(account_id=f"{number:012d}", name=f"fuzz-{number}")
        scan = ScanFactory(account=account)
        AreaScoreFactory(scan=scan, area=Area.AT_REST, score=50.0)
        for status in (Status.FAIL, Status.PASS):
            finding = FindingFactory(resource__account=account, status=status)
            FindingEventFactory(finding=finding, at=timezone.now() - timedelta(days=1), new_status=status)


@pytest.fixture
def api_token(db, settings):
    settings.API_RATE_LIMIT = "100000/minute"  # the fuzzer, not the throttle, is under test here
    seed()
    return tokens.issue(make_user("fuzzer", "auditor"), "fuzz")[1]


@pytest.fixture
def wsgi_in_test_transaction():
    """The real WSGI app closes the database connection after each request; the test's transaction needs it
    open (Django's test client disconnects the same handler)."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield application
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def api_schema(api_token, wsgi_in_test_transaction):
    return schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", wsgi_in_test_transaction, headers={"Authorization": f"Bearer {api_token}"}
    )


def fuzz(operation, mode, headers):
    """Up to MAX_EXAMPLES generated requests to one operation; each answer must pass CHECKS."""

    @given(operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def run(case):
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    run()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_api_answers_as_its_openapi_document_says(api_schema, api_token, mode):
    """Valid requests (positive) and invalid ones (negative): never a 5xx, always as documented."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10  # every endpoint of the document, POST /reports/ included
    for operation in operations:
        fuzz(operation, mode, {"Authorization": f"Bearer {api_token}"})
