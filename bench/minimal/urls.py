"""``/healthz``, ``/auth/token/`` (simplejwt's) and ``/auth/me/``: the user and their groups."""

from typing import Any, cast

from django.contrib.auth.models import User
from django.http import HttpRequest, JsonResponse
from django.urls import path
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView


class MeSerializer(serializers.ModelSerializer[User]):
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "email", "roles"]

    def get_roles(self, user: User) -> list[str]:
        return sorted(group.name for group in user.groups.all())


class MeView(APIView):
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(cast(User, request.user)).data)


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns: list[Any] = [
    path("healthz", healthz),
    path("api/v1/auth/token/", TokenObtainPairView.as_view()),
    path("api/v1/auth/me/", MeView.as_view()),
]
