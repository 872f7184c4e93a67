"""The demo: a throw-away site on the default configuration, driven through the real CLI.

Each step prints the command it runs, as a help-desk officer would type it, and what
the command answered. Time is moved with HELPDESK_NOW, so deadlines and an overdue
ticket show without waiting.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from helpdesk.config import ENV_VAR as CONFIG_ENV
from helpdesk.config import with_section
from helpdesk.resources import DEFAULT_CONFIG
from helpdesk.testing.imap import (
    DovecotServer,
    PymapServer,
    dovecot_available,
    dovecot_server,
    pymap_available,
    pymap_server,
)
from helpdesk.testing.loopback import free_port

if TYPE_CHECKING:
    from helpdesk.testing.smtp import Sink

REPORTERS = {
    "budi": [
        "--opd", "Dinkes", "--bidang", "Bidang Pelayanan Kesehatan",
        "--nama", "Budi Santoso", "--jabatan", "Pengelola Data",
        "--telepon", "0812-3456-7890", "--email", "budi.santoso@dinkes.example.go.id",
        "--sex", "L", "--status", "PNS", "--category", "internet",
        "--isi", "Koneksi internet di ruang pelayanan lantai 2 terputus sejak pagi; "
        "aplikasi rujukan tidak bisa dibuka.",
    ],
    "siti": [
        "--opd", "BPKAD", "--bidang", "Bidang Akuntansi",
        "--nama", "Siti Rahmawati", "--jabatan", "Analis Keuangan",
        "--telepon", "(0254) 267061", "--email", "siti.rahma@bpkad.example.go.id",
        "--sex", "perempuan", "--status", "non pns", "--category", "aplikasi",
        "--isi", "Aplikasi pelaporan keuangan menampilkan galat 500 saat mengunggah jurnal.",
    ],
    "incomplete": [
        "--opd", "Dinas Sosial", "--nama", "Andi", "--email", "andi@",
        "--category", "printer", "--isi", "Printer macet.",
    ],
    "rina": [
        "--opd", "Bappeda", "--bidang", "Sekretariat",
        "--nama", "Rina Marlina", "--jabatan", "Pranata Komputer",
        "--telepon", "+62 857 1234 5678", "--email", "rina.marlina@bappeda.example.go.id",
        "--sex", "P", "--status", "honorer", "--category", "komputer",
        "--isi", "Komputer di ruang rapat tidak mau menyala setelah listrik padam.",
    ],
}  # fmt: skip


def run_demo(keep: Path | None = None) -> int:
    if not DEFAULT_CONFIG.is_file():
        print(f"error: the default configuration is not at {DEFAULT_CONFIG}", file=sys.stderr)
        return 1
    with ExitStack() as stack:
        return _run(keep, stack)


def _mail_sink(stack: ExitStack) -> tuple[int, Sink] | None:
    """A real SMTP server on loopback that keeps what it receives (aiosmtpd, installed with
    the test tools); None when it is not installed."""
    if importlib.util.find_spec("aiosmtpd") is None:
        return None
    from helpdesk.testing.smtp import Sink, smtp_server

    sink = Sink()
    server = stack.enter_context(smtp_server(sink))
    return server.port, sink


def _run(keep: Path | None, stack: ExitStack) -> int:
    folder = keep or Path(tempfile.mkdtemp(prefix="helpdesk-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "config.toml"
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    sink = _mail_sink(stack)
    if sink is not None:
        text = with_section(
            text, "smtp",
            f'host = "127.0.0.1"\nport = {sink[0]}\nsecurity = "none"\nusername = ""\n'
            'from_address = "helpdesk@example.go.id"',
        )  # fmt: skip
    imap = _imap_server(stack, folder)
    if imap is not None:
        text = with_section(
            text, "mailbox",
            f'host = "127.0.0.1"\nport = {imap.port}\nsecurity = "none"\n'
            'username = "helpdesk"\npassword = "demo"\nfolder = "INBOX"',
        )  # fmt: skip
    web_port = free_port()
    text = with_section(
        text, "web",
        f'listen = "127.0.0.1:{web_port}"\npublic_url = "http://127.0.0.1:{web_port}"\n'
        'secret_env = "HELPDESK_WEB_SECRET"',
    )  # fmt: skip
    config.write_text(text, encoding="utf-8")
    scan = folder / "surat-bpkad-2026-11-30.pdf"
    scan.write_bytes(b"%PDF-1.4\n% scanned letter from BPKAD (demo)\n%%EOF\n")
    env = {**os.environ, CONFIG_ENV: str(config)}
    env.pop("HELPDESK_USER", None)

    def say(text: str) -> None:
        print(f"\n### {text}")

    def quiet(when: str, *args: str) -> str:
        env["HELPDESK_NOW"] = when
        return subprocess.run(
            [sys.executable, "-m", "helpdesk", *args], env=env, text=True, capture_output=True,
            check=True,
        ).stdout  # fmt: skip

    def run(when: str, *args: str, check: bool = True, stdin: str | None = None) -> str:
        env["HELPDESK_NOW"] = when
        print(f"\n[{when}] $ helpdesk {shlex.join(args)}")
        sys.stdout.flush()
        done = subprocess.run(
            [sys.executable, "-m", "helpdesk", *args], env=env, text=True, capture_output=True,
            input=stdin,
        )  # fmt: skip
        sys.stdout.write(done.stdout)
        sys.stdout.write(done.stderr)
        print(f"(exit {done.returncode})")
        if check and done.returncode != 0:
            raise SystemExit(f"demo step failed: helpdesk {shlex.join(args)}")
        return done.stdout

    say(f"A new site in {folder}")
    run("2026-11-30T07:30:00+07:00", "init")

    if imap is not None:
        _mailbox_round(folder, imap, say, run, quiet)

    say("Monday morning: a call from the health office (Dinkes), taken by officer sari")
    first = _number(
        run("2026-11-30T08:05:00+07:00", "phone", *REPORTERS["budi"], "--officer", "sari")
    )
    say("A letter from BPKAD with its scan, logged by officer yoga")
    second = _number(
        run(
            "2026-11-30T08:20:00+07:00",
            "letter",
            *REPORTERS["siti"],
            "--officer",
            "yoga",
            "--scan",
            str(scan),
            "--received",
            "2026-11-27T14:00",
        )
    )
    say("An incomplete report cannot be followed up: every problem is named, nothing is stored")
    run(
        "2026-11-30T08:30:00+07:00",
        "phone",
        *REPORTERS["incomplete"],
        "--officer",
        "sari",
        check=False,
    )

    say(f"{first} is escalated to the network unit and disposed to a technician")
    run(
        "2026-11-30T08:45:00+07:00",
        "ticket",
        "escalate",
        first,
        "--by",
        "sari",
        "--note",
        "Router lantai 2 tidak merespons ping dari help desk.",
    )
    say(f"{second}: a move the SOP does not allow is refused and changes nothing")
    run(
        "2026-11-30T09:00:00+07:00",
        "ticket",
        "close",
        second,
        "--by",
        "yoga",
        "--confirmation",
        "?",
        check=False,
    )
    run(
        "2026-11-30T09:10:00+07:00",
        "ticket",
        "dispose",
        first,
        "--by",
        "rudi",
        "--to",
        "agus",
        "--sifat",
        "segera",
        "--note",
        "Mohon dicek ke lokasi.",
    )
    say(f"{first} waits on the reporter: its clock stops")
    run(
        "2026-11-30T09:30:00+07:00",
        "ticket",
        "pause",
        first,
        "--by",
        "agus",
        "--reason",
        "Menunggu pelapor membuka ruang server lantai 2.",
    )
    say(f"{second} is escalated to the application unit")
    run("2026-11-30T10:00:00+07:00", "ticket", "escalate", second, "--by", "yoga")
    run("2026-11-30T10:30:00+07:00", "ticket", "dispose", second, "--by", "hendra", "--to", "indah")
    say(f"{first}: the reporter answers, the clock runs again; solved, confirmed, closed")
    run(
        "2026-11-30T13:00:00+07:00",
        "ticket",
        "resume",
        first,
        "--by",
        "agus",
        "--note",
        "Ruang sudah dibuka.",
        "--via",
        "phone",
    )
    run(
        "2026-11-30T14:00:00+07:00",
        "ticket",
        "resolve",
        first,
        "--by",
        "agus",
        "--solution",
        "Adaptor daya router diganti; koneksi normal kembali.",
    )
    run(
        "2026-11-30T14:30:00+07:00",
        "ticket",
        "close",
        first,
        "--by",
        "sari",
        "--via",
        "phone",
        "--confirmation",
        "Pelapor mengonfirmasi internet sudah normal.",
    )

    say("Tuesday: a call that nobody handles in time")
    run("2026-12-01T08:00:00+07:00", "phone", *REPORTERS["rina"], "--officer", "sari")
    say(f"{second}: the technician escalates to a higher level, the official solves it")
    run(
        "2026-12-01T11:00:00+07:00",
        "ticket",
        "escalate-higher",
        second,
        "--by",
        "indah",
        "--report",
        "Galat berasal dari server pusat; perlu keputusan penambahan kapasitas.",
    )
    run(
        "2026-12-01T15:00:00+07:00",
        "ticket",
        "resolve",
        second,
        "--by",
        "kurniawan",
        "--solution",
        "Kapasitas penyimpanan server ditambah; unggah jurnal berhasil.",
    )

    later = "2026-12-01T15:30:00+07:00"
    say("What the help desk sees on Tuesday afternoon")
    run(later, "ticket", "list")
    run(later, "ticket", "list", "--overdue")
    run(later, "ticket", "show", first)

    say("The e-mails the SOP called for, each queued with its step")
    run(later, "outbox", "list")
    if sink is not None:
        say(f"Delivered to a real SMTP server on 127.0.0.1:{sink[0]}")
        run(later, "outbox", "send")
        print(f"(the SMTP server received {len(sink[1].received)} messages)")
        final = [
            e["id"]
            for e in json.loads(quiet(later, "outbox", "list", "--json"))
            if e["ticket"] == first and e["kind"] == "reporter.final_report"
        ]
        if final:
            say(f"The Laporan Akhir (final report) that {first}'s reporter received")
            run(later, "outbox", "show", str(final[0]))
    say("The records of November: a printed Laporan Akhir, the service report with its "
        "charts, and the electronic archive, checked")  # fmt: skip
    records = folder / "records"
    run(later, "print", "laporan", first, "--out", str(records))
    run(later, "report", "--month", "2026-11", "--format", "html",
        "--out", str(records / "report-2026-11.html"))  # fmt: skip
    bundle = records / "arsip-pengaduan-2026-11.zip"
    run(later, "archive", "export", "--month", "2026-11", "--out", str(bundle))
    run(later, "archive", "verify", str(bundle))
    _web_round(config, web_port, env, later, say, run)
    say(f"Done. The site stays in {folder} (config.toml, var/helpdesk.db, var/archive, "
        "records).")  # fmt: skip
    print(
        "Where to look next (the servers are stopped; the records stay):\n"
        f"  export HELPDESK_CONFIG={config}\n"
        f"  export HELPDESK_NOW={later}   # the demo's clock\n"
        "  helpdesk ticket list                    # then: helpdesk ticket show NUMBER\n"
        "  helpdesk intake list                    # every message and what became of it\n"
        "  helpdesk outbox list                    # every e-mail the SOP called for\n"
        "  helpdesk status --no-check-mailbox      # the office at a glance\n"
        "  helpdesk report --month 2026-11         # how the service did\n"
        "  HELPDESK_WEB_SECRET=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
        " helpdesk web   # the web pages again\n"
        "  helpdesk --help                         # everything else"
    )
    return 0


def _number(output: str) -> str:
    found = re.search(r"TIK-\d{4}-\d{5}", output)
    if found is None:
        raise SystemExit("demo step failed: no complaint number in its output")
    return found.group(0)


def _imap_server(stack: ExitStack, folder: Path) -> DovecotServer | PymapServer | None:
    """A private IMAP server on loopback for the demo's mailbox: Dovecot where it is
    installed, else pymap (pure Python, no root needed)."""
    if dovecot_available() is None:
        return stack.enter_context(dovecot_server(folder / "imap", {"helpdesk": "demo"}))
    if reason := pymap_available():
        print(f"(the mailbox part of the demo is skipped: no Dovecot, and {reason})")
        return None
    print("(Dovecot is not installed: the demo's mailbox is pymap, a pure-Python IMAP server)")
    return stack.enter_context(pymap_server("helpdesk", "demo"))


CSV_LOG = (
    "Petugas;Waktu;Nama OPD;Bidang/UPT/Balai;Nama Pelapor;Jabatan;No HP;Email;"
    "Jenis Kelamin;Status Kepegawaian;Jenis Aduan;Isi Aduan\r\n"
    "yoga;30/11/2026 07.35;Bapenda;Bidang Pajak Daerah;Dewi Anggraini;Staf;0813-1111-2222;"
    "dewi.anggraini@bapenda.example.go.id;P;Non PNS;komputer;"
    "Komputer loket 3 mati total sejak pagi.\r\n"
    "yoga;30/11/2026 07.40;Dishub;;Hendro;Staf;;hendro@dishub.example.go.id;L;PNS;email;"
    "Tidak bisa masuk akun e-mail dinas.\r\n"
)


def _mailbox_round(
    folder: Path,
    imap: DovecotServer | PymapServer,
    say: Callable[[str], None],
    run: Callable[..., str],
    quiet: Callable[..., str],
) -> None:
    """E-mails in a real IMAP mailbox and a phone log in the drop folder, handled by the
    daemon (`helpdesk run --once`); then a reporter completes an incomplete report."""
    from email.message import EmailMessage

    from intake.imap import Mailbox, MailboxSettings

    def mail(sender: str, subject: str, body: str, **headers: str) -> bytes:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = (
            sender,
            "helpdesk@example.go.id",
            subject,
        )
        message["Date"] = "Mon, 30 Nov 2026 07:30:00 +0700"
        for name, value in headers.items():
            message[name.replace("_", "-")] = value
        message.set_content(body)
        return bytes(message)

    complete = (
        "Selamat pagi,\n\nNama OPD: Dinas Perhubungan\nBidang/UPT/Balai: Bidang Lalu Lintas\n"
        "Nama Pelapor: Ahmad Fauzi\nJabatan: Analis Data\nNo HP: 0821-2345-6789\n"
        "Alamat e-Mail: ahmad.fauzi@dishub.example.go.id\nJenis Kelamin: L\n"
        "Status Kepegawaian: PNS\nJenis Aduan: Aplikasi\n"
        "Isi Aduan: Aplikasi perizinan angkutan tidak bisa login sejak kemarin sore.\n\n"
        "Terima kasih.\n"
    )
    incomplete = (
        "Nama OPD: Dinas Sosial\nNama Pelapor: Siti Aminah\nJenis Kelamin: P\n"
        "Status Kepegawaian: PNS\nJenis Aduan: Website\n"
        "Isi Aduan: Laman dinas menampilkan halaman kosong.\n"
    )
    settings = MailboxSettings("127.0.0.1", imap.port, "none", "helpdesk", "demo")
    # They arrived at 07.30 on the demo's clock (their INTERNALDATE): each complaint's step
    # 1 runs from then, not from the round that reads them at 07.45.
    arrived = dt.datetime.fromisoformat("2026-11-30T07:30:00+07:00")
    with Mailbox(settings) as box:
        box.append("INBOX", mail("Ahmad Fauzi <ahmad.fauzi@dishub.example.go.id>",
                                 "Aplikasi perizinan tidak bisa login", complete,
                                 Message_ID="<ahmad.1@dishub.example.go.id>"), arrived)  # fmt: skip
        box.append("INBOX", mail("Siti Aminah <siti.aminah@dinsos.example.go.id>",
                                 "Laman dinas kosong", incomplete,
                                 Message_ID="<siti.1@dinsos.example.go.id>"), arrived)  # fmt: skip
        box.append("INBOX", mail("Kepala Seksi <kasi@bappeda.example.go.id>",
                                 "Balasan Otomatis: Cuti", "Saya sedang cuti sampai 4 Desember.",
                                 Auto_Submitted="auto-replied"), arrived)  # fmt: skip
    drop = folder / "var" / "phone-drop" / "log-telepon-senin.csv"
    drop.write_text(CSV_LOG, encoding="utf-8-sig")
    settled = drop.stat().st_mtime - 3600
    os.utime(drop, (settled, settled))

    server = "Dovecot" if isinstance(imap, DovecotServer) else "pymap"
    say(f"Three e-mails in a real IMAP mailbox ({server} on 127.0.0.1:{imap.port}) and a "
        "phone log in the drop folder: one round of the daemon")  # fmt: skip
    run("2026-11-30T07:45:00+07:00", "run", "--once")
    run("2026-11-30T07:45:00+07:00", "intake", "list")
    run("2026-11-30T07:45:00+07:00", "ticket", "list")
    errors = folder / "var" / "phone-drop" / "processed" / "log-telepon-senin.csv.errors.txt"
    if errors.exists():
        print(f"\n{errors}:\n{errors.read_text(encoding='utf-8')}")

    run("2026-11-30T07:45:00+07:00", "outbox", "list")
    listed = json.loads(quiet("2026-11-30T07:45:00+07:00", "outbox", "list", "--json"))
    asked = [e for e in listed if e["kind"] == "reporter.incomplete"]
    if not asked:
        return
    say("Siti answers the incomplete-report e-mail with what was missing; the next round "
        "makes her ticket")  # fmt: skip
    reply = mail("Siti Aminah <siti.aminah@dinsos.example.go.id>",
                 "Re: " + asked[0]["subject"],
                 "Bidang/UPT/Balai: Sekretariat\nJabatan: Pranata Komputer\n"
                 "Nomor Telepon / HandPhone: 0857-1111-3333\n"
                 "Alamat e-Mail: siti.aminah@dinsos.example.go.id\n\n> (kutipan)\n",
                 In_Reply_To=asked[0]["message_id"], References=asked[0]["message_id"])  # fmt: skip
    with Mailbox(settings) as box:
        box.append("INBOX", reply, dt.datetime.fromisoformat("2026-11-30T07:55:00+07:00"))
    run("2026-11-30T08:00:00+07:00", "run", "--once")
    run("2026-11-30T08:00:00+07:00", "ticket", "list")


# The staff desk's demo logins (set with `helpdesk staff password ID --stdin`).
DEMO_PASSWORDS = {"sari": "demo-sari-2026", "rudi": "demo-rudi-2026", "agus": "demo-agus-2026"}


def _web_round(
    config: Path, port: int, env: dict[str, str], when: str,
    say: Callable[[str], None], run: Callable[..., str],
) -> None:  # fmt: skip
    """The web channel: `helpdesk web` on a loopback port, a complaint sent through its
    public form, and the addresses to open; stopped before the demo ends."""
    import secrets
    import urllib.request
    from http.cookiejar import CookieJar
    from urllib.parse import urlencode

    from helpdesk.testing.web import SECRET_ENV, web_process

    say("The web channel: staff passwords for the staff desk, then `helpdesk web`")
    for staff_id, password in DEMO_PASSWORDS.items():
        run(when, "staff", "password", staff_id, "--stdin", stdin=password + "\n")
    web_env = {**env, "HELPDESK_NOW": when, SECRET_ENV: secrets.token_urlsafe(32)}
    print(f"\n[{when}] $ HELPDESK_WEB_SECRET=... helpdesk web")
    with web_process(config, port, env=web_env, log=config.with_name("web.log")) as web:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        form = opener.open(f"{web.url}/lapor", timeout=30).read().decode()
        fields = {
            name: re.search(rf'name="{name}" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
            for name in ("csrf_token", "form_id")
        }
        fields.update(
            agency="Dinas Pendidikan dan Kebudayaan", division="Bidang SMA",
            reporter_name="Yuliana Putri", position="Operator Data", phone="0812-7777-1234",
            email="yuliana.putri@dindikbud.example.go.id", sex="P",
            employment_status="Non PNS", category="Website",
            description="Laman PPDB tidak dapat diakses dari luar jaringan kantor.",
        )  # fmt: skip
        answer = opener.open(f"{web.url}/lapor", urlencode(fields).encode(), timeout=30)
        page = answer.read().decode()
        number = re.search(r"TIK-\d{4}-\d{5}", page)
        link = re.search(r'href="(http://[^"]+/tiket/[^"]+)"', page)
        say("A complaint sent through the public form /lapor (as a browser sends it)")
        print(f"registered: {number.group(0) if number else '-'}")
        status = link.group(1).replace("&amp;", "&") if link else ""
        print(f"its status page: {status}")
        print(
            "\nOpen in a browser while it runs:\n"
            f"  {web.url}/lapor        the public Formulir Pengaduan\n"
            f"  {status or web.url + '/tiket/...'}\n"
            f"  {web.url}/lacak        the status link by e-mail\n"
            f"  {web.url}/petugas      the staff desk: "
            + ", ".join(f"{k} / {v}" for k, v in DEMO_PASSWORDS.items())
        )
        if sys.stdin.isatty():
            input("\nPress Enter to stop the web application and end the demo... ")
    print("(the web application is stopped)")
