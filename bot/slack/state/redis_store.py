"""The shared backend of the listeners' state: Redis (PLANBOT_REDIS_URL), for any number of replicas.

Dedup is one `SET key 1 NX EX ttl` per event — atomic in Redis, so of two replicas offered the
same event id (Slack's retry reaching the other one) exactly one gets True. Shares and thread
states are JSON strings with a TTL. Keys start with `planbot:` so the database can be shared.

Redis going away mid-run must not stop answers: a failed call is logged once (one line, no
traceback), this replica keeps working on its own memory (`MemoryState`: dedup per replica,
its own shares and threads) and tries Redis again every `RETRY_AFTER` seconds, logging when it
is back. `ping()` is the start-up check (bot/slack/startup.py maps its errors to exit statuses).
"""
from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from typing import Any, Callable, Optional, TypeVar
from urllib.parse import urlsplit, urlunsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from .base import EVENT_TTL, SHARE_TTL, THREAD_TTL, BotSharedState, ThreadState
from .memory import MemoryState

log = logging.getLogger("planbot.slack")
T = TypeVar("T")

PREFIX = "planbot:"
RETRY_AFTER = 5.0  # s between attempts while Redis is down (each failed attempt costs up to a timeout)
TIMEOUT = 1.0  # s for a connect or a command: an event must still be acknowledged within Slack's 3 s
FAILURES = (redis.RedisError, OSError)


def safe_url(url: str) -> str:
    """The URL without its password (for logs and error messages)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def describe(exc: BaseException) -> str:
    text = str(exc).strip().rstrip(".") or type(exc).__name__
    return text.splitlines()[0][:200]


class RedisState(BotSharedState):
    backend = "redis"

    def __init__(self, url: str, event_ttl: float = EVENT_TTL, share_ttl: float = SHARE_TTL,
                 thread_ttl: float = THREAD_TTL, client: Optional[redis.Redis] = None) -> None:
        self.url = safe_url(url)
        # No retries inside redis-py: a down Redis is handled here (fallback), not waited for.
        self.client = client or redis.Redis.from_url(
            url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT, retry=Retry(NoBackoff(), 0),
            health_check_interval=30, decode_responses=True)
        self.ttl = {"event": int(event_ttl), "share": int(share_ttl), "thread": int(thread_ttl)}
        self.fallback = MemoryState(event_ttl, share_ttl, thread_ttl)
        self._lock = threading.Lock()
        self._down_since: Optional[float] = None
        self._next_try = 0.0
        self.failures = 0

    # ------------------------------------------------------------------ the start-up check
    def ping(self) -> None:
        """Raise redis-py's error when Redis cannot be used (connection, authentication)."""
        self.client.ping()

    # ------------------------------------------------------------------ guarded calls
    def _call(self, op: Callable[[], T], fallback: Callable[[], T]) -> T:
        now = time.monotonic()
        if self._down_since is not None and now < self._next_try:
            return fallback()
        try:
            result = op()
        except FAILURES as exc:
            with self._lock:
                self.failures += 1
                self._next_try = time.monotonic() + RETRY_AFTER
                first = self._down_since is None
                if first:
                    self._down_since = now
            if first:
                log.warning("Redis at %s failed (%s); event dedup, shares and thread state stay in this replica's "
                            "memory until it is back", self.url, describe(exc))
            return fallback()
        if self._down_since is not None:
            with self._lock:
                since, self._down_since = self._down_since, None
            if since is not None:
                log.info("Redis at %s is reachable again (after %.0f s)", self.url, time.monotonic() - since)
        return result

    # ------------------------------------------------------------------ the interface
    def first_time(self, event_id: str) -> bool:
        key = f"{PREFIX}event:{event_id}"
        return self._call(lambda: bool(self.client.set(key, "1", nx=True, ex=self.ttl["event"])),
                          lambda: self.fallback.first_time(event_id))

    def put_share(self, message: dict) -> str:
        key = uuid.uuid4().hex[:16]
        body = json.dumps(message, ensure_ascii=False)

        def fallback() -> str:
            return self.fallback.put_share(message)

        return self._call(lambda: (self.client.set(f"{PREFIX}share:{key}", body, ex=self.ttl["share"]), key)[1], fallback)

    def get_share(self, key: str) -> Optional[dict]:
        raw = self._call(lambda: self.client.get(f"{PREFIX}share:{key}"), lambda: None)
        return _loads(raw) if raw is not None else self.fallback.get_share(key)

    def remember_thread(self, channel: str, thread_ts: str, question: str) -> None:
        key = f"{PREFIX}thread:{channel}:{thread_ts}"
        body = json.dumps({"question": question or None}, ensure_ascii=False)

        def op() -> None:
            # The first question answered in a thread stays; every answer keeps the thread alive.
            pipe = self.client.pipeline(transaction=True)
            pipe.set(key, body, nx=True, ex=self.ttl["thread"])
            pipe.expire(key, self.ttl["thread"])
            pipe.execute()

        self._call(op, lambda: self.fallback.remember_thread(channel, thread_ts, question))

    def thread(self, channel: str, thread_ts: str) -> Optional[ThreadState]:
        raw = self._call(lambda: self.client.get(f"{PREFIX}thread:{channel}:{thread_ts}"), lambda: None)
        data = _loads(raw) if raw is not None else None
        if data is None:
            return self.fallback.thread(channel, thread_ts)
        return ThreadState(data.get("question") or None)

    def health(self) -> dict:
        return {"backend": self.backend, "url": self.url, "ok": self._down_since is None, "failures": self.failures}

    def close(self) -> None:
        try:
            self.client.close()
        except FAILURES:
            pass


def _loads(raw: Any) -> Optional[dict]:
    try:
        data = json.loads(raw)
    except (TypeError, ValueError):
        return None
    return data if isinstance(data, dict) else None
