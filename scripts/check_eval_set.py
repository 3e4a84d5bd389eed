"""Check a hand-written question set against the corpus it is meant for.

For every question set directory given (format of ../shared/README.md, `eval/`):
  - each line of questions.jsonl is a JSON object with id, question, lang, answers, figure;
  - ids are unique, lang is en / zh / zh-Hant;
  - an answerable question names a source (`source_contains` or `passage_id`), and every
    answer string occurs verbatim (after strip, as `planbot eval` matches them) in the text
    that planbot's own loader keeps for a corpus document whose path or title contains
    `source_contains` (the same rule as `retrieval.evaluate._is_gold`);
  - an unanswerable question (`answerable: false`) has no answers and no source.

Sets with passages.jsonl are checked against their passages instead of the corpus.

Usage: python scripts/check_eval_set.py tests/data/provincial-crosslingual [--corpus ../shared/corpus]
Exit status 1 when anything is wrong; each problem is printed on its own line.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from retrieval.ingest.documents import discover, load_file  # noqa: E402

LANGS = {"en", "zh", "zh-Hant"}


def corpus_documents(corpus: Path) -> list[tuple[str, str, str]]:
    """(path, title, text) for every document planbot would index under `corpus`."""
    files, _ = discover([corpus])
    out = []
    for f in files:
        docs, _ = load_file(f)
        out.extend((d.path or str(f), d.title or "", d.text) for d in docs)
    return out


def check_set(set_dir: Path, docs: list[tuple[str, str, str]] | None) -> list[str]:
    problems: list[str] = []
    path = set_dir / "questions.jsonl"
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as e:
            problems.append(f"{path}:{n}: invalid JSON ({e.msg})")
    passages = None
    if (set_dir / "passages.jsonl").exists():
        passages = {p["id"]: p["text"] for p in map(json.loads, (set_dir / "passages.jsonl").read_text(encoding="utf-8").splitlines()) if p}
    for qid, count in Counter(r.get("id") for r in rows).items():
        if count > 1:
            problems.append(f"{qid}: id used {count} times")
    for r in rows:
        qid = r.get("id", "?")
        for field in ("id", "question", "lang", "answers", "figure"):
            if field not in r:
                problems.append(f"{qid}: missing field {field!r}")
        if r.get("lang") not in LANGS:
            problems.append(f"{qid}: lang {r.get('lang')!r} is not one of {sorted(LANGS)}")
        answers = [a.strip() for a in r.get("answers", []) if a.strip()]
        if r.get("answerable", True) is False:
            if answers or r.get("source_contains") or r.get("passage_id"):
                problems.append(f"{qid}: unanswerable but has answers or a source")
            continue
        if not answers:
            problems.append(f"{qid}: answerable but no answers")
            continue
        if r.get("passage_id"):
            if passages is None or r["passage_id"] not in passages:
                problems.append(f"{qid}: passage {r['passage_id']!r} not in passages.jsonl")
                continue
            texts = [passages[r["passage_id"]]]
        else:
            needle = r.get("source_contains") or ""
            if not needle:
                problems.append(f"{qid}: answerable but neither source_contains nor passage_id")
                continue
            texts = [text for p, title, text in (docs or []) if needle in p or needle in title]
            if not texts:
                problems.append(f"{qid}: no corpus document's path or title contains {needle!r}")
                continue
        for a in answers:
            if not any(a in t for t in texts):
                problems.append(f"{qid}: answer {a!r} not found verbatim in the source text")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sets", nargs="+", type=Path, help="question set directories")
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = ap.parse_args()
    docs = None
    problems: list[str] = []
    for set_dir in args.sets:
        if not (set_dir / "passages.jsonl").exists() and docs is None:
            docs = corpus_documents(args.corpus)
        found = check_set(set_dir, docs)
        problems.extend(f"{set_dir.name}: {p}" for p in found)
        n = sum(1 for line in (set_dir / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip())
        print(f"{set_dir}: {n} questions, {len(found)} problems")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
