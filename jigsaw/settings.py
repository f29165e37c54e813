"""Jigsaw settings, read from the environment.

JIGSAW_ENV=production makes the settings strict: SECRET_KEY and ALLOWED_HOSTS must be
given, and the app refuses to start without them.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

# Lets admin.ModelAdmin[Model] and friends be subscripted at run time, as the type stubs allow.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("JIGSAW_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

JIGSAW_ENV = os.environ.get("JIGSAW_ENV", "development")
PRODUCTION = JIGSAW_ENV == "production"


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _local_secret_key() -> str:
    """A key generated once and kept under var/, for development and the demo only."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


if PRODUCTION:
    if not os.environ.get("SECRET_KEY"):
        raise ImproperlyConfigured("SECRET_KEY must be set when JIGSAW_ENV=production.")
    if not os.environ.get("ALLOWED_HOSTS"):
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when JIGSAW_ENV=production.")
    SECRET_KEY = os.environ["SECRET_KEY"]
else:
    SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret_key()

DEBUG = _flag("DEBUG") and not PRODUCTION
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "jigsaw.core",
    "jigsaw.access",
    "jigsaw.workforce",
    "jigsaw.partners",
    "jigsaw.people",
    "jigsaw.casework",
    "jigsaw.matching",
    "jigsaw.escalation",
    "jigsaw.quality",
    "jigsaw.performance",
    "jigsaw.partnership",
    "jigsaw.voice",
    "jigsaw.support",
    "jigsaw.vulnerable_families",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "jigsaw.access.middleware.AccessLogMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "jigsaw.access.middleware.SecondFactorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jigsaw.urls"
WSGI_APPLICATION = "jigsaw.wsgi.application"

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
                "jigsaw.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'jigsaw.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while one writer writes; IMMEDIATE takes the write lock at
    # the start of a transaction so two writers queue instead of failing half-way.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Strong sign-in. Argon2 for new and changed passwords (older hashes upgrade on sign-in).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout after repeated failures (django-axes): five tries per username, then 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("JIGSAW_SIGN_IN_ATTEMPTS", "5"))
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = ["username"]
# Locking by address too would lock out a whole council office behind one NAT address after
# five mistakes; the username lock stops guessing at any one account.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False
# A second factor (TOTP) for every user outside the demo and development.
JIGSAW_REQUIRE_SECOND_FACTOR = _flag("JIGSAW_REQUIRE_SECOND_FACTOR", PRODUCTION)
OTP_TOTP_ISSUER = "Jigsaw"
# NCSC password guidance: length and a deny-list of common passwords, no composition rules,
# no forced expiry.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Idle timeout: every request renews the session, so it lapses after this much inactivity.
# The page warns two minutes before and keeps any half-written form (static/jigsaw/session.mjs).
JIGSAW_IDLE_MINUTES = int(os.environ.get("JIGSAW_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = JIGSAW_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

# Production-grade defaults. Local http on 127.0.0.1 (the demo and the tests) cannot carry
# secure cookies, so JIGSAW_INSECURE_LOCAL=1 relaxes exactly those two settings there.
_insecure_local = _flag("JIGSAW_INSECURE_LOCAL") and not PRODUCTION
SESSION_COOKIE_SECURE = not _insecure_local
CSRF_COOKIE_SECURE = not _insecure_local
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
SECURE_SSL_REDIRECT = PRODUCTION and _flag("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# The key of the access log's HMAC chain. Empty: derived from SECRET_KEY. Changing either
# afterwards makes `jigsaw verify_access_log` report the whole existing chain as broken.
ACCESS_LOG_KEY = os.environ.get("ACCESS_LOG_KEY", "")

# The demo authority's name and its DfE local authority code.
JIGSAW_AUTHORITY_NAME = os.environ.get("JIGSAW_AUTHORITY_NAME", "Riverford City Council")
JIGSAW_LA_CODE = os.environ.get("JIGSAW_LA_CODE", "999")

# Flag checks a partner practitioner may make, per rolling hour and day, to stop fishing
# (issue 5, item 3); counted from the FlagCheck table, so the limit holds across servers.
JIGSAW_FLAG_CHECKS_PER_HOUR = int(os.environ.get("JIGSAW_FLAG_CHECKS_PER_HOUR", "20"))
JIGSAW_FLAG_CHECKS_PER_DAY = int(os.environ.get("JIGSAW_FLAG_CHECKS_PER_DAY", "60"))

# E-mail: notifications that ask for action are also e-mailed (saying only that there is
# something to see, never who the child is). Locally they are printed to the console; in
# production set EMAIL_BACKEND to the SMTP backend and EMAIL_HOST and friends.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _flag("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Jigsaw <jigsaw@localhost>")
# Where e-mailed links point: the service's address as users reach it.
JIGSAW_BASE_URL = os.environ.get("JIGSAW_BASE_URL", "http://127.0.0.1:8000")
