"""Where a ticket's e-mails to its reporter may go: only to addresses that have shown they
want our mail.

An e-mailed complaint is answered at the address it came from. The form's "Alamat
e-Mail" is kept as written, but written to only once it is confirmed: its owner has
answered us (a reply from it joins the ticket), or a help-desk officer confirmed it. So a
stranger who names someone else's address cannot make the office write to that person.

On the telephone and by letter a help-desk officer takes the address from the reporter
(by ear, or from a signed letter) and types it in: it counts as confirmed. An officer can
be told a wrong address too, but only one call or letter at a time, each handled by a
person who can ask back; the harm this guards against is an unattended door that anyone
can make write to any number of victims. A complaint from the web form confirms nothing:
its acknowledgement (with the status link) goes to the form's address, counted towards the
per-address cap on automatic replies as the web form's rate limit bounds how many are
asked for, and nothing else goes there until the address answers us.
"""

from __future__ import annotations

from typing import Any

OFFICER_CHANNELS = frozenset({"phone", "letter"})


def confirmed_at_registration(channel: str, signature: str, email: str) -> str | None:
    """The form's address, lower case, when registering the complaint confirms it: taken
    down by an officer, or the very address the complaint was e-mailed from."""
    address = email.strip().lower()
    if not address:
        return None
    if channel in OFFICER_CHANNELS:
        return address
    if channel == "email" and address == signature.strip().lower():
        return address
    return None


def email_is_confirmed(ticket: Any) -> bool:
    """Whether the form's address (as it is now) has been confirmed."""
    confirmed = getattr(ticket, "email_confirmed", None)
    return bool(confirmed) and ticket.email.strip().lower() == confirmed


def reporter_addresses(ticket: Any) -> list[str]:
    """The addresses the reporter's e-mails go to: the form's, once confirmed, and the one
    an e-mailed complaint came from. ``ticket`` is a Ticket or a row with its columns."""
    found: list[str] = []
    if email_is_confirmed(ticket):
        found.append(ticket.email.strip())
    sender = (ticket.signature or "").strip().lower() if ticket.channel == "email" else ""
    if "@" in sender and sender not in (a.lower() for a in found):
        found.append(sender)
    return found


def unconfirmed_email(ticket: Any) -> str | None:
    """The form's address when nothing goes to it yet, else None."""
    address = ticket.email.strip()
    if not address or address.lower() in (a.lower() for a in reporter_addresses(ticket)):
        return None
    return address


def is_reporter_address(ticket: Any, address: str | None) -> bool:
    """The reporter writing: from the form's address (confirmed or not) or from the address
    an e-mailed complaint came from."""
    if not address:
        return False
    address = address.strip().lower()
    sender = (ticket.signature or "").strip().lower() if ticket.channel == "email" else ""
    return address in (ticket.email.strip().lower(), sender)
