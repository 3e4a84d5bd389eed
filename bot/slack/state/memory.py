"""The in-process backend of the listeners' state (one replica): bounded, expiring dicts."""
from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from typing import Any, Optional

from .base import EVENT_TTL, SHARE_TTL, THREAD_TTL, BotSharedState, ThreadState


class _Expiring:
    """An insertion-ordered dict whose entries expire after `ttl` s, at most `max_items` of them."""

    def __init__(self, ttl: float, max_items: int) -> None:
        self.ttl = ttl
        self.max_items = max_items
        self._items: "OrderedDict[str, tuple[float, Any]]" = OrderedDict()
        self._lock = threading.Lock()

    def _expire(self, now: float) -> None:
        while self._items:
            when, _ = next(iter(self._items.values()))
            if now - when > self.ttl or len(self._items) > self.max_items:
                self._items.popitem(last=False)
            else:
                break

    def add(self, key: str, value: Any, replace: bool = True) -> bool:
        """Store `value` (unless `replace` is False and `key` is live); True if it was stored."""
        now = time.monotonic()
        with self._lock:
            self._expire(now)
            if not replace and key in self._items:
                return False
            self._items.pop(key, None)
            self._items[key] = (now, value)
            return True

    def get(self, key: str) -> Any:
        with self._lock:
            item = self._items.get(key)
        if item is None or time.monotonic() - item[0] > self.ttl:
            return None
        return item[1]


class MemoryState(BotSharedState):
    backend = "memory"

    def __init__(self, event_ttl: float = EVENT_TTL, share_ttl: float = SHARE_TTL, thread_ttl: float = THREAD_TTL) -> None:
        self._events = _Expiring(event_ttl, 10_000)
        self._shares = _Expiring(share_ttl, 500)
        self._threads = _Expiring(thread_ttl, 5_000)

    def first_time(self, event_id: str) -> bool:
        return self._events.add(event_id, True, replace=False)

    def put_share(self, message: dict) -> str:
        key = uuid.uuid4().hex[:16]
        self._shares.add(key, message)
        return key

    def get_share(self, key: str) -> Optional[dict]:
        return self._shares.get(key)

    def remember_thread(self, channel: str, thread_ts: str, question: str) -> None:
        key = f"{channel}:{thread_ts}"
        known = self._threads.get(key)
        self._threads.add(key, known if known is not None and known.question else ThreadState(question or None))

    def thread(self, channel: str, thread_ts: str) -> Optional[ThreadState]:
        return self._threads.get(f"{channel}:{thread_ts}")
