"""Sentence splitting for both scripts and chunk packing with character offsets (pure).

Every span is (start, end) into the document text, so an answer can quote
`text[start:end]` verbatim and cite where it came from.
"""
from __future__ import annotations

import re

from retrieval.text.script import CJK_RE, script_of

# A sentence ends at Chinese terminal punctuation, or at . ! ? followed by space, a
# capital letter (scraped English often loses the space: "held.Party secretary"),
# a CJK character or the end; closing quotes/brackets stay with their sentence.
# "5.5" and "U.S." never end a sentence; a year or figure does ("…rose 3 percent in 2023. The
# city…"), except a list item's number at the start of a line ("1. Targets", _ITEM_NUMBER).
_END = re.compile(
    r"""(?:[。！？；!?]+|(?<![A-Z])(?<!\b[A-Z][a-z])\.(?!\d)(?=\s|[A-Z][a-z]|[\u4e00-\u9fff]|$))[”’"'」』）)\]]*"""
)
_ITEM_NUMBER = re.compile(r"\s*[(（]?\d{1,3}[)）]?")
_PARA = re.compile(r"\n\s*\n|\n")
_SOFT = re.compile(r"[，,；;：:、]")

TARGET_UNITS = 180
OVERLAP_UNITS = 40
MAX_SENTENCE_UNITS = 360


def units(text: str) -> float:
    """Length in information units: one per Chinese character, ~one per 2 Latin characters.

    An English word carries about as much as 2–3 Chinese characters, so measuring
    chunks in raw characters would make English chunks semantically much smaller.
    """
    cjk = len(CJK_RE.findall(text))
    return cjk + (len(text) - cjk) / 2.0


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans within text[start:end], whitespace trimmed, empty ones dropped."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for p_start, p_end in _paragraphs(text, start, end):
        pos = p_start
        for m in _END.finditer(text, p_start, p_end):
            if text[m.start()] == "." and _ITEM_NUMBER.fullmatch(text, pos, m.start()):
                continue  # "1. Targets": the item's number, not a sentence
            _add(text, pos, m.end(), spans)
            pos = m.end()
        _add(text, pos, p_end, spans)
    return spans


def _paragraphs(text: str, start: int, end: int):
    pos = start
    for m in _PARA.finditer(text, start, end):
        yield pos, m.start()
        pos = m.end()
    yield pos, end


def _add(text: str, s: int, e: int, spans: list[tuple[int, int]]) -> None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if e > s and any(ch.isalnum() for ch in text[s:e]):
        spans.append((s, e))


def _split_long(text: str, s: int, e: int, limit: float) -> list[tuple[int, int]]:
    """Cut an over-long sentence at clause punctuation, else hard, so no chunk is unbounded.

    Lengths come from a running count of CJK characters, so the work is linear in the
    sentence length (a 3 MB line without punctuation is one "sentence")."""
    cjk = [0]
    for ch in text[s:e]:
        cjk.append(cjk[-1] + (1 if CJK_RE.match(ch) else 0))

    def size(a: int, b: int) -> float:  # == units(text[a:b])
        c = cjk[b - s] - cjk[a - s]
        return c + ((b - a) - c) / 2.0

    if size(s, e) <= limit:
        return [(s, e)]
    out, pos, last_cut = [], s, None
    for m in _SOFT.finditer(text, s, e):
        if size(pos, m.end()) > limit and last_cut and last_cut > pos:
            out.append((pos, last_cut))
            pos = last_cut
        last_cut = m.end()
    while size(pos, e) > limit:
        has_cjk = cjk[e - s] > cjk[pos - s]
        step = max(1, int(limit if has_cjk else limit * 2))
        cut = min(e, pos + step)
        out.append((pos, cut))
        pos = cut
    if pos < e:
        out.append((pos, e))
    return out


def chunk_spans(
    text: str,
    target: float = TARGET_UNITS,
    overlap: float = OVERLAP_UNITS,
    max_sentence: float = MAX_SENTENCE_UNITS,
) -> list[tuple[int, int]]:
    """Pack whole sentences into chunks of about `target` units; consecutive chunks share
    trailing sentences worth up to `overlap` units so a figure and its context meet in one chunk.

    A chunk holds one script: in bilingual notes an English paragraph and the Chinese one
    after it go to different chunks (each is embedded, tokenised and labelled with its own
    language); sentences without letters ("2023") go with either."""
    sentences: list[tuple[int, int]] = []
    for s, e in split_sentences(text):
        sentences.extend(_split_long(text, s, e, max_sentence))
    sizes = [units(text[s:e]) for s, e in sentences]
    scripts = [_script(text[s:e]) for s, e in sentences]
    chunks: list[tuple[int, int]] = []
    i = 0
    while i < len(sentences):
        j, size, script = i, 0.0, None
        while j < len(sentences) and (j == i or (size + sizes[j] <= target and not _other(script, scripts[j]))):
            size += sizes[j]
            script = script or scripts[j]
            j += 1
        chunks.append((sentences[i][0], sentences[j - 1][1]))
        if j >= len(sentences):
            break
        # step back over trailing sentences for the overlap, always advancing at least one;
        # not across a change of script
        k, back = j, 0.0
        while (k - 1 > i and back + sizes[k - 1] <= overlap
               and not _other(scripts[j], scripts[k - 1]) and not _other(scripts[j], script)):
            k -= 1
            back += sizes[k]
        i = k
    return chunks


def _script(sentence: str) -> str | None:
    if not any(ch.isalpha() for ch in sentence):
        return None
    return script_of(sentence)


def _other(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a != b
