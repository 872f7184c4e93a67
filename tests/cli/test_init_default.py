"""`helpdesk init` in a folder with no configuration: it writes the documented default."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpdesk.cli.main import app
from tests.conftest import DEFAULT_CONFIG


@pytest.fixture
def empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder, with no configuration named in the environment."""
    for name in ("HELPDESK_CONFIG", "HELPDESK_USER", "HELPDESK_NOW"):
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "office"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def test_init_writes_the_default_config_and_sets_up_the_site(empty: Path) -> None:
    """With no config.toml and none named, init writes the default there and sets up the
    site next to it, saying so."""
    result = CliRunner().invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    assert f"created {empty / 'config.toml'}" in result.stdout
    assert (empty / "config.toml").read_bytes() == DEFAULT_CONFIG.read_bytes()
    assert (empty / "var" / "helpdesk.db").is_file()
    assert [p.name for p in empty.iterdir() if p.name.startswith(".")] == []


def test_init_never_replaces_the_folders_config(empty: Path) -> None:
    """A config.toml already in the folder is the one used, and stays as it was."""
    text = DEFAULT_CONFIG.read_text(encoding="utf-8").replace(
        'url = "sqlite:///var/helpdesk.db"', 'url = "sqlite:///data/kantor.db"'
    )
    assert "data/kantor.db" in text
    (empty / "config.toml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    assert f"created {empty / 'config.toml'}" not in result.stdout
    assert (empty / "config.toml").read_text(encoding="utf-8") == text
    assert (empty / "data" / "kantor.db").is_file()


@pytest.mark.parametrize("named", ["--config", "HELPDESK_CONFIG"])
def test_init_with_a_named_config_that_is_missing_writes_nothing(
    empty: Path, named: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A configuration named by --config or $HELPDESK_CONFIG that does not exist is one
    line and exit 1, and no default is written in its place or in the folder."""
    missing = empty / "elsewhere" / "site.toml"
    args = ["init"]
    if named == "--config":
        args = ["--config", str(missing), "init"]
    else:
        monkeypatch.setenv("HELPDESK_CONFIG", str(missing))
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0 and "no configuration file" in result.stderr
    assert list(empty.iterdir()) == []
