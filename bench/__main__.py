"""``python -m bench [--profile] [NAME...]``: run the benchmarks (all, or those named).

Each prints its figures with their targets (PASS or MISS). The run goes on after a miss
or a crash and exits 1 at the end if any target was missed or any benchmark failed.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import time
import traceback
from pathlib import Path

from bench import PROFILE_ENV

# The order of a full run; any other module of the package with a main() comes after.
ORDER = [
    "intake", "peers", "latency", "delivery", "sweep", "footprint", "phone_import", "startup",
    "postgresql",
]  # fmt: skip


def available() -> list[str]:
    here = Path(__file__).parent
    found = {m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_")}
    return [n for n in ORDER if n in found] + sorted(found - set(ORDER))


def main(argv: list[str] | None = None) -> int:
    names = available()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"any of: {', '.join(names)}")
    parser.add_argument(
        "--profile", action="store_true", help="print a pyinstrument profile of each measured part"
    )
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in names]
    if unknown:
        parser.error(f"no benchmark {', '.join(unknown)}; there are: {', '.join(names)}")
    if args.profile:
        os.environ[PROFILE_ENV] = "1"
    chosen = args.names or names
    failed: list[str] = []
    for name in chosen:
        module = importlib.import_module(f"bench.{name}")
        entry = getattr(module, "main", None)
        if entry is None:
            continue  # a helper module, not a benchmark
        print(f"== {name}", flush=True)
        started = time.monotonic()
        saved, sys.argv = sys.argv, [f"bench.{name}"]  # a main(argv=None) sees no options
        try:
            result = entry()
        except Exception:  # noqa: BLE001 - one broken benchmark must not hide the others
            traceback.print_exc()
            print(f"{name}: FAILED (exception above)", flush=True)
            result = False
        finally:
            sys.argv = saved
        ok = result is None or result is True or (type(result) is int and result == 0)
        if not ok:
            failed.append(name)
        print(f"   ({name} took {time.monotonic() - started:.1f} s)", flush=True)
    if failed:
        print(f"missed or failed: {', '.join(failed)}", flush=True)
        return 1
    print("every target met", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
