"""Chinese word segmentation: the one jieba instance every module uses.

jieba's dictionary (498,000 words and word prefixes) is a dict that takes ~0.15 s and ~60 MB to
load. `cut`, `cut_for_search` and `pos_tags` read it piecewise instead, from a shard file in the
user's cache (retrieval/usercache.py): before a text is cut, the entries its substrings can be
are added, which is all jieba ever looks up, so the words are the same. `jieba()` gives the
module with the whole dictionary, for any other use.
"""
from __future__ import annotations

import logging
import threading
from functools import lru_cache
from pathlib import Path
from collections.abc import Iterator, Mapping
from typing import Optional

from retrieval.cachepack import restore
from retrieval.usercache import ShardedDict, adopt, cache_dir

SHARDS_VERSION = 1
_lock = threading.RLock()
_shards: Optional[ShardedDict] = None  # while the dictionary is read piecewise


@lru_cache(maxsize=1)
def _module():
    import jieba as _jieba

    _jieba.setLogLevel(logging.WARNING)
    return _jieba


def jieba():
    """The jieba module with its whole dictionary loaded (lazily: loading it takes ~0.15 s)."""
    global _shards
    j = _module()
    if _shards is not None:
        with _lock:
            if _shards is not None:
                _shards.read_all()  # dt.FREQ is _shards.data: now complete
                _shards = None
    if not j.dt.initialized:
        with _lock:
            _load_cache(j)
            j.initialize()  # builds and caches the dictionary when the fast path found no cache
    return j


def _for(text: str):
    """jieba, with every dictionary entry a substring of `text` can be loaded."""
    sh = _shards
    if sh is not None:
        sh.fill(text)
        return _module()
    j = _module()
    if j.dt.initialized:
        return j
    return _start_lazy(text)


def _shard_file(j, what: str = "jieba") -> Optional[Path]:
    dt = j.dt
    if dt.dictionary != j.DEFAULT_DICT or dt.cache_file:
        return None  # a custom dictionary: jieba loads it itself
    st = _dict_file(j).stat()
    return cache_dir() / f"{what}-{j.__version__}-v{SHARDS_VERSION}-{st.st_size}-{int(st.st_mtime)}.shards"


def _dict_file(j) -> Path:
    return Path(j.__file__).parent / j.DEFAULT_DICT_NAME


def _start_lazy(text: str):
    global _shards
    with _lock:
        j = _module()
        if _shards is None and not j.dt.initialized:
            path = _shard_file(j)
            sh = ShardedDict.open(path) if path else None
            if sh is None and path and restore(path, [_dict_file(j)]):  # from the index's pack
                sh = ShardedDict.open(path)
            if sh is None:
                j = jieba()  # the whole dictionary, once; written as shards for the next process
                if path:
                    ShardedDict.write(path, j.dt.FREQ, {"total": j.dt.total}, sources=[_dict_file(j)])
                return j
            adopt(path, [_dict_file(j)])
            j.dt.FREQ, j.dt.total, j.dt.initialized = sh.data, sh.extra["total"], True
            _shards = sh
    return _for(text)


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
    return list(_for(text).cut(text))


def cut_for_search(text: str) -> list[str]:
    """Words plus their sub-words (生产总值 also yields 生产/总值): what BM25 indexes."""
    return list(_for(text).cut_for_search(text))


@lru_cache(maxsize=256)
def pos_tags(simplified: str) -> tuple[tuple[str, str], ...]:
    """jieba's (word, part-of-speech) segmentation of Simplified text (cached: a question asks twice)."""
    _for(simplified)
    pseg, tags = _posseg()
    if tags is not None:
        tags.fill(simplified)
    return tuple((w.word, w.flag) for w in pseg.cut(simplified))


@lru_cache(maxsize=1)
def _posseg():
    """(jieba.posseg, its word -> tag table as a ShardedDict or None). Importing jieba.posseg
    reads jieba's 5 MB dict.txt line by line for that table (0.15 s of a cold Chinese question);
    the table is read piecewise from the user's cache instead, like the dictionary: the tagger
    looks up only words of the text it tags."""
    import sys

    j = _module()
    path = _shard_file(j, "jieba-postags")
    preloaded = "jieba.posseg" in sys.modules
    tags = ShardedDict.open(path) if path and not preloaded else None
    if tags is None and path and not preloaded and restore(path, [_dict_file(j)]):  # from the index's pack
        tags = ShardedDict.open(path)
    if tags is None:
        import jieba.posseg as pseg

        if path and (not preloaded or not path.exists()):  # missing, or damaged (it did not open)
            ShardedDict.write(path, pseg.dt.word_tag_tab, sources=[_dict_file(j)])
        elif path:
            adopt(path, [_dict_file(j)])  # in use by the next process: keep it
        return pseg, None
    import io

    adopt(path, [_dict_file(j)])
    j.dt.get_dict_file = lambda: io.BytesIO()  # what POSTokenizer() reads at import: nothing
    try:
        import jieba.posseg as pseg
    finally:
        del j.dt.get_dict_file
    pseg.dt.word_tag_tab = tags.data
    return pseg, tags


def word_frequencies() -> Mapping[str, int]:
    """jieba's dictionary: word -> frequency (0 for a prefix of a word). Looking a word up reads
    only its part of the dictionary; iterating it reads all of it."""
    return _FREQUENCIES


class _Frequencies(Mapping):
    def __getitem__(self, word: str) -> int:
        return _for(word).dt.FREQ[word]

    def __iter__(self) -> Iterator[str]:
        return iter(jieba().dt.FREQ)

    def __len__(self) -> int:
        return len(jieba().dt.FREQ)


_FREQUENCIES = _Frequencies()
