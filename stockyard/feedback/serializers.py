"""Shapes of the feedback API."""

from rest_framework import serializers

from stockyard.feedback.models import RATING_MAX, RATING_MIN, Feedback


class FeedbackSerializer(serializers.ModelSerializer[Feedback]):
    user = serializers.IntegerField(source="user_id", read_only=True, allow_null=True)
    username = serializers.CharField(source="user.username", read_only=True, allow_null=True)
    message = serializers.CharField(max_length=5000)
    page = serializers.CharField(
        max_length=500,
        required=False,
        default="",
        allow_blank=True,
        help_text="Where the user was (a console path or URL).",
    )
    rating = serializers.IntegerField(
        min_value=RATING_MIN,
        max_value=RATING_MAX,
        required=False,
        allow_null=True,
        help_text="1 (bad) to 5 (good).",
    )

    class Meta:
        model = Feedback
        fields = ["id", "user", "username", "message", "page", "rating", "created_at"]
        read_only_fields = ["created_at"]
