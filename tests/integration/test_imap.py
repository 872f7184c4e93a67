"""The IMAP adapter against a real Dovecot on loopback, one fresh server per test."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from imapclient import IMAPClient

from helpdesk.testing.imap import DovecotServer, dovecot_available, dovecot_server
from helpdesk.testing.loopback import free_port
from intake.imap import Mailbox, MailboxError, MailboxLoginError, MailboxSettings

USER = "helpdesk"
PASSWORD = "rahasia-kotak-surat"
WIB = timezone(timedelta(hours=7))


@pytest.fixture(scope="module", autouse=True)
def dovecot_installed() -> None:
    """CI installs Dovecot (.ci/run), so a missing one is a failure, not a skip."""
    reason = dovecot_available()
    if reason is not None:
        pytest.fail(f"the IMAP integration tests need Dovecot: {reason}", pytrace=False)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[DovecotServer]:
    with dovecot_server(tmp_path / "dovecot", {USER: PASSWORD}) as running:
        yield running


def settings(port: int, password: str | None = PASSWORD) -> MailboxSettings:
    return MailboxSettings(
        host="127.0.0.1", port=port, security="none", username=USER, password=password, timeout=5
    )


@pytest.fixture
def mailbox(server: DovecotServer) -> Iterator[Mailbox]:
    with Mailbox(settings(server.port)) as box:
        yield box


@pytest.fixture
def other(server: DovecotServer) -> Iterator[IMAPClient]:
    """Another client of the same mailbox (a colleague's mail program)."""
    client = IMAPClient(server.host, port=server.port, ssl=False, timeout=5)
    client.login(USER, PASSWORD)
    client.select_folder("INBOX")
    try:
        yield client
    finally:
        client.logout()


def message(n: int) -> bytes:
    return (
        f"From: Budi <budi{n}@dinkes.example.go.id>\r\n"
        f"To: helpdesk@example.go.id\r\n"
        f"Subject: Pengaduan {n}\r\n"
        f"Message-ID: <m{n}@dinkes.example.go.id>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        f"Koneksi internet di ruang pelayanan terputus — laporan {n}.\r\n"
    ).encode()


def append(box: Mailbox, count: int) -> list[bytes]:
    raws = [message(n) for n in range(1, count + 1)]
    for raw in raws:
        box.append("INBOX", raw)
    return raws


def elapsed(action: Callable[[], object]) -> tuple[object, float]:
    started = time.monotonic()
    result = action()
    return result, time.monotonic() - started


def test_connect_logs_in_and_selects_the_folder(mailbox: Mailbox) -> None:
    """A connection logs in, selects INBOX and reports an empty mailbox."""
    assert mailbox.uidvalidity > 0
    assert mailbox.uids_after(0) == []


def test_refused_login_is_a_login_error_without_the_password(server: DovecotServer) -> None:
    """A wrong password raises MailboxLoginError naming host:port, never the password."""
    wrong = "salah-sandi-2026"
    with pytest.raises(MailboxLoginError) as caught:
        Mailbox(settings(server.port, password=wrong)).connect()
    text = str(caught.value)
    assert f"127.0.0.1:{server.port}" in text and "AUTHENTICATIONFAILED" in text
    assert wrong not in text and PASSWORD not in text


def test_missing_password_is_a_login_error() -> None:
    """No password at all is a settings problem, reported before connecting."""
    with pytest.raises(MailboxLoginError, match="no password"):
        Mailbox(settings(free_port(), password=None)).connect()


def test_uids_after_returns_only_newer_uids(mailbox: Mailbox) -> None:
    """Only UIDs above the last one seen come back, even though "n:*" matches the highest."""
    append(mailbox, 3)
    first, second, third = mailbox.uids_after(0)
    assert mailbox.uids_after(first) == [second, third]
    assert mailbox.uids_after(third) == []
    assert mailbox.uids_after(third + 100) == []


def test_fetch_returns_the_exact_bytes_and_internaldate(
    mailbox: Mailbox, other: IMAPClient
) -> None:
    """The fetched message is byte for byte what arrived, with its aware INTERNALDATE."""
    raw = message(1)
    # in the past: Dovecot replaces a future date with the time of arrival
    arrived = datetime(2024, 11, 4, 9, 15, 0, tzinfo=WIB)
    other.append("INBOX", raw, msg_time=arrived)
    (fetched,) = mailbox.fetch(mailbox.uids_after(0))
    assert fetched.raw == raw
    assert fetched.internal_date == arrived
    assert fetched.internal_date is not None and fetched.internal_date.utcoffset() is not None


def test_fetch_does_not_mark_messages_seen(mailbox: Mailbox, other: IMAPClient) -> None:
    """Fetching leaves the message unread for people looking at the mailbox."""
    append(mailbox, 1)
    uids = mailbox.uids_after(0)
    list(mailbox.fetch(uids))
    (again,) = mailbox.fetch(uids)
    assert b"\\Seen" not in again.flags
    other.noop()
    assert b"\\Seen" not in other.get_flags(uids)[uids[0]]


def test_fetch_goes_in_batches(mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """Five messages with batch=2 take three FETCH commands and arrive in order."""
    raws = append(mailbox, 5)
    client = mailbox._client
    assert client is not None
    sizes: list[int] = []
    real_fetch = client.fetch

    def counting_fetch(uids: list[int], data: list[str]) -> dict:  # type: ignore[type-arg]
        sizes.append(len(uids))
        return real_fetch(uids, data)

    monkeypatch.setattr(client, "fetch", counting_fetch)
    fetched = list(mailbox.fetch(mailbox.uids_after(0), batch=2))
    assert [f.raw for f in fetched] == raws
    assert sizes == [2, 2, 1]


def test_fetch_skips_a_uid_that_is_gone(mailbox: Mailbox, other: IMAPClient) -> None:
    """A message expunged by another client between search and fetch is skipped."""
    append(mailbox, 2)
    first, second = mailbox.uids_after(0)
    other.noop()  # let the other client see what arrived
    other.delete_messages([first])
    other.uid_expunge([first])
    assert [f.uid for f in mailbox.fetch([first, second])] == [second]


def test_move_creates_the_folder_and_keeps_the_bytes(mailbox: Mailbox, other: IMAPClient) -> None:
    """Moving to a new folder creates and subscribes it; the message leaves INBOX intact."""
    (raw,) = append(mailbox, 1)
    (uid,) = mailbox.uids_after(0)
    mailbox.move(uid, "Processed")
    assert mailbox.uids_after(0) == []
    assert "Processed" in [name for _, _, name in other.list_sub_folders()]
    other.select_folder("Processed", readonly=True)
    (moved,) = other.fetch(other.search(["ALL"]), ["BODY.PEEK[]"]).values()
    assert moved[b"BODY[]"] == raw


def test_ensure_folder_is_idempotent(server: DovecotServer, other: IMAPClient) -> None:
    """Ensuring a folder twice, even from two connections, leaves exactly one."""
    for _ in range(2):
        with Mailbox(settings(server.port)) as box:
            box.ensure_folder("Incomplete")
            box.ensure_folder("Incomplete")
    assert [name for _, _, name in other.list_folders()].count("Incomplete") == 1


def test_move_without_move_expunges_only_that_uid(
    mailbox: Mailbox, other: IMAPClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without MOVE, the fallback expunges its own UID, not what another client flagged."""
    raws = append(mailbox, 2)
    ours, theirs = mailbox.uids_after(0)
    other.noop()  # let the other client see what arrived
    other.add_flags([theirs], [b"\\Deleted"])
    real = mailbox.has_capability
    monkeypatch.setattr(mailbox, "has_capability", lambda name: name != "MOVE" and real(name))
    mailbox.move(ours, "Processed")
    assert mailbox.uids_after(0) == [theirs]
    assert b"\\Deleted" in other.get_flags([theirs])[theirs]
    other.select_folder("Processed", readonly=True)
    (moved,) = other.fetch(other.search(["ALL"]), ["BODY.PEEK[]", "FLAGS"]).values()
    assert moved[b"BODY[]"] == raws[0]


def test_uidvalidity_is_stable_across_reconnects(mailbox: Mailbox, other: IMAPClient) -> None:
    """UIDVALIDITY is the server's value and does not change when we reconnect."""
    first = mailbox.uidvalidity
    mailbox.connect()
    assert mailbox.uidvalidity == first
    assert other.folder_status("INBOX", ["UIDVALIDITY"])[b"UIDVALIDITY"] == first


def test_server_restart_breaks_the_connection_until_reconnect(
    server: DovecotServer, mailbox: Mailbox
) -> None:
    """After a server restart the next call raises MailboxError; a new connect works."""
    append(mailbox, 1)
    server.stop()
    server.start()
    with pytest.raises(MailboxError, match=f"127.0.0.1:{server.port}"):
        mailbox.uids_after(0)
    with pytest.raises(MailboxError, match="reconnect"):
        mailbox.uids_after(0)
    mailbox.connect()
    assert len(mailbox.uids_after(0)) == 1


def test_idle_wait_reports_a_new_message(mailbox: Mailbox, other: IMAPClient) -> None:
    """IDLE returns True when another client delivers a message during it, before the
    time asked has passed (Dovecot tells within 0.5 s)."""
    later = threading.Timer(0.2, lambda: other.append("INBOX", message(1)))
    later.start()
    try:
        changed, took = elapsed(lambda: mailbox.idle_wait(30))
    finally:
        later.join()
    assert changed is True
    assert took < 30
    assert len(mailbox.uids_after(0)) == 1  # the connection is usable after IDLE


def test_idle_wait_reports_a_message_that_arrived_before_it(
    mailbox: Mailbox, other: IMAPClient
) -> None:
    """A message delivered between the last search and IDLE wakes the caller at once: even
    a wait shorter than the 0.5 s Dovecot takes to notify an IDLE client sees it."""
    assert mailbox.uids_after(0) == []
    other.append("INBOX", message(1))
    assert mailbox.idle_wait(0.3) is True


def test_idle_wait_times_out_quietly(mailbox: Mailbox) -> None:
    """With nothing arriving, IDLE returns False after the time asked, not before."""
    changed, took = elapsed(lambda: mailbox.idle_wait(1))
    assert changed is False
    assert took >= 0.9
    assert mailbox.uids_after(0) == []


def test_idle_wait_raises_when_the_server_goes_away(
    server: DovecotServer, mailbox: Mailbox
) -> None:
    """A server that stops during IDLE raises MailboxError at once instead of looking quiet."""
    later = threading.Timer(0.3, server.stop)
    later.start()
    try:
        started = time.monotonic()
        with pytest.raises(MailboxError):
            mailbox.idle_wait(30)
        took = time.monotonic() - started
    finally:
        later.join()
    assert took < 30  # raised when the server went, not when the wait ran out


def test_connection_refused_is_a_quick_mailbox_error() -> None:
    """Nothing listening on the port gives MailboxError naming host:port, at once rather
    than after a connection timeout."""
    port = free_port()
    started = time.monotonic()
    with pytest.raises(MailboxError, match=f"127.0.0.1:{port}") as caught:
        Mailbox(settings(port)).connect()
    assert time.monotonic() - started < 4  # the settings give a 5 s timeout
    assert not isinstance(caught.value, MailboxLoginError)
    assert "refused" in str(caught.value).lower()
