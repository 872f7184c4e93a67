"""Rules every e-mail keeps, whatever its kind: the contact block, and the reply marker
only where a reply is read, in the office's language alone."""

from __future__ import annotations

import datetime as dt

import pytest

from notifier.compose import REPLIABLE_KINDS, TEMPLATES, Rendered, render
from notifier.policy import (
    Notice,
    digest_notice,
    held_notice,
    program_alert_notice,
    refused_notice,
    reminder_notice,
    status_link_notice,
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
    {p.name.split(".txt.j2")[0] for p in (TEMPLATES / "email" / "id").glob("*.txt.j2")}
    - {"_base", "_reply"}
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
    result = any_rendered(kind, language)
    other = REPLY_MARKERS["en" if language == "id" else "id"]
    for part in (result.text, result.html):
        assert other not in part and LEGACY_REPLY_MARKER not in part
        assert (REPLY_MARKERS[language] in part) == (kind in REPLIABLE_KINDS), kind


@every_language
@pytest.mark.parametrize("kind", ["reporter.held", "reporter.refused"])
def test_asking_to_call_the_help_desk_gives_the_number(kind: str, language: str) -> None:
    result = any_rendered(kind, language)
    ask = "hubungi Help Desk melalui telepon" if language == "id" else "call the help desk"
    for part in (result.text, result.html):
        sentence = part.split(ask, 1)[1].split(".", 1)[0]
        assert OFFICE_PHONE in sentence and OFFICE_WHATSAPP in sentence
