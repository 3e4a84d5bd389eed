"""The approximate index planbot switches to at scale (IVF-SQ8) answers like the exact one.

Built for real from the corpus index's vectors: an ingest with `index_type="ivf-sq8"` into a
copy of the corpus index re-uses the stored vectors and embeds only the new file.
"""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from retrieval.engine import Engine
from retrieval.errors import BadInput
from retrieval.store.index import Index, choose_index_type, nlist_for
from retrieval.ingest.run import ingest
from retrieval.ask.search import dense_search

from .conftest import ARTICLE_EN

QUESTIONS = [
    "What was Jiangsu's GDP growth in 2024?",
    "广东省2025年地区生产总值增长目标是多少？",
    "How much grain did Henan produce last year?",
    "四川省城镇新增就业多少万人？",
]


@pytest.fixture(scope="module", params=["ivf-sq8", "hnsw"])
def approx_index(request, corpus_index, encoder, tmp_path_factory):
    root = tmp_path_factory.mktemp(request.param)
    index_dir = root / "index"
    shutil.copytree(corpus_index, index_dir)
    extra = root / "extra"
    extra.mkdir()
    (extra / "riverside.txt").write_text(ARTICLE_EN, encoding="utf-8")
    report = ingest([extra], index_dir, encoder=encoder, index_type=request.param)
    assert report.added == 1 and report.committed
    return index_dir


@pytest.fixture(scope="module")
def ivf_index(corpus_index, encoder, tmp_path_factory):
    root = tmp_path_factory.mktemp("ivf")
    index_dir = root / "index"
    shutil.copytree(corpus_index, index_dir)
    extra = root / "extra"
    extra.mkdir()
    (extra / "riverside.txt").write_text(ARTICLE_EN, encoding="utf-8")
    assert ingest([extra], index_dir, encoder=encoder, index_type="ivf-sq8").committed
    return index_dir


def test_auto_choice_is_exact_for_small_corpora_and_ivf_at_scale():
    assert choose_index_type(11_000) == "flat"
    assert choose_index_type(2_000_000) == "ivf-sq8"
    assert choose_index_type(500, "ivf-sq8") == "ivf-sq8"
    with pytest.raises(BadInput, match="unknown index type"):
        choose_index_type(10, "annoy")
    assert nlist_for(1_000_000) == 4096 and nlist_for(100_000) == 1024
    assert nlist_for(4_000) == 64, "never more lists than k-means can train from the vectors"


def test_approximate_index_answers_like_the_exact_one(approx_index, corpus_index, encoder):
    manifest = json.loads((approx_index / "manifest.json").read_text())
    assert manifest["index_type"] in ("ivf-sq8", "hnsw")
    exact, approx = Engine(corpus_index, encoder=encoder), Engine(approx_index, encoder=encoder)
    for q in QUESTIONS:
        a, b = exact.ask(q), approx.ask(q)
        assert a.answered and b.answered, q
        assert [x.text for x in a.quotes[:1]] == [x.text for x in b.quotes[:1]], q
    riverside = approx.ask("What fixed-asset investment did Riverside District achieve last year?")
    assert any("28.7 billion" in x.text for x in riverside.quotes), (riverside.quotes, riverside.notes)


def test_masked_approximate_search_finds_the_regions_own_chunks(approx_index, encoder):
    index = Index.open(approx_index)
    qvec = encoder.encode(["Hubei grain output 2024"], kind="query")[0]
    mask = index.positions_where(chunk_regions={"420000"})
    assert 0 < mask.sum() < len(index)
    allowed = np.flatnonzero(mask)
    vectors = index.faiss.reconstruct_batch(allowed.astype(np.int64))
    truth = allowed[np.argsort(-(vectors @ qvec))[:10]]
    # A small region is scored exactly; forcing the index's own path (lists probed, graph walked,
    # as for a region with more than EXACT_SUBSET chunks) must still keep inside the mask and
    # find the same best chunks.
    for exact_subset in (10**9, 0):
        pos, scores = dense_search(index, qvec, 10, mask, exact_subset=exact_subset)
        assert mask[pos].all()
        assert list(scores) == sorted(scores, reverse=True)
        assert len(set(pos) & set(truth)) >= 8, exact_subset
    index.close()


def test_incremental_ingest_keeps_the_trained_lists(ivf_index, encoder, tmp_path):
    index_dir = tmp_path / "index"
    shutil.copytree(ivf_index, index_dir)
    import faiss

    def centroids(d):
        idx = Index.open(d)
        ivf = faiss.extract_index_ivf(idx.faiss)
        out = (ivf.nlist, ivf.nprobe, ivf.quantizer.reconstruct_n(0, ivf.nlist))
        idx.close()
        return out

    before = centroids(index_dir)
    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "hillside.txt").write_text(ARTICLE_EN.replace("Riverside", "Hillside"), encoding="utf-8")
    report = ingest([extra], index_dir, encoder=encoder)
    assert report.committed
    after = centroids(index_dir)
    assert before[:2] == after[:2] and np.array_equal(before[2], after[2])
    assert json.loads((index_dir / "manifest.json").read_text())["index_type"] == "ivf-sq8"
    engine = Engine(index_dir, encoder=encoder)
    assert any("Hillside" in x.text for x in engine.ask("What fixed-asset investment did Hillside District achieve?").quotes)
