"""Where a scan's AWS calls go: every call of an in-process scan of bench/scan.py's estate, by API.

Builds the estate of bench/scan.py on its own moto server, scans each account once in this process
(no pool: the call logs are read in place) and prints, per service and operation, how many calls the
scans made, how many per account and region (a listing costs 1 there whatever the region holds) and
how many per resource of the scan. Then the resources by type, and calls per resource overall (the
figure bench/scan.py prints).

    python -m bench.calls                              # 4 accounts × 2 regions × 60 resources
    python -m bench.calls --accounts 10 --json calls.json
"""

import sys
from collections import Counter

from bench import common
from bench import scan as scan_bench


def scan_and_log(account_pks):
    """Run one scan per account in this process; returns ({(service, operation): calls}, [scan ids])."""
    from accounts.models import AwsAccount
    from checks import scanning
    from checks.models import Scan

    calls = Counter()
    collect_all = scanning.collect_all

    def collect_and_count(ctx, *args, **kwargs):
        result = collect_all(ctx, *args, **kwargs)
        for (service, _region, operation, _request), count in ctx.call_log.calls.items():
            calls[service, operation] += count
        return result

    scanning.collect_all = collect_and_count
    try:
        scans = []
        for account in AwsAccount.objects.filter(pk__in=account_pks):
            scan = Scan.queue(account, Scan.Trigger.CLI)
            scanning.run_scan(scan)
            scans.append(scan.pk)
    finally:
        scanning.collect_all = collect_all
    return calls, scans


def type_counts(scans):
    from django.db.models import Count

    from checks.models import Resource, Scan

    accounts = Scan.objects.filter(pk__in=scans).values("account")
    rows = Resource.objects.filter(account__in=accounts).values("type").annotate(count=Count("id"))
    return Counter({row["type"]: row["count"] for row in rows})


def print_breakdown(calls, types, resources, account_regions):
    total = sum(calls.values())
    print(f"\n   {'service:operation':<52} {'calls':>7} {'per acct·region':>16} {'per resource':>13}")
    for (service, operation), count in sorted(calls.items(), key=lambda item: (-item[1], item[0])):
        print(
            f"   {service + ':' + operation:<52} {count:>7} {count / account_regions:>16.1f} {count / resources:>13.3f}"
        )
    print(f"   {'all':<52} {total:>7} {total / account_regions:>16.1f} {total / resources:>13.3f}")
    print(f"\n   {'resource type':<40} {'resources':>9}")
    for resource_type, count in sorted(types.items(), key=lambda item: (-item[1], item[0])):
        print(f"   {resource_type:<40} {count:>9}")
    print(f"   {'all (what a scan counts)':<40} {resources:>9}")
    sys.stdout.flush()


def main(argv=None):
    parser = common.arguments(__doc__.splitlines()[0], db_default="postgres")
    parser.add_argument("--accounts", type=int, default=4)
    parser.add_argument("--regions", type=int, default=2, help=f"1–{len(scan_bench.ALL_REGIONS)} (default 2)")
    parser.add_argument("--resources", type=int, default=60, help="resources per account and region (default 60)")
    scan_bench.estate_option(parser)
    parser.add_argument(
        "--moto-timing", action="store_true", help="also print the moto server CPU per operation (bench/moto_timing.py)"
    )
    options = parser.parse_args(argv)
    regions = scan_bench.ALL_REGIONS[: options.regions]
    database = common.setup_django(options.db)
    context = {**common.machine(), "moto": scan_bench.moto_version()}
    common.print_banner(
        f"calls: {options.accounts} accounts × {len(regions)} regions × {options.resources} resources", context
    )
    moto = scan_bench.Moto(timing=options.moto_timing)
    try:
        ids = scan_bench.build_estate(options.accounts, regions, options.resources, scan_bench.ESTATES[options.estate])
        if options.moto_timing:
            print(f"   warmed the moto server up: {scan_bench.warm_up(moto):.1f} s of its CPU")
        mark = moto.timing_mark()
        calls, scans = scan_and_log(scan_bench.register_accounts(ids, regions))
        moto.print_timing(mark, "moto server time by operation, the scans")
    finally:
        moto.stop()
    from checks.models import Scan

    resources = sum(Scan.objects.filter(pk__in=scans).values_list("resource_count", flat=True))
    print_breakdown(calls, type_counts(scans), resources, options.accounts * len(regions))
    figures = [
        common.Figure("API calls per resource", round(sum(calls.values()) / resources, 3), "calls"),
        *(
            common.Figure(f"{service}:{operation}", count, "calls")
            for (service, operation), count in sorted(calls.items())
        ),
    ]
    common.save_figures(options.json, "calls", figures, context)
    database.drop()
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
