"""English news pages and undated Chinese plans: what a figure measures and when it holds.

English names a quantity after its amount ("190 million tonnes of raw coal"), puts a compared
figure's year after it ("…compared with 20 percent in 2021"), ends sentences on figures ("…in
2023. The county…") and opens a paragraph with the year its results are of. A Chinese action plan
is often dated only by its signature (…管理委员会 / 2025年3月), which is what "last year" is read
against. A real index of two documents written for these tests (not real statistics), the real
bundled model."""
from __future__ import annotations

import pytest

from retrieval.facts import extract_facts
from retrieval.ingest.documents import load_file
from retrieval.types import Document
from tests.conftest import engine_over

FUGU = """<html><head><title>Fugu expands coal chemicals</title>
<meta name="PubDate" content="2025-02-11"></head><body>
<nav>Home | News | Invest</nav>
<article><h1>Fugu expands coal chemicals</h1>
<p>Fugu, a county in northern Shaanxi, is turning more of its coal into chemicals, officials said on Tuesday.</p>
<p>In 2024, Fugu produced 190 million tonnes of raw coal, up 3.0 percent year-on-year, and its GDP reached 120.5 billion yuan, an increase of 6.1 percent. The share of coal turned into chemicals locally rose to 28 percent, compared with 20 percent in 2021.</p>
<p>The output value of coal chemicals reached 30.2 billion yuan last year, up from 26.0 billion yuan in 2023. The county turned out 3.1 million tonnes of methanol.</p>
<p>The county now runs about 420 hydrogen-fuelled heavy trucks and six refuelling stations.</p>
<p>For 2025, Fugu aims for GDP growth of around 6 percent and will keep raw coal output stable at about 195 million tonnes.</p>
</article><footer>Copyright Fugu County</footer></body></html>
"""

PLAN = """某某经济技术开发区产业发展三年行动计划（2025—2027年）

为推动开发区产业高质量发展，制定本行动计划。

一、发展基础

2024年，开发区实现规模工业总产值842亿元，同比增长6.6%。

二、主要目标

到2025年，规模工业总产值力争达到900亿元；到2027年，突破1100亿元。

某某经济技术开发区管理委员会

2025年3月
"""


def facts_of(text: str, title: str, date: str | None) -> dict:
    doc = Document(doc_id="t", text=text, title=title, path="t.txt", content_hash="", lang="en", date=date)
    return {f.figure: f for f in extract_facts(doc)}


def test_an_english_amount_is_of_the_noun_after_it_and_its_growth_too():
    text = ("In 2024, Fugu produced 190 million tonnes of raw coal, up 3.0 percent year-on-year, and its GDP reached "
            "120.5 billion yuan, an increase of 6.1 percent. The county turned out 3.1 million tonnes of methanol "
            "and about 420 hydrogen-fuelled heavy trucks.")
    fs = facts_of(text, "Fugu expands coal chemicals", "2025-02-11")
    assert fs["190 million tonnes"].indicator_text == "raw coal"
    assert fs["3.0 percent"].indicator_text == "raw coal"  # the growth of what the amount before named
    assert fs["120.5 billion yuan"].indicator_id == "gdp" and fs["6.1 percent"].indicator_id == "gdp"
    assert fs["3.1 million tonnes"].indicator_text == "methanol"
    assert fs["about 420"].indicator_text == "hydrogen-fuelled heavy trucks"  # a count names what it counts after it


def test_a_figure_after_another_indicator_s_figure_names_its_own_quantity():
    text = "For 2025, Fugu aims for GDP growth of around 6 percent and will keep raw coal output stable at about 195 million tonnes."
    fs = facts_of(text, "Fugu expands coal chemicals", "2025-02-11")
    assert fs["around 6 percent"].indicator_id == "gdp"
    assert fs["about 195 million tonnes"].indicator_id != "gdp"
    assert "raw coal output" in fs["about 195 million tonnes"].indicator_text


def test_a_compared_figure_s_year_follows_it_and_a_paragraph_s_opening_year_dates_its_results():
    text = ("Fugu expands coal chemicals\n\nIn 2024, Fugu produced 190 million tonnes of raw coal. The share of coal "
            "turned into chemicals locally rose to 28 percent, compared with 20 percent in 2021.\n\n"
            "The output value of coal chemicals reached 30.2 billion yuan last year, up from 26.0 billion yuan in 2023.")
    fs = facts_of(text, "Fugu expands coal chemicals", "2025-02-11")
    assert fs["20 percent"].period == "2021"
    assert fs["28 percent"].period == "2024"  # not 2021 (the compared figure's), but the paragraph's opening year
    assert fs["28 percent"].indicator_text == fs["20 percent"].indicator_text  # both the share of coal turned into chemicals
    assert fs["30.2 billion yuan"].period == "2024" and fs["26.0 billion yuan"].period == "2023"


def test_an_english_sentence_ends_after_a_year_and_the_facts_keep_to_it():
    text = ("Fugu expands coal chemicals\n\nThe output value reached 30.2 billion yuan, up from 26.0 billion yuan in 2023. "
            "The county turned out 3.1 million tonnes of methanol.")
    fs = facts_of(text, "Fugu expands coal chemicals", "2025-02-11")
    assert fs["3.1 million tonnes"].sentence == "The county turned out 3.1 million tonnes of methanol."
    assert fs["3.1 million tonnes"].period != "2023"


def test_a_plan_signed_with_a_month_is_dated_by_it(tmp_path):
    (tmp_path / "plan.txt").write_text(PLAN, encoding="utf-8")
    (doc,), skipped = load_file(tmp_path / "plan.txt")
    assert doc.date == "2025-03" and not skipped
    # a month-only date on its own, with no issuing body above it, dates nothing
    (tmp_path / "note.txt").write_text(PLAN.replace("某某经济技术开发区管理委员会\n\n", ""), encoding="utf-8")
    (doc,), _ = load_file(tmp_path / "note.txt")
    assert doc.date is None


@pytest.fixture(scope="module")
def engine(tmp_path_factory, encoder):
    return engine_over(tmp_path_factory, encoder, {"fugu-coal.html": FUGU, "zone-plan.txt": PLAN}, "english-pages")


def test_a_chinese_question_on_an_english_page_gets_the_amount_of_what_it_names(engine):
    # 煤: a one-character noun, bridged to "coal"; the raw-coal sentence, not the coal-chemicals one
    # (quoted, not always first: the coal-chemicals sentence says "last year" as the question does)
    ans = engine.ask("府谷县去年出了多少煤？")
    coal = [q for q in ans.quotes if "190 million tonnes of raw coal" in q.text]
    assert ans.answered and coal, [q.text for q in ans.quotes]
    assert {f.text: f.period for f in coal[0].figures}["190 million tonnes"] == "2024"
    assert not any(q.text.endswith("The county turned out 3.1 million tonnes of methanol.") for q in ans.quotes)



def test_a_share_stated_after_a_paragraph_s_year_answers_for_that_year(engine):
    ans = engine.ask("What share of its coal did Fugu turn into chemicals locally in 2024?")
    assert ans.answered and "28 percent" in ans.quotes[0].text, [q.text for q in ans.quotes]
    labels = {f.text: f.period for f in ans.quotes[0].figures}
    assert labels.get("28 percent") == "2024", labels


def test_last_year_in_a_signed_plan_is_the_year_before_its_signature(engine):
    ans = engine.ask("某某经济技术开发区去年规模工业总产值是多少？")
    assert ans.answered and "842亿元" in ans.quotes[0].text, [q.text for q in ans.quotes]


def test_how_much_money_is_not_answered_by_a_count(engine):
    # the trucks sentence matches every word but gives a count, no sum: declined, and it stays as context
    ans = engine.ask("How much money does Fugu spend on its hydrogen-fuelled heavy trucks?")
    assert not ans.answered and "no amount" in (ans.declined_because or ""), (ans.answered, ans.declined_because)
    assert engine.ask("How many hydrogen-fuelled heavy trucks does Fugu run?").answered


# -- Chinese news pieces and plans ------------------------------------------------------------
NEWS = """某某园区2025年工作会议召开

2025-02-12 来源：园区发布

去年：两大产业双双提速

2024年，园区实现规模以上工业产值520亿元，同比增长8.1%。

新材料产业是园区的主导产业。全年新材料产业营业收入达到160亿元，集聚新材料企业180余家，2022年、2023年和2024年分别新增31家、40家和52家。生物医药产业营业收入210亿元，增长10.5%。

今年：力争产值突破600亿元

会议提出，生物医药产业营业收入力争突破250亿元。
"""


def test_a_news_piece_s_last_year_label_dates_its_section_and_years_pair_with_a_respectively_list():
    fs = facts_of(NEWS, "某某园区2025年工作会议召开", "2025-02-12")
    assert fs["210亿元"].period == "2024"  # under "去年：", a result with no time of its own
    assert (fs["突破250亿元"].kind, fs["突破250亿元"].period) == ("target", "2025")  # under "今年："
    assert fs["180余家"].period == "2024"  # "…180余家，2022年…": the comma ends the clause before the years
    assert [fs[x].period for x in ("31家", "40家", "52家")] == ["2022", "2023", "2024"]  # 分别
    assert fs["52家"].indicator_text == fs["31家"].indicator_text != "和"


def test_a_dated_plan_s_review_section_dates_its_results_by_its_opening_year():
    text = PLAN.replace("同比增长6.6%。", "同比增长6.6%。\n\n电子信息产业产值达到300亿元，较2023年的260亿元增长15.4%。")
    fs = facts_of(text, "某某经济技术开发区产业发展三年行动计划（2025—2027年）", "2025-03")
    assert fs["300亿元"].period == "2024" and fs["260亿元"].period == "2023"
    assert (fs["900亿元"].kind, fs["900亿元"].period) == ("target", "2025")  # another section, a target of its own year


def test_of_the_asked_indicator_s_figures_the_asked_year_s_is_the_answer(engine):
    ans = engine.ask("某某经济技术开发区前年规模工业总产值是多少？")  # 2023: the plan holds none
    assert not (ans.answered and "842亿元" in ans.quotes[0].text and not ans.notes), [q.text for q in ans.quotes]


# -- a figure the question's words do not reach -------------------------------------------------
ENERGY = "甘肃能源快讯\n\n2025-02-10 来源：能源简报\n\n" + "\n\n".join(
    [f"第{i}项工作：推进产业园区建设，完善配套设施，优化营商环境，提升服务水平。" for i in range(1, 25)]
    + ["全年新增新能源装机1200万千瓦，原煤产量增长3.1%，外送电量1500亿千瓦时，能源工业增长7%。"])


def test_the_figures_of_the_indicator_nearest_the_question_are_looked_at(tmp_path_factory, encoder):
    from retrieval.ask import pipeline

    eng = engine_over(tmp_path_factory, encoder, {"gansu-energy.txt": ENERGY}, "nearest")
    ctx = pipeline.run(eng.context("How much electricity did Gansu send out to other provinces last year?"), until="analyse")
    assert "power_outbound" in ctx.nearest  # near 外送电量 by meaning, under the threshold: not asked
    pipeline.run(ctx, until="retrieve")
    hits = pipeline.fact_hits(ctx, set())
    assert hits and "外送电量1500亿千瓦时" in hits[0].chunk.text
