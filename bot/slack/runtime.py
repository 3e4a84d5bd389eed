"""What the listeners share at run time: the engine gateway, the answer queue, and the state
(event dedup, share cache, threads: bot/slack/state/, in memory or in Redis).

`EngineGateway` runs every engine call in its own worker pool, one call at a time
under a lock, and calls `engine.reload_if_changed()` first, so a query is never served
from an index that `planbot ingest` is half-way through replacing and a new index is
picked up without a restart.
"""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, Callable, Optional, TypeVar

from retrieval.errors import PlanbotError

from .state import BotSharedState, MemoryState
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


class BotState:
    """Everything the listeners need besides the Bolt app itself."""

    def __init__(self, engine: Any, workers: int = 2, timeout: float = 120.0, queue: Optional[AnswerQueue] = None,
                 feedback: Any = None, shared: Optional[BotSharedState] = None) -> None:
        self.gateway = EngineGateway(engine, workers=workers, timeout=timeout)
        self.queue = queue or AnswerQueue()
        self.feedback = feedback  # a feedback.FeedbackStore, or None: answers then have no feedback buttons
        self.shared = shared or MemoryState()  # dedup, shares, threads: shared by replicas on Redis
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
