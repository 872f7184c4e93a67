"""CSV for spreadsheets: a cell must never run as a formula."""

from __future__ import annotations

import csv
import io

import pytest

from records.tables import csv_text, safe_cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+62812", "'+62812"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Dinas Kesehatan", "Dinas Kesehatan"),
        ("a=b", "a=b"),
        (-3, "-3"),  # a number is a value, not a formula
        (2.5, "2.5"),
        (None, ""),
        (True, "ya"),
    ],
)
def test_safe_cell(value: object, cell: str) -> None:
    assert safe_cell(value) == cell


def test_csv_text_guards_every_cell_and_quotes_as_csv_does() -> None:
    text = csv_text(["=header"], [['=HYPERLINK("http://x","y")'], ["line one\nline two"]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["'=header"], ['\'=HYPERLINK("http://x","y")'], ["line one\nline two"]]
    assert text.endswith("\r\n")
