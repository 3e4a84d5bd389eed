"""The arguments of a typed table command (Slack's `/compare` and `/trend`), read as the CLI reads
`planbot compare` / `planbot trend`: the indicator in words, then the CLI's options, or plain
words that name the places, the year and target/achieved.

    GDP growth --level province --period 2025 --kind target
    GDP growth --region national --from 2000
    R&D intensity Jiangsu, Zhejiang, Guangdong          (plain words: see route.parse)

An option that takes text (`--regions`, `--region`) takes every word up to the next option, so
`--region Inner Mongolia` needs no quotes; the others take one word. Slack clients often turn a
typed `--` into a dash (—, –), so those are read as `--` too. Split in two so that a bad option
is answered in the slash command's acknowledgement, before anything is queued:
`split_options` (pure, no index) and `table_request` (places read with the gazetteer).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

from retrieval.compare.route import parse
from retrieval.errors import BadQuestion
from retrieval.text.fold import fold_width


@dataclass(frozen=True)
class Option:
    flag: str
    dest: str  # the Comparer's keyword
    kind: str  # "text" (words up to the next option), "list" (comma-separated), "year", "number", "choice", "flag"
    choices: tuple[str, ...] = ()


_KIND = Option("--kind", "kind", "choice", ("target", "achieved"))
OPTIONS: dict[str, tuple[Option, ...]] = {
    "compare": (Option("--regions", "regions", "list"), Option("--level", "level", "choice", ("province", "city")),
                Option("--period", "period", "year"), _KIND, Option("--sort", "sort", "flag"),
                Option("--above", "above", "number"), Option("--below", "below", "number")),
    "trend": (Option("--region", "region", "text"), _KIND, Option("--from", "since", "year"),
              Option("--to", "until", "year")),
}
USAGE = {
    "compare": ("`/compare INDICATOR [--regions A,B,C | --level province|city] [--period YEAR] [--kind target|achieved] "
                "[--sort] [--above X] [--below X]`, or plain words: `/compare R&D intensity Jiangsu, Zhejiang, Guangdong`, "
                "`/compare GDP growth --level province --period 2025 --kind target`"),
    "trend": ("`/trend INDICATOR [--region NAME] [--kind target|achieved] [--from YEAR] [--to YEAR]`, for example "
              "`/trend GDP growth --region national --from 2000` or `/trend 地区生产总值增长 江苏`"),
}
_DASHES = re.compile(r"(?:(?<=\s)|^)(?:[—–]|[—–]-|-[—–]|−−)(?=[A-Za-z])")  # —level, –level, −−level → --level
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "＂": '"'})
_YEAR = re.compile(r"(?:19|20)\d\d")
_LIST_SPLIT = re.compile(r"\s*[,，、;；]\s*")


class CommandError(BadQuestion):
    """A command's arguments cannot be read; the message says what is wrong and how to write them."""

    def __init__(self, what: str, problem: str) -> None:
        super().__init__(f"{problem}. Usage: {USAGE[what]}")
        self.problem = problem


def split_options(text: str, what: str) -> tuple[str, dict[str, Any]]:
    """(the plain words, {keyword: value} of the options given), or CommandError (no indicator words too)."""
    if what not in OPTIONS:
        raise ValueError(f"no such table command: {what}")
    known = {o.flag: o for o in OPTIONS[what]}
    tokens = _DASHES.sub("--", (text or "").translate(_QUOTES)).split()
    words: list[str] = []
    options: dict[str, Any] = {}
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        i += 1
        if not tok.startswith("--") or tok == "--":
            words.append(tok)
            continue
        flag, eq, inline = tok.partition("=")
        opt = known.get(flag.lower())
        if opt is None:
            raise CommandError(what, f"`{flag}` is not an option of /{what} (it takes {', '.join(known)})")
        if opt.dest in options:
            raise CommandError(what, f"`{opt.flag}` is given twice")
        if opt.kind == "flag":
            if eq:
                raise CommandError(what, f"`{opt.flag}` takes no value")
            options[opt.dest] = True
            continue
        if eq:
            values = [inline] if inline else []
        elif opt.kind == "text" or opt.kind == "list":
            values = []
            while i < len(tokens) and not tokens[i].startswith("--"):
                values.append(tokens[i])
                i += 1
        else:
            values = tokens[i:i + 1] if i < len(tokens) and not tokens[i].startswith("--") else []
            i += len(values)
        raw = " ".join(values).strip().strip("\"'")
        if opt.kind in ("year", "number"):
            raw = fold_width(raw)
        if not raw:
            raise CommandError(what, f"`{opt.flag}` needs a value")
        options[opt.dest] = _value(what, opt, raw)
    if "regions" in options and "level" in options:
        raise CommandError(what, "give `--regions` or `--level`, not both")
    indicator = " ".join(words).strip().strip("\"'").strip()
    if not indicator:
        raise CommandError(what, "name an indicator first (\"GDP growth\", 地区生产总值增长, \"R&D intensity\")")
    return indicator, options


def _value(what: str, opt: Option, raw: str) -> Any:
    if opt.kind == "choice":
        if raw.lower() not in opt.choices:
            raise CommandError(what, f"`{opt.flag}` is one of {', '.join(opt.choices)}, not `{raw}`")
        return raw.lower()
    if opt.kind == "year":
        if not _YEAR.fullmatch(raw):
            raise CommandError(what, f"`{opt.flag}` takes a year such as 2025, not `{raw}`")
        return raw if opt.dest == "period" else int(raw)
    if opt.kind == "number":
        try:
            return float(raw.rstrip("%％"))
        except ValueError:
            raise CommandError(what, f"`{opt.flag}` takes a number such as 5.5, not `{raw}`") from None
    if opt.kind == "list":
        names = [n for n in _LIST_SPLIT.split(raw) if n]
        if not names:
            raise CommandError(what, f"`{opt.flag}` needs region names, comma-separated")
        return names
    return raw


def table_request(text: str, what: str, gazetteer, groups=None) -> tuple[str, dict[str, Any]]:
    """(indicator words, keyword arguments of Comparer.compare / .trend) for a command's text.

    Options win over what the plain words say; places, a year and target/achieved are read from
    the plain words only where no option gives them."""
    words, options = split_options(text, what)
    said = parse(words, gazetteer, what, groups)
    if what == "trend":
        region: Optional[str] = options.get("region") or (said.regions[0] if said.regions else None)
        return words, {"region": region, "kind": options.get("kind", said.kind),
                       "since": options.get("since", said.since), "until": options.get("until")}
    regions = options.get("regions") or (None if "level" in options else said.regions or None)
    return words, {"regions": regions, "level": None if regions else options.get("level", said.level),
                   "period": options.get("period", said.period), "kind": options.get("kind", said.kind),
                   "sort": bool(options.get("sort")), "above": options.get("above", said.above),
                   "below": options.get("below", said.below)}
