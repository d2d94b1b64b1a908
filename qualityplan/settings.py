"""Settings read from the environment; every default works with no server at all."""

import tempfile
from pathlib import Path

import environ
import plotly
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])

INSTALLED_APPS = [
    # The admin under the product's name; logins land on each role's own page.
    "qualityplan.apps.QualityPlanAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "import_export",
    "axes",
    "accounts",
    "regions",
    "indicators",
    "reports",
    "dashboards",
    "ingestion",
    "alerts",
    "ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, reading the user's profile, roles and permissions in fewer queries.
    "accounts.backends.RoleBackend",
]
# Login throttling (django-axes, accounts/throttling.py): after AXES_FAILURE_LIMIT failures for
# one user name from one address, that pair is locked for AXES_COOLOFF_HOURS; after
# LOGIN_USERNAME_FAILURE_LIMIT failures for one user name from all addresses together, the
# user name is locked everywhere; after LOGIN_ADDRESS_FAILURE_LIMIT failures from one address
# for all user names together, that address is locked for every user name (0: never).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
LOGIN_USERNAME_FAILURE_LIMIT = env.int("LOGIN_USERNAME_FAILURE_LIMIT", default=20)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=30)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "accounts.throttling.LoginThrottle"
# The client's address: REMOTE_ADDR, or behind this many proxies that each append to
# X-Forwarded-For (nginx: proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for), the
# address the outermost one saw. 0 when nothing stands in front of the application.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_address"
AXES_LOCKOUT_TEMPLATE = "ops/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

ROOT_URLCONF = "qualityplan.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "alerts.context_processors.warnings",
            ],
        },
    },
]

WSGI_APPLICATION = "qualityplan.wsgi.application"

# A SQLite file in the project folder unless DATABASE_URL names another database.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
# Each language is offered under its own name.
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# plotly.js comes from the plotly package itself, served locally: no CDN on an intranet.
STATICFILES_DIRS = [BASE_DIR / "static", ("plotly", Path(plotly.__file__).parent / "package_data")]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")

LOGIN_URL = "admin:login"
# After login each role lands where its work is (accounts.roles.landing).
LOGIN_REDIRECT_URL = "landing"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://qualityplan")}

# Celery: through the broker when one is set, otherwise in-process.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# When the broker is down, give up quickly: the run is recorded for catch-up and the
# clerk's save is not held up.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# The longest a background task may run; a worker stops one that runs longer. The longest
# are the nightly recompute of every plan and an auditor's workbook of every plan: about
# 20-80 s at national scale (benchmarks/README.md), minutes on a loaded machine.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
# A task whose worker dies is delivered again once this many seconds have passed unacknowledged
# (Redis transport): the longest task plus a margin, so that no task is delivered twice while
# it still runs.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int(
        "CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + 600
    ),
}
# A run still running, or still waiting in the queue, after this many minutes is stuck (its
# worker died, or no worker takes work): shown in the admin and on /healthz/ (503), and done
# again by `recompute_attainment --catch-up` and the hourly report catch-up.
RUN_STUCK_AFTER_MINUTES = env.int(
    "RUN_STUCK_AFTER_MINUTES", default=CELERY_TASK_TIME_LIMIT // 60 + 5
)
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BEAT_SCHEDULE = {
    "reports-expiry": {
        "task": "reports.tasks.remove_expired_reports",
        "schedule": crontab(minute=15),
    },
    "reports-catch-up": {
        "task": "reports.tasks.catch_up_reports",
        "schedule": crontab(minute=45),
    },
    "attainment-nightly": {
        "task": "indicators.tasks.recompute_attainment_nightly",
        "schedule": crontab(hour=2, minute=0),
    },
    "uploads-expiry": {
        "task": "indicators.tasks.remove_expired_uploads",
        "schedule": crontab(minute=45),
    },
    "warning-digests": {
        "task": "alerts.tasks.mail_warning_digests",
        "schedule": crontab(hour=8, minute=30),
    },
    "deadline-reminders": {
        "task": "indicators.tasks.remind_departments_of_deadlines",
        "schedule": crontab(hour=8, minute=0),
    },
}

# Deadline reminders: smtp+tls://user:password@mail.example.gov.cn:587 in production.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="qualityplan@localhost")

# Spreadsheet uploads: at most this many bytes and rows; an XLSX (a zip archive) inflating to
# at most IMPORT_MAX_UNZIPPED_BYTES, with at most IMPORT_MAX_CELLS cells in a sheet. All are
# checked before the file is parsed.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=5000)
IMPORT_MAX_UNZIPPED_BYTES = env.int("IMPORT_MAX_UNZIPPED_BYTES", default=20 * 1024 * 1024)
IMPORT_MAX_CELLS = env.int("IMPORT_MAX_CELLS", default=200_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES + 1024 * 1024

# History pages are for reading (accounts/history.py): no "revert" from a past version.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Uploads need the 导入实际值 permission (indicators.import_actual).
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
# An upload waits for its confirmation in a file of this folder (indicators/uploads.py), and is
# removed when refused, once imported, or this many minutes after the preview.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "indicators.uploads.UploadStorage"
IMPORT_UPLOAD_DIR = env.path(
    "IMPORT_UPLOAD_DIR", default=Path(tempfile.gettempdir()) / "qualityplan-uploads"
)
IMPORT_UPLOAD_KEEP_MINUTES = env.int("IMPORT_UPLOAD_KEEP_MINUTES", default=60)

# Attainment thresholds (DOMAIN.md §3, after Eurostat's SDG progress assessment): progress
# of at least ON_TRACK_SHARE × time elapsed is on track, at least LAGGING_SHARE × lagging.
ATTAINMENT_ON_TRACK_SHARE = env.float("ATTAINMENT_ON_TRACK_SHARE", default=0.95)
ATTAINMENT_LAGGING_SHARE = env.float("ATTAINMENT_LAGGING_SHARE", default=0.60)

# Generated auditor workbooks: where they are kept and for how long.
REPORTS_DIR = env.path("REPORTS_DIR", default=BASE_DIR / "media" / "reports")
REPORTS_KEEP_HOURS = env.int("REPORTS_KEEP_HOURS", default=72)

# The raw exports escape text that would run as a formula themselves (reports.safe_cells):
# django-import-export's own escaping strips one "=" only and turns every cell into text.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False

# Where the seed documents live, for tests and provenance checks.
SEEDS_DIR = env.path("SEEDS_DIR", default=BASE_DIR.parent / "shared" / "seeds")
PLAN_FIXTURES_DIR = BASE_DIR / "fixtures"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
