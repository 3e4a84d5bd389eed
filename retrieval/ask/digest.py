"""Region digests: key figures (achieved vs target), industries, plans and sources of a region.

A region includes the regions inside it (Nanjing includes Qinhuai and Jiangbei New Area),
never its parent or neighbours. Figures come from the index's figure facts (retrieval/facts),
each already labelled with its region, period and kind at ingest; industries and plans from
documents mainly about the region, or sentences of other documents that name it.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict
from pathlib import Path

from retrieval.facts.model import region_parts
from retrieval.text.chunking import split_sentences, units
from retrieval.store.index import Index
from retrieval.types import Document

MAX_FIGURES = 20
MAX_TERMS = 12
_BARE = re.compile(r"[\d.,]+")
_MINOR_UNITS = {"months", "days", "years", "hours", "times", "person-times"}
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
    """Key figures from the index's figure facts (retrieval/facts): the region's own first, then
    those of places inside it under their own name; a figure about the country or another
    province never appears, whichever document it is in."""
    from retrieval.knowledge.vocab import load_vocab

    region = gazetteer.resolve(name)
    wanted = gazetteer.descendants(region.id)
    vocab = load_vocab()
    sentences = region_sentences(index, gazetteer, wanted)
    industries: Counter = Counter()
    plans: Counter = Counter()
    for doc, s, e, _ in sentences:
        for t in vocab.find_terms(doc.text[s:e]):
            if t.category == "industry":
                industries[t.id] += 1
            elif t.category == "policy":
                plans[t.id] += 1
    figures = _digest_figures(index, gazetteer, vocab, region, wanted)
    docs_with_region = {d.doc_id: d for d, *_ in sentences}
    for f in figures:
        docs_with_region.setdefault(f["source"]["doc_id"], index.document(f["source"]["doc_id"]))
    return {
        "region": region_json(region),
        "figures": figures,
        "industries": [_term_json(vocab, tid, n) for tid, n in industries.most_common(MAX_TERMS)],
        "plans": [_term_json(vocab, tid, n) for tid, n in plans.most_common(MAX_TERMS)],
        "sources": [source_json(d) for d in sorted(docs_with_region.values(), key=lambda d: (d.date or "", d.title), reverse=True)],
    }


def _digest_figures(index: Index, gazetteer, vocab, region, wanted: set[str]) -> list[dict]:
    scored: list[tuple[tuple, dict]] = []
    seen: set[tuple] = set()
    rank: Counter = Counter()  # position of a fact among its document's facts
    for f in (index.facts(region_ids=wanted) if hasattr(index, "facts") else []):
        rank[f.doc_id] += 1
        if f.kind == "other" or f.unit in _MINOR_UNITS or (f.doc_id, f.start) in seen:
            continue
        bare = f.unit in ("", "fraction") and _BARE.fullmatch(f.english or f.figure)
        if bare or (f.indicator_id is None and f.unit in ("", "fraction")) or units(f.sentence) > 400:
            continue  # "6 of the 8 indicators"; a run-on paragraph is a poor quote for a digest line
        seen.add((f.doc_id, f.start))
        doc = index.document(f.doc_id)
        metric = vocab.english_name(f.indicator_id) if f.indicator_id in vocab else ""
        own = f.region_id == region.id
        parts = region_parts(f.region_id)  # several places may hold a figure together ("Xiangyang + Yichang")
        place = " + ".join(gazetteer.get(p).name for p in parts) if all(p in gazetteer for p in parts) else f.region_id
        score = KEY_INDICATORS.get(f.indicator_id, 2) if metric else 0.0
        score += 1.5 if f.kind in ("achieved", "target") else 0.0
        score += 1.0 if f.unit in ("yuan", "percent", "percentage points") else 0.0
        score += 1.0 / (1 + rank[f.doc_id] / 20)  # reports open with their headline figures
        fig = {
            "text": f.figure, "metric": metric if own else f"{place}: {metric or f.indicator_text}".rstrip(": "),
            "value": f.value, "value_high": f.value_high, "unit": f.unit, "kind": f.kind, "period": f.period,
            "measure": f.measure, "region": region_json(gazetteer.get(f.region_id)) if f.region_id in gazetteer else {"id": f.region_id},
            "place": None if own else place, "english": f.english, "chinese": f.chinese, "quote": f.sentence,
            "start": f.start, "end": f.end, "source": source_json(doc),
        }
        scored.append(((not own, -score), fig))  # the region's own figures first
    scored.sort(key=lambda sf: sf[0])
    own = [f for (elsewhere, _), f in scored if not elsewhere]
    inside = [f for (elsewhere, _), f in scored if elsewhere]
    # A province with twenty figures of its own would otherwise never show its cities: the places
    # inside it keep a quarter of the lines (more when the region has fewer of its own).
    n_own = min(len(own), MAX_FIGURES - min(len(inside), MAX_FIGURES // 4))
    return own[:n_own] + inside[:MAX_FIGURES - n_own]


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

    def figures(self, **filters) -> list[dict]:
        from retrieval.facts.query import find_facts
        from retrieval.knowledge.vocab import load_vocab

        return find_facts(self.index, self.gazetteer, load_vocab(), **filters)
