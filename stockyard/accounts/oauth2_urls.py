"""The OAuth2 provider at ``/o/``: authorize (with PKCE), token, revoke, and a sign-in page.

Only these endpoints of django-oauth-toolkit are mounted: applications are registered in
the Django admin, not through its self-service views. ``/o/login/`` signs in any active
user for ``/o/authorize/`` (the admin login accepts staff only), throttled like the JWT
token endpoint.
"""

from django.urls import path
from oauth2_provider import views as oauth2_views

from stockyard.accounts.views import SignInView

app_name = "oauth2_provider"

urlpatterns = [
    path("authorize/", oauth2_views.AuthorizationView.as_view(), name="authorize"),
    path("token/", oauth2_views.TokenView.as_view(), name="token"),
    path("revoke_token/", oauth2_views.RevokeTokenView.as_view(), name="revoke-token"),
    path("login/", SignInView.as_view(), name="login"),
]
