"""Real IMAP servers on free loopback ports, private to one run: Dovecot for the tests, the
benchmarks and the demo (see docs: TEST-SERVERS.md §1), and pymap for a demo where Dovecot
cannot be installed.

A Dovecot gets its own config, base_dir, users file and maildirs, runs in the foreground
in its own process group, and is stopped by signalling that whole group: a TERM to the
master alone leaves the ``imap`` process of a connected client running.

Given a certificate (``tls=``), it also speaks TLS: STARTTLS on ``port`` and implicit TLS
on ``tls_port``, both on free loopback ports; through ``remote_relay`` it then sees a client
from elsewhere, the only kind it refuses a plaintext login.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from helpdesk.testing.loopback import HOST, Certificate, free_port, free_ports

READY_SECONDS = 10.0  # start → "* OK" greeting takes ~30 ms; this only bounds a broken start
# TERM to the group: the children go in a few ms, but the master sometimes idles until its
# next one-second check before it exits; it has nothing left to do by then, so KILL it.
TERM_GRACE_SECONDS = 0.25
KILL_SECONDS = 3.0
SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
INSTALL_HINT = "install it with: apt-get install -y dovecot-imapd"

# Written from a template: Dovecot 2.3 does not expand $ENV: variables in its config.
COMMON = """\
protocols = imap
listen = {host}
instance_name = hd-dovecot-{port}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
{ssl}
mail_location = maildir:{root}/mail/%u
# tests only: skip fsync, roughly halves APPEND time
mail_fsync = never
first_valid_uid = 1
# tests only: answer a wrong password sooner (default 2 s; about 0.5 s remains)
auth_failure_delay = 0
{identity}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {root}/users
}}
userdb {{
  driver = passwd-file
  args = {root}/users
}}
service anvil {{
{chroot}}}
service imap-login {{
{chroot}  inet_listener imap {{
    address = {host}
    port = {port}
  }}
{listeners}}}
"""

NO_TLS = """\
# ssl = no and no imaps listener: nothing binds :993 (clashes between instances, fails as non-root)
ssl = no
disable_plaintext_auth = no"""
NO_TLS_LISTENERS = """\
  inet_listener imaps {
    port = 0
  }
"""

# "<file" is read by the config process (as the invoking user), never by login processes.
# Dovecot counts a client whose address equals its own as secured, so on loopback neither
# disable_plaintext_auth nor ssl = required refuses a plaintext login. Clients of the
# HAProxy listener get the address their PROXY header names (see remote_relay).
WITH_TLS = """\
ssl = {ssl}
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = {disable_plaintext_auth}
haproxy_trusted_networks = {host}"""
TLS_LISTENERS = """\
  inet_listener imaps {{
    address = {host}
    port = {tls_port}
  }}
  inet_listener imap_remote {{
    address = {host}
    port = {proxy_port}
    haproxy = yes
  }}
"""

# As root: mail processes refuse UID 0, so they run as the packaged 'dovecot' user
# (a system UID, hence first_valid_uid = 1 above).
AS_ROOT = "mail_uid = dovecot\nmail_gid = dovecot\n"

# As an ordinary user: every service runs as that user; chroot() needs root.
AS_USER = """\
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
"""


def dovecot_binary() -> str | None:
    return shutil.which("dovecot", path=SEARCH_PATH)


def dovecot_available() -> str | None:
    """Why a private Dovecot cannot run here, or None when it can."""
    if dovecot_binary() is None:
        return f"the dovecot binary is not installed (not on PATH or in /usr/sbin); {INSTALL_HINT}"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("dovecot")
        except KeyError:
            return f"running as root needs the 'dovecot' system user; {INSTALL_HINT}"
    return None


class DovecotServer:
    """One private Dovecot instance; ``start()`` and ``stop()`` may be called again."""

    host = HOST

    def __init__(
        self,
        root: Path,
        users: dict[str, str],
        port: int,
        tls: Certificate | None = None,
        tls_port: int | None = None,
        proxy_port: int | None = None,
        *,
        ssl_required: bool = False,
        settings: str = "",
    ) -> None:
        if tls is not None and (tls_port is None or proxy_port is None):
            raise ValueError("a certificate needs tls_port and proxy_port")
        if ssl_required and tls is None:
            raise ValueError("ssl_required needs a certificate (tls=)")
        self.root = root
        self.port = port  # plain IMAP; with a certificate, STARTTLS is offered here
        # With a certificate only:
        self.tls_port = tls_port if tls else None  # implicit TLS (IMAPS)
        self.proxy_port = proxy_port if tls else None  # HAProxy protocol; see remote_relay
        self.tls = tls
        self.ssl_required = ssl_required
        self.settings = settings  # more lines of dovecot.conf
        self.mail_dir = root / "mail"
        self.conf = root / "dovecot.conf"
        self.log = root / "dovecot.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._write(users)

    @property
    def running(self) -> bool:
        return self._process is not None

    def _write(self, users: dict[str, str]) -> None:
        as_root = os.geteuid() == 0
        if as_root:
            identity, chroot = AS_ROOT, ""
        else:
            identity = AS_USER.format(
                user=pwd.getpwuid(os.geteuid()).pw_name, group=grp.getgrgid(os.getegid()).gr_name
            )
            chroot = "  chroot =\n"
        self.root.mkdir(parents=True, exist_ok=True)
        ssl_lines, listeners = self._tls_settings()
        config = COMMON.format(
            host=HOST, port=self.port, root=self.root, identity=identity, chroot=chroot,
            ssl=ssl_lines, listeners=listeners,
        )  # fmt: skip
        self.conf.write_text(config + (f"{self.settings}\n" if self.settings else ""))
        lines = []
        for name, password in users.items():
            if any(c in name + password for c in ":\n\r"):
                raise ValueError(f"user {name!r}: ':' and line breaks cannot go in a passwd-file")
            lines.append(f"{name}:{{PLAIN}}{password}::::{self.mail_dir / name}::\n")
        users_file = self.root / "users"
        users_file.write_text("".join(lines))
        users_file.chmod(0o644)  # read by the auth process, which is not root
        self.mail_dir.mkdir(exist_ok=True)
        if as_root:
            dovecot = pwd.getpwnam("dovecot")
            os.chown(self.mail_dir, dovecot.pw_uid, dovecot.pw_gid)

    def _tls_settings(self) -> tuple[str, str]:
        """The ssl lines and the extra listeners; copies the certificate and key in."""
        if self.tls is None:
            return NO_TLS, NO_TLS_LISTENERS
        # Private copies beside the config, readable by the user Dovecot starts as (whoever
        # runs the tests), whatever the folder and mode of the originals; the key stays 0600.
        cert, key = self.root / "tls-cert.pem", self.root / "tls-key.pem"
        shutil.copyfile(self.tls.cert, cert)
        cert.chmod(0o644)
        key.touch(mode=0o600)
        key.chmod(0o600)
        shutil.copyfile(self.tls.key, key)  # into the 0600 file: never readable by others
        lines = WITH_TLS.format(
            ssl="required" if self.ssl_required else "yes", cert=cert, key=key,
            disable_plaintext_auth="yes" if self.ssl_required else "no", host=HOST,
        )  # fmt: skip
        listeners = TLS_LISTENERS.format(
            host=HOST, tls_port=self.tls_port, proxy_port=self.proxy_port
        )
        return lines, listeners

    def start(self) -> None:
        """Start the server and wait for its greeting; raises RuntimeError with its log."""
        if self._process is not None:
            return
        binary = dovecot_binary()
        if binary is None:
            raise RuntimeError(dovecot_available() or "dovecot is missing")
        # The mail server keeps the machine's own clock: a preloaded clock shim (libfaketime,
        # with which the tests move their own clock a year ahead) stalls its login process.
        env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "FAKETIME")}
        with open(self.root / "stdout.log", "ab") as out:
            self._process = subprocess.Popen(
                [binary, "-F", "-c", str(self.conf)],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, stopped as a whole
                env=env,
            )  # fmt: skip
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"dovecot exited with {self._process.returncode}: {self.tail()}")
            try:
                with socket.create_connection((HOST, self.port), timeout=1) as s:
                    if s.recv(64).startswith(b"* OK"):
                        return
            except OSError:
                pass
            time.sleep(0.01)
        raise RuntimeError(f"dovecot gave no greeting within {READY_SECONDS:.0f} s: {self.tail()}")

    def stop(self) -> None:
        """Stop the whole process group: TERM, then KILL whatever is left; never leaves one."""
        process, self._process = self._process, None
        if process is None:
            return
        group = process.pid  # start_new_session: the group id is the master's pid
        for sig, grace in ((signal.SIGTERM, TERM_GRACE_SECONDS), (signal.SIGKILL, KILL_SECONDS)):
            try:
                os.killpg(group, sig)
            except ProcessLookupError:
                break
            if _gone(process, group, grace):
                break
        process.wait(timeout=KILL_SECONDS)
        if _members(group):
            raise RuntimeError(f"dovecot processes left in group {group}: {_members(group)}")

    def tail(self, lines: int = 15) -> str:
        """The end of the server's log and stdout, for failure messages."""
        text = []
        for path in (self.log, self.root / "stdout.log"):
            if path.exists():
                text += path.read_text(errors="replace").splitlines()[-lines:]
        return " | ".join(text) or "(no log)"


def _gone(process: subprocess.Popen[bytes], group: int, seconds: float) -> bool:
    """Wait until the master has exited and no process of its group is left."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None and not _members(group):
            return True
        time.sleep(0.005)
    return False


def _members(group: int) -> list[int]:
    """Live processes (zombies excluded) in the process group, read from /proc."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return []
        return [group]
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # it ended while we looked
        state, pgrp = fields[0], int(fields[2])
        if pgrp == group and state not in ("Z", "X"):
            found.append(int(entry.name))
    return found


def _reachable_by(path: Path, uid: int, gid: int) -> bool:
    """Whether a process running as uid:gid can walk down to ``path``."""
    for folder in [path, *path.parents]:
        info = folder.stat()
        if info.st_uid == uid:
            bit = stat.S_IXUSR
        elif info.st_gid == gid:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not info.st_mode & bit:
            return False
    return True


@contextmanager
def dovecot_server(
    root: Path,
    users: dict[str, str],
    tls: Certificate | None = None,
    *,
    ssl_required: bool = False,
    settings: str = "",
) -> Iterator[DovecotServer]:
    """A started private Dovecot with these users under ``root``; stopped (whole group) on exit.

    With a certificate (``tls``, e.g. from ``loopback.self_signed``) the server offers
    STARTTLS on ``port`` and also listens for implicit TLS on ``tls_port`` (``ssl = yes``).
    ``ssl_required`` (only with ``tls``) sets ``ssl = required`` and
    ``disable_plaintext_auth = yes``: no login before TLS, which Dovecot enforces only for
    clients it takes for remote ones, such as those of ``remote_relay``.

    As root, the mail processes run as 'dovecot' and must reach the maildirs; pytest's
    temporary folders are 0700, so then the instance lives in a fresh folder of the system
    temp dir instead, removed on exit.
    """
    reason = dovecot_available()
    if reason is not None:
        raise RuntimeError(reason)
    root.mkdir(parents=True, exist_ok=True)
    scratch: Path | None = None
    if os.geteuid() == 0:
        dovecot = pwd.getpwnam("dovecot")
        if not _reachable_by(root, dovecot.pw_uid, dovecot.pw_gid):
            scratch = Path(tempfile.mkdtemp(prefix="hd-dovecot-"))
            scratch.chmod(0o755)
            root = scratch
    server: DovecotServer | None = None
    try:
        for attempt in range(3):  # a free port can be taken between probing and binding
            port, tls_port, proxy_port = free_ports(3)
            server = DovecotServer(
                root / f"instance-{attempt}", users, port, tls, tls_port, proxy_port,
                ssl_required=ssl_required, settings=settings,
            )  # fmt: skip
            try:
                server.start()
                break
            except RuntimeError:
                if attempt == 2 or "Address already in use" not in server.tail():
                    raise
        assert server is not None  # started, or the last attempt raised
        yield server
    finally:
        if server is not None:
            server.stop()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


@dataclass
class Relay:
    port: int  # connect here (127.0.0.1) to reach the server as a remote client
    # What the clients sent, as the server got it (without the PROXY header); complete once
    # the relay has closed.
    sent: bytearray = field(default_factory=bytearray)


@contextmanager
def remote_relay(server: DovecotServer, remote_ip: str = "192.0.2.10") -> Iterator[Relay]:
    """A loopback port whose clients Dovecot takes for ones from ``remote_ip``.

    Dovecot counts a client whose address equals its own (any loopback one) as secured, so
    disable_plaintext_auth and ``ssl = required`` never refuse it. The relay forwards each
    connection to the server's HAProxy listener behind a PROXY header naming ``remote_ip``
    (TEST-NET-1 by default): Dovecot then applies the rules as for a client on the network.
    """
    if server.proxy_port is None:
        raise ValueError("remote_relay needs a server started with a certificate (tls=)")
    proxy_port = server.proxy_port
    listener = socket.create_server((HOST, 0))
    listener.settimeout(0.05)
    relay = Relay(int(listener.getsockname()[1]))
    stop = threading.Event()
    lock = threading.Lock()
    pumps: list[threading.Thread] = []
    links: list[socket.socket] = []

    def pump(source: socket.socket, target: socket.socket, record: bool) -> None:
        try:
            while chunk := source.recv(65536):
                if record:
                    with lock:
                        relay.sent += chunk
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            try:
                target.shutdown(socket.SHUT_WR)  # pass the end of the stream on
            except OSError:
                pass

    def serve() -> None:
        while not stop.is_set():
            try:
                client, (_, client_port) = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            header = f"PROXY TCP4 {remote_ip} {HOST} {client_port} {server.port}\r\n"
            try:
                upstream = socket.create_connection((HOST, proxy_port), timeout=5)
                upstream.settimeout(None)
                upstream.sendall(header.encode())
            except OSError:  # the server is down: the client sees its connection close
                client.close()
                continue
            with lock:
                links.extend((client, upstream))
                for source, target, record in ((client, upstream, True), (upstream, client, False)):
                    thread = threading.Thread(target=pump, args=(source, target, record))
                    thread.daemon = True
                    thread.start()
                    pumps.append(thread)

    acceptor = threading.Thread(target=serve, daemon=True)
    acceptor.start()
    try:
        yield relay
    finally:
        stop.set()
        acceptor.join(timeout=KILL_SECONDS)
        listener.close()
        deadline = time.monotonic() + 1.0  # let closed connections finish passing data on
        for thread in list(pumps):
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        for link in links:
            try:
                link.shutdown(socket.SHUT_RDWR)  # wakes a pump still blocked in recv()
            except OSError:
                pass
        for thread in pumps:
            thread.join(timeout=KILL_SECONDS)
        for link in links:
            link.close()


@dataclass
class PymapServer:
    """A pure-Python IMAP server (pymap, in-memory) for the demo where Dovecot is not
    installed and cannot be (a laptop without root). One user; its mail lives in memory."""

    port: int
    host: str = HOST


def pymap_available() -> str | None:
    """Why pymap cannot run, or None."""
    try:
        import pymap  # noqa: F401
    except ImportError:
        return "pymap is not installed (pip install pymap)"
    return None


@contextmanager
def pymap_server(user: str, password: str) -> Iterator[PymapServer]:
    """Start pymap on a free loopback port; stopped (its whole group) on exit."""
    port = free_port()
    code = "import sys; from pymap.main import main; sys.exit(main())"
    process = subprocess.Popen(
        [sys.executable, "-c", code, "--host", HOST, "--port", str(port), "--no-tls",
         "dict", "--demo-user", user, "--demo-password", password],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + READY_SECONDS
        while True:
            try:
                with socket.create_connection((HOST, port), timeout=1) as probe:
                    if probe.recv(64).startswith(b"* OK"):
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"pymap did not start on {HOST}:{port}")
            time.sleep(0.1)
        yield PymapServer(port)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=KILL_SECONDS)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=KILL_SECONDS)
