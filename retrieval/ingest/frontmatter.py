"""Markdown front matter (YAML `---` or TOML `+++`) read into metadata, never into the body (pure).

Static-site generators, note apps and "save as Markdown" exporters put a block of fields at
the top of the file; it may follow a BOM or blank lines. A block that does not parse is
still front matter: its lines are read as `key: value` pairs rather than left in the text,
where they would be quoted as if they were the article.
"""
from __future__ import annotations

import datetime as _dt
import re
from typing import Any, Optional

try:  # stdlib from Python 3.11; the `tomli` backport before (declared in pyproject.toml)
    import tomllib as _toml
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as _toml

import yaml

# opening fence after optional BOM and blank lines, the block, the closing fence (YAML may end with "...")
_BLOCK = re.compile(r"\A\ufeff?(?:[ \t]*\r?\n)*(?P<fence>---|\+\+\+)[ \t]*\r?\n(?P<body>.*?)(?:\r?\n)?^(?:(?P=fence)|\.\.\.)[ \t]*$\r?\n?",
                    re.S | re.M)

# field names as the common generators spell them, most specific first
_TITLE = ("title", "headline", "name")
_DATE = ("date", "published", "publishdate", "publish_date", "pubdate", "pub_date", "published_at", "created", "created_at",
         "datetime", "time", "lastmod", "updated")
_URL = ("source_url", "sourceurl", "original_url", "originalurl", "original", "canonical", "canonical_url", "canonicalurl",
        "url", "link", "permalink", "source")
_PUBLISHER = ("publisher", "source", "site", "site_name", "sitename", "outlet", "media", "origin", "来源", "來源")
_AUTHOR = ("author", "authors", "byline", "creator", "作者")
_TAGS = ("tags", "categories", "category", "keywords", "topics")


def split_front_matter(raw: str) -> tuple[dict, int]:
    """(fields, offset where the body starts in `raw`); ({}, 0) when there is no front matter."""
    m = _BLOCK.match(raw)
    if not m:
        return {}, 0
    body = m.group("body")
    fields: Any = None
    try:
        fields = yaml.safe_load(body) if m.group("fence") == "---" else _toml.loads(body)
    except Exception:  # malformed block: fall back to key: value lines
        fields = None
    if not isinstance(fields, dict):
        fields = _loose_fields(body)
    return {str(k).strip().lower(): v for k, v in fields.items()}, m.end()


def _loose_fields(body: str) -> dict:
    out: dict = {}
    for line in body.splitlines():
        k, sep, v = _kv(line)
        if sep and v:
            out[k] = v
    return out


def _kv(line: str) -> tuple[str, str, str]:
    m = re.match(r"\s*([^:=\s][^:=]*?)\s*([:=])\s*(.*?)\s*$", line)
    if not m:
        return "", "", ""
    return m.group(1).lower(), m.group(2), m.group(3).strip("\"'")


def front_matter_meta(fields: dict) -> dict:
    """title, date (ISO), url, publisher, author and tags from front-matter fields; absent ones are None/[]."""
    url = next((u for u in (_text(fields.get(k)) for k in _URL) if u and re.match(r"https?://", u)), None)
    publisher = next((p for p in (_text(fields.get(k)) for k in _PUBLISHER) if p and not re.match(r"https?://", p)), None)
    tags: list[str] = []
    for k in _TAGS:
        for t in _as_list(fields.get(k)):
            if t not in tags:
                tags.append(t)
    authors = next((a for a in (_as_list(fields.get(k)) for k in _AUTHOR) if a), [])
    return {
        "title": next((t for t in (_text(fields.get(k)) for k in _TITLE) if t), None),
        "date": next((d for d in (_iso(fields.get(k)) for k in _DATE) if d), None),
        "url": url,
        "publisher": publisher,
        "author": ", ".join(authors) or None,
        "tags": tags,
    }


def _text(v: Any) -> Optional[str]:
    if isinstance(v, dict):  # `author: {name: ..., url: ...}`
        v = v.get("name") or v.get("title")
    if isinstance(v, (list, tuple)):
        v = v[0] if v else None
    if isinstance(v, (str, int, float)) and not isinstance(v, bool):
        s = str(v).strip()
        return s or None
    return None


def _as_list(v: Any) -> list[str]:
    if isinstance(v, str):
        parts = re.split(r"\s*[,，、;；]\s*", v.strip()) if re.search(r"[,，、;；]", v) else [v.strip()]
    elif isinstance(v, (list, tuple)):
        parts = [p for p in (_text(x) for x in v) if p]
    else:
        parts = [p for p in [_text(v)] if p]
    return [p.strip("#").strip() for p in parts if p and p.strip("#").strip()]


def _iso(v: Any) -> Optional[str]:
    """YAML and TOML give dates as objects; strings are read by the caller's date finder."""
    if isinstance(v, _dt.datetime):
        return v.date().isoformat()
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, int) and 1800 <= v <= 2100:
        return str(v)
    if isinstance(v, str) and v.strip():
        return v.strip()
    return None
