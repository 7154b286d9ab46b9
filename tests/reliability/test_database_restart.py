"""PostgreSQL restarting between requests: the next request is served once the
database is back (or shows the error page while it is down), the worker retries rather
than sticking, and no fact is lost. Runs a PostgreSQL of the test's own, with the app
(gunicorn) and a worker as real processes against it."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import _missing, redis_available
from tests.reliability.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery"
SETUP = f"""
from academy.setup import academy_roles_ensure, academy_site_ensure
from courses.models import CataloguePage
from learners.models import User
from tests.factories import course_with_lessons
from tests.learners.conftest import lesson_body
academy_site_ensure(); academy_roles_ensure()
course = course_with_lessons(CataloguePage.objects.get(), modules=1, lessons=2,
                             body=lesson_body, title="Restart basics")
User.objects.create_user(email="pat@example.gov.uk", password="{PASSWORD}",
                         first_name="Pat", last_name="Restart")
"""


def postgres_bindir() -> Path | None:
    """Where this machine's PostgreSQL server binaries (initdb, pg_ctl) are: `pg_config
    --bindir`, else the directory of the running server's own executable (its
    postmaster's pid from `SHOW data_directory`/postmaster.pid, then /proc/<pid>/exe)."""
    candidates = []
    if shutil.which("pg_config"):
        found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        candidates.append(Path(found.stdout.strip()))
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres") and shutil.which("psql"):
        shown = subprocess.run(["psql", url, "-qAtXc", "SHOW data_directory"],
                               capture_output=True, text=True)
        try:
            pid = (Path(shown.stdout.strip()) / "postmaster.pid").read_text().split()[0]
            candidates.append(Path(os.readlink(f"/proc/{pid}/exe")).parent)
        except (OSError, IndexError):
            pass
    return next((path for path in candidates
                 if (path / "initdb").exists() and (path / "pg_ctl").exists()), None)


def as_postgres(*args, **kwargs):
    return subprocess.run(["runuser", "-u", "postgres", "--", *map(str, args)], check=True,
                          capture_output=True, text=True, timeout=120, **kwargs)


@pytest.fixture
def own_postgres():
    if not redis_available():
        _missing("needs Redis: set REDIS_URL")
    pg_bin = postgres_bindir()
    if pg_bin is None or shutil.which("runuser") is None:
        _missing("needs the PostgreSQL server binaries (initdb, pg_ctl: found with "
                 "`pg_config --bindir` or the running server's) and runuser")
    # Not under pytest's tmp_path: that is private to root, and the server runs as postgres.
    home = Path(tempfile.mkdtemp(prefix="academy-pg-"))
    data = home / "pg"
    data.mkdir()
    shutil.chown(home, "postgres")
    shutil.chown(data, "postgres")
    port = free_port()
    as_postgres(pg_bin / "initdb", "-D", data, "-A", "trust", "-U", "postgres")
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1"
    as_postgres(pg_bin / "pg_ctl", "-D", data, "-o", options, "-l", data / "log", "-w", "start")
    as_postgres(pg_bin / "createdb", "-h", "127.0.0.1", "-p", port, "academy")
    try:
        yield {"data": data, "port": port, "options": options, "bin": pg_bin,
               "url": f"postgres://postgres@127.0.0.1:{port}/academy"}
    finally:
        as_postgres(pg_bin / "pg_ctl", "-D", data, "-m", "immediate", "stop")
        shutil.rmtree(home, ignore_errors=True)


def csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken"[^>]*value="([^"]+)"', html).group(1)


def test_a_database_restart_between_requests_loses_nothing(own_postgres):
    import requests
    from django.conf import settings

    queue = f"pg-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test",
           "DATABASE_URL": own_postgres["url"], "REDIS_URL": settings.REDIS_URL,
           "CELERY_TASK_DEFAULT_QUEUE": queue, "CELERY_TASK_ALWAYS_EAGER": "1"}
    run = {"cwd": ROOT, "check": True, "timeout": 300, "capture_output": True}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], env=env, **run)
    subprocess.run([sys.executable, "manage.py", "shell", "-c", SETUP], env=env, **run)
    env["CELERY_TASK_ALWAYS_EAGER"] = "0"
    port = free_port()
    processes = [
        subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind",
                          f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning"],
                         cwd=ROOT, env=env),
        subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue,
                          "-c", "1", "--loglevel", "WARNING", "--without-gossip",
                          "--without-mingle", "--without-heartbeat"], cwd=ROOT, env=env),
    ]
    base = f"http://127.0.0.1:{port}"
    web = requests.Session()
    try:
        for _ in range(120):
            try:
                if web.get(base + "/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.5)
        page = web.get(base + "/sign-in/").text
        web.post(base + "/sign-in/", data={"csrfmiddlewaretoken": csrf(page),
                                           "username": "pat@example.gov.uk",
                                           "password": PASSWORD})
        course = web.get(base + "/courses/restart-basics/").text
        enrol_url = re.search(r'action="(/learning/courses/\d+/enrol/)"', course).group(1)
        assert web.post(base + enrol_url, data={"csrfmiddlewaretoken": csrf(course)},
                        allow_redirects=False).status_code == 302
        lessons = re.findall(r'href="(/courses/restart-basics/[^"]+/[^"]+/)"', course)
        lessons = list(dict.fromkeys(lessons))
        for number, lesson_url in enumerate(lessons):
            if number == 1:  # between two lessons, the database restarts
                as_postgres(own_postgres["bin"] / "pg_ctl", "-D", own_postgres["data"], "-o",
                            own_postgres["options"], "-l", own_postgres["data"] / "log",
                            "-m", "fast", "-w", "restart")
            html = web.get(base + lesson_url).text
            assert "Check your understanding" in html  # served again, not stuck
            lesson_id = re.search(r"/learning/lessons/(\d+)/answer/", html).group(1)
            check = re.search(r'name="check"[^>]*value="([^"]+)"', html).group(1)
            section = html[html.index(f'id="check-{check}"'):]
            for option in re.findall(r'name="answer"[^>]*value="([^"]+)"', section):
                web.post(f"{base}/learning/lessons/{lesson_id}/answer/",
                         data={"csrfmiddlewaretoken": csrf(html), "check": check,
                               "answer": option})
            done = web.post(f"{base}/learning/lessons/{lesson_id}/complete/",
                            data={"csrfmiddlewaretoken": csrf(html)}, allow_redirects=False)
            assert done.status_code == 302, "the fact must be recorded, not lost"
        for _ in range(120):  # the worker reconnects and catches up
            page = web.get(base + "/my-learning/").text
            if "Download certificate" in page:
                break
            time.sleep(1)
        assert "Download certificate" in page
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)
