"""The pinyin artifact: readings a script converter wrote after characters (`發(fā)展`).

One rule, used where documents are cleaned at ingest (the reading is cut from the text
quotes come from) and where text is matched against names and terms (the reading is
skipped, with a map back to the original offsets).
"""
from __future__ import annotations

import re
import unicodedata

from retrieval.text.chinese import changes_under_t2s
from retrieval.text.script import HAN_RANGES

TONE_MARKS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
ARTIFACT_RE = re.compile(f"(?<=[{HAN_RANGES}])[(（]([a-zü{TONE_MARKS}]{{1,6}})[)）]")
_SYLLABLE = re.compile(
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|üan|ai|an|ao|ei|en|er|ia|ie|in|iu|ou|ua|ue|üe|ui|un|ün|uo|a|e|i|o|u|ü)"
)


def artifact_spans(text: str) -> list[tuple[int, int]]:
    """Spans of converter readings in `text`.

    Only a parenthesised single syllable right after a Han character counts, and only
    after a character that the converter produced, i.e. one that changes under t2s:
    every one of the 160 readings in the corpus article follows such a character,
    while a genuine annotation glosses a Simplified character (CMRC's `荨(qián)麻`)
    and stays. A toneless syllable counts only when the text also shows toned ones
    (proof the converter ran) and it has two or more letters, so `(a)` list markers
    survive; `（一）`, `(EDA)`, `(2024)` never match.
    """
    if "(" not in text and "（" not in text:
        return []
    found = [m for m in ARTIFACT_RE.finditer(text) if _is_syllable(m.group(1)) and changes_under_t2s(text[m.start() - 1])]
    if not any(_has_tone(m.group(1)) for m in found):
        return []
    return [m.span() for m in found if _has_tone(m.group(1)) or len(m.group(1)) >= 2]


def repair_pinyin_artifact(text: str) -> str:
    """`text` without converter readings: `發(fā)` → `發`."""
    return strip_artifacts(text)[0]


def strip_artifacts(text: str) -> tuple[str, list[int]]:
    """`text` without converter readings and, per kept character (plus one past the end),
    its offset in `text`, so that a match in the clean text maps back to the original."""
    spans = artifact_spans(text)
    if not spans:
        return text, list(range(len(text) + 1))
    out, offsets, pos = [], [], 0
    for start, end in spans:
        out.append(text[pos:start])
        offsets.extend(range(pos, start))
        pos = end
    out.append(text[pos:])
    offsets.extend(range(pos, len(text) + 1))
    return "".join(out), offsets


def _has_tone(s: str) -> bool:
    return any(c in TONE_MARKS for c in s)


def _is_syllable(s: str) -> bool:
    bare = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c) or c == "\u0308")
    return bool(_SYLLABLE.fullmatch(unicodedata.normalize("NFC", bare)))
