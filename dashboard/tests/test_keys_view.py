"""Keys: every KMS key with owner, state, rotation and what it protects; unusable keys first; ownership bars."""

import pytest
from django.template import engines
from django.test.html import parse_html
from django.urls import reverse
from django.utils import timezone

from accounts.models import Team
from accounts.tests.factories import AwsAccountFactory
from checks.catalog.base import KeyOwner, Status
from checks.models import Finding, Resource
from checks.tests.builders import make_key, make_record, run_check
from dashboard.scoreboard import ownership_totals
from dashboard.templatetags.posture import key_rows, unusable_rows
from dashboard.tests.factories import FindingFactory, KmsKeyFactory, ResourceFactory
from dashboard.views.keys import attach_keys, describe, key_class, key_page, ownership_rows, unusable_findings

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:keys")
RESOURCES = reverse("dashboard:key_resources")
HTMX = {"HX-Request": "true"}
UNUSABLE = "kms.key_in_use_unusable"
NOW = timezone.now()


@pytest.fixture
def estate():
    """25 accounts, each with a customer key protecting two buckets and an AWS-managed key protecting a volume."""
    keys = []
    for account in AwsAccountFactory.create_batch(25):
        key = KmsKeyFactory(account=account)
        managed = KmsKeyFactory(
            account=account,
            name="alias/aws/ebs",
            evidence={
                "key_manager": "CUSTOMER",
                "state": "Enabled",
                "aliases": ["alias/aws/ebs"],
                "rotation_enabled": None,
            },
        )
        ResourceFactory.create_batch(2, account=account, kms_key_arn=key.uid, key_owner=KeyOwner.CUSTOMER_MANAGED)
        ResourceFactory(account=account, type="ebs.volume", kms_key_arn=managed.uid, key_owner=KeyOwner.AWS_MANAGED)
        ResourceFactory(account=account, key_owner=KeyOwner.UNENCRYPTED, evidence={"encrypted": False})
        keys.append(key)
    return keys


def test_page_lists_keys_with_owner_state_rotation_and_counts(client_as, estate, django_assert_max_num_queries):
    for key in estate[:5]:  # some resources on unusable keys too, to count their queries
        disabled = KmsKeyFactory(account=key.account, evidence={"key_manager": "CUSTOMER", "state": "Disabled"})
        FindingFactory(resource__account=key.account, resource__kms_key_arn=disabled.uid, check_id=UNUSABLE)
    client = client_as("viewer")
    with django_assert_max_num_queries(10):
        response = client.get(URL)
    assert response.status_code == 200
    keys = list(response.context["page"])
    assert len(keys) == 50
    assert len(response.context["unusable"]) == 5
    assert all(finding.key.state == "Disabled" for finding in response.context["unusable"])
    by_uid = {key.uid: key for key in keys}
    # The first account by name (factory names are "account-N": account-10 sorts before account-9).
    ours = min(estate, key=lambda key: (key.account.name, key.account.account_id))
    first = by_uid[ours.uid]
    assert first.owner_class == KeyOwner.CUSTOMER_MANAGED
    assert first.protects == 2
    assert first.rotation == "On"
    managed = next(key for key in keys if key.account_id == ours.account_id and key.pk != ours.pk)
    assert managed.owner_class == KeyOwner.AWS_MANAGED  # moto's KeyManager CUSTOMER, but alias/aws/*
    assert managed.rotation == "AWS rotates"
    assert managed.protects == 1


def test_htmx_filter_returns_only_the_results(client_as, estate, django_assert_max_num_queries):
    account = estate[4].account
    client = client_as("viewer")
    with django_assert_max_num_queries(10):
        response = client.get(URL, {"account": account.account_id}, headers=HTMX)
    text = response.content.decode()
    assert 'id="keys-results"' in text
    assert "<html" not in text
    assert {key.account_id for key in response.context["page"]} == {account.pk}


def test_unknown_account_is_ignored_with_a_notice(client_as, estate):
    response = client_as("viewer").get(URL, {"account": "<script>"})
    assert response.status_code == 200
    assert "Unknown account ignored" in response.content.decode()
    assert response.context["page"].paginator.count == 50


def test_resources_on_unusable_keys_come_first(client_as, estate):
    disabled = KmsKeyFactory(
        account=estate[1].account,
        evidence={"key_manager": "CUSTOMER", "state": "PendingDeletion", "deletion_date": "2026-12-24T00:00:00+00:00"},
    )
    victim = ResourceFactory(account=estate[1].account, name="orders-db", kms_key_arn=disabled.uid)
    FindingFactory(resource=victim, check_id=UNUSABLE, status=Status.FAIL, reason="Key is pending deletion.")
    FindingFactory(resource=ResourceFactory(name="fine"), check_id=UNUSABLE, status=Status.PASS)
    response = client_as("viewer").get(URL)
    [shown] = response.context["unusable"]
    assert shown.resource.name == "orders-db"
    assert shown.key.state_label == "Pending deletion"
    text = response.content.decode()
    assert text.index("orders-db") < text.index('id="keys-title"')
    assert "Pending deletion" in text


def test_unusable_findings_are_the_first_by_account_and_resource_name(client_as):
    accounts = [AwsAccountFactory(name=name) for name in ("zeta", "alpha", "mid")]
    for number in range(40):
        for account in accounts:
            resource = ResourceFactory(account=account, name=f"r-{(number * 7919) % 41:02d}")
            FindingFactory(resource=resource, check_id=UNUSABLE, status=Status.FAIL)
    FindingFactory(resource__account=accounts[1], resource__name="a-closed", check_id=UNUSABLE, closed_at=NOW)
    FindingFactory(resource__account=accounts[1], resource__name="a-passing", check_id=UNUSABLE, status=Status.PASS)
    truth = (
        Finding.objects.failing()
        .filter(check_id=UNUSABLE)
        .order_by("account__name", "resource__name", "id")
        .values_list("id", flat=True)
    )

    shown = unusable_findings(client_as("viewer").user, None, 101)

    assert [finding.pk for finding in shown] == list(truth[:101])
    assert [finding.pk for finding in unusable_findings(client_as("admin").user, accounts[0].pk, 5)] == list(
        truth.filter(account=accounts[0])[:5]
    )


# Every state KMS documents for a key (KeyMetadata.KeyState).
KEY_STATES = (
    "Creating",
    "Enabled",
    "Disabled",
    "PendingDeletion",
    "PendingImport",
    "PendingReplicaDeletion",
    "Unavailable",
    "Updating",
)


@pytest.mark.parametrize("state", KEY_STATES)
def test_the_keys_page_calls_a_key_unusable_exactly_when_the_check_fails_a_resource_on_it(state):
    key = make_key("k1", state=state)
    volume = make_record("ebs.volume", key_arn=key.uid, encrypted=True)
    failing = run_check(UNUSABLE, volume, key).status == Status.FAIL
    shown = describe(KmsKeyFactory.build(uid=key.uid, evidence=key.evidence))
    assert shown.is_unusable == failing


def test_a_key_pending_import_is_shown_unusable(client_as):
    key = KmsKeyFactory(evidence={"key_manager": "CUSTOMER", "state": "PendingImport", "origin": "EXTERNAL"})
    response = client_as("viewer").get(URL)
    [shown] = [row for row in response.context["page"] if row.pk == key.pk]
    assert shown.is_unusable
    assert '<span class="badge red" title="PendingImport">Pending import</span>' in response.content.decode()


def test_no_unusable_keys_says_so(client_as, estate):
    assert "Every encrypted resource" in client_as("viewer").get(URL).content.decode()


def test_ownership_picture_counts_live_resources_by_type_and_owner(client_as, estate):
    ResourceFactory(key_owner=KeyOwner.EXTERNAL, gone_at="2026-01-01T00:00:00Z")  # gone: not counted
    client = client_as("viewer")
    rows = ownership_rows(client.user, "")
    assert rows == [("s3.bucket", {"customer_managed": 50, "unencrypted": 25}), ("ebs.volume", {"aws_managed": 25})]
    totals = {total["owner"]: (total["count"], total["share"]) for total in ownership_totals(rows)}
    assert totals == {"customer_managed": (50, 50.0), "aws_managed": (25, 25.0), "unencrypted": (25, 25.0)}
    text = client.get(URL).content.decode()
    assert "<svg" in text
    assert "Resources by key owner and type" in text


def test_ownership_of_a_team_counts_its_accounts_and_of_everyone_the_totals(client_as, estate):
    team = Team.objects.create(name="first five")
    team.accounts.set([key.account for key in estate[:5]])
    ResourceFactory(account=estate[9].account, type="sqs.queue", key_owner=KeyOwner.EXTERNAL)  # not the team's

    assert ownership_rows(client_as("viewer", [team]).user, "") == [
        ("s3.bucket", {"customer_managed": 10, "unencrypted": 5}),
        ("ebs.volume", {"aws_managed": 5}),
    ]
    everyone = ownership_rows(client_as("admin").user, "")
    assert everyone == Resource.objects.live().count_by_key_owner()  # the totals agree with the resources
    assert dict(everyone)["sqs.queue"] == {"external": 1}


def test_ownership_follows_the_account_filter(client_as, estate):
    rows = dict(ownership_rows(client_as("viewer").user, estate[0].account.pk))
    assert rows["s3.bucket"] == {"customer_managed": 2, "unencrypted": 1}


def test_key_resources_lists_what_a_key_protects_across_accounts(client_as, estate, django_assert_max_num_queries):
    key = estate[0]
    elsewhere = ResourceFactory(account=estate[9].account, name="cross-account-copy", kms_key_arn=key.uid)
    client = client_as("viewer")
    with django_assert_max_num_queries(8):
        response = client.get(RESOURCES, {"key": key.uid}, headers=HTMX)
    text = response.content.decode()
    assert 'id="key-resources"' in text
    assert "<html" not in text
    assert text.count("<tr>") == 4  # the header row, then three resources
    assert elsewhere.name in text
    page = client.get(RESOURCES, {"key": key.uid}).content.decode()
    assert "<html" in page
    assert key.name in page


def test_key_resources_for_a_missing_key_explains(client_as):
    response = client_as("viewer").get(RESOURCES, {"key": "arn:aws:kms:us-east-1:111111111111:key/gone"})
    assert response.status_code == 200
    assert "No KMS key with this ARN was collected" in response.content.decode()


def test_hostile_key_name_and_alias_render_escaped(client_as):
    KmsKeyFactory(
        name="<script>alert(1)</script>",
        evidence={"key_manager": "CUSTOMER", "state": "Enabled", "aliases": ["alias/<img src=x onerror=alert(2)>"]},
    )
    text = client_as("viewer").get(URL).content.decode()
    assert "<script>alert(1)</script>" not in text
    assert "<img src=x" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


@pytest.mark.parametrize(
    ("evidence", "owner"),
    [
        ({"key_manager": "AWS"}, KeyOwner.AWS_MANAGED),
        ({"key_manager": "CUSTOMER", "aliases": ["alias/aws/s3"]}, KeyOwner.AWS_MANAGED),
        ({"key_manager": "CUSTOMER", "aliases": ["alias/app"]}, KeyOwner.CUSTOMER_MANAGED),
        ({"key_manager": None}, KeyOwner.UNKNOWN),
    ],
)
def test_key_class_follows_the_inventory_rule(evidence, owner):
    assert key_class(evidence) == owner


def test_user_without_a_role_is_refused(client_as):
    client = client_as(None)
    assert client.get(URL).status_code == 403
    assert client.get(RESOURCES).status_code == 403


# The rows' markup as the template wrote it before the rows were written in Python (templatetags.posture).
OLD_KEY_STATE = (
    '{% if key.is_unusable %}<span class="badge red" title="{{ key.state }}">{{ key.state_label }}</span>'
    '{% if key.deletion_date %}<div class="small muted">deletes {{ key.deletion_date|date:"j M Y" }}</div>{% endif %}'
    '{% elif key.state == "Enabled" %}<span class="badge green">Enabled</span>{% elif key.state %}'
    '<span class="badge">{{ key.state_label }}</span>{% else %}<span class="faint">Unknown</span>{% endif %}'
)
OLD_UNUSABLE_ROWS = (
    "{% load posture %}{% for finding in unusable %}<tr>"
    '<td class="cell-wrap"><a href="{% url \'dashboard:finding\' finding.pk %}">'
    "{{ finding.resource.name|default:finding.resource.uid|truncate_middle:60 }}</a>"
    '<div class="small muted">{{ finding.resource_type }} · {{ finding.region }}</div></td>'
    "<td><a href=\"{% url 'dashboard:account' finding.account_id %}\">{{ finding.account.name }}</a>"
    '<div class="small muted mono">{{ finding.account.account_id }}</div></td>'
    "<td>{% with key=finding.key %}{% if key %}{{ key.name }} " + OLD_KEY_STATE + "{% else %}"
    '<span class="badge red">Missing</span>{% endif %}{% endwith %}<div>{% ident finding.resource.kms_key_arn 40 %}'
    '</div></td><td class="cell-wrap small">{{ finding.reason }}</td>'
    '<td class="nowrap">{% timestamp finding.status_since %}</td></tr>{% endfor %}'
)
OLD_KEY_ROWS = (
    '{% load posture %}{% for key in keys %}<tr id="key-{{ key.pk }}"><td class="cell-wrap"><div>{{ key.name }}</div>'
    '{% if key.aliases %}<div class="small muted mono">{{ key.aliases|join:", " }}</div>{% endif %}'
    "<div>{% ident key.uid 56 %}</div></td>"
    "<td><a href=\"{% url 'dashboard:account' key.account_id %}\">{{ key.account.name }}</a>"
    '<div class="small muted mono">{{ key.account.account_id }} · {{ key.region }}</div></td>'
    "<td>{% owner_badge key.owner_class %}</td><td>" + OLD_KEY_STATE + "</td>"
    '<td class="nowrap">{{ key.rotation }}</td><td class="num">{% if key.protects %}'
    "<a href=\"{% url 'dashboard:key_resources' %}?key={{ key.uid|urlencode }}\">"
    "{{ key.protects }} resource{{ key.protects|pluralize }}</a>"
    '{% else %}<span class="faint">none</span>{% endif %}</td></tr>{% endfor %}'
)


def test_the_rows_written_in_python_are_the_templates_rows(client_as, estate):
    hostile = AwsAccountFactory(name='<script>alert("x")</script> & co')
    deleted_soon = {"deletion_date": "2026-12-24T23:30:00+00:00", "aliases": ["alias/<b>old</b>", "alias/two"]}
    for state in (*KEY_STATES, None):
        evidence = {"key_manager": "CUSTOMER", "state": state, "rotation_enabled": False, **deleted_soon}
        key = KmsKeyFactory(account=hostile, name=f"<i>{state}</i>", evidence=evidence)
        ResourceFactory(account=hostile, kms_key_arn=key.uid, key_owner=KeyOwner.CUSTOMER_MANAGED)
        victim = ResourceFactory(account=hostile, name=f"db <{state}>" * 9, kms_key_arn=key.uid)
        FindingFactory(resource=victim, check_id=UNUSABLE, reason=f"Key is {state} & <gone>.")
    FindingFactory(
        resource__account=hostile, resource__name="", resource__kms_key_arn="arn:aws:kms:x", check_id=UNUSABLE
    )
    KmsKeyFactory(account=hostile, name="unused", evidence={"key_manager": "AWS", "state": "Enabled"})
    user = client_as("viewer").user
    keys = list(key_page(user, hostile.pk, 1)) + list(key_page(user, None, 1))
    unusable = unusable_findings(user, None, 101)
    attach_keys(user, unusable)
    django = engines["django"]

    assert len(unusable) == len(KEY_STATES) + 2 and any(finding.key is None for finding in unusable)
    assert {key.protects for key in keys} >= {0, 1, 2}
    assert parse_html(unusable_rows(unusable)) == parse_html(
        django.from_string(OLD_UNUSABLE_ROWS).render({"unusable": unusable})
    )
    assert parse_html(key_rows(keys)) == parse_html(django.from_string(OLD_KEY_ROWS).render({"keys": keys}))
    assert "<script>" not in key_rows(keys) + unusable_rows(unusable)
