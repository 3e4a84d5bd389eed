"""What users say about answers: the feedback buttons' store, and its export as an eval set.

Each answer the bot shows is recorded (question, language, the quotes shown with their
figures and sources) under an id that its buttons carry; a click records a verdict —
`helpful`, `wrong_figure` or `wrong_source` — once per user and answer (a second click
replaces the first), with the user id hashed (salted SHA-256; the salt is per store).

One SQLite file (`Settings.feedback_file`: PLANBOT_FEEDBACK, else beside the index
directory, never inside an index generation, which `planbot ingest` replaces whole).

`export()` writes rows in the ../shared/eval `questions.jsonl` format: a helpful answer
gives `answers` (the figures it quoted, else its first quote) and `source_contains` (the
quoted file); a flagged one keeps the question with `answers: []` and, under `feedback`,
what was shown, for a reviewer to fill in the right answer — so flagged questions become
a test set.
"""
from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Optional

VERDICTS = {"helpful": "Helpful", "wrong_figure": "Wrong figure", "wrong_source": "Wrong source"}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS answers (
    id TEXT PRIMARY KEY, at REAL NOT NULL, question TEXT NOT NULL, lang TEXT NOT NULL,
    answered INTEGER NOT NULL, quotes TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS verdicts (
    answer_id TEXT NOT NULL REFERENCES answers(id), user_hash TEXT NOT NULL, verdict TEXT NOT NULL,
    at REAL NOT NULL, PRIMARY KEY (answer_id, user_hash));
"""


def _get(obj: Any, key: str, default: Any = None) -> Any:
    return obj.get(key, default) if isinstance(obj, dict) else getattr(obj, key, default)


def shown_quotes(answer: Any, limit: int = 10) -> list[dict]:
    """The quotes of an Answer as stored: text, figures' text, and where they come from."""
    out = []
    for q in list(_get(answer, "quotes") or [])[:limit]:
        src = _get(q, "source")
        out.append({
            "text": _get(q, "text", ""),
            "figures": [_get(f, "text", "") for f in _get(q, "figures") or []],
            "title": _get(src, "title", ""),
            "path": _get(src, "path") or "",
            "doc_id": _get(src, "doc_id", ""),
        })
    return out


class FeedbackStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, timeout=10)
        with self._lock, self._db:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
            row = self._db.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()
            if row is None:
                self._db.execute("INSERT INTO meta VALUES ('salt', ?)", (secrets.token_hex(16),))
                row = self._db.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()
        self._salt = row[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def user_hash(self, user_id: str) -> str:
        return hashlib.sha256(f"{self._salt}:{user_id}".encode()).hexdigest()[:32]

    # ------------------------------------------------------------------ writing
    def shown(self, answer: Any, lang: str) -> str:
        """Record an answer as shown; the id its feedback buttons carry."""
        answer_id = uuid.uuid4().hex[:20]
        with self._lock, self._db:
            self._db.execute("INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?)", (
                answer_id, time.time(), _get(answer, "question", ""), lang, int(bool(_get(answer, "answered"))),
                json.dumps(shown_quotes(answer), ensure_ascii=False)))
        return answer_id

    def record(self, answer_id: str, verdict: str, user_id: str) -> bool:
        """Record (or replace) a user's verdict on an answer; False for an unknown answer or verdict."""
        if verdict not in VERDICTS:
            return False
        with self._lock, self._db:
            if self._db.execute("SELECT 1 FROM answers WHERE id = ?", (answer_id,)).fetchone() is None:
                return False
            self._db.execute("INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?, ?)",
                             (answer_id, self.user_hash(user_id), verdict, time.time()))
        return True

    # ------------------------------------------------------------------ reading
    def rows(self) -> list[dict]:
        """Every answer that has at least one verdict, with its verdicts, oldest first."""
        with self._lock:
            answers = self._db.execute(
                "SELECT a.id, a.at, a.question, a.lang, a.answered, a.quotes FROM answers a "
                "WHERE EXISTS (SELECT 1 FROM verdicts v WHERE v.answer_id = a.id) ORDER BY a.at").fetchall()
            votes = self._db.execute("SELECT answer_id, verdict, user_hash, at FROM verdicts ORDER BY at").fetchall()
        by_answer: dict[str, list[tuple[str, str, float]]] = {}
        for answer_id, verdict, user_hash, at in votes:
            by_answer.setdefault(answer_id, []).append((verdict, user_hash, at))
        return [{"id": a[0], "at": a[1], "question": a[2], "lang": a[3], "answered": bool(a[4]),
                 "quotes": json.loads(a[5]), "verdicts": by_answer.get(a[0], [])} for a in answers]


def verdict_of(votes: Iterable[tuple[str, str, float]]) -> tuple[str, dict[str, int]]:
    """The most frequent verdict (a flag wins a tie: a wrong figure matters more than a thumbs-up)."""
    counts = Counter(v for v, _u, _at in votes)
    order = ["wrong_figure", "wrong_source", "helpful"]
    best = max(order, key=lambda v: (counts.get(v, 0), -order.index(v)))
    return best, {v: counts[v] for v in order if counts.get(v)}


def as_eval_question(row: dict) -> dict:
    """One stored answer with its verdicts as a ../shared/eval questions.jsonl row."""
    verdict, counts = verdict_of(row["verdicts"])
    quotes = row["quotes"]
    first = quotes[0] if quotes else None
    figures = [f for q in quotes[:1] for f in q["figures"] if f]
    out: dict[str, Any] = {"id": f"feedback-{row['id']}", "question": row["question"], "lang": row["lang"]}
    if verdict == "helpful" and first is not None:
        out["answers"] = figures or [first["text"]]
        out["figure"] = bool(figures)
        source = Path(first["path"]).name if first["path"] else first["title"]
        if source:
            out["source_contains"] = source
    else:
        out["answers"] = []  # the shown answer was wrong (or nothing was shown): a reviewer adds the right one
        out["figure"] = bool(figures)
    out["feedback"] = {
        "verdict": verdict, "votes": counts, "answered": row["answered"],
        "asked_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(row["at"])),
        "shown": [{"text": q["text"], "figures": q["figures"], "source": Path(q["path"]).name if q["path"] else q["title"]}
                  for q in quotes[:3]],
    }
    return out


def export(path: str | Path) -> list[dict]:
    """The store at `path` as eval questions (empty if there is no store yet)."""
    path = Path(path)
    if not path.exists():
        return []
    store = FeedbackStore(path)
    try:
        return [as_eval_question(r) for r in store.rows()]
    finally:
        store.close()
