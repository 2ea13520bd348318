"""Request checks that belong to no single app."""

from __future__ import annotations

from django.http import HttpResponseBadRequest
from django.utils.cache import patch_cache_control


class RejectNulMiddleware:
    """Refuse a query string holding a NUL character with a 400 that says so.

    PostgreSQL text cannot hold NUL, so a search for one would otherwise fail in the
    database. Form fields already refuse NUL (Django's own validator); this covers
    the query parameters that views read directly (searches, filters, pages).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key + "".join(values) for key, values in request.GET.lists()):
            return HttpResponseBadRequest(
                "This address contains a NUL character, which no search or filter accepts.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every page and file the app answers with.

    Nearly every page shows patient data, and ward computers are shared: nothing may
    stay in a browser's cache or on its back button for the next person. Static
    files (WhiteNoise, earlier in the chain) keep their long caching.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response
