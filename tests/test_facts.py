"""Figure facts read from document structure: sections, target lists, places, relative years."""
from __future__ import annotations

import pytest

from retrieval.facts import NATIONAL, extract_facts
from retrieval.types import Document
from tests.conftest import CORPUS

PROVINCIAL = """2025年四川省政府工作报告

各位代表：

2024年工作回顾

过去一年，全省地区生产总值增长5.7%，经济总量达到64697亿元。成都市地区生产总值增长6.5%，绵阳、宜宾分别增长6.1%、7.2%。规模以上工业增加值增长6.6%，年主营业务收入2000万元及以上的工业企业达到1.8万家。单位地区生产总值能耗预计下降3.2%。

2025年工作安排建议

今年发展主要预期目标是：地区生产总值增长5.5%以上；城镇新增就业85万人；城镇调查失业率5.5%左右；居民消费价格涨幅2%左右。
全年实施亿元以上项目1.6万个，力争“十四五”期间累计新增高标准农田1000万亩。2024年全省粮食产量达到719亿斤。
"""


def doc(text: str, title: str, date: str | None, path: str = "/tmp/x.txt", main: str | None = None) -> Document:
    return Document(doc_id="d1", text=text, title=title, path=path, content_hash="h", date=date, main_region=main)


class ByFigure(dict):
    """Facts by figure text; a key also finds a figure written with a qualifier ("Over 36 billion yuan")."""

    def __missing__(self, key):
        hits = [f for k, f in self.items() if k.endswith(key) or k.startswith(key + " ")]
        if not hits:
            raise KeyError(key)
        return hits[0]


def facts_by_figure(d: Document) -> dict:
    out = ByFigure()
    for f in extract_facts(d):
        assert d.text[f.start:f.end] == f.figure  # offsets are exact
        out.setdefault(f.figure, f)
    return out


@pytest.fixture(scope="module")
def sichuan():
    return facts_by_figure(doc(PROVINCIAL, "2025年四川省政府工作报告", "2025-01-20", main="510000"))


def test_every_clause_of_a_target_list_is_a_target(sichuan):
    for fig in ("5.5%以上", "85万人", "5.5%左右", "2%左右"):
        f = sichuan[fig]
        assert (f.kind, f.period, f.region_id) == ("target", "2025", "510000"), fig
    assert sichuan["85万人"].measure == "count"
    assert sichuan["5.5%左右"].measure == "share"  # an unemployment rate
    assert sichuan["5.5%以上"].indicator_id == "gdp"


def test_review_section_figures_are_last_years_results(sichuan):
    for fig in ("5.7%", "64697亿元", "6.6%"):
        assert (sichuan[fig].kind, sichuan[fig].period) == ("achieved", "2024"), fig
    assert sichuan["64697亿元"].measure == "level" and sichuan["5.7%"].measure == "growth"
    assert sichuan["3.2%"].kind == "forecast"  # 预计: an estimate, not yet a result


def test_plan_section_keeps_earlier_years_as_results(sichuan):
    assert (sichuan["719亿斤"].kind, sichuan["719亿斤"].period) == ("achieved", "2024")
    assert (sichuan["1.6万个"].kind, sichuan["1.6万个"].period) == ("target", "2025")


def test_five_year_totals_span_the_plan(sichuan):
    f = sichuan["1000万亩"]
    assert (f.kind, f.period) == ("target", "2021-2025")


def test_thresholds_are_other(sichuan):
    assert sichuan["2000万元"].kind == "other" and sichuan["2000万元"].measure == "other"
    assert sichuan["1.8万家"].kind == "achieved"  # the count the threshold qualifies is still a result


def test_cities_inside_a_provincial_report_get_their_own_figures(sichuan):
    assert sichuan["6.5%"].region_id == "510100"  # 成都市
    assert sichuan["6.1%"].region_id == "510700"  # 绵阳: first of the 分别 list
    assert sichuan["7.2%"].region_id == "511500"  # 宜宾: second
    assert sichuan["5.7%"].region_id == "510000"


def test_a_new_area_inside_a_city_article():
    text = ("Nanjing pushes industry\n\n南京江北新区召开动员大会。2023年，江北新区实现营收超5000亿元，地区生产总值增长5.1%。"
            "今年，江北新区力争完成固定资产投资700亿元。南京全市地区生产总值增长4.6%。")
    fs = facts_by_figure(doc(text, "Nanjing pushes industry", "2024-02-20", main="320100"))
    assert fs["5.1%"].region_id == "320100-jbxq" and fs["5.1%"].period == "2023" and fs["5.1%"].kind == "achieved"
    assert (fs["700亿元"].region_id, fs["700亿元"].kind, fs["700亿元"].period) == ("320100-jbxq", "target", "2024")
    assert fs["4.6%"].region_id == "320100"


def test_relative_years_follow_the_publication_date():
    text = ("Qinhuai speeds up\n\nLast year, the financial industry achieved a revenue of 115 billion yuan, up 12% year on year. "
            "Over 36 billion yuan of fixed asset investment was completed in the whole year. "
            "This year, the district will strive to add 100 new projects.")
    fs = facts_by_figure(doc(text, "Qinhuai speeds up", "2024-02-21", main="320104"))
    assert (fs["115 billion yuan"].period, fs["115 billion yuan"].kind) == ("2023", "achieved")
    assert fs["36 billion yuan"].period == "2023"  # a whole year's result in February is last year's
    assert (fs["100"].period, fs["100"].kind) == ("2024", "target")


def test_the_year_before_last_is_two_years_back_but_not_inside_other_words():
    fs = facts_by_figure(doc("神木能源快讯\n\n前年，全市原煤产量达到4.1亿吨。", "神木能源快讯", "2025-02-10"))
    assert fs["4.1亿吨"].period == "2023"
    fs = facts_by_figure(doc("神木能源快讯\n\n全市提前年底建成充电桩1200个。", "神木能源快讯", "2025-02-10"))
    assert fs["1200个"].period != "2023"  # 提前|年底: no 前年


def test_an_undated_plan_s_section_year_dates_its_later_results():
    # written for this test: an undated county plan, its review opened by the year it reviews
    text = ("为推动产业发展，制定本行动计划。\n\n一、发展基础\n\n2024年，全县实现规上工业总产值512亿元。\n\n"
            "纺织产业产值达到133亿元；机械产业产值96亿元。\n\n二、主要目标\n\n力争新增企业30家。\n")
    fs = facts_by_figure(doc(text, "某某县产业发展三年行动计划（2025—2027年）", None))
    assert fs["512亿元"].period == "2024"
    assert (fs["133亿元"].period, fs["96亿元"].period) == ("2024", "2024")  # unknown before
    assert fs["30家"].period != "2024"  # another section, a target


def test_national_report_of_year_y_reviews_y_minus_1():
    text = ("各位代表：\n\n一、2023年工作回顾\n\n城镇新增就业1244万人，城镇调查失业率平均为5.2%。广东省地区生产总值增长4.8%。\n\n"
            "二、2024年经济社会发展总体要求和政策取向\n\n经济增长预期目标为5%左右。\n")
    fs = facts_by_figure(doc(text, "2024年中华人民共和国国务院政府工作报告", "2024-03-05", path="/c/national.jsonl#3"))
    assert (fs["1244万人"].kind, fs["1244万人"].period, fs["1244万人"].region_id) == ("achieved", "2023", NATIONAL["id"])
    assert fs["4.8%"].region_id == "440000"  # a province as the clause's subject
    assert (fs["5%左右"].kind, fs["5%左右"].period) == ("target", "2024")


def test_old_national_report_years_in_chinese_numerals_and_five_year_reviews():
    text = ("各位代表：\n\n一、 过去五年工作回顾\n\n全国财政用于文化体育事业支出五年累计3104亿元。"
            "国营商业所占的比重，由一九五二年的百分之六十三上升到一九五四年的百分之八十九。\n")
    fs = facts_by_figure(doc(text, "2008年中华人民共和国国务院政府工作报告", None, path="/c/national.jsonl#34"))
    assert fs["3104亿元"].period == "2003-2007" and fs["3104亿元"].kind == "achieved"
    assert fs["百分之六十三"].period == "1952" and fs["百分之八十九"].period == "1954"


def test_a_heading_year_in_chinese_numerals_is_not_a_five_year_plan():
    # 一九五八年 holds the characters 九五 (the Ninth Five-Year Plan, 1996-2000): the section's
    # targets are 1958's, as the heading says
    text = ("各位代表：\n\n（三）一九五八年国民经济各部门发展计划的安排\n\n"
            "在工业建设项目中，属于中央各部的是五百六十七个，属于地方的是一百四十九个。\n")
    fs = facts_by_figure(doc(text, "1958年中华人民共和国国务院政府工作报告", None, path="/c/national.jsonl#60"))
    assert fs["五百六十七个"].period == "1958" and fs["一百四十九个"].period == "1958"


def test_glossary_figures_are_definitions():
    text = "2025年云南省政府工作报告\n\n一、2024年工作回顾\n\n新增就业30万人。\n\n名词解释\n\n1.“1+1+N”体系：1个管理运营机构、1个省级运营平台公司。\n"
    fs = extract_facts(doc(text, "2025年云南省政府工作报告", "2025-01-18", main="530000"))
    gloss = [f for f in fs if f.start > text.index("名词解释")]
    assert gloss and all(f.kind == "other" and f.period == "unknown" for f in gloss)


needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}")


@needs_corpus
def test_real_reports_sichuan_jobs_target_and_tibet_review():
    from retrieval.ingest.documents import load_file

    base = CORPUS / "gov-work-reports-2025"
    sc = extract_facts(load_file(base / "2025年四川省政府工作报告.docx")[0][0])
    jobs = [f for f in sc if f.figure.startswith("85万人")]
    assert jobs and all(f.kind == "target" and f.period == "2025" for f in jobs)
    xz = load_file(base / "2025年西藏政府工作报告.docx")[0][0]
    review_end = xz.text.index("2025年工作安排")
    review = [f for f in extract_facts(xz) if f.start < review_end and f.start > xz.text.index("2024年工作回顾")]
    assert review and sum(f.kind == "target" for f in review) <= len(review) * 0.05


@needs_corpus
def test_held_out_labels_meet_the_bar():
    import json

    from scripts.eval_facts import LABELS, evaluate

    rows = [json.loads(x) for x in LABELS.read_text(encoding="utf-8").splitlines() if x.strip()]
    stats, _ = evaluate(CORPUS, [r for r in rows if r["split"] == "report"])
    st = stats["report"]
    assert st["n"] >= 100 and st["found"] / st["n"] >= 0.95
    for field in ("kind", "period", "region"):
        assert st[field] / st["found"] >= 0.95, field


# -- stored in the index generation -------------------------------------------------------------
REPORT_V1 = "2025年江苏省政府工作报告\n\n各位代表：现在，我代表江苏省人民政府，向大会报告工作。\n\n一、2024年工作回顾\n\n全省地区生产总值增长5.8%，江苏经济总量保持全国第二。\n\n二、2025年工作安排\n\n今年经济社会发展主要预期目标是：地区生产总值增长5%以上；城镇新增就业120万人以上。\n"
ARTICLE = "江北新区召开动员大会\n\n2024-02-20 来源：新华日报\n\n2023年，江北新区地区生产总值增长5.1%。今年，新区力争完成固定资产投资700亿元。\n"


def _facts_of(index_dir) -> dict[str, list[tuple]]:
    from retrieval.store.index import Index

    idx = Index.open(index_dir)
    out: dict[str, list[tuple]] = {}
    for f in idx.facts():
        out.setdefault(idx.document(f.doc_id).title, []).append((f.figure, f.kind, f.period, f.region_id, f.start))
    idx.close()
    return out


def test_facts_live_in_the_generation_and_follow_their_document(tmp_path, encoder):
    from retrieval.ingest.run import ingest

    corpus, index_dir = tmp_path / "c", tmp_path / "idx"
    corpus.mkdir()
    (corpus / "2025年江苏省政府工作报告.txt").write_text(REPORT_V1, encoding="utf-8")
    (corpus / "jiangbei.txt").write_text(ARTICLE, encoding="utf-8")
    ingest([corpus], index_dir, encoder=encoder)
    first = _facts_of(index_dir)
    report = first["2025年江苏省政府工作报告"]
    assert ("5.8%", "achieved", "2024", "320000", report[0][4]) in report
    assert any(f[0] == "120万人以上" and f[1:3] == ("target", "2025") for f in report)
    assert any(f[0] == "700亿元" and f[1:4] == ("target", "2024", "320100-jbxq") for f in first["江北新区召开动员大会"])

    # an edited report gets new facts; the unchanged article keeps its own, untouched
    (corpus / "2025年江苏省政府工作报告.txt").write_text(REPORT_V1.replace("5.8%", "6.1%"), encoding="utf-8")
    r = ingest([corpus], index_dir, encoder=encoder)
    assert (r.updated, r.unchanged) == (1, 1)
    second = _facts_of(index_dir)
    assert second["江北新区召开动员大会"] == first["江北新区召开动员大会"]
    figs = [f[0] for f in second["2025年江苏省政府工作报告"]]
    assert "6.1%" in figs and "5.8%" not in figs


def test_an_index_built_before_facts_gets_them_on_the_next_ingest(tmp_path, encoder):
    import sqlite3

    from retrieval.ingest.run import ingest
    from retrieval.store.index import read_manifest

    corpus, index_dir = tmp_path / "c", tmp_path / "idx"
    corpus.mkdir()
    (corpus / "jiangbei.txt").write_text(ARTICLE, encoding="utf-8")
    ingest([corpus], index_dir, encoder=encoder)
    # what an older planbot wrote: the same generation without the facts tables (checksums redone)
    gen = index_dir / read_manifest(index_dir)["generation"]
    db = sqlite3.connect(gen / "chunks.sqlite")
    db.executescript("DROP TABLE facts; DROP TABLE fact_docs;")
    db.commit()
    db.close()
    from retrieval.store.index import MANIFEST, _file_entries

    manifest = read_manifest(index_dir)
    manifest["files"] = _file_entries(gen)
    (index_dir / MANIFEST).write_text(__import__("json").dumps(manifest), encoding="utf-8")
    assert _facts_of(index_dir) == {}
    r = ingest([corpus], index_dir, encoder=encoder)
    assert r.unchanged == 1 and r.chunks_embedded == 0  # nothing re-embedded
    assert any(f[0] == "700亿元" for f in _facts_of(index_dir)["江北新区召开动员大会"])


def test_an_edited_vocabulary_re_reads_facts_on_the_next_ingest(tmp_path, encoder, monkeypatch):
    """Facts' indicator ids come from the vocabulary: after a vocabulary edit the next plain
    ingest re-reads every document's facts (no embedding), as after an extractor upgrade; an
    ingest with nothing changed commits nothing."""
    import shutil

    from retrieval.facts import store as fact_store
    from retrieval.ingest.run import ingest

    vocab = tmp_path / "vocab.tsv"
    shutil.copyfile(fact_store.VOCAB_PATH, vocab)
    monkeypatch.setattr(fact_store, "DATA_FILES", (vocab,))  # this install's vocabulary file
    corpus, index_dir = tmp_path / "c", tmp_path / "idx"
    corpus.mkdir()
    (corpus / "jiangbei.txt").write_text(ARTICLE, encoding="utf-8")
    ingest([corpus], index_dir, encoder=encoder)
    assert not ingest([corpus], index_dir, encoder=encoder).committed
    with vocab.open("a", encoding="utf-8") as fh:
        fh.write("# an added line\n")
    r = ingest([corpus], index_dir, encoder=encoder)
    assert r.committed and r.unchanged == 1 and r.chunks_embedded == 0
    assert any(f[0] == "700亿元" for f in _facts_of(index_dir)["江北新区召开动员大会"])
    assert not ingest([corpus], index_dir, encoder=encoder).committed


def test_a_national_report_naming_taiwan_once_is_not_about_taiwan():
    from retrieval.knowledge.regions import load_gazetteer

    text = "各位代表：\n\n全国粮食产量达到6000亿斤，工业总产值增长8%。我们一定要解放台湾，完成祖国统一大业。\n" + "要继续调整国民经济，发展农业和轻工业。\n" * 100
    main, _ = load_gazetteer().tag("1979年政府工作报告", text)
    assert main is None


# -- answers ------------------------------------------------------------------------------------
def test_answer_figures_carry_their_facts_and_a_year_the_sources_lack_is_said(small_engine):
    ans = small_engine.ask("What fixed-asset investment is Jiangbei New Area aiming for in 2024?")
    assert ans.answered
    figs = {f.text: f for q in ans.quotes for f in q.figures}
    fia = next(f for t, f in figs.items() if t.endswith("700亿元"))
    assert (fia.kind, fia.period) == ("target", "2024")  # from the stored fact
    # the sources hold only the 2024 target: asked for 2023, the answer says so plainly (issue 13)
    ans = small_engine.ask("What fixed-asset investment did Jiangbei New Area complete in 2023?")
    assert not ans.answered
    assert "no fixed-asset investment figure for 2023" in ans.declined_because and "2024" in ans.declined_because


def test_an_undated_article_saying_last_year_has_no_period():
    fs = facts_by_figure(doc("museum\n\nThe city museum received 860,000 visits last year.", "museum", None))
    assert fs["860,000"].period == "unknown" and fs["860,000"].kind == "achieved"


def test_a_change_against_an_earlier_base_spans_the_years_between():
    # a user asking for 2007's growth must not be told 65.5%: that is growth over five years
    text = ("各位代表：\n\n一、过去五年工作回顾\n\n2007年，国内生产总值达到24.66万亿元，比2002年增长65.5%，年均增长10.6%。"
            "2006年，全国粮食产量比2005年增长2.9%。\n")
    fs = facts_by_figure(doc(text, "2008年中华人民共和国国务院政府工作报告", None, path="/c/national.jsonl#34"))
    assert (fs["24.66万亿元"].period, fs["65.5%"].period, fs["10.6%"].period) == ("2007", "2003-2007", "2003-2007")
    assert fs["65.5%"].indicator_id == "gdp"  # "比2002年增长" names no subject: the clause before's
    assert fs["2.9%"].period == "2006"  # against the year before: that year's own growth
    old = facts_by_figure(doc("各位代表：\n\n一九五九年的产量达到五百零二万吨，比一九五七年的三百一十二万吨增加了一百九十万吨。\n",
                              "1960年国务院政府工作报告", None, path="/c/national.jsonl#60"))
    assert old["五百零二万吨"].period == "1959" and old["三百一十二万吨"].period == "1957"  # the base's own level
    assert old["一百九十万吨"].period == "1958-1959"
    en = facts_by_figure(doc("Review\n\nIn 2007, GDP rose 65.5% over 2002. In 2006, exports grew 7% over 2005.\n",
                             "Annual review", "2008-03-01"))
    assert (en["65.5%"].period, en["7%"].period) == ("2003-2007", "2006")


def test_the_year_befores_level_said_relatively_is_that_years():
    # a user asking for 2023's output must get 273, and 2024's must not be told 273
    text = ("各位代表：\n\n一、2024年工作回顾\n\n全县花木产业综合产值达到296亿元，比上年的273亿元增长8.4%。\n")
    fs = facts_by_figure(doc(text, "鄢陵县2025年政府工作报告", "2025-01-10"))
    assert (fs["296亿元"].period, fs["273亿元"].period, fs["8.4%"].period) == ("2024", "2023", "2024")
    assert fs["273亿元"].kind == "achieved"


def test_last_year_as_a_comparison_base_does_not_make_a_plan_a_result():
    text = ("各位代表：\n\n一、2018年工作回顾\n\n国内生产总值增长6.6%。\n\n二、2019年经济社会发展总体要求和政策取向\n\n"
            "今年拟安排地方政府专项债券2.15万亿元，比去年增加8000亿元。去年新增减税降费1.3万亿元。\n")
    fs = facts_by_figure(doc(text, "2019年中华人民共和国国务院政府工作报告", "2019-03-05", path="/c/national.jsonl#12"))
    assert (fs["2.15万亿元"].kind, fs["8000亿元"].kind) == ("target", "target")  # the planned increase
    assert fs["1.3万亿元"].kind == "achieved"  # 去年 as the figure's own time is still a result


def test_the_deficit_ratio_and_the_deficit_are_two_indicators():
    # "deficit-to-GDP ratio: 5.66 trillion yuan" would be a wrong label for a right number
    text = ("各位代表：\n\n二、2025年经济社会发展总体要求和政策取向\n\n"
            "赤字率拟按4%左右安排、比上年提高1个百分点，赤字规模5.66万亿元，比上年增加1.6万亿元。\n")
    fs = facts_by_figure(doc(text, "2025年中华人民共和国国务院政府工作报告", "2025-03-05", path="/c/national.jsonl#0"))
    assert (fs["4%左右"].indicator_id, fs["4%左右"].measure) == ("deficit_ratio", "share")
    assert fs["5.66万亿元"].indicator_id == fs["1.6万亿元"].indicator_id == "deficit"


def test_from_a_years_figure_to_the_figure_now():
    text = ("各位代表：\n\n二、2015年经济社会发展总体要求和政策取向\n\n"
            "今年拟安排财政赤字1.62万亿元，赤字率从去年的2.1%提高到2.3%。\n")
    fs = facts_by_figure(doc(text, "2015年中华人民共和国国务院政府工作报告", "2015-03-05", path="/c/national.jsonl#20"))
    assert (fs["2.1%"].period, fs["2.1%"].kind) == ("2014", "achieved")
    assert (fs["2.3%"].period, fs["2.3%"].kind) == ("2015", "target")  # not last year's: it is where it goes
    old = facts_by_figure(doc("各位代表：\n\n在一九七一年到一九八○年的十年间，工业企业由一九七○年的十九万五千多个增加到三十七万七千多个。\n",
                              "1982年国务院政府工作报告", None, path="/c/national.jsonl#57"))
    assert old["十九万五千多个"].period == "1970" and old["三十七万七千多个"].period == "1971-1980"


def test_a_ratio_named_by_its_parts_is_the_ratio():
    # written for this test: 相当于 names a share's base as 占 does, and R&D spending over GDP is R&D intensity
    text = ("2025年某市政府工作报告\n\n今年主要预期目标是：全市生产总值增长5.5%左右，全社会研发经费支出相当于"
            "全市生产总值的比例达到3.6%左右。\n")
    f = facts_by_figure(doc(text, "2025年某市政府工作报告", "2025-01-20"))
    assert (f["3.6%左右"].indicator_id, f["3.6%左右"].measure) == ("rd_intensity", "share")
    assert f["5.5%左右"].indicator_id == "gdp"


def test_a_traditional_document_is_read_by_the_same_cues():
    # written for this test: 分別為 carries the subject of the clause before, as 分别为 does
    text = "2024年，全市茶葉產業綜合產值達到82.4億元；2023年和2022年分別為70.1億元、61.5億元。\n"
    f = facts_by_figure(doc(text, "某市茶葉產業去年產值82.4億元", "2025-02-01"))
    assert [(f[x].indicator_id, f[x].period) for x in ("70.1億元", "61.5億元")] == [("output_value", "2023"),
                                                                                  ("output_value", "2022")]
    assert f["70.1億元"].sentence in text and f["70.1億元"].indicator_text == "產值"  # as written
