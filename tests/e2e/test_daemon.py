"""`helpdesk run` as a real process against real IMAP and SMTP servers on loopback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpdesk.leases import ONE_AT_A_TIME
from helpdesk.testing.imap import DovecotServer
from helpdesk.testing.smtp import Sink, smtp_server
from intake.imap import Mailbox, MailboxSettings
from tests import databases
from tests.cli.conftest import form_args
from tests.clocks import written_ago
from tests.conftest import use_mailbox, use_smtp
from tests.mail import email

NOW = "2026-11-30T09:00:00+07:00"


@pytest.fixture
def imap(dovecot: DovecotServer) -> DovecotServer:
    return dovecot


@pytest.fixture
def sink() -> Iterator[tuple[Sink, int]]:
    received = Sink()
    with smtp_server(received) as server:
        yield received, server.port


def _env(site_dir: Path, now: str = NOW) -> dict[str, str]:
    return {**os.environ, "HELPDESK_CONFIG": str(site_dir / "config.toml"), "HELPDESK_NOW": now}


def helpdesk(site_dir: Path, *args: str, now: str = NOW) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "helpdesk", *args], env=_env(site_dir, now),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def _deliver(imap: DovecotServer, *messages: bytes) -> None:
    with Mailbox(MailboxSettings("127.0.0.1", imap.port, "none", "helpdesk", "secret")) as box:
        for raw in messages:
            box.append("INBOX", raw)


@pytest.fixture
def site(site_dir: Path, imap: DovecotServer, sink: tuple[Sink, int]) -> Path:
    use_mailbox(site_dir, imap.port)
    use_smtp(site_dir, sink[1])
    config = site_dir / "config.toml"  # no daily digest in these runs
    config.write_text(config.read_text().replace('digest_time = "07:30"', 'digest_time = "23:59"'))
    assert helpdesk(site_dir, "init").returncode == 0
    return site_dir


def test_run_once_takes_a_complaint_to_a_delivered_acknowledgement(
    site: Path, imap: DovecotServer, sink: tuple[Sink, int]
) -> None:
    """One round of every job: the complaint in the mailbox is acknowledged over SMTP, and
    the help desk gets its copy."""
    _deliver(imap, email(message_id="<d1@dinkes.example.go.id>"))
    done = helpdesk(site, "run", "--once")
    assert done.returncode == 0, done.stderr
    [ack, copy] = sink[0].received
    assert ack.recipients == ["budi.santoso@dinkes.example.go.id"]
    assert ack.message["Subject"].startswith("[TIK-2026-00001]")
    assert copy.recipients == ["sari.wulandari@example.go.id", "yoga.pratama@example.go.id"]
    assert copy.message["Subject"].startswith("[TIK-2026-00001] Pengaduan baru")
    status = json.loads(helpdesk(site, "status", "--json").stdout)
    assert status["healthy"] is True
    assert {j["name"] for j in status["jobs"]} == {
        "mailbox",
        "phone_drop",
        "sweep",
        "digest",
        "watchdog",
        "outbox",
    }


def test_a_failing_job_does_not_stop_the_others(site: Path, imap: DovecotServer) -> None:
    """The outbox job fails (STARTTLS asked of a server without it); the mailbox is still
    read, the round exits 1, and `status` names the failing job."""
    config = site / "config.toml"
    text = config.read_text()
    smtp = text.index("[smtp]")
    security = text.index('security = "none"', smtp)
    config.write_text(text[:security] + 'security = "starttls"' + text[security + 17 :])
    _deliver(imap, email(message_id="<d2@dinkes.example.go.id>"))
    done = helpdesk(site, "run", "--once")
    assert done.returncode == 1
    assert "job outbox failed" in done.stderr and "STARTTLS" in done.stderr
    assert len(json.loads(helpdesk(site, "ticket", "list", "--json").stdout)) == 1
    waiting = json.loads(helpdesk(site, "outbox", "list", "--json").stdout)
    assert [e["kind"] for e in waiting] == ["reporter.acknowledged", "help_desk.new_ticket"]
    assert {(e["status"], e["attempts"]) for e in waiting} == {("pending", 0)}
    status = helpdesk(site, "status", "--json")
    assert status.returncode == 1
    report = json.loads(status.stdout)
    assert [j["name"] for j in report["jobs"] if j["failing_since"]] == ["outbox"]
    assert report["problems"][0].startswith("job outbox failing since")


def test_breach_gives_exactly_one_e_mail_per_step(site: Path, sink: tuple[Sink, int]) -> None:
    """Rounds after a deadline passed send one breach e-mail for the step, not one per round."""
    logged = helpdesk(site, "phone", "--by", "sari", *form_args(email="budi@dinkes.example.go.id"))
    assert logged.returncode == 0, logged.stderr
    for later in ("2026-11-30T13:00:00+07:00", "2026-11-30T13:05:00+07:00",
                  "2026-11-30T13:10:00+07:00"):  # fmt: skip
        assert helpdesk(site, "run", "--once", now=later).returncode == 0
    kinds = [e["kind"] for e in json.loads(helpdesk(site, "outbox", "list", "--json").stdout)]
    assert kinds.count("staff.breach") == 1, kinds
    assert len(sink[0].received) == len(kinds)


def test_daemon_stops_on_sigterm_and_refuses_a_second_instance(site: Path) -> None:
    """SIGTERM ends the daemon with exit 0; a second one on the same database refuses."""
    daemon = subprocess.Popen(
        [sys.executable, "-m", "helpdesk", "run"], env=_env(site),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            status = json.loads(helpdesk(site, "status", "--json", "--no-check-mailbox").stdout)
            if {"sweep", "outbox"} <= {j["name"] for j in status["jobs"]}:
                break
            time.sleep(0.3)
        second = helpdesk(site, "run", "--once")
        if not databases.on_postgresql():  # one daemon per database file
            assert second.returncode == 1
            assert "another 'helpdesk run'" in second.stderr
        else:  # both run; the jobs one at a time may run stay with the first
            assert second.returncode == 0, second.stderr
            status = json.loads(helpdesk(site, "status", "--json", "--no-check-mailbox").stdout)
            holders = {lease["job"]: lease["holder"] for lease in status["leases"]}
            assert set(holders) == set(ONE_AT_A_TIME)
            assert {h.rpartition(":")[2] for h in holders.values()} == {str(daemon.pid)}
            shown = helpdesk(site, "status", "--no-check-mailbox").stdout
            assert "Run by (one daemon at a time):" in shown
            assert f"  mailbox: {holders['mailbox']} since " in shown
    finally:
        daemon.send_signal(signal.SIGTERM)
        _, err = daemon.communicate(timeout=60)
    assert daemon.returncode == 0, err
    assert "stopped" in err and "Traceback" not in err


def test_dropped_phone_log_becomes_tickets_and_an_error_file(site: Path) -> None:
    """A CSV in the drop folder: complete rows are tickets, the rest in an error file."""
    drop = site / "var" / "phone-drop"
    csv = drop / "log-senin.csv"
    csv.write_text(
        "Petugas;Waktu;Nama OPD;Bidang/UPT/Balai;Nama Pelapor;Jabatan;No HP;Email;"
        "Jenis Kelamin;Status Kepegawaian;Jenis Aduan;Isi Aduan\r\n"
        "sari;30/11/2026 08.10;Dinkes;Umum;Budi;Staf;0812-3456-7890;budi@dinkes.example.go.id;"
        "L;PNS;internet;Internet mati sejak pagi.\r\n"
        "sari;30/11/2026 08.20;BPKAD;;Siti;Staf;;siti@bpkad.example.go.id;P;PNS;web;"
        "Laman tidak bisa dibuka.\r\n",
        encoding="utf-8-sig",
    )
    written_ago(csv, 60)  # complete
    done = helpdesk(site, "run", "--once")
    assert done.returncode == 0, done.stderr
    tickets = json.loads(helpdesk(site, "ticket", "list", "--json").stdout)
    assert [(t["reporter_name"], t["channel"]) for t in tickets] == [("Budi", "phone")]
    errors = (drop / "processed" / "log-senin.csv.errors.txt").read_text(encoding="utf-8")
    assert "baris 3" in errors and "Bidang/UPT/Balai belum diisi" in errors
    assert not csv.exists()


def test_sigterm_during_work_loses_nothing(site: Path, imap: DovecotServer) -> None:
    """Stopped while it works through a full mailbox, the daemon exits 0; the next round
    finishes the rest: every message one ticket, every acknowledgement queued once."""
    config = site / "config.toml"
    config.write_text(config.read_text().replace("idle = true", "idle = false"))
    _deliver(imap, *[
        email(sender=f"p{n}@dinkes.example.go.id", message_id=f"<s{n}@dinkes.example.go.id>")
        for n in range(30)
    ])  # fmt: skip
    daemon = subprocess.Popen(
        [sys.executable, "-m", "helpdesk", "run"], env=_env(site),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            listed = helpdesk(site, "ticket", "list", "--json")
            if listed.returncode == 0 and json.loads(listed.stdout):
                break
            time.sleep(0.05)
    finally:
        daemon.send_signal(signal.SIGTERM)
        _, err = daemon.communicate(timeout=60)
    assert daemon.returncode == 0, err
    assert helpdesk(site, "run", "--once").returncode == 0
    tickets = json.loads(helpdesk(site, "ticket", "list", "--json").stdout)
    assert len(tickets) == 30
    acks = [e for e in json.loads(helpdesk(site, "outbox", "list", "--json").stdout)
            if e["kind"] == "reporter.acknowledged"]  # fmt: skip
    assert len(acks) == 30 and len({e["ticket"] for e in acks}) == 30
    with Mailbox(MailboxSettings("127.0.0.1", imap.port, "none", "helpdesk", "secret")) as box:
        assert box.uids_after(0) == []


def test_new_mail_is_acknowledged_without_waiting_for_the_outbox_turn(
    site: Path, imap: DovecotServer, sink: tuple[Sink, int]
) -> None:
    """With IDLE, a complaint that arrives while the daemon runs is acknowledged at once,
    although the outbox job's next turn is an hour away."""
    config = site / "config.toml"
    text = config.read_text()
    for key in ("mailbox_seconds", "outbox_seconds"):
        start = text.index(f"{key} = ")
        end = text.index("#", start)
        text = text[:start] + f"{key} = 3600".ljust(end - start) + text[end:]
    config.write_text(text)
    daemon = subprocess.Popen(
        [sys.executable, "-m", "helpdesk", "run"], env=_env(site),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30  # the first round of every job, then IDLE
        while time.monotonic() < deadline:
            status = json.loads(helpdesk(site, "status", "--json", "--no-check-mailbox").stdout)
            ran = {j["name"] for j in status["jobs"] if j["last_success"]}
            if {"mailbox", "outbox"} <= ran:
                break
            time.sleep(0.2)
        assert sink[0].received == []
        _deliver(imap, email(message_id="<now@dinkes.example.go.id>"))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(sink[0].received) < 2:
            time.sleep(0.1)
        [ack, copy] = sink[0].received  # the acknowledgement and the help desk's copy
        assert ack.message["Subject"].startswith("[TIK-2026-00001]")
        assert ack.recipients == ["budi.santoso@dinkes.example.go.id"]
        assert copy.recipients == ["sari.wulandari@example.go.id", "yoga.pratama@example.go.id"]
    finally:
        daemon.send_signal(signal.SIGTERM)
        _, err = daemon.communicate(timeout=60)
    assert daemon.returncode == 0, err
