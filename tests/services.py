"""Reach the real PostgreSQL, Redis and a Celery worker; skip outside CI when absent."""

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
if os.environ.get("PYTEST_XDIST_WORKER"):  # gw0, gw1 …: each test process its own database
    _base, _, _db = REDIS_URL.rpartition("/")
    _n = int(os.environ["PYTEST_XDIST_WORKER"][2:])
    REDIS_URL = f"{_base}/{(int(_db) + 1 + _n) % 16}"  # the next ones: one process runs beside


def require_services():
    """Skip when PostgreSQL or Redis is missing, except in CI, where that is a failure."""
    problems = []
    if connection.vendor != "postgresql":
        problems.append("the tests are not running on PostgreSQL (set DATABASE_URL)")
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means no usable Redis
        problems.append(f"Redis at {REDIS_URL} is not reachable ({exc})")
    if problems:
        message = "; ".join(problems)
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the service tests: {message}")
        pytest.skip(message)


def database_url():
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    """A real `celery worker` process on its own queue, against the test database: one
    process (the solo pool), or one pool process under a parent (pool="prefork").

    Started through the `celery_worker` fixture only, which marks the test `worker` (so that
    `scripts/test --fast` leaves it out) and stops the process after it.
    """

    allowed = False  # True while the celery_worker fixture is in use

    def __init__(self, queue, broker=REDIS_URL, pool="solo", **env):
        self.queue, self.broker, self.pool, self.env = queue, broker, pool, env
        self.process = None

    def start(self):
        if not Worker.allowed:
            raise RuntimeError("start Celery workers with the celery_worker fixture")
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": self.broker,
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            **self.env,
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "qualityplan",
                "worker",
                f"--pool={self.pool}",
                "--concurrency=1",
                "-Q",
                self.queue,
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 60
        for line in self.process.stdout:
            if "ready." in line:
                return self
            if time.monotonic() > deadline:
                break
        self.stop()
        raise RuntimeError("the Celery worker did not start")

    def kill(self):
        """Die at once, as a crashed machine would: no clean-up, no acknowledgements."""
        self.process.kill()
        self.process.wait(timeout=20)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def wait_for(predicate, timeout=60, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def lock_waiters():
    """The process ids of the other sessions of the test database that wait for a lock."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else read once per transaction
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return [pid for (pid,) in cursor.fetchall()]


def session_ended(pid):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT NOT EXISTS (SELECT FROM pg_stat_activity WHERE pid = %s)", [pid])
        return cursor.fetchone()[0]


def use_broker(app, **conf):
    """Point this process's Celery app at another broker, dropping cached connections."""
    from kombu import pools

    app.conf.update(conf)
    pools.reset()  # kombu keeps producer pools per broker, process-wide
    app._pool = None
    app.amqp._producer_pool = None


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A Redis server of the test's own, on a free port, that the test can stop and restart."""

    def __init__(self):
        self.port = free_port()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        import shutil

        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        assert wait_for(lambda: _pings(client), timeout=20), "redis-server did not start"
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


def _pings(client):
    try:
        return client.ping()
    except Exception:  # noqa: BLE001 - not up yet
        return False


@contextmanager
def broker_down():
    """This process's Celery app sends to a port where nothing listens: as when Redis is down."""
    from qualityplan.celery import app

    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    use_broker(app, broker_url=f"redis://127.0.0.1:{free_port()}/0", task_always_eager=False)
    try:
        yield
    finally:
        use_broker(app, **saved)
