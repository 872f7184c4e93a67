"""The web application's own records: staff passwords (hashes), the requests its rate
limits count, and the public forms already registered."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func
from sqlmodel import col, select

from ticketing.models import Attachment, Inbound, StaffPassword, Ticket, WebHit, WebSubmission
from ticketing.store.base import Part


class Web(Part):
    def password_hash(self, staff_id: str) -> str | None:
        row = self.session.get(StaffPassword, staff_id)
        return row.hash if row is not None else None

    def set_password_hash(self, staff_id: str, hashed: str, now: dt.datetime) -> None:
        row = self.session.get(StaffPassword, staff_id) or StaffPassword(
            staff_id=staff_id, hash=hashed, updated_at=now
        )
        row.hash = hashed
        row.updated_at = now
        self.save(row)

    def count_hits(self, kind: str, key: str, since: dt.datetime) -> int:
        statement = select(func.count()).where(
            WebHit.kind == kind, WebHit.key == key, col(WebHit.at) >= since
        )
        return int(self.session.exec(statement).one())

    def add_hit(self, kind: str, key: str, now: dt.datetime) -> None:
        self.save(WebHit(kind=kind, key=key[:255], at=now))

    def clear_hits(self, kind: str, key: str) -> None:
        self.session.execute(delete(WebHit).where(col(WebHit.kind) == kind, col(WebHit.key) == key))

    def forget_hits_before(self, moment: dt.datetime) -> None:
        """Counted requests older than any limit's window are of no use: gone."""
        self.session.execute(delete(WebHit).where(col(WebHit.at) < moment))

    def web_submission(self, form_id: str) -> Ticket | None:
        """The ticket the public form ``form_id`` became, if it was registered."""
        row = self.session.get(WebSubmission, form_id)
        return self.session.get(Ticket, row.ticket_id) if row is not None else None

    def add_web_submission(self, form_id: str, ticket_id: int, now: dt.datetime) -> None:
        self.save(WebSubmission(form_id=form_id, ticket_id=ticket_id, created_at=now))

    def inbound_of(self, ticket: Ticket) -> list[Inbound]:
        """The messages that came in about ``ticket``, oldest first."""
        statement = select(Inbound).where(Inbound.ticket_id == ticket.id).order_by(col(Inbound.id))
        return list(self.session.exec(statement))

    def attachment(self, attachment_id: int) -> Attachment | None:
        return self.session.get(Attachment, attachment_id)
