from rest_framework.routers import SimpleRouter

from stockyard.catalog import views

router = SimpleRouter()
router.register("products", views.ProductViewSet, basename="product")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("units", views.UnitViewSet, basename="unit")
router.register("exchange-rates", views.ExchangeRateViewSet, basename="exchange-rate")

urlpatterns = router.urls
