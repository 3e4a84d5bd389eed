"""Compare and trend tables in the terminal (rich), from the records in retrieval.compare.model."""
from __future__ import annotations

from typing import Optional

from retrieval.compare.model import Cell, CompareTable, TrendTable, short_source

HEADERS = {
    "en": {"region": "Region", "figure": "Figure", "value": "Value", "kind": "Kind", "period": "Period", "source": "Source",
           "year": "Year", "target": "Target", "achieved": "Achieved", "not_stated": "not stated"},
    "zh": {"region": "地区", "figure": "原文数字", "value": "数值", "kind": "类型", "period": "时期", "source": "来源",
           "year": "年份", "target": "目标", "achieved": "实际", "not_stated": "未提及"},
}
KIND_LABELS = {"en": {"target": "target", "achieved": "achieved", "forecast": "estimate"},
               "zh": {"target": "目标", "achieved": "实际", "forecast": "预计"}}


def value_text(cell: Cell) -> str:
    """The normalised value: 5.5%, 5.0–5.5%, 70 billion yuan (the figure reader's English)."""
    if cell.unit == "percent":
        hi = f"–{cell.value_high:g}" if cell.value_high is not None else ""
        return f"{cell.value:g}{hi}%"
    return cell.english or f"{cell.value:g} {cell.unit}".strip()


def kind_text(cell: Cell, lang: str) -> str:
    return KIND_LABELS.get(lang, KIND_LABELS["en"]).get(cell.kind, cell.kind)


def elsewhere_text(cell: Optional[Cell], lang: str) -> str:
    if cell is None:
        return ""
    return f"({cell.period} {kind_text(cell, lang)}: {cell.figure})"


def print_compare(console, table: CompareTable) -> None:
    from rich.markup import escape
    from rich.table import Table

    h = HEADERS.get(table.lang, HEADERS["en"])
    t = Table(title=table.title, title_justify="left", show_lines=False)
    for key in ("region", "figure", "value", "kind", "period", "source"):
        t.add_column(h[key], overflow="fold")
    for r in table.rows:
        name = r.region_zh if table.lang == "zh" else r.region
        if r.cell is None:
            t.add_row(escape(name), f"[dim]{h['not_stated']}[/]", "", "", escape(table.period or ""),
                      escape(elsewhere_text(r.elsewhere, table.lang)))
            continue
        c = r.cell
        t.add_row(escape(name), escape(c.figure), escape(value_text(c)), kind_text(c, table.lang), escape(c.period),
                  escape(short_source(c.source)))
    console.print(t)
    for n in table.notes:
        console.print(f"[dim]{escape(n)}[/]")


def print_trend(console, table: TrendTable) -> None:
    from rich.markup import escape
    from rich.table import Table

    h = HEADERS.get(table.lang, HEADERS["en"])
    t = Table(title=table.title, title_justify="left")
    t.add_column(h["year"])
    for key in ("target", "achieved"):
        if table.kind in (None, key):
            t.add_column(h[key], overflow="fold")
    t.add_column(h["source"], overflow="fold")
    for r in table.rows:
        cells = []
        for key, c in (("target", r.target), ("achieved", r.achieved)):
            if table.kind not in (None, key):
                continue
            if c is None:
                cells.append("")
            else:
                est = f" ({kind_text(c, table.lang)})" if c.kind == "forecast" else ""
                cells.append(escape(c.figure + est))
        sources = dict.fromkeys(short_source(c.source) for c in (r.target, r.achieved) if c is not None)
        t.add_row(str(r.year), *cells, escape("; ".join(sources)))
    console.print(t)
    for n in table.notes:
        console.print(f"[dim]{escape(n)}[/]")
