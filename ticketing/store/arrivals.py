"""What the store already holds of a batch of arriving messages, asked once for the batch.

Each answer is a set of the keys that something is stored under; a key outside it is known
to have nothing, and the question per message (`Inbounds.seen_inbound`, `kept_inbound`,
`recent_from`, `Holds.sender_hold`, `Outbox.outbox_by_message_id`) need not be asked for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlmodel import col, select

from ticketing.models import Inbound, OutboxEmail, SenderHold
from ticketing.store.base import CHUNK, Part


class Arrivals(Part):
    def inbound_keys(self, message_ids: Sequence[str], hashes: Sequence[str]) -> set[str]:
        """Of these Message-IDs and SHA-256 hashes, those of a stored message (whatever
        became of it)."""
        found: set[str] = set()
        for ids in _text_chunks(message_ids):
            statement = select(Inbound.message_id).where(col(Inbound.message_id).in_(ids))
            found.update(m for m in self.session.exec(statement) if m)
        for shas in _text_chunks(hashes):
            statement = select(Inbound.raw_sha256).where(col(Inbound.raw_sha256).in_(shas))
            found.update(self.session.exec(statement))
        return found

    def recent_senders(
        self, addresses: Sequence[str], since: dt.datetime, outcomes: Sequence[str]
    ) -> set[str]:
        """Of these (lower-case) addresses, those with a message stored since ``since``
        with one of ``outcomes``."""
        found: set[str] = set()
        for group in _text_chunks(addresses):
            statement = select(Inbound.from_address).where(
                col(Inbound.from_address).in_(group),
                col(Inbound.created_at) >= since,
                col(Inbound.outcome).in_(list(outcomes)),
            )
            found.update(a for a in self.session.exec(statement.distinct()) if a)
        return found

    def held_or_released(self, addresses: Sequence[str]) -> set[str]:
        """Of these (lower-case) addresses, those with a hold, in force or released."""
        found: set[str] = set()
        for group in _text_chunks(addresses):
            statement = select(SenderHold.address).where(col(SenderHold.address).in_(group))
            found.update(self.session.exec(statement))
        return found

    def outbox_message_ids(self, message_ids: Sequence[str]) -> set[str]:
        """Of these Message-IDs, those of e-mails in the outbox."""
        found: set[str] = set()
        for ids in _text_chunks(message_ids):
            statement = select(OutboxEmail.message_id).where(col(OutboxEmail.message_id).in_(ids))
            found.update(self.session.exec(statement))
        return found


def _text_chunks(values: Sequence[str]) -> list[list[str]]:
    """``values`` without repeats, in slices small enough for one ``IN (...)`` each."""
    unique = list(dict.fromkeys(values))
    return [unique[i : i + CHUNK] for i in range(0, len(unique), CHUNK)]
