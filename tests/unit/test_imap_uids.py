"""The UIDs of an IMAP command, written so that a server's longest command line holds them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from intake.imap import uid_lists, uid_set

UIDS = st.lists(st.integers(min_value=1, max_value=4_294_967_295), max_size=300)


def _members(written: str) -> set[int]:
    found: set[int] = set()
    for part in written.split(","):
        first, _, last = part.partition(":")
        found.update(range(int(first), int(last or first) + 1))
    return found


@given(UIDS.filter(bool))
def test_a_uid_set_names_exactly_its_uids(uids: list[int]) -> None:
    """A MOVE's set names the UIDs given and no other (a run only of UIDs all given)."""
    assert _members(uid_set(uids)) == set(uids)


def test_a_run_of_uids_is_written_as_its_ends() -> None:
    assert uid_set([3, 1, 2, 7, 9, 10, 10]) == "1:3,7,9:10"
    assert uid_set(range(1, 14_001)) == "1:14000"


@given(UIDS, st.integers(min_value=1, max_value=60))
def test_uid_lists_keep_the_order_and_each_line_under_its_bytes(
    uids: list[int], limit: int
) -> None:
    """The lists give the UIDs in their order; each, written with commas, fits ``limit``
    bytes unless it is one UID longer than that alone."""
    lists = list(uid_lists(uids, limit))
    assert [uid for part in lists for uid in part] == uids
    for part in lists:
        assert part
        assert len(",".join(map(str, part))) <= limit or len(part) == 1
