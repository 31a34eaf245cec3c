"""Record one scan: one transaction that upserts resources and findings, appends events only on
change, marks what disappeared as gone and writes the area scores."""

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Q

from checks import check_counts, check_statuses, day_changes, owner_counts
from checks.catalog import CATALOG
from checks.catalog.base import KeyOwner
from checks.inventory import GLOBAL
from checks.models import AreaScore, Finding, FindingEvent, Resource, Suppression
from checks.scoring import tally_by_area

BATCH = 1000


@dataclass(frozen=True)
class BlindSpot:
    """A service/region where a call failed: what we knew there stays as it was.

    Only the resource types whose checks read the failed API (every type of the service when the whole
    service failed) are hidden: a failed GetEbsDefaultKmsKeyId says nothing about which volumes exist.
    """

    service: str
    region: str
    api: str

    def covers(self, resource_type, region):
        if resource_type.split(".", 1)[0] != self.service or self.region not in (GLOBAL, region):
            return False
        return self.api.endswith(":*") or self.api in apis_read_for(resource_type)


def judges(check, resource_type):
    if check.resource_type == "*":
        return resource_type not in ("account", "region")
    if isinstance(check.resource_type, tuple):
        return resource_type in check.resource_type
    return check.resource_type == resource_type


def apis_read_for(resource_type):
    return {need for check in CATALOG.values() if judges(check, resource_type) for need in check.needs}


def blind_spots(inventory):
    return {
        BlindSpot(error.service, error.region, error.api)
        for error in inventory.errors
        if not error.resource_uid and not error.unavailable
    }


def is_blind(spots, resource_type, region):
    return any(spot.covers(resource_type, region) for spot in spots)


def resource_key_owner(record, inventory, owners):
    """The key owner shown for a resource: the verdict of its encryption check, else its evidence."""
    if record.type in ("account", "region"):
        return ""  # settings scopes, not encrypted resources: their checks' key owners stay on the findings
    if record.uid in owners:
        return owners[record.uid]
    encrypted = record.evidence.get("encrypted")
    if encrypted is False:
        return KeyOwner.UNENCRYPTED
    if record.key_arn:
        return inventory.key_owner(record.key_arn, record.region)
    return KeyOwner.AWS_OWNED if encrypted else ""


def record(scan, inventory, evaluations, at):
    """Write one scan's results in a single transaction; returns (resources, findings) counts."""
    account = scan.account
    spots = blind_spots(inventory)
    owners = {
        e.record.uid: e.result.key_owner
        for e in evaluations
        if e.result.key_owner and CATALOG[e.check_id].area == "at_rest"
    }
    with transaction.atomic():
        resource_ids, resources_changed = upsert_resources(account, inventory, owners, spots, at)
        findings_changed = upsert_findings(scan, account, evaluations, resource_ids, spots, at)
        write_scores(scan, account, at)
        # Last: a recount moves the totals over every account, rows every account's recording shares and
        # holds until it commits (taken in one order by every recording: checks, then owners, each sorted).
        if findings_changed:  # else no event: no finding changed status or came or went
            check_counts.recount(account.pk)
            check_statuses.refresh(account.pk, at)  # from the counts
        if resources_changed:  # else no resource came, went or changed its key owner
            owner_counts.recount(account.pk)
    return len(resource_ids), len(evaluations)


def upsert_resources(account, inventory, owners, spots, at):
    existing = {
        row.uid: row
        for row in Resource.objects.filter(account=account).values_list(
            "id", "uid", "type", "region", "name", "evidence", "tags", "key_owner", "kms_key_arn", "gone_at", named=True
        )
    }
    created, changed = [], []
    for item in inventory.records:
        values = {
            "type": item.type,
            "region": item.region,
            "name": item.name[:1024],
            "evidence": item.evidence,
            "tags": item.tags,
            "key_owner": resource_key_owner(item, inventory, owners),
            "kms_key_arn": inventory.key_arn(item.key_arn, item.region) if item.key_arn else "",
        }
        row = existing.get(item.uid)
        if row is None:
            created.append(Resource(account=account, uid=item.uid, first_seen=at, last_seen=at, **values))
        elif row.gone_at is not None or any(getattr(row, name) != value for name, value in values.items()):
            changed.append(Resource(id=row.id, gone_at=None, **values))
    Resource.objects.bulk_create(created, batch_size=BATCH)
    if changed:
        Resource.objects.bulk_update(changed, [*values, "gone_at"], batch_size=BATCH)
    seen = {item.uid for item in inventory.records}
    gone = [
        row.id
        for uid, row in existing.items()
        if uid not in seen and row.gone_at is None and not is_blind(spots, row.type, row.region)
    ]
    for start in range(0, len(gone), BATCH):
        Resource.objects.filter(id__in=gone[start : start + BATCH]).update(gone_at=at)
    if not spots:  # every live resource was seen (the rest were just marked gone): one statement
        Resource.objects.live().filter(account=account).exclude(last_seen=at).update(last_seen=at)
    else:
        seen_ids = [row.id for uid, row in existing.items() if uid in seen]
        for start in range(0, len(seen_ids), BATCH):
            Resource.objects.filter(id__in=seen_ids[start : start + BATCH]).update(last_seen=at)
    ids = {row.uid: row.id for row in existing.values()}
    ids.update({row.uid: row.id for row in created})
    return {uid: ids[uid] for uid in seen}, bool(created or changed or gone)


def active_suppressions(account, at):
    return list(Suppression.objects.active(at).filter(Q(account=account) | Q(account__isnull=True)))


# What a re-scan needs to know of each existing finding: read as light tuples, not 20,000 model instances.
KNOWN_FIELDS = (
    "id",
    "check_id",
    "resource_id",
    "status",
    "reason",
    "key_owner",
    "severity",
    "closed_at",
    "resource_type",
    "region",
)
MOVED_FIELDS = ["status", "status_since", "closed_at", "reason", "key_owner", "severity"]
REWORDED_FIELDS = ["reason", "key_owner", "severity"]


def known_findings(account):
    rows = Finding.objects.filter(account=account).values_list(*KNOWN_FIELDS, named=True)
    return {(row.check_id, row.resource_id): row for row in rows}


def verdict(check, result):
    return {"reason": result.reason, "key_owner": result.key_owner or "", "severity": check.severity}


def upsert_findings(scan, account, evaluations, resource_ids, spots, at):
    existing = known_findings(account)
    suppressions = active_suppressions(account, at)
    created, moved, reworded, events, produced = [], [], [], [], set()
    for evaluation in evaluations:
        check, result = CATALOG[evaluation.check_id], evaluation.result
        resource_id = resource_ids[evaluation.record.uid]
        key = (check.id, resource_id)
        produced.add(key)
        row = existing.get(key)
        if row is None:
            suppression = next(
                (
                    s
                    for s in suppressions
                    if s.check_id == check.id and s.matches_uid(account.pk, evaluation.record.uid)
                ),
                None,
            )
            created.append(new_finding(scan, account, check, evaluation, resource_id, at, suppression))
            continue
        old = "" if row.closed_at else row.status
        values = verdict(check, result)
        if old != result.status:
            events.append(
                FindingEvent(
                    finding_id=row.id,
                    scan=scan,
                    account=account,
                    at=at,
                    old_status=old,
                    new_status=result.status,
                    reason=result.reason[:2000],
                )
            )
            moved.append(Finding(id=row.id, status=result.status, status_since=at, closed_at=None, **values))
        elif (row.reason, row.key_owner or "", row.severity) != tuple(values.values()):
            reworded.append(Finding(id=row.id, **values))
    insert_findings(created)
    write_new_events(scan, account, at)
    closed = close_missing(scan, account, existing, produced, spots, at, events)
    Finding.objects.bulk_update(moved, MOVED_FIELDS, batch_size=BATCH)
    Finding.objects.bulk_update(reworded, REWORDED_FIELDS, batch_size=BATCH)
    for start in range(0, len(closed), BATCH):
        Finding.objects.filter(id__in=closed[start : start + BATCH]).update(closed_at=at)
    FindingEvent.objects.bulk_create(events, batch_size=BATCH)
    touch_seen(scan, account, existing, produced, spots, at)
    return day_changes.add_scan(scan.pk) > 0  # whether any event was written


def touch_seen(scan, account, existing, produced, spots, at):
    if not spots:  # the common case: one statement for every open finding (new ones already say this scan)
        Finding.objects.filter(account=account, closed_at__isnull=True).exclude(last_scan=scan).update(
            last_seen=at, last_scan=scan
        )
        return
    touch = [row.id for key, row in existing.items() if key in produced]
    for start in range(0, len(touch), BATCH * 5):
        Finding.objects.filter(id__in=touch[start : start + BATCH * 5]).update(last_seen=at, last_scan=scan)


def new_finding(scan, account, check, evaluation, resource_id, at, suppression=None):
    """A new finding's column values (a dict by attname: cheaper than a model instance, 20,000 at a time)."""
    record, result = evaluation.record, evaluation.result
    return {
        "account_id": account.pk,
        "check_id": check.id,
        "resource_id": resource_id,
        "status": result.status,
        "reason": result.reason,
        "severity": check.severity,
        "area": check.area,
        "resource_type": record.type,
        "region": record.region,
        "key_owner": result.key_owner or "",
        "first_seen": at,
        "last_seen": at,
        "status_since": at,
        "closed_at": None,
        "last_scan_id": scan.pk,
        "suppression_id": suppression.pk if suppression else None,
    }


def insert_findings(rows):
    """Insert new findings (new_finding's dicts); on PostgreSQL through COPY, ~10× less client CPU than
    bulk_create's INSERTs. Nothing needs their ids back: write_new_events finds them by scan.
    """
    if connection.vendor != "postgresql":
        Finding.objects.bulk_create([Finding(**row) for row in rows], batch_size=BATCH)
        return
    columns = [field.attname for field in Finding._meta.concrete_fields if not field.primary_key]
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {Finding._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row([row[column] for column in columns])


def write_new_events(scan, account, at):
    """One "new" event for each finding this scan created, written by the database from the rows themselves.

    New findings are the account's rows whose last scan is this one: touch_seen has not run yet, so no
    older finding carries this scan's id. One INSERT … SELECT instead of 20,000 event objects.
    """
    events, findings = FindingEvent._meta.db_table, Finding._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {events} (finding_id, scan_id, account_id, at, old_status, new_status, reason) "  # noqa: S608
            f"SELECT id, last_scan_id, account_id, %s, '', status, SUBSTR(reason, 1, 2000) FROM {findings} "
            "WHERE account_id = %s AND last_scan_id = %s ORDER BY id",
            # Adapted like the ORM does: SQLite must store the same naive-UTC text as every other timestamp.
            [connection.ops.adapt_datetimefield_value(at), account.pk, scan.pk],
        )


def close_missing(scan, account, existing, produced, spots, at, events):
    """Ids of findings this scan no longer produced, to close — unless their data sat in a blind spot."""
    closed = []
    for key, row in existing.items():
        if key in produced or row.closed_at or is_blind(spots, row.resource_type, row.region):
            continue
        events.append(
            FindingEvent(
                finding_id=row.id,
                scan=scan,
                account=account,
                at=at,
                old_status=row.status,
                new_status="",
                reason="No longer observed (the resource is gone or the check no longer applies).",
            )
        )
        closed.append(row.id)
    return closed


def write_scores(scan, account, at):
    rows = (
        Finding.objects.current()
        .filter(account=account)
        .unmuted(at)
        .values_list("area", "status", "severity")
        .annotate(count=Count("id"))
        .order_by()
    )
    tallies = tally_by_area(rows)
    AreaScore.objects.bulk_create(
        [
            AreaScore(
                scan=scan,
                account=account,
                at=at,
                area=area,
                passed=tally.passed,
                failed=tally.failed,
                errors=tally.errors,
                score=tally.score,
            )
            for area, tally in tallies.items()
        ]
    )
    return tallies
