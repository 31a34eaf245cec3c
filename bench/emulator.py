"""The moto server the scan benchmark runs for both tools: moto's own application, served as AWS serves.

Two things in moto's own server (`moto_server`) cost CPU on the benchmark's two cores, beside the tool being
measured, that AWS spends on its own machines or not at all:

- **A new connection for every request.** moto's server is werkzeug's development server, which answers with
  `Connection: close`: each request costs the caller a new TCP connection (socket, connect, close) and the
  server a new thread. AWS keeps HTTP/1.1 connections open and botocore reuses them. This server is cheroot's
  (a pool of THREADS threads; idle connections wait in its selector), keeping connections open. An exception
  in moto (an operation it lacks, such as ec2:GetEbsDefaultKmsKeyId) is answered at once with werkzeug's own
  500 page, as moto's server answers it (cheroot alone would wait a second before closing).
- **Fixed facts worked out again per request** (moto 5.2.5; `python -m bench.scan --moto-profile` shows them):
  - *Which backend answers a host.* `get_backend_for_host` lists moto's package folder (~170 entries, a
    `stat` each) before trying the backends' URL patterns, under the dispatcher's lock that every request
    takes: ~1 ms a request. Remembered per host name.
  - *Which handler methods a response class has.* `call_action` lists the class's members with
    `inspect.getmembers` on every query-protocol request (~0.04 ms). Remembered per class.
  - *How an error is shaped.* Each error response makes a new `ErrorLookupFactory`, whose cache lives on the
    instance, so every error rebuilds its service's table of error shapes; and the first error of each service
    lists every botocore service folder to map moto's package name to a service name (~22 ms of CPU), once per
    thread that errs before the first answer is cached. The tables are kept per service and the name map built
    once, at start.

Every request gets the same answer as from moto's own server and is logged in its format (one line each, which
`bench.scan` counts); both tools are measured against the same server process. `bench.scan --stock-moto` runs
moto's own `moto_server` instead, for comparison.

    python -m bench.emulator -H 127.0.0.1 -p 5000
"""

import os
import sys
import threading
import time
import traceback

from werkzeug.exceptions import InternalServerError

THREADS = 32
_PATCHED = "_posture_bench_once"


def remember(owner, name, key=lambda *args: args):
    """Replace `owner.name` by the same function answering each `key(*args)` once (a second call changes nothing).

    Two threads asking at once may both work the answer out: it is the same answer, so either is kept.
    """
    work = getattr(owner, name)
    if getattr(work, _PATCHED, False):
        return
    answers = {}

    def remembered(*args):
        found = key(*args)
        if found not in answers:
            answers[found] = work(*args)
        return answers[found]

    setattr(remembered, _PATCHED, True)
    setattr(owner, name, remembered)


def remember_backends_per_host():
    """moto's dispatcher looks each host's backend up once per dispatcher."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    remember(DomainDispatcherApplication, "get_backend_for_host", key=lambda dispatcher, host: (dispatcher, host))


def remember_handler_names():
    """moto's responses list a response class's handler methods once per class, not once per request."""
    from moto.core import responses

    remember(responses, "method_names_from_class")


def remember_error_shapes():
    """Error responses share one table of error shapes per service and one package-to-service name map."""
    from moto.core import errors, utils

    # A model without a service id is its own key, as moto leaves such tables uncached.
    remember(errors.ErrorLookupFactory, "for_service", key=lambda _, model: model.metadata.get("serviceId") or model)
    if getattr(utils.service_name_from_moto_package_name, _PATCHED, False):
        return
    # moto's own rule (moto.core.utils.service_name_from_moto_package_name): botocore's service names, hyphens
    # dropped, map back to the name; built once at start instead of at the first error of each service.
    from botocore.session import Session

    service_names = {name.replace("-", ""): name for name in Session().get_available_services()}

    def service_name_from_moto_package_name(package):
        return service_names.get(package, package)

    setattr(service_name_from_moto_package_name, _PATCHED, True)
    utils.service_name_from_moto_package_name = service_name_from_moto_package_name


def remember_fixed_facts():
    remember_backends_per_host()
    remember_handler_names()
    remember_error_shapes()


class RequestLog:
    """WSGI middleware: one line per request answered, in the format of moto's own server (werkzeug's log).

    `bench.scan` counts the lines to count each tool's requests, so the count is the same whichever server runs.
    """

    def __init__(self, app, stream):
        self.app = app
        self.stream = stream
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        def logged(status, headers, exc_info=None):
            when = time.strftime("%d/%b/%Y %H:%M:%S")
            path = environ.get("PATH_INFO", "") + (f"?{environ['QUERY_STRING']}" if environ.get("QUERY_STRING") else "")
            line = (
                f'{environ.get("REMOTE_ADDR", "-")} - - [{when}] "{environ["REQUEST_METHOD"]} {path} '
                f'{environ.get("SERVER_PROTOCOL", "HTTP/1.1")}" {status.split(" ", 1)[0]} -\n'
            )
            with self.lock:
                self.stream.write(line)
                self.stream.flush()
            return start_response(status, headers, exc_info)

        try:
            return self.app(environ, logged)
        except Exception:  # noqa: BLE001 - answered as moto's own server answers it (an operation moto lacks)
            traceback.print_exc()
            return InternalServerError()(environ, logged)


def serve(host, port, wrap=lambda app: app, threads=THREADS):
    """moto's application behind a server that keeps connections alive, as AWS's endpoints do (HTTP/1.1).

    moto's own server (werkzeug's development server) closes the connection after every response, so each
    request costs both sides a new TCP connection and the server a new thread; AWS keeps connections open and
    botocore reuses them. cheroot's pool of `threads` answers requests; idle connections wait in its selector.
    """
    from cheroot import wsgi
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    os.environ.setdefault("MOTO_PORT", str(port))
    remember_fixed_facts()
    app = DomainDispatcherApplication(create_backend_app)
    app.debug = True  # as moto_server runs it
    server = wsgi.Server((host, port), wrap(RequestLog(app, sys.stderr)), numthreads=threads, server_name="moto")
    server.keep_alive_conn_limit = None  # every client connection may stay open between requests
    server.timeout = 60  # seconds an idle connection is kept
    server.safe_start()  # until SIGTERM ends the process, or Ctrl-C stops the server


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=THREADS, help=f"threads answering requests (default {THREADS})")
    options = parser.parse_args(argv)
    serve(options.host, options.port, threads=options.threads)


if __name__ == "__main__":
    main()
