"""Posture settings: one file, read from the environment (see README and .env.example)."""

import os
import re
from datetime import timedelta
from ipaddress import ip_network
from pathlib import Path
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default):
    value = os.environ.get(name, default).strip().lower()
    if value in ("true", "1", "yes", "on"):
        return True
    if value in ("false", "0", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name, default, minimum=None):
    value = os.environ.get(name, str(default)).strip()
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


def env_list(name, default=""):
    value = os.environ.get(name, default)
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items) and value.strip():
        raise ImproperlyConfigured(f"{name} must be a comma-separated list without empty items, not {value!r}.")
    return [item for item in items if item]


HOSTLESS_SCHEMES = ("memory", "filesystem")  # kombu transports that name no server: "memory://" is whole


def env_url(name, default, schemes):
    value = os.environ.get(name, default).strip()
    parsed = urlparse(value)
    names_a_place = parsed.netloc or parsed.path or parsed.scheme in HOSTLESS_SCHEMES
    if parsed.scheme not in schemes or not names_a_place or "://" not in value:
        allowed = ", ".join(schemes)
        raise ImproperlyConfigured(f"{name} must be a URL with scheme {allowed}, not {value!r}.")
    return value


def env_networks(name, default=""):
    """A comma-separated list of IP addresses or networks (CIDR), normalised: "10.0.0.7,10.1.0.0/16"."""
    networks = []
    for item in env_list(name, default):
        try:
            networks.append(str(ip_network(item, strict=False)))
        except ValueError:
            raise ImproperlyConfigured(f"{name} must list IP addresses or networks (CIDR), not {item!r}.") from None
    return networks


DEBUG = env_bool("DEBUG", "false")
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is false.")
    SECRET_KEY = "insecure-development-key-only-used-with-debug"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
POSTURE_VERSION = "0.1.0"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "accounts",
    "checks",
    "dashboard",
    "api",
    "axes",
    "rest_framework",
    "drf_spectacular",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dashboard.middleware.SignInRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "dashboard.middleware.SecurityHeadersMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page (dashboard.signin.locked_out).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "posture.urls"
WSGI_APPLICATION = "posture.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dashboard.context_processors.navigation",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

DB = env_str("DB", "sqlite")
if DB == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": env_str("DB_HOST", "127.0.0.1"),
            "PORT": env_int("DB_PORT", 5432, minimum=1),
            "NAME": env_str("DB_NAME", "posture"),
            "USER": env_str("DB_USER", "postgres"),
            "PASSWORD": env_str("DB_PASSWORD", ""),
            "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60, minimum=0),
            # No JIT: PostgreSQL compiles any plan whose estimated cost is high (as-of reports, year-long
            # history pages) and spent 0.2-0.4 s doing so per query, more than it ever saved here.
            # DateStyle ISO: exports have the database write timestamps as ISO 8601 text (exports/rows.py).
            "OPTIONS": {"options": "-c jit=off -c DateStyle=ISO,MDY"},
        }
    }
elif DB == "sqlite":
    SQLITE_PATH = Path(env_str("SQLITE_PATH", str(BASE_DIR / "var" / "posture.sqlite3")))
    # A fresh clone has no var/: SQLite creates the file but not its folder ("unable to open database file").
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
            # The test database is a file beside it, not SQLite's in-memory default: threads scanning at once
            # then wait for each other's writes (the timeout above) as on the real file, instead of failing at
            # once with "database table is locked" (a shared in-memory database takes table locks, no timeout).
            "TEST": {"NAME": str(SQLITE_PATH.with_name("test_" + SQLITE_PATH.name))},
        }
    }
else:
    raise ImproperlyConfigured(f"DB must be sqlite or postgres, not {DB!r}.")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:overview"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Security of the dashboard itself: production defaults, relaxed only by DEBUG.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", "false" if DEBUG else "true")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", "false") else None
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)

# Celery: Redis in production; the demo uses kombu's filesystem transport under var/.
CELERY_BROKER_URL = env_url(
    "CELERY_BROKER_URL", "redis://127.0.0.1:6379/0", ("redis", "rediss", "filesystem", "memory")
)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "") or None
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem"):
    _queue = Path(env_str("CELERY_FILESYSTEM_FOLDER", str(BASE_DIR / "var" / "queue")))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue / "out"),
        "data_folder_out": str(_queue / "out"),
        "processed_folder": str(_queue / "processed"),
        # Broadcast/control messages (celery inspect) would otherwise land in ./control.
        "control_folder": str(_queue / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", "false")
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "scan-due-accounts": {
        "task": "checks.tasks.scan_due_accounts",
        "schedule": env_int("SCAN_DUE_EVERY_SECONDS", 300, minimum=10),
    },
    "expire-stuck-scans": {
        "task": "checks.tasks.expire_stuck_scans",
        "schedule": 60,
    },
    "prune-history": {
        "task": "checks.tasks.prune_history",
        "schedule": 24 * 3600,
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / "var" / "celerybeat-schedule")

# AWS: the dashboard's own identity comes from boto3's standard chain (environment, profile,
# instance role). AWS_ENDPOINT_URL* are read by boto3 itself, not here.
AWS_HOME_REGION = env_str("POSTURE_HOME_REGION", "us-east-1")
AWS_DEFAULT_REGIONS = env_list("POSTURE_DEFAULT_REGIONS", "us-east-1")
AWS_MAX_ATTEMPTS = env_int("POSTURE_AWS_MAX_ATTEMPTS", 8, minimum=1)
AWS_CONNECT_TIMEOUT = env_int("POSTURE_AWS_CONNECT_TIMEOUT", 5, minimum=1)
AWS_READ_TIMEOUT = env_int("POSTURE_AWS_READ_TIMEOUT", 20, minimum=1)
SCAN_THREADS = env_int("POSTURE_SCAN_THREADS", 8, minimum=1)
# Accounts scanned at once: by `manage.py scan --wait` and by a worker started without --concurrency.
SCAN_CONCURRENCY = env_int("POSTURE_SCAN_CONCURRENCY", 4, minimum=1)
CELERY_WORKER_CONCURRENCY = SCAN_CONCURRENCY
# Processes `manage.py scan --wait` spreads those accounts over (forked; each scans its share in threads): one
# Python process runs one core at a time, and a scan's CPU (botocore) is most of its time.
SCAN_PROCESSES = env_int("POSTURE_SCAN_PROCESSES", os.cpu_count() or 1, minimum=1)
SCAN_DEADLINE_SECONDS = env_int("POSTURE_SCAN_DEADLINE_SECONDS", 1800, minimum=30)
SCAN_HEARTBEAT_TIMEOUT = env_int("POSTURE_SCAN_HEARTBEAT_TIMEOUT", 300, minimum=30)
DEFAULT_SCAN_INTERVAL_MINUTES = env_int("POSTURE_SCAN_INTERVAL_MINUTES", 360, minimum=5)
LOG_RETENTION_MIN_DAYS = env_int("POSTURE_LOG_RETENTION_MIN_DAYS", 365, minimum=1)
TRUSTED_ACCOUNT_IDS = env_list("POSTURE_TRUSTED_ACCOUNT_IDS", "")
# Database connections a large CSV/JSON export reads with in parallel (PostgreSQL; 1 = one at a time).
EXPORT_DB_WORKERS = env_int("POSTURE_EXPORT_DB_WORKERS", 2, minimum=1)
HISTORY_RETENTION_DAYS = env_int("POSTURE_HISTORY_RETENTION_DAYS", 400, minimum=30)
AUDIT_RETENTION_DAYS = env_int("POSTURE_AUDIT_RETENTION_DAYS", 730, minimum=HISTORY_RETENTION_DAYS)


# The proxies or load balancers in front of Posture, whose X-Forwarded-For is believed: only a request whose
# connection comes from one of them is taken to come from the address it forwards (dashboard.signin).
TRUSTED_PROXIES = env_networks("POSTURE_TRUSTED_PROXIES", "")

# Sign-in throttling by django-axes (dashboard/signin.py): failures counted per user name from every address
# and per address for every user name, in the database (atomic); either limit locks out for M minutes.
SIGNIN_MAX_FAILURES = env_int("POSTURE_SIGNIN_MAX_FAILURES", 5, minimum=1)
SIGNIN_MAX_FAILURES_PER_ADDRESS = env_int("POSTURE_SIGNIN_MAX_FAILURES_PER_ADDRESS", 20, minimum=1)
SIGNIN_LOCKOUT_MINUTES = env_int("POSTURE_SIGNIN_LOCKOUT_MINUTES", 15, minimum=1)
AXES_HANDLER = "dashboard.signin.SignInAttempts"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one: the order matters to SignInAttempts
AXES_FAILURE_LIMIT = SIGNIN_MAX_FAILURES
AXES_COOLOFF_TIME = timedelta(minutes=SIGNIN_LOCKOUT_MINUTES)
AXES_CLIENT_IP_CALLABLE = "dashboard.signin.client_address"
AXES_LOCKOUT_CALLABLE = "dashboard.signin.locked_out"
# A refused attempt is not counted (the lockout does not grow with a flood, nor does axes' row of it), and a
# success does not wipe the count: one's own account could otherwise reset a guessing address's failures.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = False
AXES_DISABLE_ACCESS_LOG = True  # the audit log records sign-ins and sign-outs
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False  # dashboard/admin.py registers axes' attempts page itself, with unlocks audited

# Sign-in: local passwords (throttled above) and single sign-on over OpenID Connect (dashboard/sso.py, by
# mozilla-django-oidc), from POSTURE_OIDC_* and POSTURE_LOCAL_PASSWORDS; checked here, so a mistake stops start-up.
# Sets AUTHENTICATION_BACKENDS, LOCAL_PASSWORDS, SSO_* and the library's OIDC_* settings (dashboard/sso_settings.py).
from dashboard import sso_settings  # noqa: E402 - it needs nothing from this file

globals().update(sso_settings.read(os.environ, DEBUG))

# Notifications of new critical/high failures and regressions (checks/notifications.py).
# Plain http:// only when asked for by name, for a receiver on this host or a private network you control.
WEBHOOK_ALLOW_PLAIN_HTTP = env_bool("POSTURE_WEBHOOK_ALLOW_PLAIN_HTTP", "false")
WEBHOOK_URLS = env_list("POSTURE_WEBHOOK_URLS", "")
_webhook_schemes = ("https", "http") if WEBHOOK_ALLOW_PLAIN_HTTP else ("https",)
if any(urlparse(url).scheme not in _webhook_schemes or not urlparse(url).netloc for url in WEBHOOK_URLS):
    # The value is not echoed: webhook URLs often carry a token.
    raise ImproperlyConfigured(
        "POSTURE_WEBHOOK_URLS must be comma-separated https:// URLs "
        "(http:// only with POSTURE_WEBHOOK_ALLOW_PLAIN_HTTP=true)."
    )
WEBHOOK_SECRET = env_str("POSTURE_WEBHOOK_SECRET")


def ou_teams(pairs):
    """POSTURE_TEAM_OUS: "ou-ab12-cdef3456=payments,..." → {OU id: team name} (accounts/teams.py)."""
    mapping = {}
    for pair in pairs:
        ou_id, sep, team = (part.strip() for part in pair.partition("="))
        if not sep or not re.fullmatch(r"ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}", ou_id) or not team:
            raise ImproperlyConfigured(
                f"POSTURE_TEAM_OUS must be comma-separated OU-id=team pairs (ou-ab12-cdef3456=payments), not {pair!r}."
            )
        mapping[ou_id] = team
    return mapping


# Discovery: accounts in (or below) these OUs join the named team, whatever the OU's name.
TEAM_OUS = ou_teams(env_list("POSTURE_TEAM_OUS", ""))
NOTIFY_EMAILS = env_list("POSTURE_NOTIFY_EMAILS", "")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", "false")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "posture@localhost")


def env_rate(name, default):
    """A request rate as DRF writes it: "600/minute" (per second, minute, hour or day)."""
    value = env_str(name, default).strip()
    count, _, period = value.partition("/")
    if not count.isdigit() or int(count) < 1 or period not in ("second", "minute", "hour", "day"):
        raise ImproperlyConfigured(
            f"{name} must look like 600/minute (per second, minute, hour or day), not {value!r}."
        )
    return value


# The cache: per process unless POSTURE_CACHE_URL names a Redis every web worker shares (the API's rate limit
# counts there, so with several workers set it).
CACHE_URL = env_str("POSTURE_CACHE_URL", "")
if CACHE_URL:
    env_url("POSTURE_CACHE_URL", CACHE_URL, ("redis", "rediss"))
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}

# The read-only JSON API (api/): Bearer tokens only, JSON only, a rate limit per token.
API_RATE_LIMIT = env_rate("POSTURE_API_RATE_LIMIT", "600/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.access.BearerToken"],
    "DEFAULT_PERMISSION_CLASSES": ["api.access.RoleRequired"],
    "DEFAULT_THROTTLE_CLASSES": ["api.access.TokenRate"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.handle",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "URL_FORMAT_OVERRIDE": None,  # ?format= is no renderer switch here (JSON only); an unknown parameter is a 400
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Posture API",
    "DESCRIPTION": "Read-only access to accounts, scores, findings, changes and the check catalog, and report jobs. "
    "Authenticate with `Authorization: Bearer <token>` (create tokens on your profile page).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_AUTHENTICATION": ["api.access.BearerToken"],
    "SERVE_PERMISSIONS": ["api.access.RoleRequired"],
    "ENUM_NAME_OVERRIDES": {"Area": "checks.catalog.base.Area", "Severity": "checks.catalog.base.Severity"},
}


def env_ed25519_key_file(name):
    """The path of an unencrypted PEM (PKCS#8) Ed25519 private key, checked now so a bad key stops start-up."""
    path = env_str(name).strip()
    if not path:
        return ""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            f"{name} must be the path of an unencrypted PEM Ed25519 private key: {error}"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"{name} must hold an Ed25519 key, not {type(key).__name__}.")
    return path


# Evidence packs: manifest.json is signed with Ed25519 (a private key file) or HMAC-SHA256 (a shared secret).
EVIDENCE_SIGNING_KEY = env_ed25519_key_file("POSTURE_EVIDENCE_SIGNING_KEY")
EVIDENCE_HMAC_KEY = env_str("POSTURE_EVIDENCE_HMAC_KEY")
if EVIDENCE_HMAC_KEY and len(EVIDENCE_HMAC_KEY) < 32:
    raise ImproperlyConfigured("POSTURE_EVIDENCE_HMAC_KEY must be at least 32 characters.")
if EVIDENCE_HMAC_KEY and EVIDENCE_SIGNING_KEY:
    raise ImproperlyConfigured("POSTURE_EVIDENCE_HMAC_KEY and POSTURE_EVIDENCE_SIGNING_KEY are both set; choose one.")
REPORTS_DIR = Path(env_str("POSTURE_REPORTS_DIR", str(BASE_DIR / "var" / "reports")))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every layout step, and fontTools (its font subsetter where libharfbuzz-subset is
    # missing) every table it prunes, at INFO: a PDF export would print hundreds of lines.
    "loggers": {name: {"level": "WARNING"} for name in ("botocore", "urllib3", "weasyprint", "fontTools")},
}
