"""Bad configuration and bad input: one line per problem, exit 1, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

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


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ('holiday_country = "XX"', "calendar: no holiday data for 'XX'"),
        ('holiday_country = "ID"\nholiday_subdivision = "ZZ"',
         "calendar: holiday settings: Entity `ID` does not have subdivision ZZ"),
        ('holiday_country = "ID"\nholiday_categories = ["public", "bank"]',
         "calendar: holiday settings: Category is not supported: bank."),
    ],
)  # fmt: skip
def test_bad_holiday_setting_is_one_line_at_load(
    cli: Cli, site_dir: Path, setting: str, said: str
) -> None:
    """An unknown holiday country, subdivision or category stops any command at load with
    one line naming it, before the first deadline could meet it."""
    config = site_dir / "config.toml"
    text = config.read_text()
    text = text.replace('holiday_categories = ["public", "government"]', "")
    config.write_text(text.replace('holiday_country = "ID"', setting))
    result = cli("ticket", "list")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [f"error: {config}: {said}"]
