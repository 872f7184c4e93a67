"""How our e-mails and the replies to them recognise each other.

Shared by the notifier (which writes these marks) and the intake (which reads them):
the subject tag with the complaint number, our Message-IDs, and the marker line above
which a reply is written.
"""

from __future__ import annotations

import re
import string

# Written at the top of every e-mail we send: in a reply, everything from its quoted copy
# on is ours, not the reporter's.
REPLY_MARKER = "##- Mohon tulis balasan di atas baris ini / Please reply above this line -##"
REPLY_MARKER_PATTERN = re.compile(r"#+-\s*Mohon tulis balasan di atas baris ini", re.IGNORECASE)


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


def is_our_message_id(message_id: str | None, domain: str) -> bool:
    """A Message-ID of the form ours take (``<tik-2026-00001.<32 hex>@domain>``): only
    this program writes it, whichever database or installation sent it."""
    if not message_id or not domain:
        return False
    pattern = r"<[a-z0-9-]{0,100}\.[0-9a-f]{32}@" + re.escape(domain.lower()) + ">"
    return re.fullmatch(pattern, message_id.lower()) is not None
