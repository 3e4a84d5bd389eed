"""The fourth held-out set (tests/data/heldout4) is well-formed, new, and true to its sources.

Like heldout3 it mixes four new documents (tests/data/heldout4/docs: a county-level city's work
report, a Traditional-Chinese city news piece, an English news page, a development zone's Word plan)
with the shared corpus (seed articles, provincial and national work reports). A question whose
answer is not in its source would count against planbot for a figure nobody could quote; a
`source_contains` naming two sources would credit a quote from the wrong one; an "unanswerable"
question that some source does answer would punish a right answer; a question or figure another set
already asks would not be held out. All four are checked here, each source read twice: straight
from the file (python-docx for .docx, the JSONL title/content for the national reports, the raw text
otherwise) and as planbot's loader keeps it for the index, because `planbot eval` matches quotes
against the indexed text. The shared-corpus parts skip without ../shared.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import CORPUS, EVAL, REPO, docx_text

SET = REPO / "tests" / "data" / "heldout4"
DOCS = SET / "docs"
LANGS = {"en", "zh", "zh-Hant"}
FIELDS = {"id", "question", "lang", "answers", "figure", "source_contains"}
SENTENCE_END = re.compile(r"[。！？；\n]|(?<=[a-z])\.\s")

# Why each unanswerable question has no answer, as facts about the sources that a later edit
# could break. LACKS: the one source whose name contains the key holds none of the terms.
LACKS = {
    "h4-43": ("yixing-2025", ["2023"]),  # 2020, 2024, 2025 and 2027 only
    "h4-44": ("shenmu-energy", ["natural gas", "gas output", "cubic met", "天然气", "天然氣"]),  # coal, not gas
}
# WITHIN: in the one source named by the key, no sentence holds one of the first terms together
# with one of the second ("" = any sentence) unless it also holds the exception.
WITHIN = {
    "h4-42": ("yongkang-2025", ["保温杯"], ["2025", "今年", "力争", "目标", "达到"], None),  # cups: 2024 only
    "h4-45": ("ningxiang-etdz", ["食品"], ["2025", "2027", "目标", "力争", "达到", "突破"], None),  # food: 2024 only
    "h4-46": ("2025年广东省", ["粮食"], ["万吨", "亿斤", "万斤"], "1285万吨"),  # 1285万吨 is the 2025 target
    "h4-47": ("2025年陕西省", ["新能源汽车"], ["辆"], "119.8万辆"),  # 119.8万辆 is 2024's output
    "h4-48": ("2025年青海省", ["生产总值"], ["亿元", "万亿"], None),  # Qinghai: GDP growth only
}
# NEVER_WITH: no sentence of any source names one of the places (or years) with one of the
# indicators ("" = the place is never named at all).
NEVER_WITH = {
    "h4-49": [(["金华", "金華", "Jinhua"], ["生产总值", "生產總值", "GDP"])],  # Jinhua city: Yongkang's parent
    "h4-50": [(["Osaka", "大阪"], [""])],
    "h4-51": [(["魯爾", "鲁尔", "Ruhr"], [""])],
}
NO_SOURCE: dict[str, str] = {}


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


QUESTIONS = load(SET / "questions.jsonl")
ANSWERABLE = [q for q in QUESTIONS if q.get("answerable", True)]
UNANSWERABLE = [q for q in QUESTIONS if not q.get("answerable", True)]
DOC_FILES = sorted(p for p in DOCS.iterdir() if p.is_file())
DOC_STEMS = {p.stem for p in DOC_FILES}
# Every other question set of the project and of ../shared/eval (their questions were seen, or
# may be, while the pipeline was changed).
SEEN = sorted(
    p
    for p in [*(REPO / "tests" / "data").glob("*/questions.jsonl"), *EVAL.glob("*/questions.jsonl")]
    if p.parent != SET
)


def kind(q: dict) -> str:
    sc = q["source_contains"]
    if sc in DOC_STEMS:
        return "new-doc"
    if sc[:3].isdigit() and "_" in sc[:4]:
        return "article"
    return "national" if "国务院" in sc else "province"


def raw_text(path: Path) -> str:
    return docx_text(path) if path.suffix == ".docx" else path.read_text(encoding="utf-8")


def corpus_or_skip() -> Path:
    if not CORPUS.exists():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return CORPUS


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


@pytest.fixture(scope="module")
def indexed_docs() -> tuple[list[tuple[str, str]], list]:
    return indexed([DOCS])


@pytest.fixture(scope="module")
def indexed_corpus() -> list[tuple[str, str]]:
    return indexed([corpus_or_skip()])[0]


def test_format():
    assert Counter(q["id"] for q in QUESTIONS).most_common(1)[0][1] == 1, "ids must be unique"
    assert len({q["question"].strip() for q in QUESTIONS}) == len(QUESTIONS), "questions must differ"
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
    """Four new documents in the shapes users ingest (one English, one Traditional), each asked
    four times; seed articles, provincial and national reports; about ten unanswerable; all scripts."""
    assert len(DOC_FILES) == 4 and {p.suffix for p in DOC_FILES} == {".txt", ".md", ".html", ".docx"}
    texts = [raw_text(p) for p in DOC_FILES]
    assert any("billion yuan" in t for t in texts) and any("億元" in t and "萬人次" in t for t in texts)
    per_doc = Counter(q["source_contains"] for q in ANSWERABLE if kind(q) == "new-doc")
    assert set(per_doc) == DOC_STEMS and min(per_doc.values()) >= 3, per_doc
    kinds = Counter(kind(q) for q in ANSWERABLE)
    assert 14 <= kinds["new-doc"] <= 18 and 3 <= kinds["article"] <= 6, kinds
    assert 20 <= kinds["province"] + kinds["national"] <= 28 and kinds["national"] >= 3, kinds
    assert len({q["source_contains"] for q in ANSWERABLE if kind(q) == "province"}) >= 16, "provinces"
    assert 8 <= len(UNANSWERABLE) <= 12
    assert {q["lang"] for q in ANSWERABLE} == LANGS and {q["lang"] for q in UNANSWERABLE} == LANGS


def test_nothing_already_asked(corpus_texts):
    """No question text of another set, and no (source, answer) figure another set asks."""
    seen = [q for path in SEEN for q in load(path)]
    assert seen, "no other set found"
    texts = {q["question"].strip() for q in seen}
    assert not [q["id"] for q in QUESTIONS if q["question"].strip() in texts]
    names = list(corpus_texts)

    def sources(sc: str) -> set[str]:
        return {n for n in names if sc and sc in n}

    asked: dict[str, set[str]] = {}
    for q in seen:
        for a in q.get("answers") or []:
            asked.setdefault(a.strip(), set()).update(sources(q.get("source_contains") or ""))
    repeats = [
        (q["id"], a)
        for q in ANSWERABLE
        if kind(q) != "new-doc"
        for a in q["answers"]
        if sources(q["source_contains"]) & asked.get(a, set())
    ]
    assert not repeats, repeats


@pytest.mark.parametrize("q", ANSWERABLE, ids=[q["id"] for q in ANSWERABLE])
def test_answer_in_its_one_source(q, doc_texts, corpus_texts):
    names = [n for n in doc_texts if q["source_contains"] in n]
    clash = [n for n in corpus_texts if q["source_contains"] in n]
    if kind(q) != "new-doc" and not corpus_texts:
        pytest.skip(f"shared corpus not found at {CORPUS}")
    assert len(names) + len(clash) == 1, f"{q['id']}: {names + clash} match {q['source_contains']!r}"
    text = doc_texts[names[0]] if names else corpus_texts[clash[0]]
    for a in q["answers"]:
        assert a in text, f"{q['id']}: {a!r} not in {(names + clash)[0]}"


@pytest.mark.parametrize("q", [q for q in ANSWERABLE if kind(q) == "new-doc"], ids=lambda q: q["id"])
def test_new_doc_answer_in_indexed_text(q, indexed_docs):
    texts = [text for name, text in indexed_docs[0] if q["source_contains"] in name]
    assert len(texts) == 1, f"{q['id']}: {len(texts)} indexed documents match {q['source_contains']!r}"
    for a in q["answers"]:
        assert a in texts[0], f"{q['id']}: {a!r} not in the indexed text of its document"


@pytest.mark.parametrize("q", [q for q in ANSWERABLE if kind(q) != "new-doc"], ids=lambda q: q["id"])
def test_corpus_answer_in_indexed_text(q, indexed_corpus):
    texts = [text for name, text in indexed_corpus if q["source_contains"] in name]
    assert texts, f"{q['id']}: no indexed document matches {q['source_contains']!r}"
    for a in q["answers"]:
        assert any(a in t for t in texts), f"{q['id']}: {a!r} not in the indexed text of its source"


def test_every_document_loads(indexed_docs):
    """Ingest reads all four: none skipped, one indexed document per file."""
    docs, skipped = indexed_docs
    assert skipped == [] and len(docs) == len(DOC_FILES), (skipped, [n for n, _ in docs])


def test_new_documents_are_about_new_places(corpus_texts):
    """No other source is about the four places: the shared corpus and the earlier sets' documents
    never name them (the Shaanxi report names 榆林, Shenmu's parent, and Zhejiang's 金华, Yongkang's,
    but not these cities; no source names 宁乡)."""
    others = dict(corpus_texts)
    for folder in ("heldout-docs", "new-places", "heldout3"):
        for p in sorted((REPO / "tests" / "data" / folder / "docs").glob("*")):
            if p.is_file():
                others[p.name] = raw_text(p)
    places = ["永康", "Yongkang", "宜兴", "宜興", "Yixing", "丁蜀", "紫砂", "神木", "Shenmu", "宁乡", "寧鄉",
              "Ningxiang"]
    hits = [(name, p) for name, text in others.items() for p in places if p in text]
    assert not hits, hits


def test_unanswerable_really_are(doc_texts, corpus_texts):
    """Every unanswerable question says why, and the sources bear it out."""
    assert {q["id"] for q in UNANSWERABLE} == LACKS.keys() | WITHIN.keys() | NEVER_WITH.keys()
    sources = {**corpus_texts, **doc_texts}

    def one(key: str) -> str | None:
        named = [name for name in sources if key in name]
        if not named and not corpus_texts:
            return None  # a shared-corpus source, and ../shared is absent
        assert len(named) == 1, (key, named)
        return sources[named[0]]

    for qid, (key, terms) in LACKS.items():
        text = one(key)
        found = [t for t in terms if text is not None and t in text]
        assert not found, f"{qid}: {key} holds {found}"
    for qid, (key, first, second, unless) in WITHIN.items():
        text = one(key)
        if text is None:
            continue
        hits = [
            s for s in SENTENCE_END.split(text)
            if any(t in s for t in first) and any(t in s for t in second) and not (unless and unless in s)
        ]
        assert not hits, f"{qid}: {hits[:2]}"
    sentences = [s for text in sources.values() for s in SENTENCE_END.split(text)]
    for qid, pairs in NEVER_WITH.items():
        for places, indicators in pairs:
            hits = [s for s in sentences if any(p in s for p in places) and any(i in s for i in indicators)]
            assert not hits, f"{qid}: {hits[:2]}"
    for qid, title in NO_SOURCE.items():
        assert not [name for name in sources if title in name], qid
