"""HTTP mode: Bolt's WSGI adapter under waitress, with the limits a public endpoint needs.

waitress reads each request completely in its I/O loop before a worker thread sees it, so a
client that stalls half-way through its headers or body holds no worker; it is dropped after
`read_timeout` seconds without a byte. Headers are capped at `max_header_bytes`, bodies at
`max_body_bytes` (413), open connections at `max_connections`, and `threads` workers run
requests. Every request to /slack/events is checked before Bolt parses it:

* a non-UTF-8 body, or an `X-Slack-Request-Timestamp` that is not a number → 400;
* a missing, stale or wrong signature → 401 (Bolt's own check also stays on);
* a signed body that is not a JSON object (JSON, or a form's `payload=` field) → 400.

`GET /healthz` reports the engine and the answer queue. `shutdown()` stops accepting
connections, lets requests already read finish (up to `grace` s), then closes.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional

from slack_bolt import App, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.request import BoltRequest
from slack_bolt.request.internals import build_normalized_headers, extract_content_type, parse_body
from slack_sdk.signature import SignatureVerifier

from .work import describe_failure

log = logging.getLogger("planbot.slack.http")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


@dataclass(frozen=True)
class HttpLimits:
    threads: int = 8
    read_timeout: int = 10  # seconds without a byte before a connection is dropped
    max_header_bytes: int = 16 * 1024
    max_body_bytes: int = 1 << 20  # Slack's payloads are far smaller
    max_connections: int = 500
    backlog: int = 1024
    grace: float = 10.0  # seconds for in-flight requests at shutdown


def _text(status: int, body: str) -> BoltResponse:
    return BoltResponse(status=status, body=body, headers={"content-type": ["text/plain; charset=utf-8"]})


class PlanbotWSGI(SlackRequestHandler):
    """Bolt's WSGI adapter plus the input checks above and `/healthz`."""

    def __init__(self, app: App, health: Callable[[], tuple[int, dict]], signing_secret: Optional[str],
                 events_enabled: bool = True) -> None:
        super().__init__(app, EVENTS_PATH)
        self.health = health
        self.events_enabled = events_enabled
        self.verifier = SignatureVerifier(signing_secret) if signing_secret else None

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        environ = request.environ
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _text(400, "Bad Content-Length\n")
        raw = environ["wsgi.input"].read(length) if length > 0 else b""
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _text(400, "Body is not UTF-8\n")
        headers = request.get_headers()
        timestamp = str(headers.get("x-slack-request-timestamp") or "").strip()
        if timestamp and not timestamp.isdigit():
            return _text(400, "X-Slack-Request-Timestamp is not a number\n")
        signature = str(headers.get("x-slack-signature") or "")
        if self.verifier is not None and not (timestamp and signature and self.verifier.is_valid(
                body=body, timestamp=timestamp, signature=signature)):
            log.info("refused a request with a missing, stale or wrong signature")
            return _text(401, "Invalid signature\n")
        try:  # Bolt's own parser, so what passes here parses the same way inside Bolt
            parsed = parse_body(body, extract_content_type(build_normalized_headers(headers)))
        except ValueError:  # json.JSONDecodeError included
            return _text(400, "Malformed body\n")
        if not isinstance(parsed, dict):
            return _text(400, "Body is not a JSON object\n")
        return self.app.dispatch(BoltRequest(body=body, query=request.query_string, headers=headers))

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            method = environ.get("REQUEST_METHOD", "GET")
            path = environ.get("PATH_INFO", "")
            if path == HEALTH_PATH and method in ("GET", "HEAD"):
                status, report = self.health()
                return self._reply(start_response, status, json.dumps(report), "application/json", method == "HEAD")
            if path == EVENTS_PATH and method != "POST":
                return self._reply(start_response, 405, "POST Slack events here\n", extra=[("Allow", "POST")])
            if path == EVENTS_PATH and not self.events_enabled:
                return self._reply(start_response, 404, "Not Found\n")
            return super().__call__(environ, start_response)
        except Exception as exc:  # a bug: one line in the log, a bare 500 to the client
            log.error("could not handle %s %s: %s", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"),
                      describe_failure(exc))
            return self._reply(start_response, 500, "Internal Server Error\n")

    @staticmethod
    def _reply(start_response: Callable, status: int, body: str, ctype: str = "text/plain; charset=utf-8",
               head: bool = False, extra: Optional[list] = None) -> Iterable[bytes]:
        from http import HTTPStatus

        data = body.encode("utf-8")
        start_response(f"{status} {HTTPStatus(status).phrase}",
                       [("Content-Type", ctype), ("Content-Length", str(len(data))), *(extra or [])])
        return [b"" if head else data]


class BotHTTPServer:
    """waitress serving `PlanbotWSGI`; bound at construction (port 0 picks a free one)."""

    def __init__(self, app: App, wsgi: PlanbotWSGI, host: str, port: int, limits: HttpLimits = HttpLimits()) -> None:
        from waitress.server import create_server

        self.app = app
        self.wsgi = wsgi
        self.limits = limits
        self.started = time.time()
        self._stop = threading.Event()
        self._stopped = threading.Event()
        self._serving = False
        self._server = create_server(
            wsgi, host=host, port=port, threads=limits.threads, channel_timeout=limits.read_timeout,
            cleanup_interval=1, max_request_header_size=limits.max_header_bytes,
            max_request_body_size=limits.max_body_bytes, connection_limit=limits.max_connections,
            backlog=limits.backlog, ident="planbot", expose_tracebacks=False, clear_untrusted_proxy_headers=True,
        )

    @property
    def port(self) -> int:
        return int(self._server.effective_port)

    def serve_forever(self) -> None:
        """Serve until `shutdown()`; then finish what was read (bounded by `limits.grace`)."""
        from waitress import wasyncore

        srv, channels = self._server, self._server._map
        self._serving = True
        try:
            while not self._stop.is_set():
                wasyncore.loop(timeout=0.2, map=channels, use_poll=True, count=1)
            # No new connections (the listening socket only: the trigger stays, so workers can still wake the loop).
            wasyncore.dispatcher.close(srv)
            deadline = time.monotonic() + self.limits.grace
            while time.monotonic() < deadline and any(
                    getattr(ch, "requests", None) or getattr(ch, "total_outbufs_len", 0) for ch in list(channels.values())):
                wasyncore.loop(timeout=0.05, map=channels, use_poll=True, count=1)
        finally:
            wasyncore.close_all(channels, ignore_all=True)
            srv.task_dispatcher.shutdown(cancel_pending=True, timeout=2)
            self._stopped.set()

    def shutdown(self) -> None:
        self._stop.set()
        if self._serving:
            self._stopped.wait(self.limits.grace + 5)
        else:
            self.server_close()

    def server_close(self) -> None:
        if not self._stopped.is_set():  # never served: release the socket
            from waitress import wasyncore

            wasyncore.close_all(self._server._map, ignore_all=True)
            self._stopped.set()

