"""Language of a document or a question (one detector; script_of says which script a text uses)."""
from __future__ import annotations

import re
import unicodedata

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


# Scripts of languages planbot does not read, by the first word of their Unicode names.
# Kana or hangul anywhere marks Japanese or Korean even among Han characters; any other
# script counts once its letters are a fair share of the question's (a Chinese question may
# quote one Greek letter, an English one a name in its own script).
_KANA_NAMES = {"HIRAGANA": "Japanese", "KATAKANA": "Japanese"}
_HANGUL_NAMES = {"HANGUL": "Korean"}
_SCRIPT_LANGS = {"CYRILLIC": "Cyrillic script", "ARABIC": "Arabic script", "HEBREW": "Hebrew script",
                 "GREEK": "Greek script", "THAI": "Thai script", "DEVANAGARI": "Devanagari script",
                 "ARMENIAN": "Armenian script", "GEORGIAN": "Georgian script", "TAMIL": "Tamil script",
                 "BENGALI": "Bengali script", "ETHIOPIC": "Ethiopic script", "KHMER": "Khmer script",
                 "LAO": "Lao script", "MYANMAR": "Myanmar script", "TIBETAN": "Tibetan script",
                 "MONGOLIAN": "Mongolian script", "SYRIAC": "Syriac script"}
OTHER_SCRIPT_SHARE = 0.3
# the prolonged-sound mark and the middle dot are kana-block characters Chinese text uses too
_SHARED_KANA = frozenset("\u30fc\u30fb")


def unread_script(text: str) -> str | None:
    """The language or script of a text planbot does not read ("Japanese", "Korean", "Arabic
    script"), or None for English and Chinese."""
    letters = [ch for ch in text if ch.isalpha() and ch not in _SHARED_KANA]
    if not letters:
        return None
    counts: dict[str, int] = {}
    for ch in letters:
        first = unicodedata.name(ch, "UNKNOWN").split()[0]
        counts[first] = counts.get(first, 0) + 1
    for names in (_KANA_NAMES, _HANGUL_NAMES):
        hit = next((lang for name, lang in names.items() if counts.get(name)), None)
        if hit:
            return hit
    other = {name: n for name, n in counts.items() if name in _SCRIPT_LANGS}
    if other and sum(other.values()) >= OTHER_SCRIPT_SHARE * len(letters):
        return _SCRIPT_LANGS[max(other, key=other.get)]
    return None


def question_lang(question: str) -> str:
    """"en", "zh-Hans" or "zh-Hant": a question's language follows its script (script_of), so
    the analysis and the retrieval side never disagree on it."""
    return chinese_variant(question) if script_of(question) == "zh" else "en"
