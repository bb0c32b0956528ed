"""Create the fixed users and tokens (run after `manage.py migrate` on a fresh DB)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "conformance.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

USERS = [
    # username, password, is_staff, is_superuser, is_active
    ("alice", "alicepw", False, False, True),
    ("admin", "adminpw", True, True, True),
    ("inactive", "inactivepw", False, False, False),
    ("bob", "bobpw", False, False, True),
    ("ünï", "pässwörd", False, False, True),
    # a password with colons, to show that Basic splits on the first ':'
    ("carol", "pa:ss:wd", False, False, True),
]
TOKENS = {
    "alice": "0123456789abcdef0123456789abcdef01234567",
    "admin": "fedcba9876543210fedcba9876543210fedcba98",
    "inactive": "1111111111111111111111111111111111111111",
}

for username, password, staff, superuser, active in USERS:
    u = User(username=username, is_staff=staff, is_superuser=superuser, is_active=active)
    u.set_password(password)
    u.save()
for username, key in TOKENS.items():
    Token.objects.create(key=key, user=User.objects.get(username=username))
for u in User.objects.order_by("id"):
    print(u.id, u.username, u.is_active, u.is_staff, u.is_superuser, u.password[:30] + "...")
for t in Token.objects.all():
    print("token", t.user.username, t.key)
