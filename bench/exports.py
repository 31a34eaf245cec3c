"""Exports: CSV and JSON of a million findings, XLSX of 100,000 and the PDF of 50 accounts — speed and memory.

The estate is the pages benchmark's synthetic history (bench/pages.py: accounts with resources of the
catalog's types, one finding per applicable check, about 1% of findings changing status each day,
written with COPY), so exports read what a real database holds, history included. Each export then runs
the way a report job runs it (dashboard.reports.write to a file) in a fresh child process, so its peak
resident memory (RSS, from the kernel when the child ends) is the export's own: Django, the query, the
writer — not the load that came before. Rows per second are rows over the export's wall time.

    python -m bench.exports                 # small: 25 accounts × 800 findings (20,000), 30 days
    python -m bench.exports --full          # 250 accounts × 4,000 findings (1,000,000); XLSX 100,000; PDF 50 accounts
    python -m bench.exports --accounts 100 --findings-per-account 4000 --days 60
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench import common

RATE_TARGET = 100_000  # rows per second for CSV and JSON, at a million rows
MEMORY_TARGET_MB = 200  # peak resident memory of a process writing CSV or JSON (XLSX and PDF: reported)
FULL_ROWS = 1_000_000


# --- the child: one export, timed ---------------------------------------------------------------------


def child(fmt, scope_json, path):
    """Run one export in this (fresh) process against the database the environment names; print figures."""
    for name, value in common.SETTINGS_ENV.items():
        os.environ.setdefault(name, value)
    sys.path.insert(0, str(common.ROOT))
    import django

    django.setup()
    from dashboard import reports
    from dashboard.exports.scope import Scope

    scope = Scope.from_json(json.loads(scope_json))
    cpu = time.process_time()
    with common.stopwatch() as elapsed:
        count = reports.write(fmt, scope, path, "bench")
    seconds, cpu = elapsed(), time.process_time() - cpu
    print(json.dumps({"rows": count, "seconds": seconds, "cpu": cpu, "bytes": Path(path).stat().st_size}))
    return 0


def run_child(fmt, scope, folder, env):
    """(figures the child printed, its peak RSS in MB)."""
    path = os.path.join(folder, f"bench.{fmt}")
    command = [sys.executable, "-m", "bench.exports", "--child", fmt, json.dumps(scope.to_json()), path]
    process = subprocess.Popen(command, cwd=common.ROOT, env=env, stdout=subprocess.PIPE, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"the {fmt} export failed (exit {process.returncode})")
    result = json.loads(output.strip().splitlines()[-1])
    if fmt == "pdf":
        result["pages"] = pdf_pages(path)
    os.remove(path)
    return result, usage.ru_maxrss / 1024  # Linux reports KB


def pdf_pages(path):
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=False).stdout
        for line in info.splitlines():
            if line.startswith("Pages:"):
                return int(line.split()[1])
    return None


# --- the parent: estate, runs, figures ----------------------------------------------------------------


def first_accounts(count):
    from accounts.models import AwsAccount

    return tuple(AwsAccount.objects.order_by("name", "account_id").values_list("account_id", flat=True)[:count])


def main(argv=None):
    parser = common.arguments(__doc__.splitlines()[0], db_default="postgres")
    parser.add_argument("--full", action="store_true", help="1,000,000 findings, XLSX of 100,000, PDF of 50 accounts")
    parser.add_argument("--accounts", type=int, default=25)
    parser.add_argument("--findings-per-account", type=int, default=800)
    parser.add_argument("--days", type=int, default=30, help="days of history (default 30)")
    parser.add_argument("--xlsx-rows", type=int, help="findings in the XLSX (default 100,000, or all if fewer)")
    parser.add_argument("--pdf-accounts", type=int, help="accounts in the PDF (default 50, or all if fewer)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", nargs=3, metavar=("FORMAT", "SCOPE", "PATH"), help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.child:
        return child(*options.child)

    from bench.pages import Size, generate

    size = Size(250, 30, 4000) if options.full else Size(options.accounts, options.days, options.findings_per_account)
    database = common.setup_django(options.db)
    from django.db import connections
    from django.utils import timezone

    from dashboard.exports.scope import Scope, parse_as_of

    context = common.machine()
    common.print_banner(f"exports: {size.describe()}", context)
    now = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    seconds, rows, per_table = generate(size, options.seed, now)
    findings = per_table.get("checks_finding", 0)
    print(f"   {rows:,} rows ({findings:,} findings) in {seconds:.1f} s")

    xlsx_accounts = max(1, min(size.accounts, (options.xlsx_rows or 100_000) // size.findings))
    pdf_accounts = min(size.accounts, options.pdf_accounts or 50)
    yesterday = parse_as_of((timezone.now() - timedelta(days=1)).date())
    runs = [
        ("csv", "current", Scope()),
        ("csv", "as of yesterday", Scope(as_of=yesterday)),
        ("json", "current", Scope()),
        ("json", "as of yesterday", Scope(as_of=yesterday)),
        ("xlsx", f"{xlsx_accounts} accounts", Scope(accounts=first_accounts(xlsx_accounts))),
        ("pdf", f"{pdf_accounts} accounts", Scope(accounts=first_accounts(pdf_accounts))),
    ]
    connections.close_all()  # the children need no competition for the database
    env = {**os.environ, **database.env()}
    judged = findings >= FULL_ROWS
    figures, peaks = [], []
    with tempfile.TemporaryDirectory(prefix="posture-bench-exports-") as folder:
        for fmt, label, scope in runs:
            result, peak = run_child(fmt, scope, folder, env)
            peaks.append((f"{fmt} {label}", peak))
            done = f"in {result['seconds']:.1f} s, {result['bytes'] / 1e6:,.0f} MB file, peak RSS {peak:.0f} MB"
            print(f"   {fmt:<5} {label:<18} {done}", flush=True)
            if fmt in ("csv", "json"):
                rate = result["rows"] / result["seconds"]
                figures.append(
                    common.Figure(
                        f"{fmt} {label}: rows/s",
                        round(rate),
                        "rows/s",
                        RATE_TARGET if judged else None,
                        higher_is_better=True,
                        note=f"{result['rows']:,} rows {done}; {result['rows'] / max(result['cpu'], 1e-9):,.0f} rows "
                        f"per CPU second" + ("" if judged else "; the target applies to 1,000,000 rows (--full)"),
                    )
                )
            elif fmt == "xlsx":
                figures.append(
                    common.Figure(
                        f"xlsx of {result['rows']:,} findings",
                        round(result["seconds"], 1),
                        "s",
                        note=f"{result['rows'] / result['seconds']:,.0f} rows/s, {done}",
                    )
                )
            else:
                figures.append(
                    common.Figure(
                        f"pdf of {pdf_accounts} accounts",
                        round(result["seconds"], 1),
                        "s",
                        note=f"{result['pages'] or '?'} pages, {done}",
                    )
                )
    streamed = [(label, mb) for label, mb in peaks if label.startswith(("csv", "json"))]
    worst_label, worst = max(streamed, key=lambda pair: pair[1])
    figures.append(
        common.Figure(
            "peak memory of a CSV/JSON export (RSS)",
            round(worst),
            "MB",
            MEMORY_TARGET_MB,
            note=f"{worst_label}; " + ", ".join(f"{label} {mb:.0f}" for label, mb in peaks),
        )
    )
    common.print_figures(f"exports ({size.describe()}, {database.vendor})", figures)
    common.save_figures(options.json, "exports", figures, {**context, "size": size.describe()})
    database.drop()
    return 0 if all(figure.verdict != "MISSED" for figure in figures) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
