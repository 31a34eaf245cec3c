"""botocore Stubber behind a scan context, for what the moto server cannot answer (see each test's docstring)."""

from contextlib import contextmanager

import boto3
from botocore.stub import Stubber

from checks.collectors.base import ScanContext

ACCOUNT = "123456789012"
REGION = "us-east-1"


class StubbedContext(ScanContext):
    """A scan context whose clients of one service answer from a Stubber (collectors call ctx.client)."""

    def __init__(self, service):
        super().__init__(session=None, account_id=ACCOUNT, regions=(REGION,), home_region=REGION)
        self.service = service
        self.stubbed = boto3.session.Session(region_name=REGION).client(
            service, region_name=REGION, endpoint_url="http://127.0.0.1:1"
        )
        # Registered before the Stubber's own handler, so the call log counts stubbed calls too.
        self.stubbed.meta.events.register("before-call.*.*", self.call_log.hook(service, REGION))

    def client(self, service, region=None, **config):
        assert service == self.service, f"unexpected {service} client"
        return self.stubbed


@contextmanager
def stubbed(service):
    """(ctx, stubber) for `service`; every queued response must be used."""
    ctx = StubbedContext(service)
    with Stubber(ctx.stubbed) as stubber:
        yield ctx, stubber
        stubber.assert_no_pending_responses()
