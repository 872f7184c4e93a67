"""A throwaway PostgreSQL cluster on a free loopback port, private to one run (see docs:
TEST-SERVERS.md §4): for the tests, the benchmarks and the two-machine fault suite.

``initdb`` makes the cluster in a fresh folder of the system temp dir, with one login
role (``helpdesk``, a password, scram-sha-256) and no durability (fsync off: a test
database needs none); ``pg_ctl`` starts it listening on 127.0.0.1 only, with its socket in
that folder, and stops it on exit. ``initdb`` refuses to run as root, so as root the
cluster belongs to the ``postgres`` user that Debian's package creates (any other
unprivileged user runs it as itself). ``pg_ctl`` leaves the server running in the
background: ``postgres_server`` stops it on the way out, whatever happened.

A database per test is cheap (``CREATE DATABASE`` takes some 30 ms); a cluster per test
is not (about a second), so a run starts one cluster and makes its databases in it.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from helpdesk.testing.loopback import HOST, free_port

USER = "helpdesk"
INSTALL_HINT = "install it with: apt-get install -y postgresql"
START_SECONDS = 60  # pg_ctl -w: start → accepting connections takes ~0.1 s
# Tests only: nothing here must survive a power cut, so nothing is flushed to disk. But a
# commit is written (to the system's cache) before it is acknowledged, as on a real server:
# with synchronous_commit off, a server stopped as in a crash (``stop("immediate")``) would
# lose transactions it had already said were committed, which no real one does.
SETTINGS = "-c fsync=off -c full_page_writes=off -c max_connections=300 -c shared_buffers=32MB"


def server_bindir() -> Path | None:
    """The folder of initdb, pg_ctl and postgres: $HELPDESK_PGBIN, else the newest
    /usr/lib/postgresql/N/bin (Debian keeps them off PATH), else PATH's initdb."""
    if explicit := os.environ.get("HELPDESK_PGBIN"):
        return Path(explicit)
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    for folder in reversed(versions):
        if (folder / "initdb").exists():
            return folder
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def postgres_available() -> str | None:
    """Why a private cluster cannot be started here, or None."""
    bindir = server_bindir()
    if bindir is None or not (bindir / "pg_ctl").exists():
        return f"PostgreSQL's server programs (initdb, pg_ctl) are not installed; {INSTALL_HINT}"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return f"running as root, and no 'postgres' user to run initdb as; {INSTALL_HINT}"
    return None


@dataclass
class PostgresServer:
    """A private cluster: ``root`` holds its data, socket and log."""

    root: Path
    port: int
    password: str
    bindir: Path
    owner: str | None  # the user the server runs as, when started by root

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    def url(self, database: str) -> str:
        """The database's URL, without the password (it goes in the environment)."""
        return f"postgresql://{USER}@{HOST}:{self.port}/{database}"

    def conninfo(self, database: str = "postgres") -> str:
        return (
            f"host={HOST} port={self.port} user={USER} dbname={database}"
            f" password={self.password} connect_timeout=10"
        )

    # --- the server ----------------------------------------------------------

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.owner is not None:
            command = ["runuser", "-u", self.owner, "--", *command]
        return subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, cwd=self.root,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip

    def init(self) -> None:
        pwfile = self.root / "pw.txt"
        pwfile.write_text(self.password + "\n", encoding="utf-8")
        self._give(pwfile)
        done = self._run(
            "initdb", "-D", str(self.data), "-U", USER, f"--pwfile={pwfile}",
            "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        pwfile.unlink()
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed: {done.stderr.strip() or done.stdout.strip()}")

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses={HOST} -k {self.root} {SETTINGS}"
        done = self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", str(START_SECONDS),
            "-o", options, "start",
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"PostgreSQL did not start: {self.tail() or done.stderr.strip()}")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: ``fast`` (clients disconnected, clean), ``immediate`` (as a
        crash: no shutdown checkpoint, recovery at the next start)."""
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self) -> None:
        self.stop("immediate")
        self.start()

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def _give(self, path: Path) -> None:
        if self.owner is not None:
            entry = pwd.getpwnam(self.owner)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    # --- databases ---------------------------------------------------------------

    def execute(self, sql: str, database: str = "postgres") -> list[tuple[object, ...]]:
        """Run one statement outside a transaction (CREATE DATABASE needs that)."""
        import psycopg

        with psycopg.connect(self.conninfo(database), autocommit=True) as conn:
            cursor = conn.execute(sql.encode())
            return list(cursor.fetchall()) if cursor.description else []

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new empty database (or a copy of ``template``); its URL."""
        source = f' TEMPLATE "{template}"' if template else " TEMPLATE template0"
        self.execute(f'CREATE DATABASE "{name}"{source}')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def postgres_server(root: Path | None = None) -> Iterator[PostgresServer]:
    """A started private cluster; stopped and its folder removed on exit.

    As root, the cluster's folder is a fresh one of the system temp dir owned by
    ``postgres`` (pytest's temporary folders are 0700 root, which it cannot reach), and
    ``root`` is not used."""
    reason = postgres_available()
    if reason is not None:
        raise RuntimeError(reason)
    bindir = server_bindir()
    assert bindir is not None
    owner = "postgres" if os.geteuid() == 0 else None
    if owner is not None or root is None:
        folder = Path(tempfile.mkdtemp(prefix="hd-pg-"))
    else:
        folder = root
        folder.mkdir(parents=True, exist_ok=True)
    server = PostgresServer(folder, 0, secrets.token_hex(12), bindir, owner)
    server._give(folder)
    try:
        server.init()
        for attempt in range(3):  # a free port can be taken between probing and binding
            server.port = free_port()
            try:
                server.start()
                break
            except RuntimeError:
                if attempt == 2 or "already in use" not in server.tail():
                    raise
        yield server
    finally:
        server.stop("immediate")
        if owner is not None or root is None:
            shutil.rmtree(folder, ignore_errors=True)
