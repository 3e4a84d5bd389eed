"""Copy a FAISS index directory into a Milvus store without re-embedding anything.

At scale the embeddings are the expensive part of an index (days of CPU for tens of millions
of chunks); moving a team's existing index to Milvus should cost a copy, not a re-ingest.
The stored vectors (flat and HNSW exactly; IVF-SQ8 as its 8-bit codes decode), chunk
tokens, document records and file hashes go over as they are, so a later `planbot ingest
--store URI` sees every unchanged file as unchanged.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import numpy as np

from retrieval.store.index import Index
from retrieval.store.milvus import MilvusWriter, write_lock
from retrieval.types import Chunk


def copy_index(index_dir: str | Path, store: str, progress: Callable[[str, int, int], None] | None = None) -> dict:
    """Write every document of the index at `index_dir` into a new epoch of `store` (the old
    epoch, if any, serves until the copy commits). Returns the commit's counts."""
    progress = progress or (lambda stage, done, total: None)
    index = Index.open(index_dir)
    try:
        vectors = index.faiss.reconstruct_n(0, index.faiss.ntotal) if len(index) else np.zeros((0, index.manifest["dim"]), np.float32)
        pos_of = {int(cid): p for p, cid in enumerate(index.table.ids)}
        rows = index.db.execute("SELECT doc_id, file_hash, n_figures FROM documents").fetchall()
        meta = {r[0]: (r[1], r[2]) for r in rows}
        with write_lock(store):
            writer = MilvusWriter(store, index.model_id, index.manifest["dim"], rebuild=True)
            try:
                # In the order of their first chunk: Milvus positions then number chunks as FAISS did,
                # so equal scores break the same way in both stores.
                first = {r[0]: r[1] for r in index.db.execute("SELECT doc_id, MIN(id) FROM chunks GROUP BY doc_id")}
                docs = sorted(index.documents(), key=lambda d: (first.get(d.doc_id, -1), d.doc_id))
                for i, doc in enumerate(docs):
                    progress("copying", i, len(docs))
                    chunk_rows = index.db.execute(
                        "SELECT id, seq, start, end, text, tokens, regions FROM chunks WHERE doc_id = ? ORDER BY id", (doc.doc_id,)
                    ).fetchall()
                    chunks = [Chunk(doc.doc_id, r["seq"], r["start"], r["end"], r["text"], json.loads(r["regions"])) for r in chunk_rows]
                    tokens = [r["tokens"].split() for r in chunk_rows]
                    vecs = vectors[[pos_of[int(r["id"])] for r in chunk_rows]] if chunk_rows else []
                    file_hash, n_figures = meta[doc.doc_id]
                    writer.add_document(doc, file_hash, chunks, tokens, vecs, n_figures=n_figures)
                progress("copying", len(docs), len(docs))
                return writer.commit()
            except BaseException:
                writer.abort()
                raise
    finally:
        index.close()
