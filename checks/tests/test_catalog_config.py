from checks.catalog.base import Status
from checks.inventory import Record, region_uid
from checks.tests.builders import ACCOUNT, REGION, make_inventory, run_check


def region_with(recorders):
    evidence = {} if recorders is None else {"config_recorders": recorders}
    return Record(region_uid(ACCOUNT, REGION), "region", REGION, REGION, evidence=evidence)


def recorder(recording=True, **fields):
    return {
        "name": "default",
        "recording": recording,
        "last_status": "SUCCESS",
        "all_supported": True,
        "include_global_resource_types": True,
        "resource_types_count": 0,
        "excluded_resource_types_count": 0,
        **fields,
    }


def verdict(recorders):
    return run_check("config.recorder_enabled", region_with(recorders))


def test_recording_recorder_passes_and_says_what_it_records():
    result = verdict([recorder()])
    assert result.status == Status.PASS
    assert "all supported resource types" in result.reason


def test_recorder_of_some_types_still_passes_and_says_so():
    result = verdict([recorder(all_supported=False, resource_types_count=3)])
    assert result.status == Status.PASS
    assert "3 selected resource types" in result.reason


def test_region_without_recorder_fails():
    result = verdict([])
    assert result.status == Status.FAIL
    assert "No AWS Config recorder" in result.reason


def test_stopped_recorder_fails():
    result = verdict([recorder(recording=False)])
    assert result.status == Status.FAIL
    assert "not recording" in result.reason


def test_unknown_status_or_missing_evidence_is_an_error():
    assert verdict([recorder(recording=None)]).status == Status.ERROR
    assert verdict(None).status == Status.ERROR


def test_the_check_runs_on_every_scanned_region_record():
    from checks.catalog import CATALOG
    from checks.evaluation import evaluate_check

    inventory = make_inventory(region_with([recorder()]), regions=(REGION, "eu-west-1"))
    statuses = {e.record.region: e.result.status for e in evaluate_check(CATALOG["config.recorder_enabled"], inventory)}
    # eu-west-1 has a region record but the collector left no evidence there: never a silent pass.
    assert statuses == {REGION: Status.PASS, "eu-west-1": Status.ERROR}
