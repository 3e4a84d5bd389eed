"""Which script a text is written in (pure; no converter, no segmenter)."""
from __future__ import annotations

import re

# Han characters: the CJK blocks, compatibility ideographs and the supplementary planes
# (rare name characters). One class for every module, so a character is Chinese for all.
HAN_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
CJK_RE = re.compile(f"[{HAN_RANGES}]")
CJK_RUN_RE = re.compile(f"[{HAN_RANGES}]+")


def has_cjk(text: str) -> bool:
    """Whether any Han character occurs in `text`."""
    return bool(CJK_RE.search(text or ""))


def cjk_ratio(text: str) -> float:
    """Han characters as a share of all letters."""
    letters = sum(1 for c in text if c.isalpha())
    return len(CJK_RE.findall(text)) / letters if letters else 0.0


def script_of(text: str) -> str:
    """"zh" when the text is mostly Chinese characters, else "en" (other Latin-script text included).

    The one verdict on a question's or a sentence's own script: fusion weights, the
    dictionary bridge, expansions and renderings all ask this."""
    return "zh" if cjk_ratio(text) >= 0.3 else "en"
