from retrieval.text.chunking import chunk_spans, split_sentences, units


def spans_text(text, spans):
    return [text[s:e] for s, e in spans]


def test_sentences_split_on_chinese_and_english_punctuation():
    text = "2023年，营收超5000亿元。增长5.5%！会议召开；部署任务？\n\nThe meeting was held.Party secretary Xu spoke. GDP grew 5.5 percent in the U.S. economy."
    assert spans_text(text, split_sentences(text)) == [
        "2023年，营收超5000亿元。", "增长5.5%！", "会议召开；", "部署任务？",
        "The meeting was held.", "Party secretary Xu spoke.", "GDP grew 5.5 percent in the U.S. economy.",
    ]


def test_closing_quotes_stay_with_their_sentence():
    text = "他说：“要奋力冲刺。”随后宣布开工。"
    assert spans_text(text, split_sentences(text)) == ["他说：“要奋力冲刺。”", "随后宣布开工。"]


def test_chunks_cover_the_text_with_exact_offsets_and_overlap():
    sentences = [f"第{i}项任务是推进产业集群建设，完成投资{i}0亿元。" for i in range(60)]
    text = "".join(sentences)
    spans = chunk_spans(text, target=120, overlap=30)
    assert len(spans) > 5
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    for (s1, e1), (s2, e2) in zip(spans, spans[1:]):
        assert s2 < e1, "consecutive chunks overlap"
        assert s2 > s1, "chunking always advances"
    for s, e in spans:
        assert text[s:e].startswith("第") and text[s:e].endswith("。"), "chunks hold whole sentences"
        assert units(text[s:e]) <= 120 + 30


def test_overlong_sentence_is_cut_at_clauses():
    text = "，".join(["推进重大项目建设"] * 120) + "。"
    spans = chunk_spans(text, target=100, overlap=0, max_sentence=100)
    assert len(spans) > 5
    assert all(units(text[s:e]) <= 110 for s, e in spans)
    assert "".join(text[s:e] for s, e in spans) == text


def test_units_weigh_english_lighter_than_chinese():
    assert units("江北新区") == 4
    assert units("abcd") == 2


def test_an_english_sentence_ends_after_a_figure_but_not_after_a_list_item_number():
    text = "Output rose to 30.2 billion yuan, up from 26.0 billion in 2023. The county grew.\n1. Targets\n(2) Tasks. We will act."
    assert spans_text(text, split_sentences(text)) == [
        "Output rose to 30.2 billion yuan, up from 26.0 billion in 2023.", "The county grew.", "1. Targets",
        "(2) Tasks.", "We will act.",
    ]
