"""Declared cue tables: the words that tell a figure's kind, period and measure.

Everything a rule below keys on is listed here, so that a reader can see (and a tuner change)
the vocabulary in one place. Patterns are matched on the text as written; Traditional forms
sit next to Simplified ones where the corpus has both.
"""
from __future__ import annotations

import re

# ------------------------------------------------------------------ document kinds
# (kind, title pattern): the first that matches names what the document is.
DOC_KINDS = [
    ("national_report", r"国务院政府工作报告|國務院政府工作報告|中华人民共和国.*政府工作报告|State Council.*work report"),
    ("work_report", r"政府工作报告|政府工作報告|government work report"),
    ("communique", r"统计公报|統計公報|statistical communiqu"),
]
DEFAULT_DOC_KIND = "article"

# ------------------------------------------------------------------ section headings
# A heading line is short and ends without a sentence stop. Its role decides the default kind of
# the figures under it: "review" -> achieved, "plan" -> target, "other" (glossaries, annexes,
# definitions) -> other. Order matters: the first role whose pattern matches wins.
HEADING_MAX = 48
HEADING_ROLES = [
    ("other", r"名词解释|名词注释|名詞解釋|附件|注释$|说明$"),
    ("review", r"回顾|决算|一年来|过去一年|过去五年|五年来|成就|取得新成效|取得了|新的进展|" + r"^(?:去年|上年|過去一年)\s*[：:]"),
    ("plan", r"工作安排|主要任务|重点工作|重点任务|目标任务|总体要求|预期目标|主要目标|工作任务|工作思路|国家预算|"
             r"国民经济计划|计划的任务|今后|关于\s*\d{4}\s*年工作|\d{4}\s*年.*(?:任务|安排|要求|预算|计划)|民生实事|"
             r"主要预期目标|奋勇争先|[一二三四五六七八九十]+年.*(?:任务|计划)|^(?:今年|明年)\s*[：:]"),
]
# English words that open a comparison, whose year is the compared figure's ("up from 35.8 billion
# yuan in 2023", "compared with 24 percent in 2021"), and words that make a year a deadline or a
# start ("By 2027", "since 2020"): facts/period.py and facts/extract.py
EN_COMPARISON = r"compared (?:with|to)|from|against|versus|vs\.?|than"
EN_DEADLINE = r"since|by|before|until"
# A news piece's labels "去年：…" / "今年：…" open its review and its plan: their years are the
# publication year's last and own (facts/sections.py RELATIVE_HEADING).
RELATIVE_HEADING = {"去年": -1, "上年": -1, "过去一年": -1, "過去一年": -1, "今年": 0, "明年": 1}
# The speech header ("2025年1月14日在…会议上") is a heading-like line that opens nothing.
NOT_HEADING = r"会议上|會議上|同志作|代表大会第"
# Top-level headings ("一、", "二、") open a section; sub-headings ("（一）") only inherit.
TOP_HEADING = r"^(?:[一二三四五六七八九十]+\s*[、．.]|第[一二三四五六七八九十]+部分)"
SUB_HEADING = r"^(?:[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]|第[一二三四五六七八九十]+[，、,])"

# ------------------------------------------------------------------ target lists
# A paragraph that opens like this states the year's targets: every clause after it is one.
TARGET_LIST = r"(?:主要)?预期目标(?:是|为)?[：:]|主要目标(?:是|为)[：:]|主要目标[：:]|發展主要預期目標[是為]?[：:]"

# ------------------------------------------------------------------ kind cues
# Words right around a figure, by how they override the section default.
FORECAST = r"预计|預計|估计|可使|可望|有望|\bexpected to be\b|\bestimated\b|\bprojected\b"
# planning verbs: a figure a plan sets ("拟定为", "拟安排", "安排为", "预定为", "设定为") is a target
PLANNING_VERBS = r"(?<![模虚虛])(?:拟|擬)|(?:安排|预定|預定|规定|規定|设定|設定|标定|標定|确定|確定|预算|預算)(?:为|為|在)"
# forward-looking wording that turns even a review-section figure into a target
STRONG_TARGET = (rf"力争|力爭|确保|確保|争取|爭取|目标|目標|计划|計劃|规划|預期|预期|明年|今后|今後|{PLANNING_VERBS}|"
                 r"将(?:达|突破|超过|实现|增长|提高|完成|建成|新增)|將(?:達|突破|超過|實現|增長|提高|完成|建成|新增)|"
                 r"要(?![求素点闻害])|\bwill\b|\bstriv|\baim(?:s|ed)? (?:to|at)\b|\btarget|\bgoal|\bplan(?:s|ned)? to\b|"
                 r"\bby (?:the end of )?(?:19|20)\d\d\b")
# backward-looking wording that turns a plan-section figure into a result
STRONG_ACHIEVED = (r"去年|过去|過去|一年来|一年來|近年来|近年來|五年来|已经|已經|\blast year\b|\bso far\b|"
                   r"完成了|实现了|增长了|增加了|达到了|提高了|上升了")
# A figure a planning verb sets, right after it ("一九五八年的工业总产值，拟定为六百四十三亿七千万元",
# "一九八一年计划为百分之三点七"): a target whatever the section or the year says, even a past year's
# plan (its result is another figure: "…，实际达到百分之四点六").
# A plan's figure named as such ("比原来设想的六百亿元") is one too; the comparison with it is not.
PLANNED_AS = rf"(?:{PLANNING_VERBS}|(?:计划|計劃)(?:为|為|是)|定为|定為|(?:设想|設想|预定|預定|原定)的)\s*$"
# The value a target named right after the figure had ("略低于8％的预定目标", "低于13%左右的预期目标"):
# the figure is that target, even in a review.
PLANNED_AFTER = r"的(?:预定|預定|预期|預期|原定|既定)(?:目标|目標)"
# "较好完成全年目标任务", "完成年度目标任务的113%": a target met is a result
TARGET_MET = r"(?:完成|实现|實現|超额完成|超額完成|达成|達成)了?[^。；;，,]{0,12}(?:目标|目標|计划|計劃|任务|任務)"

# Thresholds and size classes: the figure qualifies a noun rather than stating an amount.
THRESHOLD_AFTER = (r"^(?:元|万元|亿元|億元|万|亿)?(?:及以上|以上|以下)?(?:的)?(?:[^\s，,。；;、]{0,4}?)"
                   r"(?:项目|項目|企业|企業|工业企业|园区|集群|产业集群|工厂|城市|县|医院|学校|大项目)")
THRESHOLD_BEFORE = r"(?:年主营业务收入|主营业务收入|年营业收入|营业收入|规模|投资额?|总投资)$"
THRESHOLD_LEVEL = r"^(?:级|級)|^-?(?:yuan-|billion-yuan|billion yuan)?\s*(?:industrial )?(?:clusters?|projects?|enterprises?)\b"
THRESHOLD_EN = r"(?:projects?|enterprises?|companies|clusters?) (?:worth|with (?:a )?(?:scale|value|investment) of) (?:more than |over )?$|with a scale of (?:more than )?$|\bscale of (?:\S+ (?:and|or) )?$"

# ------------------------------------------------------------------ period cues
# Relative years, resolved against the publication year.
RELATIVE_YEARS = [
    (r"去年|过去一年|過去一年|(?<!基础)(?<!基礎)上年|last year|past year", -1),  # not 基础上年均增长 ("on the basis of …, average")
    (r"(?<![目提空此之以超向当當眼事往从從日])前年(?![均度])", -2),  # not 目前|年均, 提前|年底
    (r"今年|本年|当年|當年|this year|the year", 0),
    (r"明年|next year", 1),
]
# Five-year plans by name (十四五 = 2021-2025); "第一个五年计划" = 1953-1957.
FIVE_YEAR_PLANS = {
    "一五": 1953, "二五": 1958, "三五": 1966, "四五": 1971, "五五": 1976, "六五": 1981, "七五": 1986, "八五": 1991,
    "九五": 1996, "十五": 2001, "十一五": 2006, "十二五": 2011, "十三五": 2016, "十四五": 2021, "十五五": 2026,
    "第一个五年计划": 1953, "第二个五年计划": 1958, "第三个五年计划": 1966, "第四个五年计划": 1971, "第五个五年计划": 1976,
    "第六个五年计划": 1981, "第七个五年计划": 1986, "第八个五年计划": 1991,
}
# A plan named by number is a period only when it reads as one: “十四五”, 十四五规划/时期/期间 --
# not 一九五三年 (which holds 九五) or 第十五届 (which holds 十五).
PLAN_CONTEXT_BEFORE = r"[“\"「]$"
PLAN_CONTEXT_AFTER = r"[”\"」]?(?:规划|計劃|计划|規劃|时期|時期|期间|期間|以来|以來)|[”\"」]"
# "已经排定的159个项目": 已经 inside a modifier ending in 的 describes the noun, not a result.
ACHIEVED_MODIFIER = r"[^，,。；;的]{0,6}的"
# "今年拟从去年超收收入中安排500亿元": a past time after 从 naming where money comes from ("out of last
# year's extra revenue") is the source's time, not the figure's.
SOURCE_BEFORE = r"(?:从|從)$"
SOURCE_AFTER = r"[^，,。；;的]{1,10}?中"
# A span of the years just reviewed: 过去五年 in a report of year Y is Y-5 .. Y-1.
PAST_SPAN = r"(?:过去|過去|这|這|近|前)?([五三两十])年(?:来|來|间|間|累计|累計|共)|五年累计|五年间"
# (patterns used with .match(text, pos) carry no ^: match anchors at pos, ^ only at 0)
# Comparison bases ("比2019年", "同1987年相比", "compared with 2019"): a year that is not the figure's own.
# The words that make the year or time after them a comparison base ("比2019年", "compared with 2023")
BASE_WORDS = r"比|较|較|同|与|與|compared (?:with|to)|over|than|from"
BASE_WORDS_ZH = r"比|较|較|同|与|與"
BASE_BEFORE = rf"(?:{BASE_WORDS})\s*$"
BASE_AFTER = r"\s*(?:年)?(?:同期)?(?:相比|相较|比较|的水平)"
# From a time's own figure to the figure now: after "从去年的2.1%", "提高到2.3%" is not last year's
FROM_TO_AFTER = (r"的[^，,；;。]{0,14}?(?:提高|提升|上升|下降|增加|增长|降低|扩大|减少|缩小|回落|回升|降|升|增|减)(?:到|至)\s*")

# A level a span's additions reach, said after them ("两年共增加灌溉面积五亿五千万亩，加上原有的灌溉面积，
# 共达十亿零七千万亩"): the stock at the span's end, its last year's, not the span's.
STOCK_AFTER_SPAN = r"(?:加上|连同|連同)原[有来來]"  # not 共达 alone: "三年…共达一千四百多亿元" sums the span
# An average over years ("平均每年增长7.7%", 年均): a span's figure, never one year's.
AVERAGE_WORDS = r"年均|平均每年|每年平均|平均年|average annual|annual average|a year on average"
# "连续四年达到或略高于10%": the last N years up to the one reviewed, not that one year alone.
CONSECUTIVE_SPAN = r"连续([两二三四五六七八九十])年|連續([兩二三四五六七八九十])年"
# A span of the years ahead: 今后五年 in a report of year Y is Y .. Y+4.
FUTURE_SPAN = r"(?:今后|今後|未来|未來)([五三两十])年"

# ------------------------------------------------------------------ indicator cues
# A clause of these words only names how a figure was counted, not what it is: "按可比价格计算，
# 比上年增长7.3%" and "国内生产总值达到114万亿元，增长8.1%" say the indicator in an earlier clause.
COUNTING_WORDS = (r"按[^，,；;]{0,10}?(?:计算|计|核算)|扣除[^，,；;]{0,10}?因素|剔除[^，,；;]{0,10}?因素|"
                  r"考虑[^，,；;]{0,12}?因素|(?:据|经)?初步核算|可比口径|按可比口径|"
                  # a comparison base names no subject either ("…达到24.66万亿元，比2002年增长65.5%")
                  rf"(?:{BASE_WORDS_ZH})(?:(?:19|20)\d\d|[一二三四五六七八九〇○零]{{4}})年(?:同期)?(?:相比|相较|比较)?|"
                  r"(?:比|较|較)(?:上年|去年|前一年|上年同期|去年同期)(?:相比)?|同比|环比")

# A head noun between an indicator's name and its figure that names another quantity of the same
# thing: a stock, balance or holding (粮食储备规模达500万吨 is grain reserves, not grain output; 汽车
# 保有量 is cars owned, not consumption), a capacity (粮食综合生产能力, 产能), a yield or an area
# (粮食单产, 种植面积), or money set aside for it (人才资金, 消费券, 补助资金). The figure is then not
# the indicator's: it keeps the words as written and no vocabulary id. A head followed by a ratio word
# (面积比例) is the ratio's base, not the figure's quantity.
OTHER_QUANTITY = (r"(?:储备|儲備|库存|庫存|存量|保有量|拥有量|擁有量|余额|餘額|产能|產能|生产能力|生產能力|供应能力|能力|"
                  r"装机|裝機|单产|單產|亩产|畝產|面积|面積|资金|資金|基金|补助|補助|补贴|補貼|券)(?!比例|比重|占比|率)")
# Indicators that are themselves such a quantity: the head is theirs (贷款余额 is the loans figure).
OTHER_QUANTITY_OWNERS = {
    "余额": {"loans", "deposits", "social_financing", "money_supply", "government_debt", "special_bonds"},
    "存量": {"loans", "deposits", "social_financing", "money_supply", "government_debt", "special_bonds"},
    "面积": {"arable_land", "high_standard_farmland", "grain_area", "forest_coverage"},
    "装机": {"installed_capacity"},
    "能力": {"computing_power"},
    "拥有量": {"patents", "patents_per_10k"},
    # the money of a money indicator is that indicator ("中央预算内投资资金", "实际到位资金")
    "资金": {"investment", "fixed_asset_investment", "project_investment", "infrastructure_investment",
             "industrial_investment", "manufacturing_investment", "private_investment", "foreign_capital",
             "special_bonds", "rd_spending", "fiscal_expenditure", "general_budget_expenditure", "livelihood_spending"},
}
OTHER_QUANTITY_OWNERS.update({"餘額": OTHER_QUANTITY_OWNERS["余额"], "面積": OTHER_QUANTITY_OWNERS["面积"],
                              "裝機": OTHER_QUANTITY_OWNERS["装机"], "擁有量": OTHER_QUANTITY_OWNERS["拥有量"],
                              "資金": OTHER_QUANTITY_OWNERS["资金"]})

# A quantity head after an indicator's name and other nouns ("企业直接融资规模", "国有企业资产总额",
# "经营主体销售额"): the whole phrase is what the figure measures, the indicator named first only
# modifies it -- direct financing of enterprises is no count of enterprises. The head right after the
# name, or after only a generic qualifier (投资总额, 投资总规模, 外商直接投资实际金额), is the indicator's own.
QUANTITY_HEAD = r"(?:规模|規模|总额|總額|金额|金額|数额|數額|销售额|銷售額|营业额|營業額|交易额|交易額)$"
QUANTITY_HEAD_GENERIC = r"总|總|年度|全年|当年|當年|年|实际|實際|累计|累計|合计|合計|的|之|业务|業務"

# A share's base ("占本年预算收入的47%", "占地区生产总值比重"): the indicator named after 占 is what the
# figure is a share of, not what it measures.
# 相当于 ("研发经费支出相当于全市生产总值的比例") names a base the same way
SHARE_BASE = r"(?<![抢搶攻独獨霸])(?:占|佔|相当于|相當於)(?![地领領据據用有])"  # not 占地 (land taken), 抢占, 占领, 占有

# ------------------------------------------------------------------ measure cues
# Indicators that are rates or shares whatever the words around them say.
SHARE_INDICATORS = {"rd_intensity", "unemployment_rate", "urbanization_rate", "forest_coverage", "share", "deficit_ratio",
                    "proportion", "coverage_rate"}
SHARE_WORDS = r"率|比重|占比|比例|占|强度|強度|份额|覆盖|contribut|share|proportion|rate\b|计划的|計劃的|预算数的|目标任务的"
GROWTH_WORDS = (r"增长|增長|提高|提升|上涨|涨幅|漲幅|下降|降低|减少|減少|压缩|壓縮|增速|增幅|增加(?!值)|净增?加|翻|"
                r"\bup\b|grew|grow|rose|increase|decrease|declin|fell|down\b|growth|driving")
PRODUCTION_WORDS = r"产量|產量|产能|產能|production|output"


def rx(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.I)

# ------------------------------------------------------------------ regions
# "威海碳纤维、枣庄欣旺达等…试点30个左右": places before 等 ("and others") are examples of a
# larger set, so the figure is the region containing them, not theirs (等级, 平等, 一等奖 are words).
EXAMPLES_THEN = r"(?<![平同一二三特高中初均对對])等(?![级級于於待候同])"

# "广州、深圳援助梅州建设4个小镇": the place after an aid verb receives the help and holds what is built
# or done there; the helpers named before the verb do not.
AID_BEFORE = r"(?:援助|援建|支援|对口支援|對口支援|对口帮扶|對口幫扶|对口协作|對口協作|结对帮扶|結對幫扶|帮扶|幫扶|帮助|幫助)$"
# "沈阳都市圈", "长春现代化都市圈", "三亚经济圈": a region of several places named after one city is
# not that city.
GROUP_AFTER = r"(?:市|地区|地區)?[\u4e00-\u9fff]{0,3}?(?:都市圈|都市区|都市區|经济圈|經濟圈|城市圈|城市群|经济带|經濟帶|生态圈|生態圈)"
# "湘南湘西承接产业转移示范区": a place glued to a neighbouring region's name -- a province's short name
# and a direction (湘南, 苏北, 皖北, 粤东) -- names a region of both, not the place: the zone spans
# several cities of southern and western Hunan, it is not Xiangxi's.
PROVINCE_SHORT = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川蜀黔贵滇云藏陕秦陇甘青宁新"
DIRECTIONAL_REGION = rf"[{PROVINCE_SHORT}][东東南西北中]"
# Joins a place to the next in a list ("伊犁州、昌吉州和喀什地区"; "上海与六安").
PLACE_JOIN = r"^(?:[、，,和与與及同]|以及)$"
