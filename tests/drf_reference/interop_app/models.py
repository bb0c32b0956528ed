"""`Member`: logs in by email, lives in `accounts_member`, has extra columns and no
first/last name, date_joined or superuser flag (an AbstractBaseUser, not an AbstractUser)."""
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models


class MemberManager(BaseUserManager):
    def create_user(self, email, password=None, **extra):
        member = self.model(email=self.normalize_email(email), **extra)
        member.set_password(password)
        member.save(using=self._db)
        return member


class Member(AbstractBaseUser):
    email = models.EmailField(unique=True)
    display_name = models.CharField(max_length=100, default="")
    tier = models.IntegerField(default=1)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"

    objects = MemberManager()

    class Meta:
        app_label = "interop_app"
        db_table = "accounts_member"
