"""Each account's current findings counted per check and status (CheckCount), and their totals over every
account (CheckTotal): a checks.tallies.Tally.

A finding's status and whether it is current change only when recording writes an event, so recording
recounts an account after a scan that wrote any.
"""

from checks.models import CheckCount, CheckTotal, Finding
from checks.tallies import Tally

TALLY = Tally(CheckCount, CheckTotal, Finding, ("check_id", "status"), "closed_at IS NULL")
recount = TALLY.recount
rebuild = TALLY.rebuild
retotal = TALLY.retotal
