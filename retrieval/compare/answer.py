"""A compare or trend table as an Answer, for questions routed here from `ask`.

The summary lists each row (figure as written, kind, period); each stated figure comes with
its source sentence as a quote, so every surface that shows answers shows where it is from.
The table itself rides along in `Answer.comparison` for surfaces that draw it (Slack's chart).
"""
from __future__ import annotations

from retrieval.compare.model import Cell, CompareTable, TrendTable
from retrieval.types import Answer, Figure, Quote

_KIND = {"en": {"target": "target", "achieved": "achieved", "forecast": "estimate"},
         "zh": {"target": "目标", "achieved": "实际", "forecast": "预计"}}
_NOT_STATED = {"en": "not stated", "zh": "未提及"}


def table_answer(question: str, table: CompareTable | TrendTable) -> Answer:
    lang = table.lang
    lines = [table.title + (":" if lang == "en" else "：")]
    cells: list[Cell] = []
    if isinstance(table, CompareTable):
        for r in table.rows:
            name = r.region_zh if lang == "zh" else r.region
            if r.cell is None:
                lines.append(f"{name}: {_NOT_STATED[lang]}")
            else:
                lines.append(f"{name}: {r.cell.figure} ({_KIND[lang].get(r.cell.kind, r.cell.kind)} {r.cell.period})")
                cells.append(r.cell)
    else:
        for r in table.rows:
            parts = [f"{_KIND[lang][c.kind]} {c.figure}" for c in (r.target, r.achieved) if c is not None]
            lines.append(f"{r.year}: " + ", ".join(parts))
            cells += [c for c in (r.target, r.achieved) if c is not None]
    quotes = [_quote(c) for c in cells]
    return Answer(question=question, answered=bool(cells), answer="\n".join(lines), quotes=quotes,
                  notes=list(table.notes), comparison=table)


def _quote(c: Cell) -> Quote:
    at = c.start - c.sentence_start
    fig = Figure(text=c.figure, value=c.value, unit=c.unit, kind=c.kind if c.kind in ("target", "achieved") else "unknown",
                 english=c.english, chinese=c.figure, qualifier=c.qualifier, value_high=c.value_high, start=at,
                 end=at + len(c.figure))
    return Quote(text=c.sentence, figures=[fig], source=c.source, score=1.0, start=c.sentence_start,
                 end=c.sentence_start + len(c.sentence))
