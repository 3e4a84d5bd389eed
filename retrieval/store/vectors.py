"""The vector-store interface: unit vectors by position, nearest by inner product (= cosine).

One small base class per concern, one module per backend (as neuml/txtai's ANN classes):
`faiss_store.FaissStore` is the one backend today; a Milvus backend is one more module that
implements the abstract methods. The masked search that keeps a region's answers inside its
own sources is shared: a small allowed set is scored exactly from `reconstruct`, a large one
goes to the backend's own filtered search.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Optional

import numpy as np

# Masked searches over at most this many vectors (a region's own sources) are exact.
EXACT_SUBSET = 50_000


def _empty() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)


class VectorStore(ABC):
    """Vectors at positions 0..n-1 (a chunk's position in the index)."""

    #: the index type as written in the manifest ("flat", "ivf-sq8", "hnsw", ...)
    index_type: str = ""
    #: whether `search` is exact (then a masked search needs no exact re-scoring)
    exact: bool = False

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def add(self, vectors: np.ndarray) -> None:
        """Append vectors at the next positions."""

    @abstractmethod
    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(positions, scores) of the k nearest vectors, best first."""

    @abstractmethod
    def search_subset(self, query: np.ndarray, k: int, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`search` restricted to the positions in `allowed` (sorted int64)."""

    @abstractmethod
    def reconstruct(self, positions: np.ndarray) -> np.ndarray:
        """The stored vectors at `positions` (as stored: quantised backends give them back approximately)."""

    @abstractmethod
    def save(self, path: Path) -> None:
        """Write the store to `path` (a file or directory, the backend's choice)."""

    @classmethod
    @abstractmethod
    def load(cls, path: Path) -> "VectorStore":
        """Read a store that `save` wrote."""

    def search_masked(self, query: np.ndarray, k: int, mask: Optional[np.ndarray] = None,
                      exact_subset: int = EXACT_SUBSET) -> tuple[np.ndarray, np.ndarray]:
        """`search` restricted to the positions where `mask` is True. A region's own sources are
        few: they are scored exactly (lists probed for the whole corpus would hold only some
        of them, and a graph walk would stop short)."""
        if len(self) == 0 or k <= 0:
            return _empty()
        k = min(k, len(self))
        if mask is None or mask.all():
            return self.search(query, k)
        allowed = np.flatnonzero(mask).astype(np.int64)
        if len(allowed) == 0:
            return _empty()
        k = min(k, len(allowed))
        if not self.exact and len(allowed) <= exact_subset:
            scores = self.reconstruct(allowed) @ np.asarray(query, dtype=np.float32).reshape(-1)
            best = np.argsort(-scores, kind="stable")[:k]
            return allowed[best], scores[best].astype(np.float32)
        return self.search_subset(query, k, allowed)
