"""The unanswerable set (tests/data/unanswerable) is well-formed, new, and truly unanswerable.

Every question there is a trap: close to something the shared corpus holds (a neighbouring figure,
another year, a target beside a result, the province beside the city), yet not answerable from
it. A question some source does answer would punish a right answer, so each one carries, as data,
the facts about the sources that make it unanswerable, and this test checks them against the raw
text of the sources (python-docx for the provincial reports, the JSONL title/content for the
national reports, the article files), NFKC-normalised so that full-width digits (the 1990s
national reports write "１９９６") count as the digits they are:

- `absent`: none of these terms occurs in the `near` source; `absent_anywhere`: in no source;
- `never_with` (in `near`) / `never_with_anywhere` (in every source): no sentence holds a term of
  `a` together with a term of `b` ("" = any sentence), unless it also holds one of `unless`;
- `no_report`: the corpus has no national government work report of that year.

The corpus parts skip without ../shared.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import CORPUS, EVAL, REPO, docx_text

SET = REPO / "tests" / "data" / "unanswerable"
LANGS = {"en", "zh", "zh-Hant"}
FIELDS = {"id", "question", "lang", "answers", "figure", "source_contains", "answerable", "why", "near"}
CHECKS = ("absent", "absent_anywhere", "never_with", "never_with_anywhere", "no_report")
# The kinds of trap, and how many of each the set holds (README.md, "Kinds").
KINDS = {
    "figure-not-stated": 8,
    "year-not-in-source": 7,
    "result-only-no-target": 3,
    "target-only-no-result": 3,
    "province-figure-not-city": 5,
    "district-figure-not-city": 1,
    "subject-not-covered": 6,
    "place-outside-china": 6,
    "no-national-report-for-year": 5,
    "wrong-measure": 6,
}
SENTENCE_END = re.compile(r"[。！？；\n]|(?<=[a-z])\.\s")
NATIONAL = "年中华人民共和国国务院政府工作报告"


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


QUESTIONS = load(SET / "questions.jsonl")
SEEN = sorted(
    p
    for p in [*(REPO / "tests" / "data").glob("*/questions.jsonl"), *EVAL.glob("*/questions.jsonl")]
    if p.parent != SET
)


@pytest.fixture(scope="module")
def sources() -> dict[str, str]:
    """Name (article file name, report file stem, national JSONL title) -> normalised text."""
    if not CORPUS.exists():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    out = {p.name: p.read_text(encoding="utf-8") for p in sorted((CORPUS / "articles").glob("*.txt"))}
    out.update({p.stem: docx_text(p) for p in sorted((CORPUS / "gov-work-reports-2025").glob("*.docx"))})
    for row in load(CORPUS / "national-government-work-reports.jsonl"):
        out[row["title"]] = row["content"]
    return {name: norm(text) for name, text in out.items()}


@pytest.fixture(scope="module")
def national_years() -> set[str]:
    if not CORPUS.exists():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return {str(r["year"]) for r in load(CORPUS / "national-government-work-reports.jsonl") if r["year"]}


def test_format():
    ids = Counter(q["id"] for q in QUESTIONS)
    assert ids.most_common(1)[0][1] == 1, "ids must be unique"
    assert len({q["question"].strip() for q in QUESTIONS}) == len(QUESTIONS), "questions must differ"
    for q in QUESTIONS:
        assert FIELDS <= q.keys(), (q["id"], FIELDS - q.keys())
        assert q["lang"] in LANGS and q["question"].strip() and q["figure"] is True, q["id"]
        assert q["answerable"] is False and q["answers"] == [] and q["source_contains"] == "", q["id"]
        assert q["why"] in KINDS and q["near"], q["id"]
        assert any(q.get(c) for c in CHECKS), f"{q['id']}: no check says why it is unanswerable"
        for c in ("absent", "absent_anywhere"):
            assert all(isinstance(t, str) and t for t in q.get(c, [])), q["id"]
        for c in ("never_with", "never_with_anywhere"):
            for rule in q.get(c, []):
                assert rule["a"] and rule["b"], q["id"]


def test_composition():
    """About fifty, every kind as counted in the README, every script in most kinds."""
    assert Counter(q["why"] for q in QUESTIONS) == KINDS
    langs = Counter(q["lang"] for q in QUESTIONS)
    assert set(langs) == LANGS and min(langs.values()) >= 12, langs
    for kind in ("figure-not-stated", "year-not-in-source", "place-outside-china", "wrong-measure"):
        assert {q["lang"] for q in QUESTIONS if q["why"] == kind} == LANGS, kind
    # "this year", "last year", "the year before last", "next year" as users say them.
    relative = ("last year", "this year", "year before last", "去年", "今年", "明年")
    assert sum(any(r in q["question"] for r in relative) for q in QUESTIONS) >= 20


def test_both_halves():
    """split_of keys an unanswerable question on its id; both halves hold a good share."""
    from retrieval.evaluate import split_of

    halves = Counter(split_of(q) for q in QUESTIONS)
    assert set(halves) == {"tune", "report"} and min(halves.values()) >= 15, halves


def test_nothing_already_asked():
    seen = {q["question"].strip() for path in SEEN for q in load(path)}
    assert seen, "no other set found"
    assert not [q["id"] for q in QUESTIONS if q["question"].strip() in seen]


def test_near_names_one_source(sources):
    for q in QUESTIONS:
        named = [n for n in sources if q["near"] in n]
        assert len(named) == 1, (q["id"], q["near"], named)


def _hits(texts: list[str], rule: dict) -> list[str]:
    a = [norm(t) for t in rule["a"]]
    b = [norm(t) for t in rule["b"]]
    unless = rule.get("unless") or []
    unless = [norm(u) for u in ([unless] if isinstance(unless, str) else unless)]
    return [
        s
        for text in texts
        for s in SENTENCE_END.split(text)
        if any(t in s for t in a) and any(t in s for t in b) and not any(u in s for u in unless)
    ]


@pytest.mark.parametrize("q", QUESTIONS, ids=[q["id"] for q in QUESTIONS])
def test_really_unanswerable(q, sources, national_years):
    near = next(text for name, text in sources.items() if q["near"] in name)
    found = [t for t in q.get("absent", []) if norm(t) in near]
    assert not found, f"{q['id']}: {q['near']} holds {found}"
    found = [(t, n) for t in q.get("absent_anywhere", []) for n, text in sources.items() if norm(t) in text]
    assert not found, f"{q['id']}: {found[:3]}"
    for rule in q.get("never_with", []):
        hits = _hits([near], rule)
        assert not hits, f"{q['id']}: {hits[:2]}"
    for rule in q.get("never_with_anywhere", []):
        hits = _hits(list(sources.values()), rule)
        assert not hits, f"{q['id']}: {hits[:2]}"
    if q.get("no_report"):
        year = q["no_report"]
        assert year not in national_years, q["id"]
        assert not [n for n in sources if n.startswith(f"{year}{NATIONAL}")], q["id"]
        assert year in q["question"], q["id"]
