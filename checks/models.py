from datetime import UTC, date, datetime
from fnmatch import fnmatchcase

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from accounts.models import AwsAccount
from accounts.validation import without_nul
from checks import coverage
from checks.catalog.base import Area, KeyOwner, Severity, Status


class Scan(models.Model):
    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Schedule"
        MANUAL = "manual", "Manual"
        CLI = "cli", "Command line"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        PARTIAL = "partial", "Partial"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE = (State.QUEUED, State.RUNNING)

    account = models.ForeignKey(AwsAccount, on_delete=models.CASCADE, related_name="scans")
    trigger = models.CharField(max_length=16, choices=Trigger)
    status = models.CharField(max_length=16, choices=State, default=State.QUEUED)
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    stage = models.CharField(max_length=64, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    resource_count = models.PositiveIntegerField(default=0)
    finding_count = models.PositiveIntegerField(default=0)
    api_call_count = models.PositiveIntegerField(default=0)
    collection_errors = models.JSONField(default=list, blank=True)
    error_message = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)

    class Meta:
        ordering = ["-queued_at"]
        constraints = [
            # The per-account lock: at most one queued or running scan per account.
            models.UniqueConstraint(
                fields=["account"], condition=Q(status__in=["queued", "running"]), name="one_active_scan_per_account"
            ),
        ]
        indexes = [models.Index(fields=["account", "-queued_at"]), models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self):
        return f"Scan {self.pk} of {self.account_id} ({self.status})"

    @classmethod
    def queue(cls, account, trigger):
        """A new queued scan for `account`, or None when one is already queued or running."""
        try:
            with transaction.atomic():
                return cls.objects.create(account=account, trigger=trigger)
        except IntegrityError:
            return None

    @property
    def is_finished(self):
        return self.status not in self.ACTIVE

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None

    @property
    def progress_percent(self):
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def gaps(self):
        """What this scan could not read (checks.coverage.Gap): what made it partial."""
        return coverage.gaps(self.collection_errors)

    @property
    def not_served(self):
        """Services that did not answer at all (checks.coverage.NotServed): expected, not gaps."""
        return coverage.not_served(self.collection_errors)

    def save_progress(self, stage, done=None, total=None):
        self.stage = stage
        self.heartbeat_at = timezone.now()
        fields = ["stage", "heartbeat_at"]
        if done is not None:
            self.progress_done = done
            fields.append("progress_done")
        if total is not None:
            self.progress_total = total
            fields.append("progress_total")
        Scan.objects.filter(pk=self.pk).update(**{field: getattr(self, field) for field in fields})

    def finish(self, status, error_message=""):
        self.status = status
        self.finished_at = timezone.now()
        self.error_message = without_nul(error_message)[:4000]
        Scan.objects.filter(pk=self.pk).update(
            status=status, finished_at=self.finished_at, error_message=self.error_message
        )


# A resource is live until a scan finds it gone: one condition, for queries and for partial indexes.
LIVE = Q(gone_at__isnull=True)


class ResourceQuerySet(models.QuerySet):
    def live(self):
        """Resources that exist now (no scan has found them gone)."""
        return self.filter(LIVE)

    def live_at(self, at):
        """Resources that existed at `at`: first seen by then and not gone yet."""
        return self.filter(LIVE | Q(gone_at__gt=at), first_seen__lte=at)

    def count_by_key_owner(self):
        """[(resource type, {key owner: count})] of these resources that have a key owner, largest type first."""
        # COUNT(*), not COUNT(id): PostgreSQL then answers live rows from the (type, key_owner) index alone.
        return by_type(
            self.exclude(key_owner="").order_by().values_list("type", "key_owner").annotate(count=Count("*"))
        )


def by_type(counts):
    """[(resource type, {key owner: count})], largest type first, from (type, key owner, count) rows."""
    types = {}
    for resource_type, owner, count in counts:
        types.setdefault(resource_type, {})[owner] = count
    return sorted(types.items(), key=lambda row: (-sum(row[1].values()), row[0]))


class Resource(models.Model):
    account = models.ForeignKey(
        AwsAccount, on_delete=models.CASCADE, related_name="resources", db_index=False
    )  # unique (account, uid) indexes it
    uid = models.CharField(max_length=2048)
    type = models.CharField(max_length=64)
    region = models.CharField(max_length=32)
    name = models.CharField(max_length=1024, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    tags = models.JSONField(default=dict, blank=True)
    key_owner = models.CharField(max_length=20, choices=KeyOwner, blank=True)
    kms_key_arn = models.CharField(max_length=2048, blank=True)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    gone_at = models.DateTimeField(null=True, blank=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "uid"], name="unique_resource_per_account")]
        indexes = [
            models.Index(fields=["account", "type"]),
            models.Index(fields=["kms_key_arn"]),
            # The Keys page counts live resources by (type, key owner) across the estate: from this
            # index alone on PostgreSQL, without reading the wide rows.
            models.Index(fields=["type", "key_owner"], condition=LIVE, name="resource_live_type_owner_idx"),
            # The Keys page orders live keys by account and name: a page of ids from this small index.
            models.Index(
                fields=["account", "name", "id"],
                condition=LIVE & Q(type="kms.key"),
                name="resource_live_key_idx",
            ),
        ]

    def __str__(self):
        return self.name or self.uid


def active_at(at, path=""):
    """The mute rule as a filter: a suppression is active at `at` when it was created at or before `at`,
    expires after it, and was not revoked at or before it — Suppression.is_active for one row. `path`
    reaches the suppression from another model ("suppression__")."""
    return Q(**{f"{path}created_at__lte": at, f"{path}expires_at__gt": at}) & (
        Q(**{f"{path}revoked_at__isnull": True}) | Q(**{f"{path}revoked_at__gt": at})
    )


def inactive_at(at, path=""):
    """The negation of active_at, written out so that a finding without a suppression (a LEFT JOIN's
    NULLs) is judged row by row rather than by NOT IN over every muted finding."""
    late, expired, revoked = (f"{path}created_at__gt", f"{path}expires_at__lte", f"{path}revoked_at__lte")
    return Q(**{late: at}) | Q(**{expired: at}) | Q(**{revoked: at})


class SuppressionQuerySet(models.QuerySet):
    def active(self, at=None):
        """Mutes in force at `at` (default now): see active_at."""
        return self.filter(active_at(at or timezone.now()))


class Suppression(models.Model):
    check_id = models.CharField(max_length=128)
    account = models.ForeignKey(
        AwsAccount,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="suppressions",
        help_text="Blank: every account.",
    )
    resource_pattern = models.CharField(
        max_length=2048, default="*", help_text="Shell-style pattern over resource ARNs."
    )
    justification = models.TextField()
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SuppressionQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["check_id", "expires_at"])]

    def __str__(self):
        return f"Mute {self.check_id} on {self.resource_pattern} until {self.expires_at:%Y-%m-%d}"

    def is_active(self, at=None):
        """Created at or before `at`, not expired and not revoked by then (active_at, for one row).

        A mute revoked later was still active at `at`: what an as-of report of that day must show."""
        at = at or timezone.now()
        return self.created_at <= at < self.expires_at and not self.is_revoked(at)

    def is_revoked(self, at=None):
        return self.revoked_at is not None and self.revoked_at <= (at or timezone.now())

    def matches_uid(self, account_pk, resource_uid):
        return (self.account_id is None or self.account_id == account_pk) and fnmatchcase(
            resource_uid, self.resource_pattern
        )


class FindingQuerySet(models.QuerySet):
    def current(self):
        """Findings that exist now (not closed because their resource went away)."""
        return self.filter(closed_at__isnull=True)

    def failing(self):
        return self.current().filter(status=Status.FAIL)

    def muted(self, at=None):
        """Findings whose suppression was active at `at` (default now)."""
        return self.filter(Q(suppression__isnull=False) & active_at(at or timezone.now(), "suppression__"))

    def unmuted(self, at=None):
        """Every other finding. The negation of muted() as a join, judged row by row: NOT IN (muted()) made
        PostgreSQL first collect every muted finding of every account (~0.7 s at 2M findings)."""
        return self.filter(Q(suppression__isnull=True) | inactive_at(at or timezone.now(), "suppression__"))


# The Keys page lists this check's failing findings, ordered by account and resource name: a small partial index
# (such failures are rare) gives it their ids without reading every failing finding's row.
UNUSABLE_KEY_CHECK = "kms.key_in_use_unusable"


class Finding(models.Model):
    account = models.ForeignKey(
        AwsAccount, on_delete=models.CASCADE, related_name="findings", db_index=False
    )  # unique (account, check_id, resource) indexes it
    check_id = models.CharField(max_length=128)
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="findings")
    status = models.CharField(max_length=16, choices=Status)
    reason = models.TextField()
    severity = models.CharField(max_length=16, choices=Severity)
    area = models.CharField(max_length=16, choices=Area)
    # Copied from the resource so the findings table filters without joins.
    resource_type = models.CharField(max_length=64)
    region = models.CharField(max_length=32)
    key_owner = models.CharField(max_length=20, choices=KeyOwner, blank=True)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    status_since = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    # Every scan rewrites last_seen and last_scan of every open finding. Neither is indexed, so on
    # PostgreSQL those are HOT updates (no index entries written; the table's fillfactor leaves room):
    # an unchanged re-scan of 20,000 findings costs ~0.2 s instead of ~2 s (bench/ingest.py).
    last_scan = models.ForeignKey(Scan, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    # The finding's latest mute, kept when it expires or is revoked (Suppression.is_active(at) says whether
    # it muted the finding at a given moment). Almost every finding has none: a partial index (below) holds
    # only those that do.
    suppression = models.ForeignKey(
        Suppression, null=True, blank=True, on_delete=models.SET_NULL, related_name="findings", db_index=False
    )

    objects = FindingQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "check_id", "resource"], name="unique_finding"),
        ]
        indexes = [
            models.Index(fields=["status", "severity", "-id"]),
            # With severity: the overview counts each account's open critical/high failures from the index.
            models.Index(fields=["account", "status", "severity"], name="finding_account_status_sev_idx"),
            models.Index(fields=["check_id", "status"]),
            models.Index(fields=["area", "status"]),
            models.Index(fields=["status_since"]),
            models.Index(fields=["key_owner"]),
            models.Index(fields=["suppression"], condition=Q(suppression__isnull=False), name="finding_muted_idx"),
            models.Index(
                fields=["account", "resource"],
                condition=Q(check_id=UNUSABLE_KEY_CHECK, status=Status.FAIL, closed_at__isnull=True),
                name="finding_unusable_key_idx",
            ),
        ]

    def __str__(self):
        return f"{self.check_id} on {self.resource_id}: {self.status}"

    @property
    def is_muted(self):
        return self.is_muted_at()

    def is_muted_at(self, at=None):
        return self.suppression is not None and self.suppression.is_active(at)


class FindingEvent(models.Model):
    """Append-only: one row each time a finding's status changes. New status "" means closed."""

    # finding and account are indexed by (finding, at) and (account, at) below.
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="events", db_index=False)
    scan = models.ForeignKey(Scan, null=True, on_delete=models.SET_NULL, related_name="events")
    account = models.ForeignKey(AwsAccount, on_delete=models.CASCADE, related_name="+", db_index=False)
    at = models.DateTimeField()
    old_status = models.CharField(max_length=16, blank=True)
    new_status = models.CharField(max_length=16, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["finding", "at"]),
            models.Index(fields=["account", "at"]),
            models.Index(fields=["at"]),
        ]

    def __str__(self):
        return f"{self.finding_id}: {self.old_status or 'new'} → {self.new_status or 'closed'} at {self.at}"


class DayChange(models.Model):
    """How many of an account's findings went from one status to another on one day (UTC), by their events.

    Written with the events (checks.day_changes), so a window of days is read from a few rows per account
    and day instead of from every event in it. Retention prunes the days it prunes the events of."""

    account = models.ForeignKey(AwsAccount, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    old_status = models.CharField(max_length=16, blank=True)
    new_status = models.CharField(max_length=16, blank=True)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "day", "old_status", "new_status"], name="unique_day_change")
        ]
        # A window across every account reads its days from this index alone (every column is in it).
        indexes = [
            models.Index(fields=["day", "old_status", "new_status", "account", "count"], name="day_change_window_idx")
        ]

    def __str__(self):
        return (
            f"{self.account_id} {self.day}: {self.count} × {self.old_status or 'new'} → {self.new_status or 'closed'}"
        )


class WeekChange(models.Model):
    """DayChange summed over a week (Monday to Sunday, UTC): a long window reads its whole weeks from here and
    only the days at its ends from DayChange. Written and pruned with the days (checks.day_changes)."""

    account = models.ForeignKey(AwsAccount, on_delete=models.CASCADE, related_name="+", db_index=False)
    week = models.DateField()  # its Monday
    old_status = models.CharField(max_length=16, blank=True)
    new_status = models.CharField(max_length=16, blank=True)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "week", "old_status", "new_status"], name="unique_week_change")
        ]
        # A window across every account reads its weeks from this index alone (every column is in it).
        indexes = [
            models.Index(fields=["week", "old_status", "new_status", "account", "count"], name="week_change_window_idx")
        ]

    def __str__(self):
        return (
            f"{self.account_id} week of {self.week}: {self.count} × {self.old_status or 'new'} → "
            f"{self.new_status or 'closed'}"
        )


class OwnerCountQuerySet(models.QuerySet):
    def count_by_key_owner(self):
        """ResourceQuerySet.count_by_key_owner of the live resources these rows count."""
        return by_type(self.order_by().values_list("type", "key_owner").annotate(total=Sum("count")))


class OwnerCount(models.Model):
    """How many of an account's live resources of one type each key owner holds: the Keys page's tally reads
    these few rows per account instead of every resource (checks.owner_counts keeps them)."""

    account = models.ForeignKey(AwsAccount, on_delete=models.CASCADE, related_name="+", db_index=False)
    type = models.CharField(max_length=64)
    key_owner = models.CharField(max_length=20, choices=KeyOwner)
    count = models.PositiveIntegerField()

    objects = OwnerCountQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "type", "key_owner"], name="unique_owner_count")]
        # The tally across the accounts reads from this index alone (every column is in it).
        indexes = [models.Index(fields=["type", "key_owner", "account", "count"], name="owner_count_type_idx")]

    def __str__(self):
        return f"{self.account_id} {self.type}: {self.count} {self.key_owner}"


class OwnerTotal(models.Model):
    """OwnerCount summed over every account: the Keys page reads these few rows for a viewer who sees every
    account instead of summing ~35 rows per account (checks.owner_counts keeps them with the counts)."""

    type = models.CharField(max_length=64)
    key_owner = models.CharField(max_length=20, choices=KeyOwner)
    count = models.IntegerField()
    accounts = models.IntegerField()  # how many accounts have such resources

    objects = OwnerCountQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["type", "key_owner"], name="unique_owner_total")]

    def __str__(self):
        return f"{self.type}: {self.count} {self.key_owner} in {self.accounts} accounts"


class CheckCount(models.Model):
    """How many of an account's current findings of one check have each status: the Checks and Compliance
    pages read these few rows per account and check instead of the findings (checks.check_counts keeps them)."""

    account = models.ForeignKey(AwsAccount, on_delete=models.CASCADE, related_name="+", db_index=False)
    check_id = models.CharField(max_length=128)
    status = models.CharField(max_length=16, choices=Status)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "check_id", "status"], name="unique_check_count")]
        # Every check's tallies across the accounts read from this index alone (every column is in it).
        indexes = [models.Index(fields=["check_id", "status", "account", "count"], name="check_count_check_idx")]

    def __str__(self):
        return f"{self.account_id} {self.check_id}: {self.count} {self.status}"


class CheckTotal(models.Model):
    """CheckCount summed over every account: the Checks page reads these few rows for a viewer who sees every
    account instead of summing every account's (checks.check_counts keeps them with the counts)."""

    check_id = models.CharField(max_length=128)
    status = models.CharField(max_length=16, choices=Status)
    count = models.IntegerField()
    accounts = models.IntegerField()  # how many accounts have findings of this check with this status

    class Meta:
        constraints = [models.UniqueConstraint(fields=["check_id", "status"], name="unique_check_total")]

    def __str__(self):
        return f"{self.check_id}: {self.count} {self.status} in {self.accounts} accounts"


class CheckStatusQuerySet(models.QuerySet):
    """Spans kept in month pieces: CheckStatus's, and RequirementStatus's the same way."""

    def at(self, at=None):
        """The status each account's check (or requirement) had at `at` (None: now): one row per account and
        check with a finding then (held_at's parts as one query)."""
        first, *rest = self.held_at(at)
        return first.union(*rest, all=True) if rest else first

    def held_at(self, at=None):
        """at() in parts that each read one index: the open spans (`until` null) and, as of a moment, the
        closed pieces of that moment's month alone, so the rows read are bounded by the accounts and checks
        however far back `at` is."""
        if at is None:
            return [self.filter(until__isnull=True)]
        return [
            self.filter(until__isnull=True, since__lte=at),
            self.filter(month=month_of(at), since__lte=at, until__gt=at),
        ]


def month_of(at):
    """The first day of `at`'s month (UTC): the part of the history a closed span's piece is filed under."""
    at = at.astimezone(UTC)
    return date(at.year, at.month, 1)


def month_pieces(since, until):
    """(since, until, month) of each piece of the closed span [since, until), one per calendar month (UTC)."""
    while since < until:
        month = month_of(since)
        following = datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=UTC)
        end = min(until, following)
        yield since, end, month
        since = end


def write_spans(model, rows):
    """Insert rows of a span model (CheckStatus, RequirementStatus); on PostgreSQL through COPY."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create(rows, batch_size=1000)
        return
    columns = [field.attname for field in model._meta.concrete_fields if not field.primary_key]
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row([getattr(row, column) for column in columns])


class CheckStatus(models.Model):
    """An account's status of one check (a checks.compliance.rollup.Rollup of its findings there) from
    `since` until `until` (null: still so). No row: the check had no finding there then (no data).

    Written with the events that change it (checks.check_statuses), so the Compliance page and reports
    read what was true at any moment from a row per account and check instead of rebuilding every
    finding from the event log. A closed span is stored in pieces, one per calendar month (UTC) it
    covers, each filed under its month: an as-of read touches one month's pieces only."""

    account = models.ForeignKey(AwsAccount, on_delete=models.CASCADE, related_name="+", db_index=False)
    check_id = models.CharField(max_length=128)
    status = models.CharField(max_length=16)  # a Rollup value; never no_data (that is no row)
    since = models.DateTimeField()
    until = models.DateTimeField(null=True, blank=True)
    month = models.DateField(null=True, blank=True)  # closed pieces only: month_of(since)

    objects = CheckStatusQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "check_id"], condition=Q(until__isnull=True), name="one_open_check_status"
            )
        ]
        # Every column a page reads is in these (index-only reads): the open spans by account, the closed
        # pieces by month and account.
        indexes = [
            models.Index(
                fields=["account", "check_id", "status", "since"],
                condition=Q(until__isnull=True),
                name="check_status_open_idx",
            ),
            models.Index(
                fields=["month", "account", "check_id", "status", "since", "until"],
                condition=Q(until__isnull=False),
                name="check_status_month_idx",
            ),
        ]

    def __str__(self):
        return f"{self.account_id} {self.check_id}: {self.status} from {self.since} until {self.until or 'now'}"


class RequirementStatus(models.Model):
    """An account's status of one requirement of a framework (checks.compliance.rollup's, from its
    CheckStatus spans then) from `since` until `until` (null: still so). No row: no data (no finding of any
    check behind it; a requirement no check covers has none either).

    Kept beside the check statuses (checks.requirement_statuses) so counting a framework's requirements
    over thousands of accounts groups one row per account and requirement. It depends on the mapping in
    checks/compliance/: RequirementMapping records which mapping the rows were worked out for, and readers
    use them only while it is the code's. Stored in month pieces like CheckStatus."""

    account = models.ForeignKey(AwsAccount, on_delete=models.CASCADE, related_name="+", db_index=False)
    framework = models.CharField(max_length=32)  # a framework's slug
    requirement = models.PositiveSmallIntegerField()  # its position in the framework's requirements
    status = models.CharField(max_length=16)  # a Rollup value; never no_data or not_covered (no row)
    since = models.DateTimeField()
    until = models.DateTimeField(null=True, blank=True)
    month = models.DateField(null=True, blank=True)  # closed pieces only: month_of(since)

    objects = CheckStatusQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "framework", "requirement"],
                condition=Q(until__isnull=True),
                name="one_open_requirement_status",
            )
        ]
        # Index-only reads of one framework: its open spans, or one month's closed pieces.
        indexes = [
            models.Index(
                fields=["framework", "account", "requirement", "status", "since"],
                condition=Q(until__isnull=True),
                name="requirement_status_open_idx",
            ),
            models.Index(
                fields=["month", "framework", "account", "requirement", "status", "since", "until"],
                condition=Q(until__isnull=False),
                name="requirement_status_month_idx",
            ),
        ]

    def __str__(self):
        return f"{self.account_id} {self.framework} #{self.requirement}: {self.status} from {self.since}"


class RequirementMapping(models.Model):
    """The fingerprint of the mapping (requirement ids and their checks) each framework's RequirementStatus
    rows were worked out for, written by a full rebuild."""

    framework = models.CharField(max_length=32, primary_key=True)
    fingerprint = models.CharField(max_length=64)

    def __str__(self):
        return f"{self.framework} {self.fingerprint}"


class AreaScore(models.Model):
    # scan and account are indexed by unique (scan, area) and (account, area, at) below.
    scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="scores", db_index=False)
    account = models.ForeignKey(AwsAccount, on_delete=models.CASCADE, related_name="scores", db_index=False)
    at = models.DateTimeField()
    area = models.CharField(max_length=16, choices=Area)
    passed = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    score = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scan", "area"], name="unique_score_per_scan_area")]
        # (account, at): an account's latest scores (one index probe) and its trend since a date.
        indexes = [models.Index(fields=["account", "at"], name="areascore_account_at_idx"), models.Index(fields=["at"])]

    def __str__(self):
        return f"{self.account_id} {self.area} {self.score} at {self.at}"
