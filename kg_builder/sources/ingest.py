"""`kg add`: bring articles (files, folders, web pages) into a project's articles folder.

    report = add_articles(["page.html", "notes/", "https://..."], Path("articles"))

Each input becomes, in `articles_dir`:

- `<id>.txt`: the article text (UTF-8), what extraction and evidence checks read;
- `originals/<id><ext>`: the input as received, byte for byte (an .html page, a .pdf, a text
  file that was not UTF-8). A UTF-8 text file is its own original: it is stored once, as
  `<id>.txt`, and `original` is null;
- an entry appended to `sources.yaml` (the list `kg_builder.extraction.text.load_metadata`
  reads): id, file, original, headline, outlet, author, published, language, url,
  final_url (URLs only), canonical_url, format, sha256 (of the original bytes), text_sha256
  (of the stored text), added, extracted_with and `review: unchecked`.

Inputs: .txt/.text/.md files (plain text; the headline is the first line when
`pagemeta.is_headline` says it looks like one, else null), .html/.htm files and web pages
(trafilatura: see pagemeta), .pdf files and documents (pypdf), and http(s) URLs (see fetch).
A folder stands for its files with those suffixes, sorted by name, *not* recursively (so the
originals/ of an articles folder is never taken for new input), hidden files left out. The
bytes decide over the suffix: a .txt that is an HTML page is read as HTML, a PDF is a PDF.

Ids: `<published>-<up to 6 headline words>-<8 hex of the original's sha256>`, lowercase
ASCII (anyascii), e.g. `2022-09-30-finland-shuts-last-crossings-to-russian-1a2b3c4d`;
without a date or headline the parts are left out (the file name or the URL's last segment
stands in for the headline). Ids match ID_PATTERN and are unique in the folder.

Duplicates: an input whose original sha256, stored-text sha256, URL, final URL or canonical
URL (compared by fetch.normalise_url) equals those of an entry already there (entries without
hashes are hashed from their files; files of the folder that sources.yaml does not list count
too), or of an input added earlier in the same call, is a Duplicate naming that entry; a URL
already listed is not downloaded again.

Safety: bad input never stops a run; each problem is one Skipped with its reason. Nothing in
the folder is ever overwritten. All files are staged in a hidden folder first; only when every
input has been processed are they linked into place and sources.yaml replaced (new text
appended to the old bytes, which are kept as they are; written to a temporary file, checked
with load_metadata, then os.replace). A failure on the way removes what this call put in
place: the folder is as it was. One `kg add` at a time writes a folder (a lock file,
.kg-add.lock). An existing sources.yaml that does not parse raises MetadataError (file and
line) before anything is read.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from ..errors import ConfigError, KGError
from ..extraction.text import ARTICLE_SUFFIXES, ArticleError, MetadataError
from ..extraction.text import load_metadata as _load_metadata
from .fetch import Fetcher, FetchError, is_url, normalise_url
from .pagemeta import INPUT_SUFFIXES, Extracted, NotAnArticle, read_article, read_file

try:  # POSIX; elsewhere the folder is not locked
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None

__all__ = [
    "AddError", "AddReport", "Added", "Duplicate", "ID_PATTERN", "INPUT_SUFFIXES",
    "MetadataError", "Skipped", "add_articles", "expand_inputs", "make_id",
]  # fmt: skip

METADATA_NAME = "sources.yaml"
ORIGINALS = "originals"
LOCK_NAME = ".kg-add.lock"
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
HEADER = """\
# Articles of this project, one entry per article, written by `kg add` (kg-builder).
# `file` is the text that extraction and evidence checks read; `original` the input as it was
# received (null when the text file is the original). The metadata were extracted by a program:
# check headline, outlet, author and published against the article, then set `review: checked`.
"""


class AddError(KGError):
    """The articles folder cannot be written (locked, read-only, full): nothing was added."""

    exit_code = 9


@dataclass
class Added:
    input: str
    id: str
    file: str  #: relative to articles_dir
    original: str | None  #: relative to articles_dir; None when the text file is the original
    metadata: dict  #: the sources.yaml entry


@dataclass
class Duplicate:
    input: str
    existing_id: str
    reason: str


@dataclass
class Skipped:
    input: str
    reason: str


@dataclass
class AddReport:
    added: list[Added] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def as_dict(self) -> dict:
        """A JSON-ready dict: {"added": [...], "duplicates": [...], "skipped": [...]}."""
        return {
            "added": [asdict(a) for a in self.added],
            "duplicates": [asdict(d) for d in self.duplicates],
            "skipped": [asdict(s) for s in self.skipped],
        }


# --------------------------------------------------------------------------------------------
# the run


def expand_inputs(inputs: Sequence[str | Path]) -> list[str]:
    """The items add_articles processes, in order: a folder is replaced by its article files
    (sorted, not recursive, hidden ones left out); an empty folder, a missing path and a URL
    stay as they are. `on_item` is called once per item of this list."""
    items: list[str] = []
    for raw in inputs:
        text = str(raw)
        if is_url(text):
            items.append(text.strip())
            continue
        path = Path(text).expanduser()
        if path.is_dir():
            files = sorted(
                p for p in path.iterdir()
                if not p.name.startswith(".") and p.suffix.lower() in INPUT_SUFFIXES
                and p.is_file()
            )  # fmt: skip
            if files:
                items.extend(str(p) for p in files)
                continue
        items.append(text)
    return items


def add_articles(
    inputs: Sequence[str | Path],
    articles_dir: Path,
    *,
    timeout: float = 20.0,
    max_bytes: int = 10_000_000,
    on_item: Callable[[str], None] | None = None,
    today: dt.date | None = None,
) -> AddReport:
    """Add files, folders and http(s) URLs to `articles_dir` (see the module docstring).

    Raises MetadataError (exit code 2) when the existing sources.yaml is malformed,
    ConfigError (4) when articles_dir is not a folder, AddError (9) when the folder cannot be
    written; in each case nothing is added. Everything else becomes a Skipped of the report.
    """
    folder = Path(articles_dir)
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"{folder}: not a folder; name the articles folder (it is created)")
    today = today or dt.date.today()
    items = expand_inputs(inputs)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AddError(
            f"cannot create the articles folder {folder}: {exc.strerror or exc}"
        ) from None
    report = AddReport()
    with _locked(folder):
        meta_path = folder / METADATA_NAME
        old_bytes = meta_path.read_bytes() if meta_path.is_file() else b""
        entries = _load_metadata(meta_path) if old_bytes.strip() else []
        index = _Index(folder, entries)
        _remove_leftovers(folder)
        staging = Path(tempfile.mkdtemp(prefix=".kg-add-", dir=folder))
        try:
            with Fetcher(timeout=timeout, max_bytes=max_bytes) as fetcher:
                run = _Run(folder, staging, index, fetcher, max_bytes, today)
                for item in items:
                    outcome = run.process(item)
                    if isinstance(outcome, Added):
                        report.added.append(outcome)
                    elif isinstance(outcome, Duplicate):
                        report.duplicates.append(outcome)
                    else:
                        report.skipped.append(outcome)
                    if on_item is not None:
                        on_item(item)
            if report.added:
                _commit(folder, staging, meta_path, old_bytes, entries, report.added, today)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return report


class _Run:
    """The state of one add_articles call: where to stage, what exists, how to fetch."""

    def __init__(self, folder, staging, index, fetcher, max_bytes, today):
        self.folder, self.staging, self.index = folder, staging, index
        self.fetcher, self.max_bytes, self.today = fetcher, max_bytes, today

    def process(self, item: str) -> Added | Duplicate | Skipped:
        try:
            if is_url(item):
                return self._url(item)
            return self._file(item)
        except (ArticleError, NotAnArticle) as exc:
            return Skipped(item, exc.reason)
        except FetchError as exc:
            return Skipped(item, exc.reason)

    def _url(self, url: str) -> Added | Duplicate:
        known = self.index.find_url(url)
        if known:  # listed already: not downloaded again
            return Duplicate(url, known[0], f"the URL {url} is the {known[1]} of {known[0]}")
        got = self.fetcher.get(url)
        kind, ext, art = read_article(
            got.data, media_type=got.media_type, charset=got.charset, url=got.final_url,
            today=self.today,
        )
        fallback = unquote(urlsplit(got.final_url).path.rstrip("/").rsplit("/", 1)[-1])
        fallback = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", fallback)
        return self._store(url, got.data, art, kind, ext, fallback,
                           url=url, final_url=got.final_url)

    def _file(self, item: str) -> Added | Duplicate:
        path = Path(item).expanduser()
        if path.is_dir():
            raise NotAnArticle(f"folder without article files ({', '.join(INPUT_SUFFIXES)}); "
                        "sub-folders are not searched")
        if not path.exists():
            hint = ""
            if re.match(r"^(www\.)?[\w-]+(\.[\w-]+)+/", item):
                hint = "; for a web page, give the address with https://"
            raise NotAnArticle(f"no such file or folder{hint}")
        if not path.is_file():
            raise NotAnArticle("not a regular file")
        data = read_file(path, self.max_bytes)
        kind, ext, art = read_article(data, suffix=path.suffix.lower(), today=self.today)
        return self._store(item, data, art, kind, ext, path.stem)

    def _store(self, item, data, art: Extracted, kind, ext, fallback, url=None, final_url=None):
        sha = hashlib.sha256(data).hexdigest()
        text_bytes = art.text.encode("utf-8")
        text_sha = hashlib.sha256(text_bytes).hexdigest()
        urls = {"URL": url, "final URL": final_url, "canonical URL": art.canonical_url}
        dup = self.index.find(sha, text_sha, urls)
        if dup:
            return Duplicate(item, *dup)
        doc_id = make_id(art.published, art.headline, fallback, sha, self.index.taken)
        fmt = "markdown" if kind == "text" and ext == ".md" else kind
        keep_original = not (kind == "text" and text_bytes == data)
        file_name = f"{doc_id}.txt"
        original = f"{ORIGINALS}/{doc_id}{ext}" if keep_original else None
        try:
            (self.staging / file_name).write_bytes(text_bytes)
            if original:
                (self.staging / ORIGINALS).mkdir(exist_ok=True)
                (self.staging / original).write_bytes(data)
        except OSError as exc:  # a full disk stops the run: nothing is added
            raise AddError(f"cannot write in {self.folder}: {exc.strerror or exc}; "
                           "nothing was added") from exc
        entry: dict = {
            "id": doc_id,
            "file": file_name,
            "original": original,
            "headline": art.headline,
            "outlet": art.outlet,
            "author": art.author,
            "published": art.published,
            "language": art.language,
            "url": url,
        }
        if final_url is not None:
            entry["final_url"] = final_url
        entry.update(canonical_url=art.canonical_url, format=fmt)
        if art.pages is not None:
            entry["pages"] = art.pages
        entry.update(
            sha256=sha,
            text_sha256=text_sha,
            added=self.today.isoformat(),
            extracted_with=art.extracted_with,
            review="unchecked",
        )
        if art.warnings:
            entry["warnings"] = list(art.warnings)
        self.index.add(entry)
        return Added(item, doc_id, file_name, original, entry)


class _Skip(Exception):
    """One input that cannot be added; the run goes on."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def make_id(published: str | None, headline: str | None, fallback: str | None,
            sha256: str, taken: set[str] | frozenset = frozenset()) -> str:
    """A readable, unique id: date, up to 6 words of the headline (else of `fallback`), and
    the first 8 hex digits of the sha256; "-2", "-3", ... when that is taken."""
    from anyascii import anyascii

    def words(text: str | None) -> list[str]:
        if not text:
            return []
        ascii_ = anyascii(text).lower().replace("'", "").replace("\u2019", "")
        return re.findall(r"[a-z0-9]+", ascii_)

    parts = [published] if published and re.fullmatch(r"\d{4}(-\d{2}){0,2}", published) else []
    chosen = words(headline) or words(fallback)
    slug = []
    for w in chosen:
        if len(slug) == 6 or len("-".join(slug + [w])) > 60:
            break
        slug.append(w)
    base = "-".join(parts + slug) or "article"
    doc_id = f"{base}-{sha256[:8]}"
    n = 2
    while doc_id in taken:
        doc_id = f"{base}-{sha256[:8]}-{n}"
        n += 1
    assert ID_PATTERN.match(doc_id), doc_id
    return doc_id


# --------------------------------------------------------------------------------------------
# what is there already


class _Index:
    """Ids, hashes and URLs of the entries in the folder (and of those added in this call)."""

    def __init__(self, folder: Path, entries: list[dict]):
        self.taken: set[str] = set()
        self.sha: dict[str, str] = {}
        self.text: dict[str, str] = {}
        self.urls: dict[str, tuple[str, str]] = {}
        listed: set[str] = set()
        for entry in entries:
            sid = str(entry.get("id") or Path(str(entry.get("file"))).stem)
            file = str(entry.get("file") or f"{sid}.txt")
            original = entry.get("original")
            listed.update({file, str(original or "")})
            self.taken.add(sid)
            text_hash = entry.get("text_sha256") or _hash_file(folder / file)
            if text_hash:
                self.text.setdefault(str(text_hash), sid)
            if entry.get("sha256"):
                hashes = [entry["sha256"]]
            else:  # an entry written by hand: its text file is its original, or `original` is
                hashes = [text_hash, _hash_file(folder / str(original)) if original else None]
            for h in filter(None, hashes):
                self.sha.setdefault(str(h), sid)
            self._add_urls(entry, sid)
        # Files the metadata does not list are read all the same (id = file stem).
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            if path.is_file() and not path.name.startswith("."):
                self.taken.add(path.stem)
                if path.name not in listed and path.suffix.lower() in ARTICLE_SUFFIXES:
                    h = _hash_file(path)
                    if h:
                        self.sha.setdefault(h, path.stem)
                        self.text.setdefault(h, path.stem)
        if (folder / ORIGINALS).is_dir():
            self.taken.update(p.stem for p in (folder / ORIGINALS).iterdir())

    def _add_urls(self, entry: dict, sid: str) -> None:
        for key, label in (("url", "URL"), ("final_url", "final URL"),
                           ("canonical_url", "canonical URL")):
            norm = normalise_url(entry.get(key))
            if norm:
                self.urls.setdefault(norm, (sid, label))

    def add(self, entry: dict) -> None:
        sid = entry["id"]
        self.taken.add(sid)
        self.sha.setdefault(entry["sha256"], sid)
        self.text.setdefault(entry["text_sha256"], sid)
        self._add_urls(entry, sid)

    def find_url(self, url: str | None) -> tuple[str, str] | None:
        norm = normalise_url(url)
        return self.urls.get(norm) if norm else None

    def find(self, sha: str, text_sha: str, urls: dict) -> tuple[str, str] | None:
        """(existing id, reason) of the first entry this input duplicates, or None."""
        if sha in self.sha:
            return self.sha[sha], f"the same file as {self.sha[sha]} (sha256 {sha[:12]}...)"
        for label, url in urls.items():
            hit = self.find_url(url)
            if hit:
                return hit[0], f"its {label} {url} is the {hit[1]} of {hit[0]}"
        if text_sha in self.text:
            sid = self.text[text_sha]
            return sid, f"the same article text as {sid} (text sha256 {text_sha[:12]}...)"
        return None


def _hash_file(path: Path) -> str | None:
    try:
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()
    except OSError:
        return None


# --------------------------------------------------------------------------------------------
# writing


@contextlib.contextmanager
def _locked(folder: Path):
    if fcntl is None:  # pragma: no cover
        yield
        return
    try:
        fh = open(folder / LOCK_NAME, "a+", encoding="utf-8")  # noqa: SIM115 - held below
    except OSError as exc:
        raise AddError(f"cannot write in {folder}: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise AddError(f"{folder} is being written by {holder}; wait for it to finish "
                           "(the lock goes away with that process)") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"kg add (pid {os.getpid()})\n")
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    finally:
        fh.close()


def _remove_leftovers(folder: Path) -> None:
    """Staging folders and temporary files of an earlier run that was killed (under the lock,
    so no other run owns them)."""
    for path in folder.glob(".kg-add-*"):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
    for path in folder.glob(f".{METADATA_NAME}.*.tmp"):
        with contextlib.suppress(OSError):
            path.unlink()


def render_entries(entries: list[dict], today: dt.date, newline: str = "\n",
                   indent: int = 0) -> str:
    """The YAML text appended for new entries: a dated comment, then one list item each."""
    body = yaml.safe_dump(entries, sort_keys=False, allow_unicode=True,
                          default_flow_style=False, width=4096, indent=2)
    if indent:
        body = "".join(" " * indent + ln if ln.strip() else ln
                       for ln in body.splitlines(keepends=True))
    text = f"# kg add, {today.isoformat()}: {len(entries)} article(s)\n" + body
    return text.replace("\n", newline)


def _commit(folder, staging, meta_path, old_bytes, entries, added, today) -> None:
    """Link the staged files into place, then replace sources.yaml; undo it all on failure."""
    newline = "\r\n" if b"\r\n" in old_bytes else "\n"
    new_entries = [a.metadata for a in added]
    prefix = old_bytes or HEADER.replace("\n", newline).encode("utf-8")
    if not prefix.endswith(b"\n"):
        prefix += newline.encode()
    indent = _list_indent(meta_path) if old_bytes.strip() else 0
    new_bytes = prefix + render_entries(new_entries, today, newline, indent).encode("utf-8")
    placed: list[Path] = []
    tmp: Path | None = None
    try:
        fd, name = tempfile.mkstemp(prefix=f".{METADATA_NAME}.", suffix=".tmp", dir=folder)
        tmp = Path(name)
        with os.fdopen(fd, "wb") as fh:
            fh.write(new_bytes)
            fh.flush()
            os.fsync(fh.fileno())
        _check_written(tmp, meta_path, entries, new_entries)
        for a in added:
            for rel in filter(None, (a.file, a.original)):
                if _place(staging / rel, folder / rel):
                    placed.append(folder / rel)
        _write_sources(tmp, meta_path)
        tmp = None
        _fsync_dir(folder)
    except BaseException as exc:
        for path in reversed(placed):
            with contextlib.suppress(OSError):
                path.unlink()
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()
        if isinstance(exc, OSError):
            raise AddError(f"cannot write the articles folder {folder}: "
                           f"{exc.strerror or exc}; nothing was added") from exc
        raise


def _write_sources(tmp: Path, meta_path: Path) -> None:
    """The one step that makes the new entries visible."""
    os.replace(tmp, meta_path)


def _place(src: Path, dst: Path) -> bool:
    """Put a staged file at dst without ever overwriting; True when this call created it.
    An identical file already there (left by a run killed before sources.yaml was written)
    is taken as it is."""
    dst.parent.mkdir(exist_ok=True)
    try:
        os.link(src, dst)
        return True
    except FileExistsError:
        if dst.is_file() and dst.read_bytes() == src.read_bytes():
            return False
        raise AddError(f"{dst} appeared while kg add ran; nothing was added") from None
    except OSError:  # no hard links here (some network or FAT file systems): copy
        with open(dst, "xb") as out, open(src, "rb") as inp:
            shutil.copyfileobj(inp, out)
        return True


def _check_written(tmp: Path, meta_path: Path, entries: list[dict], new: list[dict]) -> None:
    """The file about to replace sources.yaml must read back as the old entries + the new."""
    try:
        back = _load_metadata(tmp)
    except MetadataError as exc:
        back, why = None, exc.message
    if back is not None:
        ids = [str(e.get("id")) for e in back]
        want = [str(e.get("id")) for e in entries] + [e["id"] for e in new]
        if ids == want:
            return
        why = "the entries read back differ from the ones written"
    raise AddError(
        f"cannot append to {meta_path}: {why}. Its layout is not a plain YAML list (or a "
        "`sources:` list at its end); nothing was added"
    )


def _list_indent(meta_path: Path) -> int:
    """The column of the list items of a `sources:` mapping (0 for a top-level list)."""
    try:
        node = yaml.compose(meta_path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        return 0
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "sources" and isinstance(value, yaml.SequenceNode) and value.value:
                return max(0, value.value[0].start_mark.column - 2)  # the "- " before it
    return 0


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
