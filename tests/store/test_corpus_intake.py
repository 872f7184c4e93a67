"""Every real-world message through the whole intake path: parse, route, store, answer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from helpdesk.jobs.mailbox import FOLDER_OF, process_message
from helpdesk.wiring import Site
from tests.unit.test_corpus import MISSING, corpus_files

NOW = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """One site for the whole corpus: later messages meet what earlier ones stored."""
    from helpdesk.config import load_config
    from tests.conftest import DEFAULT_CONFIG

    folder = tmp_path_factory.mktemp("corpus-site")
    (folder / "config.toml").write_text(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    here = Site(load_config(folder / "config.toml"))
    here.init()
    return here


@pytest.mark.parametrize("path", corpus_files())
def test_message_is_stored_with_an_outcome(corpus_site: Site, path: Path | None) -> None:
    """The message is processed without an exception, stored, and given a known outcome;
    automatic mail and bounces are never answered, and no report in the corpus (none
    carries a token of ours) alerts the help desk."""
    if path is None:
        pytest.fail(MISSING)
    with corpus_site.store.transaction() as tx:
        before = len(tx.outbox())
    processed = process_message(corpus_site, path.read_bytes(), source="inject", now=NOW)
    assert processed.outcome in FOLDER_OF or processed.duplicate, processed
    with corpus_site.store.transaction() as tx:
        replies = tx.outbox()[before:]
    if processed.outcome in ("automatic", "bounce"):
        assert replies == []
    if processed.outcome == "bounce":
        assert processed.detail.startswith("unverified: "), processed
