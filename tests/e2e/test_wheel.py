"""The program installed from its wheel into a fresh venv, away from the checkout, as an
office's server has it: its templates and default configuration come with it.

The wheel is built from a copy of this tree with the test venv's setuptools (no build
isolation, so no network). The fresh venv gets the wheel alone; the third-party libraries
come from the test venv through a ``.pth`` line, which adds that folder to ``sys.path``
without running its ``.pth`` files, so the checkout's editable install stays out.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("helpdesk", "intake", "notifier", "ticketing")
NOT_SOURCE = {".git", ".venv", "var", "build", "__pycache__", ".pytest_cache", ".ruff_cache",
              ".hypothesis"}  # fmt: skip


def _ignore(folder: str, names: list[str]) -> set[str]:
    return {n for n in names if n in NOT_SOURCE or n.endswith(".egg-info")}


def _run(*args: str | Path, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=timeout, **kwargs
    )


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel built from this tree installed in it."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    shutil.copytree(REPO, source, ignore=_ignore)
    wheels = base / "wheels"
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                 "--no-index", "--quiet", "--wheel-dir", wheels, source)  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = wheels.glob("helpdesk_tik-*.whl")
    venv = base / "venv"
    made = _run(sys.executable, "-m", "venv", "--without-pip", venv)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    installed = _run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps",
                     "--no-index", "--quiet", wheel)  # fmt: skip
    assert installed.returncode == 0, installed.stdout + installed.stderr
    purelib = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    libraries = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    (Path(purelib.stdout.strip()) / "zz-test-libraries.pth").write_text(
        "".join(f"{folder}\n" for folder in libraries)
    )
    return venv


def _env() -> dict[str, str]:
    drop = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
    return {k: v for k, v in os.environ.items() if not k.startswith("HELPDESK_") and k not in drop}


def _helpdesk(venv: Path, cwd: Path, *args: str, timeout: float = 120, **env: str):  # type: ignore[no-untyped-def]
    return _run(venv / "bin" / "helpdesk", *args, cwd=cwd, env={**_env(), **env}, timeout=timeout)


def test_installed_program_runs_from_the_wheel_not_the_checkout(venv: Path, tmp_path: Path) -> None:
    """Every package of the installed program is loaded from the venv, none from the tree."""
    done = _run(
        venv / "bin" / "python", "-c",
        f"import importlib\nfor name in {PACKAGES!r}:\n"
        "    print(importlib.import_module(name).__file__)",
        cwd=tmp_path, env=_env(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    files = [Path(line) for line in done.stdout.split()]
    assert len(files) == len(PACKAGES)
    for file in files:
        assert file.is_relative_to(venv), file
        assert not file.resolve().is_relative_to(REPO), file


def test_init_in_an_empty_folder_sets_up_a_site_on_the_default_config(
    venv: Path, tmp_path: Path
) -> None:
    """`helpdesk init` where there is no config.toml writes the documented default there
    and sets the site up next to it; run again, it keeps that file and has nothing to do."""
    office = tmp_path / "office"
    office.mkdir()
    first = _helpdesk(venv, office, "init")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "created" in first.stdout and "config.toml" in first.stdout
    assert (office / "config.toml").read_bytes() == (REPO / "config.toml").read_bytes()
    assert (office / "var" / "helpdesk.db").is_file()
    text = (office / "config.toml").read_text(encoding="utf-8")
    edited = text.replace('name = "Dinas Komunikasi', 'name = "Dinas Kominfo Uji Coba', 1)
    assert edited != text
    (office / "config.toml").write_text(edited, encoding="utf-8")
    again = _helpdesk(venv, office, "init")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "nothing to do" in again.stdout
    assert (office / "config.toml").read_text(encoding="utf-8") == edited


def test_demo_runs_from_the_wheel(venv: Path, tmp_path: Path) -> None:
    """`helpdesk demo` on the installed program runs to the end: the mailbox and the phone
    log handled, an overdue ticket shown, e-mails written and delivered, the Laporan Akhir
    and the service report printed (every template set and the default config shipped)."""
    # The bound is for a demo that hangs, not a speed target: it also starts the web
    # application now, and a loaded machine takes several minutes.
    done = _helpdesk(venv, tmp_path, "demo", "--dir", "demo", timeout=600)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert "Traceback" not in output
    assert "OVERDUE" in done.stdout and "Laporan Akhir" in done.stdout
    # the mailbox part: an e-mailed report completed by the reporter's reply
    assert "Siti Aminah" in done.stdout and "automatic" in done.stdout
    assert re.search(r"Subject: \[TIK-\d{4}-\d{5}\] Laporan Akhir", done.stdout)
    delivered = re.search(r"the SMTP server received (\d+) messages", done.stdout)
    assert delivered is not None and int(delivered.group(1)) > 0, done.stdout[-3000:]
    records = tmp_path / "demo" / "records"
    (laporan,) = records.glob("TIK-*-laporan.html")
    assert "Laporan Akhir" in laporan.read_text(encoding="utf-8")
    assert "<svg" in (records / "report-2026-11.html").read_text(encoding="utf-8")
    # the web channel: its pages (templates shipped) took a complaint, and it was stopped
    assert re.search(r"registered: TIK-\d{4}-\d{5}", done.stdout), done.stdout[-3000:]
    assert "/petugas      the staff desk" in done.stdout
    assert "(the web application is stopped)" in done.stdout
