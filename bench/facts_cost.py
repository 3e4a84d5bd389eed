"""What figure facts add to ingest: extract_facts vs the per-sentence figure count it replaced.

    PYTHONPATH=$PWD nice python bench/facts_cost.py ../shared/corpus/gov-work-reports-2025

Both run over the same loaded documents, alternated, median of 3 (CPU time of this process);
the gazetteer and vocabulary are loaded before timing, as ingest has them loaded already.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from retrieval.facts import extract_facts
from retrieval.ingest.documents import discover, load_file
from retrieval.knowledge.figures import extract_figures
from retrieval.knowledge.regions import load_gazetteer
from retrieval.knowledge.vocab import load_vocab
from retrieval.text.chunking import split_sentences


def count_figures(text: str) -> int:  # what ingest did before facts (retrieval/ingest/run.py)
    return sum(len(extract_figures(text[s:e])) for s, e in split_sentences(text))


def main(root: str) -> None:
    files, _ = discover([root])
    docs = [d for f in files for d in load_file(f)[0]]
    g, v = load_gazetteer(), load_vocab()
    for d in docs:
        d.main_region = g.tag(d.title, d.text)[0]
    extract_facts(docs[0], g, v)  # warm caches
    runs: dict[str, list[float]] = {"count_figures": [], "extract_facts": []}
    n = 0
    for _ in range(3):
        t = time.process_time()
        for d in docs:
            count_figures(d.text)
        runs["count_figures"].append(time.process_time() - t)
        t = time.process_time()
        n = sum(len(extract_facts(d, g, v)) for d in docs)
        runs["extract_facts"].append(time.process_time() - t)
    for k, xs in runs.items():
        print(f"{k:14s} median {statistics.median(xs):.2f} s CPU  ({', '.join(f'{x:.2f}' for x in xs)})")
    print(f"{len(docs)} documents, {n} facts")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus/gov-work-reports-2025")
