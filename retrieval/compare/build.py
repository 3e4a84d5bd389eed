"""Compare and trend tables from facts: pure functions, no I/O.

Nothing is filled from another period or kind without saying so: a region whose sources do not
state the asked figure gets an empty row, and the nearest figure they do state rides along as
`elsewhere`, labelled with its own period and kind.
"""
from __future__ import annotations

from typing import Callable, Optional

from retrieval.compare.model import CompareRow, CompareTable, Indicator, TrendRow, TrendTable
from retrieval.compare.select import FactDoc, about, best, dominant, is_year

MEASURE_WORDS = {"growth": "growth", "share": "share", "level": "level", "count": "count"}


def _measure(pool: list[FactDoc], ind: Indicator, notes: list[str]) -> Optional[str]:
    if ind.measure:
        return ind.measure
    m = dominant(f.measure for f, _ in pool)
    if m and len({f.measure for f, _ in pool}) > 1:
        notes.append(f"Showing the indicator's {m} (what most sources state); name the measure to choose, "
                     f"e.g. \"{ind.en} growth\".")
    return m


def _unit(pool: list[FactDoc], notes: list[str]) -> list[FactDoc]:
    """Keep the unit most statements use: a growth rate in percent is not one in percentage points."""
    unit = dominant((f.unit for f, _ in pool), prefer_high=False)
    return [fd for fd in pool if fd[0].unit == unit]


def _kind_of(f) -> str:
    """A report's estimate of its past year ("预计增长…") answers for the result, labelled as such."""
    return "achieved" if f.kind == "forecast" else f.kind


def compare_table(facts: list[FactDoc], ind: Indicator, regions: list[tuple[str, str, str]],
                  period: Optional[str] = None, kind: Optional[str] = None, sort: bool = False,
                  above: Optional[float] = None, below: Optional[float] = None, lang: str = "en") -> CompareTable:
    """One row per region in `regions` ((id, name, name_zh) in the order to show)."""
    wanted = {rid for rid, _, _ in regions}
    notes: list[str] = []
    pool = [fd for fd in facts if fd[0].region_id in wanted and about(fd[0], ind)]
    measure = _measure(pool, ind, notes)
    pool = _unit([fd for fd in pool if fd[0].measure == measure], notes)
    if period is None:
        period = dominant(p for _, p in {(f.region_id, f.period) for f, _ in pool if is_year(f.period)})
        if period:
            notes.append(f"Period {period}: the year most of these regions state (choose with a period).")
    if kind is None:
        kind = dominant(k for _, k in {(f.region_id, _kind_of(f)) for f, _ in pool if f.period == period})
    ind = Indicator(ind.id, ind.en, ind.zh, measure)
    rows = []
    for rid, name, name_zh in regions:
        mine = [fd for fd in pool if fd[0].region_id == rid]
        of = lambda p, k: [fd for fd in mine if fd[0].period == p and fd[0].kind == k]  # noqa: E731
        cell = best(of(period, kind)) or (best(of(period, "forecast")) if kind == "achieved" else None)
        elsewhere = None
        if cell is None:
            # the same period in another kind first ("a 2025 forecast"), else the latest other year
            same_period = [fd for fd in mine if fd[0].period == period]
            other = same_period or sorted((fd for fd in mine if _kind_of(fd[0]) == kind), key=lambda fd: fd[0].period)[-1:]
            elsewhere = best(of(other[0][0].period, other[0][0].kind)) if other else None
        rows.append(CompareRow(rid, name, name_zh, cell, elsewhere))
    if above is not None or below is not None:
        kept = [r for r in rows if not r.stated or _within(r.cell.value, r.cell.value_high, above, below)]
        dropped = len(rows) - len(kept)
        bound = " and ".join(x for x in (f"at or above {above:g}" if above is not None else "",
                                          f"at or below {below:g}" if below is not None else "") if x)
        notes.append(f"Only figures {bound} (a range counts by either end); {dropped} region(s) left out.")
        rows = kept
    if sort:
        rows.sort(key=lambda r: (not r.stated, -(r.cell.value if r.stated else 0.0)))
    missing = [r.region for r in rows if not r.stated]
    if missing:
        notes.append(f"Not stated for {period} ({kind}) in the indexed sources: {', '.join(missing)}.")
    return CompareTable(ind, period, kind, rows, notes, lang)


def _within(value: float, high: Optional[float], above: Optional[float], below: Optional[float]) -> bool:
    hi = high if high is not None else value
    if above is not None and hi < above:
        return False
    if below is not None and value > below:
        return False
    return True


def trend_table(facts: list[FactDoc], ind: Indicator, region: tuple[str, str, str], kind: Optional[str] = None,
                since: Optional[int] = None, until: Optional[int] = None, lang: str = "en") -> TrendTable:
    """One row per year that a source states the indicator for `region` ((id, name, name_zh))."""
    rid, name, name_zh = region
    notes: list[str] = []
    pool = [fd for fd in facts if fd[0].region_id == rid and about(fd[0], ind) and is_year(fd[0].period)]
    pool = [fd for fd in pool if (since is None or int(fd[0].period) >= since) and (until is None or int(fd[0].period) <= until)]
    measure = _measure(pool, ind, notes)
    pool = _unit([fd for fd in pool if fd[0].measure == measure], notes)
    ind = Indicator(ind.id, ind.en, ind.zh, measure)
    rows = []
    for year in sorted({int(f.period) for f, _ in pool}):
        of_year: Callable[[str], list[FactDoc]] = lambda k: [fd for fd in pool if fd[0].period == str(year) and fd[0].kind == k]  # noqa: E731
        target = best(of_year("target")) if kind in (None, "target") else None
        # a result the report gives as an estimate ("预计增长…") is shown as one, never as a result
        achieved = (best(of_year("achieved")) or best(of_year("forecast"))) if kind in (None, "achieved") else None
        if target or achieved:
            rows.append(TrendRow(year, target, achieved))
    if rows and any(r.achieved is not None and r.achieved.kind == "forecast" for r in rows):
        notes.append("Results marked as estimates are what a report expected for its past year before final figures.")
    return TrendTable(ind, rid, name, name_zh, kind, rows, notes, lang)
