"""What the Slack listeners remember between requests, behind one small interface.

A bot replica keeps nothing that another replica needs to know in its own memory: which events
it has taken on (Slack retries an event — `X-Slack-Retry-Num` — and, behind a load balancer,
the retry may reach the other replica), the formatted answers the "Share to channel" button
posts, and the threads the bot has answered in with the question each is about (so a follow-up
that reaches another replica, or arrives when `conversations.replies` cannot be read, keeps its
context). Two backends: `memory.MemoryState` (one process, the default) and
`redis_store.RedisState` (PLANBOT_REDIS_URL: any number of replicas on one Redis).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Optional

# How long each kind of record is kept (seconds): declared here, used by both backends.
EVENT_TTL = 3600.0  # Slack retries an event 3 times within about 5 minutes; an hour is ample
SHARE_TTL = 6 * 3600.0  # a share button older than this re-runs its query (listeners/actions.py)
THREAD_TTL = 7 * 86400.0  # a thread's question, for follow-ups in the same thread


@dataclass(frozen=True)
class ThreadState:
    """A thread the bot has answered in; `question` is the first question it answered there
    (the thread's question: follow-ups tend to be short, see replies.thread_info)."""

    question: Optional[str]


class BotSharedState(ABC):
    """Event dedup, share cache and thread state; a backend implements these five methods."""

    backend: str = "?"

    @abstractmethod
    def first_time(self, event_id: str) -> bool:
        """True the first time any replica offers `event_id` (atomically), False after."""

    @abstractmethod
    def put_share(self, message: dict) -> str:
        """Keep a formatted message for the share button; the key its button carries."""

    @abstractmethod
    def get_share(self, key: str) -> Optional[dict]:
        """The message kept under `key`, or None when unknown or expired."""

    @abstractmethod
    def remember_thread(self, channel: str, thread_ts: str, question: str) -> None:
        """The bot answers `question` in this thread (the first question answered there is kept)."""

    @abstractmethod
    def thread(self, channel: str, thread_ts: str) -> Optional[ThreadState]:
        """What is known about a thread the bot answered in, or None."""

    def health(self) -> dict:
        return {"backend": self.backend, "ok": True}

    def close(self) -> None:
        pass
