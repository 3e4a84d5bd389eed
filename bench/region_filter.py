"""Region filter: the mask of chunks that mention a region, as SQLite computed it per question
(json_each over every chunk's region list) vs the per-region position arrays written at ingest
(regions.npz), in one process over the real index.

    .venv/bin/python bench/region_filter.py                 # /tmp/idx1, 8 provinces × 5 repeats

Both give the same mask (asserted); the first call of the array version also builds the map
from the chunk table when the index predates regions.npz, timed apart.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DEFAULT_INDEX, machine, machine_line, ms, new_run_id, update_doc  # noqa: E402

PROVINCES = ["320000", "410000", "440000", "510000", "110000", "650000", "150000", "420000"]


def sql_mask(index, regions: set[str]) -> np.ndarray:
    """What Index.positions_where(chunk_regions=...) did before regions.npz."""
    marks = ",".join("?" * len(regions))
    hit = {r[0] for r in index.db.execute(
        f"SELECT DISTINCT c.id FROM chunks c, json_each(c.regions) j WHERE j.value IN ({marks})", list(regions))}
    return np.fromiter((int(i) in hit for i in index.table.ids), dtype=bool, count=len(index))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--no-doc", action="store_true")
    args = ap.parse_args()
    from retrieval.store.index import Index
    from retrieval.knowledge.regions import load_gazetteer

    m = machine()
    print(machine_line(m), flush=True)
    index = Index.open(args.index)
    gazetteer = load_gazetteer()
    sets = [gazetteer.descendants(p) for p in PROVINCES]
    t = time.perf_counter()
    index.region_positions()
    first = time.perf_counter() - t
    times: dict[str, list[float]] = {"sql": [], "arrays": []}
    for rep in range(args.repeats):
        for i, regions in enumerate(sets):
            order = [("sql", lambda: sql_mask(index, regions)), ("arrays", lambda: index.positions_where(chunk_regions=regions))]
            if (rep + i) % 2:
                order.reverse()
            got = {}
            for name, fn in order:
                t = time.perf_counter()
                got[name] = fn()
                times[name].append(time.perf_counter() - t)
            assert (got["sql"] == got["arrays"]).all()
    sql, arr = statistics.median(times["sql"]), statistics.median(times["arrays"])
    print(f"{len(index):,} chunks: SQL p50 {ms(sql)} ms, arrays p50 {ms(arr)} ms, ratio {sql / arr:.0f}x; "
          f"map built once in {ms(first)} ms", flush=True)
    if not args.no_doc:
        update_doc(
            "region_filter", "Region filter (bench/region_filter.py)",
            "Mask of the chunks mentioning a province (with its cities and districts), per question: SQLite json_each "
            "over every chunk (before) vs the region → positions arrays written at ingest (now). p50 over "
            f"{len(PROVINCES)} provinces × {args.repeats} repeats, alternating order; same mask asserted.",
            ["chunks", "SQL p50 ms", "arrays p50 ms", "ratio", "map built once (old index) ms"],
            [[f"{len(index):,}", ms(sql), ms(arr), f"{sql / arr:.0f}×", ms(first)]],
            key_cols=1, machine_info=m, run_id=new_run_id(),
        )


if __name__ == "__main__":
    main()
