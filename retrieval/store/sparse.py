"""BM25 as sparse vectors, so a vector database ranks lexically like retrieval/store/lexical.py.

bm25s (the FAISS backend's lexical side) scores a chunk d for a query q as

    sum over t in q:  w_t * idf(t) * tf(t,d) / (tf(t,d) + k1 * (1 - b + b * len(d) / avgdl))

with Lucene's idf(t) = log(1 + (N - df + 0.5) / (df + 0.5)). The document factor depends on the
chunk and avgdl only, the query factor on df and N only, so a stored sparse vector (the
document factor per token) times a query sparse vector (w_t * idf(t)) under inner product is
the same score. Tokens become dimensions by a stable 32-bit hash (no shared vocabulary to
coordinate between writers); two tokens colliding share a dimension, which at 2^32 dimensions
happens for a handful of pairs in a million-token vocabulary.

avgdl is fixed when a store is first built (see milvus.py): documents upserted later are
weighted against that value, so ranking drifts only as far as the corpus's mean chunk length
does; a `--rebuild` re-measures it.
"""
from __future__ import annotations

import hashlib
import math
from collections import Counter
from typing import Iterable, Mapping

from retrieval.store.lexical import B, K1  # the FAISS store's parameters: both rank alike

DIMS = 2**32 - 1  # Milvus sparse indices are uint32 below 2^32 - 1
EMPTY = {0: 1e-6}  # Milvus rejects empty sparse rows; dimension 0 is never a token's (token_dim)


def token_dim(token: str) -> int:
    h = int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=4).digest(), "little") % DIMS
    return h or 1


def doc_vector(tokens: list[str], avgdl: float) -> dict[int, float]:
    """The document factor of BM25 for each distinct token of a chunk."""
    if not tokens:
        return dict(EMPTY)
    norm = K1 * ((1 - B) + B * len(tokens) / (avgdl or 1.0))
    out: dict[int, float] = {}
    for tok, tf in Counter(tokens).items():
        d = token_dim(tok)
        out[d] = out.get(d, 0.0) + tf / (norm + tf)
    return out


def idf(df: int, n: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5)) if df else 0.0


def query_vector(weighted_tokens: Mapping[str, float], idfs: Mapping[str, float]) -> dict[int, float]:
    out: dict[int, float] = {}
    for tok, w in weighted_tokens.items():
        v = w * idfs.get(tok, 0.0)
        if v > 0:
            d = token_dim(tok)
            out[d] = out.get(d, 0.0) + v
    return out


def distinct(token_lists: Iterable[list[str]]) -> Counter:
    """Chunk frequency of each token: in how many of the chunks it occurs (BM25's df)."""
    c: Counter = Counter()
    for toks in token_lists:
        c.update(set(toks))
    return c
