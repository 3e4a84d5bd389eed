"""English questions over Chinese-only sources outside the curated vocabulary: the CC-CEDICT
bridge, named subjects, and the eval split that measures it (`--passages-lang`)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from retrieval.ask.coverage import bridged_coverage
from retrieval.ask.evidence import mentions_subjects
from retrieval.knowledge.bilingual import bridge, gloss_keys, translate
from retrieval.engine import Engine
from retrieval.ingest.run import ingest
from retrieval.text import fold, tokenize

from .conftest import REPO

# Our own words: a city's culture and car-industry news, nothing the planning vocabulary knows.
MUSEUM_ZH = """市博物馆年度报告

2025-01-10 来源：城市晚报

市博物馆去年共接待游客86万人次，比上年增加12万人次。
博物馆全年新增藏品3400件，举办临时展览21场。
市图书馆去年借出图书45万册，注册读者增长6%。
"""

CARS_ZH = """极氪发布年度交付数据

2025-01-03 来源：汽车周刊

极氪去年全年交付新车22.2万辆，同比增长87%。
公司在欧洲新开设门店40家。
"""


@pytest.fixture(scope="module")
def zh_engine(tmp_path_factory, encoder):
    root = tmp_path_factory.mktemp("zh-only")
    (root / "docs").mkdir()
    (root / "docs" / "museum.txt").write_text(MUSEUM_ZH, encoding="utf-8")
    (root / "docs" / "cars.txt").write_text(CARS_ZH, encoding="utf-8")
    ingest([root / "docs"], root / "index", encoder=encoder)
    return Engine(root / "index", encoder=encoder)


def test_english_words_translate_to_their_usual_chinese():
    got = translate(tokenize("How many visitors did the museum receive last year?"))
    assert "博物馆" in got["museum"] and "观众" in got["visitor"]
    assert got["last year"][0] == "去年", "a two-word phrase the dictionary knows is taken whole"
    assert "东京" in translate(["tokyo"])["tokyo"]
    # a place's gloss ("… county in Zhoukou, Henan") does not make it a translation of "Henan"
    assert "太康" not in translate(["henan"]).get("henan", ())


def test_chinese_words_bridge_to_english_keys():
    assert "defend" in bridge(tokenize("黑豹队的防守丢了多少分"))["防守"]
    assert gloss_keys("CL:個|个[ge4]") == [] and gloss_keys("to defend, to protect (against)") == ["defend", "protect"]


def test_a_chinese_sentence_covers_the_words_of_an_english_question():
    groups = bridge(tokenize("How many visitors did the museum receive?"))
    idf = {w: 2.0 for g in groups.values() for k in g for w in k.split()}
    right = "市博物馆去年共接待游客86万人次。"
    wrong = "市图书馆去年借出图书45万册。"
    cover = {s: bridged_coverage({}, {}, set(tokenize(s)), fold(s), groups, idf) for s in (right, wrong)}
    assert cover[right] > 0.6 > cover[wrong]


def test_english_question_is_answered_from_a_chinese_only_corpus(zh_engine):
    ans = zh_engine.ask("How many visitors did the city museum receive last year?")
    assert ans.answered, ans.notes
    assert "86万人次" in ans.quotes[0].text and "图书" not in ans.quotes[0].text
    assert any(f.english == "860,000 person-times" for f in ans.quotes[0].figures), ans.quotes[0].figures


def test_a_name_the_dictionary_cannot_translate_is_not_declined_in_a_chinese_corpus(zh_engine):
    # "Zeekr" is written 极氪 in the source; nothing can check that, so the sentences decide.
    ans = zh_engine.ask("How many cars did Zeekr deliver last year?")
    assert ans.answered, ans.notes
    assert "22.2万辆" in ans.quotes[0].text
    assert any("Zeekr" in n and "check" in n for n in ans.notes), "the user is told it could not be checked"
    museum = zh_engine.ask("How many visitors did the city museum receive last year?")
    assert not any("check" in n for n in museum.notes), "no name, nothing to warn about"


def test_a_translatable_name_missing_from_the_corpus_is_declined(zh_engine):
    ans = zh_engine.ask("How many visitors did Tokyo's museums receive last year?")
    assert not ans.answered
    assert ans.declined_because == "Nothing in the indexed sources mentions Tokyo."


def test_sentences_must_name_the_questions_subject_in_their_own_script():
    subjects = [("tokyo", "东京")]
    assert mentions_subjects("东京都去年GDP增长2%。", fold("东京都去年GDP增长2%。"), subjects)
    assert not mentions_subjects("上海去年GDP增长5%。", fold("上海去年GDP增长5%。"), subjects)
    assert mentions_subjects("Tokyo grew 2%.", "tokyo grew 2%.", subjects)
    # a name with no Chinese form cannot be held against a Chinese sentence
    assert mentions_subjects("极氪交付22万辆。", fold("极氪交付22万辆。"), [("zeekr",)])


def test_eval_splits_parallel_passages_by_language(tmp_path):
    set_dir = tmp_path / "twins"
    set_dir.mkdir()
    passages = [
        {"id": "zh:p1", "title": "museum", "lang": "zh", "text": MUSEUM_ZH.split("\n\n", 2)[2]},
        {"id": "en:p1", "title": "museum", "lang": "en",
         "text": "The city museum received 860,000 visits last year, 120,000 more than the year before."},
        {"id": "zh:p2", "title": "cars", "lang": "zh", "text": CARS_ZH.split("\n\n", 2)[2]},
        {"id": "en:p2", "title": "cars", "lang": "en", "text": "Zeekr delivered 222,000 new cars last year, up 87%."},
    ]
    questions = [
        {"id": "q1", "question": "How many visits did the city museum receive last year?", "lang": "en",
         "answers": ["86万人次", "860,000"], "passage_id": "zh:p1", "figure": True},
        {"id": "q2", "question": "How many new cars did Zeekr deliver last year?", "lang": "en",
         "answers": ["22.2万辆", "222,000"], "passage_id": "zh:p2", "figure": True},
    ]
    (set_dir / "passages.jsonl").write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in passages), encoding="utf-8")
    (set_dir / "questions.jsonl").write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in questions), encoding="utf-8")
    env = {"TMPDIR": str(tmp_path)}
    reports = {}
    for lang in ("en", "zh"):
        r = subprocess.run([sys.executable, "-m", "bot.cli", "eval", str(set_dir), "--passages-lang", lang, "--mode", "hybrid", "--json"],
                           cwd=REPO, capture_output=True, text=True, timeout=600, env={**__import__("os").environ, **env})
        assert r.returncode == 0, r.stderr
        reports[lang] = json.loads(r.stdout)["modes"]["hybrid"]
    assert reports["en"]["same_language"]["n"] == 2 and reports["zh"]["cross_language"]["n"] == 2
    for lang in ("en", "zh"):
        assert reports[lang]["all"]["recall@1"] == 1.0, "the twin in the indexed language counts as gold"
        assert reports[lang]["all"]["quote_hit_gold"] == 1.0, reports[lang]["rows"]
    bad = subprocess.run([sys.executable, "-m", "bot.cli", "eval", str(REPO / "tests" / "data" / "provincial-crosslingual"),
                          "--passages-lang", "zh"], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert bad.returncode != 0 and "passages.jsonl" in bad.stderr


def test_dictionary_cache_is_rebuilt_when_damaged(tmp_path, monkeypatch):
    import retrieval.knowledge.bilingual as bilingual

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    built = bilingual._indexes.__wrapped__()
    cache = bilingual._cache_file(bilingual.cedict_path())
    assert cache.parent == tmp_path / "planbot" and cache.exists()
    cache.write_bytes(b"not a pickle")
    again = bilingual._indexes.__wrapped__()
    assert again[0]["tokyo"] == built[0]["tokyo"] and len(again[1]) == len(built[1])
    assert bilingual._indexes.__wrapped__()[0]["last year"][0] == "去年", "the rewritten cache reads back"


def test_the_lexical_query_carries_translations_at_a_lower_weight(zh_engine):
    from retrieval.ask.bridge import bridged_query, question_bridge
    from retrieval.ask.spec import SPEC
    from retrieval.ask.search import query_tokens

    q = "How many visitors did the Henan museum receive?"
    analysis = zh_engine.analyse(q)
    own = query_tokens(q, analysis.expansions)
    got = bridged_query(own, question_bridge(q, analysis), SPEC.bridge_query_weight)
    assert got["博物馆"] == 0.3 and got["museum"] == 1.0
    assert all(got[t] == w for t, w in own.items()), "the question's own tokens keep their weight"
    assert not any(w in got for w in ("梆子腔", "四大石窟")), "a region is translated by the gazetteer, not the dictionary"


def test_a_one_character_noun_is_bridged_but_other_single_characters_are_not():
    from retrieval.ask.bridge import question_bridge
    from retrieval.ask.query import analyse

    q = "榆林去年产了多少钢和煤？"
    groups = question_bridge(q, analyse(q))
    assert "coal" in groups.get("煤", ()) and "steel" in groups.get("钢", ())
    assert "多" not in groups and "了" not in groups


def test_a_british_word_is_looked_up_as_its_american_one_too():
    from retrieval.knowledge.bilingual import translate

    groups = translate(["lift", "centre", "labour"])
    assert "电梯" in groups["lift"] and "抬起" in groups["lift"]  # both senses: the verb and the elevator
    assert "中心" in groups["centre"] and groups["labour"]
