"""What the listeners share at run time: the engine gateway, the answer queue, event dedupe, share cache.

`EngineGateway` runs every engine call in its own worker pool, one call at a time
under a lock, and calls `engine.reload_if_changed()` first, so a query is never served
from an index that `planbot ingest` is half-way through replacing and a new index is
picked up without a restart.
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, Callable, Optional, TypeVar

from retrieval.errors import PlanbotError

from .tables import MAX_ROWS
from .work import AnswerQueue, describe_failure

log = logging.getLogger("planbot.slack")
T = TypeVar("T")


class EngineTimeout(PlanbotError):
    pass


class EngineGateway:
    def __init__(self, engine: Any, workers: int = 2, timeout: float = 120.0, reload_interval: float = 0.0) -> None:
        self.engine = engine
        self.timeout = timeout
        self.reload_interval = reload_interval
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="planbot-engine")
        self._last_reload_check = 0.0
        self.queries = 0
        self.errors = 0
        self.started = time.time()

    # The engine is not promised to be thread-safe, and reloading swaps its index:
    # one call at a time is simple and correct; the pool keeps Slack I/O threads free.
    def _run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with self._lock:
            self._maybe_reload()
            return fn(*args, **kwargs)

    def _maybe_reload(self) -> None:
        reload = getattr(self.engine, "reload_if_changed", None)
        if reload is None:
            return
        now = time.monotonic()
        if now - self._last_reload_check < self.reload_interval:
            return
        self._last_reload_check = now
        try:
            if reload():
                log.info("index changed on disk: reloaded")
        except Exception as exc:  # keep serving the index we have
            log.error("could not reload the index (%s); still serving the previous one", describe_failure(exc))

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        fn = getattr(self.engine, name)
        future = self._pool.submit(self._run, fn, *args, **kwargs)
        try:
            result = future.result(timeout=self.timeout)
        except FutureTimeout:
            self.errors += 1
            raise EngineTimeout(f"the search took longer than {self.timeout:.0f} s; please try again") from None
        except Exception:
            self.errors += 1
            raise
        self.queries += 1
        return result

    def ask(self, question: str, context: Optional[str] = None, region: Optional[str] = None, k: int = 5):
        kwargs: dict[str, Any] = {"k": k}
        if region:
            kwargs["region"] = region
        if context:
            kwargs["context"] = context
        return self.call("ask", question, **kwargs)

    def region(self, name: str) -> dict:
        return self.call("region", name)

    def regions(self) -> list[dict]:
        return self.call("regions")

    def health(self) -> dict:
        return {
            "engine": type(self.engine).__name__ if self.engine is not None else None,
            "queries": self.queries,
            "errors": self.errors,
            "busy": self._lock.locked(),
        }

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class SeenEvents:
    """Event ids already taken on, so Slack's retries (X-Slack-Retry-Num) run once."""

    def __init__(self, ttl: float = 3600.0, max_items: int = 10_000) -> None:
        self.ttl = ttl
        self.max_items = max_items
        self._seen: "OrderedDict[str, float]" = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, event_id: str) -> bool:
        """True the first time an id is offered (and remembers it), False after."""
        now = time.monotonic()
        with self._lock:
            while self._seen:
                oldest, when = next(iter(self._seen.items()))
                if now - when > self.ttl or len(self._seen) > self.max_items:
                    self._seen.popitem(last=False)
                else:
                    break
            if event_id in self._seen:
                return False
            self._seen[event_id] = now
            return True


class ShareCache:
    """Formatted ephemeral answers, by key, for the "Share to channel" button.

    An ephemeral message's blocks are not sent back with the button click, so the
    in-channel copy comes from here; after a restart the button's value is enough to
    re-run the query.
    """

    def __init__(self, max_items: int = 500, ttl: float = 6 * 3600.0) -> None:
        self.max_items = max_items
        self.ttl = ttl
        self._items: "OrderedDict[str, tuple[float, dict]]" = OrderedDict()
        self._lock = threading.Lock()

    def put(self, message: dict) -> str:
        key = uuid.uuid4().hex[:16]
        with self._lock:
            self._items[key] = (time.monotonic(), message)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)
        return key

    def get(self, key: str) -> Optional[dict]:
        with self._lock:
            item = self._items.get(key)
        if item is None or time.monotonic() - item[0] > self.ttl:
            return None
        return item[1]


class BotState:
    """Everything the listeners need besides the Bolt app itself."""

    def __init__(self, engine: Any, workers: int = 2, timeout: float = 120.0, queue: Optional[AnswerQueue] = None,
                 feedback: Any = None) -> None:
        self.gateway = EngineGateway(engine, workers=workers, timeout=timeout)
        self.queue = queue or AnswerQueue()
        self.feedback = feedback  # a feedback.FeedbackStore, or None: answers then have no feedback buttons
        self.seen = SeenEvents()
        self.shares = ShareCache()
        self.bot_user_id: Optional[str] = None
        self.bot_id: Optional[str] = None
        self.started = time.time()
        self.table_rows = MAX_ROWS  # rows of a comparison table per Slack message


_STATE_ATTR = "_planbot_state"


def attach_state(app: Any, state: BotState) -> None:
    setattr(app, _STATE_ATTR, state)


def state_of(app: Any) -> BotState:
    state = getattr(app, _STATE_ATTR, None)
    if state is None:
        raise RuntimeError("this Bolt app was not built by bot.slack.app.build_app")
    return state
