"""Each account's live resources counted per type and key owner, as OwnerCount rows.

Which resources are live and who holds their keys change only when recording creates, changes or marks gone
a resource, so recording recounts an account after a scan that did (recount); rebuild() counts every account
(the migration that introduced the table, the benchmark's bulk load). Both count the same way, in the
database, with ResourceQuerySet.count_by_key_owner's rule: live resources that have a key owner.
"""

from django.db import connection, transaction

from checks.models import OwnerCount, Resource

COUNTED = (
    "INSERT INTO {counts} (account_id, type, key_owner, count) "
    "SELECT account_id, type, key_owner, COUNT(*) FROM {resources} "
    "WHERE gone_at IS NULL AND key_owner <> ''{in_account} GROUP BY account_id, type, key_owner"
)


def recount(account_pk):
    """Count the account's live resources again (its rows replaced)."""
    write(" AND account_id = %s", [account_pk], f"DELETE FROM {OwnerCount._meta.db_table} WHERE account_id = %s")  # noqa: S608


def rebuild():
    """Count every account's live resources again (all rows replaced, in one transaction)."""
    write("", [], f"DELETE FROM {OwnerCount._meta.db_table}")  # noqa: S608


def write(in_account, params, delete):
    sql = COUNTED.format(counts=OwnerCount._meta.db_table, resources=Resource._meta.db_table, in_account=in_account)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(delete, params)
        cursor.execute(sql, params)
