"""``/app/``: the operator console's page, for every path under it (history-mode routes).

The console is a single page: ``frontend/`` builds it with Vite into this app's static
files (``console/index.html`` and hashed assets under ``/static/console/``). Every path
under ``/app/`` answers the same ``index.html`` and the Vue router picks the screen.
Serving it makes sure the console's OAuth2 client accepts this origin's callback.
"""

from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.utils.html import escape
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from stockyard.accounts.services import oauth2_console_client_ensure
from stockyard.core.errors import ValidationFailed

# Where ``vite build`` writes (frontend/vite.config.ts); collectstatic copies it from here.
BUILD_DIR = Path(__file__).resolve().parent / "static" / "console"
NOT_BUILT = (
    "<!doctype html><title>Stockyard console</title>"
    "<h1>The console is not built</h1>"
    "<p>Run <code>make run</code> (or <code>cd frontend &amp;&amp; npm ci &amp;&amp; "
    "npm run build</code>) and reload.</p>"
)
SCHEME_REFUSED = (
    "<!doctype html><title>Stockyard console</title>"
    "<h1>The console cannot sign in from this address</h1>"
    "<p>It reached the server as <code>{origin}</code>, and this server accepts OAuth2 "
    "redirects only for the schemes in <code>OAUTH2_REDIRECT_URI_SCHEMES</code> "
    "(production: https). Serve it over https; behind a TLS proxy, put the proxy in "
    "<code>TRUSTED_PROXIES</code> so that its <code>X-Forwarded-Proto</code> is believed.</p>"
)


@require_safe
@never_cache  # a new build must show at once; the hashed assets it names are cached
def console(request: HttpRequest, path: str = "") -> HttpResponse:
    """The console's ``index.html``; 503 with instructions when it has not been built, or
    when its sign-in could not work from this origin (a scheme OAuth2 redirects refuse)."""
    index = BUILD_DIR / "index.html"
    if not index.is_file():
        return HttpResponse(NOT_BUILT, status=503)
    origin = request.build_absolute_uri("/")
    try:
        oauth2_console_client_ensure(origin=origin)
    except ValidationFailed:
        return HttpResponse(SCHEME_REFUSED.format(origin=escape(origin)), status=503)
    return HttpResponse(index.read_text(encoding="utf-8"))
