"""The compose file, the env example and the production settings agree with the code."""

import importlib
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ["web", "worker", "beat"]


def settings_read():
    """Every environment variable the settings modules read."""
    names = set()
    for module in ("settings.py", "settings_production.py"):
        source = (ROOT / "qualityplan" / module).read_text(encoding="utf-8")
        names |= set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', source))
    return names


def env_example():
    names = []
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            names.append(line.split("=", 1)[0])
    return names


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_the_stack_has_its_services_with_health_checks_and_volumes(compose):
    services = compose["services"]
    assert set(services) == {"web", "worker", "beat", "db", "redis"}
    assert all("healthcheck" in s for s in services.values())
    assert set(compose["volumes"]) == {"pgdata", "redisdata", "media"}
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]


@pytest.mark.parametrize("name", APP_SERVICES)
def test_each_app_service_runs_a_real_module(compose, name):
    command = compose["services"][name]["command"]
    if "gunicorn" in command:
        target = re.search(r"gunicorn (\S+)", command).group(1)
        module, attribute = target.split(":")
        assert callable(getattr(importlib.import_module(module), attribute))
    else:
        app = re.search(r"celery -A (\S+)", command).group(1)
        assert importlib.import_module(app).celery_app.main == "qualityplan"
        assert command.split()[3] in ("worker", "beat")


def test_every_setting_in_the_env_file_is_read_by_the_settings(compose):
    read = settings_read()
    example = env_example()
    # The db service reads POSTGRES_PASSWORD; everything else is the app's own.
    assert set(example) - {"POSTGRES_PASSWORD"} <= read
    for name in APP_SERVICES:
        assert set(compose["services"][name].get("environment", {})) <= read | {
            "DJANGO_SETTINGS_MODULE"
        }
        assert compose["services"][name]["env_file"] == ".env"


def test_every_setting_the_code_reads_is_documented_with_a_comment():
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    documented = {}
    for n, line in enumerate(lines):
        if line and not line.startswith("#"):
            documented[line.split("=", 1)[0]] = lines[n - 1].startswith("#")
    assert settings_read() <= set(documented)
    assert all(documented.values())


def _production_env(**extra):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "qualityplan.settings_production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "CACHE_URL": "rediscache://127.0.0.1:6379/1",
        "ALLOWED_HOSTS": "quality.example.gov.cn",
        **extra,
    }


def _check(env):
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_check_deploy_reports_nothing_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_a_weak_secret_key():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=_production_env(SECRET_KEY="short"),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("cache_url", [None, "locmemcache://qualityplan"])
def test_production_refuses_a_cache_local_to_one_process(cache_url):
    env = _production_env()
    del env["CACHE_URL"]
    if cache_url:
        env["CACHE_URL"] = cache_url
    result = _check(env)
    assert result.returncode != 0 and "CACHE_URL" in result.stderr


def test_the_image_build_fails_on_a_failed_step_and_its_settings_import():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "|| true" not in dockerfile
    step = dockerfile[dockerfile.index("RUN export") : dockerfile.index("manage.py collectstatic")]
    build = dict(re.findall(r"([A-Z_]+)=(\S+)", step))
    assert {"SECRET_KEY", "CELERY_BROKER_URL", "CACHE_URL"} <= set(build)
    env = {k: v for k, v in _production_env().items() if k not in build} | build
    result = _check(env)
    assert result.returncode == 0, result.stderr
