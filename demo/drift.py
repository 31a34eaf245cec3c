"""While the demo runs, the estate keeps drifting: a small, seeded random walk of everyday changes.

Every few minutes a background thread of the launcher flips one switch: a bucket loses or
regains its TLS policy, a trail starts or stops, a scratch volume comes or goes. The scheduled
scans pick the change up. The walk is seeded and the launcher keeps the number of steps taken in
var/, so a later run, which rebuilds the in-memory moto, can `replay` it: the first live scan
then sees no change that did not happen.
"""

import random
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from demo import resources as r
from demo.estate import HOME, OTHER, seed_ids

SEED = 8  # the demo issue's number: any fixed seed repeats the walk


@dataclass(frozen=True)
class Switch:
    """Something that drifts: `on` moves it away from the story's end, `off` brings it back."""

    on_text: str
    off_text: str
    on: Callable  # (estate) -> None
    off: Callable


def _evidence_bucket(estate):
    return r.bucket_name(estate.management, OTHER, "evidence")


def _payments_trail(estate):
    return r.trail_arn(estate.account("payments-prod"), "payments-trail")


def _analytics_eu_key(estate):
    return estate.account("analytics-prod").key("analytics-eu", OTHER)


SWITCHES = (
    Switch(
        "shared-security's EU evidence bucket loses its TLS policy",
        "shared-security's EU evidence bucket gets its TLS policy back",
        lambda estate: r.break_tls_policy(estate.management, _evidence_bucket(estate)),
        lambda estate: r.fix_tls_policy(estate.management, _evidence_bucket(estate)),
    ),
    Switch(
        "payments-prod's trail stops logging",
        "payments-prod's trail logs again",
        lambda estate: r.stop_trail(estate.account("payments-prod"), _payments_trail(estate)),
        lambda estate: r.start_trail(estate.account("payments-prod"), _payments_trail(estate)),
    ),
    Switch(
        "sandbox-dev creates an unencrypted scratch volume in eu-west-1",
        "sandbox-dev deletes its eu-west-1 scratch volume",
        lambda estate: r.create_volume(estate.account("sandbox-dev"), OTHER, "drift-scratch"),
        lambda estate: r.delete_volume(estate.account("sandbox-dev"), OTHER, "drift-scratch"),
    ),
    Switch(
        "analytics-prod turns on rotation of its EU key",
        "analytics-prod turns rotation of its EU key off again",
        lambda estate: r.set_key_rotation(estate.account("analytics-prod"), _analytics_eu_key(estate), True),
        lambda estate: r.set_key_rotation(estate.account("analytics-prod"), _analytics_eu_key(estate), False),
    ),
    Switch(
        "payments-prod creates a payouts queue",
        "payments-prod deletes its payouts queue",
        lambda estate: r.create_queue(estate.account("payments-prod"), HOME, "payouts"),
        lambda estate: r.delete_queue(estate.account("payments-prod"), HOME, "payouts"),
    ),
    Switch(
        "platform-staging turns on EBS encryption by default in us-east-1",
        "platform-staging turns EBS encryption by default off again in us-east-1",
        lambda estate: r.set_ebs_encryption_by_default(estate.account("platform-staging"), HOME, True),
        lambda estate: r.set_ebs_encryption_by_default(estate.account("platform-staging"), HOME, False),
    ),
)


def walk(steps, seed=SEED):
    """The indexes of the switches flipped by the walk's first `steps` steps."""
    rng = random.Random(seed)  # noqa: S311 - a demo's dice, not a secret
    return [rng.randrange(len(SWITCHES)) for _ in range(steps)]


def flip(estate, index, earlier_flips):
    """Flip switch `index` for the (earlier_flips + 1)th time; its own seed repeats its ids on replay."""
    switch = SWITCHES[index]
    seed_ids(estate.endpoint_url, f"drift/{index}/{earlier_flips}")
    turning_on = earlier_flips % 2 == 0
    (switch.on if turning_on else switch.off)(estate)
    return switch.on_text if turning_on else switch.off_text


def step(estate, taken):
    """Take the walk's next step after `taken` steps; returns what changed, in words."""
    *before, index = walk(taken + 1)
    return flip(estate, index, before.count(index))


def replay(estate, taken):
    """Leave a rebuilt estate as `taken` steps left it: only the switches left on are flipped, once."""
    flips = Counter(walk(taken))
    for index, count in sorted(flips.items()):
        if count % 2:
            flip(estate, index, count - 1)  # the last flip on, with that flip's seed


class Drifter(threading.Thread):
    """The launcher's background thread: one step every `every` seconds until stop()."""

    def __init__(self, estate, journal, every, log):
        super().__init__(name="drift", daemon=True)
        self.estate, self.journal, self.every, self.log = estate, journal, every, log
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.wait(self.every):
            taken = steps_taken(self.journal)
            try:
                what = step(self.estate, taken)
            except Exception as error:  # noqa: BLE001 - moto going away at Ctrl-C, or a moto quirk
                self.log(f"drift: step {taken + 1} failed: {type(error).__name__}: {error}")
                continue
            self.journal.write_text(f"{taken + 1}\n")
            self.log(f"drift: {what}")

    def stop(self):
        self.stopped.set()


def steps_taken(journal):
    """The number of steps the walk has taken in this demo database's life (0 if none)."""
    text = journal.read_text().strip() if journal.exists() else ""
    return int(text) if text.isdigit() else 0
