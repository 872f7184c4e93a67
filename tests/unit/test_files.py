"""Output files are complete under their name or not there: records.files.replacing."""

from __future__ import annotations

from pathlib import Path

import pytest

from records.files import replacing, write_text


def test_interrupted_write_keeps_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    """A failure halfway through leaves the previous content and no temporary file."""
    target = tmp_path / "laporan.html"
    target.write_text("the old report", encoding="utf-8")
    with pytest.raises(RuntimeError), replacing(target) as handle:
        handle.write(b"<html>half of the new ")
        raise RuntimeError("interrupted")
    assert target.read_text(encoding="utf-8") == "the old report"
    assert [p.name for p in tmp_path.iterdir()] == ["laporan.html"]


def test_interrupted_new_file_is_not_there(tmp_path: Path) -> None:
    """A new file whose writing fails does not appear at all."""
    with pytest.raises(RuntimeError), replacing(tmp_path / "r.csv") as handle:
        handle.write(b"a,b\r\n")
        raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []


def test_complete_write_replaces_the_file(tmp_path: Path) -> None:
    """A write that finishes replaces the whole file, byte for byte."""
    target = tmp_path / "r.json"
    target.write_text("old, and longer than the new content", encoding="utf-8")
    write_text(target, "{}\n")
    assert target.read_bytes() == b"{}\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_no_overwrite_leaves_a_file_that_appeared_meanwhile(tmp_path: Path) -> None:
    """With overwrite=False, a file that appears while writing is kept, the new one dropped."""
    target = tmp_path / "arsip.zip"
    with pytest.raises(FileExistsError), replacing(target, overwrite=False) as handle:
        handle.write(b"new bundle")
        target.write_bytes(b"someone else's bundle")
    assert target.read_bytes() == b"someone else's bundle"
    assert [p.name for p in tmp_path.iterdir()] == ["arsip.zip"]
