"""The respondents' profile as the IKM section counts it (records.ikm): every choice of
each question, then a value no longer offered, then those who left it out."""

from __future__ import annotations

from records.ikm import NOT_GIVEN, profile_count


def test_every_choice_is_listed_with_its_count_and_those_who_left_it_out() -> None:
    count = profile_count("education", ["S2", None, "S2", "SMA", ""], "id")
    assert [(r.code, r.label, r.count) for r in count.rows] == [
        ("SD", "SD ke bawah", 0),
        ("SMP", "SMP", 0),
        ("SMA", "SMA/SMK", 1),
        ("D1-D3", "D1–D3", 0),
        ("D4-S1", "D4/S1", 0),
        ("S2", "S2", 2),
        ("S3", "S3", 0),
        (None, NOT_GIVEN["id"], 2),
    ]
    assert sum(r.count for r in count.rows) == 5


def test_nobody_left_out_has_no_such_line() -> None:
    count = profile_count("sex", ["L", "P", "L"], "en")
    assert [(r.label, r.count) for r in count.rows] == [("Male", 2), ("Female", 1)]
    assert count.count(None) == 0


def test_a_value_no_longer_offered_is_counted_under_its_own_code() -> None:
    """An answer stored with a choice since dropped is not lost from the tally."""
    count = profile_count("occupation", ["PNS", "PPPK", "PPPK"], "id")
    assert [(r.code, r.count) for r in count.rows if r.count] == [("PNS", 1), ("PPPK", 2)]
    assert [r.code for r in count.rows][:6] == [
        "PNS", "TNI", "POLRI", "SWASTA", "WIRAUSAHA", "LAINNYA"
    ]  # fmt: skip
