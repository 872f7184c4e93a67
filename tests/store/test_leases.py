"""The leases on the jobs that one daemon at a time runs, on both databases."""

from __future__ import annotations

from helpdesk.wiring import Site

HOUR = 3600.0


def _take(site: Site, holder: str, seconds: float = HOUR) -> bool:
    with site.store.transaction() as tx:
        return tx.take_lease("mailbox", holder, seconds)


def _held(site: Site) -> list[tuple[str, str, float]]:
    with site.store.transaction() as tx:
        return [(lease.name, lease.holder, lease.since) for lease in tx.leases()]


def test_a_lease_is_held_by_one_daemon_until_it_runs_out(site: Site) -> None:
    """The first daemon takes the lease and keeps it while renewing; the second is refused
    while it runs, and takes it once it has not been renewed for the timeout."""
    assert _take(site, "pc-a:1")
    [(_, holder, since)] = _held(site)
    assert holder == "pc-a:1"
    assert not _take(site, "pc-b:2")
    assert _take(site, "pc-a:1")  # renewed: held since the first time
    assert _held(site) == [("mailbox", "pc-a:1", since)]
    # A timeout shorter than the time since the last renewal (any time has passed since
    # then, and -1 s is shorter than none): the lease has run out.
    assert _take(site, "pc-b:2", seconds=-1.0)
    [(_, holder, taken)] = _held(site)
    assert holder == "pc-b:2" and taken >= since
    assert not _take(site, "pc-a:1")


def test_a_released_lease_is_taken_at_once(site: Site) -> None:
    assert _take(site, "pc-a:1")
    with site.store.transaction() as tx:
        tx.release_lease("mailbox", "pc-b:2")  # not b's: nothing happens
    assert not _take(site, "pc-b:2")
    with site.store.transaction() as tx:
        tx.release_lease("mailbox", "pc-a:1")
    assert _held(site) == []
    assert _take(site, "pc-b:2")


def test_the_database_clock_moves_on(site: Site) -> None:
    with site.store.transaction() as tx:
        first = tx.database_clock()
    with site.store.transaction() as tx:
        assert tx.database_clock() >= first > 1.7e9  # seconds since 1970, after 2023
