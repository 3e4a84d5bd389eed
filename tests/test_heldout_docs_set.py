"""The held-out documents set (tests/data/heldout-docs) is well-formed and true to its documents.

A question whose answer is not in its document would count against planbot for a figure nobody
could quote; a `source_contains` naming two documents (or a shared-corpus file) would credit a
quote from the wrong one; an "unanswerable" question that some source does answer would punish
a right answer. All three are checked here, the documents read twice: straight from the files
(python-docx for the .docx, the raw bytes for the others) and as planbot's loader keeps them
for the index, because `planbot eval` matches quotes against the indexed text.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import CORPUS, EVAL, REPO

SET = REPO / "tests" / "data" / "heldout-docs"
DOCS = SET / "docs"
LANGS = {"en", "zh", "zh-Hant"}
FIELDS = {"id", "question", "lang", "answers", "figure", "source_contains"}
# The sets this one must not repeat (their questions were seen while the pipeline was changed).
SEEN = [
    EVAL / "regional-plans-dev" / "questions.jsonl",
    REPO / "tests" / "data" / "provincial-crosslingual" / "questions.jsonl",
    REPO / "tests" / "data" / "reworded" / "questions.jsonl",
    REPO / "tests" / "data" / "new-places" / "questions.jsonl",
    REPO / "tests" / "data" / "heldout" / "questions.jsonl",
]

# Why each unanswerable question has no answer, as facts about the sources that a later edit of
# a document could break. Either a source (a file name or title containing the key) lacks every
# listed term anywhere, or no sentence of any source names the place together with the indicator
# ("" = the place is never named at all).
LACKS = {
    "hd25": ("linze-county", ["预算收入", "财政收入", "税收"]),  # Linze's fiscal revenue: not given
    "hd26": ("甘肃省", ["玉米种子", "种子产量", "制种产量"]),  # Gansu's seed output: area only, no figure
    "hd29": ("jiangxia-district", ["2030"]),  # Jiangxia's plan stops at 2027
    "hd30": ("ordos-zero-carbon", ["employ", "worker", "jobs", "workforce", "headcount"]),  # no head count
    "hd31": ("anshun-2024", ["目标", "预期", "计划", "力争"]),  # a statistical bulletin: results only
}
NEVER_WITH = {
    "hd27": (["张掖", "張掖"], ["生产总值", "GDP"]),  # Zhangye city: named as Linze's parent only
    "hd28": (["榆林"], ["中药材", "药材"]),  # Shaanxi's Yulin; the medicine market is Guangxi's 玉林
    "hd32": (["檳城", "槟城", "Penang"], [""]),
    "hd33": (["Ulsan", "蔚山"], [""]),
}
SENTENCE_END = re.compile(r"[。！？；\n]|(?<=[a-z])\.\s")


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


QUESTIONS = load(SET / "questions.jsonl")
ANSWERABLE = [q for q in QUESTIONS if q.get("answerable", True)]
UNANSWERABLE = [q for q in QUESTIONS if not q.get("answerable", True)]
DOC_FILES = sorted(p for p in DOCS.iterdir() if p.is_file())


def raw_text(path: Path) -> str:
    if path.suffix == ".docx":
        import docx

        return "\n".join(par.text for par in docx.Document(str(path)).paragraphs)
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def doc_texts() -> dict[str, str]:
    return {p.name: raw_text(p) for p in DOC_FILES}


@pytest.fixture(scope="module")
def corpus_texts() -> dict[str, str]:
    """Name (file name or JSONL title) -> text of every shared-corpus source; {} without ../shared."""
    if not CORPUS.exists():
        return {}
    out = {p.name: p.read_text(encoding="utf-8") for p in sorted((CORPUS / "articles").glob("*.txt"))}
    out.update({p.name: raw_text(p) for p in sorted((CORPUS / "gov-work-reports-2025").glob("*.docx"))})
    for line in (CORPUS / "national-government-work-reports.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out[row["title"]] = row["content"]
    return out


@pytest.fixture(scope="module")
def indexed() -> tuple[list[tuple[str, str]], list]:
    """((path + title, text) of each document as planbot's loader keeps it, everything skipped)."""
    from retrieval.ingest.documents import discover, load_file

    files, skipped = discover([DOCS])
    out = []
    for f in files:
        docs, bad = load_file(f)
        skipped = [*skipped, *bad]
        out.extend((f"{d.path or f} {d.title or ''}", d.text) for d in docs)
    return out, skipped


def test_format():
    assert Counter(q["id"] for q in QUESTIONS).most_common(1)[0][1] == 1, "ids must be unique"
    for q in QUESTIONS:
        assert FIELDS <= q.keys(), (q["id"], FIELDS - q.keys())
        assert q["lang"] in LANGS, q["id"]
        assert q["question"].strip() and q["figure"] is True, q["id"]
        if q.get("answerable", True):
            assert q["answers"] and all(a.strip() == a and a for a in q["answers"]), q["id"]
            assert q["source_contains"], q["id"]
        else:
            assert q.get("answerable") is False and q["answers"] == [] and q["source_contains"] == "", q["id"]


def test_composition():
    """Five or six documents in the shapes users ingest, each asked several times, in all three scripts."""
    assert 5 <= len(DOC_FILES) <= 6 and {p.suffix for p in DOC_FILES} >= {".txt", ".md", ".html", ".docx"}
    per_doc = Counter(q["source_contains"] for q in ANSWERABLE)
    assert set(per_doc) == {p.stem for p in DOC_FILES} and min(per_doc.values()) >= 3, per_doc
    assert 8 <= len(UNANSWERABLE) <= 10
    assert {q["lang"] for q in ANSWERABLE} == LANGS and {q["lang"] for q in UNANSWERABLE} == LANGS


def test_nothing_already_asked():
    texts = {q["question"].strip() for path in SEEN if path.exists() for q in load(path)}
    assert texts, "no other set found"
    assert not [q["id"] for q in QUESTIONS if q["question"].strip() in texts]


@pytest.mark.parametrize("q", ANSWERABLE, ids=[q["id"] for q in ANSWERABLE])
def test_answer_in_its_one_document(q, doc_texts, corpus_texts):
    names = [name for name in doc_texts if q["source_contains"] in name]
    assert len(names) == 1, f"{q['id']}: {names} match {q['source_contains']!r}"
    clash = [name for name in corpus_texts if q["source_contains"] in name]
    assert not clash, f"{q['id']}: {q['source_contains']!r} also names shared-corpus sources {clash}"
    for a in q["answers"]:
        assert a in doc_texts[names[0]], f"{q['id']}: {a!r} not in {names[0]}"


@pytest.mark.parametrize("q", ANSWERABLE, ids=[q["id"] for q in ANSWERABLE])
def test_answer_in_indexed_text(q, indexed):
    texts = [text for name, text in indexed[0] if q["source_contains"] in name]
    assert len(texts) == 1, f"{q['id']}: {len(texts)} indexed documents match {q['source_contains']!r}"
    for a in q["answers"]:
        assert a in texts[0], f"{q['id']}: {a!r} not in the indexed text of its document"


def test_every_document_loads(indexed):
    """Ingest reads all of them: none skipped, one indexed document per file."""
    docs, skipped = indexed
    assert skipped == [] and len(docs) == len(DOC_FILES), (skipped, [n for n, _ in docs])


def test_unanswerable_really_are(doc_texts, corpus_texts):
    """Every unanswerable question says why, and the sources bear it out."""
    assert {q["id"] for q in UNANSWERABLE} == LACKS.keys() | NEVER_WITH.keys()
    sources = {**corpus_texts, **doc_texts}
    for qid, (key, terms) in LACKS.items():
        named = [name for name in sources if key in name]
        if not named and not corpus_texts:
            continue  # a shared-corpus source (the Gansu report), and ../shared is absent
        assert len(named) == 1, (qid, named)
        found = [t for t in terms if t in sources[named[0]]]
        assert not found, f"{qid}: {named[0]} holds {found}"
    sentences = [s for text in sources.values() for s in SENTENCE_END.split(text)]
    for qid, (places, indicators) in NEVER_WITH.items():
        hits = [s for s in sentences if any(p in s for p in places) and any(i in s for i in indicators)]
        assert not hits, f"{qid}: {hits[:2]}"
