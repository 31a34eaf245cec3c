"""A seeded, realistic estate for report tests and for looking at the PDF: many accounts, resources of
several types, findings from the real catalog with their events, mutes and 30 days of area scores.

Deterministic (a seeded Random): the same call builds the same rows.
"""

import random
from datetime import timedelta

from django.contrib.auth.models import User

from accounts.models import AwsAccount
from checks import check_counts, check_statuses, day_changes, requirement_statuses
from checks.catalog import CATALOG
from checks.catalog.base import Area, Status
from checks.models import AreaScore, Finding, FindingEvent, Resource, Scan, Suppression

TYPES = {
    "s3.bucket": ("arn:aws:s3:::{name}", ["customer_managed", "aws_owned", "aws_managed", "unencrypted"]),
    "ec2.volume": (
        "arn:aws:ec2:{region}:{account}:volume/vol-{n:017x}",
        ["aws_managed", "customer_managed", "unencrypted"],
    ),
    "rds.db_instance": ("arn:aws:rds:{region}:{account}:db:{name}", ["customer_managed", "aws_managed"]),
    "sqs.queue": ("arn:aws:sqs:{region}:{account}:{name}", ["aws_owned", "customer_managed", "unencrypted"]),
    "iam.user": ("arn:aws:iam::{account}:user/{name}", [""]),
    "logs.log_group": ("arn:aws:logs:{region}:{account}:log-group:/app/{name}", ["customer_managed", "aws_owned"]),
}
REGIONS = ["us-east-1", "eu-west-1"]


def checks_for(resource_type):
    found = []
    for check in CATALOG.values():
        kinds = check.resource_type if isinstance(check.resource_type, tuple) else (check.resource_type,)
        if resource_type in kinds:
            found.append(check)
    return found


def seed_estate(now, accounts=5, resources=12, days=30, seed=7, fail_rate=0.3, names=None):
    """Build the estate; returns the accounts. `resources` per account and type."""
    rng = random.Random(seed)
    user, _ = User.objects.get_or_create(username="security-lead")
    rows = AwsAccount.objects.bulk_create(
        [
            AwsAccount(
                account_id=f"{210000000000 + i:012d}", name=(names or {}).get(i, f"workload-{i:02d}"), regions=REGIONS
            )
            for i in range(accounts)
        ]
    )
    start = now - timedelta(days=days)
    for account in rows:
        seed_account(rng, account, now, start, resources, days, fail_rate, user)
    return rows


def seed_account(rng, account, now, start, per_type, days, fail_rate, user):
    scans = Scan.objects.bulk_create(
        [
            Scan(
                account=account,
                trigger=Scan.Trigger.SCHEDULE,
                status=Scan.State.SUCCEEDED,
                queued_at=start + timedelta(days=d),
                started_at=start + timedelta(days=d),
                finished_at=start + timedelta(days=d, minutes=2),
            )
            for d in range(days + 1)
        ]
    )
    resources = []
    for type_, (pattern, owners) in TYPES.items():
        for n in range(per_type):
            name = f"{type_.split('.')[1].replace('_', '-')}-{account.account_id[-4:]}-{n:03d}"
            region = rng.choice(REGIONS)
            resources.append(
                Resource(
                    account=account,
                    uid=pattern.format(name=name, region=region, account=account.account_id, n=n),
                    type=type_,
                    region="global" if type_ == "iam.user" else region,
                    name=name,
                    evidence={"encrypted": True, "sample": n},
                    key_owner=rng.choice(owners),
                    first_seen=start,
                    last_seen=now,
                )
            )
    Resource.objects.bulk_create(resources)
    mute = Suppression.objects.create(
        check_id="s3.bucket_server_access_logging",
        account=account,
        resource_pattern="*",
        justification="Access logs go to the central data lake through CloudTrail data events instead.",
        expires_at=now + timedelta(days=60),
        created_by=user,
        created_at=start,
    )
    findings, fixed = [], []
    for resource in resources:
        for check in checks_for(resource.type):
            failing = rng.random() < fail_rate
            status = Status.FAIL if failing else (Status.ERROR if rng.random() < 0.03 else Status.PASS)
            finding = Finding(
                account=account,
                check_id=check.id,
                resource=resource,
                status=status,
                reason=f"{resource.name}: {'fails' if failing else 'meets'} {check.title.lower()}.",
                severity=check.severity,
                area=check.area,
                resource_type=resource.type,
                region=resource.region,
                key_owner=resource.key_owner,
                first_seen=start,
                last_seen=now,
                status_since=start,
                last_scan=scans[-1],
                suppression=mute if check.id == mute.check_id else None,
            )
            findings.append(finding)
            if status == Status.PASS and rng.random() < 0.1:
                fixed.append(finding)
    Finding.objects.bulk_create(findings)
    fixed_ids = {id(finding) for finding in fixed}
    events = [
        FindingEvent(
            finding=f,
            scan=scans[0],
            account=account,
            at=start,
            old_status="",
            new_status=Status.FAIL if id(f) in fixed_ids else f.status,
            reason=f.reason,
        )
        for f in findings
    ]
    middle = start + timedelta(days=days // 2)
    events += [
        FindingEvent(
            finding=f,
            scan=scans[days // 2],
            account=account,
            at=middle,
            old_status=Status.FAIL,
            new_status=Status.PASS,
            reason=f.reason,
        )
        for f in fixed
    ]
    for finding in fixed:
        finding.status_since = middle
    Finding.objects.bulk_update(fixed, ["status_since"])
    FindingEvent.objects.bulk_create(events)
    day_changes.add_events([event.pk for event in events])
    check_counts.recount(account.pk)
    check_statuses.rebuild([account.pk])
    requirement_statuses.rebuild([account.pk])
    base = {area: rng.uniform(55, 95) for area in Area}
    AreaScore.objects.bulk_create(
        [
            AreaScore(
                scan=scan,
                account=account,
                at=scan.finished_at,
                area=area,
                passed=rng.randint(20, 60),
                failed=rng.randint(0, 12),
                errors=rng.choice([0, 0, 0, 1]),
                score=round(min(100, max(0, base[area] + d * rng.uniform(-0.2, 0.6))), 1),
            )
            for d, scan in enumerate(scans)
            for area in Area
        ]
    )
