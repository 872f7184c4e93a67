"""Files kept with a ticket, on disk under the archive folder, named by their ticket."""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
import re
import shutil
from pathlib import Path

from ticketing.models import Attachment, Ticket
from ticketing.undo import written

MAX_BYTES = 50 * 1024 * 1024


def safe_name(name: str) -> str:
    """A file name that cannot leave its folder or confuse a shell."""
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "file"
    return base[:120]


def _stored_id(ticket: Ticket) -> int:
    if ticket.id is None:
        raise ValueError("ticket must be stored before its files")
    return ticket.id


def _target(archive_dir: Path, ticket_number: str, filename: str) -> Path:
    folder = archive_dir / safe_name(ticket_number)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / safe_name(filename)
    counter = 1
    while target.exists():
        target = folder / f"{Path(safe_name(filename)).stem}-{counter}{target.suffix}"
        counter += 1
    return target


def archive_file(source: Path, archive_dir: Path, ticket: Ticket, now: dt.datetime) -> Attachment:
    """Copy ``source`` into the (stored) ticket's archive folder and describe it.

    The caller stores the returned Attachment in the same transaction as its ticket;
    should that transaction fail, the copy goes with it (`ticketing.undo`).
    """
    ticket_id = _stored_id(ticket)
    target = _target(archive_dir, ticket.number, source.name)
    digest = hashlib.sha256()
    with source.open("rb") as src:
        dst = target.open("xb")
        try:
            with dst:
                while chunk := src.read(1 << 20):
                    digest.update(chunk)
                    dst.write(chunk)
            shutil.copystat(source, target)
        except BaseException:  # a full disk midway: no half copy left behind
            target.unlink(missing_ok=True)
            raise
    written(target)
    content_type = mimetypes.guess_type(source.name)[0] or "application/octet-stream"
    return Attachment(
        ticket_id=ticket_id,
        filename=source.name,
        stored_path=str(target.relative_to(archive_dir)),
        content_type=content_type,
        size=target.stat().st_size,
        sha256=digest.hexdigest(),
        created_at=now,
    )


def archive_bytes(
    payload: bytes,
    filename: str,
    content_type: str,
    archive_dir: Path,
    ticket: Ticket,
    now: dt.datetime,
    *,
    sha256: str | None = None,
) -> Attachment:
    """Write an e-mail attachment into the (stored) ticket's archive folder and describe it.
    ``sha256``: the payload's digest (hex), when the caller has it already."""
    ticket_id = _stored_id(ticket)
    target = _target(archive_dir, ticket.number, filename)
    dst = target.open("xb")
    try:
        with dst:
            dst.write(payload)
    except BaseException:  # a full disk midway: no half copy left behind
        target.unlink(missing_ok=True)
        raise
    written(target)
    return Attachment(
        ticket_id=ticket_id,
        filename=filename,
        stored_path=str(target.relative_to(archive_dir)),
        content_type=content_type,
        size=len(payload),
        sha256=sha256 or hashlib.sha256(payload).hexdigest(),
        created_at=now,
    )


def check_readable(path: Path) -> str | None:
    """Why ``path`` cannot be archived, or None."""
    if not path.exists():
        return f"{path}: no such file"
    if not path.is_file():
        return f"{path}: not a file"
    size = path.stat().st_size
    if size == 0:
        return f"{path}: the file is empty"
    if size > MAX_BYTES:
        return f"{path}: larger than {MAX_BYTES // (1024 * 1024)} MB"
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        return f"{path}: {exc.strerror}"
    return None
