"""Any sentence-transformers model as an `Encoder`."""
from __future__ import annotations

import os
from typing import Sequence

import numpy as np

from .base import Kind, l2_normalise
from .errors import EmbeddingError


class SentenceTransformerEncoder:
    def __init__(self, model, model_id: str) -> None:
        self.model = model
        self.model_id = model_id
        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        dim = get_dim()
        if not dim:
            dim = int(model.encode(["dimension probe"], convert_to_numpy=True).shape[1])
        self.dim = int(dim)
        prompts = getattr(model, "prompts", None) or {}
        # Models trained with instructions (E5, BGE, ...) name them "query"/"document"/"passage".
        self._prompt_names = {
            "query": "query" if "query" in prompts else None,
            "passage": next((p for p in ("passage", "document") if p in prompts), None),
        }

    @classmethod
    def from_name(cls, name: str) -> "SentenceTransformerEncoder":
        is_path = os.path.exists(name)
        if not is_path and name.startswith(("/", "./", "../", "~")):
            raise EmbeddingError(f"could not load embedding model {name!r}: no such directory")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # the default install has no torch: the bundled model needs none
            raise EmbeddingError(
                f"embedding model {name!r} is loaded through sentence-transformers, which is not installed "
                f"({exc}); install it with: pip install 'planbot[sentence-transformers]' (see the README for a CPU-only torch)"
            ) from exc
        model_id = os.path.abspath(name) if is_path else name
        try:
            # A hub name is looked up in the local cache first: most deployments have no network.
            try:
                model = SentenceTransformer(model_id, device="cpu", local_files_only=True)
            except Exception:
                if is_path or os.environ.get("HF_HUB_OFFLINE") == "1":
                    raise
                model = SentenceTransformer(model_id, device="cpu")
        except Exception as exc:  # hub/network/format errors all surface as one clear message
            raise EmbeddingError(
                f"could not load embedding model {name!r}: {exc.__class__.__name__}: {exc}. "
                "Give a local sentence-transformers model folder, or a model already in the local cache."
            ) from exc
        return cls(model, model_id)

    def encode(self, texts: Sequence[str], kind: Kind = "passage", batch_size: int = 64) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            texts,
            batch_size=batch_size,
            prompt_name=self._prompt_names.get(kind),
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return l2_normalise(vectors)
