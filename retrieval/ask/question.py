"""Checking a question before anything else runs: it must be something planbot can read."""
from __future__ import annotations

import unicodedata
from typing import Optional

from retrieval.errors import BadInput, BadQuestion
from retrieval.text.clean import clean_question
from retrieval.text.lang import unread_script
from retrieval.text.script import CJK_RE

MAX_QUESTION_CHARS = 1000
MAX_K = 100  # sources considered per question; more only slows the answer


def validate_question(question: Optional[str]) -> str:
    """A clean question, or BadQuestion with a message a user can act on."""
    q = clean_question(question or "")
    if not q:
        raise BadQuestion("the question is empty: ask about a figure, a region or a plan, e.g. \"What was Jiangsu's GDP growth in 2024?\"")
    if len(q) > MAX_QUESTION_CHARS:
        raise BadQuestion(f"the question is {len(q):,} characters long; keep it under {MAX_QUESTION_CHARS:,} characters")
    if not any(ch.isalnum() for ch in q):
        raise BadQuestion("the question has no words in it, only punctuation or symbols")
    # Han characters do not make a question Chinese: Japanese writes them between kana
    # (東京のGDPは？) and Korean may mix them with hangul; such a question would be read as a
    # Chinese one with its grammar dropped and answered from the nearest Chinese sentence.
    language = unread_script(q)
    if language:
        raise BadQuestion(f"planbot answers questions in English or Chinese; this one is written in {language}")
    letters = [ch for ch in q if ch.isalpha()]
    if letters and not CJK_RE.search(q) and not any("LATIN" in unicodedata.name(ch, "") for ch in letters):
        script = unicodedata.name(letters[0], "UNKNOWN").split()[0].title()
        raise BadQuestion(f"planbot answers questions in English or Chinese; this one is written in {script} script")
    return q


def validate_k(k: object) -> int:
    """The number of passages to consider: a whole number from 1 to MAX_K."""
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise BadInput(f"k must be a whole number from 1 to {MAX_K}, not {k!r}")
    return k
