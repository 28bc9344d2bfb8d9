from typing import Any, TypeVar, cast

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied

from stockyard.accounts.models import User
from stockyard.accounts.roles import Capability, roles_allow
from stockyard.core.views import ETagMixin
from stockyard.partners import services
from stockyard.partners.models import Customer, Supplier
from stockyard.partners.serializers import CustomerSerializer, SupplierSerializer

P = TypeVar("P", Supplier, Customer)

_DESTROY = extend_schema(
    description="Deletes a partner nothing refers to; one referenced by products or "
    "documents answers 409 `conflict`: deactivate it instead (`is_active: false`)."
)


class PartnerViewSet(ETagMixin, viewsets.ModelViewSet[P]):
    """What the supplier and customer endpoints share: reads, filters, search, ordering.

    Search covers code and name only: contact and tax fields are encrypted at rest and
    cannot be searched in SQL.
    """

    read_capability = Capability.BUSINESS_VIEW
    filterset_fields = ["is_active", "currency"]
    search_fields = ["code", "name"]
    ordering_fields = ["id", "code", "name", "created_at", "updated_at"]
    ordering = ["name", "id"]


@extend_schema_view(
    create=extend_schema(
        examples=[
            OpenApiExample(
                "New supplier",
                value={
                    "code": "SUP-ACME",
                    "name": "Acme Industrial Supply",
                    "email": "orders@acme.example",
                    "phone": "+1 312 555 0101",
                    "address": "400 W Lake St, Chicago, IL 60606",
                    "tax_id": "36-4567890",
                    "bank_account": "US12 3456 7890 1234 5678",
                    "currency": "USD",
                    "lead_time_days": 5,
                },
                request_only=True,
            )
        ]
    ),
    destroy=_DESTROY,
)
class SupplierViewSet(PartnerViewSet[Supplier]):
    """Suppliers: who the business buys from."""

    queryset = Supplier.objects.all()
    serializer_class = SupplierSerializer
    write_capability = Capability.SUPPLIERS_MANAGE

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.supplier_create(**serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.supplier_update(
            supplier=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: Supplier) -> None:
        services.supplier_delete(supplier=instance)


@extend_schema_view(
    create=extend_schema(
        examples=[
            OpenApiExample(
                "New customer",
                value={
                    "code": "CUS-BLUEOAK",
                    "name": "Blue Oak Builders",
                    "email": "accounts@blueoak.example",
                    "phone": "+1 503 555 0142",
                    "billing_address": "12 Alder St, Portland, OR 97205",
                    "shipping_address": "Yard 3, 880 NW Front Ave, Portland, OR 97209",
                    "tax_id": "93-1234567",
                    "currency": "USD",
                    "credit_limit": "25000.00",
                },
                request_only=True,
            )
        ]
    ),
    destroy=_DESTROY,
)
class CustomerViewSet(PartnerViewSet[Customer]):
    """Customers: who the business sells to. ``credit_limit`` null means no limit."""

    queryset = Customer.objects.all()
    serializer_class = CustomerSerializer
    write_capability = Capability.CUSTOMERS_MANAGE

    def perform_create(self, serializer: Any) -> None:
        self._check_credit_limit_change(None, serializer.validated_data)
        serializer.instance = services.customer_create(**serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        self._check_credit_limit_change(serializer.instance, serializer.validated_data)
        serializer.instance = services.customer_update(
            customer=serializer.instance, **serializer.validated_data
        )

    def _check_credit_limit_change(self, customer: Customer | None, data: dict[str, Any]) -> None:
        """Only admins and managers set or change a credit limit: 403 for anyone else."""
        if "credit_limit" not in data:
            return
        current = customer.credit_limit if customer is not None else None
        if data["credit_limit"] != current and not roles_allow(
            cast(User, self.request.user).roles, Capability.CREDIT_LIMITS_MANAGE
        ):
            raise PermissionDenied("Only admins and managers change a customer's credit_limit.")

    def perform_destroy(self, instance: Customer) -> None:
        services.customer_delete(customer=instance)
