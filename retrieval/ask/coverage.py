"""Lexical coverage of a sentence: the share of the question's IDF-weighted tokens it contains."""
from __future__ import annotations

from typing import Optional

from retrieval.text.script import CJK_RE
from retrieval.text.tokens import tokenize


def _coverage_parts(q_weights: dict[str, float], idf: dict[str, float], sentence_tokens: set[str]) -> tuple[float, float]:
    """(covered, total) IDF-weighted query tokens."""
    total = sum(w * idf.get(t, 0.0) for t, w in q_weights.items())
    covered = sum(w * idf.get(t, 0.0) for t, w in q_weights.items() if t in sentence_tokens)
    return covered, total


def coverage(q_weights: dict[str, float], idf: dict[str, float], sentence_tokens: set[str]) -> float:
    covered, total = _coverage_parts(q_weights, idf, sentence_tokens)
    return covered / total if total > 0 else 0.0


def bridged_coverage(
    q_weights: dict[str, float], idf: dict[str, float], sentence_tokens: set[str], folded: str,
    bridge: dict[str, tuple[str, ...]], bridge_idf: dict[str, float],
) -> float:
    """Coverage of a sentence in the other language than the question: the question tokens it
    can contain (expansions, numbers) as in `coverage`, plus each bridged question word,
    covered when any of its dictionary translations occurs in the sentence and weighted by
    the rarest of them that the corpus knows (a word none of whose translations occur
    anywhere in the corpus cannot decide between sentences and is left out)."""
    covered, total = _coverage_parts(q_weights, idf, sentence_tokens)
    for group in bridge.values():
        x = max((_key_idf(g, bridge_idf) for g in group), default=0.0)
        if x <= 0:
            continue
        total += x
        if any(_present(g, sentence_tokens, folded) for g in group):
            covered += x
    return covered / total if total > 0 else 0.0


def _key_idf(key: str, idf: dict[str, float]) -> float:
    return max((idf.get(w, 0.0) for w in key.split()), default=0.0)


def _present(key: str, sentence_tokens: set[str], folded: str) -> bool:
    if CJK_RE.match(key):
        return key in folded if len(key) > 1 else key in sentence_tokens
    return all(w in sentence_tokens for w in key.split())


def split_by_script(q_weights: dict[str, float]) -> dict[str, dict[str, float]]:
    """Query tokens that can occur in a Chinese sentence vs an English one (numbers in both).

    Coverage is measured only over the tokens a sentence could contain: an English
    question's own words can never appear in a Chinese sentence, only its expansions can.
    """
    zh = {t: w for t, w in q_weights.items() if CJK_RE.match(t) or t[0].isdigit()}
    en = {t: w for t, w in q_weights.items() if not CJK_RE.match(t)}
    return {"zh": zh, "en": en}


def lexical_coverage(text: str, script: str, folded: str, by_script: dict[str, dict[str, float]], idf: dict[str, float],
                     q_script: str, bridge: Optional[dict] = None, bridge_idf: Optional[dict] = None) -> float:
    """The lexical signal of one sentence: bridged across scripts when the bridge is on."""
    tokens = set(tokenize(text))
    if bridge and script != q_script:
        return bridged_coverage(by_script[script], idf, tokens, folded, bridge, bridge_idf or {})
    return coverage(by_script[script], idf, tokens)
