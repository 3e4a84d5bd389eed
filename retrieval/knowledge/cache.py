"""Data derived from packaged files, built once per machine and kept in the user's cache.

A parse that costs a noticeable part of a cold `planbot ask` (CC-CEDICT 1.5 s, the
vocabulary's Traditional forms 0.2 s and 40 MB of OpenCC dictionaries) is pickled under
`$XDG_CACHE_HOME/planbot` (default `~/.cache/planbot`), named by its source file's size and
modification time so that a changed source is parsed again. An unreadable cache is rebuilt;
an unwritable cache directory only costs the parse.
"""
from __future__ import annotations

import pickle
from pathlib import Path
from typing import Callable, Sequence, TypeVar

from retrieval.usercache import adopt, cache_dir, write_atomic

T = TypeVar("T")
_SOURCES: dict[Path, tuple[Path, ...]] = {}  # entry -> the files its name is keyed by


def cache_file(prefix: str, source: Path, version: int) -> Path:
    st = Path(source).stat()
    path = cache_dir() / f"{prefix}-v{version}-{st.st_size}-{int(st.st_mtime)}.pickle"
    _SOURCES.setdefault(path, (Path(source),))
    return path


def load_or_build(path: Path, build: Callable[[], T], sources: Sequence[Path] = ()) -> T:
    """The pickle at `path`, else `build()` written there (atomically: a reader meanwhile
    sees the old file or the new one). `sources`: every file the name is keyed by (default:
    the one `cache_file` was given), recorded so that stale entries of the kind are pruned
    (retrieval/usercache.py)."""
    sources = tuple(sources) or _SOURCES.get(path, ())
    for attempt in range(2):
        try:
            with open(path, "rb") as fh:
                found = pickle.load(fh)
            adopt(path, sources)
            return found
        except Exception:
            pass
        from retrieval.cachepack import restore

        if attempt or not sources or not restore(path, sources):  # from the index's pack, if it has it
            break
    built = build()
    write_atomic(path, lambda fh: pickle.dump(built, fh, protocol=pickle.HIGHEST_PROTOCOL),
                 sources=sources)
    return built
