"""Print a seeded sample of figure-bearing clauses from the shared corpus, for hand labelling.

Clauses are picked by a plain digit test (no extractor involved), so the labels measure what
the fact extractor finds rather than what it was built to find. Each line shows the document,
the heading the clause sits under and the clause itself; the labeller writes the gold rows.

    python scripts/sample_figure_mentions.py ../shared/corpus > /tmp/sample.txt
    python scripts/sample_figure_mentions.py ../shared/corpus --places > /tmp/places.txt

`--places` samples two strata random clauses rarely land in: one comma-clause of each provincial
report that names a place inside the province (gazetteer) before a digit, and one that names two
or more such places before it, the places printed beside it (2026-12-01, for the region of a
city's figure in a provincial report).
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


_COMMA_CLAUSE = re.compile(r"[^，,。；;！？!?\n]+")


def place_clauses(doc, gazetteer, rng: random.Random, several: bool = False) -> list[tuple[str, str]]:
    """One comma-clause of `doc` naming a place (`several`: two or more distinct places) inside
    the document's province before a digit."""
    main, _ = gazetteer.tag(doc.title, doc.text)
    if not main:
        return []
    inside = gazetteer.descendants(main) - {main}
    found = []
    for m in _COMMA_CLAUSE.finditer(doc.text):
        c = m.group()
        names = [(rid, a, b) for rid, a, b in gazetteer.find_in_text(c) if rid in inside]
        if several:
            names = [n for n in names if _DIGIT.search(c, n[2])]
            if len({rid for rid, _, _ in names}) < 2:
                continue
        if names and _DIGIT.search(c, names[0][2]) and len(c) <= 140:
            found.append((m.start(), c, ",".join(gazetteer.get(rid).name_zh for rid, _, _ in names)))
    if not found:
        return []
    s, c, places = rng.choice(found)
    return [(f"{_heading(doc.text, s)} [{places}]", c.strip())]


def main_places(root: str) -> None:
    from retrieval.knowledge.regions import load_gazetteer

    gazetteer = load_gazetteer()
    rngs = {False: random.Random(13), True: random.Random(14)}  # one per stratum: adding one left the other as drawn
    for p in sorted((Path(root) / "gov-work-reports-2025").glob("*.docx")):
        for d in load_file(p)[0]:
            for several, rng in rngs.items():
                for head, c in place_clauses(d, gazetteer, rng, several):
                    print(f"{d.path}\t{d.date}\t{head}\t{c}")


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
    args = [a for a in sys.argv[1:] if a != "--places"]
    (main_places if "--places" in sys.argv[1:] else main)(args[0] if args else "../shared/corpus")
