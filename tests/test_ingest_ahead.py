"""The text work computed ahead of the encoder in a worker process gives the index the serial
path gives: same BM25 tokens, same figure counts, same vectors."""
from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from .conftest import ARTICLE_EN, ARTICLE_ZH


def _rows(index_dir):
    from retrieval.store.index import Index

    index = Index.open(index_dir)
    db = sqlite3.connect(f"file:{index_dir / index.generation / 'chunks.sqlite'}?mode=ro", uri=True)
    chunks = db.execute("SELECT doc_id, seq, text, tokens FROM chunks ORDER BY doc_id, seq").fetchall()
    docs = db.execute("SELECT doc_id, n_figures FROM documents ORDER BY doc_id").fetchall()
    db.close()
    vectors = index.faiss.reconstruct_n(0, index.faiss.ntotal)
    return chunks, docs, vectors[np.argsort(index.table.ids)]


def _corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(3):  # several documents, so that there is something to compute ahead
        (corpus / f"en{i}.txt").write_text(ARTICLE_EN.replace("Riverside", f"Riverside{i}"), encoding="utf-8")
        (corpus / f"zh{i}.txt").write_text(ARTICLE_ZH + f"\n第{i}批项目{i + 3}个。\n", encoding="utf-8")
    return corpus


def _counted_pools(monkeypatch) -> list:
    """The worker processes started from here on: the real executor, counted; the worker path even
    on a 1-core runner."""
    import retrieval.ingest.ahead as ahead

    pools = []

    class CountedPool(ahead.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            pools.append(kwargs.get("max_workers"))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(ahead, "ProcessPoolExecutor", CountedPool)
    monkeypatch.setattr(ahead, "_cores", lambda: 2)
    return pools


def _same_index(a_dir, s_dir) -> None:
    a, s = _rows(a_dir), _rows(s_dir)
    assert a[0] == s[0] and len(a[0]) >= 6
    assert a[1] == s[1] and sum(n for _, n in a[1]) > 0
    assert np.abs(a[2] - s[2]).max() < 1e-6


def test_worker_ahead_of_the_encoder_gives_the_serial_index(tmp_path, encoder, monkeypatch):
    import retrieval.ingest.run as run

    corpus = _corpus(tmp_path)
    pools = _counted_pools(monkeypatch)
    monkeypatch.setattr(run, "AHEAD_MIN_CHUNKS", 0)
    run.ingest([corpus], tmp_path / "ahead", encoder=encoder)
    monkeypatch.setattr(run, "AHEAD_MIN_CHUNKS", 1 << 62)
    run.ingest([corpus], tmp_path / "serial", encoder=encoder)

    assert pools == [1], "one worker process for the first ingest, none for the serial one"
    _same_index(tmp_path / "ahead", tmp_path / "serial")


def _boom(x):
    raise ValueError(f"bad document {x}")


def test_an_error_in_the_worker_reaches_the_caller(monkeypatch):
    import retrieval.ingest.ahead as ahead

    monkeypatch.setattr(ahead, "_cores", lambda: 2)  # the worker path even on a 1-core runner
    with ahead.AheadQueue(_boom, min_size=1) as queue:
        queue.add(2)
        queue.add(3)
        with pytest.raises(ValueError, match="bad document 2"):  # raised in the worker, the first result
            list(queue.results())


def test_ready_documents_get_the_serial_index_from_the_worker(tmp_path, encoder, monkeypatch):
    """ingest_documents (the eval sets' passages) queues all its text work at once: a worker when
    there is enough of it, none for a single document; the index is the serial one either way."""
    import retrieval.ingest.run as run
    from retrieval.ingest.documents import load_file

    corpus = _corpus(tmp_path)

    def documents():
        return [d for p in sorted(corpus.iterdir()) for d in load_file(p, p.read_bytes())[0]]

    pools = _counted_pools(monkeypatch)
    monkeypatch.setattr(run, "AHEAD_MIN_CHUNKS", 0)
    run.ingest_documents(documents(), tmp_path / "ahead", encoder)
    assert pools == [1], "one worker process for six documents"
    run.ingest_documents(documents()[:1], tmp_path / "one", encoder)
    assert pools == [1], "no worker for a single document"
    monkeypatch.setattr(run, "AHEAD_MIN_CHUNKS", 1 << 62)
    run.ingest_documents(documents(), tmp_path / "serial", encoder)
    assert pools == [1], "no worker below AHEAD_MIN_CHUNKS"
    _same_index(tmp_path / "ahead", tmp_path / "serial")


def _square_where(x):
    import os
    import time

    time.sleep(0.02)  # long enough that the worker is still busy when the last jobs are added
    return x * x, os.getpid()


def test_jobs_added_while_reading_come_back_in_order_shared_between_worker_and_here(monkeypatch):
    """AheadQueue: jobs go to the worker as they are added; `finish()` takes back the ones it has not
    started and computes them here; `results()` gives every result in the order of the jobs."""
    import os

    import retrieval.ingest.ahead as ahead

    monkeypatch.setattr(ahead, "_cores", lambda: 2)  # the worker path even on a 1-core runner
    with ahead.AheadQueue(_square_where, min_size=3) as queue:
        for x in range(40):
            queue.add(x, size=1)
        queue.finish()
        got = list(queue.results())
    assert [v for v, _ in got] == [x * x for x in range(40)]
    where = {pid for _, pid in got}
    assert os.getpid() in where and len(where) == 2, "both the worker and this process computed some"
    with ahead.AheadQueue(_square_where, min_size=100) as small:  # below min_size: no worker at all
        small.add(3)
        assert list(small.results()) == [(9, os.getpid())]


def test_an_ingest_that_fails_stops_its_worker_and_keeps_the_index(tmp_path, encoder, monkeypatch):
    """An error once the worker has started (here the caller's progress callback, as Ctrl-C would
    come) leaves no worker process behind and the previous index as it was."""
    import multiprocessing

    import retrieval.ingest.run as run
    from retrieval.store.index import Index

    corpus = _corpus(tmp_path)
    run.ingest([corpus / "en0.txt"], tmp_path / "idx", encoder=encoder)
    pools = _counted_pools(monkeypatch)
    monkeypatch.setattr(run, "AHEAD_MIN_CHUNKS", 0)

    def interrupted(stage, done, total):
        if stage == "embedding":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run.ingest([corpus], tmp_path / "idx", encoder=encoder, progress=interrupted)
    assert pools == [1] and multiprocessing.active_children() == []
    assert len(list(Index.open(tmp_path / "idx").documents())) == 1
    assert run.ingest([corpus], tmp_path / "idx", encoder=encoder).added == 5  # the lock is free again
