"""Side by side with django-helpdesk: the same 1,000 complaints, the same Dovecot.

Set-up (not measured): django-helpdesk, pinned with everything it needs in
``bench/peers-requirements.txt``, in a virtual environment of its own under the user's
cache folder (made once, by this benchmark, with pip); a Django site for it (SQLite, its
migrations applied once, the database copied for each run; one queue reading the INBOX of
the Dovecot below; e-mail to the dummy backend, so that neither side sends anything). A
private Dovecot on loopback; before each run the 1,000 messages of ``bench/_mail.py`` are
put in its INBOX with MULTIAPPEND.

Measured: the whole process, as cron would start it, three runs each, alternating (our
modules byte-compiled first, as an installed copy's are: `byte_compiled`):
- ours: ``helpdesk intake poll`` on a freshly initialised site;
- theirs: ``manage.py get_email`` (its IMAP path: a FETCH per message, then \\Deleted and
  EXPUNGE).

Printed: each side's rate (messages per second of the whole process, the best run and the
range), its CPU time per message (user + system of the process), and the ratio of their
time to ours. Target: a ratio of at least 10 in whole-process time, and in CPU time as
well: on a machine doing other work django-helpdesk's time grows far beyond its CPU time
(it commits each ticket on its own, and waits for the disk), so a ratio in time alone
would pass on a busy machine and not on a quiet one.

What the two do is not the same work: django-helpdesk makes a ticket of every message
(1,000, the incomplete ones too, and again when the same mail is fetched twice); ours
checks the Formulir, answers the incomplete ones, keeps the raw message and queues the
acknowledgements. Both leave the INBOX empty; the run checks that.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
import venv
from pathlib import Path

from bench import REPO, figure, info, make_site, scratch

MESSAGES = 1000
RUNS = 3
TARGET_RATIO = 10.0
PEER = "django-helpdesk==2.6.1"
REQUIREMENTS = Path(__file__).with_name("peers-requirements.txt")

SETTINGS = """\
import os
SECRET_KEY = "bench-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages", "django.contrib.sites",
    "django.contrib.humanize", "rest_framework", "helpdesk",
]
HELPDESK_TEAMS_MODE_ENABLED = False  # else it needs pinax-teams
SITE_ID = 1
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                         "NAME": os.environ["PEER_DB"]}}
USE_TZ = True
TIME_ZONE = "Asia/Jakarta"
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
MEDIA_ROOT = os.environ["PEER_MEDIA"]
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
              "OPTIONS": {"context_processors": [
                  "django.template.context_processors.request",
                  "django.contrib.auth.context_processors.auth",
                  "django.contrib.messages.context_processors.messages"]}}]
MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware",
              "django.contrib.auth.middleware.AuthenticationMiddleware",
              "django.contrib.messages.middleware.MessageMiddleware"]
ROOT_URLCONF = "urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
"""
URLS = """\
from django.urls import include, path
urlpatterns = [path("helpdesk/", include("helpdesk.urls", namespace="helpdesk"))]
"""
MANAGE = """\
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
from django.core.management import execute_from_command_line
execute_from_command_line(sys.argv)
"""
QUEUE = """\
import os
from helpdesk.models import Queue
Queue.objects.create(
    title="Pengaduan", slug="pengaduan", email_address="helpdesk@example.go.id",
    allow_email_submission=True, email_box_type="imap", email_box_host="127.0.0.1",
    email_box_port=int(os.environ["PEER_IMAP_PORT"]), email_box_ssl=False,
    email_box_user="helpdesk", email_box_pass="secret", email_box_imap_folder="INBOX",
    email_box_interval=0, logging_type="none",
)
"""


def peer_python() -> tuple[Path | None, str]:
    """The peer's virtual environment's Python, made (and pip-installed) when missing;
    None with the reason when it cannot be."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    home = cache / "helpdesk-bench" / PEER.replace("==", "-")
    python = home / "bin" / "python"
    marker = home / "installed.txt"
    wanted = REQUIREMENTS.read_text(encoding="utf-8")
    if python.exists() and marker.exists() and marker.read_text(encoding="utf-8") == wanted:
        return python, f"{PEER} in {home}"
    info(f"installing {PEER} into {home} (once)")
    shutil.rmtree(home, ignore_errors=True)
    venv.EnvBuilder(with_pip=True).create(home)
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-deps", "-r", str(REQUIREMENTS)],
        capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["pip failed"])[-1]
        return None, f"{PEER} could not be installed: {last}"
    marker.write_text(wanted, encoding="utf-8")
    return python, f"{PEER} in {home}"


def peer_site(python: Path, root: Path, imap_port: int) -> tuple[list[str], dict[str, str]]:
    """A Django site for django-helpdesk in ``root/django`` (its database migrated, one
    queue reading the INBOX of the Dovecot at ``imap_port``): how to run its manage.py, and
    the environment to run it in (``PEER_DB`` names the migrated database)."""
    project = root / "django"
    project.mkdir()
    for name, text in (("settings.py", SETTINGS), ("urls.py", URLS), ("manage.py", MANAGE)):
        (project / name).write_text(text, encoding="utf-8")
    template = root / "peer-template.sqlite3"
    env = dict(os.environ, PEER_DB=str(template), PEER_MEDIA=str(root / "media"))
    env.pop("PYTHONPATH", None)
    manage = [str(python), str(project / "manage.py")]
    timed([*manage, "migrate", "-v0"], env, project)
    env["PEER_IMAP_PORT"] = str(imap_port)
    timed([*manage, "shell", "-c", QUEUE], env, project)
    return manage, env


# Our packages, as pyproject.toml names them.
PACKAGES = ("helpdesk", "intake", "notifier", "records", "ticketing")


def byte_compiled() -> None:
    """Our modules byte-compiled, as an installed copy's are: pip compiles a wheel's
    modules when it installs them (it did django-helpdesk's), and a process that may write
    its cache does so at its first start. Where PYTHONDONTWRITEBYTECODE is set, an editable
    checkout would otherwise be compiled from its source at every start (some 0.1 s),
    which no installed help desk does; the interpreter still reads the cache it finds."""
    import compileall

    for package in PACKAGES:
        compileall.compile_dir(REPO / package, quiet=1)


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:3])} failed: {done.stderr.strip()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main(argv: list[str] | None = None) -> bool:
    """Run the benchmark; True when the target was met."""
    parser = argparse.ArgumentParser(prog="python -m bench.peers", description=__doc__)
    parser.add_argument("--messages", type=int, default=MESSAGES, help=f"({MESSAGES})")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"each side ({RUNS})")
    args = parser.parse_args(argv or [])
    return compare(args.messages, args.runs)


def compare(messages: int, runs: int) -> bool:
    from bench._imap import append_all, count
    from bench._mail import complaints
    from helpdesk.testing.imap import dovecot_available, dovecot_server

    if reason := dovecot_available():
        return figure("peers", f"not run: {reason}", passed=False)
    python, where = peer_python()
    if python is None:
        return figure("peers", f"not run: {where}", passed=False)
    info(where)
    byte_compiled()
    mix = [raw for _, raw in complaints(messages)]
    ours: list[tuple[float, float]] = []
    theirs: list[tuple[float, float]] = []
    with (
        scratch("peers") as root,
        dovecot_server(root / "dovecot", {"helpdesk": "secret"}) as imap,
    ):
        manage, peer_env = peer_site(python, root, imap.port)
        project, template = Path(manage[1]).parent, Path(peer_env["PEER_DB"])
        helpdesk = [sys.executable, "-m", "helpdesk"]
        for run in range(1, runs + 1):
            # ours
            append_all(imap.port, mix)
            site = make_site(root / f"ours-{run}", imap_port=imap.port)
            env = dict(os.environ, HELPDESK_CONFIG=str(site.config.source))
            wall, cpu = timed([*helpdesk, "intake", "poll"], env, root)
            left = count(imap.port, "INBOX")
            with site.store.transaction() as tx:
                queued = sum(tx.outbox_counts().values())
            info(f"run {run}, ours: {wall:.2f} s, CPU {cpu:.2f} s; {queued} e-mails queued,"
                 f" {left} left in INBOX")  # fmt: skip
            if left:
                return figure("peers", f"ours left {left} messages", passed=False)
            ours.append((wall, cpu))
            # theirs
            append_all(imap.port, mix)
            database = root / f"peer-{run}.sqlite3"
            shutil.copyfile(template, database)
            env = dict(peer_env, PEER_DB=str(database))
            wall, cpu = timed([*manage, "get_email", "--quiet"], env, project)
            left = count(imap.port, "INBOX")
            with sqlite3.connect(database) as db:
                tickets = db.execute("SELECT count(*) FROM helpdesk_ticket").fetchone()[0]
            info(f"run {run}, django-helpdesk: {wall:.2f} s, CPU {cpu:.2f} s; {tickets} tickets,"
                 f" {left} left in INBOX")  # fmt: skip
            if left:
                return figure("peers", f"django-helpdesk left {left} messages", passed=False)
            theirs.append((wall, cpu))

    def line(side: list[tuple[float, float]]) -> str:
        rates = sorted(messages / wall for wall, _ in side)
        cpu = min(cpu for _, cpu in side) / messages * 1000
        return (f"{rates[-1]:.0f} messages/s (runs {rates[0]:.0f}-{rates[-1]:.0f}),"
                f" CPU {cpu:.1f} ms a message")  # fmt: skip

    figure("peers ours (helpdesk intake poll)", line(ours))
    figure(f"peers django-helpdesk ({PEER}, get_email)", line(theirs))
    ratio = min(w for w, _ in theirs) / min(w for w, _ in ours)
    cpu_ratio = min(c for _, c in theirs) / min(c for _, c in ours)
    return figure(
        "peers ratio",
        f"{ratio:.1f}x in whole-process time, {cpu_ratio:.1f}x in CPU (best runs)",
        f">= {TARGET_RATIO:.0f}x in time and in CPU",
        ratio >= TARGET_RATIO and cpu_ratio >= TARGET_RATIO,
    )


if __name__ == "__main__":
    sys.exit(0 if main(sys.argv[1:]) else 1)
