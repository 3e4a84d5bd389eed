"""BM25 (retrieval/lexical.py `Lexical`) at 10k / 100k / 1M chunks: build time, memory, save
size, load time and query latency; and faster ways to compute the same scores.

    .venv/bin/python bench/lexical_scale.py                    # 10k (real), 100k, 1M
    .venv/bin/python bench/lexical_scale.py --sizes 10k,100k --passes 3

Token lists: the real index's 11,415 chunk token lists (the `tokens` column `planbot ingest`
stores), scaled up with perturbed copies (bench/_common.py `scaled_tokens`: shuffled, 15% of
tokens dropped, 15% doubled, 5% replaced by a random corpus token). Queries: real eval-set
questions through `retrieval.query.analyse` + `retrieval.search.query_tokens` (expansions
included), exactly the weighted tokens `Engine.ask_with_hits` passes to `lexical_search`.

Variants of `Lexical.scores` timed side by side (each checked equal to the current one):
  add.at   the current code: np.add.at(out, indices[lo:hi], w * data[lo:hi]) per token
  fancy    out[indices[lo:hi]] += w * data[lo:hi] — a CSC column holds each row once, so
           unbuffered add.at is not needed
  bincount one np.bincount over the concatenated postings of all query tokens
and `lexical_search` (scores, mask, count of positives, argpartition over all n) against a
version that only ranks the positions the query touched.
"""
from __future__ import annotations

import argparse
import gc
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    DEFAULT_INDEX, bench_questions, fmt_s, machine, machine_line, ms, new_run_id, peak_rss_mb, real_tokens, reset_peak_rss, rss_mb,
    scaled_tokens, summary, save_progress, update_doc,
)

import numpy as np  # noqa: E402

SIZES = {"10k": None, "100k": 100_000, "1m": 1_000_000}
DEPTH = 50


# -- the variants ----------------------------------------------------------------------------
def _postings(lex, weighted):
    vocab = lex.bm25.vocab_dict
    s = lex.bm25.scores
    for tok, w in weighted.items():
        tid = vocab.get(tok)
        if tid is None or w == 0:
            continue
        yield w, s["indptr"][tid], s["indptr"][tid + 1]


def scores_fancy(lex, weighted) -> np.ndarray:
    out = np.zeros(lex.size, dtype=np.float32)
    s = lex.bm25.scores
    data, indices = s["data"], s["indices"]
    for w, lo, hi in _postings(lex, weighted):
        out[indices[lo:hi]] += np.float32(w) * data[lo:hi]
    return out


def scores_bincount(lex, weighted) -> np.ndarray:
    s = lex.bm25.scores
    data, indices = s["data"], s["indices"]
    parts = list(_postings(lex, weighted))
    if not parts:
        return np.zeros(lex.size, dtype=np.float32)
    idx = np.concatenate([indices[lo:hi] for _, lo, hi in parts])
    val = np.concatenate([np.float32(w) * data[lo:hi] for w, lo, hi in parts])
    return np.bincount(idx, weights=val, minlength=lex.size).astype(np.float32)


def search_current(lex, weighted, k=DEPTH, mask=None):
    """retrieval/search.py lexical_search over a Lexical instead of an Index."""
    from retrieval.ask.search import top_positive

    return top_positive(lex.scores(weighted), k, mask)


def search_nonzero(lex, weighted, k=DEPTH, mask=None):
    """Same result: the current scores, then rank only the positive positions (np.flatnonzero)
    instead of negating and argpartitioning all n."""
    scores = lex.scores(weighted)
    if mask is not None:
        scores = np.where(mask, scores, 0.0)
    cand = np.flatnonzero(scores > 0)
    n = min(k, len(cand))
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    sc = scores[cand]
    part = np.argpartition(-sc, n - 1)[:n] if n < len(cand) else np.arange(len(cand))
    order = part[np.argsort(-sc[part], kind="stable")]
    return cand[order], sc[order]


def search_touched(lex, weighted, k=DEPTH, mask=None):
    """Same result: fancy-index accumulation, then rank only the positions some query token touched."""
    s = lex.bm25.scores
    data, indices = s["data"], s["indices"]
    parts = list(_postings(lex, weighted))
    if not parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    out = np.zeros(lex.size, dtype=np.float32)
    for w, lo, hi in parts:
        out[indices[lo:hi]] += np.float32(w) * data[lo:hi]
    cand = np.unique(np.concatenate([indices[lo:hi] for _, lo, hi in parts]))
    if mask is not None:
        cand = cand[mask[cand]]
    sc = out[cand]
    pos = sc > 0
    cand, sc = cand[pos], sc[pos]
    n = min(k, len(cand))
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    # ties broken by position, as the stable sort over all positions does
    part = np.argpartition(-sc, n - 1)[:n] if n < len(sc) else np.arange(len(sc))
    kth = sc[part].min()
    sel = np.flatnonzero(sc >= kth)  # every candidate tied with the cut-off, in position order
    order = sel[np.lexsort((cand[sel], -sc[sel]))][:n]
    return cand[order], sc[order]


def timed(fn, queries, passes: int):
    per_pass, pooled = [], []
    for _ in range(passes):
        lat = []
        for wq in queries:
            t = time.perf_counter()
            fn(wq)
            lat.append(time.perf_counter() - t)
        per_pass.append(float(np.median(lat)))
        pooled += lat
    s = summary(pooled)
    p50s = np.array(per_pass)
    return {"p50": float(np.median(p50s)), "p95": s["p95"], "spread": float((p50s.max() - p50s.min()) / np.median(p50s))}


def query_weights(n: int) -> list[dict[str, float]]:
    from retrieval.ask.query import analyse
    from retrieval.knowledge.regions import load_gazetteer
    from retrieval.ask.search import query_tokens

    gaz = load_gazetteer()
    out = []
    for q in bench_questions(n):
        a = analyse(q, gazetteer=gaz)
        out.append(query_tokens(q, a.expansions))
    return out


def run_size(label: str, tokens: list[list[str]], queries, args) -> dict:
    from retrieval.store.lexical import Lexical

    n = len(tokens)
    builds = []
    reps = args.build_repeat if n <= 200_000 else 1
    lex = None
    peak = base = 0.0
    for _ in range(reps):
        lex = None
        gc.collect()
        base = rss_mb()
        reset_peak_rss()
        t = time.perf_counter()
        lex = Lexical.build(iter(tokens))
        builds.append(time.perf_counter() - t)
        peak = peak_rss_mb()
    gc.collect()
    held = rss_mb() - base
    s = lex.bm25.scores
    arrays_mb = sum(s[k].nbytes for k in ("data", "indices", "indptr")) / 2**20
    tmp = Path(tempfile.mkdtemp(prefix="planbot-lex-", dir="/tmp"))
    try:
        t = time.perf_counter()
        lex.save(tmp)
        save_s = time.perf_counter() - t
        disk_mb = sum(p.stat().st_size for p in tmp.rglob("*") if p.is_file()) / 2**20
        loads = []
        for _ in range(args.build_repeat):
            t = time.perf_counter()
            Lexical.load(tmp)
            loads.append(time.perf_counter() - t)
            gc.collect()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    # correctness of the variants
    for wq in queries[:50]:
        ref = lex.scores(wq)
        assert np.allclose(scores_fancy(lex, wq), ref, rtol=1e-5, atol=1e-5)
        assert np.allclose(scores_bincount(lex, wq), ref, rtol=1e-4, atol=1e-4)
        a, sa = search_current(lex, wq)
        b, sb = search_touched(lex, wq)
        assert np.allclose(sa, sb, rtol=1e-5, atol=1e-5), (sa[:5], sb[:5])
        c, sc_ = search_nonzero(lex, wq)
        assert np.allclose(sa, sc_, rtol=1e-5, atol=1e-5)
    touched = [sum(int(hi - lo) for _, lo, hi in _postings(lex, wq)) for wq in queries]

    # a heavy query: the 12 tokens with the most postings (e.g. 发展, 建设, 推进), weight 1 each
    indptr = s["indptr"]
    df = np.diff(indptr)
    inv = {i: t for t, i in lex.bm25.vocab_dict.items()}
    heavy = {inv[int(i)]: 1.0 for i in np.argsort(-df)[:12] if int(i) in inv}
    heavy_postings = int(sum(df[lex.bm25.vocab_dict[t]] for t in heavy))

    res = {"size": label, "n": n, "nnz": int(len(s["data"])), "vocab": len(lex.bm25.vocab_dict),
           "build_s": float(np.median(builds)), "build_spread": float((max(builds) - min(builds)) / np.median(builds)) if len(builds) > 1 else 0.0,
           "build_peak_mb": peak - base, "held_mb": held, "arrays_mb": arrays_mb, "disk_mb": disk_mb, "save_s": save_s,
           "load_s": float(np.median(loads)), "postings_per_query": float(np.median(touched)), "lat": {}}
    res["heavy_postings"] = heavy_postings
    res["heavy"] = {}
    for name, fn in [("add.at", lex.scores), ("fancy", lambda w: scores_fancy(lex, w)), ("bincount", lambda w: scores_bincount(lex, w)),
                     ("search current", lambda w: search_current(lex, w)), ("search nonzero", lambda w: search_nonzero(lex, w)),
                     ("search touched", lambda w: search_touched(lex, w))]:
        res["heavy"][name] = timed(fn, [heavy] * 20, args.passes)
    for name, fn in [("add.at", lex.scores), ("fancy", lambda w: scores_fancy(lex, w)), ("bincount", lambda w: scores_bincount(lex, w)),
                     ("search current", lambda w: search_current(lex, w)), ("search nonzero", lambda w: search_nonzero(lex, w)),
                     ("search touched", lambda w: search_touched(lex, w))]:
        res["lat"][name] = timed(fn, queries, args.passes)
    lat = res["lat"]
    print(f"  build {fmt_s(res['build_s'])}s (peak +{res['build_peak_mb']:.0f} MB, held {held:.0f} MB, arrays {arrays_mb:.0f} MB, "
          f"disk {disk_mb:.0f} MB, load {fmt_s(res['load_s'])}s), nnz {res['nnz']:,}, postings/query {res['postings_per_query']:,.0f}", flush=True)
    for name, v in lat.items():
        h = res["heavy"][name]
        print(f"  {name:15} p50 {ms(v['p50']):>7} ms  p95 {ms(v['p95']):>7} ms  (p50 spread {v['spread']:.0%}); "
              f"heavy query ({heavy_postings:,} postings) p50 {ms(h['p50'])} ms", flush=True)
    del lex
    gc.collect()
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    ap.add_argument("--sizes", default="10k,100k,1m")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--passes", type=int, default=3, help="timed passes over the queries")
    ap.add_argument("--build-repeat", type=int, default=3, help="builds at ≤200k chunks (one above)")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--no-doc", action="store_true")
    args = ap.parse_args()
    m = machine()
    print(machine_line(m), flush=True)
    base = real_tokens(args.index)
    queries = query_weights(args.queries)
    run_id = new_run_id()
    results = []
    for spec in args.sizes.split(","):
        label = spec.strip().lower()
        n = SIZES.get(label) or (int(float(label.replace("k", "e3").replace("m", "e6"))) if label not in SIZES else len(base))
        t = time.perf_counter()
        toks = scaled_tokens(base, n) if n > len(base) else base
        print(f"\n== {label}: {len(toks):,} chunks (token lists made in {fmt_s(time.perf_counter() - t)}s) ==", flush=True)
        results.append(run_size(label, toks, queries, args))
        del toks
        gc.collect()
        save_progress(results, args.json, None if args.no_doc else lambda r: write_doc(r, m, run_id, args))


def write_doc(results, m, run_id, args) -> None:
    rows = []
    for r in results:
        lat = r["lat"]
        cur, fan, bc = lat["add.at"], lat["fancy"], lat["bincount"]
        sc, st = lat["search current"], lat["search touched"]
        snz = lat.get("search nonzero", {"p50": float("nan"), "p95": float("nan")})
        rows.append([
            r["size"], f"{r['n']:,}", f"{r['nnz']:,}", fmt_s(r["build_s"]), f"{r['build_peak_mb']:.0f}", f"{r['arrays_mb']:.0f}",
            f"{r['disk_mb']:.0f}", fmt_s(r["load_s"]), f"{r['postings_per_query']:,.0f}",
            f"{ms(cur['p50'])} / {ms(cur['p95'])}", f"{ms(fan['p50'])} / {ms(fan['p95'])}", f"{ms(bc['p50'])} / {ms(bc['p95'])}",
            f"{ms(sc['p50'])} / {ms(sc['p95'])}", f"{ms(snz['p50'])} / {ms(snz['p95'])}", f"{ms(st['p50'])} / {ms(st['p95'])}",
            f"{r['heavy_postings']:,}", " / ".join(ms(r["heavy"][k]["p50"]) if k in r["heavy"] else "–"
                                                   for k in ("add.at", "fancy", "bincount", "search current", "search nonzero", "search touched")),
        ])
    update_doc(
        "lexical_scale", "BM25 at scale (bench/lexical_scale.py)",
        "`Lexical.build` / `.save` / `.load` and query latency over the real chunk token lists scaled up with "
        "perturbed copies (shuffled; 15% of tokens dropped, 15% doubled, 5% replaced by a random corpus token). "
        f"Queries: {args.queries} real eval-set questions as `analyse` + `query_tokens` weight them. Latencies are "
        "p50 / p95 ms (median of per-pass p50 over the passes; p95 pooled). `scores()` variants: `add.at` is the "
        "current code, `fancy` = `out[idx] += w*data` (CSC columns never repeat a row), `bincount` = one "
        "`np.bincount` over all postings. `search current` = `lexical_search` as it is (scores + mask + "
        "count + argpartition over all n); `search nonzero` = the same scores, then argpartition over the positive "
        "positions only (`np.flatnonzero`); `search touched` = fancy scores, then rank only the touched positions "
        "(same hits and scores, checked). Build peak = VmHWM growth during `Lexical.build`. The heavy query is the 12 "
        "tokens with the most postings at weight 1 (a worst case: real questions touch few postings), p50 ms.",
        ["size", "chunks", "postings (nnz)", "build s", "build peak MB", "arrays MB", "disk MB", "load s",
         "postings/query", "scores add.at", "scores fancy", "scores bincount", "search current", "search nonzero", "search touched",
         "heavy query postings", "heavy p50: add.at / fancy / bincount / search current / nonzero / touched"],
        rows, key_cols=1, machine_info=m, run_id=run_id,
    )


if __name__ == "__main__":
    main()
