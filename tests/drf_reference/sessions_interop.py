"""Django's side of the session interop test (tests/django_sessions.rs).

Runs real Django (5.2, the venv of record.sh) on a copy of the fixture database that the Rust
server is serving, with the same SECRET_KEY, and prints one JSON object:

  login DB USERNAME PASSWORD
      Django's test client logs the user in (django.contrib.auth.login), then fetches a CSRF
      token from a view calling get_token(). Prints the sessionid cookie, the csrftoken cookie
      (the secret) and the masked token.

  check DB SESSIONID CSRFTOKEN
      Django reads a session made by the Rust side: SessionStore(key).load(), get_user() on a
      request carrying the cookie, and a POST through CsrfViewMiddleware (enforce_csrf_checks)
      with the cookies and the X-CSRFToken header. Prints what it found.
"""
import json
import os
import sys

import django
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher


class FastPBKDF2(PBKDF2PasswordHasher):
    """The fixture's hashes: pbkdf2_sha256 with 10,000 iterations (no rehash at login)."""

    iterations = 10000


def database(url):
    """sqlite://PATH (or a bare path) or postgres://user[:password]@host:port/name."""
    if url.startswith("postgres://") or url.startswith("postgresql://"):
        from urllib.parse import unquote, urlsplit

        u = urlsplit(url)
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": u.path.lstrip("/"),
            "USER": unquote(u.username or ""),
            "PASSWORD": unquote(u.password or ""),
            "HOST": u.hostname or "",
            "PORT": str(u.port or ""),
        }
    path = url[len("sqlite://"):] if url.startswith("sqlite://") else url
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": path.split("?")[0]}


def configure(db):
    settings.configure(
        SECRET_KEY="test-secret-key-for-vectors",
        DEBUG=False,
        ALLOWED_HOSTS=["*"],
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        ROOT_URLCONF=__name__,
        DATABASES={"default": database(db)},
        USE_TZ=True,
        TIME_ZONE="UTC",
        PASSWORD_HASHERS=[__name__ + ".FastPBKDF2"],
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    )
    django.setup()


def csrf_view(request):
    from django.http import JsonResponse
    from django.middleware.csrf import get_token

    return JsonResponse({"token": get_token(request)})


def whoami(request):
    from django.http import JsonResponse

    return JsonResponse(
        {"username": request.user.username, "is_authenticated": request.user.is_authenticated}
    )


def urls():
    from django.urls import path

    return [path("csrf/", csrf_view), path("whoami/", whoami)]


urlpatterns = []


def login(username, password):
    from django.test import Client

    client = Client()
    if not client.login(username=username, password=password):
        return {"error": "Django refused the credentials"}
    response = client.get("/csrf/")
    return {
        "sessionid": client.cookies["sessionid"].value,
        "csrftoken": client.cookies["csrftoken"].value,
        "token": json.loads(response.content)["token"],
    }


def check(sessionid, csrftoken):
    from django.contrib.auth import get_user
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.test import Client, RequestFactory

    data = SessionStore(session_key=sessionid).load()
    request = RequestFactory().get("/", HTTP_COOKIE=f"sessionid={sessionid}")
    SessionMiddleware(lambda r: None).process_request(request)
    user = get_user(request)
    client = Client(enforce_csrf_checks=True)
    client.cookies["sessionid"] = sessionid
    client.cookies["csrftoken"] = csrftoken
    ok = client.post("/whoami/", HTTP_X_CSRFTOKEN=csrftoken)
    refused = client.post("/whoami/", HTTP_X_CSRFTOKEN="x" * 32)
    return {
        "session": data,
        "user": user.username if user.is_authenticated else None,
        "post_status": ok.status_code,
        "post_body": json.loads(ok.content) if ok.status_code == 200 else None,
        "bad_token_status": refused.status_code,
    }


def main(argv):
    global urlpatterns
    command, db, *args = argv
    path = database(db)["NAME"]
    if database(db)["ENGINE"].endswith("sqlite3") and not os.path.exists(path):
        raise SystemExit(f"no database at {db}")
    configure(db)
    urlpatterns = urls()
    if command == "login":
        result = login(*args)
    elif command == "check":
        result = check(*args)
    else:
        raise SystemExit(f"unknown command {command!r}")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
