"""The index directory: FAISS vectors, a SQLite chunk store and BM25 state, written crash-safely.

Layout::

    INDEX/
      manifest.json      format, model id, dim, index type, counts, the live generation, file checksums
      gen-000007/
        chunks.sqlite    documents and chunks (text, offsets, regions, BM25 tokens)
        ids.npy          FAISS position -> chunks.id
        vectors.faiss    the vector store (store/vectors.py; FAISS backend: store/faiss_store.py)
                         over L2-normalised vectors (inner product = cosine): flat
                         below 150k chunks, IVF-SQ8 above (see choose_index_type)
        regions.npz      region id -> positions of the chunks that mention it
        lexical/         bm25s state, rows aligned with FAISS positions

Every write builds a complete new generation under a temporary name, renames it into
place, then replaces manifest.json atomically. A process killed at any point leaves the
previous manifest pointing at a complete previous generation; readers only ever follow
the manifest, so they never see a half-written index.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import sqlite3
import time
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from retrieval.facts import store as fact_store
from retrieval.errors import BadInput, IndexBusy, IndexCorrupt, IndexMissing, ModelMismatch
from retrieval.store.faiss_store import INDEX_TYPES, FaissStore, build_faiss, nlist_for, nprobe_for
from retrieval.store.lexical import Lexical
from retrieval.store.vectors import VectorStore
from retrieval.types import Chunk, Document

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
REBUILD_HINT = "run `planbot ingest PATH --rebuild` to rebuild it"
# Flat search is exact and fast enough up to here (1 thread: 100k p95 31 ms, linear in n);
# beyond it IVF-SQ8, the only type measured at 1M with p95 <= 50 ms and recall@10 >= 0.95
# (docs/BENCHMARKS.md, bench/index_types.py).
IVF_THRESHOLD = 150_000
REGIONS_FILE = "regions.npz"
VECTORS_FILE = "vectors.faiss"
MIN_IVF_VECTORS = 64 * 39  # the fewest lists (64), each with the fewest training points

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, path TEXT NOT NULL, file_hash TEXT NOT NULL, content_hash TEXT NOT NULL,
    title TEXT, date TEXT, publisher TEXT, url TEXT, lang TEXT, regions TEXT, main_region TEXT,
    text TEXT NOT NULL, n_chunks INTEGER NOT NULL DEFAULT 0, n_figures INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS documents_path ON documents(path);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, seq INTEGER NOT NULL, start INTEGER NOT NULL,
    end INTEGER NOT NULL, text TEXT NOT NULL, tokens TEXT NOT NULL, regions TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
"""
# Columns added after format 1 was first written: added in place to an older base
# (NULL for documents ingested before them), so no re-ingest is forced.
ADDED_COLUMNS = {
    "documents": (("period", "TEXT"), ("author", "TEXT"), ("tags", "TEXT"), ("langs", "TEXT"), ("file_offsets", "TEXT")),
    "chunks": (("lang", "TEXT"),),
}


def _add_columns(db: sqlite3.Connection) -> None:
    for table, columns in ADDED_COLUMNS.items():
        have = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
        for name, kind in columns:
            if name not in have:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")


def region_arrays(regions_json) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR arrays (names, offsets, positions) from each position's JSON list of region ids."""
    lists: dict[str, list[int]] = {}
    for pos, raw in enumerate(regions_json):
        for rid in json.loads(raw or "[]"):
            lists.setdefault(rid, []).append(pos)
    names = sorted(lists)
    offsets = np.zeros(len(names) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(lists[n]) for n in names])
    positions = np.fromiter((p for n in names for p in lists[n]), dtype=np.int32, count=int(offsets[-1]))
    return np.array(names, dtype=str), offsets, positions


def _crc32(path: Path) -> int:
    crc = 0
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            crc = zlib.crc32(block, crc)
    return crc


def _file_entries(gen_dir: Path) -> dict[str, dict]:
    out = {}
    for p in sorted(gen_dir.rglob("*")):
        if p.is_file():
            out[str(p.relative_to(gen_dir))] = {"size": p.stat().st_size, "crc32": _crc32(p)}
    return out


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_manifest(index_dir: Path) -> dict:
    path = Path(index_dir) / MANIFEST
    if not path.exists():
        if Path(index_dir).exists() and any(Path(index_dir).glob("gen-*")):
            raise IndexCorrupt(f"index at {index_dir} has no manifest.json (an ingest was interrupted before its first commit); {REBUILD_HINT}")
        raise IndexMissing(f"no index at {index_dir}: run `planbot ingest PATH` first (or point --index / PLANBOT_INDEX at one)")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(f"index manifest {path} is unreadable ({exc}); {REBUILD_HINT}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise IndexCorrupt(
            f"index at {index_dir} has format {manifest.get('format') if isinstance(manifest, dict) else '?'}, "
            f"this planbot reads format {FORMAT_VERSION}; {REBUILD_HINT}"
        )
    return manifest


def check_model(manifest: dict, model_id: str | None, index_dir: Path) -> None:
    if model_id and manifest.get("model_id") != model_id:
        raise ModelMismatch(
            f"index at {index_dir} was built with embedding model {manifest.get('model_id')!r} "
            f"but {model_id!r} was requested; query it with the same model, or rebuild it with "
            f"`planbot ingest PATH --rebuild --model {model_id}`"
        )


def _doc_from_row(row: sqlite3.Row) -> Document:
    extra = {k: row[k] for k in ("period", "author", "tags", "langs", "file_offsets") if k in row.keys()}
    return Document(
        doc_id=row["doc_id"], text=row["text"], title=row["title"] or "", path=row["path"],
        content_hash=row["content_hash"], lang=row["lang"] or "", date=row["date"],
        publisher=row["publisher"], url=row["url"], regions=json.loads(row["regions"] or "[]"),
        main_region=row["main_region"], period=extra.get("period"), author=extra.get("author"),
        tags=json.loads(extra.get("tags") or "[]"), langs=json.loads(extra.get("langs") or "[]"),
        file_offsets=json.loads(extra.get("file_offsets") or "{}"),
    )


@dataclass
class ChunkTable:
    """Per-position arrays for filtering without touching SQLite on the hot path."""

    ids: np.ndarray  # position -> chunk id
    doc_index: np.ndarray  # position -> index into doc_ids
    doc_ids: list[str]
    doc_zh: np.ndarray | None = None  # per document: written in Chinese
    chunk_zh: np.ndarray | None = None  # per position: the chunk is written in Chinese


class Index:
    """A read-only view of one committed generation."""

    def __init__(self, index_dir: Path, manifest: dict, db: sqlite3.Connection, vectors: VectorStore, lexical, table: ChunkTable):
        self.dir = Path(index_dir)
        self.manifest = manifest
        self.db = db
        self.vectors = vectors
        self.lexical = lexical
        self.table = table
        self._docs: dict[str, Document] = {}
        self._main_regions: dict[str, str | None] | None = None
        self._region_positions: dict[str, np.ndarray] | None = None

    # -- opening -------------------------------------------------------------------------
    @classmethod
    def open(cls, index_dir: str | Path, model_id: str | None = None, verify: bool = True) -> "Index":
        index_dir = Path(index_dir).expanduser()
        manifest = read_manifest(index_dir)
        check_model(manifest, model_id, index_dir)
        gen = index_dir / manifest["generation"]
        if verify:
            verify_generation(gen, manifest)
        try:
            db = sqlite3.connect(f"file:{gen / 'chunks.sqlite'}?mode=ro", uri=True, check_same_thread=False)
            db.row_factory = sqlite3.Row
            ids = np.load(gen / "ids.npy")
            vectors = FaissStore.load(gen / VECTORS_FILE, manifest.get("index_type"))
            lexical = Lexical.load(gen / "lexical")
            chunk_cols = {r[1] for r in db.execute("PRAGMA table_info(chunks)")}
            rows = db.execute("SELECT id, doc_id" + (", lang" if "lang" in chunk_cols else "") + " FROM chunks").fetchall()
        except Exception as exc:  # any unreadable part means the generation cannot be trusted
            raise IndexCorrupt(f"index at {index_dir} could not be read ({exc.__class__.__name__}: {exc}); {REBUILD_HINT}") from exc
        if len(vectors) != len(ids) or len(rows) != len(ids) or lexical.size != len(ids):
            raise IndexCorrupt(
                f"index at {index_dir} is inconsistent ({len(vectors)} vectors, {len(ids)} ids, "
                f"{len(rows)} chunks, {lexical.size} lexical rows); {REBUILD_HINT}"
            )
        doc_of = {r[0]: r[1] for r in rows}
        doc_ids = sorted(set(doc_of.values()))
        pos_of_doc = {d: i for i, d in enumerate(doc_ids)}
        doc_index = np.fromiter((pos_of_doc[doc_of[int(i)]] for i in ids), dtype=np.int32, count=len(ids))
        lang = {r[0]: (r[1] or "") for r in db.execute("SELECT doc_id, lang FROM documents")}
        doc_zh = np.array([lang.get(d, "").startswith("zh") for d in doc_ids], dtype=bool)
        table = ChunkTable(ids, doc_index, doc_ids, doc_zh)
        if "lang" in chunk_cols:  # a bilingual note has chunks in both languages
            chunk_lang = {r[0]: r[2] for r in rows}
            table.chunk_zh = np.fromiter(
                ((chunk_lang[int(i)] or lang.get(doc_of[int(i)], "")).startswith("zh") for i in ids), dtype=bool, count=len(ids))
        return cls(index_dir, manifest, db, vectors, lexical, table)

    @property
    def faiss(self):
        """The raw FAISS index (benchmarks and FAISS-specific tests read it)."""
        return self.vectors.index

    def chunk_is_zh(self, position: int) -> bool:
        if self.table.chunk_zh is not None:
            return bool(self.table.chunk_zh[position])
        return bool(self.table.doc_zh[self.table.doc_index[position]])

    def zh_share(self) -> float:
        """Share of the indexed documents written in Chinese."""
        zh = self.table.doc_zh
        return float(zh.mean()) if zh is not None and len(zh) else 0.0

    # -- reading -------------------------------------------------------------------------
    @property
    def model_id(self) -> str:
        return self.manifest["model_id"]

    @property
    def generation(self) -> str:
        return self.manifest["generation"]

    def __len__(self) -> int:
        return len(self.table.ids)

    def document(self, doc_id: str) -> Document:
        doc = self._docs.get(doc_id)
        if doc is None:
            row = self.db.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
            if row is None:
                raise KeyError(doc_id)
            doc = self._docs[doc_id] = _doc_from_row(row)
        return doc

    def main_regions(self) -> dict[str, str | None]:
        """doc_id -> main region id, read once per generation (asked on every question)."""
        if self._main_regions is None:
            self._main_regions = {r[0]: r[1] for r in self.db.execute("SELECT doc_id, main_region FROM documents")}
        return self._main_regions

    def documents(self) -> Iterator[Document]:
        for row in self.db.execute("SELECT * FROM documents ORDER BY path, doc_id"):
            yield self._docs.setdefault(row["doc_id"], _doc_from_row(row))

    def chunks_at(self, positions: Sequence[int]) -> list[Chunk]:
        """Chunks for FAISS positions, in the order given."""
        ids = [int(self.table.ids[p]) for p in positions]
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = {r["id"]: r for r in self.db.execute(f"SELECT * FROM chunks WHERE id IN ({marks})", ids)}
        return [
            Chunk(r["doc_id"], r["seq"], r["start"], r["end"], r["text"], json.loads(r["regions"]),
                  (r["lang"] if "lang" in r.keys() else None) or "")
            for r in (rows[i] for i in ids)
        ]

    def positions_where(self, doc_ids: set[str] | None = None, chunk_regions: set[str] | None = None) -> np.ndarray:
        """Boolean mask over positions: chunks of the given documents and/or mentioning given regions."""
        mask = np.ones(len(self), dtype=bool)
        if doc_ids is not None:
            wanted = np.array([d in doc_ids for d in self.table.doc_ids], dtype=bool)
            mask &= wanted[self.table.doc_index] if len(wanted) else mask
        if chunk_regions is not None:
            by_region = self.region_positions()
            hit = np.zeros(len(self), dtype=bool)
            for rid in chunk_regions:
                pos = by_region.get(rid)
                if pos is not None:
                    hit[pos] = True
            mask &= hit
        return mask

    def region_positions(self) -> dict[str, np.ndarray]:
        """region id -> positions of the chunks that mention it; written at ingest
        (regions.npz), so a region filter is array work instead of a scan of every chunk."""
        if self._region_positions is None:
            path = self.dir / self.generation / REGIONS_FILE
            if path.exists():
                try:
                    with np.load(path) as z:
                        names, offsets, positions = z["names"], z["offsets"], z["positions"]
                except Exception as exc:
                    raise IndexCorrupt(f"index file {path} could not be read ({exc}); {REBUILD_HINT}") from exc
            else:  # generations written before regions.npz existed
                names, offsets, positions = region_arrays(r[0] for r in self.db.execute("SELECT regions FROM chunks ORDER BY id"))
            self._region_positions = {str(n): positions[offsets[i]:offsets[i + 1]] for i, n in enumerate(names)}
        return self._region_positions

    def facts(self, region_ids: set[str] | None = None, kind: str | None = None, doc_ids: set[str] | None = None):
        """Figure facts of this generation (retrieval/facts), filtered by region, kind, document."""
        return fact_store.query(self.db, region_ids=region_ids, kind=kind, doc_ids=doc_ids)

    def figure_counts(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self.db.execute("SELECT doc_id, n_figures FROM documents")}

    def stats(self) -> dict:
        rows = self.db.execute("SELECT path, lang, date, publisher FROM documents").fetchall()
        langs: dict[str, int] = {}
        sources: dict[str, int] = {}
        dates = sorted(r["date"] for r in rows if r["date"])
        for r in rows:
            langs[r["lang"] or "?"] = langs.get(r["lang"] or "?", 0) + 1
            src = str(Path(r["path"].split("#")[0]).parent) if not r["publisher"] else r["publisher"]
            sources[src] = sources.get(src, 0) + 1
        m = self.manifest
        return {
            "index": str(self.dir),
            "documents": m["documents"],
            "chunks": m["chunks"],
            "model": m["model_id"],
            "dim": m["dim"],
            "index_type": m["index_type"],
            "built_at": m["built_at"],
            "generation": m["generation"],
            "languages": dict(sorted(langs.items())),
            "sources": dict(sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))),
            "date_range": [dates[0], dates[-1]] if dates else None,
        }

    def close(self) -> None:
        self.db.close()


def verify_generation(gen: Path, manifest: dict) -> None:
    files = manifest.get("files") or {}
    if not gen.is_dir() or not files:
        raise IndexCorrupt(f"index generation {gen} is missing; {REBUILD_HINT}")
    for name, meta in files.items():
        path = gen / name
        if not path.is_file():
            raise IndexCorrupt(f"index file {path} is missing; {REBUILD_HINT}")
        size = path.stat().st_size
        if size != meta["size"]:
            raise IndexCorrupt(f"index file {path} has {size} bytes, expected {meta['size']} (half-written or truncated); {REBUILD_HINT}")
        # Checksums cost ~1 s per GB: verify every file up to 256 MB, size alone beyond.
        if size <= (256 << 20) and _crc32(path) != meta["crc32"]:
            raise IndexCorrupt(f"index file {path} is damaged (checksum mismatch); {REBUILD_HINT}")


@contextmanager
def exclusive_lock(lock_file: Path, what: str):
    """Hold an exclusive flock on `lock_file` while the block runs; IndexBusy naming `what` when
    another writer holds it (the one writer lock of both stores)."""
    fh = open(lock_file, "w")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IndexBusy(f"another `planbot ingest` is writing {what}; wait for it to finish") from exc
        yield
    finally:
        fh.close()


@contextmanager
def write_lock(index_dir: Path):
    index_dir.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(index_dir / ".lock", str(index_dir)):
        yield


def choose_index_type(n: int, requested: str | None = None) -> str:
    if requested and requested != "auto":
        if requested not in INDEX_TYPES:
            raise BadInput(f"unknown index type {requested!r} ({', '.join(INDEX_TYPES)}, auto)")
        return requested
    return "ivf-sq8" if n >= IVF_THRESHOLD else "flat"


__all__ = ["INDEX_TYPES", "Index", "Writer", "build_faiss", "choose_index_type", "nlist_for", "nprobe_for"]


class NextVectors:
    """The next generation's vectors by position, computed a block at a time as FAISS reads them
    (build_faiss's row source): kept chunks' decoded from the old index, staged new ones over
    them. No n × dim array of them is ever made: at 1M chunks that was 2 GB, and reading the old
    index whole into a second one another 2 GB."""

    def __init__(self, ids_now: np.ndarray, dim: int, new: dict[int, np.ndarray], old_ids: np.ndarray | None = None,
                 old_index: FaissStore | None = None) -> None:
        self.ids, self.dim, self.new, self.old_index = ids_now, dim, new, old_index
        self.old_pos = np.full(len(ids_now), -1, dtype=np.int64)
        if old_index is not None and old_ids is not None and len(old_ids) and len(ids_now):
            at = np.minimum(np.searchsorted(old_ids, ids_now), len(old_ids) - 1)  # both ascend (ORDER BY id)
            kept = old_ids[at] == ids_now
            self.old_pos[kept] = at[kept]

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, rows: np.ndarray) -> np.ndarray:
        out = np.zeros((len(rows), self.dim), dtype=np.float32)
        pos = self.old_pos[rows]
        old = np.flatnonzero(pos >= 0)
        if len(old):
            out[old] = self.old_index.reconstruct(pos[old])
        for i, cid in enumerate(self.ids[rows].tolist()):  # a chunk id re-used by a new chunk: the new vector
            v = self.new.get(cid)
            if v is not None:
                out[i] = v
        return out

    def rows(self, lo: int, hi: int) -> np.ndarray:
        return self.take(np.arange(lo, hi))


class Writer:
    """Builds the next generation from the current one plus changes; `commit()` publishes it."""

    def __init__(self, index_dir: Path, model_id: str, dim: int, rebuild: bool = False, index_type: str | None = None):
        self.dir = Path(index_dir).expanduser()
        self.model_id, self.dim = model_id, dim
        self.index_type_requested = index_type
        self.dir.mkdir(parents=True, exist_ok=True)
        self._cleanup_tmp()
        self.base: dict | None = None
        if not rebuild and (self.dir / MANIFEST).exists():
            self.base = read_manifest(self.dir)
            check_model(self.base, model_id, self.dir)
            verify_generation(self.dir / self.base["generation"], self.base)
        self.tmp = self.dir / f".tmp-gen-{os.getpid()}-{int(time.time() * 1000)}"
        self.tmp.mkdir()
        if self.base:
            shutil.copy2(self.dir / self.base["generation"] / "chunks.sqlite", self.tmp / "chunks.sqlite")
        self.db = sqlite3.connect(self.tmp / "chunks.sqlite")
        self.db.row_factory = sqlite3.Row
        self.db.executescript(SCHEMA)
        _add_columns(self.db)
        fact_store.ensure_schema(self.db)
        self.facts_changed = False
        self._new_vectors: dict[int, np.ndarray] = {}
        self.removed_ids: set[int] = set()

    def _cleanup_tmp(self) -> None:
        for p in self.dir.glob(".tmp-gen-*"):
            shutil.rmtree(p, ignore_errors=True)

    # -- queries over the base -------------------------------------------------------------
    def known_files(self) -> dict[str, str]:
        """path (without #line) -> file hash, for skipping unchanged files without reading them."""
        out: dict[str, str] = {}
        for row in self.db.execute("SELECT path, file_hash FROM documents"):
            out[row["path"].split("#")[0]] = row["file_hash"]
        return out

    def doc_hashes(self, file_path: str) -> dict[str, str]:
        rows = self.db.execute(
            "SELECT doc_id, content_hash FROM documents WHERE path = ? OR path LIKE ?", (file_path, file_path + "#%")
        )
        return {r["doc_id"]: r["content_hash"] for r in rows}

    def touch_file_hash(self, file_path: str, file_hash: str) -> None:
        self.db.execute("UPDATE documents SET file_hash = ? WHERE path = ? OR path LIKE ?", (file_hash, file_path, file_path + "#%"))

    # -- changes ---------------------------------------------------------------------------
    def remove_document(self, doc_id: str) -> None:
        fact_store.delete(self.db, doc_id)
        self.removed_ids.update(r[0] for r in self.db.execute("SELECT id FROM chunks WHERE doc_id = ?", (doc_id,)))
        self.db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
        self.db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))

    def remove_file(self, file_path: str) -> int:
        doc_ids = list(self.doc_hashes(file_path))
        for d in doc_ids:
            self.remove_document(d)
        return len(doc_ids)

    def add_document(self, doc: Document, file_hash: str, chunks: list[Chunk], tokens: list[list[str]], vectors: np.ndarray, n_figures: int = 0, facts=None) -> None:
        self.remove_document(doc.doc_id)
        if facts is not None:
            fact_store.write(self.db, doc.doc_id, facts)
        self.db.execute(
            "INSERT INTO documents (doc_id, path, file_hash, content_hash, title, date, publisher, url, lang, regions,"
            " main_region, text, n_chunks, n_figures, period, author, tags, langs, file_offsets)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (doc.doc_id, doc.path, file_hash, doc.content_hash, doc.title, doc.date, doc.publisher, doc.url,
             doc.lang, json.dumps(doc.regions), doc.main_region, doc.text, len(chunks), n_figures,
             doc.period, doc.author, json.dumps(doc.tags, ensure_ascii=False), json.dumps(doc.langs),
             json.dumps(doc.file_offsets, separators=(",", ":"))),
        )
        for chunk, toks, vec in zip(chunks, tokens, vectors):
            cur = self.db.execute(
                "INSERT INTO chunks (doc_id, seq, start, end, text, tokens, regions, lang) VALUES (?,?,?,?,?,?,?,?)",
                (chunk.doc_id, chunk.seq, chunk.start, chunk.end, chunk.text, " ".join(toks), json.dumps(chunk.regions),
                 chunk.lang or None),
            )
            self._new_vectors[int(cur.lastrowid)] = vec

    @property
    def changed(self) -> bool:
        return bool(self._new_vectors or self.removed_ids or self.facts_changed) or self.base is None

    # -- facts (retrieval/facts/store.py) --------------------------------------------------
    def documents_without_facts(self) -> list[Document]:
        """Documents indexed before facts existed, or by an older extractor."""
        return [_doc_from_row(self.db.execute("SELECT * FROM documents WHERE doc_id = ?", (d,)).fetchone())
                for d in fact_store.stale(self.db)]

    def set_facts(self, doc_id: str, facts) -> None:
        fact_store.write(self.db, doc_id, facts)
        self.facts_changed = True

    def abort(self) -> None:
        self.db.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def commit(self) -> dict:
        """Write vectors, FAISS and BM25 for the new generation, then publish it atomically."""
        self.db.commit()
        ids_now = np.fromiter((r[0] for r in self.db.execute("SELECT id FROM chunks ORDER BY id")), dtype=np.int64)
        old_index = None
        if self.base:
            old_gen = self.dir / self.base["generation"]
            old_index = FaissStore.load(old_gen / VECTORS_FILE, self.base.get("index_type"))
            vectors = NextVectors(ids_now, self.dim, self._new_vectors, np.load(old_gen / "ids.npy"), old_index)
        else:
            vectors = NextVectors(ids_now, self.dim, self._new_vectors)
        # A type asked for once (`--index-type`) holds for later ingests that don't name one.
        setting = self.index_type_requested or "auto"
        if setting == "auto" and self.base:
            setting = self.base.get("index_type_setting", "auto")
        index_type = choose_index_type(len(ids_now), setting)
        if index_type == "ivf-sq8" and len(ids_now) < MIN_IVF_VECTORS:
            index_type = "flat"  # too few vectors to train lists on; flat is exact and fast here
        FaissStore.build(vectors, index_type, previous=old_index).save(self.tmp / VECTORS_FILE)
        del vectors, old_index  # the staged vectors (2 KiB a chunk: 2 GB at 1M) go before BM25 is built
        self._new_vectors = {}
        np.save(self.tmp / "ids.npy", ids_now)
        names, offsets, positions = region_arrays(r[0] for r in self.db.execute("SELECT regions FROM chunks ORDER BY id"))
        with open(self.tmp / REGIONS_FILE, "wb") as fh:
            np.savez(fh, names=names, offsets=offsets, positions=positions)
        tokens = (row[0].split() for row in self.db.execute("SELECT tokens FROM chunks ORDER BY id"))
        Lexical.build(tokens).save(self.tmp / "lexical")
        n_docs = self.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        self.db.execute("VACUUM")
        self.db.close()

        gen_no = int(self.base["generation"].split("-")[1]) + 1 if self.base else 1
        gen_name = f"gen-{gen_no:06d}"
        manifest = {
            "format": FORMAT_VERSION,
            "generation": gen_name,
            "model_id": self.model_id,
            "dim": self.dim,
            "index_type": index_type,
            "index_type_setting": setting,
            "documents": n_docs,
            "chunks": int(len(ids_now)),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "files": _file_entries(self.tmp),
        }
        for p in self.tmp.rglob("*"):
            if p.is_file():
                with open(p, "rb") as fh:
                    os.fsync(fh.fileno())
        final = self.dir / gen_name
        if final.exists():  # left by a crash between rename and manifest write
            shutil.rmtree(final)
        os.rename(self.tmp, final)
        tmp_manifest = self.dir / f".{MANIFEST}.tmp"
        with open(tmp_manifest, "w", encoding="utf-8") as fh:
            json.dump(manifest, fh, ensure_ascii=False, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_manifest, self.dir / MANIFEST)
        _fsync_dir(self.dir)
        self._drop_old_generations(keep={gen_name, self.base["generation"] if self.base else gen_name})
        return manifest

    def _drop_old_generations(self, keep: set[str]) -> None:
        # The previous generation stays one round so a server that just read the old
        # manifest can still open it; older ones go.
        for p in self.dir.glob("gen-*"):
            if p.name not in keep:
                shutil.rmtree(p, ignore_errors=True)
