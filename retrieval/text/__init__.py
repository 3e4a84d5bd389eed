"""Text work, one job per module, pure functions (jieba and OpenCC load lazily on first use).

script     which script a text is in (script_of, has_cjk, CJK_RE)
chinese    Traditional/Simplified conversion: the one OpenCC wrapper
lang       language of a document or a question
artifact   pinyin readings a converter left after characters
fold       folding for matching (lexical fold, term fold with offsets)
segment    the one jieba instance: cut, cut_for_search, POS tags
stopwords  stop words for indexing and for questions
stem       the light English stemmers
tokens     BM25 tokens and term-matching word spans
dates      the years a dated source speaks about
clean      cleaning a question
chunking   sentences and chunks
"""
from retrieval.text.artifact import repair_pinyin_artifact, strip_artifacts
from retrieval.text.chinese import chinese_variant, convert, to_simplified, to_traditional, traditional_forms
from retrieval.text.clean import clean_question
from retrieval.text.dates import doc_year, report_years
from retrieval.text.fold import fold, fold_text, fold_width, fold_zh
from retrieval.text.lang import detect_lang, question_lang
from retrieval.text.script import CJK_RE, cjk_ratio, has_cjk, script_of
from retrieval.text.segment import cut, cut_for_search, pos_tags
from retrieval.text.stem import index_stem, stem
from retrieval.text.stopwords import EN_STOP, QUESTION_EN_STOP, QUESTION_ZH_STOP, ZH_STOP
from retrieval.text.tokens import tokenize, tokenize_en

__all__ = [
    "CJK_RE", "EN_STOP", "QUESTION_EN_STOP", "QUESTION_ZH_STOP", "ZH_STOP", "chinese_variant", "cjk_ratio",
    "clean_question", "convert", "cut", "cut_for_search", "detect_lang", "doc_year", "fold", "fold_text",
    "fold_width", "fold_zh", "has_cjk", "index_stem", "pos_tags", "question_lang", "repair_pinyin_artifact",
    "report_years", "script_of", "stem", "strip_artifacts", "to_simplified", "to_traditional", "tokenize",
    "tokenize_en", "traditional_forms",
]
