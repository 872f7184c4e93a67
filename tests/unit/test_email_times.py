"""Every deadline, lateness and time left an e-mail gives is working time on the office
calendar, the same figure the service report gives for the same ticket; and nobody sets a
deadline for their superior: the official and the head of office are reported to and asked
for direction.

Tickets move through the real workflow (``decide``) on the test office's calendar; the
e-mails are built by the real policy and rendered by the real templates.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifier.compose import Rendered, render
from notifier.formatting import duration, long_time
from notifier.policy import Notice, breach_notices, notices_for_event, reminder_notice
from records.output import shown
from records.periods import month_period
from records.report import build
from tests.unit.test_forms_of_address import to_head_of_office
from tests.unit.test_templates import (
    CALENDAR,
    DIRECTORY,
    event,
    events,
    jkt,
    notice,
    office,
    ticket,
)
from ticketing.desk import Desk, view
from ticketing.formulir import build_fields
from ticketing.models import Event, Ticket
from ticketing.workflow import STEP_NAMES, Action, Move, SopTimes, State, Transition, decide

SOP = SopTimes.from_names({})  # 1 jam, 2 jam, 1 jam, 1 jam, 1 hari kerja, 1 hari kerja, 1 jam
DESK = Desk(DIRECTORY, SOP, CALENDAR, "TIK-{year}-{seq:05d}", tuple(build_fields()))


def both(result: Rendered) -> tuple[str, str]:
    """The text part, and the HTML part as a reader sees it (no tags, entities read)."""
    return result.text, html.unescape(re.sub(r"<[^>]+>", "", result.html))


def shown_notice(the_notice: Notice, language: str = "id") -> Rendered:
    return render(the_notice.kind, language, the_notice.context)


def handled(
    received: dt.datetime, moves: list[tuple[dt.datetime, Move]]
) -> tuple[Ticket, list[Event]]:
    """A complaint received at ``received`` and moved through the real workflow."""
    the_ticket = ticket(State.RECEIVED)
    the_ticket.channel = "phone"
    the_ticket.received_at = the_ticket.created_at = the_ticket.step_started_at = received
    the_ticket.due_at = SOP.deadline(State.RECEIVED, received, CALENDAR)
    the_ticket.unit = the_ticket.technician = None
    # the officer confirmed the form's address on the call
    the_ticket.email_confirmed = the_ticket.email.lower()
    assert the_ticket.due_at is not None
    history = [
        Event(
            id=1, ticket_id=12, at=received, actor="sari", action="create", from_state=None,
            to_state="received", channel="phone",
            data={"due_at": the_ticket.due_at.isoformat()},
        )
    ]  # fmt: skip
    for at, request in moves:
        outcome = decide(
            view(the_ticket), request, directory=DIRECTORY, sop=SOP, calendar=CALENDAR, now=at
        )
        assert isinstance(outcome, Transition), outcome
        for name, value in outcome.changes.items():
            setattr(the_ticket, name, value.value if isinstance(value, State) else value)
        history.append(
            Event(
                id=len(history) + 1, ticket_id=12, at=at, actor=outcome.actor,
                action=outcome.action.value, from_state=outcome.from_state.value,
                to_state=outcome.to_state.value, note=outcome.note, channel="cli",
                data=dict(outcome.data),
            )
        )  # fmt: skip
    return the_ticket, history


# --- the acknowledgement ------------------------------------------------------------------


def acknowledgement(the_ticket: Ticket, history: list[Event], language: str = "id") -> Rendered:
    (found,) = notices_for_event(office(language), the_ticket, history[0], history)
    return shown_notice(found, language)


def test_a_call_taken_at_once_gives_the_standard_and_the_date_it_gives() -> None:
    """A call at 08.05 on a Monday: first-level service of 2 jam, that is until 10.05, then
    escalation within 1 jam more, by 11.05; never "11.05 ... standar 2 jam"."""
    called = jkt(11, 30, 8, 5)
    the_ticket, history = handled(called, [(called, Move(Action.TAKE, "sari"))])
    for part in both(acknowledgement(the_ticket, history)):
        assert (
            "layanan tingkat pertama dengan standar waktu 2 jam, yaitu sampai"
            " Senin, 30 November 2026 pukul 10.05 WIB"
        ) in part
        assert (
            "dalam 1 jam berikutnya, yaitu paling lambat Senin, 30 November 2026 pukul 11.05 WIB"
        ) in part
        assert "hari dan jam kerja kantor" in part


def test_the_standard_runs_in_working_hours_over_a_weekend() -> None:
    """A call at 15.30 on a Friday (the office closes at 16.30): the 2 jam run to 08.30 on
    Monday, and the escalation's hour to 09.30."""
    called = jkt(12, 4, 15, 30)
    the_ticket, history = handled(called, [(called, Move(Action.TAKE, "sari"))])
    text = acknowledgement(the_ticket, history).text
    assert "standar waktu 2 jam, yaitu sampai Senin, 7 Desember 2026 pukul 08.30 WIB" in text
    assert "paling lambat Senin, 7 Desember 2026 pukul 09.30 WIB" in text
    english = acknowledgement(the_ticket, history, "en").text
    assert "2 hours, that is by Monday, 7 December 2026, 08:30 WIB" in english


def test_a_complaint_by_email_gives_step_ones_standard_and_its_date() -> None:
    """Not yet taken: "standar waktu 1 jam, yaitu paling lambat <the ticket's deadline>"; the
    later steps by their standards alone."""
    result = shown_notice(notice("reporter.acknowledged", "id"))
    for part in both(result):
        assert (
            "mulai ditangani Petugas Help Desk dengan standar waktu 1 jam, yaitu paling lambat"
        ) in part
        assert "Selasa, 1 Desember 2026 pukul 11.00 WIB" in part
        assert "standar waktu 2 jam; bila" in part


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_acknowledgement_promises_only_what_happens(language: str) -> None:
    """No "kabar pada setiap tahap": the reporter hears of the escalation to a unit, of what
    we wait for, of the solution and of a reopening, and those e-mails exist."""
    result = shown_notice(notice("reporter.acknowledged", language), language)
    for part in both(result):
        assert "setiap tahap" not in part and "every step" not in part
    promise = {
        "id": "ketika pengaduan dieskalasikan ke unit TIK, bila kami memerlukan tanggapan Bapak,"
        " ketika solusi disampaikan, dan bila pengaduan dibuka kembali",
        "en": "when the complaint is escalated to an ICT unit, when we need an answer from you,"
        " when the solution is delivered, and if the complaint is reopened",
    }[language]
    assert promise in result.text


def test_alike_calls_are_promised_what_each_is_promised_alone() -> None:
    """A phone log's calls taken at the same moment share the standards their
    acknowledgements promise (worked out once): each call's are those worked out for it
    alone, the same call time or not, taken or waiting, in the office's language."""
    from notifier.policy import _standards_of

    for language in ("id", "en"):
        the_office = office(language)
        calls = [jkt(11, 30, 8, 5), jkt(11, 30, 8, 5), jkt(12, 4, 15, 30), jkt(11, 30, 8, 5)]
        taken = [True, True, True, False]
        for called, take in zip(calls, taken, strict=True):
            moves = [(called, Move(Action.TAKE, "sari"))] if take else []
            the_ticket, history = handled(called, moves)
            (found,) = notices_for_event(the_office, the_ticket, history[0], history)
            assert found.context["standards"] == _standards_of(the_office, the_ticket)
            assert found.context["standards"]["taken"] is take
        # The same call waiting, registered only after its step 1 ran out (read late):
        # the apology for the passed deadline, not the standards of the one read in time.
        late, history = handled(calls[0], [])
        late.created_at = calls[0] + dt.timedelta(days=1)
        (found,) = notices_for_event(the_office, late, history[0], history)
        assert found.context["standards"] == _standards_of(the_office, late)
        assert found.context["standards"]["step1"]["passed"] is True


# --- lateness and time left ---------------------------------------------------------------


def disposed_late() -> tuple[Ticket, list[Event]]:
    """Called on Thursday 3 December at 09.00, taken, escalated, disposed at 10.00: step 5's
    1 hari kerja runs to Friday 10.00."""
    start = jkt(12, 3, 9)
    return handled(
        start,
        [
            (start, Move(Action.TAKE, "sari")),
            (jkt(12, 3, 9, 30), Move(Action.ESCALATE, "sari", "Switch rusak")),
            (jkt(12, 3, 10), Move(Action.DISPOSE, "rudi", "Mohon dicek", technician="agus")),
        ],
    )


def test_a_breach_gives_working_time_the_same_as_the_report() -> None:
    """Due on Friday at 10.00 and looked at on Tuesday at 09.45: 95 hours on the clock, but
    17 jam 15 menit of working time (Friday 6 h 30, Monday 8 h 30, Tuesday 2 h 15). The
    e-mail to the technician, copied to his unit head, says what the report says."""
    the_ticket, history = disposed_late()
    assert the_ticket.due_at == jkt(12, 4, 10)
    now = jkt(12, 8, 9, 45)
    (breach,) = breach_notices(office("id"), the_ticket, step=5, responsible="agus", now=now)

    report = build(
        DESK, month_period("2026-12", "Asia/Jakarta"), now, [the_ticket], {12: history}, [], {},
        office="Diskominfo", language="id", timezone="Asia/Jakarta", zone_label="WIB",
    )  # fmt: skip
    (late,) = report.open_at_end
    assert late.overdue and late.late_minutes == 17 * 60 + 15
    in_report = shown(late.late_minutes, "minutes", "id")
    assert in_report == "17 jam 15 menit" == duration(late.late_minutes, "id")

    assert STEP_NAMES["id"][5] == report.steps[4].label
    text, _ = parts = both(shown_notice(breach))
    assert f"Keterlambatan (waktu kerja): {in_report}" in text
    for part in parts:
        assert f"keterlambatan saat ini {in_report} waktu kerja" in part
        assert "95 jam" not in part
        # the step as the report names it
        assert f"langkah 5 ({report.steps[4].label})" in part


def test_a_reminder_gives_the_working_time_left() -> None:
    """Due on Friday at 10.00, reminded on Thursday at 15.30: 30 minutes of Thursday and
    2 h 30 of Friday are left, not the 18 h 30 on the clock."""
    the_ticket, _ = disposed_late()
    (reminder,) = reminder_notice(
        office("id"), the_ticket, step=5, responsible="agus", now=jkt(12, 3, 15, 30)
    )
    for part in both(shown_notice(reminder)):
        assert "Sisa waktu: 3 jam waktu kerja." in part
    english = shown_notice(reminder_notice(
        office("en"), the_ticket, step=5, responsible="agus", now=jkt(12, 3, 15, 30)
    )[0], "en")  # fmt: skip
    assert "Time left: 3 hours of working time." in english.text


# --- the official and the head of office ---------------------------------------------------


def test_the_higher_escalation_reports_and_sets_no_deadline() -> None:
    """To the official: the technician's report by its author's role, a request for direction,
    and no deadline nor standard."""
    the_notice = notice("official.escalated_higher", "id")
    due = the_notice.context["ticket"]["due"]
    for part in both(shown_notice(the_notice)):
        assert "memerlukan arahan Bapak" in part
        assert "Laporan Petugas Teknis Jaringan (Agus Setiawan):" in part
        assert due not in part and "standar waktu" not in part.lower()
        assert "Batas waktu" not in part


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_head_of_office_reads_her_own_wording_and_the_officials_report(
    language: str,
) -> None:
    """The official's escalation to the Kepala Dinas: reported to her, "Laporan Kepala Bidang
    …", never "Laporan petugas teknis"; no deadline; not the official's wording."""
    to_head = to_head_of_office(office(language))
    result = shown_notice(to_head, language)
    to_official = shown_notice(notice("official.escalated_higher", language), language)
    due = to_head.context["ticket"]["due"]
    if language == "id":
        assert result.subject.endswith(
            "Laporan pengaduan, mohon arahan Kepala Dinas: Jaringan - Dinas Kesehatan"
        )
    for part in both(result):
        assert due not in part
        if language == "id":
            assert "bersama ini kami laporkan kepada Ibu pengaduan Nomor" in part
            assert "Laporan Kepala Bidang Aplikasi Informatika (Kurniawan Adi):" in part
            assert "Laporan petugas teknis" not in part.replace("Laporan Petugas Teknis", "")
            assert "standar waktu" not in part.lower()
        else:
            assert "Report of Kurniawan Adi (Kepala Bidang Aplikasi Informatika):" in part
    assert result.text.split("\n\n")[2] != to_official.text.split("\n\n")[2]


def test_an_escalation_by_the_sweep_is_not_called_anyones_report() -> None:
    """The sweep escalated on a breach: said so, and no "Laporan … (system)"."""
    higher = ticket(State.ESCALATED_HIGHER)
    step = event(
        Action.ESCALATE_HIGHER, "system", State.ESCALATED_HIGHER,
        "Eskalasi otomatis: batas waktu langkah 5 terlewati",
    )  # fmt: skip
    (found,) = notices_for_event(office("id"), higher, step, [*events(Action.DISPOSE), step])
    for part in both(shown_notice(found)):
        assert "dieskalasikan secara otomatis oleh sistem Help Desk" in part
        assert "Laporan " not in part.split("Formulir Pengaduan")[0].replace("Laporan Akhir", "")
        assert "system" not in part


@pytest.mark.parametrize("kind", ["breach", "reminder"])
def test_the_head_of_office_is_reported_to_not_set_a_deadline(kind: str) -> None:
    """Step 6 with the Kepala Dinas: the e-mail reports that the complaint awaits her
    direction; it does not ask her to act before a deadline nor name her "responsible"."""
    waiting = ticket(State.ESCALATED_HIGHER)
    waiting.assignee = "kadis"
    if kind == "breach":
        (found,) = breach_notices(office("id"), waiting, step=6, responsible="kadis",
                                  now=jkt(12, 2, 13, 30))  # fmt: skip
    else:
        (found,) = reminder_notice(office("id"), waiting, step=6, responsible="kadis",
                                   now=jkt(12, 1, 10, 30))  # fmt: skip
    result = shown_notice(found)
    assert result.subject.startswith("[TIK-2026-00012] Laporan: pengaduan yang memerlukan arahan")
    for part in both(result):
        assert "sebagai laporan kami sampaikan" in part and "memerlukan arahan Ibu" in part
        assert "Mohon pengaduan ini" not in part and "Penanggung jawab" not in part
        assert "Arahan dapat Ibu sampaikan" in part
    technician = shown_notice(notice("staff.breach", "id"))
    assert "Mohon pengaduan ini segera ditindaklanjuti sesuai SOP." in technician.text


# --- first level: the two standards that make one deadline ---------------------------------


def taken_at_first_level() -> Ticket:
    """A call taken at 08.00 on Tuesday: step 2 (2 jam) and step 3 (1 jam) make 11.00."""
    the_ticket, _ = handled(jkt(12, 1, 8), [(jkt(12, 1, 8), Move(Action.TAKE, "sari"))])
    assert the_ticket.due_at == jkt(12, 1, 11)
    return the_ticket


@pytest.mark.parametrize("language", ["id", "en"])
def test_a_first_level_reminder_names_step_3_and_the_step_2_it_follows(language: str) -> None:
    """The deadline of a ticket at first level is the escalation's (step 3): the reminder
    names step 3 with its own standard, after step 2's, so that 08.00 + 2 jam + 1 jam is
    the 11.00 it gives; never "Layanan tingkat pertama (2 jam) ... 11.00"."""
    (reminder,) = reminder_notice(office(language), taken_at_first_level(), step=3,
                                  responsible="sari", now=jkt(12, 1, 10, 30))  # fmt: skip
    said = {
        "id": "pada langkah 3 (Eskalasi ke unit) adalah Selasa, 1 Desember 2026 pukul 11.00"
        " WIB; standar waktu langkah ini 1 jam, setelah 2 jam untuk langkah 2 (Layanan"
        " tingkat pertama).",
        "en": "at step 3 (Escalation to a unit) is Tuesday, 1 December 2026, 11:00 WIB; this"
        " step's service standard is 1 hour, after 2 hours for step 2 (First-level"
        " service).",
    }[language]
    result = shown_notice(reminder, language)
    for part in both(result):
        assert said in " ".join(part.split())
    assert "3" in result.subject and ("Eskalasi ke unit" in result.subject
                                       or "Escalation to a unit" in result.subject)  # fmt: skip


def test_a_first_level_breach_gives_step_3_after_step_2() -> None:
    """The breach at first level is step 3's, "Standar waktu: 1 jam, setelah langkah 2
    (Layanan tingkat pertama, 2 jam)"."""
    (breach,) = breach_notices(office("id"), taken_at_first_level(), step=3,
                               responsible="sari", now=jkt(12, 1, 13))  # fmt: skip
    text = shown_notice(breach).text
    assert "Langkah SOP: 3. Eskalasi ke unit\n" in text
    assert "Standar waktu: 1 jam, setelah langkah 2 (Layanan tingkat pertama, 2 jam)\n" in text
    assert "Batas waktu: Selasa, 1 Desember 2026 pukul 11.00 WIB\n" in text


def test_the_sweep_records_a_first_level_breach_as_step_3s() -> None:
    """The step a ticket at first level runs to is the escalation, step 3."""
    from ticketing.workflow import deadline_step

    assert deadline_step(State.FIRST_LEVEL) == 3
    assert deadline_step(State.DISPOSED) == 5 and deadline_step(State.RECEIVED) == 1


# --- a reopening to the official or the head of office --------------------------------------


def reopened_to_head(language: str) -> list[Notice]:
    """The reporter's BELUM to a solution the head of office gave."""
    back = ticket(State.ESCALATED_HIGHER)
    back.assignee, back.technician = "kadis", "agus"
    back.solution = "Server diganti."
    step = event(Action.REOPEN, "budi.santoso@dinkes.example.go.id", State.ESCALATED_HIGHER,
                 "Belum, masih gagal.")  # fmt: skip
    return notices_for_event(office(language), back, step, [*events(Action.RESOLVE), step])


def test_a_reopening_reports_to_the_head_of_office_and_sets_no_deadline() -> None:
    """Reopened to the Kepala Dinas: the help desk reports and asks her direction, with no
    "standar waktu ... berakhir pada"; the reporter reads that it is with the Kepala Dinas,
    named by office, with no deadline of hers."""
    to_head, to_reporter = reopened_to_head("id")
    assert to_head.kind == "staff.reopened" and to_reporter.kind == "reporter.reopened"
    due = to_head.context["ticket"]["due"]
    for part in both(shown_notice(to_head)):
        assert "sebagai laporan kami sampaikan" in part and "kembali memerlukan arahan Ibu" in part
        assert "Arahan dapat Ibu sampaikan" in part
        assert due not in part and "berakhir pada" not in part and "ditindaklanjuti" not in part
    for part in both(shown_notice(to_reporter)):
        assert (
            "kembali ditangani oleh Kepala Dinas Komunikasi, Informatika, Statistik dan"
            " Persandian Provinsi Banten."
        ) in " ".join(part.split())
        assert due not in part and "Ratna Sari Dewi" not in part


def test_a_reopening_to_a_technician_keeps_his_deadline() -> None:
    """Reopened to the technician: back to him to follow up, with the step's deadline."""
    the_notice = notice("staff.reopened", "id")
    due = the_notice.context["ticket"]["due"]
    for part in both(shown_notice(the_notice)):
        assert f"Sesuai SOP, standar waktu langkah ini berakhir pada {due}." in part
        assert "dikembalikan kepada Bapak untuk ditindaklanjuti" in part


def test_a_copy_to_the_head_of_office_names_her_by_office() -> None:
    """An official's breach copied to the Kepala Dinas: "Tembusan: Kepala Dinas …", not her
    name."""
    waiting = ticket(State.ESCALATED_HIGHER)
    waiting.assignee = "kurniawan"
    (breach,) = breach_notices(office("id"), waiting, step=6, responsible="kurniawan",
                               now=jkt(12, 2, 13, 30))  # fmt: skip
    assert [r.address for r in breach.cc] == ["kadis@example.go.id"]
    result = shown_notice(breach)
    assert "Tembusan: Kepala Dinas Komunikasi, Informatika, Statistik dan Persandian" in (
        result.text
    )
    for part in both(result):
        assert "sebagai tembusan kepada Kepala Dinas Komunikasi, Informatika" in part
        assert "Ratna Sari Dewi" not in part


@given(
    st.datetimes(
        min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 12, 31),
        timezones=st.just(dt.UTC),
    ),
    st.sampled_from(["id", "en"]),
    st.sampled_from(["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "UTC"]),
)  # fmt: skip
def test_a_moment_in_words_is_what_babel_writes(
    moment: dt.datetime, language: str, timezone: str
) -> None:
    """A moment in an e-mail reads as babel writes it with the office's pattern (the day's
    words are kept per day, the clock is written directly)."""
    from babel.dates import format_datetime

    pattern = "EEEE, d MMMM y 'pukul' HH.mm" if language == "id" else "EEEE, d MMMM y, HH:mm"
    when = moment.astimezone(ZoneInfo(timezone))
    expected = format_datetime(when, pattern, locale=language) + " WIB"
    assert long_time(moment, timezone=timezone, zone_label="WIB", language=language) == expected
