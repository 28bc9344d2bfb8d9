"""Failed-login limits per username and per client address, kept by django-axes.

Axes counts failures of ``django.contrib.auth.authenticate`` wherever it is called: the
JWT token endpoint, ``/o/login/`` and ``/admin/login/``. Its backend refuses a locked-out
username or address before any password is checked. Pages answer through
``AxesMiddleware`` and ``lockout_response``; the DRF token view, whose request object
Axes' middleware cannot see, asks ``raise_if_locked_out`` after a refused login.
"""

from typing import Any

from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from stockyard.core import errors
from stockyard.core.problems import application_error_response

LOCKED_OUT_DETAIL = "Too many failed sign-in attempts for this username or address."


def _cool_off_seconds(request: HttpRequest) -> int:
    cool_off = get_cool_off(request)
    return int(cool_off.total_seconds()) if cool_off else 3600


def locked_out_error(request: HttpRequest) -> errors.TooManyRequests:
    return errors.TooManyRequests(
        f"{LOCKED_OUT_DETAIL} Try again later.", retry_after=_cool_off_seconds(request)
    )


def raise_if_locked_out(request: Any) -> None:
    """After a refused login: raise 429 ``throttled`` if Axes locked the caller out.

    Raises ``TooManyRequests``.
    """
    if getattr(request, "axes_locked_out", False):
        raise locked_out_error(request)


def lockout_response(request: HttpRequest, *args: Any) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: problem+json under ``/api/``, the sign-in page elsewhere."""
    error = locked_out_error(request)
    if request.path.startswith("/api/"):
        return application_error_response(error)
    response = render(
        request, "accounts/locked_out.html", {"detail": error.detail}, status=error.status
    )
    response["Retry-After"] = str(error.retry_after)
    return response
