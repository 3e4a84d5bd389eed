"""One writer per store: a second `planbot ingest` on the same index directory or milvus-lite
store is told it is busy (and the lock is free again once the first one is done)."""
from __future__ import annotations

import pytest

from retrieval.errors import IndexBusy
from retrieval.store import index


@pytest.mark.parametrize("backend", ["faiss", "milvus-lite"])
def test_a_second_writer_is_told_the_store_is_busy(tmp_path, backend):
    if backend == "faiss":
        target, lock = tmp_path / "index", index.write_lock
    else:
        milvus = pytest.importorskip("retrieval.store.milvus")
        target, lock = str(tmp_path / "store.db"), milvus.write_lock
    with lock(target):
        with pytest.raises(IndexBusy, match=f"another `planbot ingest` is writing {target}"):
            with lock(target):
                pass
    with lock(target):  # released when the first writer finished
        pass
