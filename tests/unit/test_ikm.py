"""The IKM arithmetic of PermenPANRB 14/2017: known answers at every grade boundary."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from ticketing import ikm


def test_nine_elements_in_both_languages_with_four_labels() -> None:
    assert ikm.CODES == ("U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9")
    assert ikm.ELEMENTS[3].name_id == "Biaya/Tarif"
    assert "biaya" in ikm.ELEMENTS[3].question_id.lower()
    assert "fee" in ikm.ELEMENTS[3].question("en")
    for element in ikm.ELEMENTS:
        assert element.question("id") != element.question("en")
        assert len(element.labels("id")) == len(element.labels("en")) == 4
        assert len(set(element.labels("id"))) == 4


def test_a_perfect_score_is_exactly_100_and_grade_a() -> None:
    result = ikm.compute([[4] * 9, [4] * 9, [4] * 9])
    assert result.exact == Fraction(100)
    assert result.value == Decimal("100.00")
    assert str(result.value) == "100.00"
    assert result.mutu == "A"
    assert result.grade is not None and result.grade.kinerja("id") == "Sangat Baik"


def test_all_ones_is_25_and_grade_d() -> None:
    result = ikm.compute([[1] * 9])
    assert result.value == Decimal("25.00")
    assert result.mutu == "D"
    assert result.grade is not None and result.grade.kinerja("id") == "Tidak Baik"


@pytest.mark.parametrize(
    ("value", "mutu"),
    [
        ("100.00", "A"),
        ("88.31", "A"),
        ("88.30", "B"),
        ("76.61", "B"),
        ("76.60", "C"),
        ("65.00", "C"),
        ("64.99", "D"),
        ("25.00", "D"),
    ],
)
def test_each_boundary_both_sides(value: str, mutu: str) -> None:
    assert ikm.grade(Decimal(value)).mutu == mutu


def test_a_grade_is_read_at_two_decimals_halves_up() -> None:
    assert ikm.grade(Fraction(88305, 1000)).mutu == "A"  # 88.305 prints as 88.31
    assert ikm.grade(Fraction(883049, 10000)).mutu == "B"  # 88.3049 prints as 88.30
    assert ikm.grade(Fraction(649949, 10000)).mutu == "D"
    assert ikm.grade(Fraction(64995, 1000)).mutu == "C"


def test_an_ikm_outside_25_to_100_is_refused() -> None:
    with pytest.raises(ValueError, match="25.00 to 100.00"):
        ikm.grade(Decimal("24.99"))
    with pytest.raises(ValueError, match="25.00 to 100.00"):
        ikm.grade(Decimal("100.01"))


def test_known_answers_one_respondent_each_side_of_a() -> None:
    # One respondent: IKM = 25/9 x the sum of the nine scores.
    thirty_one = ikm.compute([[4, 4, 4, 4, 3, 3, 3, 3, 3]])  # sum 31: 86.111...
    assert thirty_one.value == Decimal("86.11")
    assert thirty_one.mutu == "B"
    thirty_two = ikm.compute([[4, 4, 4, 4, 4, 3, 3, 3, 3]])  # sum 32: 88.888...
    assert thirty_two.value == Decimal("88.89")
    assert thirty_two.mutu == "A"


def test_known_answers_at_65_exactly_and_just_below() -> None:
    # Five respondents, each element's scores summing to 13: every NRR 2.6, IKM 65.00.
    five = [[3] * 9, [3] * 9, [3] * 9, [2] * 9, [2] * 9]
    at = ikm.compute(five)
    assert at.nrr == {code: Fraction(13, 5) for code in ikm.CODES}
    assert at.exact == Fraction(65)
    assert at.value == Decimal("65.00")
    assert at.mutu == "C"
    # One element one point lower for one respondent: 65 - 25/45 = 64.444...
    below = ikm.compute([*five[:4], [1, 2, 2, 2, 2, 2, 2, 2, 2]])
    assert below.value == Decimal("64.44")
    assert below.mutu == "D"
    assert below.lowest() == "U1"


def test_known_answers_each_side_of_76_61() -> None:
    rows = [[3] * 9, [3] * 9, [3] * 9, [3] * 9, [3, 3, 3, 3, 3, 3, 3, 3, 1]]
    result = ikm.compute(rows)
    assert result.nrr["U9"] == Fraction(13, 5)
    assert result.value == Decimal("73.89")  # (8 x 3 + 2.6) x 25/9
    assert result.mutu == "C"
    all_threes = ikm.compute([[3] * 9])
    assert all_threes.value == Decimal("75.00")
    assert all_threes.mutu == "C"
    better = ikm.compute([[3, 3, 3, 3, 3, 3, 3, 3, 4], [3] * 9])  # 75 + 25/18 = 76.388...
    assert better.value == Decimal("76.39")
    assert better.mutu == "C"
    best = ikm.compute([[4, 3, 3, 3, 3, 3, 3, 3, 4], [3] * 9])  # 75 + 25/9 = 77.777...
    assert best.value == Decimal("77.78")
    assert best.mutu == "B"


def test_elements_left_unanswered_count_only_who_answered() -> None:
    result = ikm.compute(
        [
            [4, 4, 4, None, 4, 4, 4, 4, 4],
            [2, 2, 2, 2, 2, 2, 2, 2, None],
            [3, 3, 3, None, 3, 3, 3, 3, None],
        ]
    )
    assert result.respondents == 3
    assert result.nrr["U1"] == Fraction(3)
    assert result.nrr["U4"] == Fraction(2)  # only the second answered it
    assert result.nrr["U9"] == Fraction(4)  # only the first
    # (7 x 3 + 2 + 4) / 9 x 25 = 75.00
    assert result.value == Decimal("75.00")
    assert result.lowest() == "U4"
    assert result.nrr_rounded()["U4"] == Decimal("2.00")
    assert result.weighted()["U1"] == Decimal("0.333")


def test_an_element_nobody_answered_leaves_no_ikm() -> None:
    result = ikm.compute([[4, 4, 4, None, 4, 4, 4, 4, 4]])
    assert result.nrr["U4"] is None
    assert result.value is None and result.mutu is None
    assert ikm.compute([]).value is None
    assert ikm.compute([]).lowest() is None


def test_a_score_outside_1_to_4_or_a_short_response_is_refused() -> None:
    with pytest.raises(ValueError, match="1, 2, 3 or 4"):
        ikm.compute([[5, 4, 4, 4, 4, 4, 4, 4, 4]])
    with pytest.raises(ValueError, match="1, 2, 3 or 4"):
        ikm.compute([[0, 4, 4, 4, 4, 4, 4, 4, 4]])
    with pytest.raises(ValueError, match="9 scores, not 8"):
        ikm.compute([[4] * 8])
