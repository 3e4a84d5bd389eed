"""Figures pulled out of real sentences from the corpus (articles, provincial and national reports)."""
from __future__ import annotations

import pytest

from retrieval.knowledge.figures import (
    classify_kind, extract_figures, figure_category, has_figure, parse_number, render_chinese, render_english,
)
from retrieval.types import Figure


def figs(sentence: str, **kw) -> dict[str, Figure]:
    out = extract_figures(sentence, **kw)
    for f in out:  # the contract every caller relies on to highlight and quote
        assert sentence[f.start:f.end] == f.text
    return {f.text: f for f in out}


# --------------------------------------------------------------------------- Traditional Chinese article
JIANGBEI = ("2023年，江北新區三大優勢產業和三大新興產業實現營收超5000億元，國家EDA技術創新中心、高性能膜材料創新中心等"
            "“國”字號創新平臺獲批建設，新增市場主體2.5萬家，新增獨角獸、培育獨角獸數量全市第一，百億級項目及跨國公司總部"
            "項目實現新的突破，地區生產總值增長5.1％，一般公共預算收入增長10%，主要經濟指標位居全市前列。")


def test_traditional_sentence_with_several_figures():
    f = figs(JIANGBEI)
    assert list(f) == ["超5000億元", "2.5萬家", "5.1％", "10%"]  # no 2023年, no 第一, no 三大
    rev = f["超5000億元"]
    assert (rev.value, rev.unit, rev.scale, rev.qualifier) == (5e11, "yuan", "億", "more than")
    assert rev.english == "more than 500 billion yuan" and rev.chinese == "超过5000亿元"
    firms = f["2.5萬家"]
    assert (firms.value, firms.unit, firms.english, firms.chinese) == (25000, "enterprises", "25,000 enterprises", "2.5万家")
    assert f["5.1％"].value == 5.1 and f["5.1％"].unit == "percent" and f["5.1％"].english == "5.1%"
    assert {x.kind for x in f.values()} == {"achieved"}


def test_traditional_target_sentence_takes_noun_and_kind():
    s = ("推進“項目建設”行動，要鎖定奮鬥目標，緊盯已經排定的159個當年實施重大項目，全力推動續建項目加快進度、新建項目盡早開工，"
         "確保項目開工率、全年投資率均100%完成，力爭帶動實現全社會固定資產投資700億元。")
    f = figs(s)
    assert list(f) == ["159個", "100%", "700億元"]
    assert f["159個"].unit == "projects" and f["159個"].english == "159 projects"
    inv = f["700億元"]
    assert (inv.value, inv.english, inv.chinese, inv.kind) == (7e10, "70 billion yuan", "700亿元", "target")


def test_suffix_qualifier_and_measure_word():
    s = "要排定招商活動，舉辦綜合性招商活動5場以上、主導產業專題招商活動10場以上，據實組織境外招商。"
    f = figs(s)
    assert [x.english for x in f.values()] == ["over 5 events", "over 10 events"]
    assert all(x.qualifier == "over" and x.kind == "target" for x in f.values())


# --------------------------------------------------------------------------- English article
def test_english_money_and_percent():
    s = "Last year, the urban industrial output value was 28.7 billion yuan, an increase of 4.9% year on year."
    f = figs(s)
    assert list(f) == ["28.7 billion yuan", "4.9%"]
    out = f["28.7 billion yuan"]
    assert (out.value, out.unit, out.scale, out.chinese, out.kind) == (2.87e10, "yuan", "billion", "287亿元", "achieved")


def test_english_counts_keep_the_counted_noun():
    s = ("Last year, 11 projects worth more than 1 billion yuan were introduced, 23 headquarters enterprises, "
         "and 185 projects worth more than 100 million yuan were signed.")
    f = figs(s)
    assert [x.english for x in f.values()] == [
        "11 projects", "more than 1 billion yuan", "23 headquarters", "185 projects", "more than 100 million yuan"]
    assert f["185 projects"].unit == "projects" and f["185 projects"].chinese == "185个项目"
    assert f["more than 100 million yuan"].value == 1e8 and f["more than 100 million yuan"].chinese == "超过1亿元"

    s = ("Last year, 93 first stores and flagship stores of all kinds were introduced, 214 new consumption scenarios "
         "were added, and the total retail sales of consumer goods increased by 6.5%.")
    f = figs(s)
    assert f["214 new consumption scenarios"].unit == "scenarios"
    assert f["214 new consumption scenarios"].english == "214 new consumption scenarios"
    assert f["6.5%"].value == 6.5

    s = ("For example, around the lithium battery new energy industry, up to now the city has successively introduced "
         "38 industrial chain projects including Shanshan Negative Electrode.")
    assert figs(s)["38 industrial chain projects"].unit == "projects"


def test_english_million_fraction_and_years_skipped():
    s = ("The total number of tourists received by the whole region during the Spring Festival holiday reached 4.8 million, "
         "an increase of 76% and 36% respectively compared with 2019 and 2023.")
    f = figs(s)
    assert list(f) == ["4.8 million", "76%", "36%"]
    assert f["4.8 million"].value == 4.8e6 and f["4.8 million"].chinese == "480万"

    s = "By 2023, we will achieve a total tourism revenue of 86 billion yuan, close to 1/4 of the city's total tourism revenue."
    f = figs(s)
    q = f["close to 1/4"]
    assert (q.value, q.unit, q.qualifier, q.english, q.chinese) == (0.25, "fraction", "nearly", "nearly one quarter", "近四分之一")
    assert f["86 billion yuan"].kind == "target"


def test_english_qualifiers_and_percentage_points():
    f = figs("Over 36 billion yuan of fixed asset investment was completed in the whole year, up 17.9% year on year.")
    assert f["Over 36 billion yuan"].english == "over 36 billion yuan" and f["Over 36 billion yuan"].value == 3.6e10
    s = ("Statistics show that in the first 11 months of this year, the four leading industry clusters made concerted efforts "
         "to achieve an increase in value added of 39.8%, driving the city's growth by 19.2 percentage points, and "
         "contributing 130.4% to the city's growth.")
    pp = figs(s)["19.2 percentage points"]
    assert (pp.value, pp.unit, pp.english, pp.chinese) == (19.2, "percentage points", "19.2 percentage points", "19.2个百分点")
    f = figs("the SAIC Ningde base project was completed in 17 months under the climatic conditions where rainy days "
             "accounted for nearly 60% of the total days.")
    assert f["nearly 60%"].qualifier == "nearly" and f["nearly 60%"].english == "nearly 60%"
    f = figs("By 2024, the operating revenue of the whole manufacturing industry chain will reach more than 700 billion yuan.")
    assert list(f) == ["more than 700 billion yuan"] and f["more than 700 billion yuan"].kind == "target"


def test_hyphenated_and_ranges_in_english():
    assert figs("Cultivating and expanding 10-billion-yuan industrial clusters.")["10-billion-yuan"].value == 1e10
    r = figs("Output grew 3-5% over the past year.")["3-5%"]
    assert (r.value, r.value_high, r.english) == (3, 5, "3–5%")
    r = figs("Investment is expected to rise 5 to 6 percent.")["5 to 6 percent"]
    assert (r.value, r.value_high, r.unit) == (5, 6, "percent")


# --------------------------------------------------------------------------- Simplified reports
def test_range_and_about():
    s = ("今年经济社会发展的主要预期目标是：全省地区生产总值增长5.0%—5.5%，根据实际情况争取更好的结果，固定资产投资增长5%左右，"
         "社会消费品零售总额增长5.5%左右，出口增长3%左右，城镇调查失业率5%左右，居民消费价格涨幅2%左右，"
         "居民收入增长与经济增长保持同步，粮食产量511万吨以上，单位地区生产总值能耗保持下降。")
    f = figs(s)
    r = f["5.0%—5.5%"]
    assert (r.value, r.value_high, r.unit, r.english, r.chinese) == (5.0, 5.5, "percent", "5.0–5.5%", "5.0%—5.5%")
    assert f["5%左右"].english == "about 5%" and f["5%左右"].qualifier == "about"
    grain = f["511万吨以上"]
    assert (grain.value, grain.unit, grain.english) == (5.11e6, "tonnes", "over 5.11 million tonnes")
    assert {x.kind for x in f.values()} == {"target"}


def test_about_four_percent():
    s = ("今年经济社会发展主要预期目标是：地区生产总值增长5%左右、努力争取更好结果，一般公共预算收入增长4%左右，"
         "城镇调查失业率控制在5%以内，居民消费价格涨幅2%左右。")
    f = figs(s)
    assert f["4%左右"].english == "about 4%" and f["4%左右"].value == 4
    assert f["5%以内"].qualifier == "up to"


def test_trillion_years_skipped_and_codes_skipped():
    s = ("一体推动“四个走在前”“四个新”“4+1”等重大任务落实，全省经济运行总体平稳、稳中有进，高质量发展扎实推进，"
         "2024年地区生产总值达13.7万亿元、增长5.8%、增量全国第一，顺利完成全年经济社会发展主要目标任务。")
    f = figs(s, ref_year=2025)
    assert list(f) == ["13.7万亿元", "5.8%"]
    gdp = f["13.7万亿元"]
    assert (gdp.value, gdp.scale, gdp.english, gdp.kind) == (1.37e13, "万亿", "13.7 trillion yuan", "achieved")


def test_people_tonnes_kw_mu_area():
    f = figs("城镇调查失业率平均为5%，城镇新增就业超143万人、超额完成国家下达的110万人年度任务。")
    assert f["超143万人"].english == "more than 1.43 million people" and f["超143万人"].unit == "people"
    assert f["110万人"].value == 1.1e6
    f = figs("全省完成地区生产总值31534亿元、增长3.3%，粮食总产量1993.5万吨、创历史新高。")
    assert f["1993.5万吨"].english == "19.935 million tonnes"
    assert figs("粮食总产量稳定在1955万吨以上。")["1955万吨以上"].english == "over 19.55 million tonnes"
    f = figs("防沙治沙和风电光伏一体化工程建设风电光伏装机2727万千瓦、治沙238万亩。")
    assert (f["2727万千瓦"].unit, f["2727万千瓦"].value) == ("kW", 2.727e7) and f["238万亩"].unit == "mu"
    f = figs("深入推进产业用地行动，盘活处置低效产业用地45平方公里，实施“工业上楼”项目151个。")
    assert f["45平方公里"].english == "45 square kilometres"
    assert f["151个"].unit == "projects"  # the noun comes before the count here


def test_percentage_points_in_chinese_and_chinese_numerals():
    f = figs("环境空气质量优良率达到88.5%、提高0.8个百分点，新增公园141座、累计达到973座。")
    assert f["0.8个百分点"].unit == "percentage points" and f["0.8个百分点"].english == "0.8 percentage points"
    f = figs("国民经济实现了快速增长，国民生产总值比上年增长百分之十二点八。")
    assert f["百分之十二点八"].value == 12.8 and f["百分之十二点八"].english == "12.8%"
    assert figs("零售物价上涨幅度控制在百分之十二以内。")["百分之十二以内"].chinese == "最多12%"
    f = figs("参加叛乱的人只有两万左右，其中多数是被欺骗裹胁参加的。")
    assert f["两万左右"].value == 20000 and f["两万左右"].english == "about 20,000"
    f = figs("发电量由三千亿度增加到四千零七十三亿度。")
    assert f["三千亿度"].value == 3e11 and f["三千亿度"].unit == "kWh"
    assert f["四千零七十三亿度"].value == 4.073e11


def test_full_width_digits_and_separators():
    f = figs("中央预算支出为２３，０４２，４０５，０００元，占国家预算的７４．９５％。")
    assert f["２３，０４２，４０５，０００元"].value == 23042405000
    assert f["７４．９５％"].value == 74.95 and f["７４．９５％"].english == "74.95%"
    assert figs("城镇新增就业1,000人。")["1,000人"].english == "1,000 people"


def test_share_of_the_country():
    s = ("产业发展向新提质，新能源汽车产量增长43%、占全国1/4，工业机器人产量增长31.2%、占全国44%，"
         "智能手机产量增长12.5%、占全国超4成。")
    f = figs(s)
    assert f["1/4"].value == 0.25 and f["1/4"].english == "one quarter"
    assert f["超4成"].value == 40 and f["超4成"].english == "more than 40%"
    assert figure_category(f["44%"], s) == "share"
    assert figure_category(f["43%"], s) == "growth"


# --------------------------------------------------------------------------- not figures
@pytest.mark.parametrize("sentence", [
    "2024-02-21 09:52",
    "Source: Mindong Daily Published: December 26, 2019 09:33 Views: {{pvCount}}",
    "February 16, the city’s industrial innovation and development three year action mobilization conference was held.",
    "歡迎投稿:郵箱724922822@qq.com 客服電話:025-86163400 18061633398",
    "2月19日,南京江北新區召開“服務企業、項目建設、研產貫通、招商引資”四大行動動員大會。",
    "——2025年1月14日自治区人民政府主席王莉霞在内蒙古自治区第十四届人民代表大会第三次会议上的讲话",
    "为“十四五”末建成千座公园城市打下扎实基础，新增独角兽数量全市第一。",
    "The conference closely focused on the \"3610\" goals and tasks determined by the plenary session.",
    "要明確服務機制，組建“1+6”服務專班，完善服務專員等工作機制。",
    "speed up the implementation of the \"4+3+4\" modern service industry action in 2021.",
    "（一）加快建设现代化产业体系；(2) 推进新型工业化。",
    "http://www.jsxww.cn/jsyw/202402/t20240220_3363783.shtml",
    "naked-eye 3D technology and 5G networks, the first of its kind",
    "做好中国人民抗日战争胜利80周年纪念活动服务保障。",
])
def test_not_figures(sentence):
    assert extract_figures(sentence) == []
    assert not has_figure(sentence)


def test_years_in_a_figure_sentence_are_skipped():
    f = figs("Vice Mayor Yu Hongyan delivered a report on the industrial development of the city in 2021, up 12%.")
    assert list(f) == ["12%"]
    assert has_figure("地区生产总值增长5%。")


# --------------------------------------------------------------------------- kind, category, parse
def test_kind_follows_the_nearest_time_phrase():
    s = "去年完成投资100亿元，今年要完成150亿元。"
    f = figs(s)
    assert f["100亿元"].kind == "achieved" and f["150亿元"].kind == "target"
    assert classify_kind("Last year, the financial industry achieved a revenue of 115 billion yuan.") == "achieved"
    assert classify_kind("力争新能源装备制造业产值突破2700亿元。") == "target"
    assert classify_kind("到2027年，全市规上工业总产值达到1万亿元。") == "target"
    assert classify_kind("城镇新增就业1200万人左右，城镇调查失业率5.5%左右。") == "achieved"  # 新增: a weak past cue
    assert classify_kind("新建森林乡村159个。") == "unknown"
    # the report's own year is the plan year
    assert figs("2025年，全市生产总值增长5%。", ref_year=2025)["5%"].kind == "target"
    assert figs("2025年，全市生产总值增长5%。")["5%"].kind == "achieved"


def test_figure_category():
    s = "安排资金130亿元，比上年增加90亿元，占全国比重34.5%，粮食总产量1993.5万吨，新增市场主体2.5万家，增长5.1%。"
    f = figs(s)
    assert figure_category(f["130亿元"]) == "amount"
    assert figure_category(f["90亿元"], s) == "growth"
    assert figure_category(f["34.5%"], s) == "share"
    assert figure_category(f["1993.5万吨"]) == "other"
    assert figure_category(f["2.5万家"]) == "count"
    assert figure_category(f["5.1%"]) == "growth"
    assert figure_category(figs("工业增加值跨过万亿元大关。")["万亿元"], "工业增加值跨过万亿元大关。") == "amount"


@pytest.mark.parametrize("text, value", [
    ("700亿", 7e10), ("700億元", 7e10), ("13.7万亿", 1.37e13), ("三千", 3000), ("两万", 20000), ("兩萬", 20000),
    ("1,000", 1000), ("1，000", 1000), ("１，０００", 1000), ("4.8 million", 4.8e6), ("28.7 billion yuan", 2.87e10),
    ("百分之十二", 12), ("1/4", 0.25), ("超5000億元", 5e11), ("三点五", 3.5), ("千亿", 1e11), ("5.1％", 5.1),
])
def test_parse_number(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "abc", "十四五", "first", "—"])
def test_parse_number_rejects_non_numbers(text):
    assert parse_number(text) is None


def test_render_from_bare_figures():
    assert render_english(Figure("700億元", 7e10, "yuan", scale="億")) == "70 billion yuan"
    assert render_chinese(Figure("28.7 billion yuan", 2.87e10, "yuan", scale="billion")) == "287亿元"
    assert render_english(Figure("1个项目", 1, "projects")) == "1 project"
    assert render_english(Figure("4%左右", 4, "percent", qualifier="about")) == "about 4%"
    assert render_chinese(Figure("4%左右", 4, "percent", qualifier="about")) == "4%左右"
    assert render_chinese(Figure("1/10", 0.1, "fraction")) == "十分之一"


def test_floors_and_ceilings_state_targets():
    jobs = extract_figures("实现城镇新增就业不少于26万人。", ref_year=2025)[0]
    assert (jobs.qualifier, jobs.kind) == ("at least", "target")
    got = {f.text: f.kind for f in extract_figures("城镇调查失业率5.5%以内，居民收入增长不低于5%。", ref_year=2025)}
    assert got == {"5.5%以内": "target", "不低于5%": "target"}
    assert extract_figures("城镇新增就业29.9万人。", ref_year=2025)[0].kind == "achieved"
    # in English only the figure that is itself a floor; the past tense still decides the others
    got = {f.text: f.kind for f in extract_figures("Urban jobs grew by 1.2 million, with at least 300,000 for graduates.", ref_year=2025)}
    assert got == {"1.2 million": "achieved", "at least 300,000": "target"}
    assert extract_figures("The surveyed unemployment rate was kept within 5.5%.", ref_year=2025)[0].kind == "achieved"


def test_plain_chinese_numerals_are_read_as_cn2an_reads_them_without_it():
    """The cold-start reader of plain Chinese numerals (五, 二十八, 一千零五十, 四点五, 六五) gives
    cn2an's value and type for every string of up to four numeral characters it accepts, and
    leaves the rest to cn2an; a question over such figures imports no cn2an."""
    import itertools
    import subprocess
    import sys
    import warnings

    import cn2an

    from retrieval.knowledge.figures import _cn_small

    accepted = 0
    for n in range(1, 5):
        for chars in itertools.product("零一二两三四五六七八九十百千点", repeat=n):
            t = "".join(chars)
            got = _cn_small(t)
            if got is None:
                continue
            accepted += 1
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                want = cn2an.cn2an(t, "smart")
            assert (got, type(got), str(got)) == (want, type(want), str(want)), t
    assert accepted > 10_000
    assert _cn_small("一百五") is None and _cn_small("一万二千") is None, "other forms go to cn2an"
    code = ("import sys; from retrieval.knowledge.figures import extract_figures as x; "
            "fs = x('新建学校十五所，改造两千零五十户，三十六个项目'); "
            "print(' '.join(str(f.value) for f in fs), 'cn2an' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[-1] == "False" and {"15.0", "2050.0"} <= set(out), out


def test_a_count_of_two_thousand_is_a_figure_but_a_year_is_not():
    assert [(f.text, f.unit) for f in extract_figures("全年实施重点项目2000多个、完成投资1800多亿元")][0] == ("2000多个", "projects")
    assert [f.text for f in extract_figures("新建厂房2000个")] == ["2000个"]
    assert extract_figures("2000年以来") == [] and extract_figures("回到2019年的水平") == []


def test_a_household_count_says_what_it_counts():
    # written for this test: 户 counts households unless the noun beside it says otherwise
    f = figs("全区新增规上企业法人326户，改造农村危房1200户，新增58户企业。")
    assert [(x, f[x].english) for x in ("326户", "1200户", "58户")] == [
        ("326户", "326 legal entities"), ("1200户", "1,200 households"), ("58户", "58 enterprises")]
