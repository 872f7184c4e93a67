"""The reporter's e-mail address: answered where the complaint came from, and the form's
address written to only once it is confirmed (by a reply from it, or by the help desk)."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import Cli, form_args
from tests.mail import FORM_TEXT, email

FORM_ADDRESS = "budi.santoso@dinkes.example.go.id"  # the form's Alamat e-Mail
STRANGER = "orang.lain@luar.example.org"


@pytest.fixture
def inject(inject):  # type: ignore[no-untyped-def]
    """The cli's `inject`, which here expects every message to be taken."""

    def run(raw: bytes, now: str = "2026-11-30T09:00:00+07:00"):  # type: ignore[no-untyped-def]
        result = inject(raw, now=now)
        assert result.exit_code == 0, result.output
        return result

    return run


def _outbox(cli: Cli) -> list[tuple[str, list[str]]]:
    return [
        (e["kind"], e["recipients"]) for e in json.loads(cli("outbox", "list", "--json").stdout)
    ]


def _ticket(cli: Cli) -> dict:
    return json.loads(cli("ticket", "show", "TIK-2026-00001", "--json").stdout)


def test_form_naming_another_address_is_answered_at_the_sender(inject, ready: Cli) -> None:  # type: ignore[no-untyped-def]
    """A complete form e-mailed by someone else is acknowledged at the sender; the form's
    address is kept on the ticket but gets nothing."""
    inject(email(FORM_TEXT, sender=f"Orang Lain <{STRANGER}>"))
    assert _outbox(ready) == [
        ("reporter.acknowledged", [STRANGER]),
        ("help_desk.new_ticket", ["sari.wulandari@example.go.id", "yoga.pratama@example.go.id"]),
    ]
    shown = _ticket(ready)
    assert (shown["email"], shown["signature"]) == (FORM_ADDRESS, STRANGER)
    assert shown["email_confirmed"] is False and shown["reporter_addresses"] == [STRANGER]


def test_a_tagged_mail_from_the_form_address_confirms_nothing(inject, ready: Cli) -> None:  # type: ignore[no-untyped-def]
    """The form's address writing with the ticket's tag: a tag alone proves nothing of the
    sender (anyone can write the number and the address), so the mail is kept as an
    unverified note, the address stays unconfirmed and gets nothing; the help desk
    confirms it (`ticket confirm-email`, after a call)."""
    inject(email(FORM_TEXT, sender=STRANGER))
    result = inject(email("Benar, itu laporan saya. Mohon kabarnya.",
                          subject="[TIK-2026-00001] Konfirmasi",
                          message_id="<k@dinkes.example.go.id>"))  # fmt: skip
    assert "unverified TIK-2026-00001" in result.stdout
    shown = _ticket(ready)
    assert shown["email_confirmed"] is False
    assert shown["reporter_addresses"] == [STRANGER]
    assert shown["events"][-1]["actor"] == "unverified-sender"
    ready("ticket", "take", "TIK-2026-00001", "--by", "sari")
    ready("ticket", "solve", "TIK-2026-00001", "--by", "sari", "--solution", "Router diganti.")
    assert _outbox(ready)[-1] == ("reporter.first_level_solution", [STRANGER])


def test_the_help_desk_confirms_the_form_address(inject, ready: Cli) -> None:  # type: ignore[no-untyped-def]
    """`ticket confirm-email` by a help-desk officer records a note and sends later e-mails
    to the form's address too; anyone else, a second time, or a wrong number is refused
    with one line."""
    inject(email(FORM_TEXT, sender=STRANGER))
    refused = ready("ticket", "confirm-email", "TIK-2026-00001", "--by", "agus")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == "error: agus is technician, not a help-desk officer"
    missing = ready("ticket", "confirm-email", "TIK-2026-09999", "--by", "sari")
    assert missing.exit_code == 1 and missing.stderr.strip() == "error: no ticket 'TIK-2026-09999'"

    done = ready("ticket", "confirm-email", "TIK-2026-00001", "--by", "sari", "--via", "phone")
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == (
        f"TIK-2026-00001: {FORM_ADDRESS} confirmed; e-mails to the reporter go to "
        f"{FORM_ADDRESS}, {STRANGER}"
    )
    event = _ticket(ready)["events"][-1]
    assert (event["action"], event["actor"], event["channel"]) == ("note", "sari", "phone")
    again = ready("ticket", "confirm-email", "TIK-2026-00001", "--by", "sari")
    assert again.exit_code == 1 and "already confirmed" in again.stderr
    ready("ticket", "take", "TIK-2026-00001", "--by", "sari")
    ready("ticket", "solve", "TIK-2026-00001", "--by", "sari", "--solution", "Router diganti.")
    assert _outbox(ready)[-1] == ("reporter.first_level_solution", [FORM_ADDRESS, STRANGER])


def test_a_call_is_acknowledged_at_the_address_taken_down(ready: Cli) -> None:
    """On the telephone the officer takes the address from the reporter: it is confirmed."""
    result = ready("phone", *form_args(email=STRANGER), "--by", "sari")
    assert result.exit_code == 0, result.output
    assert _outbox(ready) == [("reporter.acknowledged", [STRANGER])]
    assert _ticket(ready)["email_confirmed"] is True
