"""Text folding and tokenisation for lexical search (pure functions).

Folding makes `江北新區`, `江北新区` and `ＥＤＡ` meet `eda`: Traditional → Simplified,
full-width → half-width, lower case. It is only used for matching; quotes are always
cut from the unfolded document text.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RE = re.compile(f"[{_CJK}]")
_CJK_RUN = re.compile(f"[{_CJK}]+")
# Latin words, and numbers with their decimal point and percent sign kept together,
# because "5.5%" is exactly what a user looks for.
_TOKEN_RE = re.compile(rf"[{_CJK}]+|\d+(?:[.,]\d+)*%?|[a-z](?:[a-z\-]|'(?!s\b))*[a-z]|[a-z]")
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20

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


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _t2s().convert(text) if CJK_RE.search(text) else text


def fold_width(text: str) -> str:
    """Full-width ASCII (Ｅ, ５, ％, ，) → half-width, so `5.1％` matches `5.1%`."""
    return text.translate(_FULLWIDTH)


def fold(text: str) -> str:
    return to_simplified(fold_width(text)).lower()


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    _load_jieba_cache(jieba)
    jieba.initialize()  # builds and caches the dictionary when the fast path found no cache
    return jieba


def _load_jieba_cache(jieba) -> None:
    """Read jieba's dictionary cache in one piece: jieba's own `marshal.load(file)` reads the
    9 MB file in small pieces and takes 0.6 s of a cold `planbot ask`; `marshal.loads` of the
    bytes takes 0.2 s. Same file, same data; anything unexpected leaves it to jieba."""
    import marshal
    import os
    import tempfile

    dt = jieba.dt
    if dt.initialized or dt.cache_file or dt.dictionary != jieba.DEFAULT_DICT:
        return
    try:
        with open(os.path.join(dt.tmp_dir or tempfile.gettempdir(), "jieba.cache"), "rb") as fh:
            freq, total = marshal.loads(fh.read())
    except (OSError, ValueError, EOFError, TypeError):
        return
    if isinstance(freq, dict) and freq:
        with dt.lock:
            dt.FREQ, dt.total, dt.initialized = freq, total, True


def _stem(word: str) -> str:
    # A light plural/suffix fold is enough for BM25 here; a full stemmer would
    # merge "industrial"/"industry" too aggressively for quoting figures.
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def tokenize(text: str, drop_stopwords: bool = True) -> list[str]:
    """Tokens for BM25: jieba words for Chinese (search mode, so 生产总值 also yields 生产/总值),
    lower-cased light-stemmed words for English, numbers kept whole."""
    folded = fold(text)
    out: list[str] = []
    for m in _TOKEN_RE.finditer(folded):
        tok = m.group()
        if CJK_RE.match(tok):
            for w in _jieba().cut_for_search(tok):
                if w and not (drop_stopwords and w in ZH_STOP):
                    out.append(w)
        elif tok[0].isdigit():
            out.append(tok.replace(",", ""))
        elif not (drop_stopwords and tok in EN_STOP):
            out.append(_stem(tok))
    return out


def cjk_ratio(text: str) -> float:
    letters = sum(1 for c in text if c.isalpha())
    return len(CJK_RE.findall(text)) / letters if letters else 0.0


def script_of(text: str) -> str:
    """"zh" when the text is mostly Chinese characters, else "en" (other Latin-script text included)."""
    return "zh" if cjk_ratio(text) >= 0.3 else "en"


def clean_question(text: str) -> str:
    """Control characters and runs of whitespace out; NFC so composed forms compare equal."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch if (ch.isprintable() or ch in "\n\t") else " " for ch in text)
    return re.sub(r"\s+", " ", text).strip()
