"""A bounded memory of recent encodings, so a long-running server re-embeds nothing it saw lately."""
from __future__ import annotations

from collections import OrderedDict
from typing import Sequence

import numpy as np

from .base import Encoder, Kind


class VectorCache:
    """Least-recently-used vectors by (kind, text), filled through `encode`.

    Candidate answer sentences repeat across questions about the same region and metric,
    and embedding them is most of a warm answer's time (docs/BENCHMARKS.md).
    """

    def __init__(self, encoder: Encoder, max_items: int = 20_000) -> None:
        self.encoder = encoder
        self.max_items = max_items
        self._store: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self.hits = self.misses = 0

    def encode(self, texts: Sequence[str], kind: Kind = "passage") -> np.ndarray:
        keys = [(kind, t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self._store))
        if missing:
            fresh = self.encoder.encode([t for _, t in missing], kind=kind)
            for key, vec in zip(missing, fresh):
                self._store[key] = vec
        out = np.empty((len(keys), self.encoder.dim), dtype=np.float32)
        for i, key in enumerate(keys):
            out[i] = self._store[key]
            self._store.move_to_end(key)
        self.misses += len(missing)
        self.hits += len(keys) - len(missing)
        while len(self._store) > self.max_items:
            self._store.popitem(last=False)
        return out

    def clear(self) -> None:
        self._store.clear()

    def __len__(self) -> int:
        return len(self._store)
