"""The only code that makes AWS credentials and clients.

The dashboard's own identity comes from boto3's standard chain (environment, profile, instance
role); each account is reached by sts:AssumeRole on its audit role with its ExternalId. Endpoints
are boto3's own: AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> point every client at a moto server.
"""

import json
import threading
from collections import Counter
from datetime import datetime, timedelta

import boto3
import botocore.client
import botocore.loaders
import botocore.session
import botocore.utils
from botocore.config import Config
from django.conf import settings
from django.utils import timezone

SESSION_NAME = "posture-audit"
REFRESH_BEFORE = timedelta(minutes=5)

_cache_lock = threading.Lock()
_credential_cache: dict[tuple, dict] = {}
_loader_lock = threading.Lock()
_loader = None


def client_config(**overrides):
    options = {
        "retries": {"mode": "adaptive", "max_attempts": settings.AWS_MAX_ATTEMPTS},
        "connect_timeout": settings.AWS_CONNECT_TIMEOUT,
        "read_timeout": settings.AWS_READ_TIMEOUT,
        "max_pool_connections": max(10, settings.SCAN_THREADS * 2),
    }
    options.update(overrides)
    return Config(**options)


REQUEST_IDENTITY = ("method", "url", "query_string", "body")


class CallLog:
    """Counts the API calls a scan makes (thread-safe); repeats reveal collecting twice."""

    def __init__(self):
        self._lock = threading.Lock()
        self.calls = Counter()

    def hook(self, service, region):
        def before_call(model, params, **kwargs):
            # The request itself, not botocore's per-client context (it holds the client's Config object, whose
            # repr differs between clients, so the same call from two clients would never count as a repeat).
            request = {name: params.get(name) for name in REQUEST_IDENTITY}
            key = (service, region, model.name, json.dumps(request, sort_keys=True, default=str))
            with self._lock:
                self.calls[key] += 1

        return before_call

    @property
    def total(self):
        return sum(self.calls.values())

    def repeated(self):
        return {key: count for key, count in self.calls.items() if count > 1}


def client(session, service, region, call_log=None, **config):
    """A boto3 client with adaptive retries and finite timeouts; counts calls into `call_log`."""
    made = session.client(service, region_name=region, config=client_config(**config))
    if call_log is not None:
        made.meta.events.register("before-call.*.*", call_log.hook(service, region))
    return made


class _UniquePaths(list):
    """boto3 appends its data folder to the loader of every Session it makes: kept once when shared."""

    def append(self, path):
        if path not in self:
            super().append(path)


# The loader's cached reads. Unlocked, every scan thread that asks before the first answer is cached reads the
# same files again: at the start of `scan --all --wait` (4 accounts × 8 threads) that was ~40 listings of
# botocore's ~450 service folders (~20,000 directory reads) and the big models (ec2's) parsed several times over.
LOADER_READS = (
    "list_available_services",
    "determine_latest_version",
    "list_api_versions",
    "load_service_model",
    "load_data_with_path",
)


def _one_at_a_time(read, lock):
    def locked(*args, **kwargs):
        with lock:
            return read(*args, **kwargs)

    return locked


def new_loader():
    """A botocore loader whose reads are made one at a time (LOADER_READS).

    A cached answer is returned at once; a read under way is waited for rather than repeated. The lock is
    re-entrant (a model read lists the services first).
    """
    loader = botocore.loaders.create_loader(botocore.session.get_session().get_config_variable("data_path"))
    loader._search_paths = _UniquePaths(loader.search_paths)  # noqa: SLF001 - see _UniquePaths
    reads = threading.RLock()
    for name in LOADER_READS:
        setattr(loader, name, _one_at_a_time(getattr(loader, name), reads))
    return loader


def shared_loader():
    """One botocore loader for every session this process makes.

    Each scan gets a new session (fresh assumed-role credentials), and a new session re-reads and
    parses the service models of every client it makes — ec2's alone is megabytes of JSON. Sharing
    the loader (it only reads and caches those files) halves the CPU a scan spends making clients.
    """
    global _loader  # noqa: PLW0603 - one per process, made on first use
    with _loader_lock:
        if _loader is None:
            _loader = new_loader()
    return _loader


_shared: dict[tuple, object] = {}


def _kept(key, make):
    found = _shared.get(key)
    return found if found is not None else _shared.setdefault(key, make())


def _shared_client_class(make):
    def create_client_class(self, service_name, service_model):
        return _kept(("class", service_name), lambda: make(self, service_name, service_model))

    create_client_class.shared = True
    return create_client_class


def _shared_service_model(make):
    def load_service_model(self, service_name, api_version=None):
        return _kept(("model", service_name, api_version), lambda: make(self, service_name, api_version))

    load_service_model.shared = True
    return load_service_model


def share_client_classes():
    """Every client of one service in this process shares its class and its service model.

    botocore builds, for every client it makes, a new Python class holding a method per operation (ec2 has
    about 700) and a new service model whose operation and shape caches start empty. A scan makes about
    30 clients per region of an account, each account with its own credentials, so nothing is shared
    unless asked: with this, making a client costs about 40% less CPU and each operation's model is built
    once per process, not once per client. Both are read-only and depend on the service alone; the
    credentials, region, endpoint and event hooks stay each client's own (the class is keyed by the
    service name and the model by service name and API version).
    """
    creator = botocore.client.ClientCreator
    if not getattr(creator._create_client_class, "shared", False):  # noqa: SLF001 - see the docstring
        creator._create_client_class = _shared_client_class(creator._create_client_class)  # noqa: SLF001
        creator._load_service_model = _shared_service_model(creator._load_service_model)  # noqa: SLF001


share_client_classes()


def make_clients_once(services, region):
    """Make one client of each service, sending nothing: what every later client of them shares is then loaded.

    That is the service model, its endpoint rules and the client class (share_client_classes); a scan's first
    clients would load them anyway. The credentials are placeholders so that no credential chain is consulted.
    """
    placeholder = "loading"  # never sent: making a client sends nothing
    session = new_session(aws_access_key_id=placeholder, aws_secret_access_key=placeholder, region_name=region)
    for service in services:
        client(session, service, region)


def parse_timestamp(value):
    """botocore's timestamp parser, reading an ISO 8601 text with a time zone itself.

    The XML and query protocols send timestamps as such texts (S3's CreationDate, EC2's CreateTime), and
    botocore hands every text to dateutil, which tokenizes it: ~4% of a scan's CPU. `datetime.fromisoformat`
    reads them to the same instant, time zone included; anything else (numbers, texts without a zone, HTTP
    dates, nanoseconds) is botocore's own.
    """
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed
    return botocore.utils.parse_timestamp(value)


def new_session(**options):
    """A boto3 session (credentials and region as boto3.session.Session takes them) on the shared loader."""
    core = botocore.session.get_session()
    core.register_component("data_loader", shared_loader())
    core.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=parse_timestamp)
    return boto3.session.Session(botocore_session=core, **options)


def own_session():
    """The dashboard's own identity (environment variables, profile or instance role)."""
    return new_session(region_name=settings.AWS_HOME_REGION)


def assume_role_session(role_arn, external_id="", session_name=SESSION_NAME):
    """A session in another account, by sts:AssumeRole with its ExternalId; credentials are cached."""
    cache_key = (role_arn, external_id)
    with _cache_lock:
        cached = _credential_cache.get(cache_key)
    if cached is None or cached["Expiration"] - REFRESH_BEFORE <= timezone.now():
        sts = client(own_session(), "sts", settings.AWS_HOME_REGION)
        options = {"RoleArn": role_arn, "RoleSessionName": session_name, "DurationSeconds": 3600}
        if external_id:
            options["ExternalId"] = external_id
        cached = sts.assume_role(**options)["Credentials"]
        with _cache_lock:
            _credential_cache[cache_key] = cached
    return new_session(
        aws_access_key_id=cached["AccessKeyId"],
        aws_secret_access_key=cached["SecretAccessKey"],
        aws_session_token=cached["SessionToken"],
        region_name=settings.AWS_HOME_REGION,
    )


def for_account(account):
    """The session that reads `account`: its audit role, or the dashboard's own credentials."""
    if not account.role_arn:
        return own_session()
    return assume_role_session(account.role_arn, account.external_id)


def forget_credentials():
    with _cache_lock:
        _credential_cache.clear()
