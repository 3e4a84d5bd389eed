"""The Comparer: compare and trend over one index, the API the Engine and the CLI call.

Needs the index, the gazetteer and the vocabulary only, no embedding model: `planbot compare`
starts without loading one.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from retrieval.compare.build import compare_table, trend_table
from retrieval.compare.indicator import for_the_country, resolve_indicator
from retrieval.compare.model import CompareTable, TrendTable
from retrieval.compare.source import indexed_facts
from retrieval.errors import BadQuestion, UnknownRegion
from retrieval.facts import NATIONAL
from retrieval.knowledge.groups import load_groups
from retrieval.text.script import CJK_RE

LEVELS = ("province", "city")
NATIONAL_NAMES = {"china", "national", "nation", "the country", "country", "全国", "全國", "中国", "中國", "国家", "national level"}
KIND_CHOICES = ("target", "achieved")


class Comparer:
    def __init__(self, index, gazetteer, vocab=None, groups=None) -> None:
        from retrieval.knowledge.vocab import load_vocab

        self.index = index
        self.gazetteer = gazetteer
        self.vocab = vocab or load_vocab()
        self.groups = groups or load_groups()

    @classmethod
    def open(cls, index_dir: str | Path, store: Optional[str] = None) -> "Comparer":
        """Over the index directory, or the Milvus store `store` (a URI: its facts are read from
        its stored documents once per snapshot)."""
        from retrieval.knowledge.regions import load_gazetteer
        from retrieval.store.backends import open_store

        return cls(open_store(index_dir, store), load_gazetteer())

    def facts(self):
        return indexed_facts(self.index, self.gazetteer, self.vocab)

    # -- regions -------------------------------------------------------------------------
    def region_row(self, rid: str) -> tuple[str, str, str]:
        if rid == NATIONAL["id"]:
            return rid, NATIONAL["name"], NATIONAL["name_zh"]
        r = self.gazetteer.get(rid)
        return rid, r.name, r.name_zh

    def resolve_regions(self, names: list[str]) -> list[str]:
        """Region ids for names, groups ("Yangtze River Delta") expanded to their members, in order."""
        out: list[str] = []
        for name in names:
            name = name.strip()
            if not name:
                continue
            group = self.groups.get(name)
            if group is not None:
                ids = list(group.members)
            elif name.lower() in NATIONAL_NAMES:
                ids = [NATIONAL["id"]]
            else:
                ids = [self.gazetteer.resolve(name).id]
            out += [i for i in ids if i not in out]
        return out

    def level_regions(self, level: str) -> list[str]:
        """Regions of `level` that the index has documents about, in adcode order. A national
        report is about the country, whichever province it names most (its main-region tag)."""
        from retrieval.facts.profile import profile

        if level not in LEVELS:
            raise BadQuestion(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
        found: set[str] = set()
        for doc in self.index.documents():
            main = doc.main_region
            if not main or main not in self.gazetteer or profile(doc.title, doc.date, doc.path).kind == "national_report":
                continue
            for rid in [main, *self.gazetteer.ancestors(main)]:
                if self.gazetteer.get(rid).level == level:
                    found.add(rid)
        return sorted(found)

    # -- tables --------------------------------------------------------------------------
    def compare(self, indicator: str, regions: Optional[list[str]] = None, level: Optional[str] = None,
                period: Optional[str] = None, kind: Optional[str] = None, sort: bool = False,
                above: Optional[float] = None, below: Optional[float] = None, lang: Optional[str] = None) -> CompareTable:
        ind = resolve_indicator(indicator, self.vocab)
        _check_kind(kind)
        if regions:
            ids = self.resolve_regions(regions)
            asked = ", ".join(regions)
        else:
            ids = self.level_regions(level or "province")
            asked = level or "province"
        if not ids:
            raise UnknownRegion(asked)
        if ids == [NATIONAL["id"]]:
            ind = for_the_country(ind)
        lang = lang or _lang(indicator, *(regions or []))
        table = compare_table(self.facts(), ind, [self.region_row(r) for r in ids], period=_period(period), kind=kind,
                              sort=sort, above=above, below=below, lang=lang)
        table.title = _compare_title(table, lang)
        return table

    def trend(self, indicator: str, region: Optional[str] = None, kind: Optional[str] = None,
              since: Optional[int] = None, until: Optional[int] = None, lang: Optional[str] = None) -> TrendTable:
        ind = resolve_indicator(indicator, self.vocab)
        _check_kind(kind)
        rid = self.resolve_regions([region])[0] if region else NATIONAL["id"]
        if rid == NATIONAL["id"]:
            ind = for_the_country(ind)
        lang = lang or _lang(indicator, region or "")
        table = trend_table(self.facts(), ind, self.region_row(rid), kind=kind, since=since, until=until, lang=lang)
        table.title = _trend_title(table, lang)
        if not table.rows:
            table.notes.append(f"No source in the index states {ind.label('en')} for {table.region} by year.")
        return table


def _check_kind(kind: Optional[str]) -> None:
    if kind is not None and kind not in KIND_CHOICES:
        raise BadQuestion(f"kind must be one of {', '.join(KIND_CHOICES)}, not {kind!r}")


def _period(period) -> Optional[str]:
    if period is None:
        return None
    p = str(period).strip()
    if not (len(p) == 4 and p.isdigit()):
        raise BadQuestion(f"period must be a year such as 2025, not {p!r}")
    return p


def _lang(*texts: str) -> str:
    return "zh" if any(CJK_RE.search(t or "") for t in texts) else "en"


_KIND_ZH = {"target": "目标", "achieved": "实际", "forecast": "预计"}


def _compare_title(t: CompareTable, lang: str) -> str:
    label = t.indicator.label(lang)
    if lang == "zh":
        return f"{t.period or ''}年{label}{_KIND_ZH.get(t.kind or '', '')}".strip("年")
    return f"{label}, {t.period or 'latest'} {t.kind or ''}".strip().rstrip(",")


def _trend_title(t: TrendTable, lang: str) -> str:
    label = t.indicator.label(lang)
    if lang == "zh":
        return f"{t.region_zh}{label}{'（' + _KIND_ZH[t.kind] + '）' if t.kind else ''}历年"
    return f"{t.region}: {label}" + (f" ({t.kind})" if t.kind else "") + " by year"
