"""Delivery reports (DSNs, RFC 3464) as a receiving server writes them, for the bounce tests:
genuine ones, addressed to the envelope sender our e-mail really had, and forged ones that
only name our Message-IDs."""

from __future__ import annotations

import datetime as dt
import secrets
from email.utils import format_datetime

# What a forger wrote into the reports of the issue: instructions, a number, a link.
EVIL = "Akun Anda diblokir, hubungi WA 0812-9999-0000 atau http://evil.example/verifikasi"
# The same, as the help desk must show it: quoted, with the link broken.
EVIL_SHOWN = "hubungi WA 0812-9999-0000 atau hxxp[:]//evil[.]example/verifikasi"


def random_token() -> str:
    """A token of the right form that is not one of ours: a forger's guess."""
    return "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz234567") for _ in range(16))


def delivery_report(
    *,
    to: str,
    recipient: str,
    original_id: str | None,
    diagnostic: str = f"smtp; 550 5.1.1 <user unknown>: {EVIL}",
    status: str = "5.1.1",
    action: str = "failed",
    message_id: str | None = None,
    returned: dict[str, str] | None = None,
    envelope_to: str | None = None,
    date: dt.datetime | None = None,
) -> bytes:
    """A Postfix-style report to ``to`` (the envelope sender it answers) that ``recipient``
    did not get the e-mail ``original_id``. Our own server records the envelope recipient
    in Delivered-To and X-Original-To (``envelope_to``, default ``to``); ``returned`` are
    further headers of the returned original (its X-Helpdesk-Ref, say)."""
    mta = "mx.dinkes.example.go.id"
    when = date or dt.datetime(2026, 11, 30, 9, 5, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    message_id = message_id or f"<{secrets.token_hex(8)}@{mta}>"
    original = [
        "From: Help Desk Layanan TIK <helpdesk@example.go.id>",
        f"To: {recipient}",
        "Subject: [TIK-2026-00001] Pengaduan diterima",
        *([f"Message-ID: {original_id}"] if original_id else []),
        *(f"{name}: {value}" for name, value in (returned or {}).items()),
    ]
    lines = [
        "Return-Path: <>",
        f"X-Original-To: {envelope_to or to}",
        f"Delivered-To: {envelope_to or to}",
        f"Date: {format_datetime(when)}",
        f"From: MAILER-DAEMON@{mta} (Mail Delivery System)",
        "Subject: Undelivered Mail Returned to Sender",
        f"To: {to}",
        "Auto-Submitted: auto-replied",
        "MIME-Version: 1.0",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"',
        f"Message-Id: {message_id}",
        "",
        "This is a MIME-encapsulated message.",
        "",
        "--BOUNDARY",
        "Content-Description: Notification",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        f"This is the mail system at host {mta}.",
        "",
        "I'm sorry to have to inform you that your message could not",
        "be delivered to one or more recipients.",
        "",
        f"<{recipient}>: {diagnostic.partition('; ')[2]}",
        "",
        "--BOUNDARY",
        "Content-Description: Delivery report",
        "Content-Type: message/delivery-status",
        "",
        f"Reporting-MTA: dns; {mta}",
        f"X-Postfix-Sender: rfc822; {to}",
        f"Arrival-Date: {format_datetime(when)}",
        "",
        f"Final-Recipient: rfc822; {recipient}",
        f"Original-Recipient: rfc822;{recipient}",
        f"Action: {action}",
        f"Status: {status}",
        f"Diagnostic-Code: {diagnostic}",
        "",
        "--BOUNDARY",
        "Content-Description: Undelivered Message Headers",
        "Content-Type: text/rfc822-headers",
        "",
        *original,
        "",
        "--BOUNDARY--",
        "",
    ]
    return "\r\n".join(lines).encode("utf-8")
