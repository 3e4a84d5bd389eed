"""Compare and trend tables as Block Kit messages, within Slack's limits.

One line per row, packed into sections of at most 3,000 characters; a table longer than
MAX_ROWS is cut with a note that says how many rows are left out and how to get them all.
Figures are shown as written (bold) with their normalised value, kind, period and source.
"""
from __future__ import annotations

from typing import Optional

from bot.compare_view import HEADERS, elsewhere_text, kind_text, value_text
from retrieval.compare.model import Cell, CompareTable, TrendTable, short_source

from . import formatting as fmt

MAX_ROWS = 40  # 31 provinces fit; beyond this the CLI (--json) has the rest
_MORE = {"en": "{n} more rows not shown: `planbot {cmd} … --json` lists them all.",
         "zh": "另有{n}行未显示：`planbot {cmd} … --json` 可列出全部。"}
_CHART_FAILED = {"en": ":warning: The chart could not be uploaded ({why}); the table above has every figure.",
                 "zh": ":warning: 图表上传失败（{why}）；上面的表格包含全部数字。"}


def _cell(c: Cell, lang: str, with_source: bool = True) -> str:
    value = value_text(c)
    same = value.replace("–", "—") == c.figure or value == c.figure
    head = f"*{fmt.neutralise(c.figure)}*" + ("" if same else f" ({fmt.neutralise(value)})")
    src = f" · _{fmt.neutralise(short_source(c.source))}_" if with_source else ""
    return f"{head} {kind_text(c, lang)} {fmt.neutralise(c.period)}{src}"


def table_lines(table: CompareTable | TrendTable) -> list[str]:
    lang = table.lang
    h = HEADERS.get(lang, HEADERS["en"])
    lines = []
    if isinstance(table, CompareTable):
        for r in table.rows:
            name = fmt.neutralise(r.region_zh if lang == "zh" else r.region)
            if r.cell is None:
                extra = elsewhere_text(r.elsewhere, lang)
                lines.append(f"• {name}: _{h['not_stated']}_" + (f" {fmt.neutralise(extra)}" if extra else ""))
            else:
                lines.append(f"• {name}: {_cell(r.cell, lang)}")
    else:
        for r in table.rows:
            parts = []
            for key, c in (("target", r.target), ("achieved", r.achieved)):
                if c is not None and table.kind in (None, key):
                    parts.append(f"{h[key]} *{fmt.neutralise(c.figure)}*" + (f" ({kind_text(c, lang)})" if c.kind == "forecast" else ""))
            sources = dict.fromkeys(c.source.title for c in (r.target, r.achieved) if c is not None)
            lines.append(f"• {r.year}: " + ", ".join(parts) + f" · _{fmt.neutralise('; '.join(sources))}_")
    return lines


def format_table(table: CompareTable | TrendTable, max_rows: int = MAX_ROWS) -> dict:
    """The table as a message: header, rows, notes; `text` is the plain fallback."""
    lang = table.lang
    lines = table_lines(table)
    shown, rest = lines[:max_rows], len(lines) - max_rows
    blocks: list[dict] = [fmt.header(fmt.truncate(table.title, fmt.MAX_HEADER_CHARS))]
    for chunk in fmt._pack_lines(shown):
        blocks.append(fmt.section(chunk))
    notes = [fmt.neutralise(n) for n in table.notes]
    if rest > 0:
        cmd = "compare" if isinstance(table, CompareTable) else "trend"
        notes.append(_MORE[lang].format(n=rest, cmd=cmd))
    if notes:
        blocks.append(fmt.context(*[fmt.truncate(n, 3000) for n in notes[: fmt.MAX_CONTEXT_ELEMENTS]]))
    text = fmt.truncate(fmt.neutralise(table.title) + "\n" + "\n".join(shown), fmt.MAX_TEXT_CHARS)  # lines are neutralised
    return {"text": text, "blocks": fmt.fit_blocks(blocks)}


def chart_failed(lang: str, why: str) -> dict:
    text = _CHART_FAILED.get(lang, _CHART_FAILED["en"]).format(why=fmt.neutralise(why))
    return {"text": text, "blocks": [fmt.section(text)]}


def chart_filename(table: CompareTable | TrendTable) -> str:
    what = "compare" if isinstance(table, CompareTable) else "trend"
    return f"planbot-{what}-{table.indicator.id}.png"


def alt_text(table: CompareTable | TrendTable, limit: int = 1000) -> Optional[str]:
    return fmt.truncate(table.title + ": " + "; ".join(x.lstrip("• ").replace("*", "").replace("_", "") for x in table_lines(table)), limit)
