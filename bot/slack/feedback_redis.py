"""The feedback buttons' store in Redis (PLANBOT_REDIS_URL), so that bot replicas on several hosts
share it: a click on an answer another replica showed finds it, and `planbot feedback` exports
every replica's verdicts. Same interface and row shape as feedback.FeedbackStore (SQLite, one
host); `open_feedback_store` picks one.

Keys (prefix `planbot:feedback:`):
  salt            the per-store salt of the user hashes (SET NX: the first replica's wins)
  answer:ID       an answer as shown (JSON), kept ANSWER_TTL unless someone rates it, then kept
  votes:ID        hash: user hash → JSON [verdict, at]; a second click replaces the first (HSET)
  rated           sorted set: rated answer ids by when they were shown (the export's order)

Unlike the listeners' state (state/redis_store.py), there is no fallback to this process's
memory: a verdict kept only in one replica's memory would be lost without a word. A failed Redis
call raises; replies.py then shows the answer without buttons, and a click is answered with
"could not record that".
"""
from __future__ import annotations

import hashlib
import json
import secrets
import time
import uuid
from typing import Any, Optional

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from retrieval.errors import PlanbotError

from .feedback import VERDICTS, as_eval_question, shown_quotes
from .state.redis_store import PREFIX, TIMEOUT, describe, safe_url

KEY = PREFIX + "feedback:"
ANSWER_TTL = 90 * 86400  # an answer nobody rated within 90 days is forgotten; a rated one is kept


class RedisFeedbackStore:
    def __init__(self, url: str, client: Optional[redis.Redis] = None) -> None:
        self.url = safe_url(url)
        self.path = None  # not a file (FeedbackStore.path is)
        self.client = client or redis.Redis.from_url(
            url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT, retry=Retry(NoBackoff(), 0),
            decode_responses=True)
        self.client.set(KEY + "salt", secrets.token_hex(16), nx=True)
        self._salt = self.client.get(KEY + "salt")

    def close(self) -> None:
        self.client.close()

    def user_hash(self, user_id: str) -> str:
        return hashlib.sha256(f"{self._salt}:{user_id}".encode()).hexdigest()[:32]

    # ------------------------------------------------------------------ writing
    def shown(self, answer: Any, lang: str) -> str:
        """Record an answer as shown; the id its feedback buttons carry."""
        answer_id = uuid.uuid4().hex[:20]
        get = answer.get if isinstance(answer, dict) else lambda k, d=None: getattr(answer, k, d)
        body = {"at": time.time(), "question": get("question", ""), "lang": lang, "answered": bool(get("answered")),
                "quotes": shown_quotes(answer)}
        self.client.set(KEY + f"answer:{answer_id}", json.dumps(body, ensure_ascii=False), ex=ANSWER_TTL)
        return answer_id

    def record(self, answer_id: str, verdict: str, user_id: str) -> bool:
        """Record (or replace) a user's verdict on an answer; False for an unknown answer or verdict."""
        if verdict not in VERDICTS or not answer_id:
            return False
        raw = self.client.get(KEY + f"answer:{answer_id}")
        if raw is None:
            return False
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(KEY + f"votes:{answer_id}", self.user_hash(user_id), json.dumps([verdict, time.time()]))
        pipe.persist(KEY + f"answer:{answer_id}")
        pipe.zadd(KEY + "rated", {answer_id: float(json.loads(raw)["at"])})
        pipe.execute()
        return True

    # ------------------------------------------------------------------ reading
    def rows(self) -> list[dict]:
        """Every answer that has at least one verdict, with its verdicts, oldest first (FeedbackStore.rows)."""
        out = []
        for answer_id in self.client.zrange(KEY + "rated", 0, -1):
            raw = self.client.get(KEY + f"answer:{answer_id}")
            if raw is None:
                continue
            a = json.loads(raw)
            votes = sorted(((v, u, at) for u, (v, at) in ((u, json.loads(x)) for u, x in
                                                          self.client.hgetall(KEY + f"votes:{answer_id}").items())),
                           key=lambda t: t[2])
            out.append({"id": answer_id, "at": a["at"], "question": a["question"], "lang": a["lang"],
                        "answered": a["answered"], "quotes": a["quotes"], "verdicts": votes})
        return out


def export_redis(url: str) -> tuple[str, list[dict]]:
    """(where, eval questions) for `planbot feedback` from the store in Redis."""
    try:
        store = RedisFeedbackStore(url)
        try:
            return f"Redis at {store.url}", [as_eval_question(r) for r in store.rows()]
        finally:
            store.close()
    except (redis.RedisError, OSError) as exc:
        raise PlanbotError(f"feedback is kept in Redis at {safe_url(url)}, which cannot be read ({describe(exc)}); "
                           "check PLANBOT_REDIS_URL, or pass --file for a SQLite store") from None
