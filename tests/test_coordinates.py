"""Coordinates of places: curated in the gazetteer, built into the registry graph, validated."""

from __future__ import annotations

from decimal import Decimal

from rdflib.namespace import XSD

from kg_builder.build import DatasetBuilder
from kg_builder.model import CuratedData, EntityRecord, Origin
from kg_builder.ontology import KG, load_ontology
from tests.conftest import REPO as PROJECT_DIR

BASE = "https://w3id.org/kg-builder/"
PREFIXES = """PREFIX kg: <https://w3id.org/kg-builder/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
COORDINATES = (
    PREFIXES
    + """
    SELECT ?place ?lat ?lon WHERE {
      GRAPH <https://w3id.org/kg-builder/graph/registry> { ?place kg:latitude ?lat ; kg:longitude ?lon }
    }"""
)


def _coordinates(store) -> dict[str, list[tuple]]:
    """Place IRI -> every (latitude, longitude) pair the registry gives it."""
    out: dict[str, list[tuple]] = {}
    for row in store.select(COORDINATES):
        out.setdefault(str(row["place"]), []).append((row["lat"], row["lon"]))
    return out


def _place(eid: str) -> str:
    return f"{BASE}id/place/{eid}"


def test_build_with_coordinates_validates(built_memory):
    """SHACL, OWL (where Java is present) and the hygiene checks pass with the coordinates."""
    assert [p for p in built_memory.problems if p.severity == "error"] == []
    if built_memory.owl is not None and built_memory.owl.ran:
        assert built_memory.owl.consistent, built_memory.owl.note


def test_georgia_and_its_capital_have_plausible_coordinates(built_memory):
    coords = _coordinates(built_memory.store())
    # Georgia lies within about 41.0..43.6 N, 40.0..46.8 E.
    [(lat, lon)] = coords[_place("georgia")]
    assert lat.datatype == lon.datatype == XSD.decimal
    assert 41.0 < lat.toPython() < 43.6 and 40.0 < lon.toPython() < 46.8
    if "tbilisi" in built_memory.data.entities:
        [(lat, lon)] = coords[_place("tbilisi")]
        assert abs(lat.toPython() - Decimal("41.7")) < 1 > abs(lon.toPython() - Decimal("44.8"))
    # West and south are negative.
    [(lat, lon)] = coords[_place("united-states")]
    assert lat.toPython() > 0 > lon.toPython()


def test_every_place_with_coordinates_has_exactly_one_of_each(built_memory):
    data, store = built_memory.data, built_memory.store()
    coords = _coordinates(store)
    onto = load_ontology(PROJECT_DIR / "ontology")
    with_coordinates = {e.id: e for e in data.entities.values() if e.coordinates}
    assert {"georgia", "russia", "moscow", "vaalimaa"} <= set(with_coordinates)
    builder = DatasetBuilder(data, onto, BASE)
    expected = {builder.entity(eid)[1:-1] for eid in with_coordinates}
    assert set(coords) == expected
    for eid, rec in with_coordinates.items():
        assert onto.is_a(KG[rec.type], KG.Place), eid
        [(lat, lon)] = coords[builder.entity(eid)[1:-1]]
        assert lat.datatype == lon.datatype == XSD.decimal
        assert -90 <= lat.toPython() <= 90 and -180 <= lon.toPython() <= 180
        assert (lat.toPython(), lon.toPython()) == rec.coordinates
    rows = store.select(
        PREFIXES
        + """SELECT ?x (COUNT(DISTINCT ?v) AS ?n) WHERE {
          VALUES ?p { kg:latitude kg:longitude } ?x ?p ?v } GROUP BY ?x ?p HAVING (?n > 1)"""
    )
    assert rows == []


def test_abstract_places_have_no_coordinates(built_memory):
    coords = _coordinates(built_memory.store())
    for eid in ("the-west", "finland-russia-border"):
        assert eid in built_memory.data.entities
        assert _place(eid) not in coords


def test_registry_writes_canonical_decimals():
    onto = load_ontology(PROJECT_DIR / "ontology")
    data = CuratedData()
    data.entities["tbilisi"] = EntityRecord(
        id="tbilisi",
        type="City",
        label="Tbilisi",
        origin=Origin("x.csv", 2),
        coordinates=(Decimal("41.7150"), Decimal("-44.80")),
    )
    data.entities["nowhere"] = EntityRecord(
        id="nowhere", type="City", label="Nowhere", origin=Origin("x.csv", 3)
    )
    lines = DatasetBuilder(data, onto, BASE).registry_graph().lines
    node = f"<{BASE}id/place/tbilisi>"
    dec = f"<{XSD.decimal}>"
    assert f'{node} <{KG.latitude}> "41.715"^^{dec} <{BASE}graph/registry> .\n' in lines
    assert f'{node} <{KG.longitude}> "-44.8"^^{dec} <{BASE}graph/registry> .\n' in lines
    assert not [line for line in lines if "nowhere" in line and "itude>" in line]
