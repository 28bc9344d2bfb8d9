from rest_framework.routers import SimpleRouter

from stockyard.shipping import views

router = SimpleRouter()
router.register("shipments", views.ShipmentViewSet, basename="shipment")

urlpatterns = router.urls
