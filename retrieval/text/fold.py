"""Folding for matching (never for quoting: quotes are cut from the unfolded text).

`fold` makes `江北新區`, `江北新区` and `ＥＤＡ` meet `eda` for lexical search; `fold_zh`
(with a map back to the original offsets) and `fold_text` also drop quote marks and the
pinyin artifact, for matching vocabulary terms (专精特新“小巨人” and 專精特新小巨人 fold alike).
"""
from __future__ import annotations

import unicodedata

from retrieval.text.artifact import artifact_spans
from retrieval.text.chinese import to_simplified

_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
QUOTE_MARKS = frozenset("“”‘’\"'「」『』〝〞")
_TERM_FOLD = {**{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}, **{ord(q): None for q in QUOTE_MARKS}}


def fold_width(text: str) -> str:
    """Full-width ASCII (Ｅ, ５, ％, ，) → half-width, so `5.1％` matches `5.1%`."""
    return text.translate(_FULLWIDTH)


def fold(text: str) -> str:
    """Lexical-search fold: half-width, Simplified, lower case."""
    return to_simplified(fold_width(text)).lower()


def fold_zh(text: str) -> tuple[str, list[int]]:
    """Term-matching fold and, per folded character, its offset in `text`.

    Traditional→Simplified, full-width→half-width, lower case, quotes and the pinyin
    artifact removed."""
    simp = to_simplified(text)
    if len(simp) != len(text):  # phrase conversion changed the length: keep offsets exact
        simp = "".join(to_simplified(ch) if len(to_simplified(ch)) == 1 else ch for ch in text)
    drop = {i for s, e in artifact_spans(text) for i in range(s, e)}
    out, idx = [], []
    for i, ch in enumerate(simp):
        if i in drop or ch in QUOTE_MARKS:
            continue
        n = unicodedata.normalize("NFKC", ch)
        out.append((n if len(n) == 1 else ch).lower())
        idx.append(i)
    return "".join(out), idx


def fold_text(text: str) -> str:
    """`fold_zh` without the offset map, fast enough for whole documents: a term key occurs
    in `fold_text(doc)` exactly when it would match in the document."""
    spans = artifact_spans(text)
    if spans:
        keep, pos = [], 0
        for s, e in spans:
            keep.append(text[pos:s])
            pos = e
        text = "".join(keep) + text[pos:]
    return to_simplified(text).translate(_TERM_FOLD).lower()
