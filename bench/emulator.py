"""The moto server the scan benchmark runs for both tools: moto's own, less one per-request cost AWS does not have.

To pick the backend that answers a request, moto's server asks `get_backend_for_host(host)`, which lists moto's
package folder (about 170 entries, one `stat` each) before trying the backends' URL patterns — on every request,
under the dispatcher's lock that every request thread takes. That is about 1 ms of the emulator's CPU a request
(of ~3 ms in all once warm) spent on the benchmark machine's two cores beside the tool being measured, and one
request at a time. The answer depends only on the host name, and the folder and the patterns do not change while
the server runs, so this server remembers it per host: the same backend answers every request as before.

It changes nothing either tool sends or receives, and both tools are measured against the same server process;
`bench.scan --stock-moto` runs moto's own `moto_server` instead, for comparison.

    python -m bench.emulator -H 127.0.0.1 -p 5000
"""

import sys

_PATCHED = "_posture_bench_memo"


def remember_backends_per_host():
    """Make moto's dispatcher look each host's backend up once (idempotent)."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    lookup = DomainDispatcherApplication.get_backend_for_host
    if getattr(lookup, _PATCHED, False):
        return

    def get_backend_for_host(self, host):
        known = self.__dict__.setdefault("_backend_by_host", {})
        if host not in known:
            known[host] = lookup(self, host)
        return known[host]

    setattr(get_backend_for_host, _PATCHED, True)
    DomainDispatcherApplication.get_backend_for_host = get_backend_for_host


def main(argv=None):
    from moto import server

    remember_backends_per_host()
    server.main(argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
