"""FAISS index types at 10k / 100k / 1M chunks: build time, memory, single-query latency,
recall@10 against exact search.

    .venv/bin/python bench/index_types.py                      # 10k (the real index), 100k, 1M
    .venv/bin/python bench/index_types.py --sizes 10k,100k --queries 100

Vectors: the real index's 11,415 chunk vectors (USE v3, 512-d), scaled up with perturbed
copies (bench/_common.py `scaled_vectors`: + N(0, 0.04²) per dimension, re-normalised, so a
copy is about as close to its original as a real chunk's nearest neighbour is). Queries: real
question embeddings from the eval sets (bench/_common.py `bench_questions`). Every search asks
for k=50, the depth `hybrid_search` asks FAISS for; recall@10 is over the first 10 of those
against IndexFlatIP's exact top 10. Latency is one query per call, as `dense_search` does,
with FAISS threads = 1 (`--search-threads`), as retrieval.search.dense_search sets; the exact index
is timed with all cores too, for comparison. Builds use all cores. Only one index over the n×512 float32 vectors is alive
at a time (plus the vectors themselves).
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from retrieval.store.index import TRAIN_PER_LIST  # noqa: E402
from _common import (  # noqa: E402
    DEFAULT_INDEX, NOISE_SIGMA, bench_questions, fmt_s, machine, machine_line, ms, new_run_id, query_vectors, real_vectors,
    rss_mb, scaled_vectors, set_threads, summary, save_progress, update_doc,
)

import numpy as np  # noqa: E402

K_PRODUCT = 50  # hybrid_search(depth=50) asks FAISS for 50 neighbours
SIZES = {"10k": None, "100k": 100_000, "1m": 1_000_000}


def parse_size(s: str) -> tuple[str, int | None]:
    s = s.strip().lower()
    if s in SIZES:
        return s, SIZES[s]
    return s, int(float(s.replace("k", "e3").replace("m", "e6")))


def index_bytes(index) -> int:
    import faiss

    with tempfile.NamedTemporaryFile(dir="/tmp", suffix=".faiss") as fh:
        faiss.write_index(index, fh.name)
        return os.path.getsize(fh.name)


def timed_search(index, queries: np.ndarray, k: int, params=None) -> tuple[np.ndarray, list[float]]:
    out = np.empty((len(queries), k), dtype=np.int64)
    lat = []
    for i in range(len(queries)):
        q = queries[i:i + 1]
        t = time.perf_counter()
        _, I = index.search(q, k, params=params) if params is not None else index.search(q, k)
        lat.append(time.perf_counter() - t)
        out[i] = I[0]
    return out, lat


def recall_at10(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f[:10]) & set(t[:10])) / 10 for f, t in zip(found, truth)]))


def run_size(label: str, X: np.ndarray, Q: np.ndarray, args) -> list[dict]:
    import faiss

    n, d = X.shape
    rows: list[dict] = []

    def record(kind: str, params: str, build_s: float, mem: int, rss_delta: float, found, lat):
        s = summary(lat)
        row = {"size": label, "n": n, "index": kind, "params": params, "build_s": build_s, "bytes": mem,
               "rss_delta_mb": rss_delta, "p50": s["p50"], "p95": s["p95"], "spread": s["spread"],
               "recall@10": recall_at10(found, truth)}
        rows.append(row)
        print(f"  {kind:10} {params:26} build {fmt_s(build_s):>7}s  mem {mem / 2**20:8.0f} MB  "
              f"p50 {ms(s['p50']):>7} ms  p95 {ms(s['p95']):>7} ms  recall@10 {row['recall@10']:.3f}", flush=True)

    # exact ground truth (batched; not timed) and the exact index's own single-query figures
    r0 = rss_mb()
    t = time.perf_counter()
    flat = faiss.IndexFlatIP(d)
    flat.add(X)
    build = time.perf_counter() - t
    _, truth = flat.search(Q, 10)
    nq_flat = min(len(Q), args.flat_queries if n > 200_000 else len(Q))
    truth_full = truth
    truth = truth_full[:nq_flat]
    rss_delta = rss_mb() - r0
    for th in sorted({args.search_threads, args.build_threads}):
        faiss.omp_set_num_threads(th)
        found, lat = timed_search(flat, Q[:nq_flat], K_PRODUCT)
        record("flat", f"IndexFlatIP (exact), {th} thread{'s' if th > 1 else ''}", build, n * d * 4, rss_delta, found, lat)
    faiss.omp_set_num_threads(args.build_threads)
    truth = truth_full
    del flat
    gc.collect()

    # HNSW: the product's M=32/efConstruction=80, and M=16
    for M in args.hnsw_m:
        if n > args.hnsw_max:
            break
        r0 = rss_mb()
        t = time.perf_counter()
        h = faiss.IndexHNSWFlat(d, M, faiss.METRIC_INNER_PRODUCT)
        h.hnsw.efConstruction = args.ef_construction
        h.add(X)
        build = time.perf_counter() - t
        rss_delta = rss_mb() - r0
        mem = index_bytes(h)
        if args.save_product_hnsw and M == 32 and args.ef_construction == 80:
            # exactly what retrieval.index.build_faiss("hnsw") makes, for bench/query_latency.py --faiss-cache
            h.hnsw.efSearch = 1024
            args.save_product_hnsw.mkdir(parents=True, exist_ok=True)
            faiss.write_index(h, str(args.save_product_hnsw / f"faiss-{n}-hnsw.faiss"))
        faiss.omp_set_num_threads(args.search_threads)
        for ef in args.ef_search:
            params = faiss.SearchParametersHNSW(efSearch=ef)
            found, lat = timed_search(h, Q, K_PRODUCT, params)
            record(f"hnsw{M}", f"M={M} efC={args.ef_construction} efSearch={ef}", build, mem, rss_delta, found, lat)
        faiss.omp_set_num_threads(args.build_threads)
        del h
        gc.collect()

    # IVF family: one coarse k-means (timed once, counted in each variant's build time)
    from retrieval.store.index import MIN_IVF_VECTORS, nlist_for

    nlist = nlist_for(n)
    if n >= MIN_IVF_VECTORS:
        rng = np.random.default_rng(1)
        n_train = min(n, nlist * args.train_per_list)
        train = X[np.sort(rng.choice(n, n_train, replace=False))] if n_train < n else X
        t = time.perf_counter()
        quant = faiss.IndexFlatIP(d)
        clus = faiss.Clustering(d, nlist)
        clus.niter = 10
        clus.max_points_per_centroid = args.train_per_list
        clus.spherical = True
        clus.train(train, quant)
        kmeans_s = time.perf_counter() - t
        print(f"  ivf: nlist={nlist}, k-means on {len(train)} points {fmt_s(kmeans_s)}s", flush=True)
        variants = [("ivf-flat", None), ("ivf-sq8", faiss.ScalarQuantizer.QT_8bit), ("ivf-fp16", faiss.ScalarQuantizer.QT_fp16),
                    ("ivf-pq", "pq")]
        for name, qt in variants:
            if name not in args.ivf:
                continue
            r0 = rss_mb()
            q_copy = faiss.IndexFlatIP(d)
            q_copy.add(quant.reconstruct_n(0, nlist))
            t = time.perf_counter()
            if qt is None:
                ivf = faiss.IndexIVFFlat(q_copy, d, nlist, faiss.METRIC_INNER_PRODUCT)
            elif qt == "pq":
                ivf = faiss.IndexIVFPQ(q_copy, d, nlist, args.pq_m, 8, faiss.METRIC_INNER_PRODUCT)
            else:
                ivf = faiss.IndexIVFScalarQuantizer(q_copy, d, nlist, qt, faiss.METRIC_INNER_PRODUCT)
            ivf.train(train)  # the quantizer is already trained: this trains SQ/PQ only
            ivf.add(X)
            build = kmeans_s + time.perf_counter() - t
            rss_delta = rss_mb() - r0
            mem = index_bytes(ivf)
            label_params = f"nlist={nlist}" + (f" PQ{args.pq_m}x8" if qt == "pq" else "")
            faiss.omp_set_num_threads(args.search_threads)
            for nprobe in args.nprobe:
                if nprobe > nlist:
                    continue
                params = faiss.SearchParametersIVF(nprobe=nprobe)
                found, lat = timed_search(ivf, Q, K_PRODUCT, params)
                record(name, f"{label_params} nprobe={nprobe}", build, mem, rss_delta, found, lat)
            faiss.omp_set_num_threads(args.build_threads)
            del ivf
            gc.collect()
        del quant, train
    return rows


def recommend(rows: list[dict], target_p95: float, target_recall: float) -> list[str]:
    out = []
    for size in dict.fromkeys(r["size"] for r in rows):
        ok = [r for r in rows if r["size"] == size and r["recall@10"] >= target_recall and r["p95"] <= target_p95]
        if not ok:
            out.append(f"{size}: nothing meets p95 ≤ {target_p95 * 1000:.0f} ms with recall@10 ≥ {target_recall}")
            continue
        exact = [r for r in ok if r["index"] == "flat"]
        best = exact[0] if exact else min(ok, key=lambda r: (r["p95"], -r["recall@10"]))
        out.append(f"{size}: {best['index']} {best['params']} (p95 {ms(best['p95'])} ms, recall@10 {best['recall@10']:.3f}, "
                   f"{best['bytes'] / 2**20:.0f} MB, build {fmt_s(best['build_s'])} s)")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, default=DEFAULT_INDEX, help="real index whose vectors are scaled up (default /tmp/idx1)")
    ap.add_argument("--sizes", default="10k,100k,1m")
    ap.add_argument("--queries", type=int, default=200, help="real questions used as queries")
    ap.add_argument("--flat-queries", type=int, default=60, help="single-query exact searches timed above 200k vectors")
    ap.add_argument("--hnsw-m", type=lambda s: [int(x) for x in s.split(",")], default=[16, 32])
    ap.add_argument("--ef-construction", type=int, default=80)
    ap.add_argument("--ef-search", type=lambda s: [int(x) for x in s.split(",")], default=[64, 128, 256])
    ap.add_argument("--hnsw-max", type=int, default=10**9, help="skip HNSW above this many vectors")
    ap.add_argument("--ivf", type=lambda s: s.split(","), default=["ivf-flat", "ivf-sq8", "ivf-fp16", "ivf-pq"])
    ap.add_argument("--nprobe", type=lambda s: [int(x) for x in s.split(",")], default=[8, 16, 32, 64])
    ap.add_argument("--pq-m", type=int, default=64, help="PQ sub-quantizers (bytes per vector)")
    ap.add_argument("--train-per-list", type=int, default=TRAIN_PER_LIST, help="k-means training points per IVF list")
    ap.add_argument("--sigma", type=float, default=NOISE_SIGMA, help="noise per dimension of the synthetic copies")
    ap.add_argument("--target-p95-ms", type=float, default=50)
    ap.add_argument("--target-recall", type=float, default=0.95)
    ap.add_argument("--search-threads", type=int, default=1,
                    help="FAISS threads while timing searches (the product's: 1; the exact index is also timed with all cores)")
    ap.add_argument("--json", type=Path, help="also write the rows here")
    ap.add_argument("--save-product-hnsw", type=Path, metavar="DIR",
                    help="save the M=32/efC=80 HNSW (the product's) as DIR/faiss-N-hnsw.faiss for query_latency.py --faiss-cache")
    ap.add_argument("--no-doc", action="store_true", help="do not update docs/BENCHMARKS.md")
    args = ap.parse_args()

    args.build_threads = set_threads()
    m = machine()
    print(machine_line(m), f"| faiss threads: build {args.build_threads}, search {args.search_threads}", flush=True)
    base = real_vectors(args.index)
    Q = np.ascontiguousarray(query_vectors(bench_questions(args.queries)), dtype=np.float32)
    run_id = new_run_id()
    all_rows: list[dict] = []
    for spec in args.sizes.split(","):
        label, n = parse_size(spec)
        n = n or len(base)
        print(f"\n== {label}: {n:,} vectors × {base.shape[1]} ({len(Q)} queries) ==", flush=True)
        if args.sigma != NOISE_SIGMA and n > len(base):
            label = f"{label} σ={args.sigma}"
        X = scaled_vectors(base, n, sigma=args.sigma)
        rows = run_size(label, X, Q, args)
        del X
        gc.collect()
        all_rows += rows
        save_progress(all_rows, args.json, None if args.no_doc else lambda r: write_doc(r, args, m, run_id))
    print("\nRecommendation (p95 ≤ %.0f ms, recall@10 ≥ %.2f):" % (args.target_p95_ms, args.target_recall))
    for line in recommend(all_rows, args.target_p95_ms / 1000, args.target_recall):
        print(" ", line)


def write_doc(rows: list[dict], args, m: dict, run_id: str) -> None:
    table = [[r["size"], f"{r['n']:,}", r["index"], r["params"], fmt_s(r["build_s"]), f"{r['bytes'] / 2**20:.0f}",
              ms(r["p50"]), ms(r["p95"]), f"{r['recall@10']:.3f}"] for r in rows]
    rec = recommend(rows, args.target_p95_ms / 1000, args.target_recall)
    update_doc(
        "index_types", "FAISS index types (bench/index_types.py)",
        "Single-query FAISS search (k=50, as `dense_search` is called) over the real 11,415 USE v3 chunk "
        "vectors scaled up with perturbed copies (+N(0, 0.04²) per dimension, re-normalised); queries are "
        f"real eval-set questions; recall@10 against IndexFlatIP. Searches run with "
        f"{args.search_threads} FAISS thread(s) unless the params say otherwise; builds with all cores. Memory = serialized index size (what `Index.open` "
        f"loads). IVF build = shared spherical k-means (nlist≈4·√n, {args.train_per_list} points per list, 10 iterations) + "
        "train/add. Above 200k vectors the exact index is timed on fewer queries (`--flat-queries`).",
        ["size", "vectors", "index", "params", "build s", "memory MB", "p50 ms", "p95 ms", "recall@10"],
        table, key_cols=4, machine_info=m, run_id=run_id,
        notes="Latest run, per size it measured: the fastest configuration meeting p95 ≤ %.0f ms and recall@10 ≥ %.2f "
              "(exact preferred when it qualifies):\n\n" % (
            args.target_p95_ms, args.target_recall) + "\n".join(f"- {line}" for line in rec),
    )


if __name__ == "__main__":
    main()
