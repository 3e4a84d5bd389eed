"""Hybrid retrieval: dense (FAISS) and lexical (BM25) candidates, fused."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from retrieval.ask.fusion import rrf, top
from retrieval.store.index import Index
from retrieval.text.tokens import tokenize
from retrieval.types import Chunk

# Weighted RRF (see docs/EVALUATION.md for the measurements behind these): lexical
# evidence is precise whenever the question and the chunk share a language, dense
# evidence is the only bridge across languages.
SAME_LANG_WEIGHTS = {"dense": 0.5, "lexical": 1.0}
CROSS_LANG_WEIGHTS = {"dense": 0.8, "lexical": 1.0}
EXPANSION_WEIGHT = 0.7


@dataclass
class Hit:
    position: int
    chunk: Chunk
    score: float
    dense: float = 0.0  # cosine similarity, 0 when not retrieved densely
    lexical: float = 0.0  # BM25 score
    ranks: dict = field(default_factory=dict)


_single_threaded = False
# Masked searches over at most this many vectors (a region's own sources) are exact.
EXACT_SUBSET = 50_000


def dense_search(
    index: Index, query_vec: np.ndarray, k: int, mask: np.ndarray | None = None, exact_subset: int = EXACT_SUBSET
) -> tuple[np.ndarray, np.ndarray]:
    import faiss

    if hasattr(index, "dense_search"):  # a backend that searches itself (retrieval/store/milvus.py)
        return index.dense_search(query_vec, k, mask)
    global _single_threaded
    if not _single_threaded:
        # One query at a time: OpenMP start-up costs more than it saves (flat search over
        # 11k vectors: p50 0.7 ms on 1 thread vs 52 ms on 2, docs/BENCHMARKS.md).
        faiss.omp_set_num_threads(1)
        _single_threaded = True

    if len(index) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    q = np.ascontiguousarray(query_vec.reshape(1, -1), dtype=np.float32)
    k = min(k, len(index))
    index_type = index.manifest["index_type"]
    params = None
    if mask is not None and not mask.all():
        allowed = np.flatnonzero(mask).astype(np.int64)
        if len(allowed) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        k = min(k, len(allowed))
        if index_type != "flat" and len(allowed) <= exact_subset:
            # A region's own sources are few: score them exactly. Lists probed for the whole
            # corpus would hold only some of them, and a graph walk would stop short.
            vecs = index.faiss.reconstruct_batch(allowed)
            scores = vecs @ q[0]
            best = np.argsort(-scores, kind="stable")[:k]
            return allowed[best], scores[best].astype(np.float32)
        sel = faiss.IDSelectorBatch(allowed)
        if index_type == "hnsw":
            params = faiss.SearchParametersHNSW(sel=sel, efSearch=max(1024, k))
        elif index_type.startswith("ivf"):
            ivf = faiss.extract_index_ivf(index.faiss)
            # Fewer allowed vectors per list: probe proportionally more lists.
            share = len(allowed) / len(index)
            params = faiss.SearchParametersIVF(sel=sel, nprobe=int(min(ivf.nlist, np.ceil(ivf.nprobe / share))))
        else:
            params = faiss.SearchParameters(sel=sel)
    scores, positions = index.faiss.search(q, k, params=params) if params else index.faiss.search(q, k)
    keep = positions[0] >= 0
    return positions[0][keep], scores[0][keep]


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


def query_tokens(question: str, expansions: list[str] | None = None) -> dict[str, float]:
    weighted: dict[str, float] = {}
    for tok in tokenize(question):
        weighted[tok] = 1.0
    for phrase in expansions or []:
        for tok in tokenize(phrase):
            weighted.setdefault(tok, EXPANSION_WEIGHT)
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
    weights = weights or SAME_LANG_WEIGHTS
    fused = rrf(rankings, weights)
    if query_script and "dense" in rankings and "lexical" in rankings:
        # A chunk in the other language can earn no lexical evidence from the question's own
        # words, so its dense evidence also stands in for the lexical side.
        q_zh = query_script == "zh"
        for rank, p in enumerate(rankings["dense"]):
            if index.chunk_is_zh(p) != q_zh:
                fused[p] += weights.get("lexical", 1.0) / (60 + rank + 1)
    best = top(fused, k)
    chunks = index.chunks_at([p for p, _ in best])
    hits = []
    for (p, score), chunk in zip(best, chunks):
        ranks = {name: r.index(p) for name, r in rankings.items() if p in r}
        hits.append(Hit(p, chunk, score, dense_scores.get(p, 0.0), lex_scores.get(p, 0.0), ranks))
    return hits


def focused_tokens(analysis) -> dict[str, float]:
    """The asked metric in every script, plus explicit years: what a sentence answering the
    question must contain, without the question's other words diluting it."""
    out: dict[str, float] = {}
    for term in getattr(analysis, "metric_terms", []) or []:
        for form in [*term.english, *term.zh, *getattr(term, "zh_hant", [])]:
            for tok in tokenize(form):
                out[tok] = 1.0
    for y in getattr(analysis, "years", []) or []:
        out[str(y)] = 0.5
    return out


def focused_hits(index: Index, analysis, mask: np.ndarray | None, exclude: set[int], k: int = 8) -> list[Hit]:
    """Chunks that best match the asked metric (within the region mask): a long report has
    many chunks naming its province, and the one with the figure may not rank high on
    the whole question."""
    tokens = focused_tokens(analysis)
    if not tokens:
        return []
    pos, sc = lexical_search(index, tokens, k + len(exclude), mask)
    keep = [(int(p), float(s)) for p, s in zip(pos, sc) if int(p) not in exclude][:k]
    chunks = index.chunks_at([p for p, _ in keep])
    return [Hit(p, c, 0.0, 0.0, s, {"focused": r}) for r, ((p, s), c) in enumerate(zip(keep, chunks))]
