"""Rules every e-mail keeps, whatever its kind: the contact block, the reply marker only
where a reply is read, in the office's language alone, and no terminal command."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from notifier.compose import REPLIABLE_KINDS, TEMPLATES, Rendered, render
from notifier.policy import (
    Notice,
    digest_notice,
    held_notice,
    program_alert_notice,
    refused_notice,
    reminder_notice,
)
from tests.unit.test_templates import (
    DIRECTORY,
    KINDS,
    OFFICE_ADDRESS,
    OFFICE_PHONE,
    OFFICE_WHATSAPP,
    jkt,
    notice,
    office,
    ticket,
)
from ticketing.conversation import LEGACY_REPLY_MARKER, REPLY_MARKERS
from ticketing.workflow import State

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
        found_digest = digest_notice(
            the_office, recipients=[DIRECTORY.staff["sari"]], day="1 Desember 2026",
            per_state={"received": 1}, overdue=[ticket(State.DISPOSED)], new=2, closed=1,
            breaches=1, outbox_dead=0, quarantined=3, incomplete_open=1,
        )  # fmt: skip
        assert found_digest is not None
        return found_digest
    if kind == "help_desk.alert":
        alert = program_alert_notice(
            the_office, what="Kotak surat", raised=True,
            since=dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC), detail="login gagal",
        )  # fmt: skip
        assert alert is not None
        return alert
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
