"""Dictionaries read piecewise from the user's cache (retrieval/usercache.py): same answers as
the whole dictionary, rebuilt when damaged."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from retrieval.usercache import ShardedDict

REPO = Path(__file__).resolve().parent.parent
TEXTS = ["广东省地区生产总值增长5%左右，全力以赴推动高质量发展",
         "今年，新区力争完成固定资产投资700亿元，战略性新兴产业增加值占比提高到三成",
         "江苏省南京市江宁区的人工智能产业集群和长三角一体化示范区",
         "What GDP growth target does Guangdong set for 2025?"]


def test_a_filled_shard_dict_answers_every_substring_as_the_whole_dict(tmp_path):
    words = {"广": 1, "广东": 0, "广东省": 7, "东": 2, "省": 3, "生产": 0, "生产总值": 9, "总值": 4, "值": 1, "ab": 5}
    path = tmp_path / "d.shards"
    assert ShardedDict.write(path, words, {"total": 32})
    d = ShardedDict.open(path)
    assert d.extra == {"total": 32} and set(d.data) == {"广", "东", "省", "值"}, "one-character keys come at once"
    d.fill("广东省生产")
    text = "广东省生产"
    subs = {text[i:j] for i in range(len(text)) for j in range(i + 1, len(text) + 1)}
    assert {s: d.data.get(s) for s in subs} == {s: words.get(s) for s in subs}
    assert "总值" not in d.data and d["总值"] == 4 and "ab" in d and "zz" not in d, "a whole-key lookup reads its group"
    assert len(d) == len(words) and dict(d) == words
    path.write_bytes(path.read_bytes()[:50])
    assert ShardedDict.open(path) is None, "a damaged file is reported as missing, to be rebuilt"


def _run(code: str, cache: Path) -> list:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True, cwd=REPO)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_jieba_read_piecewise_cuts_as_jieba_does(tmp_path):
    ours = ("import json, sys; from retrieval.text import segment as s; "
            f"t = {TEXTS!r}; r = [[s.cut(x), s.cut_for_search(x)] for x in t]; "
            "print(json.dumps([r, s._shards is not None, len(s._module().dt.FREQ)]))")
    stock = ("import json, jieba; jieba.setLogLevel(60); "
             f"print(json.dumps([[jieba.lcut(x), jieba.lcut_for_search(x)] for x in {TEXTS!r}]))")
    want = _run(stock, tmp_path)
    first = _run(ours, tmp_path)  # builds the shard file from the whole dictionary
    assert list((tmp_path / "planbot").glob("jieba-*.shards"))
    again = _run(ours, tmp_path)
    assert first[0] == want and again[0] == want
    assert again[1] and again[2] < 100_000, "the later process read only the pieces these texts need"
    for p in (tmp_path / "planbot").glob("jieba-*.shards"):
        p.write_bytes(b"damaged")
    assert _run(ours, tmp_path)[0] == want


def test_part_of_speech_tags_read_piecewise_are_jiebas(tmp_path):
    ours = ("import json, sys; from retrieval.text import segment as s; "
            f"print(json.dumps([[list(map(list, s.pos_tags(x))) for x in {TEXTS!r}], len(s._posseg()[0].dt.word_tag_tab)]))")
    stock = ("import json, jieba, jieba.posseg as p; jieba.setLogLevel(60); "
             f"print(json.dumps([[[w.word, w.flag] for w in p.cut(x)] for x in {TEXTS!r}]))")
    want = _run(stock, tmp_path)
    assert _run(ours, tmp_path)[0] == want  # builds the shard files
    again = _run(ours, tmp_path)
    assert again[0] == want and again[1] < 100_000, "the later process read only the tags these texts need"


# -- pruning: an upgrade or reinstall must not leave another copy of every entry -------------------
def _source(path: Path, text: str, mtime: int) -> Path:
    path.write_text(text, encoding="utf-8")
    os.utime(path, (mtime, mtime))
    return path


def test_writing_an_entry_removes_its_kinds_stale_entries_and_keeps_live_ones(tmp_path, monkeypatch):
    from retrieval.knowledge.cache import cache_file, load_or_build

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    src = _source(tmp_path / "install-a.tsv", "a", 1_700_000_000)
    other = _source(tmp_path / "install-b.tsv", "bb", 1_700_000_100)  # a second install, still there
    old = cache_file("thing", src, 1)
    assert load_or_build(old, lambda: "old") == "old"
    live = cache_file("thing", other, 1)
    assert load_or_build(live, lambda: "other install") == "other install"
    folder = old.parent
    unrecorded = folder / "thing-v1-5-1600000000.pickle"  # written before entries had records
    unrecorded.write_bytes(b"x")
    unrelated = folder / "other-kind-v1-5-1600000000.pickle"
    unrelated.write_bytes(b"y")
    gone = _source(tmp_path / "install-c.tsv", "ccc", 1_700_000_200)
    removed_install = cache_file("thing", gone, 1)
    load_or_build(removed_install, lambda: "install c")
    gone.unlink()  # that checkout was deleted
    retired = folder / "cedict-bridge-v1-9238915-1796116253.pickle"
    retired.write_bytes(b"z")

    _source(src, "a, upgraded", 1_700_000_500)  # reinstall in place: new size and mtime
    new = cache_file("thing", src, 1)
    assert new != old and load_or_build(new, lambda: "new") == "new"

    assert new.exists() and live.exists() and unrelated.exists()
    assert not old.exists() and not unrecorded.exists() and not removed_install.exists() and not retired.exists()
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [new.name, new.name + ".source", live.name, live.name + ".source", unrelated.name])
    assert load_or_build(live, lambda: "rebuilt") == "other install", "the live install's entry is still read"


def test_a_reader_keeps_reading_an_entry_replaced_and_pruned_under_it(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    from retrieval.usercache import cache_dir

    src = _source(tmp_path / "dict.txt", "x", 1_700_000_000)
    words = {f"{a}{b}{c}": i for i, (a, b, c) in enumerate(zip("广东省江苏南京" * 50, "生产总值增长率" * 50, "目标投资亿元年" * 50))}
    first = cache_dir() / "words-v1-1-1700000000.shards"
    assert ShardedDict.write(first, words, sources=[src])
    reader = ShardedDict.open(first)  # another process mid-read: mapped, nothing loaded yet
    _source(src, "xy", 1_700_000_900)
    second = cache_dir() / "words-v1-2-1700000900.shards"
    assert ShardedDict.write(second, {"新": 1}, sources=[src])
    assert not first.exists(), "the stale entry is gone from the directory"
    assert dict(reader) == words, "but the process that had it open reads all of it"


def test_a_real_build_prunes_the_previous_installs_jieba_entry(tmp_path):
    """A process building jieba's shard file (the real dictionary, a real process) removes the
    entry an earlier install of jieba left and keeps one whose install is still there."""
    folder = tmp_path / "planbot"
    folder.mkdir()
    stale = folder / "jieba-0.42.1-v1-5071852-1700000000.shards"
    stale.write_bytes(b"from an older install")
    (folder / (stale.name + ".source")).write_text(json.dumps({"sources": [[str(tmp_path / "gone" / "dict.txt"), 5071852, 1700000000]]}))
    kept_src = _source(tmp_path / "dict.txt", "still installed", 1_700_000_000)
    kept = folder / f"jieba-0.42.1-v1-{kept_src.stat().st_size}-1700000000.shards"
    kept.write_bytes(b"another live install")
    (folder / (kept.name + ".source")).write_text(json.dumps({"sources": [[str(kept_src), kept_src.stat().st_size, 1700000000]]}))
    _run("import json; from retrieval.text import segment as s; print(json.dumps(s.cut('广东省')))", tmp_path)
    names = {p.name for p in folder.glob("jieba-0*.shards")}
    assert stale.name not in names and kept.name in names and len(names) == 2
    new = next(folder / n for n in names if n != kept.name)
    assert json.loads((folder / (new.name + ".source")).read_text())["sources"][0][0].endswith("jieba/dict.txt")


def test_the_warm_up_sweep_clears_deleted_installs_entries_and_adopts_what_this_one_reads(tmp_path, monkeypatch):
    """An entry written before records existed is recorded when this install reads it; `sweep`
    (run by every warm-up) then removes recorded entries whose install is gone, and leaves
    unrecorded ones (an older planbot elsewhere may be reading them) to the write-time prune."""
    import pickle

    from retrieval.knowledge.cache import cache_file, load_or_build
    from retrieval.usercache import sweep

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    src = _source(tmp_path / "vocab.tsv", "terms", 1_700_000_000)
    deleted = [_source(tmp_path / f"checkout{i}.tsv", "t" * i, 1_700_000_000 + i) for i in range(1, 3)]
    gone = [cache_file("terms", d, 1) for d in deleted]
    for g in gone:
        load_or_build(g, lambda: "a deleted checkout's")
    for d in deleted:
        d.unlink()
    current = cache_file("terms", src, 1)  # then an older planbot wrote these (no records)
    current.write_bytes(pickle.dumps("written by an older planbot"))
    unrecorded = current.parent / "terms-v1-5-1600000000.pickle"
    unrecorded.write_bytes(b"x")
    assert load_or_build(current, lambda: "rebuilt") == "written by an older planbot"
    assert (current.parent / (current.name + ".source")).exists(), "adopted when read"
    assert sorted(sweep()) == sorted(gone)
    assert sorted(p.name for p in current.parent.iterdir()) == sorted(
        [current.name, current.name + ".source", unrecorded.name])
    assert load_or_build(current, lambda: "rebuilt") == "written by an older planbot"


def test_numerals_ingest_read_with_cn2an_are_read_from_the_cache_by_later_processes(tmp_path):
    """What ingest read with cn2an (一百五, 百千万工程) is kept, so an ask over the same text reads
    the same figures without importing cn2an (0.1-0.2 s of a cold ask)."""
    text = "实施百千万工程，全市新增就业一百五万人，投资一千二百亿元。"
    code = ("import json, sys; from retrieval.knowledge import figures as f; "
            f"r = [[x.text, x.value] for x in f.extract_figures({text!r})]; saved = f.save_cn2an_readings(); "
            "print(json.dumps([r, 'cn2an' in sys.modules, saved]))")
    first = _run(code, tmp_path)
    assert first[1] and first[2] >= 1 and ["一百五万人", 1500000.0] in first[0]
    again = _run(code, tmp_path)
    assert again[0] == first[0] and not again[1] and again[2] == 0, "same figures, cn2an not imported"
    assert list((tmp_path / "planbot").glob("cn2an-readings-*.pickle.source"))


def _pack_case(tmp_path, monkeypatch, small_index, machine: str, text: str, mtime: int):
    """One "machine": its own import root holding the source file (as site-packages holds
    jieba's dict.txt) and its own empty user cache."""
    from retrieval import cachepack

    root = tmp_path / machine
    (root / "pkg").mkdir(parents=True)
    src = _source(root / "pkg" / "terms.tsv", text, mtime)
    monkeypatch.setattr(sys, "path", [str(root), *sys.path])
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / machine / "cache"))
    monkeypatch.setattr(cachepack, "_PACKS", [])
    cachepack._read_manifest.cache_clear()
    return src


def test_a_copied_index_carries_the_cache_entries_its_asks_read_and_only_valid_ones_are_used(tmp_path, monkeypatch, small_index):
    """An index built on machine A and copied to machine B (other paths, other mtimes, an empty
    user cache): B's loader takes the entry from the index's pack instead of building it, under
    B's own name for it; a pack entry whose source differs, whose bytes were damaged, or that
    other code wrote is not used (B builds)."""
    import shutil

    from retrieval import cachepack
    from retrieval.knowledge.cache import cache_file, load_or_build

    src_a = _pack_case(tmp_path, monkeypatch, small_index, "a", "same terms", 1_700_000_000)
    assert load_or_build(cache_file("terms", src_a, 1), lambda: "built on A") == "built on A"
    idx_a = tmp_path / "idx-a"
    shutil.copytree(small_index, idx_a)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a PID no process has now: an ingest killed while writing its pack
    (idx_a / f".tmp-usercache-{dead.pid}").mkdir()
    (idx_a / f".tmp-usercache-{dead.pid}" / "half.shards").write_bytes(b"x" * 100)
    (idx_a / f".tmp-usercache-{os.getppid()}").mkdir()  # a live process's: not ours to remove
    assert cachepack.write_pack(idx_a) >= 1
    assert not (idx_a / f".tmp-usercache-{dead.pid}").exists(), "a killed ingest's half-written pack is cleared"
    assert (idx_a / f".tmp-usercache-{os.getppid()}").exists()
    (idx_a / f".tmp-usercache-{os.getppid()}").rmdir()
    names = {e["name"] for e in json.loads((idx_a / "usercache" / "pack.json").read_text())["entries"]}
    assert cache_file("terms", src_a, 1).name in names

    def on_b(text: str, mtime: int, change=None):
        idx_b = tmp_path / f"idx-b{mtime}"
        shutil.copytree(idx_a, idx_b)
        if change:
            change(idx_b / "usercache")
        src_b = _pack_case(tmp_path, monkeypatch, small_index, f"b{mtime}", text, mtime)
        cachepack.use_pack(idx_b)
        entry = cache_file("terms", src_b, 1)
        return load_or_build(entry, lambda: "built on B"), entry

    got, entry = on_b("same terms", 1_800_000_001)
    assert got == "built on A" and entry.name.endswith("-1800000001.pickle"), "taken from the pack, B's own name"
    assert json.loads((entry.parent / (entry.name + ".source")).read_text())["sources"][0][2] == 1_800_000_001
    assert load_or_build(entry, lambda: "built on B") == "built on A", "and kept in B's cache"
    assert on_b("othr terms", 1_800_000_002)[0] == "built on B", "a source with other bytes (same size)"

    def damage(pack):
        p = pack / cache_file("terms", src_a, 1).name
        p.unlink()  # hard-linked to A's cache: replace, do not write through
        p.write_bytes(b"\0" * 20)
    assert on_b("same terms", 1_800_000_003, damage)[0] == "built on B", "an entry not as the pack recorded it"

    def other_code(pack):
        m = json.loads((pack / "pack.json").read_text())
        (pack / "pack.json").write_text(json.dumps({**m, "code": "0"}))
    assert on_b("same terms", 1_800_000_004, other_code)[0] == "built on B", "a pack written by other code"

    marker = tmp_path / "code-ran"

    def runs_code(pack):  # a pickle that calls open() when loaded, its manifest made to match
        import pickle
        import zlib

        class Payload:
            def __reduce__(self):
                return (open, (str(marker), "w"))
        name = cache_file("terms", src_a, 1).name
        data = pickle.dumps(Payload())
        (pack / name).unlink()
        (pack / name).write_bytes(data)
        m = json.loads((pack / "pack.json").read_text())
        for e in m["entries"]:
            if e["name"] == name:
                e.update(crc=zlib.crc32(data), size=len(data))
        (pack / "pack.json").write_text(json.dumps(m))
    assert on_b("same terms", 1_800_000_005, runs_code)[0] == "built on B", "a pickle naming a callable"
    assert not marker.exists(), "an index from elsewhere must not run code"
