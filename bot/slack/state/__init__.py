"""The Slack listeners' state (event dedup, share cache, thread state): in this process, or in
Redis when PLANBOT_REDIS_URL is set so that bot replicas share it (base.py says what is kept)."""
from __future__ import annotations

from typing import Optional

from .base import BotSharedState, ThreadState
from .memory import MemoryState

__all__ = ["BotSharedState", "MemoryState", "ThreadState", "open_state"]


def open_state(redis_url: Optional[str]) -> BotSharedState:
    """Redis at `redis_url` (not contacted yet: see RedisState.ping), else this process's memory."""
    if not redis_url:
        return MemoryState()
    from .redis_store import RedisState  # redis-py only when configured

    return RedisState(redis_url)
