"""Each account's current findings counted per check and status, as CheckCount rows.

A finding's status and whether it is current change only when recording writes an event, so recording
recounts an account after a scan that wrote any (recount); rebuild() counts every account (the migration
that introduced the table, the benchmark's bulk load). Both count the same way, in the database.
"""

from django.db import connection, transaction

from checks.models import CheckCount, Finding

COUNTED = (
    "INSERT INTO {counts} (account_id, check_id, status, count) "
    "SELECT account_id, check_id, status, COUNT(*) FROM {findings} "
    "WHERE closed_at IS NULL{in_account} GROUP BY account_id, check_id, status"
)


def recount(account_pk):
    """Count the account's current findings again (its rows replaced)."""
    write(" AND account_id = %s", [account_pk], f"DELETE FROM {CheckCount._meta.db_table} WHERE account_id = %s")  # noqa: S608


def rebuild():
    """Count every account's current findings again (all rows replaced, in one transaction)."""
    write("", [], f"DELETE FROM {CheckCount._meta.db_table}")  # noqa: S608


def write(in_account, params, delete):
    sql = COUNTED.format(counts=CheckCount._meta.db_table, findings=Finding._meta.db_table, in_account=in_account)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(delete, params)
        cursor.execute(sql, params)
