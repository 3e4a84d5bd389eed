"""Chinese word segmentation: the one jieba instance every module uses."""
from __future__ import annotations

import logging
from functools import lru_cache


@lru_cache(maxsize=1)
def jieba():
    """The jieba module, initialised once (lazy: loading its dictionary takes about a second)."""
    import jieba as _jieba

    _jieba.setLogLevel(logging.WARNING)
    _jieba.initialize()
    return _jieba


def cut(text: str) -> list[str]:
    """Words of `text` (accurate mode), in order, covering it."""
    return list(jieba().cut(text))


def cut_for_search(text: str) -> list[str]:
    """Words plus their sub-words (生产总值 also yields 生产/总值): what BM25 indexes."""
    return list(jieba().cut_for_search(text))


@lru_cache(maxsize=256)
def pos_tags(simplified: str) -> tuple[tuple[str, str], ...]:
    """jieba's (word, part-of-speech) segmentation of Simplified text (cached: a question asks twice)."""
    jieba()
    import jieba.posseg as pseg  # lazy with jieba itself

    return tuple((w.word, w.flag) for w in pseg.cut(simplified))


def word_frequencies() -> dict[str, int]:
    """jieba's dictionary: word -> frequency."""
    return jieba().dt.FREQ
