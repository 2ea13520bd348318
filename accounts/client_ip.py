"""The client's address for login lockouts, trusting only the proxies we were told of.

Behind ``TRUSTED_PROXY_COUNT`` reverse proxies, each proxy appends the address it
saw to ``X-Forwarded-For``, so the client is the N-th entry from the right; anything
further left was written by the client and can be forged. Without a configured
proxy the header is ignored entirely, so nobody can pick the address their failed
logins count against (or lock somebody else out by naming theirs).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if not proxies:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < proxies:
        return remote  # the proxy did not add its hop: count against the nearest address
    candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
