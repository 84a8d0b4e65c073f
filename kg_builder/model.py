"""The typed records passed between stages: sources, entities and facts, each with its origin."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .dates import TimeValue


@dataclass(frozen=True)
class Origin:
    """Where a record was written: file (relative to the project) and 1-based line."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return self.file if self.line is None else f"{self.file}:{self.line}"


@dataclass
class SourceRecord:
    id: str
    kind: str  # "article" or "reference"
    origin: Origin
    publisher: str | None = None
    headline: str | None = None
    title: str | None = None
    published: TimeValue | None = None
    date_approximate: bool = False
    language: str | None = None
    translated: bool = False
    dateline: str | None = None
    description: str | None = None
    file: str | None = None

    @property
    def display_title(self) -> str:
        return self.headline or self.title or self.id


@dataclass
class EntityRecord:
    id: str
    type: str
    label: str
    origin: Origin
    aliases: list[str] = field(default_factory=list)
    description: str | None = None
    wikidata: str | None = None
    mentioned_in: list[str] = field(default_factory=list)
    date_unknown: bool = False
    #: (latitude, longitude) in WGS 84 decimal degrees, as written; places only.
    coordinates: tuple[Decimal, Decimal] | None = None
    #: "curated", or "extracted" for an entity only a proposed candidate defines (it stays
    #: out of the name index extraction links later articles to, until a reviewer accepts it).
    method: str = "curated"


Value = str | int | bool | Decimal | TimeValue


@dataclass
class FactRecord:
    subject: str
    relation: str
    source: str
    origin: Origin
    object: str | None = None
    value: Value | None = None
    evidence: str | None = None
    evidence_offset: int | None = None
    date: TimeValue | None = None
    start: TimeValue | None = None
    end: TimeValue | None = None
    not_before: TimeValue | None = None
    not_after: TimeValue | None = None
    according_to: str | None = None
    qualifier: str | None = None
    confidence: Decimal | None = None
    note: str | None = None
    method: str = "curated"

    @property
    def time_bounds(self):
        """(first day, last day) the fact's time qualifiers allow, or (None, None)."""
        lows = [t.earliest for t in (self.date, self.start, self.not_before) if t]
        highs = [t.latest for t in (self.date, self.end, self.not_after) if t]
        return (min(lows) if lows else None, max(highs) if highs else None)


@dataclass
class CuratedData:
    sources: dict[str, SourceRecord] = field(default_factory=dict)
    entities: dict[str, EntityRecord] = field(default_factory=dict)
    facts: list[FactRecord] = field(default_factory=list)
    corpus_checked: bool = False
    files: list[str] = field(default_factory=list)
