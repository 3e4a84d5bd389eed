"""Where the facts come from: one small function, so the source can change under it.

The index generation stores every document's facts (`Index.facts()`, written at ingest); an
index written before that, or a store without facts, gets them here by running
retrieval.facts' extractor over its stored documents (about 11 s for the full corpus on one
core), once per generation and process.
"""
from __future__ import annotations

import threading
from typing import Iterable, Optional

from retrieval.facts import Fact, extract_facts
from retrieval.types import Document

_lock = threading.Lock()
# (index dir, generation) -> facts of every document, with the document they are from
_cache: dict[tuple[str, str], list[tuple[Fact, Document]]] = {}


def indexed_facts(index, gazetteer=None, vocab=None) -> list[tuple[Fact, Document]]:
    """Every fact of every document in `index` (a retrieval.store.index.Index), with its document."""
    key = (str(index.dir), index.generation)
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            return hit
        stored = getattr(index, "facts", None)
        facts = stored() if callable(stored) else []
        if facts:
            out = [(f, index.document(f.doc_id)) for f in facts]
        else:  # an index written before facts were stored (or a store without them): read them here
            out = list(_extract(index.documents(), gazetteer, vocab))
        for k in [k for k in _cache if k[0] == key[0]]:
            del _cache[k]  # an older generation of the same index is not asked again
        _cache[key] = out
        return out


def _extract(docs: Iterable[Document], gazetteer, vocab) -> Iterable[tuple[Fact, Document]]:
    for doc in docs:
        for f in extract_facts(doc, gazetteer, vocab):
            yield f, doc


def document_year(doc: Document) -> Optional[int]:
    d = doc.date or ""
    return int(d[:4]) if d[:4].isdigit() else None


class DocumentSet:
    """Documents in memory, read by retrieval.ingest's loaders: a facts source without an index
    (no embedding), with the part of the Index interface that the facts source reads."""

    def __init__(self, docs: Iterable[Document], name: str = "documents") -> None:
        import hashlib

        self._docs = {d.doc_id: d for d in docs}
        self.dir = name
        self.generation = hashlib.sha256("".join(sorted(d.content_hash for d in self._docs.values())).encode()).hexdigest()[:16]

    @classmethod
    def load(cls, paths) -> "DocumentSet":
        from pathlib import Path

        from retrieval.ingest.documents import discover, load_file

        files, _ = discover([Path(p) for p in paths])
        return cls([d for f in files for d in load_file(f)[0]], name=",".join(map(str, paths)))

    def documents(self) -> Iterable[Document]:
        return iter(self._docs.values())

    def document(self, doc_id: str) -> Document:
        return self._docs[doc_id]
