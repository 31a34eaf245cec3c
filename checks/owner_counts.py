"""Each account's live resources counted per type and key owner (OwnerCount), and their totals over every
account (OwnerTotal): a checks.tallies.Tally.

Which resources are live and who holds their keys change only when recording creates, changes or marks gone
a resource, so recording recounts an account after a scan that did. Counted with
ResourceQuerySet.count_by_key_owner's rule: live resources that have a key owner.
"""

from checks.models import OwnerCount, OwnerTotal, Resource
from checks.tallies import Tally

TALLY = Tally(OwnerCount, OwnerTotal, Resource, ("type", "key_owner"), "gone_at IS NULL AND key_owner <> ''")
recount = TALLY.recount
rebuild = TALLY.rebuild
retotal = TALLY.retotal
