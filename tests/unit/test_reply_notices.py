"""The e-mails of acting by reply: each says in plain words how to answer, shows no
terminal command to anyone outside the help desk, and says only what is true.

Built by the real policy (notifier.policy) from tickets and events, rendered by the real
templates (notifier.compose.render), in both languages. Tickets and events are not stored.
"""

from __future__ import annotations

import dataclasses
import html
import re

import pytest

from intake.commands import VERBS, Refusal, Verb
from notifier.compose import AUTO_REPLIED, REPLIABLE_KINDS, Rendered, render
from notifier.policy import (
    REPLY_WORDS,
    Notice,
    Office,
    command_accepted_notice,
    command_refused_notice,
    confirm_by_phone_notice,
    confirmation_reminder_notice,
    notices_for_event,
    unauthenticated_notice,
)
from tests.unit.test_templates import (
    AWAITED,
    DIRECTORY,
    NOT_YET,
    NUMBER,
    REPORTER,
    SOLUTION,
    UNCLEAR,
    event,
    jkt,
    lines,
    notice,
    office,
    sent_for,
    ticket,
)
from ticketing.calendar import StepTime
from ticketing.directory import Directory, Role
from ticketing.models import Ticket
from ticketing.workflow import Action, State

every_language = pytest.mark.parametrize("language", ["id", "en"])

# The reply words in the office's language: how each e-mail names them.
WORDS = {
    "id": {"dispose": "DISPOSISI", "done": "SELESAI", "escalate": "ESKALASI", "pause": "TUNDA",
           "resume": "LANJUT", "close": "TUTUP", "reopen": "BUKA"},
    "en": {"dispose": "DISPOSE", "done": "DONE", "escalate": "ESCALATE", "pause": "PAUSE",
           "resume": "RESUME", "close": "CLOSE", "reopen": "REOPEN"},
}  # fmt: skip
STAFF_TOP = {"id": "di atas kutipan e-mail ini", "en": "above the quoted e-mail"}


def shown(the_notice: Notice, language: str) -> Rendered:
    return render(the_notice.kind, language, the_notice.context)


def both(result: Rendered) -> tuple[str, str]:
    """The text part, and the HTML part as its reader sees it (no tags, entities read)."""
    return result.text, html.unescape(re.sub(r"<[^>]+>", "", result.html))


def staffed(state: State, **changes: str | None) -> Ticket:
    the_ticket = ticket(state)
    for key, value in changes.items():
        setattr(the_ticket, key, value)
    return the_ticket


def without_head_of_office() -> Directory:
    staff = {k: s for k, s in DIRECTORY.staff.items() if s.role != Role.HEAD_OF_OFFICE}
    return dataclasses.replace(DIRECTORY, staff=staff)


def with_office(language: str, **changes: object) -> Office:
    return dataclasses.replace(office(language), **changes)  # type: ignore[arg-type]


# --- the words themselves ----------------------------------------------------------------


def test_every_word_an_e_mail_names_is_read_as_that_command() -> None:
    """Each word the e-mails tell people to write is the command intake reads from it."""
    for language, words in REPLY_WORDS.items():
        for verb, (word, follows) in words.items():
            expected = Verb.ESCALATE if verb == "escalate_unit" else Verb(verb)
            assert VERBS[word.casefold()] == expected, (language, word)
            assert follows
    assert {w for w, _ in REPLY_WORDS["id"].values()} == {w.upper() for w in WORDS["id"].values()}


# No e-mail of any kind shows a terminal command: tests/unit/test_email_rules.py.


# --- the existing e-mails, answered by reply ------------------------------------------------


@every_language
def test_the_disposition_sheet_says_how_to_solve_escalate_and_pause_by_reply(language: str) -> None:
    """The technician reads the four words, each with what follows it, and the top-of-reply
    rule; an example solution stands on lines of its own."""
    result = shown(notice("technician.disposed", language), language)
    w = WORDS[language]
    if language == "id":
        expected = [
            f"- {w['done']} diikuti solusinya",
            f"- {w['escalate']} diikuti laporan",
            f"- {w['pause']} diikuti hal yang ditunggu dari pelapor",
            f"Tuliskan {w['resume']}",
        ]
    else:
        expected = [
            f"- {w['done']} followed by the solution",
            f"- {w['escalate']} followed by your report",
            f"- {w['pause']} followed by what is awaited from the reporter",
            f"Write {w['resume']}",
        ]
    for phrase in expected:
        assert phrase in result.text, phrase
    assert w["done"] in lines(result.text)  # the example's first line: the word alone
    for part in both(result):
        assert STAFF_TOP[language] in part


@every_language
def test_an_official_may_escalate_to_the_head_of_office(language: str) -> None:
    """The official is offered ESKALASI to the head of office, and SELESAI."""
    the_notice = notice("official.escalated_higher", language)
    assert the_notice.context["can_escalate"] is True
    result = shown(the_notice, language)
    w = WORDS[language]
    assert f"- {w['done']} " in result.text and f"- {w['escalate']} " in result.text
    head = "Kepala Dinas" if language == "id" else "head of office"
    assert head in result.text and STAFF_TOP[language] in result.text


@every_language
def test_the_head_of_office_is_not_offered_an_escalation(language: str) -> None:
    """Escalated to the Kepala Dinas, or in an office without one, there is no ESKALASI."""
    history_ticket = staffed(State.ESCALATED_HIGHER, assignee="kadis")
    (to_head,) = sent_for(
        office(language), history_ticket,
        event(Action.ESCALATE_HIGHER, "kurniawan", State.ESCALATED_HIGHER, "Mohon arahan."),
    )  # fmt: skip
    (no_head,) = sent_for(
        with_office(language, directory=without_head_of_office()),
        ticket(State.ESCALATED_HIGHER),
        event(Action.ESCALATE_HIGHER, "agus", State.ESCALATED_HIGHER, "Tidak bisa."),
    )
    w = WORDS[language]
    for the_notice in (to_head, no_head):
        assert the_notice.context["can_escalate"] is False
        result = shown(the_notice, language)
        for part in both(result):
            assert w["escalate"] not in part and w["done"] in part


@every_language
def test_the_escalation_upward_asks_for_direction_and_sets_no_deadline(language: str) -> None:
    """To an official we report and ask for direction; the step's time is a fact, not an
    order ("paling lambat" is for those below)."""
    result = shown(notice("official.escalated_higher", language), language)
    for part in both(result):
        assert ("memerlukan arahan Bapak" if language == "id" else "needs your direction") in part
        assert ("paling lambat" if language == "id" else "at the latest") not in part


@every_language
@pytest.mark.parametrize("kind", ["reporter.first_level_solution", "reporter.final_report"])
def test_the_reporter_is_told_the_wait_before_a_silent_close(kind: str, language: str) -> None:
    """The solution and the Laporan Akhir say that without an answer within the office's wait
    the ticket is closed, and that the answer goes above the quote."""
    default = notice(kind, language)
    assert default.context["confirmation_wait"] == ("10 hari kerja" if language == "id" else
                                                    "10 working days")  # fmt: skip
    sentence = (
        "Bila kami tidak menerima jawaban dalam 10 hari kerja, pengaduan dinyatakan selesai dan"
        " tiket ditutup."
        if language == "id"
        else "If we receive no answer within 10 working days, the complaint is considered"
        " complete and the ticket is closed."
    )
    top = (
        "Mohon tuliskan jawaban di bagian paling atas balasan, di atas kutipan e-mail ini"
        if language == "id"
        else "Please write your answer at the very top of your reply, above the quoted e-mail"
    )
    for part in both(shown(default, language)):
        assert sentence in part and top in part
    # The office's own wait, not a fixed text.
    five = with_office(language, confirmation_wait=StepTime(5, "days"))
    action = Action.SOLVE if kind == "reporter.first_level_solution" else Action.RESOLVE
    (found,) = sent_for(
        five, ticket(State.RESOLVED), event(action, "agus", State.RESOLVED, SOLUTION)
    )
    assert ("5 hari kerja" if language == "id" else "5 working days") in shown(found, language).text


def test_the_office_waits_10_working_days_unless_configured() -> None:
    """Office's confirmation wait defaults to the SP4N-LAPOR! 10 working days."""
    assert office("id").confirmation_wait == StepTime(10, "days")


# --- new notices of workflow events --------------------------------------------------------


@every_language
def test_a_pause_by_staff_tells_the_reporter_what_is_awaited(language: str) -> None:
    """The reporter reads what is awaited, that the clock stops, and that answering continues."""
    the_notice = notice("reporter.paused", language)
    assert the_notice.to_reporter and [r.address for r in the_notice.to] == [REPORTER]
    result = shown(the_notice, language)
    stops = "perhitungan standar waktu layanan kami hentikan" if language == "id" else "stopped"
    goes_on = (
        "setelah balasan kami terima, penanganan dilanjutkan"
        if language == "id"
        else "once we have it, the handling goes on"
    )
    for part in both(result):
        assert stops in part and goes_on in part and "Agus Setiawan" in part
    for line in lines(AWAITED):
        assert line in result.text


def test_a_pause_without_a_reporter_address_sends_nothing() -> None:
    """A phone reporter without a confirmed address gets no e-mail about the pause."""
    by_phone = staffed(State.DISPOSED, channel="phone", email="", signature="sari")
    paused = event(Action.PAUSE, "agus", State.DISPOSED, AWAITED)
    assert sent_for(office("id"), by_phone, paused) == []


@every_language
def test_a_reopening_goes_to_the_assignee_with_the_help_desk_copied(language: str) -> None:
    """The reporter's BELUM reaches whoever solved it, the help desk copied, their words
    quoted, and how to answer by reply."""
    the_notice = notice("staff.reopened", language)
    assert [r.address for r in the_notice.to] == ["agus@example.go.id"]
    assert [r.address for r in the_notice.cc] == ["sari@example.go.id"]
    assert the_notice.context["by_reporter"] is True
    result = shown(the_notice, language)
    says = (
        "menyampaikan bahwa permasalahannya belum terselesaikan"
        if language == "id"
        else "says the problem is not solved yet"
    )
    for part in both(result):
        assert says in part and STAFF_TOP[language] in part
    for line in lines(NOT_YET):
        assert f"    {line}" in result.text.splitlines()
    assert f"- {WORDS[language]['done']} " in result.text


@every_language
def test_a_reopening_by_the_help_desk_names_who_reopened(language: str) -> None:
    """Reopened by a help-desk officer: their name and reason; the help desk copied."""
    reopened = staffed(State.DISPOSED, assignee="agus")
    found, told = sent_for(
        office(language), reopened, event(Action.REOPEN, "sari", State.DISPOSED, "Pelapor telepon")
    )
    assert told.kind == "reporter.reopened" and told.to_reporter
    assert found.context["by_reporter"] is False
    assert [r.address for r in found.to] == ["agus@example.go.id"]
    assert [r.address for r in found.cc] == ["sari@example.go.id"]
    result = shown(found, language)
    assert "Sari Wulandari" in result.text and "Pelapor telepon" in result.text


@every_language
def test_a_silent_close_says_why_and_what_the_reporter_may_still_do(language: str) -> None:
    """Closed by the system after the wait: the reporter reads that no answer came within the
    wait, and that a new complaint naming the number is the way on; a confirmed close keeps
    today's text."""
    closed = ticket(State.CLOSED)
    closed.assignee = "kurniawan"
    silent = event(Action.CLOSE, "system", State.CLOSED, "", {"silence": True})
    (by_silence,) = sent_for(office(language), closed, silent)
    (confirmed,) = sent_for(office(language), closed, event(Action.CLOSE, REPORTER, State.CLOSED))
    assert by_silence.context["closed_without_answer"] is True
    assert confirmed.context["closed_without_answer"] is False
    why = (
        "Karena kami tidak menerima jawaban Bapak dalam 10 hari kerja sejak Laporan Akhir"
        if language == "id"
        else "As we received no answer from you within 10 working days of sending you the final"
    )
    new = (
        f"silakan sampaikan pengaduan baru dengan menyebutkan Nomor Pengaduan {NUMBER}"
        if language == "id"
        else f"please send a new complaint and quote complaint number {NUMBER}"
    )
    for part in both(shown(by_silence, language)):
        assert why in part and new in part
    for part in both(shown(confirmed, language)):
        assert why not in part and new in part


# --- the answers to commands -----------------------------------------------------------------

ACCEPTED = {
    # action: (ticket after the move, sender, Indonesian sentence, English sentence)
    Action.DISPOSE: (
        staffed(State.DISPOSED, assignee="agus"), "rudi",
        f"Disposisi pengaduan Nomor {NUMBER} kepada Agus Setiawan dengan sifat Biasa telah"
        " dicatat.",
        f"The disposition of complaint number {NUMBER} to Agus Setiawan, priority Ordinary, has"
        " been recorded.",
    ),
    Action.SOLVE: (
        staffed(State.RESOLVED, unit=None, technician=None), "sari",
        "Solusi tersebut kami kirimkan kepada pelapor",
        "We are sending it to the reporter",
    ),
    Action.RESOLVE: (
        staffed(State.RESOLVED, assignee="agus"), "agus",
        "Laporan Akhir kami kirimkan kepada pelapor",
        "We are sending the final report (Laporan Akhir) to the reporter",
    ),
    Action.ESCALATE: (
        ticket(State.ESCALATED), "sari",
        f"Eskalasi pengaduan Nomor {NUMBER} ke Unit Jaringan telah dicatat. E-mail eskalasi"
        " kami kirimkan kepada Rudi Hartono",
        f"The escalation of complaint number {NUMBER} to Unit Jaringan has been recorded. We"
        " are sending the escalation to Rudi Hartono",
    ),
    Action.ESCALATE_HIGHER: (
        ticket(State.ESCALATED_HIGHER), "agus",
        f"Eskalasi pengaduan Nomor {NUMBER} ke tingkat lebih tinggi kepada Kurniawan Adi telah"
        " dicatat.",
        "to a higher level, to Kurniawan Adi, has been recorded.",
    ),
    Action.PAUSE: (
        staffed(State.DISPOSED, assignee="agus"), "agus",
        "standar waktu berhenti sampai pelapor menanggapi",
        "the service standard's clock stops until the reporter answers",
    ),
    Action.RESUME: (
        staffed(State.DISPOSED, assignee="agus"), "agus",
        "dilanjutkan dan standar waktu berjalan kembali; batas waktu tahap ini Selasa, 1"
        " Desember 2026 pukul 11.00 WIB",
        "goes on and the clock runs again; this step's deadline is Tuesday, 1 December 2026",
    ),
    Action.CLOSE: (
        ticket(State.CLOSED), "sari",
        f"Penutupan tiket pengaduan Nomor {NUMBER} telah dicatat. Pelapor menerima"
        " pemberitahuan bahwa tiket ditutup.",
        f"The closing of complaint number {NUMBER} has been recorded. The reporter is told",
    ),
}  # fmt: skip


@every_language
@pytest.mark.parametrize("action", list(ACCEPTED))
def test_an_accepted_command_is_confirmed_to_its_sender(action: Action, language: str) -> None:
    """One short confirmation per action, to the sender only, as an automatic reply."""
    the_ticket, sender, id_text, en_text = ACCEPTED[action]
    the_notice = command_accepted_notice(
        office(language), the_ticket, sender=DIRECTORY.staff[sender],
        event=event(action, sender, State(the_ticket.state), "Catatan perintah"),
    )  # fmt: skip
    assert the_notice.kind == "staff.command_accepted"
    assert the_notice.auto_submitted == AUTO_REPLIED and the_notice.cc == ()
    assert [r.address for r in the_notice.to] == [f"{sender}@example.go.id"]
    result = shown(the_notice, language)
    for part in both(result):
        assert (id_text if language == "id" else en_text) in part
    assert "Catatan perintah" in result.text


@every_language
def test_a_first_level_solution_without_reporter_e_mail_asks_for_a_call(language: str) -> None:
    """When the reporter cannot be reached by e-mail, the confirmation says so instead of
    promising an e-mail."""
    by_phone = staffed(State.RESOLVED, channel="phone", email="", unit=None, technician=None)
    the_notice = command_accepted_notice(
        office(language), by_phone, sender=DIRECTORY.staff["sari"],
        event=event(Action.SOLVE, "sari", State.RESOLVED, SOLUTION),
    )  # fmt: skip
    result = shown(the_notice, language)
    assert ("melalui telepon" if language == "id" else "by telephone") in result.text
    assert ("kami kirimkan kepada pelapor" if language == "id" else "sending it") not in result.text


def refused(
    language: str, reason: Refusal, allowed: list[str], *, state: State = State.DISPOSED,
    sender: str = "agus", word: str = "SELESAI", candidates: tuple[str, ...] = (),
    written: str = "",
) -> Rendered:  # fmt: skip
    the_ticket = staffed(state, assignee="agus")
    the_notice = command_refused_notice(
        office(language), the_ticket, sender=DIRECTORY.staff[sender], word=word,
        reason=reason.value, allowed=allowed, candidates=candidates, written=written,
    )  # fmt: skip
    assert the_notice.auto_submitted == AUTO_REPLIED
    assert [r.address for r in the_notice.to] == [f"{sender}@example.go.id"]
    return shown(the_notice, language)


@every_language
@pytest.mark.parametrize("reason", list(Refusal))
def test_a_refused_command_says_nothing_changed(reason: Refusal, language: str) -> None:
    """Whatever the reason, the sender reads that nothing was changed."""
    result = refused(language, reason, ["resume"])
    nothing = "tidak ada yang berubah" if language == "id" else "nothing has changed"
    for part in both(result):
        assert nothing in part and "SELESAI" in part


@every_language
def test_a_command_without_its_text_says_what_must_follow(language: str) -> None:
    """SELESAI alone: it needs the solution; the words allowed now are listed with theirs."""
    result = refused(language, Refusal.NEEDS_TEXT, ["done", "pause"])
    if language == "id":
        expected = ["SELESAI perlu diikuti solusinya", "- SELESAI diikuti solusinya",
                    "- TUNDA diikuti hal yang ditunggu dari pelapor"]  # fmt: skip
    else:
        expected = ["SELESAI has to be followed by the solution", "- DONE followed by the solution",
                    "- PAUSE followed by what is awaited from the reporter"]  # fmt: skip
    for phrase in expected:
        assert phrase in result.text, phrase
    assert STAFF_TOP[language] in result.text


@every_language
def test_a_command_while_paused_offers_only_resume(language: str) -> None:
    """A paused ticket: the sender reads that it waits on the reporter, and LANJUT."""
    result = refused(language, Refusal.PAUSED, ["resume"], word="ESKALASI")
    assert f"- {WORDS[language]['resume']} " in result.text
    assert f"- {WORDS[language]['done']} " not in result.text
    assert ("menunggu tanggapan pelapor" if language == "id" else "waiting on the reporter") in (
        result.text
    )


@every_language
def test_an_unknown_technician_lists_those_to_choose_from(language: str) -> None:
    """DISPOSISI to nobody of the unit: the unit's technicians by name and ID."""
    result = refused(
        language, Refusal.UNKNOWN_TECHNICIAN, ["dispose"], state=State.ESCALATED, sender="rudi",
        word="DISPOSISI", candidates=("agus",),
    )  # fmt: skip
    for part in both(result):
        assert "Agus Setiawan (ID: agus)" in part and "Unit Jaringan" in part
    follows = (
        "- DISPOSISI diikuti nama atau ID petugas teknis"
        if language == "id"
        else "- DISPOSE followed by the technician's name or ID"
    )
    assert follows in result.text


@every_language
def test_an_unknown_sifat_names_the_three_and_how_to_write_one(language: str) -> None:
    """DISPOSISI with a Sifat line that names no Sifat: what was written, the three Sifat
    and how to write one, and DISPOSISI again."""
    result = refused(
        language, Refusal.UNKNOWN_SIFAT, ["dispose"], state=State.ESCALATED, sender="rudi",
        word="DISPOSISI", written="kilat",
    )  # fmt: skip
    said = {
        "id": ('Sifat "kilat" yang Bapak tuliskan tidak kami kenali. Sifat disposisi adalah'
               ' salah satu dari Sangat Segera, Segera, Biasa, dituliskan pada baris'
               ' tersendiri, misalnya "Sifat: Segera". Tanpa baris Sifat, disposisi bersifat'
               " Biasa."),
        "en": ('We do not recognise the priority (Sifat) "kilat" you wrote. A disposition\'s'
               " priority is one of Very urgent, Urgent, Ordinary, on a line of its own, for"
               ' example "Priority: Urgent". Without that line the disposition is Ordinary.'),
    }[language]  # fmt: skip
    for part in both(result):
        assert said in " ".join(part.split())
    assert f"- {WORDS[language]['dispose']} " in result.text


@every_language
def test_a_command_out_of_turn_names_the_step_and_who_handles_it(language: str) -> None:
    """Nothing allowed now: the state's label, who has the ticket, and that no word moves it."""
    result = refused(language, Refusal.NOT_NOW, [], sender="rudi", word="DISPOSISI")
    state = "Didisposisikan ke petugas teknis" if language == "id" else "Disposed to a technician"
    nothing = (
        "tidak ada kata yang dapat Bapak tuliskan"
        if language == "id"
        else "Nothing you can write now moves this complaint"
    )
    for part in both(result):
        assert state in part and "Agus Setiawan" in part and nothing in part
        assert STAFF_TOP[language] not in part


@every_language
def test_a_help_desk_escalation_word_at_first_level_is_to_a_unit(language: str) -> None:
    """At first level, the help desk's ESKALASI is described as going to a unit."""
    first = staffed(State.FIRST_LEVEL, unit=None, technician=None)
    the_notice = command_refused_notice(
        office(language), first, sender=DIRECTORY.staff["sari"], word="TUTUP",
        reason=Refusal.NOT_NOW.value, allowed=["done", "escalate"], candidates=[],
    )  # fmt: skip
    unit = "diikuti nama unit bila perlu" if language == "id" else "followed by the unit's name"
    assert unit in shown(the_notice, language).text


# --- the owner of a forged address --------------------------------------------------------


@every_language
@pytest.mark.parametrize("to_reporter", [True, False])
@pytest.mark.parametrize("reason", ["no_thread", "not_verified"])
def test_the_owner_of_an_address_is_told_at_that_address(
    reason: str, to_reporter: bool, language: str
) -> None:
    """Sent to the owner's known address, never the claimed one; says why it was not taken,
    that it changed nothing, and what to do; the stranger's subject is quoted with its links
    broken."""
    owner = (REPORTER, "Budi Santoso") if to_reporter else ("rudi@example.go.id", "Rudi Hartono")
    the_notice = unauthenticated_notice(
        office(language), ticket(State.DISPOSED), owner_address=owner[0], owner_name=owner[1],
        to_reporter=to_reporter, claimed_from=f"{owner[1]} <{owner[0]}>",
        subject="Mohon ditutup, lihat http://evil.example/x", reason=reason,
    )  # fmt: skip
    assert [r.address for r in the_notice.to] == [owner[0]] and the_notice.cc == ()
    assert the_notice.to_reporter is to_reporter
    result = shown(the_notice, language)
    if language == "id":
        greeting = "Yth. Bapak Budi Santoso," if to_reporter else "Yth. Bapak Rudi Hartono,"
        why = (
            "bukan balasan atas e-mail yang kami kirimkan kepada Bapak"
            if reason == "no_thread"
            else "Server e-mail kantor kami tidak dapat memastikan"
        )
        changed = "tidak mengubah apa pun pada pengaduan ini"
        answer = "dengan membalas e-mail terakhir yang Bapak terima dari kami"
    else:
        greeting = "Dear Mr Budi Santoso," if to_reporter else "Dear Mr Rudi Hartono,"
        why = (
            "It does not answer an e-mail we sent to you"
            if reason == "no_thread"
            else "Our office's mail server could not confirm"
        )
        changed = "It changed nothing on this complaint"
        answer = "by replying to the last e-mail you received from us"
    for part in both(result):
        assert greeting in part and why in part and changed in part and answer in part
        assert "hxxp[:]//evil[.]example/x" in part and "http://evil" not in part


def test_an_unknown_reason_is_refused() -> None:
    """Only the two reasons the templates word are accepted."""
    with pytest.raises(ValueError, match="unknown reason"):
        unauthenticated_notice(
            office("id"), ticket(State.DISPOSED), owner_address=REPORTER, owner_name="Budi",
            to_reporter=True, claimed_from=REPORTER, subject="x", reason="forged",
        )  # fmt: skip


# --- the help desk's call, and the reporter's reminder -----------------------------------------


@every_language
def test_an_unclear_answer_asks_the_help_desk_to_call(language: str) -> None:
    """Every help-desk officer reads the reporter's words, their phone, and what to do."""
    the_notice = notice("help_desk.confirm_by_phone", language)
    assert [r.address for r in the_notice.to] == ["sari@example.go.id"]
    result = shown(the_notice, language)
    for part in both(result):
        assert UNCLEAR in part and "0812-3456-7890" in part
        assert ("Laporan Akhir" if language == "id" else "final report") in part
    close = "tuliskan TUTUP diikuti konfirmasi pelapor" if language == "id" else "CLOSE followed"
    assert close in result.text
    # not solved after all: reopened by reply, to the official who solved it at step 6
    reopen = (
        "tuliskan BUKA diikuti keterangan pelapor"
        if language == "id"
        else "write REOPEN followed by the reporter's account"
    )
    for part in both(result):
        assert reopen in part and "Kurniawan Adi" in part
        assert "helpdesk " not in part and "--reason" not in part


def test_no_help_desk_no_call_notice() -> None:
    """A directory without help-desk officers gets no such notice."""
    staff = {k: s for k, s in DIRECTORY.staff.items() if s.role != Role.HELP_DESK}
    the_office = with_office("id", directory=dataclasses.replace(DIRECTORY, staff=staff))
    assert confirm_by_phone_notice(the_office, ticket(State.RESOLVED), words="hmm") is None


@every_language
def test_the_reminder_names_the_closing_time(language: str) -> None:
    """Halfway through the wait: YA/BELUM, and the working-time moment the ticket closes."""
    resolved = staffed(State.RESOLVED, assignee="agus")
    (reminder,) = confirmation_reminder_notice(
        office(language), resolved, closes_at=jkt(12, 15, 10, 30)
    )
    assert reminder.to_reporter and [r.address for r in reminder.to] == [REPORTER]
    closes = (
        "tiket ditutup pada Selasa, 15 Desember 2026 pukul 10.30 WIB"
        if language == "id"
        else "the ticket is closed on Tuesday, 15 December 2026"
    )
    for part in both(shown(reminder, language)):
        assert closes in part
    by_phone = staffed(State.RESOLVED, channel="phone", email="", signature="sari")
    assert confirmation_reminder_notice(office(language), by_phone, closes_at=jkt(12, 15, 10)) == []


@every_language
@pytest.mark.parametrize(
    ("state", "responsible", "words"),
    [
        (State.ESCALATED, "rudi", ("dispose",)),
        (State.DISPOSED, "agus", ("done", "escalate", "pause")),
        (State.FIRST_LEVEL, "sari", ("done", "escalate", "pause")),
        # step 7, the Laporan Akhir not delivered: the help desk gives it by telephone
        (State.RESOLVED, "sari", ("close", "reopen")),
    ],
)
def test_reminders_and_breaches_say_how_to_act_by_reply(
    language: str, state: State, responsible: str, words: tuple[str, ...]
) -> None:
    """A reminder or breach asks the person at the step to act: it names the words that
    act, in the office's language, and never a terminal command."""
    from notifier.policy import breach_notices, reminder_notice

    the_ticket = staffed(state, assignee=responsible, due_at=jkt(12, 1, 10))
    for made in (
        reminder_notice(office(language), the_ticket, step=3, responsible=responsible,
                        now=jkt(12, 1, 9)),
        breach_notices(office(language), the_ticket, step=3, responsible=responsible,
                       now=jkt(12, 1, 11)),
    ):  # fmt: skip
        [the_notice] = made
        text, html_text = both(shown(the_notice, language))
        listed = {verb for verb, word in WORDS[language].items()
                  if re.search(rf"^- {word}\b", text, re.M)}  # fmt: skip
        assert listed == set(words), (state, text)
        for verb in words:
            assert WORDS[language][verb] in html_text
        for part in (text, html_text):
            assert "helpdesk " not in part
            assert (STAFF_TOP[language] in part) == bool(words)


# --- the help desk's copy of a complaint that came in by itself ---------------------------------


def created(channel: str, language: str = "id") -> list[Notice]:
    from tests.unit.test_templates import events

    new = staffed(State.RECEIVED, channel=channel)
    if channel in ("phone", "letter"):  # the officer took the address down: confirmed
        new.signature, new.email_confirmed = "sari", new.email
    history = events(Action.CREATE)
    return notices_for_event(office(language), new, history[-1], history)


@pytest.mark.parametrize(
    ("channel", "acknowledged"), [("email", True), ("web", True)]
)  # fmt: skip
def test_a_complaint_that_came_in_by_itself_is_copied_to_the_help_desk(
    channel: str, acknowledged: bool
) -> None:
    """An e-mailed or web complaint: besides the reporter's acknowledgement (a web form's
    to the address typed on it, as its only e-mail there before the address is confirmed),
    every help-desk officer gets the form, answerable by reply (it opens with the reply
    marker)."""
    kinds = {n.kind: n for n in created(channel)}
    assert set(kinds) == {"help_desk.new_ticket"} | (
        {"reporter.acknowledged"} if acknowledged else set()
    )
    copy = kinds["help_desk.new_ticket"]
    assert [r.address for r in copy.to] == ["sari@example.go.id"] and not copy.to_reporter
    assert copy.kind in REPLIABLE_KINDS


@pytest.mark.parametrize("channel", ["phone", "letter"])
def test_a_call_or_a_letter_is_not_copied_to_the_help_desk(channel: str) -> None:
    """The officer who registered a call or a letter has it before them already."""
    assert [n.kind for n in created(channel)] == ["reporter.acknowledged"]


@every_language
def test_the_copy_says_how_to_solve_escalate_and_close_by_reply(language: str) -> None:
    """SELESAI (the first-level solution, sent to the reporter), ESKALASI with the unit it
    goes to when none is named, and TUTUP once the reporter confirms; no terminal command."""
    [copy] = [n for n in created("email", language) if n.kind == "help_desk.new_ticket"]
    result = shown(copy, language)
    w = WORDS[language]
    if language == "id":
        expected = [
            f"- {w['done']} diikuti solusinya",
            f"- {w['escalate']} diikuti nama unit bila perlu",
            f"Tanpa nama unit, {w['escalate']} mengeskalasikan pengaduan ini ke Unit Jaringan",
            f"tuliskan {w['close']} diikuti konfirmasi pelapor",
            "tanda terima telah kami kirimkan kepada pelapor",
        ]
    else:
        expected = [
            f"- {w['done']} followed by the solution",
            f"- {w['escalate']} followed by the unit's name where needed",
            f"Without a unit's name, {w['escalate']} escalates the complaint to Unit Jaringan",
            f"write {w['close']} followed by the reporter's confirmation",
            "the reporter has been sent the acknowledgement",
        ]
    text, html_text = both(result)
    for phrase in expected:
        assert phrase in " ".join(text.split()), phrase
        assert phrase.lstrip("- ") in " ".join(html_text.split()), phrase
    for part in (text, html_text):
        assert STAFF_TOP[language] in part and "helpdesk " not in part


def test_no_help_desk_no_copy() -> None:
    """A directory without help-desk officers: the reporter's acknowledgement only."""
    from tests.unit.test_templates import events

    staff = {k: s for k, s in DIRECTORY.staff.items() if s.role != Role.HELP_DESK}
    the_office = with_office("id", directory=dataclasses.replace(DIRECTORY, staff=staff))
    history = events(Action.CREATE)
    made = notices_for_event(the_office, ticket(State.RECEIVED), history[-1], history)
    assert [n.kind for n in made] == ["reporter.acknowledged"]
