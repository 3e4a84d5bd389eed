"""Tables in a document's text: a header row's year and "target" speak for the cells below them.

Ingest keeps a table as one line per row, its cells joined by tabs (.docx) or between pipes
(Markdown, and HTML as the page reader writes it): "指标\t2024年\t2025年目标" over
"高新技术企业（家）\t268\t300\t350". A row's own words say no year, so without its header every
figure of it would take the section's or the document's year and kind.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Optional

from retrieval.facts.period import Period

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_TARGET = re.compile(r"目标|目標|预期|預期|计划|計劃|规划|規劃|力争|力爭|预计|預計|target|goal|plan|forecast|projected", re.I)
_RULE = re.compile(r"^[\s|｜:：\-—=+]+$")  # a Markdown table's |---|---| line


@dataclass(frozen=True)
class Column:
    """What a header cell says of the cells below it."""
    period: Optional[Period]  # the one year it names, if exactly one
    kind: Optional[str]  # "target" when it says so; "achieved" for a year before the document's


@dataclass(frozen=True)
class Cell:
    start: int  # offsets in the document's text
    end: int
    column: Column


def _cells(line: str, at: int) -> list[tuple[int, int]]:
    """(start, end) of a table row's cells (offsets in the text), or [] for a line that is no row."""
    if "\t" in line:
        sep = "\t"
    elif line.lstrip().startswith(("|", "｜")) and line.count("|") + line.count("｜") >= 3:
        sep = "|"
        line = line.replace("｜", "|")
    else:
        return []
    out, pos = [], 0
    for part in line.split(sep):
        a, b = pos, pos + len(part)
        pos = b + 1
        s = part.strip()
        if s:
            lead = part.index(s)
            out.append((at + a + lead, at + a + lead + len(s)))
    return out if len(out) >= 2 or sep == "|" else []


def _column(header: str, pub_year: Optional[int]) -> Column:
    years = {int(y) for y in _YEAR.findall(header)}
    period = Period(*(2 * [next(iter(years))]), explicit=True) if len(years) == 1 else None
    if _TARGET.search(header):
        kind: Optional[str] = "target"
    elif period is not None and pub_year is not None and period.lo < pub_year:
        kind = "achieved"
    else:
        kind = None
    return Column(period, kind)


def _header(text: str, cells: list[tuple[int, int]], pub_year: Optional[int]) -> list[Column]:
    cols = [_column(text[a:b], pub_year) for a, b in cells]
    # "2024年 | 2025年目标": beside a target's column, an earlier year's plain one holds results
    # (also in an undated plan)
    first_target = min((c.period.lo for c in cols if c.kind == "target" and c.period is not None), default=None)
    return [Column(c.period, "achieved") if c.kind is None and c.period is not None and first_target is not None
            and c.period.lo < first_target else c for c in cols]


def table_cells(text: str, pub_year: Optional[int]) -> list[Cell]:
    """Every body cell of every table in `text` under a header cell that names a year or a target.
    A table is a run of row lines; its first row is the header, and the i-th cell of a later row
    is under the header's i-th cell (rows as long as the header only: a shorter row's cells are
    not known to line up). `pub_year`: the document's year, before which a year is a result."""
    out: list[Cell] = []
    header: Optional[list[Column]] = None
    pos = 0
    for line in text.split("\n"):
        at, pos = pos, pos + len(line) + 1
        if header is not None and (not line.strip() or _RULE.match(line)):
            continue  # .docx rows come as paragraphs, a blank line apart
        cells = _cells(line, at)
        if not cells:
            header = None  # the table has ended
            continue
        if header is None:
            header = _header(text, cells, pub_year)
            continue
        if len(cells) == len(header):
            out.extend(Cell(a, b, col) for (a, b), col in zip(cells, header)
                       if col.period is not None or col.kind is not None)
    return out


def cell_at(cells: list[Cell], offset: int) -> Optional[Cell]:
    """The table cell holding the text offset, if any (`cells` in text order, as table_cells
    gives them: a bisection, as a statistical table has thousands of figures)."""
    i = bisect.bisect_right([c.start for c in cells], offset) - 1 if cells else -1
    return cells[i] if i >= 0 and offset < cells[i].end else None
