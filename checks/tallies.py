"""Counts recording keeps per account: OwnerCount (checks.owner_counts) and CheckCount (checks.check_counts).

A tally counts the rows of a source table that `where` selects, per account and per its `keys` columns. What
it counts changes only when recording writes, so recording recounts an account after a scan that changed
any of it (recount); rebuild() counts every account (the migrations that introduced the tables, the
benchmark's bulk load). Both count the same way, in the database.
"""

from dataclasses import dataclass

from django.db import connection, transaction


@dataclass(frozen=True)
class Tally:
    counts: type  # per account: account, *keys, count
    source: type
    keys: tuple
    where: str  # SQL: the source rows counted

    def recount(self, account_pk):
        """Count the account's rows again (its rows replaced)."""
        delete = f"DELETE FROM {self.counts._meta.db_table} WHERE account_id = %s"  # noqa: S608
        self.write(" AND account_id = %s", [account_pk], delete)

    def rebuild(self):
        """Count every account's rows again (all rows replaced, in one transaction)."""
        self.write("", [], f"DELETE FROM {self.counts._meta.db_table}")  # noqa: S608

    def write(self, in_account, params, delete):
        columns = ", ".join(self.keys)
        counting = (
            f"INSERT INTO {self.counts._meta.db_table} (account_id, {columns}, count) "  # noqa: S608
            f"SELECT account_id, {columns}, COUNT(*) FROM {self.source._meta.db_table} "
            f"WHERE {self.where}{in_account} GROUP BY account_id, {columns}"
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(delete, params)
            cursor.execute(counting, params)
