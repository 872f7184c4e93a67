"""Bad configuration and bad input: one line per problem, exit 1, never a traceback."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Cli


def test_bad_config_names_the_key_and_starts_nothing(cli: Cli, site_dir: Path) -> None:
    """A wrong type in config.toml stops the command with the key and what was expected."""
    config = site_dir / "config.toml"
    config.write_text(config.read_text().replace("port = 587", 'port = "abc"'))
    result = cli("init")
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {config}: smtp.port:")
    assert "integer" in line
    assert not (site_dir / "var").exists()


def test_unknown_config_key_is_named(cli: Cli, site_dir: Path) -> None:
    """A misspelt key is reported as unknown rather than ignored."""
    config = site_dir / "config.toml"
    config.write_text(config.read_text().replace("[sop]\n", '[sop]\nresolusi = "2d"\n'))
    result = cli("ticket", "list")
    assert result.exit_code == 1
    assert "sop.resolusi: unknown key" in result.stderr


def test_missing_config_file(cli: Cli, tmp_path: Path) -> None:
    """--config pointing nowhere is one line that says how to give one."""
    result = cli("--config", str(tmp_path / "nope.toml"), "init")
    assert result.exit_code == 1
    assert "no configuration file" in result.stderr
    assert "Traceback" not in result.output


def test_bad_clock_override(cli: Cli) -> None:
    """A malformed HELPDESK_NOW is reported, not a traceback."""
    cli("init")
    result = cli("ticket", "list", now="tomorrow")
    assert result.exit_code == 1
    assert "HELPDESK_NOW" in result.stderr
