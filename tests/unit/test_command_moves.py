"""From a staff member's command, or a reporter's answer, to the move it asks for."""

from __future__ import annotations

from dataclasses import replace

import pytest

from intake.commands import (
    Command,
    Refusal,
    Refused,
    Verb,
    allowed_verbs,
    answer_move,
    move_for,
    read_answer,
    read_command,
)
from tests.unit.test_workflow import CALENDAR, DIRECTORY, HEAD, MON, SOP, TECH, TICKETS
from ticketing.directory import Staff
from ticketing.workflow import Action, Move, State, TicketView


def person(staff_id: str) -> Staff:
    found = DIRECTORY.get(staff_id)
    assert found is not None
    return found


def asked(text: str, sender: str, ticket: TicketView) -> Move | Refused:
    command = read_command(text)
    assert command is not None, text
    return move_for(command, person(sender), ticket, DIRECTORY, calendar=CALENDAR, sop=SOP, now=MON)


def test_the_unit_head_disposes_by_id_with_the_lines_below_as_instructions() -> None:
    made = asked("DISPOSISI tech_jaringan_2\nCek switch lantai 2", HEAD, TICKETS[State.ESCALATED])
    assert made == Move(
        Action.DISPOSE, HEAD, note="Cek switch lantai 2", channel="email",
        technician="tech_jaringan_2",
    )  # fmt: skip


def test_the_unit_head_disposes_by_the_technicians_name() -> None:
    made = asked("Disposisi: Tech Jaringan 2", HEAD, TICKETS[State.ESCALATED])
    assert isinstance(made, Move) and made.technician == "tech_jaringan_2"


def test_a_disposition_to_nobody_of_the_unit_lists_its_technicians() -> None:
    made = asked("DISPOSISI tech_komputer_1", HEAD, TICKETS[State.ESCALATED])
    assert isinstance(made, Refused)
    assert made.reason == Refusal.UNKNOWN_TECHNICIAN
    assert made.candidates == ("tech_jaringan_1", "tech_jaringan_2")


def test_an_ambiguous_first_name_is_no_technician() -> None:
    """Both technicians' names begin with "Tech": one word does not tell them apart."""
    made = asked("DISPOSISI tech", HEAD, TICKETS[State.ESCALATED])
    assert isinstance(made, Refused) and made.reason == Refusal.UNKNOWN_TECHNICIAN


def test_the_technicians_done_resolves_with_the_solution() -> None:
    made = asked("SELESAI\nKabel LAN diganti", TECH, TICKETS[State.DISPOSED])
    assert isinstance(made, Move)
    assert (made.action, made.note) == (Action.RESOLVE, "Kabel LAN diganti")


def test_the_help_desks_done_at_first_level_is_a_first_level_solution() -> None:
    made = asked("SELESAI password direset", "hd1", TICKETS[State.FIRST_LEVEL])
    assert isinstance(made, Move)
    assert (made.action, made.note) == (Action.SOLVE, "password direset")


def test_the_help_desk_escalates_to_a_named_unit() -> None:
    made = asked("ESKALASI komputer\nPerlu cek perangkat", "hd1", TICKETS[State.FIRST_LEVEL])
    assert isinstance(made, Move)
    assert (made.action, made.unit, made.note) == (
        Action.ESCALATE, "komputer", "Perlu cek perangkat"
    )  # fmt: skip


def test_the_help_desk_escalates_to_the_complaint_types_unit_when_none_is_named() -> None:
    made = asked("ESKALASI perlu tim jaringan", "hd1", TICKETS[State.FIRST_LEVEL])
    assert isinstance(made, Move)
    assert (made.action, made.unit, made.note) == (Action.ESCALATE, None, "perlu tim jaringan")


def test_the_technicians_escalation_goes_higher_with_the_report() -> None:
    made = asked("ESKALASI\nPerlu penggantian server", TECH, TICKETS[State.DISPOSED])
    assert isinstance(made, Move)
    assert (made.action, made.note) == (Action.ESCALATE_HIGHER, "Perlu penggantian server")


def test_the_officials_done_resolves() -> None:
    made = asked("SELESAI anggaran disetujui", "official", TICKETS[State.ESCALATED_HIGHER])
    assert isinstance(made, Move) and made.action == Action.RESOLVE


def test_pause_and_resume() -> None:
    pause = asked("TUNDA menunggu foto dari pelapor", TECH, TICKETS[State.DISPOSED])
    assert isinstance(pause, Move) and pause.action == Action.PAUSE
    waiting = replace(TICKETS[State.DISPOSED], paused_at=MON, remaining_minutes=60)
    resume = asked("LANJUT", TECH, waiting)
    assert isinstance(resume, Move) and resume.action == Action.RESUME


def test_a_command_out_of_turn_says_what_may_be_written_now() -> None:
    """The technician writes DISPOSISI on a ticket disposed to them."""
    made = asked("DISPOSISI tech_jaringan_2", TECH, TICKETS[State.DISPOSED])
    assert isinstance(made, Refused)
    assert made.reason == Refusal.NOT_NOW
    assert made.allowed == (Verb.DONE, Verb.ESCALATE, Verb.PAUSE)


def test_someone_elses_ticket_is_not_theirs_to_solve() -> None:
    made = asked("SELESAI sudah", "tech_jaringan_2", TICKETS[State.DISPOSED])
    assert isinstance(made, Refused) and made.reason == Refusal.NOT_NOW
    assert made.allowed == ()


def test_a_paused_ticket_takes_only_resume() -> None:
    waiting = replace(TICKETS[State.DISPOSED], paused_at=MON, remaining_minutes=60)
    made = asked("SELESAI kabel diganti", TECH, waiting)
    assert isinstance(made, Refused)
    assert (made.reason, made.allowed) == (Refusal.PAUSED, (Verb.RESUME,))


def test_done_without_the_solution_asks_for_it() -> None:
    made = asked("SELESAI", TECH, TICKETS[State.DISPOSED])
    assert isinstance(made, Refused) and made.reason == Refusal.NEEDS_TEXT


def test_what_the_unit_head_may_write_while_a_ticket_waits_for_disposition() -> None:
    view = TICKETS[State.ESCALATED]
    allowed = allowed_verbs(person(HEAD), view, DIRECTORY, calendar=CALENDAR, sop=SOP, now=MON)
    assert allowed == (Verb.DISPOSE,)


def test_the_reporters_yes_closes_and_not_yet_reopens() -> None:
    yes = answer_move(read_answer("Ya, sudah normal"), "budi@x.id")
    assert yes == Move(
        Action.CLOSE, "budi@x.id", note="Ya, sudah normal", channel="email", reporter=True
    )
    not_yet = answer_move(read_answer("Belum, masih putus"), "budi@x.id")
    assert not_yet is not None and not_yet.action == Action.REOPEN
    assert not_yet.note == "Belum, masih putus"


def test_an_unclear_answer_moves_nothing() -> None:
    assert answer_move(read_answer("Nanti saya cek"), "budi@x.id") is None


@pytest.mark.parametrize("verb", list(Verb))
def test_every_command_word_reads_back(verb: Verb) -> None:
    """Each verb has an Indonesian and an English word, both read as that verb."""
    from intake.commands import VERBS

    written = [word for word, v in VERBS.items() if v == verb]
    assert len(written) == 2
    for word in written:
        assert read_command(word.upper()) == Command(verb)


# Who answers each state's e-mail, and the words they may write there.
WORDS_IN_STATE = [
    (State.RECEIVED, "hd1", (Verb.DONE, Verb.ESCALATE)),
    (State.FIRST_LEVEL, "hd1", (Verb.DONE, Verb.ESCALATE, Verb.PAUSE)),
    (State.ESCALATED, HEAD, (Verb.DISPOSE,)),
    (State.DISPOSED, TECH, (Verb.DONE, Verb.ESCALATE, Verb.PAUSE)),
    (State.ESCALATED_HIGHER, "official", (Verb.DONE, Verb.ESCALATE, Verb.PAUSE)),
    (State.RESOLVED, "hd1", (Verb.PAUSE, Verb.CLOSE, Verb.REOPEN)),
    (State.CLOSED, "hd1", ()),
]


@pytest.mark.parametrize(("state", "sender", "allowed"), WORDS_IN_STATE)
def test_each_state_takes_the_words_of_its_step(
    state: State, sender: str, allowed: tuple[Verb, ...]
) -> None:
    """Every command in every state: the words the SOP allows the person at that step
    move the ticket, every other word is refused, naming the allowed ones."""
    view = TICKETS[state]
    for verb in Verb:
        argument = "tech_jaringan_2" if verb == Verb.DISPOSE else "isi"
        made = move_for(
            Command(verb, argument, "keterangan"), person(sender), view, DIRECTORY,
            calendar=CALENDAR, sop=SOP, now=MON,
        )  # fmt: skip
        if verb in allowed:
            assert isinstance(made, Move), (state, verb, made)
        else:
            assert isinstance(made, Refused), (state, verb)
            assert made.allowed == allowed
