"""The FAISS and Milvus stores side by side: write throughput, open time, warm ask p50/p95,
dense recall@10 against exact search, a one-document update; and Ray ingest against the plain
ingest.

    .venv/bin/python bench/store_compare.py --sizes 10k,100k
    .venv/bin/python bench/store_compare.py --sizes 1m --milvus-budget 1500 --passes 1
    .venv/bin/python bench/store_compare.py --ray-compare ../shared/corpus/articles ../shared/corpus/gov-work-reports-2025
    .venv/bin/python bench/store_compare.py --writer-memory 200k,1m

Sizes: 10k is the real full-corpus index (PLANBOT_BENCH_INDEX, 11,415 chunks); larger sizes are
the real documents written again under new ids (copy r of document d is "d~r"), each chunk's
vector a perturbed copy of the real one (bench/_common.py `scaled_vectors`), text, tokens and
figure facts the same. Both stores receive the same documents through their own writers (FAISS: Writer,
Milvus: MilvusWriter through retrieval.store.migrate.copy_index, no embedding: the figure is
the store's write rate). Milvus here is milvus-lite (its pure-Python server in the same
process, HNSW M=32 through FAISS inside it); a Milvus standalone server is another program,
see docs/SCALING.md. Asks: the regional-plans-dev questions, a warm-up pass, then --passes
timed passes with the engine's vector cache emptied before every ask (embedding cost is the
same for both stores and included); FAISS's asks before the Milvus store is written (nothing
of milvus-lite in the process yet), Milvus's once milvus-lite's background threads are idle. Recall@10: the Milvus dense top 10 against IndexFlatIP's
exact top 10 over the same vectors for the same questions. Update: one document's text
changed (a sentence appended), staged and committed; vectors precomputed, so the time is the
store's.
"""
from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import shutil
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DEFAULT_INDEX, EVAL, fmt_s, machine, ms, new_run_id, peak_rss_mb, reset_peak_rss, rss_mb, scaled_vectors, summary, update_doc  # noqa: E402

import numpy as np  # noqa: E402


def parse_size(s: str) -> int | None:
    s = s.strip().lower()
    return None if s == "10k" else int(float(s.replace("k", "e3").replace("m", "e6")))


def questions() -> list[str]:
    path = EVAL / "regional-plans-dev" / "questions.jsonl"
    return [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def build_faiss(base_dir: Path, n: int, out: Path, memory: dict | None = None) -> tuple[Path, float, int]:
    """A FAISS index of ~n chunks: the real documents, then re-written copies. With `memory`,
    it receives the process's RSS before the commit and the peak RSS during it (MB)."""
    from retrieval.store.index import Index, Writer
    from retrieval.types import Chunk

    base = Index.open(base_dir)
    vecs = base.faiss.reconstruct_n(0, base.faiss.ntotal)
    pos = {int(c): p for p, c in enumerate(base.table.ids)}
    docs = list(base.documents())
    rows = {d.doc_id: base.db.execute("SELECT id, seq, start, end, text, tokens, regions FROM chunks WHERE doc_id = ? ORDER BY id",
                                      (d.doc_id,)).fetchall() for d in docs}
    meta = {r[0]: (r[1], r[2]) for r in base.db.execute("SELECT doc_id, file_hash, n_figures FROM documents")}
    # each copy carries its document's figure facts, as an ingest stores them (the Milvus store
    # derives them from the copied texts, so both stores' asks do the same facts work)
    facts: dict[str, list] = {}
    for f in base.facts():
        facts.setdefault(f.doc_id, []).append(f)
    reps = int(np.ceil(n / len(base)))
    noisy = scaled_vectors(vecs, len(base) * reps)
    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    w = Writer(out, base.model_id, base.manifest["dim"], rebuild=True)
    written = 0
    for r in range(reps):
        for d in docs:
            if written >= n:
                break
            dd = d if r == 0 else type(d)(**{**d.__dict__, "doc_id": f"{d.doc_id}~{r}", "path": f"{d.path}~{r}"})
            cr = rows[d.doc_id]
            chunks = [Chunk(dd.doc_id, c["seq"], c["start"], c["end"], c["text"], json.loads(c["regions"])) for c in cr]
            at = [pos[int(c["id"])] + r * len(base) for c in cr]
            # a view when the rows are consecutive (they are: one document's chunks), so the
            # benchmark holds its vectors once and the writer's memory is what is measured
            v = noisy[at[0]:at[-1] + 1] if at and at == list(range(at[0], at[-1] + 1)) else noisy[at]
            w.add_document(dd, meta[d.doc_id][0], chunks, [c["tokens"].split() for c in cr], v, n_figures=meta[d.doc_id][1],
                           facts=[dataclasses.replace(f, doc_id=dd.doc_id) for f in facts.get(d.doc_id, [])])
            written += len(cr)
    if memory is not None:
        gc.collect()
        memory["before_commit_mb"] = rss_mb()
        reset_peak_rss()
        t_commit = time.perf_counter()
    manifest = w.commit()
    if memory is not None:
        memory["commit_peak_mb"] = peak_rss_mb()
        memory["commit_s"] = time.perf_counter() - t_commit
    return out, time.perf_counter() - t, manifest["chunks"]


def timed_asks(engine, qs: list[str], passes: int) -> list[float]:
    for q in qs:
        engine.ask(q)
    lat = []
    for _ in range(passes):
        for q in qs:
            engine.vectors = type(engine.vectors)(engine.encoder)
            t = time.perf_counter()
            engine.ask(q)
            lat.append(time.perf_counter() - t)
    return lat


def recall_at_10(faiss_engine, engines: list, qs: list[str], rounds: list[int | None]) -> list[float]:
    """Dense recall@10 of each engine against exact search (IndexFlatIP) over the vectors the FAISS
    index stores, restricted to the chunks of copies r < rounds[i] when a store holds only those."""
    import faiss

    from retrieval.ask.search import dense_search

    fi = faiss_engine.index
    n = fi.faiss.ntotal
    # which copy of the corpus each position holds, from the per-position arrays (no SQL: a
    # query over 1M positions exceeds SQLite's 250,000 variables)
    copies = np.array([copy_of(d) for d in fi.table.doc_ids])[fi.table.doc_index]
    out = []
    for engine, r in zip(engines, rounds):
        keep = np.arange(n) if r is None else np.flatnonzero(copies < r)
        wanted = np.zeros(n, dtype=bool)
        wanted[keep] = True
        exact = faiss.IndexFlatIP(fi.manifest["dim"])
        for lo in range(0, n, 65536):  # decoded a block at a time: one copy of the vectors (the exact index's)
            hi = min(lo + 65536, n)
            exact.add(fi.faiss.reconstruct_n(lo, hi - lo)[wanted[lo:hi]])
        hits = 0
        for q in qs:
            v = faiss_engine.vectors.encode([q], kind="query")[0].astype(np.float32)
            _, want = exact.search(v.reshape(1, -1), 10)
            key = lambda idx, ps: {(c.doc_id, c.seq) for c in idx.chunks_at([int(p) for p in ps])}  # noqa: E731
            got = dense_search(engine.index, v, 10)[0]
            hits += len(key(fi, keep[want[0]]) & key(engine.index, got))
        out.append(hits / (10 * len(qs)))
        del exact
    return out


def copy_of(doc_id: str) -> int:
    """Which copy of a real document a synthetic one is ("d~r" is copy r; the real one is 0)."""
    head, sep, tail = doc_id.rpartition("~")
    return int(tail) if sep and tail.isdigit() else 0


def write_rounds(faiss_dir: Path, store: str, budget: float) -> tuple[float, int, int]:
    """Write the FAISS index's documents into a new Milvus store one copy at a time, each copy
    (~11k chunks) its own commit, through MilvusWriter (an incremental ingest's write path),
    until all are written or `budget` seconds have passed. Returns (seconds, chunks, copies)."""
    from retrieval.store.index import Index
    from retrieval.store.milvus import MilvusWriter, write_lock
    from retrieval.types import Chunk

    index = Index.open(faiss_dir)
    vectors = index.faiss.reconstruct_n(0, index.faiss.ntotal)
    pos_of = {int(cid): p for p, cid in enumerate(index.table.ids)}
    meta = {r[0]: (r[1], r[2]) for r in index.db.execute("SELECT doc_id, file_hash, n_figures FROM documents")}
    first = {r[0]: r[1] for r in index.db.execute("SELECT doc_id, MIN(id) FROM chunks GROUP BY doc_id")}
    by_copy: dict[int, list] = {}
    for d in sorted(index.documents(), key=lambda d: (first.get(d.doc_id, -1), d.doc_id)):
        by_copy.setdefault(copy_of(d.doc_id), []).append(d)
    t0 = time.perf_counter()
    written = copies = 0
    with write_lock(store):
        for r in sorted(by_copy):
            w = MilvusWriter(store, index.model_id, index.manifest["dim"], rebuild=(r == 0))
            for doc in by_copy[r]:
                rows = index.db.execute("SELECT id, seq, start, end, text, tokens, regions FROM chunks WHERE doc_id = ? ORDER BY id",
                                        (doc.doc_id,)).fetchall()
                chunks = [Chunk(doc.doc_id, c["seq"], c["start"], c["end"], c["text"], json.loads(c["regions"])) for c in rows]
                v = vectors[[pos_of[int(c["id"])] for c in rows]] if rows else []
                w.add_document(doc, meta[doc.doc_id][0], chunks, [c["tokens"].split() for c in rows], v, n_figures=meta[doc.doc_id][1])
                written += len(rows)
            w.commit()
            copies += 1
            elapsed = time.perf_counter() - t0
            print(f"  milvus copy {r}: {written:,} chunks in {elapsed:.0f} s ({written / elapsed:.0f}/s)", flush=True)
            if elapsed > budget:
                break
    index.close()
    return time.perf_counter() - t0, written, copies


def one_update(faiss_dir: Path, store: str, encoder) -> tuple[float, float]:
    """Seconds to stage and commit one changed document in each store (vectors precomputed)."""
    from retrieval.ingest.run import _load_gazetteer, _tag, chunk_document
    from retrieval.store.index import Index, Writer
    from retrieval.store.milvus import MilvusWriter
    from retrieval.ingest import run as plain  # its tokenizer, wherever retrieval/text keeps it

    idx = Index.open(faiss_dir)
    doc = next(d for d in idx.documents() if len(d.text) > 2000)
    idx.close()
    changed = type(doc)(**{**doc.__dict__, "text": doc.text + "\nThe district will add 12 new parks in 2026.",
                           "content_hash": doc.content_hash[:-8] + "bench000"})
    _tag(changed, _load_gazetteer())
    chunks = chunk_document(changed, _load_gazetteer())
    toks = [plain.tokenize(f"{changed.title} {c.text}") for c in chunks]
    vecs = encoder.encode([c.text for c in chunks], kind="passage")
    out = []
    for make in (lambda: Writer(faiss_dir, encoder.model_id, encoder.dim), lambda: MilvusWriter(store, encoder.model_id, encoder.dim)):
        t = time.perf_counter()
        w = make()
        w.add_document(changed, "bench", chunks, toks, vecs)
        w.commit()
        out.append(time.perf_counter() - t)
    return out[0], out[1]


def run_sizes(args) -> list[list]:
    from embeddings import load_encoder
    from retrieval.engine import Engine
    from retrieval.store.migrate import copy_index
    from retrieval.store.milvus import release

    encoder = load_encoder()
    qs = questions()
    rows = []
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    for label in args.sizes.split(","):
        n = parse_size(label)
        m0 = machine()
        faiss_dir = work / f"faiss-{label}"
        if n is None:
            shutil.rmtree(faiss_dir, ignore_errors=True)
            shutil.copytree(DEFAULT_INDEX, faiss_dir)
            faiss_write, chunks = float("nan"), json.loads((faiss_dir / "manifest.json").read_text())["chunks"]
        else:
            mem: dict = {}
            faiss_dir, faiss_write, chunks = build_faiss(DEFAULT_INDEX, n, faiss_dir, mem)
            mem_row = memory_row(label, chunks, mem, m0, machine())
            print(f"{label}: FAISS commit memory {mem_row}", flush=True)
            if not args.no_doc:
                write_memory_doc([mem_row])
        print(f"{label}: FAISS {chunks:,} chunks written in {faiss_write:.0f} s", flush=True)
        # FAISS asks first, with nothing of Milvus in the process: timed after the Milvus write
        # (milvus-lite's server, data and background threads in this process) they were several
        # times slower (100k FAISS: 769 ms p50 then, 302 ms before it; docs/BENCHMARKS.md)
        t = time.perf_counter()
        fe = Engine(faiss_dir, encoder=encoder)
        faiss_open = time.perf_counter() - t
        fl = summary(timed_asks(fe, qs, args.passes))
        print(f"{label}: FAISS opened in {faiss_open:.1f} s; asks {fl}", flush=True)
        store = str(work / f"milvus-{label}.db")
        shutil.rmtree(store, ignore_errors=True)
        copies = None  # all of them
        if args.milvus_budget and n is not None:
            milvus_write, m_chunks, done = write_rounds(faiss_dir, store, args.milvus_budget)
            copies = done if m_chunks < chunks else None
        else:
            t = time.perf_counter()
            m_chunks = copy_index(faiss_dir, store, progress=progress_line(label, t))["chunks"]
            milvus_write = time.perf_counter() - t
        t = time.perf_counter()
        me = Engine("/nonexistent", encoder=encoder, store=store)
        milvus_open = time.perf_counter() - t
        print(f"{label}: milvus {m_chunks:,} chunks in {milvus_write:.0f} s; opened {faiss_open:.1f} / {milvus_open:.1f} s", flush=True)
        print(f"{label}: milvus-lite background work after the commit: {others_idle():.0f} s until idle", flush=True)
        ml = summary(timed_asks(me, qs, args.passes))
        f_rec, m_rec = recall_at_10(fe, [fe, me], qs, [None, copies])
        fe.index.close()
        fu, mu = one_update(faiss_dir, store, encoder)
        release(store)
        m1 = machine()
        for name, n_chunks, write, opened, lat, recall, upd in (
                ("faiss", chunks, faiss_write, faiss_open, fl, f_rec, fu),
                ("milvus-lite", m_chunks, milvus_write, milvus_open, ml, m_rec, mu)):
            rows.append([label, f"{n_chunks:,}", name, f"{n_chunks / write:,.0f}" if write == write else "–", fmt_s(opened),
                         f"{ms(lat['p50'])} / {ms(lat['p95'])}", f"{recall:.3f}", fmt_s(upd), f"{m0['load1']} → {m1['load1']}"])
        print(rows[-2], rows[-1], flush=True)
        if not args.no_doc:
            write_sizes_doc(rows)
    return rows


def progress_line(label: str, t0: float):
    """A copy's progress every 5% of its documents, so a long write shows its rate as it goes."""
    step = {"next": 0.0}

    def report(stage: str, done: int, total: int) -> None:
        if total and (done / total >= step["next"] or done == total):
            step["next"] = done / total + 0.05
            print(f"  {label}: milvus {stage} {done:,}/{total:,} documents in {time.perf_counter() - t0:.0f} s"
                  f" (1-min load {os.getloadavg()[0]:.2f})", flush=True)
    return report


def others_idle(quiet_s: float = 10.0, limit_s: float = 3600.0) -> float:
    """Wait until this process's other threads (milvus-lite's compaction and index builds) use
    under 2% of a core over `quiet_s`; returns the seconds waited. Read from /proc, so no
    private milvus-lite API is touched."""
    me = threading.get_native_id()

    def others_cpu() -> float:
        total = 0
        for task in Path("/proc/self/task").iterdir():
            if int(task.name) != me:
                try:
                    f = (task / "stat").read_text().rsplit(")", 1)[1].split()
                    total += int(f[11]) + int(f[12])  # utime + stime, in clock ticks
                except (OSError, IndexError, ValueError):
                    pass
        return total / os.sysconf("SC_CLK_TCK")

    t0 = time.perf_counter()
    while time.perf_counter() - t0 < limit_s:
        a = others_cpu()
        time.sleep(quiet_s)
        if others_cpu() - a < 0.02 * quiet_s:
            break
    return time.perf_counter() - t0


def write_sizes_doc(rows):
    update_doc(
        "store_compare", "FAISS and Milvus stores (bench/store_compare.py)",
        "Write rate (chunks/s through the store's writer, vectors given; 10k is the real index, not rewritten), open "
        "(Engine start, model already loaded), warm `Engine.ask` p50 / p95 over the 15 regional-plans-dev questions × passes "
        "(vector cache emptied before each ask), dense recall@10 against exact search, and one changed document staged + "
        "committed. Milvus is milvus-lite in-process (HNSW M=32, ef=max(256, 2k)); FAISS is the product's default type "
        "for the size (flat below 150k: exact; IVF-SQ8 above). Recall of both stores is against exact search over the "
        "vectors the FAISS index stores (at 1M: SQ8-decoded, which the Milvus copy holds too). Without --milvus-budget "
        "each store takes all chunks in one commit (Milvus: `copy_index`, a new epoch, its HNSW built once at the commit, "
        "which the write time includes). With --milvus-budget the "
        "Milvus store is written one copy of the corpus (~11k chunks) per commit, as incremental ingests would, until the "
        "budget is spent, and measured at the size it reached (its chunks column says which). `load` is the 1-minute "
        "load average before → after the size (2 cores, shared with other engineers' work).",
        ["size", "chunks", "store", "write chunks/s", "open s", "ask p50 / p95 ms", "dense recall@10", "1-doc update s", "load"],
        rows, key_cols=3)


def run_ray(args) -> list[list]:
    from retrieval.ingest.ray_run import ingest_ray
    from retrieval.ingest.run import ingest
    from retrieval.store.milvus import release

    work = Path(args.work) / "ray"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    rows = []
    runs = [("plain → faiss", lambda: ingest(args.ray_compare, work / "faiss")),
            ("plain → milvus-lite", lambda: ingest(args.ray_compare, work / "x", store=str(work / "plain.db"))),
            ("ray (2 encoder actors) → milvus-lite", lambda: ingest_ray(args.ray_compare, str(work / "ray.db"), actors=2)),
            ("ray (1 encoder actor) → milvus-lite", lambda: ingest_ray(args.ray_compare, str(work / "ray1.db"), actors=1))]
    for name, fn in runs:
        if args.ray_runs and not any(k in name for k in args.ray_runs.split(",")):
            continue
        m0 = machine()
        r = fn()
        m1 = machine()
        rows.append([name, f"{r.documents}", f"{r.chunks_embedded:,}", fmt_s(r.seconds), f"{r.chunks_embedded / r.seconds:.1f}",
                     f"{m0['load1']} → {m1['load1']}"])
        print(rows[-1], flush=True)
        if "ray" in name:
            import ray

            ray.shutdown()  # each Ray run starts its own local Ray, start-up included
        for db in ("plain.db", "ray.db", "ray1.db"):
            release(str(work / db))
    if not args.no_doc:
        update_doc(
            "ray_ingest", "Ray ingest against the plain ingest (bench/store_compare.py --ray-compare)",
            "A fresh ingest of the same files, end to end (process already started, model load and — for Ray — the local "
            "Ray start included): documents, chunks embedded, seconds, chunks/s. Ray: the driver hashes files and drops "
            "unchanged ones; `flat_map` tasks (0.5 CPU) read, clean, tag, chunk and tokenise one file each; `map_batches` "
            "runs the encoder actors (0.75 CPU each, one model load each, 1 BLAS thread, batches of 64 chunks); the driver "
            "stages each document as its last chunk comes back and commits once. On 2 shared cores parity is the "
            "expectation: the gain is that the same pipeline spreads over a cluster's nodes (docs/SCALING.md).",
            ["run", "documents", "chunks", "seconds", "chunks/s", "load"], rows, key_cols=1)
    return rows


def memory_row(label: str, chunks: int, mem: dict, m0: dict, m1: dict) -> list:
    from retrieval.store import index, lexical

    code = ("streaming + vector blocks" if hasattr(index, "NextVectors") else "streaming") if hasattr(lexical, "Postings") \
        else "bm25s.index"
    return [label, f"{chunks:,}", code, f"{mem['before_commit_mb']:,.0f}", f"{mem['commit_peak_mb']:,.0f}",
            f"{mem['commit_peak_mb'] - mem['before_commit_mb']:,.0f}", f"{peak_rss_mb():,.0f}", fmt_s(mem["commit_s"]),
            f"{m0['load1']} → {m1['load1']}"]


def write_memory_doc(rows: list[list]) -> None:
    update_doc(
        "writer_memory", "FAISS-store commit memory (bench/store_compare.py --writer-memory)",
        "A synthetic index of each size (the real documents, then re-written copies with perturbed vectors, as in "
        "the store comparison) staged through the FAISS store's `Writer`, then committed: RSS before the commit (the "
        "benchmark's own vectors, n × 2 KiB, the staged documents, the model when the size run loaded it), the "
        "commit's peak RSS (VmHWM reset just before it), the growth, and the process's peak so far. `bm25s.index` is "
        "the commit as it was at e80c231 (bm25s over every chunk's token list as Python strings, all vectors held "
        "throughout); `streaming` is `Lexical.build` reading the chunks' tokens from the SQLite cursor one at a time "
        "into compact arrays, old vectors read back in blocks, vectors released before BM25.",
        ["size", "chunks", "BM25 build", "RSS before commit MB", "commit peak MB", "commit growth MB",
         "process peak MB", "commit s", "load"], rows, key_cols=3)


def run_writer_memory(args) -> list[list]:
    """Peak RSS of a FAISS-store commit (vectors, FAISS, regions, BM25 over every chunk) for a
    synthetic index of each size, each in a fresh process (`--writer-memory 200k`)."""
    import subprocess

    rows = []
    for label in args.writer_memory.split(","):
        if args.child:
            mem: dict = {}
            m0 = machine()
            _, seconds, chunks = build_faiss(DEFAULT_INDEX, parse_size(label), Path(args.work) / f"mem-{label}", mem)
            row = memory_row(label, chunks, mem, m0, machine())
            shutil.rmtree(Path(args.work) / f"mem-{label}", ignore_errors=True)
            print(json.dumps(row, ensure_ascii=False), flush=True)
            rows.append(row)
            continue
        script = Path(args.code) / "bench" / "store_compare.py" if args.code else Path(__file__)
        cmd = [sys.executable, str(script), "--writer-memory", label, "--child", "--work", args.work]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
        print(rows[-1], flush=True)
    if not args.no_doc and not args.child:
        write_memory_doc(rows)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10k,100k")
    ap.add_argument("--passes", type=int, default=2)
    ap.add_argument("--work", default="/tmp/planbot-bench/stores")
    ap.add_argument("--milvus-budget", type=float, help="Write the Milvus store one copy of the corpus per commit and "
                    "stop after this many seconds (it is then measured at the size it reached).")
    ap.add_argument("--ray-compare", nargs="*", help="Instead of the sizes: ingest these paths plainly and on Ray.")
    ap.add_argument("--ray-runs", help="Comma-separated subset of the Ray comparison's runs (by substring).")
    ap.add_argument("--no-doc", action="store_true", help="Print only; leave docs/BENCHMARKS.md alone.")
    ap.add_argument("--writer-memory", help="Instead of the sizes: peak RSS of a FAISS-store commit at these sizes.")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--code", help="With --writer-memory: measure the planbot at this root (a `git archive` of an "
                    "older commit with this bench/ copied in) instead of this one.")
    args = ap.parse_args()
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    if args.writer_memory:
        run_writer_memory(args)
    elif args.ray_compare:
        run_ray(args)
    else:
        run_sizes(args)


if __name__ == "__main__":
    main()
