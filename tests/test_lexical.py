"""The FAISS store's commit at scale: BM25 (retrieval/store/lexical.py) built streaming must score
exactly as bm25s does, and vectors handed to FAISS a block at a time (no n × dim copy) must give
the index one array gives, carrying every unchanged vector over unchanged."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from retrieval.ingest.run import ingest
from retrieval.store import faiss_store
from retrieval.store.index import Index, Writer
from retrieval.store.lexical import Lexical
from retrieval.types import Chunk, Document

from .conftest import ARTICLE_EN, ARTICLE_ZH


def columns(vocab: dict, scores: dict) -> dict:
    """token -> (chunk positions, score bytes) of its CSC column: what ranking reads."""
    out = {}
    indptr = scores["indptr"]
    for tok, tid in vocab.items():
        if tid + 1 < len(indptr):
            lo, hi = indptr[tid], indptr[tid + 1]
            out[tok] = (scores["indices"][lo:hi].tolist(), scores["data"][lo:hi].tobytes())
    return out


def index_tokens(index_dir: Path) -> list[list[str]]:
    idx = Index.open(index_dir)
    try:
        return [r[0].split() for r in idx.db.execute("SELECT tokens FROM chunks ORDER BY id")]
    finally:
        idx.close()


def test_streaming_build_scores_bitwise_as_bm25s(small_index):
    import bm25s

    # the real chunks' tokens, plus a chunk with a repeated token, a one-token chunk and an empty one
    corpus = index_tokens(small_index) + [["growth", "growth", "growth", "江北"], ["江北"], []]
    ref = bm25s.BM25(k1=1.2, b=0.75)
    ref.index(corpus, show_progress=False)
    built = Lexical.build(iter(corpus))  # an iterator: read once, never a list
    assert built.size == len(corpus)
    assert columns(built.bm25.vocab_dict, built.bm25.scores) == columns(ref.vocab_dict, ref.scores)
    q = {"growth": 1.0, "江北": 0.7, "unknown-token": 1.0}
    assert np.array_equal(built.scores(q), Lexical(ref, len(corpus)).scores(q))


def test_saved_lexical_reads_back_and_bm25s_still_reads_it(small_index, tmp_path):
    import bm25s

    corpus = index_tokens(small_index)
    built = Lexical.build(iter(corpus))
    built.save(tmp_path / "lex")
    loaded = Lexical.load(tmp_path / "lex")
    by_bm25s = bm25s.BM25.load(str(tmp_path / "lex"), mmap=False, show_progress=False)
    q = {t: 1.0 for t in corpus[0][:5]}
    assert np.array_equal(loaded.scores(q), built.scores(q))
    assert np.array_equal(Lexical(by_bm25s, len(corpus)).scores(q), built.scores(q))
    assert loaded.idf(list(q)) == built.idf(list(q)) and all(v > 0 for v in loaded.idf(list(q)).values())
    assert json.loads((tmp_path / "lex" / "params.index.json").read_text())["num_docs"] == len(corpus)


def test_empty_corpus_builds_an_empty_lexical(tmp_path):
    built = Lexical.build(iter([]))
    built.save(tmp_path / "lex")
    assert Lexical.load(tmp_path / "lex").scores({"x": 1.0}).shape == (0,)


def test_incremental_commit_carries_every_unchanged_vector_over(tmp_path, encoder, monkeypatch):
    # FAISS reads the next generation's vectors a block at a time; blocks of 3 make every boundary case occur.
    monkeypatch.setattr(faiss_store, "ADD_BLOCK", 3)
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text(ARTICLE_EN, encoding="utf-8")
    (corpus / "b.txt").write_text(ARTICLE_ZH, encoding="utf-8")
    ingest([corpus], tmp_path / "idx", encoder=encoder)

    def vectors_by_chunk():
        idx = Index.open(tmp_path / "idx")
        title = {d.doc_id: d.title for d in idx.documents()}
        rows = {int(r[0]): (r[1], f"{title[r[1]]}\n{r[2]}" if title[r[1]] else r[2])  # what ingest embeds
                for r in idx.db.execute("SELECT id, doc_id, text FROM chunks")}
        vecs = idx.faiss.reconstruct_n(0, len(idx))
        out = {rows[int(cid)]: vecs[p] for p, cid in enumerate(idx.table.ids)}
        idx.close()
        return out

    before = vectors_by_chunk()
    (corpus / "a.txt").write_text(ARTICLE_EN.replace("28.7 billion", "31.9 billion"), encoding="utf-8")
    (corpus / "c.txt").write_text("Lakeside County plans 9 new hydrogen projects worth 4.4 billion yuan in 2025.\n", encoding="utf-8")
    ingest([corpus], tmp_path / "idx", encoder=encoder)
    after = vectors_by_chunk()
    kept = set(before) & set(after)
    assert kept and len(after) > len(kept), "some chunks kept, some new"
    assert all(np.array_equal(before[k], after[k]) for k in kept)
    new = [k for k in after if k not in before]
    fresh = encoder.encode([text for _, text in new], kind="passage")
    assert all(np.allclose(after[k], v, atol=1e-5) for k, v in zip(new, fresh))
    assert not any(np.allclose(after[k], 0) for k in after), "no chunk left without its vector"


def stage_synthetic(w: Writer, rng, n_docs: int, per_doc: int, tag: str) -> list[np.ndarray]:
    """Stage n_docs documents of per_doc one-letter chunks with random unit vectors; their vectors."""
    out = []
    for d in range(n_docs):
        doc = Document(doc_id=f"{tag}{d}", text="x" * per_doc, title="", path=f"/synthetic/{tag}{d}.txt", content_hash=f"{tag}{d}")
        chunks = [Chunk(doc.doc_id, i, i, i + 1, "x") for i in range(per_doc)]
        v = rng.standard_normal((per_doc, 64)).astype(np.float32)
        out.append(v / np.linalg.norm(v, axis=1, keepdims=True))
        w.add_document(doc, "h", chunks, [["t"]] * per_doc, out[-1])
    return out


def test_ivf_built_from_blocks_equals_the_ivf_built_from_one_array(tmp_path, monkeypatch):
    """Trained IVF-SQ8 commits through the writer's block source — fresh, then incremental (a
    document removed, five added, the lists re-used) — give exactly the index build_faiss makes
    from one array of the same vectors."""
    monkeypatch.setattr(faiss_store, "ADD_BLOCK", 1000)
    rng = np.random.default_rng(7)
    w = Writer(tmp_path / "idx", "test-model", 64, index_type="ivf-sq8")
    first = stage_synthetic(w, rng, 60, 50, "a")
    w.commit()
    gen1 = Index.open(tmp_path / "idx")
    ref1 = faiss_store.build_faiss(np.concatenate(first), "ivf-sq8")
    assert gen1.manifest["index_type"] == "ivf-sq8"
    assert np.array_equal(gen1.faiss.reconstruct_n(0, len(gen1)), ref1.reconstruct_n(0, ref1.ntotal))

    w = Writer(tmp_path / "idx", "test-model", 64)
    w.remove_document("a3")
    added = stage_synthetic(w, rng, 5, 50, "b")
    w.commit()
    gen2 = Index.open(tmp_path / "idx")
    decoded = gen1.faiss.reconstruct_n(0, len(gen1))
    kept = np.concatenate([decoded[:3 * 50], decoded[4 * 50:]])  # a3's 50 chunks gone, the rest in id order
    ref2 = faiss_store.build_faiss(np.concatenate([kept] + added), "ivf-sq8", previous=gen1.faiss)
    assert len(gen2) == 64 * 50
    assert np.array_equal(gen2.faiss.reconstruct_n(0, len(gen2)), ref2.reconstruct_n(0, ref2.ntotal))
    q = rng.standard_normal((5, 64)).astype(np.float32)
    assert np.array_equal(gen2.faiss.search(q, 10)[1], ref2.search(q, 10)[1])


@pytest.mark.parametrize("index_type", ["flat", "hnsw"])
def test_flat_and_hnsw_commits_hold_the_staged_vectors_in_position_order(tmp_path, monkeypatch, index_type):
    monkeypatch.setattr(faiss_store, "ADD_BLOCK", 70)
    rng = np.random.default_rng(3)
    w = Writer(tmp_path / "idx", "test-model", 64, index_type=index_type)
    staged = stage_synthetic(w, rng, 6, 50, "a")
    w.commit()
    w = Writer(tmp_path / "idx", "test-model", 64)
    w.remove_document("a1")
    staged = [staged[0]] + staged[2:] + stage_synthetic(w, rng, 2, 50, "b")
    w.commit()
    idx = Index.open(tmp_path / "idx")
    assert idx.manifest["index_type"] == index_type
    assert np.array_equal(idx.faiss.reconstruct_n(0, len(idx)), np.concatenate(staged))
    q = staged[-1][7]
    assert idx.chunks_at([int(idx.faiss.search(q.reshape(1, -1), 1)[1][0][0])])[0].doc_id == "b1"
