"""Curated (and later extracted) facts -> an RDF dataset with statement-level provenance.

Layout of the dataset (see README, "Data model"):
  <base>graph/ontology            the ontology itself, so queries can walk sub-properties
  <base>graph/sources             source articles (schema:NewsArticle) and which entities each mentions
  <base>graph/registry            entities: type, rdfs:label, skos:altLabel, description, owl:sameAs
  <base>graph/<source>/<method>   per source and method: the plain ("truthy") triples it supports,
                                  and one kg:Assertion per triple (rdf:subject/predicate/object,
                                  prov:wasDerivedFrom, kg:evidence, kg:method, time qualifiers)

The builder writes N-Quads lines directly, one named graph at a time (no rdflib term objects):
this is what lets a million-triple build run in seconds and stream into a store. Each graph's
lines are sorted and de-duplicated, so the same input gives the same bytes and a content digest
per graph tells an incremental build what changed.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from rdflib import Dataset
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD

from .dates import DATATYPE, TimeValue
from .model import CuratedData, EntityRecord, FactRecord
from .ontology import KG, SCHEMA, WD, Ontology

PREFIXES = {
    "kg": KG,
    "schema": SCHEMA,
    "prov": PROV,
    "owl": OWL,
    "rdfs": RDFS,
    "skos": SKOS,
    "xsd": XSD,
    "wd": WD,
    "rdf": RDF,
}
METHODS = ("curated", "extracted")

# -- N-Triples terms -------------------------------------------------------------------------
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def iri(value: str) -> str:
    return f"<{value}>"


def lit(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    """An N-Triples literal; `datatype` is a bracketed IRI (xsd:string is left implicit)."""
    body = '"' + text.translate(_ESCAPES) + '"'
    if lang:
        return f"{body}@{lang}"
    if datatype:
        return f"{body}^^{datatype}"
    return body


def en(text: str) -> str:
    return lit(text, "en")


class _Terms:
    """Bracketed IRIs of the vocabulary, looked up once: T.kg('Person') -> '<...#Person>'."""

    def __init__(self):
        self._cache: dict[tuple[str, str], str] = {}

    def __call__(self, ns, name: str) -> str:
        key = (str(ns), name)
        term = self._cache.get(key)
        if term is None:
            term = self._cache[key] = iri(str(ns) + name)
        return term


T = _Terms()
A = iri(str(RDF.type))
LABEL = iri(str(RDFS.label))
XSD_DATE = iri(str(XSD.date))
XSD_INTEGER = iri(str(XSD.integer))
XSD_DECIMAL = iri(str(XSD.decimal))
XSD_BOOLEAN = iri(str(XSD.boolean))
TRUE = lit("true", datatype=XSD_BOOLEAN)
DT = {precision: iri(str(dt)) for precision, dt in DATATYPE.items()}
METHOD = {"curated": T(KG, "Curated"), "extracted": T(KG, "Extracted")}


def time_literal(value: TimeValue) -> str:
    return lit(value.text, datatype=DT[value.precision])


def date_literal(day) -> str:
    return lit(day.isoformat(), datatype=XSD_DATE)


def value_literal(value) -> str:
    if isinstance(value, TimeValue):
        return time_literal(value)
    if isinstance(value, bool):
        return lit("true" if value else "false", datatype=XSD_BOOLEAN)
    if isinstance(value, int):
        return lit(str(value), datatype=XSD_INTEGER)
    if isinstance(value, Decimal):
        return decimal_literal(value)
    return lit(str(value))


def decimal_literal(value: Decimal) -> str:
    """Canonical form (XSD 1.1, as Oxigraph stores it): 1.0 -> "1", 0.80 -> "0.8"."""
    text = format(value.normalize(), "f")
    return lit(text, datatype=XSD_DECIMAL)


def _hash(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


class IRIs:
    """Stable, readable IRIs under one base: <base>id/person/<slug>, <base>graph/<source>/curated.

    Every method returns the IRI string without brackets.
    """

    def __init__(self, base: str, ontology: Ontology):
        self.base = base
        self.onto = ontology
        self.ontology_graph = base + "graph/ontology"
        self.sources_graph = base + "graph/sources"
        self.registry_graph = base + "graph/registry"
        self._segments: dict[str, str] = {}

    def entity(self, rec: EntityRecord) -> str:
        seg = self._segments.get(rec.type)
        if seg is None:
            seg = self._segments[rec.type] = self.onto.path_segment(KG[rec.type])
        return f"{self.base}id/{seg}/{rec.id}"

    def source(self, source_id: str, kind: str = "article") -> str:
        return f"{self.base}id/{kind}/{source_id}"

    def graph(self, source_id: str, method: str) -> str:
        return f"{self.base}graph/{source_id}/{method}"

    def is_source_graph(self, name: str) -> bool:
        """A graph of one source and method (not the ontology, registry or sources graph)."""
        prefix = f"{self.base}graph/"
        if not name.startswith(prefix):
            return False
        parts = name[len(prefix):].split("/")
        return len(parts) == 2 and parts[1] in METHODS

    def statement(self, s: str, p: str, o: str, source_id: str, method: str) -> str:
        """`o` is the object in N-Triples syntax (so literal and IRI objects never collide)."""
        return f"{self.base}id/statement/{_hash(s, p, o, source_id, method)}"

    def quote(self, speaker: str, text: str, source_id: str) -> str:
        return f"{self.base}id/quote/{_hash(speaker, text, source_id)}"


@dataclass
class GraphLines:
    """One named graph: its IRI, its sorted N-Quads lines and a digest of their content."""

    name: str
    lines: list[str]

    @property
    def digest(self) -> str:
        h = hashlib.sha256()
        for line in self.lines:
            h.update(line.encode("utf-8"))
        return h.hexdigest()

    def __len__(self) -> int:
        return len(self.lines)


class _Graph:
    """Collects the triples of one named graph as N-Quads lines."""

    def __init__(self, name: str):
        self.name = name
        self._suffix = f" <{name}> .\n"
        self._lines: set[str] = set()

    def add(self, s: str, p: str, o: str) -> None:
        self._lines.add(f"{s} {p} {o}{self._suffix}")

    def done(self) -> GraphLines:
        return GraphLines(self.name, sorted(self._lines))


class DatasetBuilder:
    def __init__(self, data: CuratedData, ontology: Ontology, base_iri: str):
        self.data = data
        self.onto = ontology
        self.iri = IRIs(base_iri, ontology)
        self.mentions: set[tuple[str, str]] = set()
        self._entity_terms: dict[str, str] = {}
        self._prop_terms = {name: iri(str(p.iri)) for name, p in ontology.fact_properties.items()}

    def entity(self, eid: str) -> str:
        term = self._entity_terms.get(eid)
        if term is None:
            term = self._entity_terms[eid] = iri(self.iri.entity(self.data.entities[eid]))
        return term

    def source_term(self, source_id: str) -> str:
        return iri(self.iri.source(source_id, self.data.sources[source_id].kind))

    # -- graphs that are not per source -------------------------------------------------
    def ontology_graph(self) -> GraphLines:
        from rdflib.compare import to_canonical_graph

        g = _Graph(self.iri.ontology_graph)
        bnodes: dict = {}
        # Canonical blank-node labels (RGDA1), so the ontology graph has the same bytes and
        # digest on every build.
        for s, p, o in sorted(to_canonical_graph(self.onto.graph)):
            g.add(_rdflib_term(s, bnodes), _rdflib_term(p, bnodes), _rdflib_term(o, bnodes))
        return g.done()

    def registry_graph(self) -> GraphLines:
        g = _Graph(self.iri.registry_graph)
        for rec in self.data.entities.values():
            node = self.entity(rec.id)
            g.add(node, A, T(KG, rec.type))
            g.add(node, LABEL, en(rec.label))
            for alias in rec.aliases:
                g.add(node, T(SKOS, "altLabel"), lit(alias))
            if rec.description:
                g.add(node, T(SCHEMA, "description"), en(rec.description))
            if rec.wikidata:
                g.add(node, T(OWL, "sameAs"), T(WD, rec.wikidata))
            if rec.date_unknown:
                g.add(node, T(KG, "dateUnknown"), TRUE)
            if rec.method == "extracted":
                g.add(node, T(KG, "method"), METHOD["extracted"])
            if rec.coordinates:
                latitude, longitude = rec.coordinates
                g.add(node, T(KG, "latitude"), decimal_literal(latitude))
                g.add(node, T(KG, "longitude"), decimal_literal(longitude))
        return g.done()

    def sources_graph(self, fact_graphs: Iterable[tuple[str, str]]) -> GraphLines:
        """Source descriptions, the provenance bundles and the mentions (after the facts)."""
        g = _Graph(self.iri.sources_graph)
        for src in self.data.sources.values():
            node = self.source_term(src.id)
            if src.kind == "reference":
                g.add(node, A, T(KG, "ReferenceSource"))
                g.add(node, LABEL, en(src.display_title))
                if src.description:
                    g.add(node, T(SCHEMA, "description"), en(src.description))
                continue
            g.add(node, A, T(KG, "NewsArticle"))
            g.add(node, LABEL, en(src.display_title))
            g.add(node, T(KG, "corpusId"), lit(src.id))
            if src.headline:
                g.add(node, T(SCHEMA, "headline"), en(src.headline))
            if src.title:
                g.add(node, T(SCHEMA, "name"), en(src.title))
            if src.file:
                g.add(node, T(KG, "corpusFile"), lit(src.file))
            if src.publisher and src.publisher in self.data.entities:
                g.add(node, T(SCHEMA, "publisher"), self.entity(src.publisher))
            if src.published:
                g.add(node, T(SCHEMA, "datePublished"), time_literal(src.published))
                g.add(
                    node,
                    T(KG, "dateApproximate"),
                    lit("true" if src.date_approximate else "false", datatype=XSD_BOOLEAN),
                )
            if src.language:
                g.add(node, T(SCHEMA, "inLanguage"), lit(src.language))
            if src.translated:
                g.add(node, T(KG, "note"), en("The corpus text is a translation."))
            if src.dateline and src.dateline in self.data.entities:
                g.add(node, T(SCHEMA, "locationCreated"), self.entity(src.dateline))
        for source_id, method in fact_graphs:
            gname = iri(self.iri.graph(source_id, method))
            g.add(gname, A, T(PROV, "Bundle"))
            g.add(gname, LABEL, en(f"{method.capitalize()} facts from {source_id}"))
            g.add(gname, T(PROV, "wasDerivedFrom"), self.source_term(source_id))
            g.add(gname, T(KG, "method"), METHOD[method])
        for rec in self.data.entities.values():
            self.mentions.update((sid, rec.id) for sid in rec.mentioned_in)  # ids resolved on load
        mentions = T(SCHEMA, "mentions")
        for sid, eid in self.mentions:
            g.add(iri(self.iri.source(sid)), mentions, self.entity(eid))
        return g.done()

    # -- facts ---------------------------------------------------------------------------
    def assert_triple(self, g: _Graph, s: str, p: str, o: str, fact: FactRecord) -> None:
        """Add the truthy triple and its assertion record (merged per triple/source/method)."""
        g.add(s, p, o)
        st = iri(self.iri.statement(s[1:-1], p[1:-1], o, fact.source, fact.method))
        g.add(st, A, T(KG, "Assertion"))
        g.add(st, T(RDF, "subject"), s)
        g.add(st, T(RDF, "predicate"), p)
        g.add(st, T(RDF, "object"), o)
        g.add(st, T(PROV, "wasDerivedFrom"), self.source_term(fact.source))
        g.add(st, T(KG, "method"), METHOD[fact.method])
        conf = (
            fact.confidence
            if fact.confidence is not None
            else (Decimal("1.0") if fact.method == "curated" else None)
        )
        if conf is not None:
            g.add(st, T(KG, "confidence"), decimal_literal(conf))
        if fact.evidence:
            g.add(st, T(KG, "evidence"), en(fact.evidence))
        if fact.evidence_offset is not None:
            g.add(st, T(KG, "evidenceOffset"), lit(str(fact.evidence_offset), datatype=XSD_INTEGER))
        for attr, prop in (("date", "pointInTime"), ("start", "startTime"), ("end", "endTime")):
            t = getattr(fact, attr)
            if t is not None:
                g.add(st, T(KG, prop), time_literal(t))
        low, high = fact.time_bounds
        if low:
            g.add(st, T(KG, "notBefore"), date_literal(low))
        if high:
            g.add(st, T(KG, "notAfter"), date_literal(high))
        if fact.according_to:
            g.add(st, T(KG, "accordingTo"), self.entity(fact.according_to))
        if fact.qualifier:
            g.add(st, T(KG, "valueQualifier"), lit(fact.qualifier))
        if fact.note:
            g.add(st, T(KG, "note"), en(fact.note))

    def add_fact(self, g: _Graph, fact: FactRecord) -> None:
        prop = self.onto.fact_properties[fact.relation]
        p = self._prop_terms[fact.relation]
        s = self.entity(fact.subject)
        if self.data.sources[fact.source].kind == "article":
            self.mentions.add((fact.source, fact.subject))
            if fact.object:
                self.mentions.add((fact.source, fact.object))
            if fact.according_to:
                self.mentions.add((fact.source, fact.according_to))
        if prop.range == KG.Quotation:
            self.add_quote(g, s, fact)
            return
        if fact.object is not None:
            self.assert_triple(g, s, p, self.entity(fact.object), fact)
            return
        self.assert_triple(g, s, p, value_literal(fact.value), fact)
        # Every date also gives day bounds, so facts of any precision sort together.
        if isinstance(fact.value, TimeValue) and prop.iri in (KG.date, KG.startDate, KG.endDate):
            if prop.iri != KG.endDate:
                self.assert_triple(
                    g, s, T(KG, "earliestDate"), date_literal(fact.value.earliest), fact
                )
            if prop.iri != KG.startDate:
                self.assert_triple(g, s, T(KG, "latestDate"), date_literal(fact.value.latest), fact)

    def add_quote(self, g: _Graph, speaker: str, fact: FactRecord) -> None:
        text = str(fact.value)
        q = iri(self.iri.quote(speaker[1:-1], text, fact.source))
        label = self.data.entities[fact.subject].label
        short = text if len(text) <= 60 else text[:57].rstrip() + "..."
        g.add(q, A, T(KG, "Quotation"))
        g.add(q, LABEL, en(f"{label}: \u201c{short}\u201d"))
        g.add(q, T(SCHEMA, "text"), en(text))
        g.add(q, T(KG, "speaker"), speaker)
        g.add(q, T(KG, "quotedIn"), iri(self.iri.source(fact.source)))
        self.assert_triple(g, speaker, T(KG, "said"), q, fact)

    def graphs(self, facts: Iterable[FactRecord] | None = None) -> Iterator[GraphLines]:
        """Every named graph, one at a time: ontology, registry, per source/method, sources."""
        yield self.ontology_graph()
        yield self.registry_graph()
        by_graph: dict[tuple[str, str], list[FactRecord]] = defaultdict(list)
        for fact in self.data.facts if facts is None else facts:
            by_graph[(fact.source, fact.method)].append(fact)
        keys = sorted(by_graph)
        for key in keys:
            g = _Graph(self.iri.graph(*key))
            for fact in by_graph.pop(key):
                self.add_fact(g, fact)
            yield g.done()
        yield self.sources_graph(keys)


def _rdflib_term(term, bnodes: dict) -> str:
    """An rdflib term in N-Triples syntax, with blank nodes renamed deterministically."""
    from rdflib import BNode

    if isinstance(term, BNode):
        label = bnodes.get(term)
        if label is None:
            label = bnodes[term] = f"_:o{len(bnodes)}"
        return label
    return term.n3()


def build_graphs(data: CuratedData, ontology: Ontology, base_iri: str) -> Iterator[GraphLines]:
    return DatasetBuilder(data, ontology, base_iri).graphs()


def compare_graphs(graphs: Iterable[GraphLines], manifest, stats,
                   old: dict | None) -> Iterator[tuple[GraphLines, bool]]:
    """Each non-empty graph with whether it must be written: its digest differs from the last
    build's (`old`: graph name → manifest entry; None, a full build: every graph). The graph's
    digest and quad count go into `manifest.graphs`, the counts and changed names into `stats`
    (a pipeline BuildStats), as the incremental builds into every kind of store need."""
    for g in graphs:
        if not g.lines:
            continue
        digest = g.digest
        manifest.graphs[g.name] = {"digest": digest, "quads": len(g)}
        stats.graphs += 1
        stats.quads += len(g)
        previous = None if old is None else old.get(g.name)
        changed = previous is None or previous.get("digest") != digest
        if changed:
            stats.changed.append(g.name)
            stats.quads_written += len(g)
        yield g, changed


def to_dataset(graphs: Iterable[GraphLines]) -> Dataset:
    """An rdflib Dataset of the graphs (parsed with rdflib's own N-Quads parser)."""
    ds = Dataset()
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns, override=True)
    for g in graphs:
        if g.lines:
            ds.parse(data="".join(g.lines), format="nquads")
    return ds


def build_dataset(data: CuratedData, ontology: Ontology, base_iri: str) -> Dataset:
    ds = to_dataset(build_graphs(data, ontology, base_iri))
    ds.bind("id", base_iri + "id/", override=True)
    return ds
