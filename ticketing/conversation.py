"""How our e-mails and the replies to them recognise each other.

Shared by the notifier (which writes these marks) and the intake (which reads them):
the subject tag with the complaint number, our Message-IDs, the marker line above
which a reply is written, and the token that makes a delivery report ours.
"""

from __future__ import annotations

import base64
import random
import re
import secrets
import string

# Written at the top of every e-mail whose reply we read, in the office's language: in a
# reply, everything from its quoted copy on is ours, not the writer's.
REPLY_MARKERS = {
    "id": "##- Mohon tulis balasan di atas baris ini -##",
    "en": "##- Please reply above this line -##",
}
# What e-mails sent before the marker had one language carried: replies to them still come.
LEGACY_REPLY_MARKER = "##- Mohon tulis balasan di atas baris ini / Please reply above this line -##"
REPLY_MARKER_PATTERN = re.compile(
    r"#+-\s*(?:Mohon tulis balasan di atas baris ini|Please reply above this line)", re.IGNORECASE
)


def subject_tag(number: str) -> str:
    return f"[{number}]"


def number_pattern(number_format: str) -> re.Pattern[str]:
    """A pattern matching the complaint numbers that ``number_format`` makes."""
    parts = []
    for literal, name, _spec, _conversion in string.Formatter().parse(number_format):
        parts.append(re.escape(literal))
        if name == "year":
            parts.append(r"\d{4}")
        elif name == "seq":
            parts.append(r"\d+")
    return re.compile("".join(parts), re.IGNORECASE)


def find_tag(subject: str, number_format: str) -> str | None:
    """The complaint number in a subject's ``[TIK-2026-00012]`` tag, upper-cased; or None."""
    pattern = number_pattern(number_format)
    match = re.search(r"\[\s*(" + pattern.pattern + r")\s*\]", subject, re.IGNORECASE)
    return match.group(1).upper() if match else None


def message_id_prefix(number: str | None) -> str:
    """The local part's prefix of our Message-IDs: the ticket number, lower case."""
    return re.sub(r"[^a-z0-9-]", "", (number or "helpdesk").lower())


# --- bounce tokens ------------------------------------------------------------------
#
# Each e-mail we send carries a token of its own, unguessable and stored with it: in its
# envelope sender (VERP, ``helpdesk+b-<token>@example.go.id``, where a delivery report is
# sent) and in the BOUNCE_REF_HEADER of the message (which a report returns with the
# original's headers, also when a relay rewrote the envelope sender). A delivery report
# counts only when it carries the token of an e-mail we sent to the address it names:
# anyone can name one of our Message-IDs, only the servers our e-mail went through see
# its token.

BOUNCE_REF_HEADER = "X-Helpdesk-Ref"
_TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"  # base32, lower case: safe in a local part
TOKEN_CHARS = 16  # 80 random bits
TOKEN_TAG = "b-"
# The extra characters VERP adds to the local part: the delimiter, "b-" and the token.
VERP_EXTRA_CHARS = 1 + len(TOKEN_TAG) + TOKEN_CHARS
_TOKEN = re.compile(r"(?<![A-Za-z0-9])b-([A-Za-z2-7]{16})(?![A-Za-z0-9])")


_SYSTEM_RANDOM = secrets.SystemRandom()


def new_bounce_token(rng: random.Random = _SYSTEM_RANDOM) -> str:
    """A fresh token: 16 characters of base32, drawn from ``rng`` (by default the operating
    system's random source: a token must be unguessable)."""
    if type(rng) is random.SystemRandom:
        # The same uniform draw from the same source, 80 bits at once: the alphabet is
        # base32's, lower case. (A seeded generator, as tests give, keeps its sequence.)
        bits = rng.getrandbits(TOKEN_CHARS * 5).to_bytes(TOKEN_CHARS * 5 // 8, "big")
        return base64.b32encode(bits).decode().lower()
    return "".join(rng.choice(_TOKEN_ALPHABET) for _ in range(TOKEN_CHARS))


def new_access_token() -> str:
    """A ticket's access token for its reporter: 128 bits from the operating system's random
    source, URL-safe (it travels as ``?k=`` in links)."""
    return secrets.token_urlsafe(16)


def bounce_ref(token: str) -> str:
    """The value of BOUNCE_REF_HEADER for ``token``."""
    return f"{TOKEN_TAG}{token}"


def verp_address(address: str, token: str, delimiter: str = "+") -> str:
    """``helpdesk@example.go.id`` -> ``helpdesk+b-<token>@example.go.id``."""
    local, at, domain = address.rpartition("@")
    if not at:
        raise ValueError(f"not an e-mail address: {address!r}")
    return f"{local}{delimiter}{TOKEN_TAG}{token}@{domain}"


def bounce_tokens(text: str, limit: int = 20) -> list[str]:
    """The tokens written in ``text`` (a header, a report's text), lower case, in order,
    without repeats. Any case is read: a server may change the case of a local part."""
    found: list[str] = []
    for match in _TOKEN.finditer(text):
        token = match.group(1).lower()
        if token not in found:
            found.append(token)
            if len(found) >= limit:
                break
    return found


def is_our_message_id(message_id: str | None, domain: str) -> bool:
    """A Message-ID of the form ours take (``<tik-2026-00001.<32 hex>@domain>``): only
    this program writes it, whichever database or installation sent it."""
    if not message_id or not domain:
        return False
    pattern = r"<[a-z0-9-]{0,100}\.[0-9a-f]{32}@" + re.escape(domain.lower()) + ">"
    return re.fullmatch(pattern, message_id.lower()) is not None
