from rest_framework.routers import SimpleRouter

from stockyard.partners import views

router = SimpleRouter()
router.register("suppliers", views.SupplierViewSet, basename="supplier")
router.register("customers", views.CustomerViewSet, basename="customer")

urlpatterns = router.urls
