"""Files in, `Document`s out: discovery, one loader per format, cleaning and metadata.

I/O stays in `discover`, `load_file` and the `_load_*` functions; everything that
works on text is pure. `Document.text` is what quotes are cut from, so cleaning only
drops whole lines (or widget segments inside chrome lines), repairs the pinyin
converter artifact, strips indentation and joins CJK lines that a scraper broke
mid-sentence. It never rewrites wording, punctuation or character widths.
"""
from __future__ import annotations

import codecs
import errno
import hashlib
import io
import json
import os
import re
import stat
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date as _date
from functools import lru_cache
from pathlib import Path
from typing import Optional, Sequence

from retrieval.ingest.frontmatter import front_matter_meta, split_front_matter
from retrieval.ingest.html_meta import page_metadata, strip_site_name
from retrieval.ingest.offsets import offset_map
from retrieval.text.artifact import repair_pinyin_artifact
from retrieval.text.lang import detect_lang
from retrieval.text.script import HAN_RANGES as _HAN_RANGES
from retrieval.types import Document

SUPPORTED = {".txt", ".md", ".html", ".htm", ".docx", ".jsonl"}

# Raise when reading, cleaning, splitting a file into documents, chunking or region tagging
# changes what an unchanged file's chunks hold. Both hashes an index keeps of a file include it,
# so the next ingest after an upgrade re-processes every file instead of keeping chunks that an
# older planbot cut (1: the first versioned hashes; indexes from before re-process once; 2: a bare
# name before a development zone's word, 浏阳经开区, tags its place; 3: an English full stop after a
# figure or year ends a sentence, "…in 2023. The city…", so chunks and quotes cut there; 4: a
# headline opening on a bare county name the body repeats, 武安氢能重卡…, tags that county).
TEXT_VERSION = 4


def file_hash(data: bytes) -> str:
    """The hash an index records for a file's (or a JSONL line's) bytes under this TEXT_VERSION."""
    return hashlib.sha256(b"planbot-text-%d\0" % TEXT_VERSION + data).hexdigest()


@dataclass
class Skipped:
    path: str
    reason: str  # one short, specific phrase for the user


class Unreadable(Exception):
    """A file we cannot use; the message becomes `Skipped.reason`."""


_Bad = Unreadable


# --------------------------------------------------------------------------- discovery


def discover(paths: Sequence[str | Path]) -> tuple[list[Path], list[Skipped]]:
    """Supported files under `paths`, in a stable order, and what was refused.

    Folders are searched recursively; inside them hidden entries, Word lock files
    (`~$x.docx`) and other extensions are passed over silently, because a folder
    holds whatever it holds. A file named explicitly is something the user asked for,
    so an unsupported or missing one is reported. Anything with a supported name that
    is not a regular readable file (a dangling link, a link loop, a FIFO, a device, a
    socket) is reported, in a folder too, and never opened: opening a FIFO blocks.
    """
    files: list[Path] = []
    skipped: list[Skipped] = []
    seen: set[tuple[int, int]] = set()

    def add(p: Path) -> None:
        problem, st = not_regular(p)
        if problem:
            skipped.append(Skipped(str(p), problem))
        elif (st.st_dev, st.st_ino) not in seen:  # the same file reached twice (a link, a repeated argument)
            seen.add((st.st_dev, st.st_ino))
            files.append(p)

    for item in paths:
        p = Path(item).expanduser()
        problem, st = not_regular(p)
        if st is not None and stat.S_ISDIR(st.st_mode):
            for f in _walk(p):
                add(f)
        elif problem:
            skipped.append(Skipped(str(p), problem))
        elif p.suffix.lower() in SUPPORTED:
            add(p)
        else:
            skipped.append(Skipped(str(p), _unsupported(p)))
    return files, skipped


def not_regular(p: Path) -> tuple[Optional[str], Optional[os.stat_result]]:
    """(why `p` cannot be read as a file, or None; its stat when it has one), without opening it."""
    try:
        st = os.stat(p)  # follows links
    except FileNotFoundError:
        if os.path.islink(p):
            return f"dangling symbolic link (its target {os.readlink(p)} does not exist)", None
        return "no such file or directory", None
    except PermissionError:
        return "permission denied", None
    except OSError as e:
        if e.errno == errno.ELOOP:
            return "symbolic link loop (the link points back at itself)", None
        return f"cannot read file ({e.strerror or e})", None
    mode = st.st_mode
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return (None if stat.S_ISREG(mode) else "is a directory"), st
    kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a special file")
    return f"not a regular file ({kind})", st


def read_regular(path: Path) -> bytes:
    """The bytes of a regular file; anything else raises `_Bad` without blocking.

    O_NONBLOCK makes opening a FIFO return at once, and fstat on the open descriptor
    closes the gap between checking a path and reading it."""
    problem, _ = not_regular(path)
    if problem:
        raise _Bad(problem)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except PermissionError:
        raise _Bad("permission denied") from None
    except OSError as e:
        raise _Bad(f"cannot read file ({e.strerror or e})") from None
    try:
        problem = None if stat.S_ISREG(os.fstat(fd).st_mode) else "not a regular file"
        if problem:
            raise _Bad(problem)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read()
    except OSError as e:
        raise _Bad(f"cannot read file ({e.strerror or e})") from None
    finally:
        os.close(fd)


def _walk(root: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if not name.startswith((".", "~$")) and os.path.splitext(name)[1].lower() in SUPPORTED:
                found.append(Path(dirpath) / name)
    return sorted(found)


def _unsupported(p: Path) -> str:
    return f"unsupported file type {p.suffix.lower()}" if p.suffix else "unsupported file type (no extension)"


# --------------------------------------------------------------------------- loading


def load_file(path: Path, data: Optional[bytes] = None) -> tuple[list[Document], list[Skipped]]:
    """Documents in one file (`data`: its bytes, when already read). Bad input never
    raises: it comes back as a `Skipped`."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in SUPPORTED:
        return [], [Skipped(str(path), _unsupported(path))]
    if data is None:
        try:
            data = read_regular(path)
        except _Bad as e:
            return [], [Skipped(str(path), str(e))]
    if not data.strip():
        return [], [Skipped(str(path), "empty file")]
    try:
        if ext == ".jsonl":
            return _load_jsonl(path, data)
        loader = {".docx": _load_docx, ".html": _load_html, ".htm": _load_html}.get(ext, _load_text)
        doc = loader(path, data)
    except _Bad as e:
        return [], [Skipped(str(path), str(e))]
    if not doc.text:
        return [], [Skipped(str(path), "no text left after removing boilerplate")]
    return [doc], []


def _load_text(path: Path, data: bytes) -> Document:
    raw = _decode(data, path.suffix.lower())
    lines, meta = _analyse(raw, path)
    return _document(path, data, lines, meta, source=raw, unit="char")


def _load_html(path: Path, data: bytes) -> Document:
    _reject_binary(data, path.suffix.lower())
    import trafilatura  # heavy import; only html needs it

    try:
        tree = trafilatura.load_html(data)
        page = trafilatura.extract_metadata(tree) if tree is not None else None
        # a fresh tree: extraction prunes the one it is given
        body = trafilatura.extract(
            trafilatura.load_html(data), output_format="txt", include_comments=False,
            include_tables=True, include_links=False, favor_precision=True,
        ) if tree is not None else None
    except Exception as e:  # lxml/trafilatura errors on broken markup are bad input, not bugs
        raise _Bad(f"unreadable HTML ({type(e).__name__})") from e
    if not body or not body.strip():
        raise _Bad("no article text found in the HTML page")
    _plausible(body, path.suffix.lower())
    lines, meta = _analyse(body, path)
    _page_over_text(meta, page_metadata(data), page, _page_lines(data), path)
    return _document(path, data, lines, meta, source=body, unit="extracted-char")


def _page_over_text(meta: dict, head: dict, page, page_lines: list[str], path: Path) -> None:
    """Merge what the page says about itself into what the text said.

    The text's own statements win (a "来源：" line, a signature date: the document's own
    date beats the web page's, which is often when the page was last republished); then
    the page's <meta> and Open Graph fields; then trafilatura's guesses. Labelled lines
    that the extractor dropped with the page chrome (来源/发布机构/发布时间 bars) are read
    from the whole page."""
    title = head.get("title") or (page.title if page is not None and page.title else None) or head.get("page_title")
    if title:
        meta["title"] = strip_site_name(title.strip(), head.get("site") or (page.sitename if page is not None else None))
        meta["title_from_stem"] = False
        meta["period"] = meta.get("period") or _period_of(meta["title"])
    chrome = _analyse_lines(page_lines, meta["title"], meta.get("period"))
    meta["url"] = meta["url"] or chrome["url"] or head.get("url") or (page.url if page is not None else None)
    meta["publisher"] = (meta["publisher"] or chrome["publisher"] or head.get("publisher") or head.get("site")
                         or (page.sitename if page is not None else None))
    meta["author"] = meta.get("author") or head.get("author") or (page.author if page is not None else None)
    meta["tags"] = meta.get("tags") or head.get("tags") or []
    candidates = [
        (meta["date"] if meta.get("date_rank", 9) <= _RANK_PUBLISHED else None),  # the text's own
        chrome["date"] if chrome["date_rank"] <= _RANK_PUBLISHED else None,
        _first_date(head.get("date") or "") or _iso_prefix(head.get("date")),
        meta["date"] if meta.get("date_rank", 9) < _RANK_YEAR else None,  # a date near the top
        page.date if page is not None else None,
        meta["date"],
    ]
    meta["date"] = next((d for d in candidates if d and _after_period(d, meta.get("period"))), None) or (
        _year_of(path.stem) if not meta.get("period") else None)


def _page_lines(data: bytes) -> list[str]:
    """Text of the page's innermost block elements, one per line (the whole page, chrome included)."""
    try:
        import lxml.html

        tree = lxml.html.fromstring(data)
    except Exception:
        return []
    blocks = {"p", "div", "td", "th", "li", "span", "h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt", "section", "header", "footer"}
    out = []
    for el in tree.iter(*blocks):
        if any(child.tag in blocks for child in el.iterdescendants() if isinstance(child.tag, str)):
            continue
        line = re.sub(r"\s+", " ", el.text_content() or "").strip()
        if line and len(line) <= 200:
            out.append(line)
    return out


def _iso_prefix(value: Optional[str]) -> Optional[str]:
    m = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", value or "")
    if not m:
        return None
    try:
        return _date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


def _load_docx(path: Path, data: bytes) -> Document:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _Bad("corrupt .docx: not a zip archive")
    import docx  # python-docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        d = docx.Document(io.BytesIO(data))
        blocks = []
        for child in d.element.body.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                blocks.append(Paragraph(child, d).text)
            elif tag == "tbl":
                for row in Table(child, d).rows:
                    cells, last = [], None
                    for cell in row.cells:
                        if cell._tc is not last:  # a merged cell repeats across the columns it spans
                            cells.append(cell.text.strip())
                        last = cell._tc
                    # tab, not " | ": a pipe row would look like a navigation bar to the cleaner
                    blocks.append("\t".join(c for c in cells if c))
        core_title = (d.core_properties.title or "").strip()
    except KeyError:
        raise _Bad("corrupt .docx: not a Word document (no word/document.xml)") from None
    except Exception as e:  # broken XML inside the archive
        raise _Bad(f"corrupt .docx: {type(e).__name__}") from e
    source = "\n\n".join(blocks)
    lines, meta = _analyse(source, path)
    if meta.get("title_from_stem") and core_title:
        meta["title"] = core_title
    starts, at = [], 0
    for b in blocks:
        starts.append(at)
        at += len(b) + 2
    return _document(path, data, lines, meta, source=source, unit="paragraph", starts=starts)


def _load_jsonl(path: Path, data: bytes) -> tuple[list[Document], list[Skipped]]:
    _reject_binary(data, ".jsonl")
    docs: list[Document] = []
    skipped: list[Skipped] = []
    for n, line in enumerate(data.split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            s = line.decode("utf-8-sig" if n == 1 else "utf-8")
        except UnicodeDecodeError as e:
            skipped.append(Skipped(str(path), f"line {n}: {_utf8_error(line, e)}"))
            continue
        try:
            obj = json.loads(s)
        except json.JSONDecodeError as e:
            skipped.append(Skipped(str(path), f"line {n}: malformed JSON ({e.msg} at column {e.colno})"))
            continue
        if not isinstance(obj, dict):
            skipped.append(Skipped(str(path), f"line {n}: not a JSON object"))
            continue
        body = next((obj[k] for k in ("content", "text") if isinstance(obj.get(k), str) and obj[k].strip()), None)
        if body is None:
            skipped.append(Skipped(str(path), f"line {n}: no content or text field"))
            continue
        title = _str(obj.get("title"))
        lines, meta = _analyse(body, path, title)
        if meta["title_from_stem"]:
            meta["title"] = f"{path.stem} line {n}"
        meta["url"] = _str(obj.get("url")) or meta["url"]
        meta["publisher"] = _str(obj.get("publisher")) or _str(obj.get("source")) or meta["publisher"]
        meta["date"] = _row_date(obj, meta["date"])
        doc = _document(path, line, lines, meta, line=n, source=body, unit="row-char")
        # A row's own id (or url) keeps its doc_id stable when rows are inserted above it;
        # the line number is the fallback.
        row_key = _str(obj.get("id")) or _str(obj.get("url"))
        if row_key:
            doc.doc_id = make_doc_id(path, row_key)
        if doc.text:
            docs.append(doc)
        else:
            skipped.append(Skipped(str(path), f"line {n}: no text left after removing boilerplate"))
    return docs, skipped


def _row_date(obj: dict, found: Optional[str]) -> Optional[str]:
    """JSONL `date`, else `year`; a full date found in the text wins when it is in that year."""
    explicit = obj.get("date")
    if isinstance(explicit, str) and explicit.strip():
        d = _first_date(explicit) or _year_of(explicit)
        if d:
            return d
    year = obj.get("year")
    year = str(year).strip() if isinstance(year, (int, str)) and not isinstance(year, bool) else ""
    if re.fullmatch(r"\d{4}", year):
        return found if found and found.startswith(year) and len(found) > 4 else year
    return found


def _str(v: object) -> Optional[str]:
    return v.strip() if isinstance(v, str) and v.strip() else None


def _document(path: Path, raw: bytes, lines: list[str], meta: dict, line: Optional[int] = None,
              source: Optional[str] = None, unit: str = "char", starts: Optional[list[int]] = None) -> Document:
    """`source` is the text offsets into the file are given in (`unit`, see retrieval.ingest.offsets)."""
    # The title is not kept as the first line of the text: it is carried in
    # Document.title (and shown with every quote), and as a line without final
    # punctuation it would be glued to the first sentence by the sentence splitter.
    title = meta["title"]
    first = next((i for i, s in enumerate(lines) if s), None)
    if first is not None and lines[first] == title:
        lines = lines[first + 1:]
    text = _assemble(lines)
    resolved = str(path.resolve())
    file_offsets: dict = {}
    if source is not None:
        file_offsets = {"unit": unit, "map": offset_map(source, text)}
        if starts is not None:
            file_offsets["starts"] = starts
    return Document(
        doc_id=make_doc_id(path, line),
        text=text,
        title=title,
        path=resolved if line is None else f"{resolved}#{line}",
        content_hash=file_hash(raw),
        lang=detect_lang(text),
        date=meta["date"],
        publisher=meta["publisher"],
        url=meta["url"],
        period=meta.get("period"),
        author=meta.get("author"),
        tags=list(meta.get("tags") or []),
        file_offsets=file_offsets,
    )


def make_doc_id(path: Path, line: int | str | None = None) -> str:
    """Stable id: the same file (and JSONL line) gives the same id on every run."""
    key = str(Path(path).resolve()) + (f"#{line}" if line is not None else "")
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


# --------------------------------------------------------------------------- decoding


def _reject_binary(data: bytes, ext: str) -> None:
    head = data[:8192]
    controls = sum(b < 32 and b not in (9, 10, 12, 13) for b in head)
    if b"\x00" in head or controls > len(head) // 100:
        raise _Bad(f"binary content in a {ext} file")


def _decode(data: bytes, ext: str) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Notepad's "Unicode"; NULs are expected
        try:
            return _plausible(data.decode("utf-16"), ext)
        except UnicodeDecodeError:
            raise _Bad("not valid UTF-16") from None
    _reject_binary(data, ext)
    try:
        return _plausible(data.decode("utf-8-sig"), ext)
    except UnicodeDecodeError as e:
        err = e
    try:
        # GB18030 accepts most byte soup, so only text that decodes strictly and
        # reads as Chinese counts; anything else is reported as broken UTF-8
        text = data.decode("gb18030")
        if _looks_chinese(text):
            return _plausible(text, ext)
    except UnicodeDecodeError:
        pass
    raise _Bad(_utf8_error(data, err))


def _plausible(text: str, ext: str) -> str:
    """`text`, unless it is bytes that merely happened to decode: random bytes decode as
    GB18030 or UTF-16 into a soup of rare characters, control and unassigned code points."""
    sample = text[:8192] + text[-8192:] if len(text) > 16384 else text
    odd = sum(unicodedata.category(c) in ("Cc", "Co", "Cn", "Cs") and c not in "\t\n\r\f" or c == "\ufffd" for c in sample)
    han = _HAN.findall(sample)
    # Chinese prose, Simplified or Traditional, is >99% commonly used characters (the first
    # levels of GB2312 and Big5); random code points in the Han blocks are ~40-70% common.
    rare = len(han) >= 50 and sum(map(_common_han, han)) < 0.9 * len(han)
    if odd > len(sample) // 200 or rare:
        raise _Bad(f"binary content in a {ext} file (it decodes only to characters no text uses)")
    return text


@lru_cache(maxsize=65536)
def _common_han(c: str) -> bool:
    for codec, lo, hi in (("gb2312", 0xB0, 0xD7), ("big5", 0xA4, 0xC6)):
        try:
            b = c.encode(codec)
        except UnicodeEncodeError:
            continue
        if len(b) == 2 and lo <= b[0] <= hi:
            return True
    return False


def _utf8_error(data: bytes, e: UnicodeDecodeError) -> str:
    bom = 3 if data.startswith(codecs.BOM_UTF8) else 0  # utf-8-sig offsets exclude the BOM
    at = e.start + bom
    return f"not valid UTF-8 (byte 0x{data[at]:02x} at offset {at})"


def _looks_chinese(text: str) -> bool:
    other = [c for c in text if ord(c) > 127]
    return bool(other) and sum(bool(_HAN.match(c)) or c in _CJK_PUNCT for c in other) >= 0.9 * len(other)


# --------------------------------------------------------------------------- text patterns

_HAN = re.compile(f"[{_HAN_RANGES}]")
_CJK_PUNCT = "，。、；：？！“”‘’（）《》〈〉「」『』【】…—·　～"
_TERMINAL = "。！？!?；;…"
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


_MONTHS = {m[:3].lower(): i for i, m in enumerate(
    "January February March April May June July August September October November December".split(), 1)}
_MONTH = r"\b(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
_DATE_PATTERNS = [  # (regex, group order as y, m, d)
    (re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号號]"), (1, 2, 3)),
    (re.compile(r"(?<![\d.])(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![\d.])"), (1, 2, 3)),
    (re.compile(_MONTH + r"\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", re.I), (3, 1, 2)),
    (re.compile(r"\b(\d{1,2})\s+" + _MONTH + r"\.?,?\s+(\d{4})\b", re.I), (3, 2, 1)),
]
_TIME = re.compile(r"(?<!\d)\d{1,2}:\d{2}(?::\d{2})?(?!\d)")

_LABELS = (
    r"Source|Published(?:\s+(?:on|at|date|time))?|Publish\s+(?:date|time)|Release\s+time|Date|Time|Updated|"
    r"Editor|Responsible\s+editor|Author|Reporter|Views|Hits|Clicks|"
    r"来源|來源|出处|出處|发布时间|發佈時間|發布時間|发布日期|發佈日期|發布日期|时间|時間|日期|"
    r"责任编辑|責任編輯|编辑|編輯|责编|責編|作者|记者|記者|"
    r"浏览量|瀏覽量|浏览次数|瀏覽次數|阅读量|閱讀量|点击量|點擊量|点击数|點擊數|"
    r"原文地址|原文链接|原文鏈接|原文网址|原文網址|Original\s+(?:URL|link)|"
    # the information bar of government pages (信息公开 tables)
    r"发布机构|發佈機構|發布機構|发文机关|發文機關|发文单位|發文單位|发布单位|發佈單位|信息来源|資訊來源|文章来源|文章來源|"
    r"成文日期|成文时间|成文時間|发文日期|發文日期|印发日期|印發日期|签发日期|簽發日期|"
    r"索引号|索引號|主题分类|主題分類|主题词|主題詞|文号|文號|发文字号|發文字號|有效性|公开方式|公開方式|"
    r"Publisher|Issued\s+by|Release\s+date"
)
_FIELD = re.compile(rf"(?:^|(?<=[\s【\[(（]))({_LABELS})\s*[:：]", re.I)
_URL_FIELD = re.compile(r"(?:原文地址|原文链接|原文鏈接|原文网址|原文網址|来源网址|來源網址|Original\s+(?:URL|link)|Source\s+URL|URL)\s*[:：]\s*(https?://[^\s<>\"'，。）)]+)", re.I)
_SOURCE_FIELD = re.compile(rf"(?:^|(?<=[\s【\[|｜]))(?:Source|Publisher|Issued\s+by|来源|來源|出处|出處|发布机构|發佈機構|發布機構|"
                           rf"发文机关|發文機關|发文单位|發文單位|发布单位|發佈單位|信息来源|資訊來源|文章来源|文章來源)\s*[:：]\s*(.*?)\s*(?=(?:{_LABELS})\s*[:：]|$)", re.I)
_EDITOR_FIELD = re.compile(rf"(?:^|(?<=[\s【\[]))(?:编辑|編輯|Editor)\s*[:：]\s*(.*?)\s*(?=(?:{_LABELS})\s*[:：]|[】\]]|$)", re.I)
_OUTLET = re.compile(r"(?:网|網|报|報|社|台|新闻|新聞|客户端|客戶端|Daily|News|Times|Post|Net|\.com|\.cn)$", re.I)
_BYLINE = re.compile(r"^[□■]\s*(\S.*?)\s*(?:Reporters?|Correspondents?|本报记者|本報記者|记者|記者|通讯员|通訊員)?\s*$", re.I)
_BYLINE_ROLE = re.compile(r"(?:Reporters?|Correspondents?|记者|記者|通讯员|通訊員)\s*$", re.I)

_LOCATION = re.compile(r"^(?:Your (?:location|position)|You are here|Current (?:location|position)|Location|"
                       r"当前位置|當前位置|您的位置|您现在的位置|您現在的位置|所在位置)\s*[:：>]", re.I)
_WIDGET_SEGMENTS = re.compile(
    r"\[\s*font\s*:[^\]]*\]|【\s*字[号號体體][^】]*】|字[号號体體]\s*[:：]?\s*[大中小](?:\s*[大中小]){2}|"
    r"\{\{[^{}]*\}\}|"
    r"(?:Views|Hits|Clicks|浏览量|瀏覽量|浏览次数|瀏覽次數|阅读量|閱讀量|点击量|點擊量|点击数|點擊數)\s*[:：]\s*\d*",
    re.I,
)
_WIDGET_WORDS = re.compile(
    r"share\s+(?:to|on|this)|add\s+to\s+favou?rites|set\s+(?:as\s+)?homepage|accessibility|favou?rites|"
    r"download\s+attachments?|related\s+(?:links|articles|news)|back\s+to\s+top|print|close|share|email|"
    r"分享到|分享至|加入收藏|收藏本站|设为首页|設為首頁|打印本页|打印本頁|打印|关闭窗口|關閉窗口|返回顶部|返回頂部|"
    r"下载附件|下載附件|附件下载|附件下載|相关链接|相關鏈接|扫一扫|掃一掃|微信|微博|"
    r"your email address will not be published",
    re.I,
)
# Comment forms and the Wikisource licence box only ever follow the article: cut there.
_TAIL_START = re.compile(
    r"^(?:Leave a (?:Reply|Comment)|Post a Comment|发表评论|發表評論|网友评论|網友評論|本作品(?:是|来自|來自|在|于|於))", re.I
)
# Link lists may also sit in a sidebar above the article: cut only in the second half.
_TAIL_LATE = re.compile(
    r"^(?:Comments?\s*$|Related (?:Links|Articles|News)|相关链接|相關鏈接|相关新闻|相關新聞|相关阅读|相關閱讀)", re.I
)
# "copyright protection" in a sentence is content; a line opening with "Copyright" is a footer
_COPYRIGHT = re.compile(r"^(?:Copyright\b|©)|©\s*\d{4}|All rights reserved|版权所有|版權所有|版权声明|版權聲明|免责声明|免責聲明", re.I)
_CONTACT_KEY = re.compile(r"客服|电话|電話|邮箱|郵箱|投稿|联系|聯繫|聯系|Tel\b|Phone|E-?mail|Contact", re.I)
_CONTACT_VALUE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)|(?<!\d)1[3-9]\d{9}(?!\d)")
_MASTHEAD = re.compile(r"(?:^|\s)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:com|net|org|gov|edu|info|cn)(?:\.cn)?$", re.I)
_NAV_SPLIT = re.compile(r"\s*[|｜]\s*")
_HEADING = re.compile(r"^(?:第[一二三四五六七八九十百零〇\d]+[章节節条條部篇]|[一二三四五六七八九十]+[、．.]|"
                      r"[（(][一二三四五六七八九十\d]+[）)]|\d+[、．.])")


# --------------------------------------------------------------------------- pure text functions


def clean_text(raw: str) -> str:
    """Scraped or extracted text without site chrome, metadata lines and footers."""
    return _assemble(_clean_lines(_prepare(raw).split("\n")))


def _prepare(raw: str) -> str:
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    # a line holding only a zero-width space is an inline element, not a paragraph break
    text = re.sub(r"\n[ \t]*[\u200b\u200c\u200d\u2060\ufeff]+[ \t]*(?=\n)", "", text)
    return repair_pinyin_artifact(_ZERO_WIDTH.sub("", text))


def _clean_lines(raw_lines: list[str]) -> list[str]:
    """Lines worth keeping; "" marks a paragraph break."""
    lines = [s.strip() for s in raw_lines]  # indentation (incl. U+3000, NBSP) is layout, not wording
    nonblank = [i for i, s in enumerate(lines) if s]
    # footers are only cut in the second half (by characters: wrapped footers have many short lines)
    total, half, seen = sum(map(len, lines)), len(lines), 0
    for i, s in enumerate(lines):
        if seen >= total / 2:
            half = i
            break
        seen += len(s)
    out: list[str] = []
    drop_next_byline = False
    for i, line in enumerate(lines):
        if not line:
            out.append("")
            continue
        if (_TAIL_START.match(line) and any(out)) or (i >= half and (_TAIL_LATE.match(line) or _COPYRIGHT.search(line))):
            break  # everything after is footer
        if drop_next_byline:
            drop_next_byline = False
            if len(line) <= 80 and line[-1] not in _TERMINAL + ".":
                continue  # reporter names wrapped onto the line after "□ ... Reporter"
        if i in nonblank[:3] and len(line) <= 60 and _MASTHEAD.search(line):
            continue  # "Highlights of Nanjing NEWS.LONGHOO.NET"
        if _BYLINE.match(line) and len(line) <= 100:
            drop_next_byline = bool(_BYLINE_ROLE.search(line))
            continue
        if _is_chrome(line) or _is_meta_line(line):
            continue
        out.append(line)
    _drop_trailing_links(out)
    return _squeeze(out)


def _is_chrome(line: str) -> bool:
    if _LOCATION.match(line) or _is_nav(line):
        return True
    if _COPYRIGHT.search(line) and len(line) <= 400:
        return True
    if len(line) <= 200 and _CONTACT_VALUE.search(line) and _CONTACT_KEY.search(line):
        return True  # slogans and service lines with e-mail or phone numbers
    rest = _WIDGET_WORDS.sub(" ", _WIDGET_SEGMENTS.sub(" ", line))
    if rest == line:
        return False  # no widget in it ("、" alone is a wrapped fragment, not chrome)
    rest = re.sub(r"(?i)\b(?:large|medium|small|and)\b|[大中小]", "", rest)
    return not re.search(f"[A-Za-z0-9{_HAN_RANGES}]", rest)


def _is_nav(line: str) -> bool:
    if line.startswith(("|", "｜")):  # markdown table row, not a menu
        return False
    parts = [p for p in _NAV_SPLIT.split(line) if p]
    return len(parts) >= 4 and all(
        len(p) <= 40 and p[-1] not in _TERMINAL + "." and not re.fullmatch(r"[\d.,%\s-]+", p) for p in parts
    )


def _is_meta_line(line: str) -> bool:
    """Date/source/editor lines: read for metadata, then dropped from the text."""
    cells = [c.strip() for c in _NAV_SPLIT.split(line.strip().strip("|｜")) if c.strip()]
    if len(cells) > 1 and line.lstrip().startswith(("|", "｜")):  # a table row of fields ("| 发布机构：… | 成文日期：… |")
        return all(_is_meta_line(c) for c in cells)
    s = _WIDGET_SEGMENTS.sub(" ", line).strip("【】[]()（） \t")
    without_dates = _TIME.sub(" ", _strip_dates(s)).strip(" ,，")
    if not without_dates:
        return s != ""  # a line holding nothing but a date and time
    fields = list(_FIELD.finditer(without_dates))
    if not fields or without_dates[: fields[0].start()].strip():
        return False
    ends = [f.start() for f in fields[1:]] + [len(without_dates)]
    for f, end in zip(fields, ends):
        value = without_dates[f.end():end].strip()
        if len(value) > 60 and not value.startswith("http"):
            return False  # a sentence that happens to start with "Source:" is content
    return True


def _strip_dates(s: str) -> str:
    for rx, _ in _DATE_PATTERNS:
        s = rx.sub(" ", s)
    return s


def _drop_trailing_links(out: list[str]) -> None:
    """Remove a trailing run of short unpunctuated lines ("圖片新聞 / 熱點資訊 / 熱點聚焦")."""
    idx = [i for i, s in enumerate(out) if s]
    run = []
    for i in reversed(idx):
        s = out[i]
        short = len(s) <= 12 if _HAN.search(s) else len(s.split()) <= 3
        if short and s[-1] not in _TERMINAL + ".:：":
            run.append(i)
        else:
            break
    kept = sum(len(out[i]) for i in idx if i not in run)
    # a menu after the article, not a short text made of short lines
    if len(run) >= 2 and len(run) < len(idx) and sum(len(out[i]) for i in run) < 0.2 * kept:
        del out[min(run):]


def _squeeze(lines: list[str]) -> list[str]:
    out: list[str] = []
    for s in lines:
        if s or (out and out[-1]):
            out.append(s)
    while out and not out[-1]:
        out.pop()
    return out


def _assemble(lines: list[str]) -> str:
    """Lines back into text: blank lines become "\\n\\n", CJK soft wraps are joined.

    Wiki and HTML extractions break Chinese sentences around links (`所作的\\n政府工作报告\\n。`).
    Joining only happens in text that marks paragraphs with blank lines, so a lone
    newline there is a wrap, not a paragraph break.
    """
    paragraphed = "" in lines
    parts: list[str] = []
    logical = ""  # the current line after joins, for the heading check
    for s in lines:
        if not s:
            if parts and parts[-1] != "\n\n":
                parts.append("\n\n")
            logical = ""
            continue
        if logical:
            if paragraphed and _soft_wrap(logical, parts[-1], s):
                logical += s
            elif paragraphed and _latin_wrap(parts[-1], s):
                parts.append(" ")  # a hard-wrapped English line: the newline was a space
                logical += " " + s
            else:
                parts.append("\n")
                logical = s
        else:
            logical = s
        parts.append(s)
    return "".join(parts).strip()


_LIST_ITEM = re.compile(r"^(?:[-*+•·▪●○]\s|\d{1,3}[.)]\s|[(（]?[a-zA-Z\d]{1,3}[)）]\s|[|｜>#])")


def _latin_wrap(prev_line: str, nxt: str) -> bool:
    """Whether the newline between two lines of English prose is a wrap inside a paragraph.

    Only in text that marks paragraphs with blank lines; a line that ends a sentence, a
    list item, a table row or a heading-like short line before a capital stays a break."""
    last, first = prev_line[-1], nxt[0]
    if _HAN.match(last) or _HAN.match(first) or _LIST_ITEM.match(nxt) or _LIST_ITEM.match(prev_line):
        return False
    if last in ".!?:;" or not (last.isalnum() or last in ",-–—(/'\"’”%"):
        return False
    if not (first.isalnum() or first in "(\"'“‘$"):
        return False
    # "Targets" over "Industry output …" is a heading; a wrapped line is long or runs on in lower case
    return first.islower() or first.isdigit() or last in ",-–—(/" or len(prev_line) >= 40


# characters a unit or counter opens with: a line starting with one continues the number before it
_UNIT_FIRST = frozenset("万萬亿億千百元%％个個项項家户戶人吨噸倍年月日米公里亩畝台辆輛座条條")


def _soft_wrap(prev: str, prev_line: str, nxt: str) -> bool:
    """Whether the newline between `prev` (the line so far) and `nxt` is a wrap inside a CJK sentence."""
    last, first = prev[-1], nxt[0]
    han_last, han_first = bool(_HAN.match(last)), bool(_HAN.match(first))
    opening = han_first or first.isdigit() or first in "“《「（"
    if first in "。，、；：！？）」』》〉”’】…" and (han_last or last in "”’」』》）"):
        return True
    if last in "《「『“‘（〈【" and (opening or first in "“《「"):
        return True
    if (last in "，、：—" or _HEADING.fullmatch(prev)) and opening:
        return True  # "第四、" / "（二）" / "——" left alone on a line
    if last.isdigit() and first in _UNIT_FIRST and _HAN.search(prev):
        return True  # "国内生产总值达到74.4" + "万亿元，增长6.7%": a number and its unit, split by a link
    if min(len(prev_line), len(nxt)) <= 3 and last.isalnum() and (first.isalnum() or first in "%％") and _HAN.search(prev):
        return True  # "广义货币M" + "2" (a subscript) + "预期增长"
    return han_last and opening and not (_HEADING.match(prev) and len(prev) <= 40)


def extract_metadata(raw: str, path: Path) -> dict:
    """title, date (ISO "YYYY-MM-DD" or "YYYY"), publisher and url of one text."""
    _, meta = _analyse(raw, Path(path))
    return {k: meta[k] for k in ("title", "date", "publisher", "url")}


def _analyse(raw: str, path: Path, title: Optional[str] = None) -> tuple[list[str], dict]:
    """Cleaned lines plus metadata read from the uncleaned lines (metadata lines are dropped from text).

    `title` is a title known from elsewhere (a JSONL field), used for the year fallback.
    """
    front: dict = {}
    h1 = None
    if path.suffix.lower() == ".md":
        front, raw, h1 = _markdown(raw)
    raw_lines = [s.strip() for s in _prepare(raw).split("\n")]
    lines = _clean_lines(raw_lines)

    known = title or front.get("title") or h1
    title, from_stem = known, False
    if not title:
        first = next((s for s in lines if s), "")
        if len(lines) > 1 and _looks_like_title(first):
            title = first
    if not title or (not known and len(title) < len(path.stem) and title in path.stem):
        title, from_stem = path.stem, True  # "政府工作报告" says less than "2025年江苏省政府工作报告"

    period = _period_of(title) or _period_of(path.stem)
    found = _analyse_lines(raw_lines, title, period)
    date, rank = found["date"], found["date_rank"]
    if front.get("date"):
        d = _first_date(front["date"]) or _iso_prefix(front["date"]) or _year_of(front["date"])
        if d:
            date, rank = d, _RANK_WRITTEN
    if not date:  # a file saved as "2024-03-12-notes.md"
        d = _first_date(path.stem)
        if d and _after_period(d, period):
            date, rank = d, _RANK_TOP
    if not date and not period:  # a title year is the period of a communiqué, not its date
        date, rank = _year_of(title) or _year_of(path.stem), _RANK_YEAR

    meta = {
        "title": title,
        "title_from_stem": from_stem,
        "date": date,
        "date_rank": rank,
        "date_explicit": rank <= _RANK_PUBLISHED,
        "period": period,
        "publisher": front.get("publisher") or found["publisher"],
        "url": front.get("url") or found["url"],
        "author": front.get("author") or found["author"],
        "tags": front.get("tags") or [],
    }
    return lines, meta


# How much a date says about the document itself, best first.
_RANK_WRITTEN = 0  # front matter, 成文日期, the date a communiqué is signed with
_RANK_PUBLISHED = 1  # a labelled publication line (发布时间：, Published:)
_RANK_TOP = 2  # a date on a short line near the top
_RANK_YEAR = 3  # only the year, from the title or file name
# an issuing body followed by the date it signed with, ending the line
_SIGNED = re.compile(r"(?:局|委员会|委員會|政府|办公室|辦公室|办公厅|辦公廳|调查队|調查隊|中心|研究院|Bureau|Office|Commission)"
                     r"[\s,，]*[（(]?\s*(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*[日号號]|\d{4}-\d{1,2}-\d{1,2})\s*[）)]?\s*$", re.I)
# the same signature on two lines, the date giving the month only ("…管理委员会" / "2025年3月"):
# an action plan or notice is often signed so; the document's date is then that month ("2025-03")
_SIGNER_LINE = re.compile(r"(?:局|委员会|委員會|政府|办公室|辦公室|办公厅|辦公廳|调查队|調查隊|中心|研究院)\s*$")
_MONTH_LINE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*$")
_WRITTEN_LABEL = re.compile(r"(?:成文日期|成文時間|成文时间|发文日期|發文日期|印发日期|印發日期|签发日期|簽發日期)\s*[:：]\s*(.{0,40})")
_AUTHOR_FIELD = re.compile(r"(?:^|(?<=[\s【\[]))(?:作者|Author|By)\s*[:：]\s*([^|｜:：]{1,40}?)\s*(?=[|｜]|\s\S+[:：]|$)", re.I)


def _analyse_lines(lines: list[str], title: Optional[str], period: Optional[str] = None) -> dict:
    """date (with its rank), publisher, url and author stated on the lines of a text."""
    date, rank = _find_date(lines, period)
    author = None
    for s in lines:
        if s and len(s) <= 200 and _is_meta_line(s):
            m = _AUTHOR_FIELD.search(s)
            if m:
                author = _publisher_name(m.group(1))
                break
    return {"date": date, "date_rank": rank, "publisher": _find_publisher(lines), "url": _find_url(lines), "author": author}


def _period_of(title: Optional[str]) -> Optional[str]:
    """The year a document reports on, when its title says it is an annual account of one:
    "温州市2015年国民经济和社会发展统计公报" and "Statistical Communique on the 2023 …" report on
    that year (and were issued the next); a "2025年政府工作报告" is issued in its year, so no period."""
    if not title:
        return None
    m = _PERIOD_ZH.search(title) or _PERIOD_EN.search(title) or _PERIOD_EN_AFTER.search(title)
    return m.group(1) if m else None


_ANNUAL_ZH = r"(?:统计公报|統計公報|国民经济和社会发展|國民經濟和社會發展|统计年鉴|統計年鑒|年鉴|年鑒|决算|決算|年度报告|年度報告|年报|年報|工作总结|工作總結)"
_PERIOD_ZH = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年(?:度)?[^。，；]{0,30}?" + _ANNUAL_ZH)
_ANNUAL_EN = r"(?:Statistical\s+Communiqu[eé]|Statistical\s+Bulletin|Annual\s+Report|Yearbook|Final\s+Accounts)"
_PERIOD_EN = re.compile(_ANNUAL_EN + r"\b[^.;]{0,80}?\b((?:19|20)\d{2})\b", re.I)
_PERIOD_EN_AFTER = re.compile(r"\b((?:19|20)\d{2})\b[^.;]{0,60}?" + _ANNUAL_EN, re.I)


def _after_period(date: str, period: Optional[str]) -> bool:
    """A document about a year is issued after it: a date inside the period is not its date."""
    return not period or date[:4] > period[:4]


def _looks_like_title(line: str) -> bool:
    if not line or line[-1] in ".。:：;；,，" or "。" in line:
        return False  # a sentence or a salutation ("各位代表：")
    return len(line) <= (60 if _HAN.search(line) else 150)


def _markdown(raw: str) -> tuple[dict, str, Optional[str]]:
    """Front matter fields, the body with `#` heading marks removed, and the first H1.

    The front matter is cut from the text whatever its fields; blank lines before it
    and a BOM are allowed (YAML `---` or TOML `+++`)."""
    fields, body_at = split_front_matter(raw)
    front = front_matter_meta(fields) if body_at else {}
    raw = raw[body_at:]
    h1 = None
    body = []
    for line in raw.split("\n"):
        hm = re.match(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if hm:
            if hm.group(1) == "#" and h1 is None:
                h1 = hm.group(2)
            line = hm.group(2)
        body.append(line)
    return {k: v for k, v in front.items() if v}, "\n".join(body), h1


def _find_date(lines: list[str], period: Optional[str] = None) -> tuple[Optional[str], int]:
    """(date, rank): the document's own date (成文日期, a signature date closing the text)
    first, then a date on a metadata line, else one on a short line near the top. Dates
    inside the period a document reports on are not its date."""
    nonblank = [s for s in lines if s]
    tail = set(range(max(0, len(nonblank) - 6), len(nonblank)))
    best: tuple[int, str] | None = None
    for i, s in enumerate(nonblank):
        if i in tail and i > 0 and len(s) <= 80 and _SIGNED.search(s):
            d = _first_date(s)  # "温州市统计局 2016年3月2日": the signature closing a communiqué
            if d and _after_period(d, period) and (best is None or best[0] > _RANK_WRITTEN):
                best = (_RANK_WRITTEN, d)
            continue
        month = _MONTH_LINE.match(s) if i in tail and i > 0 and _SIGNER_LINE.search(nonblank[i - 1]) else None
        if month and 1 <= int(month.group(2)) <= 12:
            d = f"{month.group(1)}-{int(month.group(2)):02d}"
            if _after_period(d, period) and (best is None or best[0] > _RANK_WRITTEN):
                best = (_RANK_WRITTEN, d)
            continue
        if len(s) > 200 or not _is_meta_line(s):
            continue
        m = _WRITTEN_LABEL.search(s)
        if m:
            d = _first_date(m.group(1))
            rank = _RANK_WRITTEN
        else:
            d = _first_date(s)
            date_only = d is not None and not _TIME.sub("", _strip_dates(s)).strip(" \t,，()（）【】[]")
            rank = _RANK_WRITTEN if date_only and i in tail and i > 0 else _RANK_PUBLISHED
        if d and _after_period(d, period) and (best is None or rank < best[0]):
            best = (rank, d)
    if best:
        return best[1], best[0]
    for s in nonblank[:10]:
        if len(s) <= 120:
            d = _first_date(s)
            if d and _after_period(d, period):
                return d, _RANK_TOP
    return None, _RANK_YEAR


def _first_date(s: str) -> Optional[str]:
    found = []
    for rx, (yi, mi, di) in _DATE_PATTERNS:
        for m in rx.finditer(s):
            y, mo, d = m.group(yi), m.group(mi), m.group(di)
            month = int(mo) if mo.isdigit() else _MONTHS[mo[:3].lower()]
            try:
                found.append((m.start(), _date(int(y), month, int(d)).isoformat()))
            except ValueError:
                continue
    return min(found)[1] if found else None


def _year_of(s: str) -> Optional[str]:
    """A leading year: "2025年江苏省政府工作报告" → "2025" ("到2030年…" in a title is a target, not a date)."""
    m = re.match(r"\s*(1[89]\d{2}|20\d{2})(?:\s*年|\s*$)", s)
    return m.group(1) if m else None


def _find_publisher(lines: list[str]) -> Optional[str]:
    """The "Source:" field first: it names the outlet. An editor field only when it is
    an outlet ("編輯:中國江蘇網"), since it usually names a person; the "□ Paper/Site
    Reporter" byline last."""
    editor = byline = None
    for s in lines:
        if not s or len(s) > 200:
            continue
        m = _SOURCE_FIELD.search(s)
        if m and _is_meta_line(s):
            name = _publisher_name(m.group(1))
            if name:
                return name
        m = _EDITOR_FIELD.search(s)
        if m and not editor and _is_meta_line(s):
            name = _publisher_name(m.group(1))
            if name and _OUTLET.search(name):
                editor = name
        m = _BYLINE.match(s)
        if m and not byline:
            byline = _publisher_name(m.group(1))
    return editor or byline or _signatory(lines)


_ORG_END = re.compile(r"(?:局|委员会|委員會|人民政府|办公室|辦公室|办公厅|辦公廳|调查队|調查隊|Bureau(?: of [A-Z][a-z]+)*|Office|Commission)$")


def _signatory(lines: list[str]) -> Optional[str]:
    """The body that signs a communiqué at its end: "温州市统计局" above (or before) the closing date."""
    nonblank = [s for s in lines if s][-6:]
    for i in range(len(nonblank) - 1, 0, -1):
        s = nonblank[i]
        rest = _TIME.sub("", _strip_dates(s)).strip(" \t,，()（）")
        if rest == s.strip(" \t,，()（）") or len(s) > 80:
            continue  # no date on this line
        if rest:
            first = rest.split()[0]
            if len(first) <= 40 and _ORG_END.search(first):
                return first
            continue
        above = []  # the names are on the lines right above the date: the first of them signs
        for t in reversed(nonblank[max(0, i - 3):i]):
            if len(t) > 40 or not _ORG_END.search(t):
                break
            above.insert(0, t)
        if above:
            return above[0]
    return None


def _publisher_name(value: str) -> Optional[str]:
    v = value.strip(" \t\u00a0\u3000,，;；|｜【】[]")
    v = _TIME.sub("", _strip_dates(v)).strip()
    if not v or len(v) > 60 or set(v) <= set("Xx*"):
        return None
    return v.title() if v.isascii() and v == v.lower() else v  # "nanjing daily" → "Nanjing Daily"


def _find_url(lines: list[str]) -> Optional[str]:
    for s in lines:
        m = _URL_FIELD.search(s)
        if m:
            return m.group(1)
    return None
