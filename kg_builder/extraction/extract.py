"""The extraction run: a folder of articles in, linked mentions and candidate facts out.

Stages, in the order data flows (each its own module):
read and clean (text.py) -> entity mentions (mentions.py, or ner_spacy.py) -> dates and
quantities (timex.py) -> links to the graph's entities (linking.py) -> sentences
(sentences.py) -> relation candidates (relations.py). Writing the reviewable files is
candidates.py; scoring against gold is evaluate.py.

`extract_corpus` is the library call that `kg extract` and `kg evaluate` make; it never stops
on one bad article: what could not be read is listed in `ExtractionRun.skipped` with why.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from .model import ENTITY_TYPES, Candidate, Document, Mention, ProposedEntity, Skipped

#: Bumped when a change of rules changes what is extracted (part of the candidates' run info).
EXTRACTOR_VERSION = f"{__version__}+rules.1"


@dataclass
class DocumentResult:
    """What one article gave."""

    document: Document
    mentions: list[Mention] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    entities: list[ProposedEntity] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def linked(self) -> int:
        return sum(1 for m in self.mentions if m.entity and not m.new_entity)


@dataclass
class ExtractionRun:
    results: list[DocumentResult] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    backend: str = "rules"
    seconds: float = 0.0
    #: The gazetteer.EntityIndex the run linked against (names and Wikidata ids of entities).
    index: object = field(default=None, repr=False)

    def info(self) -> dict:
        return {"version": EXTRACTOR_VERSION, "backend": self.backend}

    def summary(self) -> dict:
        """Totals for the run's closing table (and `--format json`)."""
        return {
            "articles": len(self.results),
            "skipped": len(self.skipped),
            "mentions": sum(len(r.mentions) for r in self.results),
            "linked": sum(r.linked for r in self.results),
            "new_entities": sum(len(r.entities) for r in self.results),
            "candidates": sum(len(r.candidates) for r in self.results),
            "seconds": round(self.seconds, 3),
        }


class Recogniser:
    """The mention backend: the offline rules (default) or a spaCy pipeline
    (`spacy:en_core_web_sm`). Made once per run, so a spaCy model loads once."""

    def __init__(self, spec: str, index):
        self.spec = spec or "rules"
        self.index = index
        self.nlp = None
        if self.spec.startswith("spacy:"):
            from .ner_spacy import load_spacy

            self.nlp = load_spacy(self.spec)
        elif self.spec != "rules":
            from ..errors import ConfigError

            raise ConfigError(
                f"unknown --ner backend {self.spec!r}: use 'rules' or 'spacy:MODEL' "
                "(e.g. spacy:en_core_web_sm)"
            )

    def __call__(self, doc: Document) -> list[Mention]:
        if self.nlp is not None:
            from .ner_spacy import recognise_spacy

            return recognise_spacy(doc, self.nlp, self.index)
        from .mentions import recognise

        return recognise(doc, self.index)


def _drop_overlaps(keep: list[Mention], extra: Iterable[Mention]) -> list[Mention]:
    """`extra` mentions that overlap none of `keep` (mentions never overlap, as in gold)."""
    out = []
    taken = sorted((m.start, m.end) for m in keep)
    for m in extra:
        if not any(s < m.end and m.start < e for s, e in taken):
            out.append(m)
    return out


_ANCHORS = """
PREFIX kg: <https://w3id.org/kg-builder/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT DISTINCT ?name ?date WHERE {
  VALUES ?p { kg:date kg:startDate }
  ?event ?p ?date .
  FILTER(DATATYPE(?date) = xsd:date)
  ?event rdfs:label|skos:altLabel ?name .
}"""


def event_anchors(store) -> dict[str, str]:
    """Event names (labels and aliases, lower case) -> their day-precise dates, read from the
    graph, so that "the day after the mobilisation" resolves against the mobilisation's date
    (timex.find_dates' `anchors`). Names under 5 letters are left out, as in
    timex.event_anchors, which does the same from curated data."""
    out: dict[str, str] = {}
    for row in store.select(_ANCHORS):
        name, date = str(row["name"]), str(row["date"])
        if len(name) >= 5:
            out.setdefault(name.lower(), min(date, out.get(name.lower(), date)))
    return out


def extract_document(
    doc: Document, recognise: Recogniser, index, anchors: dict[str, str] | None = None
) -> DocumentResult:
    """Every stage on one article that was read."""
    from .linking import link
    from .relations import extract_relations
    from .timex import find_dates, find_quantities

    started = time.perf_counter()
    body = doc.body_spans()
    entities = [m for m in recognise(doc) if not doc.in_boilerplate(m.start, m.end)]
    entities = [m for m in entities if m.type in ENTITY_TYPES]
    dates = _drop_overlaps(entities, find_dates(doc.text, doc.published, body, anchors))
    quantities = _drop_overlaps(
        entities + dates, find_quantities(doc.text, body, exclude=[m.span for m in dates])
    )
    linked, proposed = link(doc, entities, index)
    mentions = sorted(linked + dates + quantities, key=lambda m: (m.start, m.end))
    candidates = extract_relations(doc, [m for m in mentions if m.type in ENTITY_TYPES], dates)
    by_id = {e.id: e for e in proposed}
    for c in candidates:
        c.source = doc.id
        needed = [by_id[x] for x in (c.subject, c.object) if x in by_id]
        c.new_entities = needed
    return DocumentResult(doc, mentions, candidates, proposed, time.perf_counter() - started)


def extract_corpus(
    folder: Path,
    index,
    ner: str = "rules",
    metadata: Path | None = None,
    max_bytes: int | None = None,
    progress: Callable[[str], None] | None = None,
    anchors: dict[str, str] | None = None,
) -> ExtractionRun:
    """Read every article of `folder` and run every stage on it. `index` is the
    gazetteer.EntityIndex of the graph the facts are meant for; `anchors` the dates of its
    events by name (`event_anchors(store)`), for dates relative to an event."""
    from .text import read_corpus

    started = time.perf_counter()
    kwargs = {"max_bytes": max_bytes} if max_bytes else {}
    documents, skipped = read_corpus(Path(folder), metadata, **kwargs)
    recognise = Recogniser(ner, index)
    run = ExtractionRun(skipped=list(skipped), backend=recognise.spec, index=index)
    for doc in documents:
        run.results.append(extract_document(doc, recognise, index, anchors))
        if progress:
            progress(doc.id)
    run.seconds = time.perf_counter() - started
    return run
