"""Settings for APPEAR Reflect, read from environment variables.

One file for every environment. Development is `DEBUG=true`; production is the default and
refuses to start without a `SECRET_KEY`. Each helper below fails loudly on a malformed value
rather than guessing, because a silently wrong security setting is worse than a crash at start.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from error


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")
    SECRET_KEY = "development-only-insecure-key-never-use-in-production"  # noqa: S105

# Old secret keys still accepted while a new SECRET_KEY is rolled out (sessions, signed links,
# and the keys of stored two-factor secrets; see TWO_FACTOR_KEYS).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000") or ""

INSTALLED_APPS = [
    "accounts",
    "framework",
    "reflections",
    "supervision",
    "workshops",
    "datarights",
    # The demo people and their fictional material (seed_demo); it may import every app.
    "demo",
    # The admin, with every change and every opening of material audited (accounts.admin_site).
    "accounts.admin_apps.AuditedAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "appear_site.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "appear_site.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.HtmxSignInMiddleware",
    "accounts.middleware.IdleSessionMiddleware",
    "accounts.middleware.TwoFactorEnrolmentMiddleware",
    "accounts.middleware.KeepUnsentReceiptMiddleware",
]

ROOT_URLCONF = "appear_site.urls"
WSGI_APPLICATION = "appear_site.wsgi.application"

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
                "django.template.context_processors.i18n",
                "appear_site.context_processors.site",
            ],
        },
    },
]

# SQLite under var/ is the embedded default; DATABASE_URL switches to PostgreSQL (psycopg 3).
_default_sqlite = f"sqlite:///{BASE_DIR / 'var' / 'appear.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or _default_sqlite,
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers or a test live server share the file. A transaction that starts
    # as a reader and then writes cannot wait for the write lock (SQLite answers "database is
    # locked" at once, whatever the timeout), so every transaction takes the write lock when it
    # begins (IMMEDIATE) and waits up to `timeout` seconds for it. WAL lets readers go on while
    # one writer writes, so pages do not queue behind autosaves.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL"}
    )
else:
    # A database host that does not answer fails the request (and /healthz) after this many
    # seconds, rather than holding a worker for the operating system's TCP timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 5)
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

_redis_url = env_str("REDIS_URL")
if _redis_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_url,
            # A Redis that stops answering (a network partition, a paused host) fails the
            # request after this many seconds instead of holding a gunicorn worker until
            # gunicorn kills it; /healthz then reports the cache down to the load balancer.
            "OPTIONS": {"socket_connect_timeout": 5, "socket_timeout": 5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background tasks (appear_site/celery.py). The broker defaults to the Redis of the cache; with
# neither set (`make run`, the test suite) tasks run at once in the process that asks for them,
# so no other server is needed. CELERY_TASK_ALWAYS_EAGER=true forces that with a broker too.
_broker_url = env_str("CELERY_BROKER_URL") or _redis_url or ""
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not _broker_url)
CELERY_BROKER_URL = _broker_url or "memory://"
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or _broker_url or None
# A task that fails in-process is recorded (datarights.FailedTask), never raised into the page.
CELERY_TASK_EAGER_PROPAGATES = False
# A task is acknowledged only when it has finished, so a worker that dies mid-task (a deploy,
# a crash) leaves it in the queue for another worker rather than losing it.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 24 * 60 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Retries of a failing task wait 2, 4, 8, ... seconds (with jitter), at most this long between
# two tries, and give up after TASK_MAX_RETRIES (about an hour and a half in all).
TASK_RETRY_BACKOFF_MAX = env_int("TASK_RETRY_BACKOFF_MAX", 15 * 60)
TASK_MAX_RETRIES = env_int("TASK_MAX_RETRIES", 10)

# Exports are written here by the worker and read by the site: a directory both share.
EXPORT_ROOT = Path(env_str("EXPORT_ROOT") or BASE_DIR / "var" / "exports")
# Hours a finished export waits to be downloaded before it is deleted unread.
EXPORT_TTL_HOURS = env_int("EXPORT_TTL_HOURS", 72)

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Only the test suite turns this on: a fast hash makes creating personas cheap. Never in production.
if env_bool("FAST_PASSWORD_HASHING", False):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# django-allauth: sign-in by user name or e-mail, no self-registration (people are invited).
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "accounts.auth_forms.LoginForm",
    "change_password": "accounts.auth_forms.ChangePasswordForm",
    "set_password": "accounts.auth_forms.SetPasswordForm",
    "reset_password": "accounts.auth_forms.ResetPasswordForm",
    "reset_password_from_key": "accounts.auth_forms.ResetPasswordKeyForm",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "APPEAR Reflect: "
# Adding or removing an e-mail address (a way to reset the password) asks for the password again.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_RATE_LIMITS = {
    # Five failed sign-ins for one account within five minutes lock it for that time.
    "login_failed": env_str("LOGIN_FAILED_RATE_LIMIT", "20/m/ip,5/5m/key"),
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "APPEAR Reflect"
MFA_ADAPTER = "accounts.mfa_adapter.MFAAdapter"
# allauth refuses two-factor sign-in while an address is unverified, against self-registration
# with someone else's address. Nobody registers here (addresses come from invitations) and
# ACCOUNT_EMAIL_VERIFICATION is "none", so the check would only lock required users out.
MFA_ALLOW_UNVERIFIED_EMAIL = True
# Accept the code from the previous or next 30-second step too (RFC 6238 section 5.2), so a
# phone clock a few seconds out or a code typed as it changes still works.
MFA_TOTP_TOLERANCE = 1
# Fernet keys for two-factor secrets at rest: the first encrypts, all decrypt. Empty: keys are
# derived from SECRET_KEY and SECRET_KEY_FALLBACKS (accounts/two_factor_secrets.py).
TWO_FACTOR_KEYS = env_list("TWO_FACTOR_KEYS", [])

# Every e-mail goes through a background task (datarights/mail.py), which hands it to the
# backend named by the EMAIL_BACKEND variable, retrying with backoff while that fails.
EMAIL_BACKEND = "datarights.mail.QueuedEmailBackend"
EMAIL_DELIVERY_BACKEND = (
    env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend") or ""
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "APPEAR Reflect <no-reply@localhost>")

# Reflection content (comment bodies, what a supervision record says, person labels) is left
# out of the Django admin unless this is on; every admin view of such material is audited.
ADMIN_SHOWS_CONTENT = env_bool("ADMIN_SHOWS_CONTENT", False)

# Idle sessions end after this many seconds; the browser warns two minutes before.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)

# Days an invitation link works before the organisation admin must send a new one.
INVITATION_TTL_DAYS = env_int("INVITATION_TTL_DAYS", 7)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# With a shared cache (Redis), a session is read from the cache and written to both, so a
# page does not query the database for it. Without one each process would keep its own copy,
# and a session ended in one process (sign-out, erasure) would live on in the others' caches,
# so sessions then stay in the database alone. Anything that ends someone else's sessions goes
# through accounts.sessions, which clears both.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if _redis_url
    else "django.contrib.sessions.backends.db"
)

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/London") or "Europe/London"
CELERY_TIMEZONE = TIME_ZONE
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", DEBUG)
WHITENOISE_MANIFEST_STRICT = False

# Security headers. Production values are the default; DEBUG relaxes only what needs HTTPS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the meta tag, not the cookie.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# A load balancer ends TLS and probes each app server directly over plain HTTP, without the
# X-Forwarded-Proto a proxied request carries; redirected to HTTPS it would count the server
# as down. /healthz says only "ok" or "unavailable", so plain HTTP gives nothing away.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front of the site append to X-Forwarded-For. 0 believes no header: every
# request is from REMOTE_ADDR. Sign-in throttling and the audit trail both read the client's
# address through accounts.audit.client_ip. allauth's own ALLAUTH_TRUSTED_PROXY_COUNT stays
# unset: the account adapter hands allauth that address, and allauth's reader raises an error
# (a 500) on a request with fewer X-Forwarded-For entries than proxies.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)

# No inline script or style anywhere: everything comes from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "manifest-src": [SELF],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.security.csrf": {"level": "WARNING"},
        # WeasyPrint logs its progress at INFO: several lines for every PDF.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# The APPEAR data file the `load_framework` command reads by default.
FRAMEWORK_DATA_FILE = BASE_DIR / "framework" / "data" / "appear_framework.yaml"

# Workshops (workshops/): the vignette library, and the limits of a workshop room.
VIGNETTE_DATA_FILE = BASE_DIR / "workshops" / "data" / "vignettes.yaml"
# The most participants (people or tables) one workshop takes.
WORKSHOP_MAX_PARTICIPANTS = env_int("WORKSHOP_MAX_PARTICIPANTS", 60)
# Days after closing a workshop before `purge_workshop_participants` deletes its participants.
WORKSHOP_PARTICIPANT_RETENTION_DAYS = env_int("WORKSHOP_PARTICIPANT_RETENTION_DAYS", 30)
# Hours a join code works after the workshop is opened, unless it is closed sooner.
WORKSHOP_CODE_HOURS = env_int("WORKSHOP_CODE_HOURS", 12)
