"""RDF exports under --types and a date window: the subset holds exactly what the entity
network under the same filter holds, with its provenance, and nothing about dropped entities."""

from __future__ import annotations

from datetime import date

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg_builder.analysis import Filter, project
from kg_builder.cli import main
from kg_builder.export.subset import subset
from kg_builder.ontology import KG

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PFX = {"kg": str(KG), "rdf": RDF_NS}

ASSERTIONS = """SELECT ?s ?p ?o ?low ?high WHERE { GRAPH ?g {
  ?a a kg:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
  OPTIONAL { ?a kg:notBefore ?low } OPTIONAL { ?a kg:notAfter ?high } } }"""


def _entity_facts(store, nodes) -> set[tuple]:
    rows = store.select(ASSERTIONS, prefixes=PFX)
    return {
        (str(r["s"]), str(r["o"]), str(r["p"]).split("#")[1])
        for r in rows
        if str(r["o"]) in nodes or str(r["s"]) not in nodes
    }


@pytest.mark.parametrize(
    "filt",
    [
        Filter(types=("Person",)),
        Filter(types=("Person", "Organisation")),
        Filter(start=date(2022, 9, 21), end=date(2022, 9, 30)),
        Filter(types=("Event",), start=date(2022, 9, 1), end=date(2022, 12, 31), dated_only=True),
    ],
    ids=["person", "agents", "window", "dated-events"],
)
def test_subset_holds_what_the_network_holds(store, filt):
    G = project(store, filt)
    part = subset(store, filt)
    nodes = set(G)
    registry = part.select(
        "SELECT DISTINCT ?e WHERE { GRAPH ?g { ?e a ?t } FILTER(STRENDS(STR(?g), 'graph/registry')) }"
    )
    assert {str(r["e"]) for r in registry} == nodes
    facts = _entity_facts(part, nodes)
    # Every assertion is about kept entities; the entity facts are exactly the network's edges.
    assert all(s in nodes for s, _, _ in facts)
    edges = set(G.edges(keys=True))
    assert {f for f in facts if f[1] in nodes and f[2] in {k for *_, k in edges}} == edges
    for r in part.select(ASSERTIONS, prefixes=PFX):
        assert filt.overlaps(
            str(r["low"]) if r["low"] is not None else None,
            str(r["high"]) if r["high"] is not None else None,
        )
    # Plain triples only where an assertion supports them.
    unsupported = part.select(
        "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o FILTER(STRSTARTS(STR(?p), STR(kg:))) "
        "FILTER(?p NOT IN (kg:method, kg:confidence, kg:evidence, kg:evidenceOffset, "
        "kg:notBefore, kg:notAfter, kg:pointInTime, kg:startTime, kg:endTime, kg:accordingTo, "
        "kg:valueQualifier, kg:speaker, kg:quotedIn, kg:corpusId, kg:corpusFile, "
        "kg:dateApproximate, kg:dateUnknown, kg:latitude, kg:longitude, kg:note)) "
        "FILTER NOT EXISTS { ?a rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o } } "
        "FILTER(CONTAINS(STR(?g), '/curated') || CONTAINS(STR(?g), '/extracted')) }",
        prefixes=PFX,
    )
    assert unsupported == []


def test_rdf_export_with_types_parses_back(built, tmp_path):
    out = tmp_path / "people.nq"
    result = CliRunner().invoke(
        main,
        ["export", "--store", built.settings.store, "--format", "nquads", "--types", "Person"]
        + ["-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    quads = list(ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS))
    typed = {
        q.subject.value
        for q in quads
        if q.predicate.value == RDF_NS + "type" and q.graph_name.value.endswith("graph/registry")
    }
    assert typed == set(project(built.store(), Filter(types=("Person",))))
    assert all(
        q.object.value.endswith("#Person")
        for q in quads
        if q.subject.value in typed and q.predicate.value == RDF_NS + "type"
    )


def test_rdf_export_refuses_a_projection(built, tmp_path):
    result = CliRunner().invoke(
        main,
        ["export", "--store", built.settings.store, "--format", "turtle", "--projection", "people"]
        + ["-o", str(tmp_path / "x.ttl")],
    )
    assert result.exit_code == 7 and "not a projection" in result.output
