"""The FAISS store's BM25 (retrieval/store/lexical.py): built streaming, it must score exactly as
bm25s does, and an incremental commit must carry every unchanged vector over unchanged."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from retrieval.ingest.run import ingest
from retrieval.store import index as index_mod
from retrieval.store.index import Index
from retrieval.store.lexical import Lexical

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
    # Old vectors are read back a block at a time; blocks of 3 make every boundary case occur.
    monkeypatch.setattr(index_mod, "VECTOR_BLOCK", 3)
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
