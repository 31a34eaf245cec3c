"""Ingest: recording one scan of ~20,000 findings (checks.recording.record), first time and unchanged.

The inventory is synthetic (2,000 resources of the catalog's types, 10 real check ids each, with
realistic reasons, key references and a pass/fail mix), so the figure is the recording path alone:
no AWS, no evaluation. Each repetition records into a fresh account of a database that keeps the
earlier ones, as a real estate would.

    python -m bench.ingest                      # PostgreSQL scratch database, 2,000 × 10, 3 repetitions
    python -m bench.ingest --db sqlite --resources 500
"""

import random
import statistics
import sys
from datetime import UTC, datetime, timedelta

from bench import common

TYPES = (
    "s3.bucket",
    "ec2.volume",
    "sqs.queue",
    "sns.topic",
    "logs.log_group",
    "dynamodb.table",
    "secretsmanager.secret",
    "rds.db_instance",
    "iam.user",
    "ec2.vpc",
)
STATUS_MIX = (("PASS", 70), ("FAIL", 25), ("ERROR", 3), ("NOT_APPLICABLE", 2))
KEYS_PER_REGION = 25
REGIONS = ("us-east-1", "eu-west-1")


def arn(account_id, region, resource_type, index):
    service, noun = resource_type.split(".", 1)
    return f"arn:aws:{service}:{region}:{account_id}:{noun}/bench-{noun}-{index:05d}"


def key_records(account_id):
    from checks.inventory import Record

    return [
        Record(
            uid=f"arn:aws:kms:{region}:{account_id}:key/{index:08d}-0000-4000-8000-{index:012d}",
            type="kms.key",
            region=region,
            name=f"alias/bench-{index}",
            evidence={
                "key_manager": "CUSTOMER",
                "state": "Enabled",
                "rotation_enabled": index % 3 > 0,
                "aliases": [f"alias/bench-{index}"],
            },
        )
        for region in REGIONS
        for index in range(KEYS_PER_REGION)
    ]


def resource_records(account_id, count, rng):
    from checks.inventory import Record

    records = []
    for index in range(count):
        resource_type, region = TYPES[index % len(TYPES)], REGIONS[index % len(REGIONS)]
        key = (
            f"arn:aws:kms:{region}:{account_id}:key/{index % KEYS_PER_REGION:08d}-0000-4000-8000-"
            f"{index % KEYS_PER_REGION:012d}"
            if index % 3 == 0
            else None
        )
        records.append(
            Record(
                uid=arn(account_id, region, resource_type, index),
                type=resource_type,
                region=region,
                name=f"bench-{resource_type.split('.')[1]}-{index:05d}",
                evidence={
                    "encrypted": index % 5 != 0,
                    "description": f"Synthetic resource {index}",
                    "created": "2026-01-01T00:00:00+00:00",
                    "size_gb": rng.randint(1, 500),
                },
                key_arn=key,
                tags={"team": f"team-{index % 7}", "env": ("prod", "staging", "dev")[index % 3]},
            )
        )
    return records


def results_for(records, checks_per_resource, rng):
    """(check id, record, Result) triples: real catalog ids, so recording reads real severities and areas."""
    from checks.catalog import CATALOG
    from checks.catalog.base import KeyOwner, Result
    from checks.evaluation import Evaluation

    ids = sorted(CATALOG)
    statuses = [status for status, weight in STATUS_MIX for _ in range(weight)]
    owners = [KeyOwner.AWS_OWNED, KeyOwner.AWS_MANAGED, KeyOwner.CUSTOMER_MANAGED, KeyOwner.UNENCRYPTED]
    evaluations = []
    for position, record in enumerate(records):
        for offset in range(checks_per_resource):
            check_id = ids[(position + offset * 3) % len(ids)]
            status = rng.choice(statuses)
            owner = rng.choice(owners) if CATALOG[check_id].area == "at_rest" else None
            reason = f"{record.name}: synthetic {status.lower()} verdict for {check_id} (evidence {position})."
            evaluations.append(Evaluation(check_id, record, Result(status, reason, owner)))
    return evaluations


def flip(evaluations, share, rng):
    """A copy with `share` of the results changed status (the daily churn of a real estate)."""
    from checks.catalog.base import Result, Status
    from checks.evaluation import Evaluation

    changed = list(evaluations)
    for index in rng.sample(range(len(changed)), int(len(changed) * share)):
        old = changed[index]
        status = Status.PASS if old.result.status == Status.FAIL else Status.FAIL
        changed[index] = Evaluation(old.check_id, old.record, Result(status, f"Now {status}.", old.result.key_owner))
    return changed


def record_once(account, inventory, evaluations, at):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from checks.models import Scan
    from checks.recording import record

    scan = Scan.objects.create(account=account, trigger=Scan.Trigger.CLI, status=Scan.State.SUCCEEDED)
    with common.cpu_meter() as cpu, CaptureQueriesContext(connection) as queries, common.stopwatch() as elapsed:
        record(scan, inventory, evaluations, at)
    return elapsed(), len(queries), cpu()


def one_repetition(number, resources, checks_per_resource, seed):
    from accounts.models import AwsAccount
    from checks.inventory import Inventory
    from checks.models import FindingEvent

    rng = random.Random(seed + number)
    account_id = f"{900000000000 + number:012d}"
    account = AwsAccount.objects.create(account_id=account_id, name=f"ingest-{number}", regions=list(REGIONS))
    records = key_records(account_id) + resource_records(account_id, resources, rng)
    at = datetime(2026, 11, 1, tzinfo=UTC)
    inventory = Inventory(account_id, REGIONS, at, records, [])
    evaluations = results_for(records[len(key_records(account_id)) :], checks_per_resource, rng)
    first = record_once(account, inventory, evaluations, at)
    events_before = FindingEvent.objects.filter(account=account).count()
    again = record_once(
        account,
        Inventory(account_id, REGIONS, at + timedelta(days=1), records, []),
        evaluations,
        at + timedelta(days=1),
    )
    unchanged_events = FindingEvent.objects.filter(account=account).count() - events_before
    churn = record_once(
        account,
        Inventory(account_id, REGIONS, at + timedelta(days=2), records, []),
        flip(evaluations, 0.01, rng),
        at + timedelta(days=2),
    )
    return {
        "findings": len(evaluations),
        "resources": len(records),
        "first": first,
        "again": again,
        "churn": churn,
        "unchanged_events": unchanged_events,
    }


def main(argv=None):
    parser = common.arguments(__doc__.splitlines()[0], db_default="postgres")
    parser.add_argument("--resources", type=int, default=2000, help="resources in the scan (default 2,000)")
    parser.add_argument("--checks", type=int, default=10, help="findings per resource (default 10)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions, each a fresh account (median shown)")
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args(argv)

    database = common.setup_django(options.db)
    context = common.machine()
    common.print_banner("ingest: recording one scan", context)
    runs = []
    with common.PeakMemory() as memory:
        for number in range(options.repeat):
            run = one_repetition(number, options.resources, options.checks, options.seed)
            print(
                f"   run {number + 1}: "
                + ", ".join(
                    f"{label} {run[name][0]:.3f} s ({run[name][1]} queries, CPU {sum(run[name][2]):.2f} s)"
                    for name, label in (("first", "first"), ("again", "unchanged"), ("churn", "1% changed"))
                )
            )
            runs.append(run)

    def median(name):
        return statistics.median(run[name][0] for run in runs)

    findings = runs[0]["findings"]
    size = f"{findings:,} findings on {runs[0]['resources']:,} resources, {database.vendor}"
    target_first, target_again = (2.0, 0.5) if findings >= 20_000 and database.vendor == "postgres" else (None, None)
    figures = [
        common.Figure("first recording", round(median("first"), 3), "s", target_first, note=size),
        common.Figure("unchanged re-scan", round(median("again"), 3), "s", target_again),
        common.Figure("re-scan with 1% changed", round(median("churn"), 3), "s"),
        common.Figure("first recording rate", round(findings / median("first")), "findings/s"),
        common.Figure("events written by unchanged re-scan", runs[0]["unchanged_events"], "rows", 0),
        common.Figure(
            "queries: first / unchanged",
            runs[0]["first"][1],
            "queries",
            note=f"unchanged re-scan: {runs[0]['again'][1]}",
        ),
        common.Figure("peak memory (RSS)", round(memory.peak_mb), "MB"),
    ]
    for name, label in (("first", "first recording"), ("again", "unchanged re-scan")):
        own, backend = (statistics.median(run[name][2][part] for run in runs) for part in (0, 1))
        figures.append(
            common.Figure(
                f"{label}: CPU",
                round(own + backend, 3),
                "s",
                note=f"Posture {own:.2f} s + database {backend:.2f} s: about the wall time on an idle machine",
            )
        )
    if target_first is None:
        figures[0].note += "; targets apply to 20,000 findings on PostgreSQL"
    common.print_figures(f"ingest (median of {len(runs)})", figures)
    common.save_figures(options.json, "ingest", figures, context)
    database.drop()
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
