"""Hybrid retrieval: dense (the vector store) and lexical (BM25) candidates, fused.

Weighted RRF (weights in spec.py, measurements in docs/EVALUATION.md): lexical evidence is
precise whenever the question and the chunk share a language, dense evidence is the only
bridge across languages.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from retrieval.ask.fusion import rrf, top
from retrieval.ask.spec import SPEC
from retrieval.knowledge.vocab import load_vocab
from retrieval.store.index import Index
from retrieval.store.vectors import EXACT_SUBSET
from retrieval.text.tokens import tokenize, year_tokens
from retrieval.types import Chunk



@dataclass
class Hit:
    position: int
    chunk: Chunk
    score: float
    dense: float = 0.0  # cosine similarity, 0 when not retrieved densely
    lexical: float = 0.0  # BM25 score
    ranks: dict = field(default_factory=dict)


def dense_search(
    index: Index, query_vec: np.ndarray, k: int, mask: np.ndarray | None = None, exact_subset: int = EXACT_SUBSET
) -> tuple[np.ndarray, np.ndarray]:
    """Positions and cosines of the k nearest chunks (inside `mask`), best first."""
    if hasattr(index, "dense_search"):  # a backend that searches itself (retrieval/store/milvus.py)
        return index.dense_search(query_vec, k, mask)
    return index.vectors.search_masked(query_vec, k, mask, exact_subset=exact_subset)


def lexical_search(index: Index, weighted_tokens: dict[str, float], k: int, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    if hasattr(index, "lexical_search"):  # a backend that searches itself (retrieval/store/milvus.py)
        return index.lexical_search(weighted_tokens, k, mask)
    return top_positive(index.lexical.scores(weighted_tokens), k, mask)


def top_positive(scores: np.ndarray, k: int, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Positions and scores of the k best positive scores (inside `mask`), best first."""
    if mask is not None:
        scores = np.where(mask, scores, 0.0)
    n = min(k, int((scores > 0).sum()))
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    part = np.argpartition(-scores, n - 1)[:n]
    order = part[np.argsort(-scores[part], kind="stable")]
    return order, scores[order]


def query_tokens(question: str, expansions: list[str] | None = None, expansion_weight: float = SPEC.expansion_weight) -> dict[str, float]:
    """The question's BM25 tokens at weight 1, its expansions' tokens at `expansion_weight`."""
    weighted: dict[str, float] = {}
    for tok in tokenize(question):
        weighted[tok] = 1.0
    for phrase in expansions or []:
        for tok in tokenize(phrase):
            weighted.setdefault(tok, expansion_weight)
    return weighted


def hybrid_search(
    index: Index,
    query_vec: np.ndarray | None,
    weighted_tokens: dict[str, float],
    k: int = 10,
    mask: np.ndarray | None = None,
    mode: str = "hybrid",
    weights: dict[str, float] | None = None,
    depth: int = 50,
    query_script: str | None = None,
    rrf_k: int = SPEC.rrf_k,
) -> list[Hit]:
    """Top-k chunks. `mode` is "dense", "lexical" or "hybrid" (weighted RRF)."""
    rankings: dict[str, list[int]] = {}
    dense_scores: dict[int, float] = {}
    lex_scores: dict[int, float] = {}
    if mode in ("dense", "hybrid") and query_vec is not None:
        pos, sc = dense_search(index, query_vec, depth, mask)
        rankings["dense"] = [int(p) for p in pos]
        dense_scores = {int(p): float(s) for p, s in zip(pos, sc)}
    if mode in ("lexical", "hybrid"):
        pos, sc = lexical_search(index, weighted_tokens, depth, mask)
        rankings["lexical"] = [int(p) for p in pos]
        lex_scores = {int(p): float(s) for p, s in zip(pos, sc)}
    weights = weights or SPEC.same_lang_fusion
    fused = rrf(rankings, weights, k=rrf_k)
    if query_script and "dense" in rankings and "lexical" in rankings:
        # A chunk in the other language can earn no lexical evidence from the question's own
        # words, so its dense evidence also stands in for the lexical side.
        q_zh = query_script == "zh"
        for rank, p in enumerate(rankings["dense"]):
            if index.chunk_is_zh(p) != q_zh:
                fused[p] += weights.get("lexical", 1.0) / (rrf_k + rank + 1)
    best = top(fused, k)
    chunks = index.chunks_at([p for p, _ in best])
    hits = []
    for (p, score), chunk in zip(best, chunks):
        ranks = {name: r.index(p) for name, r in rankings.items() if p in r}
        hits.append(Hit(p, chunk, score, dense_scores.get(p, 0.0), lex_scores.get(p, 0.0), ranks))
    return hits


def focused_tokens(analysis, year_weight: float = SPEC.focused_year_weight) -> dict[str, float]:
    """The asked metric in every script, plus explicit years: what a sentence answering the
    question must contain, without the question's other words diluting it."""
    out: dict[str, float] = {}
    vocab = load_vocab()
    # the indicators asked for by meaning (ask/meaning.py, all above the spec's threshold) are
    # searched as listed ones are
    meant = [vocab.get(t) for t in (getattr(analysis, "meant", None) or {}) if t in vocab]
    for term in [*(getattr(analysis, "metric_terms", []) or []), *meant]:
        for form in [*term.english, *term.zh, *getattr(term, "zh_hant", [])]:
            for tok in tokenize(form):
                out[tok] = 1.0
    for y in getattr(analysis, "years", []) or []:
        for tok in year_tokens(y):
            out[tok] = year_weight
    return out


def focused_hits(index: Index, analysis, mask: np.ndarray | None, exclude: set[int], k: int = SPEC.focused_hits,
                 year_weight: float = SPEC.focused_year_weight) -> list[Hit]:
    """Chunks that best match the asked metric (within the region mask): a long report has
    many chunks naming its province, and the one with the figure may not rank high on
    the whole question."""
    tokens = focused_tokens(analysis, year_weight)
    if not tokens:
        return []
    pos, sc = lexical_search(index, tokens, k + len(exclude), mask)
    keep = [(int(p), float(s)) for p, s in zip(pos, sc) if int(p) not in exclude][:k]
    chunks = index.chunks_at([p for p, _ in keep])
    return [Hit(p, c, 0.0, 0.0, s, {"focused": r}) for r, ((p, s), c) in enumerate(zip(keep, chunks))]
