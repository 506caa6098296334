"""One settings module for every deployment, driven by environment variables (see README §配置)."""

import sys
import warnings
from datetime import timedelta
from pathlib import Path

import dj_database_url

from redgrid.env import env_bool, env_choice, env_int, env_list, env_str

SRC_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(env_str("REDGRID_HOME", str(SRC_DIR.parent.parent)))
VAR_DIR = Path(env_str("REDGRID_VAR_DIR", str(BASE_DIR / "var")))
SHARED_DIR = Path(env_str("REDGRID_SHARED_DIR", str(BASE_DIR.parent / "shared")))

# production: every secret must come from the environment; demo/test: fixed development keys are
# allowed so that `make demo` and `make test` work on a fresh machine, and demo passwords are enabled.
REDGRID_ENV = env_choice("REDGRID_ENV", ("production", "demo", "test"), "production")
TESTING = REDGRID_ENV == "test" or "pytest" in sys.modules
DEMO_MODE = REDGRID_ENV in ("demo", "test") or TESTING

_DEV_SECRET = "redgrid-development-only-secret-key-not-for-production-0123456789"
# Fernet keys (urlsafe base64 of 32 bytes). Development keys only; production sets REDGRID_FIELD_KEYS.
_DEV_FIELD_KEY = "cmVkZ3JpZC1kZXYtZmllbGQta2V5LTMyLWJ5dGVzISE="
_DEV_LOOKUP_KEY = "redgrid-development-lookup-key"


def _secret(name: str, dev_value: str) -> str:
    if DEMO_MODE:
        return env_str(name, dev_value)
    return env_str(name)


SECRET_KEY = _secret("REDGRID_SECRET_KEY", _DEV_SECRET)
# Comma-separated Fernet keys: the first encrypts, all decrypt (key rotation).
FIELD_ENCRYPTION_KEYS = env_list("REDGRID_FIELD_KEYS", [_DEV_FIELD_KEY] if DEMO_MODE else [])
if not FIELD_ENCRYPTION_KEYS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("REDGRID_FIELD_KEYS is required outside demo/test mode")
# HMAC key for the exact-lookup hashes of sensitive fields; kept apart from the encryption keys so that
# rotating encryption keys does not invalidate every lookup hash.
FIELD_LOOKUP_KEY = _secret("REDGRID_LOOKUP_KEY", _DEV_LOOKUP_KEY)

DEBUG = env_bool("REDGRID_DEBUG", False)
ALLOWED_HOSTS = env_list("REDGRID_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("REDGRID_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "axes",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "redgrid.core",
    "redgrid.accounts",
    "redgrid.regions",
    "redgrid.units",
    "redgrid.party",
    "redgrid.appeals",
    "redgrid.participation",
    "redgrid.learning",
    "redgrid.assessment",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "redgrid.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "redgrid.core.middleware.RejectNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "redgrid.accounts.middleware.IdleTimeoutMiddleware",
    "redgrid.core.middleware.RequestContextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "redgrid.urls"
WSGI_APPLICATION = "redgrid.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "redgrid.core.context_processors.platform",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
# Separate names let several test runs share one machine (e.g. SQLite and PostgreSQL suites side by side).
TEST_DB_NAME = env_str("REDGRID_TEST_DB_NAME", "test_redgrid")
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'redgrid.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("REDGRID_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the single writer; IMMEDIATE transactions take the write lock up front
    # so concurrent writers queue on busy_timeout instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(VAR_DIR / f"{TEST_DB_NAME}.sqlite3")
else:
    DATABASES["default"].setdefault("TEST", {})["NAME"] = TEST_DB_NAME
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts and login hardening (等保 2.0 identity baseline) --------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "redgrid.accounts.backends.UsernameOrPhoneBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "redgrid.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "redgrid.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AXES_FAILURE_LIMIT = env_int("REDGRID_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("REDGRID_LOGIN_LOCK_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "redgrid.accounts.backends.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "redgrid.accounts.views.locked_out"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# Locking is per account (等保: lock the account after repeated failures); also locking per IP would lock
# whole street offices that share one NAT address, so the per-IP warning is silenced on purpose.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

STAFF_IDLE_TIMEOUT = timedelta(minutes=env_int("REDGRID_STAFF_IDLE_MINUTES", 30, minimum=1))
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("REDGRID_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
API_TOKEN_TTL = timedelta(hours=env_int("REDGRID_API_TOKEN_HOURS", 12, minimum=1))

# --- i18n -------------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static and uploads -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("REDGRID_MEDIA_ROOT", str(VAR_DIR / "media")))
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- background work --------------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_str("REDGRID_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
if TESTING and "REDGRID_TASK_BACKEND" not in __import__("os").environ:
    # Tests run tasks inline so their effects can be asserted; the DB backend has its own tests.
    TASKS["default"] = {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}

# --- platform ---------------------------------------------------------------------------------------
AUDIT_RETENTION_DAYS = env_int("REDGRID_AUDIT_RETENTION_DAYS", 180, minimum=180)
AUDIT_SEAL_DELAY_SECONDS = env_int("REDGRID_AUDIT_SEAL_DELAY", 60, minimum=0)
DEMO_PASSWORD = "Demo@2026"
# Open311 GeoReport v2: the one jurisdiction this deployment serves (any other jurisdiction_id answers 404).
OPEN311_JURISDICTION_ID = env_str("REDGRID_OPEN311_JURISDICTION", "redgrid")
OPEN311_CONTACT = env_str("REDGRID_OPEN311_CONTACT", "API 密钥由平台管理员签发，请联系本平台管理员申请")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("REDGRID_LOG_LEVEL", "WARNING")},
    "loggers": {
        "redgrid": {"level": env_str("REDGRID_LOG_LEVEL", "INFO"), "propagate": True},
        "redgrid.notify": {"level": "INFO", "propagate": True},
    },
}

if TESTING:
    # argon2 is deliberately slow; tests that check the hasher override this back.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="jieba")
