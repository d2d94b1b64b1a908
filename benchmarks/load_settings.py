"""Settings for benchmarks/load_test.py only: production settings, on plain HTTP over loopback.

DJANGO_SETTINGS_MODULE=benchmarks.load_settings. Differences from qualityplan.settings_production,
all needed because the load test talks plain HTTP to 127.0.0.1 and logs many users in:

- a fast password hasher (MD5): logging in 70 users must not cost a PBKDF2 each;
- cookies not marked Secure and no redirect to HTTPS (there is no TLS proxy in front);
- with QUALITYPLAN_LOAD_EAGER=1 (the setup steps only) Celery tasks run in-process, so that
  nothing set up is left queued for the worker of the measured run.
"""

import os

os.environ.setdefault("SECRET_KEY", "load-test-only-" + "k" * 60)
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")

from qualityplan.settings_production import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_PRELOAD = False
SECURE_HSTS_INCLUDE_SUBDOMAINS = False

if os.environ.get("QUALITYPLAN_LOAD_EAGER") == "1":
    CELERY_TASK_ALWAYS_EAGER = True
