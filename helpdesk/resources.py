"""The files that ship inside the program as package data (pyproject.toml), found through
``importlib.resources``: an installed wheel has them as a checkout does, wherever it runs.

The templates are their packages' own: the printed documents and the report in
``records/templates``, the e-mails in ``notifier/templates/email``.
``DEFAULT_CONFIG`` is the documented default configuration: the same bytes as
``config.toml`` at the repository root, which a test holds.
"""

from __future__ import annotations

import os
import secrets
from importlib.resources import files
from pathlib import Path

_PACKAGE = files("helpdesk")
DEFAULT_CONFIG = _PACKAGE / "defaults" / "config.toml"


def default_config_text() -> str:
    """The default configuration, as written in ``config.toml``."""
    return DEFAULT_CONFIG.read_text(encoding="utf-8")


def write_default_config(target: Path) -> bool:
    """Write the default configuration to ``target`` unless a file is there; True when it
    was written. Written under a temporary name and linked into place, so that a full disk
    leaves no half file and a file that appeared meanwhile is never replaced. Raises OSError.
    """
    temporary = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        with open(temporary, "x", encoding="utf-8") as out:
            out.write(default_config_text())
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temporary, target)
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links: rename, unless one is there now
            if target.exists():
                return False
            os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return True
