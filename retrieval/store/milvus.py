"""The Milvus store backend: everything a question needs lives in Milvus, no local index.

Selected by a Milvus URI in `--store` / `PLANBOT_STORE`: `http://host:19530` (a Milvus
standalone or cluster) or a local path ending in `.db` (milvus-lite, in-process; one process at
a time). `URI#name` keeps several planbot stores in one Milvus (default name "planbot").

Collections (NAME = the store name, E = the epoch, bumped by `--rebuild`)::

    NAME_meta        one "state" record: epoch, generation, model id, dim, avgdl, next order number
    NAME_eE_chunks   id (hash of doc id, version, seq), doc_id, version, gen, ord, seq, start, end,
                     text, tokens (planbot's tokenizer), regions (array, filterable), zh,
                     vec (dense, HNSW/IP), bm25 (sparse BM25 document factors, see sparse.py)
    NAME_eE_docs     one record per document: its live version and metadata
    NAME_eE_texts    document text in parts of at most 16k characters (VARCHAR holds 64 KiB)
    NAME_eE_terms    token -> in how many live chunks it occurs (BM25's df)
    NAME_eE_journal  the changes of a commit in progress (see below)

Writes and crash safety. A changed document's new chunks and text are written under a new
version (its content hash) while its document record still names the old version, and
readers keep only chunks whose version is their document's live version, so staged rows are
invisible. `commit()` then (1) writes a journal of the whole change — the new document
records, removed documents, the absolute df of every touched token — and a final "complete"
row; (2) applies it: document records flipped, terms written; (3) advances the state's
generation (readers reload on it); (4) deletes the superseded chunks and texts; (5) clears the
journal. Killed before (1) completes, nothing visible changed and the next writer deletes the
orphan rows (gen > state generation); killed after it, the next writer re-applies the journal
(every step is idempotent: absolute values, deletes by version). A `--rebuild` (or the first
ingest) writes a new epoch's collections and switches the state record to it last, so the old
epoch answers until then.

Readers take a snapshot at open: the state, every document record (without text) and the id,
document and order of every live chunk (16 bytes a chunk in memory), so region masks and the
Engine's per-position arrays work as with FAISS. Dense and lexical searches run in Milvus
with the mask as a filter expression; chunk text, document text and df are read on demand.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from retrieval.errors import IndexCorrupt, IndexMissing
from retrieval.facts import Fact, extract_facts
from retrieval.facts.model import region_among
from retrieval.store import sparse
from retrieval.store.index import ChunkTable, check_model, exclusive_lock
from retrieval.types import Chunk, Document

FORMAT_VERSION = 1
DEFAULT_NAME = "planbot"
TEXT_PART = 16_000  # characters; 4 bytes each at most, inside VARCHAR's 65,535 bytes
BATCH = 256  # rows per insert/upsert: 512-d vectors + text stay far below gRPC's 64 MiB
JOURNAL_ROW = 30_000  # characters of journal JSON per row
AVGDL_SAMPLE = 20_000  # chunks a new store measures its mean chunk length on before writing
MAX_LIMIT = 16_384  # Milvus's largest topk / query limit
HNSW = {"index_type": "HNSW", "metric_type": "IP", "params": {"M": 32, "efConstruction": 200}}
REBUILD_HINT = "run `planbot ingest PATH --rebuild --store URI` to rebuild it"
DUMMY = [0.0, 0.0]  # Milvus wants a vector field in every collection; side collections carry this


def is_milvus_uri(store: str | None) -> bool:
    s = (store or "").split("#", 1)[0]
    return s.startswith(("http://", "https://", "tcp://", "grpc://")) or s.endswith(".db")


def parse(store: str) -> tuple[str, str]:
    """(uri, store name) from `URI[#name]`; a local .db path is made absolute."""
    uri, _, name = store.partition("#")
    if uri.endswith(".db") and not uri.startswith(("http://", "https://")):
        uri = str(Path(uri).expanduser().resolve())
    return uri, name or DEFAULT_NAME


_clients: dict[str, object] = {}


def client(uri: str):
    """One MilvusClient per URI and process (milvus-lite serves a .db to one process only)."""
    c = _clients.get(uri)
    if c is None:
        import logging

        from pymilvus import MilvusClient

        # pymilvus logs a warning per query iterator against milvus-lite (no server timestamp):
        # noise in every command's output, and nothing a user can act on.
        logging.getLogger("pymilvus").setLevel(logging.ERROR)

        if uri.endswith(".db"):
            Path(uri).parent.mkdir(parents=True, exist_ok=True)
        # milvus-lite's gRPC server keeps gRPC's default ping policy (at most one ping per 5
        # minutes without data) and answers pymilvus's 10 s keepalive with GOAWAY "too_many_pings",
        # logged on stderr and a reconnect; on loopback a keepalive has nothing to detect.
        opts = {"grpc_options": {"grpc.keepalive_time_ms": 600_000}} if uri.endswith(".db") else {}
        try:
            c = _clients[uri] = MilvusClient(uri=uri, **opts)
        except Exception as exc:
            raise IndexMissing(f"cannot reach Milvus at {uri} ({exc.__class__.__name__}: {exc})") from exc
    return c


def release(uri: str) -> None:
    """Close this process's client for `uri`; for milvus-lite also stop its in-process server,
    so another process may open the .db."""
    uri = parse(uri)[0]
    c = _clients.pop(uri, None)
    if c is not None:
        c.close()
    if uri.endswith(".db"):
        from milvus_lite.server_manager import server_manager_instance

        server_manager_instance.release_server(uri)


def _names(name: str, epoch: int) -> dict[str, str]:
    base = f"{name}_e{epoch}"
    return {k: f"{base}_{k}" for k in ("chunks", "docs", "texts", "terms", "journal")}


def chunk_id(doc_id: str, version: str, seq: int) -> int:
    """A stable 63-bit primary key: a re-run after a crash writes the same rows again."""
    return int.from_bytes(hashlib.blake2b(f"{doc_id}\x00{version}\x00{seq}".encode(), digest_size=8).digest(), "little") >> 1


def _quote(s: str) -> str:
    """A string literal for a Milvus filter: double quotes, with only `\\` and `"` escaped (Milvus's
    parser knows no \\u escapes, so JSON quoting broke keys holding a control character)."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _in(field: str, values) -> str:
    return f"{field} in [{', '.join(_quote(v) if isinstance(v, str) else str(int(v)) for v in values)}]"


def _get(mc, collection: str, key: str, values, fields: list[str]) -> list[dict]:
    """Rows by primary key. Not `get(ids=...)`: pymilvus quotes string keys without escaping, so a
    key with an apostrophe (the token fu'an, a file named Xi'an.txt) made the whole call fail."""
    return mc.query(collection, filter=_in(key, values), output_fields=[key, *fields])


# -- schema ------------------------------------------------------------------------------------
def _side_schema(mc, key_field: str, fields: list[tuple]):
    from pymilvus import DataType

    s = mc.create_schema(auto_id=False, enable_dynamic_field=False)
    s.add_field(key_field, DataType.VARCHAR, is_primary=True, max_length=1024)
    for f in fields:
        s.add_field(*f[:2], **(f[2] if len(f) > 2 else {}))
    s.add_field("v", DataType.FLOAT_VECTOR, dim=2)
    return s


def _create(mc, name: str, schema, extra_index=()):
    idx = mc.prepare_index_params()
    idx.add_index("v" if "v" in [f.name for f in schema.fields] else "vec", **({"index_type": "FLAT", "metric_type": "L2"}
                  if "v" in [f.name for f in schema.fields] else HNSW))
    for field, params in extra_index:
        idx.add_index(field, **params)
    mc.create_collection(name, schema=schema, index_params=idx, consistency_level="Strong")


def _create_epoch(mc, name: str, epoch: int, dim: int) -> None:
    from pymilvus import DataType

    n = _names(name, epoch)
    s = mc.create_schema(auto_id=False, enable_dynamic_field=False)
    s.add_field("id", DataType.INT64, is_primary=True)
    s.add_field("doc_id", DataType.VARCHAR, max_length=1024)
    s.add_field("version", DataType.VARCHAR, max_length=128)
    s.add_field("gen", DataType.INT64)
    s.add_field("ord", DataType.INT64)
    s.add_field("seq", DataType.INT64)
    s.add_field("start", DataType.INT64)
    s.add_field("end", DataType.INT64)
    s.add_field("text", DataType.VARCHAR, max_length=65535)
    s.add_field("tokens", DataType.VARCHAR, max_length=65535)
    s.add_field("regions", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=512, max_length=128)
    s.add_field("zh", DataType.BOOL)
    s.add_field("vec", DataType.FLOAT_VECTOR, dim=dim)
    s.add_field("bm25", DataType.SPARSE_FLOAT_VECTOR)
    idx = mc.prepare_index_params()
    idx.add_index("vec", **HNSW)
    idx.add_index("bm25", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
    idx.add_index("doc_id", index_type="INVERTED")
    mc.create_collection(n["chunks"], schema=s, index_params=idx, consistency_level="Strong")
    docs = _side_schema(mc, "doc_id", [
        ("version", DataType.VARCHAR, {"max_length": 128}), ("gen", DataType.INT64), ("meta", DataType.VARCHAR, {"max_length": 65535}),
    ])
    _create(mc, n["docs"], docs)
    _create(mc, n["texts"], _side_schema(mc, "id", [("doc_id", DataType.VARCHAR, {"max_length": 1024}), ("gen", DataType.INT64),
                                                    ("text", DataType.VARCHAR, {"max_length": 65535})]),
            [("doc_id", {"index_type": "INVERTED"})])
    _create(mc, n["terms"], _side_schema(mc, "token", [("df", DataType.INT64)]))
    _create(mc, n["journal"], _side_schema(mc, "id", [("gen", DataType.INT64), ("payload", DataType.VARCHAR, {"max_length": 65535})]))


def _ensure_meta(mc, name: str) -> None:
    from pymilvus import DataType

    if not mc.has_collection(f"{name}_meta"):
        _create(mc, f"{name}_meta", _side_schema(mc, "key", [("value", DataType.VARCHAR, {"max_length": 65535})]))


def _loaded(mc, collections) -> None:
    """Collections must be loaded to be read; a restarted milvus-lite starts them released."""
    for c in collections:
        if str(mc.get_load_state(c).get("state")) != "Loaded":
            mc.load_collection(c)


def read_state(mc, name: str, uri: str) -> dict | None:
    if not mc.has_collection(f"{name}_meta"):
        return None
    _loaded(mc, [f"{name}_meta"])
    rows = mc.get(f"{name}_meta", ids=["state"], output_fields=["value"])
    if not rows:
        return None
    state = json.loads(rows[0]["value"])
    if state.get("format") != FORMAT_VERSION:
        raise IndexCorrupt(f"Milvus store {name!r} at {uri} has format {state.get('format')}, this planbot reads {FORMAT_VERSION}; {REBUILD_HINT}")
    return state


def _write_state(mc, name: str, state: dict) -> None:
    mc.upsert(f"{name}_meta", [{"key": "state", "value": json.dumps(state), "v": DUMMY}])


def _iter(mc, collection: str, fields: list[str], expr: str = "", batch: int = 4096) -> Iterator[dict]:
    it = mc.query_iterator(collection, batch_size=batch, filter=expr, output_fields=fields)
    try:
        while rows := it.next():
            yield from rows
    finally:
        it.close()


def _by_ord(mc, collection: str, fields: list[str], end: int, step: int = MAX_LIMIT) -> Iterator[dict]:
    """Every chunk row with 0 <= ord < end (every committed chunk: ords are unique and below the
    state's next_ord), `step` ords per query. Not `query_iterator`: it pages by primary key,
    and milvus-lite filters and sorts the whole collection again for every page of 4,096 rows,
    work quadratic in the chunks (that scan took 43 s at 200k, the whole open with ranges 24 s)."""
    for lo in range(0, end, step):
        yield from mc.query(collection, filter=f"ord >= {lo} and ord < {lo + step}", output_fields=fields, limit=step)


def _doc_meta(doc: Document, file_hash: str, n_chunks: int, n_figures: int, parts: int) -> dict:
    return {"path": doc.path, "file_hash": file_hash, "content_hash": doc.content_hash, "title": doc.title, "date": doc.date,
            "publisher": doc.publisher, "url": doc.url, "lang": doc.lang, "regions": doc.regions, "main_region": doc.main_region,
            "n_chunks": n_chunks, "n_figures": n_figures, "parts": parts}


def _chunked(seq, n):
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


def _write(mc, collection: str, rows: list[dict]) -> None:
    for part in _chunked(rows, BATCH):
        mc.upsert(collection, part)


# -- reading -----------------------------------------------------------------------------------
class MilvusLexical:
    """The `Index.lexical` face of the store: BM25 through the sparse field, df from terms."""

    def __init__(self, store: "MilvusStore") -> None:
        self.store = store
        self._df: dict[str, int] = {}

    @property
    def size(self) -> int:
        return len(self.store)

    def df(self, tokens) -> dict[str, int]:
        want = [t for t in dict.fromkeys(tokens) if t not in self._df]
        for part in _chunked(want, 512):
            got = {r["token"]: int(r["df"]) for r in _get(self.store.mc, self.store.names["terms"], "token", part, ["df"])}
            for t in part:
                self._df[t] = got.get(t, 0)
        return {t: self._df[t] for t in tokens}

    def idf(self, tokens) -> dict[str, float]:
        n = self.size
        return {t: sparse.idf(d, n) for t, d in self.df(list(tokens)).items()}

    def search(self, weighted_tokens, k: int, expr: str | None) -> tuple[np.ndarray, np.ndarray]:
        q = sparse.query_vector(weighted_tokens, self.idf(weighted_tokens))
        if not q or k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        return self.store._search("bm25", q, k, expr, {"metric_type": "IP"})

    def scores(self, weighted_tokens) -> np.ndarray:
        """BM25 of every position (the FAISS store's contract). The sparse search returns at most
        16,384 chunks; when it is full, the rest are scored from their stored tokens."""
        out = np.zeros(self.size, dtype=np.float32)
        pos, sc = self.search(weighted_tokens, MAX_LIMIT, None)
        out[pos] = sc
        if len(pos) >= MAX_LIMIT - 64:
            idfs = self.idf(weighted_tokens)
            for tok, w in weighted_tokens.items():
                if not idfs.get(tok):
                    continue
                for r in _iter(self.store.mc, self.store.names["chunks"], ["id", "tokens"], f'tokens like {_quote("% " + tok + " %")}'):
                    p = self.store.position_of(r["id"])
                    if p is not None and out[p] == 0:
                        toks = r["tokens"].split()
                        dv = sparse.doc_vector(toks, self.store.state["avgdl"])
                        out[p] += w * idfs[tok] * dv.get(sparse.token_dim(tok), 0.0)
        return out


class Mask(np.ndarray):
    """A boolean position mask that also carries the Milvus filter expression it stands for."""

    expr: str | None = None

    @classmethod
    def of(cls, array: np.ndarray, expr: str | None) -> "Mask":
        m = np.asarray(array, dtype=bool).view(cls)
        m.expr = expr
        return m

    def __array_finalize__(self, obj) -> None:
        self.expr = getattr(obj, "expr", None)


class MilvusStore:
    """A read-only snapshot of one Milvus store, with the methods the Engine calls on an Index."""

    def __init__(self, store: str, mc, name: str, state: dict, docs: dict[str, dict], table: ChunkTable,
                 pk_sorted: np.ndarray, pos_of_sorted: np.ndarray) -> None:
        self.uri, self.name = parse(store)
        self.dir = store
        self.mc, self.state = mc, state
        self.names = _names(name, state["epoch"])
        self.records = docs
        self.table = table
        self._pk_sorted, self._pos_of_sorted = pk_sorted, pos_of_sorted
        self._docs: dict[str, Document] = {}
        self._facts: list[Fact] | None = None
        self.lexical = MilvusLexical(self)
        self.manifest = {"format": FORMAT_VERSION, "generation": self.generation, "model_id": state["model_id"], "dim": state["dim"],
                         "index_type": "milvus-hnsw", "documents": len(docs), "chunks": len(table.ids), "built_at": state.get("built_at")}

    # -- opening -------------------------------------------------------------------------------
    @classmethod
    def open(cls, store: str, model_id: str | None = None) -> "MilvusStore":
        uri, name = parse(store)
        mc = client(uri)
        state = read_state(mc, name, uri)
        if state is None:
            raise IndexMissing(f"no planbot store {name!r} in Milvus at {uri}: run `planbot ingest PATH --store {store}` first")
        check_model(state, model_id, store)
        n = _names(name, state["epoch"])
        try:
            _loaded(mc, n.values())
            docs = {r["doc_id"]: {**json.loads(r["meta"]), "version": r["version"]}
                    for r in _iter(mc, n["docs"], ["doc_id", "version", "meta"])}
            rows = [(r["id"], r["doc_id"], r["ord"]) for r in _by_ord(mc, n["chunks"], ["id", "doc_id", "version", "ord"], state["next_ord"])
                    if docs.get(r["doc_id"], {}).get("version") == r["version"]]
        except Exception as exc:
            raise IndexCorrupt(f"Milvus store {name!r} at {uri} could not be read ({exc.__class__.__name__}: {exc}); {REBUILD_HINT}") from exc
        rows.sort(key=lambda r: r[2])  # positions in write order, as FAISS numbers its rows
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        doc_ids = sorted(docs)
        at = {d: i for i, d in enumerate(doc_ids)}
        doc_index = np.array([at[r[1]] for r in rows], dtype=np.int32)
        doc_zh = np.array([(docs[d].get("lang") or "").startswith("zh") for d in doc_ids], dtype=bool)
        order = np.argsort(ids, kind="stable")
        return cls(store, mc, name, state, docs, ChunkTable(ids, doc_index, doc_ids, doc_zh), ids[order], order.astype(np.int64))

    # -- the Index interface -------------------------------------------------------------------
    @property
    def model_id(self) -> str:
        return self.state["model_id"]

    @property
    def generation(self) -> str:
        return f"milvus-e{self.state['epoch']}-g{self.state['generation']:06d}"

    def __len__(self) -> int:
        return len(self.table.ids)

    def chunk_is_zh(self, position: int) -> bool:
        return bool(self.table.doc_zh[self.table.doc_index[position]])

    def zh_share(self) -> float:
        zh = self.table.doc_zh
        return float(zh.mean()) if len(zh) else 0.0

    def position_of(self, pk: int) -> int | None:
        i = int(np.searchsorted(self._pk_sorted, pk))
        if i < len(self._pk_sorted) and self._pk_sorted[i] == pk:
            return int(self._pos_of_sorted[i])
        return None  # written after this snapshot, or a staged/superseded version

    def document(self, doc_id: str) -> Document:
        doc = self._docs.get(doc_id)
        if doc is None:
            rec = self.records.get(doc_id)
            if rec is None:
                raise KeyError(doc_id)
            self._load_texts([doc_id])
            doc = self._docs[doc_id]
        return doc

    def _load_texts(self, doc_ids: list[str]) -> None:
        ids = [f"{d}\x00{self.records[d]['version']}\x00{i}" for d in doc_ids for i in range(self.records[d]["parts"])]
        parts: dict[str, str] = {}
        for batch in _chunked(ids, 256):
            for r in _get(self.mc, self.names["texts"], "id", batch, ["text"]):
                parts[r["id"]] = r["text"]
        for d in doc_ids:
            rec = self.records[d]
            try:
                text = "".join(parts[f"{d}\x00{rec['version']}\x00{i}"] for i in range(rec["parts"]))
            except KeyError as exc:
                raise IndexCorrupt(f"Milvus store {self.name!r}: the text of document {d} is missing; {REBUILD_HINT}") from exc
            self._docs[d] = Document(doc_id=d, text=text, title=rec["title"] or "", path=rec["path"], content_hash=rec["content_hash"],
                                     lang=rec["lang"] or "", date=rec["date"], publisher=rec["publisher"], url=rec["url"],
                                     regions=list(rec["regions"] or []), main_region=rec["main_region"])

    def documents(self) -> Iterator[Document]:
        order = sorted(self.records, key=lambda d: (self.records[d]["path"], d))
        for batch in _chunked(order, 64):
            self._load_texts([d for d in batch if d not in self._docs])
            for d in batch:
                yield self._docs[d]

    def main_regions(self) -> dict[str, str | None]:
        return {d: r["main_region"] for d, r in self.records.items()}

    def facts(self, region_ids: set[str] | None = None, kind: str | None = None, doc_ids: set[str] | None = None) -> list[Fact]:
        """Figure facts, read from the stored documents' text once per snapshot (the FAISS store
        keeps them in SQLite at ingest; here they are not yet a Milvus collection, so a bot
        process derives the same records on first use). Same filters and order as the FAISS store."""
        if self._facts is None:
            self._facts = sorted((f for doc in self.documents() for f in extract_facts(doc)), key=lambda f: (f.doc_id, f.start))
        return [f for f in self._facts if (region_ids is None or region_among(f.region_id, region_ids))
                and (kind is None or f.kind == kind) and (doc_ids is None or f.doc_id in doc_ids)]

    def figure_counts(self) -> dict[str, int]:
        return {d: r["n_figures"] for d, r in self.records.items()}

    def chunks_at(self, positions: Sequence[int]) -> list[Chunk]:
        ids = [int(self.table.ids[p]) for p in positions]
        if not ids:
            return []
        rows = {r["id"]: r for r in self.mc.get(self.names["chunks"], ids=ids, output_fields=["doc_id", "seq", "start", "end", "text", "regions"])}
        missing = [i for i in ids if i not in rows]
        if missing:
            raise IndexCorrupt(f"Milvus store {self.name!r}: {len(missing)} chunks vanished while reading (a rebuild in progress?); ask again")
        return [Chunk(r["doc_id"], int(r["seq"]), int(r["start"]), int(r["end"]), r["text"], list(r["regions"])) for r in (rows[i] for i in ids)]

    def positions_where(self, doc_ids: set[str] | None = None, chunk_regions: set[str] | None = None) -> Mask:
        mask = np.ones(len(self), dtype=bool)
        exprs = []
        if doc_ids is not None:
            wanted = np.array([d in doc_ids for d in self.table.doc_ids], dtype=bool)
            if len(wanted):
                mask &= wanted[self.table.doc_index]
            exprs.append(_in("doc_id", sorted(doc_ids)) if doc_ids else "id < 0")
        if chunk_regions is not None:
            hit = np.zeros(len(self), dtype=bool)
            if chunk_regions:
                pks = {r["id"] for r in _iter(self.mc, self.names["chunks"], ["id"],
                                             f"ARRAY_CONTAINS_ANY(regions, [{', '.join(map(_quote, sorted(chunk_regions)))}])")}
                for pk in pks:
                    p = self.position_of(pk)
                    if p is not None:
                        hit[p] = True
            mask &= hit
            exprs.append(f"ARRAY_CONTAINS_ANY(regions, [{', '.join(map(_quote, sorted(chunk_regions)))}])" if chunk_regions else "id < 0")
        return Mask.of(mask, " and ".join(f"({e})" for e in exprs) or None)

    def _expr(self, mask) -> str | None:
        if mask is None or mask.all():
            return None
        expr = getattr(mask, "expr", None)
        return expr if expr else _in("id", self.table.ids[np.flatnonzero(mask)])

    def dense_search(self, query_vec: np.ndarray, k: int, mask=None) -> tuple[np.ndarray, np.ndarray]:
        if len(self) == 0 or (mask is not None and not mask.any()):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        k = min(k, len(self) if mask is None else int(mask.sum()))
        return self._search("vec", [float(x) for x in query_vec], k, self._expr(mask), {"metric_type": "IP", "params": {"ef": max(256, 2 * k)}})

    def lexical_search(self, weighted_tokens, k: int, mask=None) -> tuple[np.ndarray, np.ndarray]:
        if mask is not None and not mask.any():
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        return self.lexical.search(weighted_tokens, k, self._expr(mask))

    def _search(self, field: str, query, k: int, expr: str | None, params: dict) -> tuple[np.ndarray, np.ndarray]:
        """Top k positions of this snapshot. Rows written after it (or staged, or superseded)
        come back from Milvus too and are dropped, so ask for a few more and widen if needed."""
        limit = min(MAX_LIMIT, k + 16)
        while True:
            res = self.mc.search(self.names["chunks"], [query], anns_field=field, limit=limit, filter=expr or "",
                                 search_params=params, output_fields=["id"])[0]
            pos, sc = [], []
            for hit in res:
                p = self.position_of(int(hit["id"]))
                if p is not None:
                    pos.append(p)
                    sc.append(float(hit["distance"]))
            if len(pos) >= k or len(res) < limit or limit >= MAX_LIMIT:
                break
            limit = min(MAX_LIMIT, limit * 4)
        pos_a, sc_a = np.array(pos[:k], dtype=np.int64), np.array(sc[:k], dtype=np.float32)
        if field == "bm25":  # equal scores in position order, as top_positive orders the FAISS side
            keep = sc_a > 0
            pos_a, sc_a = pos_a[keep], sc_a[keep]
            order = np.lexsort((pos_a, -sc_a))
            pos_a, sc_a = pos_a[order], sc_a[order]
        return pos_a, sc_a

    def stats(self) -> dict:
        langs: dict[str, int] = {}
        sources: dict[str, int] = {}
        for r in self.records.values():
            langs[r["lang"] or "?"] = langs.get(r["lang"] or "?", 0) + 1
            src = r["publisher"] or str(Path(r["path"].split("#")[0]).parent)
            sources[src] = sources.get(src, 0) + 1
        dates = sorted(r["date"] for r in self.records.values() if r["date"])
        return {"index": self.dir, "documents": len(self.records), "chunks": len(self), "model": self.model_id, "dim": self.state["dim"],
                "index_type": self.manifest["index_type"], "built_at": self.state.get("built_at"), "generation": self.generation,
                "languages": dict(sorted(langs.items())), "sources": dict(sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))),
                "date_range": [dates[0], dates[-1]] if dates else None}

    def close(self) -> None:
        pass  # the client is shared per URI (milvus-lite serves one .db to one process)


def current_generation(store: str) -> str | None:
    uri, name = parse(store)
    state = read_state(client(uri), name, uri)
    return None if state is None else f"milvus-e{state['epoch']}-g{state['generation']:06d}"


# -- writing -----------------------------------------------------------------------------------
@contextmanager
def write_lock(store: str):
    """One writer per store: a file lock beside a milvus-lite .db. A server's store is not locked
    here (run one `planbot ingest` per store at a time; docs/SCALING.md)."""
    uri, name = parse(store)
    if not uri.endswith(".db"):
        yield
        return
    Path(uri).parent.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(Path(f"{uri}.{name}.lock"), store):
        yield


class MilvusWriter:
    """Stages changed documents in Milvus; `commit()` makes them live (module docstring)."""

    def __init__(self, store: str, model_id: str, dim: int, rebuild: bool = False, index_type: str | None = None):
        self.store = store
        self.uri, self.name = parse(store)
        self.mc = client(self.uri)
        self.model_id, self.dim = model_id, dim
        _ensure_meta(self.mc, self.name)
        self.base = read_state(self.mc, self.name, self.uri)
        if self.base is not None and not rebuild:
            check_model(self.base, model_id, store)
        self.fresh = self.base is None or rebuild
        if self.base is not None and not self.fresh:
            _loaded(self.mc, _names(self.name, self.base["epoch"]).values())
            self._recover()
        self._drop_stale_epochs(keep={self.base["epoch"]} if self.base else set())
        if self.fresh:
            self.epoch = (self.base["epoch"] + 1) if self.base else 1
            self.state = {"format": FORMAT_VERSION, "epoch": self.epoch, "generation": 0, "model_id": model_id, "dim": dim,
                          "avgdl": None, "next_ord": 0}
            _create_epoch(self.mc, self.name, self.epoch, dim)
            if self.uri.endswith(".db"):
                # milvus-lite builds a segment's HNSW in this process each time a flush seals
                # one and again each time compaction merges segments (11k, 45k, then 100k rows),
                # on the writer's cores; a released collection takes rows but builds nothing, so
                # a new epoch is indexed once, at commit (_seal). Nothing reads it before then.
                # (A Milvus server builds indexes in its own index nodes: nothing to defer.)
                self.mc.release_collection(_names(self.name, self.epoch)["chunks"])
            self.records: dict[str, dict] = {}
        else:
            self.epoch = self.base["epoch"]
            self.state = dict(self.base)
            n = _names(self.name, self.epoch)
            self.records = {r["doc_id"]: {**json.loads(r["meta"]), "version": r["version"]}
                            for r in _iter(self.mc, n["docs"], ["doc_id", "version", "meta"])}
        self.names = _names(self.name, self.epoch)
        self.gen = self.state["generation"] + 1
        self.flips: dict[str, dict | None] = {}  # doc_id -> new record, None = removed
        self.superseded: dict[str, str] = {}  # doc_id -> version whose rows go at commit
        self.df_delta: Counter = Counter()
        self._buffer: list[tuple] = []  # a new store's first documents, until avgdl is measured
        self._buffered_chunks = 0

    # -- recovery --------------------------------------------------------------------------
    def _recover(self) -> None:
        n = _names(self.name, self.base["epoch"])
        rows = sorted(_iter(self.mc, n["journal"], ["id", "gen", "payload"]), key=lambda r: r["id"])
        complete = [r for r in rows if r["id"].endswith(":end")]
        if complete:
            gen = complete[0]["gen"]
            parts = sorted((r for r in rows if r["gen"] == gen and not r["id"].endswith(":end")), key=lambda r: int(r["id"].split(":")[1]))
            journal = json.loads("".join(r["payload"] for r in parts))
            self._apply(n, journal, gen)
        else:
            # Killed while staging or writing the journal: nothing was made live; drop the rows.
            g = self.base["generation"]
            for c in ("chunks", "texts", "docs"):
                self.mc.delete(n[c], filter=f"gen > {g}")
            self.mc.delete(n["journal"], filter="gen >= 0")
        self.base = read_state(self.mc, self.name, self.uri)

    def _drop_stale_epochs(self, keep: set[int]) -> None:
        """Collections of an epoch that never became live (a killed --rebuild), or of the one it replaced."""
        prefix = f"{self.name}_e"
        for c in self.mc.list_collections():
            if c.startswith(prefix) and c[len(prefix):].split("_", 1)[0].isdigit():
                if int(c[len(prefix):].split("_", 1)[0]) not in keep:
                    self.mc.drop_collection(c)

    # -- the Writer interface (retrieval/store/index.py) ------------------------------------
    def known_files(self) -> dict[str, str]:
        return {r["path"].split("#")[0]: r["file_hash"] for r in self._live_records().values()}

    def _live_records(self) -> dict[str, dict]:
        out = dict(self.records)
        for d, rec in self.flips.items():
            if rec is None:
                out.pop(d, None)
            else:
                out[d] = rec
        return out

    def doc_hashes(self, file_path: str) -> dict[str, str]:
        return {d: r["content_hash"] for d, r in self._live_records().items()
                if r["path"] == file_path or r["path"].startswith(file_path + "#")}

    def touch_file_hash(self, file_path: str, file_hash: str) -> None:
        for d, r in self._live_records().items():
            if (r["path"] == file_path or r["path"].startswith(file_path + "#")) and r["file_hash"] != file_hash:
                self.flips[d] = {**r, "file_hash": file_hash}

    def remove_document(self, doc_id: str) -> None:
        live = self._live_records().get(doc_id)
        if live is None:
            return
        old = self.records.get(doc_id)
        if old is not None and old["version"] == live["version"]:
            self._forget(doc_id, old)
        self.flips[doc_id] = None

    def _forget(self, doc_id: str, old: dict) -> None:
        """The live version's chunks leave at commit: take their tokens out of df."""
        if doc_id in self.superseded:
            return
        self.superseded[doc_id] = old["version"]
        toks = [r["tokens"].split() for r in _iter(self.mc, self.names["chunks"], ["tokens"],
                                                    f"doc_id == {_quote(doc_id)} and version == {_quote(old['version'])}")]
        self.df_delta.subtract(sparse.distinct(toks))

    def remove_file(self, file_path: str) -> int:
        doc_ids = list(self.doc_hashes(file_path))
        for d in doc_ids:
            self.remove_document(d)
        return len(doc_ids)

    def add_document(self, doc: Document, file_hash: str, chunks: list[Chunk], tokens: list[list[str]], vectors, n_figures: int = 0) -> None:
        if self.state["avgdl"] is None:
            self._buffer.append((doc, file_hash, chunks, tokens, vectors, n_figures))
            self._buffered_chunks += len(chunks)
            if self._buffered_chunks >= AVGDL_SAMPLE:
                self._flush_buffer()
            return
        self._stage(doc, file_hash, chunks, tokens, vectors, n_figures)

    def _flush_buffer(self) -> None:
        lengths = [len(t) for *_, toks, _v, _n in self._buffer for t in toks]
        self.state["avgdl"] = float(np.mean(lengths)) if lengths else 1.0
        buffered, self._buffer = self._buffer, []
        for item in buffered:
            self._stage(*item)

    def _stage(self, doc: Document, file_hash: str, chunks: list[Chunk], tokens: list[list[str]], vectors, n_figures: int) -> None:
        version = doc.content_hash
        old = self.records.get(doc.doc_id)
        if old is not None and old["version"] == version:
            # Same content again (re-added under the same id): its rows are already there.
            self.flips[doc.doc_id] = {**old, **_doc_meta(doc, file_hash, len(chunks), n_figures, old["parts"]), "version": version}
            return
        if old is not None:
            self._forget(doc.doc_id, old)
        texts = [doc.text[i:i + TEXT_PART] for i in range(0, len(doc.text), TEXT_PART)] or [""]
        _write(self.mc, self.names["texts"], [{"id": f"{doc.doc_id}\x00{version}\x00{i}", "doc_id": doc.doc_id, "gen": self.gen,
                                                "text": t, "v": DUMMY} for i, t in enumerate(texts)])
        zh = (doc.lang or "").startswith("zh")
        rows = []
        for chunk, toks, vec in zip(chunks, tokens, vectors):
            rows.append({"id": chunk_id(doc.doc_id, version, chunk.seq), "doc_id": doc.doc_id, "version": version, "gen": self.gen,
                         "ord": self.state["next_ord"], "seq": chunk.seq, "start": chunk.start, "end": chunk.end, "text": chunk.text,
                         "tokens": " " + " ".join(toks) + " ", "regions": list(chunk.regions), "zh": zh,
                         "vec": np.asarray(vec, dtype=np.float32).tolist(), "bm25": sparse.doc_vector(toks, self.state["avgdl"])})
            self.state["next_ord"] += 1
        _write(self.mc, self.names["chunks"], rows)
        self.df_delta.update(sparse.distinct(tokens))
        self.flips[doc.doc_id] = {**_doc_meta(doc, file_hash, len(chunks), n_figures, len(texts)), "version": version}

    @property
    def changed(self) -> bool:
        return bool(self.flips or self._buffer) or self.fresh

    def abort(self) -> None:
        """Nothing staged is live; the next writer deletes the staged rows (gen > generation)."""
        if self.fresh:
            for c in self.names.values():
                if self.mc.has_collection(c):
                    self.mc.drop_collection(c)
            return
        for c in ("chunks", "texts"):
            self.mc.delete(self.names[c], filter=f"gen >= {self.gen}")

    def commit(self) -> dict:
        journal = self.write_journal()
        self._apply(self.names, journal, self.gen)
        state = journal["state"]
        return {"generation": f"milvus-e{state['epoch']}-g{self.gen:06d}", "model_id": self.model_id, "dim": self.dim,
                "documents": state["documents"], "chunks": state["chunks"], "store": self.store}

    def write_journal(self) -> dict:
        """Step 1 of a commit: the whole change, durably, before any of it is applied."""
        if self.state["avgdl"] is None:
            self._flush_buffer()
        touched = [t for t, v in self.df_delta.items() if v]
        current = {} if self.fresh else self._df(touched)
        journal = {
            "flips": self.flips,
            "superseded": self.superseded,
            "df": {t: current.get(t, 0) + self.df_delta[t] for t in touched},
            "state": {**self.state, "generation": self.gen, "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                      "documents": len(self._live_records()), "chunks": sum(r["n_chunks"] for r in self._live_records().values())},
        }
        text = json.dumps(journal, ensure_ascii=False)
        rows = [{"id": f"{self.gen}:{i:06d}", "gen": self.gen, "payload": text[s:s + JOURNAL_ROW], "v": DUMMY}
                for i, s in enumerate(range(0, len(text), JOURNAL_ROW))]
        _write(self.mc, self.names["journal"], rows)
        self.mc.upsert(self.names["journal"], [{"id": f"{self.gen}:end", "gen": self.gen, "payload": str(len(rows)), "v": DUMMY}])
        return journal

    def _df(self, tokens: list[str]) -> dict[str, int]:
        out = {}
        for part in _chunked(tokens, 512):
            out.update({r["token"]: int(r["df"]) for r in _get(self.mc, self.names["terms"], "token", part, ["df"])})
        return out

    def _apply(self, names: dict, journal: dict, gen: int) -> None:
        """Make a journalled change live; every step may run twice (recovery)."""
        mc = self.mc
        docs = [{"doc_id": d, "version": r["version"], "gen": gen, "meta": json.dumps({k: v for k, v in r.items() if k != "version"}, ensure_ascii=False),
                 "v": DUMMY} for d, r in journal["flips"].items() if r is not None]
        _write(mc, names["docs"], docs)
        gone = [d for d, r in journal["flips"].items() if r is None]
        for part in _chunked(gone, 256):
            mc.delete(names["docs"], filter=_in("doc_id", part))
        df = journal["df"]
        _write(mc, names["terms"], [{"token": t, "df": int(v), "v": DUMMY} for t, v in df.items() if v > 0])
        zero = [t for t, v in df.items() if v <= 0]
        for part in _chunked(zero, 512):
            mc.delete(names["terms"], filter=_in("token", part))
        state = journal["state"]
        # A new epoch's chunks were written released (see __init__): seal and index them
        # before the state names the epoch, so it is searchable the moment it is live.
        mc.flush(names["chunks"])
        _loaded(mc, [names["chunks"]])
        old = read_state(mc, self.name, self.uri)
        _write_state(mc, self.name, state)  # readers reload on this
        if old is not None and old["epoch"] != state["epoch"]:
            self._drop_stale_epochs(keep={state["epoch"]})
        for part in _chunked(list(journal["superseded"].items()), 64):
            expr = " or ".join(f"(doc_id == {_quote(d)} and version == {_quote(v)})" for d, v in part)
            mc.delete(names["chunks"], filter=expr)
            mc.delete(names["texts"], filter=" or ".join(f"(doc_id == {_quote(d)} and gen < {gen})" for d, _ in part))
        mc.delete(names["journal"], filter="gen >= 0")
        # Seal what was written: rows still in a growing segment are searched without the
        # HNSW index (milvus-lite brute-forces them in Python: 10k fresh chunks made asks ~10x slower).
        for c in ("chunks", "texts", "docs", "terms"):
            mc.flush(names[c])
