from typing import Any, cast

from django.contrib.auth.views import LoginView
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from stockyard.accounts import services
from stockyard.accounts.models import User
from stockyard.accounts.roles import Capability
from stockyard.accounts.serializers import LogoutSerializer, MeSerializer, UserSerializer


class AuthRateThrottle(AnonRateThrottle):
    """Limits the token endpoints per client address, whoever the caller claims to be."""

    scope = "auth"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class SignInView(LoginView):
    """The page ``/o/authorize/`` sends anonymous users to: any active user may sign in.

    Password attempts share the token endpoint's ``auth`` budget per client address, so
    this page is no way around it.
    """

    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    next_page = "swagger-ui"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        throttle = AuthRateThrottle()
        # The throttle keys by client address only; it never looks at the view.
        if throttle.allow_request(Request(request), self):  # type: ignore[arg-type]
            return super().post(request, *args, **kwargs)
        form = self.get_form()
        form.add_error(None, "Too many sign-in attempts from your address. Try again later.")
        response = self.form_invalid(form)
        response.status_code = 429
        response["Retry-After"] = str(int(throttle.wait() or 1))
        return response


class TokenObtainView(TokenObtainPairView):
    """Exchange a username and password for an access and a refresh JWT; bad credentials
    → 401. Throttled per client address (``auth`` rate)."""

    throttle_classes = [AuthRateThrottle]


class TokenRefreshRotatingView(TokenRefreshView):
    """Exchange a refresh JWT for a new access token and a new refresh token; the old
    refresh token stops working (rotation)."""

    throttle_classes = [AuthRateThrottle]


class LogoutView(APIView):
    """Revoke a refresh token: it can no longer be refreshed."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []  # an expired access token must not block logout
    throttle_classes = [AuthRateThrottle]

    def get_authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'

    @extend_schema(
        request=LogoutSerializer,
        responses={204: None},
        examples=[OpenApiExample("Logout", value={"refresh": "<refresh JWT>"}, request_only=True)],
    )
    def post(self, request: Request) -> Response:
        serializer = LogoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            RefreshToken(serializer.validated_data["refresh"]).blacklist()
        except TokenError as exc:
            raise AuthenticationFailed(str(exc)) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """The authenticated user and their roles."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(cast(User, request.user)).data)


@extend_schema_view(
    create=extend_schema(
        examples=[
            OpenApiExample(
                "New sales clerk",
                value={
                    "username": "jo",
                    "email": "jo@example.com",
                    "password": "a-long-passphrase",
                    "roles": ["sales"],
                },
                request_only=True,
            )
        ]
    ),
    destroy=extend_schema(description="Deactivates the user (users are kept for the audit trail)."),
)
class UserViewSet(viewsets.ModelViewSet[User]):
    """Users and their roles; administrators only."""

    serializer_class = UserSerializer
    read_capability = Capability.USERS_MANAGE
    write_capability = Capability.USERS_MANAGE
    filterset_fields = ["is_active", "groups__name"]
    search_fields = ["username", "email"]
    ordering_fields = ["id", "username", "date_joined"]
    ordering = ["id"]

    def get_queryset(self) -> QuerySet[User]:
        return User.objects.prefetch_related("groups").order_by("id")

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.user_create(**serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.user_update(
            user=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: User) -> None:
        services.user_update(user=instance, is_active=False)
