"""The subject line of an inbound e-mail: reply and forward prefixes, and our ticket tag.

Pure. A subject starts with a run of prefixes and bracket tags, in any order and case:
``RE: [EXTERNAL] Bls: FW: Re[2]: [TIK-2026-00012] Internet mati``. A prefix is a word
from the lists below followed by an optional counter (``[2]``, ``(3)``, ``^4``) and a
colon, ASCII or full-width (``回复：``). A bracket tag is ours when it holds a complaint
number; every other one (``[EXTERNAL]``, ``[Spam]``, a list's ``[helpdesk]``) is dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from ticketing.conversation import find_tag, number_pattern

# Reply prefixes, by language: English/Latin, Indonesian (Outlook writes "BLS"), German,
# Dutch, Scandinavian and Finnish, Italian, Polish, Turkish, Portuguese, Latvian, Greek,
# Chinese, Japanese, Korean. Matched case-insensitively.
REPLY_PREFIXES = (
    "re",
    "balas",
    "bls",
    "balasan",
    "aw",
    "antw",
    "antwort",
    "sv",
    "vs",
    "r",
    "rif",
    "odp",
    "ynt",
    "res",
    "atb",
    "απ",
    "σχετ",
    "回复",
    "回覆",
    "答复",
    "答覆",
    "返信",
    "회신",
)
# Forward prefixes: English, Indonesian (Outlook writes "TRS"), French, German, Swedish,
# Spanish, Portuguese, Dutch, Greek, Chinese, Japanese, Korean.
FORWARD_PREFIXES = (
    "fwd",
    "fw",
    "teruskan",
    "diteruskan",
    "trs",
    "tr",
    "wg",
    "vb",
    "rv",
    "enc",
    "doorst",
    "πρθ",
    "转发",
    "轉寄",
    "转寄",
    "轉發",
    "転送",
    "전달",
)


def _words(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


# "Re:", "RE :", "Re[2]:", "Re(3):", "Re^2:", "回复：" at the start of what is left.
_PREFIX = re.compile(
    rf"(?:(?P<reply>{_words(REPLY_PREFIXES)})|(?P<forward>{_words(FORWARD_PREFIXES)}))"
    r"\s*(?:\[\d+\]|\(\d+\)|\^\d+)?\s*[:：]+",
    re.IGNORECASE,
)
_BRACKET_TAG = re.compile(r"\[(?P<inside>[^\[\]]*)\]|\*{2,}\s*spam\s*\*{2,}", re.IGNORECASE)
# Without the configured format, a tag is taken for ours when it is one token of letters
# and digits with hyphens, holding a digit: "TIK-2026-00012", not "EXTERNAL" or "SPAM 5.1".
_NUMBER_LIKE = re.compile(r"[^\W_]+(?:[-/.][^\W_]+)*")


@dataclass(frozen=True)
class _Parsed:
    reply: bool
    forward: bool
    text: str


def strip_prefixes(subject: str, number_format: str | None = None) -> str:
    """The subject without reply and forward prefixes and foreign bracket tags; our ticket
    tag stays at the front. Whitespace is collapsed.

    Our tag is the one holding a number of ``number_format``; without a format, any
    bracketed single token with a digit in it (``[TIK-2026-00012]``) is kept.
    """
    return _parse(subject, number_format).text


def ticket_number(subject: str, number_format: str) -> str | None:
    """The complaint number in our subject tag, upper-cased, wherever the tag stands and
    however it is spaced (``RE: [ tik-2026-00012 ] …``); or None."""
    return find_tag(unicodedata.normalize("NFKC", subject), number_format)


def is_reply(subject: str) -> bool:
    """Whether the subject carries a reply prefix (``Re:``, ``Bls:``, ``AW:`` …).
    A forward prefix alone (``Fwd:``, ``TR:``) is not a reply: see `is_forward`."""
    return _parse(subject, None).reply


def is_forward(subject: str) -> bool:
    """Whether the subject carries a forward prefix (``Fwd:``, ``FW:``, ``Teruskan:`` …)."""
    return _parse(subject, None).forward


def _parse(subject: str, number_format: str | None) -> _Parsed:
    rest = " ".join(subject.split())
    ours = _our_tag(number_format)
    kept: list[str] = []
    reply = forward = False
    while rest:
        if prefix := _PREFIX.match(rest):
            reply = reply or prefix.group("reply") is not None
            forward = forward or prefix.group("forward") is not None
            rest = rest[prefix.end() :].lstrip()
        elif tag := _BRACKET_TAG.match(rest):
            if tag.group("inside") is not None and ours(tag.group("inside")):
                kept.append(tag.group())
            rest = rest[tag.end() :].lstrip()
        else:
            break
    return _Parsed(reply=reply, forward=forward, text=" ".join([*kept, rest]).strip())


def _our_tag(number_format: str | None) -> Callable[[str], bool]:
    if number_format is not None:
        pattern = number_pattern(number_format)

        def matches_format(inside: str) -> bool:
            return pattern.fullmatch(inside.strip()) is not None

        return matches_format

    def number_like(inside: str) -> bool:
        token = inside.strip()
        return bool(_NUMBER_LIKE.fullmatch(token)) and any(ch.isdigit() for ch in token)

    return number_like
