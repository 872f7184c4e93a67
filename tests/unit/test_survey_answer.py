"""A survey answer written in a reply: nine digits in the shapes people write them, the
saran below, and what is no answer at all."""

from __future__ import annotations

import pytest

from intake.quotes import strip_quotes
from intake.survey import read_survey_answer

SCORES = (4, 4, 3, 4, 4, 4, 3, 4, 4)
QUOTE = (
    "\n\nPada Rab, 2 Des 2026 pukul 10.00, Help Desk <helpdesk@example.go.id> menulis:\n"
    "> ##- Mohon tulis balasan di atas baris ini -##\n> Yth. Bapak Budi Santoso,\n"
    "> 1 = Tidak sesuai\n> 4 4 3 4 4 4 3 4 4\n"
)


@pytest.mark.parametrize(
    "text",
    [
        "4 4 3 4 4 4 3 4 4",
        "4,4,3,4,4,4,3,4,4",
        "4, 4, 3, 4, 4, 4, 3, 4, 4.",
        "443444344",
        "4-4-3-4-4-4-3-4-4",
        "4 4 3\n4 4 4\n3 4 4",
        "4\n4\n3\n4\n4\n4\n3\n4\n4",
        "4\n\n4\n\n3\n\n4\n\n4\n\n4\n\n3\n\n4\n\n4",
        "1. 4\n2. 4\n3. 3\n4. 4\n5. 4\n6. 4\n7. 3\n8. 4\n9. 4",
        "U1=4\nU2=4\nU3 = 3\nU4: 4\nu5 4\nU6 = 4\nU7=3\nU8=4\nU9=4",
        "Selamat siang,\n\n4 4 3 4 4 4 3 4 4",
        "Jawaban: 4 4 3 4 4 4 3 4 4",
        "Nilai saya 4 4 3 4 4 4 3 4 4",
        "  4 4 3 4 4 4 3 4 4  \n\nDikirim dari Yahoo Mail di Android",
    ],
)
def test_nine_digits_in_any_shape(text: str) -> None:
    answer = read_survey_answer(strip_quotes(text + QUOTE))
    assert answer is not None and answer.valid
    assert answer.scores == SCORES and answer.saran == ""


@pytest.mark.parametrize(
    ("text", "saran"),
    [
        ("4 4 3 4 4 4 3 4 4\nPetugas ramah.", "Petugas ramah."),
        ("4 4 3 4 4 4 3 4 4\n\nSaran: jam layanan diperpanjang.\nTerima kasih.",
         "jam layanan diperpanjang.\nTerima kasih."),
        ("4\n4\n3\n4\n4\n4\n3\n4\n4\nLebih cepat.\n--\nBudi", "Lebih cepat."),
    ],
)  # fmt: skip
def test_the_saran_follows_the_digits(text: str, saran: str) -> None:
    answer = read_survey_answer(strip_quotes(text + QUOTE))
    assert answer is not None and answer.valid and answer.scores == SCORES
    assert answer.saran == saran


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("4 4 3 4 4 4 3 4", "4 4 3 4 4 4 3 4"),
        ("4 4 3 4 4 4 3 4 4 4", "4 4 3 4 4 4 3 4 4 4"),
        ("4 4 5 4 4 4 3 4 4", "4 4 5 4 4 4 3 4 4"),
        ("0 4 3 4 4 4 3 4 4", "0 4 3 4 4 4 3 4 4"),
        ("4 4 3\nLainnya saya lupa", "4 4 3"),
    ],
)
def test_an_attempt_that_is_not_nine_digits_one_to_four_is_malformed(
    text: str, digits: str
) -> None:
    answer = read_survey_answer(strip_quotes(text + QUOTE))
    assert answer is not None and not answer.valid and answer.digits == digits


@pytest.mark.parametrize(
    "text",
    [
        "Terima kasih, masalah sudah beres.",
        "Printer di ruang 204 sudah jalan, terima kasih.",
        "Lantai 2",
        "",
        "Selamat pagi\n\nTerima kasih banyak.",
    ],
)
def test_words_first_are_no_survey_answer(text: str) -> None:
    """Only the quoted copy holds digits: the reply itself is a note, as before."""
    assert read_survey_answer(strip_quotes(text + QUOTE)) is None
