"""English stemming, light on purpose: figures are quoted, so "industrial" must not become "industry".

Two strengths, one module:
- `index_stem` folds plurals only. The lexical postings on disk are keyed by it, so
  changing it needs every index rebuilt.
- `stem` also meets -ing/-ed forms and British spellings, for matching vocabulary terms
  and dictionary glosses word by word.
"""
from __future__ import annotations

import re

# British and American spellings meet on one form before stemming.
_SPELLING = {
    "aluminium": "aluminum", "centre": "center", "centres": "centers", "metre": "meter",
    "metres": "meters", "kilometre": "kilometer", "kilometres": "kilometers", "fibre": "fiber",
    "programme": "program", "programmes": "programs", "labour": "labor", "tonne": "ton", "tonnes": "tons",
}


def index_stem(word: str) -> str:
    """Plural fold for BM25 tokens (lower-cased input)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def stem(word: str) -> str:
    """Term-matching stem: plurals, -ing/-ed forms, British spellings; nothing clever."""
    w = word.lower()
    acronym_plural = len(word) >= 3 and word[:-1].isupper() and word[-1] == "s"  # EVs, ICs
    w = re.sub(r"['’]s$", "", w)
    w = _SPELLING.get(w, w)
    w = re.sub(r"is(e|ed|es|ing|ation|ations)$", r"iz\1", w) if len(w) > 5 else w
    if w[0].isdigit():
        return w.replace(",", "")
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif w.endswith(("sses", "ches", "shes", "xes")):
        w = w[:-2]
    elif (len(w) > 3 or acronym_plural) and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) >= 7 and w.endswith("ing"):
        w = w[:-3]
    elif len(w) >= 6 and w.endswith("ed"):
        w = w[:-2]
    if len(w) >= 5 and w.endswith("e"):
        w = w[:-1]
    return w
