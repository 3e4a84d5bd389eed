"""Chunk size sweep: answer quality, index size and ingest time for several chunk sizes, one process.

    .venv/bin/python bench/chunk_size.py                              # 120/30, 180/40, 260/60, 400/80 units
    .venv/bin/python bench/chunk_size.py --sizes 180/40,260/60 --full

For each "target/overlap" (units as `retrieval.chunking.units` counts them: a Chinese character or
an English word), the corpus (31 reports + 5 articles; `--full` adds the 72 national reports as
distractors) is ingested into a fresh index with `chunk_spans(target=…, overlap=…)` in place of
the default, then `planbot eval`'s `run_eval` (hybrid) runs on regional-plans-dev and our
provincial-crosslingual set against it. Reported: chunks, ingest seconds, recall@1 of the gold
report, quote_hit and first_quote_hit (answerable questions), declined (unanswerable), and the
mean seconds per question.
"""
from __future__ import annotations

import argparse
import functools
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import CORPUS, ROOT, EVAL, machine, machine_line, new_run_id, update_doc  # noqa: E402

SETS = [EVAL / "regional-plans-dev", ROOT / "tests" / "data" / "provincial-crosslingual"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="120/30,180/40,260/60,400/80")
    ap.add_argument("--full", action="store_true", help="include the national reports (72 documents, ~7,400 chunks)")
    ap.add_argument("--no-doc", action="store_true")
    args = ap.parse_args()

    from embeddings import load_encoder
    import retrieval.text.chunking as chunking, ingest as ingest_mod
    from retrieval.engine import Engine
    from retrieval.evaluate import run_eval

    m = machine()
    print(machine_line(m), flush=True)
    encoder = load_encoder()
    paths = [CORPUS / "articles", CORPUS / "gov-work-reports-2025"]
    if args.full:
        paths.append(CORPUS / "national-government-work-reports.jsonl")
    rows, run_id = [], new_run_id()
    default = (chunking.TARGET_UNITS, chunking.OVERLAP_UNITS)
    for spec in args.sizes.split(","):
        target, overlap = (float(x) for x in spec.split("/"))
        tmp = Path(tempfile.mkdtemp(prefix="planbot-chunks-", dir="/tmp"))
        ingest_mod.chunk_spans = functools.partial(chunking.chunk_spans, target=target, overlap=overlap)
        try:
            t = time.perf_counter()
            rep = ingest_mod.ingest(paths, tmp / "index", encoder=encoder)
            ingest_s = time.perf_counter() - t
            engine = Engine(tmp / "index", encoder=encoder)
            res = {}
            for set_dir in SETS:
                r = run_eval(set_dir, None, ["hybrid"], engine=engine)["modes"]["hybrid"]
                res[set_dir.name] = r
        finally:
            ingest_mod.chunk_spans = chunking.chunk_spans
            shutil.rmtree(tmp, ignore_errors=True)
        mark = " (default)" if (target, overlap) == default else ""
        row = [f"{target:g}/{overlap:g}{mark}", f"{rep.chunks:,}", f"{ingest_s:.1f}"]
        for name in ("regional-plans-dev", "provincial-crosslingual"):
            a = res[name]["all"]
            row += [f"{a['recall@1']:.3f}", f"{a['quote_hit']:.3f}", f"{a['first_quote_hit']:.3f}",
                    f"{a.get('declined', float('nan')):.2f}", f"{res[name]['seconds_per_question']:.3f}"]
        rows.append(row)
        print(" | ".join(row), flush=True)
    if not args.no_doc:
        cols = ["target/overlap units", "chunks", "ingest s"]
        for short in ("dev", "provincial"):
            cols += [f"{short} recall@1", f"{short} quote_hit", f"{short} first quote", f"{short} declined", f"{short} s/q"]
        update_doc(
            "chunk_size", "Chunk size (bench/chunk_size.py)",
            "Each row: the corpus (" + ("all of ../shared/corpus" if args.full else "31 provincial reports + 5 articles")
            + ") ingested with that chunk target/overlap (units: a Chinese character or an English word), then "
            "`run_eval` (hybrid) on regional-plans-dev (14 answerable + 1) and provincial-crosslingual (64 + 12) against "
            "it. first quote = the first quote shown holds the answer from the gold source.",
            cols, rows, key_cols=1, machine_info=m, run_id=run_id,
        )


if __name__ == "__main__":
    main()
