"""Curated (and later extracted) facts -> an RDF dataset with statement-level provenance.

Layout of the dataset (see README, "Data model"):
  <base>graph/ontology            the ontology itself, so queries can walk sub-properties
  <base>graph/sources             source articles (schema:NewsArticle) and which entities each mentions
  <base>graph/registry            entities: type, rdfs:label, skos:altLabel, description, owl:sameAs
  <base>graph/<source>/<method>   per source and method: the plain ("truthy") triples it supports,
                                  and one kg:Assertion per triple (rdf:subject/predicate/object,
                                  prov:wasDerivedFrom, kg:evidence, kg:method, time qualifiers)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from decimal import Decimal

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD

from .dates import TimeValue
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
METHOD = {"curated": KG.Curated, "extracted": KG.Extracted}


def _hash(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


class IRIs:
    """Stable, readable IRIs under one base: <base>id/person/<slug>, <base>graph/<source>/curated."""

    def __init__(self, base: str, ontology: Ontology):
        self.base = base
        self.onto = ontology
        self.ontology_graph = URIRef(base + "graph/ontology")
        self.sources_graph = URIRef(base + "graph/sources")
        self.registry_graph = URIRef(base + "graph/registry")

    def entity(self, rec: EntityRecord) -> URIRef:
        return URIRef(f"{self.base}id/{self.onto.path_segment(KG[rec.type])}/{rec.id}")

    def source(self, source_id: str, kind: str = "article") -> URIRef:
        return URIRef(f"{self.base}id/{kind}/{source_id}")

    def graph(self, source_id: str, method: str) -> URIRef:
        return URIRef(f"{self.base}graph/{source_id}/{method}")

    def statement(self, s, p, o, source_id: str, method: str) -> URIRef:
        return URIRef(f"{self.base}id/statement/{_hash(s, p, o.n3(), source_id, method)}")

    def quote(self, speaker: URIRef, text: str, source_id: str) -> URIRef:
        return URIRef(f"{self.base}id/quote/{_hash(speaker, text, source_id)}")


def _literal(value) -> Literal:
    if isinstance(value, TimeValue):
        return value.literal()
    if isinstance(value, bool):
        return Literal(value)
    if isinstance(value, int):
        return Literal(value, datatype=XSD.integer)
    if isinstance(value, Decimal):
        return Literal(value, datatype=XSD.decimal)
    return Literal(str(value))


class DatasetBuilder:
    def __init__(self, data: CuratedData, ontology: Ontology, base_iri: str):
        self.data = data
        self.onto = ontology
        self.iri = IRIs(base_iri, ontology)
        self.ds = Dataset()
        for prefix, ns in PREFIXES.items():
            self.ds.bind(prefix, ns, override=True)
        self.ds.bind("id", base_iri + "id/", override=True)
        self.mentions: set[tuple[str, str]] = set()

    def entity(self, eid: str) -> URIRef:
        return self.iri.entity(self.data.entities[eid])

    # -- graphs that are not per source -------------------------------------------------
    def add_ontology(self) -> None:
        g = self.ds.graph(self.iri.ontology_graph)
        for triple in self.onto.graph:
            g.add(triple)

    def add_registry(self) -> None:
        g = self.ds.graph(self.iri.registry_graph)
        for rec in self.data.entities.values():
            node = self.iri.entity(rec)
            g.add((node, RDF.type, KG[rec.type]))
            g.add((node, RDFS.label, Literal(rec.label, lang="en")))
            for alias in rec.aliases:
                g.add((node, SKOS.altLabel, Literal(alias)))
            if rec.description:
                g.add((node, SCHEMA.description, Literal(rec.description, lang="en")))
            if rec.wikidata:
                g.add((node, OWL.sameAs, WD[rec.wikidata]))
            if rec.date_unknown:
                g.add((node, KG.dateUnknown, Literal(True)))

    def add_sources(self) -> None:
        g = self.ds.graph(self.iri.sources_graph)
        for src in self.data.sources.values():
            node = self.iri.source(src.id, src.kind)
            if src.kind == "reference":
                g.add((node, RDF.type, KG.ReferenceSource))
                g.add((node, RDFS.label, Literal(src.display_title, lang="en")))
                if src.description:
                    g.add((node, SCHEMA.description, Literal(src.description, lang="en")))
                continue
            g.add((node, RDF.type, KG.NewsArticle))
            g.add((node, RDFS.label, Literal(src.display_title, lang="en")))
            g.add((node, KG.corpusId, Literal(src.id)))
            if src.headline:
                g.add((node, SCHEMA.headline, Literal(src.headline, lang="en")))
            if src.title:
                g.add((node, SCHEMA.name, Literal(src.title, lang="en")))
            if src.file:
                g.add((node, KG.corpusFile, Literal(src.file)))
            if src.publisher and src.publisher in self.data.entities:
                g.add((node, SCHEMA.publisher, self.entity(src.publisher)))
            if src.published:
                g.add((node, SCHEMA.datePublished, src.published.literal()))
                g.add((node, KG.dateApproximate, Literal(src.date_approximate)))
            if src.language:
                g.add((node, SCHEMA.inLanguage, Literal(src.language)))
            if src.translated:
                g.add((node, KG.note, Literal("The corpus text is a translation.", lang="en")))
            if src.dateline and src.dateline in self.data.entities:
                g.add((node, SCHEMA.locationCreated, self.entity(src.dateline)))

    def describe_graph(self, source_id: str, method: str) -> None:
        src = self.data.sources[source_id]
        gname = self.iri.graph(source_id, method)
        g = self.ds.graph(self.iri.sources_graph)
        g.add((gname, RDF.type, PROV.Bundle))
        g.add(
            (gname, RDFS.label, Literal(f"{method.capitalize()} facts from {source_id}", lang="en"))
        )
        g.add((gname, PROV.wasDerivedFrom, self.iri.source(source_id, src.kind)))
        g.add((gname, KG.method, METHOD[method]))

    # -- facts ---------------------------------------------------------------------------
    def assert_triple(self, g: Graph, s: URIRef, p: URIRef, o, fact: FactRecord) -> URIRef:
        """Add the truthy triple and its assertion record (merged per triple/source/method)."""
        g.add((s, p, o))
        src = self.data.sources[fact.source]
        st = self.iri.statement(s, p, o, fact.source, fact.method)
        g.add((st, RDF.type, KG.Assertion))
        g.add((st, RDF.subject, s))
        g.add((st, RDF.predicate, p))
        g.add((st, RDF.object, o))
        g.add((st, PROV.wasDerivedFrom, self.iri.source(fact.source, src.kind)))
        g.add((st, KG.method, METHOD[fact.method]))
        conf = (
            fact.confidence
            if fact.confidence is not None
            else (Decimal("1.0") if fact.method == "curated" else None)
        )
        if conf is not None:
            g.add((st, KG.confidence, Literal(conf, datatype=XSD.decimal)))
        if fact.evidence:
            g.add((st, KG.evidence, Literal(fact.evidence, lang="en")))
        if fact.evidence_offset is not None:
            g.add((st, KG.evidenceOffset, Literal(fact.evidence_offset, datatype=XSD.integer)))
        for attr, prop in (("date", KG.pointInTime), ("start", KG.startTime), ("end", KG.endTime)):
            t = getattr(fact, attr)
            if t is not None:
                g.add((st, prop, t.literal()))
        low, high = fact.time_bounds
        if low:
            g.add((st, KG.notBefore, Literal(low.isoformat(), datatype=XSD.date)))
        if high:
            g.add((st, KG.notAfter, Literal(high.isoformat(), datatype=XSD.date)))
        if fact.according_to:
            g.add((st, KG.accordingTo, self.entity(fact.according_to)))
        if fact.qualifier:
            g.add((st, KG.valueQualifier, Literal(fact.qualifier)))
        if fact.note:
            g.add((st, KG.note, Literal(fact.note, lang="en")))
        return st

    def add_fact(self, fact: FactRecord) -> None:
        prop = self.onto.fact_properties[fact.relation]
        g = self.ds.graph(self.iri.graph(fact.source, fact.method))
        s = self.entity(fact.subject)
        src = self.data.sources[fact.source]
        if src.kind == "article":
            self.mentions.add((fact.source, fact.subject))
            if fact.object:
                self.mentions.add((fact.source, fact.object))
            if fact.according_to:
                self.mentions.add((fact.source, fact.according_to))
        if prop.range == KG.Quotation:
            self.add_quote(g, s, fact)
            return
        if fact.object is not None:
            self.assert_triple(g, s, prop.iri, self.entity(fact.object), fact)
            return
        self.assert_triple(g, s, prop.iri, _literal(fact.value), fact)
        # Every date also gives day bounds, so facts of any precision sort together.
        if isinstance(fact.value, TimeValue) and prop.iri in (KG.date, KG.startDate, KG.endDate):
            if prop.iri != KG.endDate:
                self.assert_triple(g, s, KG.earliestDate, fact.value.earliest_literal(), fact)
            if prop.iri != KG.startDate:
                self.assert_triple(g, s, KG.latestDate, fact.value.latest_literal(), fact)

    def add_quote(self, g: Graph, speaker: URIRef, fact: FactRecord) -> None:
        text = str(fact.value)
        q = self.iri.quote(speaker, text, fact.source)
        label = self.data.entities[fact.subject].label
        short = text if len(text) <= 60 else text[:57].rstrip() + "..."
        g.add((q, RDF.type, KG.Quotation))
        g.add((q, RDFS.label, Literal(f"{label}: \u201c{short}\u201d", lang="en")))
        g.add((q, SCHEMA.text, Literal(text, lang="en")))
        g.add((q, KG.speaker, speaker))
        g.add((q, KG.quotedIn, self.iri.source(fact.source)))
        self.assert_triple(g, speaker, KG.said, q, fact)

    def add_mentions(self) -> None:
        g = self.ds.graph(self.iri.sources_graph)
        for rec in self.data.entities.values():
            self.mentions.update((sid, rec.id) for sid in rec.mentioned_in)  # ids resolved on load
        for sid, eid in sorted(self.mentions):
            g.add((self.iri.source(sid), SCHEMA.mentions, self.entity(eid)))

    def build(self, facts: Iterable[FactRecord] | None = None) -> Dataset:
        self.add_ontology()
        self.add_sources()
        self.add_registry()
        facts = list(self.data.facts if facts is None else facts)
        for key in sorted({(f.source, f.method) for f in facts}):
            self.describe_graph(*key)
        for fact in facts:
            self.add_fact(fact)
        self.add_mentions()
        return self.ds


def build_dataset(data: CuratedData, ontology: Ontology, base_iri: str) -> Dataset:
    return DatasetBuilder(data, ontology, base_iri).build()
