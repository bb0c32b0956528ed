import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ["DJANGO_SETTINGS_MODULE"] = "conformance.settings"
import django
django.setup()
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User
# Same format, fewer iterations: the tests configure PASSWORD_ITERATIONS=10000 to match.
h = PBKDF2PasswordHasher()
h.iterations = 10000
for u in User.objects.all():
    pw = {"alice": "alicepw", "admin": "adminpw", "inactive": "inactivepw", "bob": "bobpw", "ünï": "pässwörd", "carol": "pa:ss:wd"}[u.username]
    u.password = h.encode(pw, h.salt())
    u.save(update_fields=["password"])
    print(u.id, u.username, u.password[:32])
