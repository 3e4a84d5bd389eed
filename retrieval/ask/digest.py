"""Region digests: key figures (achieved vs target), industries, plans and sources of a region.

A region includes the regions inside it (Nanjing includes Qinhuai and Jiangbei New Area),
never its parent or neighbours. Sentences come from documents mainly about the region or
a region inside it; other documents contribute only sentences that name the region.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict
from pathlib import Path

from retrieval.text.chunking import split_sentences, units
from retrieval.text.dates import report_years
from retrieval.knowledge.figures import extract_figures
from retrieval.store.index import Index
from retrieval.types import Document

MAX_FIGURES = 20
MAX_TERMS = 12
_BARE = re.compile(r"[\d.,]+")
_MINOR_UNITS = {"months", "days", "years", "hours", "times", "person-times"}
_YEAR = re.compile(r"(?<!\d)(20[0-4]\d|19[5-9]\d)(?=年|\b)")
# Ranking: indicators that regional plans lead with come first.
KEY_INDICATORS = {"gdp": 6, "growth_rate": 5, "industrial_va_above_size": 5, "industrial_value_added": 5,
                  "fixed_asset_investment": 5, "retail_sales": 5, "general_budget_revenue": 5, "foreign_trade": 4,
                  "new_urban_jobs": 4, "grain_output": 4, "rd_intensity": 4, "disposable_income": 4,
                  "gdp_per_capita": 4, "unemployment_rate": 3, "cpi": 3, "operating_revenue": 3, "output_value": 3,
                  "industrial_output": 3, "exports": 3, "foreign_investment": 4}


def region_json(region) -> dict:
    return {"id": region.id, "name": region.name, "name_zh": region.name_zh, "level": region.level, "parent": region.parent}


def source_json(doc: Document) -> dict:
    return {"doc_id": doc.doc_id, "title": doc.title, "publisher": doc.publisher, "date": doc.date, "url": doc.url, "path": doc.path}


def _period(sentence: str, kind: str, doc: Document) -> str:
    years = _YEAR.findall(sentence)
    if years:
        return years[0]
    covered = sorted(report_years(doc.date))  # [Y-1, Y]: a work report reviews Y-1, sets targets for Y
    if not covered:
        return ""
    if "工作报告" in doc.title or "work report" in doc.title.lower():
        return str(covered[0] if kind == "achieved" else covered[1])
    return str(covered[1])


def _metric_for(vocab, sentence: str, fig_start: int):
    """The indicator named closest before the figure (政府工作报告 lists run 'metric figure, metric figure')."""
    best = None
    for m in vocab.matches(sentence):
        if m.term.category != "indicator" or m.start > fig_start:
            continue
        if best is None or m.start > best.start:
            best = m
    return best.term if best else None


def region_sentences(index: Index, gazetteer, wanted: set[str]) -> list[tuple[Document, int, int, int]]:
    """(document, start, end, position rank) of the sentences that speak about the region."""
    out = []
    for doc in index.documents():
        main = doc.main_region in wanted
        if not main and not (set(doc.regions) & wanted):
            continue
        spans = split_sentences(doc.text)
        for i, (s, e) in enumerate(spans):
            if not main:
                ids = {rid for rid, _, _ in gazetteer.find_in_text(doc.text[s:e])}
                if not ids & wanted:
                    continue
            out.append((doc, s, e, i))
    return out


def region_digest(index: Index, gazetteer, name: str) -> dict:
    from retrieval.knowledge.vocab import load_vocab

    region = gazetteer.resolve(name)
    wanted = gazetteer.descendants(region.id)
    vocab = load_vocab()
    sentences = region_sentences(index, gazetteer, wanted)
    figures: list[tuple[float, dict]] = []
    industries: Counter = Counter()
    plans: Counter = Counter()
    used_docs: dict[str, Document] = {}
    seen: set[tuple] = set()
    for doc, s, e, rank in sentences:
        text = doc.text[s:e]
        for t in vocab.find_terms(text):
            if t.category == "industry":
                industries[t.id] += 1
            elif t.category == "policy":
                plans[t.id] += 1
        if units(text) > 400:
            continue  # a run-on paragraph is a poor quote for a digest line
        year = int(doc.date[:4]) if doc.date and doc.date[:4].isdigit() else None
        for f in extract_figures(text, ref_year=year):
            term = _metric_for(vocab, text, f.start)
            bare = f.unit in ("", "fraction") and _BARE.fullmatch(f.english or f.text)
            if bare or (term is None and f.unit in ("", "fraction")) or f.unit in _MINOR_UNITS:
                continue  # "6 of the 8 indicators", "17 months": no figure a digest should lead with
            metric = vocab.english_name(term.id) if term else ""
            period = _period(text, f.kind, doc)
            key = (f.text, s)
            if key in seen:
                continue
            seen.add(key)
            score = KEY_INDICATORS.get(term.id, 2) if term else 0.0
            score += 1.5 if f.kind in ("achieved", "target") else 0.0
            score += 1.0 if f.unit in ("yuan", "percent", "percentage points") else 0.0
            score += 1.0 if doc.main_region == region.id else 0.0
            score += 1.0 / (1 + rank / 20)  # reports open with their headline figures
            used_docs[doc.doc_id] = doc
            figures.append((score, {
                "text": f.text, "metric": metric, "value": f.value, "value_high": f.value_high, "unit": f.unit,
                "kind": f.kind, "period": period, "english": f.english, "chinese": f.chinese,
                "quote": text, "source": source_json(doc),
            }))
    figures.sort(key=lambda sf: -sf[0])
    top = [f for _, f in figures[:MAX_FIGURES]]
    docs_with_region = {d.doc_id: d for d, *_ in sentences}
    return {
        "region": region_json(region),
        "figures": top,
        "industries": [_term_json(vocab, tid, n) for tid, n in industries.most_common(MAX_TERMS)],
        "plans": [_term_json(vocab, tid, n) for tid, n in plans.most_common(MAX_TERMS)],
        "sources": [source_json(d) for d in sorted(docs_with_region.values(), key=lambda d: (d.date or "", d.title), reverse=True)],
    }


def _term_json(vocab, term_id: str, n: int) -> dict:
    return {"id": term_id, "name": vocab.english_name(term_id), "name_zh": vocab.chinese_name(term_id), "mentions": n}


def regions_with_documents(index: Index, gazetteer) -> list[dict]:
    """Every region with at least one document about it or a region inside it, parents first."""
    docs: Counter = Counter()
    figs: Counter = Counter()
    counts = index.figure_counts()
    for doc in index.documents():
        if not doc.main_region or doc.main_region not in gazetteer:
            continue
        for rid in [doc.main_region, *gazetteer.ancestors(doc.main_region)]:
            docs[rid] += 1
            figs[rid] += counts.get(doc.doc_id, 0)
    rows = []

    def visit(rid: str, depth: int) -> None:
        r = gazetteer.get(rid)
        rows.append({**region_json(r), "documents": docs[rid], "figures": figs[rid], "depth": depth})
        for child in sorted((c for c in docs if gazetteer.get(c).parent == rid), key=lambda c: (-docs[c], c)):
            visit(child, depth + 1)

    roots = [rid for rid in docs if gazetteer.get(rid).parent not in docs]
    for rid in sorted(roots, key=lambda c: (-docs[c], c)):
        visit(rid, 0)
    return rows


class RegionReader:
    """Region commands without an embedding model: the index and the gazetteer only."""

    def __init__(self, index_dir: str | Path, store: str | None = None) -> None:
        from retrieval.knowledge.regions import load_gazetteer
        from retrieval.store.backends import open_store

        self.index = open_store(index_dir, store)
        self.gazetteer = load_gazetteer()

    def region(self, name: str) -> dict:
        return region_digest(self.index, self.gazetteer, name)

    def regions(self) -> list[dict]:
        return regions_with_documents(self.index, self.gazetteer)
