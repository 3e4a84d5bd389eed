"""Indicators asked for by meaning (retrieval/ask/meaning.py), on the real bundled encoder and a
real index: a rewording that no vocabulary phrase lists still gets the indicator's sentence."""
from __future__ import annotations

import pytest

from retrieval.ask.meaning import asked_by_meaning, names_reordered, stem_covered
from retrieval.ask.spec import SPEC
from retrieval.knowledge.vocab import load_vocab

# A province's report in the shape of the shared corpus's: a GDP sentence and an R&D intensity
# sentence, which a question about R&D "as a proportion of GDP" must not confuse.
REPORT = """湖南省2025年政府工作报告

2025-01-20 来源：湖南日报

一、2024年工作回顾
过去一年，全省地区生产总值达到53231亿元，增长4.8%。
固定资产投资增长0.2%，社会消费品零售总额增长5.0%。
全社会研发投入强度达到2.57%，新增高新技术企业2000家。
民生支出占一般公共预算支出的比重保持在70%以上，民生实事全面完成。
粮食总产量达到617.8亿斤。
"""


@pytest.fixture(scope="module")
def report_engine(tmp_path_factory, encoder):
    from retrieval.engine import Engine
    from retrieval.ingest.run import ingest

    docs = tmp_path_factory.mktemp("hunan-docs")
    (docs / "hunan-2025.txt").write_text(REPORT, encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("hunan-index")
    ingest([docs], index_dir, encoder=encoder)
    return Engine(index_dir, encoder=encoder)


def meant(engine, question: str):
    return asked_by_meaning(question, engine.vectors.encode, engine.index.model_id)


def test_a_rewording_no_phrase_lists_gets_the_indicators_sentence(report_engine):
    # No vocabulary name of R&D intensity is in the question, and "GDP" is: before meaning
    # matching the GDP sentence was quoted (the R&D sentence took the missing-indicator penalty).
    question = "How much did Hunan put into R&D as a proportion of GDP in 2024?"
    assert "rd_intensity" not in {m.term.id for m in load_vocab().matches(question)}
    m = meant(report_engine, question)
    assert m.strengths.get("rd_intensity", 0) >= SPEC.meaning_strength and "gdp" in m.subsumed
    answer = report_engine.ask(question)
    assert answer.answered and "2.57%" in answer.quotes[0].text


def test_the_listed_indicator_still_answers_its_own_question(report_engine):
    answer = report_engine.ask("What was Hunan's GDP in 2024?")
    assert answer.answered and "53231亿元" in answer.quotes[0].text


def test_a_word_inside_a_listed_phrase_or_a_bare_generic_word_asks_for_nothing_more(report_engine):
    # "jobs" inside "new urban jobs" is no second question about employment; a bare 經濟 in a
    # history question is close to the English GDP name "economy", but not to a Chinese GDP name
    assert not meant(report_engine, "How many new urban jobs does Anhui plan to create in 2025?").strengths
    assert "gdp" not in meant(report_engine, "二戰末期，蘇聯紅軍進佔東北，掠奪經濟資源達多少美元以上?").strengths


def test_a_name_with_its_words_reordered_or_inflected_is_that_indicator():
    vocab = load_vocab()

    def covered(question: str) -> set[str]:
        found = vocab.matches(question)
        return set(stem_covered(question, vocab, [(m.start, m.end) for m in found]))

    assert "livelihood_spending" in covered("How much did Hunan spend on livelihood in 2024?")
    assert "rd_intensity" in covered("What was the R&D ratio to GDP?")  # takes the listed "GDP" in whole
    # never splitting a listed phrase: "economic output" is GDP, not "output value"
    assert "output_value" not in covered("What was the value of the province's economic output?")
    # nor words far apart
    assert "livelihood_spending" not in covered("How much spending went to roads, bridges, ports, schools and rural livelihood?")


def test_a_sentence_naming_it_with_the_words_reordered_names_it():
    vocab = load_vocab()
    assert names_reordered("with 374 companies listed as of 31 August 2009", "listed_companies", vocab)
    assert not names_reordered("374 companies from Poland and abroad took part in the fair, whose dates were listed online",
                               "listed_companies", vocab)
    assert not names_reordered("有374家上市公司", "listed_companies", vocab)  # Chinese is matched by its names


def test_words_that_are_only_listed_phrases_keep_their_listed_reading(report_engine):
    # written for this test: 镁产业产值 is 产业 and 产值 as listed; whatever indicator their words are
    # near by meaning, 产值 stays asked (an English page's "output value" answers it)
    m = meant(report_engine, "岫岩2024年镁产业产值是多少？")
    assert "output_value" not in m.subsumed, (m.strengths, m.subsumed)
    # ...while a listed phrase inside words of their own is still part of what they mean
    assert "gdp" in meant(report_engine, "How much did Hunan put into R&D as a proportion of GDP in 2024?").subsumed
