"""Complaint e-mails for the benchmarks, shaped like the ones reporters send.

A mix, in a fixed proportion and a fixed (seeded) order:
- ``complete``: the Formulir typed as ``label: value`` lines in a plain-text mail;
- ``incomplete``: the same with one to three fields left out, or only a sentence of text;
- ``html``: HTML only, the form as a two-column table (as pasted from Word or Outlook);
- ``attachment``: a complete form with a photo (JPEG) or a scanned letter (PDF) attached.

Every message has its own sender, so that no sender passes the hourly limits
(``intake.sender_messages_per_hour``, ``notifier.auto_reply_limit_per_hour``).
"""

from __future__ import annotations

import datetime as dt
import random
from email.message import EmailMessage
from email.utils import format_datetime

AGENCIES = [
    ("Dinkes", "dinkes"),
    ("Dinas Pendidikan dan Kebudayaan", "dindikbud"),
    ("Diskominfo", "diskominfo"),
    ("Bappeda", "bappeda"),
    ("BPKAD", "bpkad"),
    ("Badan Kepegawaian Daerah", "bkd"),
    ("Dinas Sosial", "dinsos"),
    ("Dinas Perhubungan", "dishub"),
    ("Inspektorat", "inspektorat"),
    ("Sekretariat Daerah", "setda"),
]
DIVISIONS = ["Sekretariat", "Bidang Pelayanan", "UPT Pelabuhan Merak", "Subbagian Umum",
             "Bidang Anggaran", "Balai Latihan Kerja"]  # fmt: skip
FIRST = ["Budi", "Siti", "Agus", "Dewi", "Rudi", "Rina", "Eko", "Sri", "Joko", "Wati", "Ahmad",
         "Nur", "Hendra", "Yuli", "Dedi", "Fitri"]  # fmt: skip
LAST = ["Santoso", "Rahayu", "Wijaya", "Lestari", "Hidayat", "Kusuma", "Saputra", "Putri",
        "Nugroho", "Susanti", "Firmansyah", "Pratiwi"]  # fmt: skip
POSITIONS = ["Staf", "Pengelola Data", "Kepala Seksi", "Analis Kebijakan", "Pranata Komputer"]
STATUSES = ["PNS", "PPPK", "Honorer"]
COMPLAINTS = [
    ("Jaringan", "Koneksi internet di ruang {room} terputus sejak pagi, lampu modem merah."),
    ("E Mail", "Akun e-mail dinas saya tidak bisa login sejak ganti kata sandi kemarin."),
    ("Komputer", "Komputer di ruang {room} mati total dan tidak mau menyala."),
    ("Server", "Server aplikasi kepegawaian lambat sekali sejak pukul 08.00."),
    ("Aplikasi", "Aplikasi e-surat menampilkan pesan galat 500 saat mengunggah dokumen."),
    ("Sub Domain", "Mohon dibuatkan sub domain untuk aplikasi layanan {room}."),
    ("Website", "Website dinas tidak bisa dibuka dari luar kantor sejak tadi malam."),
]
ROOMS = ["pelayanan lantai 2", "rapat utama", "arsip", "kepala bidang", "loket"]
LABELS = [
    ("agency", "Nama OPD"),
    ("division", "Bidang/UPT/Balai"),
    ("reporter_name", "Nama Pelapor"),
    ("position", "Jabatan"),
    ("phone", "Nomor Telepon / HandPhone"),
    ("email", "Alamat e-Mail"),
    ("sex", "Jenis Kelamin"),
    ("employment_status", "Status Kepegawaian"),
    ("category", "Jenis Aduan"),
    ("description", "Isi Aduan"),
]
WIB = dt.timezone(dt.timedelta(hours=7))
# Shares of the mix, out of 20.
MIX = ["complete"] * 9 + ["incomplete"] * 4 + ["html"] * 4 + ["attachment"] * 3


def _jpeg(rng: random.Random, size: int) -> bytes:
    """Bytes that start and end like a JPEG (the intake does not decode images)."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + rng.randbytes(size) + b"\xff\xd9"


def _pdf(rng: random.Random, size: int) -> bytes:
    body = rng.randbytes(size)
    head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length " + str(size).encode()
    tail = b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%EOF\n"
    return head + b" >>\nstream\n" + body + tail


def _form(rng: random.Random, n: int) -> tuple[dict[str, str], str]:
    agency, domain = AGENCIES[n % len(AGENCIES)]
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    address = f"pelapor{n:05d}@{domain}.example.go.id"
    category, text = rng.choice(COMPLAINTS)
    values = {
        "agency": agency,
        "division": rng.choice(DIVISIONS),
        "reporter_name": name,
        "position": rng.choice(POSITIONS),
        "phone": f"0812-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}",
        "email": address,
        "sex": rng.choice("LP"),
        "employment_status": rng.choice(STATUSES),
        "category": category,
        "description": text.format(room=rng.choice(ROOMS)),
    }
    return values, name


def _text(values: dict[str, str]) -> str:
    lines = [f"{label}: {values[key]}" for key, label in LABELS if key in values]
    return (
        "Selamat pagi Bapak/Ibu Help Desk,\n\nBerikut pengaduan kami:\n\n"
        + "\n".join(lines)
        + "\n\nTerima kasih atas bantuannya.\n\nSalam,\n"
    )


def _html(values: dict[str, str]) -> str:
    rows = "".join(
        f'<tr><td style="width:40%"><b>{label}</b></td><td>:</td><td>{values[key]}</td></tr>'
        for key, label in LABELS
        if key in values
    )
    return (
        "<html><head><style>td{font-family:Calibri}</style></head><body>"
        "<p>Yth. Help Desk Layanan TIK,</p><p>Dengan hormat, kami sampaikan pengaduan"
        f" berikut:</p><table border=1>{rows}</table><p>Terima kasih.</p>"
        '<div class="signature">-- <br>Dikirim dari Outlook</div></body></html>'
    )


def complaint(n: int, kind: str, rng: random.Random, when: dt.datetime) -> bytes:
    values, name = _form(rng, n)
    agency_domain = values["email"].split("@", 1)[1]
    message = EmailMessage()
    message["From"] = f"{name} <{values['email']}>"
    message["To"] = "Help Desk TIK <helpdesk@example.go.id>"
    message["Subject"] = f"Pengaduan {values['category'].lower()} - {values['agency']}"
    message["Message-ID"] = f"<bench-{n:05d}.{rng.randrange(10**9)}@{agency_domain}>"
    message["Date"] = format_datetime(when)
    message["X-Mailer"] = rng.choice(["Microsoft Outlook 16.0", "Thunderbird 115.5", "Gmail"])
    if kind == "incomplete":
        if rng.random() < 0.25:
            message.set_content(
                "Selamat siang, internet di kantor kami mati. Mohon segera dibantu. Terima kasih."
            )
            return bytes(message)
        for key in rng.sample(["position", "phone", "sex", "employment_status", "division"],
                              rng.randint(1, 3)):  # fmt: skip
            del values[key]
    if kind == "html":
        message.set_content(_html(values), subtype="html")
        return bytes(message)
    message.set_content(_text(values))
    if kind == "attachment":
        if rng.random() < 0.5:
            data = _jpeg(rng, rng.randrange(40_000, 120_000))
            message.add_attachment(data, maintype="image", subtype="jpeg",
                                   filename=f"IMG_2026{n:05d}.jpg")  # fmt: skip
        else:
            data = _pdf(rng, rng.randrange(20_000, 80_000))
            message.add_attachment(data, maintype="application", subtype="pdf",
                                   filename="Surat Pengaduan.pdf")  # fmt: skip
    return bytes(message)


def complaints(count: int, seed: int = 2026, start: int = 0) -> list[tuple[str, bytes]]:
    """``count`` messages as (kind, raw bytes), in the mix's proportions."""
    rng = random.Random(seed)
    when = dt.datetime(2026, 11, 30, 8, 0, tzinfo=WIB)
    out = []
    for i in range(count):
        n = start + i
        kind = MIX[rng.randrange(len(MIX))]
        out.append((kind, complaint(n, kind, rng, when + dt.timedelta(seconds=7 * i))))
    return out
