"""What every collector shares: the scan context (clients that count their calls) and paging."""

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from accounts import sessions
from checks.inventory import GLOBAL, Collected  # noqa: F401 - re-exported for collectors


@dataclass
class ScanContext:
    session: object
    account_id: str
    regions: tuple
    home_region: str = "us-east-1"
    call_log: sessions.CallLog = field(default_factory=sessions.CallLog)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def client(self, service, region=None, **config):
        region = self.home_region if region in (None, GLOBAL) else region
        # boto3 sessions are not thread-safe when making clients; the clients themselves are.
        with self._lock:
            return sessions.client(self.session, service, region, self.call_log, **config)


# Per-resource reads of one collector made at once (each waits on AWS; one client serves them all). An account's
# scan is as long as its longest collector, and that was one of these read one after another.
RESOURCE_WORKERS = 8


def each(items, read, workers=RESOURCE_WORKERS):
    """[read(item) for item in items], up to `workers` reads at once, in the items' order.

    `read` records its own errors (Collected.capture); one it raises ends the collector, as in a loop.
    """
    items = list(items)
    if len(items) <= 1:
        return [read(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items)), thread_name_prefix="read") as pool:
        return list(pool.map(read, items))


def pages(client, operation, key, **params):
    """Every item under `key` across all pages of a paginated list call."""
    for page in client.get_paginator(operation).paginate(**params):
        yield from page.get(key, [])


def error_code(error):
    return error.response.get("Error", {}).get("Code", "")


def unless_absent(absent, call, **params):
    """`call(**params)`, or None when AWS answers with the error code `absent` ("this thing has none")."""
    try:
        return call(**params)
    except ClientError as error:
        if error_code(error) == absent:
            return None
        raise


def tags_dict(tag_list, key="Key", value="Value"):
    return {tag[key]: tag.get(value, "") for tag in tag_list or []}


def redact_url(url):
    """The URL with any password replaced, so credentials never reach our database.

    The user-info part stays visible (as "user:****@"), which is what hygiene checks look for.
    """
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    netloc = f"{parts.username or ''}:****@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def token_pages(call, key, **params):
    """Every item under `key` of a list call that pages with NextToken but has no boto3 paginator."""
    while True:
        page = call(**params)
        yield from page.get(key, [])
        token = page.get("NextToken")
        if not token:
            return
        params = {**params, "NextToken": token}
