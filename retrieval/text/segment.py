"""Chinese word segmentation: the one jieba instance every module uses."""
from __future__ import annotations

import logging
from functools import lru_cache


@lru_cache(maxsize=1)
def jieba():
    """The jieba module, initialised once (lazy: loading its dictionary takes about a second)."""
    import jieba as _jieba

    _jieba.setLogLevel(logging.WARNING)
    _load_cache(_jieba)
    _jieba.initialize()  # builds and caches the dictionary when the fast path found no cache
    return _jieba


def _load_cache(module) -> None:
    """Read jieba's dictionary cache in one piece: jieba's own `marshal.load(file)` reads the
    9 MB file in small pieces and takes 0.6 s of a cold `planbot ask`; `marshal.loads` of the
    bytes takes 0.2 s. Same file, same data; anything unexpected leaves it to jieba."""
    import marshal
    import os
    import tempfile

    dt = module.dt
    if dt.initialized or dt.cache_file or dt.dictionary != module.DEFAULT_DICT:
        return
    try:
        with open(os.path.join(dt.tmp_dir or tempfile.gettempdir(), "jieba.cache"), "rb") as fh:
            freq, total = marshal.loads(fh.read())
    except (OSError, ValueError, EOFError, TypeError):
        return
    if isinstance(freq, dict) and freq:
        with dt.lock:
            dt.FREQ, dt.total, dt.initialized = freq, total, True


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
