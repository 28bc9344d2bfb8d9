"""``Cache-Control: no-store`` on every API response.

API responses hold business data, partners' contact details and tokens: no browser or
shared cache may keep a copy (RFC 9111 section 5.2.2.5). ETags still let clients make
conditional writes (``If-Match``).
"""

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from stockyard.core.middleware import SyncAndAsyncMiddleware

API_PREFIX = "/api/"


def _no_store(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        patch_cache_control(response, no_store=True)
    return response


class ApiNoStoreMiddleware(SyncAndAsyncMiddleware):
    def handle(self, request: HttpRequest) -> HttpResponse:
        return _no_store(request, self.get_response(request))

    async def ahandle(self, request: HttpRequest) -> HttpResponse:
        return _no_store(request, await self.get_response(request))
