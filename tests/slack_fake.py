"""A fake Slack: Web API + response_url + Socket Mode server, on 127.0.0.1, for tests.

`FakeSlack` is a real HTTP server speaking Slack's wire format (form or JSON bodies in,
`{"ok": ...}` JSON out). It records every call, keeps the messages the bot posts (so
`conversations.replies` returns a real thread), and can be told to fail a method with a
Slack error, an HTTP error status (500, 502, 503, 504, 404 …), a 429 with Retry-After, a
dropped connection or a hang; `slow()` delays every answer and `flaky()` fails a share of
calls at random (seeded). The bot reaches it through SLACK_API_URL (`fake.api_url`).

`FakeSocketMode` is a WebSocket server (the `websockets` package) that `apps.connections.open`
hands out: it sends `hello`, then whatever envelopes a test queues, and records what the
client sends back (acks); `drop()` closes the open connections from the server side.

`signed_request()` signs a body exactly as Slack does (v0 HMAC-SHA256 over `v0:{ts}:{body}`).
"""
from __future__ import annotations

import hashlib
import hmac
import itertools
import logging
import json
import queue
import random
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional

BOT_USER_ID = "UBOT0001"
BOT_ID = "BBOT0001"
TEAM_ID = "T0000001"
_JSON_FIELDS = ("blocks", "attachments", "metadata")


@dataclass
class Call:
    method: str  # "chat.postMessage", ..., or "response_url"
    args: dict
    headers: dict
    at: float  # time.monotonic() when received
    status: int = 200  # what the fake answered
    response_id: Optional[str] = None  # for response_url posts
    token: Optional[str] = None  # the bearer token's prefix ("xoxb", "xapp") — never the token
    response: dict = field(default_factory=dict)  # what the fake answered (JSON calls)

    def __getitem__(self, key: str) -> Any:
        return self.args[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.args.get(key, default)

    @property
    def blocks(self) -> list[dict]:
        return self.args.get("blocks") or []

    @property
    def text(self) -> str:
        return self.args.get("text") or ""

    def block_texts(self) -> list[str]:
        """Every mrkdwn/plain text in the blocks, in order."""
        out = []
        for b in self.blocks:
            if isinstance(b.get("text"), dict):
                out.append(b["text"].get("text", ""))
            for el in b.get("elements") or []:
                if isinstance(el, dict) and isinstance(el.get("text"), (str, dict)):
                    out.append(el["text"]["text"] if isinstance(el["text"], dict) else el["text"])
        return out

    def all_text(self) -> str:
        return "\n".join([self.text, *self.block_texts()])


@dataclass
class _Failure:
    error: Optional[str] = None
    status: int = 200
    retry_after: Optional[int] = None
    times: int = 1
    hang: float = 0.0  # seconds to wait before answering (a client timeout shorter than this gives up)
    drop: bool = False  # close the connection without an answer


@dataclass
class FakeSlack:
    bot_user_id: str = BOT_USER_ID
    bot_id: str = BOT_ID
    team_id: str = TEAM_ID
    calls: list[Call] = field(default_factory=list)
    socket_url: Optional[str] = None

    def __post_init__(self) -> None:
        self._cond = threading.Condition()
        self._failures: dict[str, list[_Failure]] = {}
        self._messages: dict[str, list[dict]] = {}  # channel -> messages
        self._ts = itertools.count(1)
        self._response_ids = itertools.count(1)
        self._server: Optional[ThreadingHTTPServer] = None
        self._delay = (0.0, 0.0)
        self._flaky: Optional[tuple[float, tuple[int, ...], random.Random]] = None

    # ------------------------------------------------------------------ lifecycle
    def start(self, port: int = 0) -> "FakeSlack":
        fake = self

        class Handler(self._handler()):
            pass

        Handler.fake = fake
        self._server = _Server(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="fake-slack", daemon=True).start()
        return self

    def _handler(self) -> type:
        """The request handler class (a subclass of the fake adds endpoints through it)."""
        return _FakeHandler

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def reset(self) -> None:
        with self._cond:
            self.calls.clear()
            self._failures.clear()
            self._messages.clear()
            self._delay = (0.0, 0.0)
            self._flaky = None

    # ------------------------------------------------------------------ programming
    def fail(self, method: str, error: Optional[str] = None, status: int = 200, retry_after: Optional[int] = None,
             times: int = 1, hang: float = 0.0, drop: bool = False) -> None:
        """Make the next `times` calls of `method` fail: `error` → {"ok": false, "error": ...};
        `status=502` → that HTTP status; `status=429, retry_after=1` → rate limited; `drop=True` →
        the connection is closed unanswered; `hang=S` → the answer comes after S seconds.
        `method` may be "response_url/<id>" for one response_url only."""
        with self._cond:
            self._failures.setdefault(method, []).append(_Failure(error, status, retry_after, times, hang, drop))

    def slow(self, low: float, high: Optional[float] = None) -> None:
        """Every answer waits between `low` and `high` seconds."""
        self._delay = (low, low if high is None else high)

    def flaky(self, rate: float, statuses: tuple[int, ...] = (500, 502, 503, 504, 429), seed: int = 16) -> None:
        """Fail about `rate` of all calls (any method, response_url too) with one of `statuses`."""
        self._flaky = (rate, statuses, random.Random(seed))

    def new_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.{next(self._ts):06d}"

    def add_message(self, channel: str, text: str, user: str = "UHUMAN01", ts: Optional[str] = None,
                    thread_ts: Optional[str] = None, **extra: Any) -> str:
        """Put a message into the fake's history (what conversations.replies returns)."""
        ts = ts or self.new_ts()
        msg = {"type": "message", "user": user, "text": text, "ts": ts, **extra}
        if thread_ts:
            msg["thread_ts"] = thread_ts
        with self._cond:
            self._messages.setdefault(channel, []).append(msg)
        return ts

    def response_url(self) -> str:
        return f"{self.base}/response/{next(self._response_ids)}"

    # ------------------------------------------------------------------ inspection
    def calls_to(self, method: str, where: Optional[Callable[[Call], bool]] = None) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method and c.status == 200 and (where is None or where(c))]

    def attempts(self, method: str) -> list[Call]:
        """Every call of `method`, failed ones included."""
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 20.0,
                 where: Optional[Callable[[Call], bool]] = None) -> list[Call]:
        """Wait until `count` successful calls of `method` (matching `where`) have arrived."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls if c.method == method and c.status == 200 and (where is None or where(c))]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(c.method, c.status, c.args.get("error")) for c in self.calls]
                    raise AssertionError(f"timed out waiting for {count} x {method}; calls so far: {seen}")
                self._cond.wait(left)

    def wait_idle(self, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Wait until no call has arrived for `quiet` seconds (late work from a previous test)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._cond:
                last = self.calls[-1].at if self.calls else 0.0
            if time.monotonic() - last >= quiet:
                return
            time.sleep(0.05)

    def thread_messages(self, channel: str, thread_ts: str) -> list[dict]:
        with self._cond:
            msgs = [m for m in self._messages.get(channel, []) if m["ts"] == thread_ts or m.get("thread_ts") == thread_ts]
        return sorted(msgs, key=lambda m: float(m["ts"]))

    # ------------------------------------------------------------------ serving
    def _record(self, call: Call) -> None:
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()

    def _take_failure(self, method: str) -> Optional[_Failure]:
        with self._cond:
            if method != "auth.test" and self._flaky is not None:
                rate, statuses, rng = self._flaky
                if rng.random() < rate:
                    return _Failure(status=rng.choice(statuses), retry_after=1)
            queue_ = self._failures.get(method) or []
            if not queue_:
                return None
            failure = queue_[0]
            failure.times -= 1
            if failure.times <= 0:
                queue_.pop(0)
            return failure

    def _answer(self, method: str, args: dict, token_kind: Optional[str]) -> dict:
        if method == "apps.connections.open":
            if token_kind != "xapp":
                return {"ok": False, "error": "not_allowed_token_type"}
            return {"ok": True, "url": self.socket_url}
        if token_kind != "xoxb":
            return {"ok": False, "error": "not_authed"}
        if method == "auth.test":
            return {"ok": True, "url": "https://fake.slack.test/", "team": "Fake", "user": "planbot",
                    "team_id": self.team_id, "user_id": self.bot_user_id, "bot_id": self.bot_id,
                    "is_enterprise_install": False}
        if method == "chat.postMessage":
            if not args.get("channel"):
                return {"ok": False, "error": "channel_not_found"}
            if not (args.get("text") or args.get("blocks")):
                return {"ok": False, "error": "no_text"}
            msg = {"type": "message", "user": self.bot_user_id, "bot_id": self.bot_id, "text": args.get("text", ""),
                   "ts": self.new_ts()}
            if args.get("blocks"):
                msg["blocks"] = args["blocks"]
            if args.get("thread_ts"):
                msg["thread_ts"] = args["thread_ts"]
            with self._cond:
                self._messages.setdefault(args["channel"], []).append(msg)
            return {"ok": True, "channel": args["channel"], "ts": msg["ts"], "message": msg}
        if method == "chat.update":
            with self._cond:
                for msg in self._messages.get(args.get("channel", ""), []):
                    if msg["ts"] == args.get("ts"):
                        msg["text"] = args.get("text", msg.get("text", ""))
                        if "blocks" in args:
                            msg["blocks"] = args["blocks"]
                        return {"ok": True, "channel": args["channel"], "ts": msg["ts"], "text": msg["text"]}
            return {"ok": False, "error": "message_not_found"}
        if method == "chat.postEphemeral":
            if not args.get("channel") or not args.get("user"):
                return {"ok": False, "error": "channel_not_found"}
            return {"ok": True, "message_ts": self.new_ts()}
        if method == "conversations.replies":
            msgs = self.thread_messages(args.get("channel", ""), args.get("ts", ""))
            if not msgs:
                return {"ok": False, "error": "thread_not_found"}
            return {"ok": True, "messages": msgs, "has_more": False}
        if method == "reactions.add":
            return {"ok": True}
        return {"ok": False, "error": "unknown_method"}


class _Server(ThreadingHTTPServer):
    request_queue_size = 512  # a load test opens hundreds of connections at once


class _FakeHandler(BaseHTTPRequestHandler):
    fake: FakeSlack

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def _reply(self, status: int, body: dict | str, headers: Optional[dict] = None) -> None:
        data = (json.dumps(body) if isinstance(body, dict) else body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8" if isinstance(body, dict) else "text/html")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a hang longer than its timeout)

    def _args(self) -> dict:
        parts = urllib.parse.urlsplit(self.path)
        args: dict[str, Any] = {k: v[-1] for k, v in urllib.parse.parse_qs(parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8") if length else ""
        ctype = (self.headers.get("Content-Type") or "").lower()
        if raw:
            if "json" in ctype:
                args.update(json.loads(raw))
            else:
                args.update({k: v[-1] for k, v in urllib.parse.parse_qs(raw, keep_blank_values=True).items()})
        for key in _JSON_FIELDS:
            if isinstance(args.get(key), str) and args[key][:1] in "[{":
                args[key] = json.loads(args[key])
        return args

    def _handle(self) -> None:
        fake = self.fake
        path = urllib.parse.urlsplit(self.path).path
        args = self._args()
        auth = self.headers.get("Authorization") or ""
        token = auth.removeprefix("Bearer ").strip() or str(args.pop("token", "") or "")
        token_kind = token.split("-", 1)[0] if token else None
        if path.startswith("/response/"):
            method, response_id = "response_url", path.rsplit("/", 1)[1]
        elif path.startswith("/api/"):
            method, response_id = path[len("/api/"):], None
        else:
            self._reply(404, {"ok": False, "error": "not_found"})
            return
        call = Call(method, args, dict(self.headers.items()), time.monotonic(), response_id=response_id, token=token_kind)
        failure = (fake._take_failure(f"{method}/{response_id}") if response_id else None) or fake._take_failure(method)
        low, high = fake._delay
        if high > 0:
            time.sleep(random.uniform(low, high))
        if failure is not None and failure.hang:
            time.sleep(failure.hang)  # the client has given up by now: answer as a gateway would
            if failure.status == 200 and not failure.error:
                failure = _Failure(status=504)
        if failure is not None and failure.drop:
            call.status = 0
            fake._record(call)
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if failure is not None:
            if failure.status == 429:
                call.status = 429
                fake._record(call)
                self._reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(failure.retry_after or 1)})
                return
            if failure.status >= 400:
                call.status = failure.status
                fake._record(call)
                self._reply(failure.status, "<html><body>Server Error</body></html>" if failure.status >= 500
                            else failure.error or "expired_url")
                return
            call.status = 299  # an {"ok": false} answer: not counted as a successful call
            call.args = {**args, "error": failure.error}
            fake._record(call)
            self._reply(200, {"ok": False, "error": failure.error or "fatal_error"})
            return
        if method == "response_url":
            fake._record(call)
            self._reply(200, "ok")
            return
        answer = fake._answer(method, args, token_kind)
        call.response = answer
        if not answer.get("ok"):
            call.status = 299
            call.args = {**args, "error": answer.get("error")}
        fake._record(call)
        self._reply(200, answer)

    do_GET = _handle
    do_POST = _handle


# ---------------------------------------------------------------------------- Socket Mode
class FakeSocketMode:
    """A WebSocket endpoint like wss-primary.slack.com: hello, then queued envelopes."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.outbox: "queue.Queue[dict]" = queue.Queue()
        self.connected = threading.Event()
        self.connections = 0  # sessions opened so far
        self._open: list = []
        self._cond = threading.Condition()
        self._server = None

    def start(self) -> "FakeSocketMode":
        from websockets.sync.server import serve

        self._server = serve(self._session, "127.0.0.1", 0)
        threading.Thread(target=self._server.serve_forever, name="fake-socket-mode", daemon=True).start()
        return self

    @property
    def url(self) -> str:
        port = self._server.socket.getsockname()[1]
        return f"ws://127.0.0.1:{port}/link/?ticket=fake-ticket&app_id=A0001"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()

    def send(self, envelope: dict) -> None:
        self.outbox.put(envelope)

    def drop(self, abrupt: bool = True) -> None:
        """The server side ends every open connection: `abrupt` closes the TCP socket with no
        WebSocket close frame (a crashed or restarted edge), else a normal close."""
        with self._cond:
            sessions, self._open = self._open, []
        self.connected.clear()
        for ws in sessions:
            if abrupt:
                ws.socket.shutdown(socket.SHUT_RDWR)
                ws.socket.close()
            else:
                ws.close()

    def wait_for_connections(self, n: int, timeout: float = 10.0) -> float:
        """Wait until `n` sessions have been opened; the seconds it took."""
        start = time.monotonic()
        with self._cond:
            while self.connections < n:
                left = timeout - (time.monotonic() - start)
                if left <= 0:
                    raise AssertionError(f"{self.connections} connections after {timeout} s, wanted {n}")
                self._cond.wait(left)
        return time.monotonic() - start

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> dict:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for msg in self.received:
                    if msg.get("envelope_id") == envelope_id:
                        return msg
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no ack for envelope {envelope_id}; received {self.received}")
                self._cond.wait(left)

    def _session(self, ws) -> None:
        ws.send(json.dumps({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"},
                            "connection_info": {"app_id": "A0001"}}))
        with self._cond:
            self._open.append(ws)
            self.connections += 1
            self._cond.notify_all()
        self.connected.set()
        while True:
            try:
                raw = ws.recv(timeout=0.05)
            except TimeoutError:
                raw = None
            except Exception:
                return  # closed
            if raw is not None:
                try:
                    msg = json.loads(raw)
                except ValueError:
                    msg = {"raw": raw}
                with self._cond:
                    self.received.append(msg)
                    self._cond.notify_all()
            while not self.outbox.empty():
                with self._cond:
                    if ws not in self._open:
                        return
                try:
                    envelope = self.outbox.get_nowait()
                except queue.Empty:
                    break
                try:
                    ws.send(json.dumps(envelope))
                except Exception:
                    self.outbox.put(envelope)  # for the next connection
                    return


# ---------------------------------------------------------------------------- signing
def sign(secret: str, body: str, timestamp: Optional[int] = None) -> dict[str, str]:
    """The two headers Slack adds to every request it sends."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


@dataclass
class Response:
    status: int
    body: str
    headers: dict
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)


def post(url: str, body: str, content_type: str, headers: Optional[dict] = None, timeout: float = 10.0) -> Response:
    req = urllib.request.Request(url, data=body.encode(), method="POST",
                                 headers={"Content-Type": content_type, **(headers or {})})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            data = resp.read().decode()
            return Response(resp.status, data, dict(resp.headers.items()), time.perf_counter() - start)
    except urllib.error.HTTPError as err:
        data = err.read().decode()
        return Response(err.code, data, dict(err.headers.items()), time.perf_counter() - start)


class SlackSender:
    """Sends requests to the bot exactly as Slack would (signed)."""

    def __init__(self, events_url: str, signing_secret: str) -> None:
        self.url = events_url
        self.secret = signing_secret
        self._ids = itertools.count(1)

    def send_json(self, payload: dict, headers: Optional[dict] = None, timestamp: Optional[int] = None,
                  secret: Optional[str] = None) -> Response:
        body = json.dumps(payload)
        return post(self.url, body, "application/json", {**sign(secret or self.secret, body, timestamp), **(headers or {})})

    def send_form(self, fields: dict, headers: Optional[dict] = None, timestamp: Optional[int] = None) -> Response:
        body = urllib.parse.urlencode(fields)
        return post(self.url, body, "application/x-www-form-urlencoded",
                    {**sign(self.secret, body, timestamp), **(headers or {})})

    def event_payload(self, event: dict, event_id: Optional[str] = None) -> dict:
        return {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "api_app_id": "A0001",
            "event": {"event_ts": event.get("ts"), **event},
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
        }

    def event(self, event: dict, event_id: Optional[str] = None, headers: Optional[dict] = None) -> Response:
        return self.send_json(self.event_payload(event, event_id), headers=headers)

    def command_fields(self, command: str, text: str, response_url: str, channel: str = "C0GENERAL",
                       user: str = "UHUMAN01") -> dict:
        return {
            "token": "legacy-verification-token", "team_id": TEAM_ID, "team_domain": "fake",
            "channel_id": channel, "channel_name": "general", "user_id": user, "user_name": "ann",
            "command": command, "text": text, "api_app_id": "A0001", "is_enterprise_install": "false",
            "response_url": response_url, "trigger_id": f"{next(self._ids)}.1.abc",
        }

    def command(self, command: str, text: str, response_url: str, channel: str = "C0GENERAL",
                user: str = "UHUMAN01") -> Response:
        return self.send_form(self.command_fields(command, text, response_url, channel, user))

    def block_action(self, value: str, response_url: str, channel: str = "C0GENERAL", user: str = "UHUMAN01",
                     action_id: str = "planbot_share") -> Response:
        payload = {
            "type": "block_actions",
            "user": {"id": user, "username": "ann", "name": "ann", "team_id": TEAM_ID},
            "api_app_id": "A0001",
            "token": "legacy-verification-token",
            "container": {"type": "message", "message_ts": "1700000000.000001", "channel_id": channel,
                          "is_ephemeral": True},
            "trigger_id": f"{next(self._ids)}.1.abc",
            "team": {"id": TEAM_ID, "domain": "fake"},
            "channel": {"id": channel, "name": "general"},
            "response_url": response_url,
            "actions": [{"action_id": action_id, "block_id": "planbot_share", "type": "button", "value": value,
                         "text": {"type": "plain_text", "text": "Share to channel"},
                         "action_ts": str(time.time())}],
        }
        return self.send_form({"payload": json.dumps(payload)})


# ---------------------------------------------------------------------------- the bot's log
class LogWatch(logging.Handler):
    """Collects every log record (INFO and up) and every exception that escaped a thread."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []
        self.thread_errors: list[str] = []
        self._old_hook = None
        self._old_level = logging.NOTSET

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __enter__(self) -> "LogWatch":
        root = logging.getLogger()
        self._old_level = root.level
        root.setLevel(min(root.level or logging.INFO, logging.INFO))
        root.addHandler(self)
        self._old_hook = threading.excepthook
        threading.excepthook = lambda args: self.thread_errors.append(f"{args.exc_type.__name__}: {args.exc_value}")
        return self

    def __exit__(self, *exc: Any) -> None:
        root = logging.getLogger()
        root.removeHandler(self)
        root.setLevel(self._old_level)
        threading.excepthook = self._old_hook

    def tracebacks(self) -> list[str]:
        """Records that carry a traceback (exc_info, stack_info, or one pasted into the message)."""
        bad = []
        for r in self.records:
            text = r.getMessage()
            if r.exc_info or r.stack_info or "Traceback (most recent call last)" in text:
                bad.append(f"{r.name} {r.levelname}: {text[:300]}")
        return bad + [f"uncaught in a thread: {e}" for e in self.thread_errors]

    def errors(self, contains: str = "") -> list[logging.LogRecord]:
        return [r for r in self.records if r.levelno >= logging.ERROR and contains in r.getMessage()]
