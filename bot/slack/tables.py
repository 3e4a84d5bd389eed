"""Compare and trend tables as Block Kit messages, within Slack's limits.

One line per row, packed into sections of at most 3,000 characters. Where there is a thread
to continue in (/compare, /trend, a routed question in a thread) a long table is paged,
MAX_ROWS rows a message (`format_pages`); a single message (an ephemeral /ask answer) is cut
at MAX_ROWS with a note that says how many rows are left out and how to get them all.
Figures are shown as written (bold) with their normalised value, kind, period and source.
"""
from __future__ import annotations

from typing import Optional

from bot.compare_view import HEADERS, elsewhere_text, kind_text, value_text
from retrieval.compare.model import Cell, CompareTable, TrendTable, short_source

from . import formatting as fmt

MAX_ROWS = 40  # rows in one message: 31 provinces fit
MAX_PAGES = 5  # messages of one table in Slack (the first in the channel, the rest in its thread); past this, --json
_MORE = {"en": "{n} more rows not shown: `planbot {cmd} … --json` lists them all.",
         "zh": "另有{n}行未显示：`planbot {cmd} … --json` 可列出全部。"}
_PAGE = {"en": "page {n} of {of}", "zh": "第{n}页，共{of}页"}
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


def format_table(table: CompareTable | TrendTable, max_rows: int = MAX_ROWS, reserve_blocks: int = 0) -> dict:
    """The table as one message: header, rows, notes; a table longer than `max_rows` is cut with
    a note. `text` is the plain fallback; `reserve_blocks` are left free for buttons."""
    lines = table_lines(table)
    rest = len(lines) - max_rows
    more = [_MORE[table.lang if table.lang in _MORE else "en"].format(n=rest, cmd=_command(table))] if rest > 0 else []
    return _page(table, lines[:max_rows], first=True, notes=[fmt.neutralise(n) for n in table.notes] + more,
                 reserve_blocks=reserve_blocks)


def format_pages(table: CompareTable | TrendTable, rows_per_page: int = MAX_ROWS, max_pages: int = MAX_PAGES,
                 reserve_blocks: int = 0) -> list[dict]:
    """The table as messages of `rows_per_page` rows: the first (with the title) for the channel,
    the others for its thread, each saying which page it is. The table's notes go on the last
    page; past `max_pages` the rest is cut with a note. `reserve_blocks` are left free on the first."""
    lines = table_lines(table)
    rows_per_page = max(1, rows_per_page)
    chunks = [lines[i:i + rows_per_page] for i in range(0, len(lines), rows_per_page)] or [[]]
    rest = sum(len(c) for c in chunks[max_pages:])
    chunks = chunks[:max_pages]
    lang = table.lang if table.lang in _PAGE else "en"
    pages = []
    for n, chunk in enumerate(chunks, 1):
        notes = [_PAGE[lang].format(n=n, of=len(chunks))] if len(chunks) > 1 else []
        if n == len(chunks):
            notes += [fmt.neutralise(x) for x in table.notes]
            if rest > 0:
                notes.append(_MORE[lang].format(n=rest, cmd=_command(table)))
        pages.append(_page(table, chunk, first=n == 1, notes=notes, reserve_blocks=reserve_blocks if n == 1 else 0))
    return pages


def _command(table: CompareTable | TrendTable) -> str:
    return "compare" if isinstance(table, CompareTable) else "trend"


def _page(table: CompareTable | TrendTable, lines: list[str], first: bool, notes: list[str], reserve_blocks: int) -> dict:
    title = fmt.neutralise(table.title)
    blocks: list[dict] = [fmt.header(fmt.truncate(table.title, fmt.MAX_HEADER_CHARS))] if first else []
    for chunk in fmt._pack_lines(lines):
        blocks.append(fmt.section(chunk))
    if notes:
        blocks.append(fmt.context(*[fmt.truncate(n, 3000) for n in notes[: fmt.MAX_CONTEXT_ELEMENTS]]))
    head = title if first else f"{title} ({notes[0]})" if notes else title
    text = fmt.truncate(head + "\n" + "\n".join(lines), fmt.MAX_TEXT_CHARS)  # lines are neutralised
    return {"text": text, "blocks": fmt.fit_blocks(blocks, fmt.MAX_BLOCKS - reserve_blocks)}


def chart_failed(lang: str, why: str) -> dict:
    text = _CHART_FAILED.get(lang, _CHART_FAILED["en"]).format(why=fmt.neutralise(why))
    return {"text": text, "blocks": [fmt.section(text)]}


def chart_filename(table: CompareTable | TrendTable) -> str:
    what = "compare" if isinstance(table, CompareTable) else "trend"
    return f"planbot-{what}-{table.indicator.id}.png"


def alt_text(table: CompareTable | TrendTable, limit: int = 1000) -> Optional[str]:
    return fmt.truncate(table.title + ": " + "; ".join(x.lstrip("• ").replace("*", "").replace("_", "") for x in table_lines(table)), limit)
