"""SHACL and OWL checks: the real graph conforms, and broken graphs are caught."""

from __future__ import annotations

import shutil

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS

from kg_builder.ontology import KG, load_ontology
from kg_builder.store import OxigraphStore
from kg_builder.validate import (
    generated_shapes,
    merged_graph,
    run_owl,
    run_shacl,
    run_shacl_in_store,
)
from tests.conftest import REPO as PROJECT_DIR

SHAPES = PROJECT_DIR / "ontology" / "shapes.ttl"
ONTO = load_ontology(PROJECT_DIR / "ontology")
ID = "https://w3id.org/kg-builder/id/"
java = pytest.mark.skipif(shutil.which("java") is None, reason="Java is needed for HermiT")


def in_store(graph):
    """The graph in a scratch Oxigraph store (for the SHACL-compiled-to-SPARQL engine)."""
    import pyoxigraph as ox

    store = ox.Store()
    store.load(input=graph.serialize(format="nt").encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return OxigraphStore.wrap(store)


def shacl(graph, engine):
    if engine == "pyshacl":
        return run_shacl(graph, SHAPES, ONTO)
    return run_shacl_in_store(in_store(graph), SHAPES, ONTO)


@pytest.fixture(params=["pyshacl", "sparql"])
def engine(request):
    return request.param


@pytest.fixture
def _errors(engine):
    return lambda graph: [p for p in shacl(graph, engine) if p.severity == "error"]


@pytest.fixture
def graph(built_memory):
    return merged_graph(built_memory.dataset)


def test_real_graph_conforms_with_no_warnings(graph, engine):
    assert shacl(graph, engine) == []


def test_both_engines_report_the_same_problems(graph):
    """An orphan (warning), a second label, a wrong range and an unsourced fact at once."""
    graph.add((URIRef(ID + "person/nobody"), RDF.type, KG.Person))
    graph.add((URIRef(ID + "person/nobody"), RDFS.label, Literal("Nobody")))
    graph.add((URIRef(ID + "person/andrei-amonov"), RDFS.label, Literal("Andrey Amonov")))
    graph.add((URIRef(ID + "person/yevgeny"), KG.fledTo, URIRef(ID + "organisation/afp")))
    py = shacl(graph, "pyshacl")
    sp = shacl(graph, "sparql")

    def key(p):  # messages are worded by each engine; compare what and where
        return (p.severity, p.message.split(":")[0].split(" value ")[0])

    assert sorted(map(key, py)) == sorted(map(key, sp))
    assert {p.severity for p in sp} == {"error", "warning"}


def test_second_label_is_caught(graph, _errors):
    graph.add((URIRef(ID + "person/andrei-amonov"), RDFS.label, Literal("Andrey Amonov")))
    errors = _errors(graph)
    assert len(errors) == 1 and "exactly one rdfs:label" in errors[0].message
    assert "andrei-amonov" in errors[0].message


def test_missing_label_is_caught(graph, _errors):
    graph.remove((URIRef(ID + "place/vaalimaa"), RDFS.label, None))
    assert any("vaalimaa" in p.message and "rdfs:label" in p.message for p in _errors(graph))


def test_event_without_date_is_caught(graph, _errors):
    event = URIRef(ID + "event/amonov-arrest")
    for prop in (KG.date, KG.startDate, KG.earliestDate, KG.latestDate):
        graph.remove((event, prop, None))
    errors = _errors(graph)
    assert any("amonov-arrest" in p.message and "must have a date" in p.message for p in errors)


def test_fact_without_source_is_caught(graph, _errors):
    graph.add((URIRef(ID + "person/yevgeny"), KG.fledTo, URIRef(ID + "place/georgia")))
    errors = _errors(graph)
    assert any(
        "not traceable to a source" in p.message and "georgia" in p.message for p in errors
    ), errors


def test_assertion_without_source_is_caught(graph, _errors):
    st = next(graph.subjects(RDF.type, KG.Assertion))
    graph.remove((st, PROV.wasDerivedFrom, None))
    assert any("cite at least one source" in p.message for p in _errors(graph))


def test_ill_typed_date_is_caught(graph, _errors):
    graph.add(
        (
            URIRef(ID + "event/amonov-arrest"),
            KG.date,
            Literal("2023-02-30", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")),
        )
    )
    assert any("amonov-arrest" in p.message and "kg:date" in p.message for p in _errors(graph))


def test_range_shapes_are_generated_from_the_ontology():
    shapes = generated_shapes(ONTO)
    assert len(set(shapes.subjects(RDF.type, None))) == len(ONTO.fact_properties)


def test_wrong_range_is_caught(graph, _errors):
    graph.add((URIRef(ID + "person/yevgeny"), KG.fledTo, URIRef(ID + "organisation/afp")))
    assert any("kg:fledTo" in p.message for p in _errors(graph))


@java
def test_owl_consistent(built):
    assert built.owl is not None and built.owl.ran and built.owl.consistent


@java
def test_owl_catches_disjoint_types(built_memory):
    ds = built_memory.dataset
    g = ds.graph(URIRef("urn:test:broken"))
    g.add((URIRef(ID + "person/andrei-amonov"), RDF.type, KG.Country))
    try:
        result = run_owl(ds, ONTO)
    finally:
        ds.remove_graph(g)
    assert result.ran and result.consistent is False
    assert "inconsistent" in result.problems[0].message


@java
def test_owl_catches_domain_violation_through_inference(built_memory):
    # A place that "participated in" an event would have to be an Agent: disjoint with Place.
    ds = built_memory.dataset
    g = ds.graph(URIRef("urn:test:broken"))
    g.add((URIRef(ID + "place/finland"), KG.participatedIn, URIRef(ID + "event/covid-19-pandemic")))
    try:
        result = run_owl(ds, ONTO)
    finally:
        ds.remove_graph(g)
    assert result.consistent is False


def test_missing_java_is_a_clear_warning(built, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = run_owl(built.dataset, ONTO)
    assert not result.ran and result.consistent is None
    assert result.problems[0].severity == "warning"
    assert "Java was not found" in result.problems[0].message
