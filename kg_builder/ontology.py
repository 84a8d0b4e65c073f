"""The ontology as data: classes, properties, domains, ranges, read from ontology/kg.ttl.

Loaders, the builder, the SHACL shape generator and the docs ask this module what exists;
nothing here lists a class or property by hand except the few the tool's mechanics rest on.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

KG = Namespace("https://w3id.org/kg-builder/ontology#")
SCHEMA = Namespace("https://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
WD = Namespace("http://www.wikidata.org/entity/")
ONTOLOGY_IRI = URIRef("https://w3id.org/kg-builder/ontology")

TIME_DATATYPES = (XSD.date, XSD.gYearMonth, XSD.gYear)


@dataclass(frozen=True)
class PropertyInfo:
    iri: URIRef
    name: str
    kind: str  # "object" or "datatype"
    domain: URIRef | None
    range: URIRef | None
    label: str
    definition: str
    is_fact: bool
    cross_check: bool
    supers: frozenset[URIRef] = field(default_factory=frozenset)

    @property
    def is_time(self) -> bool:
        return self.range == KG.TimeValue


@dataclass(frozen=True)
class ClassInfo:
    iri: URIRef
    name: str
    label: str
    definition: str
    supers: frozenset[URIRef]  # reflexive-transitive closure over rdfs:subClassOf


class Ontology:
    """Read-only view of ontology/kg.ttl."""

    def __init__(self, path: Path, extensions=()):
        self.path = Path(path)
        self.graph = Graph()
        self.graph.parse(self.path, format="turtle")
        #: the project's extension files, merged into `graph` (see ontology_ext)
        self.extensions = [Path(p) for p in extensions]
        self.shipped_graph = self.graph
        if self.extensions:
            from .ontology_ext import merge_extensions

            self.graph = merge_extensions(self.shipped_graph, self.extensions)

    def from_extension(self, iri: URIRef) -> bool:
        """Whether a term was added by the project's extension (not shipped)."""
        return bool(self.extensions) and (iri, None, None) not in self.shipped_graph

    # -- classes ---------------------------------------------------------------------
    def _closure(self, node: URIRef, pred: URIRef) -> frozenset[URIRef]:
        from .ontology_ext import closure

        return frozenset(closure(self.graph, node, pred))

    def _text(self, node: URIRef, pred: URIRef) -> str:
        value = self.graph.value(node, pred)
        return str(value) if value is not None else ""

    @cached_property
    def classes(self) -> dict[str, ClassInfo]:
        out = {}
        for c in self.graph.subjects(RDF.type, OWL.Class):
            if isinstance(c, URIRef) and c.startswith(KG):
                name = c[len(KG) :]
                out[name] = ClassInfo(
                    c,
                    name,
                    self._text(c, RDFS.label),
                    self._text(c, SKOS.definition),
                    self._closure(c, RDFS.subClassOf),
                )
        return dict(sorted(out.items()))

    @cached_property
    def entity_classes(self) -> dict[str, ClassInfo]:
        """Classes curators may give an entity: kg:Entity and everything below it."""
        return {n: c for n, c in self.classes.items() if KG.Entity in c.supers}

    def top_class(self, cls: URIRef) -> URIRef:
        """Person, Organisation, Place or Event: the class below kg:Entity/kg:Agent."""
        supers = self.classes[cls[len(KG) :]].supers
        for top in (KG.Person, KG.Organisation, KG.Place, KG.Event):
            if top in supers:
                return top
        return cls

    def path_segment(self, cls: URIRef) -> str:
        value = self.graph.value(self.top_class(cls), KG.pathSegment)
        if value is None:
            value = self.graph.value(cls, KG.pathSegment)
        return str(value) if value is not None else "entity"

    def is_a(self, cls: URIRef, ancestor: URIRef) -> bool:
        info = self.classes.get(cls[len(KG) :]) if cls.startswith(KG) else None
        return info is not None and ancestor in info.supers

    # -- properties --------------------------------------------------------------------
    @cached_property
    def properties(self) -> dict[str, PropertyInfo]:
        out = {}
        for kind, rdf_type in (("object", OWL.ObjectProperty), ("datatype", OWL.DatatypeProperty)):
            for p in self.graph.subjects(RDF.type, rdf_type):
                if not (isinstance(p, URIRef) and p.startswith(KG)):
                    continue
                supers = self._closure(p, RDFS.subPropertyOf)
                name = p[len(KG) :]
                domain = self.graph.value(p, RDFS.domain)
                rng = self.graph.value(p, RDFS.range)
                is_fact = bool({KG.factRelation, KG.factAttribute} & (supers - {p}))
                cross = any(self.graph.value(s, KG.crossCheck) == Literal(True) for s in supers)
                out[name] = PropertyInfo(
                    p,
                    name,
                    kind,
                    domain if isinstance(domain, URIRef) else None,
                    rng if isinstance(rng, URIRef) else None,
                    self._text(p, RDFS.label),
                    self._text(p, SKOS.definition),
                    is_fact,
                    cross,
                    supers,
                )
        return dict(sorted(out.items()))

    @cached_property
    def fact_properties(self) -> dict[str, PropertyInfo]:
        """Relations curators may use: sub-properties of kg:factRelation / kg:factAttribute."""
        return {n: p for n, p in self.properties.items() if p.is_fact}

    def time_datatypes(self) -> tuple[URIRef, ...]:
        """Members of the kg:TimeValue union, read from the ontology."""
        for eq in self.graph.objects(KG.TimeValue, OWL.equivalentClass):
            union = self.graph.value(eq, OWL.unionOf)
            if isinstance(eq, BNode) and union is not None:
                return tuple(Collection(self.graph, union))
        return TIME_DATATYPES

    # -- network projection (kg analyze, kg export) ------------------------------------------
    def _nearest(self, node: URIRef, link: URIRef, annotation: URIRef):
        """The annotation's value on the node or its nearest ancestor along `link`
        (breadth first, so a sub-class or sub-property overrides what it inherits)."""
        frontier, seen = [node], {node}
        while frontier:
            found = [v for n in frontier for v in self.graph.objects(n, annotation)]
            if found:
                return min(found)
            nxt = []
            for n in frontier:
                for up in self.graph.objects(n, link):
                    if isinstance(up, URIRef) and up not in seen:
                        seen.add(up)
                        nxt.append(up)
            frontier = sorted(nxt)
        return None

    @cached_property
    def edge_properties(self) -> dict[str, PropertyInfo]:
        """Object properties whose uses become network edges (kg:networkEdge, inherited)."""
        return {
            n: p
            for n, p in self.properties.items()
            if p.kind == "object"
            and self._nearest(p.iri, RDFS.subPropertyOf, KG.networkEdge) == Literal(True)
        }

    @cached_property
    def attribute_properties(self) -> dict[str, PropertyInfo]:
        """Fact properties with literal values: node attributes in the network."""
        return {n: p for n, p in self.fact_properties.items() if p.kind == "datatype"}

    def colour(self, cls: URIRef) -> str | None:
        """The display colour (#rrggbb) of a class, from kg:displayColour, inherited."""
        value = self._nearest(cls, RDFS.subClassOf, KG.displayColour)
        return str(value) if value is not None else None

    # -- help for error messages ---------------------------------------------------------
    @staticmethod
    def suggest(name: str, choices: list[str]) -> str:
        close = difflib.get_close_matches(name, choices, n=3, cutoff=0.6)
        if not close:
            lowered = {c.lower(): c for c in choices}
            close = [lowered[name.lower()]] if name.lower() in lowered else []
        return f" (did you mean {', '.join(close)}?)" if close else ""


_CACHE: dict[tuple, Ontology] = {}


def load_ontology(ontology_dir: Path, extensions=()) -> Ontology:
    """The shipped ontology (ontology_dir/kg.ttl) with the project's extension files merged
    in; cached per files and their modification times."""
    path = (Path(ontology_dir) / "kg.ttl").resolve()
    exts = tuple(Path(p).resolve() for p in extensions)
    key = (path, tuple((p, p.stat().st_mtime_ns if p.exists() else 0) for p in exts))
    if key not in _CACHE:
        _CACHE[key] = Ontology(path, exts)
    return _CACHE[key]
