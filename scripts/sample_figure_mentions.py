"""Print a seeded sample of figure-bearing clauses from the shared corpus, for hand labelling.

Clauses are picked by a plain digit test (no extractor involved), so the labels measure what
the fact extractor finds rather than what it was built to find. Each line shows the document,
the heading the clause sits under and the clause itself; the labeller writes the gold rows.

    python scripts/sample_figure_mentions.py ../shared/corpus > /tmp/sample.txt
"""
from __future__ import annotations

import random
import re
import sys
from pathlib import Path

from retrieval.ingest.documents import load_file

# a digit, or a Chinese-numeral quantity (old reports write 百分之二十, 三千万吨)
_DIGIT = re.compile(r"[0-9０-９]|百分之|[一二三四五六七八九十百千][万亿]?(?:吨|元|斤|公里|人|个|亩)")
_CLAUSE = re.compile(r"(?:[^。；;！？!?\n.]|\.(?=\d))+")
# National reports of these years: one or two per decade, 1950s to 2020s.
NATIONAL_YEARS = {"1954", "1955", "1956", "1958", "1959", "1960", "1964", "1975", "1978", "1979", "1980", "1983",
                  "1985", "1988", "1993", "1997", "2000", "2004", "2008", "2012", "2016", "2020", "2024", "2025"}


def _heading(text: str, pos: int) -> str:
    for line in reversed(text[:pos].split("\n")):
        s = line.strip()
        if s and len(s) < 40 and not s.endswith(("。", "；", "，")):
            return s
    return ""


def clauses(doc, k: int, rng: random.Random) -> list[tuple[str, str]]:
    found = [(m.start(), m.group()) for m in _CLAUSE.finditer(doc.text)
             if _DIGIT.search(m.group()) and 12 <= len(m.group()) <= 140]
    half = len(found) // 2
    picks = []
    # one from each half: work reports review first, then plan
    for part in ([found[:half], found[half:]] if k >= 2 else [found]):
        if part:
            picks.append(rng.choice(part))
    picks += rng.sample(found, min(len(found), max(0, k - len(picks))))
    return [(_heading(doc.text, s), c.strip()) for s, c in dict.fromkeys(picks)]


_TARGET_PARA = re.compile(r"[^\n]*(?:主要预期目标|主要目标)[是为：:][^\n]*")


def target_clause(doc, rng: random.Random) -> list[tuple[str, str]]:
    """One clause of the paragraph stating the year's main targets (a stratum of its own:
    random clauses rarely land in it, and it is where target lists live)."""
    m = _TARGET_PARA.search(doc.text)
    if not m:
        return []
    parts = [c.group() for c in _CLAUSE.finditer(m.group()) if _DIGIT.search(c.group()) and len(c.group()) <= 140]
    return [(_heading(doc.text, m.start()), rng.choice(parts).strip())] if parts else []


def main(root: str) -> None:
    rng = random.Random(12)
    base = Path(root)
    docs = []
    for p in sorted((base / "gov-work-reports-2025").glob("*.docx")):
        docs += [(d, 2) for d in load_file(p)[0]]
    targets = [d for d, _ in docs]
    for d in load_file(base / "national-government-work-reports.jsonl")[0]:
        if (d.date or "")[:4] in NATIONAL_YEARS and "决议" not in d.title:
            docs.append((d, 2))
    for p in sorted((base / "articles").glob("*.txt")):
        docs += [(d, 4) for d in load_file(p)[0]]
    for d, k in docs:
        for head, c in clauses(d, k, rng):
            print(f"{d.path}\t{d.date}\t{head}\t{c}")
    for d in targets:
        for head, c in target_clause(d, rng):
            print(f"{d.path}\t{d.date}\t[targets] {head}\t{c}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus")
