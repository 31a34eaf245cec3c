"""What the benchmarks share: Django on a scratch database, a banner, peak memory, percentiles, results.

Benchmarks never touch the developer's own database: each run creates a scratch one (a temporary
SQLite file, or a PostgreSQL database named posture_bench_<pid> on 127.0.0.1 with trust
authentication), migrates it, and drops it when the process exits.
"""

import argparse
import atexit
import json
import os
import platform
import resource
import shutil
import socket
import sys
import tempfile
import threading
import time
import warnings
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}

# Settings are read from the environment at import: production-like (DEBUG off), safe for a bench.
SETTINGS_ENV = {
    "DJANGO_SETTINGS_MODULE": "posture.settings",
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-secret-key-never-used-for-anything-real",
    "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false",
    "CELERY_BROKER_URL": "memory://",
    "LOG_LEVEL": "WARNING",
    # moto accepts any credentials; these are no one's.
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


# --- results ----------------------------------------------------------------------------------------


@dataclass
class Figure:
    """One measured figure, and the target it is held to (None: reported, not judged)."""

    name: str
    value: float
    unit: str
    target: float | None = None
    higher_is_better: bool = False
    note: str = ""

    @property
    def verdict(self):
        if self.target is None:
            return ""
        met = self.value >= self.target if self.higher_is_better else self.value <= self.target
        return "met" if met else "MISSED"

    def target_text(self):
        if self.target is None:
            return ""
        return f"{'≥' if self.higher_is_better else '≤'} {number(self.target)} {self.unit}"


def number(value):
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"


def print_figures(title, figures):
    print(f"\n{title}")
    width = max(len(figure.name) for figure in figures) if figures else 10
    for figure in figures:
        line = f"  {figure.name:<{width}}  {number(figure.value):>12} {figure.unit:<8}"
        if figure.target is not None:
            line += f"  target {figure.target_text():<16} {figure.verdict}"
        if figure.note:
            line += f"  ({figure.note})"
        print(line)


def save_figures(path, bench, figures, context):
    """Append this benchmark's figures to a JSON file (run_all reads them back for its summary)."""
    if not path:
        return
    Path(path).write_text(
        json.dumps({"bench": bench, "context": context, "figures": [asdict(figure) for figure in figures]}, indent=1)
    )


def arguments(description, db_default):
    """An argument parser with the flags every benchmark shares."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--db",
        choices=("sqlite", "postgres"),
        default=os.environ.get("DB") or db_default,
        help=f"database for the run (default {db_default}; a scratch database, dropped after)",
    )
    parser.add_argument("--json", help="also write the figures to this JSON file")
    return parser


# --- the machine ------------------------------------------------------------------------------------


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def memory_total_gb():
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def database_version():
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


def machine():
    """The facts a figure is meaningless without (call after setup_django)."""
    import django

    return {
        "host": platform.node(),
        "cpu": f"{cpu_model()} × {os.cpu_count()}",
        "memory_gb": memory_total_gb(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": database_version(),
        "load": f"{load_average():.1f} (1-minute load average when the run began)",
    }


def print_banner(title, context):
    print(f"== {title}")
    for key, value in context.items():
        print(f"   {key:<10} {value}")
    sys.stdout.flush()


# --- Django on a scratch database -------------------------------------------------------------------


def postgres_available():
    try:
        import psycopg

        with psycopg.connect(dbname="postgres", connect_timeout=3, **PG):
            return True
    except Exception:  # noqa: BLE001 - any failure means "not here"
        return False


@dataclass
class Database:
    vendor: str  # "sqlite" or "postgres"
    name: str  # the PostgreSQL database, or the SQLite file
    folder: str = ""
    kept: bool = False  # a database named with --keep: reused, never dropped
    dropped: bool = field(default=False, repr=False)

    def env(self):
        """The variables that point another process (a Celery worker) at this database."""
        if self.vendor == "postgres":
            return {
                "DB": "postgres",
                "DB_NAME": self.name,
                "DB_HOST": PG["host"],
                "DB_PORT": str(PG["port"]),
                "DB_USER": PG["user"],
                "DB_PASSWORD": "",
                "DB_CONN_MAX_AGE": "60",
            }
        return {"DB": "sqlite", "SQLITE_PATH": self.name}

    def exists(self):
        return bool(admin_fetch("SELECT 1 FROM pg_database WHERE datname = %s", [self.name]))

    def label(self):
        """The comment a kept database carries (what was seeded into it), or ""."""
        rows = admin_fetch(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [self.name]
        )
        return (rows[0][0] or "") if rows else ""

    def set_label(self, text):
        admin(f"COMMENT ON DATABASE \"{self.name}\" IS '{text.replace(chr(39), chr(39) * 2)}'")

    def drop(self):
        if self.dropped or self.kept:
            return
        self.dropped = True
        from django.db import connections

        connections.close_all()
        if self.vendor == "postgres":
            admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        else:
            shutil.rmtree(self.folder, ignore_errors=True)


def admin(statement):
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as connection:
        connection.execute(statement)


def admin_fetch(query, params):
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as connection:
        return connection.execute(query, params).fetchall()


def setup_django(vendor="sqlite", quiet=False, keep=None):
    """Point Django at a fresh, migrated scratch database; it is dropped when the process exits.

    `keep`: the name of a PostgreSQL database to create if missing, reuse if present, and leave in
    place (a seeded history is then measured again without seeding it again).
    """
    for name, value in SETTINGS_ENV.items():
        os.environ.setdefault(name, value)
    if vendor == "postgres":
        if not postgres_available():
            raise SystemExit("PostgreSQL does not answer on 127.0.0.1:5432 (trust auth); run with --db sqlite.")
        database = Database("postgres", keep or f"posture_bench_{os.getpid()}", kept=bool(keep))
        if not keep:
            admin(f'DROP DATABASE IF EXISTS "{database.name}"')
        if not database.exists():
            admin(f'CREATE DATABASE "{database.name}"')
    elif keep:
        raise SystemExit("--keep needs PostgreSQL (--db postgres).")
    else:
        folder = tempfile.mkdtemp(prefix="posture-bench-")
        database = Database("sqlite", str(Path(folder) / "bench.sqlite3"), folder)
    os.environ.update(database.env())
    if not keep:
        atexit.register(database.drop)
    # WhiteNoise warns that var/staticfiles is missing: a bench serves no static files.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    django.setup()
    # No collectstatic in a bench: plain static storage, so {% static %} needs no manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if not quiet:
        print(f"   migrated a scratch {vendor} database in {time.perf_counter() - started:.1f} s")
    return database


@contextmanager
def scratch_database(name):
    """Django's default connection on a fresh, migrated PostgreSQL database `name` for the block; dropped after."""
    from django.core.management import call_command
    from django.db import connection

    kept = connection.settings_dict["NAME"]
    admin(f'DROP DATABASE IF EXISTS "{name}"')
    admin(f'CREATE DATABASE "{name}"')
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        call_command("migrate", verbosity=0)
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = kept
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def empty_tables(*models):
    """Delete every row of `models` fast (TRUNCATE on PostgreSQL), children first."""
    from django.db import connection

    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - table names from model metadata


def analyze():
    """Fresh planner statistics after a bulk load (autovacuum would get there, later)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- measuring --------------------------------------------------------------------------------------


def percentile(values, pct):
    """The pct-th percentile by linear interpolation between closest ranks (values need not be sorted)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def rss_mb(pid):
    """Resident memory of one process in MB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def descendants(pid):
    """The process ids below `pid` (a Celery worker's pool children), from /proc."""
    children = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class PeakMemory:
    """Samples resident memory every 20 ms while open: of process trees (default: this one and its children).

    ru_maxrss is a whole-life high-water mark; sampling gives the peak of one phase, and of the sum
    over a worker and its pool children at the same instant. `exclude`: trees not to count (a server).
    """

    def __init__(self, pids=None, exclude=(), interval=0.02, roots=True):
        self.pids = pids or [os.getpid()]
        self.exclude = exclude
        self.roots = roots  # False: count only the processes below `pids` (the children a bench starts)
        self.interval = interval
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def tree(self):
        pids = set(self.pids) if self.roots else set()
        for root in self.pids:
            pids.update(descendants(root))
        for root in self.exclude:
            pids.discard(root)
            pids.difference_update(descendants(root))
        return pids

    def sample(self, pids=None):
        return sum(rss_mb(pid) for pid in (self.tree() if pids is None else pids))

    def _run(self):
        pids, refreshed = self.tree(), time.monotonic()
        while not self._stop.is_set():
            if time.monotonic() - refreshed > 0.5:  # walking /proc is not free: find new children twice a second
                pids, refreshed = self.tree(), time.monotonic()
            self.peak_mb = max(self.peak_mb, self.sample(pids))
            self._stop.wait(self.interval)

    def __enter__(self):
        self.peak_mb = self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, self.sample())


def max_rss_mb():
    """This process's lifetime peak resident memory (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds(pid, reaped_children=False):
    """User + system CPU seconds a process has used (plus its reaped children's, if asked), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])
        if reaped_children:
            ticks += int(fields[13]) + int(fields[14])
        return ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def children_cpu_seconds():
    """User + system CPU seconds of this process's children that have ended (and were waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def tree_cpu_seconds(pid):
    """CPU seconds of a process, its live descendants and every child they reaped."""
    return sum(cpu_seconds(member, reaped_children=True) for member in [pid, *descendants(pid)])


def database_cpu_seconds():
    """CPU seconds the database has spent on this connection (PostgreSQL on this machine; 0 for SQLite,
    whose work is already this process's CPU). With process_time(), a figure the machine's load does
    not inflate the way it inflates wall time."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cpu_seconds(cursor.fetchone()[0])


@contextmanager
def cpu_meter():
    """`with cpu_meter() as used: ...; used()` → (CPU s of this process, CPU s of its database backend)."""
    process, database = time.process_time(), database_cpu_seconds()
    ended = []

    def used():
        return ended[0] if ended else (time.process_time() - process, database_cpu_seconds() - database)

    try:
        yield used
    finally:
        ended.append((time.process_time() - process, database_cpu_seconds() - database))


def load_average():
    """The 1-minute load average: on a shared 2-core machine, wall times above ~2 are inflated by others."""
    return os.getloadavg()[0]


@contextmanager
def stopwatch():
    """`with stopwatch() as elapsed: ...; elapsed()` → seconds since the block began."""
    started = time.perf_counter()
    ended = []

    def elapsed():
        return (ended[0] if ended else time.perf_counter()) - started

    try:
        yield elapsed
    finally:
        ended.append(time.perf_counter())


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
