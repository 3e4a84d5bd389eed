"""Document in, facts out: the composition of profile, sections, periods, kinds, regions."""
from __future__ import annotations

import re
from typing import Optional

from retrieval.facts import indicator, kind as kinds, measure as measures, period as periods
from retrieval.facts.cues import EN_COMPARISON, EN_DEADLINE, TARGET_LIST
from retrieval.facts.model import Fact
from retrieval.facts.place import Places, base_region
from retrieval.facts.profile import profile
from retrieval.facts.sections import SectionIndex, find_sections
from retrieval.facts.spans import clause_bounds, paragraphs, sentences
from retrieval.facts.tables import cell_at, table_cells
from retrieval.knowledge.figures import extract_figures
from retrieval.text.chinese import simplified_in_place
from retrieval.types import Document

_TARGET_LIST = re.compile(TARGET_LIST)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_QUICK = re.compile(r"[0-9０-９]|[一二两三四五六七八九十百千万亿]")
# figures that say nothing on their own: list numbers, bare years, "one of the"
_MINOR = {"months", "days", "years", "hours", "minutes", "seconds", "quarters", "working days"}
# serial numbers, not quantities: "1、2号机组", "1—5号泊位", "第3批"
_SERIAL_AFTER = re.compile(r"(?:\s*[、—\-～~至到]\s*[0-9０-９]+)*\s*[号號期批届屆线線]")
_LISTED_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
# a clause that is only a list of years before 分别 (with a verb-less lead like 其中)
_YEAR_LIST = re.compile(r"[^、，,；;0-9]{0,6}?(?:(?:19|20)\d{2}\s*年\s*[、，,和与與及]?\s*)+")
_RESPECTIVELY = re.compile(r"分别|分別|respectively")
# between two figures of one list: separators, after a unit the figure left out ("46位、82位")
_LIST_GAP = re.compile(r"^[\u4e00-\u9fff]?[、，,和与與及\s]*$")


def extract_facts(doc: Document, gazetteer=None, vocab=None) -> list[Fact]:
    """Every figure in `doc` as a Fact. `gazetteer`/`vocab` default to the packaged ones."""
    if gazetteer is None:
        from retrieval.knowledge.regions import load_gazetteer

        gazetteer = load_gazetteer()
    if vocab is None:
        from retrieval.knowledge.vocab import load_vocab

        vocab = load_vocab()
    written = doc.text or ""
    # the cues are written in Simplified: a Traditional document is read in its Simplified form of
    # the same length (分別為 is 分别为), and its figures, sentences and names are cut from it as written
    text = simplified_in_place(written)
    prof = profile(doc.title, doc.date, doc.path)
    secs = SectionIndex(find_sections(text, prof))
    base = base_region(doc, prof.kind, gazetteer)
    places = Places(gazetteer, written, base)
    target_paras = _target_paragraphs(text)
    cells = table_cells(text, prof.year)
    out: list[Fact] = []
    lead: Optional[periods.Period] = None  # a past year said by the sentence before, which has no figure
    opener = False  # the lead was said by the paragraph's first sentence
    last_end = 0
    # a section that says no year in its heading (of an undated document, or one dated the next
    # year): the year its first figure sentence opens with ("一、发展基础" / "2024年，浏阳经开区实现…") is that of the section's
    # later results that say no time of their own (section start -> Period)
    section_year: dict[int, Optional[periods.Period]] = {}
    # the year the paragraph's latest sentence to say one opened with (in English: said first,
    # _said_year): "In 2024, Shenmu produced…" dates the later results that say no time ("The
    # share of coal converted locally rose to 32 percent"), outside sections that date their own figures
    para_year: Optional[periods.Period] = None
    for s0, s1 in sentences(text):
        sent = text[s0:s1]
        first = last_end == 0 or "\n" in text[last_end:s0]
        if first:
            lead = None  # a lead sentence speaks for its own paragraph only
            para_year = None
        last_end = s1
        figs = [f for f in extract_figures(written[s0:s1]) if f.unit not in _MINOR and not _SERIAL_AFTER.match(sent, f.end)] \
            if _QUICK.search(sent) else []
        if not figs:
            if secs.at(s0).years is None and prof.year is not None:
                para_year = _said_year(sent, prof.year, not _CJK.search(sent)) or para_year
            said = _past_lead(sent, prof.year, secs.at(s0).years, lead)
            if first or said is not lead:
                opener = first and said is not None  # a lead said later speaks for the next sentence only
            lead = said
            continue
        sec = secs.at(s0)
        if sec.years is None and sec.start not in section_year:
            said = periods.time_phrases(sent, prof.year, sec.years)
            opening = said[0][2] if said and not sent[:said[0][0]].strip() else None
            # in a dated document only the year before its date counts (a plan of 2025-03 opening
            # "2024年，开发区实现…" reviews 2024; its untimed results are not of 2025)
            section_year[sec.start] = opening if opening is not None and opening.lo == opening.hi \
                and opening.lo is not None and not opening.months \
                and (prof.year is None or (opening.lo == prof.year - 1 and sec.heading)) else None
        carried = lead
        if not opener or periods.time_phrases(sent, prof.year, sec.years):
            lead = None
        # else a paragraph opened by its year ("过去一年，…冲击。") speaks for every sentence after it
        # that says no time of its own ("全年国内生产总值增长3%…。货物进出口总额增长7.7%。财政赤字率控制在2.8%")
        english = not _CJK.search(sent)
        matches = vocab.matches(sent)
        tl = next((a for a, b in target_paras if a <= s0 < b), None)
        paired = _respectively(sent, s0, figs, places)
        year_paired = _respective_years(sent, figs)
        for f in figs:
            # English commas join far looser than Chinese ones: an English clause runs to ; only
            clause = clause_bounds(sent, 0, len(sent), f.start, lists_only=english)
            in_list = tl is not None and s0 + f.start > tl
            achieved_hint = kinds._nearest(kinds._ACHIEVED, sent, 0, len(sent)) is not None or prof.kind == "article"
            per = periods.resolve(sent, f.start, f.end, clause, prof.year, prof.month, sec.years,
                                  prof.kind == "article", achieved_hint,
                                  prof.review_year if prof.kind == "communique" else None)
            if carried is not None and not per.explicit:
                per = carried  # "过去一年，我们的各项工作取得了很大成绩。国内生产总值增长10.3%"
            per = year_paired.get(f.start, per)
            per = periods.average_span(sent, f.start, clause, per, sec.years, prof.year)
            per = periods.cumulative_span(sent, f.start, f.end, clause, per)
            cell = cell_at(cells, s0 + f.start) if cells else None
            if cell is not None and cell.column.period is not None:
                per = cell.column.period  # "指标\t2024年\t2025年目标" over the row
            k = kinds.decide(sent, f, clause, sec.role, in_list, per, sec.years, prof.year)
            if para_year is not None and not per.explicit and cell is None and sec.years is None and k == "achieved" \
                    and kinds.decide(sent, f, clause, sec.role, in_list, para_year, sec.years, prof.year) == "achieved":
                per = para_year  # the paragraph's year speaks before the section's
            if not per.explicit and (per.lo is None or per.lo == prof.year) and section_year.get(sec.start) is not None \
                    and cell is None:
                dated = section_year[sec.start]
                if k == "achieved" and kinds.decide(sent, f, clause, sec.role, in_list, dated, sec.years, prof.year) == "achieved":
                    # a result the section's opening year speaks for (and a change against a base
                    # year is read against that year, not the document's)
                    per = periods.cumulative_span(sent, f.start, f.end, clause, dated)
            if cell is not None and cell.column.kind is not None:
                k = cell.column.kind
            if sec.role == "other" and not per.explicit:
                per = periods.UNKNOWN  # a glossary entry or annex definition has no period of its own
            if k in ("achieved", "forecast") and not per.explicit and sec.years is None and prof.kind == "article" \
                    and prof.year is not None and per.lo == prof.year and _last_year(sent):
                per = periods.Period(prof.year - 1, prof.year - 1, explicit=True)
            region = paired.get(f.start) or places.region_at(s0 + clause[0] if not english else s0, s0 + f.start, s0)
            ind_id, ind_text = indicator.decide_in_sentence(vocab, sent, clause[0], f.start, matches, f.end)
            if written is not text and (at := sent.find(ind_text)) >= 0 and ind_text:
                ind_text = written[s0 + at:s0 + at + len(ind_text)]
            m = measures.decide(sent, f, clause[0], ind_id, k)
            out.append(Fact(
                doc_id=doc.doc_id, figure=f.text, value=f.value, unit=f.unit, measure=m, kind=k, period=str(per),
                region_id=region, indicator_id=ind_id, indicator_text=ind_text, sentence=written[s0:s1],
                start=s0 + f.start, end=s0 + f.end, sentence_start=s0, value_high=f.value_high,
                qualifier=f.qualifier, english=f.english, chinese=f.chinese,
            ))
        if sec.years is None and prof.year is not None:
            para_year = _said_year(sent, prof.year, english) or para_year
    return out


# a year of a comparison or a deadline: "up from 26.0 billion yuan in 2023", "compared with 2019", "By 2027"
_EN_COMPARED_YEAR = re.compile(rf"\b(?:{EN_COMPARISON}|{EN_DEADLINE})\b(?:[^,;.]|[.,](?=\d)){{0,36}}$", re.I)


def _said_year(sent: str, pub_year: int, english: bool) -> Optional[periods.Period]:
    """The one year, up to the publication year, a sentence says its results are of: the time it
    opens with ("2024年，…"), or in English the first it says that is no comparison's or deadline's
    ("…reached 41.5 billion yuan last year, up from…"; not "compared with 2019 and 2023", "By 2027")."""
    for a, _, p in periods.time_phrases(sent, pub_year, None):
        if english and _EN_COMPARED_YEAR.search(sent[max(0, a - 50):a]):
            continue
        if not english and sent[:a].strip():
            return None
        ok = p.lo == p.hi and p.hi is not None and p.hi <= pub_year and not p.months
        return p if ok else None
    return None


def _respectively(sent: str, s0: int, figs, places: Places) -> dict[int, str]:
    """"厦门、福州机场旅客吞吐量分别达2790.6万人次、1529.9万人次": the i-th figure of a 分别 list is
    the i-th place's. A 分别 clause naming no place pairs its figures with the places of the clause
    before ("天水经开区、张掖经开区全国排名46位、82位，分别提升6位、49位"), and so does that clause's own
    run of as many figures. Places followed by another list before 分别 ("宁波舟山港货物和集装箱吞吐量
    分别增长4%、11.3%") are not what the figures pair with. Returns figure start (in the sentence) -> region id."""
    out: dict[int, str] = {}
    for m in _RESPECTIVELY.finditer(sent):
        lo, _ = clause_bounds(sent, 0, len(sent), m.start())
        named = places.listed(s0 + lo, s0 + m.start())
        runs = [_run(sent, figs, m.end())]
        if not places.subjects(s0 + lo, s0 + m.start()) and lo >= 2 and sent[lo - 1] in "，,":
            prev_lo, _ = clause_bounds(sent, 0, len(sent), lo - 2)
            first = next((f for f in figs if prev_lo <= f.start < lo), None)
            if first is not None:
                named = places.listed(s0 + prev_lo, s0 + first.start)
                earlier = _run(sent, figs, first.start)
                if earlier and earlier[-1].end <= lo:
                    runs.append(earlier)
        if len(named) >= 2:
            for run in runs:
                if len(run) == len(named):
                    out.update({f.start: rid for f, rid in zip(run, named)})
    return out


def _respective_years(sent: str, figs) -> dict[int, periods.Period]:
    """"2022年、2023年和2024年分别新增42家、51家和63家": the i-th figure of a 分别 list is the i-th
    year's, when the clause lists as many years before 分别. Returns figure start -> Period."""
    out: dict[int, periods.Period] = {}
    for m in _RESPECTIVELY.finditer(sent):
        lo, _ = clause_bounds(sent, 0, len(sent), m.start())
        years = [int(y) for y in _LISTED_YEAR.findall(sent, lo, m.start())]
        run = _run(sent, figs, m.end())
        if len(years) >= 2 and len(run) == len(years) and _YEAR_LIST.fullmatch(sent, lo, m.start()):
            out.update({f.start: periods.Period(y, y, explicit=True) for f, y in zip(run, years)})
    return out


def _run(sent: str, figs, start: int) -> list:
    """The figures from `start` on that follow one another in a list ("6位、49位")."""
    run = []
    for f in figs:
        if f.start < start:
            continue
        if run and not _LIST_GAP.match(sent[run[-1].end:f.start]):
            break
        run.append(f)
    return run


def _past_lead(sentence: str, pub_year: Optional[int], section_years,
               lead: Optional[periods.Period] = None) -> Optional[periods.Period]:
    """The one year before the publication year that a figure-less sentence is about ("过去一年，我们的
    各项工作取得了很大成绩。"): the next sentence with figures in its paragraph, saying no period of
    its own, reports that year. A figure-less sentence that says no period keeps the `lead` before it."""
    if pub_year is None:
        return None
    said = {p for _, _, p in periods.time_phrases(sentence, pub_year, section_years)}
    if not said:
        return lead
    if len(said) != 1:
        return None
    (p,) = said
    return p if p.lo == p.hi and p.hi is not None and p.hi < pub_year and not p.months else None


def _last_year(sentence: str) -> bool:
    return bool(re.search(r"last year|去年|上年", sentence, re.I))


def _target_paragraphs(text: str) -> list[tuple[int, int]]:
    """(offset where the target list starts, paragraph end) for paragraphs stating the year's targets."""
    out = []
    for a, b in paragraphs(text):
        m = _TARGET_LIST.search(text, a, b)
        if m:
            out.append((m.end(), b))
    return out
