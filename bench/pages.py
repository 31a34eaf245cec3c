"""Page latency at scale: a synthetic year of history written straight into the database, then the
overview, account, findings (filtered, paged), keys and changes pages timed through Django's test client.

The history is what a year of daily scans of a large estate leaves behind: accounts with resources
of the catalog's types, one finding per applicable check, about 1% of them changing status each day
(FindingEvents), a scan per account per day with its six AreaScores, and a few mutes; the accounts are
split between two organizations. It is loaded with COPY on PostgreSQL (executemany on SQLite), plain
indexes built after the load, as one would restore a dump. Each page (and the API's findings and
accounts, with a bearer token) is then requested signed in as an admin and as a viewer in a team that
sees every tenth account (200 at most): p50/p95 server time (the whole request: middleware, queries,
templates) and its query count, against a p95 target of 150 ms at full size; --explain prints each
page's slowest statement with its plan. Query counts are also taken on a tiny estate first: they
must not grow with the number of accounts.

    python -m bench.pages                       # PostgreSQL, 50 accounts × 60 days × 400 findings
    python -m bench.pages --full                # 500 accounts × 365 days × 4,000 findings (~2M)
    python -m bench.pages --large               # 2,000 accounts × 365 days × 1,000 findings (~2M, 9M events)
    python -m bench.pages --large --keep posture_bench_large   # seed once, measure again and again
    python -m bench.pages --db sqlite --accounts 20
"""

import json
import random
import re
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bench import common
from posture import heap

REGIONS = ("us-east-1", "eu-west-1")
# Resource types in roughly the proportions of a real account (kms keys and trails are few).
TYPE_WEIGHTS = (
    ("s3.bucket", 14),
    ("ec2.volume", 16),
    ("sqs.queue", 10),
    ("sns.topic", 8),
    ("logs.log_group", 14),
    ("dynamodb.table", 6),
    ("secretsmanager.secret", 6),
    ("rds.db_instance", 3),
    ("iam.user", 8),
    ("ec2.vpc", 2),
    ("elbv2.load_balancer", 3),
    ("kms.key", 4),
    ("cloudtrail.trail", 1),
    ("efs.file_system", 2),
    ("iam.policy", 3),
)
KEY_STATES = ("Enabled",) * 18 + ("Disabled", "PendingDeletion")
OWNERS = ("aws_owned", "aws_managed", "customer_managed", "customer_managed", "unencrypted")
STATUS_WEIGHTS = (("PASS", 70), ("FAIL", 22), ("NOT_APPLICABLE", 5), ("ERROR", 3))
# Checks that rarely fail in a real estate (data behind an unusable key is an incident, not a habit):
# their share of FAIL, the rest PASS (1% ERROR). Their findings keep their status all year.
RARE_FAILURES = {
    "kms.key_in_use_unusable": 0.002,
    "kms.key_pending_deletion": 0.01,
    "kms.external_account_key": 0.01,
    "hygiene.no_credentials_in_urls": 0.003,
    "hygiene.no_sensitive_identifiers": 0.02,
    "iam.root_access_keys_absent": 0.02,
}
UNUSABLE_KEY_CHECK = "kms.key_in_use_unusable"
MUTED_SHARE = 0.005
PAGE_TARGET_MS = 150  # every page's p95 at full size (--full, --large) on PostgreSQL
SLOW_MS, SLOW_REQUESTS = 3000, 3  # pages whose warm-up takes longer are measured only this many times


@dataclass(frozen=True)
class Size:
    accounts: int
    days: int
    findings: int  # per account
    change_rate: float = 0.01

    def describe(self):
        return f"{self.accounts:,} accounts × {self.days} days × {self.findings:,} findings"


# --- the estate (deterministic per account) ---------------------------------------------------------


def applicable_checks():
    """{resource type: [check, ...]}: the type's own checks plus the checks over every record."""
    from checks.catalog import CATALOG

    everywhere = [check for check in CATALOG.values() if check.resource_type == "*"]
    by_type = {}
    for check in CATALOG.values():
        kinds = check.resource_type if isinstance(check.resource_type, tuple) else (check.resource_type,)
        for kind in kinds:
            if kind != "*":
                by_type.setdefault(kind, []).append(check)
    scopes = ("account", "region")
    return {kind: checks + (everywhere if kind not in scopes else []) for kind, checks in by_type.items()}


class AccountPlan:
    """One account's resources and findings, the same every time it is built from (seed, index)."""

    def __init__(self, index, size, checks_by_type, seed):
        self.index = index
        self.rng = random.Random(seed * 1_000_003 + index)
        self.account_id = f"{100_000_000_000 + index * 7919:012d}"
        self.resources = []  # (type, region, name, key_owner, key_index)
        self.findings = []  # (resource position, check)
        types = [kind for kind, weight in TYPE_WEIGHTS for _ in range(weight)]
        self.add_resource("account", "global", self.account_id, checks_by_type)
        for region in REGIONS:
            self.add_resource("region", region, region, checks_by_type)
        while len(self.findings) < size.findings:
            self.add_resource(self.rng.choice(types), self.rng.choice(REGIONS), "", checks_by_type)
        self.findings = self.findings[: size.findings]
        self.keys = [position for position, resource in enumerate(self.resources) if resource[0] == "kms.key"]

    def add_resource(self, kind, region, name, checks_by_type):
        position = len(self.resources)
        owner = "" if kind in ("account", "region", "iam.user", "iam.policy", "ec2.vpc") else self.rng.choice(OWNERS)
        self.resources.append((kind, region, name or f"{kind.split('.')[1]}-{self.index}-{position}", owner))
        self.findings.extend((position, check) for check in checks_by_type.get(kind, []))

    def has_key_arn(self, position):
        """Whether the resource at `position` is encrypted with one of the account's keys (resource_rows)."""
        return self.resources[position][3] == "customer_managed" and bool(self.keys)

    def uid(self, position):
        kind, region, name, _ = self.resources[position]
        if kind == "account":
            return f"arn:aws:iam::{self.account_id}:root"
        if kind == "region":
            return f"arn:aws:ec2:{region}:{self.account_id}:region/{region}"
        service, noun = kind.split(".", 1)
        return f"arn:aws:{service}:{region}:{self.account_id}:{noun}/{name}"

    def timeline(self, size):
        """Initial statuses, then each day's changes: ([status], [status], [(day, finding, old, new)]).

        Each day about `change_rate` of the findings change, half of them fixed (FAIL → PASS) and half
        regressing (PASS → FAIL), so the estate's failing share holds steady over the year as in a
        real one rather than drifting to a coin toss.
        """
        rng = random.Random(self.rng.random())
        statuses = [status for status, weight in STATUS_WEIGHTS for _ in range(weight)]
        initial = [initial_status(rng, check, statuses) for _, check in self.findings]
        # Every account fails each rare check once, so a tiny estate has the same kinds of rows as a
        # large one and query counts compare like with like (a resource on an unusable key has a key ARN:
        # the Keys page then reads the keys of those rows at every size).
        for check_id in RARE_FAILURES:
            first = next(
                (
                    number
                    for number, (position, check) in enumerate(self.findings)
                    if check.id == check_id and (check_id != UNUSABLE_KEY_CHECK or self.has_key_arn(position))
                ),
                None,
            )
            if first is not None:
                initial[first] = "FAIL"
        changeable = [number for number, (_, check) in enumerate(self.findings) if check.id not in RARE_FAILURES]
        current, changes = list(initial), []
        per_day = max(1, round(len(self.findings) * size.change_rate))
        for day in range(1, size.days):
            for turn in range(per_day):
                wanted = "FAIL" if turn % 2 == 0 else "PASS"
                number = pick(rng, changeable, current, wanted)
                if number is not None:
                    new = "PASS" if wanted == "FAIL" else "FAIL"
                    changes.append((day, number, current[number], new))
                    current[number] = new
        return initial, current, changes


def initial_status(rng, check, statuses):
    share = RARE_FAILURES.get(check.id)
    if share is None:
        return rng.choice(statuses)
    roll = rng.random()
    return "FAIL" if roll < share else "ERROR" if roll < share + 0.01 else "PASS"


def pick(rng, population, current, status, tries=40):
    """A random finding of `population` whose status is `status` (None when none turns up)."""
    for _ in range(tries if population else 0):
        number = population[rng.randrange(len(population))]
        if current[number] == status:
            return number
    return None


# --- loading ----------------------------------------------------------------------------------------


class Loader:
    """Rows into tables by COPY (PostgreSQL) or executemany (SQLite), with explicit ids."""

    def __init__(self, connection):
        self.connection = connection
        self.rows = {}

    def load(self, table, columns, rows):
        started = time.perf_counter()
        count = (
            self._copy(table, columns, rows)
            if self.connection.vendor == "postgresql"
            else self._insert(table, columns, rows)
        )
        self.rows[table] = self.rows.get(table, 0) + count
        print(f"   {table:<22} {count:>10,} rows in {time.perf_counter() - started:6.1f} s")
        sys.stdout.flush()

    def _copy(self, table, columns, rows):
        count = 0
        with (
            self.connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
                count += 1
        return count

    def _insert(self, table, columns, rows):
        ops = self.connection.ops
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        count, batch = 0, []
        with self.connection.cursor() as cursor:
            for row in rows:
                batch.append(
                    [ops.adapt_datetimefield_value(value) if hasattr(value, "tzinfo") else value for value in row]
                )
                if len(batch) == 5000:
                    cursor.executemany(sql, batch)
                    count, batch = count + len(batch), []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
        return count


PLAIN_INDEXES = """
    SELECT i.indexname, i.indexdef FROM pg_indexes i
    WHERE i.tablename = ANY(%s) AND i.schemaname = current_schema()
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
"""


class BulkLoad:
    """PostgreSQL: plain indexes dropped during the load and rebuilt after; FK triggers off (replica role)."""

    def __init__(self, connection, tables):
        self.connection, self.tables, self.indexes = connection, tables, []

    def __enter__(self):
        if self.connection.vendor == "postgresql":
            with self.connection.cursor() as cursor:
                cursor.execute(PLAIN_INDEXES, [list(self.tables)])
                self.indexes = cursor.fetchall()
                for name, _ in self.indexes:
                    cursor.execute(f'DROP INDEX "{name}"')
                cursor.execute("SET session_replication_role = replica")
        return self

    def __exit__(self, *exc):
        if self.connection.vendor != "postgresql":
            return
        with self.connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute("SET maintenance_work_mem = '256MB'")
            started = time.perf_counter()
            for _, definition in self.indexes:
                cursor.execute(definition)
            print(f"   rebuilt {len(self.indexes)} indexes in {time.perf_counter() - started:.1f} s")


class Clock:
    """When account `index` is scanned on `day`: daily, each account at its own time of day (a real
    schedule spreads accounts out; identical timestamps would make every "recently changed" tie)."""

    def __init__(self, start):
        self.start = start

    def __call__(self, index, day):
        return self.start + timedelta(days=day, minutes=-((index * 37) % (23 * 60)), seconds=-(index % 60))


def generate(size, seed, now):
    """Write the synthetic history; returns the generation time in seconds."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from accounts.models import AwsAccount
    from checks import check_counts, check_statuses, day_changes, owner_counts, requirement_statuses
    from checks.catalog import CATALOG
    from checks.models import AreaScore, Finding, FindingEvent, Resource, Scan, Suppression

    checks_by_type = applicable_checks()
    start = now - timedelta(days=size.days - 1)
    when = Clock(start)
    loader = Loader(connection)
    started = time.perf_counter()
    big = [model._meta.db_table for model in (Resource, Finding, FindingEvent, Scan, AreaScore)]
    with transaction.atomic(), BulkLoad(connection, big):
        loader.load(AwsAccount._meta.db_table, ACCOUNT_COLUMNS, account_rows(size, seed, start))
        loader.load(Scan._meta.db_table, SCAN_COLUMNS, scan_rows(size, when))
        loader.load(AreaScore._meta.db_table, SCORE_COLUMNS, score_rows(size, seed, when))
        plans = (AccountPlan(index, size, checks_by_type, seed) for index in range(size.accounts))
        loader.load(Resource._meta.db_table, RESOURCE_COLUMNS, resource_rows(plans, size, when))
        loader.load(Suppression._meta.db_table, SUPPRESSION_COLUMNS, suppression_rows(size, now))
        plans = (AccountPlan(index, size, checks_by_type, seed) for index in range(size.accounts))
        loader.load(Finding._meta.db_table, FINDING_COLUMNS, finding_rows(plans, size, when, CATALOG))
        plans = (AccountPlan(index, size, checks_by_type, seed) for index in range(size.accounts))
        loader.load(FindingEvent._meta.db_table, EVENT_COLUMNS, event_rows(plans, size, when))
    counted = time.perf_counter()
    day_changes.rebuild()  # what recording would have counted, scan by scan (days and weeks)
    check_counts.rebuild()
    owner_counts.rebuild()
    check_statuses.rebuild()
    requirement_statuses.rebuild()
    print(
        f"   day changes, check counts, key-owner counts, check and requirement statuses worked out in "
        f"{time.perf_counter() - counted:6.1f} s"
    )
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(
            no_style(), [AwsAccount, Scan, AreaScore, Resource, Suppression, Finding, FindingEvent]
        ):
            cursor.execute(statement)
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return time.perf_counter() - started, sum(loader.rows.values()), loader.rows


ACCOUNT_COLUMNS = (
    "id",
    "account_id",
    "name",
    "role_arn",
    "external_id",
    "regions",
    "parent_id",
    "labels",
    "scan_interval_minutes",
    "is_enabled",
    "connection_status",
    "last_error",
    "last_tested_at",
    "last_scan_started_at",
    "created_at",
)


def account_rows(size, seed, start):
    rng = random.Random(seed)
    envs, teams = ("prod", "staging", "dev"), ("payments", "data", "platform", "web", "ml", "security")
    for index in range(size.accounts):
        account_id = f"{100_000_000_000 + index * 7919:012d}"
        labels = {"env": envs[index % 3], "team": teams[index % len(teams)]}
        status = "error" if rng.random() < 0.02 else "ok"
        yield (
            index + 1,
            account_id,
            f"{labels['team']}-{labels['env']}-{index:04d}",
            f"arn:aws:iam::{account_id}:role/PostureAudit",
            f"posture-{index:04d}",
            json.dumps(list(REGIONS)),
            "",
            json.dumps(labels),
            1440,
            True,
            status,
            "AccessDenied: bench" if status == "error" else "",
            start,
            start,
            start,
        )


def scan_id(size, account_index, day):
    return account_index * size.days + day + 1


SCAN_COLUMNS = (
    "id",
    "account_id",
    "trigger",
    "status",
    "queued_at",
    "started_at",
    "finished_at",
    "heartbeat_at",
    "stage",
    "progress_done",
    "progress_total",
    "resource_count",
    "finding_count",
    "api_call_count",
    "collection_errors",
    "error_message",
    "cancel_requested",
)


def scan_rows(size, when):
    for index in range(size.accounts):
        for day in range(size.days):
            at = when(index, day)
            yield (
                scan_id(size, index, day),
                index + 1,
                "schedule",
                "succeeded",
                at - timedelta(minutes=3),
                at - timedelta(minutes=2),
                at,
                at,
                "",
                60,
                60,
                size.findings // 6,
                size.findings,
                size.findings // 2,
                "[]",
                "",
                False,
            )


SCORE_COLUMNS = ("scan_id", "account_id", "at", "area", "passed", "failed", "errors", "score")


def score_rows(size, seed, when):
    from checks.catalog.base import Area

    per_area = max(1, size.findings // len(Area))
    for index in range(size.accounts):
        rng = random.Random(seed * 31 + index)
        levels = {area: rng.uniform(40, 95) for area in Area}
        for day in range(size.days):
            at = when(index, day)
            for area in Area:
                levels[area] = min(100.0, max(0.0, levels[area] + rng.uniform(-1.5, 1.5)))
                passed = round(per_area * levels[area] / 100)
                yield (
                    scan_id(size, index, day),
                    index + 1,
                    at,
                    area.value,
                    passed,
                    per_area - passed,
                    rng.randint(0, 3),
                    round(levels[area], 1),
                )


RESOURCE_COLUMNS = (
    "id",
    "account_id",
    "uid",
    "type",
    "region",
    "name",
    "evidence",
    "tags",
    "key_owner",
    "kms_key_arn",
    "first_seen",
    "last_seen",
    "gone_at",
)


def resource_id(plan, position, size, per_account):
    return plan.index * per_account + position + 1


def resource_stride(size):
    return size.findings + 3  # an upper bound on resources per account, so ids need no lookup


def resource_rows(plans, size, when):
    stride = resource_stride(size)
    for plan in plans:
        for position, (kind, region, name, owner) in enumerate(plan.resources):
            evidence, key_arn = {"description": f"Synthetic {kind}"}, ""
            if kind == "kms.key":
                state = plan.rng.choice(KEY_STATES)
                evidence = {
                    "key_manager": "CUSTOMER",
                    "state": state,
                    "rotation_enabled": plan.rng.random() < 0.7,
                    "aliases": [f"alias/{name}"],
                    "key_spec": "SYMMETRIC_DEFAULT",
                }
            elif owner:
                evidence["encrypted"] = owner != "unencrypted"
                if owner == "customer_managed" and plan.keys:
                    key_arn = plan.uid(plan.rng.choice(plan.keys))
            yield (
                resource_id(plan, position, size, stride),
                plan.index + 1,
                plan.uid(position),
                kind,
                region,
                name,
                json.dumps(evidence),
                json.dumps({"team": "bench"}),
                owner if kind != "kms.key" else "",
                key_arn,
                when(plan.index, 0),
                when(plan.index, size.days - 1),
                None,
            )


SUPPRESSION_COLUMNS = ("id", "check_id", "account_id", "resource_pattern", "justification", "expires_at", "created_at")


def suppression_rows(size, now):
    for index in range(size.accounts):
        yield (
            index + 1,
            "s3.bucket_server_access_logging",
            index + 1,
            "*",
            "Accepted: logs go elsewhere.",
            now + timedelta(days=90),
            now - timedelta(days=10),
        )


FINDING_COLUMNS = (
    "id",
    "account_id",
    "check_id",
    "resource_id",
    "status",
    "reason",
    "severity",
    "area",
    "resource_type",
    "region",
    "key_owner",
    "first_seen",
    "last_seen",
    "status_since",
    "closed_at",
    "last_scan_id",
    "suppression_id",
)


def finding_id(plan, number, size):
    return plan.index * size.findings + number + 1


def finding_rows(plans, size, when, catalog):
    stride = resource_stride(size)
    for plan in plans:
        _, final, changes = plan.timeline(size)
        since = {}
        for day, finding, _, _ in changes:
            since[finding] = day
        last_scan = scan_id(size, plan.index, size.days - 1)
        for number, (position, check) in enumerate(plan.findings):
            kind, region, name, owner = plan.resources[position]
            status = final[number]
            muted = (
                plan.index + 1 if check.id == "s3.bucket_server_access_logging" and plan.rng.random() < 0.5 else None
            )
            yield (
                finding_id(plan, number, size),
                plan.index + 1,
                check.id,
                resource_id(plan, position, size, stride),
                status,
                reason(status, check.id, name),
                check.severity,
                check.area,
                kind,
                region,
                owner if check.area == "at_rest" else "",
                when(plan.index, 0),
                when(plan.index, size.days - 1),
                when(plan.index, since.get(number, 0)),
                None,
                last_scan,
                muted,
            )


def reason(status, check_id, name):
    verdict = {
        "PASS": "meets",
        "FAIL": "does not meet",
        "ERROR": "could not be judged against",
        "NOT_APPLICABLE": "is outside",
    }[status]
    return f"{name} {verdict} {check_id} (synthetic evidence)."


EVENT_COLUMNS = ("id", "finding_id", "scan_id", "account_id", "at", "old_status", "new_status", "reason")


def event_rows(plans, size, when):
    event = 0
    for plan in plans:
        initial, _, changes = plan.timeline(size)
        first_scan = scan_id(size, plan.index, 0)
        for number, (_, check) in enumerate(plan.findings):
            event += 1
            yield (
                event,
                finding_id(plan, number, size),
                first_scan,
                plan.index + 1,
                when(plan.index, 0),
                "",
                initial[number],
                f"New: {check.id}.",
            )
        for day, number, old, new in changes:
            event += 1
            yield (
                event,
                finding_id(plan, number, size),
                scan_id(size, plan.index, day),
                plan.index + 1,
                when(plan.index, day),
                old,
                new,
                f"Now {new}.",
            )


def wipe():
    from accounts.models import AwsAccount
    from checks.models import (
        AreaScore,
        CheckCount,
        CheckTotal,
        DayChange,
        Finding,
        FindingEvent,
        OwnerCount,
        OwnerTotal,
        Resource,
        Scan,
        Suppression,
        WeekChange,
    )

    common.empty_tables(
        OwnerTotal,
        OwnerCount,
        CheckTotal,
        CheckCount,
        WeekChange,
        DayChange,
        FindingEvent,
        Finding,
        Suppression,
        AreaScore,
        Scan,
        Resource,
        AwsAccount,
    )


# --- measuring --------------------------------------------------------------------------------------


TEAM_SIZE = 200  # accounts the team member sees: every tenth account, up to this many


@dataclass
class Viewer:
    """Someone the pages are requested as: a signed-in client, a bearer token for the API, the accounts seen."""

    name: str
    client: object
    token: str
    accounts: list  # [(pk, account id)] in pk order


def signed_in(username, role):
    from django.contrib.auth.models import Group, User
    from django.test import Client

    user, _ = User.objects.get_or_create(username=username)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    client = Client()
    client.force_login(user)
    return user, client


def viewers():
    """The admin (every account) and a viewer in a team of every tenth account (TEAM_SIZE at most)."""
    from accounts.models import AwsAccount, Team
    from api import tokens

    everyone = list(AwsAccount.objects.order_by("pk").values_list("pk", "account_id"))
    admin, admin_client = signed_in("bench-admin", "admin")
    member, member_client = signed_in("bench-member", "viewer")
    team, _ = Team.objects.get_or_create(name="bench-team")
    seen = everyone[::10][:TEAM_SIZE]
    team.accounts.set([pk for pk, _ in seen])
    team.members.add(member)
    return [
        Viewer("admin", admin_client, tokens.issue(admin, "bench")[1], everyone),
        Viewer("team member", member_client, tokens.issue(member, "bench")[1], seen),
    ]


ORGANIZATIONS = ("o-bench-first", "o-bench-second")


def organize():
    """Two organizations sharing the accounts (every other one): done after seeding, so a kept history gets it too."""
    from django.db.models import F

    from accounts.models import AwsAccount, Organization

    organizations = [
        Organization.objects.get_or_create(
            org_id=org_id,
            defaults={"management_account_id": "100000000000", "role_name": "OrganizationAccountAccessRole"},
        )[0]
        for org_id in ORGANIZATIONS
    ]
    for number, organization in enumerate(organizations):
        accounts = AwsAccount.objects.annotate(half=F("pk") % 2).filter(half=number)
        accounts.exclude(organization=organization).update(organization=organization)
    return organizations[0]


def page_urls(ids, rng=None):
    """(label, function giving the next URL to request) for each measured page; `ids`: the accounts seen.

    Without `rng` the one-account pages show the first account (and its first failing finding): built
    from the same plan in every estate, so query counts compare like with like across sizes.
    """
    from django.utils import timezone

    from checks.models import Finding

    organization = organize()
    today = timezone.now().date()
    month_ago, week_ago = (today - timedelta(days=30)).isoformat(), (today - timedelta(days=7)).isoformat()
    year_ago = (today - timedelta(days=360)).isoformat()  # inside the 365 days of a full-size history

    def some_account():
        return rng.choice(ids) if rng else ids[0]

    def some_finding():
        failing = Finding.objects.filter(account_id=some_account()[0], status="FAIL").order_by("pk")
        return failing.values_list("pk", flat=True)[rng.randrange(20) if rng else 0]

    return [
        ("overview", lambda: "/"),
        ("overview (worst first)", lambda: "/?sort=worst"),
        ("overview (label env=prod)", lambda: "/?label=env%3Dprod"),
        ("overview (organization)", lambda: f"/?organization={organization.pk}"),
        ("account", lambda: f"/account/{some_account()[0]}/"),
        ("account (365-day trend)", lambda: f"/account/{some_account()[0]}/?days=365"),
        ("findings (filtered)", lambda: "/findings/?status=FAIL&severity=high"),
        ("findings (one account, area)", lambda: f"/findings/?account={some_account()[1]}&area=at_rest"),
        ("findings (check, recently changed)", lambda: "/findings/?check=ebs.volume_encrypted&sort=-status_since"),
        ("findings (filtered, page 2)", None),  # follows the "next" link of the filtered page
        ("finding", lambda: f"/findings/{some_finding()}/"),
        ("keys", lambda: "/keys/"),
        ("keys (one account)", lambda: f"/keys/?account={some_account()[1]}"),
        ("checks", lambda: "/checks/"),
        ("changes (last 7 days)", lambda: "/changes/"),
        ("changes (last 30 days)", lambda: f"/changes/?start={month_ago}"),
        ("changes (one account)", lambda: f"/changes/?account={some_account()[1]}"),
        ("compliance (PCI DSS)", lambda: "/compliance/?framework=pci-dss-4.0"),
        ("compliance (PCI DSS, a week ago)", lambda: f"/compliance/?framework=pci-dss-4.0&as_of={week_ago}"),
        ("compliance (PCI DSS, a month ago)", lambda: f"/compliance/?framework=pci-dss-4.0&as_of={month_ago}"),
        ("compliance (PCI DSS, 360 days ago)", lambda: f"/compliance/?framework=pci-dss-4.0&as_of={year_ago}"),
        # htmx fragments: what a filter change or a chart's period swaps in (the same views, a part of the page)
        ("overview (fragment, worst first)", lambda: HTMX + "/?sort=worst"),
        ("account (fragment, 365-day trend)", lambda: HTMX + f"/account/{some_account()[0]}/?days=365"),
        ("findings (fragment, filtered)", lambda: HTMX + "/findings/?status=FAIL&severity=high"),
        ("keys (fragment, one account)", lambda: HTMX + f"/keys/?account={some_account()[1]}"),
        ("changes (fragment, last 30 days)", lambda: HTMX + f"/changes/?start={month_ago}"),
        ("compliance (fragment, a month ago)", lambda: HTMX + f"/compliance/?framework=pci-dss-4.0&as_of={month_ago}"),
        ("API findings (failing, high)", lambda: "/api/v1/findings/?status=FAIL&severity=high"),
        ("API findings (one account)", lambda: f"/api/v1/findings/?account={some_account()[1]}"),
        ("API accounts", lambda: "/api/v1/accounts/"),
        ("API account", lambda: f"/api/v1/accounts/{some_account()[1]}/"),
    ]


NEXT_LINK = re.compile(r'href="[^"]*[?&](?:amp;)?after=([\w-]+)')


def next_page_url(viewer):
    body = viewer.client.get("/findings/?status=FAIL&severity=high").content.decode()
    found = NEXT_LINK.search(body)
    return f"/findings/?status=FAIL&severity=high&after={found.group(1)}" if found else None


HTMX = "htmx:"  # a URL so marked is asked for as htmx asks (HX-Request): the view answers with its fragment


def get(viewer, url):
    if url.startswith(HTMX):
        return viewer.client.get(url.removeprefix(HTMX), headers={"HX-Request": "true"})
    if url.startswith("/api/"):
        return viewer.client.get(url, headers={"Authorization": f"Bearer {viewer.token}"})
    return viewer.client.get(url)


def backend_pid():
    """The PostgreSQL backend serving this process's connection (None on SQLite)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def backend_cpu(pid):
    """Seconds of CPU the backend `pid` has run, to the nanosecond (/proc/PID/schedstat; /proc/PID/stat counts
    10 ms ticks, too coarse for one request). 0 without a pid or where schedstat is missing."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9 if pid else 0
    except (OSError, ValueError, IndexError):
        return 0


def timed_get(viewer, url, pid=None):
    """(ms, queries captured, CPU ms) of one request, which must answer 200. CPU is this process's plus the
    database backend's (`pid`): what the request costs however loaded the machine is (parallel query workers
    are not counted)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cpu = time.process_time() + backend_cpu(pid)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = get(viewer, url)
        elapsed = time.perf_counter() - started
    cpu = time.process_time() + backend_cpu(pid) - cpu
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code} to the {viewer.name}")
    return elapsed * 1000, queries.captured_queries, cpu * 1000


def pages_of(viewer, rng=None):
    """(label, URL function) of each page the viewer is measured on, page 2 following page 1's link."""
    second = next_page_url(viewer)
    for label, url_of in page_urls(viewer.accounts, rng):
        if url_of is None:
            if second is None:
                continue
            url_of = lambda: second  # noqa: E731
        yield label, url_of


def measure(viewer, requests, warmup, seed, only=None):
    """{label: (p50 ms, p95 ms, queries, requests made)} over `requests` requests per page after `warmup`
    (only the pages whose label contains `only`, when given)."""
    results = {}
    pid = backend_pid()
    for label, url_of in pages_of(viewer, random.Random(seed)):
        if only and only not in label:
            continue
        warm = [timed_get(viewer, url_of())[0] for _ in range(max(1, warmup))]
        # A page far past its target is measured SLOW_REQUESTS times, not `requests`: its p95 is then the
        # slowest of those, and the run does not spend many minutes on what is missed anyway.
        count = requests if max(warm) < SLOW_MS else min(requests, SLOW_REQUESTS)
        samples = [timed_get(viewer, url_of(), pid) for _ in range(count)]
        times = [ms for ms, _, _ in samples]
        results[label] = (
            common.percentile(times, 50),
            common.percentile(times, 95),
            max(len(queries) for _, queries, _ in samples),
            count,
            common.percentile([cpu for _, _, cpu in samples], 95),
        )
        print(
            f"   {label:<36} p50 {results[label][0]:7.1f} ms  p95 {results[label][1]:7.1f} ms  "
            f"CPU p95 {results[label][4]:7.1f} ms  {results[label][2]:3d} queries  ({count} requests)"
        )
        sys.stdout.flush()
    return results


def query_counts():
    """{(viewer, label): queries} of one request per page (one-account pages on the viewer's first account)."""
    counts = {}
    for viewer in viewers():
        for label, url_of in pages_of(viewer):
            url = url_of()
            timed_get(viewer, url)  # the first request of a session may differ; count the second
            counts[viewer.name, label] = len(timed_get(viewer, url)[1])
    return counts


def explain_slowest(viewer, seed, only=None):
    """Each page's slowest statement and its EXPLAIN ANALYZE (PostgreSQL), requested once more after the run."""
    from django.db import connection

    print(f"-- the slowest statement of each page, as the {viewer.name}")
    for label, url_of in pages_of(viewer, random.Random(seed)):
        if only and only not in label:
            continue
        _, queries, _ = timed_get(viewer, url_of())
        slowest = max(queries, key=lambda query: float(query["time"]))
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {slowest['sql']}")
            plan = [row[0] for row in cursor.fetchall()]
        print(f"\n## {label}: {float(slowest['time']) * 1000:.1f} ms of {len(queries)} queries\n{slowest['sql']}")
        print("\n".join(f"    {line}" for line in plan))
        sys.stdout.flush()


def query_counts_on_a_tiny_estate(size, seed, now, database):
    """Each page's query count on 5 accounts of the same shape: a count that grows with accounts is an N+1.

    With a kept database the tiny estate lives in a scratch database of its own for the while.
    """
    tiny = Size(accounts=5, days=min(size.days, 14), findings=size.findings)
    print(f"-- query counts on a tiny estate ({tiny.describe()})")
    if database.kept:
        with common.scratch_database(f"{database.name}_tiny"):
            generate(tiny, seed, now)
            return query_counts()
    generate(tiny, seed, now)
    counts = query_counts()
    wipe()
    return counts


def seeded(size, seed, now, database):
    """Generate the history, unless a kept database already holds this one: (seconds, rows, rows per table)."""
    label = f"bench.pages {size.describe()}, seed {seed}"
    if database.kept and database.label().startswith(label):
        print(f"-- reusing {database.name}: {database.label()}")
        return None
    if database.kept:
        wipe()
    print(f"-- generating {size.describe()}")
    with common.PeakMemory() as memory:
        seconds, rows, per_table = generate(size, seed, now)
    print(
        f"   {rows:,} rows ({per_table.get('checks_finding', 0):,} findings, "
        f"{per_table.get('checks_findingevent', 0):,} events) in {seconds:.1f} s; peak memory {memory.peak_mb:.0f} MB"
    )
    if database.kept:
        database.set_label(f"{label}, seeded {now.isoformat()}")
    return seconds, rows, per_table


def table_rows():
    """{table: rows} of what a kept database holds (the planner's estimate after ANALYZE: instant)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples::bigint FROM pg_class WHERE relname IN ('checks_finding', 'checks_findingevent')"
        )
        return dict(cursor.fetchall())


def main(argv=None):
    parser = common.arguments(__doc__.splitlines()[0], db_default="postgres")
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--findings-per-account", type=int, default=400)
    parser.add_argument("--full", action="store_true", help="500 accounts × 365 days × 4,000 findings (~2M findings)")
    parser.add_argument(
        "--large", action="store_true", help="2,000 accounts × 365 days × 1,000 findings (~2M findings, 9M events)"
    )
    parser.add_argument("--requests", type=int, default=20, help="measured requests per page (default 20)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--keep",
        metavar="DATABASE",
        help="seed into this PostgreSQL database and keep it; a later run with the same size and seed reuses "
        "the history instead of generating it again (drop it yourself: dropdb DATABASE)",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="after measuring, print each page's slowest statement with its EXPLAIN (ANALYZE, BUFFERS) (PostgreSQL)",
    )
    parser.add_argument("--only", metavar="VIEWER", choices=("admin", "team member"), help="measure one viewer")
    parser.add_argument("--pages", metavar="TEXT", help="measure only the pages whose label contains TEXT")
    options = parser.parse_args(argv)
    if options.full:
        size = Size(500, 365, 4000)
    elif options.large:
        size = Size(2000, 365, 1000)
    else:
        size = Size(options.accounts, options.days, options.findings_per_account)

    database = common.setup_django(options.db, keep=options.keep)
    from django.utils import timezone

    context = common.machine()
    common.print_banner(f"pages: {size.describe()}", context)
    now = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    tiny_counts = query_counts_on_a_tiny_estate(size, options.seed, now, database)
    generated = seeded(size, options.seed, now, database)
    per_table = generated[2] if generated else table_rows()
    findings = per_table.get("checks_finding", 0)
    events = per_table.get("checks_findingevent", 0)
    results = {}
    heap.settle()  # as the web process does once loaded (posture/wsgi.py): a full collection then costs little
    for viewer in viewers():
        if options.only and viewer.name != options.only:
            continue
        print(f"-- {options.requests} requests per page after {options.warmup} warm-up, as the {viewer.name}")
        for label, figures in measure(viewer, options.requests, options.warmup, options.seed, options.pages).items():
            results[f"{viewer.name}: {label}"] = figures
        if options.explain and database.vendor == "postgres":
            explain_slowest(viewer, options.seed, options.pages)

    full_size = size.accounts >= 500 and findings >= 1_900_000 and database.vendor == "postgres"
    figures = []
    if generated:
        seconds, rows, _ = generated
        figures.append(
            common.Figure(
                "generation",
                round(seconds, 1),
                "s",
                note=f"{rows:,} rows, {findings:,} findings, {events:,} events, {rows / seconds:,.0f} rows/s",
            )
        )
    for label, (p50, p95, queries, count, cpu) in results.items():
        target = PAGE_TARGET_MS if full_size else None
        note = f"p50 {p50:.1f} ms, CPU p95 {cpu:.1f} ms, {queries} queries"
        note += f", {count} requests" if count != options.requests else ""
        figures.append(common.Figure(f"{label} p95", round(p95, 1), "ms", target, note=note))
    counts = query_counts()
    growth = {key: counts[key] - tiny_counts[key] for key in counts if key in tiny_counts}
    grown = {f"{viewer}: {label}": delta for (viewer, label), delta in growth.items() if delta}
    figures.append(
        common.Figure(
            f"query growth, 5 → {size.accounts:,} accounts",
            max(growth.values()),
            "queries",
            0,
            note=", ".join(f"{k} {v:+d}" for k, v in grown.items()) or "no page's count changes",
        )
    )
    if not full_size:
        figures[-2].note += "; latency targets apply at full size on PostgreSQL (--full, --large)"
    common.print_figures(f"pages ({size.describe()}, {database.vendor})", figures)
    common.save_figures(options.json, "pages", figures, {**context, "size": size.describe()})
    database.drop()
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
