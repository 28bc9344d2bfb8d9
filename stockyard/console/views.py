"""``/app/``: the operator console's page, for every path under it (history-mode routes).

The console is a single page: ``frontend/`` builds it with Vite into this app's static
files (``console/index.html`` and hashed assets under ``/static/console/``). Every path
under ``/app/`` answers the same ``index.html`` and the Vue router picks the screen.
Serving it makes sure the console's OAuth2 client accepts this origin's callback.
"""

from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from stockyard.accounts.services import oauth2_console_client_ensure

# Where ``vite build`` writes (frontend/vite.config.ts); collectstatic copies it from here.
BUILD_DIR = Path(__file__).resolve().parent / "static" / "console"
NOT_BUILT = (
    "<!doctype html><title>Stockyard console</title>"
    "<h1>The console is not built</h1>"
    "<p>Run <code>make run</code> (or <code>cd frontend &amp;&amp; npm ci &amp;&amp; "
    "npm run build</code>) and reload.</p>"
)


@require_safe
@never_cache  # a new build must show at once; the hashed assets it names are cached
def console(request: HttpRequest, path: str = "") -> HttpResponse:
    """The console's ``index.html``; 503 with instructions when it has not been built."""
    index = BUILD_DIR / "index.html"
    if not index.is_file():
        return HttpResponse(NOT_BUILT, status=503)
    oauth2_console_client_ensure(origin=request.build_absolute_uri("/"))
    return HttpResponse(index.read_text(encoding="utf-8"))
