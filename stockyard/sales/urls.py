from rest_framework.routers import SimpleRouter

from stockyard.sales import views

router = SimpleRouter()
router.register("sales-orders", views.SalesOrderViewSet, basename="sales-order")
router.register("returns", views.CustomerReturnViewSet, basename="customer-return")

urlpatterns = router.urls
