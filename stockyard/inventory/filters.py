import django_filters
from django.db.models import QuerySet

from stockyard.inventory.enums import MovementKind
from stockyard.inventory.models import LOW_STOCK, StockLevel, StockMovement


class StockLevelFilter(django_filters.FilterSet):
    below_reorder_point = django_filters.BooleanFilter(
        method="filter_below_reorder_point",
        label="Only levels whose available stock is at or below the product's reorder point.",
    )

    class Meta:
        model = StockLevel
        fields = ["product", "warehouse"]

    def filter_below_reorder_point(
        self, queryset: QuerySet[StockLevel], name: str, value: bool | None
    ) -> QuerySet[StockLevel]:
        if value is None:
            return queryset
        # on_hand - reserved <= reorder_point: the low levels' index (LOW_STOCK)
        return queryset.filter(LOW_STOCK) if value else queryset.exclude(LOW_STOCK)


class StockMovementFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=MovementKind.choices)
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = StockMovement
        fields = ["product", "warehouse", "kind", "reference_type", "reference_id"]
