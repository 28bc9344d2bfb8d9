from rest_framework.routers import SimpleRouter

from stockyard.inventory import views

router = SimpleRouter()
router.register("warehouses", views.WarehouseViewSet, basename="warehouse")
router.register("stock-levels", views.StockLevelViewSet, basename="stock-level")
router.register("stock-movements", views.StockMovementViewSet, basename="stock-movement")
router.register("stock-adjustments", views.StockAdjustmentViewSet, basename="stock-adjustment")
router.register("stock-transfers", views.StockTransferViewSet, basename="stock-transfer")
router.register("stock-counts", views.StockCountViewSet, basename="stock-count")

urlpatterns = router.urls
