"""Tokenising: BM25 tokens (`tokenize`) and word spans for term matching (`tokenize_en`)."""
from __future__ import annotations

import re
from functools import lru_cache

from retrieval.text.dates import chinese_years
from retrieval.text.fold import fold
from retrieval.text.script import CJK_RE, HAN_RANGES
from retrieval.text.segment import cut_for_search
from retrieval.text.stem import index_stem, stem
from retrieval.text.stopwords import EN_STOP, ZH_STOP

# Latin words, and numbers with their decimal point and percent sign kept together,
# because "5.5%" is exactly what a user looks for.
_TOKEN_RE = re.compile(rf"[{HAN_RANGES}]+|\d+(?:[.,]\d+)*%?|[a-z](?:[a-z\-]|'(?!s\b))*[a-z]|[a-z]")
_WORD_RE = re.compile(
    r"\d+[A-Za-z][A-Za-z0-9]*"  # 5G, 3D
    r"|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"  # 10,000  5.8
    r"|[A-Za-z][A-Za-z0-9]*(?:&[A-Za-z0-9]+|\.\d+)*(?:['’][sS]\b)?"  # R&D  PM2.5  Hebei's
)


@lru_cache(maxsize=16384)
def _search_words(run: str) -> tuple[str, ...]:
    """jieba's search-mode words of one run of Chinese characters. Cached: ingest tokenises every
    chunk with its document's title, and neighbouring chunks overlap, so runs come back."""
    return tuple(cut_for_search(run))


def tokenize(text: str, drop_stopwords: bool = True) -> list[str]:
    """Tokens for BM25: jieba words for Chinese (search mode, so 生产总值 also yields 生产/总值),
    lower-cased light-stemmed words for English, numbers kept whole."""
    out: list[str] = []
    for m in _TOKEN_RE.finditer(fold(text)):
        tok = m.group()
        if CJK_RE.match(tok):
            for w in _search_words(tok):
                if w and not (drop_stopwords and w in ZH_STOP):
                    out.append(w)
        elif tok[0].isdigit():
            out.append(tok.replace(",", ""))
        elif not (drop_stopwords and tok in EN_STOP):
            out.append(index_stem(tok))
    return out


def tokenize_en(text: str) -> list[tuple[str, int, int]]:
    """(stem, start, end) for each Latin-script word or number in `text` (term matching)."""
    return [(stem(m.group()), m.start(), m.end()) for m in _WORD_RE.finditer(text)]


def year_tokens(year: int) -> list[str]:
    """The BM25 tokens that stand for `year`: its digits, and its Chinese numerals (一九八五年)
    where the segmenter keeps that form whole; a form with a zero (一九八〇年) it cuts into pieces
    shared by the decade's other years (一九八), which would find any of them, so none is given."""
    return [str(year), *(form for form in chinese_years(year) if form in tokenize(form))]
