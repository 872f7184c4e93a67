"""Quote stripping: the new text of a reply, as Indonesian and other mail clients write it."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from intake.parse import parse
from intake.quotes import strip_quotes
from ticketing.conversation import LEGACY_REPLY_MARKER, REPLY_MARKERS

REPLY_MARKER = REPLY_MARKERS["id"]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mail"

# Our incomplete-report e-mail as the reporter receives it (its form part).
OUR_NOTICE = f"""{REPLY_MARKER}

Yth. Bapak/Ibu,

Terima kasih atas laporan Bapak/Ibu. Mohon maaf, laporan Bapak/Ibu belum dapat kami
tindak lanjuti karena data berikut belum lengkap atau belum sesuai:

- Nama Pelapor belum diisi.
- Nomor Telepon / HandPhone belum diisi.

Nama Pelapor:
Nomor Telepon / HandPhone:
Jenis Kelamin (L / P):

Hormat kami,
Help Desk TIK"""


def quoted(text: str, prefix: str = "> ") -> str:
    return "\n".join((prefix + line).rstrip() for line in text.splitlines())


def test_gmail_indonesian_reply() -> None:
    """Gmail in Indonesian: 'Pada ... menulis:' and the '>' lines go."""
    text = (
        "Printernya sudah menyala lagi, terima kasih.\n\n"
        "Pada Sen, 30 Nov 2026 pukul 09.00 Budi <budi@x.id> menulis:\n\n"
        "> Printer di lantai 2 mati.\n>\n> Salam,\n> Budi\n"
    )
    assert strip_quotes(text) == "Printernya sudah menyala lagi, terima kasih."


def test_gmail_indonesian_attribution_wrapped_over_two_lines() -> None:
    """The attribution, wrapped before 'menulis:', goes as a whole."""
    text = (
        "Sudah saya lengkapi.\n\n"
        "Pada tanggal Sen, 30 Nov 2026 09.15, Help Desk TIK <\n"
        "helpdesk@diskominfo.example.go.id> menulis:\n\n> Mohon lengkapi.\n"
    )
    assert strip_quotes(text) == "Sudah saya lengkapi."


def test_gmail_english_reply() -> None:
    """Gmail in English: 'On ... wrote:' and the '>' lines go."""
    text = (
        "The network is back.\n\n"
        "On Mon, Nov 30, 2026 at 9:00 AM Help Desk <helpdesk@example.org> wrote:\n"
        "> Please confirm.\n"
    )
    assert strip_quotes(text) == "The network is back."


def test_outlook_indonesian_original_message_separator() -> None:
    """'-----Pesan Asli-----' and everything after it go."""
    text = (
        "Baik, terima kasih.\n\n-----Pesan Asli-----\nDari: Help Desk TIK\n"
        "Dikirim: Senin, 30 November 2026 09.00\nKepada: Budi\nSubjek: Laporan\n\n"
        "Nama Pelapor:\n"
    )
    assert strip_quotes(text) == "Baik, terima kasih."


def test_outlook_indonesian_header_block() -> None:
    """Outlook's 'Dari:/Dikirim:/Kepada:/Subjek:' block, and the underscores above it, go."""
    text = (
        "Nama Pelapor: Siti Rahma\n\n"
        "________________________________\n"
        "Dari: Help Desk TIK <helpdesk@diskominfo.example.go.id>\n"
        "Dikirim: Senin, 30 November 2026 09.00\n"
        "Kepada: Siti Rahma <siti@bkd.example.go.id>\n"
        "Subjek: Laporan belum lengkap\n\n" + OUR_NOTICE.replace(REPLY_MARKER + "\n", "")
    )
    assert strip_quotes(text) == "Nama Pelapor: Siti Rahma"


def test_outlook_english_header_block() -> None:
    """Outlook in English: 'From:/Sent:/To:/Subject:', bold in a plain copy too."""
    text = (
        "Thanks, fixed.\n\n"
        "*From:* Help Desk [mailto:helpdesk@example.org]\n"
        "*Sent:* Monday, November 30, 2026 9:00 AM\n"
        "*To:* Budi\n*Subject:* RE: Internet\n\nOld text\n"
    )
    assert strip_quotes(text) == "Thanks, fixed."


def test_outlook_english_original_message_separator() -> None:
    """'-----Original Message-----' and everything after it go."""
    text = "OK.\n-----Original Message-----\nFrom: x\nSent: y\n\nold\n"
    assert strip_quotes(text) == "OK."


def test_thunderbird_bottom_posted_reply_keeps_the_answer_below() -> None:
    """Thunderbird bottom-posts: the quote and its attribution go, the answer below stays."""
    text = "On 30/11/2026 09:00, Help Desk wrote:\n> Sudah bisa?\n> Salam\n\n"
    text += "Sudah bisa, terima kasih.\n"
    assert strip_quotes(text) == "Sudah bisa, terima kasih."


def test_inline_answers_between_quotes_stay() -> None:
    """Answers written between quoted questions stay; the quoted questions go."""
    text = "> Nama Pelapor?\nBudi\n> Nomor telepon?\n0812-3456-7890\n"
    assert strip_quotes(text) == "Budi\n0812-3456-7890"


def test_yahoo_attribution_wrapped_over_two_lines() -> None:
    """Yahoo's 'On ..., ... <x>' / 'wrote:' over two lines goes with its quote."""
    text = (
        "Terima kasih atas bantuannya.\n\n"
        "On Monday, November 30, 2026 9:00 AM, Help Desk TIK <helpdesk@example.org>\n"
        "wrote:\n\n\n> Mohon konfirmasi.\n"
    )
    assert strip_quotes(text) == "Terima kasih atas bantuannya."


def test_french_and_german_attributions() -> None:
    """'Le ... a écrit :' and 'Am ... schrieb ...:' go with their quotes."""
    french = "Merci.\n\nLe lun. 30 nov. 2026 à 09:00, Help Desk <h@example.org> a écrit :\n> x\n"
    german = "Danke.\n\nAm 30.11.2026 um 09:00 schrieb Help Desk <h@example.org>:\n> x\n"
    assert strip_quotes(french) == "Merci."
    assert strip_quotes(german) == "Danke."


def test_our_marker_quoted_with_prefix_cuts_everything_after_it() -> None:
    """Our marker quoted with '> ': it, its attribution and all below go."""
    text = (
        "Nama Pelapor: Budi Santoso\n\n"
        "Pada Sen, 30 Nov 2026 pukul 09.15 Help Desk TIK <helpdesk@x.go.id> menulis:\n"
        + quoted(OUR_NOTICE)
    )
    assert strip_quotes(text) == "Nama Pelapor: Budi Santoso"


def test_our_marker_without_prefix_cuts_everything_after_it() -> None:
    """A client that quotes without '>' (Outlook, some webmail): the marker still cuts."""
    text = "Nama Pelapor: Budi Santoso\nJenis Kelamin: L\n\n" + OUR_NOTICE
    assert strip_quotes(text) == "Nama Pelapor: Budi Santoso\nJenis Kelamin: L"


def test_filled_form_above_a_quoted_copy_of_our_form() -> None:
    """The reporter's filled fields stay; the quoted copy of our empty form is gone."""
    filled = (
        "Nama Pelapor: Budi Santoso\n"
        "Nomor Telepon / HandPhone: 0812-3456-7890\n"
        "Jenis Kelamin (L / P): L"
    )
    text = f"{filled}\n\nPada Sen, 30 Nov 2026 09.15 Help Desk <h@x.go.id> menulis:\n\n"
    text += quoted(OUR_NOTICE) + "\n"
    result = strip_quotes(text)
    assert result == filled
    assert "Nama Pelapor:\n" not in result and "Hormat kami" not in result


def test_gmail_reply_fixture_keeps_only_the_filled_form() -> None:
    """A real-shaped Gmail reply: parse, then strip, leaves the three filled lines."""
    message = parse((FIXTURES / "gmail-reply-id.eml").read_bytes())
    assert strip_quotes(message.text) == (
        "Nama Pelapor: Budi Santoso\n"
        "Nomor Telepon / HandPhone: 0812-3456-7890\n"
        "Jenis Kelamin (L / P): L"
    )


def test_forwarded_message_is_content() -> None:
    """A forwarded message's header block under 'Forwarded message' is kept."""
    text = (
        "Mohon ditindaklanjuti.\n\n"
        "---------- Forwarded message ---------\n"
        "From: Siti <siti@example.org>\nDate: Mon, Nov 30, 2026 at 9:00 AM\n"
        "Subject: Printer\nTo: <kasi@example.org>\n\nNama Pelapor: Siti\n"
    )
    assert strip_quotes(text) == text


def test_official_memo_header_is_not_an_outlook_block() -> None:
    """A nota dinas's 'Kepada/Dari/Tanggal/Perihal' lines are content."""
    text = (
        "Kepada: Kepala Dinas\nDari: Sekretariat\nTanggal: 30 November 2026\n"
        "Perihal: Internet mati\n\nIsi nota dinas.\n"
    )
    assert strip_quotes(text) == text


def test_sent_from_my_phone_stays() -> None:
    """'Sent from my iPhone' / 'Dikirim dari ...' signatures are the writer's and stay."""
    text = "Sudah normal.\n\nDikirim dari iPhone saya\n\nPada 30 Nov 2026, Budi menulis:\n> x\n"
    assert strip_quotes(text) == "Sudah normal.\n\nDikirim dari iPhone saya"


def test_text_without_quotes_is_unchanged() -> None:
    """Nothing quoted: the text comes back exactly, line endings and all."""
    text = "Nama Pelapor: Budi\r\nIsi Aduan: wifi putus\r\n\r\nTerima kasih.\r\n"
    assert strip_quotes(text) == text


def test_a_line_ending_in_wrote_without_a_quote_stays() -> None:
    """An attribution-like sentence with no quote after it is content."""
    text = "Pada rapat kemarin Pak Kepala menulis:\nsemua printer harus dicek.\n"
    assert strip_quotes(text) == text


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=40),
            st.sampled_from(
                [
                    "> quoted", ">", "Pada Sen, 30 Nov 2026 Budi <b@x.id> menulis:", "wrote:",
                    "On Mon, Budi", "-----Pesan Asli-----", "Dari: a@b.c", "Dikirim: Senin",
                    "Kepada: x", "Subjek: y", "_______", REPLY_MARKER, "> " + REPLY_MARKER,
                    REPLY_MARKERS["en"], LEGACY_REPLY_MARKER, "",
                    "---------- Forwarded message ---------", "\r", "  ", "Tanggal: 1",
                ]
            ),
        ),
        max_size=25,
    ).map("\n".join)
)  # fmt: skip
def test_strip_quotes_is_idempotent_and_never_longer(text: str) -> None:
    """Stripping twice is stripping once, and never adds text."""
    once = strip_quotes(text)
    assert len(once) <= len(text)
    assert strip_quotes(once) == once


def test_a_reply_is_cut_at_the_marker_of_either_language_and_at_the_old_one() -> None:
    """The marker in Indonesian, in English, and the bilingual one of e-mails sent before
    the marker had one language: the reply ends above each, quoted or not."""
    for marker in (REPLY_MARKERS["id"], REPLY_MARKERS["en"], LEGACY_REPLY_MARKER):
        for copy in (marker, "> " + marker):
            text = f"SELESAI\nSwitch diganti.\n\n{copy}\n\nYth. Bapak Agus,\nLEMBAR DISPOSISI"
            assert strip_quotes(text) == "SELESAI\nSwitch diganti.", (marker, copy)
