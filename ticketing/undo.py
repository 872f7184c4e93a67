"""Files written for a transaction, removed should it fail (no ticket's model needed:
the store uses it on every transaction, an empty mailbox poll's too)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

_WRITTEN: ContextVar[list[Path] | None] = ContextVar("files_written", default=None)
"""The files archived within the innermost `undone_on_failure` block."""


@contextmanager
def undone_on_failure() -> Iterator[None]:
    """The files archived within are removed should the block fail: a transaction or a
    savepoint (`ticketing.store`) rolled back leaves no file of its tickets behind, in a
    folder whose ticket number the next ticket may then take. The files of a block that
    ends well are the enclosing block's."""
    outer = _WRITTEN.get()
    files: list[Path] = []
    token = _WRITTEN.set(files)
    try:
        yield
    except BaseException:
        for path in files:
            path.unlink(missing_ok=True)
        raise
    finally:
        _WRITTEN.reset(token)
    if outer is not None:
        outer.extend(files)


def written(target: Path) -> None:
    """Note a file just archived, for the innermost `undone_on_failure` block."""
    if (files := _WRITTEN.get()) is not None:
        files.append(target)
