"""Exports: CSV and JSON of 100,000 findings, current and as of a past date — rows per second and peak memory.

Rows go straight into a scratch database with bulk_create (10 accounts, one FindingEvent per finding,
so the as-of path has a history to read). Each export streams to a file on disk, timed (wall clock, and
CPU seconds of this process: on a busy machine the second is the steadier figure). A second pass runs
under tracemalloc for the peak of Python allocations during the export; the same export of a tenth of
the rows shows that peak stays flat — constant memory, not memory per row.

    python -m bench.exports                       # PostgreSQL scratch database, 100,000 findings
    python -m bench.exports --db sqlite --rows 20000
"""

import os
import random
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta

from bench import common

ACCOUNTS = 10
CHECKS_PER_RESOURCE = 10
BATCH = 5000
RATE_TARGET = 5000  # rows per second a 100k export must beat (20 s)
MEMORY_TARGET_MB = 32  # peak Python allocations while streaming, whatever the row count


def seed(rows, rng):
    """`rows` findings over ACCOUNTS accounts, each with its resource and a creation event."""
    from accounts.models import AwsAccount
    from checks.catalog import CATALOG
    from checks.models import Finding, FindingEvent, Resource, Scan

    start = datetime.now(UTC) - timedelta(days=20)
    ids = sorted(CATALOG)
    accounts = AwsAccount.objects.bulk_create([
        AwsAccount(account_id=f"{300000000000 + n:012d}", name=f"bench-{n:02d}", regions=["us-east-1"])
        for n in range(ACCOUNTS)])
    per_account = rows // ACCOUNTS
    for account in accounts:
        scan = Scan.objects.create(account=account, trigger=Scan.Trigger.CLI, status=Scan.State.SUCCEEDED)
        resources = Resource.objects.bulk_create([
            Resource(account=account, uid=f"arn:aws:s3:::bench-{account.account_id}-{n:06d}", type="s3.bucket",
                     region="us-east-1", name=f"bench-{n:06d}", evidence={"encrypted": n % 4 > 0},
                     key_owner="aws_owned", first_seen=start, last_seen=start)
            for n in range(-(-per_account // CHECKS_PER_RESOURCE))], batch_size=BATCH)
        findings = []
        for index in range(per_account):
            resource = resources[index // CHECKS_PER_RESOURCE]
            check = CATALOG[ids[index % CHECKS_PER_RESOURCE * 3 % len(ids)]]
            status = "FAIL" if rng.random() < 0.25 else "PASS"
            findings.append(Finding(
                account=account, check_id=check.id, resource=resource, status=status,
                reason=f"{resource.name}: synthetic {status.lower()} verdict for {check.id}.",
                severity=check.severity, area=check.area, resource_type=resource.type, region=resource.region,
                first_seen=start, last_seen=start, status_since=start, last_scan=scan))
        Finding.objects.bulk_create(findings, batch_size=BATCH)
        FindingEvent.objects.bulk_create([
            FindingEvent(finding=finding, scan=scan, account=account, at=start, new_status=finding.status,
                         reason=finding.reason) for finding in findings], batch_size=BATCH)
    return accounts


def timed(fmt, scope, folder):
    """(rows, wall seconds, CPU seconds of this process) of one export written to a file."""
    from dashboard import reports

    path = os.path.join(folder, f"bench.{fmt}")
    cpu = time.process_time()
    with common.stopwatch() as elapsed:
        count = reports.write(fmt, scope, path, "bench")
    cpu = time.process_time() - cpu
    os.remove(path)
    return count, elapsed(), cpu


def traced_peak_mb(fmt, scope, folder):
    """The peak of Python allocations (tracemalloc) while one export runs."""
    from dashboard import reports

    path = os.path.join(folder, f"bench.{fmt}")
    tracemalloc.start()
    try:
        reports.write(fmt, scope, path, "bench")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    os.remove(path)
    return peak / 1024 / 1024


def main(argv=None):
    parser = common.arguments(__doc__.splitlines()[0], db_default="postgres")
    parser.add_argument("--rows", type=int, default=100_000, help="findings to export (default 100,000)")
    options = parser.parse_args(argv)
    common.setup_django(options.db)
    from django.db import connection

    from dashboard.exports.scope import Scope, parse_as_of

    context = {**common.machine(), "rows": options.rows,
               "load": " ".join(f"{value:.1f}" for value in os.getloadavg()) + " (1, 5, 15 min)"}
    common.print_banner("Exports: CSV and JSON, streamed to a file", context)
    with common.stopwatch() as elapsed:
        accounts = seed(options.rows, random.Random(5))
    if connection.vendor == "postgresql":
        common.analyze()
    print(f"   seeded {options.rows:,} findings in {elapsed():.1f} s")

    as_of = parse_as_of((datetime.now(UTC) - timedelta(days=1)).date())
    tenth = (accounts[0].account_id,)
    figures = []
    with tempfile.TemporaryDirectory(prefix="posture-bench-exports-") as folder:
        for fmt in ("csv", "json"):
            timed(fmt, Scope(accounts=tenth), folder)  # warm up: imports, query plans, caches
            for label, scope in (("current", Scope()), ("as of yesterday", Scope(as_of=as_of))):
                count, seconds, cpu = timed(fmt, scope, folder)
                figures.append(common.Figure(f"{fmt} {label}: rows/s", round(count / seconds), "rows/s",
                                             RATE_TARGET, higher_is_better=True,
                                             note=f"{count:,} rows in {seconds:.1f} s; "
                                                  f"{round(count / max(cpu, 1e-9)):,} rows per CPU second"))
            figures.append(common.Figure(f"{fmt}: peak Python memory, all rows",
                                         round(traced_peak_mb(fmt, Scope(), folder), 1), "MB", MEMORY_TARGET_MB,
                                         note=f"{options.rows:,} rows, tracemalloc"))
            figures.append(common.Figure(f"{fmt}: peak Python memory, a tenth",
                                         round(traced_peak_mb(fmt, Scope(accounts=tenth), folder), 1), "MB",
                                         note="the same as above means constant memory"))
    context["max_rss_mb"] = round(common.max_rss_mb())
    common.print_figures(f"Exports of {options.rows:,} findings ({context['database']})", figures)
    common.save_figures(options.json, "exports", figures, context)
    return 0 if all(figure.verdict != "MISSED" for figure in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
