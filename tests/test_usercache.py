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
