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


def test_handler_names_and_error_shapes_are_moto_s_own():
    from moto.core import errors, responses, utils
    from moto.s3.responses import S3Response
    from moto.sqs.responses import SQSResponse

    own_names = set(utils.method_names_from_class(SQSResponse))
    own_service = {
        package: utils.service_name_from_moto_package_name(package) for package in ("s3", "sqs", "cognitoidp")
    }
    s3_model = utils.get_service_model("s3")
    own_shape = errors.ErrorLookupFactory().for_service(s3_model).from_code("NoSuchBucketPolicy")

    emulator.remember_fixed_facts()
    emulator.remember_fixed_facts()
    assert set(responses.method_names_from_class(SQSResponse)) == own_names
    assert "get_queue_attributes" in responses.method_names_from_class(SQSResponse)
    assert responses.method_names_from_class(S3Response) is responses.method_names_from_class(S3Response)
    assert {p: utils.service_name_from_moto_package_name(p) for p in own_service} == own_service
    assert own_service["cognitoidp"] == "cognito-idp" and own_service["sqs"] == "sqs"
    first = errors.ErrorLookupFactory().for_service(s3_model)
    assert first is errors.ErrorLookupFactory().for_service(s3_model)  # one table per service, not per error
    assert first.from_code("NoSuchBucketPolicy").name == own_shape.name
