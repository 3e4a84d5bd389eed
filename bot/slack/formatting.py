"""Answers, region digests and the regions list as Slack messages (Block Kit + text).

Every builder returns a `Message` dict `{"text": ..., "blocks": [...]}`: `text` is the
plain fallback (notifications, screen readers, clients without blocks) and is always
set. Slack's limits are enforced here, in one place: at most 50 blocks, section text at
most 3000 characters, header text at most 150, context elements at most 10; what does
not fit is trimmed and a pointer says where to get the rest.

Escaping: everything that comes from a document or from a user is escaped (`&`, `<`,
`>`) before it is put into mrkdwn, so a quote can never form a link or a mention; the
`<url|title>` links and the `>` quote markers are added afterwards by this module.
User text echoed back also has `@channel`/`@here`/`@everyone` broken with a zero-width
space, so a question can never ping a channel.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, is_dataclass
from typing import Any, Iterable, Mapping, Optional, Sequence

from retrieval.text.script import has_cjk
from retrieval.types import Answer, Figure, Quote, Source

from .scopes import COMPARE_EXAMPLE, MENTION_EXAMPLE, REGION_EXAMPLE, TREND_EXAMPLE

Message = dict  # {"text": str, "blocks": list[dict]}

MAX_BLOCKS = 50
MAX_SECTION_CHARS = 3000
MAX_HEADER_CHARS = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_TEXT_CHARS = 3000  # our own cap for the fallback text (Slack truncates at 40,000)
MAX_BUTTON_VALUE = 2000
MAX_QUOTE_CHARS = 1500  # a quote longer than this is cut (with "…") so figures and source still fit
MAX_LIST_CHARS = 12_000  # the regions list beyond this points to `planbot regions`
MAX_QUESTION_CHARS = 1000  # as retrieval.engine: longer questions get a clear reply instead of a search
SHARE_ACTION_ID = "planbot_share"
FEEDBACK_ACTION_PREFIX = "planbot_feedback_"  # + a verdict: helpful, wrong_figure, wrong_source
FEEDBACK_BUTTONS = (("helpful", ":thumbsup: Helpful"), ("wrong_figure", "Wrong figure"), ("wrong_source", "Wrong source"))

ZWSP = "\u200b"
_BROADCAST_RE = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_SLACK_TOKEN_RE = re.compile(r"<([^<>]*)>")

LABELS = {
    "en": {
        "question": "Question",
        "not_found": "I couldn't find an answer to this in the indexed plans.",
        "nearest": "Nearest sources",
        "context": "Closest sentences (context, not an answer):",
        "no_sources": "No indexed document is close to this question.",
        "more_quotes": "… {n} more {quotes} — run `planbot ask` for all",
        "quote": "quote",
        "quotes": "quotes",
        "trimmed": "(quote shortened — run `planbot ask` for the full text)",
        "target": "target",
        "achieved": "achieved",
        "figures": "Figures",
        "industries": "Industries",
        "sources": "Sources",
        "more_figures": "… {n} more figures — run `planbot region {name}` for all",
        "more_sources": "… {n} more sources — run `planbot region {name}` for all",
        "no_figures": "No figures are indexed for this region yet.",
    },
    "zh": {
        "question": "问题",
        "not_found": "已索引的规划文件中没有找到这个问题的答案。",
        "nearest": "最接近的来源",
        "context": "最接近的句子（仅供参考，不是答案）：",
        "no_sources": "没有与这个问题接近的已索引文件。",
        "more_quotes": "… 还有 {n} 条引文——运行 `planbot ask` 查看全部",
        "quote": "条引文",
        "quotes": "条引文",
        "trimmed": "（引文已截短——运行 `planbot ask` 查看全文）",
        "target": "目标",
        "achieved": "已实现",
        "figures": "数据",
        "industries": "产业",
        "sources": "来源",
        "more_figures": "… 还有 {n} 项数据——运行 `planbot region {name}` 查看全部",
        "more_sources": "… 还有 {n} 个来源——运行 `planbot region {name}` 查看全部",
        "no_figures": "该地区暂无已索引的数据。",
    },
}


# ---------------------------------------------------------------------------- text helpers
def escape(text: Any) -> str:
    """Escape the three characters Slack's mrkdwn gives meaning to."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def neutralise(text: Any) -> str:
    """Escape user-supplied text and break broadcast mentions so echoing it can never ping."""
    return _BROADCAST_RE.sub(lambda m: "@" + ZWSP + m.group(1), escape(text))


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - len(ellipsis))]
    # Never leave half an escape entity (&amp;) or half a link at the cut.
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:] and len(cut) - amp < 6:
        cut = cut[:amp]
    lt = cut.rfind("<")
    if lt != -1 and ">" not in cut[lt:]:
        cut = cut[:lt]
    return cut.rstrip() + ellipsis


def is_chinese(text: str) -> bool:
    return has_cjk(text or "")


def lang_of(question: str) -> str:
    return "zh" if is_chinese(question) else "en"


def slack_to_plain(text: str, bot_user_id: Optional[str] = None) -> str:
    """Turn Slack's wire format for a user message into the plain question.

    Drops the bot's own mention, writes other mentions, channels and links as people
    read them (`<@U1|ann>` → `@ann`, `<https://x|label>` → `label`, `<!here>` → `@here`),
    then unescapes `&amp;`, `&lt;`, `&gt;`.
    """

    def repl(m: re.Match) -> str:
        inner = m.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            if bot_user_id and target[1:] == bot_user_id:
                return " "
            return "@" + (label or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            name = target[1:]
            if name.startswith("subteam^"):
                return label or "@team"
            if name.startswith("date"):
                return label or ""
            return "@" + name
        return label or target.removeprefix("mailto:")

    plain = _SLACK_TOKEN_RE.sub(repl, text or "")
    plain = plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return re.sub(r"[ \t]+", " ", plain).strip()


def _get(obj: Any, key: str, default: Any = None) -> Any:
    if obj is None:
        return default
    if isinstance(obj, Mapping):
        return obj.get(key, default)
    return getattr(obj, key, default)


def _is_url(url: Any) -> bool:
    return isinstance(url, str) and bool(re.match(r"https?://[^\s<>|]+$", url))


def link(url: Optional[str], title: str) -> str:
    """`<url|title>` for an http(s) URL, else the escaped title. Title escaped, url made safe."""
    label = escape(title).replace("|", "¦")
    if not _is_url(url):
        return label
    safe_url = str(url).replace("&", "&amp;")
    return f"<{safe_url}|{label}>"


def source_title(src: Any) -> str:
    title = _get(src, "title") or ""
    if not str(title).strip():
        path = _get(src, "path") or _get(src, "doc_id") or "untitled source"
        title = str(path).rstrip("/").rsplit("/", 1)[-1]
    return str(title).strip()


def format_source(src: Any, max_chars: int = 600) -> str:
    """`<url|title> · publisher · date` (title alone, escaped, when there is no URL)."""
    if isinstance(src, str):
        return escape(truncate(src, max_chars))
    title = truncate(source_title(src), 200)
    parts = [link(_get(src, "url"), title)]
    for key in ("publisher", "date"):
        value = _get(src, key)
        if value:
            parts.append(escape(truncate(str(value), 120)))
    return " · ".join(parts)


def _source_plain(src: Any) -> str:
    if isinstance(src, str):
        return src
    text = source_title(src)
    extra = [str(v) for v in (_get(src, "publisher"), _get(src, "date")) if v]
    if extra:
        text += " (" + ", ".join(extra) + ")"
    url = _get(src, "url")
    if _is_url(url):
        text += " " + url
    return text


def plain_text(text: str) -> str:
    """The message's top-level `text`: Slack parses it as mrkdwn too, so it is escaped and
    broadcasts are broken, like everything else we echo."""
    return truncate(neutralise(text or " "), MAX_TEXT_CHARS)


# ---------------------------------------------------------------------------- block helpers
def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, MAX_SECTION_CHARS)}}


def context(*texts: str) -> dict:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": truncate(t, MAX_SECTION_CHARS)} for t in texts[:MAX_CONTEXT_ELEMENTS]],
    }


def header(text: str) -> dict:
    return {"type": "header", "text": {"type": "plain_text", "text": truncate(text, MAX_HEADER_CHARS), "emoji": True}}


DIVIDER = {"type": "divider"}


def share_actions(value: str) -> dict:
    return {
        "type": "actions",
        "block_id": "planbot_share",
        "elements": [
            {
                "type": "button",
                "action_id": SHARE_ACTION_ID,
                "text": {"type": "plain_text", "text": "Share to channel", "emoji": True},
                "value": value[:MAX_BUTTON_VALUE],
            }
        ],
    }


def with_share_button(message: Message, value: str | Mapping) -> Message:
    """A copy of `message` with the "Share to channel" button appended (still ≤ 50 blocks)."""
    if not isinstance(value, str):
        value = share_value(**value)
    blocks = list(message.get("blocks") or [])
    if len(blocks) >= MAX_BLOCKS:
        blocks = blocks[: MAX_BLOCKS - 1]
    blocks.append(share_actions(value))
    return {**message, "blocks": blocks}


def share_value(kind: str, query: str = "", key: str = "") -> str:
    """The button's value: what to re-run if the cached answer has gone (≤ 2000 chars)."""
    payload = {"kind": kind, "q": query, "key": key}
    raw = json.dumps(payload, ensure_ascii=False)
    while len(raw) > MAX_BUTTON_VALUE and payload["q"]:
        payload["q"] = payload["q"][: max(0, len(payload["q"]) - (len(raw) - MAX_BUTTON_VALUE) - 8)]
        raw = json.dumps(payload, ensure_ascii=False)
    return raw


def feedback_actions(answer_id: str) -> dict:
    return {
        "type": "actions",
        "block_id": "planbot_feedback",
        "elements": [
            {"type": "button", "action_id": FEEDBACK_ACTION_PREFIX + verdict, "value": answer_id[:MAX_BUTTON_VALUE],
             "text": {"type": "plain_text", "text": label, "emoji": True}}
            for verdict, label in FEEDBACK_BUTTONS
        ],
    }


def with_feedback_buttons(message: Message, answer_id: str) -> Message:
    """A copy of `message` with the feedback buttons appended (still ≤ 50 blocks)."""
    blocks = list(message.get("blocks") or [])[: MAX_BLOCKS - 1]
    blocks.append(feedback_actions(answer_id))
    return {**message, "blocks": blocks}


def feedback_thanks(verdict_label: str) -> Message:
    text = f"Thanks — recorded as “{verdict_label}”. Flagged answers become test questions for planbot."
    return {"text": text, "blocks": [context(text)]}


def without_share_button(message: Message) -> Message:
    return {**message, "blocks": [b for b in message.get("blocks") or [] if b.get("block_id") != "planbot_share"]}


def fit_blocks(blocks: list[dict], limit: int = MAX_BLOCKS) -> list[dict]:
    """Hard guarantee of Slack's limits on any block list (sections, headers, contexts, count)."""
    out = []
    for b in blocks[:limit]:
        b = dict(b)
        if b.get("type") == "section" and isinstance(b.get("text"), dict):
            b["text"] = {**b["text"], "text": truncate(b["text"]["text"], MAX_SECTION_CHARS)}
        elif b.get("type") == "header":
            b["text"] = {**b["text"], "text": truncate(b["text"]["text"], MAX_HEADER_CHARS)}
        elif b.get("type") == "context":
            b["elements"] = b.get("elements", [])[:MAX_CONTEXT_ELEMENTS]
        out.append(b)
    return out


def message(text: str, blocks: Optional[list[dict]] = None) -> Message:
    return {"text": plain_text(text), "blocks": fit_blocks(blocks or [section(neutralise(text))])}


# ---------------------------------------------------------------------------- answers
def _figure_spans(text: str, figures: Sequence[Figure]) -> list[tuple[int, int]]:
    """Non-overlapping spans of each figure's verbatim text within the quote."""
    spans: list[tuple[int, int]] = []
    for f in sorted(figures, key=lambda f: -len(f.text or "")):
        needle = (f.text or "").strip()
        if not needle:
            continue
        pos = 0
        while True:
            i = text.find(needle, pos)
            if i == -1:
                break
            j = i + len(needle)
            if all(j <= s or i >= e for s, e in spans):
                spans.append((i, j))
            pos = j
    return sorted(spans)


def highlight(text: str, figures: Sequence[Figure]) -> str:
    """Escaped quote text with each figure in bold.

    The zero-width spaces let Slack's bold work next to CJK characters, which it
    otherwise refuses to treat as word boundaries.
    """
    out: list[str] = []
    pos = 0
    for s, e in _figure_spans(text, figures):
        out.append(escape(text[pos:s]))
        out.append(f"{ZWSP}*{escape(text[s:e])}*{ZWSP}")
        pos = e
    out.append(escape(text[pos:]))
    return "".join(out)


def blockquote(mrkdwn: str) -> str:
    lines = mrkdwn.splitlines() or [""]
    return "\n".join(f"> {line}" if line.strip() else ">" for line in lines)


def figure_line(f: Figure, lang: str) -> str:
    labels = LABELS[lang]
    original = (f.text or "").strip()
    normalised = (f.chinese if lang == "zh" else f.english) or ""
    normalised = normalised.strip()
    line = f"• {ZWSP}*{escape(original)}*{ZWSP}"
    if normalised and normalised != original:
        line += f" → {escape(normalised)}"
    if f.kind in ("target", "achieved"):
        line += f" _({labels[f.kind]})_"
    return line


def _unique_figures(figures: Iterable[Figure]) -> list[Figure]:
    seen: set[str] = set()
    out = []
    for f in figures:
        key = (f.text or "").strip()
        if key and key not in seen:
            seen.add(key)
            out.append(f)
    return out


def quote_blocks(q: Quote, lang: str) -> list[dict]:
    """One quote: the quoted text with figures in bold, the figures normalised, the source."""
    labels = LABELS[lang]
    text = q.text or ""
    trimmed = len(text) > MAX_QUOTE_CHARS
    if trimmed:
        text = text[: MAX_QUOTE_CHARS - 1].rstrip() + "…"
    body = blockquote(highlight(text, [f for f in q.figures if f.text and f.text in text]))
    extra: list[str] = []
    if trimmed:
        extra.append(f"_{labels['trimmed']}_")
    if q.rendering:
        extra.append(f"_{escape(q.rendering)}_")
    figures = _unique_figures(q.figures)
    extra.extend(figure_line(f, lang) for f in figures[:12])
    if len(figures) > 12:
        extra.append(f"… +{len(figures) - 12}")
    tail = "\n".join(extra)
    budget = MAX_SECTION_CHARS - len(tail) - 2
    if len(body) > budget:  # escaping can grow the text; figures and source must still fit
        body = truncate(blockquote(escape(text)), max(200, budget))
    mrkdwn = body + ("\n\n" + tail if tail else "")
    return [section(mrkdwn), context(format_source(q.source))]


def _quote_plain(q: Quote) -> str:
    """A quote for the fallback text: escaped, with a real `>` quote marker."""
    return f"> {escape(truncate(' '.join(q.text.split()), 400))}\n— {escape(_source_plain(q.source))}"


def format_answer(answer: Answer, max_quotes: Optional[int] = None, reserve_blocks: int = 1) -> Message:
    """An `Answer` as a Slack message.

    `reserve_blocks`: blocks left free for the caller (the share button). Quotes that do
    not fit the 50-block limit (or `max_quotes`) are replaced by a pointer to the CLI.
    """
    lang = lang_of(answer.question)
    labels = LABELS[lang]
    question = truncate(neutralise(" ".join(answer.question.split())), 300)
    blocks: list[dict] = [context(f"*{labels['question']}:* {question}")]
    text_parts: list[str] = []

    if answer.answered:
        summary = answer.answer.strip() or labels["not_found"]
        blocks.append(section(neutralise(truncate(summary, MAX_SECTION_CHARS - 50))))
        text_parts.append(neutralise(summary))
    else:
        lines = [f"*{labels['not_found']}*"] + ([escape(answer.declined_because)] if answer.declined_because else [])
        if answer.answer.strip() and answer.answer.strip() != labels["not_found"]:
            lines.append(escape(answer.answer.strip()))
        blocks.append(section(truncate("\n".join(lines), MAX_SECTION_CHARS)))
        text_parts.append(labels["not_found"] + (" " + neutralise(answer.answer.strip()) if answer.answer.strip() else ""))
        if answer.nearest:
            src_lines = [f"*{labels['nearest']}:*"]
            for src in answer.nearest[:10]:
                line = "• " + format_source(src, max_chars=300)
                if len("\n".join(src_lines + [line])) > MAX_SECTION_CHARS:
                    break
                src_lines.append(line)
            blocks.append(section("\n".join(src_lines)))
            text_parts.append(labels["nearest"] + ": " + escape("; ".join(_source_plain(s) for s in answer.nearest[:5])))
        elif not answer.quotes:
            blocks.append(context(labels["no_sources"]))

    quotes = list(answer.quotes)
    limit = len(quotes) if max_quotes is None else max(0, max_quotes)
    notes = [n for n in answer.notes if n and n.strip()]
    # Fixed cost after the quotes: notes (1) + pointer (1) + the caller's reserve.
    tail_cost = (1 if notes else 0) + 1 + reserve_blocks
    shown = 0
    if quotes and not answer.answered:
        blocks.append(context(labels["context"]))  # a declined answer's quotes are context
    for q in quotes[:limit]:
        qb = [DIVIDER, *quote_blocks(q, lang)]
        if len(blocks) + len(qb) + tail_cost > MAX_BLOCKS:
            break
        blocks.extend(qb)
        shown += 1
        if shown <= 2:
            text_parts.append(_quote_plain(q))

    if notes:
        blocks.append(context(*[f"_{escape(truncate(n, 500))}_" for n in notes[:MAX_CONTEXT_ELEMENTS]]))
    hidden = len(quotes) - shown
    if hidden > 0:
        word = labels["quote"] if hidden == 1 else labels["quotes"]
        pointer = labels["more_quotes"].format(n=hidden, quotes=word)
        blocks.append(context(pointer))
        text_parts.append(pointer.replace("`", ""))
    # Each part is escaped already (the quote markers must stay real `>`).
    return {"text": truncate("\n\n".join(text_parts), MAX_TEXT_CHARS), "blocks": fit_blocks(blocks)}


# ---------------------------------------------------------------------------- regions
def _region_title(region: Mapping) -> str:
    name = str(region.get("name") or region.get("id") or "?")
    zh = region.get("name_zh")
    return f"{name} ({zh})" if zh and zh != name else name


def _label(item: Any) -> str:
    if isinstance(item, str):
        return item
    for key in ("name", "industry", "text", "title", "label"):
        value = _get(item, key)
        if value:
            extra = _get(item, "name_zh")
            return f"{value} ({extra})" if extra and extra != value else str(value)
    return str(item)


def _as_mapping(obj: Any) -> Mapping:
    if isinstance(obj, Mapping):
        return obj
    if is_dataclass(obj):
        return asdict(obj)
    return {}


def _pack_lines(lines: list[str], first_line: str = "") -> list[str]:
    """Group lines into section texts of at most 3000 characters each."""
    chunks: list[str] = []
    current = first_line
    for line in lines:
        line = truncate(line, MAX_SECTION_CHARS - 10)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > MAX_SECTION_CHARS:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks


def _figure_head(fig: Mapping, lang: str) -> str:
    """`• *28.7 billion yuan* → 287亿元 — fixed-asset investment _(achieved, 2024)_`"""
    labels = LABELS[lang]
    text = str(fig.get("text") or "").strip()
    metric = str(fig.get("metric") or "").strip()
    line = f"• {ZWSP}*{escape(text)}*{ZWSP}" if text else "•"
    normalised = str(fig.get("chinese" if lang == "zh" else "english") or "").strip()
    if normalised and normalised != text:
        line += f" → {escape(normalised)}"
    if metric:
        line += f" — {escape(metric)}"
    qualifiers = []
    kind = fig.get("kind")
    if kind in ("target", "achieved"):
        qualifiers.append(labels[kind])
    if fig.get("period"):
        qualifiers.append(escape(str(fig["period"])))
    if qualifiers:
        line += f" _({', '.join(qualifiers)})_"
    return line


def _digest_figure_groups(figures: Sequence[Mapping], lang: str, show_sources: bool) -> list[str]:
    """One entry per quoted sentence: its figures, then the quote once (and its source)."""
    groups: list[tuple[tuple, list[Mapping]]] = []
    for fig in figures:
        src = fig.get("source")
        key = (" ".join(str(fig.get("quote") or "").split()), source_title(src) if src and not isinstance(src, str) else src)
        if groups and groups[-1][0] == key:
            groups[-1][1].append(fig)
        else:
            groups.append((key, [fig]))
    out = []
    for (quote, _), figs in groups:
        lines = [_figure_head(f, lang) for f in figs]
        if quote:
            lines.append(blockquote(escape(truncate(quote, 400))))
        src = figs[0].get("source")
        if show_sources and src:
            lines.append("— " + format_source(src, max_chars=300))
        out.append("\n".join(lines))
    return out


def _parent_name(parent: Any, names: Mapping[str, str]) -> str:
    if isinstance(parent, str):
        return names.get(parent, parent)
    return _label(parent)


def format_region(digest: Mapping, lang: str = "en", max_figures: int = 15,
                  names: Optional[Mapping[str, str]] = None) -> Message:
    """A region digest (`Engine.region()`): the region, its figures with quotes, industries, sources.

    `names`: region id → display name, to show the parent region by name.
    """
    labels = LABELS[lang]
    names = names or {}
    region = _as_mapping(digest.get("region") or {})
    name = str(region.get("name") or region.get("id") or "?")
    title = _region_title(region)
    blocks: list[dict] = [header(title)]
    sources = list(digest.get("sources") or [])
    figures = [_as_mapping(f) for f in digest.get("figures") or []]
    meta = [escape(str(region["level"]))] if region.get("level") else []
    if region.get("parent"):
        meta.append("in " + escape(_parent_name(region["parent"], names)))
    meta.append(_count(len(sources), "source"))
    meta.append(_count(len(figures), "figure"))
    blocks.append(context(" · ".join(meta)))
    text_parts = [f"{title}: {_count(len(figures), 'figure')} from {_count(len(sources), 'source')}"]

    industries = [_label(i) for i in digest.get("industries") or []]
    if industries:
        blocks.append(section(truncate(f"*{labels['industries']}:* " + escape(", ".join(industries)), MAX_SECTION_CHARS)))
        text_parts.append(labels["industries"] + ": " + ", ".join(industries[:20]))

    blocks.append(DIVIDER)
    if figures:
        shown = figures[:max_figures]
        entries = _digest_figure_groups(shown, lang, show_sources=len(sources) != 1)
        for chunk in _pack_lines(entries, f"*{labels['figures']}*"):
            if len(blocks) >= MAX_BLOCKS - 6:
                break
            blocks.append(section(chunk))
        for f in shown[:3]:
            text_parts.append(f"{f.get('text', '')} — {f.get('metric', '')}".rstrip(" —"))
        if len(figures) > len(shown):
            blocks.append(context(labels["more_figures"].format(n=len(figures) - len(shown), name=escape(name))))
    else:
        blocks.append(context(labels["no_figures"]))

    if sources:
        max_sources = 15
        src_lines = ["• " + format_source(s, max_chars=300) for s in sources[:max_sources]]
        for chunk in _pack_lines(src_lines, f"*{labels['sources']}*"):
            if len(blocks) >= MAX_BLOCKS - 2:
                break
            blocks.append(section(chunk))
        if len(sources) > max_sources:
            blocks.append(context(labels["more_sources"].format(n=len(sources) - max_sources, name=escape(name))))
    return {"text": plain_text("\n".join(text_parts)), "blocks": fit_blocks(blocks)}


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def region_names(regions: Sequence[Mapping]) -> dict[str, str]:
    return {str(r.get("id")): str(r.get("name") or r.get("id")) for r in regions if r.get("id")}


def format_regions(regions: Sequence[Mapping], reserve_blocks: int = 1) -> Message:
    """The regions that have documents, in the engine's (tree) order, indented by depth."""
    if not regions:
        text = "No regions are indexed yet. Run `planbot ingest` on some plan documents first."
        return {"text": text, "blocks": [section(text)]}
    names = region_names(regions)
    lines = []
    for r in regions:
        depth = r.get("depth")
        indent = "\u2003" * (int(depth) if isinstance(depth, int) and depth > 0 else 0)
        meta = [escape(str(r["level"]))] if r.get("level") else []
        if r.get("parent") and not isinstance(depth, int):  # without a tree, say where it is
            meta.append("in " + escape(_parent_name(r["parent"], names)))
        meta.append(_count(r.get("documents") or 0, "document"))
        meta.append(_count(r.get("figures") or 0, "figure"))
        lines.append(f"{indent}• *{escape(_region_title(r))}* — " + ", ".join(meta))
    blocks = [section(f"*{_count(len(regions), 'region')} with indexed documents* — `/region NAME` for one")]
    chunks = _pack_lines(lines)
    room = MAX_BLOCKS - len(blocks) - 1 - reserve_blocks
    total = 0
    for i, c in enumerate(chunks[:room]):  # a readable message, far from Slack's size limits
        total += len(c)
        if total > MAX_LIST_CHARS:
            room = i
            break
    blocks.extend(section(c) for c in chunks[:room])
    if len(chunks) > room:
        rest = sum(c.count("\n") + 1 for c in chunks[room:])
        blocks.append(context(f"… {rest} more regions — run `planbot regions` for all"))
    text = f"{_count(len(regions), 'region')} with indexed documents: " + ", ".join(
        _region_title(r) for r in regions[:30]
    )
    return {"text": plain_text(text), "blocks": fit_blocks(blocks)}


def format_unknown_region(name: str, candidates: Sequence[Any], ambiguous: bool = False) -> Message:
    def cand_name(c: Any) -> str:
        if isinstance(c, str):
            return c
        m = _as_mapping(c) or {"name": getattr(c, "name", str(c)), "name_zh": getattr(c, "name_zh", None)}
        return _region_title(m)

    names = [cand_name(c) for c in candidates[:8]]
    first = candidates[0] if candidates else None
    first_name = ""
    if first is not None:
        # Ambiguous English names ("Xishan District" ×2) are told apart by their Chinese names.
        first_name = (ambiguous and _get(first, "name_zh")) or _get(first, "name") or cand_name(first)
    what = "is ambiguous" if ambiguous else "is not a region I have documents for"
    shown = truncate(" ".join(name.split()), 100)
    text = f"“{neutralise(shown)}” {what}."
    plain = f"“{shown}” {what}."
    if names:
        text += " Closest matches: " + ", ".join(f"*{escape(n)}*" for n in names) + "."
        plain += " Closest matches: " + ", ".join(names) + "."
        hint = f"\nTry `/region {first_name}`, or `/region` alone to list every region."
    else:
        hint = " Run `/region` alone to list the regions with documents."
    text += escape(hint)
    plain += hint
    return {"text": plain_text(plain), "blocks": [section(text)]}


# ---------------------------------------------------------------------------- short replies
USAGE = (
    "Ask me about Chinese regional industrial plans and I answer with verbatim quotes, "
    "normalised figures and sources.\n"
    f"• Mention me with a question: `@planbot {MENTION_EXAMPLE}`\n"
    "• Or send me a DM, or reply in a thread I'm in to ask a follow-up.\n"
    "• `/ask QUESTION` — answer privately, with a button to share it\n"
    f"• `/region NAME` (e.g. `/region {REGION_EXAMPLE}`) — a region's figures, industries and sources; `/region` alone lists regions\n"
    f"• `/compare INDICATOR …` (e.g. `/compare {COMPARE_EXAMPLE}`) and `/trend INDICATOR …` (e.g. `/trend {TREND_EXAMPLE}`)"
    " — a table in the channel, its chart in the thread"
)


def usage(prefix: str = "") -> Message:
    """How to use the bot; `prefix` is trusted mrkdwn (callers escape what they echo)."""
    text = (prefix + "\n\n" if prefix else "") + USAGE
    return {"text": text, "blocks": [section(text)]}


def too_long(length: int, limit: int = MAX_QUESTION_CHARS) -> Message:
    text = (
        f"That question is {length:,} characters long; I can search questions of up to {limit:,} characters. "
        "Please ask one shorter question (for example about one region and one figure)."
    )
    return {"text": text, "blocks": [section(text)]}


def status(question: str) -> Message:
    text = "Searching the indexed plans…"
    q = truncate(neutralise(" ".join(question.split())), 200)
    return {"text": text, "blocks": [context(f":mag: {text} _{q}_" if q else f":mag: {text}")]}


def queued(question: str, ahead: int, then: str = "the answer will replace this message") -> Message:
    """The status when the bot is busy: the question is taken and will be answered."""
    text = f"Busy right now — your question is queued behind {ahead:,} others; {then}."
    q = truncate(neutralise(" ".join(question.split())), 200)
    return {"text": text, "blocks": [context(f":hourglass_flowing_sand: {text} _{q}_" if q else f":hourglass_flowing_sand: {text}")]}


def error(text: str) -> Message:
    """A short failure message; `text` is already written for people (escaped here)."""
    body = ":warning: " + neutralise(truncate(text, 1000))
    return {"text": body, "blocks": [section(body)]}


def shared_by(msg: Message, user_id: Optional[str]) -> Message:
    """The in-channel copy of a shared answer: no share button (the feedback buttons stay), and who shared it."""
    out = without_share_button(msg)
    if user_id and re.fullmatch(r"[UW][A-Z0-9]+", user_id):
        blocks = list(out["blocks"])[: MAX_BLOCKS - 1]
        blocks.append(context(f"Shared by <@{user_id}>"))
        out = {**out, "blocks": blocks}
    return out
