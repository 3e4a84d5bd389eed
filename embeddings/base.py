"""The one interface every embedding backend satisfies."""
from __future__ import annotations

from typing import Literal, Protocol, Sequence, runtime_checkable

import numpy as np

Kind = Literal["query", "passage"]


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into L2-normalised float32 vectors of shape (n, dim).

    `model_id` is recorded in every index so that an index is never searched with
    vectors from another model.
    """

    model_id: str
    dim: int

    def encode(self, texts: Sequence[str], kind: Kind = "passage", batch_size: int = 64) -> np.ndarray:
        ...


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms
