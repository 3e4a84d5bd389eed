"""Charts of compare and trend tables: PNGs drawn with matplotlib's headless Agg backend.

Imported only by the commands that draw (--chart, Slack's /compare and /trend), so no other
command pays for matplotlib. Labels are in the table's language; Chinese labels need a CJK
font (Debian's fonts-wqy-microhei or fonts-noto-cjk): without one the labels fall back to
English and the chart says so. Every plotted value is a cell's normalised value; the figure as
written is printed on the bar or point, and the sources go under the chart.
"""
from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path
from typing import Optional

from retrieval.compare.model import CompareTable, TrendTable
from retrieval.errors import PlanbotError

# Slack shows an image preview about 360 px wide: 8 x 4.5 in at 100 dpi stays legible there.
SIZE = (8.0, 4.8)
DPI = 110
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Source Han Sans SC",
             "SimHei", "Microsoft YaHei")
COLOURS = {"target": "#1f77b4", "achieved": "#d62728", "forecast": "#ff9896"}
LABELS = {
    "en": {"target": "target", "achieved": "achieved", "forecast": "estimate", "source": "Source", "sources": "Sources",
           "not_stated": "not stated", "year": "year"},
    "zh": {"target": "目标", "achieved": "实际", "forecast": "预计", "source": "来源", "sources": "来源",
           "not_stated": "未提及", "year": "年份"},
}


class ChartError(PlanbotError):
    pass


@lru_cache(maxsize=1)
def cjk_font() -> Optional[str]:
    """The name of an installed font with Chinese glyphs, or None."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in CJK_FONTS if n in names), None)


def render(table, path: str | Path) -> Path:
    """Draw `table` (CompareTable: bars, TrendTable: lines) to the PNG at `path`."""
    path = Path(path)
    try:
        png = render_png(table)
        path.write_bytes(png)
    except OSError as exc:
        raise ChartError(f"could not write the chart to {path}: {exc.strerror or exc}") from exc
    return path


_PYPLOT = threading.Lock()  # pyplot's figure registry and rc settings are process-wide: one chart at a time


def render_png(table) -> bytes:
    """The chart as PNG bytes (safe to call from several threads: the Slack bot's answer pool)."""
    with _PYPLOT:
        return _render_png(table)


def _render_png(table) -> bytes:
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    lang, note = table.lang, None
    font = cjk_font()
    if lang == "zh" and font is None:
        lang, note = "en", "(No Chinese font installed: labels in English.)"
    rc = {"font.family": "sans-serif", "font.sans-serif": ([font] if font else []) + ["DejaVu Sans"], "axes.unicode_minus": False}
    with plt.rc_context(rc):
        fig, ax = plt.subplots(figsize=SIZE, dpi=DPI)
        try:
            if isinstance(table, CompareTable):
                sources = _bars(ax, table, lang)
            elif isinstance(table, TrendTable):
                sources = _lines(ax, table, lang)
            else:
                raise ChartError(f"cannot chart a {type(table).__name__}")
            title = table.title if lang == table.lang else _english_title(table)
            ax.set_title(title, fontsize=13, loc="left")
            ax.spines[["top", "right"]].set_visible(False)
            foot = _source_line(sources, lang) + (f"  {note}" if note else "")
            fig.text(0.01, 0.01, foot, fontsize=7.5, color="#555555", ha="left", va="bottom", wrap=True)
            fig.tight_layout(rect=(0, 0.07, 1, 1))
            buf = io.BytesIO()
            fig.savefig(buf, format="png")
            return buf.getvalue()
        finally:
            plt.close(fig)


def _english_title(table) -> str:
    from retrieval.compare.service import _compare_title, _trend_title

    return _compare_title(table, "en") if isinstance(table, CompareTable) else _trend_title(table, "en")


def _unit_label(unit: str) -> str:
    return "%" if unit == "percent" else unit


def _bars(ax, table: CompareTable, lang: str) -> list[str]:
    L = LABELS[lang]
    rows = table.rows
    names = [(r.region_zh if lang == "zh" else r.region) for r in rows]
    values = [r.cell.value if r.cell else 0.0 for r in rows]
    colours = [COLOURS.get(r.cell.kind, "#777777") if r.cell else "#dddddd" for r in rows]
    xs = range(len(rows))
    ax.bar(xs, values, color=colours, width=0.7)
    small = len(rows) > 12
    for x, r in zip(xs, rows):
        label = r.cell.figure if r.cell else L["not_stated"]
        ax.annotate(label, (x, values[x]), xytext=(0, 2), textcoords="offset points", ha="center", va="bottom",
                    fontsize=6.5 if small else 9, rotation=90 if small else 0, color="#333333" if r.cell else "#999999")
    ax.set_xticks(list(xs), names, rotation=60 if small else 0, ha="right" if small else "center", fontsize=8 if small else 10)
    unit = next((r.cell.unit for r in rows if r.cell), "")
    ax.set_ylabel(_unit_label(unit))
    top = max(values or [0]) or 1
    ax.set_ylim(0, top * (1.35 if small else 1.2))
    return [r.cell.source.title for r in rows if r.cell]


def _lines(ax, table: TrendTable, lang: str) -> list[str]:
    L = LABELS[lang]
    sources = []
    unit = ""
    for key in ("target", "achieved"):
        if table.kind not in (None, key):
            continue
        pts = [(r.year, getattr(r, key)) for r in table.rows if getattr(r, key) is not None]
        if not pts:
            continue
        unit = unit or pts[0][1].unit
        xs, ys = [], []
        for y, c in pts:
            if xs and y - xs[-1] > 1:
                xs.append(y - 0.5)
                ys.append(float("nan"))  # a year no source states breaks the line: nothing is drawn across it
            xs.append(y)
            ys.append(c.value)
        ax.plot(xs, ys, marker="o", color=COLOURS[key], label=L[key], linestyle="--" if key == "target" else "-")
        for (y, c) in pts:
            if c.kind == "forecast":
                ax.plot([y], [c.value], marker="o", color="white", markeredgecolor=COLOURS[key])
            if len(pts) <= 16:
                ax.annotate(c.figure, (y, c.value), xytext=(0, 5 if key == "target" else -11), textcoords="offset points",
                            ha="center", fontsize=7, color=COLOURS[key])
        sources += [c.source.title for _, c in pts]
    ax.set_xlabel(L["year"])
    ax.set_ylabel(_unit_label(unit))
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(axis="y", color="#eeeeee")
    if sources:
        ax.legend(frameon=False)
    return sources


def _source_line(titles: list[str], lang: str) -> str:
    L = LABELS[lang]
    unique = list(dict.fromkeys(titles))
    if not unique:
        return ""
    if len(unique) <= 3:
        return f"{L['sources'] if len(unique) > 1 else L['source']}: " + "; ".join(unique)
    years = sorted({t[:4] for t in unique if t[:4].isdigit()})
    kind = "government work reports" if lang == "en" else "政府工作报告"
    first, last = (years[0], years[-1]) if years else ("", "")
    if lang == "en":
        span = f"{first}–{last} " if first != last else f"{first} "
    else:
        span = (f"{first}—{last}年" if first != last else f"{first}年") if years else ""
    return f"{L['sources']}: {len(unique)} {span}{kind}" if lang == "en" else f"{L['sources']}：{span}{kind}（{len(unique)}份）"
