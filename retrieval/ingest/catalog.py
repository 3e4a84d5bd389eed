"""What an index holds, one row per document: the way a user checks what ingest understood."""
from __future__ import annotations

from pathlib import Path

from retrieval.store.index import Index


def list_documents(index_dir: str | Path) -> list[dict]:
    """Per document: path, title, date, period, publisher, author, url, languages, main region,
    tags, chunks and figures, in path order. Reads the index only (no embedding model)."""
    from retrieval.knowledge.regions import load_gazetteer

    gazetteer = load_gazetteer()
    idx = Index.open(index_dir)
    try:
        counts = {r[0]: (r[1], r[2]) for r in idx.db.execute("SELECT doc_id, n_chunks, n_figures FROM documents")}
        rows = []
        for doc in idx.documents():
            main = doc.main_region
            n_chunks, n_figures = counts.get(doc.doc_id, (0, 0))
            rows.append({
                "path": doc.path,
                "title": doc.title,
                "date": doc.date,
                "period": doc.period,
                "publisher": doc.publisher,
                "author": doc.author,
                "url": doc.url,
                "languages": doc.langs or ([doc.lang] if doc.lang else []),
                "main_region": main,
                "main_region_name": gazetteer.qualified_name(main) if main and main in gazetteer else None,
                "main_region_short": gazetteer.get(main).name if main and main in gazetteer else None,
                "tags": doc.tags,
                "chunks": n_chunks,
                "figures": n_figures,
            })
        return rows
    finally:
        idx.close()
