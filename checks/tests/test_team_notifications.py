"""Team webhooks: a team's webhook hears of its own accounts' scans only; the global webhooks hear of all."""

import json

import pytest

from accounts.models import Team
from accounts.tests.factories import AwsAccountFactory, TeamFactory
from checks import notifications, scanning
from checks.models import Scan
from checks.tests.test_notifications import eager, estate, receivers  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture
def scan_of(django_capture_on_commit_callbacks):
    def run(account):
        made = Scan.queue(account, Scan.Trigger.SCHEDULE)
        with django_capture_on_commit_callbacks(execute=True):
            scanning.run_scan(made)
        return made

    return run


def test_each_team_webhook_hears_only_of_its_own_accounts(receivers, eager, estate, scan_of, settings):  # noqa: F811
    everything, payments_hook, hr_hook = receivers(), receivers(), receivers()
    settings.WEBHOOK_URLS = [everything.url]
    payments_account = AwsAccountFactory(name="payments-prod", account_id="111111111111")
    hr_account = AwsAccountFactory(name="hr-prod", account_id="222222222222")
    TeamFactory(name="payments", webhook_url=payments_hook.url).accounts.add(payments_account)
    TeamFactory(name="hr", webhook_url=hr_hook.url).accounts.add(hr_account)
    TeamFactory(name="quiet").accounts.add(payments_account)  # no webhook: nothing to send
    estate.update({"open-bucket": False})

    scan_of(payments_account)
    scan_of(hr_account)

    heard = {
        name: [json.loads(body)["account_id"] for _headers, body in server.received]
        for name, server in (("all", everything), ("payments", payments_hook), ("hr", hr_hook))
    }
    assert heard == {
        "all": ["111111111111", "222222222222"],
        "payments": ["111111111111"],
        "hr": ["222222222222"],
    }


def test_team_webhooks_alone_are_enough_to_notify(receivers, eager, estate, scan_of, settings):  # noqa: F811
    settings.WEBHOOK_URLS, settings.NOTIFY_EMAILS = [], []
    hook = receivers()
    account = AwsAccountFactory(name="payments-prod")
    TeamFactory(name="payments", webhook_url=hook.url).accounts.add(account)
    estate.update({"open-bucket": False})

    scan_of(account)

    assert len(hook.received) == 1


def test_a_team_that_no_longer_holds_the_account_is_not_sent_the_summary(receivers, settings, caplog):  # noqa: F811
    hook = receivers()
    account = AwsAccountFactory(name="payments-prod", account_id="111111111111")
    team = TeamFactory(name="payments", webhook_url=hook.url)
    body = json.dumps({"account_id": account.account_id})

    delivered = notifications.deliver_team_webhook.apply(args=(team.pk, body)).get()

    assert delivered is False
    assert hook.received == []
    assert "no longer holds the account" in caplog.text
    Team.objects.all().delete()
    assert notifications.deliver_team_webhook.apply(args=(team.pk, body)).get() is False
