"""Language of a document or a question (one detector; script_of says which script a text uses)."""
from __future__ import annotations

import re

from retrieval.text.chinese import chinese_variant
from retrieval.text.script import CJK_RE, script_of

_KANA = re.compile("[\u3040-\u30ff]")
_HANGUL = re.compile("[\uac00-\ud7af]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_ACCENTED = re.compile(r"[À-ÖØ-öø-ɏ]")
_EN_COMMON = frozenset("the of and to in a is that for on with as by at from it are was be this will an or has have".split())


def detect_lang(text: str) -> str:
    """"en", "zh-Hans", "zh-Hant" or "other", from a sample of a document's text."""
    sample = text[:4000]
    han = CJK_RE.findall(sample)
    kana = len(_KANA.findall(sample))
    hangul = len(_HANGUL.findall(sample))
    words = _LATIN_WORD.findall(sample)
    # Chinese passages quote the odd Japanese name; Japanese prose is mostly kana
    if kana > 0.25 * (len(han) + kana) or hangul > len(han) and hangul > len(words):
        return "other"
    if han and len(han) >= len(words):
        return chinese_variant("".join(han))
    if not words:
        return "other"
    # Latin script is English unless it reads like another language: accented
    # letters and few English function words (lists of names have few of either)
    accented = len(_ACCENTED.findall(sample))
    common = sum(w.lower() in _EN_COMMON for w in words)
    other = accented > 0.02 * sum(map(len, words)) and common < 0.05 * len(words)
    return "other" if other else "en"


def question_lang(question: str) -> str:
    """"en", "zh-Hans" or "zh-Hant": a question's language follows its script (script_of), so
    the analysis and the retrieval side never disagree on it."""
    return chinese_variant(question) if script_of(question) == "zh" else "en"
