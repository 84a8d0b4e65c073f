"""Counts that tell a curator what is in the graph and what is missing, all by SPARQL."""

from __future__ import annotations

from .store import Store

PREFIXES = """PREFIX kg: <https://w3id.org/kg-builder/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <https://schema.org/>
"""

CLASSES = (
    PREFIXES
    + """
SELECT ?class (COUNT(DISTINCT ?e) AS ?entities) WHERE {
  ?e a ?c . ?c rdfs:subClassOf* kg:Entity .
  FILTER(STRSTARTS(STR(?c), STR(kg:)))
  BIND(STRAFTER(STR(?c), "#") AS ?class)
} GROUP BY ?class ORDER BY DESC(?entities) ?class"""
)

PROPERTIES = (
    PREFIXES
    + """
SELECT ?property (COUNT(*) AS ?facts) WHERE {
  ?st a kg:Assertion ; rdf:predicate ?p .
  BIND(STRAFTER(STR(?p), "#") AS ?property)
} GROUP BY ?property ORDER BY DESC(?facts) ?property"""
)

SOURCES = (
    PREFIXES
    + """
SELECT ?source ?method (COUNT(DISTINCT ?st) AS ?facts) (COUNT(DISTINCT ?e) AS ?entities) WHERE {
  ?st a kg:Assertion ; prov:wasDerivedFrom ?src ; kg:method ?m .
  OPTIONAL { ?src kg:corpusId ?cid }
  OPTIONAL { ?src schema:mentions ?e }
  BIND(COALESCE(?cid, STRAFTER(STR(?src), "/id/reference/")) AS ?source)
  BIND(STRAFTER(STR(?m), "#") AS ?method)
} GROUP BY ?source ?method ORDER BY ?source ?method"""
)

ORPHANS = (
    PREFIXES
    + """
SELECT ?entity ?label WHERE {
  ?entity a ?c ; rdfs:label ?label . ?c rdfs:subClassOf* kg:Entity .
  FILTER NOT EXISTS { ?article schema:mentions ?entity }
} ORDER BY ?entity"""
)

UNSOURCED = (
    PREFIXES
    + """
SELECT ?subject ?property ?value WHERE {
  ?subject ?p ?value . ?p rdfs:subPropertyOf+ ?top .
  FILTER(?top IN (kg:factRelation, kg:factAttribute))
  FILTER NOT EXISTS { ?st rdf:subject ?subject ; rdf:predicate ?p ; rdf:object ?value ;
                          prov:wasDerivedFrom ?src }
  BIND(STRAFTER(STR(?p), "#") AS ?property)
} ORDER BY ?subject ?property"""
)


def _py(value):
    return value.toPython() if value is not None and hasattr(value, "toPython") else value


def _rows(store: Store, query: str) -> list[dict]:
    return [
        {k: (str(v) if k in ("entity", "subject", "value") else _py(v)) for k, v in r.items()}
        for r in store.select(query)
    ]


def stats(store: Store) -> dict:
    """Counts per class, property and source; orphan entities; facts with no source."""
    classes = _rows(store, CLASSES)
    return {
        "triples": len(store),
        "graphs": len(store.graph_names()),
        "entities": sum(r["entities"] for r in classes),
        "classes": classes,
        "properties": _rows(store, PROPERTIES),
        "sources": _rows(store, SOURCES),
        "orphan_entities": _rows(store, ORPHANS),
        "facts_without_source": _rows(store, UNSOURCED),
    }
