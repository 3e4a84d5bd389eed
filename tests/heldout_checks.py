"""Checks shared by the held-out question sets whose questions quote new documents (tests/data/<set>/docs)
and, for some, the shared corpus: test_heldout_docs_set, test_heldout3_set, test_heldout4_set,
test_heldout5_set.

Each test module declares its own data (the set's directory, its counts, its new places, why each
unanswerable question has no answer) and keeps thin fixtures and test functions that call these.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Callable

import pytest

from tests.conftest import CORPUS, EVAL, REPO, docx_text

DATA = REPO / "tests" / "data"
LANGS = {"en", "zh", "zh-Hant"}
FIELDS = {"id", "question", "lang", "answers", "figure", "source_contains"}
SENTENCE_END = re.compile(r"[。！？；\n]|(?<=[a-z])\.\s")


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def raw_text(path: Path) -> str:
    """The file as a reader sees it: python-docx paragraphs and table rows for .docx, else the raw text."""
    return docx_text(path) if path.suffix == ".docx" else path.read_text(encoding="utf-8")


def corpus_or_skip() -> Path:
    if not CORPUS.exists():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return CORPUS


class HeldoutSet:
    """One set: tests/data/<name>/questions.jsonl and the new documents in tests/data/<name>/docs."""

    def __init__(self, name: str):
        self.dir = DATA / name
        self.docs = self.dir / "docs"
        self.questions = load(self.dir / "questions.jsonl")
        self.answerable = [q for q in self.questions if q.get("answerable", True)]
        self.unanswerable = [q for q in self.questions if not q.get("answerable", True)]
        self.doc_files = sorted(p for p in self.docs.iterdir() if p.is_file())
        self.doc_stems = {p.stem for p in self.doc_files}

    def kind(self, q: dict) -> str:
        sc = q["source_contains"]
        if sc in self.doc_stems:
            return "new-doc"
        if sc[:3].isdigit() and "_" in sc[:4]:
            return "article"
        return "national" if "国务院" in sc else "province"

    def seen(self) -> list[Path]:
        """Every other question set of the project and of ../shared/eval (their questions were seen,
        or may be, while the pipeline was changed)."""
        return sorted(
            p
            for p in [*DATA.glob("*/questions.jsonl"), *EVAL.glob("*/questions.jsonl")]
            if p.parent != self.dir
        )


def read_docs(s: HeldoutSet, read: Callable[[Path], str] = raw_text) -> dict[str, str]:
    return {p.name: read(p) for p in s.doc_files}


def read_corpus(read: Callable[[Path], str] = raw_text) -> dict[str, str]:
    """Name (file name or JSONL title) -> text of every shared-corpus source; {} without ../shared."""
    if not CORPUS.exists():
        return {}
    out = {p.name: p.read_text(encoding="utf-8") for p in sorted((CORPUS / "articles").glob("*.txt"))}
    out.update({p.name: read(p) for p in sorted((CORPUS / "gov-work-reports-2025").glob("*.docx"))})
    for row in load(CORPUS / "national-government-work-reports.jsonl"):
        out[row["title"]] = row["content"]
    return out


def indexed(paths: list[Path]) -> tuple[list[tuple[str, str]], list]:
    """((path + title, text) of each document as planbot's loader keeps it, everything skipped)."""
    from retrieval.ingest.documents import discover, load_file

    files, skipped = discover(paths)
    out = []
    for f in files:
        docs, bad = load_file(f)
        skipped = [*skipped, *bad]
        out.extend((f"{d.path or f} {d.title or ''}", d.text) for d in docs)
    return out, skipped


def check_format(s: HeldoutSet, questions_differ: bool = True) -> None:
    qs = s.questions
    assert Counter(q["id"] for q in qs).most_common(1)[0][1] == 1, "ids must be unique"
    if questions_differ:
        assert len({q["question"].strip() for q in qs}) == len(qs), "questions must differ"
    for q in qs:
        assert FIELDS <= q.keys(), (q["id"], FIELDS - q.keys())
        assert q["lang"] in LANGS, q["id"]
        assert q["question"].strip() and q["figure"] is True, q["id"]
        if q.get("answerable", True):
            assert q["answers"] and all(a.strip() == a and a for a in q["answers"]), q["id"]
            assert q["source_contains"], q["id"]
        else:
            assert q.get("answerable") is False and q["answers"] == [] and q["source_contains"] == "", q["id"]


def check_langs(s: HeldoutSet) -> None:
    """Answerable and unanswerable questions each come in all three scripts."""
    assert {q["lang"] for q in s.answerable} == LANGS and {q["lang"] for q in s.unanswerable} == LANGS


def check_mixed_composition(
    s: HeldoutSet,
    has_text: Callable[[list[str]], bool],
    articles: tuple[int, int],
    provinces: int,
    unanswerable: tuple[int, int],
) -> None:
    """Four new documents in the shapes users ingest (one English, `has_text` picks the Traditional
    one), each asked at least three times; seed articles, provincial and national reports; the given
    number of unanswerable; all scripts."""
    assert len(s.doc_files) == 4 and {p.suffix for p in s.doc_files} == {".txt", ".md", ".html", ".docx"}
    texts = [raw_text(p) for p in s.doc_files]
    assert any("billion yuan" in t for t in texts) and has_text(texts)
    per_doc = Counter(q["source_contains"] for q in s.answerable if s.kind(q) == "new-doc")
    assert set(per_doc) == s.doc_stems and min(per_doc.values()) >= 3, per_doc
    kinds = Counter(s.kind(q) for q in s.answerable)
    assert 14 <= kinds["new-doc"] <= 18 and articles[0] <= kinds["article"] <= articles[1], kinds
    assert 20 <= kinds["province"] + kinds["national"] <= 28 and kinds["national"] >= 3, kinds
    assert len({q["source_contains"] for q in s.answerable if s.kind(q) == "province"}) >= provinces, "provinces"
    assert unanswerable[0] <= len(s.unanswerable) <= unanswerable[1]
    check_langs(s)


def check_nothing_already_asked(s: HeldoutSet, corpus_texts: dict[str, str]) -> None:
    """No question text of another set, and no (source, answer) figure another set asks."""
    seen = [q for path in s.seen() for q in load(path)]
    assert seen, "no other set found"
    texts = {q["question"].strip() for q in seen}
    assert not [q["id"] for q in s.questions if q["question"].strip() in texts]
    names = list(corpus_texts)

    def sources(sc: str) -> set[str]:
        return {n for n in names if sc and sc in n}

    asked: dict[str, set[str]] = {}
    for q in seen:
        for a in q.get("answers") or []:
            asked.setdefault(a.strip(), set()).update(sources(q.get("source_contains") or ""))
    repeats = [
        (q["id"], a)
        for q in s.answerable
        if s.kind(q) != "new-doc"
        for a in q["answers"]
        if sources(q["source_contains"]) & asked.get(a, set())
    ]
    assert not repeats, repeats


def check_answer_in_its_one_source(s: HeldoutSet, q: dict, doc_texts: dict, corpus_texts: dict) -> None:
    names = [n for n in doc_texts if q["source_contains"] in n]
    clash = [n for n in corpus_texts if q["source_contains"] in n]
    if s.kind(q) != "new-doc" and not corpus_texts:
        pytest.skip(f"shared corpus not found at {CORPUS}")
    assert len(names) + len(clash) == 1, f"{q['id']}: {names + clash} match {q['source_contains']!r}"
    text = doc_texts[names[0]] if names else corpus_texts[clash[0]]
    for a in q["answers"]:
        assert a in text, f"{q['id']}: {a!r} not in {(names + clash)[0]}"


def check_doc_answer_in_indexed_text(q: dict, indexed_docs: tuple[list[tuple[str, str]], list]) -> None:
    """The answers are in the indexed text of the one new document `source_contains` names."""
    texts = [text for name, text in indexed_docs[0] if q["source_contains"] in name]
    assert len(texts) == 1, f"{q['id']}: {len(texts)} indexed documents match {q['source_contains']!r}"
    for a in q["answers"]:
        assert a in texts[0], f"{q['id']}: {a!r} not in the indexed text of its document"


def check_corpus_answer_in_indexed_text(q: dict, indexed_corpus: list[tuple[str, str]]) -> None:
    texts = [text for name, text in indexed_corpus if q["source_contains"] in name]
    assert texts, f"{q['id']}: no indexed document matches {q['source_contains']!r}"
    for a in q["answers"]:
        assert any(a in t for t in texts), f"{q['id']}: {a!r} not in the indexed text of its source"


def check_every_document_loads(s: HeldoutSet, indexed_docs: tuple[list[tuple[str, str]], list]) -> None:
    """Ingest reads them all: none skipped, one indexed document per file."""
    docs, skipped = indexed_docs
    assert skipped == [] and len(docs) == len(s.doc_files), (skipped, [n for n, _ in docs])


def check_no_other_source_names(places: list[str], folders: tuple[str, ...], corpus_texts: dict) -> None:
    """Neither the shared corpus nor the documents of the given earlier sets name any of `places`."""
    others = dict(corpus_texts)
    for folder in folders:
        for p in sorted((DATA / folder / "docs").glob("*")):
            if p.is_file():
                others[p.name] = raw_text(p)
    hits = [(name, p) for name, text in others.items() for p in places if p in text]
    assert not hits, hits


def check_unanswerable(
    s: HeldoutSet,
    doc_texts: dict[str, str],
    corpus_texts: dict[str, str],
    lacks: dict[str, tuple[str, list[str]]],
    within: dict[str, tuple[str, list[str], list[str], str | None]],
    never_with: dict[str, list[tuple[list[str], list[str]]]],
    no_source: dict[str, str],
) -> None:
    """Every unanswerable question says why, and the sources bear it out.

    lacks: the one source whose name contains the key holds none of the terms.
    within: in the one source named by the key, no sentence holds one of the first terms together
    with one of the second ("" = any sentence) unless it also holds the exception.
    never_with: no sentence of any source names one of the places (or years) with one of the
    indicators ("" = the place is never named at all).
    no_source: no source's name contains the title.
    """
    assert {q["id"] for q in s.unanswerable} == lacks.keys() | within.keys() | never_with.keys()
    sources = {**corpus_texts, **doc_texts}

    def one(qid: str, key: str) -> str | None:
        named = [name for name in sources if key in name]
        if not named and not corpus_texts:
            return None  # a shared-corpus source, and ../shared is absent
        assert len(named) == 1, (qid, key, named)
        return sources[named[0]]

    for qid, (key, terms) in lacks.items():
        text = one(qid, key)
        found = [t for t in terms if text is not None and t in text]
        assert not found, f"{qid}: {key} holds {found}"
    for qid, (key, first, second, unless) in within.items():
        text = one(qid, key)
        if text is None:
            continue
        hits = [
            sentence for sentence in SENTENCE_END.split(text)
            if any(t in sentence for t in first) and any(t in sentence for t in second)
            and not (unless and unless in sentence)
        ]
        assert not hits, f"{qid}: {hits[:2]}"
    sentences = [sentence for text in sources.values() for sentence in SENTENCE_END.split(text)]
    for qid, pairs in never_with.items():
        for places, indicators in pairs:
            hits = [x for x in sentences if any(p in x for p in places) and any(i in x for i in indicators)]
            assert not hits, f"{qid}: {hits[:2]}"
    for qid, title in no_source.items():
        assert not [name for name in sources if title in name], qid


def mixed_set_tests(
    s: HeldoutSet,
    lacks: dict[str, tuple[str, list[str]]],
    within: dict[str, tuple[str, list[str], list[str], str | None]],
    never_with: dict[str, list[tuple[list[str], list[str]]]],
    no_source: dict[str, str],
) -> dict[str, Callable]:
    """The fixtures and tests every set of new documents plus the shared corpus (heldout3, heldout4, heldout5)
    runs the same way, for its module to take in with `globals().update(...)`:

    fixtures doc_texts, corpus_texts (name -> raw text; {} without ../shared), indexed_docs,
    indexed_corpus (as planbot's loader keeps them); tests test_format, test_nothing_already_asked,
    test_answer_in_its_one_source[id], test_new_doc_answer_in_indexed_text[id],
    test_corpus_answer_in_indexed_text[id], test_every_document_loads, test_unanswerable_really_are.
    The module adds its own test_composition and test_new_documents_are_about_new_places.
    """
    new_doc = [q for q in s.answerable if s.kind(q) == "new-doc"]
    from_corpus = [q for q in s.answerable if s.kind(q) != "new-doc"]

    @pytest.fixture(scope="module")
    def doc_texts() -> dict[str, str]:
        return read_docs(s)

    @pytest.fixture(scope="module")
    def corpus_texts() -> dict[str, str]:
        return read_corpus()

    @pytest.fixture(scope="module")
    def indexed_docs() -> tuple[list[tuple[str, str]], list]:
        return indexed([s.docs])

    @pytest.fixture(scope="module")
    def indexed_corpus() -> list[tuple[str, str]]:
        return indexed([corpus_or_skip()])[0]

    def test_format():
        check_format(s)

    def test_nothing_already_asked(corpus_texts):
        check_nothing_already_asked(s, corpus_texts)

    @pytest.mark.parametrize("q", s.answerable, ids=[q["id"] for q in s.answerable])
    def test_answer_in_its_one_source(q, doc_texts, corpus_texts):
        check_answer_in_its_one_source(s, q, doc_texts, corpus_texts)

    @pytest.mark.parametrize("q", new_doc, ids=[q["id"] for q in new_doc])
    def test_new_doc_answer_in_indexed_text(q, indexed_docs):
        check_doc_answer_in_indexed_text(q, indexed_docs)

    @pytest.mark.parametrize("q", from_corpus, ids=[q["id"] for q in from_corpus])
    def test_corpus_answer_in_indexed_text(q, indexed_corpus):
        check_corpus_answer_in_indexed_text(q, indexed_corpus)

    def test_every_document_loads(indexed_docs):
        """Ingest reads all four: none skipped, one indexed document per file."""
        check_every_document_loads(s, indexed_docs)

    def test_unanswerable_really_are(doc_texts, corpus_texts):
        """Every unanswerable question says why, and the sources bear it out."""
        check_unanswerable(s, doc_texts, corpus_texts, lacks, within, never_with, no_source)

    return {f.__name__: f for f in (
        doc_texts, corpus_texts, indexed_docs, indexed_corpus, test_format, test_nothing_already_asked,
        test_answer_in_its_one_source, test_new_doc_answer_in_indexed_text, test_corpus_answer_in_indexed_text,
        test_every_document_loads, test_unanswerable_really_are,
    )}
