"""Rich terminal rendering of answers, region digests and region lists."""
from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.text import Text
from rich.tree import Tree

from retrieval.text.script import script_of
from retrieval.types import Answer, Quote


def _highlight(quote: Quote) -> Text:
    text = Text(quote.text)
    for f in quote.figures:
        if 0 <= f.start < f.end <= len(quote.text):
            text.stylize("bold yellow", f.start, f.end)
    return text


def _cite(src) -> str:
    parts = [src.title or src.path or src.doc_id]
    if src.publisher:
        parts.append(src.publisher)
    if src.date:
        parts.append(src.date)
    where = src.url or src.path
    return " · ".join(p for p in parts if p) + (f"\n    {where}" if where else "")


def print_answer(con: Console, ans: Answer) -> None:
    if not ans.answered:
        con.print(f"[bold]{escape(ans.question)}[/]")
        con.print("[red]Not found in the indexed sources.[/]")
        if ans.declined_because:
            con.print(f"[yellow]Why:[/] {escape(ans.declined_because)}")
        for note in ans.notes:
            con.print(f"[dim]{escape(note)}[/]")
        if ans.quotes:
            # a declined answer's quotes are context: what the sources say instead
            con.print("Closest sentences (context, not an answer):")
            for q in ans.quotes:
                con.print(Text("  “") + Text(q.text) + Text("”"))
                con.print(f"   [green]{escape(_cite(q.source))}[/]")
            return
        if ans.nearest:
            con.print("Closest sources:")
            for s in ans.nearest:
                con.print(f"  • {escape(_cite(s))}")
        return
    con.print(f"[bold]{escape(ans.question)}[/]\n")
    for i, q in enumerate(ans.quotes, 1):
        # Chinese has no spaces: with none after "1." either, the quote starts on the number's
        # line and folds at the edge instead of wrapping whole onto the next line.
        gap = "" if script_of(q.text) == "zh" else " "
        line = Text(f"{i}.{gap}", style="bold") + Text("“") + _highlight(q) + Text("”")
        line.overflow = "fold"
        con.print(line)
        if q.rendering:
            con.print(f"   [cyan]→ {escape(q.rendering)}[/]")
        figs = [f for f in q.figures if f.english or f.chinese]
        if figs:
            con.print("   [dim]figures:[/] " + escape("; ".join(f"{f.text} = {f.english}" + (f" ({f.kind}{', ' + f.period if f.period and f.period != 'unknown' else ''})" if f.kind != "unknown" else "") for f in figs)))
        con.print(f"   [green]{escape(_cite(q.source))}[/]\n")
    for note in ans.notes:
        con.print(f"[dim]{escape(note)}[/]")


def print_digest(con: Console, d: dict) -> None:
    r = d["region"]
    con.print(f"[bold]{escape(r['name'])}[/] {escape(r.get('name_zh') or '')}  [dim]({r['level']})[/]")
    if not d.get("figures"):
        con.print("[yellow]No figures found in the indexed sources for this region.[/]")
    for kind, title in (("achieved", "Achieved"), ("target", "Targets"), ("forecast", "Forecasts"), ("unknown", "Other figures")):
        figs = [f for f in d.get("figures", []) if f.get("kind") == kind]
        if not figs:
            continue
        con.print(f"\n[bold underline]{title}[/]")
        for f in figs:
            period = f" ({f['period']})" if f.get("period") else ""
            con.print(f"• [bold yellow]{escape(f['text'])}[/] {escape(f.get('metric') or '')}{escape(period)}")
            con.print(f"  [dim]“{escape(f['quote'])}”[/]")
            src = f.get("source") or {}
            con.print(f"  [green]{escape(src.get('title') or '')}[/] {escape(src.get('date') or '')}")
    if d.get("industries"):
        con.print("\n[bold underline]Leading industries and plans[/]")
        con.print(escape(", ".join(i["name"] if isinstance(i, dict) else str(i) for i in d["industries"])))
    if d.get("sources"):
        con.print("\n[bold underline]Sources[/]")
        for s in d["sources"]:
            con.print(f"• {escape(s.get('title') or s.get('doc_id', ''))} {escape(s.get('date') or '')} {escape(s.get('url') or s.get('path') or '')}")


def print_regions(con: Console, rows: list[dict]) -> None:
    if not rows:
        con.print("No regions with documents yet: run `planbot ingest` first.")
        return
    by_parent: dict = {}
    ids = {r["id"] for r in rows}
    for r in rows:
        parent = r.get("parent") if r.get("parent") in ids else None
        by_parent.setdefault(parent, []).append(r)
    root = Tree("[bold]Regions with documents[/]")

    def add(node, parent):
        for r in by_parent.get(parent, []):
            label = f"{escape(r['name'])} {escape(r.get('name_zh') or '')} [dim]{r['documents']} docs, {r.get('figures', 0)} figures[/]"
            add(node.add(label), r["id"])

    add(root, None)
    con.print(root)


def _short(title: str, n: int = 28) -> str:
    return title if len(title) <= n else title[: n - 1] + "…"


def print_figures(con: Console, rows: list[dict], limit: int = 50) -> None:
    """`planbot figures`: one fact a row, newest source first."""
    from rich.table import Table

    if not rows:
        con.print("[yellow]No figures match.[/] Try fewer filters, or `planbot regions` to see what is indexed.")
        return
    table = Table(show_lines=False, header_style="bold")
    for col in ("Region", "Period", "Kind", "Indicator", "Figure", "Source"):
        table.add_column(col, overflow="fold")
    for r in rows[:limit]:
        ind = r["indicator"]
        src = r["source"]
        table.add_row(escape(r["region"]["name"]), r["period"], r["kind"], escape(ind["en"] or ind["text"] or ""),
                      f"[bold yellow]{escape(r['figure'])}[/] [dim]{r['measure']}[/]",
                      escape(f"{_short(src['title'] or src['doc_id'])} @{r['start']}"))
    con.print(table)
    if len(rows) > limit:
        con.print(f"[dim]{len(rows) - limit} more; narrow with --region/--indicator/--period/--kind, or use --json.[/]")


def print_documents(con: Console, rows: list[dict]) -> None:
    """The `planbot documents` table: one row per indexed document (URLs and full paths: --json)."""
    from pathlib import PurePath

    from rich.table import Table

    if not rows:
        con.print("The index holds no documents: run `planbot ingest PATH` first.")
        return
    table = Table(box=None, pad_edge=False, header_style="bold", expand=True, padding=(0, 1, 1, 0))
    table.add_column("document (title, publisher, file)", overflow="fold", ratio=1)
    table.add_column("date", no_wrap=True)
    table.add_column("lang", no_wrap=True)
    table.add_column("region", no_wrap=True)
    table.add_column("chunks", justify="right", no_wrap=True)
    table.add_column("figs", justify="right", no_wrap=True)
    for r in rows:
        date = (r["date"] or "") + (f"\n(on {r['period']})" if r.get("period") else "")
        path = r["path"]
        name = PurePath(path.split("#")[0]).name + (f"#{path.rsplit('#', 1)[1]}" if "#" in path else "")
        cell = Text(r["title"] or "", style="bold")
        if r["publisher"]:
            cell += Text("\n" + r["publisher"])
        cell += Text("\n" + name, style="dim")
        table.add_row(cell, escape(date), escape("\n".join(r["languages"])),
                      escape(r.get("main_region_short") or r["main_region_name"] or ""), str(r["chunks"]), str(r["figures"]))
    con.print(table)
    con.print(f"[dim]{len(rows)} documents; paths, URLs, authors and tags with --json[/]")
