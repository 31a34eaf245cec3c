"""Scan throughput: an estate built on a moto server, scanned by `manage.py scan`, a process pool and Celery.

The bench starts its own moto server (a subprocess, default AMIs off), makes an AWS Organization with
member accounts, and fills each account and region with buckets, keys, volumes, queues, topics, log
groups, tables and secrets through the AWS APIs. Every account is then scanned through its
OrganizationAccountAccessRole, the way production reaches accounts:

- command: `manage.py scan --all --wait`, which scans POSTURE_SCAN_CONCURRENCY accounts at once (threads);
- in-process: a pool of N worker processes, each calling checks.scanning.run_scan for one account at
  a time;
- celery: `celery -A posture worker --concurrency N` on the real Redis (db 14, or $POSTURE_BENCH_BROKER),
  fed by checks.scanning.request_scan, against the same PostgreSQL database.

Printed per run: wall time, resources per second, AWS requests per resource (counted in the moto server's
request log) and the calls each scan's call log counted, calls repeated within one scan (must be 0), CPU
seconds of the scanning processes, their peak memory, and how busy the moto server was (CPU seconds per
wall second: ~100% means it is the bottleneck). With --prowler, Prowler (bench/prowler.py) then scans the
same estate, one process per account and as many at once, and the ratios are printed.

    python -m bench.scan                               # 10 accounts × 2 regions × 60 resources, every mode
    python -m bench.scan --accounts 4 --workers 1,2 --mode inprocess
    python -m bench.scan --accounts 11 --resources 250 --mode command --prowler
"""

import json
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass
from pathlib import Path

from bench import common, moto_timing, profiling, prowler, wide_estate

ALL_REGIONS = ("us-east-1", "eu-west-1", "us-west-2", "eu-central-1", "ap-southeast-2")
KINDS = ("kms", "s3", "ebs", "sqs", "sns", "logs", "dynamodb", "secrets")
ESTATES = {"narrow": KINDS, "wide": KINDS + wide_estate.WIDE_KINDS}  # --estate; see bench/wide_estate.py
ROLE = "OrganizationAccountAccessRole"
BROKER = os.environ.get("POSTURE_BENCH_BROKER", "redis://127.0.0.1:6379/14")
CALL_LOGS = "POSTURE_BENCH_CALL_LOGS"  # where each scan drops its call-log summary (a folder)
REQUEST_LINE = re.compile(rb'^\S+ - - \[[^\]]*\] "')  # one line of the moto server's request log


# --- the moto server and the estate -----------------------------------------------------------------


class Moto:
    """A moto server subprocess on a free port; AWS_ENDPOINT_URL points this process (and children) at it.

    Its request log (one line per HTTP request it answered) counts the requests of Posture and of Prowler
    the same way, retries included.
    """

    def __init__(self, port=None, timing=False, stock=False):
        self.port = port or common.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}
        # moto's server as the bench runs it for both tools (bench/emulator.py), or moto's own with --stock-moto
        command = (
            [str(Path(sys.executable).with_name("moto_server"))] if stock else [sys.executable, "-m", "bench.emulator"]
        )
        if stock:
            env[moto_timing.STOCK] = "1"
        self.timing_log = None
        if timing:  # the same server, timing each request by operation (bench/moto_timing.py)
            self.timing_log = tempfile.NamedTemporaryFile(prefix="posture-bench-moto-timing-", suffix=".tsv")  # noqa: SIM115
            env[moto_timing.LOG] = self.timing_log.name
            command = [sys.executable, "-m", "bench.moto_timing"]
        self.log = tempfile.NamedTemporaryFile(prefix="posture-bench-moto-", suffix=".log")  # noqa: SIM115
        self.process = subprocess.Popen(
            [*command, "-H", "127.0.0.1", "-p", str(self.port)],
            env=env,
            cwd=common.ROOT,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        os.environ["AWS_ENDPOINT_URL"] = self.url
        self.wait_until_up()

    def wait_until_up(self):
        import requests

        for _ in range(300):
            try:
                requests.get(f"{self.url}/moto-api/", timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.1)
        raise SystemExit("the moto server did not start")

    def cpu(self):
        return common.cpu_seconds(self.process.pid)

    def requests(self):
        """HTTP requests answered so far: the server logs each as '127.0.0.1 - - [date] "POST / HTTP/1.1" 200 -'
        (moto's own server colors an error; tracebacks that follow a line are not counted)."""
        with open(self.log.name, "rb") as log:
            return sum(1 for line in log if REQUEST_LINE.match(line))

    def timing_mark(self):
        """Where the timing log ends now: pass it to print_timing to see only what came after."""
        return os.path.getsize(self.timing_log.name) if self.timing_log else 0

    def print_timing(self, mark, title):
        if self.timing_log:
            moto_timing.print_table(moto_timing.read(self.timing_log.name, mark), title=title)

    @contextmanager
    def profile(self, path):
        """Profile the server's CPU while the block runs (bench/moto_timing.py); print its top functions."""
        import requests

        requests.get(f"{self.url}{moto_timing.PROFILE_PATH}start", timeout=60)
        try:
            yield
        finally:
            path = str(Path(path).resolve())
            requests.get(f"{self.url}{moto_timing.PROFILE_PATH}stop", params={"path": path}, timeout=600)
            moto_timing.print_profile(path)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        if self.timing_log:
            self.timing_log.close()


def management_session():
    import boto3

    return boto3.session.Session(region_name="us-east-1")


def member_accounts(count):
    """Create an Organization and `count` member accounts; returns their ids."""
    organizations = management_session().client("organizations")
    organizations.create_organization(FeatureSet="ALL")
    ids = []
    for index in range(count):
        status = organizations.create_account(Email=f"bench-{index}@example.com", AccountName=f"bench-{index:03d}")[
            "CreateAccountStatus"
        ]
        while status["State"] == "IN_PROGRESS":
            status = organizations.describe_create_account_status(CreateAccountRequestId=status["Id"])[
                "CreateAccountStatus"
            ]
        ids.append(status["AccountId"])
    return ids


def session_in(account_id):
    import boto3

    sts = management_session().client("sts")
    credentials = sts.assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/{ROLE}", RoleSessionName="bench")[
        "Credentials"
    ]
    return boto3.session.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name="us-east-1",
    )


KEYS_PER_REGION = 3  # keys are few in a real account, and moto makes each one an RSA key pair (slow)


def share(total, kinds=KINDS):
    """How many of each kind make `total` resources: a few keys, the rest spread over the other kinds in turn."""
    keys = min(KEYS_PER_REGION, total)
    others = [kind for kind in kinds if kind != "kms"]
    rest = total - keys
    counts = {kind: rest // len(others) + (1 if index < rest % len(others) else 0) for index, kind in enumerate(others)}
    return {"kms": keys, **counts}


def fill_region(session, account_id, region, count, kinds=KINDS):
    """Make `count` resources of `kinds` in one account and region, half of them well configured."""
    client = {
        name: session.client(name, region_name=region)
        for name in ("kms", "s3", "ec2", "sqs", "sns", "logs", "dynamodb", "secretsmanager")
    }
    made = share(count, kinds)
    keys = []
    for index in range(made["kms"]):
        key = client["kms"].create_key(Description=f"bench key {index}")["KeyMetadata"]
        keys.append(key["Arn"])
        if index % 2 == 0:
            client["kms"].enable_key_rotation(KeyId=key["KeyId"])
    key = keys[0] if keys else None
    for index in range(made["s3"]):
        name = f"bench-{account_id}-{region}-{index}"
        options = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        client["s3"].create_bucket(Bucket=name, **options)
        if index % 2 == 0:
            client["s3"].put_bucket_encryption(
                Bucket=name,
                ServerSideEncryptionConfiguration={
                    "Rules": [
                        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key or ""}}
                    ]
                },
            )
    for index in range(made["ebs"]):
        options = {"Encrypted": True, "KmsKeyId": key} if key and index % 2 == 0 else {"Encrypted": False}
        client["ec2"].create_volume(AvailabilityZone=f"{region}a", Size=1, **options)
    for index in range(made["sqs"]):
        attributes = {"SqsManagedSseEnabled": "true"} if index % 2 == 0 else {}
        client["sqs"].create_queue(QueueName=f"bench-{index}", Attributes=attributes)
    for index in range(made["sns"]):
        attributes = {"KmsMasterKeyId": key} if key and index % 2 == 0 else {}
        client["sns"].create_topic(Name=f"bench-{index}", Attributes=attributes)
    for index in range(made["logs"]):
        client["logs"].create_log_group(logGroupName=f"/bench/{index}")
        if index % 2 == 0:
            client["logs"].put_retention_policy(logGroupName=f"/bench/{index}", retentionInDays=400)
    for index in range(made["dynamodb"]):
        client["dynamodb"].create_table(
            TableName=f"bench-{index}",
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        )
    for index in range(made["secrets"]):
        options = {"KmsKeyId": key} if key and index % 2 == 0 else {}
        client["secretsmanager"].create_secret(Name=f"bench/{index}", SecretString="not-a-secret", **options)
    wide_estate.fill_wide(session, region, made, key)


def build_estate(accounts, regions, resources, kinds=KINDS):
    """The member accounts, each region filled with `kinds` (accounts in parallel); returns their ids."""
    ids = member_accounts(accounts)

    def fill(account_id):
        session = session_in(account_id)
        for region in regions:
            fill_region(session, account_id, region, resources, kinds)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(fill, ids))
    return ids


# One argument-free read per service that Posture's collectors or Prowler's matching checks call. moto imports
# a service's code and loads its botocore model the first time a request reaches it: 0.2–3 s of the server's
# CPU per service (RDS ~3 s, Glue ~1.4 s), ~20 s in all, paid once per server process. Whichever tool runs
# first would pay it and the other not (Prowler always runs second), and real AWS has no such cost: so the
# bench makes these calls, in the management account, before either tool is timed (--cold-moto skips it).
WARM_UP = (
    ("athena", "list_work_groups", {}),
    ("backup", "list_backup_vaults", {}),
    ("cloudfront", "list_distributions", {}),
    ("cloudtrail", "describe_trails", {}),
    ("cloudwatch", "describe_alarms", {}),
    ("config", "describe_configuration_recorders", {}),
    ("dynamodb", "list_tables", {}),
    ("ec2", "describe_volumes", {}),
    ("ecr", "describe_repositories", {}),
    ("efs", "describe_file_systems", {}),
    ("eks", "list_clusters", {}),
    ("elasticache", "describe_replication_groups", {}),
    ("elbv2", "describe_load_balancers", {}),
    ("firehose", "list_delivery_streams", {}),
    ("glue", "get_data_catalog_encryption_settings", {}),
    ("iam", "list_roles", {}),
    ("kafka", "list_clusters_v2", {}),
    ("kinesis", "list_streams", {}),
    ("kms", "list_keys", {}),
    ("lambda", "list_functions", {}),
    ("logs", "describe_log_groups", {}),
    ("opensearch", "list_domain_names", {}),
    ("rds", "describe_db_instances", {}),
    ("redshift", "describe_clusters", {}),
    ("resourcegroupstaggingapi", "get_resources", {}),
    ("s3", "list_buckets", {}),
    ("sagemaker", "list_notebook_instances", {}),
    ("secretsmanager", "list_secrets", {}),
    ("sns", "list_topics", {}),
    ("sqs", "list_queues", {}),
    ("sts", "get_caller_identity", {}),
)


def warm_up(moto):
    """Make moto load every service either tool reads (see WARM_UP); returns the server's CPU seconds spent."""
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    from checks.collectors.s3 import drop_account_label_on_local_endpoint

    session = management_session()
    cpu = moto.cpu()
    for service, operation, params in WARM_UP:
        try:
            getattr(session.client(service), operation)(**params)
        except (BotoCoreError, ClientError) as error:
            print(f"   warm-up {service}:{operation}: {error}")
    # S3 Control's first request builds moto's router for it (~0.3 s; several at once each build it).
    control = session.client("s3control", config=Config(inject_host_prefix=False))
    control.meta.events.register("before-sign.s3-control", drop_account_label_on_local_endpoint)
    with suppress(ClientError):  # NoSuchPublicAccessBlockConfiguration: the management account has none
        control.get_public_access_block(AccountId=session.client("sts").get_caller_identity()["Account"])
    return moto.cpu() - cpu


def register_accounts(ids, regions):
    from accounts.models import AwsAccount

    return [
        AwsAccount.objects.create(
            account_id=account_id,
            name=f"bench-{index:03d}",
            regions=list(regions),
            role_arn=f"arn:aws:iam::{account_id}:role/{ROLE}",
        ).pk
        for index, account_id in enumerate(ids)
    ]


# --- counting calls inside any process that scans ---------------------------------------------------


def log_calls_of_every_scan():
    """Wrap scanning.collect_all so each scan writes its call-log summary into $POSTURE_BENCH_CALL_LOGS."""
    from checks import scanning

    if getattr(scanning.collect_all, "bench_wrapped", False):
        return
    collect_all = scanning.collect_all

    def collect_and_log(ctx, *args, **kwargs):
        result = collect_all(ctx, *args, **kwargs)
        repeated = ctx.call_log.repeated()
        summary = {
            "account_id": ctx.account_id,
            "calls": ctx.call_log.total,
            "repeated": len(repeated),
            "examples": [list(key[:3]) for key in list(repeated)[:5]],
        }
        folder = Path(os.environ[CALL_LOGS])
        (folder / f"{ctx.account_id}-{os.getpid()}-{time.monotonic_ns()}.json").write_text(json.dumps(summary))
        return result

    collect_and_log.bench_wrapped = True
    scanning.collect_all = collect_and_log


def read_call_logs(folder):
    logs = [json.loads(path.read_text()) for path in Path(folder).glob("*.json")]
    for path in Path(folder).glob("*.json"):
        path.unlink()
    return logs


# --- one run ----------------------------------------------------------------------------------------


@dataclass
class Run:
    mode: str
    workers: int
    wall: float
    resources: int
    calls: int
    repeated: int
    failed: int
    peak_mb: float
    moto_busy: float
    worker_cpu: float  # CPU seconds the scanning processes used
    load: float  # 1-minute load average at the end of the run
    examples: list
    requests: int = 0  # HTTP requests the moto server answered during the run (as Prowler's are counted)

    @property
    def per_second(self):
        return self.resources / self.wall if self.wall else 0.0

    @property
    def calls_per_resource(self):
        return self.calls / self.resources if self.resources else 0.0

    @property
    def requests_per_resource(self):
        return self.requests / self.resources if self.resources else 0.0


def reset_scans():
    from checks.models import AreaScore, Finding, FindingEvent, Resource, Scan

    common.empty_tables(FindingEvent, Finding, AreaScore, Scan, Resource)


def scan_one(account_pk):
    """In a pool process: queue and run one scan of one account (what `manage.py scan --wait` does)."""
    from accounts.models import AwsAccount
    from checks import scanning
    from checks.models import Scan

    scan = Scan.queue(AwsAccount.objects.get(pk=account_pk), Scan.Trigger.CLI)
    scanning.run_scan(scan)
    return scan.pk


def outcome(mode, workers, wall, memory, moto_busy, worker_cpu, folder, requests=0):
    from checks.models import Scan

    scans = list(Scan.objects.values_list("status", "resource_count", "api_call_count"))
    logs = read_call_logs(folder)
    return Run(
        mode,
        workers,
        wall,
        sum(row[1] for row in scans),
        sum(row[2] for row in scans),
        sum(log["repeated"] for log in logs),
        sum(1 for row in scans if row[0] not in ("succeeded", "partial")),
        memory.peak_mb,
        moto_busy,
        worker_cpu,
        common.load_average(),
        [example for log in logs for example in log["examples"]][:5],
        requests,
    )


def run_inprocess(account_pks, workers, moto, folder):
    from django.db import connections

    reset_scans()
    connections.close_all()  # forked workers must not share this process's connection
    context = multiprocessing.get_context("fork")
    with common.PeakMemory(exclude=[moto.process.pid]) as memory:
        cpu, children, requests = moto.cpu(), common.children_cpu_seconds(), moto.requests()
        started = time.perf_counter()
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            list(pool.map(scan_one, account_pks))
        wall = time.perf_counter() - started
        busy = (moto.cpu() - cpu) / wall
        requests = moto.requests() - requests
    return outcome(
        "in-process", workers, wall, memory, busy, common.children_cpu_seconds() - children, folder, requests
    )


def run_command(concurrency, moto, folder, profile=None):
    """`manage.py scan --all --wait --concurrency N` in this process: what an operator runs for a one-shot scan."""
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    reset_scans()
    with common.PeakMemory(exclude=[moto.process.pid]) as memory:
        cpu, requests = moto.cpu(), moto.requests()
        process = time.process_time() + common.children_cpu_seconds()  # its threads, and any child it waited for
        started = time.perf_counter()
        with profiling.cpu_profile(profile) if profile else nullcontext():
            try:
                call_command("scan", "--all", "--wait", "--concurrency", str(concurrency), stdout=io.StringIO())
            except CommandError as error:
                print(f"   scan --all --wait: {error}")
        wall = time.perf_counter() - started
        busy = (moto.cpu() - cpu) / wall
        process = time.process_time() + common.children_cpu_seconds() - process
        requests = moto.requests() - requests
    return outcome("command", concurrency, wall, memory, busy, process, folder, requests)


def start_celery_worker(workers, database):
    env = {**os.environ, **database.env(), "CELERY_BROKER_URL": BROKER}
    command = [sys.executable, "-m", "bench.scan", "celery-worker", "--concurrency", str(workers)]
    return subprocess.Popen(command, env=env, cwd=common.ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for_worker(app, worker, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise SystemExit(f"the Celery worker exited: {worker.stderr.read().decode()[-2000:]}")
        if app.control.ping(timeout=0.5):
            return
    raise SystemExit("the Celery worker did not answer a ping")


def run_celery(account_pks, workers, moto, folder, database):
    from accounts.models import AwsAccount
    from checks import scanning
    from checks.models import Scan
    from posture.celery import app

    reset_scans()
    app.control.purge()
    worker = start_celery_worker(workers, database)
    try:
        wait_for_worker(app, worker)
        with common.PeakMemory(pids=[worker.pid]) as memory:
            cpu, worker_cpu, requests = moto.cpu(), common.tree_cpu_seconds(worker.pid), moto.requests()
            started = time.perf_counter()
            for account in AwsAccount.objects.filter(pk__in=account_pks):
                scanning.request_scan(account, Scan.Trigger.CLI)
            while Scan.objects.filter(status__in=Scan.ACTIVE).exists():
                time.sleep(0.05)
            wall = time.perf_counter() - started
            busy = (moto.cpu() - cpu) / wall
            worker_cpu = common.tree_cpu_seconds(worker.pid) - worker_cpu
            requests = moto.requests() - requests
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
    return outcome("celery", workers, wall, memory, busy, worker_cpu, folder, requests)


def celery_worker(argv):
    """`python -m bench.scan celery-worker --concurrency N`: a Posture worker that also logs each scan's calls."""
    import django

    django.setup()
    log_calls_of_every_scan()
    from posture.celery import app

    app.worker_main(
        [
            "worker",
            "--loglevel",
            "WARNING",
            "--pool",
            "prefork",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            *argv,
        ]
    )


# --- main -------------------------------------------------------------------------------------------


def print_run(run):
    print(
        f"   {run.mode:<10} {run.workers} at once  {run.wall:6.1f} s  "
        f"{run.per_second:6.1f} resources/s  {run.requests_per_resource:4.2f} requests/resource "
        f"({run.calls_per_resource:4.2f} calls logged)  {run.repeated} repeated  CPU {run.worker_cpu:5.1f} s  "
        f"peak {run.peak_mb:5.0f} MB  moto busy {run.moto_busy:4.0%}  load {run.load:.1f}"
        + (f"  {run.failed} scans FAILED" if run.failed else "")
    )
    sys.stdout.flush()


def print_prowler(alternative, resources):
    print(
        f"   prowler    {alternative.concurrency} at once  {alternative.run.wall:6.1f} s  "
        f"{alternative.run.requests / resources if resources else 0:4.2f} requests/resource  "
        f"CPU {alternative.run.cpu:5.1f} s  peak {alternative.run.peak_mb:5.0f} MB  load {alternative.run.load:.1f}  "
        f"findings {dict(alternative.run.statuses)}"
        + (f"  FAILED in {', '.join(alternative.run.failed)}" if alternative.run.failed else "")
    )
    sys.stdout.flush()


@dataclass
class Alternative:
    concurrency: int
    run: prowler.ProwlerRun


def run_figure(run, target):
    return common.Figure(
        f"{run.mode}, {run.workers} at once: wall",
        round(run.wall, 1),
        "s",
        target,
        note=f"{run.per_second:.1f} resources/s, {run.requests_per_resource:.2f} requests/resource "
        f"({run.calls:,} calls logged), CPU {run.worker_cpu:.1f} s, peak {run.peak_mb:.0f} MB, "
        f"moto busy {run.moto_busy:.0%}, load {run.load:.1f}",
    )


def figures_for(runs, options, alternative=None):
    default = (options.accounts, options.regions, options.resources) == (10, 2, 60)
    judged = {"in-process", "celery"}  # the < 15 s target is stated for 2 workers of these modes
    figures = []
    for run in runs:
        figures.append(run_figure(run, 15.0 if default and run.workers == 2 and run.mode in judged else None))
        if run.mode == "command":
            figures += usage_figures(f"{run.mode}", run.requests, run.resources, run.worker_cpu, run.peak_mb)
    for mode in dict.fromkeys(run.mode for run in runs):
        curve = [run for run in runs if run.mode == mode]
        if len(curve) > 1:
            figures.append(
                common.Figure(
                    f"{mode}: speed-up {curve[0].workers}→{curve[-1].workers} workers",
                    round(curve[-1].per_second / curve[0].per_second, 2),
                    "×",
                    note=" → ".join(f"{run.per_second:.1f}" for run in curve) + " resources/s",
                )
            )
    figures.append(
        common.Figure(
            "API calls repeated within a scan",
            sum(run.repeated for run in runs),
            "calls",
            0,
            note="; ".join(":".join(example) for run in runs for example in run.examples[:2]),
        )
    )
    figures.append(common.Figure("scans that failed", sum(run.failed for run in runs), "scans", 0))
    if alternative is not None:
        figures += comparison(runs[0], alternative)
    return figures


def usage_figures(who, requests, resources, cpu, peak_mb):
    """What a scan of the estate cost, in the terms the issue compares: requests per resource, CPU, memory."""
    return [
        common.Figure(f"{who}: AWS requests per resource", round(requests / (resources or 1), 2), "requests"),
        common.Figure(f"{who}: CPU", round(cpu, 1), "s"),
        common.Figure(f"{who}: peak RSS", round(peak_mb), "MB"),
    ]


def comparison(posture, alternative):
    """Prowler's figures on the same estate, and the ratios the issue holds Posture to."""
    other = alternative.run
    resources = posture.resources or 1
    return [
        common.Figure(
            f"Prowler {prowler.VERSION}, {alternative.concurrency} processes at once: wall",
            round(other.wall, 1),
            "s",
            note=f"{other.requests / resources:.2f} requests/resource ({other.requests:,}), CPU {other.cpu:.1f} s, "
            f"peak {other.peak_mb:.0f} MB, load {other.load:.1f}, {len(prowler.checks())} checks, "
            f"findings {dict(other.statuses)}" + (f", FAILED in {len(other.failed)} accounts" if other.failed else ""),
        ),
        *usage_figures("Prowler", other.requests, resources, other.cpu, other.peak_mb),
        common.Figure(
            f"wall time, Prowler ÷ Posture ({posture.mode})",
            round(other.wall / posture.wall, 1),
            "×",
            10.0,
            higher_is_better=True,
            note=f"{other.wall:.1f} s ÷ {posture.wall:.1f} s",
        ),
        common.Figure(
            "AWS requests, Prowler ÷ Posture",
            round(other.requests / posture.requests, 2) if posture.requests else 0.0,
            "×",
            2.5,
            higher_is_better=True,
            note=f"{other.requests:,} ÷ {posture.requests:,} requests answered by the moto server",
        ),
        common.Figure(
            "CPU seconds, Prowler ÷ Posture",
            round(other.cpu / posture.worker_cpu, 1) if posture.worker_cpu else 0.0,
            "×",
            note=f"{other.cpu:.1f} s ÷ {posture.worker_cpu:.1f} s (the database's CPU not counted)",
        ),
    ]


MODES = ("command", "inprocess", "celery")


def estate_option(parser):
    parser.add_argument(
        "--estate",
        choices=sorted(ESTATES),
        default="narrow",
        help="narrow: the eight kinds judged before catalog v2 (default); wide: those and seven data stores "
        "catalog v2 added (bench/wide_estate.py)",
    )


def chosen_modes(text):
    modes = ["inprocess", "celery"] if text == "both" else [mode.strip() for mode in text.split(",") if mode.strip()]
    unknown = [mode for mode in modes if mode not in MODES]
    if unknown or not modes:
        raise SystemExit(f"--mode: {', '.join(unknown) or 'nothing'} is not one of {', '.join(MODES)} (or both)")
    return modes


def main(argv=None):
    if argv and argv[0] == "celery-worker":
        return celery_worker(argv[1:])
    parser = common.arguments(__doc__.splitlines()[0], db_default="postgres")
    parser.add_argument("--accounts", type=int, default=10)
    parser.add_argument("--regions", type=int, default=2, help=f"1–{len(ALL_REGIONS)} (default 2)")
    parser.add_argument("--resources", type=int, default=60, help="resources per account and region (default 60)")
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated (default 1,2,4)")
    estate_option(parser)
    parser.add_argument(
        "--mode",
        default="command,inprocess,celery",
        help="comma-separated: command (manage.py scan --all --wait), inprocess (a process pool), celery; "
        "'both' = inprocess,celery (default: all three)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        help="accounts at once in command mode and Prowler processes at once (default POSTURE_SCAN_CONCURRENCY)",
    )
    parser.add_argument(
        "--prowler",
        action="store_true",
        help=f"also run Prowler on the same estate and compare (needs: {prowler.INSTALL})",
    )
    parser.add_argument(
        "--profile",
        help="command mode: profile every thread's CPU in this process (yappi) and save a pstat file here",
    )
    parser.add_argument("--moto-port", type=int, default=int(os.environ.get("POSTURE_BENCH_MOTO_PORT", "0")))
    parser.add_argument(
        "--moto-timing",
        action="store_true",
        help="time the moto server's CPU per request and print it by operation after each run (bench/moto_timing.py)",
    )
    parser.add_argument(
        "--moto-profile",
        help="command mode: profile the moto server's CPU (yappi, every thread) over the scan and save a pstat file "
        "here (implies --moto-timing)",
    )
    parser.add_argument(
        "--stock-moto",
        action="store_true",
        help="run moto's own server unchanged, not bench/emulator.py's (which keeps connections open and works out "
        "once what moto re-derives per request)",
    )
    parser.add_argument(
        "--cold-moto",
        action="store_true",
        help="do not warm the moto server up before timing: the first tool to run pays its service loading",
    )
    options = parser.parse_args(argv)
    workers = [int(count) for count in options.workers.split(",")]
    regions = ALL_REGIONS[: options.regions]
    modes = chosen_modes(options.mode)
    if options.prowler and prowler.executable() is None:
        print(f"   Prowler is not installed, so it is not compared; install it with: {prowler.INSTALL}")
        options.prowler = False

    folder = tempfile.mkdtemp(prefix="posture-bench-calls-")
    os.environ[CALL_LOGS] = folder
    if "celery" in modes:
        os.environ["CELERY_BROKER_URL"] = BROKER
    database = common.setup_django(options.db)
    from django.conf import settings

    concurrency = options.concurrency or settings.SCAN_CONCURRENCY
    log_calls_of_every_scan()
    context = {**common.machine(), "moto": moto_version(options.stock_moto)}
    if options.prowler:
        context["prowler"] = f"Prowler {prowler.VERSION}, {len(prowler.checks())} matching checks"
    common.print_banner(
        f"scan: {options.accounts} accounts × {len(regions)} regions × {options.resources} resources "
        f"({options.estate} estate)",
        context,
    )
    if "celery" in modes and database.vendor != "postgres":
        print("   Celery mode needs PostgreSQL (several worker processes writing SQLite contend); skipped.")
        modes.remove("celery")
    moto = Moto(
        options.moto_port or None, timing=options.moto_timing or bool(options.moto_profile), stock=options.stock_moto
    )
    alternative = None
    try:
        with common.stopwatch() as elapsed:
            ids = build_estate(options.accounts, regions, options.resources, ESTATES[options.estate])
        print(f"   built the estate on {moto.url} in {elapsed():.1f} s")
        if not options.cold_moto:
            print(
                f"   warmed the moto server up: {warm_up(moto):.1f} s of its CPU (loading {len(WARM_UP) + 1} services)"
            )
        account_pks = register_accounts(ids, regions)
        runs = []
        for mode in modes:
            if mode == "command":
                mark = moto.timing_mark()
                with moto.profile(options.moto_profile) if options.moto_profile else nullcontext():
                    runs.append(run_command(concurrency, moto, folder, options.profile))
                print_run(runs[-1])
                moto.print_timing(mark, f"moto server time by operation, {mode}")
                continue
            for count in workers:
                mark = moto.timing_mark()
                run = (
                    run_inprocess(account_pks, count, moto, folder)
                    if mode == "inprocess"
                    else run_celery(account_pks, count, moto, folder, database)
                )
                print_run(run)
                moto.print_timing(mark, f"moto server time by operation, {mode} {count}")
                runs.append(run)
        if options.prowler:
            output = tempfile.mkdtemp(prefix="posture-bench-prowler-")
            mark = moto.timing_mark()
            alternative = Alternative(concurrency, prowler.run(ids, regions, ROLE, moto, concurrency, output))
            print_prowler(alternative, runs[0].resources)
            moto.print_timing(mark, "moto server time by operation, Prowler")
            shutil.rmtree(output, ignore_errors=True)
    finally:
        moto.stop()
    figures = figures_for(runs, options, alternative)
    common.print_figures(
        f"scan ({options.accounts} accounts × {len(regions)} regions × {options.resources} "
        f"resources, {database.vendor})",
        figures,
    )
    common.save_figures(options.json, "scan", figures, context)
    database.drop()
    return figures


def moto_version(stock=False):
    from importlib.metadata import version

    server = (
        "its own server" if stock else "bench/emulator.py's server (connections kept open, fixed facts worked out once)"
    )
    return f"moto {version('moto')} ({server}), boto3 {version('boto3')}"


if __name__ == "__main__":
    main(sys.argv[1:])
