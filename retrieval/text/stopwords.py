"""Stop words: one list per language for indexing, and the extra words a question carries."""
from __future__ import annotations

# Dropped from BM25 tokens (index and query alike).
EN_STOP = frozenset(
    """a an the of in on at to for from by with and or but is are was were be been being do does did
    what which who whom whose when where why how much many this that these those it its it's as into
    than then there their they them he she his her we our you your i me my not no yes will would can
    could should shall may might has have had about over under up down out more most so such also
    any all each per via s""".split()
)
ZH_STOP = frozenset(
    "的 了 和 与 及 在 是 为 对 把 被 将 等 中 上 下 也 并 而 或 之 其 以 于 从 到 就 都 又 这 那 有 个 "
    "吗 呢 吧 啊 么 什么 多少 哪些 怎样 如何 怎么 是否 哪个 几 ， 。 ？ ！ 、 ：".split()
)

# A question's keywords also leave out the words that only frame it ("tell me", "last year",
# "province", 请问, 今年): periods and regions are read separately.
QUESTION_EN_STOP = EN_STOP | frozenset("""
done must year years become became get got make made reach reached tell give show please know want wants
city province region country area district last next current past previous fast quickly big large high
come came end keep kept going
""".split())
QUESTION_ZH_STOP = ZH_STOP | frozenset("""
怎么样 哪里 多 请问 请 一下 告诉 我 我们 你 有没有 了解 情况 方面 至 及其
今年 去年 明年 上年 本年 年 年度 一年 过去 多大 多高 达到 共 总共 一共 了多少 是多少 有多少 期间 时期 目前 现在
""".split())
