"""The web application as a real process (`helpdesk web`) on a loopback port, for the
tests, the browser tests and the demo: started in its own process group, ready when it
answers HTTP, stopped by its process group."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from helpdesk.testing.loopback import HOST

READY_SECONDS = 30.0  # a start takes about a second; this only bounds a broken one
SECRET_ENV = "HELPDESK_WEB_SECRET"


@dataclass(frozen=True)
class WebProcess:
    url: str  # http://127.0.0.1:PORT
    process: subprocess.Popen[bytes]
    log: Path


def _answers(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1) as s:
            s.sendall(b"HEAD /lapor HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            return s.recv(16).startswith(b"HTTP/1.1")
    except OSError:
        return False


@contextmanager
def web_process(
    config: Path, port: int, *, env: Mapping[str, str] | None = None, log: Path | None = None
) -> Iterator[WebProcess]:
    """`helpdesk --config CONFIG web`, whose [web] listen is 127.0.0.1:PORT; a signing key
    is made for it unless ``env`` has one."""
    environment = {**os.environ, **(env or {})}
    environment.setdefault(SECRET_ENV, secrets.token_urlsafe(32))
    log = log or config.with_name("web.log")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "helpdesk", "--config", str(config), "web"],
            env=environment, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + READY_SECONDS
        while not _answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"helpdesk web did not start: {log.read_text()[-2000:]}")
            time.sleep(0.05)
        yield WebProcess(f"http://{HOST}:{port}", process, log)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
