"""Inbound messages, kept whole with what became of each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import col, select

from ticketing.models import Inbound
from ticketing.store.base import Part
from ticketing.vocabulary import KEPT_OUTCOMES, Outcome

# Kept but never processed: a replay must not find itself already stored.
_UNPROCESSED = (*KEPT_OUTCOMES, Outcome.REPLAYED)


class Inbounds(Part):
    def seen_inbound(self, message_id: str | None, raw_sha256: str) -> Inbound | None:
        """A message stored before: the same Message-ID, or the very same bytes."""
        condition = Inbound.raw_sha256 == raw_sha256
        if message_id:
            condition = (Inbound.message_id == message_id) | condition
        statement = (
            select(Inbound)
            .where(condition, col(Inbound.outcome).not_in(list(_UNPROCESSED)))
            .limit(1)
        )
        return self.session.exec(statement).first()

    def kept_inbound(
        self, source: str, uidvalidity: int, uid: int, raw_sha256: str
    ) -> Inbound | None:
        """The message at this UID of the mailbox, already kept unprocessed (held or
        quarantined): read again because the process stopped before it was moved."""
        statement = select(Inbound).where(
            Inbound.source == source,
            Inbound.uidvalidity == uidvalidity,
            Inbound.uid == uid,
            Inbound.raw_sha256 == raw_sha256,
            col(Inbound.outcome).in_(list(KEPT_OUTCOMES)),
        )
        return self.session.exec(statement.limit(1)).first()

    def quarantined_inbound(self, message_id: str | None, raw_sha256: str) -> Inbound | None:
        """The quarantined message with this Message-ID or these very bytes, if any (the
        same message, as `seen_inbound` counts it)."""
        condition = Inbound.raw_sha256 == raw_sha256
        if message_id:
            condition = (Inbound.message_id == message_id) | condition
        statement = select(Inbound).where(condition, Inbound.outcome == Outcome.QUARANTINE)
        return self.session.exec(statement.order_by(col(Inbound.id)).limit(1)).first()

    def add_inbound(self, inbound: Inbound) -> Inbound:
        self.session.add(inbound)
        self.session.flush()
        return inbound

    def inbound(self, inbound_id: int) -> Inbound | None:
        return self.session.get(Inbound, inbound_id)

    def inbound_list(self, outcomes: Sequence[str] = (), limit: int | None = None) -> list[Inbound]:
        statement = select(Inbound)
        if outcomes:
            statement = statement.where(col(Inbound.outcome).in_(list(outcomes)))
        statement = statement.order_by(col(Inbound.id))
        if limit:
            statement = statement.limit(limit)
        return list(self.session.exec(statement))

    def recent_from(self, address: str, since: dt.datetime, outcomes: Sequence[str]) -> int:
        """Messages from ``address`` stored since ``since`` with one of ``outcomes``."""
        statement = select(func.count()).where(
            Inbound.from_address == address.lower(),
            col(Inbound.created_at) >= since,
            col(Inbound.outcome).in_(list(outcomes)),
        )
        return int(self.session.exec(statement).one())
