"""The demo's story: how the estate changed over the last four weeks, in moto only.

The profiles in estate.py describe the estate as it is today. The story starts 28 days ago with
the estate as it was then (`build_past`: without the accounts that joined later, and with what the
story makes happen undone) and lists what happened since, day by day. history.py scans the estate
between the events; a later run, which rebuilds the in-memory moto, `replay`s them all at once.
"""

from collections.abc import Callable
from dataclasses import dataclass

from demo import resources as r
from demo.estate import HOME, MEMBERS, OTHER, build_estate, build_profile, join_account, seed_ids

LATECOMERS = ("sandbox-dev",)  # not in the organization on the story's first day


@dataclass(frozen=True)
class Event:
    """Something that happens to the estate on `day` (negative: days ago)."""

    day: int  # days before today (day 0), the history's last step
    what: str
    act: Callable  # (estate) -> None, through the verbs of demo.resources


# --- the story ------------------------------------------------------------------------------------


def staging_deletes_build_cache(estate):
    r.delete_volume(estate.account("platform-staging"), OTHER, "build-cache")


def payments_encrypts_exports_with_its_key(estate):
    payments = estate.account("payments-prod")
    r.encrypt_bucket(payments, r.bucket_name(payments, HOME, "exports"), payments.key("payments-prod-data"))


def sandbox_joins(estate):
    build_profile(estate, join_account(estate, "sandbox-dev", "bad"))


def sandbox_encrypts_new_volumes(estate):
    r.set_ebs_encryption_by_default(estate.account("sandbox-dev"), HOME, True)


def analytics_schedules_warehouse_key_deletion(estate):
    analytics = estate.account("analytics-prod")
    # Scheduled 12 days ago with the 30-day waiting period: moto dates the deletion from today.
    r.schedule_key_deletion(analytics, analytics.key("analytics-warehouse"), days=30 - 12)


def organization_trail_stops(estate):
    r.stop_trail(estate.management, r.trail_arn(estate.management, "organization-trail"))


def organization_trail_restarts(estate):
    r.start_trail(estate.management, r.trail_arn(estate.management, "organization-trail"))


def payments_creates_refunds_queue(estate):
    payments = estate.account("payments-prod")
    r.create_queue(payments, HOME, "refunds", payments.key("payments-prod-data"))


def analytics_curated_loses_tls_policy(estate):
    analytics = estate.account("analytics-prod")
    r.break_tls_policy(analytics, r.bucket_name(analytics, HOME, "curated"))


def payments_oncall_enables_mfa(estate):
    r.fix_mfa(estate.account("payments-prod"), "oncall-engineer")


def staging_deletes_assets_bucket(estate):
    staging = estate.account("platform-staging")
    r.delete_bucket(staging, r.bucket_name(staging, OTHER, "assets"))


STORY = (
    Event(-24, "platform-staging deletes its unencrypted build-cache volume in eu-west-1", staging_deletes_build_cache),
    Event(
        -18,
        "payments-prod moves its exports bucket from SSE-S3 to its own KMS key",
        payments_encrypts_exports_with_its_key,
    ),
    Event(-16, "sandbox-dev joins the organization: discovered, scanned from today", sandbox_joins),
    Event(
        -12,
        "analytics-prod schedules its warehouse key for deletion; a table and a volume still use it",
        analytics_schedules_warehouse_key_deletion,
    ),
    Event(-10, "sandbox-dev turns on EBS encryption by default in us-east-1", sandbox_encrypts_new_volumes),
    Event(-8, "the organization trail in shared-security stops logging", organization_trail_stops),
    Event(-6, "the organization trail logs again, two days later", organization_trail_restarts),
    Event(-6, "payments-prod creates a refunds queue encrypted with its key", payments_creates_refunds_queue),
    Event(
        -4, "analytics-prod's curated bucket loses its TLS policy (a regression)", analytics_curated_loses_tls_policy
    ),
    Event(-2, "payments-prod's on-call engineer finally enables MFA", payments_oncall_enables_mfa),
    Event(-2, "platform-staging deletes its assets bucket in eu-west-1", staging_deletes_assets_bucket),
)


def rewind(estate):
    """Undo what the profiles say of today but the story makes happen later."""
    analytics = estate.account("analytics-prod")
    warehouse = analytics.key("analytics-warehouse")
    r.cancel_key_deletion(analytics, warehouse)
    r.enable_key(analytics, warehouse)


def build_past(endpoint_url, log=print):
    """The estate as it was on the history's first day: without the latecomers, nothing yet changed."""
    estate = build_estate(endpoint_url, log, members=[member for member in MEMBERS if member[0] not in LATECOMERS])
    rewind(estate)
    return estate


def in_order(story):
    return sorted(story, key=lambda event: event.day)  # stable: same-day events keep the story's order


def happen(estate, events):
    """Make the events' changes in moto, each with its own seed so that a replay repeats its ids."""
    for event in events:
        seed_ids(estate.endpoint_url, f"story/{event.day}/{event.what}")
        event.act(estate)


def replay(estate, story=STORY):
    """Bring a freshly built past estate to the story's end, without scanning (a later run)."""
    happen(estate, in_order(story))


# --- the backfill -------------------------------------------------------------------------------
