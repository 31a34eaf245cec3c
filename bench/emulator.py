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


def main(argv=None):
    from moto import server

    remember_fixed_facts()
    server.main(argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
