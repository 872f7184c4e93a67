"""A period's records, read at once: for the monthly report and the electronic archive."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import or_
from sqlmodel import col, select

from ticketing.models import (
    Attachment,
    Inbound,
    OutboxEmail,
    PhoneImport,
    Submission,
    SurveyInvitation,
    SurveyResponse,
    Ticket,
)
from ticketing.store.base import Part, chunks


class Periods(Part):
    def tickets_active_in(self, start: dt.datetime, end: dt.datetime) -> list[Ticket]:
        """Tickets that existed at some moment of ``[start, end)``: created before its end,
        and not closed for good before its start (a reopened ticket has no closed_at)."""
        statement = (
            select(Ticket)
            .where(
                col(Ticket.created_at) < end,
                or_(col(Ticket.closed_at).is_(None), col(Ticket.closed_at) >= start),
            )
            .order_by(col(Ticket.year), col(Ticket.seq))
        )
        return list(self.session.exec(statement))

    def submissions_created(self, start: dt.datetime, end: dt.datetime) -> list[Submission]:
        statement = (
            select(Submission)
            .where(col(Submission.created_at) >= start, col(Submission.created_at) < end)
            .order_by(col(Submission.id))
        )
        return list(self.session.exec(statement))

    def archive_tickets(self, start: dt.datetime, end: dt.datetime) -> list[Ticket]:
        """The complaints received in ``[start, end)``, in number order."""
        statement = (
            select(Ticket)
            .where(col(Ticket.received_at) >= start, col(Ticket.received_at) < end)
            .order_by(col(Ticket.year), col(Ticket.seq))
        )
        return list(self.session.exec(statement))

    def archive_attachments(self, ticket_ids: Sequence[int]) -> dict[int, list[Attachment]]:
        """The files kept with each ticket, in the order they were stored."""
        found: dict[int, list[Attachment]] = {ticket_id: [] for ticket_id in ticket_ids}
        for ids in chunks(ticket_ids):
            statement = (
                select(Attachment)
                .where(col(Attachment.ticket_id).in_(ids))
                .order_by(col(Attachment.id))
            )
            for attachment in self.session.exec(statement):
                found[attachment.ticket_id].append(attachment)
        return found

    def archive_inbound(
        self, ticket_ids: Sequence[int], submission_ids: Sequence[int]
    ) -> list[Inbound]:
        """The messages that came in about these tickets or incomplete reports, by id."""
        found: dict[int, Inbound] = {}
        by = ((Inbound.ticket_id, ticket_ids), (Inbound.submission_id, submission_ids))
        for column, wanted in by:
            for ids in chunks(wanted):
                for inbound in self.session.exec(select(Inbound).where(col(column).in_(ids))):
                    found[inbound.id or 0] = inbound
        return [found[key] for key in sorted(found)]

    def archive_outbox(
        self, ticket_ids: Sequence[int], submission_ids: Sequence[int]
    ) -> list[OutboxEmail]:
        """The e-mails about these tickets or incomplete reports, whatever their status, by id."""
        found: dict[int, OutboxEmail] = {}
        by = ((OutboxEmail.ticket_id, ticket_ids), (OutboxEmail.submission_id, submission_ids))
        for column, wanted in by:
            for ids in chunks(wanted):
                for email in self.session.exec(select(OutboxEmail).where(col(column).in_(ids))):
                    found[email.id or 0] = email
        return [found[key] for key in sorted(found)]

    def archive_surveys(
        self, ticket_ids: Sequence[int]
    ) -> dict[int, tuple[SurveyInvitation | None, SurveyResponse | None]]:
        """The satisfaction survey of each of these tickets that has one: its invitation
        and its response (either may be missing), by ticket id."""
        found: dict[int, tuple[SurveyInvitation | None, SurveyResponse | None]] = {}
        for ids in chunks(ticket_ids):
            invited = select(SurveyInvitation).where(col(SurveyInvitation.ticket_id).in_(ids))
            for invitation in self.session.exec(invited):
                found[invitation.ticket_id] = (invitation, None)
            answered = select(SurveyResponse).where(col(SurveyResponse.ticket_id).in_(ids))
            for response in self.session.exec(answered):
                found[response.ticket_id] = (found.get(response.ticket_id, (None, None))[0],
                                             response)  # fmt: skip
        return found

    def archive_phone_imports(
        self, numbers: Sequence[str], start: dt.datetime, end: dt.datetime
    ) -> list[PhoneImport]:
        """The phone-log files that made one of these tickets, or were read in
        ``[start, end)``, by id. Only the files wanted are loaded whole."""
        wanted = set(numbers)
        index = select(PhoneImport.id, PhoneImport.row_tickets, PhoneImport.imported_at)
        ids = [
            record_id
            for record_id, row_tickets, imported_at in self.session.exec(index)
            if record_id is not None
            and (
                start <= imported_at < end
                or any(len(pair) > 1 and pair[1] in wanted for pair in row_tickets or [])
            )
        ]
        found: list[PhoneImport] = []
        for chunk in chunks(ids):
            found += self.session.exec(select(PhoneImport).where(col(PhoneImport.id).in_(chunk)))
        return sorted(found, key=lambda record: record.id or 0)
