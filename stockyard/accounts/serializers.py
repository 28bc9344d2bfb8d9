from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from stockyard.accounts.models import User
from stockyard.accounts.roles import Capability, Role, capabilities_of


class RolesField(serializers.ListField):
    child = serializers.ChoiceField(choices=Role.choices)

    def to_representation(self, data: Any) -> list[str]:
        return sorted(role.value for role in data)

    def to_internal_value(self, data: Any) -> list[Role]:
        return [Role(value) for value in super().to_internal_value(data)]


class MeSerializer(serializers.ModelSerializer[User]):
    roles = RolesField(read_only=True)
    capabilities = serializers.SerializerMethodField(
        help_text="What the roles allow (the permission matrix): a client shows only the "
        "actions named here; the API still decides every request."
    )

    class Meta:
        model = User
        fields = ["id", "username", "email", "roles", "capabilities"]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(Capability.choices)))
    def get_capabilities(self, user: User) -> list[str]:
        return [capability.value for capability in capabilities_of(user.roles)]


class UserSerializer(serializers.ModelSerializer[User]):
    roles = RolesField(required=False)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})

    class Meta:
        model = User
        fields = ["id", "username", "email", "password", "roles", "is_active", "date_joined"]
        read_only_fields = ["id", "date_joined"]

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        if self.instance is not None:  # changing the password is optional on update
            fields["password"].required = False
        return fields


class LogoutSerializer(serializers.Serializer[Any]):
    refresh = serializers.CharField()
