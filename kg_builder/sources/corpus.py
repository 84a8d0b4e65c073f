"""The article corpus: metadata from sources.yaml, texts, boilerplate, evidence look-up.

The texts stay where they are (the corpus folder); nothing here copies them into the project.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

# Typographic variants folded for matching evidence quotes against article text.
_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
    }
)



_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SPACE_RUN = re.compile(r"\s+")


#: Whitespace runs other than one plain space: the only places where normalising shifts offsets.
_ODD_SPACE = re.compile(r" \s+|[^\S ]\s*")


class OffsetMap:
    """offsets[i]: the offset in the original text of character i of the normalised text.

    Stored as the few points where the shift changes (one per run of whitespace that is not a
    single space), not one integer per character: building it costs a regex scan."""

    def __init__(self, starts: list[int], shifts: list[int], length: int):
        self._starts, self._shifts, self._length = starts, shifts, length

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, i: int) -> int:
        if not 0 <= i < self._length:
            raise IndexError(i)
        return i + self._shifts[bisect.bisect_right(self._starts, i) - 1]


def normalise(text: str) -> tuple[str, OffsetMap]:
    """Fold typographic quotes, dashes and whitespace runs; return text and offset map.

    index[i] is the offset in `text` of character i of the result. Leading whitespace is
    dropped and every run of whitespace becomes one space (which maps to the run's start).
    """
    folded = text.translate(_FOLD)
    lead = _SPACE_RUN.match(folded)
    lead = shift = lead.end() if lead else 0  # leading whitespace is dropped
    starts, shifts = [0], [shift]
    for m in _ODD_SPACE.finditer(folded, lead):
        s, e = m.span()
        at = s - shift + 1  # the run became one space at s - shift
        shift += (e - s) - 1
        starts.append(at)
        shifts.append(shift)
    norm = _SPACE_RUN.sub(" ", folded[lead:])
    return norm, OffsetMap(starts, shifts, len(norm))


def fold(text: str) -> str:
    """normalise(text)[0].strip(), without building the offset map."""
    return _SPACE_RUN.sub(" ", text.translate(_FOLD)).strip()


class SpanCache:
    """What checking evidence quotes found in each article, kept between builds (a JSON file
    in the store folder): the boilerplate spans (finding site furniture is the costliest step)
    and where each quote was found. An article whose text, headline and furniture rules did
    not change gives the same answers.

    The key of an article is a SHA-256 of the rules (kg-builder's version and the furniture
    module's source), the headline and the text; a quote's, a BLAKE2 digest of its folded
    text. Entries not used by a build are dropped when it saves.
    """

    def __init__(self, path: Path | None = None):
        self.path = path
        self.spans: dict[str, list[list[int]]] = {}
        self.quotes: dict[str, dict[str, list]] = {}
        self._used_quotes: dict[str, dict[str, list]] = {}
        self.used: set[str] = set()
        self.dirty = False
        if path is not None and path.is_file():
            try:
                saved = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(saved, dict) and saved.get("format") == 2:
                    self.spans, self.quotes = dict(saved["spans"]), dict(saved["quotes"])
            except (OSError, ValueError, KeyError, TypeError):
                self.spans, self.quotes = {}, {}  # a damaged cache is only a slower build

    @staticmethod
    @functools.cache
    def _rules() -> bytes:
        from .. import __version__
        from ..extraction import furniture

        source = Path(furniture.__file__).read_bytes()
        return hashlib.sha256(__version__.encode("utf-8") + b"\0" + source).digest()

    def key(self, text: str, headline: str | None) -> str:
        h = hashlib.sha256(self._rules())
        h.update((headline or "").encode("utf-8") + b"\0" + text.encode("utf-8"))
        return h.hexdigest()

    def get(self, key: str) -> list[tuple[int, int]] | None:
        spans = self.spans.get(key)
        if spans is None:
            return None
        self.used.add(key)
        return [(s, e) for s, e in spans]

    def put(self, key: str, spans: list[tuple[int, int]]) -> None:
        self.spans[key] = [[s, e] for s, e in spans]
        self.used.add(key)
        self.dirty = True

    @staticmethod
    def quote_key(needle: str) -> str:
        return hashlib.blake2b(needle.encode("utf-8"), digest_size=10).hexdigest()

    def found(self, key: str, quote_key: str) -> tuple[int | None, bool] | None:
        hit = self.quotes.get(key, {}).get(quote_key)
        if hit is None:
            return None
        self._used_quotes.setdefault(key, {})[quote_key] = hit
        return hit[0], hit[1]

    def put_found(self, key: str, quote_key: str, offset: int | None, in_bp: bool) -> None:
        self.quotes.setdefault(key, {})[quote_key] = [offset, in_bp]
        self._used_quotes.setdefault(key, {})[quote_key] = [offset, in_bp]
        self.dirty = True

    def save(self, path: Path | None = None) -> None:
        """Write the entries this run used; a cache that cannot be written is skipped (it only
        saves time)."""
        path = path or self.path
        unchanged = set(self.spans) == self.used and self.quotes == self._used_quotes
        if path is None or (not self.dirty and unchanged):
            return
        keep = {k: self.spans[k] for k in sorted(self.used)}
        body = {"format": 2, "spans": keep, "quotes": self._used_quotes}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(body), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            return
        self.spans, self.quotes, self.dirty = keep, dict(self._used_quotes), False


@dataclass
class Article:
    id: str
    path: Path
    metadata: dict = field(default_factory=dict)
    cache: SpanCache | None = field(default=None, repr=False, compare=False)

    @cached_property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @cached_property
    def _normalised(self) -> tuple[str, OffsetMap]:
        return normalise(self.text)

    @cached_property
    def boilerplate(self) -> list[tuple[int, int]]:
        """Character spans of site furniture (navigation, teasers, credits, comment boxes):
        the same generic rules as extraction (kg_builder.extraction.furniture.find_boilerplate), so
        a curated quote and an extracted fact are held to one definition of the article body."""
        from ..extraction.furniture import find_boilerplate  # late: extraction reads sources too

        headline = self.metadata.get("headline") or self.metadata.get("title")
        if self.cache is None:
            return find_boilerplate(self.text, headline)
        spans = self.cache.get(self._key)
        if spans is None:
            spans = find_boilerplate(self.text, headline)
            self.cache.put(self._key, spans)
        return spans

    @cached_property
    def _key(self) -> str:
        headline = self.metadata.get("headline") or self.metadata.get("title")
        return self.cache.key(self.text, headline)

    @cached_property
    def exists(self) -> bool:
        return self.path.is_file()

    def in_boilerplate(self, start: int, end: int) -> bool:
        return any(s <= start and end <= e for s, e in self.boilerplate)

    def find(self, quote: str) -> int | None:
        """Offset of the quote in the article text, matching after folding; None if absent."""
        needle = fold(quote)
        if not needle:
            return None
        hay, index = self._normalised
        at = hay.find(needle)
        if at < 0:
            return None
        return index[at]

    def find_in_body(self, quote: str) -> tuple[int | None, bool]:
        """(offset, in_boilerplate) of the first occurrence; prefers one in the article body."""
        needle = fold(quote)
        if self.cache is None:
            return self._find_in_body(needle)
        qkey = self.cache.quote_key(needle)
        hit = self.cache.found(self._key, qkey)
        if hit is None:
            hit = self._find_in_body(needle)
            self.cache.put_found(self._key, qkey, *hit)
        return hit

    def _find_in_body(self, needle: str) -> tuple[int | None, bool]:
        hay, index = self._normalised
        first: int | None = None
        at = hay.find(needle) if needle else -1
        while at >= 0:
            start = index[at]
            end = index[min(at + len(needle), len(index)) - 1] + 1
            if not self.in_boilerplate(start, end):
                return start, False
            first = start if first is None else first
            at = hay.find(needle, at + 1)
        return first, first is not None


class CorpusError(Exception):
    pass


class Corpus:
    """A folder of article .txt files with a sources.yaml describing them."""

    def __init__(self, folder: Path, cache: SpanCache | None = None):
        self.folder = Path(folder)
        self.cache = cache
        meta_path = self.folder / "sources.yaml"
        if not meta_path.is_file():
            raise CorpusError(f"{meta_path} is missing: the corpus folder needs its sources.yaml")
        try:
            entries = (
                yaml.load(meta_path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER) or []  # noqa: S506
            )
        except yaml.YAMLError as exc:
            raise CorpusError(f"{meta_path}: YAML error: {exc}") from exc
        if not isinstance(entries, list):
            raise CorpusError(f"{meta_path}: expected a list of sources")
        self.metadata_path = meta_path
        self.articles: dict[str, Article] = {}
        for entry in entries:
            if not isinstance(entry, dict) or "id" not in entry:
                raise CorpusError(f"{meta_path}: every source needs an id")
            sid = str(entry["id"])
            path = self.folder / str(entry.get("file") or f"{sid}.txt")
            self.articles[sid] = Article(sid, path, entry, cache)

    def __contains__(self, source_id: str) -> bool:
        return source_id in self.articles

    def get(self, source_id: str) -> Article | None:
        return self.articles.get(source_id)

    def fingerprint(self) -> dict[str, str]:
        """Content hashes of the texts, to tell when an article changed."""
        import hashlib

        return {
            sid: hashlib.sha256(a.path.read_bytes()).hexdigest()
            for sid, a in sorted(self.articles.items())
            if a.path.is_file()
        }
