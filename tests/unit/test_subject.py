"""Subject lines: reply and forward prefixes, foreign bracket tags and our ticket tag."""

from __future__ import annotations

import pytest

from intake.subject import is_forward, is_reply, strip_prefixes, ticket_number
from ticketing.numbering import DEFAULT_FORMAT

REPLY_PREFIXES = (
    "Re:",
    "RE:",
    "re:",
    "Re :",
    "Re[2]:",
    "RE[12]:",
    "Re(3):",
    "Re^2:",
    "Balas:",
    "Bls:",
    "BLS:",
    "AW:",
    "Antw:",
    "SV:",
    "VS:",
    "R:",
    "RIF:",
    "Odp:",
    "Ynt:",
    "回复:",
    "回复：",
    "答复:",
    "答复：",
)
FORWARD_PREFIXES = (
    "Fwd:",
    "FWD:",
    "FW:",
    "Fw:",
    "Teruskan:",
    "TR:",
    "TRS:",
    "WG:",
    "转发:",
    "转发：",
)


@pytest.mark.parametrize("prefix", REPLY_PREFIXES + FORWARD_PREFIXES)
def test_each_prefix_is_removed(prefix: str):
    """Every known reply or forward prefix is removed, with or without a space after it."""
    assert strip_prefixes(f"{prefix} Internet mati") == "Internet mati"
    assert strip_prefixes(f"{prefix}Internet mati") == "Internet mati"


def test_repeated_and_mixed_prefixes_are_removed():
    """A run of prefixes in several languages and cases is removed entirely."""
    assert strip_prefixes("RE: Bls: FW: Re[2]: subject") == "subject"
    assert strip_prefixes("Re:Re:RE: AW: WG: 回复：subject") == "subject"


def test_whitespace_is_collapsed():
    """Runs of spaces and tabs become one space; the ends are trimmed."""
    assert strip_prefixes("  Re:   Internet \t mati  di   lantai 2 ") == "Internet mati di lantai 2"


def test_words_that_start_like_prefixes_stay():
    """A subject word that merely starts like a prefix is not removed."""
    assert strip_prefixes("Rencana: pemasangan jaringan") == "Rencana: pemasangan jaringan"
    assert strip_prefixes("Server: tidak bisa diakses") == "Server: tidak bisa diakses"


def test_prefix_inside_the_subject_stays():
    """Only the prefixes at the start are removed."""
    assert strip_prefixes("Re: Tanya soal Re: dan Fwd:") == "Tanya soal Re: dan Fwd:"


def test_foreign_bracket_tags_are_dropped():
    """``[EXTERNAL]``, ``[Spam]`` and ``***SPAM***`` among the prefixes are dropped."""
    assert strip_prefixes("[EXTERNAL] RE: [Spam] ***SPAM*** Internet mati") == "Internet mati"


def test_our_tag_is_kept_in_front():
    """Our ticket tag stays at the front; the prefixes around it go."""
    subject = "RE: [EXT] Bls: [TIK-2026-00012] Fwd: Pengaduan diterima"
    assert strip_prefixes(subject) == "[TIK-2026-00012] Pengaduan diterima"


def test_our_tag_by_the_configured_format():
    """With the number format given, a tag of another numbering is dropped, ours kept."""
    subject = "Re: [SR-12345] [TIK-2026-00012] Internet mati"
    assert strip_prefixes(subject, DEFAULT_FORMAT) == "[TIK-2026-00012] Internet mati"
    assert strip_prefixes(subject) == "[SR-12345] [TIK-2026-00012] Internet mati"


def test_empty_subject_stays_empty():
    """An empty subject, or one of prefixes only, becomes an empty string."""
    assert strip_prefixes("") == ""
    assert strip_prefixes("Re: Fwd:") == ""


def test_ticket_number_after_prefixes():
    """The complaint number is found in our tag after any prefixes."""
    subject = "RE: Bls: [TIK-2026-00012] Pengaduan diterima"
    assert ticket_number(subject, DEFAULT_FORMAT) == "TIK-2026-00012"


def test_ticket_number_with_odd_spacing_and_case():
    """A tag written with spaces inside the brackets and in lower case is found, upper-cased."""
    subject = "RE: [ tik-2026-00012 ] Pengaduan diterima"
    assert ticket_number(subject, DEFAULT_FORMAT) == "TIK-2026-00012"


def test_ticket_number_in_full_width_brackets():
    """Full-width brackets, as some Asian-language clients write them, still hold the tag."""
    assert ticket_number("回复：［TIK-2026-00012］ x", DEFAULT_FORMAT) == "TIK-2026-00012"


def test_ticket_number_next_to_a_foreign_tag():
    """A foreign tag before ours does not hide it."""
    subject = "[EXT] Re: [TIK-2026-00345] Internet mati"
    assert ticket_number(subject, DEFAULT_FORMAT) == "TIK-2026-00345"


def test_no_tag_gives_none():
    """A subject without our tag has no complaint number."""
    assert ticket_number("Re: Internet mati", DEFAULT_FORMAT) is None
    assert ticket_number("Re: TIK-2026-00012 tanpa kurung", DEFAULT_FORMAT) is None
    assert ticket_number("Re: [EXT] Internet mati", DEFAULT_FORMAT) is None


def test_ticket_number_of_a_custom_format():
    """The number is read in the format the office configured."""
    assert ticket_number("Re: [ADU/2026/7] x", "ADU/{year}/{seq}") == "ADU/2026/7"


@pytest.mark.parametrize("prefix", REPLY_PREFIXES)
def test_reply_prefix_makes_a_reply(prefix: str):
    """A subject with a reply prefix is a reply."""
    assert is_reply(f"{prefix} [TIK-2026-00012] x")


def test_reply_prefix_after_other_prefixes_makes_a_reply():
    """A reply prefix behind a forward prefix or a foreign tag still makes a reply."""
    assert is_reply("[EXTERNAL] Fwd: Re: x")


@pytest.mark.parametrize("prefix", FORWARD_PREFIXES)
def test_forward_prefix_alone_is_no_reply(prefix: str):
    """A forward prefix alone makes a forward, not a reply."""
    assert not is_reply(f"{prefix} x")
    assert is_forward(f"{prefix} x")


def test_plain_subject_is_neither_reply_nor_forward():
    """A subject without prefixes is neither a reply nor a forward."""
    assert not is_reply("Internet mati [Re: kemarin]")
    assert not is_forward("Internet mati")
