"""What a reply asks for, read from its new text the way Indonesian mail clients write it."""

from __future__ import annotations

import pytest

from intake.commands import Command, Reply, Verb, read_answer, read_command

YAHOO = "\n\nDikirim dari Yahoo Mail di Android"
IPHONE = "\n\nSent from my iPhone"


@pytest.mark.parametrize(
    "text",
    [
        "YA",
        "ya",
        "Ya.",
        "*YA*",
        "SUDAH",
        "sudah selesai",
        "Sudah normal kembali",
        "Ya, sudah normal. Terima kasih",
        "Terima kasih, sudah normal",
        "Terimakasih sudah bisa",
        "Selamat siang,\n\nYa sudah selesai, terima kasih.\n\nSalam,\nBudi" + YAHOO,
        "YES" + IPHONE,
        "iya pak sudah",
    ],
)
def test_a_confirming_answer_confirms(text: str) -> None:
    assert read_answer(text).reply == Reply.CONFIRMED


@pytest.mark.parametrize(
    "text",
    [
        "BELUM",
        "Belum, masih tidak bisa login ke e-mail",
        "belum bisa",
        "tidak",
        "Masih error pak",
        "Selamat pagi,\nBelum. Jaringan di lantai 2 masih mati." + YAHOO,
        "Not yet, the printer is still offline",
        "NO",
    ],
)
def test_a_not_yet_answer_reopens(text: str) -> None:
    assert read_answer(text).reply == Reply.NOT_YET


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Terima kasih",
        "Sudah, tapi masih lambat",  # a confirming word with a doubt: the desk calls
        "Ya tapi kadang putus",
        "Mohon dicek lagi besok",
        "Saya sedang di luar kantor",
        YAHOO,
    ],
)
def test_anything_else_is_unclear(text: str) -> None:
    assert read_answer(text).reply == Reply.UNCLEAR


def test_the_reporters_words_are_kept_without_greeting_or_signature() -> None:
    answer = read_answer("Selamat sore Bapak/Ibu,\n\nBelum, printer masih offline.\n" + YAHOO)
    assert answer.text == "Belum, printer masih offline."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "DISPOSISI agus\nTolong cek switch lantai 2",
            Command(Verb.DISPOSE, "agus", "Tolong cek switch lantai 2"),
        ),
        (
            "Disposisi: Agus Setiawan\n\nCek kabel\nlalu lapor",
            Command(Verb.DISPOSE, "Agus Setiawan", "Cek kabel\nlalu lapor"),
        ),
        ("*SELESAI*\nKabel LAN diganti", Command(Verb.DONE, "", "Kabel LAN diganti")),
        ("Selesai. Kabel LAN diganti.", Command(Verb.DONE, "Kabel LAN diganti.", "")),
        (
            "Selamat pagi Pak,\n\nESKALASI jaringan\nPerlu tim jaringan",
            Command(Verb.ESCALATE, "jaringan", "Perlu tim jaringan"),
        ),
        (
            "TUNDA menunggu pelapor mengirim foto",
            Command(Verb.PAUSE, "menunggu pelapor mengirim foto", ""),
        ),
        ("lanjut" + YAHOO, Command(Verb.RESUME, "", "")),
        (
            "TUTUP\nPelapor mengonfirmasi lewat telepon",
            Command(Verb.CLOSE, "", "Pelapor mengonfirmasi lewat telepon"),
        ),
        ("Done: replaced the cable", Command(Verb.DONE, "replaced the cable", "")),
        ("dispose agus", Command(Verb.DISPOSE, "agus", "")),
        ("ESCALATE\nneeds the network team", Command(Verb.ESCALATE, "", "needs the network team")),
        ("Pause - waiting for the reporter", Command(Verb.PAUSE, "waiting for the reporter", "")),
        ("RESUME", Command(Verb.RESUME, "", "")),
        ("close", Command(Verb.CLOSE, "", "")),
    ],
)
def test_a_command_word_on_the_first_line_is_a_command(text: str, expected: Command) -> None:
    assert read_command(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Baik pak, saya cek dulu",
        "Sudah saya disposisikan ke Agus",  # the word is not at the start of the line
        "Terima kasih, akan selesai besok",
        "Selamat pagi",
        YAHOO,
    ],
)
def test_other_staff_mail_is_no_command(text: str) -> None:
    assert read_command(text) is None


def test_a_commands_content_joins_its_line_and_the_lines_below() -> None:
    command = read_command("SELESAI kabel diganti\nswitch di-restart")
    assert command is not None
    assert command.content == "kabel diganti\nswitch di-restart"


def test_a_command_keeps_its_word_as_written_below_a_greeting() -> None:
    """The refusal names the word the sender wrote, not their greeting line."""
    command = read_command("Selamat pagi Pak,\n\nDisposisi: dewi")
    assert command is not None and command.word == "DISPOSISI"
    english = read_command("dispose agus")
    assert english is not None and english.word == "DISPOSE"
