"""Rules every e-mail keeps, whatever its kind: the contact block, the reply marker only
where a reply is read, in the office's language alone, and no terminal command."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from notifier.compose import REPLIABLE_KINDS, TEMPLATES, Rendered, render
from notifier.links import status_url
from notifier.policy import (
    Notice,
    command_refused_notice,
    digest_notice,
    held_notice,
    notices_for_event,
    program_alert_notice,
    refused_notice,
    reminder_notice,
    status_link_notice,
)
from tests.unit.test_templates import (
    DIRECTORY,
    KINDS,
    NUMBER,
    OFFICE_ADDRESS,
    OFFICE_PHONE,
    OFFICE_WHATSAPP,
    PUBLIC_URL,
    TOKEN,
    event,
    events,
    jkt,
    notice,
    office,
    ticket,
)
from ticketing.conversation import LEGACY_REPLY_MARKER, REPLY_MARKERS
from ticketing.workflow import Action, State

LANGUAGES = ("id", "en")
ON_DISK = sorted(
    p.name.split(".txt.j2")[0]
    for p in (TEMPLATES / "email" / "id").glob("*.txt.j2")
    if not p.name.startswith("_")  # the parts the kinds include: _base, _reply, _survey
)


def any_notice(kind: str, language: str) -> Notice:
    the_office = office(language)
    if kind in KINDS:
        return notice(kind, language)
    if kind == "staff.reminder":
        (found,) = reminder_notice(
            the_office, ticket(State.DISPOSED), step=5, responsible="agus", now=jkt(12, 1, 10, 30)
        )
        return found
    if kind == "reporter.held":
        return held_notice(the_office, address="budi@x.go.id", name="Budi", count=21)
    if kind == "reporter.refused":
        reasons = [{"code": "attachment_count", "actual": "14", "limit": "10"}]
        return refused_notice(
            the_office, address="budi@x.go.id", name="Budi", subject="Foto", reasons=reasons
        )
    if kind == "help_desk.digest":
        (found_digest,) = digest_notice(
            the_office, recipients=[DIRECTORY.staff["sari"]], day="1 Desember 2026",
            per_state={"received": 1}, overdue=[ticket(State.DISPOSED)], new=2, closed=1,
            breaches=1, outbox_dead=0, quarantined=3, incomplete_open=1,
        )  # fmt: skip
        return found_digest
    if kind == "help_desk.alert":
        alert = program_alert_notice(
            the_office, job="mailbox", raised=True,
            since=dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC), detail="login gagal",
        )  # fmt: skip
        assert alert is not None
        return alert
    if kind == "reporter.status_link":
        return status_link_notice(the_office, ticket(State.DISPOSED))
    raise AssertionError(f"no example of {kind}")


def any_rendered(kind: str, language: str) -> Rendered:
    return render(kind, language, any_notice(kind, language).context)


every_kind = pytest.mark.parametrize("kind", ON_DISK)
every_language = pytest.mark.parametrize("language", LANGUAGES)


def test_every_repliable_kind_has_templates() -> None:
    assert REPLIABLE_KINDS <= set(ON_DISK)


@every_language
@every_kind
def test_every_email_ends_with_the_help_desks_contact_block(kind: str, language: str) -> None:
    """Telephone, WhatsApp, the help desk's address (the sender's by default) and the
    office's street address, in both parts, after the body."""
    result = any_rendered(kind, language)
    heading = "Kontak Help Desk:" if language == "id" else "Help Desk contact:"
    for part in (result.text, result.html):
        block = part.rsplit(heading, 1)[1]
        for value in (OFFICE_PHONE, OFFICE_WHATSAPP, "helpdesk@example.go.id", OFFICE_ADDRESS):
            assert value in block, (kind, value)


@every_language
@every_kind
def test_the_marker_only_where_a_reply_is_read_and_in_one_language(
    kind: str, language: str
) -> None:
    """A kind whose replies are read carries the marker, and so does one e-mail of another
    kind that asks for an answer (``asks_reply``: an unreadable survey answer)."""
    the_notice = any_notice(kind, language)
    result = render(kind, language, the_notice.context)
    asks = kind in REPLIABLE_KINDS or bool(the_notice.context.get("asks_reply"))
    other = REPLY_MARKERS["en" if language == "id" else "id"]
    for part in (result.text, result.html):
        assert other not in part and LEGACY_REPLY_MARKER not in part
        assert (REPLY_MARKERS[language] in part) == asks, kind


@every_language
@pytest.mark.parametrize("kind", ["reporter.held", "reporter.refused"])
def test_asking_to_call_the_help_desk_gives_the_number(kind: str, language: str) -> None:
    result = any_rendered(kind, language)
    ask = "hubungi Help Desk melalui telepon" if language == "id" else "call the help desk"
    for part in (result.text, result.html):
        sentence = part.split(ask, 1)[1].split(".", 1)[0]
        assert OFFICE_PHONE in sentence and OFFICE_WHATSAPP in sentence


# What a terminal command looks like: the program's name, or one of its options.
COMMAND = re.compile(r"\bhelpdesk (?:[a-z-]+)|(?<![\w-])--[a-z][a-z-]+")


# Words the office's readers corrected, never written in an Indonesian e-mail again.
NOT_WRITTEN = (
    re.compile(r"\b[Dd]ieskalasi\b"),  # dieskalasikan
    re.compile(r"tindak lanjuti lebih lanjut"),
    re.compile(r"karantina"),
    re.compile(r"\bKanal\b"),
    re.compile(r"Bapak/Ibu (?:Rudi|Agus|Sari|Kurniawan|Ratna)"),
    re.compile(r"\b[Aa]nda\b"),  # the reader is Bapak or Ibu (the survey's questions too)
)


@every_kind
def test_the_corrected_words_are_not_written(kind: str) -> None:
    result = any_rendered(kind, "id")
    for part in (result.subject, result.text, result.html):
        for pattern in NOT_WRITTEN:
            assert not pattern.search(part), (kind, pattern.pattern)


# A template's name (reporter.acknowledged, staff.breach, ...): the program's word, never
# the reader's.
TEMPLATE_NAME = re.compile(
    r"\b(?:reporter|help_desk|staff|unit_head|technician|official|owner)\.[a-z_]+\b"
)


@every_language
@every_kind
def test_no_email_names_a_template(kind: str, language: str) -> None:
    """A kind of e-mail is named in words ("Jenis e-mail: Tanda terima pengaduan"), never by
    the template it is rendered from."""
    result = any_rendered(kind, language)
    for part in (result.subject, result.text, result.html):
        assert not TEMPLATE_NAME.search(part), (kind, TEMPLATE_NAME.search(part))


@every_language
@every_kind
def test_a_paragraph_and_the_heading_after_it_stay_apart(kind: str, language: str) -> None:
    """In the plain text a sentence's paragraph is never glued to the heading below it
    ("... dibuka kembali.\nFormulir Pengaduan yang kami catat:")."""
    lines = any_rendered(kind, language).text.splitlines()
    for above, below in zip(lines, lines[1:], strict=False):
        if above.endswith(".") and below.endswith(":") and not below.startswith((" ", "-")):
            raise AssertionError(f"{kind}: {above!r} then {below!r}")


def test_a_failed_delivery_names_the_kind_of_e_mail_in_words() -> None:
    """The help desk reads which e-mail failed in words, in both languages."""
    said = {
        "id": "Jenis e-mail: Tanda terima pengaduan\n",
        "en": "Kind of e-mail: Acknowledgement of the complaint\n",
    }
    for language, line in said.items():
        assert line in any_rendered("help_desk.delivery_failed", language).text


def test_the_states_and_actions_say_dieskalasikan() -> None:
    """The unit head reads the ticket's stage as "Dieskalasikan ke unit"; the timeline
    of a Laporan Akhir says it of each escalation."""
    refused = command_refused_notice(
        office("id"), ticket(State.ESCALATED), sender=DIRECTORY.staff["rudi"], word="SELESAI",
        reason="not_now", allowed=["dispose"], candidates=[],
    )  # fmt: skip
    for part in both_parts(render(refused.kind, "id", refused.context)):
        assert "berada pada tahap" in part and "Dieskalasikan ke unit" in part
    for part in both_parts(any_rendered("reporter.final_report", "id")):
        assert "Dieskalasikan oleh Sari Wulandari ke Unit Jaringan" in part
        assert "Dieskalasikan oleh Agus Setiawan ke tingkat lebih tinggi" in part


@every_language
def test_the_laporan_akhir_says_who_did_what_to_whom(language: str) -> None:
    """ "Didisposisikan oleh Rudi Hartono kepada petugas teknis Agus Setiawan", each row at
    its day and time with the zone, from the complaint's receipt on (received as it was
    registered: one row says both)."""
    rows = {
        "id": [
            "Senin, 30 November 2026 pukul 09.12 WIB: Pengaduan diterima dan dicatat dalam sistem",
            "Senin, 30 November 2026 pukul 09.32 WIB: Ditangani oleh Sari Wulandari"
            " (layanan tingkat pertama)",
            "Senin, 30 November 2026 pukul 10.42 WIB: Didisposisikan oleh Rudi Hartono kepada"
            " petugas teknis Agus Setiawan",
            "Senin, 30 November 2026 pukul 14.12 WIB: Dieskalasikan oleh Agus Setiawan ke"
            " tingkat lebih tinggi, kepada Kurniawan Adi",
            "Selasa, 1 Desember 2026 pukul 10.12 WIB: Diselesaikan oleh Kurniawan Adi",
        ],
        "en": [
            "Monday, 30 November 2026, 09:12 WIB: Complaint received and registered",
            "Monday, 30 November 2026, 10:42 WIB: Disposed by Rudi Hartono to the technician"
            " Agus Setiawan",
        ],
    }[language]
    result = any_rendered("reporter.final_report", language)
    for row in rows:
        assert f"- {row}\n" in result.text
        when, what = row.split(": ", 1)
        assert when in result.html and what in result.html
    assert "(Rudi Hartono)" not in result.text


def test_the_technician_is_asked_to_escalate_with_a_report() -> None:
    for part in both_parts(any_rendered("technician.disposed", "id")):
        assert (
            "mohon lakukan eskalasi ke tingkat yang lebih tinggi dengan menyertakan laporan" in part
        )


def test_a_solution_at_first_level_is_followed_up_not_further() -> None:
    for part in both_parts(any_rendered("reporter.first_level_solution", "id")):
        assert "pengaduan akan kami tindak lanjuti, termasuk eskalasi" in part


def test_the_digest_counts_messages_that_failed() -> None:
    for part in both_parts(any_rendered("help_desk.digest", "id")):
        assert "pesan yang gagal diproses: 3" in part


@every_language
def test_the_mailbox_alert_says_what_failed(language: str) -> None:
    subject = any_rendered("help_desk.alert", language).subject
    expected = {
        "id": "PERHATIAN: Kotak surat pengaduan tidak dapat dibaca",
        "en": "ATTENTION: The complaint mailbox cannot be read",
    }
    assert subject == expected[language]


def both_parts(result: Rendered) -> tuple[str, str]:
    return result.text, result.html


# --- the reporter's status link ---------------------------------------------------------

NO_TICKET = {"reporter.incomplete", "reporter.refused", "reporter.held"}

# The e-mails to a reporter about a ticket (a report not yet registered, a refused or held
# message, have no ticket and no page).
ABOUT_A_TICKET = [k for k in ON_DISK if k.startswith("reporter.") and k not in NO_TICKET] + [
    "owner.unauthenticated"
]


@every_language
@pytest.mark.parametrize("kind", ABOUT_A_TICKET)
def test_every_email_to_the_reporter_links_the_status_page(kind: str, language: str) -> None:
    """The ticket's own page, opened by its access token, in both parts."""
    the_notice = any_notice(kind, language)
    assert the_notice.to_reporter
    result = render(kind, language, the_notice.context)
    link = status_url(PUBLIC_URL, NUMBER, TOKEN)
    assert link == f"{PUBLIC_URL}/tiket/{NUMBER}?k={TOKEN}"
    assert link in result.text
    assert f'<a href="{link}">' in result.html


@every_language
@every_kind
def test_no_e_mail_shows_a_terminal_command(kind: str, language: str) -> None:
    """Every kind on disk, in both parts: people act by reply, and the help desk's officers
    are people too (not all of them have a shell on the server); the CLI is in the README.
    The alert about the system's own health asks to pass it on to the server's
    administrator rather than naming `helpdesk status`."""
    result = any_rendered(kind, language)
    shown_html = html.unescape(re.sub(r"<[^>]+>", " ", result.html))
    for part in (result.subject, result.text, shown_html):
        found = COMMAND.search(part)
        assert found is None, (kind, found.group() if found else None)


def test_the_command_pattern_finds_commands() -> None:
    """The rule above would catch the commands the e-mails once showed."""
    for written in (
        'perintah helpdesk ticket reopen TIK-2026-00001 --reason "..."',
        'perintah "helpdesk status" menampilkan keadaan sistem',
        "helpdesk ticket dispose TIK-2026-00003 --to agus",
        "lalu --solution",
    ):
        assert COMMAND.search(written), written
    for plain in (
        "Help Desk Layanan TIK",
        "helpdesk@example.go.id",
        "tanda -- pisah",
        "Pesan ini dikirim secara otomatis oleh sistem Help Desk",
    ):
        assert COMMAND.search(plain) is None, plain


@every_language
@every_kind
def test_no_staff_email_carries_the_reporters_link(kind: str, language: str) -> None:
    the_notice = any_notice(kind, language)
    if the_notice.to_reporter:
        return
    result = render(kind, language, the_notice.context)
    for part in (result.text, result.html):
        assert TOKEN not in part and f"{PUBLIC_URL}/tiket/" not in part


def test_without_a_public_address_there_is_no_link() -> None:
    """[web] public_url empty: the e-mail says nothing of a page."""
    step = events(Action.CREATE)
    made = notices_for_event(office("id", public_url=""), ticket(State.RECEIVED), step[-1], step)
    assert [n.kind for n in made] == ["reporter.acknowledged", "help_desk.new_ticket"]
    for found in made:
        result = render(found.kind, "id", found.context)
        for part in (result.text, result.html):
            assert "tiket/" not in part and "Status pengaduan ini" not in part
            assert "Meja Petugas" not in part


# --- the reporter hears of each step the acknowledgement names ---------------------------


@every_language
def test_the_reporter_is_told_of_the_escalation_to_a_unit(language: str) -> None:
    """ESKALASI at first level: the unit head is asked to dispose, and the reporter hears
    that the complaint went to Unit Jaringan, with the next standards."""
    step = events(Action.ESCALATE)
    head, told = notices_for_event(office(language), ticket(State.ESCALATED), step[-1], step)
    assert head.kind == "unit_head.escalated" and not head.to_reporter
    assert told.kind == "reporter.escalated" and told.to_reporter
    assert [r.address for r in told.to] == ["budi.santoso@dinkes.example.go.id"]
    result = render(told.kind, language, told.context)
    said = {
        "id": "telah kami eskalasikan ke Unit Jaringan untuk ditangani oleh petugas teknis",
        "en": "we have escalated it to Unit Jaringan, to be handled by a technician",
    }[language]
    for part in both_parts(result):
        assert said in part and ("1 hari kerja" if language == "id" else "1 working day") in part


def test_a_reporter_we_cannot_write_to_is_not_told() -> None:
    """A call whose form's address is not confirmed: only the unit head's e-mail."""
    by_phone = ticket(State.ESCALATED)
    by_phone.channel, by_phone.signature = "phone", "sari"
    step = events(Action.ESCALATE)
    (only,) = notices_for_event(office("id"), by_phone, step[-1], step)
    assert only.kind == "unit_head.escalated"


@every_language
def test_the_reporter_is_told_of_a_reopening(language: str) -> None:
    """BELUM reopens the ticket to its technician: he is told, and so is the reporter, who
    reads their own words back and who has it now."""
    reopened = ticket(State.DISPOSED)
    reopened.assignee = "agus"
    answer = event(Action.REOPEN, "budi.santoso@dinkes.example.go.id", State.DISPOSED, "Belum.")
    history = [*events(Action.RESOLVE), answer]
    staff, told = notices_for_event(office(language), reopened, answer, history)
    assert staff.kind == "staff.reopened" and told.kind == "reporter.reopened"
    text = render(told.kind, language, told.context).text
    assert "Belum." in text and "Agus Setiawan (Petugas Teknis Jaringan)" in text
    assert ("kami buka kembali" if language == "id" else "we have reopened") in text


def test_the_english_digest_counts_in_good_english() -> None:
    """One of a thing is singular: "2 new complaints, 1 ticket closed, 1 deadline breached"."""
    for part in both_parts(any_rendered("help_desk.digest", "en")):
        assert "2 new complaints, 1 ticket closed, 1 deadline breached." in part


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", ON_DISK)
def test_an_e_mail_rendered_from_its_stored_draft_is_the_same(kind: str, language: str) -> None:
    """The outbox keeps a notice as its draft (the context as JSON, or the facts it is
    composed from) and renders it when it is sent: what is stored survives being stored,
    so the e-mail is the same."""
    from notifier.outbox import Draft

    found = any_notice(kind, language)
    draft = Draft(
        language, found.context, ("Help Desk", "helpdesk@example.go.id"), [], [],
        dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC), None, [], 1,
    )  # fmt: skip
    stored = Draft.decode(draft.encode(), office(language), kind)
    assert render(kind, language, stored.context) == render(kind, language, found.context)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", ON_DISK)
def test_the_subject_queued_is_the_subject_sent(kind: str, language: str) -> None:
    """The outbox row's subject (what the desk and the CLI list) is made from the part of
    the context its template's subject reads, before the e-mail is rendered: it is the
    Subject of the e-mail rendered whole."""
    from notifier.compose import render_subject

    queued = render_subject(kind, language, any_notice(kind, language).context)
    assert queued and queued == render(kind, language, any_notice(kind, language).context).subject
