"""Warm `Engine.ask` latency at 10k / 100k / 1M chunks, split into its pieces.

    .venv/bin/python bench/query_latency.py                         # 10k (real), 100k, 1M
    .venv/bin/python bench/query_latency.py --sizes 10k --questions 40 --passes 2

One process, one encoder, one Engine over the real index (/tmp/idx1, 11,415 chunks). For each
size, every question is answered twice: once by a plain `Engine.ask` (the end-to-end figure),
once by `Engine.ask_with_hits` with the functions it calls wrapped in timers (the breakdown;
exclusive times, so nothing is counted twice, and it follows the engine as it is today):

  analyse          Engine.analyse (language, regions, period, metric, expansions)
  embed            encoder.encode([question], kind="query")
  query tokens     retrieval.search.query_tokens
  mask             pipeline.region_scope (questions naming a region)
  uncovered years  pipeline.uncovered_years;  unknown names: ask/names.unknown_names
  dense            retrieval.search.dense_search (FAISS, depth 50)
  lexical          retrieval.search.lexical_search (BM25, depth 50)
  fusion           the rest of hybrid_search: RRF, top, index.chunks_at, Hit objects
  focused          retrieval.search.focused_hits (its BM25 search included)
  sentences.find   candidates.candidate_sentences;  sentences.embed: encoding them (kind="passage")
  compose          scoring.score_sentences + compose.compose
  other            the rest of ask_with_hits (validation, idf, dates, ...)

Beside them, not in the total: `dense@1t` (the same dense_search with FAISS at 1 thread) and
`embed@1t` / `sentences@1t` (the same encodes through a USE encoder built with threads=1).

Sizes beyond the real corpus are synthetic Index objects built in memory (no files):
  vectors  the real chunk vectors plus perturbed copies (+N(0, 0.04²) per dimension,
           re-normalised), in the FAISS type `choose_index_type` picks (flat < 150k ≤ IVF-SQ8),
           built by retrieval.index.build_faiss
  BM25     Lexical.build over the real token lists plus perturbed copies (shuffled, 15% dropped,
           15% doubled, 5% replaced by a random corpus token)
  chunks   an in-memory SQLite whose `chunks` view maps copy i to real chunk (i mod 11,415)
           (text, offsets, document, regions), so fetching hits and composing answers run on
           real text; `documents` is the real table.
"""
from __future__ import annotations

import argparse
import gc
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    DEFAULT_INDEX, bench_questions, fmt_s, live_generation, machine, machine_line, ms, new_run_id, real_tokens,
    rss_mb, scaled_tokens, scaled_vectors, summary, save_progress, update_doc,
)

import numpy as np  # noqa: E402

SIZES = {"10k": None, "100k": 100_000, "1m": 1_000_000}
PIECES = ["analyse", "embed", "query tokens", "mask", "uncovered years", "unknown names", "dense", "lexical", "fusion",
          "focused", "sentences.find", "sentences.embed", "compose"]


# -- synthetic index -----------------------------------------------------------------------------
_LEXICAL: dict = {}

def synthetic_index(real, n: int, faiss_type: str | None, cache_dir: Path | None):
    import faiss

    from retrieval.store.index import Index, build_faiss, choose_index_type
    from retrieval.store.lexical import Lexical

    n_base = len(real)
    index_type = faiss_type or choose_index_type(n)
    t0 = time.perf_counter()
    cache = cache_dir / f"faiss-{n}-{index_type}.faiss" if cache_dir else None
    if cache and cache.exists():
        fi = faiss.read_index(str(cache))
        how = f"read {cache}"
        if index_type == "hnsw":
            faiss.downcast_index(fi).hnsw.efSearch = 1024  # as build_faiss sets it (the cache may predate that)
    else:
        base_vecs = real.faiss.reconstruct_n(0, n_base)
        X = scaled_vectors(base_vecs, n)
        fi = build_faiss(X, index_type)
        del X
        gc.collect()
        how = "built"
        if cache:
            cache.parent.mkdir(parents=True, exist_ok=True)
            faiss.write_index(fi, str(cache))
    t_faiss = time.perf_counter() - t0
    t0 = time.perf_counter()
    if n not in _LEXICAL:  # one synthetic BM25 per size, shared by the FAISS types compared
        toks = scaled_tokens(real_tokens(real.dir), n)
        _LEXICAL.clear()
        _LEXICAL[n] = Lexical.build(iter(toks))
        del toks
        gc.collect()
    lex = _LEXICAL[n]
    t_lex = time.perf_counter() - t0

    db = sqlite3.connect(":memory:", check_same_thread=False)
    db.row_factory = sqlite3.Row
    gen = live_generation(real.dir)
    db.execute("ATTACH DATABASE ? AS base", (f"file:{gen / 'chunks.sqlite'}?mode=ro",))
    db.execute("CREATE TABLE idmap (id INTEGER PRIMARY KEY, base INTEGER NOT NULL)")
    real_ids = real.table.ids.astype(np.int64)
    ids = np.empty(n, dtype=np.int64)
    ids[:n_base] = real_ids
    ids[n_base:] = int(real_ids.max()) + 1 + np.arange(n - n_base)
    base_of = real_ids[np.arange(n) % n_base]
    db.executemany("INSERT INTO idmap VALUES (?, ?)", zip(ids.tolist(), base_of.tolist()))
    db.execute("CREATE TEMP VIEW chunks AS SELECT m.id AS id, c.doc_id AS doc_id, c.seq AS seq, c.start AS start, "
               "c.\"end\" AS \"end\", c.text AS text, c.tokens AS tokens, c.regions AS regions "
               "FROM idmap m JOIN base.chunks c ON c.id = m.base")
    db.execute("CREATE TEMP VIEW documents AS SELECT * FROM base.documents")
    import dataclasses

    # every other per-document field (doc_ids, languages, ...) carries over from the real table
    table = dataclasses.replace(real.table, ids=ids, doc_index=real.table.doc_index[np.arange(n) % n_base])
    manifest = dict(real.manifest, index_type=index_type, chunks=n, generation=f"synthetic-{n}")
    idx = Index(real.dir, manifest, db, fi, lex, table)
    print(f"  synthetic index: {n:,} chunks, FAISS {index_type} {how} in {fmt_s(t_faiss)}s, BM25 built in {fmt_s(t_lex)}s", flush=True)
    return idx


# -- one question, piece by piece ------------------------------------------------------------------
class Pieces:
    """Times the functions Engine.ask_with_hits calls, by wrapping them for one call of the real
    ask_with_hits (so the breakdown follows the engine as it is, whatever it calls in what order).
    Times are exclusive: a wrapped call inside another is charged to the inner label only."""

    def __init__(self, engine, enc1=None, flip=False):
        self.engine, self.enc1, self.flip = engine, enc1, flip
        self.t: dict[str, float] = {}
        self.stack: list[list] = []  # [label, start, child time]
        self._undo: list = []

    def _run(self, label, fn, *a, **kw):
        frame = [label, time.perf_counter(), 0.0]
        self.stack.append(frame)
        try:
            return fn(*a, **kw)
        finally:
            self.stack.pop()
            spent = time.perf_counter() - frame[1]
            self.t[label] = self.t.get(label, 0.0) + spent - frame[2]
            if self.stack:
                self.stack[-1][2] += spent

    def _side(self, label, fn, *a, **kw):
        """A comparison call (not part of the breakdown): timed alone, its time hidden from the parent."""
        s = time.perf_counter()
        fn(*a, **kw)
        spent = time.perf_counter() - s
        self.t[label] = self.t.get(label, 0.0) + spent
        if self.stack:
            self.stack[-1][2] += spent

    def _patch(self, obj, name, wrapper_factory):
        orig = getattr(obj, name)
        setattr(obj, name, wrapper_factory(orig))
        self._undo.append((obj, name, orig))

    def __enter__(self):
        import faiss

        import retrieval.ask.pipeline as pipeline_mod
        import retrieval.ask.search as search_mod

        P = self
        eng = self.engine

        def simple(label):
            return lambda orig: (lambda *a, **kw: P._run(label, orig, *a, **kw))

        def search_piece(label):
            def factory(orig):
                def wrapped(*a, **kw):
                    lab = "focused" if any(f[0] == "focused" for f in P.stack) else label
                    if label == "dense" and lab == "dense":
                        def one_thread():
                            n = faiss.omp_get_max_threads()
                            faiss.omp_set_num_threads(1)
                            try:
                                orig(*a, **kw)
                            finally:
                                faiss.omp_set_num_threads(n)
                        if P.flip:
                            P._side("dense@1t", one_thread)
                        out = P._run(lab, orig, *a, **kw)
                        if not P.flip:
                            P._side("dense@1t", one_thread)
                        return out
                    return P._run(lab, orig, *a, **kw)
                return wrapped
            return factory

        def encode_factory(orig):
            def wrapped(texts, kind="passage", **kw):
                label = "embed" if kind == "query" else "sentences.embed"
                side = "embed@1t" if kind == "query" else "sentences@1t"
                if P.enc1 is not None and P.flip:
                    P._side(side, P.enc1.encode, texts, kind=kind, **kw)
                out = P._run(label, orig, texts, kind=kind, **kw)
                if P.enc1 is not None and not P.flip:
                    P._side(side, P.enc1.encode, texts, kind=kind, **kw)
                if kind == "passage":
                    P.t["n_sentences"] = P.t.get("n_sentences", 0) + len(texts)
                return out
            return wrapped

        # the pipeline's stages call these by their names in retrieval/ask/pipeline.py
        self._patch(pipeline_mod, "analyse_question", simple("analyse"))
        self._patch(eng.encoder, "encode", encode_factory)
        for name, label in [("region_scope", "mask"), ("uncovered_years", "uncovered years"),
                            ("unknown_names", "unknown names"), ("hybrid_search", "fusion"), ("focused_hits", "focused"),
                            ("query_tokens", "query tokens"), ("candidate_sentences", "sentences.find"),
                            ("score_sentences", "compose"), ("compose", "compose")]:
            self._patch(pipeline_mod, name, simple(label))
        self._patch(search_mod, "dense_search", search_piece("dense"))
        self._patch(search_mod, "lexical_search", search_piece("lexical"))
        return self

    def __exit__(self, *exc):
        for obj, name, orig in reversed(self._undo):
            if obj is self.engine or obj is self.engine.encoder:
                delattr(obj, name)  # drop the instance attribute: the class method shows again
            else:
                setattr(obj, name, orig)
        self._undo.clear()


def forget(engine) -> None:
    """Empty the engine's vector cache, so every timed ask embeds its question and sentences."""
    cache = getattr(engine, "vectors", None)
    if cache is not None:
        cache.clear()


def ask_in_pieces(engine, question: str, t: dict, enc1=None) -> None:
    flip = t.pop("_flip", False)  # alternate which encoder / thread count goes first
    with Pieces(engine, enc1, flip) as P:
        s = time.perf_counter()
        engine.ask_with_hits(question)
        total = time.perf_counter() - s
    side = sum(v for k, v in P.t.items() if k.endswith("@1t"))
    accounted = sum(v for k, v in P.t.items() if k in PIECES)
    P.t["other"] = max(0.0, total - side - accounted)
    for k, v in P.t.items():
        t[k] = t.get(k, 0.0) + v


EXTRA = ["dense@1t", "embed@1t", "sentences@1t"]
SUB = ["other"]


def run_size(engine, label: str, questions: list[str], passes: int, enc1=None, warmup: int = 10) -> dict:
    # warm-up (caches: jieba, vocab, script mix, SQLite pages, FAISS/BLAS thread pools)
    for q in questions[:warmup]:
        engine.ask(q)
        ask_in_pieces(engine, q, {}, enc1)
    totals, repeat, per_piece = [], [], {p: [] for p in PIECES + EXTRA + SUB + ["n_sentences"]}
    pass_p50 = []
    for _ in range(passes):
        lat = []
        for i, q in enumerate(questions):
            forget(engine)
            s = time.perf_counter()
            engine.ask(q)
            lat.append(time.perf_counter() - s)
            # the same question again, its sentences still in the engine's vector cache
            s = time.perf_counter()
            engine.ask(q)
            repeat.append(time.perf_counter() - s)
            forget(engine)
            t: dict = {"_flip": bool(i % 2)}
            ask_in_pieces(engine, q, t, enc1)
            for p in per_piece:
                per_piece[p].append(t.get(p, 0.0))
        totals += lat
        pass_p50.append(float(np.median(lat)))
    tot = summary(totals)
    out = {"size": label, "n": len(engine.index), "index_type": engine.index.manifest["index_type"],
           "ask_p50": tot["p50"], "ask_p95": tot["p95"],
           "repeat_p50": float(np.median(repeat)) if repeat else None,
           "ask_spread": float((max(pass_p50) - min(pass_p50)) / np.median(pass_p50)) if passes > 1 else 0.0,
           "pieces": {p: {"p50": float(np.median(v)), "p95": float(np.percentile(v, 95)), "mean": float(np.mean(v))}
                      for p, v in per_piece.items()}}
    pieces_sum = sum(out["pieces"][p]["mean"] for p in PIECES + ["other"])
    out["pieces_mean_sum"] = pieces_sum
    out["ask_mean"] = float(np.mean(totals))
    print(f"  Engine.ask p50 {ms(tot['p50'])} ms, p95 {ms(tot['p95'])} ms (mean {ms(out['ask_mean'])}; pieces' means add up to "
          f"{ms(pieces_sum)}); pass-to-pass p50 spread {out['ask_spread']:.0%}", flush=True)
    for p in PIECES + EXTRA + SUB:
        v = out["pieces"][p]
        print(f"    {p:10} p50 {ms(v['p50']):>8} ms  p95 {ms(v['p95']):>8} ms  mean {ms(v['mean']):>8} ms", flush=True)
    print(f"    candidate sentences embedded per question: {out['pieces']['n_sentences']['mean']:.0f}", flush=True)
    if repeat:
        print(f"  the same question asked again (vector cache warm): p50 {ms(out['repeat_p50'])} ms", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    ap.add_argument("--sizes", default="10k,100k,1m")
    ap.add_argument("--questions", type=int, default=40, help="real eval questions (all 15 regional-plans-dev first)")
    ap.add_argument("--passes", type=int, default=2, help="timed passes over the questions")
    ap.add_argument("--warmup", type=int, default=10, help="questions answered once before timing")
    ap.add_argument("--no-1t", action="store_true", help="skip the 1-thread encoder comparison")
    ap.add_argument("--faiss-type", help="comma list of flat, ivf-sq8, hnsw: run each size with each (in one process) "
                    "instead of the type choose_index_type picks")
    ap.add_argument("--faiss-cache", type=Path, help="keep/reuse synthetic FAISS indexes in this folder")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--no-doc", action="store_true")
    args = ap.parse_args()

    import faiss

    from embeddings import load_encoder
    from retrieval.engine import Engine

    m = machine()
    print(machine_line(m), f"| FAISS threads at start {faiss.omp_get_max_threads()} (dense_search sets 1)", flush=True)
    encoder = load_encoder()
    enc1 = None
    if not args.no_1t:
        enc1 = load_encoder(threads=1)
    engine = Engine(args.index, encoder=encoder)
    real = engine.index
    questions = bench_questions(args.questions)
    run_id = new_run_id()
    results = []
    for spec in args.sizes.split(","):
        label = spec.strip().lower()
        n = SIZES.get(label) if label in SIZES else int(float(label.replace("k", "e3").replace("m", "e6")))
        for ftype in (args.faiss_type.split(",") if args.faiss_type else [None]):
            if n and n > len(real):
                engine.index = synthetic_index(real, n, ftype, args.faiss_cache)
            else:
                engine.index = real
            print(f"\n== {label}: {len(engine.index):,} chunks, FAISS {engine.index.manifest['index_type']}, "
                  f"{len(questions)} questions × {args.passes} passes; RSS {rss_mb():.0f} MB ==", flush=True)
            res = run_size(engine, label, questions, args.passes, enc1, args.warmup)
            res["rss_mb"] = rss_mb()
            results.append(res)
            if engine.index is not real:
                engine.index.db.close()
                engine.index = real
                gc.collect()
        save_progress(results, args.json, None if args.no_doc else lambda r: write_doc(r, m, run_id, args))


def write_doc(results, m, run_id, args) -> None:
    cols = PIECES + ["other"] + EXTRA
    rows = []
    for r in results:
        p = r["pieces"]
        rows.append([r["size"], f"{r['n']:,}", r["index_type"], f"{ms(r['ask_p50'])} / {ms(r['ask_p95'])}", ms(r["ask_mean"]),
                     ms(r["repeat_p50"]) if r.get("repeat_p50") is not None else "–", f"{r['ask_spread']:.0%}"] + [ms(p[x]["mean"]) if x in p else "–" for x in cols]
                    + [f"{p['n_sentences']['mean']:.0f}", f"{r.get('rss_mb', float('nan')):.0f}"])
    update_doc(
        "query_latency", "Query latency, warm (bench/query_latency.py)",
        f"`Engine.ask` end to end (p50 / p95 and mean ms), then the mean ms per question of each function "
        f"`ask_with_hits` calls (exclusive times from wrapping them; they add up to the mean) over {args.questions} real "
        f"eval questions (the 15 regional-plans-dev ones first, then xquad / cmrc2018 / drcd in turn) × {args.passes} passes "
        "after a warm-up. 100k and 1M are synthetic in-memory indexes: real vectors plus perturbed copies (+N(0, 0.04²), "
        "re-normalised) in the FAISS type `choose_index_type` picks, BM25 over perturbed copies of the real token lists, "
        "chunk rows mapped onto the real chunks (see the script's docstring); copies share their original's text, so fewer "
        "distinct candidate sentences come up there (`sent/q`). The engine's vector cache is emptied before every timed "
        "ask; `repeat p50` is the same question asked again at once (its sentences cached). Not in the total: `dense@1t` = "
        "dense_search with FAISS forced to 1 thread (runs from 2026-11-24 09:00 on: the product's own setting, so equal to "
        "`dense`); `embed@1t` / `sentences@1t` = the same encodes through `load_encoder(threads=1)` (the product uses "
        "one thread per core).",
        ["size", "chunks", "FAISS", "Engine.ask p50 / p95", "ask mean", "repeat p50", "p50 spread"] + cols + ["sent/q", "RSS MB"],
        rows, key_cols=3, machine_info=m, run_id=run_id,
    )


if __name__ == "__main__":
    main()
