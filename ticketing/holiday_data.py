"""One country's holidays from the ``holidays`` library, loaded without the other 277.

``holidays.country_holidays("ID")`` imports ``holidays.countries.indonesia``, and with it
the package ``holidays.countries``, whose ``__init__`` imports every country's module:
some 300 modules and 0.1 s of CPU, paid by every command at the configuration's check
and by the first deadline of a process. The library's registry
(``holidays.registry.COUNTRIES``) names each country's module and the names it is known
by (its class, its ISO codes, aliases) without importing any; the one module named is
loaded here from its file under its own name, as the standard library's recipe
"importing a source file directly" does, so that the library's own class (the same
object a later ``import holidays.countries`` finds in ``sys.modules``) checks the
subdivision and the categories and computes the holidays exactly as
``country_holidays`` would. A country whose module imports another country's (a
territory with its parent's holidays) is imported the library's way.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from holidays import HolidayBase

_LOCK = threading.Lock()


class UnknownCountry(NotImplementedError):
    """No holiday data for this name (as ``country_holidays`` raises NotImplementedError)."""


def _module_of(name: str) -> str | None:
    """The library's module (``holidays.countries.indonesia``) of a country known as
    ``name`` (``ID``, ``IDN``, ``Indonesia``); None when the library has none."""
    from holidays.registry import COUNTRIES, FINANCIAL

    for prefix, registry in (("countries", COUNTRIES), ("financial", FINANCIAL)):
        for module, names in registry.items():
            if name in names:
                return f"holidays.{prefix}.{module}"
    return None


def holiday_class(name: str) -> type[HolidayBase]:
    """The library's class of the country known as ``name``; UnknownCountry otherwise."""
    module_name = _module_of(name)
    if module_name is None:
        raise UnknownCountry(f"Country {name} not available")
    with _LOCK:
        module = sys.modules.get(module_name) or _load_alone(module_name)
    from holidays.registry import COUNTRIES, FINANCIAL

    short = module_name.rpartition(".")[2]
    class_name = (COUNTRIES.get(short) or FINANCIAL[short])[0]
    cls: type[HolidayBase] = getattr(module, class_name)
    return cls


def _load_alone(module_name: str) -> Any:
    import holidays

    package, _, short = module_name.rpartition(".")
    path = Path(holidays.__file__).parent / package.rpartition(".")[2] / f"{short}.py"
    try:
        source = path.read_text(encoding="utf-8")
    except OSError:
        source = None
    if package in sys.modules or source is None or f"{package}." in source:
        # The package is loaded already, the file is not where the library keeps it, or
        # the module needs another of the package's: the library's own way.
        return importlib.import_module(module_name)
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        return importlib.import_module(module_name)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


def country_holidays(
    country: str,
    *,
    subdiv: str | None = None,
    years: int | Iterable[int] = (),
    categories: tuple[str, ...] | None = None,
    language: str | None = None,
) -> HolidayBase:
    """``holidays.country_holidays`` with the same arguments and the same errors
    (NotImplementedError for an unknown country or subdivision, ValueError for an unknown
    category), loading only the country's module."""
    cls = holiday_class(country)
    return cls(years=years, subdiv=subdiv, categories=categories, language=language)
