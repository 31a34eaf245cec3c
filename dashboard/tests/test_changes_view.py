from datetime import timedelta

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AwsAccountFactory
from dashboard.tests.factories import FindingEventFactory, FindingFactory

pytestmark = pytest.mark.django_db


def history(finding, *steps):
    """steps: (days ago, old, new)."""
    now = timezone.now()
    for days, old, new in steps:
        FindingEventFactory(finding=finding, at=now - timedelta(days=days), old_status=old, new_status=new)


def test_changes_between_two_dates_are_classified_per_account(client_as, django_assert_max_num_queries):
    accounts = AwsAccountFactory.create_batch(25)
    for account in accounts:
        history(
            FindingFactory(resource__account=account, resource__name="regressed"), (20, "", "PASS"), (2, "PASS", "FAIL")
        )
        history(
            FindingFactory(resource__account=account, resource__name="fixed"), (20, "", "FAIL"), (3, "FAIL", "PASS")
        )
        history(
            FindingFactory(resource__account=account, resource__name="went-away"), (20, "", "PASS"), (1, "PASS", "")
        )
        history(
            FindingFactory(resource__account=account, resource__name="flapped"),
            (20, "", "PASS"),
            (4, "PASS", "FAIL"),
            (2, "FAIL", "PASS"),
        )  # failed and was fixed inside the window: under both
    client = client_as("viewer")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("dashboard:changes"))
    assert response.status_code == 200
    text = response.text
    assert text.count(">regressed<") == 25 and text.count(">fixed<") == 25 and text.count(">went-away<") == 25
    assert text.count(">flapped<") == 50
    assert response.context["totals"] == {"newly failing": 50, "fixed": 50, "appeared": 0, "disappeared": 25}


def test_changes_fragment_and_bad_dates(client_as):
    client = client_as("viewer")
    response = client.get(
        reverse("dashboard:changes"), {"start": "2026-02-30", "end": "2999-01-01"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert 'id="changes-list"' in response.text and "<html" not in response.text
    assert "future" in response.text


def test_a_start_older_than_the_kept_history_is_refused(client_as, settings):
    settings.HISTORY_RETENTION_DAYS = 400
    old = (timezone.now() - timedelta(days=401)).date().isoformat()

    response = client_as("viewer").get(reverse("dashboard:changes"), {"start": old})

    assert response.status_code == 200
    assert "keeps 400 days of history" in response.text


# The rows as the page's template loop wrote them before they were written in Python (templatetags change_rows).
TEMPLATE_ROWS = """{% load posture %}<tbody>
        {% for finding in findings %}
          <tr><td><a href="{% url 'dashboard:finding' finding.pk %}">{{ finding.check_id }}</a></td><td>{% severity_badge finding.severity %}</td>
            <td class="mono small" title="{{ finding.resource.uid }}">{{ finding.resource.name|default:finding.resource.uid|truncatechars:60 }}</td>
            <td>{% if finding.before %}{% status_badge finding.before %}{% else %}<span class="muted">absent</span>{% endif %}</td>
            <td>{% if finding.after %}{% status_badge finding.after %}{% else %}<span class="muted">gone</span>{% endif %}</td></tr>
        {% endfor %}
        </tbody>"""  # noqa: E501 - verbatim


def test_rows_are_written_as_the_template_loop_wrote_them(client_as):
    hostile = ['<script>alert("x")</script>', 'Tom & Jerry\'s "bucket"', "é" * 70, "", "a&amp;b", "{}{0}%s"]
    statuses = ["", "PASS", "FAIL", "ERROR", "NOT_APPLICABLE"]
    for number, name in enumerate(hostile):
        account = AwsAccountFactory(name=f"<b>{name[:20]}</b> & co")
        for old in statuses:
            for new in statuses:
                if old == new:
                    continue
                finding = FindingFactory(
                    resource__account=account,
                    resource__name=name,
                    resource__uid=f'arn:aws:s3:::"{name}"-{old}-{new}',
                    check_id=f"s3.<i>{number}</i>",
                    severity=["critical", "high", "medium", "low", "informational"][number % 5],
                )
                history(finding, (2, old, new))
    response = client_as("viewer").get(reverse("dashboard:changes"))
    old_loop, rendered = Template(TEMPLATE_ROWS), 0

    for _, accounts, _ in response.context["sections"]:
        for findings in accounts.values():
            expected = old_loop.render(Context({"findings": findings}))
            assert expected == Template(
                "{% load posture %}<tbody>\n        {% change_rows findings %}\n        </tbody>"
            ).render(Context({"findings": findings}))
            assert expected[len("<tbody>") : -len("</tbody>")] in response.text
            rendered += len(findings)
    assert rendered == len(hostile) * 12  # of the 20 changes of each name, 8 are none of the four kinds
    assert "<script>" not in response.text and "&lt;script&gt;" in response.text
