"""Browser tests: the academy served by a real gunicorn process, with a real Celery
worker, on its own PostgreSQL database loaded with the demo academy, driven by
Debian's Chromium through Playwright, checked with axe-core from npm."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.conftest import _missing, redis_available

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORD = "learn-digital-2026"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, process, timeout=240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the web server exited")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the web server did not become healthy")


def chromium_path() -> str:
    """Chromium from PATH: `chromium` (Debian) or `chromium-browser`. Missing, the
    browser tests are skipped, or fail with ACADEMY_REQUIRE_SERVICES=1, saying so."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        _missing("needs Chromium on PATH as `chromium` or `chromium-browser` "
                 "(Debian package chromium)")
    return found


@pytest.fixture(scope="session")
def academy(tmp_path_factory):
    """Start the stack; yield a dict with its base URL and demo codes."""
    from django.conf import settings

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        _missing("needs PostgreSQL: set DATABASE_URL=postgres://…")
    if not redis_available():
        _missing("needs Redis: set REDIS_URL")
    chromium_path()
    if not AXE.exists():
        _missing("needs node_modules/axe-core (npm ci)")

    import psycopg

    name = f"academy_e2e_{uuid.uuid4().hex[:8]}"
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    queue = f"e2e-{uuid.uuid4().hex[:8]}"
    mail = tmp_path_factory.mktemp("mail")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test",
           "DATABASE_URL": database_url.rsplit("/", 1)[0] + "/" + name,
           "REDIS_URL": settings.REDIS_URL, "CELERY_TASK_ALWAYS_EAGER": "0",
           "CELERY_TASK_DEFAULT_QUEUE": queue,
           "TEST_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
           "EMAIL_FILE_PATH": str(mail)}
    # Load the demo with tasks run in-process, so it is complete before the server starts.
    # About a minute on a quiet machine; the limit allows for one that is busy.
    run = {"cwd": ROOT, "env": env | {"CELERY_TASK_ALWAYS_EAGER": "1"}, "check": True,
           "timeout": 900}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], **run)
    subprocess.run([sys.executable, "manage.py", "load_demo_academy"], **run,
                   capture_output=True)
    setup = subprocess.run([sys.executable, "manage.py", "shell", "-c",
                            (Path(__file__).parent / "setup_data.py").read_text()],
                           **run, capture_output=True, text=True)
    codes = dict(re.findall(r"(\w+)=(\S+)", setup.stdout.split("E2E", 1)[1]))
    port = _free_port()
    # SCORM packages run on the other loopback name: another site, without the
    # academy's cookies (learners/scorm_content.py).
    env["SCORM_CONTENT_ORIGIN"] = f"http://localhost:{port}"
    processes = [
        subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi:application",
                          "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4",
                          "--log-level", "warning"], cwd=ROOT, env=env),
        subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue,
                          "-c", "2", "--loglevel", "WARNING", "--without-gossip",
                          "--without-mingle", "--without-heartbeat"], cwd=ROOT, env=env),
    ]
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, processes[0])
        # env: for a test that adds its own records with `manage.py shell` (same database).
        yield {"base": base, "mail": mail, "queue": queue, "env": env, **codes}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def browser(academy):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(),
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, academy):
    # bypass_csp lets the test inject axe-core; test_pages_break_no_content_security_policy
    # checks the policy itself with it on.
    context = browser.new_context(base_url=academy["base"], bypass_csp=True,
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page) -> list[dict]:
    """Run axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on the page as it is now, once
    what is fading or moving in has finished (Wagtail's admin messages fade in over half
    a second: measured halfway, their text has half its contrast)."""
    page.evaluate("""async () => {
        await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
        const moving = document.getAnimations().filter(animation =>
            animation.playState === "running"
            && animation.effect.getTiming().iterations !== Infinity);
        await Promise.race([
            Promise.all(moving.map(animation => animation.finished.catch(() => null))),
            new Promise(done => setTimeout(done, 5000))]);
    }""")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: ["wcag2a", "wcag2aa", "wcag21a",
                                                     "wcag21aa", "wcag22aa"]});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
    }""")
    return result


def sign_in(page, email, password=PASSWORD):
    page.goto("/sign-in/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("button:has-text('Sign in')")
    page.wait_for_load_state()


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def assert_no_sideways_scroll(page) -> None:
    """The page fits its window: nothing makes the whole page scroll sideways."""
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"the page scrolls sideways: {width}px in {viewport}px"


def academy_shell(academy, script: str) -> str:
    """Run `script` with `manage.py shell` on the stack's database, tasks in-process (for
    a test that adds its own records); return what it printed."""
    made = subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT,
                          env=academy["env"] | {"CELERY_TASK_ALWAYS_EAGER": "1"},
                          capture_output=True, text=True, timeout=120, check=True)
    return made.stdout
