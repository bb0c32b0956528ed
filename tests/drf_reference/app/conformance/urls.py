from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token

from . import views

urlpatterns = [
    path("basic/", views.basic),
    path("token/", views.token),
    path("bearer/", views.bearer),
    path("token-basic/", views.token_basic),
    path("basic-token/", views.basic_token),
    path("session/", views.session),
    path("public/", views.public),
    path("default/", views.default),
    path("admin-only/", views.admin_only),
    path("read-only/", views.read_only),
    path("composed/", views.composed),
    path("throttled/", views.throttled),
    path("scoped/", views.scoped),
    path("api-token-auth/", obtain_auth_token),
    path("session-login/", views.session_login),
]
