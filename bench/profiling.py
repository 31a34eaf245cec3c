"""Where a scan's CPU goes: yappi (every thread, CPU clock) over a bench run, summed into a few buckets.

    python -m bench.scan --accounts 11 --resources 250 --mode command --profile var/scan.pstat

prints the buckets and the top functions by own CPU time; the pstat file opens with `python -m pstats` or
snakeviz. Waiting on AWS is what wall time leaves over: it uses no CPU, so it is not in the profile.
"""

from contextlib import contextmanager

# (bucket, path fragments of the functions whose own time it sums); the first match wins.
BUCKETS = (
    (
        "making clients (botocore models, endpoints, hooks)",
        (
            "botocore/client",
            "botocore/loaders",
            "botocore/model",
            "botocore/regions",
            "botocore/endpoint_provider",
            "botocore/hooks",
            "botocore/session",
            "boto3/session",
            "botocore/configprovider",
            "botocore/credentials",
            "botocore/utils",
            "botocore/docs",
            "botocore/waiter",
            "botocore/paginate",
        ),
    ),
    (
        "parsing responses",
        ("botocore/parsers", "xml/etree", "xmlparser", "pyexpat", "dateutil", "botocore/compat", "json/"),
    ),
    (
        "building, signing, sending requests",
        ("botocore/", "urllib3/", "http/client", "socket", "ssl", "email/", "http/", "urllib/"),
    ),
    ("evaluation (checks)", ("checks/catalog", "checks/evaluation", "checks/inventory", "checks/policies")),
    ("recording (database)", ("checks/recording", "checks/scoring", "checks/history", "django/db", "psycopg")),
    ("collectors (our code)", ("checks/collectors", "checks/scanning", "accounts/")),
    ("threads and queues", ("threading", "concurrent/", "queue")),
)


def bucket_of(path):
    for name, fragments in BUCKETS:
        if any(fragment in path for fragment in fragments):
            return name
    return "other"


@contextmanager
def cpu_profile(path):
    """Profile every thread's CPU while the block runs; save a pstat file at `path` and print a summary."""
    import yappi

    yappi.clear_stats()
    yappi.set_clock_type("cpu")
    yappi.start(builtins=True, profile_threads=True)
    try:
        yield
    finally:
        yappi.stop()
        stats = yappi.get_func_stats()
        stats.save(str(path), type="pstat")
        summarize(stats)
        yappi.clear_stats()


def summarize(stats, top=25):
    totals, functions = {}, []
    for entry in stats:
        where = f"{entry.module}:{entry.lineno}"
        totals[bucket_of(entry.module)] = totals.get(bucket_of(entry.module), 0.0) + entry.tsub
        functions.append((entry.tsub, entry.ncall, f"{entry.name} ({where})"))
    whole = sum(totals.values()) or 1.0
    print(f"   CPU profile (yappi, every thread): {whole:.1f} s")
    for name, seconds in sorted(totals.items(), key=lambda item: -item[1]):
        print(f"     {seconds:7.1f} s  {seconds / whole:4.0%}  {name}")
    print("   top functions by own CPU time:")
    for seconds, calls, name in sorted(functions, reverse=True)[:top]:
        print(f"     {seconds:7.2f} s  {calls:>9,} calls  {name[-110:]}")
