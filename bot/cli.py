"""The `planbot` command: a thin layer over retrieval.engine / retrieval.ingest.

Heavy imports (torch, sentence-transformers, faiss) happen inside the commands that
need them, so `planbot --help`, `stats` and `regions` start fast.
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

import click

from retrieval.errors import NothingToIngest, PlanbotError, UnknownRegion


def _settings(index: str | None, model: str | None = None, store: str | None = None):
    from bot.config import Settings

    overrides = {}
    if index:
        overrides["index_dir"] = index
    if model:
        overrides["embedding_model"] = model
    if store:
        overrides["store"] = store
    return Settings.load(**overrides)


def _console(stderr: bool = False):
    from rich.console import Console

    # Messages on stderr are not wrapped: a path or a command in them must stay copyable.
    return Console(stderr=stderr, highlight=False, soft_wrap=stderr)


def _dump(obj) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=None if not sys.stdout.isatty() else 2, default=str))


# -- the error boundary --------------------------------------------------------------------------
class _ErrorBoundary(click.Group):
    """The one place where errors become messages and exit codes (README: 1 error, 2 bad
    input, 3 ingest skipped files). A PlanbotError carries its message and `exit_code`;
    anything else is a bug, reported in one line (PLANBOT_DEBUG=1 shows the traceback).
    With --json the error is also printed as JSON on stdout, for scripts."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PlanbotError as exc:
            _report(ctx, exc, str(exc), exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:
            if os.environ.get("PLANBOT_DEBUG"):
                raise
            _report(ctx, exc, f"unexpected {type(exc).__name__}: {exc} (PLANBOT_DEBUG=1 shows where)", 1)


def _report(ctx: click.Context, exc: Exception, message: str, code: int) -> None:
    from rich.markup import escape

    for cleanup in ctx.meta.get(_CLEANUP, []):
        cleanup()  # a progress bar must stop before the message is printed
    if ctx.meta.get(_JSON):
        data = {"error": message, "exit_code": code}
        if isinstance(exc, UnknownRegion):
            data["candidates"] = [asdict(c) if hasattr(c, "__dataclass_fields__") else c for c in exc.candidates]
        _dump(data)
    else:
        _console(stderr=True).print(f"[bold red]error:[/] {escape(message)}", markup=True)
    ctx.exit(code)


_JSON, _CLEANUP = "planbot.json", "planbot.cleanup"


def _remember_json(ctx: click.Context, _param, value: bool) -> bool:
    ctx.meta[_JSON] = value  # meta is shared by every context of the invocation
    return value


index_option = click.option("--index", "index", metavar="DIR", help="Index directory (default: $PLANBOT_INDEX, else ~/.local/share/planbot/index).")
json_option = click.option("--json", "as_json", is_flag=True, callback=_remember_json,
                           help="Print JSON for scripts instead of formatted text.")
store_option = click.option("--store", "store", metavar="URI", help="Store backend: faiss (the --index directory, default) or a Milvus URI "
                            "(http://host:19530, or a milvus-lite path ending in .db; URI#name for a named store); default $PLANBOT_STORE.")


@click.group(cls=_ErrorBoundary, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="planbot")
def cli() -> None:
    """planbot: answers questions about regional industrial plans with quoted, sourced figures.

    \b
    Typical use:
      planbot ingest ../shared/corpus          # index articles and reports
      planbot ask "What GDP growth does Beijing target for 2025?"
      planbot region Nanjing                   # digest of a region
      planbot serve                            # run the Slack bot
    """


# -- ingest ------------------------------------------------------------------------------------
@cli.command()
@click.argument("paths", nargs=-1, required=True)
@index_option
@click.option("--model", metavar="NAME", help="sentence-transformers model name or path (default: bundled multilingual USE v3; $PLANBOT_EMBEDDING_MODEL).")
@click.option("--rebuild", is_flag=True, help="Discard the existing index and build it anew.")
@click.option("--prune", is_flag=True, help="Remove documents whose files no longer exist.")
@click.option("--index-type", type=click.Choice(["auto", "flat", "ivf-sq8", "hnsw"]), default="auto", show_default=True, help="FAISS index type; auto: exact (flat) below 150,000 chunks, IVF-SQ8 above.")
@store_option
@click.option("--ray", "ray_address", is_flag=False, flag_value="local", default=None, metavar="[ADDRESS]",
              help="Read, chunk and embed on Ray Data (pip install 'planbot[scale]'); no ADDRESS starts a local Ray. Needs a Milvus --store.")
@json_option
def ingest(paths, index, model, rebuild, prune, index_type, store, ray_address, as_json) -> None:
    """Index articles and reports (.txt .md .html .docx .jsonl, files or folders).

    Re-running only embeds what changed; a file that cannot be read is skipped and
    named, and the exit status is 3 when anything was skipped or a folder held no
    supported file. When nothing at all can be read the exit status is 2 and the
    existing index is left as it was (also with --rebuild). Without a terminal,
    progress is logged to stderr every $PLANBOT_PROGRESS_SECONDS (default 5) seconds
    (not with --json).
    """
    from retrieval.ingest.run import ingest as run_ingest

    settings = _settings(index, model, store)
    err = _console(stderr=True)
    progress_cb, finish = _progress(err, enabled=not as_json and sys.stderr.isatty() and sys.stdout.isatty())
    if progress_cb is None and not as_json:
        # no terminal (a pipe, a service, a container): periodic log lines instead of a bar;
        # --json is for scripts, which get the report and nothing else
        from retrieval.ingest.progress import ProgressLog

        progress_cb = ProgressLog(sys.stderr, interval=_progress_interval())
    click.get_current_context().meta.setdefault(_CLEANUP, []).append(finish)
    try:
        if ray_address:
            from retrieval.ingest.ray_run import ingest_ray

            report = ingest_ray(list(paths), settings.store, model=settings.embedding_model, rebuild=rebuild, prune=prune,
                                address=None if ray_address == "local" else ray_address, progress=progress_cb)
        else:
            report = run_ingest(
                list(paths), settings.index_dir, model=settings.embedding_model, rebuild=rebuild, prune=prune,
                index_type=index_type, progress=progress_cb, store=settings.store,
            )
    except NothingToIngest as exc:
        finish()
        for s in exc.skipped:  # the files it could not read, before the error itself
            err.print(f"[yellow]skipped[/] {s.path}: {s.reason}", markup=True, highlight=False)
        raise
    finish()
    # The user cache the next ask reads, built now (the first ask would otherwise pay 8-19 s
    # for it): README command 1 asks right after this ingest (retrieval/warmup.py).
    from embeddings import is_default_model
    from retrieval.store.backends import is_milvus
    from retrieval.warmup import build_user_cache

    local = None if ray_address or is_milvus(settings.store) else settings.index_dir
    # ... and a copy of it in the index, for asks on a copy of the index (retrieval/cachepack.py)
    build_user_cache(default_model=is_default_model(settings.embedding_model), index_dir=local, pack=local is not None)
    for w in report.warnings:
        err.print(f"[yellow]warning:[/] {w}", markup=True, highlight=False)
    if as_json:
        _dump(asdict(report))
    else:
        for s in report.skipped:
            err.print(f"[yellow]skipped[/] {s.path}: {s.reason}", markup=True, highlight=False)
        verb = "updated" if report.committed else "unchanged"
        click.echo(
            f"Index {verb}: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
            f"{report.removed} removed, {len(report.skipped)} skipped; {report.chunks_embedded} chunks embedded; "
            f"{report.documents} documents / {report.chunks} chunks in {report.index} ({report.seconds:.1f} s)"
        )
    if report.skipped or report.warnings:
        sys.exit(3)


def _progress_interval() -> float:
    import os

    try:
        return max(0.0, float(os.environ.get("PLANBOT_PROGRESS_SECONDS", "5")))
    except ValueError:
        return 5.0


def _progress(console, enabled: bool):
    if not enabled:
        return None, lambda: None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn("{task.description:>10}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=console, transient=True)
    tasks: dict[str, int] = {}
    bar.start()

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total or 1)
        bar.update(tasks[stage], completed=done, total=total or 1)

    return update, bar.stop


# -- stats -------------------------------------------------------------------------------------
@cli.command()
@index_option
@store_option
@json_option
def stats(index, store, as_json) -> None:
    """Documents, chunks, model, sources, languages and date range of the index."""
    from retrieval.store.backends import open_store

    settings = _settings(index, store=store)
    idx = open_store(settings.index_dir, settings.store)
    data = idx.stats()
    if as_json:
        _dump(data)
        return
    con = _console()
    con.print(f"[bold]{data['index']}[/]  ({data['generation']}, built {data['built_at']})")
    con.print(f"{data['documents']} documents, {data['chunks']} chunks; model {data['model']} ({data['dim']}-d, {data['index_type']})")
    if data["date_range"]:
        con.print(f"dates {data['date_range'][0]} … {data['date_range'][1]}")
    con.print("languages: " + ", ".join(f"{k} {v}" for k, v in data["languages"].items()))
    con.print("sources:")
    for name, n in list(data["sources"].items())[:20]:
        con.print(f"  {n:5d}  {name}")


# -- documents ---------------------------------------------------------------------------------
@cli.command()
@index_option
@json_option
def documents(index, as_json) -> None:
    """What is indexed: per document its path, title, date, publisher, URL, languages, main
    region, chunks and figures (JSON Lines with --json)."""
    from retrieval.ingest.catalog import list_documents

    rows = list_documents(_settings(index).index_dir)
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    from bot.terminal import print_documents

    print_documents(_console(), rows)


# -- ask ---------------------------------------------------------------------------------------
def _engine(index: str | None, model: str | None = None, store: str | None = None):
    from retrieval.engine import Engine

    settings = _settings(index, model, store)
    return Engine(settings.index_dir, model=model or None, store=settings.store)


@cli.command()
@click.argument("question", required=False)
@index_option
@click.option("--model", metavar="NAME", help="Embedding model (must match the index).")
@click.option("-k", "--k", "k", default=5, show_default=True, type=click.IntRange(min=1), help="Number of passages to consider for sources.")
@click.option("--region", metavar="NAME", help="Restrict to a region and the regions inside it.")
@click.option("--mode", type=click.Choice(["hybrid", "dense", "lexical"]), default="hybrid", show_default=True)
@click.option("--file", "file", type=click.File("r", encoding="utf-8"), help="Answer one question per line (JSON Lines with --json).")
@store_option
@json_option
def ask(question, index, model, k, region, mode, file, store, as_json) -> None:
    """Answer QUESTION (English or Chinese) with verbatim quotes, figures and sources."""
    if question is None and not file:
        raise click.UsageError("give a QUESTION, or --file FILE with one question per line")
    engine = _engine(index, model, store)
    questions = [question] if question is not None else [line.rstrip("\n") for line in file if line.strip()]
    failed = False
    for q in questions:
        try:
            ans = engine.ask(q, k=k, region=region, mode=mode)
        except PlanbotError as exc:
            if not file:
                raise  # one question: the boundary reports it
            # a file of questions: report this one and go on with the next
            failed = True
            _dump({"question": q, "error": str(exc)}) if as_json else _console(stderr=True).print(f"error: {exc}", markup=False)
            continue
        if as_json:
            _dump(answer_json(ans))
        else:
            from bot.terminal import print_answer

            print_answer(_console(), ans)
    if failed:
        sys.exit(1)


def answer_json(ans) -> dict:
    data = asdict(ans)
    for q in data["quotes"]:
        q["figures"] = [{k: f[k] for k in ("text", "value", "unit", "kind", "period", "english", "chinese", "qualifier", "value_high")} for f in q["figures"]]
    return data


@cli.command()
@index_option
@click.option("--region", metavar="NAME", help="Restrict to a region.")
@store_option
def chat(index, region, store) -> None:
    """Ask one question after another (history with arrow keys; Ctrl-D to leave)."""
    try:
        import readline  # noqa: F401  (line editing and history for input())
    except ImportError:
        pass
    engine = _engine(index, store=store)
    from bot.terminal import print_answer

    con = _console()
    con.print("[dim]planbot chat — ask in English or Chinese; a follow-up keeps the previous question as context. Ctrl-D to leave.[/]")
    previous = None
    while True:
        try:
            q = input("? ")
        except (EOFError, KeyboardInterrupt):
            click.echo()
            return
        if not q.strip():
            continue
        try:
            print_answer(con, engine.ask(q, region=region, context=previous))
            previous = q
        except PlanbotError as exc:
            con.print(f"[red]{exc}[/]", markup=True)


# -- regions -----------------------------------------------------------------------------------
@cli.command()
@click.argument("name")
@index_option
@store_option
@json_option
def region(name, index, store, as_json) -> None:
    """Digest of a region: key figures (achieved vs target), industries, plans, sources."""
    digest = _light_engine(index, store).region(name)
    if as_json:
        _dump(digest)
    else:
        from bot.terminal import print_digest

        print_digest(_console(), digest)


@cli.command()
@index_option
@store_option
@json_option
def regions(index, store, as_json) -> None:
    """Regions that have documents, with document and figure counts, as a tree."""
    rows = _light_engine(index, store).regions()
    if as_json:
        _dump(rows)
    else:
        from bot.terminal import print_regions

        print_regions(_console(), rows)


@cli.command()
@index_option
@click.option("--region", metavar="NAME", help="Figures about this region and the places inside it (全国/China: national figures).")
@click.option("--indicator", metavar="TEXT", help="Indicator, in English or Chinese (GDP, 地区生产总值, new urban jobs...).")
@click.option("--period", metavar="P", help="2024, 2021-2025, 2024Q1 or 2024-01..2024-11; a year also holds its quarters and months.")
@click.option("--kind", type=click.Choice(["achieved", "target", "forecast", "other"]), help="Results, targets, forecasts or other figures.")
@click.option("--source", metavar="TEXT", help="Only documents whose title or path contains TEXT (or with this doc id).")
@click.option("--limit", type=int, default=50, show_default=True, help="Rows shown in the table (--json prints all).")
@store_option
@json_option
def figures(index, region, indicator, period, kind, source, limit, store, as_json) -> None:
    """Figure facts read at ingest: what each figure is (indicator, region, period, achieved or target)."""
    rows = _light_engine(index, store).figures(region=region, indicator=indicator, period=period, kind=kind, source=source)
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    from bot.terminal import print_figures

    print_figures(_console(), rows, limit)


def _light_engine(index, store=None):
    """Region commands read the index and gazetteer only: no embedding model is loaded."""
    from retrieval.ask.digest import RegionReader

    settings = _settings(index, store=store)
    return RegionReader(settings.index_dir, settings.store)


# -- compare / trend ---------------------------------------------------------------------------
# One indicator across regions or over years, from the figure facts (retrieval.compare): no
# embedding model is loaded, and the chart module (matplotlib) only with --chart.
chart_option = click.option("--chart", "chart", type=click.Path(dir_okay=False, writable=True), metavar="FILE.png",
                            help="Also draw the table as a PNG chart.")
kind_choice = click.option("--kind", type=click.Choice(["target", "achieved"]), help="Only targets or only results.")


def _comparer(index, store=None):
    from retrieval.compare import Comparer

    settings = _settings(index, store=store)
    return Comparer.open(settings.index_dir, settings.store)


def _show_table(make, chart, as_json, printer: str) -> None:
    """Build the table, draw it if asked, print it (errors go to the CLI's error boundary)."""
    table = make()
    if chart:
        from bot.charts import render

        path = render(table, chart)
        _console(stderr=True).print(f"chart written to {path}", markup=False, highlight=False)
    if as_json:
        _dump(table.to_json())
    else:
        import bot.compare_view as view

        getattr(view, printer)(_console(), table)


@cli.command()
@click.argument("indicator")
@index_option
@click.option("--regions", metavar="A,B,C", help="Regions or groups (\"Yangtze River Delta\", 长三角), comma-separated.")
@click.option("--level", type=click.Choice(["province", "city"]), help="Every region of this level with indexed documents (default: province).")
@click.option("--period", metavar="YEAR", help="The year (default: the year most regions state).")
@kind_choice
@click.option("--sort", is_flag=True, help="Highest value first; regions without the figure last.")
@click.option("--above", type=float, metavar="X", help="Only figures at or above X (in the table's unit).")
@click.option("--below", type=float, metavar="X", help="Only figures at or below X.")
@store_option
@json_option
@chart_option
def compare(indicator, index, regions, level, period, kind, sort, above, below, store, as_json, chart) -> None:
    """One INDICATOR across regions: a row per region with the figure as written, its value, kind,
    period and source; regions whose sources do not state it are listed as "not stated".

    \b
    planbot compare "GDP growth" --period 2025 --kind target --sort
    planbot compare "R&D intensity" --regions Jiangsu,Zhejiang,Guangdong
    planbot compare 地区生产总值增长 --regions 长三角 --chart yrd.png
    """
    if regions and level:
        raise click.UsageError("give --regions or --level, not both")
    _show_table(lambda: _comparer(index, store).compare(indicator, regions=regions.split(",") if regions else None, level=level,
                                                 period=period, kind=kind, sort=sort, above=above, below=below),
                chart, as_json, "print_compare")


@cli.command()
@click.argument("indicator")
@index_option
@click.option("--region", metavar="NAME", help="The region (default: the whole country, from the national reports).")
@kind_choice
@click.option("--from", "since", type=int, metavar="YEAR", help="First year to show.")
@click.option("--to", "until", type=int, metavar="YEAR", help="Last year to show.")
@store_option
@json_option
@chart_option
def trend(indicator, index, region, kind, since, until, store, as_json, chart) -> None:
    """One INDICATOR over the years: a row per year with the target and the result the reports state.

    \b
    planbot trend "GDP growth" --from 2000 --chart gdp.png
    planbot trend 地区生产总值增长 --region 江苏
    """
    _show_table(lambda: _comparer(index, store).trend(indicator, region=region, kind=kind, since=since, until=until),
                chart, as_json, "print_trend")


# -- serve -------------------------------------------------------------------------------------
@cli.command()
@index_option
@click.option("--port", type=int, help="HTTP port when not in Socket Mode (default $PORT or 3000).")
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to listen on (127.0.0.1: this machine only).")
@click.option("--env-file", type=click.Path(dir_okay=False), help="Read settings from this .env file.")
@store_option
def serve(index, port, host, env_file, store) -> None:
    """Run the Slack bot: Socket Mode when SLACK_APP_TOKEN is set, else HTTP at /slack/events.

    A failure to start is one line naming the cause and the fix, with its own exit status
    (deploy/README.md): 2 settings, 66 no index, 73 port in use, 75 Slack unreachable (after
    retrying for $PLANBOT_SLACK_WAIT s; the only one worth restarting), 77 token rejected.
    """
    from bot.config import Settings

    overrides = {}
    if index:
        overrides["index_dir"] = index
    if port:
        overrides["port"] = port
    if store:
        overrides["store"] = store
    settings = Settings.load(env_file=env_file, **overrides)
    settings.check_for_serve()
    from bot.slack.app import serve as run

    run(settings, host=host)


# -- feedback ----------------------------------------------------------------------------------
@cli.command()
@index_option
@click.option("--file", "path", type=click.Path(dir_okay=False),
              help="Feedback store (default $PLANBOT_FEEDBACK, else Redis when $PLANBOT_REDIS_URL is set, "
                   "else INDEX.feedback.sqlite3 beside the index).")
@json_option
def feedback(index, path, as_json) -> None:
    """What Slack users said about answers (helpful / wrong figure / wrong source).

    --json prints one question per line in the ../shared/eval questions.jsonl format: a
    helpful answer with the figures it quoted as `answers`, a flagged one with `answers: []`
    and what was shown under `feedback`, for a reviewer to complete. So what users flag
    becomes a test set: `planbot feedback --json > my-set/questions.jsonl`.
    """
    from bot.slack.feedback import export

    settings = _settings(index)
    if not path and settings.redis_url and settings.feedback_path is None:  # the replicas' store (Redis)
        from bot.slack.feedback_redis import export_redis

        store, rows = export_redis(settings.redis_url)
    else:
        store = Path(path) if path else settings.feedback_file
        rows = export(store)
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    con = _console()
    if not rows:
        con.print(f"No feedback recorded yet ({store}).", markup=False)
        return
    for row in rows:
        fb = row["feedback"]
        votes = ", ".join(f"{k} {v}" for k, v in fb["votes"].items())
        source = fb["shown"][0]["source"] if fb["shown"] else "-"
        con.print(f"{fb['verdict']:<13} {votes:<28} {row['question']}  [{source}]", markup=False)
    con.print(f"{len(rows)} answers with feedback in {store}", markup=False)


# -- eval --------------------------------------------------------------------------------------
@cli.command(name="eval")
@click.argument("set_dir", type=click.Path(exists=True, file_okay=False))
@index_option
@click.option("--mode", type=click.Choice(["dense", "lexical", "hybrid", "all"]), default="all", show_default=True)
@click.option("--limit", type=int, help="Only the set's first N questions (taken before --split picks a half).")
@click.option("--passages-lang", type=click.Choice(["en", "zh"]),
              help="Index only the set's passages in this language; a gold passage's twin in it (en:X for zh:X) counts as gold. "
                   "Running both shows whether the question's language matters.")
@click.option("--split", "split", type=click.Choice(["tune", "report", "both"]), default="both", show_default=True,
              help="Run only the tune or the report half of the set (split by source, retrieval/evaluate.py), or both side by side.")
@store_option
@json_option
def eval_cmd(set_dir, index, mode, limit, passages_lang, split, store, as_json) -> None:
    """Measure retrieval and answers on a question set (format of ../shared/eval).

    A set with passages.jsonl is indexed into a temporary index; otherwise the
    given index is used. Reports recall@1/5/10, MRR, quote hit rate and correct
    "not found" rate per mode, split by same- and cross-language questions.

    \b
    planbot eval ../shared/eval/regional-plans-dev --mode hybrid
    planbot eval ../shared/eval/xquad-crosslingual-dev --passages-lang en --limit 150
    planbot eval ../shared/eval/regional-plans-dev --store store.db   # the same on a Milvus store
    """
    from retrieval.evaluate import run_eval, format_report

    settings = _settings(index, store=store)
    report = run_eval(Path(set_dir), settings.index_dir, modes=["dense", "lexical", "hybrid"] if mode == "all" else [mode], limit=limit,
                      passages_lang=passages_lang, store=settings.store, split=split)
    if as_json:
        _dump(report)
    else:
        click.echo(format_report(report))


def main() -> None:
    cli(prog_name="planbot")


if __name__ == "__main__":
    main()
