"""The held-out documents set (tests/data/heldout-docs) is well-formed and true to its documents.

A question whose answer is not in its document would count against planbot for a figure nobody
could quote; a `source_contains` naming two documents (or a shared-corpus file) would credit a
quote from the wrong one; an "unanswerable" question that some source does answer would punish
a right answer. All three are checked here, the documents read twice: straight from the files
(python-docx for the .docx, the raw bytes for the others) and as planbot's loader keeps them
for the index, because `planbot eval` matches quotes against the indexed text.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests import heldout_checks as checks
from tests.conftest import EVAL, REPO
from tests.heldout_checks import HeldoutSet, load

S = HeldoutSet("heldout-docs")

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
    "hd27": [(["张掖", "張掖"], ["生产总值", "GDP"])],  # Zhangye city: named as Linze's parent only
    "hd28": [(["榆林"], ["中药材", "药材"])],  # Shaanxi's Yulin; the medicine market is Guangxi's 玉林
    "hd32": [(["檳城", "槟城", "Penang"], [""])],
    "hd33": [(["Ulsan", "蔚山"], [""])],
}


def raw_text(path: Path) -> str:
    """python-docx paragraphs for the .docx, the raw text for the others."""
    if path.suffix == ".docx":
        import docx

        return "\n".join(par.text for par in docx.Document(str(path)).paragraphs)
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def doc_texts() -> dict[str, str]:
    return checks.read_docs(S, raw_text)


@pytest.fixture(scope="module")
def corpus_texts() -> dict[str, str]:
    return checks.read_corpus(raw_text)


@pytest.fixture(scope="module")
def indexed() -> tuple[list[tuple[str, str]], list]:
    return checks.indexed([S.docs])


def test_format():
    checks.check_format(S, questions_differ=False)


def test_composition():
    """Five or six documents in the shapes users ingest, each asked several times, in all three scripts."""
    assert 5 <= len(S.doc_files) <= 6 and {p.suffix for p in S.doc_files} >= {".txt", ".md", ".html", ".docx"}
    per_doc = Counter(q["source_contains"] for q in S.answerable)
    assert set(per_doc) == S.doc_stems and min(per_doc.values()) >= 3, per_doc
    assert 8 <= len(S.unanswerable) <= 10
    checks.check_langs(S)


def test_nothing_already_asked():
    texts = {q["question"].strip() for path in SEEN if path.exists() for q in load(path)}
    assert texts, "no other set found"
    assert not [q["id"] for q in S.questions if q["question"].strip() in texts]


@pytest.mark.parametrize("q", S.answerable, ids=[q["id"] for q in S.answerable])
def test_answer_in_its_one_document(q, doc_texts, corpus_texts):
    names = [name for name in doc_texts if q["source_contains"] in name]
    assert len(names) == 1, f"{q['id']}: {names} match {q['source_contains']!r}"
    clash = [name for name in corpus_texts if q["source_contains"] in name]
    assert not clash, f"{q['id']}: {q['source_contains']!r} also names shared-corpus sources {clash}"
    for a in q["answers"]:
        assert a in doc_texts[names[0]], f"{q['id']}: {a!r} not in {names[0]}"


@pytest.mark.parametrize("q", S.answerable, ids=[q["id"] for q in S.answerable])
def test_answer_in_indexed_text(q, indexed):
    checks.check_doc_answer_in_indexed_text(q, indexed)


def test_every_document_loads(indexed):
    """Ingest reads all of them: none skipped, one indexed document per file."""
    checks.check_every_document_loads(S, indexed)


def test_unanswerable_really_are(doc_texts, corpus_texts):
    """Every unanswerable question says why, and the sources bear it out (the Gansu report is a
    shared-corpus source: its check skips without ../shared)."""
    checks.check_unanswerable(S, doc_texts, corpus_texts, LACKS, {}, NEVER_WITH, {})
