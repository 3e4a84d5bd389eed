"""Metadata a web page states about itself: <meta> names, Open Graph, the canonical link (pure).

Chinese government sites follow the national site guideline (政府网站发展指引), which puts
`ArticleTitle`, `PubDate`, `ContentSource` (the issuing bureau) and `SiteName` in <meta>;
news sites use Open Graph and `article:*`; others Dublin Core or plain `author`/`date`.
Names are matched case-insensitively; the first name listed for a field wins.
"""
from __future__ import annotations

import re
from typing import Optional

FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("articletitle", "og:title", "twitter:title", "dc.title", "dcterms.title", "title", "headline"),
    "date": ("pubdate", "article:published_time", "og:published_time", "publishdate", "publish_date", "publish-date",
             "publication_date", "datepublished", "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date",
             "firstpublishedtime", "date", "og:updated_time", "article:modified_time", "lastmodified"),
    "publisher": ("contentsource", "publisher", "dc.publisher", "dcterms.publisher", "article:publisher",
                  "citation_publisher", "source"),
    "site": ("sitename", "og:site_name", "application-name", "site_name"),
    "author": ("author", "article:author", "dc.creator", "dcterms.creator", "byl", "citation_author"),
    "url": ("og:url", "url", "twitter:url"),
    "tags": ("article:tag", "news_keywords", "keywords"),
}


def page_metadata(html: bytes | str) -> dict:
    """title, date (as written), publisher, site, author, url and tags from the page head.

    Missing fields are None ([] for tags); a page lxml cannot parse gives all of them empty."""
    out: dict = {k: None for k in FIELDS}
    out["tags"] = []
    try:
        import lxml.html

        tree = lxml.html.fromstring(html)
    except Exception:  # broken markup: the caller still has the text
        return out
    values: dict[str, list[str]] = {}
    for el in tree.iter("meta"):
        name = (el.get("name") or el.get("property") or el.get("itemprop") or el.get("http-equiv") or "").strip().lower()
        content = _clean(el.get("content"))
        if name and content:
            values.setdefault(name, []).append(content)
    for field, names in FIELDS.items():
        if field == "tags":
            for n in names:
                for v in values.get(n, []):
                    for t in re.split(r"\s*[,，、;；]\s*", v):
                        if t and t not in out["tags"]:
                            out["tags"].append(t)
            continue
        out[field] = next((values[n][0] for n in names if values.get(n)), None)
    for el in tree.iter("link"):
        if "canonical" in (el.get("rel") or "").lower().split() and _is_url(el.get("href")):
            out["url"] = el.get("href").strip()
            break
    if out["url"] and not _is_url(out["url"]):
        out["url"] = None
    if out["publisher"] and _is_url(out["publisher"]):  # article:publisher is often a Facebook page
        out["publisher"] = None
    title_el = tree.find(".//title")
    out["page_title"] = _clean(title_el.text_content()) if title_el is not None else None
    return out


def strip_site_name(title: str, site: Optional[str]) -> str:
    """"乐清市2023年…统计公报_乐清市人民政府" -> the article's own title.

    The part after the last separator goes when it is the site's name or reads like one."""
    parts = re.split(r"\s*(?:_|\||｜| - | – | — |-{2,})\s*", title)
    if len(parts) < 2:
        return title
    tail = parts[-1]
    looks_like_site = bool(re.search(r"(?:政府|网|網|门户|門戶|网站|網站|频道|頻道|Government|News|Daily|Times|Post|Online|\.com|\.cn)$", tail, re.I))
    if (site and (tail == site or tail in site or site in tail)) or looks_like_site:
        head = title[: len(title) - len(tail)].rstrip(" _|｜-–—")
        return head or title
    return title


def _clean(v: Optional[str]) -> Optional[str]:
    if not v:
        return None
    v = re.sub(r"\s+", " ", v).strip()
    return v or None


def _is_url(v: Optional[str]) -> bool:
    return bool(v) and bool(re.match(r"https?://\S+$", v.strip()))
