"""The Bolt app and the two ways to run it.

* `build_app(settings, engine)`: a `slack_bolt.App` whose Web API client talks to
  `SLACK_API_URL` and retries connection errors, 429s (sleeping `Retry-After`) and
  5xx; every request is acknowledged at once (`process_before_response=False`, lazy
  listeners) and the work happens after the ack; events are handled once per
  `event_id`, so Slack's retries (`X-Slack-Retry-Num`) are acknowledged and dropped.
* `serve(settings, engine, port)`: Socket Mode when `SLACK_APP_TOKEN` is set (plus a
  `/healthz` endpoint on PORT), else an HTTP server with `/slack/events` (Bolt's
  request handler: signature and timestamp checks, url_verification) and `/healthz`.
"""
from __future__ import annotations

import json
import logging
import re
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional
from urllib.parse import urlsplit

from slack_bolt import App, BoltResponse
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient

from bot.config import Settings

from . import listeners
from .replies import retry_handlers
from .runtime import BotState, attach_state, state_of

log = logging.getLogger("planbot.slack")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1 << 20  # Slack payloads are far smaller; refuse anything bigger


# ---------------------------------------------------------------------------- secrets in logs
_TOKEN_RE = re.compile(r"\b(xox[abposr]|xapp)-[0-9A-Za-z\-]+")
_TOKEN_FIELD_RE = re.compile(r"""(['"]?(?:token|signing_secret|app_token)['"]?\s*[:=]\s*['"]?)[^'",\s}&]+""", re.IGNORECASE)


def redact(text: str) -> str:
    """Mask Slack tokens (xoxb-…, xapp-…) and `token=…` fields in a log line."""
    text = _TOKEN_RE.sub(lambda m: m.group(1) + "-***", text)
    return _TOKEN_FIELD_RE.sub(lambda m: m.group(1) + "***", text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


def install_log_redaction(level: int = logging.INFO) -> None:
    """Configure logging if nobody has, and mask tokens on every root handler."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in root.handlers:
        if not any(isinstance(f, RedactSecrets) for f in handler.filters):
            handler.addFilter(RedactSecrets())


# ---------------------------------------------------------------------------- the app
def build_client(settings: Settings) -> WebClient:
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=30,
        retry_handlers=retry_handlers(),
    )


def build_app(settings: Settings, engine: Any, *, workers: int = 2, timeout: float = 120.0) -> App:
    """The Bolt app with every listener registered. Calls `auth.test` once to check the token."""
    app = App(
        client=build_client(settings),
        signing_secret=settings.slack_signing_secret or "",
        process_before_response=False,
        # The token is checked once here (auth.test); a bad token fails at start, not at the first question.
        token_verification_enabled=True,
        logger=logging.getLogger("planbot.slack.bolt"),
    )
    state = BotState(engine, workers=workers, timeout=timeout)
    attach_state(app, state)

    @app.middleware
    def remember_identity_and_dedupe(request: BoltRequest, context, next):
        # Our own ids come from auth.test via Bolt's authorization.
        if context.bot_user_id and state.bot_user_id is None:
            state.bot_user_id, state.bot_id = context.bot_user_id, context.bot_id
        body = request.body if isinstance(request.body, dict) else {}
        event_id = body.get("event_id")
        if event_id and not state.seen.first_time(str(event_id)):
            retry = (request.headers.get("x-slack-retry-num") or [None])[0]
            log.info("event %s already handled; acknowledging %s", event_id, f"retry {retry}" if retry else "duplicate")
            return BoltResponse(status=200, body="")
        return next()

    @app.error
    def log_listener_error(error: Exception) -> None:
        # The request body is not logged: it carries the (legacy) verification token.
        log.error("listener failed: %s", redact(f"{type(error).__name__}: {error}"), exc_info=error)

    listeners.register(app)
    return app


# ---------------------------------------------------------------------------- HTTP mode
class _Handler(BaseHTTPRequestHandler):
    server: "BotHTTPServer"
    server_version = "planbot"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        log.debug("http %s - %s", self.address_string(), redact(format % args))

    def _send(self, status: int, body: bytes | str, headers: Optional[dict] = None) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        sent_type = False
        for name, values in (headers or {}).items():
            for value in values if isinstance(values, (list, tuple)) else [values]:
                if name.lower() == "content-length":
                    continue
                sent_type = sent_type or name.lower() == "content-type"
                self.send_header(name, str(value))
        if not sent_type:
            self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == HEALTH_PATH:
            status, report = self.server.health()
            self._send(status, json.dumps(report), {"Content-Type": "application/json"})
        elif path == EVENTS_PATH:
            self._send(405, "POST Slack events here\n", {"Allow": "POST"})
        else:
            self._send(404, "Not Found\n")

    do_HEAD = do_GET

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != EVENTS_PATH or not self.server.events_enabled:
            self._send(404, "Not Found\n")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY_BYTES:
            self._send(413 if length > MAX_BODY_BYTES else 400, "Bad request size\n")
            return
        raw = self.rfile.read(length) if length else b""
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            self._send(400, "Body is not UTF-8\n")
            return
        headers: dict[str, list[str]] = {}
        for name, value in self.headers.items():
            headers.setdefault(name.lower(), []).append(value)
        request = BoltRequest(body=body, query=parts.query, headers=headers)
        try:
            response = self.server.app.dispatch(request)
        except Exception:
            log.exception("could not dispatch a Slack request")
            self._send(500, "")
            return
        self._send(response.status, response.body or "", response.headers)


class BotHTTPServer(ThreadingHTTPServer):
    """`/slack/events` → Bolt, `/healthz` → JSON. Threads per request, daemonic."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, app: App, settings: Settings, address: tuple[str, int], events_enabled: bool = True) -> None:
        self.app = app
        self.settings = settings
        self.events_enabled = events_enabled
        self.started = time.time()
        super().__init__(address, _Handler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def health(self) -> tuple[int, dict]:
        state = state_of(self.app)
        engine_ok = state.gateway.engine is not None
        report = {
            "ok": engine_ok,
            "service": "planbot",
            "mode": "socket" if self.settings.socket_mode else "http",
            "uptime_s": round(time.time() - self.started, 1),
            "index": str(self.settings.index_dir),
            **state.gateway.health(),
        }
        return (200 if engine_ok else 503), report


def make_http_server(app: App, settings: Settings, host: str = "0.0.0.0", port: Optional[int] = None,
                     events_enabled: bool = True) -> BotHTTPServer:
    """The HTTP server, bound but not yet serving (`serve_forever()` it; port 0 picks a free one)."""
    return BotHTTPServer(app, settings, (host, settings.port if port is None else port), events_enabled)


# ---------------------------------------------------------------------------- Socket Mode
def make_socket_mode_handler(app: App, settings: Settings):
    """Bolt's built-in Socket Mode handler (no extra dependency; it connects synchronously,
    so `connect()` returns with the WebSocket open — the websocket-client adapter's monitor
    can race its own first connection). `apps.connections.open` goes through the app's
    client, so it uses SLACK_API_URL too. `connect()` it, or `start()` to block."""
    from slack_bolt.adapter.socket_mode.builtin import SocketModeHandler

    return SocketModeHandler(app, app_token=settings.slack_app_token, web_client=app.client,
                             logger=logging.getLogger("planbot.slack.socket"))


# ---------------------------------------------------------------------------- serve
def _wait_for_stop(stop: Optional[threading.Event] = None) -> threading.Event:
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
    return stop


def serve(settings: Settings, engine: Any = None, port: Optional[int] = None, host: str = "0.0.0.0",
          stop: Optional[threading.Event] = None) -> None:
    """Run the bot until SIGINT/SIGTERM.

    Raises ConfigError (one message naming every missing setting) if settings are
    incomplete, and the engine's IndexMissing/IndexCorrupt/ModelMismatch when `engine`
    is None and the index at PLANBOT_INDEX cannot be opened. `stop`: an event that ends
    the server when set (SIGINT/SIGTERM set it too when running in the main thread).
    """
    settings.check_for_serve()
    install_log_redaction()
    port = settings.port if port is None else port
    if engine is None:
        from retrieval.engine import Engine

        log.info("loading the index at %s and the embedding model…", settings.index_dir)
        engine = Engine(settings.index_dir, model=settings.embedding_model, store=settings.store)
    app = build_app(settings, engine)
    stop = _wait_for_stop(stop)

    if settings.socket_mode:
        health = make_http_server(app, settings, host, port, events_enabled=False)
        threading.Thread(target=health.serve_forever, name="planbot-health", daemon=True).start()
        handler = make_socket_mode_handler(app, settings)
        handler.connect()
        log.info("planbot is connected to Slack in Socket Mode (health check on port %s%s)", health.port, HEALTH_PATH)
        try:
            while not stop.wait(1.0):
                pass
        finally:
            log.info("shutting down")
            handler.close()
            health.shutdown()
            state_of(app).gateway.shutdown()
        return

    server = make_http_server(app, settings, host, port)
    thread = threading.Thread(target=server.serve_forever, name="planbot-http", daemon=True)
    thread.start()
    log.info("planbot is listening on http://%s:%s%s (health check %s)", host, server.port, EVENTS_PATH, HEALTH_PATH)
    try:
        while not stop.wait(1.0):
            pass
    finally:
        log.info("shutting down")
        server.shutdown()
        server.server_close()
        state_of(app).gateway.shutdown()
