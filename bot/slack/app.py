"""The Bolt app and the two ways to run it.

* `build_app(settings, engine)`: a `slack_bolt.App` whose Web API client talks to
  `SLACK_API_URL` with one retry policy (`webapi.RetryPolicy`). Listeners run before the
  response (`process_before_response=True`) and only acknowledge and queue: the engine
  and the Web API are used from the answer queue (`work.AnswerQueue`), never while Slack
  waits for an ack. Events are handled once per `event_id`, so Slack's retries
  (`X-Slack-Retry-Num`) are acknowledged and dropped.
* `serve(settings, engine, port)`: Socket Mode when `SLACK_APP_TOKEN` is set (plus a
  `/healthz` endpoint on PORT), else HTTP (`http.BotHTTPServer`: waitress, with read
  timeouts and size limits) at `/slack/events` and `/healthz`. SIGTERM stops taking
  requests, finishes the questions already taken (bounded), then exits. A failure to
  start is one `startup.StartupError` naming cause and fix, with its exit status.
"""
from __future__ import annotations

import logging
import re
import signal
import threading
import time
from typing import Any, Optional

from slack_bolt import App, BoltResponse
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient

from bot.config import Settings
from retrieval.errors import PlanbotError

from . import listeners, startup
from .feedback import FeedbackStore
from .http import EVENTS_PATH, HEALTH_PATH, BotHTTPServer, HttpLimits, PlanbotWSGI
from .runtime import BotState, attach_state, state_of
from .state import open_state
from .webapi import DEFAULT_BUDGET, DEFAULT_TIMEOUT, build_client as _build_client
from .work import AnswerQueue, describe_failure

log = logging.getLogger("planbot.slack")

DRAIN_SECONDS = 20.0  # at SIGTERM, for the questions already taken (deploy/planbot.service allows 30)


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
def build_client(settings: Settings, timeout: float = DEFAULT_TIMEOUT, budget: float = DEFAULT_BUDGET) -> WebClient:
    return _build_client(settings.slack_bot_token, settings.slack_api_url, timeout=timeout, budget=budget)


def build_app(settings: Settings, engine: Any, *, workers: int = 2, timeout: float = 120.0,
              queue: Optional[AnswerQueue] = None, api_timeout: float = DEFAULT_TIMEOUT,
              api_budget: float = DEFAULT_BUDGET, feedback: Any = True, shared: Any = None) -> App:
    """The Bolt app with every listener registered. Calls `auth.test` once to check the token.

    `feedback`: a FeedbackStore, True for the one at `settings.feedback_file`, or None for no
    feedback buttons. `shared`: the listeners' state (bot/slack/state/); None for the one
    `settings.redis_url` names (not pinged here: `serve` checks it at start-up), else memory."""
    app = App(
        client=build_client(settings, api_timeout, api_budget),
        signing_secret=settings.slack_signing_secret or "",
        # Listeners only ack and queue, so running them before the response is what keeps
        # acks independent of Bolt's executor (which lazy listeners would share with slow work).
        process_before_response=True,
        # The token is checked once here (auth.test); a bad token fails at start, not at the first question.
        token_verification_enabled=True,
        logger=logging.getLogger("planbot.slack.bolt"),
    )
    state = BotState(engine, workers=workers, timeout=timeout, queue=queue,
                     feedback=open_feedback(settings) if feedback is True else feedback,
                     shared=shared if shared is not None else open_state(settings.redis_url))
    attach_state(app, state)

    @app.middleware
    def remember_identity_and_dedupe(request: BoltRequest, context, next):
        # Our own ids come from auth.test via Bolt's authorization.
        if context.bot_user_id and state.bot_user_id is None:
            state.bot_user_id, state.bot_id = context.bot_user_id, context.bot_id
        body = request.body if isinstance(request.body, dict) else {}
        event_id = body.get("event_id")
        if event_id and not state.shared.first_time(str(event_id)):
            retry = (request.headers.get("x-slack-retry-num") or [None])[0]
            log.info("event %s already handled; acknowledging %s", event_id, f"retry {retry}" if retry else "duplicate")
            return BoltResponse(status=200, body="")
        return next()

    @app.error
    def log_listener_error(error: Exception) -> None:
        # One line, no traceback; the request body is not logged (it carries the legacy verification token).
        log.error("listener failed: %s", redact(describe_failure(error)))

    listeners.register(app)
    return app


def open_feedback(settings: Settings) -> Optional[Any]:
    """The feedback store: Redis when PLANBOT_REDIS_URL is set and PLANBOT_FEEDBACK is not (replicas
    on any host share it), else the SQLite file (`settings.feedback_file`)."""
    if settings.redis_url and settings.feedback_path is None:
        try:
            from .feedback_redis import RedisFeedbackStore

            return RedisFeedbackStore(settings.redis_url)
        except Exception as exc:  # Redis gone since the start-up check: answers still work, without buttons
            log.warning("feedback disabled: cannot use Redis for it (%s)", describe_failure(exc))
            return None
    try:
        return FeedbackStore(settings.feedback_file)
    except Exception as exc:  # e.g. a read-only disk: answers still work, without feedback buttons
        log.warning("feedback disabled: cannot open %s (%s); set PLANBOT_FEEDBACK to a writable file",
                    settings.feedback_file, describe_failure(exc))
        return None


def health_of(app: App, settings: Settings, started: float) -> tuple[int, dict]:
    state = state_of(app)
    engine_ok = state.gateway.engine is not None
    report = {
        "ok": engine_ok,
        "service": "planbot",
        "mode": "socket" if settings.socket_mode else "http",
        "uptime_s": round(time.time() - started, 1),
        "index": str(settings.index_dir),
        **state.gateway.health(),
        "state": state.shared.health(),
        "queue": state.queue.health(),
    }
    return (200 if engine_ok else 503), report


# ---------------------------------------------------------------------------- HTTP mode
def make_http_server(app: Optional[App], settings: Settings, host: str = "0.0.0.0", port: Optional[int] = None,
                     events_enabled: bool = True, limits: HttpLimits = HttpLimits()) -> BotHTTPServer:
    """The HTTP server, bound but not yet serving (`serve_forever()` it; port 0 picks a free one).
    `app` may be attached later (`server.attach(app)`), so the port is taken before the slow start-up."""
    started = time.time()
    holder: dict[str, Any] = {"app": app}

    def health() -> tuple[int, dict]:
        if holder["app"] is None:
            return 503, {"ok": False, "service": "planbot", "starting": True}
        return health_of(holder["app"], settings, started)

    wsgi = PlanbotWSGI(app, health, settings.slack_signing_secret, events_enabled=events_enabled)  # type: ignore[arg-type]
    server = BotHTTPServer(app, wsgi, host, settings.port if port is None else port, limits)

    def attach(new_app: App) -> None:
        holder["app"] = server.app = wsgi.app = new_app

    server.attach = attach  # type: ignore[attr-defined]
    return server


# ---------------------------------------------------------------------------- Socket Mode
class SocketModeSupervisor:
    """Reconnects a dropped Socket Mode connection within seconds (backoff from 1 s, at most 30 s).

    slack_sdk's client pings every `ping_interval` s (1 s here: `make_socket_mode_handler`) but
    only gives a connection up after four unanswered pings, and a connection the server closed
    without a close frame still looks open to it. This watches the pongs: none for `stale_after`
    seconds (or no socket at all) means the connection is gone, and a new one is opened."""

    def __init__(self, handler: Any, interval: float = 0.5, stale_after: float = 2.5, first_backoff: float = 1.0,
                 max_backoff: float = 30.0) -> None:
        self.client = handler.client
        self.interval = interval
        self.stale_after = stale_after
        self.first_backoff = first_backoff
        self.max_backoff = max_backoff
        self.reconnects = 0
        self._stop = threading.Event()
        self._session: Any = None
        self._session_since = 0.0
        self._thread = threading.Thread(target=self._watch, name="planbot-socket-watch", daemon=True)

    def start(self) -> "SocketModeSupervisor":
        self._thread.start()
        return self

    def alive(self) -> bool:
        session = self.client.current_session
        if session is None or not session.is_active():
            return False
        if session is not self._session:  # a new connection (ours or the SDK's own reconnect)
            self._session, self._session_since = session, time.time()
        last = max(getattr(session, "last_ping_pong_time", None) or 0.0, self._session_since)
        return time.time() - last < self.stale_after

    def _watch(self) -> None:
        backoff = self.first_backoff
        while not self._stop.wait(self.interval):
            if self.client.closed or self.alive():
                continue
            try:
                log.info("Socket Mode connection lost; reconnecting")
                self.client.connect_to_new_endpoint(force=True)
                self.reconnects += 1
                log.info("Socket Mode reconnected")
                backoff = self.first_backoff
            except Exception as exc:
                log.warning("Socket Mode reconnect failed (%s); next try in %.0f s", describe_failure(exc), backoff)
                if self._stop.wait(backoff):
                    return
                backoff = min(self.max_backoff, backoff * 2)

    def stop(self) -> None:
        self._stop.set()


def make_socket_mode_handler(app: App, settings: Settings):
    """Bolt's built-in Socket Mode handler (no extra dependency; it connects synchronously,
    so `connect()` returns with the WebSocket open — the websocket-client adapter's monitor
    can race its own first connection). `apps.connections.open` goes through the app's
    client, so it uses SLACK_API_URL too. `connect()` it, or `start()` to block; watch it with
    `SocketModeSupervisor(handler).start()`."""
    from slack_bolt.adapter.socket_mode.builtin import SocketModeHandler

    # Ping every second so that SocketModeSupervisor sees a dead connection within seconds.
    return SocketModeHandler(app, app_token=settings.slack_app_token, web_client=app.client, ping_interval=1,
                             logger=logging.getLogger("planbot.slack.socket"))


# ---------------------------------------------------------------------------- serve
def _wait_for_stop(stop: Optional[threading.Event] = None) -> threading.Event:
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
    return stop


def _open_engine(settings: Settings) -> Any:
    from retrieval.engine import Engine

    log.info("loading the index at %s and the embedding model…", settings.index_dir)
    try:
        return Engine(settings.index_dir, model=settings.embedding_model, store=settings.store)
    except PlanbotError as exc:
        raise startup.index_error(exc) or exc from None


def serve(settings: Settings, engine: Any = None, port: Optional[int] = None, host: str = "0.0.0.0",
          stop: Optional[threading.Event] = None, *, drain: float = DRAIN_SECONDS,
          limits: HttpLimits = HttpLimits()) -> None:
    """Run the bot until SIGINT/SIGTERM (or `stop` is set).

    Start-up order: settings (ConfigError), the port (PortInUse), Slack (auth.test: TokenRejected,
    or SlackUnreachable after retrying for PLANBOT_SLACK_WAIT s), Redis when PLANBOT_REDIS_URL is
    set (RedisRejected, or RedisUnreachable after retrying as long), the index (NoIndex).
    At stop: no new requests; questions already taken are answered for up to `drain` s.
    """
    settings.check_for_serve()
    install_log_redaction()
    port = settings.port if port is None else port

    server = startup.bind_with_retry(
        lambda: make_http_server(None, settings, host, port, events_enabled=not settings.socket_mode, limits=limits),
        host, port)
    try:
        # Slack before the index: a late network is waited for before the model loads.
        # A client that does not retry by itself: check_bot_token's backoff says what it waits for.
        startup.check_bot_token(build_client(settings, budget=0), budget=float(settings.slack_wait))
        shared = startup.open_shared_state(settings.redis_url, budget=float(settings.slack_wait))
        if engine is None:
            engine = _open_engine(settings)
        # before any event is taken: the first question must not build the user cache (8-19 s)
        # or load the dictionaries in this process (retrieval/warmup.py)
        log.info("warming up: %s", ", ".join(f"{k} {v:.1f} s" for k, v in engine.warm().items()))
        try:
            app = build_app(settings, engine, shared=shared)
        except Exception as exc:  # auth.test again, just after it worked: only a very short outage gets here
            raise startup.SlackUnreachable(f"Slack failed while starting ({describe_failure(exc)}) — systemd will try again") from None
    except BaseException:
        server.server_close()
        raise
    server.attach(app)  # type: ignore[attr-defined]
    state = state_of(app)
    stop = _wait_for_stop(stop)  # from here on SIGTERM/SIGINT stop gracefully
    http_thread = threading.Thread(target=server.serve_forever, name="planbot-http", daemon=True)

    if settings.socket_mode:
        handler = make_socket_mode_handler(app, settings)
        try:
            startup.with_backoff(handler.connect, what="apps.connections.open", budget=float(settings.slack_wait))
        except startup.StartupError:
            server.server_close()
            raise
        except Exception as exc:  # SlackApiError: the app token
            server.server_close()
            from slack_sdk.errors import SlackApiError

            if isinstance(exc, SlackApiError):
                raise startup.app_token_rejected(exc) from None
            raise
        supervisor = SocketModeSupervisor(handler).start()
        http_thread.start()
        log.info("planbot is connected to Slack in Socket Mode (health check on port %s%s)", server.port, HEALTH_PATH)
        try:
            while not stop.wait(0.5):
                pass
        finally:
            log.info("shutting down: answering the %d questions already taken (up to %.0f s)", state.queue.depth, drain)
            supervisor.stop()
            handler.close()
            _finish(state, drain)
            server.shutdown()
        return

    http_thread.start()
    log.info("planbot is listening on http://%s:%s%s (health check %s)", host, server.port, EVENTS_PATH, HEALTH_PATH)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        log.info("shutting down: answering the %d questions already taken (up to %.0f s)", state.queue.depth, drain)
        server.shutdown()  # no new requests; those already read are acknowledged
        _finish(state, drain)


def _finish(state: BotState, drain: float) -> None:
    if not state.queue.drain(drain):
        log.error("stopped with %d questions unanswered after %.0f s", state.queue.depth, drain)
    state.queue.shutdown()
    state.gateway.shutdown()
    state.shared.close()
