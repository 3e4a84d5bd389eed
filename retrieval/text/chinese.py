"""Traditional/Simplified conversion: the one OpenCC wrapper (converters are built once per config)."""
from __future__ import annotations

from functools import lru_cache

from retrieval.text.script import CJK_RE


@lru_cache(maxsize=None)
def _converter(config: str):
    import opencc  # lazy: building a converter reads its dictionaries

    return opencc.OpenCC(config)


def convert(text: str, config: str) -> str:
    """OpenCC `config` ("t2s", "s2t", "s2tw", "s2hk", ...) applied to `text`."""
    return _converter(config).convert(text)


def to_simplified(text: str) -> str:
    """Traditional → Simplified; text without Han characters is returned as it is."""
    return convert(text, "t2s") if CJK_RE.search(text) else text


def simplified_in_place(text: str) -> str:
    """`text` in Simplified with every character where it was (offsets into one hold for the
    other); `text` itself when it has nothing to convert. Where OpenCC's phrase conversion changes
    the length, the characters are converted one by one."""
    if not CJK_RE.search(text):
        return text
    simp = convert(text, "t2s")
    if simp == text:
        return text
    if len(simp) != len(text):
        simp = "".join(c if len(c := convert(ch, "t2s")) == 1 else ch for ch in text)
    return simp


def to_traditional(text: str) -> str:
    """OpenCC's own Simplified → Traditional (the gazetteer's Traditional keys)."""
    return convert(text, "s2t")


def traditional_forms(text: str) -> list[str]:
    """Taiwan and Hong Kong character standards; OpenCC's own s2t (羣, 臺) is rarely written."""
    return list(dict.fromkeys([convert(text, "s2tw"), convert(text, "s2hk")]))


def changes_under_t2s(char: str) -> bool:
    """Whether a character is a Traditional form (it changes when converted to Simplified)."""
    return convert(char, "t2s") != char


# Traditional text changes on about every third Han character under t2s; Simplified text
# with a few stray Traditional characters (old OCR) stays well under this share.
TRADITIONAL_SHARE = 0.15


def chinese_variant(text: str) -> str:
    """"zh-Hant" or "zh-Hans": the one rule for documents and questions alike."""
    chars = "".join(CJK_RE.findall(text))
    if not chars:
        return "zh-Hans"
    changed = sum(a != b for a, b in zip(chars, convert(chars, "t2s")))
    return "zh-Hant" if changed > TRADITIONAL_SHARE * len(chars) else "zh-Hans"
