"""Loopback addresses for the servers of tests, benchmarks and the demo: free ports on
127.0.0.1 and a self-signed certificate for their TLS."""

from __future__ import annotations

import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"


def free_port() -> int:
    """A loopback port that nothing listens on now (another process may take it later)."""
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """``count`` different free ports: the probing sockets stay open until all are found."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind((HOST, 0))
        return [int(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()


@dataclass(frozen=True)
class Certificate:
    cert: str  # PEM file paths
    key: str


def self_signed(folder: str | Path) -> Certificate:
    """A certificate for 127.0.0.1 and localhost in ``folder``, made with the openssl command."""
    cert, key = Path(folder) / "cert.pem", Path(folder) / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    return Certificate(str(cert), str(key))
