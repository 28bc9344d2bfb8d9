from rest_framework.routers import SimpleRouter

from stockyard.purchasing import views

router = SimpleRouter()
router.register("purchase-orders", views.PurchaseOrderViewSet, basename="purchase-order")
router.register(
    "reorder-suggestions", views.ReorderSuggestionViewSet, basename="reorder-suggestion"
)

urlpatterns = router.urls
