"""Real file systems that tests break on purpose: a small one filled up, a read-only one.

A full disk is a small tmpfs mounted for the test and unmounted after it, which needs root
(CI runs as root). A read-only folder is, for root, a read-only bind mount of the folder
over itself (permissions do not stop root); for anyone else, the folder and its files with
their write permission taken away. Both are undone after the test, also when it fails.
"""

from __future__ import annotations

import errno
import gc
import os
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _root() -> bool:
    return os.geteuid() == 0


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        pytest.fail(f"mount {' '.join(args)}: {done.stderr.strip()}")


def _unmount(where: Path) -> None:
    """Unmount ``where``; files this process still holds open there (the pooled database
    connections of a command run in-process) are let go of first."""
    gc.collect()
    done = subprocess.run(["umount", str(where)], capture_output=True, text=True, timeout=30)
    if done.returncode != 0:  # still busy: detach it now, freed once the last file closes
        subprocess.run(["umount", "--lazy", str(where)], check=True, timeout=30)


@contextmanager
def small_disk(where: Path, size_kb: int = 4096) -> Iterator[Path]:
    """A tmpfs of ``size_kb`` mounted at ``where`` (created), for the block's time."""
    if not _root():
        pytest.fail("a full disk here is a small tmpfs, and mounting one needs root")
    where.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={size_kb}k,mode=0755", "tmpfs", str(where))
    try:
        yield where
    finally:
        _unmount(where)


def fill(folder: Path) -> Path:
    """Write a file into ``folder`` until its file system has no space left; the file."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC, exc
    finally:
        os.close(fd)
    assert os.statvfs(folder).f_bavail == 0
    return filler


@contextmanager
def read_only(folder: Path) -> Iterator[Path]:
    """``folder`` (and everything in it) cannot be written for the block's time."""
    if _root():
        _mount("--bind", str(folder), str(folder))
        try:
            _mount("-o", "remount,bind,ro", str(folder))
            yield folder
        finally:
            _unmount(folder)
        return
    modes = {path: path.stat().st_mode for path in [folder, *folder.rglob("*")]}
    for path, mode in sorted(modes.items(), reverse=True):  # files before their folders
        path.chmod(stat.S_IMODE(mode) & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        yield folder
    finally:
        for path, mode in sorted(modes.items()):
            path.chmod(stat.S_IMODE(mode))
