"""Complaint e-mails as reporters write them, for the intake tests."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

FORM_TEXT = """Selamat pagi Bapak/Ibu Help Desk,

Berikut pengaduan kami:

Nama OPD: Dinas Kesehatan
Bidang/UPT/Balai: Bidang Pelayanan Kesehatan
Nama Pelapor: Budi Santoso
Jabatan: Pengelola Data
Nomor Telepon / HandPhone: 0812-3456-7890
Alamat e-Mail: budi.santoso@dinkes.example.go.id
Jenis Kelamin: L
Status Kepegawaian: PNS
Jenis Aduan: Jaringan
Isi Aduan: Koneksi internet di ruang pelayanan lantai 2 terputus sejak pagi.

Terima kasih.
"""


def email(
    body: str = FORM_TEXT,
    *,
    sender: str = "Budi Santoso <budi.santoso@dinkes.example.go.id>",
    subject: str = "Pengaduan jaringan internet",
    message_id: str | None = None,
    in_reply_to: str | None = None,
    headers: dict[str, str] | None = None,
    date: dt.datetime | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "helpdesk@example.go.id"
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="dinkes.example.go.id")
    message["Date"] = format_datetime(
        date or dt.datetime(2026, 11, 30, 8, 55, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    )
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return bytes(message)


def without(field_label: str, text: str = FORM_TEXT) -> str:
    """The form text without the line of one field."""
    return "\n".join(line for line in text.splitlines() if not line.startswith(field_label))
