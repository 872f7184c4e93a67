"""Files the program writes for people (reports, printed documents, archive bundles, phone-log
error files): complete under their name, or not there at all.

Each is written under a temporary name in its own folder, flushed to disk, and renamed over
its name at the end. A full disk, a killed process or any other failure midway leaves the
name as it was (the old file, or none) and removes the temporary file.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


@contextmanager
def replacing(target: Path, *, overwrite: bool = True) -> Iterator[BinaryIO]:
    """A binary file to write the new content of ``target`` into; renamed over ``target``
    when the block ends without an error. With ``overwrite=False`` a ``target`` that exists
    by then is left alone and FileExistsError raised. OSError for a folder that cannot be
    written, a full disk."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # umask applies
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if not overwrite and target.exists():
            raise FileExistsError(f"{target} exists")
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_bytes(target: Path, data: bytes) -> None:
    """Write ``data`` as the whole of ``target`` (see ``replacing``)."""
    with replacing(target) as handle:
        handle.write(data)


def write_text(target: Path, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` as the whole of ``target``, line ends as they are in ``text``."""
    write_bytes(target, text.encode(encoding))
