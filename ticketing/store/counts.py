"""How many: the figures of the daily digest and of `helpdesk status`."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func
from sqlmodel import col, select

from ticketing.models import Event, OutboxEmail, Submission, Ticket
from ticketing.store.base import Part
from ticketing.vocabulary import SubmissionStatus


class Counts(Part):
    def count_by_state(self) -> dict[str, int]:
        rows = self.session.exec(select(Ticket.state, func.count()).group_by(Ticket.state))
        return {state: n for state, n in rows}

    def count_since(self, what: str, since: dt.datetime) -> int:
        """How many tickets were created or closed, or breach events recorded, since."""
        column = {
            "created": col(Ticket.created_at),
            "closed": col(Ticket.closed_at),
        }.get(what)
        if column is not None:
            statement = select(func.count()).select_from(Ticket).where(column >= since)
        else:
            statement = (
                select(func.count())
                .select_from(Event)
                .where(col(Event.action) == what, col(Event.at) >= since)
            )
        return int(self.session.exec(statement).one())

    def open_submissions(self) -> int:
        statement = (
            select(func.count())
            .select_from(Submission)
            .where(Submission.status == SubmissionStatus.OPEN)
        )
        return int(self.session.exec(statement).one())

    def outbox_counts(self) -> dict[str, int]:
        rows = self.session.exec(
            select(OutboxEmail.status, func.count()).group_by(OutboxEmail.status)
        )
        return {status: n for status, n in rows}

    def outbox_kind_since(self, kind: str, since: dt.datetime) -> int:
        """E-mails of ``kind`` queued since ``since``, whatever became of them."""
        statement = select(func.count()).where(
            OutboxEmail.kind == kind, col(OutboxEmail.created_at) >= since
        )
        return int(self.session.exec(statement).one())
