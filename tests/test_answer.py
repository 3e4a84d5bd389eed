"""Answers over real indexes: verbatim quotes, figures, sources, cross-lingual, declines."""
from __future__ import annotations

import json

import pytest

from retrieval.engine import validate_question
from retrieval.errors import BadQuestion
from retrieval.fusion import rrf, top

from .conftest import EVAL


def assert_verbatim(engine, ans):
    for q in ans.quotes:
        doc = engine.index.document(q.source.doc_id)
        assert doc.text[q.start:q.end] == q.text
        for f in q.figures:
            assert f.text in q.text


def test_english_figure_question_quotes_the_sentence_with_its_figure(small_engine):
    ans = small_engine.ask("How much fixed-asset investment did Riverside District complete last year?")
    assert ans.answered
    best = ans.quotes[0]
    assert "28.7 billion yuan" in best.text
    fig = next(f for f in best.figures if f.text.startswith("28.7"))
    assert (fig.value, fig.unit, fig.kind) == (28.7e9, "yuan", "achieved")
    assert fig.chinese == "287亿元"
    assert best.source.title == "Riverside District sets out its 2025 industrial plan"
    assert best.source.date == "2025-01-15" and best.source.publisher == "Riverside Daily"
    assert_verbatim(small_engine, ans)


def test_english_question_finds_figure_in_chinese_source_and_renders_it_in_english(small_engine):
    ans = small_engine.ask("What fixed-asset investment is Jiangbei New Area aiming for this year?")
    assert ans.answered
    best = ans.quotes[0]
    assert "700亿元" in best.text
    fig = next(f for f in best.figures if f.text.endswith("700亿元"))
    assert fig.english == "70 billion yuan" and fig.kind == "target"
    assert "70 billion yuan" in best.rendering
    assert "70 billion yuan" in ans.answer
    assert_verbatim(small_engine, ans)


def test_traditional_chinese_question_matches_simplified_source(small_engine):
    ans = small_engine.ask("江北新區2023年營收是多少？")
    assert ans.answered and "5000亿元" in ans.quotes[0].text


def test_chinese_question_finds_english_source(small_engine):
    ans = small_engine.ask("Riverside District 引进了多少家总部企业？")
    assert ans.answered and "23 headquarters" in ans.quotes[0].text


def test_unrelated_question_is_declined_with_nearest_sources(small_engine):
    ans = small_engine.ask("What is Tokyo's GDP growth target for 2025?")
    assert not ans.answered and ans.quotes == []
    assert ans.answer.startswith("Not found in the indexed sources")
    assert any("Tokyo" in n for n in ans.notes)
    assert ans.nearest, "the closest sources are listed"


def test_question_about_a_region_without_documents_is_declined(small_engine):
    ans = small_engine.ask("What was Gansu's grain output last year?")
    assert not ans.answered
    assert any("Gansu" in n for n in ans.notes)


@pytest.mark.parametrize("bad, message", [
    ("", "empty"), ("   \n\t ", "empty"), ("x" * 10_000, "10,000 characters"), ("?!…。", "no words"),
    ("Какой рост ВВП?", "Cyrillic"), ("\x00\x01\x02", "empty"),
])
def test_bad_questions_get_a_clear_error(bad, message):
    with pytest.raises(BadQuestion, match=message):
        validate_question(bad)


def test_control_characters_are_removed_from_real_questions():
    assert validate_question("GDP\x00 growth\x07 in\tJiangsu") == "GDP growth in Jiangsu"


def test_weighted_rrf_lets_the_stronger_list_lead():
    fused = rrf({"lexical": [1, 2, 3], "dense": [3, 2, 1]}, {"lexical": 1.0, "dense": 0.5})
    assert [i for i, _ in top(fused, 3)] == [1, 2, 3]
    equal = rrf({"lexical": [1, 2], "dense": [2, 1]})
    assert equal[1] == pytest.approx(equal[2])


DEV = [json.loads(line) for line in (EVAL / "regional-plans-dev" / "questions.jsonl").read_text(encoding="utf-8").splitlines()] if (EVAL / "regional-plans-dev").exists() else []


@pytest.mark.parametrize("q", DEV, ids=[q["id"] for q in DEV])
def test_regional_plans_dev_questions(corpus_engine, q):
    ans = corpus_engine.ask(q["question"])
    if not q.get("answerable", True):
        assert not ans.answered, ans.quotes[0].text if ans.quotes else ""
        return
    assert ans.answered
    hit = [qt for qt in ans.quotes if any(a in qt.text for a in q["answers"])]
    assert hit, [qt.text[:120] for qt in ans.quotes]
    assert q["source_contains"] in hit[0].source.path or q["source_contains"] in hit[0].source.title
    assert_verbatim(corpus_engine, ans)
