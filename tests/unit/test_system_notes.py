"""The notes the program itself writes on a ticket, in the office's language."""

from __future__ import annotations

import string

import pytest

from notifier.policy import SYSTEM_NOTES


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(SYSTEM_NOTES["id"]))
def test_every_note_has_its_english_form_with_the_same_blanks(key: str) -> None:
    """An English office gets each note the Indonesian one has, filled in the same way."""
    assert _fields(SYSTEM_NOTES["en"][key]) == _fields(SYSTEM_NOTES["id"][key])
    assert set(SYSTEM_NOTES["en"]) == set(SYSTEM_NOTES["id"])


def test_a_bounce_note_reads_as_before() -> None:
    """The Indonesian note of a delivery failure, word for word, with and without a status."""
    notes = SYSTEM_NOTES["id"]
    status = notes["status"].format(status="5.1.1")
    assert notes["bounced"].format(
        kind="reporter.acknowledged", recipients="budi@dinkes.example.go.id", status=status
    ) == (
        "E-mail reporter.acknowledged kepada budi@dinkes.example.go.id tidak terkirim: server"
        " penerima mengembalikannya (status 5.1.1)."
    )
    assert notes["bounce_error"].format(status="") == (
        "Dikembalikan oleh server penerima dengan laporan kegagalan pengiriman."
    )
