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


# --- the server: connections kept open, requests logged as moto's own server logs them ------------------------

import http.client  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import boto3  # noqa: E402
import pytest  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

from bench import common  # noqa: E402
from bench.scan import REQUEST_LINE  # noqa: E402
from tests.project import PROJECT_ROOT  # noqa: E402

SIGNED_EC2 = {
    "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, "
    "Signature=0",
    "Content-Type": "application/x-www-form-urlencoded",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`python -m bench.emulator` on a free port, as bench.scan starts it; yields (url, path of its request log)."""
    port = common.free_port()
    log = tmp_path_factory.mktemp("emulator") / "requests.log"
    with open(log, "wb") as stream:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.emulator", "-H", "127.0.0.1", "-p", str(port)],
            cwd=PROJECT_ROOT,
            env={**os.environ, "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"},
            stdout=subprocess.DEVNULL,
            stderr=stream,
        )
    try:
        for _ in range(200):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/moto-api/")
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the emulator did not start")
        yield f"http://127.0.0.1:{port}", log
    finally:
        process.terminate()
        process.wait(timeout=10)


def logged_requests(log):
    return [line for line in log.read_bytes().splitlines() if REQUEST_LINE.match(line)]


def test_connections_stay_open_between_requests(server):
    url, _ = server
    connection = http.client.HTTPConnection(url.removeprefix("http://"), timeout=10)
    sockets = []
    for _ in range(3):
        connection.request("GET", "/moto-api/")
        response = connection.getresponse()
        response.read()
        assert response.status == 200
        assert response.getheader("Connection") != "close"
        sockets.append(connection.sock)
    assert sockets[0] is not None and sockets[0] is sockets[1] is sockets[2]  # one TCP connection for all three


def test_answers_and_errors_are_moto_s_and_every_request_is_logged(server):
    url, log = server
    before = len(logged_requests(log))
    s3 = boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"mode": "standard", "max_attempts": 1}),
    )
    s3.create_bucket(Bucket="emulated-bucket")
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["emulated-bucket"]
    with pytest.raises(ClientError) as absent:
        s3.get_bucket_policy(Bucket="emulated-bucket")
    assert absent.value.response["Error"]["Code"] == "NoSuchBucketPolicy"
    lines = logged_requests(log)[before:]
    assert len(lines) == 3
    assert b'"PUT /emulated-bucket HTTP/1.1" 200' in lines[0]
    assert lines[2].endswith(b" 404 -")


def test_an_operation_moto_lacks_is_answered_at_once_as_moto_s_own_server_answers_it(server):
    url, log = server
    before = len(logged_requests(log))
    connection = http.client.HTTPConnection(url.removeprefix("http://"), timeout=30)
    connection.request("POST", "/", body=b"Action=DescribeVpcs&Version=2016-11-15", headers=SIGNED_EC2)
    assert connection.getresponse().read().startswith(b"<?xml")  # moto loads its EC2 backend (a second or two)
    started = time.perf_counter()
    connection.request("POST", "/", body=b"Action=GetEbsDefaultKmsKeyId&Version=2016-11-15", headers=SIGNED_EC2)
    response = connection.getresponse()
    body = response.read()
    assert time.perf_counter() - started < 0.5  # cheroot alone lingers a second before closing
    assert response.status == 500
    assert b"<title>500 Internal Server Error</title>" in body  # werkzeug's page, as moto_server sends it
    assert logged_requests(log)[before:][-1].endswith(b" 500 -")
