"""Counts recording keeps per account (OwnerCount, CheckCount), and each one's total over every account.

A tally counts the rows of a source table that `where` selects, per account and per its `keys` columns. What
it counts changes only when recording writes, so recording recounts an account after a scan that changed
any of it (recount): the account's rows are replaced and the totals move by the difference, in the same
transaction. A viewer who sees every account then reads the few total rows instead of summing every
account's. rebuild() counts every account again and totals them (the benchmark's bulk load); retotal()
sums the totals again from the per-account rows (after accounts are deleted: their rows go by cascade).
"""

from dataclasses import dataclass

from django.db import connection, transaction

BATCH = 200  # total rows moved per statement (SQLite allows 999 parameters in some builds)


@dataclass(frozen=True)
class Tally:
    counts: type  # per account: account, *keys, count
    totals: type  # every account's summed: *keys, count, accounts (how many accounts have a row)
    source: type
    keys: tuple
    where: str  # SQL: the source rows counted

    def recount(self, account_pk):
        """Count the account's rows again (its rows replaced) and move the totals by the difference."""
        columns, counts = ", ".join(self.keys), self.counts._meta.db_table
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {counts} WHERE account_id = %s RETURNING {columns}, count", [account_pk])  # noqa: S608
            old = cursor.fetchall()
            cursor.execute(f"{self.counting(' AND account_id = %s')} RETURNING {columns}, count", [account_pk])
            self.move(cursor, differences(old, cursor.fetchall()))

    def rebuild(self):
        """Count every account again (all rows replaced) and total them, in one transaction."""
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.counts._meta.db_table}")  # noqa: S608
            cursor.execute(self.counting(""))
            self.retotal()

    def retotal(self):
        """Sum the totals again from every account's rows."""
        columns, totals = ", ".join(self.keys), self.totals._meta.db_table
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {totals}")  # noqa: S608
            cursor.execute(
                f"INSERT INTO {totals} ({columns}, count, accounts) "  # noqa: S608
                f"SELECT {columns}, SUM(count), COUNT(*) FROM {self.counts._meta.db_table} GROUP BY {columns}"
            )

    def counting(self, in_account):
        columns = ", ".join(self.keys)
        return (
            f"INSERT INTO {self.counts._meta.db_table} (account_id, {columns}, count) "  # noqa: S608
            f"SELECT account_id, {columns}, COUNT(*) FROM {self.source._meta.db_table} "
            f"WHERE {self.where}{in_account} GROUP BY account_id, {columns}"
        )

    def move(self, cursor, rows):
        """Add (*key, count, accounts) rows to the totals. Every recording takes the total rows' locks in the
        same (sorted) order, so two accounts recorded at once wait for each other but never deadlock."""
        columns, totals = ", ".join(self.keys), self.totals._meta.db_table
        row = f"({', '.join(['%s'] * (len(self.keys) + 2))})"
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            cursor.execute(
                f"INSERT INTO {totals} ({columns}, count, accounts) VALUES {', '.join([row] * len(batch))} "  # noqa: S608
                f"ON CONFLICT ({columns}) DO UPDATE SET count = {totals}.count + EXCLUDED.count, "
                f"accounts = {totals}.accounts + EXCLUDED.accounts",
                [value for values in batch for value in values],
            )
        if any(accounts < 0 for *_, accounts in rows):  # a key no account has any more
            cursor.execute(f"DELETE FROM {totals} WHERE accounts <= 0")  # noqa: S608


def differences(old, new):
    """[(*key, count, accounts)], sorted by key, by which the totals move when an account's (*key, count) rows
    `old` are replaced by `new` (keys whose count and accounts stay are left out)."""
    moved = {}
    for *key, count in old:
        moved[tuple(key)] = (-count, -1)
    for *key, count in new:
        was, accounts = moved.get(tuple(key), (0, 0))
        moved[tuple(key)] = (was + count, accounts + 1)
    return [(*key, count, accounts) for key, (count, accounts) in sorted(moved.items()) if count or accounts]
