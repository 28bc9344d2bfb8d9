"""The minimal contender under an ASGI server (as Stockyard's HTTP API runs)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.minimal.settings")
application = get_asgi_application()
