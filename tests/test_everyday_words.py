"""Questions in everyday words rather than the reports' terms (issue 13): the kind of figure
asked for is read from the words a user writes, on the real bundled encoder and a real index.

- a growth word inside a listed name still asks for growth (经济增长 is a GDP name, and
  "经济增长的目标" asks for GDP's growth target, not its amount);
- "grow" with an object ("how much tea ... grow") is what is produced, not a growth rate;
- a vocabulary name found across two words (通航 in 小三通|航线) is not what the question names;
- a rate asked for (税率是多少) is a percentage."""
from __future__ import annotations

import shutil

import pytest

from retrieval.ask.query import analyse
from tests.conftest import CORPUS

REPORTS = CORPUS / "gov-work-reports-2025"

@pytest.fixture(scope="module")
def grain_engine(tmp_path_factory, encoder):
    """A real index of two of the corpus's provincial reports, the grain provinces Heilongjiang
    and Henan (the whole corpus is a `slow` fixture)."""
    from retrieval.engine import Engine
    from retrieval.ingest.run import ingest

    names = ["2025年黑龙江省政府工作报告.docx", "2025年河南省政府工作报告.docx"]
    if not all((REPORTS / n).exists() for n in names):
        pytest.skip(f"shared corpus not found at {REPORTS}")
    root = tmp_path_factory.mktemp("grain-docs")
    for n in names:
        shutil.copy(REPORTS / n, root / n)
    index_dir = tmp_path_factory.mktemp("grain-index")
    ingest([root], index_dir, encoder=encoder)
    return Engine(index_dir, encoder=encoder)


@pytest.mark.parametrize("question, needle", [
    # Before: "grow" made both growth questions, and a sentence on grain yields per mu
    # (Heilongjiang) or on high-yield demonstration areas (Henan) was quoted first
    ("How much grain did Heilongjiang's farmers grow last year?", "1600亿斤"),
    ("How much grain does Henan's government plan to grow this year?", "1300亿斤以上"),
])
def test_grain_grown_is_answered_with_the_output_sentence(grain_engine, question, needle):
    answer = grain_engine.ask(question)
    assert answer.answered and needle in answer.quotes[0].text, [q.text[:80] for q in answer.quotes]


@pytest.mark.parametrize("question, kind", [
    ("How much rice does Hunan grow each year?", "amount"),
    ("How much will Hunan's GDP grow this year?", "growth"),
    ("How much did grain output grow last year?", "growth"),
    ("How many tonnes of grain did Henan grow?", "count"),
    ("湖南明年经济增长预计多少？", "growth"),
    ("湖南增加值是多少？", "amount"),
    ("企业所得税的优惠税率是多少？", "share"),
    ("湖南增长率是多少？", "growth"),
])
def test_answer_kind_from_everyday_words(question, kind):
    assert analyse(question).answer_kind == kind


def test_a_name_across_two_words_is_not_read():
    # 通航 (general aviation) straddles 小三通|航线; 通航机场 names it as a word
    assert "general_aviation" not in {t.id for t in analyse("小三通航线去年运了多少人？").metric_terms}
    assert "general_aviation" in {t.id for t in analyse("通航机场有多少个？").metric_terms}
