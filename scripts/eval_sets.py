"""Build the evaluation indexes and run every question set, tune and report halves side by side.

    PYTHONPATH=$PWD python scripts/eval_sets.py --indexes /tmp/eval-indexes --out /tmp/eval-run [SET ...]

Each corpus set runs against an index of `../shared/corpus` plus that set's own new documents
(declared in INDEXES); the first index is built with `planbot ingest`, the others start as its
copy so that the shared corpus is embedded once. An existing index is re-ingested from the same
paths, which embeds nothing unless the text or facts versions changed. An index keys its documents
by path, so a set's documents are first copied to INDEXES/docs/SET (from the running checkout):
one --indexes folder then serves runs of several checkouts, each re-reading what its code changed. The public passage sets (XQuAD, DRCD, CMRC) build their own
cached index (`planbot eval`) and run on their first --limit questions.

Writes OUT/SET.json (`planbot eval --json` output) and prints one table: first quote right /
top-3 over answerable questions, and unanswerable declined, per half. This is the command behind
docs/EVALUATION.md's same-run comparisons: run it once per checkout, then compare the two OUT
folders with --compare (which lists the tune rows that changed; report rows are only counted).
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
DATA = ROOT / "tests" / "data"

# index name -> the paths ingested into it, after the shared corpus
INDEXES: dict[str, list[Path]] = {
    "pc": [],
    "hd": [DATA / "heldout-docs" / "docs"],
    "h3": [DATA / "heldout3" / "docs"],
    "np": [DATA / "new-places" / "docs"],
    "h4": [DATA / "heldout4" / "docs"],
    "h5": [DATA / "heldout5" / "docs"],
    "h6": [DATA / "heldout6" / "docs"],
    "h7": [DATA / "heldout7" / "docs"],
}

# set name -> (set folder, index name or None for a passage set)
SETS: dict[str, tuple[Path, str | None]] = {
    "provincial-crosslingual": (DATA / "provincial-crosslingual", "pc"),
    "regional-plans-dev": (SHARED / "eval" / "regional-plans-dev", "pc"),
    "reworded": (DATA / "reworded", "pc"),
    "unanswerable": (DATA / "unanswerable", "pc"),
    "heldout": (DATA / "heldout", "hd"),
    "heldout-docs": (DATA / "heldout-docs", "hd"),
    "heldout3": (DATA / "heldout3", "h3"),
    "new-places": (DATA / "new-places", "np"),
    "heldout4": (DATA / "heldout4", "h4"),
    "heldout5": (DATA / "heldout5", "h5"),
    "heldout6": (DATA / "heldout6", "h6"),
    "heldout7": (DATA / "heldout7", "h7"),
    "xquad-crosslingual-dev": (SHARED / "eval" / "xquad-crosslingual-dev", None),
    "drcd-figures-dev": (SHARED / "eval" / "drcd-figures-dev", None),
    "cmrc2018-figures-dev": (SHARED / "eval" / "cmrc2018-figures-dev", None),
}


def planbot(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, capture_output=True, text=True)


def ensure_index(indexes: Path, name: str) -> Path:
    """The index `name` under `indexes`, built (or brought up to date) from the shared corpus and its extra paths."""
    target = indexes / name
    if not target.exists() and name != "pc":
        shutil.copytree(ensure_index(indexes, "pc"), target)
    extra = []
    for folder in INDEXES[name]:
        # under a path of the indexes folder's own, so that every checkout's run keys them alike
        copy = indexes / "docs" / folder.parent.name
        if copy.exists():
            shutil.rmtree(copy)
        shutil.copytree(folder, copy)
        extra.append(copy)
    for path in [CORPUS, *extra]:
        done = planbot("ingest", str(path), "--index", str(target))
        if done.returncode != 0:
            raise SystemExit(f"ingest {path} into {target} failed:\n{done.stderr[-2000:]}")
    return target


def run_set(name: str, indexes: Path, out: Path, limit: int) -> dict:
    folder, index = SETS[name]
    args = ["eval", str(folder), "--mode", "hybrid", "--json"]
    args += ["--index", str(ensure_index(indexes, index))] if index else ["--limit", str(limit)]
    done = planbot(*args)
    if done.returncode != 0:
        raise SystemExit(f"eval {name} failed:\n{done.stderr[-2000:]}")
    (out / f"{name}.json").write_text(done.stdout, encoding="utf-8")
    return json.loads(done.stdout)


def cells(report: dict) -> dict[str, str]:
    """One table cell per half: 'first/top-3 (n), declined/unanswerable'."""
    halves = report["modes"]["hybrid"]["halves"]
    out = {}
    for half, data in halves.items():
        s = data["all"]
        cell = f"{s['first_quote_hit']:.3f}/{s['top3_hit']:.3f} ({s['n']})" if s["n"] else "–"
        if s.get("unanswerable"):
            cell += f", {round(s['declined'] * s['unanswerable'])}/{s['unanswerable']}"
        out[half] = cell
    return out


def changed_rows(a: dict, b: dict) -> list[str]:
    """Tune-half rows whose outcome differs between two runs (report rows are only counted)."""
    rows_a = {r["id"]: r for r in a["modes"]["hybrid"]["rows"]}
    lines = []
    for r in b["modes"]["hybrid"]["rows"]:
        old = rows_a.get(r["id"])
        if old is None or r["split"] != "tune":
            continue
        keys = ("answered", "first_quote_hit", "top3_hit")
        if any(old.get(k) != r.get(k) for k in keys):
            lines.append(f"  {r['id']}: " + ", ".join(f"{k} {old.get(k)}→{r.get(k)}" for k in keys if old.get(k) != r.get(k)))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sets", nargs="*", help="set names (default: every set whose folder exists)")
    parser.add_argument("--indexes", type=Path, help="folder holding the corpus indexes (built if missing)")
    parser.add_argument("--out", type=Path, help="folder for each set's JSON")
    parser.add_argument("--limit", type=int, default=300, help="questions of each public passage set (default 300)")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BASE", "NEW"),
                        help="print two earlier --out folders side by side instead of running")
    args = parser.parse_args()
    names = args.sets or [n for n, (folder, _) in SETS.items() if folder.exists()]
    unknown = [n for n in names if n not in SETS]
    if unknown:
        raise SystemExit(f"unknown sets: {', '.join(unknown)} (known: {', '.join(SETS)})")
    if args.compare:
        base, new = args.compare
        for n in names:
            if not (base / f"{n}.json").exists() or not (new / f"{n}.json").exists():
                continue
            a, b = (json.loads((d / f"{n}.json").read_text(encoding="utf-8")) for d in (base, new))
            ca, cb = cells(a), cells(b)
            print(f"{n:24} " + " | ".join(f"{h}: {ca[h]}" + ("" if ca[h] == cb[h] else f" → {cb[h]}") for h in ca))
            for line in changed_rows(a, b):
                print(line)
        return
    if not args.indexes or not args.out:
        parser.error("--indexes and --out are needed to run (or --compare BASE NEW)")
    args.out.mkdir(parents=True, exist_ok=True)
    args.indexes.mkdir(parents=True, exist_ok=True)
    for n in names:
        c = cells(run_set(n, args.indexes, args.out, args.limit))
        print(f"{n:24} " + " | ".join(f"{h}: {v}" for h, v in c.items()), flush=True)


if __name__ == "__main__":
    main()
