"""The complaint mailbox over IMAP: a thin adapter over imapclient 4.1.0.

What it guarantees the daemon:
- UIDs go to imapclient as int lists only (string message sets break in 4.x);
- bodies are read with BODY.PEEK[], so nothing is marked \\Seen;
- a move never expunges more than its own UID (no bare EXPUNGE);
- every library, socket and TLS error becomes MailboxError (MailboxLoginError for refused
  credentials) with one line naming host:port, never the password. After an error the
  connection is not used again (a NO [READ-ONLY] poisons it): the caller reconnects.
"""

from __future__ import annotations

import imaplib
import logging
import select
import ssl
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timezone
from types import TracebackType
from typing import Any, Literal, Self

from imapclient import IMAPClient
from imapclient.exceptions import LoginError

log = logging.getLogger(__name__)

# A command's UIDs: a server may refuse a long command line (Dovecot past 64 kB; RFC 7162
# asks clients to keep under 8 kB). A MOVE names its UIDs as runs ("1:500"); a FETCH, whose
# answer imapclient sorts by the UIDs named one by one, names at most this many bytes of
# them, so that a large backlog's sizes, or a batch of long UIDs, take a few commands.
UID_LIST_BYTES = 1000


def uid_lists(uids: Sequence[int], limit: int = UID_LIST_BYTES) -> Iterator[list[int]]:
    """``uids`` in order, in lists each written in at most ``limit`` bytes ("1,2,3")."""
    part: list[int] = []
    size = 0
    for uid in uids:
        length = len(str(uid)) + (1 if part else 0)
        if part and size + length > limit:
            yield part
            part, size, length = [], 0, len(str(uid))
        part.append(uid)
        size += length
    if part:
        yield part


def uid_set(uids: Sequence[int]) -> str:
    """The UIDs as an IMAP sequence set of exactly them: each run of consecutive UIDs as
    ``first:last``, the others one by one (``1:3,7,9:10``)."""
    ordered = sorted({int(uid) for uid in uids})
    if not ordered:
        raise ValueError("no UIDs")
    parts = []
    first = last = ordered[0]
    for uid in ordered[1:]:
        if uid == last + 1:
            last = uid
            continue
        parts.append(f"{first}:{last}" if last > first else f"{first}")
        first = last = uid
    parts.append(f"{first}:{last}" if last > first else f"{first}")
    return ",".join(parts)


# imapclient's errors are imaplib's; socket, timeout and TLS errors are all OSError.
_FAULTS = (imaplib.IMAP4.error, OSError)
_DELETED = b"\\Deleted"
# RFC 2177: servers may drop an IDLE after 30 minutes, so re-issue it well before.
_IDLE_RENEW_SECONDS = 25 * 60.0
# After the socket turns readable, let the rest of the line arrive: idle_check() reads
# without blocking and fails on a line split across segments (mjs/imapclient#519).
_SETTLE_SECONDS = 0.02


@dataclass(frozen=True)
class MailboxSettings:
    host: str
    port: int
    security: Literal["ssl", "starttls", "none"]
    username: str
    password: str | None = field(repr=False)
    folder: str = "INBOX"
    timeout: float = 30.0
    ssl_context: ssl.SSLContext | None = None
    password_from: str = ""  # where the password was to come from, named when it is missing


@dataclass(frozen=True)
class Fetched:
    uid: int
    raw: bytes
    internal_date: datetime | None  # aware
    flags: tuple[bytes, ...]


class MailboxError(Exception):
    """A connection or protocol problem; the caller reconnects later."""


class MailboxLoginError(MailboxError):
    """The server refused the credentials: a settings problem, not a passing one."""


class Mailbox:
    """One IMAP connection with the settings' folder selected. Use as a context manager."""

    def __init__(self, settings: MailboxSettings) -> None:
        self.settings = settings
        self._client: IMAPClient | None = None
        self._broken = False
        self._uidvalidity = 0
        self._folders: set[str] = set()  # known to exist on this connection
        self._known_uid = 0  # the highest UID the caller has been told about or named
        self._warned_uidplus = False

    def __enter__(self) -> Self:
        self.connect()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def address(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    def connect(self) -> None:
        """Connect, log in (after STARTTLS if set) and select the folder; drops any old link."""
        self.close()
        s = self.settings
        password = s.password
        if password is None:
            where = f" ({s.password_from} is not set)" if s.password_from else ""
            raise MailboxLoginError(f"{self.address}: no password set for {s.username}{where}")
        self._broken = False
        self._folders = set()
        self._known_uid = 0
        try:
            self._open(s, password)
        except BaseException:
            self.close()  # a refused login must not leave the socket open
            raise

    def _open(self, s: MailboxSettings, password: str) -> None:
        with self._faults("connect"):
            self._client = IMAPClient(
                s.host, port=s.port, ssl=s.security == "ssl", ssl_context=s.ssl_context,
                timeout=s.timeout,
            )  # fmt: skip
        client = self._client
        with self._faults("STARTTLS"):
            if s.security == "starttls":
                client.starttls(s.ssl_context)
        with self._faults("login"):
            if s.security == "none" and client.has_capability("LOGINDISABLED"):
                # RFC 3501: no LOGIN then; sending it would expose the password in clear.
                raise MailboxLoginError(
                    f"{self.address}: login refused: the server allows no login without TLS"
                    ' (LOGINDISABLED); set security to "starttls" or "ssl"'
                )
            client.login(s.username, password)
        with self._faults(f"select {s.folder}"):
            client.normalise_times = False  # INTERNALDATE as an aware datetime
            selected = client.select_folder(s.folder)
        if b"UIDVALIDITY" not in selected:
            raise self._dead(f"select {s.folder}: the server sent no UIDVALIDITY")
        self._uidvalidity = int(selected[b"UIDVALIDITY"])

    def close(self) -> None:
        """Log out (or just drop a broken connection); never raises."""
        client, self._client = self._client, None
        if client is None:
            return
        try:
            if self._broken:
                client.shutdown()
            else:
                client.logout()
        except Exception:  # noqa: BLE001 - closing is best effort
            try:
                client.shutdown()
            except Exception:  # noqa: BLE001
                pass

    @property
    def uidvalidity(self) -> int:
        """UIDVALIDITY of the selected folder: when it changes, stored UIDs mean nothing."""
        self._live()
        return self._uidvalidity

    def has_capability(self, name: str) -> bool:
        client = self._live()
        with self._faults("CAPABILITY"):
            return bool(client.has_capability(name))

    def uids_after(self, last_uid: int) -> list[int]:
        """UIDs greater than ``last_uid``, ascending."""
        client = self._live()
        with self._faults("search"):
            # A server shows what others delivered only once it syncs the selected folder;
            # Dovecot's SEARCH does not, NOOP does.
            client.noop()
            found = client.search(["UID", f"{last_uid + 1}:*"])
        # "n:*" always matches the highest UID, even when it is below n.
        newer = sorted(uid for uid in (int(u) for u in found) if uid > last_uid)
        self._known_uid = max(self._known_uid, last_uid, *newer)
        return newer

    def sizes(self, uids: Sequence[int]) -> dict[int, int]:
        """Each message's size in bytes (RFC822.SIZE) by UID, as few commands as the
        command line allows (`uid_lists`); a UID gone meanwhile is left out."""
        wanted = sorted({int(uid) for uid in uids})
        sizes: dict[int, int] = {}
        for part in uid_lists(wanted):
            client = self._live()
            with self._faults(f"sizes of {len(part)} messages"):
                found = client.fetch(part, ["RFC822.SIZE"])
            asked = set(part)
            sizes.update(
                (uid, int(item[b"RFC822.SIZE"]))
                for uid, item in found.items()
                if uid in asked and b"RFC822.SIZE" in item
            )
        return sizes

    def fetch(self, uids: Sequence[int], batch: int = 50) -> Iterator[Fetched]:
        """The messages, whole, ``batch`` at a time (in as many commands as their UIDs'
        length needs: `uid_lists`); \\Seen is never set.

        A UID that is gone by the time its batch is fetched is skipped.
        """
        if batch < 1:
            raise ValueError("batch must be at least 1")
        wanted = [int(uid) for uid in uids]
        for start in range(0, len(wanted), batch):
            chunk = wanted[start : start + batch]
            client = self._live()
            found: dict[int, dict[bytes, Any]] = {}
            for part in uid_lists(chunk):
                with self._faults(f"fetch {len(part)} messages"):
                    answer = client.fetch(part, ["BODY.PEEK[]", "INTERNALDATE", "FLAGS"])
                # A server may add to any answer what changed meanwhile of any message
                # (RFC 3501 5.2, 7.4.2: "* 1 FETCH (FLAGS (\\Seen))" after another client read
                # it), of one fetched by an earlier command too: added to what was fetched
                # of it, never in its place.
                for uid, item in answer.items():
                    found.setdefault(uid, {}).update(item)
            for uid in chunk:
                item = found.get(uid, {})
                body = item.get(b"BODY[]")
                if body is None:
                    continue  # expunged meanwhile, or only an unsolicited FLAGS update
                yield Fetched(
                    uid=uid,
                    raw=bytes(body),
                    internal_date=_aware(item.get(b"INTERNALDATE")),
                    flags=tuple(item.get(b"FLAGS", ())),
                )

    def present(self, uids: Sequence[int]) -> set[int]:
        """Which of ``uids`` are in the folder still."""
        found: set[int] = set()
        for part in uid_lists(sorted({int(uid) for uid in uids})):
            client = self._live()
            with self._faults(f"search {len(part)} messages"):
                found.update(int(uid) for uid in client.search(["UID", uid_set(part)]))
        return found & {int(uid) for uid in uids}

    def ensure_folder(self, name: str) -> None:
        """Create the folder (and subscribe to it) unless it exists."""
        if name in self._folders:
            return
        client = self._live()
        with self._faults(f"create {name}"):
            if not client.folder_exists(name):
                try:
                    client.create_folder(name)
                except IMAPClient.Error as exc:
                    if "ALREADYEXISTS" not in str(exc).upper():  # lost a race: fine
                        raise
                client.subscribe_folder(name)
        self._folders.add(name)

    def move(self, uids: int | Sequence[int], folder: str) -> None:
        """Move messages (one UID or several) in one command: each MOVE costs the server
        a few milliseconds, many in one barely more. Without MOVE: COPY, flag \\Deleted,
        UID EXPUNGE of those UIDs only."""
        wanted = [uids] if isinstance(uids, int) else [int(uid) for uid in uids]
        if not wanted:
            return
        self.ensure_folder(folder)
        client = self._live()
        named = f"UID {wanted[0]}" if len(wanted) == 1 else f"{len(wanted)} UIDs"
        listed = uid_set(wanted)
        with self._faults(f"move {named} to {folder}"):
            if self.has_capability("MOVE"):
                client.move(listed, folder)
                return
            client.copy(listed, folder)
            client.add_flags(listed, [_DELETED], silent=True)
            if self.has_capability("UIDPLUS"):
                client.uid_expunge(listed)
            elif not self._warned_uidplus:
                # A bare EXPUNGE would also remove what other clients flagged \Deleted.
                log.warning(
                    "%s: no MOVE or UIDPLUS; moved messages stay in %s flagged \\Deleted",
                    self.address, self.settings.folder,
                )  # fmt: skip
                self._warned_uidplus = True

    def append(self, folder: str, raw: bytes, arrived: datetime | None = None) -> None:
        """Put a message into ``folder``; ``arrived`` is its INTERNALDATE (the server's
        time of arrival when None)."""
        client = self._live()
        with self._faults(f"append to {folder}"):
            client.append(folder, raw, msg_time=arrived)

    def idle_wait(self, seconds: float) -> bool:
        """Wait up to ``seconds`` in IDLE: True when messages arrived, False on timeout.

        True at once when messages above the highest UID ``uids_after`` has seen are there
        already: a server announces a message only once, maybe before this call.
        A connection that died (BYE, EOF, reset) raises MailboxError rather than looking
        like silence, so the caller never busy-loops on it.
        """
        client = self._live()
        if self.uids_after(self._known_uid):
            return True
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            with self._faults("IDLE"):
                client.idle()
                changed = self._watch(client, min(left, _IDLE_RENEW_SECONDS))
                _, after = client.idle_done()
            if changed or _changed(after):
                return True
        return False

    def _watch(self, client: IMAPClient, seconds: float) -> bool:
        """Inside IDLE: True on EXISTS/RECENT, False when ``seconds`` pass quietly."""
        sock = client.socket()
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            readable, _, _ = select.select([sock], [], [], left)
            if not readable:
                return False
            time.sleep(_SETTLE_SECONDS)
            responses = client.idle_check(timeout=0)
            # Readable with nothing to read is EOF: idle_check() swallows it (#565).
            if not responses:
                raise self._dead("IDLE: the server closed the connection")
            if any(r[0] == b"BYE" for r in responses):
                raise self._dead("IDLE: the server said BYE")
            if _changed(responses):
                return True
            # anything else ("* OK Still here", flag or expunge news): keep waiting
        return False

    def _live(self) -> IMAPClient:
        if self._client is None:
            raise MailboxError(f"{self.address}: not connected")
        if self._broken:
            raise MailboxError(f"{self.address}: the connection failed earlier; reconnect")
        return self._client

    def _dead(self, reason: str) -> MailboxError:
        self._broken = True
        return MailboxError(f"{self.address}: {reason}")

    @contextmanager
    def _faults(self, action: str) -> Iterator[None]:
        """Turn the library's exceptions into ours; mark the connection unusable."""
        try:
            yield
        except MailboxError:
            self._broken = True
            raise
        except LoginError as exc:
            self._broken = True
            reason = self._reason(exc)
            if "[UNAVAILABLE]" in reason:  # the server's auth backend is down, not our password
                raise MailboxError(f"{self.address}: {action}: {reason}") from exc
            raise MailboxLoginError(f"{self.address}: login refused: {reason}") from exc
        except _FAULTS as exc:
            self._broken = True
            raise MailboxError(f"{self.address}: {action}: {self._reason(exc)}") from exc

    def _reason(self, exc: BaseException) -> str:
        """One line, no password, without imaplib's b'...' wrapping."""
        text = str(exc)
        if text.startswith(("b'", 'b"')) and text.endswith(text[1]):
            text = text[2:-1]
        if isinstance(exc, OSError) or not text:
            text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
        password = self.settings.password
        if password:
            text = text.replace(password, "***")
        return " ".join(text.split())


def _changed(responses: Sequence[tuple[object, ...]]) -> bool:
    """Whether untagged responses announce new mail (EXISTS, or a non-zero RECENT)."""
    return any(
        len(r) > 1 and (r[1] == b"EXISTS" or (r[1] == b"RECENT" and r[0] != 0)) for r in responses
    )


def _aware(value: object) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:  # not expected with normalise_times = False
        return value.replace(tzinfo=UTC)
    offset = value.utcoffset()
    return value.astimezone(timezone(offset)) if offset is not None else value
