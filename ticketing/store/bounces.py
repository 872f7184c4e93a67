"""Delivery reports about our e-mails: which e-mail a report names, and its failures."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select

from ticketing.models import BounceRecord, OutboxEmail
from ticketing.store.base import CHUNK, Part


class Bounces(Part):
    def outbox_by_tokens(self, tokens: Sequence[str]) -> list[OutboxEmail]:
        """Our e-mails with one of these bounce tokens, by id."""
        wanted = [t for t in tokens if t][:CHUNK]
        if not wanted:
            return []
        statement = (
            select(OutboxEmail)
            .where(col(OutboxEmail.bounce_token).in_(wanted))
            .order_by(col(OutboxEmail.id))
        )
        return list(self.session.exec(statement))

    def bounce_record(self, outbox_id: int, recipient: str) -> BounceRecord | None:
        statement = select(BounceRecord).where(
            BounceRecord.outbox_id == outbox_id, BounceRecord.recipient == recipient.lower()
        )
        return self.session.exec(statement).first()

    def add_bounce_record(self, record: BounceRecord) -> BounceRecord:
        self.session.add(record)
        self.session.flush()
        return record

    def bounce_records(self, outbox_id: int) -> list[BounceRecord]:
        statement = (
            select(BounceRecord)
            .where(BounceRecord.outbox_id == outbox_id)
            .order_by(col(BounceRecord.id))
        )
        return list(self.session.exec(statement))
