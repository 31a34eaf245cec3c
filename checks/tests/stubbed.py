"""A scan context whose one AWS client answers from botocore's Stubber: for the AWS answers moto cannot give
(shapes it does not hold) and for injected faults. Calls are counted as a real scan counts them."""

from contextlib import contextmanager

import boto3
from botocore.stub import Stubber

from checks.collectors.base import ScanContext

ACCOUNT = "123456789012"
REGIONS = ("us-east-1", "eu-west-1")


class StubbedContext(ScanContext):
    def __init__(self, stubbed_client, region):
        super().__init__(session=None, account_id=ACCOUNT, regions=REGIONS, home_region="us-east-1")
        self.stubbed_client = stubbed_client
        self.service = stubbed_client.meta.service_model.service_name
        # Registered before the Stubber's own handler, so every answered call is counted.
        stubbed_client.meta.events.register("before-call.*.*", self.call_log.hook(self.service, region))

    def client(self, service, region=None, **config):
        assert service == self.service, f"this context serves {self.service}, not {service}"
        return self.stubbed_client


@contextmanager
def stubbed(service, region="us-east-1"):
    """(ctx, stubber) for one service; every queued answer must be used."""
    made = boto3.session.Session(region_name=region).client(
        service, region_name=region, endpoint_url="http://127.0.0.1:1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    ctx = StubbedContext(made, region)
    with Stubber(made) as stubber:
        yield ctx, stubber
        stubber.assert_no_pending_responses()
