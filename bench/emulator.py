"""The moto server the scan benchmark runs for both tools: moto's own, without re-deriving fixed facts per request.

moto works out, again for each request it answers, facts that cannot change while the server runs. On the
benchmark's two cores that CPU is spent beside the tool being measured, and AWS spends none of it on the
caller's machine. This server works each out once (moto 5.2.5; `python -m bench.scan --moto-profile` shows
them):

- **Which backend answers a host.** `get_backend_for_host` lists moto's package folder (~170 entries, a
  `stat` each) before trying the backends' URL patterns — under the dispatcher's lock that every request
  takes: ~1 ms a request. Remembered per host name.
- **Which handler methods a response class has.** `call_action` lists the class's members with
  `inspect.getmembers` on every query-protocol request (~0.04 ms). Remembered per class.
- **How an error is shaped.** Each error response makes a new `ErrorLookupFactory`, whose cache lives on the
  instance, so every error rebuilds its service's table of error shapes; and the first error of each service
  lists every botocore service folder to map moto's package name to a service name (~22 ms of CPU), once per
  thread that errs before the first answer is cached: a tool whose first calls draw many errors at once (S3
  buckets without a policy, encryption or Block Public Access setting) paid most of a second of the emulator's CPU
  that the next tool found done. The tables are kept per service and the name map built once, at start.

Every request gets the same answer as from moto's own server; nothing either tool sends or receives
changes, and both tools are measured against the same server process. `bench.scan --stock-moto` runs moto's
own `moto_server` instead, for comparison.

    python -m bench.emulator -H 127.0.0.1 -p 5000
"""

import sys
import threading

_PATCHED = "_posture_bench_once"


def _once(function):
    setattr(function, _PATCHED, True)
    return function


def _patched(function):
    return getattr(function, _PATCHED, False)


def remember_backends_per_host():
    """moto's dispatcher looks each host's backend up once (called under the dispatcher's own lock)."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    lookup = DomainDispatcherApplication.get_backend_for_host
    if _patched(lookup):
        return

    @_once
    def get_backend_for_host(self, host):
        known = self.__dict__.setdefault("_backend_by_host", {})
        if host not in known:
            known[host] = lookup(self, host)
        return known[host]

    DomainDispatcherApplication.get_backend_for_host = get_backend_for_host


def remember_handler_names():
    """moto's responses list a response class's handler methods once per class, not once per request."""
    from moto.core import responses

    listing = responses.method_names_from_class
    if _patched(listing):
        return
    known = {}

    @_once
    def method_names_from_class(clazz):
        names = known.get(clazz)
        if names is None:
            names = known[clazz] = frozenset(listing(clazz))
        return names

    responses.method_names_from_class = method_names_from_class


def remember_error_shapes():
    """Error responses share one table of error shapes per service and one package-to-service name map."""
    from moto.core import errors, utils

    if _patched(utils.service_name_from_moto_package_name):
        return
    tables = {}
    lock = threading.Lock()
    for_service = errors.ErrorLookupFactory.for_service

    @_once
    def shared_for_service(self, service_model):
        key = service_model.metadata.get("serviceId")
        if key is None:
            return for_service(self, service_model)
        with lock:
            if key not in tables:
                tables[key] = for_service(self, service_model)
            return tables[key]

    # moto's own rule (moto.core.utils.service_name_from_moto_package_name): botocore's service names, hyphens
    # dropped, map back to the name; built once at start instead of at the first error of each service.
    from botocore.session import Session

    service_names = {name.replace("-", ""): name for name in Session().get_available_services()}

    @_once
    def service_name_from_moto_package_name(package):
        return service_names.get(package, package)

    errors.ErrorLookupFactory.for_service = shared_for_service
    utils.service_name_from_moto_package_name = service_name_from_moto_package_name


def remember_fixed_facts():
    remember_backends_per_host()
    remember_handler_names()
    remember_error_shapes()


def main(argv=None):
    from moto import server

    remember_fixed_facts()
    server.main(argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
