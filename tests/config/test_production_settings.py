"""Production settings refuse unsafe configuration, and pass `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAFE = {
    "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-" + "x" * 20,
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/academy",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "academy.example.gov.uk",
}


def run_with(env_overrides: dict, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in SAFE}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.production", **env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=120, check=False,
    )


@pytest.mark.parametrize("missing", sorted(SAFE))
def test_production_refuses_to_start_without_each_required_variable(missing):
    env = {k: v for k, v in SAFE.items() if k != missing}
    result = run_with(env, "check")
    assert result.returncode != 0
    assert "Production settings need these environment variables" in result.stderr
    assert missing in result.stderr


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be a random value"),
        ({"DATABASE_URL": "sqlite:////tmp/x.db"}, "must point at PostgreSQL"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS must name the hosts"),
    ],
)
def test_production_refuses_unsafe_values(override, message):
    result = run_with(SAFE | override, "check")
    assert result.returncode != 0
    assert message in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = run_with(SAFE, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout
