"""The demo: a throw-away site on the default configuration, driven through the real CLI.

Each step prints the command it runs, as a help-desk officer would type it, and what
the command answered. Time is moved with HELPDESK_NOW, so deadlines and an overdue
ticket show without waiting.
"""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from helpdesk.config import ENV_VAR as CONFIG_ENV

REPO_CONFIG = Path(__file__).resolve().parents[1] / "config.toml"

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
    if not REPO_CONFIG.exists():
        print(f"error: the default configuration is not at {REPO_CONFIG}", file=sys.stderr)
        return 1
    with ExitStack() as stack:
        return _run(keep, stack)


def _mail_sink(stack: ExitStack) -> tuple[int, list[bytes]] | None:
    """A real SMTP server on loopback that keeps what it receives (aiosmtpd, installed with
    the test tools); None when it is not installed."""
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        return None
    received: list[bytes] = []

    class Keep:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
            received.append(bytes(envelope.content))
            return "250 2.0.0 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(Keep(), hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    stack.callback(controller.stop)
    return port, received


def _run(keep: Path | None, stack: ExitStack) -> int:
    folder = keep or Path(tempfile.mkdtemp(prefix="helpdesk-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "config.toml"
    text = REPO_CONFIG.read_text(encoding="utf-8")
    sink = _mail_sink(stack)
    if sink is not None:
        start = text.index("[smtp]")
        end = text.index("\n[", start + 1)
        text = (
            text[:start]
            + f'[smtp]\nhost = "127.0.0.1"\nport = {sink[0]}\nsecurity = "none"\n'
            + 'username = ""\nfrom_address = "helpdesk@example.go.id"\n'
            + text[end:]
        )
    config.write_text(text, encoding="utf-8")
    scan = folder / "surat-bpkad-2026-11-30.pdf"
    scan.write_bytes(b"%PDF-1.4\n% scanned letter from BPKAD (demo)\n%%EOF\n")
    env = {**os.environ, CONFIG_ENV: str(config)}
    env.pop("HELPDESK_USER", None)

    def say(text: str) -> None:
        print(f"\n### {text}")

    def run(when: str, *args: str, check: bool = True) -> int:
        env["HELPDESK_NOW"] = when
        print(f"\n[{when}] $ helpdesk {shlex.join(args)}")
        sys.stdout.flush()
        done = subprocess.run(
            [sys.executable, "-m", "helpdesk", *args], env=env, text=True, capture_output=True
        )
        sys.stdout.write(done.stdout)
        sys.stdout.write(done.stderr)
        print(f"(exit {done.returncode})")
        if check and done.returncode != 0:
            raise SystemExit(f"demo step failed: helpdesk {shlex.join(args)}")
        return done.returncode

    say(f"A new site in {folder}")
    run("2026-11-30T07:30:00+07:00", "init")

    say("Monday morning: a call from the health office (Dinkes), taken by officer sari")
    run("2026-11-30T08:05:00+07:00", "phone", *REPORTERS["budi"], "--officer", "sari")
    say("A letter from BPKAD with its scan, logged by officer yoga")
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
    say("An incomplete report cannot be followed up: every problem is named, nothing is stored")
    run(
        "2026-11-30T08:30:00+07:00",
        "phone",
        *REPORTERS["incomplete"],
        "--officer",
        "sari",
        check=False,
    )

    first, second = "TIK-2026-00001", "TIK-2026-00002"
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
        print(f"(the SMTP server received {len(sink[1])} messages)")
        listed = subprocess.run(
            [sys.executable, "-m", "helpdesk", "outbox", "list", "--json"],
            env=env, text=True, capture_output=True, check=True,
        )  # fmt: skip
        final = [
            e["id"]
            for e in json.loads(listed.stdout)
            if e["ticket"] == first and e["kind"] == "reporter.final_report"
        ]
        if final:
            say(f"The Laporan Akhir (final report) that {first}'s reporter received")
            run(later, "outbox", "show", str(final[0]))
    say(f"Done. The site stays in {folder} (config.toml, var/helpdesk.db, var/archive).")
    return 0
