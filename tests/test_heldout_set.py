"""The held-out question set (tests/data/heldout) is well-formed, new, and true to its sources.

A question whose answer is not in its source would count against planbot for a figure nobody
could quote, and a question already asked in another set would not be held out; both are
checked here. The sources are read twice: straight from the files (python-docx for the
reports, the JSONL `content` for the national reports, the raw text for the articles), and as
planbot's own loader keeps them for indexing, because `planbot eval` matches quotes against
the indexed text.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import CORPUS, EVAL, REPO

SET = REPO / "tests" / "data" / "heldout" / "questions.jsonl"
# The sets this one must not repeat (their questions were seen while the pipeline was changed).
SEEN = [
    EVAL / "regional-plans-dev" / "questions.jsonl",
    REPO / "tests" / "data" / "provincial-crosslingual" / "questions.jsonl",
    REPO / "tests" / "data" / "reworded" / "questions.jsonl",
    REPO / "tests" / "data" / "new-places" / "questions.jsonl",
]
LANGS = {"en", "zh", "zh-Hant"}
FIELDS = {"id", "question", "lang", "answers", "figure", "source_contains"}


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


QUESTIONS = load(SET)
ANSWERABLE = [q for q in QUESTIONS if q.get("answerable", True)]


def corpus_or_skip() -> Path:
    if not CORPUS.exists():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="module")
def raw_sources() -> list[tuple[str, str]]:
    """(name, text) of every source file, read without planbot's code: file name or JSONL title."""
    import docx

    corpus = corpus_or_skip()
    out = [(p.name, p.read_text(encoding="utf-8")) for p in sorted((corpus / "articles").glob("*.txt"))]
    for p in sorted((corpus / "gov-work-reports-2025").glob("*.docx")):
        out.append((p.name, "\n".join(par.text for par in docx.Document(str(p)).paragraphs)))
    for line in (corpus / "national-government-work-reports.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out.append((row["title"], row["content"]))
    return out


@pytest.fixture(scope="module")
def indexed_sources() -> list[tuple[str, str]]:
    """(path + title, text) as planbot's loader keeps each document for the index."""
    from retrieval.ingest.documents import discover, load_file

    files, _ = discover([corpus_or_skip()])
    out = []
    for f in files:
        docs, _ = load_file(f)
        out.extend((f"{d.path or f} {d.title or ''}", d.text) for d in docs)
    return out


def test_format():
    assert Counter(q["id"] for q in QUESTIONS).most_common(1)[0][1] == 1, "ids must be unique"
    for q in QUESTIONS:
        assert FIELDS <= q.keys(), (q["id"], FIELDS - q.keys())
        assert q["lang"] in LANGS, q["id"]
        assert q["question"].strip(), q["id"]
        if q.get("answerable", True):
            assert q["answers"] and all(a.strip() == a and a for a in q["answers"]), q["id"]
            assert q["source_contains"], q["id"]
        else:
            assert q["answers"] == [] and q["source_contains"] == "", q["id"]


def test_composition():
    """The shape the brief asks for: articles, provincial and national reports, all three scripts."""
    by_source = Counter(
        "national" if "国务院" in q["source_contains"] else "article" if q["source_contains"][:3].isdigit() else "province"
        for q in ANSWERABLE
    )
    assert by_source["article"] >= 10 and by_source["province"] >= 25 and by_source["national"] >= 3, by_source
    assert 8 <= len(QUESTIONS) - len(ANSWERABLE) <= 10
    assert {q["lang"] for q in ANSWERABLE} == LANGS and {q["lang"] for q in QUESTIONS if q not in ANSWERABLE} == LANGS
    assert len({q["source_contains"] for q in ANSWERABLE if not q["source_contains"][:1].isdigit()}) >= 25, "provinces"


def test_nothing_already_asked():
    """No question text, and no (source, answer) figure, of a set the pipeline was worked on."""
    if not SEEN[0].exists():
        pytest.skip(f"{SEEN[0]} not found")
    seen = [q for path in SEEN for q in load(path)]
    texts = {q["question"].strip() for q in seen}
    # [:4]: the sets name an article by its number ("000_") or its whole file stem; a province by name.
    figures = {(q.get("source_contains", "")[:4], a) for q in seen for a in q.get("answers", [])}
    for q in QUESTIONS:
        assert q["question"].strip() not in texts, q["id"]
        for a in q["answers"]:
            assert (q["source_contains"][:4], a) not in figures, (q["id"], a)


@pytest.mark.parametrize("q", ANSWERABLE, ids=[q["id"] for q in ANSWERABLE])
def test_answer_in_source_file(q, raw_sources):
    texts = [text for name, text in raw_sources if q["source_contains"] in name]
    assert len(texts) == 1, f"{q['id']}: {len(texts)} source files match {q['source_contains']!r}"
    for a in q["answers"]:
        assert a in texts[0], f"{q['id']}: {a!r} not in its source"


@pytest.mark.parametrize("q", ANSWERABLE, ids=[q["id"] for q in ANSWERABLE])
def test_answer_in_indexed_text(q, indexed_sources):
    texts = [text for name, text in indexed_sources if q["source_contains"] in name]
    assert texts, f"{q['id']}: no indexed document matches {q['source_contains']!r}"
    for a in q["answers"]:
        assert any(a in t for t in texts), f"{q['id']}: {a!r} not in the indexed text of its source"
