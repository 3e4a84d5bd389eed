"""Where the cleaned text sits in the original file (pure functions).

Cleaning only deletes (chrome lines, front matter, heading marks, pinyin artifacts,
indentation) and rewrites whitespace (line joins), so the cleaned text is the file's text
with gaps. `offset_map` aligns the two once, at ingest, into anchors: `(clean, source)`
pairs after which both texts run on character for character until the next anchor.
A quote's `text[start:end]` is then found in the file at `to_source(map, start)` ...
`to_source_end(map, end)`.
"""
from __future__ import annotations

from bisect import bisect_right
from typing import Optional, Sequence

Anchors = list[list[int]]  # [[clean offset, source offset], ...], both increasing

_PROBE = 32  # characters of the cleaned text looked for in the source after a gap
_WINDOW = 200_000  # gaps are searched this far ahead first (chrome between paragraphs is shorter)
_NEAR = 16  # the longest probe's match this close after a gap is taken at once
_FAR = 2000  # a shorter probe's match this much nearer than the longest's is preferred
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\r"


def offset_map(source: str, clean: str) -> Anchors:
    """Anchors mapping offsets in `clean` to offsets in `source`.

    Runs of equal characters are followed; whitespace matches whitespace (a line join
    turns "\\n" into " " or ""); after a gap (dropped text in the source) the next few
    cleaned characters are looked up ahead, longest probe first, so a short fragment is
    not matched inside the dropped text. Linear in practice: each lookup starts where
    the last match ended.
    """
    anchors: Anchors = []
    i = j = 0
    n, m = len(clean), len(source)
    run_start = None  # whether the current run has an anchor yet
    while i < n and j < m:
        c, s = clean[i], source[j]
        if c == s or (c.isspace() and s.isspace()):
            if run_start is None:
                anchors.append([i, j])
                run_start = i
            i += 1
            j += 1
            # whitespace in the source beyond what the cleaned text kept ("\n\n\n" -> "\n\n")
            if c.isspace() and (i >= n or not clean[i].isspace()):
                while j < m and source[j].isspace():
                    j += 1
                run_start = None
            continue
        if c.isspace():  # a space the cleaning inserted where the source had none
            i += 1
            run_start = None
            continue
        if s.isspace() or s in _INVISIBLE:  # a joined line break, a zero-width space
            j += 1
            run_start = None
            continue
        j = _next_match(source, clean, i, j)
        run_start = None
        if j < 0:  # not in the source at all (should not happen): keep the last anchor's mapping
            break
    return _compact(anchors)


def _next_match(source: str, clean: str, i: int, j: int) -> int:
    """Where clean[i:] resumes in source[j:]: where the longest probe that occurs is found,
    unless a shorter probe occurs much nearer (a longer one can run into the next gap, a
    dropped "(fā)" a few characters on, and then only match a repetition far ahead; a
    short one alone can match inside the dropped text, such as the title line)."""
    end_line = clean.find("\n", i)
    stop = len(clean) if end_line < 0 else end_line
    k = min(_PROBE, stop - i) or 1
    first = -1
    while k >= 1:
        probe = clean[i:i + k]
        at = source.find(probe, j, j + _WINDOW)
        if at < 0:
            at = source.find(probe, j)
        if at >= 0:
            if first < 0:
                if at - j <= _NEAR:
                    return at
                first = at
            elif first - at > _FAR:
                return at
        k //= 2
    return first


def _compact(anchors: Anchors) -> Anchors:
    """Drop anchors that continue the previous run (same shift)."""
    out: Anchors = []
    for c, s in anchors:
        if out and s - out[-1][1] == c - out[-1][0]:
            continue
        out.append([c, s])
    return out


def to_source(anchors: Sequence[Sequence[int]], pos: int) -> int:
    """Source offset of clean offset `pos` (a start)."""
    if not anchors:
        return pos
    k = _bisect(anchors, pos)
    if k < 0:
        return anchors[0][1]
    c, s = anchors[k]
    return s + (pos - c)


def to_source_end(anchors: Sequence[Sequence[int]], end: int) -> int:
    """Source offset just after clean character `end - 1` (an end), so a gap after it is not included."""
    return to_source(anchors, end - 1) + 1 if end > 0 else to_source(anchors, 0)


def _bisect(anchors: Sequence[Sequence[int]], pos: int) -> int:
    lo, hi = 0, len(anchors)
    while lo < hi:
        mid = (lo + hi) // 2
        if anchors[mid][0] <= pos:
            lo = mid + 1
        else:
            hi = mid
    return lo - 1


def paragraph_of(starts: Sequence[int], source_pos: int) -> int:
    """Index of the paragraph (block) holding `source_pos`, given each block's start offset."""
    return max(0, bisect_right(list(starts), source_pos) - 1)


def file_span(file_offsets: dict, start: int, end: int) -> tuple[Optional[int], Optional[int], str]:
    """(file_start, file_end, unit) of `text[start:end]` from a document's `file_offsets`.

    "char"/"extracted-char"/"row-char": character offsets, end exclusive; "paragraph":
    indexes of the first and last paragraph (end inclusive). (None, None, "") when the
    document was indexed before offsets were kept."""
    anchors = file_offsets.get("map") if file_offsets else None
    if anchors is None:
        return None, None, ""
    unit = file_offsets.get("unit", "char")
    s, e = to_source(anchors, start), to_source_end(anchors, end)
    if unit == "paragraph":
        starts = file_offsets.get("starts") or [0]
        return paragraph_of(starts, s), paragraph_of(starts, max(s, e - 1)), unit
    return s, e, unit
