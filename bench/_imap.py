"""Filling and reading a Dovecot mailbox directly with imapclient (set-up and the floor)."""

from __future__ import annotations

import socket
from collections.abc import Sequence

from imapclient import IMAPClient

HOST = "127.0.0.1"
USER, PASSWORD = "helpdesk", "secret"


def connect(port: int) -> IMAPClient:
    client = IMAPClient(HOST, port=port, ssl=False, timeout=30)
    # imaplib writes a literal and its CRLF separately: without this, Nagle and delayed
    # ACKs cost ~40 ms a command (TEST-SERVERS.md §2)
    client.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    client.login(USER, PASSWORD)
    return client


def append_all(
    port: int, messages: Sequence[bytes], folder: str = "INBOX", chunk: int = 100
) -> None:
    """Put ``messages`` in ``folder`` with MULTIAPPEND, ``chunk`` per command."""
    client = connect(port)
    try:
        for start in range(0, len(messages), chunk):
            client.multiappend(folder, list(messages[start : start + chunk]))
    finally:
        client.logout()


def plain_fetch(port: int, batch: int, folder: str = "INBOX") -> tuple[int, int]:
    """Fetch every message of ``folder`` by UID, ``batch`` per command, as the intake does
    (BODY.PEEK[], INTERNALDATE, FLAGS) and nothing else. Returns (messages, bytes)."""
    client = connect(port)
    try:
        client.select_folder(folder)
        uids = sorted(int(u) for u in client.search(["UID", "1:*"]))
        count = size = 0
        for start in range(0, len(uids), batch):
            found = client.fetch(
                uids[start : start + batch], ["BODY.PEEK[]", "INTERNALDATE", "FLAGS"]
            )
            for item in found.values():
                body = item.get(b"BODY[]")
                if body is not None:
                    count += 1
                    size += len(body)
        return count, size
    finally:
        client.logout()


def count(port: int, folder: str) -> int:
    client = connect(port)
    try:
        return int(client.folder_status(folder, [b"MESSAGES"])[b"MESSAGES"])
    finally:
        client.logout()
