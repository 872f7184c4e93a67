"""Start-up: how long ``helpdesk --help`` takes, as a person typing it waits for it.

The installed console script runs ``--help`` ``--runs`` times in fresh processes (after one
run to warm the file cache); the figure is the median wall time, with the fastest and the
slowest beside it. ``--profile`` adds the imports that take longest (``python -X
importtime``), cumulative, in milliseconds.

    ./bench/run startup           (or: python -m bench startup)
    python -m bench.startup --tree DIR     the same for another copy of the source, e.g.
                                           `git archive` of an older commit unpacked in DIR
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from bench import REPO, figure, info, median, profiling_requested

NAME = "startup"
RUNS = 10
TARGET_SECONDS = 0.5


def command(tree: Path | None) -> tuple[list[str], dict[str, str]]:
    """How to run ``helpdesk``: the installed script, or ``python -m helpdesk`` on ``tree``."""
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
        return [sys.executable, "-m", "helpdesk"], env
    script = Path(sys.executable).with_name("helpdesk")
    if script.exists():
        return [str(script)], env
    return [sys.executable, "-m", "helpdesk"], env


def run_once(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run([*argv, "--help"], env=env, cwd=cwd, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def slowest_imports(env: dict[str, str], cwd: Path, count: int = 15) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "helpdesk", "--help"],
        env=env, cwd=cwd, capture_output=True, text=True, check=True,
    )  # fmt: skip
    rows = []
    for line in done.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    return [f"{us / 1000:7.1f} ms {name}" for us, name in sorted(rows, reverse=True)[:count]]


def main(argv: list[str] | None = None) -> bool:
    """Run the benchmark; True when the target was met."""
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__)
    parser.add_argument("--runs", type=int, default=RUNS, help=f"processes to time ({RUNS})")
    parser.add_argument("--tree", type=Path, help="time `python -m helpdesk` of this source tree")
    args = parser.parse_args(argv or [])

    program, env = command(args.tree)
    cwd = args.tree or REPO
    run_once(program, env, cwd)  # the file cache, not the program, is warmed
    times = [run_once(program, env, cwd) for _ in range(args.runs)]
    seconds = median(times)
    info(
        f"{' '.join(Path(program[0]).name if i == 0 else a for i, a in enumerate(program))} "
        f"--help, {args.runs} runs: fastest {min(times):.2f} s, slowest {max(times):.2f} s"
    )
    if profiling_requested():
        print(f"\n===== slowest imports of {NAME} (cumulative) =====", file=sys.stderr)
        for line in slowest_imports(env, cwd):
            print(line, file=sys.stderr)
    return figure(
        NAME, f"helpdesk --help in {seconds:.2f} s (median)", f"under {TARGET_SECONDS} s",
        seconds < TARGET_SECONDS,
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(0 if main(sys.argv[1:]) else 1)
