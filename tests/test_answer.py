"""Answers over real indexes: verbatim quotes, figures, sources, cross-lingual, declines."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval.ask.question import validate_question
from retrieval.errors import BadQuestion
from retrieval.ask.fusion import rrf, top

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
    assert ans.declined_because == "Nothing in the indexed sources mentions Tokyo."
    assert ans.nearest, "the closest sources are listed"


def test_question_about_a_region_without_documents_is_declined(small_engine):
    ans = small_engine.ask("What was Gansu's grain output last year?")
    assert not ans.answered
    assert ans.declined_because == "No indexed source is about Gansu."


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


def test_regional_plans_dev_questions(corpus_engine):
    """The dev set end to end: answerable questions quoted from the right source, the
    unanswerable one declined. docs/EVALUATION.md lists the misses (2 of 14 at the time of
    writing); the floor guards against regressions."""
    if not DEV:
        pytest.skip("shared eval set not found")
    right, misses = 0, []
    for q in DEV:
        ans = corpus_engine.ask(q["question"])
        assert_verbatim(corpus_engine, ans)
        if not q.get("answerable", True):
            assert not ans.answered, f"{q['id']} should be declined: {ans.quotes[0].text if ans.quotes else ''}"
            continue
        hit = [qt for qt in ans.quotes if any(a in qt.text for a in q["answers"])
               and (q["source_contains"] in qt.source.path or q["source_contains"] in qt.source.title)]
        if hit:
            right += 1
        else:
            misses.append(q["id"])
    answerable = sum(1 for q in DEV if q.get("answerable", True))
    assert right >= answerable - 2, misses


def test_english_question_about_a_province_is_answered_from_its_report(corpus_engine):
    ans = corpus_engine.ask("What was Henan's total retail sales of consumer goods in 2024?")
    assert ans.answered
    best = ans.quotes[0]
    assert "河南" in best.source.title and "2.76万亿元" in best.text
    assert any(f.english == "2.76 trillion yuan" for f in best.figures)
    assert "2.76 trillion yuan" in best.rendering


def test_period_the_sources_do_not_cover_is_declined(corpus_engine):
    ans = corpus_engine.ask("What GDP does Jiangsu expect to reach in 2030?")
    assert not ans.answered
    assert ans.declined_because == "The indexed sources about Jiangsu say nothing about 2030."


PROVINCIAL = Path(__file__).parent / "data" / "provincial-crosslingual" / "questions.jsonl"


def test_language_of_the_question_does_not_matter_on_the_provincial_set(corpus_engine):
    """Our own 76-question set: English questions about Chinese reports answered nearly as well
    as Chinese ones (the first quote holds the answer, from the right report): the gap must
    stay within 5 points, and most unanswerable questions are declined (docs/EVALUATION.md)."""
    rows = [json.loads(line) for line in PROVINCIAL.read_text(encoding="utf-8").splitlines()]
    by_lang: dict[str, list[bool]] = {"en": [], "zh": []}
    declined = []
    for q in rows:
        ans = corpus_engine.ask(q["question"])
        if not q.get("answerable", True):
            declined.append(not ans.answered)
            continue
        ok = bool(ans.quotes) and any(a in ans.quotes[0].text for a in q["answers"]) and q["source_contains"] in ans.quotes[0].source.path
        by_lang["en" if q["lang"] == "en" else "zh"].append(ok)
    cross, same = sum(by_lang["en"]) / len(by_lang["en"]), sum(by_lang["zh"]) / len(by_lang["zh"])
    assert cross >= 0.9 and same >= 0.9, (cross, same)
    assert cross >= same - 0.05, (cross, same)
    assert sum(declined) / len(declined) >= 0.75, declined


@pytest.mark.parametrize("heading, kind", [
    ("一、2024年工作回顾", "achieved"), ("二、2025年主要任务", "target"), ("二、2025年工作总体要求和重点任务", "target"),
    ("二、关于2025年工作", "target"), ("二、2025年工作思路和重点任务", "target"),
])
def test_report_sections_say_whether_figures_are_results_or_targets(heading, kind):
    from retrieval.ask.candidates import context_kind

    text = f"政府工作报告\n{heading}\n城镇新增就业30万人。\n"
    assert context_kind(f"doc-{heading}", text, text.index("城镇")) == kind


def test_unknown_leading_topic_is_declined_but_a_leading_verb_is_no_topic(small_engine):
    seoul = small_engine.ask("首尔今年的GDP增长目标是多少？")
    assert not seoul.answered and seoul.declined_because == "Nothing in the indexed sources mentions 首尔."
    # 截止 ("up to") opens the question but is not what it is about
    upto = small_engine.ask("截止2023年江北新区三大优势产业营收多少？")
    assert upto.answered, upto.declined_because
    assert "5000亿元" in upto.quotes[0].text
