"""One country's holidays, loaded without the library's other countries, are the library's."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Each side in a fresh process, so that neither finds the other's modules loaded.
_HOLIDAYS = r"""
import json, sys
way, names = sys.argv[1], sys.argv[2:]
found = {}
for name in names:
    try:
        if way == "library":
            import holidays
            days = holidays.country_holidays(name, years=(2025, 2026), language="id",
                                             categories=("public",))
        else:
            from ticketing.holiday_data import country_holidays
            days = country_holidays(name, years=(2025, 2026), language="id",
                                    categories=("public",))
        found[name] = sorted((str(day), what) for day, what in days.items())
    except Exception as exc:
        kind = "NotImplementedError" if isinstance(exc, NotImplementedError) else "other"
        found[name] = f"{kind}: {exc}"
countries = sorted(m for m in sys.modules if m.startswith("holidays.countries"))
print(json.dumps({"found": found, "countries": countries}))
"""


def _holidays(way: str, *names: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _HOLIDAYS, way, *names],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize(
    "names", [("ID",), ("IDN", "Indonesia"), ("AS",), ("US", "DE", "JP"), ("XX", "NYSE")]
)
def test_a_countrys_holidays_are_the_librarys(names: tuple[str, ...]) -> None:
    """By code, alias or class name, and for a territory whose module uses its parent's
    (American Samoa: the United States'), the days and their names are those the library
    gives."""
    ours = _holidays("alone", *names)
    assert ours["found"] == _holidays("library", *names)["found"]


def test_one_country_loads_one_countrys_module() -> None:
    """Indonesia's holidays load Indonesia's module, not the package of all countries."""
    ours = _holidays("alone", "ID")
    assert ours["countries"] == ["holidays.countries.indonesia"]


def test_an_unknown_country_is_refused_as_by_the_library() -> None:
    """A name the library does not know is NotImplementedError, as for the library."""
    from ticketing.holiday_data import UnknownCountry, country_holidays

    with pytest.raises(UnknownCountry):
        country_holidays("XX")
    assert issubclass(UnknownCountry, NotImplementedError)
