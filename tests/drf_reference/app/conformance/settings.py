"""Django settings for the DRF conformance reference app (see examples/conformance/README.md)."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "test-secret-key-for-vectors"
DEBUG = False
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "rest_framework",
    "rest_framework.authtoken",
]

# Django's `startproject` defaults (minus messages, which is not installed).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "conformance.urls"
WSGI_APPLICATION = "conformance.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DRFREF_DB", str(BASE_DIR / "db.sqlite3")),
    }
}

# DRFREF_PG_URL=postgres://user[:password]@host:port/name puts the same project on PostgreSQL
# (the Rust test suite builds its PostgreSQL copy of the fixture database this way).
if os.environ.get("DRFREF_PG_URL"):
    from urllib.parse import unquote, urlsplit

    _pg = urlsplit(os.environ["DRFREF_PG_URL"])
    DATABASES["default"] = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _pg.path.lstrip("/"),
        "USER": unquote(_pg.username or ""),
        "PASSWORD": unquote(_pg.password or ""),
        "HOST": _pg.hostname or "",
        "PORT": str(_pg.port or ""),
    }

# PASSWORD_HASHERS: Django's default (pbkdf2_sha256, 1,000,000 iterations on 5.2).

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.AllowAny",
    ],
    # Only JSON: no browsable API (so no `Vary: Accept`, and text/html is 406).
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": "3/min",
        "user": "5/min",
        "burst": "2/min",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
