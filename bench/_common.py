"""Shared helpers for the benchmark scripts: timing statistics, machine description,
synthetic scale-up of a real index, and the rows of docs/BENCHMARKS.md.

The scripts are run by hand (never by CI). Each one prints its figures and updates its own
section of docs/BENCHMARKS.md: a table whose rows are keyed by their first columns, plus a
"runs" list that names, for every row, the exact command and the machine that produced it.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shlex
import sqlite3
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
DOC = ROOT / "docs" / "BENCHMARKS.md"
SHARED = Path(os.environ.get("PLANBOT_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"
EVAL = SHARED / "eval"
DEFAULT_INDEX = Path(os.environ.get("PLANBOT_BENCH_INDEX", "/tmp/idx1"))


# -- timing ----------------------------------------------------------------------------------
def pct(values, q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else float("nan")


def summary(values) -> dict:
    """median, p95, min, max and relative spread ((p95-p5)/median) of a list of seconds."""
    v = np.asarray(list(values), dtype=float)
    if not len(v):
        return {"n": 0}
    med = float(np.median(v))
    return {
        "n": int(len(v)), "median": med, "p50": med, "p95": pct(v, 95), "min": float(v.min()), "max": float(v.max()),
        "spread": float((pct(v, 95) - pct(v, 5)) / med) if med else 0.0,
    }


def ms(x: float) -> str:
    if x != x:
        return "–"
    return f"{x * 1000:.2f}" if x < 0.01 else f"{x * 1000:.1f}" if x < 1 else f"{x * 1000:.0f}"


def fmt_s(x: float) -> str:
    return f"{x:.2f}" if x < 10 else f"{x:.1f}" if x < 100 else f"{x:.0f}"


@contextmanager
def timer(store: dict, key: str):
    t = time.perf_counter()
    try:
        yield
    finally:
        store[key] = store.get(key, 0.0) + time.perf_counter() - t


def rss_mb() -> float:
    try:
        import psutil

        return psutil.Process().memory_info().rss / 2**20
    except ImportError:  # pragma: no cover - psutil is a bench extra
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak_rss() -> None:
    """Start VmHWM afresh (Linux: writing 5 to clear_refs), so the next peak_rss_mb is a phase's."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def peak_rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def set_threads(n: int | None = None) -> int:
    """FAISS threads for building indexes = the cores this process may use (searches in the
    product run at 1 thread: retrieval.search.dense_search)."""
    import faiss

    n = n or len(os.sched_getaffinity(0))
    faiss.omp_set_num_threads(n)
    return n


# -- machine ---------------------------------------------------------------------------------
def machine() -> dict:
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0.0
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) / 2**20
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return {"nproc": os.cpu_count(), "affinity": len(os.sched_getaffinity(0)), "cpu": cpu, "ram_gib": round(mem, 1),
            "python": platform.python_version(), "load1": round(load, 2)}


def machine_line(m: dict | None = None) -> str:
    m = m or machine()
    return f"nproc {m['nproc']}, {m['cpu']}, {m['ram_gib']} GiB RAM, Python {m['python']} (1-min load at start {m['load1']})"


def command_line() -> str:
    script = Path(sys.argv[0])
    try:
        script = script.resolve().relative_to(ROOT)
    except ValueError:
        pass
    return " ".join([".venv/bin/python", str(script)] + [shlex.quote(a) for a in sys.argv[1:]])


def git_rev() -> str:
    """HEAD's short hash, "+dirty" when tracked files under retrieval/, embeddings/ or bot/ differ from it."""
    import subprocess

    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "retrieval", "embeddings", "bot"],
                               cwd=ROOT, capture_output=True, text=True).stdout.strip()
        return f"commit {rev}{'+dirty' if dirty else ''}" if rev else "commit ?"
    except OSError:
        return "commit ?"


def new_run_id() -> str:
    return "r-" + hashlib.sha1(f"{command_line()}{time.time()}{os.getpid()}".encode()).hexdigest()[:6]


# -- docs/BENCHMARKS.md ----------------------------------------------------------------------
HEADER = """# Benchmarks

Figures produced by the scripts in `bench/` (run by hand, not by CI). Every row names the run
that produced it; the runs list under each table gives its exact command, date and machine.
The machines are shared and noisy: compare figures as ratios **within one run**, not across
runs or machines. Re-running a script replaces the rows with the same key and keeps the others.
"""


def _section_bounds(text: str, name: str) -> tuple[int, int] | None:
    m = re.search(rf"<!-- bench:{re.escape(name)} -->\n.*?<!-- /bench:{re.escape(name)} -->\n?", text, re.S)
    return (m.start(), m.end()) if m else None


def _parse_table(block: str) -> tuple[list[str], list[list[str]]]:
    lines = [ln for ln in block.splitlines() if ln.startswith("|")]
    if len(lines) < 2:
        return [], []
    split = lambda ln: [c.strip() for c in re.split(r"(?<!\\)\|", ln.strip()[1:-1])]  # noqa: E731  (cells escape "|" as "\|")
    return split(lines[0]), [split(ln) for ln in lines[2:]]


def _parse_runs(block: str) -> dict[str, str]:
    runs = {}
    for m in re.finditer(r"^- `(r-[0-9a-f]{6})` (.*)$", block, re.M):
        runs[m.group(1)] = m.group(2)
    return runs


def update_doc(name: str, title: str, intro: str, columns: list[str], rows: list[list], key_cols: int,
               notes: str = "", machine_info: dict | None = None, run_id: str | None = None) -> str:
    """Insert/replace `rows` (keyed by their first `key_cols` cells) in section `name` of
    docs/BENCHMARKS.md; a `run` column is appended to every row. Returns the run id."""
    import fcntl

    import tempfile

    with open(Path(tempfile.gettempdir()) / "planbot-BENCHMARKS.md.lock", "w") as lock:  # several scripts may finish at once
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _update_doc(name, title, intro, columns, rows, key_cols, notes, machine_info, run_id)


def _update_doc(name, title, intro, columns, rows, key_cols, notes, machine_info, run_id) -> str:
    m = machine_info or machine()
    cmd = command_line()
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    run_id = run_id or new_run_id()
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else HEADER
    cols = list(columns) + ["run"]
    old_rows: list[list[str]] = []
    old_runs: dict[str, str] = {}
    old_notes = ""
    bounds = _section_bounds(text, name)
    if bounds:
        block = text[bounds[0]:bounds[1]]
        old_cols, old_rows = _parse_table(block)
        if old_cols != cols:  # the table gained or lost columns: carry old rows over by column name
            where = {c: i for i, c in enumerate(old_cols)}
            old_rows = [[r[where[c]] if c in where and where[c] < len(r) else "–" for c in cols] for r in old_rows]
        old_runs = _parse_runs(block)
    new = [[str(c).replace("|", "\\|") for c in r] + [f"`{run_id}`"] for r in rows]
    new_keys = {tuple(r[:key_cols]) for r in new}
    kept = [r for r in old_rows if tuple(r[:key_cols]) not in new_keys]
    all_rows = kept + new
    used = {re.sub(r"[`]", "", r[-1]) for r in all_rows}
    runs = {k: v for k, v in old_runs.items() if k in used}
    runs[run_id] = f"{stamp}: `{cmd}` at {git_rev()} on {machine_line(m)}"
    table = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    table += ["| " + " | ".join(r) + " |" for r in all_rows]
    block = "\n".join([
        f"<!-- bench:{name} -->",
        f"## {title}",
        "",
        intro.strip(),
        "",
        *table,
        "",
        "Runs:",
        "",
        *[f"- `{k}` {v}" for k, v in runs.items()],
        "",
        *([notes.strip(), ""] if notes.strip() else []),
        f"<!-- /bench:{name} -->",
        "",
    ])
    if bounds:
        text = text[:bounds[0]] + block + text[bounds[1]:]
    else:
        text = text.rstrip("\n") + "\n\n" + block
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text, encoding="utf-8")
    return run_id


# -- the real index, and synthetic scale-ups of it -------------------------------------------
def save_progress(rows: list, json_path: Path | None, write_doc=None) -> None:
    """After each size: the rows so far to --json, and to docs/BENCHMARKS.md unless --no-doc
    (pass write_doc=None), so a long run that is stopped keeps what it measured."""
    if json_path:
        json_path.write_text(json.dumps(rows, indent=1))
    if write_doc is not None:
        write_doc(rows)


def live_generation(index_dir: Path) -> Path:
    manifest = json.loads((Path(index_dir) / "manifest.json").read_text())
    return Path(index_dir) / manifest["generation"]


def real_vectors(index_dir: Path = DEFAULT_INDEX) -> np.ndarray:
    import faiss

    idx = faiss.read_index(str(live_generation(index_dir) / "vectors.faiss"))
    return idx.reconstruct_n(0, idx.ntotal)


def real_tokens(index_dir: Path = DEFAULT_INDEX) -> list[list[str]]:
    db = sqlite3.connect(f"file:{live_generation(index_dir) / 'chunks.sqlite'}?mode=ro", uri=True)
    try:
        return [r[0].split() for r in db.execute("SELECT tokens FROM chunks ORDER BY id")]
    finally:
        db.close()


NOISE_SIGMA = 0.04  # per dimension; cos(copy, original) ≈ 0.74 ≈ the real corpus's median 1-NN cosine (0.75)


def scaled_vectors(base: np.ndarray, n: int, sigma: float = NOISE_SIGMA, seed: int = 0) -> np.ndarray:
    """n vectors: the real ones first, then copies of real vector (i mod len(base)) plus
    N(0, sigma²) noise per dimension, re-normalised to unit length. Built in blocks so the
    peak is one n×d float32 array."""
    n_base, d = base.shape
    out = np.empty((n, d), dtype=np.float32)
    take = min(n, n_base)
    out[:take] = base[:take]
    rng = np.random.default_rng(seed)
    block = 65536
    for s in range(n_base, n, block):
        e = min(n, s + block)
        src = base[np.arange(s, e) % n_base]
        x = src + rng.standard_normal((e - s, d), dtype=np.float32) * np.float32(sigma)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        out[s:e] = x
    return out


def scaled_tokens(base: list[list[str]], n: int, seed: int = 0, p_drop: float = 0.15, p_dup: float = 0.15,
                  p_swap: float = 0.05) -> list[list[str]]:
    """n token lists: the real ones first, then, for copy i of real chunk (i mod len(base)),
    its tokens shuffled, each dropped with p_drop, doubled with p_dup, and replaced by a
    random corpus token with p_swap — so term frequencies, document lengths and postings vary
    between copies while the vocabulary and its Zipf shape stay those of the real corpus."""
    rng = np.random.default_rng(seed)
    n_base = len(base)
    out = [list(t) for t in base[:n]]
    pool = [t for toks in base for t in toks]
    pool_arr = np.array(pool, dtype=object)
    for i in range(n_base, n):
        toks = base[i % n_base]
        if not toks:
            out.append([])
            continue
        r = rng.random(len(toks))
        keep = [t for t, x in zip(toks, r) if x >= p_drop]
        extra = [t for t, x in zip(toks, r) if p_drop <= x < p_drop + p_dup]
        merged = keep + extra
        if merged:
            swaps = rng.random(len(merged)) < p_swap
            if swaps.any():
                repl = pool_arr[rng.integers(0, len(pool), int(swaps.sum()))]
                it = iter(repl)
                merged = [next(it) if s else t for t, s in zip(merged, swaps)]
        order = rng.permutation(len(merged))
        out.append([merged[j] for j in order])
    return out


def load_questions(set_name: str, limit: int | None = None, seed: int = 0, sample: bool = False) -> list[dict]:
    path = EVAL / set_name / "questions.jsonl"
    rows = [json.loads(ln) for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    if limit and len(rows) > limit:
        if sample:
            rng = np.random.default_rng(seed)
            pick = sorted(rng.choice(len(rows), limit, replace=False))
            rows = [rows[i] for i in pick]
        else:
            rows = rows[:limit]
    return rows


def bench_questions(n: int = 200) -> list[str]:
    """Real questions for latency/recall measurements: all regional-plans-dev questions,
    then xquad (English) and cmrc2018/drcd (Chinese) questions in turn, up to n."""
    qs = [q["question"] for q in load_questions("regional-plans-dev")]
    others = [load_questions(s) for s in ("xquad-crosslingual-dev", "cmrc2018-figures-dev", "drcd-figures-dev")]
    i = 0
    while len(qs) < n and any(i < len(o) for o in others):
        for o in others:
            if i < len(o) and len(qs) < n:
                qs.append(o[i]["question"])
        i += 1
    return qs


def query_vectors(questions: list[str], cache_dir: Path = Path("/tmp/planbot-bench")) -> np.ndarray:
    """Query embeddings of `questions`, cached on disk by their text (encoding needs the model)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha1("\n".join(questions).encode()).hexdigest()[:12]
    path = cache_dir / f"qvecs-{key}.npy"
    if path.exists():
        return np.load(path)
    from embeddings import load_encoder

    vecs = load_encoder().encode(questions, kind="query")
    np.save(path, vecs)
    return vecs
