"""Django's side of the password, user and token interop test (tests/django_interop.rs).

Runs real Django + DRF (the venv of .ci/services.sh `django_venv`: Django 5.2, DRF 3.18,
argon2-cffi, bcrypt, psycopg) on a database the Rust test also opens, and prints one JSON
object on stdout.

  create DATABASE_URL MODEL
      `migrate`, then users made by Django with every hasher (make_password(pw, hasher=...)) and
      DRF tokens for them. MODEL is `auth` (auth.User) or `member` (AUTH_USER_MODEL =
      interop_app.Member: table accounts_member, email as USERNAME_FIELD, extra columns).
      Prints {"users": [{"username", "password", "algorithm", "token"}], "django": version}.

  check DATABASE_URL MODEL JSON
      For each {"username", "password", "token"?} of JSON (users the Rust side made or
      rehashed): check_password against the stored hash (without saving), DRF's
      TokenAuthentication.authenticate_credentials(token), then django.contrib.auth.authenticate
      (ModelBackend; may rehash, as a login does). Prints {"results": [...]}.

DATABASE_URL is sqlite:///abs/path or sqlite://abs/path, or postgres://user@host:port/name.
"""
import json
import os
import sys
from urllib.parse import unquote, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import django  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import (  # noqa: E402
    PBKDF2PasswordHasher,
    PBKDF2SHA1PasswordHasher,
)


class FastPBKDF2(PBKDF2PasswordHasher):
    """pbkdf2_sha256 with 10,000 iterations (the Rust side is configured the same)."""

    iterations = 10000


class FastPBKDF2SHA1(PBKDF2SHA1PasswordHasher):
    iterations = 10000


HASHERS = [
    __name__ + ".FastPBKDF2",
    __name__ + ".FastPBKDF2SHA1",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.BCryptPasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.MD5PasswordHasher",
]
ALGORITHMS = ["pbkdf2_sha256", "pbkdf2_sha1", "argon2", "bcrypt_sha256", "bcrypt", "scrypt", "md5"]


def database(url):
    if url.startswith("sqlite:"):
        path = url[len("sqlite:"):]
        while path.startswith("//"):
            path = path[1:]
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path.split("?")[0]}
    u = urlsplit(url)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": u.path.lstrip("/"),
        "USER": unquote(u.username or ""),
        "PASSWORD": unquote(u.password or ""),
        "HOST": u.hostname or "",
        "PORT": str(u.port or ""),
    }


def configure(url, model):
    apps = [
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "rest_framework",
        "rest_framework.authtoken",
    ]
    extra = {}
    if model == "member":
        apps.append("interop_app")
        extra["AUTH_USER_MODEL"] = "interop_app.Member"
    settings.configure(
        SECRET_KEY="test-secret-key-for-vectors",
        INSTALLED_APPS=apps,
        DATABASES={"default": database(url)},
        USE_TZ=True,
        TIME_ZONE="UTC",
        PASSWORD_HASHERS=HASHERS,
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        **extra,
    )
    django.setup()


def create(model):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    call_command("migrate", verbosity=0)
    User = get_user_model()
    users = []
    for algorithm in ALGORITHMS:
        password = "pw-" + algorithm + "-é"
        if model == "member":
            username = "dj-" + algorithm + "@example.com"
            u = User(email=username, display_name="Django " + algorithm, tier=ALGORITHMS.index(algorithm))
        else:
            username = "dj-" + algorithm
            u = User(username=username, email=username + "@example.com")
        u.password = make_password(password, hasher=algorithm)
        u.save()
        token = Token.objects.create(user=u)
        users.append(
            {"username": username, "password": password, "algorithm": algorithm, "token": token.key}
        )
    # An inactive user with a token, and a user with an unusable password.
    if model == "member":
        inactive = User(email="dj-inactive@example.com", is_active=False)
        unusable = User(email="dj-unusable@example.com")
    else:
        inactive = User(username="dj-inactive", is_active=False)
        unusable = User(username="dj-unusable")
    inactive.set_password("pw-inactive")
    inactive.save()
    unusable.set_unusable_password()
    unusable.save()
    users.append(
        {
            "username": inactive.get_username(),
            "password": "pw-inactive",
            "algorithm": "pbkdf2_sha256",
            "token": Token.objects.create(user=inactive).key,
            "inactive": True,
        }
    )
    users.append({"username": unusable.get_username(), "password": "", "algorithm": None, "unusable": True})
    return {"users": users, "django": django.get_version()}


def check(model, wanted):
    from django.contrib.auth import authenticate, get_user_model
    from django.contrib.auth.hashers import check_password, identify_hasher
    from rest_framework.exceptions import AuthenticationFailed
    from rest_framework.authentication import TokenAuthentication

    User = get_user_model()
    results = []
    for w in wanted:
        r = {"username": w["username"]}
        try:
            user = User.objects.get_by_natural_key(w["username"])
        except User.DoesNotExist:
            r["found"] = False
            results.append(r)
            continue
        r["found"] = True
        r["algorithm"] = identify_hasher(user.password).algorithm if user.has_usable_password() else None
        r["check_password"] = check_password(w["password"], user.password)
        r["check_wrong_password"] = check_password(w["password"] + "x", user.password)
        if model == "member":
            r["display_name"] = user.display_name
            r["tier"] = user.tier
        if w.get("token"):
            try:
                found, token = TokenAuthentication().authenticate_credentials(w["token"])
                r["token_user"] = found.get_username()
            except AuthenticationFailed as e:
                r["token_user"] = None
                r["token_error"] = str(e.detail)
        r["authenticate"] = authenticate(username=w["username"], password=w["password"]) is not None
        results.append(r)
    return {"results": results}


def revoke(model, usernames):
    """Revocations made by Django: the first user deactivated, the second's token deleted,
    the third user deleted (with its token), the fourth's token replaced."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    User = get_user_model()
    deactivate, untoken, delete, replace = (User.objects.get_by_natural_key(u) for u in usernames)
    deactivate.is_active = False
    deactivate.save()
    Token.objects.filter(user=untoken).delete()
    delete.delete()
    Token.objects.filter(user=replace).delete()
    return {"new_token": Token.objects.create(user=replace).key}


def main():
    command, url, model = sys.argv[1], sys.argv[2], sys.argv[3]
    configure(url, model)
    if command == "create":
        out = create(model)
    elif command == "check":
        out = check(model, json.loads(sys.argv[4]))
    elif command == "revoke":
        out = revoke(model, json.loads(sys.argv[4]))
    else:
        raise SystemExit("unknown command " + command)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
