"""`helpdesk web` and `helpdesk staff password`: their refusals, one line each."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Cli, one_line_error, process


def test_web_without_its_secret_says_which_variable(ready: Cli, site_dir: Path) -> None:
    """Without the signing key in the environment, `helpdesk web` names the variable and
    exits 1 in one line."""
    result = process(site_dir, "web", unset=("HELPDESK_WEB_SECRET",))
    line = one_line_error(result)
    assert "HELPDESK_WEB_SECRET" in line and "[web] secret_env" in line


def test_web_with_a_short_secret_is_refused(ready: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPDESK_WEB_SECRET", "short")
    line = one_line_error(ready("web"))
    assert "too short" in line


def test_staff_password_is_stored_as_an_argon2_hash(ready: Cli) -> None:
    """The password is kept only as an argon2 hash, and it checks."""
    from helpdesk.passwords import check_password
    from helpdesk.wiring import Site

    result = ready("staff", "password", "rudi", "--stdin", input="kata-sandi-rudi-2026\n")
    assert result.exit_code == 0, result.output
    assert "password set for rudi (Rudi Hartono)" in result.output
    here = Site.load(None)
    with here.store.transaction() as tx:
        stored = tx.password_hash("rudi")
        assert stored is not None and stored.startswith("$argon2id$")
        assert "kata-sandi-rudi-2026" not in stored
        assert check_password(tx, "rudi", "kata-sandi-rudi-2026", here.now())
        assert not check_password(tx, "rudi", "kata-sandi-salah", here.now())


def test_staff_password_prompts_twice(ready: Cli) -> None:
    result = ready("staff", "password", "agus", input="kata-sandi-agus-1\nkata-sandi-agus-1\n")
    assert result.exit_code == 0, result.output


def test_staff_password_refuses_an_unknown_id_and_a_short_password(ready: Cli) -> None:
    assert "unknown staff id 'nobody'" in one_line_error(
        ready("staff", "password", "nobody", "--stdin", input="kata-sandi-panjang\n")
    )
    assert "at least 10 characters" in one_line_error(
        ready("staff", "password", "rudi", "--stdin", input="pendek\n")
    )
