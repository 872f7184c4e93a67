"""Numbers handed out per name and year (the complaint numbers)."""

from __future__ import annotations

from sqlalchemy import text

from ticketing.store.base import Part


class Numbering(Part):
    def next_seq(self, name: str, year: int) -> int:
        """The next number of ``name`` in ``year``: atomic, and rolled back with the
        transaction, so two writers never get the same number and none is skipped."""
        return self.next_seqs(name, year, 1)

    def next_seqs(self, name: str, year: int, count: int) -> int:
        """Take ``count`` consecutive numbers of ``name`` in ``year`` at once and return the
        first: what ``count`` calls of `next_seq` give, in one statement (atomic, and rolled
        back with the transaction)."""
        self.session.execute(
            text(
                "INSERT INTO counter (name, year, value) VALUES (:name, :year, 0)"
                " ON CONFLICT (name, year) DO NOTHING"
            ),
            {"name": name, "year": year},
        )
        row = self.session.execute(
            text(
                "UPDATE counter SET value = value + :count WHERE name = :name AND year = :year"
                " RETURNING value"
            ),
            {"name": name, "year": year, "count": count},
        ).one()
        return int(row[0]) - count + 1
