"""The moto server with a stopwatch: CPU and wall time of every request it answers, by service and operation.

moto answers every request in one Python process (all its threads under one GIL), so on a busy scan its CPU
is what the scan waits for. Run in place of the benchmark's moto server (bench/emulator.py, or moto's own
with $POSTURE_BENCH_STOCK_MOTO), this logs one line per request to $POSTURE_BENCH_MOTO_TIMING: service,
operation, the CPU seconds of the thread that answered it and its wall seconds (on moto's own server from
reading the request line to the last byte written; on bench/emulator.py's, the application's answer: parsing,
moto's work, serializing). Thread CPU leaves out time spent waiting for the GIL, so it holds under load.

    python -m bench.scan --accounts 10 --mode command --moto-timing    # prints the table after each run
    python -m bench.calls --moto-timing

The operation is the one botocore named: `Action` (query protocols), `X-Amz-Target` (JSON protocols), or for
REST protocols (S3, Lambda, EKS …) the operation whose HTTP method and URI template match, found by moto's
own router. The service is the signing name in the Authorization header's credential scope.
"""

import os
import re
import sys
import threading
import time
from collections import defaultdict
from io import BytesIO
from urllib.parse import parse_qs

LOG = "POSTURE_BENCH_MOTO_TIMING"
STOCK = "POSTURE_BENCH_STOCK_MOTO"  # set: moto's dispatcher as it ships, not bench/emulator.py's
SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")
ACTION = re.compile(rb"(?:^|&)Action=([A-Za-z0-9]+)")
SIGNING_TO_MODEL = {"elasticfilesystem": "efs", "es": "opensearch", "tagging": "resourcegroupstaggingapi"}

_current = threading.local()


def service_of(environ):
    found = SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    return found.group(1) if found else "unsigned"


def operation_of(environ, body, service):
    query = parse_qs(environ.get("QUERY_STRING", ""))
    if "Action" in query:
        return query["Action"][0]
    found = ACTION.search(body[:200])
    if found:
        return found.group(1).decode()
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target.rsplit(".", 1)[-1]
    return rest_operation(environ, body, service)


def rest_operation(environ, body, service):
    """The REST operation moto's router matches (method + URI template), else the method and the query's keys."""
    from moto.core.request import Request
    from moto.core.routing import get_service_router

    request = Request({**environ, "wsgi.input": BytesIO(body)})
    try:
        operation, _ = get_service_router(SIGNING_TO_MODEL.get(service, service)).match(request)
        return operation.name
    except Exception:  # noqa: BLE001 - an unmatched request is still timed, under a readable name
        keys = ",".join(sorted(parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)))
        return f"{environ.get('REQUEST_METHOD')} {keys}".strip()


class TimedApp:
    """WSGI middleware: keeps the request for the handler that times it (the body is read once and put back).

    The request is named after its time is taken, so naming it costs the measured request nothing.
    """

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith(PROFILE_PATH):
            return profile_control(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = BytesIO(body)
        _current.request = (dict(environ), body)
        return self.app(environ, start_response)


PROFILE_PATH = "/posture-bench/profile/"  # start | stop?path=FILE (yappi, CPU clock, every thread)


def profile_control(environ, start_response):
    """Start or stop a yappi profile of the whole server (bench/scan.py --moto-profile); not timed."""
    import yappi

    _current.request = None
    if environ["PATH_INFO"].endswith("start"):
        yappi.clear_stats()
        yappi.set_clock_type("cpu")
        yappi.start(builtins=True, profile_threads=True)
    else:
        yappi.stop()
        yappi.get_func_stats().save(parse_qs(environ.get("QUERY_STRING", ""))["path"][0], type="pstat")
        yappi.clear_stats()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def name_of(environ, body):
    service = service_of(environ)
    environ["wsgi.input"] = BytesIO(body)
    return service, operation_of(environ, body, service)


def write_timing(log, lock, cpu, wall):
    """One line of the timing log for the request this thread just answered (none for an untimed one)."""
    if _current.request is None:
        return
    service, operation = name_of(*_current.request)
    with lock:
        log.write(f"{service}\t{operation}\t{cpu:.6f}\t{wall:.6f}\n")
        log.flush()


def timed_handler(base, log):
    lock = threading.Lock()

    class TimedRequestHandler(base):
        def handle_one_request(self):
            _current.request = None
            cpu, wall = time.thread_time(), time.perf_counter()
            super().handle_one_request()
            cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
            write_timing(log, lock, cpu, wall)

    return TimedRequestHandler


class Stopwatch:
    """WSGI middleware around TimedApp: the CPU and wall time of the application's answer, logged per request.

    For bench/emulator.py's server, whose threads answer requests of many connections (timed_handler times
    moto's own server, a thread per connection). The answer is gathered before the clock stops; sending it is
    not timed.
    """

    def __init__(self, app, log):
        self.app = TimedApp(app)
        self.log = log
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        _current.request = None
        cpu, wall = time.thread_time(), time.perf_counter()
        answer = self.app(environ, start_response)
        try:
            body = list(answer)
        finally:
            if hasattr(answer, "close"):
                answer.close()
        write_timing(self.log, self.lock, time.thread_time() - cpu, time.perf_counter() - wall)
        return body


def serve(host, port, log_path):
    os.environ.setdefault("MOTO_PORT", str(port))
    with open(log_path, "a", encoding="utf-8") as log:
        if not os.environ.get(STOCK):
            from bench import emulator

            emulator.serve(host, port, wrap=lambda app: Stopwatch(app, log))
            return
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import run_simple

        app = DomainDispatcherApplication(create_backend_app)
        app.debug = True  # as moto_server runs it
        run_simple(host, port, TimedApp(app), threaded=True, request_handler=timed_handler(MotoRequestHandler, log))


# --- reading the log -----------------------------------------------------------------------------------


def read(path, start=0):
    """{(service, operation): [requests, CPU s, wall s, most CPU s of one]} for the log's lines from byte `start` on."""
    table = defaultdict(lambda: [0, 0.0, 0.0, 0.0])
    with open(path, encoding="utf-8") as log:
        log.seek(start)
        for line in log:
            service, operation, cpu, wall = line.rstrip("\n").split("\t")
            row = table[service, operation]
            row[0] += 1
            row[1] += float(cpu)
            row[2] += float(wall)
            row[3] = max(row[3], float(cpu))
    return dict(table)


def print_table(table, top=40, title="moto server time by operation"):
    requests = sum(row[0] for row in table.values()) or 1
    cpu = sum(row[1] for row in table.values()) or 1e-9
    print(f"\n   {title}: {requests:,} requests, {cpu:.1f} s CPU ({cpu / requests * 1000:.1f} ms a request)")
    print(
        f"   {'service:operation':<48} {'requests':>8} {'CPU s':>7} {'share':>6} {'ms/req':>7} {'max ms':>7} "
        f"{'wall ms/req':>11}"
    )
    rows = sorted(table.items(), key=lambda item: -item[1][1])
    for (service, operation), (count, seconds, wall, most) in rows[:top]:
        print(
            f"   {service + ':' + operation:<48} {count:>8,} {seconds:>7.2f} {seconds / cpu:>6.1%} "
            f"{seconds / count * 1000:>7.2f} {most * 1000:>7.1f} {wall / count * 1000:>11.2f}"
        )
    if len(rows) > top:
        rest = rows[top:]
        print(
            f"   {f'({len(rest)} more operations)':<48} {sum(r[0] for _, r in rest):>8,} "
            f"{sum(r[1] for _, r in rest):>7.2f} {sum(r[1] for _, r in rest) / cpu:>6.1%}"
        )
    sys.stdout.flush()


def print_profile(path, top=30):
    """The profile's functions by own CPU time, then by CPU time including what they call."""
    import pstats

    stats = pstats.Stats(path)
    print(f"\n   moto server CPU profile ({path}), by own time:")
    stats.sort_stats("tottime").print_stats(top)
    print("   by time including callees:")
    stats.sort_stats("cumulative").print_stats(top)
    sys.stdout.flush()


def main(argv):
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    parser.add_argument("--print", metavar="LOG", help="print the table of a timing log and exit")
    options = parser.parse_args(argv)
    if options.print:
        print_table(read(options.print))
        return
    serve(options.host, options.port, os.environ[LOG])


if __name__ == "__main__":
    main(sys.argv[1:])
