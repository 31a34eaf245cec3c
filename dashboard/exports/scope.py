"""What a report covers: accounts, areas, severities, muted in or out, and the moment it describes.

Every format (CSV, JSON, XLSX, PDF, evidence pack) reads its findings through one Scope, so a pack's
findings.csv and its report.pdf can never disagree about what was in scope.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from accounts.models import AwsAccount
from accounts.visibility import narrowed_accounts, sees_all_accounts, visible_accounts
from checks.catalog.base import Area, Severity
from checks.compliance import FRAMEWORKS, UnknownFramework
from checks.models import Resource
from dashboard.exports.rows import iter_csv_records, iter_json_objects, iter_rows, page_findings, scoped_findings


class ScopeError(ValueError):
    """A scope that cannot be reported on (a date outside the kept history, an unknown value)."""


def end_of_day(day):
    return datetime.datetime.combine(day, datetime.time.max, tzinfo=datetime.UTC)


def earliest_date(now=None):
    """The oldest date whose posture is still in the kept history."""
    now = now or timezone.now()
    return (now - datetime.timedelta(days=settings.HISTORY_RETENTION_DAYS)).date()


def parse_as_of(value, now=None):
    """YYYY-MM-DD (or a date) → the end of that day in UTC, or now for today; refuses the future
    and dates older than the kept history (POSTURE_HISTORY_RETENTION_DAYS)."""
    now = now or timezone.now()
    if isinstance(value, datetime.date):
        day = value
    else:
        try:
            day = datetime.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ScopeError(f"The as-of date must look like 2026-06-30, not {value!r}.") from None
    if day > now.date():
        raise ScopeError(f"The as-of date {day.isoformat()} is in the future (today is {now.date().isoformat()}).")
    if day < earliest_date(now):
        raise ScopeError(
            f"The as-of date {day.isoformat()} is older than the {settings.HISTORY_RETENTION_DAYS} days of history "
            f"Posture keeps; the earliest date it can report on is {earliest_date(now).isoformat()}."
        )
    # Today's posture is the posture now: the end of today has not happened yet.
    return min(end_of_day(day), now)


def account_numbers_seen_by(user):
    """The 12-digit ids of the accounts `user` sees, as a set; None when they see every account."""
    narrowed = narrowed_accounts(user)
    return None if narrowed is None else set(narrowed.values_list("account_id", flat=True))


@dataclass(frozen=True)
class Scope:
    accounts: tuple = ()  # 12-digit account ids; empty means every account
    areas: tuple = ()  # Area values; empty means every area
    severities: tuple = ()  # Severity values; empty means every severity
    include_muted: bool = True
    as_of: datetime.datetime | None = None  # None: the current posture
    # The Findings page's filter query string ("severity=high&status=FAIL"): today's rows that page lists.
    # It carries its own accounts, areas and severities, so it stands alone.
    findings_filter: str = ""
    # A compliance framework's slug (checks.compliance.FRAMEWORKS): the PDF's compliance section, and the
    # one framework of the XLSX Compliance sheet and compliance.json ("": those two carry every framework).
    framework: str = ""
    # The account ids the person it is made for may see (accounts.visibility), None: every account. A report
    # never reaches past them, whatever `accounts` or `findings_filter` ask for (Scope.for_user sets it).
    limit_to: tuple | None = None
    # When the report was made; "as of now" means this moment.
    generated_at: datetime.datetime = field(default_factory=timezone.now, compare=False)

    def __post_init__(self):
        unknown = [a for a in self.areas if a not in Area.values] + [
            s for s in self.severities if s not in Severity.values
        ]
        if unknown:
            raise ScopeError(f"Unknown area or severity: {', '.join(map(str, unknown))}.")
        if self.findings_filter and (self.accounts or self.areas or self.severities or self.as_of):
            raise ScopeError("A Findings-page selection is of today's findings and carries its own filters.")
        if self.framework and self.framework not in FRAMEWORKS:
            raise ScopeError(str(UnknownFramework(self.framework)))

    @classmethod
    def for_user(cls, user, **fields):
        """A scope of what `user` may see: every account for those who see all, else their teams' accounts."""
        if sees_all_accounts(user):
            return cls(**fields)
        ids = visible_accounts(user).order_by("account_id").values_list("account_id", flat=True)
        return cls(limit_to=tuple(ids), **fields)

    @property
    def account_ids(self):
        """The 12-digit ids the scope covers, or None for every account."""
        if self.limit_to is None:
            return tuple(self.accounts) or None
        if not self.accounts:
            return tuple(self.limit_to)
        return tuple(account for account in self.accounts if account in self.limit_to)

    def is_within(self, account_ids):
        """Whether every account this scope covers is among `account_ids` (a set; None: every account)."""
        if account_ids is None:
            return True
        return self.account_ids is not None and set(self.account_ids) <= account_ids

    def is_visible_to(self, user):
        """Whether `user` may see every account this scope covers (a job's file is theirs to download)."""
        return self.is_within(account_numbers_seen_by(user))

    @property
    def at(self):
        """The moment the report describes."""
        return self.as_of or self.generated_at

    @property
    def is_historical(self):
        return self.as_of is not None

    def account_rows(self):
        accounts = AwsAccount.objects.order_by("name", "account_id")
        ids = self.account_ids
        return accounts if ids is None else accounts.filter(account_id__in=ids)

    def findings(self, join_latest=False):
        """The findings in scope as they stood at `at`, annotated with status_then, reason_then, …
        (join_latest: see history.findings_as_of; for queries limited to one account)."""
        if self.findings_filter:
            rows = page_findings(self.findings_filter, self.account_ids)
            return rows if self.include_muted else rows.unmuted(self.at)
        rows = scoped_findings(
            accounts=self.account_ids,
            as_of=self.as_of,
            areas=list(self.areas) or None,
            severities=list(self.severities) or None,
            join_latest=join_latest,
        )
        return rows if self.include_muted else rows.unmuted(self.at)

    def rows(self, per_account=True):
        """The export rows (rows.COLUMNS) of the findings in scope, streamed."""
        return iter_rows(
            self.findings(join_latest=per_account), self.at, accounts=self.account_order() if per_account else None
        )

    def account_order(self):
        """The accounts in scope (pk, account_id, name), in the order files list them (by 12-digit id)."""
        accounts = AwsAccount.objects.order_by("account_id")
        if self.account_ids is not None:
            accounts = accounts.filter(account_id__in=self.account_ids)
        return list(accounts.only("pk", "account_id", "name"))

    def csv_rows(self, per_account=True):
        """The same rows as CSV records the database wrote, safe for a spreadsheet (csv.write_records).
        per_account: one query per account (large files); False: one query (a small streamed file)."""
        return iter_csv_records(
            self.findings(join_latest=per_account), self.at, accounts=self.account_order() if per_account else None
        )

    def json_objects(self, per_account=True):
        """The same rows as JSON object texts (json.write_objects); per_account as for csv_rows."""
        return iter_json_objects(
            self.findings(join_latest=per_account), self.at, accounts=self.account_order() if per_account else None
        )

    def resources(self):
        """Resources that existed at `at`: first seen by then and not yet gone."""
        rows = Resource.objects.live_at(self.at)
        if self.account_ids is not None:
            rows = rows.filter(account__account_id__in=self.account_ids)
        return rows.select_related("account").order_by("account__account_id", "type", "uid")

    def describe(self):
        """The scope as plain JSON values (for manifests, audit entries and job rows)."""
        return {
            "accounts": "all" if self.account_ids is None else list(self.account_ids),
            "areas": list(self.areas) or "all",
            "severities": list(self.severities) or "all",
            "muted": "included" if self.include_muted else "excluded",
            "as_of": self.at.isoformat(),
            "as_of_date": self.at.date().isoformat(),
            "historical": self.is_historical,
            **({"findings_filter": self.findings_filter} if self.findings_filter else {}),
            **({"framework": self.framework} if self.framework else {}),
        }

    def sentences(self):
        """The scope in words, for a report cover."""
        labels = dict(Area.choices) | dict(Severity.choices)
        return [
            ("Accounts", "All accounts" if self.account_ids is None else ", ".join(self.account_ids) or "None"),
            ("Areas", ", ".join(labels[a] for a in self.areas) if self.areas else "All areas"),
            ("Severities", ", ".join(labels[s] for s in self.severities) if self.severities else "All severities"),
            ("Muted findings", "Included" if self.include_muted else "Excluded"),
            *([("Findings page filters", self.findings_filter)] if self.findings_filter else []),
            *([("Compliance framework", FRAMEWORKS[self.framework].name)] if self.framework else []),
        ]

    def summary(self):
        """One line: "All accounts · all areas · high, critical · muted excluded · as of 2026-06-30"."""
        if self.findings_filter:
            return f"Findings page: {self.findings_filter} · current"
        parts = [
            "all accounts" if self.account_ids is None else ", ".join(self.account_ids) or "no accounts",
            ", ".join(self.areas) if self.areas else "all areas",
            ", ".join(self.severities) if self.severities else "all severities",
            "muted included" if self.include_muted else "muted excluded",
            f"as of {self.as_of:%Y-%m-%d}" if self.as_of else "current",
        ]
        return " · ".join(parts)

    def to_json(self):
        """What a ReportJob stores to rebuild this scope in a worker."""
        return {
            "accounts": list(self.accounts),
            "areas": list(self.areas),
            "severities": list(self.severities),
            "include_muted": self.include_muted,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "findings_filter": self.findings_filter,
            "framework": self.framework,
            "limit_to": None if self.limit_to is None else list(self.limit_to),
        }

    @classmethod
    def from_json(cls, data):
        """The scope of a stored job; "now" (no as-of date) means the moment it is built."""
        as_of = data.get("as_of")
        limit_to = data.get("limit_to")
        return cls(
            limit_to=None if limit_to is None else tuple(limit_to),
            accounts=tuple(data.get("accounts") or ()),
            areas=tuple(data.get("areas") or ()),
            severities=tuple(data.get("severities") or ()),
            include_muted=data.get("include_muted", True),
            as_of=datetime.datetime.fromisoformat(as_of) if as_of else None,
            findings_filter=data.get("findings_filter", ""),
            framework=data.get("framework", ""),
        )
