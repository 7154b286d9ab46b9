"""Settings shared by every environment, read from the environment with django-environ.

The embedded default (no environment at all) is the demo academy: SQLite and tasks
run in-process. Set DATABASE_URL and REDIS_URL to use PostgreSQL and Celery.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="insecure-development-key-do-not-use-in-production")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

# The service's own name, in the header, page titles and certificates.
ACADEMY_NAME = env("ACADEMY_NAME", default="Digital Academy")

INSTALLED_APPS = [
    "content",
    "courses",
    "learners",
    "academy",
    "wagtail.contrib.redirects",
    "wagtail.contrib.table_block",  # lesson tables (content/blocks/media.py)
    "wagtail.contrib.settings",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_celery_beat",
    "django_ratelimit",
    "axes",
    "csp",
    "ninja",  # serves the API docs' assets itself, not from a CDN
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.AcademyCSPMiddleware",  # django-csp, but previews may be framed
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The SCORM content origin's host gets package files and nothing else, without
    # sessions or cookies (learners/scorm_content.py); other hosts go on as usual.
    "learners.scorm_content.ScormContentOriginMiddleware",
    # Personal pages get Cache-Control: private, no-store (above sessions: sees their Vary)
    "config.middleware.PrivatePagesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The session read with the version tokens, in one cache round trip (config/middleware.py)
    "config.middleware.SessionWithVersionsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # NUL bytes, text that is not UTF-8 and over-long values: a 400 (config/input_hygiene.py)
    "config.input_hygiene.InputHygieneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "learners.session_limits.SessionLimitsMiddleware",  # 12 hours, or 30 minutes idle
    # Course URLs routed from a map in memory, and the Site with them (courses.routing)
    "courses.routing.CourseRoutingMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
# The same URLs with Wagtail's page pattern first, for a course page's path once it is
# known to reach it (courses.routing.CourseRoutingMiddleware).
PAGES_FIRST_URLCONF = "config.urls_pages_first"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "content.context_processors.academy",
                "academy.context_processors.navigation",
            ],
        },
    },
]

# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-db-url
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL: Django's backend, health-checking a reused connection without a round trip
# (config/postgresql/base.py).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "config.postgresql"
# Behind PgBouncer in transaction mode, server-side cursors (used to stream exports)
# must be off (docs/deploy.md).
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
    "DISABLE_SERVER_SIDE_CURSORS", default=False)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "learners.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses sign-in while locked out
    # Django's ModelBackend, reading the person's row by SQL written once (learners.auth).
    # Sessions made under the old name sign in again once (docs/decisions.md).
    "learners.auth.AcademyModelBackend",
]
# django-axes: the sixth bad password for one account from one address within the
# cool-off is refused, whichever sign-in page it comes through (ours or the admin's).
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
AXES_FAILURE_LIMIT = 6  # five bad passwords allowed; the sixth is refused
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "learners.auth.axes_username"
AXES_LOCKOUT_TEMPLATE = "learners/locked_out.html"
AXES_VERBOSE = False
# A spray of bad passwords across many accounts from one address is stopped too: this
# many failed sign-ins per address per 15 minutes (high enough for a shared office).
SIGN_IN_FAILURES_PER_ADDRESS = env("SIGN_IN_FAILURES_PER_ADDRESS", default="30/15m")
# Emails a stranger could make the academy send (sign-up, password reset): a few an hour
# to one address, and a limit per IP address that a shared office stays under.
SIGN_UP_RATE_PER_ADDRESS = env("SIGN_UP_RATE_PER_ADDRESS", default="3/h")
SIGN_UP_RATE_PER_IP = env("SIGN_UP_RATE_PER_IP", default="30/h")
PASSWORD_RESET_RATE_PER_ADDRESS = env("PASSWORD_RESET_RATE_PER_ADDRESS", default="3/h")
PASSWORD_RESET_RATE_PER_IP = env("PASSWORD_RESET_RATE_PER_IP", default="30/h")
# A sign-in lasts 12 hours at most, and ends after 30 minutes without a request (ASVS
# V3.3.2, level 2; learners.session_limits). https://docs.djangoproject.com/en/5.2/ref/settings/#session-cookie-age
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 60 * 60)
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
LOGIN_URL = "/sign-in/"
LOGIN_REDIRECT_URL = "/my-learning/"
LOGOUT_REDIRECT_URL = "/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},  # ASVS V2.1.1
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# The compiled front end (make frontend) is served from /static/academy/.
STATICFILES_DIRS = [("academy", BASE_DIR / "frontend" / "dist")]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Wagtail's editor forms for long lessons can pass Django's default of 1,000 fields.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Wagtail ---------------------------------------------------------------------
WAGTAIL_SITE_NAME = ACADEMY_NAME
# The academy's public address, for links in emails and on certificates.
ACADEMY_BASE_URL = env("BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = ACADEMY_BASE_URL
# The database backend uses PostgreSQL full-text search when the database is
# PostgreSQL, and a simpler fallback on SQLite.
# https://docs.wagtail.org/en/stable/topics/search/backends.html
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "ods"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
# Lesson videos are served by the academy from the documents library, with WebVTT
# captions (content/blocks/lesson.py VideoBlock).
WAGTAILDOCS_EXTENSIONS += ["mp4", "webm", "vtt"]
# Images for lessons, SVG diagrams included. An SVG is only ever shown through <img>,
# never inlined in a page, so a script inside it does not run (docs/decisions.md).
# https://docs.wagtail.org/en/stable/advanced_topics/images/image_file_formats.html
WAGTAILIMAGES_EXTENSIONS = ["avif", "gif", "jpg", "jpeg", "png", "webp", "svg"]
WAGTAIL_ALLOW_UNICODE_SLUGS = False
# No Gravatar: the admin must work where the internet is out of reach, and must not tell
# a third party who is signed in. Everyone gets Wagtail's own default avatar (users may
# still upload one). https://docs.wagtail.org/en/stable/reference/settings.html#wagtail-gravatar-provider-url
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# No upgrade check either: the dashboard's script would fetch releases.wagtail.org for
# every admin. Upgrades are a deployment's job (docs/deploy.md), not a banner's.
WAGTAIL_ENABLE_UPDATE_CHECK = False
# A course approved in review publishes its changed pages with it (courses.review).
# https://docs.wagtail.org/en/stable/reference/settings.html#wagtail-finish-workflow-action
WAGTAIL_FINISH_WORKFLOW_ACTION = "courses.review.course_review_publish"
# Wagtail's own background work (search index, reference index) through django-tasks.
# Run immediately in the request: it is small, and keeps one queue (Celery) to operate.
# https://docs.wagtail.org/en/stable/reference/settings.html#tasks
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- Celery ------------------------------------------------------------------------
# With no REDIS_URL, tasks run in-process (eager): the embedded demo needs no broker.
# docs/celery.md explains each choice below.
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A web request sending a task must not hang on a dead broker (learners.enqueue).
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    # Longer than the longest task's hard time limit, so Redis never redelivers a
    # message whose task is still running on a healthy worker.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60),
    # How often workers sweep for messages whose visibility timeout has passed
    # (kombu's defaults; the reliability tests shorten them).
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Slow, bulky work has a queue of its own, so a big export never delays the quick
# tasks that keep a learner's progress current (docs/deploy.md). Run a worker for each.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "academy.tasks.export_build": {"queue": "slow"},
    "learners.tasks.bulk_enrolment_process": {"queue": "slow"},
    "learners.tasks.enrolment_confirmations_send": {"queue": "slow"},
    "learners.tasks.required_learning_expand": {"queue": "slow"},
    "learners.tasks.required_learning_renew": {"queue": "slow"},
}
CELERY_BEAT_SCHEDULE = {
    # Finds facts without their consequences and enqueues the work again.
    "learning-reconcile": {"task": "learners.tasks.learning_reconcile", "schedule": 5 * 60},
    "required-learning-remind": {"task": "learners.tasks.required_learning_remind",
                                 "schedule": 24 * 60 * 60},
    "required-learning-renew": {"task": "learners.tasks.required_learning_renew",
                                "schedule": 24 * 60 * 60},
    "required-learning-reconcile": {"task": "learners.tasks.required_learning_reconcile",
                                    "schedule": 6 * 60 * 60},
    "exports-reconcile": {"task": "academy.tasks.exports_reconcile", "schedule": 10 * 60},
    # The files of SCORM packages never saved (an upload killed part-way), a day on.
    "scorm-files-orphaned-remove": {"task": "content.tasks.scorm_files_orphaned_remove",
                                    "schedule": 6 * 60 * 60},
    # Mondays at 08:00 in CELERY_TIMEZONE (Europe/London); once per manager a week.
    "manager-digests-send": {"task": "learners.tasks.manager_digests_send",
                             "schedule": crontab(minute=0, hour=8, day_of_week="mon")},
    # A freed place whose promotion task was lost still goes to the waiting list.
    "sessions-waitlist-reconcile": {"task": "learners.tasks.sessions_waitlist_reconcile",
                                    "schedule": 10 * 60},
    # Session reminders a week and a day before; each claimed per booking, so never twice.
    "session-reminders-send": {"task": "learners.tasks.session_reminders_send",
                               "schedule": 60 * 60},
    # Daily at 09:00 (Europe/London): "have you used it at work?" 30/60/90 days after
    # completion; once per learner per point, however often it runs.
    "followups-send": {"task": "learners.tasks.followups_send",
                       "schedule": crontab(minute=0, hour=9)},
    # Daily at 01:00 (Europe/London): programmes whose end date has passed are closed
    # with their closing report (once; a closed programme is skipped).
    "programmes-close": {"task": "learners.tasks.programmes_close",
                         "schedule": crontab(minute=0, hour=1)},
    # xAPI statements waiting in the outbox (a lost task, an LRS back after an outage)
    # go to the LRS; claimed per row, so never sent twice at once.
    "xapi-statements-send": {"task": "learners.tasks.xapi_statements_send",
                             "schedule": 60},
    # Daily at 08:30 (Europe/London): "your certificate runs out soon", once per
    # certificate (claimed in the database), CERTIFICATE_EXPIRY_REMINDER_DAYS ahead.
    "certificate-expiry-remind": {"task": "learners.tasks.certificate_expiry_remind",
                                  "schedule": crontab(minute=30, hour=8)},
}

# --- Cache (rate limits) ----------------------------------------------------------
# Shared through Redis when there is one, so limits hold across web processes.
CACHES = {
    "default": (
        # Django's, keeping its Redis client between calls (config/cache.py).
        {"BACKEND": "config.cache.HeldClientRedisCache", "LOCATION": REDIS_URL,
         "KEY_PREFIX": "academy"}
        if REDIS_URL else
        {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Sessions are read from the shared cache, with the database behind it (a session
# survives a Redis restart; measured in bench/RESULTS.md, issue 15). Without Redis each
# process would keep its own copy, and a sign-out in one would not reach the others, so
# then the database alone.
SESSION_ENGINE = ("django.contrib.sessions.backends.cached_db" if REDIS_URL
                  else "django.contrib.sessions.backends.db")
# Issue 17: learners are emailed this many days before a certificate runs out (once),
# and may start the course again to renew it from then.
CERTIFICATE_EXPIRY_REMINDER_DAYS = env.int("CERTIFICATE_EXPIRY_REMINDER_DAYS", default=30)
# xAPI (learners.services.xapi): an LRS that cannot take a statement is tried again
# after this many seconds, doubling each time up to the maximum.
XAPI_RETRY_BACKOFF_SECONDS = env.int("XAPI_RETRY_BACKOFF_SECONDS", default=30)
XAPI_RETRY_BACKOFF_MAX_SECONDS = env.int("XAPI_RETRY_BACKOFF_MAX_SECONDS", default=60 * 60)
# The verify page is public: a generous limit for people, a wall for scripts.
CERTIFICATE_VERIFY_RATE = env("CERTIFICATE_VERIFY_RATE", default="30/m")
# Open Badges 3.0 (issue 17; learners.badge_keys): the academy's Ed25519 signing key, a
# PEM (PKCS#8) file kept out of git. Made on first use where OPEN_BADGES_KEY_CREATE is on
# (`make run`, tests); production turns that off and must name an existing file.
OPEN_BADGES_KEY_FILE = env.path("OPEN_BADGES_KEY_FILE",
                                default=BASE_DIR / ".keys" / "open-badges-ed25519.pem")
OPEN_BADGES_KEY_CREATE = env.bool("OPEN_BADGES_KEY_CREATE", default=True)
# Behind a proxy, set this to the header carrying the client address.
RATELIMIT_IP_META_KEY = env("RATELIMIT_IP_META_KEY", default="REMOTE_ADDR")
# django-ratelimit lists django-redis, not Django's own RedisCache, as supported; Django's
# RedisCache gives the atomic add/incr it needs (docs/decisions.md).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

# --- Email ------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=None)  # for the file-based backend
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Digital Academy <academy@example.gov.uk>")

# --- Logging ----------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Wagtail logs every publish and background step at INFO: too chatty for a demo.
        "django_tasks": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}

# --- SCORM runtime (learners/scorm_content.py; docs/decisions.md) --------------------
# Where packages run: another site than the academy (its own host name, not a subdomain
# sharing the academy's cookies), answered by this same app. Locally the academy is on
# http://127.0.0.1:8000 and packages on http://localhost:8000, which browsers treat as
# another site. In production, say https://academy-content.<department>.gov.uk.
SCORM_CONTENT_ORIGIN = env("SCORM_CONTENT_ORIGIN", default="http://localhost:8000").rstrip("/")
if "*" not in ALLOWED_HOSTS and urlsplit(SCORM_CONTENT_ORIGIN).hostname not in ALLOWED_HOSTS:
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, urlsplit(SCORM_CONTENT_ORIGIN).hostname]
# How long a launch's signed address to the package works (a working day's session).
SCORM_TOKEN_MAX_AGE = env.int("SCORM_TOKEN_MAX_AGE", default=12 * 60 * 60)
# The most one commit of a package's runtime data may be, in bytes and in values.
SCORM_COMMIT_MAX_BYTES = env.int("SCORM_COMMIT_MAX_BYTES", default=512 * 1024)
SCORM_COMMIT_MAX_KEYS = env.int("SCORM_COMMIT_MAX_KEYS", default=5000)

# --- Content Security Policy (django-csp) -------------------------------------------
# No inline or third-party scripts on public pages: every script is a file from this
# app. Style attributes are allowed (the report's bar widths); style elements are not.
# The Wagtail and Django admins and the API docs page set their own scripts and are
# left out; they are for staff. https://django-csp.readthedocs.io/
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/django-admin/", "/api/v1/docs"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        # A lesson's SCORM package runs in a frame from the content origin (below).
        "frame-src": ["'self'", SCORM_CONTENT_ORIGIN],
    },
}

# --- Reports ----------------------------------------------------------------------
# Aggregate groups (an organisation, a course, a month) with fewer people than this
# are shown as "fewer than N", so small teams cannot be singled out.
REPORT_MIN_GROUP_SIZE = env.int("REPORT_MIN_GROUP_SIZE", default=5)
# How long a finished export can be downloaded.
EXPORT_LINK_HOURS = env.int("EXPORT_LINK_HOURS", default=24)
REPORT_PAGE_SIZE = 50
# How long the report's figures are kept before being worked out again (seconds).
REPORT_CACHE_SECONDS = env.int("REPORT_CACHE_SECONDS", default=300)
# Required learning due within this many days (today included) is "due soon" in the
# compliance view and in line managers' views.
DUE_SOON_DAYS = env.int("DUE_SOON_DAYS", default=14)
BULK_ENROLMENT_MAX_BYTES = env.int("BULK_ENROLMENT_MAX_BYTES", default=10 * 1024 * 1024)
BULK_ENROLMENT_MAX_ROWS = env.int("BULK_ENROLMENT_MAX_ROWS", default=100_000)

# --- SCORM packages (content.scorm; docs/decisions.md) -----------------------------
# The most one uploaded package may be: its .zip, everything in it unpacked, its number
# of files and folders, and how many times larger than its packed size one file may
# unpack to (zip bombs; files under the floor are not held to the ratio, as small text
# files can compress very well). The manifest is read into memory, so it has its own.
SCORM_MAX_UPLOAD_BYTES = env.int("SCORM_MAX_UPLOAD_BYTES", default=500 * 1024 * 1024)
SCORM_MAX_UNPACKED_BYTES = env.int("SCORM_MAX_UNPACKED_BYTES", default=2 * 1024 * 1024 * 1024)
SCORM_MAX_ENTRIES = env.int("SCORM_MAX_ENTRIES", default=10_000)
SCORM_MAX_COMPRESSION_RATIO = env.int("SCORM_MAX_COMPRESSION_RATIO", default=100)
SCORM_COMPRESSION_RATIO_FLOOR_BYTES = env.int("SCORM_COMPRESSION_RATIO_FLOOR_BYTES",
                                              default=1024 * 1024)
SCORM_MAX_MANIFEST_BYTES = env.int("SCORM_MAX_MANIFEST_BYTES", default=5 * 1024 * 1024)
# The benchmark harness's baseline views (bench/views.py); off everywhere else.
BENCH_VIEWS = env.bool("ACADEMY_BENCH_VIEWS", default=False)
