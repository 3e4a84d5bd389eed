"""Ingest throughput: `retrieval.ingest.ingest` into a fresh index vs the raw encoder on the
same chunk texts, in one process; and the time of a second, no-change ingest.

    .venv/bin/python bench/ingest_throughput.py                 # 31 reports + 5 articles (3,951 chunks)
    .venv/bin/python bench/ingest_throughput.py --full          # the whole ../shared/corpus (11,415 chunks)
    .venv/bin/python bench/ingest_throughput.py --runs 3

Per run (the encoder is loaded once, before the first run; its load time is reported apart):
  ingest      ingest(PATHS, fresh temp dir, encoder=enc): chunks embedded / wall seconds, with
              its stages from the progress callback: reading (discover, load, clean, tag
              regions, chunk), embedding (encode + tokenize + SQLite rows), writing (commit:
              FAISS, BM25, VACUUM, checksums, fsync, rename)
  raw         enc.encode(all chunk texts, kind="passage", batch_size=64) in one call; the texts
              are exactly what ingest embeds (title + newline + chunk text, read back from the
              new index)
  raw/doc     the same texts, one encode call per document (the batching ingest uses)
  tokenize    retrieval.text.tokenize over the same chunks (the BM25 tokens ingest computes)
  serial      (--serial) the same ingest with the text work done in this process, as before the
              worker that computes it ahead of the encoder (retrieval/ingest/ahead.py)
  no-change   ingest(PATHS, same dir, encoder=enc) again: nothing changed, nothing embedded;
              and `planbot ingest PATHS --index DIR` as a new process (includes the model load)
  CPU s       (printed) user + system CPU seconds of ingest (this process, the encoder's BLAS
              threads and the text-work child) and of the raw encode, and cores busy = CPU s ÷ wall
              s: a raw encoder near 2.0 on 2 cores leaves no idle core for the text work to hide in
  parts       (--parts, printed) CPU seconds of each text-work step done serially in this process
The ratio pipeline/raw is ingest chunks/s ÷ raw chunks/s (1.0 = no pipeline overhead). The order
of ingest and raw alternates between runs so that neither always runs on a warmer machine.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import CORPUS, ROOT, fmt_s, live_generation, machine, machine_line, new_run_id, update_doc  # noqa: E402

import numpy as np  # noqa: E402

# the checkout's own venv when it has one (the README install), else the interpreter running this
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable


def chunk_texts(index_dir: Path) -> tuple[list[str], list[list[str]], list[str]]:
    """(embed texts, per-document groups of them, tokenize texts) exactly as ingest builds them."""
    db = sqlite3.connect(f"file:{live_generation(index_dir) / 'chunks.sqlite'}?mode=ro", uri=True)
    rows = db.execute("SELECT d.doc_id, d.title, c.text FROM chunks c JOIN documents d ON d.doc_id = c.doc_id ORDER BY c.id").fetchall()
    db.close()
    embed = [f"{t}\n{x}" if t else x for _, t, x in rows]
    groups: dict[str, list[str]] = {}
    for (doc_id, _, _), e in zip(rows, embed):
        groups.setdefault(doc_id, []).append(e)
    tok = [f"{t} {x}" for _, t, x in rows]
    return embed, list(groups.values()), tok


def cpu_seconds() -> float:
    """User + system CPU seconds of this process (all its threads: the encoder's BLAS threads) and
    of its waited-for children (ingest's text-work process)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def text_work_cpu(paths) -> dict[str, float]:
    """CPU seconds of each step of ingest's work besides encoding, done serially in this process on
    the same files: what the pipeline adds to the encoder's work (a 2-core machine whose two cores
    the encoder keeps busy has no idle core to hide it on)."""
    import hashlib

    from retrieval.facts import extract_facts
    from retrieval.ingest import run as run_mod
    from retrieval.ingest.documents import discover, load_file, read_regular
    from retrieval.text.tokens import tokenize

    took: dict[str, float] = {}

    def timed(step, fn, *a):
        t = time.process_time()
        out = fn(*a)
        took[step] = took.get(step, 0.0) + time.process_time() - t
        return out

    gazetteer = timed("gazetteer load", run_mod._load_gazetteer)
    files, _ = discover(paths)
    for path in files:
        data = timed("read + sha256", lambda: (lambda b: (b, hashlib.sha256(b).hexdigest()))(read_regular(path)))[0]
        for doc in timed("load + clean", load_file, path, data)[0]:
            timed("tag document regions", run_mod._tag, doc, gazetteer)
            chunks = timed("chunk + chunk regions + language", run_mod.chunk_document, doc, gazetteer)
            timed("BM25 tokens", lambda: [tokenize(f"{doc.title} {c.text}") for c in chunks])
            timed("figure facts", extract_facts, doc)
    return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--full", action="store_true", help="the whole corpus instead of the reports + articles")
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--no-per-doc", action="store_true", help="skip the per-document raw encode")
    ap.add_argument("--no-doc", action="store_true")
    ap.add_argument("--parts", action="store_true",
                    help="also time ingest's text work step by step (CPU seconds, serially, in this process)")
    ap.add_argument("--serial", action="store_true",
                    help="also ingest with the text work in this process (no worker ahead of the encoder), same run")
    args = ap.parse_args()
    paths = [CORPUS] if args.full else [CORPUS / "gov-work-reports-2025", CORPUS / "articles"]
    subset = "whole corpus" if args.full else "31 reports + 5 articles"
    m = machine()
    print(machine_line(m), "|", subset, flush=True)

    from embeddings import load_encoder
    from retrieval.ingest.run import ingest
    from retrieval.text.tokens import tokenize

    t = time.perf_counter()
    enc = load_encoder()
    load_s = time.perf_counter() - t
    print(f"encoder load {fmt_s(load_s)}s", flush=True)

    runs = []
    cache: dict = {}
    for r in range(args.runs):
        work = Path(tempfile.mkdtemp(prefix="planbot-ingest-bench-", dir="/tmp"))
        idx = work / "index"
        res: dict = {}
        try:
            def do_ingest(serial: bool = False):
                import retrieval.ingest.run as run_mod

                stages: dict[str, list[float]] = {}

                def progress(stage, done, total):
                    now = time.perf_counter()
                    stages.setdefault(stage, [now, now])[1] = now

                keep = run_mod.AHEAD_MIN_CHUNKS
                if serial:
                    run_mod.AHEAD_MIN_CHUNKS = 1 << 62
                target = work / "serial-index" if serial else idx
                c0 = cpu_seconds()
                t0 = time.perf_counter()
                try:
                    rep = ingest(paths, target, encoder=enc, progress=progress)
                finally:
                    run_mod.AHEAD_MIN_CHUNKS = keep
                if serial:
                    res["serial_s"] = time.perf_counter() - t0
                    return
                res["ingest_s"] = time.perf_counter() - t0
                res["ingest_cpu"] = cpu_seconds() - c0
                res["chunks"] = rep.chunks_embedded
                # each stage runs from its first callback to the next stage's first one
                order = ["reading", "embedding", "writing"]
                starts = [stages[s][0] for s in order if s in stages] + [t0 + res["ingest_s"]]
                res["stages"] = {s: starts[i + 1] - starts[i] for i, s in enumerate(o for o in order if o in stages)}
                res["stages"]["before reading"] = stages.get("reading", [t0])[0] - t0

            def do_raw():
                if "texts" not in cache:
                    cache["texts"] = chunk_texts(idx)
                texts, groups, tok_texts = cache["texts"]
                res["n_texts"] = len(texts)
                c0 = cpu_seconds()
                t0 = time.perf_counter()
                enc.encode(texts, kind="passage", batch_size=64)
                res["raw_s"] = time.perf_counter() - t0
                res["raw_cpu"] = cpu_seconds() - c0
                if not args.no_per_doc:
                    t0 = time.perf_counter()
                    for g in groups:
                        enc.encode(g, kind="passage", batch_size=64)
                    res["raw_doc_s"] = time.perf_counter() - t0
                t0 = time.perf_counter()
                for x in tok_texts:
                    tokenize(x)
                res["tokenize_s"] = time.perf_counter() - t0

            if r % 2 == 0:
                do_ingest()
                do_raw()
                if args.serial:
                    do_ingest(serial=True)
            else:  # the chunk texts are those the first run's ingest produced
                if args.serial:
                    do_ingest(serial=True)
                do_raw()
                do_ingest()
            t0 = time.perf_counter()
            rep2 = ingest(paths, idx, encoder=enc)
            res["nochange_s"] = time.perf_counter() - t0
            res["nochange_embedded"] = rep2.chunks_embedded
            res["nochange_committed"] = rep2.committed
            t0 = time.perf_counter()
            subprocess.run([PY, "-m", "bot.cli", "ingest", *map(str, paths), "--index", str(idx)],
                           cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            res["nochange_cli_s"] = time.perf_counter() - t0
        finally:
            shutil.rmtree(work, ignore_errors=True)
        res["ingest_cores"] = res["ingest_cpu"] / res["ingest_s"]
        res["raw_cores"] = res["raw_cpu"] / res["raw_s"]
        res["ingest_cps"] = res["chunks"] / res["ingest_s"]
        res["raw_cps"] = res["n_texts"] / res["raw_s"]
        res["ratio"] = res["ingest_cps"] / res["raw_cps"]
        if "serial_s" in res:
            res["serial_ratio"] = (res["chunks"] / res["serial_s"]) / res["raw_cps"]
        if "raw_doc_s" in res:
            res["raw_doc_cps"] = res["n_texts"] / res["raw_doc_s"]
            res["ratio_doc"] = res["ingest_cps"] / res["raw_doc_cps"]
        runs.append(res)
        st = res["stages"]
        print(f"run {r + 1}: ingest {res['chunks']} chunks in {fmt_s(res['ingest_s'])}s = {res['ingest_cps']:.1f} chunks/s "
              f"(reading {fmt_s(st.get('reading', 0))}s, embedding {fmt_s(st.get('embedding', 0))}s, writing {fmt_s(st.get('writing', 0))}s); "
              f"raw encoder {res['raw_cps']:.1f} chunks/s"
              + (f", raw per document {res['raw_doc_cps']:.1f} chunks/s" if "raw_doc_cps" in res else "")
              + f"; tokenize {fmt_s(res['tokenize_s'])}s; ratio {res['ratio']:.2f}"
              + (f" (serial text work {res['serial_ratio']:.2f})" if "serial_ratio" in res else "")
              + (f" (vs per-document raw {res['ratio_doc']:.2f})" if "ratio_doc" in res else "") + "; "
              f"no-change ingest {fmt_s(res['nochange_s'])}s in-process (embedded {res['nochange_embedded']}, committed "
              f"{res['nochange_committed']}), {fmt_s(res['nochange_cli_s'])}s as `planbot ingest`; "
              f"CPU s: ingest {fmt_s(res['ingest_cpu'])} ({res['ingest_cores']:.2f} cores busy), raw encoder "
              f"{fmt_s(res['raw_cpu'])} ({res['raw_cores']:.2f} cores busy); 1-min load {os.getloadavg()[0]:.2f}", flush=True)

    def med(key, sub=None):
        vals = [r[key][sub] if sub else r[key] for r in runs if key in r and (sub is None or sub in r[key])]
        return float(np.median(vals)) if vals else float("nan")

    def spread(key):
        v = [r[key] for r in runs]
        return (max(v) - min(v)) / np.median(v) if len(v) > 1 else 0.0

    print(f"\nmedian over {len(runs)} runs: ingest {med('ingest_cps'):.1f} chunks/s, raw {med('raw_cps'):.1f} chunks/s, "
          f"ratio {med('ratio'):.2f} (spread {spread('ratio'):.0%}), serial text work {med('serial_ratio'):.2f}, "
          f"vs per-document raw {med('ratio_doc'):.2f}; no-change {fmt_s(med('nochange_s'))}s in-process, "
          f"{fmt_s(med('nochange_cli_s'))}s CLI", flush=True)
    parts = {}
    if args.parts:
        parts = text_work_cpu(paths)
        print("text work, CPU s (serial, this process): " + ", ".join(f"{k} {fmt_s(v)}" for k, v in parts.items())
              + f"; sum {fmt_s(sum(parts.values()))}", flush=True)
    print(f"CPU s medians: ingest {fmt_s(med('ingest_cpu'))} ({med('ingest_cores'):.2f} cores busy), raw encoder "
          f"{fmt_s(med('raw_cpu'))} ({med('raw_cores'):.2f} cores busy)", flush=True)
    if args.no_doc:
        return
    row = [subset, f"{runs[0]['chunks']:,}", f"{med('ingest_cps'):.1f}", f"{med('raw_cps'):.1f}",
           f"{med('raw_doc_cps'):.1f}" if not args.no_per_doc else "–", f"{med('ratio'):.2f} ({spread('ratio'):.0%})",
           f"{med('ratio_doc'):.2f} ({spread('ratio_doc'):.0%})" if not args.no_per_doc else "–",
           f"{med('serial_ratio'):.2f}" if args.serial else "–",
           fmt_s(med("ingest_s")), fmt_s(med("stages", "reading")), fmt_s(med("stages", "embedding")), fmt_s(med("stages", "writing")),
           fmt_s(med("tokenize_s")), fmt_s(med("nochange_s")), fmt_s(med("nochange_cli_s")), fmt_s(load_s)]
    update_doc(
        "ingest_throughput", "Ingest throughput (bench/ingest_throughput.py)",
        "`ingest()` into a fresh temporary index vs the raw encoder on the same chunk texts in the same process "
        "(encoder loaded once, beforehand). chunks/s and ratio are medians over the runs (ratio spread = (max-min)/median). "
        "`raw` encodes all texts in one call, `raw/doc` one call per document as ingest batches them; `ratio` = ingest ÷ raw, "
        "`ratio vs raw/doc` = ingest ÷ raw/doc (the pipeline's own overhead at equal batching). "
        "Stages come from the progress callback; `embedding` includes tokenizing and SQLite inserts, `tokenize` times "
        "`retrieval.text.tokenize` over the same chunks alone. `no-change` = the same ingest again (nothing to embed), "
        "in-process and as a new `planbot ingest` process (which loads the model). `ratio, text work serial` (with "
        "`--serial`): the same ingest with the BM25 tokens and figure counts computed in this process between encodes "
        "instead of by the worker ahead of the encoder (retrieval/ingest/ahead.py), same run.",
        ["corpus", "chunks", "ingest chunks/s", "raw chunks/s", "raw/doc chunks/s", "ratio (spread)", "ratio vs raw/doc",
         "ratio, text work serial", "ingest s", "reading s",
         "embedding s", "writing s", "tokenize s", "no-change s", "no-change CLI s", "encoder load s"],
        [row], key_cols=1, machine_info=m, run_id=new_run_id(),
    )


if __name__ == "__main__":
    main()
