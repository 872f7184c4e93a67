"""Files archived for a transaction go with it should it fail (`ticketing.undo`): a
savepoint's with the savepoint, and every one of them with the transaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from ticketing.undo import undone_on_failure, written


def _write(path: Path) -> Path:
    path.write_bytes(b"x")
    written(path)
    return path


def test_a_failed_savepoint_takes_its_own_files_and_a_failed_transaction_every_one(
    tmp_path: Path,
) -> None:
    with pytest.raises(RuntimeError), undone_on_failure():  # the transaction
        first = _write(tmp_path / "first.jpg")
        with pytest.raises(RuntimeError), undone_on_failure():  # a savepoint that fails
            lost = _write(tmp_path / "lost.jpg")
            raise RuntimeError("the savepoint rolls back")
        assert not lost.exists() and first.exists()
        with undone_on_failure():  # a savepoint that ends well: its file the transaction's
            kept = _write(tmp_path / "kept.jpg")
        assert kept.exists()
        raise RuntimeError("the transaction fails as it commits")
    assert sorted(tmp_path.iterdir()) == []


def test_files_of_a_transaction_that_ends_well_stay(tmp_path: Path) -> None:
    with undone_on_failure():
        with undone_on_failure():
            _write(tmp_path / "a.jpg")
        _write(tmp_path / "b.jpg")
    _write(tmp_path / "c.jpg")  # written outside any transaction: left as it is
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jpg", "b.jpg", "c.jpg"]
