"""A reply that joins a ticket, applied: route has decided whose it is (`ReplyToTicket`).

- Not verified as its sender's (it answers no e-mail of ours to that address, or the
  office's mail server does not vouch for it): kept as a note in nobody's name, changing
  nothing, and the real owner of the address is told at their configured address.
- From one of the staff: a command word at the top (DISPOSISI, SELESAI, ESKALASI, TUNDA,
  LANJUT, TUTUP) moves the ticket as the CLI would, and the sender is told it was recorded;
  a command the SOP does not allow now moves nothing, is kept as their note, and the sender
  is told why and what they may write; anything else is an internal note.
- From the reporter: to a resolved ticket (the Laporan Akhir or a first-level solution),
  YA closes it and BELUM reopens it to whoever solved it; an unclear answer is a note and
  the help desk is asked to confirm by telephone. An answer to the closure notice that
  invited to the survey and starts with digits is a survey answer (nine digits 1..4, then
  a saran): recorded once, and the reporter told what was recorded or why not. Any other
  reply is a note, and
  restarts a clock that waited on the reporter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from helpdesk.jobs import reports
from helpdesk.service import confirm_email_in, move_in
from helpdesk.wiring import Site
from intake.commands import Refusal, Refused, answer_move, move_for, read_answer, read_command
from intake.parse import InboundMessage
from intake.quotes import strip_quotes
from intake.route import NO_THREAD, ReplyToTicket
from intake.survey import SurveyAnswer, read_survey_answer
from notifier.outbox import queue
from notifier.policy import (
    MALFORMED,
    SYSTEM_NOTES,
    command_accepted_notice,
    command_refused_notice,
    confirm_by_phone_notice,
    survey_recorded_notice,
    survey_refused_notice,
    unauthenticated_notice,
)
from ticketing.addresses import reporter_addresses
from ticketing.desk import Moved, view
from ticketing.directory import Staff
from ticketing.models import Ticket
from ticketing.store import Tx
from ticketing.survey import Recorded, record_survey_response
from ticketing.vocabulary import UNVERIFIED_ACTOR, Outcome
from ticketing.workflow import Action, Move, State

# A reply's outcome: what the job records and the folder the message goes to.
Result = tuple[Outcome, str]

# The e-mails that ask the reporter whether the problem is solved: an answer to one of them
# is read as YA or BELUM; a reply to any other e-mail of ours is a note.
ASKING_FOR_CONFIRMATION = frozenset(
    {"reporter.final_report", "reporter.first_level_solution", "reporter.confirmation_reminder"}
)
# The e-mails a survey answer (nine digits) may reply to: the closure notice, and the
# answer to a survey reply that could not be read.
ASKING_FOR_SURVEY = frozenset({"reporter.closed", "reporter.survey_refused"})


def apply_reply(
    here: Site, tx: Tx, message: InboundMessage, decision: ReplyToTicket, now: dt.datetime
) -> Result:
    ticket = tx.ticket(decision.number)
    assert ticket is not None
    text = strip_quotes(message.text).strip()
    if decision.unverified is not None:  # its attachments are nobody's: not filed
        return _unverified(here, tx, message, ticket, decision, text, now)
    reports.archive_attachments(here, tx, ticket, message, now)
    if decision.staff_id is not None:
        staff = here.desk.directory.get(decision.staff_id)
        assert staff is not None
        return _from_staff(here, tx, message, ticket, staff, decision, text, now)
    return _from_reporter(here, tx, message, ticket, decision, text, now)


def _notes(here: Site) -> dict[str, str]:
    return dict(SYSTEM_NOTES[here.office.settings.language])


def _unverified(
    here: Site, tx: Tx, message: InboundMessage, ticket: Ticket, decision: ReplyToTicket,
    text: str, now: dt.datetime,
) -> Result:  # fmt: skip
    address = (message.from_address or "").lower()
    notes = _notes(here)
    why = notes["why_no_thread" if decision.unverified == NO_THREAD else "why_not_verified"]
    heading = notes["unverified"].format(address=address, why=why)
    tx.add_event(
        ticket, at=now, actor=UNVERIFIED_ACTOR, action=Action.NOTE.value,
        from_state=ticket.state, to_state=ticket.state,
        note=f"{heading}\n\n{text or notes['no_text']}", channel="email",
        data={"unverified": {"claimed_from": address, "reason": decision.unverified,
                             "check": decision.check}},
    )  # fmt: skip
    owner = _owner(here, ticket, decision, address)
    told = ""
    if owner is not None:
        owner_address, owner_name, to_reporter = owner
        notice = unauthenticated_notice(
            here.office, ticket, owner_address=owner_address, owner_name=owner_name,
            to_reporter=to_reporter, claimed_from=address, subject=message.subject,
            reason=decision.unverified or NO_THREAD,
        )  # fmt: skip
        queue(tx, here.office, [notice], now=now, ticket=ticket)
        told = f"; {owner_address} told"
    detail = f"not verified as from {address} ({decision.check}): kept as a note{told}"
    return Outcome.UNVERIFIED, detail


def _owner(
    here: Site, ticket: Ticket, decision: ReplyToTicket, address: str
) -> tuple[str, str, bool] | None:
    """The real owner of the address a reply bears, at their configured address: the staff
    member's in the directory, or one of the reporter's addresses that has shown it wants
    our mail; never an address the message itself names."""
    if decision.staff_id is not None:
        staff = here.desk.directory.get(decision.staff_id)
        return (staff.email, staff.name, False) if staff is not None else None
    for known in reporter_addresses(ticket):
        if known.lower() == address:
            return known, ticket.reporter_name, True
    return None


def _from_staff(
    here: Site, tx: Tx, message: InboundMessage, ticket: Ticket, staff: Staff,
    decision: ReplyToTicket, text: str, now: dt.datetime,
) -> Result:  # fmt: skip
    command = read_command(text)
    if command is None:
        _note(here, tx, ticket, staff.id, text, now, reporter=False, answers=decision.answers)
        return Outcome.REPLY, f"from staff {staff.id}: a note"
    desk = here.desk
    asked = move_for(
        command, staff, view(ticket), desk.directory, calendar=desk.calendar, sop=desk.sop,
        now=now,
    )  # fmt: skip
    if isinstance(asked, Move):
        moved = move_in(tx, here, ticket.number, _answering(asked, decision), now=now)
        if isinstance(moved, Moved):
            notice = command_accepted_notice(here.office, ticket, sender=staff, event=moved.event)
            queue(tx, here.office, [notice], now=now, ticket=ticket,
                  in_reply_to=message.message_id)  # fmt: skip
            return Outcome.REPLY, f"from staff {staff.id}: {asked.action.value} by e-mail"
        refused = Refused(Refusal.NOT_NOW, moved.message)  # changed meanwhile
    else:
        refused = asked
    # The words are kept, as the sender's note: nothing they wrote is lost.
    _note(here, tx, ticket, staff.id, text, now, reporter=False, answers=decision.answers)
    notice = command_refused_notice(
        here.office, ticket, sender=staff, word=command.word, reason=refused.reason.value,
        allowed=[verb.value for verb in refused.allowed], candidates=list(refused.candidates),
        written=refused.written,
    )  # fmt: skip
    queue(tx, here.office, [notice], now=now, ticket=ticket, in_reply_to=message.message_id)
    return Outcome.REPLY, f"from staff {staff.id}: {command.verb.value} refused: {refused.detail}"


def _from_reporter(
    here: Site, tx: Tx, message: InboundMessage, ticket: Ticket, decision: ReplyToTicket,
    text: str, now: dt.datetime,
) -> Result:  # fmt: skip
    address = (message.from_address or "").lower()
    detail = "from the reporter"
    answered = tx.outbox_email(decision.answers) if decision.answers is not None else None
    # Digits answer the survey only where a closure e-mail invited to it; a reply to one
    # that did not is read as any other reply (kept as the reporter's note).
    invited = ticket.id is not None and tx.survey_invitation(ticket.id) is not None
    if answered is not None and answered.kind in ASKING_FOR_SURVEY and invited:
        survey = read_survey_answer(text)
        if survey is not None:
            detail += ": " + _survey_answer(here, tx, message, ticket, survey, text, now)
            return Outcome.REPLY, detail + _confirm_address(here, tx, ticket, address, now)
    asks = answered is not None and answered.kind in ASKING_FOR_CONFIRMATION
    if ticket.state == State.RESOLVED and ticket.paused_at is None and asks:
        answer = read_answer(text)
        asked = answer_move(answer, address)
        if asked is not None:
            moved = move_in(tx, here, ticket.number, _answering(asked, decision), now=now)
            if isinstance(moved, Moved):
                detail += f": {asked.action.value} by the reporter's answer"
                return Outcome.REPLY, detail + _confirm_address(here, tx, ticket, address, now)
        notes = _notes(here)
        _note(here, tx, ticket, address, f"{notes['unclear_answer']}\n\n{text}", now,
              reporter=True, answers=decision.answers)  # fmt: skip
        notice = confirm_by_phone_notice(here.office, ticket, words=text or notes["no_text"])
        if notice is not None:
            queue(tx, here.office, [notice], now=now, ticket=ticket)
        detail += ": an unclear answer to the final report, the help desk asked to call"
        return Outcome.REPLY, detail + _confirm_address(here, tx, ticket, address, now)
    _note(here, tx, ticket, address, text or _notes(here)["no_text"], now, reporter=True,
          answers=decision.answers)  # fmt: skip
    if ticket.paused_at is not None:
        # The SOP's coordination with the reporter: their answer starts the clock again.
        resume = Move(Action.RESUME, address, note=_notes(here)["reporter_answered"],
                      channel="email", reporter=True, answers=decision.answers)  # fmt: skip
        move_in(tx, here, ticket.number, resume, now=now)
    return Outcome.REPLY, detail + _confirm_address(here, tx, ticket, address, now)


def _survey_answer(
    here: Site, tx: Tx, message: InboundMessage, ticket: Ticket, answer: SurveyAnswer,
    text: str, now: dt.datetime,
) -> str:  # fmt: skip
    """A survey answer by e-mail: recorded and the reporter thanked with what was read, or
    the reporter told why not (already answered; not nine digits 1..4, with what is
    expected, and then their words kept as their note: nothing is lost). The reply is
    authenticated as the reporter's (it answers our e-mail to their address), so the
    ticket's own token stands for the link's."""
    if not answer.valid:
        address = (message.from_address or "").lower()
        _note(here, tx, ticket, address, text, now, reporter=True, answers=None)
        notices = survey_refused_notice(here.office, ticket, reason=MALFORMED, found=answer.digits)
        queue(tx, here.office, notices, now=now, ticket=ticket, in_reply_to=message.message_id)
        return f"a survey answer that cannot be read ({answer.digits}), the reporter told"
    outcome = record_survey_response(
        tx, here.survey, ticket, ticket.access_token, answer.scores, answer.saran,
        channel="email", now=now, message_id=message.message_id,
    )  # fmt: skip
    if isinstance(outcome, Recorded):
        notices = survey_recorded_notice(here.office, ticket, outcome.response)
        queue(tx, here.office, notices, now=now, ticket=ticket, in_reply_to=message.message_id)
        return f"survey answer recorded ({answer.digits})"
    notices = survey_refused_notice(here.office, ticket, reason=outcome.reason.value)
    queue(tx, here.office, notices, now=now, ticket=ticket, in_reply_to=message.message_id)
    return f"survey answer not recorded: {outcome.reason.value}, the reporter told"


def _confirm_address(here: Site, tx: Tx, ticket: Ticket, address: str, now: dt.datetime) -> str:
    """The form's address has answered us: from now on it gets the reporter's e-mails."""
    if address != ticket.email.strip().lower():
        return ""
    confirmed = confirm_email_in(
        tx, here, ticket.number, actor=address, reporter=True, channel="email", now=now
    )
    return "; e-mail address confirmed" if isinstance(confirmed, Moved) else ""


def _note(
    here: Site, tx: Tx, ticket: Ticket, who: str, text: str, now: dt.datetime, *,
    reporter: bool, answers: int | None,
) -> None:  # fmt: skip
    note = Move(Action.NOTE, who, note=text or _notes(here)["no_text"], channel="email",
                reporter=reporter, answers=answers)  # fmt: skip
    move_in(tx, here, ticket.number, note, now=now)


def _answering(asked: Move, decision: ReplyToTicket) -> Move:
    """The move with the e-mail of ours it answers, recorded with its event."""
    return replace(asked, answers=decision.answers)
