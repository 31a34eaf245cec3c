"""The teams sweep: two teams, one account each, seeded with everything a page can show; every URL pattern of
the project is walked as each team's member (pages, HTMX fragments, downloads, actions, the API with a Bearer
token), with path parameters filled from both teams' objects. The other team's account id, account name,
organization and resource names must appear in no response — downloaded files unpacked (zip members, PDF text)
— and every URL built from the other team's objects answers 404 (its existence is not revealed).

The URL conf is walked, not listed: a pattern added later is swept the moment it is routed, and a pattern
with parameters this module does not know how to fill fails the sweep (add it to FILL) instead of being skipped.
"""

import io
import re
import subprocess
import zipfile
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from accounts.models import AwsAccount, Organization, Team
from api import tokens as api_tokens
from checks import check_counts
from checks.catalog.base import Area, KeyOwner, Severity, Status
from checks.models import Finding, Scan, Suppression
from dashboard import reports
from dashboard.exports.scope import Scope
from dashboard.models import AuditEntry, ReportJob
from dashboard.permissions import has_role
from dashboard.tests.factories import (
    AreaScoreFactory,
    FindingEventFactory,
    FindingFactory,
    KmsKeyFactory,
    ResourceFactory,
    ScanFactory,
    SuppressionFactory,
)
from tests import test_urls_require_sign_in as urlconf

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
ROLE = "operator"  # a plain member (not an admin): viewer, auditor and operator views are all theirs
MUTE = {"justification": "Accepted for the sweep.", "expires_on": "", "scope": "resource", "finding": []}


@dataclass
class Side:
    """One team's world: its member, account and the objects whose ids fill URLs."""

    name: str
    user: User
    team: Team
    account: AwsAccount
    organization: Organization
    scan: Scan
    running: Scan
    finding: Finding
    key_arn: str
    jobs: list
    secrets: tuple  # what the other team must never see: account id, names, resource names
    secret: str = ""  # the member's API token (Authorization: Bearer)
    spare_token: object = None  # a second token, for the URL that revokes one


def seed_side(label, digit):
    now = timezone.now()
    organization = Organization.objects.create(
        org_id=f"o-{label}org{digit}z", management_account_id=digit * 12, role_name="Audit"
    )
    account = AwsAccount.objects.create(
        account_id=f"3{digit * 11}",
        name=f"{label}-ledger-zq{digit}",
        organization=organization,
        labels={"team": label},
        regions=["us-east-1"],
    )
    scan = ScanFactory(account=account, queued_at=now - timedelta(days=2))
    running = ScanFactory(account=account, status=Scan.State.RUNNING, finished_at=None, queued_at=now)
    for area in Area:
        AreaScoreFactory(scan=scan, area=area, at=now - timedelta(days=2))
    key = KmsKeyFactory(
        account=account,
        name=f"alias/{label}-vault-key-zq{digit}",
        evidence={"key_manager": "CUSTOMER", "state": "PendingDeletion", "rotation_enabled": False, "aliases": []},
    )
    bucket = ResourceFactory(
        account=account,
        name=f"{label}-payroll-bucket-zq{digit}",
        key_owner=KeyOwner.CUSTOMER_MANAGED,
        kms_key_arn=key.uid,
        tags={"owner": f"{label}-owner-tag-zq{digit}"},
    )
    plain = ResourceFactory(account=account, name=f"{label}-plain-bucket-zq{digit}", key_owner=KeyOwner.UNENCRYPTED)
    finding = FindingFactory(resource=plain, status=Status.FAIL, severity=Severity.CRITICAL)
    FindingFactory(resource=bucket, check_id="kms.key_in_use_unusable", area=Area.KEYS, status=Status.FAIL)
    FindingFactory(resource=key, check_id="kms.key_rotation_enabled", area=Area.KEYS, status=Status.PASS)
    muted = FindingFactory(resource=bucket, check_id="s3.bucket_secure_transport", area=Area.IN_TRANSIT)
    muted.suppression = SuppressionFactory(account=account, check_id=muted.check_id, resource_pattern=bucket.uid)
    muted.save()
    for each in (finding, muted):
        FindingEventFactory(finding=each, scan=scan, at=now - timedelta(days=2), old_status=Status.PASS)
    check_counts.recount(account.pk)  # as recording does after a scan: the Checks and Compliance pages read them
    AuditEntry.objects.create(action=AuditEntry.Action.SCAN_STARTED, target=str(account), details={"scan": scan.pk})
    secrets = (account.account_id, account.name, organization.org_id, key.name, bucket.name, plain.name)
    return account, organization, scan, running, finding, key.uid, secrets


def member(username, team):
    user = User.objects.create_user(username, password="a-long-sweep-password")  # noqa: S106
    user.groups.add(Group.objects.get_or_create(name=ROLE)[0])
    team.members.add(user)
    return user


def build_jobs(user):
    """One finished report of every format, built for `user` as the Reports page would."""
    jobs = []
    for fmt in ReportJob.Format.values:
        job = reports.request_job(user, fmt, Scope.for_user(user))
        reports.run_job(job)
        job.refresh_from_db()
        assert job.status == ReportJob.State.SUCCEEDED, job.error
        jobs.append(job)
    return jobs


@pytest.fixture
def sides(settings, tmp_path):
    settings.REPORTS_DIR = tmp_path / "reports"
    settings.EVIDENCE_SIGNING_KEY = settings.EVIDENCE_HMAC_KEY = ""
    built = {}
    for label, digit in (("alpha", "1"), ("bravo", "2")):
        team = Team.objects.create(name=label)
        account, organization, scan, running, finding, key_arn, secrets = seed_side(label, digit)
        team.accounts.add(account)
        user = member(f"{label}-member", team)
        built[label] = Side(label, user, team, account, organization, scan, running, finding, key_arn, [], secrets)
    for side in built.values():
        side.jobs = build_jobs(side.user)
        side.secret = api_tokens.issue(side.user, "sweep")[1]
        side.spare_token = api_tokens.issue(side.user, "spare")[0]
    return built["alpha"], built["bravo"]


# --- filling URL patterns ----------------------------------------------------------------------------------

# Route name → the keyword arguments of its URL for one side's objects (a list: one URL per entry).
FILL = {
    "dashboard:account": lambda s: [{"pk": s.account.pk}],
    "dashboard:scan_now": lambda s: [{"pk": s.account.pk}],
    "dashboard:scan_progress": lambda s: [{"pk": s.account.pk, "scan_id": s.scan.pk}],
    "dashboard:scan_cancel": lambda s: [{"pk": s.account.pk, "scan_id": s.running.pk}],
    "dashboard:finding": lambda s: [{"pk": s.finding.pk}],
    "dashboard:finding_mute": lambda s: [{"pk": s.finding.pk}],
    "dashboard:finding_unmute": lambda s: [{"pk": s.finding.pk}],
    "dashboard:report_download": lambda s: [{"pk": job.pk} for job in s.jobs],
    "dashboard:report_build_here": lambda s: [{"pk": s.jobs[0].pk}],
    "dashboard:report_requeue": lambda s: [{"pk": s.jobs[0].pk}],
    "accounts:edit": lambda s: [{"pk": s.account.pk}],
    "accounts:toggle": lambda s: [{"pk": s.account.pk}],
    "accounts:test": lambda s: [{"pk": s.account.pk}],
    "accounts:team_edit": lambda s: [{"pk": s.team.pk}],
    "accounts:team_delete": lambda s: [{"pk": s.team.pk}],
    "profile:token_revoke": lambda s: [{"pk": s.spare_token.pk}],
    "api:account": lambda s: [{"account_id": s.account.account_id}],
    "api:finding": lambda s: [{"pk": s.finding.pk}],
    "api:report": lambda s: [{"pk": job.pk} for job in s.jobs],
    "api:report_download": lambda s: [{"pk": job.pk} for job in s.jobs],
}
# Parameters that name no team's object: one value serves both sides.
SHARED = {"dashboard:check": {"check_id": "s3.bucket_default_encryption"}}

# Query strings that name the other team's objects (their ids are echoed back in form errors, as typed,
# so those probes are held to the names only).
PROBES = {
    "dashboard:overview": lambda s: {"organization": s.organization.pk},
    "dashboard:findings": lambda s: {"account": s.account.account_id},
    "dashboard:findings_export": lambda s: {"account": s.account.account_id},
    "dashboard:keys": lambda s: {"account": s.account.account_id},
    "dashboard:key_resources": lambda s: {"key": s.key_arn},
    "dashboard:changes": lambda s: {"account": s.account.account_id},
    "dashboard:compliance": lambda s: {"account": s.account.account_id},
    "dashboard:compliance_failing": lambda s: {"account": s.account.account_id, "requirement": "3.5"},
    "api:findings": lambda s: {"account": s.account.account_id},
    "api:changes": lambda s: {"account": s.account.account_id},
}


@dataclass(frozen=True)
class Pattern:
    name: str  # namespaced route name
    params: tuple  # the names of its path parameters
    namespaces: tuple

    @property
    def is_admin(self):
        return self.namespaces[:1] == ("admin",)

    @property
    def is_api(self):
        return self.namespaces[:1] == ("api",)


def patterns(entries=None, namespaces=(), inherited=()):
    """Every routed endpoint with its path parameters (an include()'s own parameters included)."""
    for entry in get_resolver().url_patterns if entries is None else entries:
        params = (*inherited, *entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from patterns(entry.url_patterns, inner, params)
        else:
            name = ":".join((*namespaces, entry.name)) if entry.name else ""
            yield Pattern(name, tuple(params), namespaces)


ALL = list(patterns())
PRODUCT = [p for p in ALL if not p.is_admin and p.name not in urlconf.PUBLIC]


def urls_for(pattern, side):
    """[(url, is the side's own)] — FILL for one side; SHARED or no parameters: one URL for everyone."""
    if pattern.name in SHARED:
        return [reverse(pattern.name, kwargs=SHARED[pattern.name])]
    if not pattern.params:
        return [reverse(pattern.name)]
    return [reverse(pattern.name, kwargs=kwargs) for kwargs in FILL[pattern.name](side)]


def test_every_pattern_with_parameters_is_filled():
    """A new URL with path parameters must say how the sweep fills it: never skipped."""
    unfilled = [p.name or repr(p) for p in PRODUCT if p.params and p.name not in FILL and p.name not in SHARED]
    assert unfilled == [], f"Teach tests/test_team_sweep.py FILL how to fill: {unfilled}"
    assert {"dashboard:finding", "dashboard:report_download", "accounts:edit", "api:finding"} <= {
        p.name for p in PRODUCT
    }


# --- reading every kind of answer --------------------------------------------------------------------------


def body_of(response):
    """The whole text of a response: a page, a stream, a file; zip members and PDF text unpacked."""
    if getattr(response, "streaming", False):
        raw = b"".join(response.streaming_content)
        if hasattr(response, "file_to_stream") and response.file_to_stream:
            response.file_to_stream.close()
    else:
        raw = response.content
    return unpack(raw)


def unpack(raw):
    if raw[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return "\n".join(unpack(archive.read(name)) for name in archive.namelist())
    if raw[:5] == b"%PDF-":
        return subprocess.run(
            ["pdftotext", "-", "-"], input=raw, capture_output=True, check=True, timeout=60
        ).stdout.decode()
    return raw.decode("utf-8", errors="replace")


def leaks(text, secrets):
    return [secret for secret in secrets if secret in text]


def headers_for(pattern, side):
    """The API takes no session: its member's token instead."""
    return {"Authorization": f"Bearer {side.secret}"} if pattern.is_api else {}


def ask(client, url, pattern, side, data=None, htmx=False):
    """GET the URL (as HTMX when asked); a view that only takes POST is asked with POST, as its form would."""
    headers = {**headers_for(pattern, side), **(HTMX if htmx else {})}
    response = client.get(url, headers=headers)
    if response.status_code == 405:
        response = client.post(url, data or {}, headers=headers)
    return response


def post_data(pattern, side):
    if pattern.name == "dashboard:finding_mute":
        return {**MUTE, "expires_on": (timezone.now() + timedelta(days=10)).date().isoformat()}
    if pattern.name == "dashboard:findings_bulk_mute":
        return {**MUTE, "expires_on": (timezone.now() + timedelta(days=10)).date().isoformat(), "finding": []}
    if pattern.name == "dashboard:report_build":
        return {"format": "csv", "muted": "include"}
    return {}


# --- the sweep ---------------------------------------------------------------------------------------------


def sweep(client, pattern, me, other):
    """The problems one pattern shows when `me` walks it: [(url, what is wrong)]."""
    problems = []
    for htmx in (False, True):
        for url in urls_for(pattern, me):
            response = ask(client, url, pattern, me, post_data(pattern, me), htmx)
            if response.status_code >= 500:
                problems.append((url, f"answered {response.status_code}"))
            if found := leaks(body_of(response), other.secrets):
                problems.append((url, f"shows {other.name}'s {found}"))
        if pattern.params and pattern.name not in SHARED:
            for url in urls_for(pattern, other):
                response = ask(client, url, pattern, me, post_data(pattern, me), htmx)
                # Only a role may refuse first (403); past it, another team's object is not found (404).
                expected = 404 if has_role_for(me.user, pattern) else 403
                if response.status_code != expected:
                    problems.append((url, f"{other.name}'s object answered {response.status_code}, not {expected}"))
                if found := leaks(body_of(response), other.secrets):
                    problems.append((url, f"shows {other.name}'s {found}"))
        if pattern.name in PROBES:
            query = PROBES[pattern.name](other)
            headers = {**headers_for(pattern, me), **(HTMX if htmx else {})}
            response = client.get(reverse(pattern.name), query, headers=headers)
            typed = " ".join(map(str, query.values()))  # echoed back as typed: hold the probe to the rest
            names = [secret for secret in other.secrets if secret not in typed]
            if found := leaks(body_of(response), names):
                problems.append((f"{reverse(pattern.name)}?{query}", f"shows {other.name}'s {found}"))
    return problems


def test_no_url_shows_the_other_teams_account(client, sides):
    """Every product URL (pages, fragments, downloads, actions, API), as each team's member, both ways."""
    problems = []
    for me, other in (sides, sides[::-1]):
        for pattern in PRODUCT:
            client.force_login(me.user)  # again each time: the sweep walks the sign-out URL too
            problems += [(me.name, url, wrong) for url, wrong in sweep(client, pattern, me, other)]
    assert problems == []
    assert len(PRODUCT) >= 30


def has_role_for(user, pattern):
    """Whether `user` holds the role the pattern's view declares (a 403 is then not the role's doing)."""
    callback = resolve(reverse_any(pattern)).func
    required = getattr(callback, "required_role", None)
    return required is None or has_role(user, required)


def reverse_any(pattern):
    """A URL of the pattern with placeholder ids (to find its view and the role it declares)."""
    return reverse(pattern.name, kwargs=dict.fromkeys(pattern.params, 1) | SHARED.get(pattern.name, {}))


def test_actions_on_the_other_teams_objects_change_nothing(client, sides):
    alpha, bravo = sides
    client.force_login(alpha.user)
    scans_before = Scan.objects.filter(account=bravo.account).count()
    mutes_before = set(Suppression.objects.filter(account=bravo.account).values_list("pk", flat=True))
    until = (timezone.now() + timedelta(days=10)).date().isoformat()

    answers = [
        client.post(reverse("dashboard:scan_now", args=[bravo.account.pk]), headers=HTMX),
        client.post(reverse("dashboard:scan_cancel", args=[bravo.account.pk, bravo.running.pk]), headers=HTMX),
        client.post(reverse("dashboard:finding_mute", args=[bravo.finding.pk]), {**MUTE, "expires_on": until}),
        client.post(reverse("dashboard:finding_unmute", args=[bravo.finding.pk])),
        client.post(
            reverse("dashboard:findings_bulk_mute"),
            {**MUTE, "expires_on": until, "finding": [alpha.finding.pk, bravo.finding.pk]},
        ),
        client.post(reverse("dashboard:report_build_here", args=[bravo.jobs[0].pk])),
        client.post(reverse("dashboard:report_requeue", args=[bravo.jobs[0].pk])),
    ]

    assert [answer.status_code for answer in answers] == [404] * len(answers)
    assert Scan.objects.filter(account=bravo.account).count() == scans_before
    assert Scan.objects.get(pk=bravo.running.pk).status == Scan.State.RUNNING
    assert set(Suppression.objects.filter(account=bravo.account).values_list("pk", flat=True)) == mutes_before
    assert Finding.objects.get(pk=alpha.finding.pk).suppression is None  # the bulk mute was refused whole


def test_the_sweep_sees_each_teams_own_data(client, sides):
    """The sweep proves something only if the pages do show data: each member sees their own account."""
    for side in sides:
        client.force_login(side.user)
        for name in ("dashboard:overview", "dashboard:findings", "dashboard:keys", "dashboard:changes"):
            text = client.get(reverse(name)).content.decode()
            assert side.account.name in text, f"{name} does not show {side.name}'s own account"
        finding = client.get(reverse("dashboard:finding", args=[side.finding.pk])).content.decode()
        assert side.secrets[-1] in finding  # the failing bucket's name
        download = client.get(reverse("dashboard:report_download", args=[side.jobs[0].pk]))
        assert side.account.account_id in body_of(download)
        api = client.get(reverse("api:findings"), headers={"Authorization": f"Bearer {side.secret}"})
        assert api.status_code == 200 and side.secrets[-1] in api.content.decode()


def test_report_jobs_list_only_what_their_reader_may_see(client, sides):
    alpha, bravo = sides
    client.force_login(alpha.user)

    text = client.get(reverse("dashboard:reports")).content.decode()

    assert all(f"job-{job.pk}" in text for job in alpha.jobs)
    assert not any(re.search(rf"\bjob-{job.pk}\b", text) for job in bravo.jobs)
    alpha.team.accounts.remove(alpha.account)  # left the team: its reports are no longer theirs to read
    assert client.get(reverse("dashboard:report_download", args=[alpha.jobs[0].pk])).status_code == 404


def test_a_report_built_for_a_member_holds_only_their_accounts(sides):
    alpha, bravo = sides
    for job in alpha.jobs:
        path = reports.job_path(job)
        text = unpack(path.read_bytes())
        assert alpha.account.account_id in text, job.format
        assert leaks(text, bravo.secrets) == [], job.format


def test_the_audit_log_is_for_admins_only(client, sides):
    """The audit log names every account: only admins (who see every account) may read it."""
    client.force_login(sides[0].user)
    assert client.get(reverse("dashboard:audit_log")).status_code == 403


def test_counts_are_of_the_members_own_accounts(client, sides):
    """Counts carry no names for the sweep to find: each member's tallies must be their own team's alone."""
    alpha, bravo = sides
    client.force_login(alpha.user)
    own_failing = Finding.objects.failing().filter(account=alpha.account).count()
    assert Finding.objects.failing().count() == 2 * own_failing  # the other team has as many

    catalog = client.get(reverse("dashboard:checks")).context
    check = client.get(reverse("dashboard:check", args=["s3.bucket_default_encryption"])).context
    overview = client.get(reverse("dashboard:overview")).context

    assert catalog["totals"][Status.FAIL] == own_failing
    assert check["failing_accounts"] == 1 and check["tally"]["failed"] == 1
    assert [row["account"] for row in overview["rows"]] == [alpha.account]
