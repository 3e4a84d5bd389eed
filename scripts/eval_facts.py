"""Accuracy of the fact extractor on the hand-labelled figure mentions, tune and report halves.

    PYTHONPATH=$PWD python scripts/eval_facts.py [--corpus ../shared/corpus] [--errors]

Found: some fact overlaps the labelled figure's span. Kind / period / region / measure: share of
the found figures whose label matches (a region held by several places, "襄阳市+宜昌市", matches
the same places in any order). Indicator: on the rows that label one (a vocabulary id, or `none`
when the figure is no vocabulary indicator's), whether the fact's indicator id is it. The last rows
count one field on the rows of a stratum: region on the place strata (places-1/places-2: clauses
naming places inside a provincial report's province; places-roles: helpers and helped, partners,
分别 lists, city-named groups), indicator on `quantity` (an indicator's name followed by another
quantity's head word: reserves, balances, capacity, yield, area, funds), period on `period-lead`
(sentences after a paragraph's year-saying opener). Value: on the rows that label one (the figure's
number in its base unit, 五亿五千万亩 = 550000000), whether the fact's value is it. `--errors` lists the tune half's mismatches
(tuning looks at the tune half only; the report half is only ever counted).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from retrieval.facts import NATIONAL, extract_facts  # noqa: E402
from retrieval.facts.model import combined_region, region_parts  # noqa: E402
from retrieval.ingest.documents import load_file  # noqa: E402
from retrieval.knowledge.regions import load_gazetteer  # noqa: E402
from retrieval.knowledge.vocab import load_vocab  # noqa: E402

LABELS = ROOT / "tests" / "data" / "figure-labels" / "labels.jsonl"
FIELDS = ("kind", "period", "region", "measure")
# (table row, stratum names, field counted on them)
STRATA = (("region right, place strata", ("places-1", "places-2"), "region"),
          ("region right, places-roles stratum", ("places-roles",), "region"),
          ("indicator right, quantity stratum", ("quantity",), "indicator"),
          ("period right, period-lead stratum", ("period-lead",), "period"))


def load_docs(corpus: Path, refs: set[str]) -> dict:
    docs, files = {}, {r.split("#")[0] for r in refs}
    for f in sorted(files):
        for d in load_file(corpus / f)[0]:
            key = f + ("#" + d.path.split("#")[1] if "#" in d.path else "")
            if key in refs:
                docs[key] = d
    return docs


def gold_span(doc, row) -> tuple[int, int] | None:
    s = doc.text.find(row["sentence"])
    if s < 0:
        return None
    hits = [m.start() for m in re.finditer(r"(?<![0-9０-９.．])" + re.escape(row["figure"]), row["sentence"])]
    if len(hits) <= row.get("occurrence", 0):
        return None
    a = s + hits[row.get("occurrence", 0)]
    return a, a + len(row["figure"])


def region_id(gazetteer, name: str) -> str:
    if "+" in name:
        return combined_region(sorted(region_id(gazetteer, n) for n in name.split("+")))
    return NATIONAL["id"] if name in ("全国", "China") else gazetteer.resolve(name).id


def evaluate(corpus: Path, rows: list[dict]) -> tuple[dict, list]:
    gazetteer, vocab = load_gazetteer(), load_vocab()
    docs = load_docs(corpus, {r["doc"] for r in rows})
    facts = {}
    for key, d in docs.items():
        d.main_region = gazetteer.tag(d.title, d.text)[0]  # as ingest tags it
        facts[key] = extract_facts(d, gazetteer, vocab)
    stats = {s: {"n": 0, "found": 0, **{f: 0 for f in FIELDS}, "ind_n": 0, "indicator": 0,
                 "val_n": 0, "value": 0, **{f"{name}/n": 0 for name, _, _ in STRATA}, **{name: 0 for name, _, _ in STRATA}}
             for s in ("tune", "report")}
    errors = []
    for r in rows:
        st = stats[r["split"]]
        st["n"] += 1
        span = gold_span(docs[r["doc"]], r)
        fact = next((f for f in facts[r["doc"]] if span and f.start < span[1] and span[0] < f.end), None)
        if fact is None:
            errors.append((r, None, ["found"]))
            continue
        st["found"] += 1
        got = {"kind": fact.kind, "period": fact.period, "measure": fact.measure,
               "region": combined_region(sorted(region_parts(fact.region_id))), "indicator": fact.indicator_id or "none"}
        want = {**{f: r[f] for f in FIELDS}, "region": region_id(gazetteer, r["region"]), "indicator": r.get("indicator")}
        wrong = [f for f in FIELDS if got[f] != want[f]]
        for f in FIELDS:
            st[f] += f not in wrong
        if "indicator" in r:
            st["ind_n"] += 1
            if got["indicator"] == want["indicator"]:
                st["indicator"] += 1
            else:
                wrong.append("indicator")
        if "value" in r:
            st["val_n"] += 1
            if abs(fact.value - r["value"]) <= 1e-9 * abs(r["value"]):
                st["value"] += 1
            else:
                wrong.append("value")
        for name, strata, field in STRATA:
            if set(r.get("stratum", "").split("+")) & set(strata) and (field != "indicator" or "indicator" in r):
                st[f"{name}/n"] += 1
                st[name] += field not in wrong
        if wrong:
            errors.append((r, got, wrong))
    return stats, errors


def table(stats: dict) -> str:
    lines = ["| | tune | report |", "|---|---|---|"]
    lines.append(f"| labelled figures | {stats['tune']['n']} | {stats['report']['n']} |")

    def pct(s, k, d):
        return f"{100 * s[k] / s[d]:.1f}% ({s[k]}/{s[d]})" if s[d] else "-"
    lines.append(f"| found as facts | {pct(stats['tune'], 'found', 'n')} | {pct(stats['report'], 'found', 'n')} |")
    for f in FIELDS:
        lines.append(f"| {f} right (of found) | {pct(stats['tune'], f, 'found')} | {pct(stats['report'], f, 'found')} |")
    lines.append(f"| indicator right (of found, where labelled) | {pct(stats['tune'], 'indicator', 'ind_n')} | "
                 f"{pct(stats['report'], 'indicator', 'ind_n')} |")
    lines.append(f"| value right (of found, where labelled) | {pct(stats['tune'], 'value', 'val_n')} | "
                 f"{pct(stats['report'], 'value', 'val_n')} |")
    for name, _, _ in STRATA:
        lines.append(f"| {name} | {pct(stats['tune'], name, name + '/n')} | {pct(stats['report'], name, name + '/n')} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--labels", default=str(LABELS))
    ap.add_argument("--errors", action="store_true", help="list the tune half's mismatches")
    args = ap.parse_args()
    rows = [json.loads(line) for line in open(args.labels, encoding="utf-8") if line.strip()]
    stats, errors = evaluate(Path(args.corpus), rows)
    print(table(stats))
    if args.errors:
        for r, got, wrong in errors:
            if r["split"] != "tune":
                continue
            print(f"\n{r['doc']}  {r['figure']}  wrong: {','.join(wrong)}")
            print(f"  want: {r['kind']} {r['period']} {r['region']} {r['measure']} {r.get('indicator', '')}")
            if got:
                print(f"  got:  {got['kind']} {got['period']} {got['region']} {got['measure']} "
                      f"{got['indicator'] if 'indicator' in r else ''}")
            print(f"  {r['sentence'][:120]}")


if __name__ == "__main__":
    main()
