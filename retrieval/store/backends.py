"""Which store backend a setting names, and the few calls that differ between them.

`store` is None or "faiss" for the index directory (retrieval/store/index.py), or a Milvus
URI (retrieval/store/milvus.py): `http://host:19530`, or a local `*.db` path for milvus-lite,
optionally `#name`. The Milvus modules are imported only when a Milvus URI is given, so the
default path never pays for pymilvus.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

FAISS = "faiss"


def is_milvus(store: str | None) -> bool:
    if not store or store == FAISS:
        return False
    from retrieval.store.milvus import is_milvus_uri

    if not is_milvus_uri(store):
        from retrieval.errors import BadInput

        raise BadInput(f"unknown store {store!r}: use 'faiss', a Milvus URI (http://host:19530) or a milvus-lite path ending in .db")
    return True


def open_store(index_dir: str | Path, store: str | None = None, model_id: str | None = None):
    """The read side: an Index (FAISS) or a MilvusStore, both with the methods the Engine calls."""
    if is_milvus(store):
        from retrieval.store.milvus import MilvusStore

        return MilvusStore.open(store, model_id=model_id)
    from retrieval.store.index import Index

    return Index.open(index_dir, model_id=model_id)


def generation(index_dir: str | Path, store: str | None = None) -> str | None:
    """The committed generation a reader would open now (raises on a broken FAISS manifest)."""
    if is_milvus(store):
        from retrieval.store.milvus import current_generation

        return current_generation(store)
    from retrieval.store.index import read_manifest

    return read_manifest(Path(index_dir)).get("generation")


def known_dim(index_dir: Path, store: str | None, model_id: str) -> int | None:
    """The stored vectors' dimension when the store exists and uses `model_id` (spares a model load)."""
    if is_milvus(store):
        from retrieval.store.milvus import client, parse, read_state

        uri, name = parse(store)
        state = read_state(client(uri), name, uri)
        return state["dim"] if state and state.get("model_id") == model_id else None
    from retrieval.store.index import MANIFEST, read_manifest

    if (index_dir / MANIFEST).exists():
        manifest = read_manifest(index_dir)
        if manifest.get("model_id") == model_id:
            return manifest.get("dim")
    return None


@contextmanager
def write_lock(index_dir: Path, store: str | None = None):
    if is_milvus(store):
        from retrieval.store.milvus import write_lock as lock

        with lock(store):
            yield
        return
    from retrieval.store.index import write_lock as lock

    with lock(index_dir):
        yield


def open_writer(index_dir: Path, store: str | None, model_id: str, dim: int, rebuild: bool = False, index_type: str | None = None):
    if is_milvus(store):
        from retrieval.store.milvus import MilvusWriter

        return MilvusWriter(store, model_id, dim, rebuild=rebuild)
    from retrieval.store.index import Writer

    return Writer(index_dir, model_id, dim, rebuild=rebuild, index_type=index_type)


def counts(index_dir: Path, store: str | None = None) -> dict:
    """documents and chunks now committed (after an ingest that changed nothing)."""
    if is_milvus(store):
        from retrieval.store.milvus import client, parse, read_state

        uri, name = parse(store)
        state = read_state(client(uri), name, uri) or {}
        return {"documents": state.get("documents", 0), "chunks": state.get("chunks", 0)}
    from retrieval.store.index import read_manifest

    return read_manifest(index_dir)
