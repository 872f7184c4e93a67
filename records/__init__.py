"""A period's paperwork: periods, tables, charts, the printed documents, the service report
and its outputs, the archive bundle. Imports ticketing and notifier, never helpdesk: what it
needs of the office comes in as arguments (`notifier.policy.Office`, folders, a store).

``TEMPLATES`` holds the printed documents (``print/``) and the service report (``report/``),
package data found through ``importlib.resources``; pip installs a wheel unpacked, so the
folder is a real one, which Jinja2's FileSystemLoader reads."""

from importlib.resources import files
from pathlib import Path

TEMPLATES = Path(str(files("records") / "templates"))
