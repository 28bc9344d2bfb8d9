from rest_framework.routers import SimpleRouter

from stockyard.feedback import views

router = SimpleRouter()
router.register("feedback", views.FeedbackViewSet, basename="feedback")

urlpatterns = router.urls
