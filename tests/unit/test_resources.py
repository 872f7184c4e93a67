"""The files shipped inside the program (package data): found, and the same as documented."""

from __future__ import annotations

from pathlib import Path

from helpdesk import resources

REPO = Path(__file__).resolve().parents[2]


def test_packaged_default_config_is_the_documented_one() -> None:
    """The default configuration a wheel carries is byte for byte ./config.toml."""
    assert resources.default_config_text() == (REPO / "config.toml").read_text(encoding="utf-8"), (
        "helpdesk/defaults/config.toml differs from ./config.toml: copy ./config.toml over it"
    )


def test_write_default_config_never_replaces_a_file(tmp_path: Path) -> None:
    """Writing the default where a config.toml exists leaves that file as it was."""
    target = tmp_path / "config.toml"
    assert resources.write_default_config(target) is True
    assert target.read_text(encoding="utf-8") == resources.default_config_text()
    target.write_text("# ours\n", encoding="utf-8")
    assert resources.write_default_config(target) is False
    assert target.read_text(encoding="utf-8") == "# ours\n"
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]
