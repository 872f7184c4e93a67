"""Senders held for flooding the mailbox, until the help desk releases them."""

from __future__ import annotations

import datetime as dt

from sqlmodel import col, select

from ticketing.models import SenderHold
from ticketing.store.base import Part


class Holds(Part):
    def sender_hold(self, address: str) -> SenderHold | None:
        """The hold on ``address``, when it is in force."""
        hold = self.session.get(SenderHold, address.lower())
        return hold if hold is not None and hold.released_at is None else None

    def hold_sender(self, address: str, count: int, now: dt.datetime) -> SenderHold:
        hold = self.session.get(SenderHold, address.lower()) or SenderHold(
            address=address.lower(), since=now, count=count
        )
        hold.since, hold.count, hold.released_at, hold.released_by = now, count, None, None
        self.session.add(hold)
        self.session.flush()
        return hold

    def release_sender(self, address: str, by: str, now: dt.datetime) -> SenderHold | None:
        hold = self.sender_hold(address)
        if hold is not None:
            hold.released_at, hold.released_by = now, by
            self.session.add(hold)
        return hold

    def holds(self) -> list[SenderHold]:
        statement = select(SenderHold).where(col(SenderHold.released_at).is_(None))
        return list(self.session.exec(statement.order_by(col(SenderHold.since))))
