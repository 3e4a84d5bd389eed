"""Questions in everyday words rather than the reports' terms (issue 13): the kind of figure
asked for is read from the words a user writes, on the real bundled encoder and a real index.

- a growth word inside a listed name still asks for growth (经济增长 is a GDP name, and
  "经济增长的目标" asks for GDP's growth target, not its amount);
- "grow" with an object ("how much tea ... grow") is what is produced, not a growth rate;
- a vocabulary name found across two words (通航 in 小三通|航线) is not what the question names;
- a rate asked for (税率降到多少) is a percentage."""
from __future__ import annotations

import pytest

from retrieval.ask.query import analyse

@pytest.mark.parametrize("question, needle", [
    # Before: "grow" made both growth questions; Heilongjiang's sentence on grain yields per mu
    # and Henan's on high-yield demonstration areas were quoted first
    ("How much grain did Heilongjiang's farmers grow last year?", "1600亿斤"),
    ("How much grain does Henan's government plan to grow this year?", "粮食"),
])
def test_grain_grown_is_answered_with_the_output_sentence(corpus_engine, question, needle):
    answer = corpus_engine.ask(question)
    assert answer.answered and needle in answer.quotes[0].text, [q.text[:80] for q in answer.quotes]


@pytest.mark.parametrize("question, kind", [
    ("How much rice does Hunan grow each year?", "amount"),
    ("How much will Hunan's GDP grow this year?", "growth"),
    ("How much did grain output grow last year?", "growth"),
    ("How many tonnes of grain did Henan grow?", "count"),
    ("湖南今年经济增速是多少？", "growth"),
    ("湖南增加值是多少？", "amount"),
    ("个人所得税税率降到多少？", "share"),
    ("湖南增长率是多少？", "growth"),
])
def test_answer_kind_from_everyday_words(question, kind):
    assert analyse(question).answer_kind == kind


def test_a_name_across_two_words_is_not_read():
    # 通航 (general aviation) straddles 小三通|航线; 通航机场 names it as a word
    assert "general_aviation" not in {t.id for t in analyse("小三通航线去年运了多少人？").metric_terms}
    assert "general_aviation" in {t.id for t in analyse("通航机场有多少个？").metric_terms}
