"""The pages a security lead opens every morning fit a 1280-pixel-wide window: no horizontal scroll bar
on the page, and no table cut off inside its own scroll box (the overview's last columns once were).

The estate is seeded to be as wide as a real one: long account names, every area scored (the
Public access area not yet scored on some accounts), deltas both ways, unverified counts, a
connection error, three-digit failure counts and every scan state.
"""

import random
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import AwsAccount
from accounts.tests.factories import AwsAccountFactory
from checks.catalog.base import Area, Severity, Status
from checks.models import AreaScore, Scan
from dashboard import scoreboard
from dashboard.tests.factories import FindingEventFactory, FindingFactory, ResourceFactory, ScanFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACCOUNT_NAMES = [
    "payments-production-eu-west",
    "customer-data-platform-prod",
    "ml-feature-store-staging",
    "shared-security-audit",
    "identity-core",
    "marketing-web-eu",
    "logging-archive-central",
    "analytics-warehouse-prod",
    "sandbox-developer-playground",
    "platform-networking-hub",
]
LAST_SCANS = [Scan.State.SUCCEEDED] * 6 + [Scan.State.PARTIAL, Scan.State.FAILED, Scan.State.RUNNING, Scan.State.QUEUED]

# Every horizontally scrollable box on the page whose content is wider than the box, and the page itself.
OVERFLOWS = """() => {
  const wide = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) wide.push(`document: ${root.scrollWidth} > ${root.clientWidth}`);
  for (const box of document.querySelectorAll("body *")) {
    const style = getComputedStyle(box);
    if (!["auto", "scroll"].includes(style.overflowX) || box.closest(".nav")) continue;
    if (box.scrollWidth > box.clientWidth)
      wide.push(`${box.tagName.toLowerCase()}.${box.className}: ${box.scrollWidth} > ${box.clientWidth}`);
  }
  return wide;
}"""


def seed_wide_estate(now):
    rng = random.Random(12)
    accounts = []
    for index, name in enumerate(ACCOUNT_NAMES):
        account = AwsAccountFactory(name=name, account_id=f"{480000000000 + index * 7919:012d}")
        seed_scores(rng, account, now, score_access=index % 3 != 0)
        for severity, most in ((Severity.CRITICAL, 4), (Severity.HIGH, 14)):
            for _ in range(rng.randint(0, most)):
                FindingFactory(resource__account=account, severity=severity, status=Status.FAIL)
        ScanFactory(account=account, status=LAST_SCANS[index], queued_at=now - timedelta(minutes=5 + 7 * index))
        accounts.append(account)
    broken = accounts[7]  # its last scan failed: it cannot be reached
    broken.connection_status = "error"
    broken.last_error = (
        "AccessDenied: User arn:aws:iam::111122223333:role/posture is not authorized to perform "
        f"sts:AssumeRole on arn:aws:iam::{broken.account_id}:role/PostureAudit"
    )
    broken.save()
    return accounts


def seed_scores(rng, account, now, score_access):
    """A daily scan for 30 days, each area drifting from its own level; the Public access area is scored
    from five days ago on most accounts and not at all on the others (nothing judged there yet)."""
    levels = {area: rng.uniform(35, 99) for area in Area}
    errors = {area: rng.choice([0, 0, 0, 0, 1, 2, 12]) for area in Area}
    for days_ago in range(30, 0, -1):
        scan = ScanFactory(account=account, queued_at=now - timedelta(days=days_ago, hours=1))
        rows = []
        for area in Area:
            levels[area] = min(100.0, max(0.0, levels[area] + rng.choice([0, 0, 0, rng.uniform(-6, 6)])))
            judged = area != Area.ACCESS or (score_access and days_ago <= 5)
            rows.append(
                AreaScore(
                    scan=scan,
                    account=account,
                    at=scan.finished_at,
                    area=area,
                    passed=rng.randint(10, 400) if judged else 0,
                    failed=rng.randint(0, 60) if judged else 0,
                    errors=errors[area],
                    score=round(levels[area], 1) if judged else None,
                )
            )
        AreaScore.objects.bulk_create(rows)


def assert_fits(journey):
    page = journey.page
    assert page.viewport_size["width"] == 1280
    overflowing = page.evaluate(OVERFLOWS)
    assert not overflowing, f"wider than 1280 px: {overflowing}"


def test_overview_fits_1280_pixels_with_every_area_column(journey, operator):
    seed_wide_estate(timezone.now())
    page = journey.page
    journey.signed_in_as(operator)
    journey.goto("/")

    headings = page.locator("#score-grid thead th")
    expect(headings).to_have_count(len(Area) + 4)
    for area in Area:
        expect(page.locator(f'#score-grid thead th[title="{area.label}"]')).to_have_text(scoreboard.SHORT_LABELS[area])
    expect(page.locator("#score-grid tbody tr")).to_have_count(len(ACCOUNT_NAMES))
    journey.shot("overview")
    assert_fits(journey)
    last_heading = headings.last.bounding_box()
    assert last_heading["x"] + last_heading["width"] <= 1280  # "Last scan" is on screen, not cut off
    journey.assert_clean()


def test_account_and_findings_pages_fit_1280_pixels(journey, operator):
    accounts = seed_wide_estate(timezone.now())
    account = AwsAccount.objects.get(pk=accounts[0].pk)
    for n in range(30):
        finding = FindingFactory(
            resource=ResourceFactory(
                account=account,
                name=f"customer-records-archive-{account.account_id}-eu-west-1-{n:03d}",
                region="eu-west-1",
            ),
            reason="Bucket customer-records-archive has no default encryption and no bucket policy denying it.",
        )
        FindingEventFactory(finding=finding)
    journey.signed_in_as(operator)

    journey.goto(f"/account/{account.pk}/")
    expect(journey.page.locator(".area-card")).to_have_count(len(Area))
    journey.shot("account")
    assert_fits(journey)

    journey.goto(f"/findings/?account={account.account_id}")
    expect(journey.page.locator("#findings-results tbody tr[id^='finding-']").first).to_be_visible()
    journey.shot("findings")
    assert_fits(journey)
    journey.assert_clean()
