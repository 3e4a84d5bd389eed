"""Answer → Block Kit, from hand-built Answer objects (no index, no model, no Slack)."""
from __future__ import annotations

import json

from bot.slack import formatting as fmt
from retrieval.types import Answer, Figure, Quote, Source

SRC_WEB = Source(doc_id="d1", title="Binhu District sets its 2025 plan", publisher="Wuxi Daily", date="2025-01-15",
                 url="https://example.com/binhu?a=1&b=2")
SRC_FILE = Source(doc_id="d2", title="高新区2024年工作报告", publisher="合肥日报", date="2024-02-20", url=None,
                  path="/data/hefei.txt")


def fig_en() -> Figure:
    return Figure(text="28.7 billion yuan", value=28.7e9, unit="yuan", kind="achieved",
                  english="28.7 billion yuan", chinese="287亿元", scale="billion")


def fig_zh() -> Figure:
    return Figure(text="超5000亿元", value=5e11, unit="yuan", kind="achieved", english="more than 500 billion yuan",
                  chinese="超5000亿元", scale="亿", qualifier="more than")


def quote_en(text: str = "Binhu achieved fixed-asset investment of 28.7 billion yuan last year, up 12%.") -> Quote:
    return Quote(text=text, figures=[fig_en()], source=SRC_WEB, score=0.9, lang="en",
                 rendering="Fixed-asset investment: 28.7 billion yuan")


def quote_zh() -> Quote:
    return Quote(text="2024年，高新区战略性新兴产业实现营收超5000亿元。", figures=[fig_zh()], source=SRC_FILE, score=0.8,
                 lang="zh-Hans", rendering="")


def all_texts(msg: dict) -> list[str]:
    out = [msg["text"]]
    for b in msg["blocks"]:
        if isinstance(b.get("text"), dict):
            out.append(b["text"]["text"])
        for el in b.get("elements") or []:
            if isinstance(el.get("text"), dict):
                out.append(el["text"]["text"])
            elif isinstance(el.get("text"), str):
                out.append(el["text"])
    return out


def assert_within_limits(msg: dict) -> None:
    assert msg["text"].strip()
    assert len(msg["blocks"]) <= 50
    for b in msg["blocks"]:
        if b["type"] == "section":
            assert len(b["text"]["text"]) <= 3000
        if b["type"] == "header":
            assert len(b["text"]["text"]) <= 150
        if b["type"] == "context":
            assert len(b["elements"]) <= 10
            assert all(len(e["text"]) <= 3000 for e in b["elements"])
    json.dumps(msg)  # serialisable as sent


def test_answer_quotes_figures_and_sources():
    ans = Answer(question="How much fixed-asset investment did Binhu achieve?", answered=True,
                 answer="Binhu achieved 28.7 billion yuan of fixed-asset investment, up 12%.",
                 quotes=[quote_en(), quote_zh()])
    msg = fmt.format_answer(ans)
    assert_within_limits(msg)
    body = "\n".join(all_texts(msg))
    # quoted with ">", the figure in bold next to its normalised form
    assert "> Binhu achieved fixed-asset investment of \u200b*28.7 billion yuan*\u200b last year" in body
    # English question: the Chinese figure is given in English next to the original
    assert "*超5000亿元*\u200b → more than 500 billion yuan" in body
    assert "_(achieved)_" in body
    assert "_Fixed-asset investment: 28.7 billion yuan_" in body
    # url → link, & escaped inside the link; no url → title · publisher · date
    assert "<https://example.com/binhu?a=1&amp;b=2|Binhu District sets its 2025 plan> · Wuxi Daily · 2025-01-15" in body
    assert "高新区2024年工作报告 · 合肥日报 · 2024-02-20" in body
    assert msg["text"].startswith("Binhu achieved 28.7 billion yuan")
    assert "\n\n> Binhu achieved fixed-asset investment of 28.7 billion yuan" in msg["text"]  # a real quote marker


def test_chinese_question_gets_chinese_figures():
    ans = Answer(question="滨湖区固定资产投资多少？", answered=True, answer="滨湖区完成固定资产投资287亿元。", quotes=[quote_en()])
    body = "\n".join(all_texts(fmt.format_answer(ans)))
    assert "*28.7 billion yuan*\u200b → 287亿元" in body
    assert "已实现" in body
    assert "问题" in body


def test_not_found_lists_nearest_sources():
    ans = Answer(question="What is Tokyo's semiconductor target?", answered=False, answer="",
                 nearest=[SRC_WEB, SRC_FILE], notes=["No documents about Tokyo are indexed."])
    msg = fmt.format_answer(ans)
    assert_within_limits(msg)
    body = "\n".join(all_texts(msg))
    assert "I couldn't find an answer to this in the indexed plans." in body
    assert "Nearest sources" in body
    assert "<https://example.com/binhu?a=1&amp;b=2|Binhu District sets its 2025 plan>" in body
    assert "No documents about Tokyo are indexed." in body
    assert "couldn't find" in msg["text"]


def test_escaping_of_quoted_text_but_not_links():
    q = quote_en("R&D spending <b>rose</b> > 5% & investment reached 28.7 billion yuan <!channel>")
    ans = Answer(question="R&D?", answered=True, answer="R&D <rose>", quotes=[q])
    msg = fmt.format_answer(ans)
    body = "\n".join(all_texts(msg))
    assert "R&amp;D spending &lt;b&gt;rose&lt;/b&gt; &gt; 5% &amp; investment" in body
    assert "&lt;!channel&gt;" in body and "<!channel>" not in body
    assert "<https://example.com/binhu?a=1&amp;b=2|" in body  # the link we built stays a link
    assert "R&amp;D &lt;rose&gt;" in body
    assert "<!channel>" not in msg["text"] and "&lt;!channel&gt;" in msg["text"]


def test_broadcasts_in_question_are_neutralised():
    ans = Answer(question="<!channel> @everyone what is @here's target? <!here>", answered=True, answer="x",
                 quotes=[quote_en()])
    for text in all_texts(fmt.format_answer(ans)):
        assert "<!channel>" not in text and "<!here>" not in text
        assert "@everyone" not in text and "@here" not in text
    assert "@\u200beveryone" in json.dumps(fmt.format_answer(ans), ensure_ascii=False)


def test_many_long_quotes_are_trimmed_with_pointer():
    long_text = ("Binhu achieved fixed-asset investment of 28.7 billion yuan last year. " * 80).strip()
    quotes = [quote_en(long_text) for _ in range(40)]
    ans = Answer(question="Binhu investment?", answered=True, answer="A" * 5000, quotes=quotes)
    msg = fmt.format_answer(ans)
    assert_within_limits(msg)
    assert len(msg["blocks"]) <= 49  # one left for the share button
    body = "\n".join(all_texts(msg))
    assert "more quotes — run `planbot ask` for all" in body
    assert "quote shortened" in body
    shown = sum(1 for b in msg["blocks"] if b["type"] == "divider")
    assert f"… {40 - shown} more quotes" in body
    shared = fmt.with_share_button(msg, fmt.share_value("ask", "x" * 5000, "k"))
    assert_within_limits(shared)
    button = shared["blocks"][-1]["elements"][0]
    assert button["action_id"] == "planbot_share" and len(button["value"]) <= 2000
    assert json.loads(button["value"])["key"] == "k"


def test_max_quotes_pointer_singular():
    ans = Answer(question="q", answered=True, answer="a", quotes=[quote_en(), quote_zh()])
    body = "\n".join(all_texts(fmt.format_answer(ans, max_quotes=1)))
    assert "… 1 more quote — run `planbot ask` for all" in body


def test_slack_to_plain():
    assert fmt.slack_to_plain("<@UBOT> what about <https://x.org|R&amp;D> in <#C1|general>?", "UBOT") == \
        "what about R&D in #general?"
    assert fmt.slack_to_plain("<!channel> hi &lt;3 <@U2|ann>", "UBOT") == "@channel hi <3 @ann"
    assert fmt.slack_to_plain("   <@UBOT>  ", "UBOT") == ""


def test_region_digest_and_list():
    digest = {
        "region": {"id": "320211", "name": "Binhu District", "name_zh": "滨湖区", "level": "district", "parent": "320200"},
        "figures": [{"text": "28.7 billion yuan", "metric": "fixed-asset investment", "value": 28.7e9, "unit": "yuan",
                     "kind": "achieved", "period": "2024", "quote": "investment of 28.7 billion yuan, up 12% <x>",
                     "source": {"title": "Binhu plan", "url": "https://example.com/b", "publisher": "Wuxi Daily"}}] * 30,
        "industries": ["integrated circuits", {"name": "biomedicine", "name_zh": "生物医药"}],
        "sources": [{"title": f"Source {i}", "url": None, "publisher": "P", "date": "2024"} for i in range(40)],
    }
    msg = fmt.format_region(digest, names={"320200": "Wuxi"})
    assert_within_limits(msg)
    assert "district · in Wuxi · 40 sources · 30 figures" in msg["blocks"][1]["elements"][0]["text"]
    body = "\n".join(all_texts(msg))
    assert msg["blocks"][0]["type"] == "header" and "Binhu District (滨湖区)" in msg["blocks"][0]["text"]["text"]
    assert "*28.7 billion yuan*" in body and "fixed-asset investment" in body and "_(achieved, 2024)_" in body
    assert "<https://example.com/b|Binhu plan>" in body and "&lt;x&gt;" in body
    assert "biomedicine (生物医药)" in body
    assert "15 more figures" in body and "25 more sources" in body

    regions = [{"id": str(i), "name": f"Region {i}", "name_zh": "区", "level": "district", "parent": "P",
                "documents": i, "figures": 2 * i} for i in range(400)]
    listing = fmt.format_regions(regions)
    assert_within_limits(listing)
    assert "400 regions" in listing["text"]
    assert "more regions — run `planbot regions` for all" in "\n".join(all_texts(listing))

    tree = fmt.format_regions([
        {"id": "320000", "name": "Jiangsu", "name_zh": "江苏省", "level": "province", "parent": None, "depth": 0,
         "documents": 2, "figures": 12},
        {"id": "320200", "name": "Wuxi", "name_zh": "无锡市", "level": "city", "parent": "320000", "depth": 1,
         "documents": 1, "figures": 7},
    ])
    body = "\n".join(all_texts(tree))
    assert "• *Jiangsu (江苏省)* — province, 2 documents, 12 figures\n\u2003• *Wuxi (无锡市)* — city, 1 document, 7 figures" in body


def test_unknown_region_lists_candidates():
    msg = fmt.format_unknown_region("Binhoo <!here>", [{"name": "Binhu District", "name_zh": "滨湖区"}, "Binjiang"])
    body = "\n".join(all_texts(msg))
    assert "Closest matches: *Binhu District (滨湖区)*, *Binjiang*" in body
    assert "<!here>" not in body


def test_shared_copy_has_no_button_and_credits_user():
    ans = Answer(question="q", answered=True, answer="a", quotes=[quote_en()])
    msg = fmt.with_share_button(fmt.format_answer(ans), fmt.share_value("ask", "q", "k"))
    shared = fmt.shared_by(msg, "U123")
    assert all(b["type"] != "actions" for b in shared["blocks"])
    assert shared["blocks"][-1]["elements"][0]["text"] == "Shared by <@U123>"


def test_ambiguous_region_candidates_are_told_apart():
    from retrieval.knowledge.regions import Region

    cands = [Region(id="320205", name="Xishan District", name_zh="锡山区", name_zh_hant="錫山區", level="district",
                    parent="320200"),
             Region(id="530112", name="Xishan District", name_zh="西山区", name_zh_hant="西山區", level="district",
                    parent="530100")]
    msg = fmt.format_unknown_region("Xishan", cands, ambiguous=True)
    assert "is ambiguous" in msg["text"]
    assert "Xishan District (锡山区), Xishan District (西山区)" in msg["text"]
    assert "/region 锡山区" in msg["text"]


def test_feedback_buttons_fit_and_stay_on_the_shared_copy():
    ans = Answer(question="q", answered=True, answer="a", quotes=[quote_en()] * 40)
    msg = fmt.with_share_button(fmt.with_feedback_buttons(fmt.format_answer(ans, reserve_blocks=2), "ans-1"),
                                fmt.share_value("ask", "q", "k"))
    assert len(msg["blocks"]) <= 50
    assert [b.get("block_id") for b in msg["blocks"][-2:]] == ["planbot_feedback", "planbot_share"]
    verdicts = [e["action_id"] for e in msg["blocks"][-2]["elements"]]
    assert verdicts == ["planbot_feedback_helpful", "planbot_feedback_wrong_figure", "planbot_feedback_wrong_source"]
    assert all(e["value"] == "ans-1" for e in msg["blocks"][-2]["elements"])
    shared = fmt.shared_by(msg, "U123")
    assert [b.get("block_id") for b in shared["blocks"] if b["type"] == "actions"] == ["planbot_feedback"]
