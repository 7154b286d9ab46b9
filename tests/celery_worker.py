"""Starts a real Celery worker process for a test: it consumes from the real Redis,
on a queue of its own, and works on the test's PostgreSQL database."""

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

from config.celery import app

ROOT = Path(__file__).resolve().parents[1]


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}")


def start_worker(*, queue: str, name: str, mail_dir: Path, broker_url: str,
                 concurrency: int = 2, extra_env: dict | None = None) -> subprocess.Popen:
    """Start a worker process (in a process group of its own, so a test can kill it and
    its children at once)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "TEST_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        **(extra_env or {}),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-n", name, "-Q", queue,
         "-c", str(concurrency), "--loglevel", "WARNING", "--without-gossip",
         "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, start_new_session=True,
    )


def point_app_at(broker_url: str, queue: str) -> dict:
    """Send this process's tasks to `queue` on `broker_url`; returns what to restore."""
    previous = {"task_always_eager": app.conf.task_always_eager,
                "task_default_queue": app.conf.task_default_queue,
                "broker_url": app.conf.broker_url}
    app.conf.update(task_always_eager=False, task_default_queue=queue, broker_url=broker_url)
    _forget_connections()
    return previous


def restore_app(previous: dict) -> None:
    app.conf.update(**previous)
    _forget_connections()


def _forget_connections() -> None:
    """Drop the pooled broker connections (as Celery does after a fork), so the next
    task goes to the broker now configured."""
    app._pool = None
    app.amqp._producer_pool = None


def wait_for_worker(name: str, process, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not app.control.ping(destination=[name], timeout=0.5):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the Celery worker did not start")


def stop(process, timeout: float = 20) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()


@contextmanager
def real_worker(mail_dir: Path, concurrency: int = 2):
    """Yield the worker's Popen; tasks sent meanwhile go through Redis to it."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    name = f"{queue}@localhost"
    process = start_worker(queue=queue, name=name, mail_dir=mail_dir,
                           broker_url=settings.REDIS_URL, concurrency=concurrency)
    previous = point_app_at(settings.REDIS_URL, queue)
    try:
        wait_for_worker(name, process)
        yield process
    finally:
        restore_app(previous)
        stop(process)


def wait_for(condition, timeout: float = 60, interval: float = 0.2):
    """Poll until condition() is truthy; return its value or fail after timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {condition.__doc__ or condition}")
