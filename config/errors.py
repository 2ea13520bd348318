"""Error reporting through Sentry (``sentry-sdk``), only when ``SENTRY_DSN`` is set.

What leaves the hospital is the error's type, where in the code it happened, the view,
the request id and the user's id, never patient data: exception messages (a database
error quotes the row it refused, names included), request bodies, query strings,
cookies, headers, local variables, source lines, log messages and SQL are removed before an event is
sent (``scrub``). A self-hosted Sentry (or GlitchTip, which speaks its protocol) keeps
even that inside the hospital.
"""

from __future__ import annotations

SCRUBBED = "[scrubbed]"
# Headers kept: none identify a patient.
KEPT_HEADERS = {"X-Request-Id", "User-Agent", "Content-Type"}


def scrub(event: dict, hint: dict | None = None) -> dict:
    """The event with everything that may name a patient removed."""
    from config import requestid

    for exception in (event.get("exception") or {}).get("values") or []:
        if exception.get("value"):
            exception["value"] = SCRUBBED
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            for field in ("vars", "pre_context", "context_line", "post_context"):
                frame.pop(field, None)  # (file, line and function stay)
    if "logentry" in event:
        event["logentry"] = {"message": SCRUBBED}
    event.pop("message", None)
    request = event.get("request")
    if request:
        url = str(request.get("url", ""))
        event["request"] = {
            "method": request.get("method"),
            "url": url.split("?", 1)[0],
            "headers": {
                k: v for k, v in (request.get("headers") or {}).items() if k in KEPT_HEADERS
            },
        }
    from common import current

    user = current.user_id()
    event["user"] = {"id": str(user)} if user is not None else {}
    event["breadcrumbs"] = {"values": []}
    event.pop("extra", None)
    contexts = event.get("contexts") or {}
    event["contexts"] = {k: v for k, v in contexts.items() if k in {"runtime", "os", "trace"}}
    event.setdefault("tags", {})
    if request_id := requestid.current():
        event["tags"]["request_id"] = request_id
    return event


def init(dsn: str, environment: str, release: str) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[DjangoIntegration(), LoggingIntegration(event_level=None)],
        include_local_variables=False,
        max_request_body_size="never",
        max_breadcrumbs=0,
        traces_sample_rate=0,
        before_send=scrub,
        before_send_transaction=lambda event, hint: None,
    )
