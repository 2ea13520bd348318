"""Error reports reach a Sentry server scrubbed of patient data.

The real ``sentry-sdk`` sends its envelopes over HTTP to a server this test starts (what a
Sentry or GlitchTip server receives), and the test reads what arrived."""

from __future__ import annotations

import gzip
import json
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk
from django.test import Client
from django.urls import reverse

from config import errors

pytestmark = pytest.mark.django_db


class Receiver(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        Receiver.received.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Receiver.received = []
    errors.init(f"http://publickey@127.0.0.1:{server.server_port}/1", "test", "tumorboard")
    yield Receiver.received
    sentry_sdk.init()  # no DSN: reporting off again
    server.shutdown()


def test_an_error_is_reported_without_the_patient_data_it_carried(
    sentry_server, clinician, monkeypatch
):
    import cases.views

    def fail(request):
        raise RuntimeError(
            "new row violates check constraint DETAIL: Failing row contains (Dana Decided, D-1)"
        )

    monkeypatch.setattr(cases.views, "_case_filters", fail)
    client = Client(raise_request_exception=False)
    client.force_login(clinician)
    response = client.get(
        reverse("cases:case_list"),
        {"q": "Dana Decided"},
        headers={"X-Request-ID": "req-1234567890"},
    )
    assert response.status_code == 500
    assert "<code>req-1234567890</code>" in response.content.decode()  # for the user to quote
    sentry_sdk.flush(timeout=10)
    assert sentry_server, "nothing reached the Sentry server"
    sent = b"\n".join(sentry_server).decode()
    events = [json.loads(line) for line in sent.splitlines() if '"exception"' in line]
    assert len(events) == 1
    event = events[0]
    (exception,) = event["exception"]["values"]
    assert exception["type"] == "RuntimeError" and exception["value"] == "[scrubbed]"
    assert any(frame["function"] == "case_list" for frame in exception["stacktrace"]["frames"])
    assert event["tags"]["request_id"] == "req-1234567890"
    assert event["user"] == {"id": str(clinician.pk)}
    assert event["transaction"] == "/cases/"  # the route, named by the Django integration
    for secret in ("Dana", "D-1", "q=", "sessionid", "csrftoken", clinician.username):
        assert secret not in sent, secret
