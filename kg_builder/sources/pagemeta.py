"""An article out of a web page or a PDF, for `kg add`: the body text and what the page says
about itself (headline, outlet, author, publication date, canonical URL, language).

HTML goes through trafilatura, set for precision: comments, tables, images, links and
formatting left out, trafilatura's fallback extractors allowed, and the publication date found
by htmldate from the page's markup only (meta tags, JSON-LD, <time>, the URL), never guessed
from the running text and never later than `today`. Nothing here opens a network connection:
trafilatura gets the page's text, never a URL to fetch.

Metadata come from trafilatura first and, where it has nothing, from the page's own
declarations (JSON-LD NewsArticle, og:/article: meta tags, <link rel=canonical>, <html lang>).
A field the page does not state stays None: nothing is inferred from the host name or the
text. The canonical URL is only a URL the page declares (canonical link, og:url, JSON-LD url).

A page is an article when its extracted text has at least MIN_PROSE_WORDS words in lines of
running prose (lines of at least PROSE_LINE_WORDS words): a login form, a paywall teaser, a
section front of short headlines or a JSON document is refused with a reason.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import email.utils
import io
import json
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from ..dates import parse_time

#: Running prose needed for a page to count as an article (see the module docstring).
MIN_PROSE_WORDS = 60
PROSE_LINE_WORDS = 15
_ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "blogposting",
    "opinionnewsarticle", "backgroundnewsarticle", "reviewnewsarticle", "report",
    "scholarlyarticle", "liveblogposting", "socialmediaposting", "webpage",
}  # fmt: skip


class NotAnArticle(ValueError):
    """The input holds no article text we can use; `reason` says why (the run goes on)."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@dataclass
class Extracted:
    """The article text and its metadata (None where the source does not say)."""

    text: str
    headline: str | None = None
    outlet: str | None = None
    author: str | None = None
    published: str | None = None
    canonical_url: str | None = None
    language: str | None = None
    extracted_with: str = ""
    pages: int | None = None
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# HTML


def decode_html(data: bytes, header_charset: str | None = None) -> tuple[str, str]:
    """(text, encoding) of an HTML page, in the order browsers use: a byte-order mark, the
    charset of the Content-Type header, the page's <meta charset>, UTF-8, then detection."""
    from ..extraction.text import ArticleError, _declared_charset, decode_bytes

    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(enc), enc
            except UnicodeDecodeError:
                raise NotAnArticle(f"starts with a {enc} byte-order mark but is not {enc}") from None
    if b"\x00" in data[:100_000]:
        raise NotAnArticle("binary data (contains NUL bytes), not an HTML page")
    for name in (header_charset, _declared_charset(data), "utf-8"):
        if not name:
            continue
        try:
            enc = codecs.lookup(name).name
            return data.decode(enc), enc
        except (LookupError, UnicodeDecodeError):
            continue
    try:
        text, enc, _ = decode_bytes(data)
    except ArticleError as exc:
        raise NotAnArticle(exc.reason) from None
    return text, enc


def looks_like_html(data: bytes) -> bool:
    """Whether bytes start like an HTML document (after a BOM, whitespace and comments)."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    while head.startswith(b"<!--") and b"-->" in head:
        head = head.split(b"-->", 1)[1].lstrip()
    if head.startswith(b"<?xml"):
        return b"<html" in head
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<meta"))


def extract_html(html: str, url: str | None = None, today: dt.date | None = None) -> Extracted:
    """The article of an HTML page (`url`: where it was found, to resolve relative links).

    Raises NotAnArticle when there is no article body (login page, index page, JSON, ...).
    """
    import trafilatura
    from lxml import html as lxml_html

    stripped = html.lstrip("\ufeff \t\r\n")
    if stripped[:1] in "{[" and _is_json(stripped):
        raise NotAnArticle("JSON data, not an HTML page with an article")
    if not stripped:
        raise NotAnArticle("empty page")
    today = today or dt.date.today()
    try:
        tree = lxml_html.fromstring(stripped.encode("utf-8"),
                                    parser=lxml_html.HTMLParser(encoding="utf-8"))
    except Exception as exc:  # lxml raises several types on broken input
        raise NotAnArticle(f"not parseable as HTML: {exc}") from None
    own = _page_declarations(tree, url)
    try:
        doc = trafilatura.bare_extraction(
            tree,
            url=url,
            favor_precision=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
            include_formatting=False,
            with_metadata=True,
            deduplicate=False,
            date_extraction_params={
                "extensive_search": False,  # dates from markup and URL only, never the text
                "original_date": True,  # publication, not last modification
                "outputformat": "%Y-%m-%d",
                "max_date": today.isoformat(),
            },
        )
    except Exception as exc:  # trafilatura's own bugs must not stop a run
        raise NotAnArticle(f"trafilatura failed on this page: {type(exc).__name__}: {exc}") from None
    body = (doc.text or "").strip() if doc is not None else ""
    if _is_json(body):
        raise NotAnArticle("JSON data, not an HTML page with an article")
    words, prose = _prose_words(body)
    if prose < MIN_PROSE_WORDS:
        kind = own.get("og_type")
        hint = f" (the page calls itself {kind!r})" if kind and kind != "article" else ""
        raise NotAnArticle(
            f"no article body found{hint}: {words} words extracted, {prose} of them in "
            f"paragraphs of running text (at least {MIN_PROSE_WORDS} needed); a login or "
            "consent page, a paywall, or an index of stories?"
        )
    outlet = _clean(doc.sitename)
    if outlet and _looks_like_host(outlet):  # trafilatura's fall-back on the host name
        outlet = None
    outlet = outlet or own.get("outlet")
    headline = _strip_site_suffix(_clean(doc.title) or own.get("headline"), outlet)
    published, note = _publication_date(doc.date, own["dates"], today)
    text = body
    if headline and _fold(body.split("\n", 1)[0]) != _fold(headline):
        text = f"{headline}\n{body}"
    return Extracted(
        text=_tidy(text),
        headline=headline,
        outlet=outlet,
        author=_clean_author(doc.author) or own.get("author"),
        published=published,
        canonical_url=own.get("canonical"),
        language=own.get("language"),
        extracted_with=f"trafilatura {trafilatura.__version__}",
        warnings=[note] if note else [],
    )


def _page_declarations(tree, url: str | None) -> dict:
    """What the page declares about itself: canonical URL, language, outlet, headline, author."""
    out: dict = {}
    meta: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("http-equiv") or "").strip().lower()
        value = (el.get("content") or "").strip()
        if key and value and key not in meta:
            meta[key] = value
    ld = _json_ld_article(tree)
    out["og_type"] = meta.get("og:type")
    canonical = None
    for el in tree.iter("link"):
        rels = (el.get("rel") or "").lower().split()
        if "canonical" in rels and el.get("href"):
            canonical = el.get("href").strip()
            break
    for candidate in (canonical, meta.get("og:url"), ld.get("url"), ld.get("@id")):
        resolved = _absolute(candidate, url)
        if resolved:
            out["canonical"] = resolved
            break
    root = tree.getroottree().getroot()
    for candidate in (
        root.get("lang"),
        root.get("{http://www.w3.org/XML/1998/namespace}lang"),
        ld.get("inLanguage") if isinstance(ld.get("inLanguage"), str) else None,
        meta.get("content-language"),
        meta.get("og:locale"),
        meta.get("dc.language"),
        meta.get("language"),
    ):
        tag = language_tag(candidate)
        if tag:
            out["language"] = tag
            break
    publisher = ld.get("publisher")
    names = [
        meta.get("og:site_name"),
        publisher.get("name") if isinstance(publisher, dict) else None,
        ld.get("_website_name"),
        meta.get("application-name"),
    ]
    out["outlet"] = next((_clean(n) for n in names if _clean(n)), None)
    headline = ld.get("headline") if isinstance(ld.get("headline"), str) else None
    out["headline"] = _clean(headline or meta.get("og:title"))
    out["author"] = _clean_author(_ld_names(ld.get("author")) or meta.get("author"))
    out["dates"] = _declared_dates(tree, meta, ld, out.get("canonical") or url)
    return out


#: Meta tags that declare a publication date, in order of trust.
_DATE_META = (
    "article:published_time", "og:published_time", "article.published", "datepublished",
    "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date", "dcterms.created",
    "citation_publication_date", "citation_date", "pubdate", "publishdate", "publish-date",
    "publish_date", "publication_date", "date", "sailthru.date", "parsely-pub-date",
    "article_date_original", "originalpublicationdate",
)  # fmt: skip
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|[-_]|$)")


def _declared_dates(tree, meta: dict, ld: dict, url: str | None) -> list[str]:
    """Publication dates (YYYY-MM-DD) the page states in its markup, most trusted first:
    JSON-LD datePublished, meta tags, itemprop=datePublished, <time pubdate>, the first
    <time> of the <article>, a complete date in the URL."""
    raw: list = [ld.get("datePublished"), ld.get("dateCreated")]
    raw += [meta.get(key) for key in _DATE_META]
    for el in tree.xpath('//*[@itemprop="datePublished"]'):
        raw.append(el.get("content") or el.get("datetime") or el.text_content())
    raw += tree.xpath("//time[@pubdate]/@datetime")
    raw += tree.xpath("(//article//time[@datetime])[1]/@datetime")
    if url:
        m = _URL_DATE.search(urlsplit(url).path)
        if m:
            raw.append(f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}")
    out: list[str] = []
    for value in raw:
        day = _iso_day(value)
        if day and day not in out:
            out.append(day)
    return out


def _iso_day(value) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", value)
    if m:
        text = m.group(0)
    else:
        try:
            text = email.utils.parsedate_to_datetime(value).date().isoformat()
        except (TypeError, ValueError, IndexError):
            return None
    try:
        parse_time(text)
    except ValueError:
        return None
    return text


def _publication_date(found: str | None, declared: list[str], today: dt.date):
    """(date, note): htmldate's date when the page's markup declares it; else the first
    declared date; else None. htmldate also guesses from image URLs, partial dates in links
    (day set to 01) and the running text: such a guess is left out with a note."""
    declared = [d for d in declared if _valid_date(d, today)]
    found = _valid_date(found, today)
    if found and found in declared:
        return found, None
    if declared:
        return declared[0], None
    if found:
        return None, (f"htmldate suggested {found}, but the page does not declare it as its "
                      "publication date; published left empty")
    return None, None


def _json_ld_article(tree) -> dict:
    """The first article-like object of the page's JSON-LD (plus the WebSite's name)."""
    found: dict = {}
    website = None
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
                continue
            if not isinstance(item, dict):
                continue
            if "@graph" in item:
                stack.extend(item["@graph"] if isinstance(item["@graph"], list) else [])
            types = item.get("@type")
            types = {str(t).lower() for t in (types if isinstance(types, list) else [types])}
            if "website" in types and isinstance(item.get("name"), str):
                website = website or item["name"]
            if not found and types & _ARTICLE_TYPES and "webpage" not in types:
                found = item
    if website:
        found = {**found, "_website_name": website}
    return found


def _ld_names(value) -> str | None:
    """Names of JSON-LD authors (a string, a Person, or a list of them), joined by "; "."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip():
            names.append(name.strip())
    return "; ".join(names) or None


# --------------------------------------------------------------------------------------------
# PDF


def extract_pdf(data: bytes) -> Extracted:
    """The text of a PDF (its pages' text layers, joined by blank lines) and the headline,
    author and language its document information declares. NotAnArticle when it has none."""
    import pypdf
    from pypdf.errors import PdfReadError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise NotAnArticle("encrypted PDF: it needs a password to be read")
            except NotImplementedError as exc:
                raise NotAnArticle(f"encrypted PDF that pypdf cannot open: {exc}") from None
        texts = []
        for page in reader.pages:
            texts.append((page.extract_text() or "").strip())
        info = reader.metadata or {}
        lang = reader.trailer["/Root"].get("/Lang") if "/Root" in reader.trailer else None
    except NotAnArticle:
        raise
    except (PdfReadError, Exception) as exc:  # pypdf raises many types on damaged files
        raise NotAnArticle(f"not a readable PDF: {type(exc).__name__}: {exc}") from None
    pages = len(texts)
    text = "\n\n".join(t for t in texts if t)
    if not text.strip():
        raise NotAnArticle(
            f"PDF has no text layer ({pages} page(s) of images, e.g. a scan): it may need OCR "
            "first (for example ocrmypdf), then add the result"
        )
    if _unreadable(text):
        raise NotAnArticle(
            "the PDF's text layer is unreadable (fonts without a Unicode map): it may need OCR"
        )
    title = _clean(str(info.get("/Title") or "")) if info else None
    if title and re.search(r"(^untitled|^microsoft word -|\.(docx?|pdf|indd|odt|rtf)$)", title, re.I):
        title = None
    author = _clean(str(info.get("/Author") or "")) if info else None
    if author and not re.fullmatch(r"[^\W\d_][^\d@/\\]*\s+[^\W\d_][^\d@/\\]*", author):
        author = None  # a login name or a program, not a person's name
    return Extracted(
        text=_tidy(text),
        headline=title if title and is_headline(title) else None,
        author=author,
        language=language_tag(str(lang)) if lang else None,
        extracted_with=f"pypdf {pypdf.__version__}",
        pages=pages,
    )


# --------------------------------------------------------------------------------------------
# plain text


def is_headline(line: str) -> bool:
    """The rule for a plain-text file's first line to be its headline: 2 to 20 words, at most
    150 characters, a letter in it, and no final . , ; or : (a sentence, not a headline)."""
    line = line.strip()
    words = line.split()
    return (
        2 <= len(words) <= 20
        and len(line) <= 150
        and any(c.isalpha() for c in line)
        and not line.endswith((".", ",", ";", ":"))
    )


def text_headline(text: str, markdown: bool = False) -> str | None:
    """The headline of a plain-text article: its first non-empty line when is_headline()
    says so and more text follows; else None. Markdown "#" marks are taken off."""
    lines = [ln.strip() for ln in text.splitlines()]
    nonempty = [i for i, ln in enumerate(lines) if ln]
    if len(nonempty) < 2:
        return None
    first = lines[nonempty[0]]
    if markdown:
        first = re.sub(r"^#{1,6}\s+", "", first).rstrip("#").strip()
        first = re.sub(r"[*_`]+", "", first).strip()
    return first if is_headline(first) else None


# --------------------------------------------------------------------------------------------
# small helpers


def language_tag(value: str | None) -> str | None:
    """A BCP 47 tag in its usual case ("en", "en-GB"), from "en_gb", "EN-gb", ...; else None."""
    if not value or not isinstance(value, str):
        return None
    tag = value.strip().replace("_", "-").split(",")[0].strip()
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", tag):
        return None
    parts = tag.split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 2 and part.isalpha():
            out.append(part.upper())
        elif len(part) == 4 and part.isalpha():
            out.append(part.title())
        else:
            out.append(part.lower())
    return "-".join(out)


def _valid_date(value: str | None, today: dt.date) -> str | None:
    if not value:
        return None
    try:
        tv = parse_time(str(value)[:10])
    except ValueError:
        return None
    if tv.earliest > today:
        return None
    return tv.text


def _absolute(href: str | None, base: str | None) -> str | None:
    if not href or not isinstance(href, str):
        return None
    href = href.strip()
    if base:
        href = urljoin(base, href)
    parts = urlsplit(href)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return href


def _clean(value) -> str | None:
    if not isinstance(value, str):
        return None
    value = re.sub(r"\s+", " ", value).strip()
    return value or None


def _clean_author(value) -> str | None:
    value = _clean(value)
    if not value:
        return None
    value = re.sub(r"^(by|von|par|por|di)\s+", "", value, flags=re.I).strip()
    if not any(c.isalpha() for c in value) or value.lower().startswith(("http://", "https://")):
        return None
    return value


def _strip_site_suffix(headline: str | None, outlet: str | None) -> str | None:
    """ "Headline | Outlet" -> "Headline" (only when the suffix is the outlet's name)."""
    if not headline or not outlet:
        return headline
    m = re.match(rf"^(.*\S)\s*[|\u2013\u2014:-]\s*{re.escape(outlet)}\s*$", headline, re.I)
    return m.group(1) if m and len(m.group(1).split()) >= 2 else headline


def _looks_like_host(name: str) -> bool:
    return bool(re.fullmatch(r"(?:www\.)?[\w-]+(?:\.[\w-]+)+(?::\d+)?", name))


def _prose_words(body: str) -> tuple[int, int]:
    """(all words, words in lines of at least PROSE_LINE_WORDS words)."""
    total = prose = 0
    for line in body.splitlines():
        n = len(line.split())
        total += n
        if n >= PROSE_LINE_WORDS:
            prose += n
    return total, prose


def _is_json(text: str) -> bool:
    text = text.strip()
    if not text or text[0] not in "{[":
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _unreadable(text: str) -> bool:
    sample = text[:50_000]
    bad = sum(1 for c in sample if c == "\ufffd" or (ord(c) < 32 and c not in "\t\n\r\f"))
    return bad > 0.05 * len(sample) or len(re.findall(r"\(cid:\d+\)", sample)) > 20


def _fold(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


def _tidy(text: str) -> str:
    """Trailing spaces off each line, at most one blank line in a row, one final newline."""
    lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    out: list[str] = []
    for ln in lines:
        if not ln and (not out or not out[-1]):
            continue
        out.append(ln)
    return "\n".join(out).strip("\n") + "\n"


# --------------------------------------------------------------------------------------------
# any input: what it is, then its article

INPUT_SUFFIXES = (".txt", ".text", ".md", ".html", ".htm", ".pdf")
TEXT_SUFFIXES = (".txt", ".text", ".md")
_KIND_SUFFIXES = {"html": (".html", ".htm"), "pdf": (".pdf",), "text": TEXT_SUFFIXES}


def read_article(
    data: bytes,
    *,
    suffix: str | None = None,
    media_type: str | None = None,
    charset: str | None = None,
    url: str | None = None,
    today: dt.date | None = None,
) -> tuple[str, str, Extracted]:
    """(kind, suffix of the original, article) of a file's bytes (`suffix` given) or of a
    download (`media_type`, `charset` and final `url` given). The bytes decide over the
    suffix and the media type: a .txt that is an HTML page is read as HTML, a PDF is a PDF.
    NotAnArticle says why there is no article."""
    kind = input_kind(data, suffix, media_type)
    if kind == "html":
        html, _ = decode_html(data, charset)
        art = extract_html(html, url, today)
    elif kind == "pdf":
        art = extract_pdf(data)
    else:
        markdown = suffix == ".md" or media_type == "text/markdown"
        art = plain_text(data, markdown=markdown, charset=charset)
    kept = _KIND_SUFFIXES[kind]
    return kind, suffix if suffix in kept else kept[0], art


def input_kind(data: bytes, suffix: str | None, media_type: str | None) -> str:
    """ "html", "pdf" or "text": from the bytes first, then the media type or the suffix."""
    from ..extraction.text import ArticleError, decode_bytes
    from .fetch import HTML_TYPES, PDF_TYPES, TEXT_TYPES

    if not data.strip():
        raise NotAnArticle("empty document")
    if data.startswith(b"%PDF-"):
        return "pdf"
    if media_type in PDF_TYPES or suffix == ".pdf":
        raise NotAnArticle("not a PDF: its bytes do not start with %PDF- (damaged or mislabelled?)")
    if looks_like_html(data) or media_type in HTML_TYPES or suffix in (".html", ".htm"):
        return "html"
    if media_type in TEXT_TYPES or suffix in TEXT_SUFFIXES:
        return "text"
    if media_type is not None:  # a download sent as application/octet-stream or without a type
        try:
            decode_bytes(data)
        except ArticleError:
            raise NotAnArticle(
                f"content type {media_type or '(none)'} and the body is not HTML, PDF or text"
            ) from None
        return "text"
    raise NotAnArticle(
        f"unsupported file type {suffix or '(no suffix)'}: give {', '.join(INPUT_SUFFIXES)} files"
    )


def read_file(path, max_bytes: int) -> bytes:
    """A file's bytes, its size checked first; NotAnArticle when too large, empty, unreadable."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise NotAnArticle(
                f"{size:,} bytes, larger than the limit of {max_bytes:,} bytes; "
                "raise max_bytes to add it"
            )
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except PermissionError:
        raise NotAnArticle("cannot be read: permission denied") from None
    except OSError as exc:
        raise NotAnArticle(f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise NotAnArticle(f"larger than the limit of {max_bytes:,} bytes; raise max_bytes to add it")
    if not data.strip():
        raise NotAnArticle("empty file" if not data else "contains only whitespace")
    return data


def plain_text(data: bytes, markdown: bool = False, charset: str | None = None) -> Extracted:
    """A plain-text article: decoded (a BOM removed, line ends made \\n), the headline by
    text_headline(); the text is otherwise left as it is."""
    from .. import __version__
    from ..extraction.text import ArticleError, _check_text, decode_bytes

    text, warnings = None, []
    if charset:
        with contextlib.suppress(LookupError, UnicodeDecodeError):
            text = _check_text(data.decode(charset), "<body>")
    if text is None:
        try:
            text, _, warnings = decode_bytes(data)
        except ArticleError as exc:
            raise NotAnArticle(exc.reason) from None
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return Extracted(
        text=text,
        headline=text_headline(text, markdown=markdown),
        extracted_with=f"kg-builder {__version__} (plain text)",
        warnings=warnings,
    )
