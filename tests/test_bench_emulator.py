"""bench/emulator.py: the benchmark's moto server picks the same backend for every host as moto's own, once per host."""

from unittest import mock

from moto import backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from bench import emulator

HOSTS = [
    None,
    "moto_api",
    "s3",  # a moto package name
    "s3.us-east-1.amazonaws.com",
    "sts.amazonaws.com",
    "kms.eu-west-1.amazonaws.com",
    "dynamodb.us-east-1.amazonaws.com",
    "monitoring.eu-west-1.amazonaws.com",
    "cloudfront.amazonaws.com",
    "not-a-service.example.com",
]


def test_each_host_gets_the_backend_moto_itself_picks():
    stock = DomainDispatcherApplication(create_backend_app)
    expected = {host: stock.get_backend_for_host(host) for host in HOSTS}
    assert expected["kms.eu-west-1.amazonaws.com"] == "kms"
    assert expected["not-a-service.example.com"] is None

    emulator.remember_backends_per_host()
    emulator.remember_backends_per_host()  # idempotent: never wraps the wrapper
    remembering = DomainDispatcherApplication(create_backend_app)
    with mock.patch.object(backends, "list_of_moto_modules", wraps=backends.list_of_moto_modules) as listing:
        for _ in range(3):
            assert {host: remembering.get_backend_for_host(host) for host in HOSTS} == expected
    # moto lists its package folder for every host it has not seen (None and "moto_api" return before listing)
    assert listing.call_count == len(HOSTS) - 2
