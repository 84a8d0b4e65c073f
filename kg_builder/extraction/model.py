"""The records that pass between the extraction stages.

Data flows: articles (text.py: reading, markup, boilerplate) -> mentions (mentions.py, timex.py,
ner_spacy.py) -> links to entities of the graph (linking.py) -> relation candidates
(relations.py) -> a reviewable candidates file (candidates.py) -> review (review.py) and
measured quality (evaluate.py).

Offsets are character offsets into `Document.text`: for a plain-text article that is the file
decoded, unchanged, so offsets agree with ../shared/gold; for an HTML page it is the visible
text after markup is stripped.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..dates import TimeValue

#: Mention types, as in ../shared/gold. The first four are entity types (top classes of the
#: ontology); dates and quantities are values.
MENTION_TYPES = ("Person", "Organisation", "Place", "Event", "Date", "Quantity")
ENTITY_TYPES = MENTION_TYPES[:4]


@dataclass
class Document:
    """One article, read and cleaned."""

    id: str
    path: Path
    text: str
    metadata: dict = field(default_factory=dict)
    #: Publication date (the anchor of relative dates), None when unknown.
    published: TimeValue | None = None
    #: Character spans of site furniture (navigation, teasers, credits, comment boxes), sorted.
    boilerplate: list[tuple[int, int]] = field(default_factory=list)
    #: How the bytes were decoded ("utf-8", or what was detected) and what markup was stripped.
    encoding: str = "utf-8"
    format: str = "text"  # "text" or "html"
    #: Things the reader noticed but could work around (e.g. "decoded as cp1252").
    warnings: list[str] = field(default_factory=list)

    def in_boilerplate(self, start: int, end: int) -> bool:
        """True when [start, end) overlaps a boilerplate span."""
        return any(s < end and start < e for s, e in self.boilerplate)

    def body_spans(self) -> list[tuple[int, int]]:
        """The spans of article text: everything that is not boilerplate."""
        spans, pos = [], 0
        for s, e in sorted(self.boilerplate):
            if s > pos:
                spans.append((pos, s))
            pos = max(pos, e)
        if pos < len(self.text):
            spans.append((pos, len(self.text)))
        return spans


@dataclass
class Skipped:
    """An input that was not read, and why (for the run's summary)."""

    path: str
    reason: str


@dataclass
class Mention:
    """A span of text that names an entity, a date or a quantity."""

    start: int
    end: int
    text: str
    type: str  # one of MENTION_TYPES
    #: Finer ontology class when the recogniser knows it (Country, City, NGO, Mobilisation, ...).
    cls: str | None = None
    #: Which recogniser found it ("gazetteer", "pattern", "spacy", "timex", ...) and how sure
    #: it is (0..1).
    recogniser: str = "rules"
    score: float = 1.0
    #: Dates: the normalised value ("2022-09-23", "2022-09", "2022", "2022-W37", "XXXX-05-12"),
    #: quantities: the number as text ("300000", "7000-8000", "2.5e6"); with its precision
    #: (dates: day | month | year | week | season | time | unknown-year) or unit (quantities).
    value: str | None = None
    precision: str | None = None
    unit: str | None = None
    #: Linking: the entity id in the graph (or a proposed new id), score 0..1 and the rule.
    entity: str | None = None
    link_score: float | None = None
    link_rule: str | None = None
    new_entity: bool = False

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in (None, False)}


@dataclass
class ProposedEntity:
    """An entity that extraction found and the graph does not have yet."""

    id: str
    type: str  # an ontology class (Person, NGO, City, ...)
    label: str
    aliases: list[str] = field(default_factory=list)
    wikidata: str | None = None
    geonames: str | None = None


@dataclass
class Candidate:
    """One proposed fact, with the evidence a reviewer needs to accept or reject it."""

    source: str
    subject: str
    relation: str  # an ontology property's local name (fledTo, memberOf, said, ...)
    evidence: str  # the sentence, verbatim
    evidence_offset: int
    confidence: float
    rule: str  # the pattern that proposed it
    object: str | None = None  # an entity id ...
    value: str | None = None  # ... or a literal (the quotation for `said`)
    date: str | None = None  # a time qualifier (YYYY, YYYY-MM, YYYY-MM-DD)
    note: str | None = None  # e.g. how a relative date was resolved
    subject_span: tuple[int, int] | None = None
    object_span: tuple[int, int] | None = None
    #: Entities this candidate refers to that the graph does not have.
    new_entities: list[ProposedEntity] = field(default_factory=list)
    status: str = "proposed"  # proposed | accepted | rejected

    @property
    def key(self) -> str:
        """A stable id: the same fact from the same sentence gets the same key in every run."""
        what = self.object if self.object is not None else (self.value or "")
        raw = "\x1f".join([self.source, self.subject, self.relation, what, self.evidence.strip()])
        return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]

    def as_dict(self) -> dict:
        out = {"key": self.key}
        for k, v in asdict(self).items():
            if v in (None, [], ()):
                continue
            out[k] = list(v) if isinstance(v, tuple) else v
        return out

    @classmethod
    def from_dict(cls, data: dict) -> Candidate:
        data = {k: v for k, v in data.items() if k != "key"}
        for k in ("subject_span", "object_span"):
            if data.get(k) is not None:
                data[k] = tuple(data[k])
        data["new_entities"] = [ProposedEntity(**e) for e in data.get("new_entities") or []]
        return cls(**data)


@dataclass
class Extraction:
    """What extraction made of one document."""

    document: Document
    mentions: list[Mention] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
