"""Each account's current findings counted per check and status, as CheckCount rows (a checks.tallies.Tally).

A finding's status and whether it is current change only when recording writes an event, so recording
recounts an account after a scan that wrote any.
"""

from checks.models import CheckCount, Finding
from checks.tallies import Tally

TALLY = Tally(CheckCount, Finding, ("check_id", "status"), "closed_at IS NULL")
recount = TALLY.recount
rebuild = TALLY.rebuild
