"""Bulk ingest on Ray Data into a Milvus store: `planbot ingest PATH --ray [ADDRESS] --store URI`.

The work is split as a cluster would split it:

- the driver lists the files, hashes them and drops the unchanged ones (a few ms a file);
- `flat_map` tasks read, clean, tag and chunk one file each, and tokenise its chunks
  (files are independent; a JSONL file's rows stay in one task);
- `map_batches` runs a pool of encoder actors, each loading the model once, on batches of
  chunk rows (the bulk of the CPU);
- the driver gathers each document's chunks as their batches come back and stages them with
  the Milvus writer, which commits once at the end (retrieval/store/milvus.py: a killed run
  leaves the previous state answerable, a re-run redoes only what did not commit).

With no address a local Ray starts (2 CPUs, no dashboard, nothing on the network beyond
loopback); `ADDRESS` joins a running cluster (`ray://head:10001` or `auto`), where the same
pipeline spreads over every node that has planbot installed.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from retrieval.errors import PlanbotError
from retrieval.ingest.documents import Skipped, Unreadable, discover, file_hash, load_file, read_regular
from retrieval.ingest import run as plain
from retrieval.ingest.run import IngestReport, Progress, _embed_text, _load_gazetteer, _tag, chunk_document, count_figures
from retrieval.store import backends
from retrieval.types import Chunk, Document

# gRPC (pymilvus's, in this process) logs an INFO line for each of Ray's forks unless told not to;
# it reads this when it loads, which for `planbot ingest --ray` is after this module.
os.environ.setdefault("GRPC_VERBOSITY", "ERROR")

LOCAL_CPUS = 2
BATCH = 64  # chunks per encoder call, as the plain ingest batches them


class RayUnavailable(PlanbotError):
    exit_code = 2


def _read_file(row: dict) -> list[dict]:
    """One file -> a "file" row, a "doc" row per changed document and a "chunk" row per chunk."""
    path, key, old = Path(row["path"]), row["key"], json.loads(row["old"])
    out = []
    try:
        data = read_regular(path)
    except Unreadable as e:
        return [_row("skipped", key, info=json.dumps({"path": str(path), "reason": str(e)}))]
    fhash = file_hash(data)
    docs, bad = load_file(path, data)
    for s in bad:
        out.append(_row("skipped", key, info=json.dumps({"path": s.path, "reason": s.reason})))
    if not docs and bad:
        return out
    gazetteer = _load_gazetteer()
    unchanged = 0
    for doc in docs:
        if old.get(doc.doc_id) == doc.content_hash:
            unchanged += 1
            continue
        _tag(doc, gazetteer)
        chunks = chunk_document(doc, gazetteer)
        meta = {**doc.__dict__, "status": "updated" if doc.doc_id in old else "added", "n_chunks": len(chunks),
                "n_figures": count_figures(doc.text)}
        out.append(_row("doc", key, fhash=fhash, doc_id=doc.doc_id, info=json.dumps(meta, ensure_ascii=False)))
        for c in chunks:
            out.append(_row("chunk", key, doc_id=doc.doc_id, seq=c.seq, start=c.start, end=c.end, text=c.text,
                            regions=json.dumps(c.regions), tokens=" ".join(plain.tokenize(f"{doc.title} {c.text}")),
                            embed=_embed_text(doc, c)))
    out.append(_row("file", key, fhash=fhash, info=json.dumps({"doc_ids": [d.doc_id for d in docs], "unchanged": unchanged})))
    return out


def _row(kind: str, key: str, **fields) -> dict:
    # Every row has every column (Ray Data blocks are tables).
    base = {"kind": kind, "key": key, "fhash": "", "doc_id": "", "seq": 0, "start": 0, "end": 0, "text": "", "regions": "[]",
            "tokens": "", "embed": "", "info": ""}
    base.update(fields)
    return base


class Encoder:
    """A Ray actor: loads the model once and embeds the chunk rows of each batch it is given."""

    def __init__(self) -> None:
        from embeddings import load_encoder

        # The model name comes through the workers' environment (start_ray), not as a
        # constructor argument: Ray warns that those cannot be restored on an actor restart.
        self.encoder = load_encoder(os.environ.get("PLANBOT_RAY_MODEL") or None)

    def __call__(self, batch: dict) -> dict:
        kinds = batch["kind"]
        idx = [i for i, k in enumerate(kinds) if k == "chunk"]
        vectors = np.zeros((len(kinds), self.encoder.dim), dtype=np.float32)
        if idx:
            vectors[idx] = self.encoder.encode([batch["embed"][i] for i in idx], kind="passage", batch_size=BATCH)
        batch["vector"] = vectors
        batch["embed"] = np.array([""] * len(kinds), dtype=object)  # not needed past here
        return batch


def start_ray(address: str | None, model: str | None = None):
    try:
        import ray
    except ImportError as exc:
        raise RayUnavailable("--ray needs Ray Data: pip install 'planbot[scale]'") from exc
    if ray.is_initialized():
        return ray
    import logging

    env = {"env_vars": {"PLANBOT_ENCODER_THREADS": "1", "RAY_USAGE_STATS_ENABLED": "0", "PLANBOT_RAY_MODEL": model or "",
                        "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH")]))}}
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no usage report over the network
    for attempt in (1, 2):
        try:
            if address:
                ray.init(address=address, runtime_env=env, log_to_driver=False, logging_level=logging.ERROR)
            else:
                ray.init(num_cpus=LOCAL_CPUS, include_dashboard=False, runtime_env=env, log_to_driver=False, logging_level=logging.ERROR,
                         object_store_memory=512 * 1024**2, _node_ip_address="127.0.0.1")  # loopback only
            break
        except Exception as exc:
            # On a loaded machine the local GCS can miss Ray's start-up deadline once (seen here).
            ray.shutdown()
            if attempt == 2:
                raise RayUnavailable(f"could not start Ray{' at ' + address if address else ''}: {exc}") from exc
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False  # planbot reports progress itself, as a normal ingest does
    ctx.print_on_execution_start = False
    logging.getLogger("ray.data").setLevel(logging.ERROR)
    return ray


def ingest_ray(
    paths: Sequence[str | Path],
    store: str | None,
    model: str | None = None,
    rebuild: bool = False,
    prune: bool = False,
    address: str | None = None,
    progress: Progress | None = None,
    actors: int = 2,
) -> IngestReport:
    """As retrieval.ingest.run.ingest, with reading, chunking and embedding on Ray."""
    from embeddings import lazy_encoder, resolve_model_id

    if not backends.is_milvus(store):
        raise RayUnavailable("--ray writes to a Milvus store: give --store URI (http://host:19530, or a milvus-lite path ending in .db)")
    t0 = time.perf_counter()
    progress = progress or (lambda stage, done, total: None)
    files, skipped = discover(paths)
    report = IngestReport(index=store, skipped=list(skipped))
    with backends.write_lock(Path("."), store):
        model_id = resolve_model_id(model)
        dim = backends.known_dim(Path("."), store, model_id)
        if dim is None:
            dim = lazy_encoder(model).dim  # the model's dimension, for a new store
        report.model = model_id
        writer = backends.open_writer(Path("."), store, model_id, dim, rebuild=rebuild)
        try:
            known = writer.known_files()
            todo, seen = [], set()
            for i, path in enumerate(files):
                progress("reading", i, len(files))
                key = str(path.resolve())
                seen.add(key)
                try:
                    fhash = file_hash(read_regular(path))
                except Unreadable as e:
                    report.skipped.append(Skipped(str(path), str(e)))
                    continue
                if known.get(key) == fhash:
                    report.unchanged += len(writer.doc_hashes(key))
                    continue
                todo.append({"path": str(path), "key": key, "old": json.dumps(writer.doc_hashes(key))})
            progress("reading", len(files), len(files))
            if prune:
                for key in known:
                    if key not in seen and not Path(key).exists():
                        report.removed += writer.remove_file(key)
            if todo:
                report.chunks_embedded = _run(todo, writer, report, model, address, actors, progress)
            plain.finish(writer, report, progress, Path("."), store)
        except BaseException:
            writer.abort()
            raise
    report.seconds = round(time.perf_counter() - t0, 2)
    return report


def _run(todo: list[dict], writer, report: IngestReport, model: str | None, address: str | None, actors: int, progress: Progress) -> int:
    ray = start_ray(address, model)
    # 2 local CPUs: the actors take 0.75 each, file tasks 0.5, so reading keeps pace with encoding.
    ds = ray.data.from_items(todo).flat_map(_read_file, num_cpus=0.5)
    # Each file is one block, so more actors than files would sit idle (and Ray Data warns on
    # every such run, e.g. a re-ingest of one changed file).
    ds = ds.map_batches(Encoder, batch_size=BATCH, num_cpus=0.75, batch_format="numpy",
                        compute=ray.data.ActorPoolStrategy(size=max(1, min(actors, len(todo)))))
    docs: dict[str, dict] = {}
    chunks: dict[str, list] = {}
    files: list[dict] = []
    embedded = expected = 0  # chunks back from the encoders / announced by documents read so far
    progress("embedding", 0, 0)

    def ready(doc_id: str) -> None:
        meta = docs.get(doc_id)
        got = chunks.get(doc_id, [])
        if meta is None or len(got) < meta["n_chunks"]:
            return
        got.sort(key=lambda c: c[0].seq)
        doc = Document(**{k: meta[k] for k in Document.__dataclass_fields__})
        writer.add_document(doc, meta["fhash"], [c for c, _, _ in got], [t for _, t, _ in got],
                            np.array([v for _, _, v in got], dtype=np.float32).reshape(len(got), -1), n_figures=meta["n_figures"])
        setattr(report, meta["status"], getattr(report, meta["status"]) + 1)
        del docs[doc_id]
        chunks.pop(doc_id, None)

    for batch in ds.iter_batches(batch_size=None, batch_format="numpy"):
        for i, kind in enumerate(batch["kind"]):
            if kind == "skipped":
                s = json.loads(batch["info"][i])
                report.skipped.append(Skipped(s["path"], s["reason"]))
            elif kind == "file":
                files.append({"key": batch["key"][i], "fhash": batch["fhash"][i], **json.loads(batch["info"][i])})
            elif kind == "doc":
                meta = json.loads(batch["info"][i])
                meta["fhash"] = batch["fhash"][i]
                docs[meta["doc_id"]] = meta
                expected += meta["n_chunks"]
                ready(meta["doc_id"])
            else:
                d = batch["doc_id"][i]
                c = Chunk(d, int(batch["seq"][i]), int(batch["start"][i]), int(batch["end"][i]), str(batch["text"][i]),
                          json.loads(batch["regions"][i]))
                chunks.setdefault(d, []).append((c, str(batch["tokens"][i]).split(), batch["vector"][i]))
                embedded += 1
                progress("embedding", embedded, max(expected, embedded))
                ready(d)
    if docs:
        raise PlanbotError(f"Ray ingest lost chunks of {len(docs)} document(s) ({', '.join(sorted(docs)[:3])}…); nothing was committed")
    for f in files:  # documents a changed file no longer has, and the file's new hash
        old = writer.doc_hashes(f["key"])
        for doc_id in old:
            if doc_id not in set(f["doc_ids"]):
                writer.remove_document(doc_id)
                report.removed += 1
        writer.touch_file_hash(f["key"], f["fhash"])
        report.unchanged += f["unchanged"]
    return embedded
