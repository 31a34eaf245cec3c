"""`make bench`: every benchmark with small defaults (a few minutes on a 2-core machine), then a summary.

Each benchmark runs in its own process (its own scratch database, its own peak memory) and prints its
figures; the summary lists them all against their targets and is also written as a Markdown table to
var/bench/latest.md. `--full` runs the sizes the targets are stated for (much longer).

    python -m bench.run_all                    # small: minutes
    python -m bench.run_all --full             # the issue's sizes: ~2M findings, 4/10/11-account estates with Prowler
    python -m bench.run_all --only pages,ingest
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import common

# (label, module, small arguments, full-size arguments; None: not in that run). exports.py belongs to the
# reports engineer: run if present. Both runs scan every estate size (wall, requests per resource, CPU, peak RSS);
# the full run also scans each with Prowler (bench/prowler.py).
LARGE_ESTATE = ("--accounts", "11", "--resources", "250")
BENCHES = (
    ("ingest", "ingest", ["--repeat", "2"], ["--repeat", "3"]),
    ("pages", "pages", ["--requests", "10", "--warmup", "2"], ["--full", "--requests", "40"]),
    ("scan", "scan", ["--accounts", "4", "--workers", "1,2"], ["--accounts", "4", "--mode", "command", "--prowler"]),
    ("scan-10", "scan", ["--accounts", "10", "--mode", "command"], ["--prowler"]),
    ("scan-11", "scan", [*LARGE_ESTATE, "--mode", "command"], [*LARGE_ESTATE, "--mode", "command", "--prowler"]),
    ("exports", "exports", [], ["--full"]),
)


def run(name, module, arguments, folder):
    """Run one benchmark; returns (seconds, its saved figures or None, exit code)."""
    output = Path(folder) / f"{name}.json"
    command = [sys.executable, "-m", f"bench.{module}", *arguments, "--json", str(output)]
    print(f"\n##### {' '.join(command[1:])}", flush=True)
    started = time.perf_counter()
    code = subprocess.call(command, cwd=common.ROOT)
    seconds = time.perf_counter() - started
    saved = json.loads(output.read_text()) if output.exists() else None
    return seconds, saved, code


def summary_rows(results):
    for name, (seconds, saved, code) in results.items():
        if saved is None:
            yield name, "(no figures: the benchmark failed)", f"exit {code}", "", ""
            continue
        for figure in saved["figures"]:
            shown = common.Figure(**figure)
            yield name, shown.name, f"{common.number(shown.value)} {shown.unit}", shown.target_text(), shown.verdict
        yield name, "(benchmark run time, setup included)", f"{seconds:.0f} s", "", ""


def markdown(results, context, total):
    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} on {context.get('cpu', '?')}, {context.get('memory_gb')} GB, "
        f"Python {context.get('python')}, Django {context.get('django')}, {context.get('database')}; "
        f"load {context.get('load', '?')}. All benchmarks: {total:.0f} s.",
        "",
        "| benchmark | figure | measured | target | |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [f"| {' | '.join(row)} |" for row in summary_rows(results)]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the sizes the targets are stated for (long)")
    parser.add_argument(
        "--only", help="comma-separated benchmark names (ingest, pages, scan, scan-10, scan-11, exports)"
    )
    options = parser.parse_args(argv)
    chosen = set(options.only.split(",")) if options.only else None
    started, results = time.perf_counter(), {}
    with tempfile.TemporaryDirectory(prefix="posture-bench-") as folder:
        for name, module, small, full in BENCHES:
            arguments = full if options.full else small
            if (chosen and name not in chosen) or arguments is None:
                continue
            if not (common.ROOT / "bench" / f"{module}.py").exists():
                print(f"\n##### bench/{module}.py is not here yet; skipped")
                continue
            results[name] = run(name, module, arguments, folder)
    total = time.perf_counter() - started
    context = next((saved["context"] for _, saved, _ in results.values() if saved), {})
    table = markdown(results, context, total)
    print("\n##### summary\n")
    print(table)
    target = common.ROOT / "var" / "bench" / ("latest-full.md" if options.full else "latest.md")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(table)
    print(f"(also written to {target.relative_to(common.ROOT)})")
    return 1 if any(code != 0 and saved is None for _, saved, code in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
