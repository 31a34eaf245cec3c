"""`manage.py scan --wait` scans several accounts at once (POSTURE_SCAN_CONCURRENCY / --concurrency): each scan
in its own thread and database connection, under its account's lock; one account failing loses none of the
others, and the exit status names it. Transactional: the scanning threads must see committed accounts."""

import io
import os
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts import sessions
from accounts.models import AwsAccount
from checks import scanning
from checks.models import Resource, Scan

pytestmark = pytest.mark.django_db(transaction=True)

ROLE = "OrganizationAccountAccessRole"


@pytest.fixture
def members(aws):
    """Three member accounts of an organization on moto, each with one bucket named after it."""
    organizations = aws.client("organizations")
    organizations.create_organization(FeatureSet="ALL")
    ids = []
    for index in range(3):
        status = organizations.create_account(Email=f"m{index}@example.com", AccountName=f"member-{index}")
        account_id = organizations.describe_create_account_status(
            CreateAccountRequestId=status["CreateAccountStatus"]["Id"]
        )["CreateAccountStatus"]["AccountId"]
        aws.client("s3", session=aws.session_in(account_id)).create_bucket(Bucket=f"only-in-{account_id}")
        ids.append(account_id)
    for index, account_id in enumerate(ids):
        AwsAccount.objects.create(
            account_id=account_id,
            name=f"member-{index}",
            regions=["us-east-1"],
            role_arn=f"arn:aws:iam::{account_id}:role/{ROLE}",
        )
    return ids


def scan(*arguments):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("scan", "--all", "--wait", *arguments, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), str(error)
    return out.getvalue(), err.getvalue(), None


def buckets_of(account_id):
    return set(Resource.objects.filter(account__account_id=account_id, type="s3.bucket").values_list("name", flat=True))


def test_accounts_are_scanned_at_once_each_under_its_lock(members, monkeypatch):
    """Every scan waits at a barrier until all three are running: it only passes if they run at the same time."""
    barrier = threading.Barrier(len(members), timeout=30)
    seen = {}
    run_scan = scanning.run_scan

    def run_together(scan, *args, **kwargs):
        barrier.wait()
        # Every scan has been claimed: its account is locked, a second scan of it cannot be queued.
        seen[scan.account.account_id] = Scan.queue(scan.account, Scan.Trigger.CLI)
        barrier.wait()
        return run_scan(scan, *args, **kwargs)

    monkeypatch.setattr(scanning, "run_scan", run_together)
    out, err, failure = scan("--concurrency", "3")

    assert failure is None, err
    assert seen == dict.fromkeys(members)
    scans = {scan.account.account_id: scan for scan in Scan.objects.select_related("account")}
    assert sorted(scans) == sorted(members)
    for account_id in members:
        assert scans[account_id].status in (Scan.State.SUCCEEDED, Scan.State.PARTIAL)
        assert buckets_of(account_id) == {f"only-in-{account_id}"}
    assert "Scanning 3 accounts, 3 at once." in out
    assert sorted(line.split("]")[0] for line in out.splitlines()[1:]) == ["[1/3", "[2/3", "[3/3"]


def test_a_failing_account_loses_none_of_the_others(members, monkeypatch):
    broken = members[1]
    for_account = sessions.for_account

    def refuse_one(account):
        if account.account_id == broken:
            raise RuntimeError("injected: no credentials for this account")
        return for_account(account)

    monkeypatch.setattr(sessions, "for_account", refuse_one)
    out, err, failure = scan()

    assert failure is not None
    assert failure.startswith("1 of 3 scan(s) failed:")
    assert broken in failure
    assert all(account_id not in failure for account_id in members if account_id != broken)
    assert "injected: no credentials" in err
    statuses = dict(Scan.objects.values_list("account__account_id", "status"))
    assert statuses[broken] == Scan.State.FAILED
    for account_id in members:
        if account_id != broken:
            assert statuses[account_id] in (Scan.State.SUCCEEDED, Scan.State.PARTIAL)
            assert buckets_of(account_id) == {f"only-in-{account_id}"}
    assert buckets_of(broken) == set()


def test_an_account_already_scanning_is_reported_and_the_rest_scanned(members):
    busy = AwsAccount.objects.get(account_id=members[0])
    running = Scan.queue(busy, Scan.Trigger.SCHEDULE)

    out, err, failure = scan("--concurrency", "2")

    assert failure is not None and failure.startswith("1 of 3 scan(s) failed:") and members[0] in failure
    assert f"{busy}: a scan is already queued or running." in err
    assert list(Scan.objects.filter(account=busy)) == [running]
    for account_id in members[1:]:
        assert buckets_of(account_id) == {f"only-in-{account_id}"}


def test_one_at_a_time_when_asked(members, monkeypatch):
    active, most = [0], [0]
    lock = threading.Lock()
    run_scan = scanning.run_scan

    def count(scan, *args, **kwargs):
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
        try:
            return run_scan(scan, *args, **kwargs)
        finally:
            with lock:
                active[0] -= 1

    monkeypatch.setattr(scanning, "run_scan", count)
    out, err, failure = scan("--concurrency", "1")

    assert failure is None, err
    assert most[0] == 1
    assert Scan.objects.count() == 3


def test_a_scanning_process_makes_each_service_s_client_once_then_freezes_its_heap(monkeypatch):
    from posture import heap

    made, frozen = [], []
    monkeypatch.setattr(sessions, "client", lambda session, service, region, *rest, **config: made.append(service))
    monkeypatch.setattr(heap, "freeze", lambda: frozen.append(list(made)))

    scanning.prepare_process()

    assert sorted(made) == sorted({*scanning.client_services(), "sts"})
    assert {"s3", "s3control", "ec2", "resourcegroupstaggingapi", "sts"} <= set(made)
    assert frozen == [made]  # frozen once, after every client was made


@pytest.mark.django_db
def test_scan_wait_prepares_the_process_before_scanning(members, monkeypatch):
    order = []
    monkeypatch.setattr(scanning, "prepare_process", lambda: order.append("prepared"))
    run_scan = scanning.run_scan
    monkeypatch.setattr(scanning, "run_scan", lambda scan, **kw: order.append("scan") or run_scan(scan, **kw))

    call_command("scan", "--account", members[0], "--wait", stdout=io.StringIO())

    assert order == ["prepared", "scan"]


def in_child_processes(monkeypatch, folder, dies=None):
    """run_scan, noting the process each account is scanned in (a file per scan: children share no memory);
    the scan of account `dies` ends its process at once."""
    run_scan = scanning.run_scan

    def noted(scan, *args, **kwargs):
        (folder / f"{scan.account.account_id}-{os.getpid()}").touch()
        if scan.account.account_id == dies:
            os._exit(3)
        return run_scan(scan, *args, **kwargs)

    monkeypatch.setattr(scanning, "run_scan", noted)
    return lambda: {name.name.split("-")[0]: int(name.name.split("-")[1]) for name in folder.iterdir()}


def test_accounts_spread_over_processes_are_each_scanned_once_in_a_child(members, monkeypatch, tmp_path):
    scanned_in = in_child_processes(monkeypatch, tmp_path)

    out, err, failure = scan("--concurrency", "2", "--processes", "2")

    assert failure is None, err
    assert "Scanning 3 accounts, 2 at once in 2 processes." in out
    assert sorted(line.split("]")[0] for line in out.splitlines()[1:]) == ["[1/3", "[2/3", "[3/3"]
    processes = scanned_in()
    assert sorted(processes) == sorted(members)  # each account once
    assert os.getpid() not in processes.values()
    for account_id in members:
        assert buckets_of(account_id) == {f"only-in-{account_id}"}
    assert set(Scan.objects.values_list("status", flat=True)) <= {Scan.State.SUCCEEDED, Scan.State.PARTIAL}


def test_a_scanning_process_that_dies_loses_only_its_account(members, monkeypatch, tmp_path):
    dead = members[1]
    in_child_processes(monkeypatch, tmp_path, dies=dead)

    out, err, failure = scan("--concurrency", "2", "--processes", "2")

    assert failure is not None and failure.startswith("1 of 3 scan(s) failed:") and dead in failure
    assert "no outcome: its scanning process ended (exit codes" in err and dead in err
    for account_id in members:
        if account_id != dead:
            assert buckets_of(account_id) == {f"only-in-{account_id}"}
    assert buckets_of(dead) == set()
    orphan = Scan.objects.get(account__account_id=dead)  # not left running for ever
    assert orphan.status == Scan.State.FAILED
    assert orphan.error_message.startswith("No outcome: its scanning process ended (exit codes")


def test_processes_must_be_at_least_one(members):
    out, err, failure = scan("--processes", "0")
    assert failure == "--processes must be at least 1."
    assert Scan.objects.count() == 0
