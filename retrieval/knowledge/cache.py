"""Data derived from packaged files, built once per machine and kept in the user's cache.

A parse that costs a noticeable part of a cold `planbot ask` (CC-CEDICT 1.5 s, the
vocabulary's Traditional forms 0.2 s and 40 MB of OpenCC dictionaries) is pickled under
`$XDG_CACHE_HOME/planbot` (default `~/.cache/planbot`), named by its source file's size and
modification time so that a changed source is parsed again. An unreadable cache is rebuilt;
an unwritable cache directory only costs the parse.
"""
from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Callable, TypeVar

from retrieval.usercache import cache_dir

T = TypeVar("T")


def cache_file(prefix: str, source: Path, version: int) -> Path:
    st = Path(source).stat()
    return cache_dir() / f"{prefix}-v{version}-{st.st_size}-{int(st.st_mtime)}.pickle"


def load_or_build(path: Path, build: Callable[[], T]) -> T:
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except Exception:
        pass
    built = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(built, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass
    return built
