"""First stage of extraction: read article files, strip markup, find site boilerplate.

`read_corpus` reads a folder of articles (plain text or HTML) with optional metadata
(sources.yaml), and returns the documents it could read and the files it skipped, with the
reason. Nothing is ever truncated silently: a file larger than `max_bytes` is skipped with a
message that says how to read it.

Offsets: every span (boilerplate here, mentions later) is a character offset into
`Document.text`. For plain text that is the file decoded (UTF-8, or the detected encoding)
with a leading byte-order mark removed and nothing else changed, so offsets agree with the
gold annotations; for HTML it is the visible text after markup is stripped.

Boilerplate (site furniture: navigation, credits, teasers, comment boxes, duplicated
headlines) is *marked*, not deleted, so offsets stay stable and a reviewer can see what was
left out. The heuristics are generic; precision matters more than recall, because article
text lost is worse than a photo credit kept.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..dates import TimeValue, parse_time
from ..errors import ConfigError, KGError
from ..sources.yamlload import YAMLSyntaxError, load_yaml
from .furniture import find_boilerplate, merge_spans
from .model import Document, Skipped

ARTICLE_SUFFIXES = (".txt", ".text", ".md", ".html", ".htm")
HTML_SUFFIXES = (".html", ".htm")
DEFAULT_MAX_BYTES = 5_000_000
METADATA_NAME = "sources.yaml"


class ArticleError(ValueError):
    """An article file that cannot be read as text; the run skips it and goes on."""

    def __init__(self, path: Path | str, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class MetadataError(KGError):
    """The metadata file (sources.yaml) is malformed: the run cannot trust any id in it."""

    exit_code = 2

    def __init__(self, path: Path | str, line: int | None, message: str):
        self.path, self.line, self.message = str(path), line, message
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")


# --------------------------------------------------------------------------------------------
# Corpus and metadata


def load_metadata(path: Path) -> list[dict]:
    """The entries of a sources.yaml: a list of mappings, each with at least `id` or `file`.

    Raises MetadataError naming the file and line when the YAML is malformed or an entry
    has the wrong shape: a wrong id would attach facts to the wrong article.
    """
    try:
        doc = load_yaml(path)
    except YAMLSyntaxError as exc:
        raise MetadataError(path, exc.line, exc.message) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise MetadataError(path, None, f"cannot be read: {exc}") from exc
    if doc is None:
        return []
    if isinstance(doc, dict) and isinstance(doc.get("sources"), list):
        doc = doc["sources"]
    if not isinstance(doc, list):
        raise MetadataError(path, getattr(doc, "line", 1), "expected a list of article entries")
    entries = []
    for index, item in enumerate(doc):
        line = getattr(item, "line", None) or _item_line(path, index)
        if not isinstance(item, dict):
            raise MetadataError(path, line, f"entry {item!r} is not a mapping (id, file, ...)")
        if not item.get("id") and not item.get("file"):
            raise MetadataError(path, line, "entry has neither `id` nor `file`")
        entries.append(item)
    return entries


def _item_line(path: Path, index: int) -> int | None:
    """The line of the index-th item of a YAML list (scalars do not remember their line)."""
    import yaml

    try:
        node = yaml.compose(Path(path).read_text(encoding="utf-8"))
        return node.value[index].start_mark.line + 1
    except (yaml.YAMLError, AttributeError, IndexError, OSError):
        return None


def read_corpus(
    folder: Path, metadata: Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[list[Document], list[Skipped]]:
    """Read every article of `folder` (sorted by name); skip, with a reason, what cannot be read.

    Metadata comes from `metadata`, else `folder/sources.yaml` when present. A file the
    metadata does not name is still read (id = file stem), with a warning on the Document; an
    entry naming a missing file becomes a Skipped. A malformed metadata file raises
    MetadataError (file and line).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError(f"{folder}: not a folder; name a folder that holds the article files")
    if metadata is None and (folder / METADATA_NAME).is_file():
        metadata = folder / METADATA_NAME
    entries = load_metadata(Path(metadata)) if metadata is not None else []
    files = sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES
    )
    by_file: dict[str, dict] = {}
    docs: list[Document] = []
    skipped: list[Skipped] = []
    for entry in entries:
        name = _entry_file(entry, files)
        if name is None or not (folder / name).is_file():
            what = f"file {entry.get('file')!r}" if entry.get("file") else "no file for this id"
            line = entry.line_of("file") if hasattr(entry, "line_of") else None
            skipped.append(
                Skipped(
                    str(folder / (entry.get("file") or str(entry.get("id")))),
                    f"named in {Path(metadata).name}"
                    + (f" (line {line})" if line else "")
                    + f" for id {entry.get('id')!r}, but {what} does not exist",
                )
            )
            continue
        if Path(name).suffix.lower() not in ARTICLE_SUFFIXES:
            skipped.append(
                Skipped(
                    str(folder / name),
                    f"named in {Path(metadata).name} but not an article file "
                    f"({', '.join(ARTICLE_SUFFIXES)})",
                )
            )
            continue
        if name in by_file:
            raise MetadataError(
                metadata, getattr(entry, "line", None), f"file {name!r} is named twice"
            )
        by_file[name] = entry
    for path in files:
        entry = by_file.get(path.name)
        try:
            doc = read_document(
                path,
                doc_id=str(entry["id"]) if entry and entry.get("id") else None,
                metadata=dict(entry) if entry else None,
                max_bytes=max_bytes,
            )
        except ArticleError as exc:
            skipped.append(Skipped(exc.path, exc.reason))
            continue
        if metadata is not None and entry is None:
            doc.warnings.append(
                f"not listed in {Path(metadata).name}: id {doc.id!r} taken from the file name"
            )
        docs.append(doc)
    return docs, skipped


def _entry_file(entry: dict, files: list[Path]) -> str | None:
    """The file name an entry refers to: its `file`, else a file whose stem is its id."""
    if entry.get("file"):
        return str(entry["file"])
    stem = str(entry.get("id"))
    return next((p.name for p in files if p.stem == stem), None)


# --------------------------------------------------------------------------------------------
# One document


def read_document(
    path: Path,
    doc_id: str | None = None,
    metadata: dict | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Document:
    """Read one article; raise ArticleError (path, reason) when it cannot be read as text.

    Offsets into the returned Document.text are offsets into the *decoded* text (a UTF-8
    byte-order mark removed); for HTML, into the visible text.
    """
    path = Path(path)
    data = _read_bytes(path, max_bytes)
    text, encoding, warnings = decode_bytes(data, path)
    meta = dict(metadata or {})
    doc = Document(
        id=doc_id or str(meta.get("id") or path.stem),
        path=path,
        text=text,
        metadata=meta,
        encoding=encoding,
        warnings=warnings,
    )
    html_spans: list[tuple[int, int]] = []
    if path.suffix.lower() in HTML_SUFFIXES or _looks_like_html(text):
        try:
            page = html_to_text(text)
        except ArticleError as exc:
            raise ArticleError(path, exc.reason) from None
        if not page.text.strip():
            raise ArticleError(path, "HTML page has no visible text")
        doc.text, doc.format, html_spans = page.text, "html", page.boilerplate
        doc.warnings.extend(page.warnings)
        if page.headline and not (meta.get("headline") or meta.get("title")):
            meta["headline"] = page.headline
        if page.published and not meta.get("published"):
            meta["published"] = page.published
    doc.published = _published(meta, doc.warnings)
    headline = meta.get("headline") or meta.get("title")
    found = find_boilerplate(doc.text, headline if isinstance(headline, str) else None)
    doc.boilerplate = merge_spans(html_spans + found)
    return doc


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes; the size is checked first so an enormous file is never loaded."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ArticleError(
                path,
                f"{size:,} bytes, larger than {max_bytes:,} bytes; "
                "raise --max-bytes to read it",
            )
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except PermissionError:
        raise ArticleError(path, "cannot be read: permission denied") from None
    except OSError as exc:
        raise ArticleError(path, f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:  # grew while we looked
        raise ArticleError(
            path, f"larger than {max_bytes:,} bytes; raise --max-bytes to read it"
        )
    if not data:
        raise ArticleError(path, "empty file")
    return data


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_bytes(data: bytes, path: Path | str = "<bytes>") -> tuple[str, str, list[str]]:
    """Decode an article's bytes: (text, encoding, warnings); ArticleError when not text.

    UTF-8 first (a BOM is removed); otherwise the encoding charset-normalizer detects, with
    a warning, because a wrong guess garbles names. Binary data (NUL bytes, or mostly
    control characters) is refused rather than fed to the recognisers.
    """
    warnings: list[str] = []
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(enc)
            except UnicodeDecodeError:
                raise ArticleError(path, f"starts with a {enc} byte-order mark but is not {enc}")
            if enc != "utf-8":
                warnings.append(f"decoded as {enc} (byte-order mark)")
            return _check_text(text, path), enc, warnings
    if b"\x00" in data:
        raise ArticleError(path, "binary file (contains NUL bytes), not text")
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = _detect(data, path)
        warnings.append(f"decoded as {encoding} (the file is not valid UTF-8)")
    return _check_text(text, path), encoding, warnings


def _detect(data: bytes, path: Path | str) -> tuple[str, str]:
    """Decode non-UTF-8 bytes with the encoding charset-normalizer finds most plausible."""
    from charset_normalizer import from_bytes

    declared = _declared_charset(data)
    if declared:
        try:
            return data.decode(declared), declared
        except (UnicodeDecodeError, LookupError):
            pass
    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise ArticleError(path, "not text: no character encoding fits its bytes (binary?)")
    # Short Western texts fit several code pages equally well (cp1250 turns "Andreï" into
    # "Andreď"); on a tie prefer cp1252, the most common legacy encoding of web pages.
    for m in matches:
        tied = m.chaos == best.chaos and abs(m.coherence - best.coherence) < 0.01
        if tied and m.encoding == "cp1252":
            return str(m), "cp1252"
    text = str(best)
    try:
        if data.decode("cp1252") == text:
            return text, "cp1252"
    except UnicodeDecodeError:
        pass
    return text, best.encoding


def _declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its first kilobytes (<meta charset=...>)."""
    m = re.search(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_.:-]+)""", data[:4096], re.I)
    if not m:
        return None
    name = m.group(1).decode("ascii").lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _check_text(text: str, path: Path | str) -> str:
    """Refuse whitespace-only text and text that is mostly control characters."""
    if not text.strip():
        raise ArticleError(path, "contains only whitespace")
    sample = text[:100_000]
    bad = sum(
        1
        for c in sample
        if c == "\ufffd" or (unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v")
    )
    if bad > 0.05 * len(sample):
        raise ArticleError(path, f"binary file ({bad} control characters), not text")
    return text


def _published(meta: dict, warnings: list[str]) -> TimeValue | None:
    """The publication date of the metadata; a bad one is a warning, not a crash."""
    value = meta.get("published")
    if value in (None, ""):
        return None
    try:
        return parse_time(value)
    except ValueError as exc:
        warnings.append(f"published date ignored: {exc}")
        return None


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html"))




# --------------------------------------------------------------------------------------------
# HTML

#: Elements whose content is never article text.
DROP_TAGS = {
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
    "iframe", "svg", "head", "button", "select", "textarea", "canvas", "object", "embed",
    "dialog", "menu",
}  # fmt: skip
#: Elements that end a line.
BLOCK_TAGS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "br", "tr", "article", "section",
    "blockquote", "figcaption", "figure", "ul", "ol", "dl", "dt", "dd", "table", "pre",
    "hr", "main", "address", "td", "th", "caption", "body",
}  # fmt: skip
#: Blocks separated from their neighbours by a blank line, as paragraphs are in plain text.
PARAGRAPH_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table"}
#: Words in a class or id that mark page furniture.
_FURNITURE_CLASS = re.compile(
    r"(?:^|[\s_-])(nav|navbar|navigation|menu|related|comments?|share|sharing|social|"
    r"newsletter|footer|sidebar|advert\w*|ads?|promo\w*|cookies?|breadcrumbs?|"
    r"teasers?|recommend\w*)(?:$|[\s_-])",
    re.I,
)
_FURNITURE_ROLES = {"navigation", "complementary", "contentinfo", "banner", "search"}
_PUBLISHED_META = (
    "article:published_time", "og:published_time", "datepublished", "pubdate",
    "publishdate", "dc.date", "dc.date.issued", "date",
)  # fmt: skip


@dataclass
class HtmlPage:
    """What html_to_text makes of a page."""

    text: str
    boilerplate: list[tuple[int, int]] = field(default_factory=list)
    headline: str | None = None
    published: str | None = None
    warnings: list[str] = field(default_factory=list)


def html_to_text(html: str) -> HtmlPage:
    """The visible text of an HTML page, with the spans of furniture-like elements.

    Scripts, styles, navigation, headers/footers (except the header of an <article>),
    asides and forms are dropped; block elements become line breaks (paragraphs a blank
    line); whitespace is collapsed within lines. Figure captions and elements whose
    class/id/role says navigation, related, comments, share, ... are kept in the text but
    marked as boilerplate, unless they hold most of the page (a badly named wrapper).
    """
    import lxml.html

    source = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    try:
        root = lxml.html.document_fromstring(
            source, parser=lxml.html.HTMLParser(huge_tree=True, remove_comments=True)
        )
    except Exception as exc:  # lxml raises ParserError for empty or unparsable documents
        raise ArticleError("<html>", f"HTML cannot be parsed: {exc}") from None
    builder = _TextBuilder()
    body = root.find("body")
    top = body if body is not None else root
    total = len(top.text_content())
    stack: list[tuple[str, object, bool]] = [("el", top, False)]
    while stack:
        kind, item, flag = stack.pop()
        if kind == "text":
            builder.text(item, flag)
        elif kind == "break":
            builder.brk(item)
        else:
            _visit(item, flag, total, stack)
    page = HtmlPage(builder.result(), merge_spans(builder.spans))
    page.warnings = _lost_text(source, root)
    page.headline = _headline(root)
    page.published = _published_html(root)
    return page


def _lost_text(source: str, root) -> list[str]:
    """A warning when the parser kept far less text than the page has (e.g. nesting deeper
    than libxml2's limit), so that a page is never shortened silently."""
    crude = re.sub(r"(?is)<(script|style|noscript|template)\b.*?</\1\s*>|<[^>]*>", " ", source)
    expected = len(re.sub(r"&[#\w]+;", "x", crude).split())
    kept = len(root.text_content().split())
    if expected > 50 and kept < 0.8 * expected:
        return [f"HTML parser kept only {kept:,} of about {expected:,} words (markup nested too "
                "deeply or broken); some text is missing"]
    return []


def _visit(el, flag: bool, total: int, stack: list) -> None:
    """Push an element's content on the stack (reversed: the stack pops last-in first)."""
    tag = el.tag.lower() if isinstance(el.tag, str) else None
    todo: list[tuple[str, object, bool]] = []
    if tag is None or _dropped(el, tag):
        pass
    else:
        flag = flag or _furniture(el, tag, total)
        block = tag in BLOCK_TAGS
        gap = 2 if tag in PARAGRAPH_TAGS else 1
        if block:
            todo.append(("break", gap, flag))
        if el.text:
            todo.append(("text", el.text, flag))
        for child in el:
            todo.append(("el", child, flag))
            if child.tail:  # the text after a child belongs to this element
                todo.append(("text", child.tail, flag))
        if block:
            todo.append(("break", gap, flag))
    stack.extend(reversed(todo))


def _dropped(el, tag: str) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    if tag == "header":  # the header of an article holds its headline
        return not any(a.tag == "article" for a in el.iterancestors())
    return tag in DROP_TAGS


def _furniture(el, tag: str, total: int) -> bool:
    """Figure captions and elements named like furniture, unless they hold the article."""
    named = " ".join(filter(None, [el.get("class"), el.get("id")]))
    if not (
        tag == "figcaption"
        or _FURNITURE_CLASS.search(named)
        or (el.get("role") or "").lower() in _FURNITURE_ROLES
    ):
        return False
    if tag in ("article", "main") or el.find(".//h1") is not None:
        return False
    return len(el.text_content()) < 0.4 * max(total, 1) or tag == "figcaption"


def _headline(root) -> str | None:
    for path in (".//h1", ".//title"):
        el = root.find(path)
        if el is not None:
            text = " ".join(el.text_content().split())
            if text:
                return text
    return None


def _published_html(root) -> str | None:
    """The page's publication date (YYYY-MM-DD, or as precise as it says) from meta/time."""
    values = []
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if key in _PUBLISHED_META:
            values.append(meta.get("content") or "")
    values += [t.get("datetime") or "" for t in root.iter("time")]
    for value in values:
        m = re.match(r"\s*(\d{4}(?:-\d{2}(?:-\d{2})?)?)", value)
        if m:
            try:
                return parse_time(m.group(1)).text
            except ValueError:
                continue
    return None


class _TextBuilder:
    """Assembles visible text: whitespace collapsed, at most one blank line between blocks."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.breaks = 0  # line breaks wanted before the next word
        self.space = False  # a space wanted before the next word
        self.spans: list[tuple[int, int]] = []

    def _write(self, s: str) -> None:
        self.parts.append(s)
        self.pos += len(s)

    def brk(self, n: int) -> None:
        self.breaks = max(self.breaks, n)

    def text(self, raw: str, flag: bool) -> None:
        words = raw.split()
        if raw[:1].isspace():
            self.space = True
        for i, word in enumerate(words):
            before, joined = self.pos, False
            if self.pos and self.breaks:
                self._write("\n" * self.breaks)
            elif self.pos and (self.space or i):
                self._write(" ")
                joined = True
            self.breaks, self.space = 0, False
            start = self.pos
            self._write(word)
            if not flag:
                continue
            last = self.spans[-1][1] if self.spans else -1
            if last == start or (joined and last == before):
                self.spans[-1] = (self.spans[-1][0], self.pos)  # one span per line of furniture
            else:
                self.spans.append((start, self.pos))
        if words and raw[-1:].isspace():
            self.space = True

    def result(self) -> str:
        return "".join(self.parts)
