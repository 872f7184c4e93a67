"""Start-up: how long a command takes when there is nothing for it to do.

- ``helpdesk --help``, as a person typing it waits for it: the installed console script in
  ``--runs`` fresh processes (after one to warm the file cache). Target: a median under
  0.5 s.
- ``helpdesk intake poll`` on an empty mailbox, as cron starts it every few minutes: the
  same, against a private Dovecot on loopback whose INBOX is empty, on an initialised
  site. Target: a median under 0.9 s, django-helpdesk's figure in issue 18. Beside it,
  when its virtual environment can be had (``bench/peers.py`` makes it once),
  django-helpdesk's ``manage.py get_email`` on the same empty INBOX, alternated run for
  run, and the ratio of the two medians.

Each figure is the median wall time, with the fastest and the slowest and the median CPU
time (user + system of the process) beside it. ``--profile`` adds the imports that take
longest (``python -X importtime``), cumulative, in milliseconds, of each command.

    ./bench/run startup           (or: python -m bench startup)
    python -m bench.startup --tree DIR     the same for another copy of the source, e.g.
                                           `git archive` of an older commit unpacked in DIR
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench import REPO, figure, info, make_site, median, profiling_requested, scratch

NAME = "startup"
RUNS = 10
TARGET_SECONDS = 0.5
POLL_RUNS = 7
POLL_TARGET_SECONDS = 0.9


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


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one process, which must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {done.stderr.strip()[-500:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def summary(times: list[tuple[float, float]]) -> str:
    walls = [wall for wall, _ in times]
    return (
        f"fastest {min(walls):.2f} s, slowest {max(walls):.2f} s,"
        f" CPU {median([cpu for _, cpu in times]):.2f} s (median)"
    )


def slowest_imports(argv: list[str], env: dict[str, str], cwd: Path, count: int = 15) -> list[str]:
    """The slowest imports of ``python -X importtime -m helpdesk ARGV``, cumulative."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "helpdesk", *argv],
        env=env, cwd=cwd, capture_output=True, text=True, check=True,
    )  # fmt: skip
    rows = []
    for line in done.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    return [f"{us / 1000:7.1f} ms {name}" for us, name in sorted(rows, reverse=True)[:count]]


def print_imports(label: str, lines: list[str]) -> None:
    print(f"\n===== slowest imports of {label} (cumulative) =====", file=sys.stderr)
    for line in lines:
        print(line, file=sys.stderr)


def help_figure(program: list[str], env: dict[str, str], cwd: Path, runs: int) -> bool:
    timed([*program, "--help"], env, cwd)  # the file cache, not the program, is warmed
    times = [timed([*program, "--help"], env, cwd) for _ in range(runs)]
    seconds = median([wall for wall, _ in times])
    info(f"helpdesk --help, {runs} runs: {summary(times)}")
    if profiling_requested():
        print_imports("helpdesk --help", slowest_imports(["--help"], env, cwd))
    return figure(
        NAME, f"helpdesk --help in {seconds:.2f} s (median)", f"under {TARGET_SECONDS} s",
        seconds < TARGET_SECONDS,
    )  # fmt: skip


def poll_figure(program: list[str], env: dict[str, str], runs: int) -> bool:
    """``helpdesk intake poll`` on an empty mailbox; django-helpdesk's ``get_email`` on the
    same mailbox, alternated, when its environment can be had."""
    from bench.peers import peer_python, peer_site
    from helpdesk.testing.imap import dovecot_available, dovecot_server

    label = "startup intake poll"
    if reason := dovecot_available():
        return figure(label, f"not run: {reason}", passed=False)
    python, where = peer_python()
    if python is None:
        info(f"django-helpdesk not measured: {where}")
    with (
        scratch("startup") as root,
        dovecot_server(root / "dovecot", {"helpdesk": "secret"}) as imap,
    ):
        site = make_site(root / "ours", imap_port=imap.port, init=False)
        ours_env = dict(env, HELPDESK_CONFIG=str(site.config.source))
        timed([*program, "init"], ours_env, root)  # by the program timed (see --tree)
        ours_argv = [*program, "intake", "poll"]
        peer: tuple[list[str], dict[str, str], Path] | None = None
        if python is not None:
            manage, peer_env = peer_site(python, root, imap.port)
            peer = ([*manage, "get_email", "--quiet"], peer_env, Path(manage[1]).parent)
        ours: list[tuple[float, float]] = []
        theirs: list[tuple[float, float]] = []
        for run in range(runs + 1):  # the first of each only warms the file cache
            wall, cpu = timed(ours_argv, ours_env, root)
            if run:
                ours.append((wall, cpu))
            if peer is not None:
                wall, cpu = timed(*peer)
                if run:
                    theirs.append((wall, cpu))
        if profiling_requested():
            lines = slowest_imports(["intake", "poll"], ours_env, root)
            print_imports("helpdesk intake poll", lines)
    seconds = median([wall for wall, _ in ours])
    info(f"helpdesk intake poll, empty mailbox, {runs} runs: {summary(ours)}")
    if theirs:
        peer_seconds = median([wall for wall, _ in theirs])
        info(f"django-helpdesk get_email, the same mailbox, {runs} runs, alternated:"
             f" {peer_seconds:.2f} s (median), {summary(theirs)};"
             f" {peer_seconds / seconds:.1f}x ours")  # fmt: skip
    return figure(
        label, f"helpdesk intake poll on an empty mailbox in {seconds:.2f} s (median)",
        f"under {POLL_TARGET_SECONDS} s", seconds < POLL_TARGET_SECONDS,
    )  # fmt: skip


def main(argv: list[str] | None = None) -> bool:
    """Run the benchmark; True when both targets were met."""
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__)
    parser.add_argument("--runs", type=int, default=RUNS, help=f"--help processes ({RUNS})")
    parser.add_argument(
        "--poll-runs", type=int, default=POLL_RUNS, help=f"polls, each side ({POLL_RUNS})"
    )
    parser.add_argument("--tree", type=Path, help="time `python -m helpdesk` of this source tree")
    args = parser.parse_args(argv or [])

    if args.tree is None:
        from bench.peers import byte_compiled

        byte_compiled()  # as an installed copy is (a --tree is compiled by whoever made it)
    program, env = command(args.tree)
    helped = help_figure(program, env, args.tree or REPO, args.runs)
    polled = poll_figure(program, env, args.poll_runs)
    return helped and polled


if __name__ == "__main__":
    sys.exit(0 if main(sys.argv[1:]) else 1)
