from django.urls import path
from rest_framework.routers import SimpleRouter

from stockyard.payments import views

router = SimpleRouter()
router.register("payments", views.PaymentViewSet, basename="payment")

urlpatterns = [
    path("payments/stripe/webhook/", views.StripeWebhookView.as_view(), name="stripe-webhook"),
    path(
        "sales-orders/<int:pk>/checkout/", views.CheckoutView.as_view(), name="sales-order-checkout"
    ),
    *router.urls,
]
