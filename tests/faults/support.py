"""What the fault tests share: the real daemon as a process, the site's database read beside
it (tests/databases.py), and the real IMAP mailbox read and filled with imapclient."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

from hypothesis import HealthCheck, settings
from imapclient import IMAPClient

from helpdesk.testing.smtp import Received, Sink
from tests import databases

NOW = "2026-11-30T09:00:00+07:00"  # a Monday, in working hours

# Hypothesis in these tests: fixed examples (derandomized), so a failure reproduces and CI
# does not flake; no deadline, as a loaded 2-core machine is slow; no example database.
# Each test sets its own max_examples on top of this.
FUZZ = settings(
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
)  # fmt: skip

# Per message, in this order: what Dovecot's folders are called after processing.
FOLDERS = ("INBOX", "Processed", "Incomplete", "Ignored", "Quarantine")


def env(site: Path, now: str | None = NOW) -> dict[str, str]:
    """The environment of a helpdesk process on ``site``; ``now=None`` runs on the real clock."""
    values = {**os.environ, "HELPDESK_CONFIG": str(site / "config.toml")}
    values.pop("HELPDESK_NOW", None)
    if now is not None:
        values["HELPDESK_NOW"] = now
    return values


def helpdesk(site: Path, *args: str, now: str | None = NOW) -> subprocess.CompletedProcess[str]:
    """Run one `helpdesk` command as its own process."""
    return subprocess.run(
        [sys.executable, "-m", "helpdesk", *args], env=env(site, now),
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip


def run_once(site: Path, now: str = "2026-11-30T10:00:00+07:00") -> None:
    """One round of the daemon at ``now``; it must end well."""
    done = helpdesk(site, "run", "--once", now=now)
    assert done.returncode == 0, done.stderr[-3000:]


def cli(site: Path, *args: str) -> None:
    """A `helpdesk` command that must succeed."""
    done = helpdesk(site, *args)
    assert done.returncode == 0, done.stderr[-3000:]


def last_to(sink: Sink, address: str) -> Received:
    """The last e-mail the sink received for ``address``."""
    found = [r for r in sink.received if address in r.recipients]
    assert found, f"nothing sent to {address}"
    return found[-1]


def configure(site: Path, settings: dict[str, object]) -> None:
    """Set ``section.key = value`` lines of the site's config.toml, e.g.
    ``{"daemon.outbox_seconds": 5}``; each key must be there once."""
    config = site / "config.toml"
    lines = config.read_text(encoding="utf-8").splitlines()
    for name, value in settings.items():
        section, _, key = name.rpartition(".")
        if isinstance(value, bool):
            rendered = str(value).lower()
        elif isinstance(value, str):
            rendered = f'"{value}"'
        else:
            rendered = str(value)
        found, current = [], ""
        for number, line in enumerate(lines):
            if line.startswith("["):
                current = line.partition("]")[0].strip("[ ")
            elif current == section and line.split("=")[0].strip() == key:
                found.append(number)
        assert len(found) == 1, f"{name}: {len(found)} lines in config.toml"
        lines[found[0]] = f"{key} = {rendered}"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")


class Daemon:
    """`helpdesk run` as a separate process, its log in a file (a pipe nobody reads could
    fill up and stall it)."""

    def __init__(
        self, site: Path, log: Path, now: str | None = NOW, machine: str | None = None
    ) -> None:
        """``machine``: the machine it says it runs on (HELPDESK_MACHINE), for daemons that
        stand for two machines; by default this host's name."""
        self.log = log
        self.machine = machine
        values = env(site, now)
        if machine is not None:
            values["HELPDESK_MACHINE"] = machine
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "helpdesk", "run"], env=values,
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.pid = self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_running(self, seconds: float = 60) -> bool:
        """Wait until it runs its jobs (its signal handlers are in place by then)."""

        def running() -> bool:
            return "helpdesk.run: running:" in self.text()

        wait_for(lambda: running() or not self.alive(), seconds)
        return running() and self.alive()

    def kill(self) -> None:
        """SIGKILL: no handler runs, no transaction finishes, no connection is closed."""
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def pause(self) -> None:
        """SIGSTOP: the process stalls where it is (a machine frozen, a VM paused), its
        connections open and its transactions in hand."""
        os.kill(self.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.pid, signal.SIGCONT)

    def stop(self) -> int:
        """SIGTERM, as systemd stops it, once it runs (before, SIGTERM just ends the
        process); the exit code."""
        if self.alive():
            self.wait_running()
            os.kill(self.pid, signal.SIGTERM)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def text(self) -> str:
        return self.log.read_text(errors="replace")


def wait_for(what: Callable[[], object], seconds: float, step: float = 0.1) -> object:
    """Poll ``what`` until it is truthy; its last value (falsy on time-out)."""
    deadline = time.monotonic() + seconds
    while True:
        value = what()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


# --- the database, as an operator would query it -------------------------------------------


def query(site: Path, sql: str, *params: object) -> list[tuple]:
    """Rows of one query on the site's database (readable while the daemon writes)."""
    return databases.query(site, sql, *params)


def count(site: Path, sql: str, *params: object) -> int:
    try:
        return int(query(site, sql, *params)[0][0])
    except Exception as exc:
        if databases.missing_table(exc):  # not created yet (the daemon is still migrating)
            return 0
        raise


# --- the IMAP server ------------------------------------------------------------------------


def imap(port: int) -> IMAPClient:
    client = IMAPClient("127.0.0.1", port=port, ssl=False, timeout=30)
    client.login("helpdesk", "secret")
    return client


def deliver(port: int, messages: Iterable[bytes], chunk: int = 100) -> None:
    """Put messages in INBOX as a mail server would, many per command (MULTIAPPEND)."""
    client = imap(port)
    try:
        batch: list[bytes] = []
        for raw in messages:
            batch.append(raw)
            if len(batch) == chunk:
                client.multiappend("INBOX", batch)
                batch = []
        if batch:
            client.multiappend("INBOX", batch)
    finally:
        client.logout()


def folder_contents(port: int) -> dict[str, list[bytes]]:
    """Every message of each folder the intake uses (missing folders are empty)."""
    client = imap(port)
    try:
        found: dict[str, list[bytes]] = {}
        for folder in FOLDERS:
            found[folder] = []
            if not client.folder_exists(folder):
                continue
            client.select_folder(folder, readonly=True)
            uids = client.search(["ALL"])
            if uids:
                fetched = client.fetch(uids, ["BODY.PEEK[]"])
                found[folder] = [bytes(fetched[uid][b"BODY[]"]) for uid in uids]
        return found
    finally:
        client.logout()


def message_id(raw: bytes) -> str:
    return str(message_from_bytes(raw, policy=default_policy)["Message-ID"]).strip()


def inbox_size(port: int) -> int:
    client = imap(port)
    try:
        return int(client.select_folder("INBOX", readonly=True)[b"EXISTS"])
    finally:
        client.logout()
