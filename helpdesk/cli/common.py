"""What every command shares: the site, the actor, errors, output."""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import typer

if TYPE_CHECKING:  # imported where a command first needs its site (see helpdesk.cli.main)
    from rich.console import Console

    from helpdesk.wiring import Site

USER_ENV = "HELPDESK_USER"


class _Console:
    """A rich Console made when first used: a command that prints nothing through it (a
    poll of an empty mailbox, whose one line is typer's) does not load rich."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._made: Console | None = None

    def get(self) -> Console:
        """The Console itself (for what takes one, such as a progress bar)."""
        made = self.__dict__.get("_made")
        if made is None:
            from rich.console import Console

            made = self._made = Console(**self._options)
        return made

    def __getattr__(self, name: str) -> Any:
        return getattr(self.get(), name)


# Piped output (files, scripts, tests) gets a width that fits a ticket table.
out = _Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 140)
err = _Console(stderr=True, highlight=False, soft_wrap=True)


class UserError(Exception):
    """A problem with what the user asked for: printed as one line per problem, exit 1,
    each line after ``prefix`` (``error``; ``kesalahan`` where the lines are Indonesian,
    so that no line mixes the two languages)."""

    def __init__(self, *lines: str, prefix: str = "error") -> None:
        self.lines = [line for line in lines if line]
        self.prefix = prefix
        super().__init__("\n".join(self.lines))


# The word before an error line in each language the office may write in.
ERROR_PREFIX = {"id": "kesalahan", "en": "error"}


def fail(*lines: str, language: str = "en") -> NoReturn:
    raise UserError(*lines, prefix=ERROR_PREFIX.get(language, "error"))


def site(ctx: typer.Context) -> Site:
    """The site named by --config (loaded on first use)."""
    root = ctx.find_root()
    if root.obj is None:
        root.obj = {}
    if "site" not in root.obj:
        from helpdesk.wiring import Site

        root.obj["site"] = Site.load(root.params.get("config"))
    return root.obj["site"]


def actor(explicit: str | None, *, what: str = "--by") -> str:
    """Who does this: the option, else ``$HELPDESK_USER``."""
    who = explicit or os.environ.get(USER_ENV)
    if not who:
        fail(f"say who you are with {what} ID or the {USER_ENV} environment variable")
    return who.strip()


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()
