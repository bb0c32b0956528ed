"""The conformance app's views, as examples/conformance/README.md describes them.

Functions carry no docstring on purpose: the OPTIONS "description" is then "".
The OPTIONS "name" is the function name in title case ("token_basic" -> "Token Basic").
"""
from django.contrib.auth import authenticate, login
from rest_framework import serializers
from rest_framework.authentication import (
    BasicAuthentication,
    SessionAuthentication,
    TokenAuthentication,
)
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.permissions import (
    AllowAny,
    IsAdminUser,
    IsAuthenticated,
    IsAuthenticatedOrReadOnly,
)
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle


class BearerAuthentication(TokenAuthentication):
    keyword = "Bearer"


def whoami(request):
    user = request.user
    auth = request.auth
    return Response(
        {
            "username": user.username if user.is_authenticated else "",
            "is_authenticated": bool(user.is_authenticated),
            "auth": getattr(auth, "key", None),
        }
    )


@api_view(["GET", "POST"])
@authentication_classes([BasicAuthentication])
@permission_classes([IsAuthenticated])
def basic(request):
    return whoami(request)


@api_view(["GET", "POST"])
@authentication_classes([TokenAuthentication])
@permission_classes([IsAuthenticated])
def token(request):
    return whoami(request)


@api_view(["GET"])
@authentication_classes([BearerAuthentication])
@permission_classes([IsAuthenticated])
def bearer(request):
    return whoami(request)


@api_view(["GET"])
@authentication_classes([TokenAuthentication, BasicAuthentication])
@permission_classes([IsAuthenticated])
def token_basic(request):
    return whoami(request)


@api_view(["GET"])
@authentication_classes([BasicAuthentication, TokenAuthentication])
@permission_classes([IsAuthenticated])
def basic_token(request):
    return whoami(request)


@api_view(["GET", "POST"])
@authentication_classes([SessionAuthentication])
@permission_classes([IsAuthenticated])
def session(request):
    return whoami(request)


@api_view(["GET"])
@permission_classes([AllowAny])
def public(request):
    return whoami(request)


@api_view(["GET", "POST"])
def default(request):
    return whoami(request)


@api_view(["GET"])
@authentication_classes([TokenAuthentication, BasicAuthentication])
@permission_classes([IsAdminUser])
def admin_only(request):
    return whoami(request)


@api_view(["GET", "POST"])
@authentication_classes([TokenAuthentication, BasicAuthentication])
@permission_classes([IsAuthenticatedOrReadOnly])
def read_only(request):
    return whoami(request)


@api_view(["GET"])
@authentication_classes([TokenAuthentication, BasicAuthentication])
@permission_classes([IsAuthenticated & ~IsAdminUser])
def composed(request):
    return whoami(request)


@api_view(["GET"])
@authentication_classes([TokenAuthentication, BasicAuthentication])
@permission_classes([AllowAny])
@throttle_classes([AnonRateThrottle, UserRateThrottle])
def throttled(request):
    return whoami(request)


def throttle_scope(scope):
    def decorator(func):
        func.throttle_scope = scope
        return func
    return decorator


@api_view(["GET"])
@authentication_classes([TokenAuthentication, BasicAuthentication])
@permission_classes([AllowAny])
@throttle_classes([ScopedRateThrottle])
@throttle_scope("burst")
def scoped(request):
    return whoami(request)


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False)


@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
def session_login(request):
    serializer = LoginSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    user = authenticate(
        request=request,
        username=serializer.validated_data["username"],
        password=serializer.validated_data["password"],
    )
    if user is None:
        raise serializers.ValidationError(
            {"non_field_errors": ["Unable to log in with provided credentials."]}
        )
    login(request, user)
    return Response({"username": user.username})
