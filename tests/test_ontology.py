"""The ontology is complete and documented, and the curated registry covers the corpus."""

from __future__ import annotations

import json

import pytest
from rdflib import URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg_builder import load
from kg_builder.ontology import KG, load_ontology
from tests.conftest import REPO as PROJECT_DIR

from .conftest import SHARED

ONTO = load_ontology(PROJECT_DIR / "ontology")


def test_every_class_and_property_has_label_and_definition():
    g = ONTO.graph
    terms = [
        s
        for t in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
        for s in g.subjects(RDF.type, t)
        if isinstance(s, URIRef) and s.startswith(KG)
    ]
    assert len(terms) > 80
    for term in terms:
        assert g.value(term, RDFS.label) is not None, term
        assert g.value(term, SKOS.definition) is not None, term


@pytest.mark.parametrize(
    "cls, external",
    [
        ("Person", "https://schema.org/Person"),
        ("Organisation", "https://schema.org/Organization"),
        ("Place", "https://schema.org/Place"),
        ("Event", "https://schema.org/Event"),
        ("NewsArticle", "https://schema.org/NewsArticle"),
        ("Quotation", "https://schema.org/Quotation"),
        ("Person", "http://xmlns.com/foaf/0.1/Person"),
        ("Organisation", "http://www.w3.org/ns/org#Organization"),
        ("Event", "http://semanticweb.cs.vu.nl/2009/11/sem/Event"),
        ("Agent", "http://www.w3.org/ns/prov#Agent"),
    ],
)
def test_alignment_to_public_vocabularies(cls, external):
    assert URIRef(external) in ONTO.classes[cls].supers


def test_fact_properties_are_derived_from_the_ontology():
    props = ONTO.fact_properties
    assert {"fledTo", "memberOf", "said", "date", "age", "locatedIn"} <= set(props)
    assert "evidence" not in props and "confidence" not in props  # provenance, not facts
    assert props["fledTo"].domain == KG.Person and props["fledTo"].range == KG.Place
    assert props["date"].is_time
    assert props["leads"].cross_check  # inherited from kg:affiliatedWith


@pytest.mark.skipif(SHARED is None, reason="../shared is not present")
def test_registry_covers_every_gold_entity_with_a_compatible_type():
    data, problems = load(check_owl=False)
    gold = json.loads((SHARED / "gold" / "entities_all.json").read_text("utf-8"))["entities"]
    tops = {
        "Person": KG.Person,
        "Organisation": KG.Organisation,
        "Place": KG.Place,
        "Event": KG.Event,
    }
    for g in gold:
        assert g["id"] in data.entities, g["id"]
        ours = data.entities[g["id"]]
        assert ONTO.is_a(KG[ours.type], tops[g["type"]]), (g["id"], ours.type, g["type"])
