"""The query catalogue (queries/): well-formed headers, and golden results on the corpus graph.

Each catalogue query runs with its default parameters on the built corpus graph, on both
backends, and must give the rows of tests/golden/<name>.json, in order. After a deliberate
change to a query or to the curated data, regenerate them and review the diff:

    KG_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_catalogue.py -k memory
"""

from __future__ import annotations

import json
import os
import re
from decimal import Decimal, InvalidOperation

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg_builder.ontology import KG
from kg_builder.queries import Catalogue, run, shape
from tests.conftest import REPO as PROJECT_DIR
from tests.conftest import expect_engine_limit

GOLDEN = PROJECT_DIR / "tests" / "golden"
CATALOGUE = Catalogue()
NAMES = CATALOGUE.names()
CHECKS = [n for n in CATALOGUE.names(checks=True) if n.startswith("checks/")]
# The corpus has no extracted facts yet (extraction is a later stage): this answer is empty
# there, and is checked on a synthetic graph below.
EMPTY_ON_CORPUS = {"extracted-only-facts"}
_NUMERIC = ("integer", "decimal", "double", "float", "int", "long")


_CONCAT = re.compile(
    r'GROUP_CONCAT\s*\((.*?)(?:;\s*separator\s*=\s*"([^"]*)")?\s*\)\s*AS\s+\?(\w+)',
    re.I | re.S,
)
_BIND = re.compile(r"BIND\s*\((.*?)\s+AS\s+\?(\w+)\s*\)", re.I | re.S)


def concatenated(text: str) -> dict[str, str]:
    """Columns made by GROUP_CONCAT (directly, or by a BIND of such a column), with their
    separators: their items come in no set order."""
    found = {
        m.group(3): m.group(2) if m.group(2) is not None else " " for m in _CONCAT.finditer(text)
    }
    changed = True
    while changed:
        changed = False
        for m in _BIND.finditer(text):
            target = m.group(2)
            for var, sep in list(found.items()):
                if target not in found and re.search(rf"\?{var}\b", m.group(1)):
                    found[target] = sep
                    changed = True
    return found


def normal(term, separator: str | None = None) -> str | None:
    """A value as golden files keep it: engines may differ in the lexical form of numbers and
    in the order GROUP_CONCAT lists its items, not in anything else."""
    if term is None:
        return None
    if isinstance(term, Literal):
        dt = str(term.datatype or "")
        if dt.endswith(_NUMERIC):
            try:
                return format(Decimal(str(term)).normalize(), "f")
            except InvalidOperation:
                return str(term)
        if separator:
            return separator.join(sorted(str(term).split(separator)))
    return str(term)


def test_catalogue_covers_the_issue():
    needed = {
        "person-timeline",
        "event-chain",
        "connections",
        "country-flows",
        "single-source-facts",
        "extracted-only-facts",
        "source-contributions",
        "source-disagreements",
        "entities-without-wikidata",
        "events-without-precise-date",
    }
    assert needed <= set(NAMES)
    assert {"checks/facts-without-source", "checks/entities-without-label"} <= set(CHECKS)
    assert "checks/dates-out-of-range" in CHECKS


@pytest.mark.parametrize("name", NAMES)
def test_header_is_complete(name):
    q = CATALOGUE.get(name)
    assert q.question.endswith("?"), "the question is one sentence ending with '?'"
    assert re.search(r"\bORDER BY\b", q.text), "results must be ordered"
    sh = shape(q.text)
    if sh.form == "SELECT" and sh.projection is not None:
        assert list(q.columns) == sh.projection, "one '# Column:' per result column, in order"
    for p in q.parameters.values():
        assert p.description
        assert sh.projection is None or p.name in sh.projection


@pytest.mark.parametrize("name", NAMES)
def test_golden_results(store, backend, name, request):
    expect_engine_limit(request, backend, name)
    q = CATALOGUE.get(name)
    result = run(store, q, timeout=120)
    seps = concatenated(q.text)
    seps = [seps.get(v) for v in result.answer.variables]
    rows = [
        [normal(t, sep) for t, sep in zip(row, seps, strict=True)] for row in result.answer.rows
    ]
    path = GOLDEN / f"{name}.json"
    if os.environ.get("KG_UPDATE_GOLDEN") and backend == "memory":
        path.parent.mkdir(exist_ok=True)
        data = {
            "query": name,
            "parameters": {k: v.n3() for k, v in result.bindings.items()},
            "columns": result.answer.variables,
            "rows": rows,
        }
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert result.answer.variables == expected["columns"]
    assert rows == expected["rows"], f"{name} differs from {path.name} on {backend}"
    assert bool(rows) != (name in EMPTY_ON_CORPUS), f"{name}: {len(rows)} rows on the corpus"


@pytest.mark.parametrize("name", NAMES)
def test_golden_values_are_in_the_graph(name):
    """Golden files hold what the graph says, not invented text: every IRI is one of ours or
    a known vocabulary, and the files stay small."""
    data = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    for row in data["rows"]:
        for value in row:
            if value and value.startswith("http"):
                assert value.startswith(("https://w3id.org/kg-builder/", "http://www.wikidata"))
    assert len(json.dumps(data)) < 200_000


def test_extracted_only_facts_on_a_graph_with_extracted_facts(with_extracted):
    q = CATALOGUE.get("extracted-only-facts")
    rows = run(with_extracted, q).dicts()
    assert rows
    curated = {
        (r["s"], r["p"], r["o"])
        for r in with_extracted.select(
            "SELECT ?s ?p ?o WHERE { ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;"
            " kg:method kg:Curated }",
            prefixes={"rdf": str(RDF), "kg": str(KG)},
        )
    }
    assert curated
    strong = run(with_extracted, q, {"min_confidence": "0.9"}).dicts()
    assert 0 < len(strong) < len(rows)


def test_method_and_confidence_views_on_extracted_facts(with_extracted):
    from kg_builder.queries import View

    count = "SELECT (COUNT(DISTINCT ?st) AS ?n) WHERE { ?st a kg:Assertion ; kg:method ?m }"

    def n(view):
        return int(run(with_extracted, count, view=view).answer.rows[0][0])

    everything, curated, extracted = n(None), n(View("curated")), n(View("extracted"))
    assert curated and extracted and curated + extracted == everything
    assert n(View("extracted", min_confidence=Decimal("0.9"))) < extracted


# -- hygiene checks: silent on the corpus graph (test_competency.py), loud on broken ones -------
ID = "https://w3id.org/kg-builder/id/"


def _assertion(g, name, s, p, o, **extra):
    st = URIRef(ID + "statement/test-" + name)
    for prop, value in (
        (RDF.type, KG.Assertion),
        (RDF.subject, s),
        (RDF.predicate, p),
        (RDF.object, o),
        *extra.items(),
    ):
        if value is not None:
            g.add((st, prop if isinstance(prop, URIRef) else KG[prop], value))
    g.add((s, p, o))
    return st


BROKEN = {
    "checks/facts-without-source": lambda g: _assertion(
        g, "nosource", URIRef(ID + "person/yevgeny"), KG.fledTo, URIRef(ID + "place/georgia")
    ),
    "checks/entities-without-label": lambda g: g.add(
        (URIRef(ID + "person/nobody"), RDF.type, KG.Person)
    ),
    "checks/dates-out-of-range": lambda g: _assertion(
        g,
        "backwards",
        URIRef(ID + "person/yevgeny"),
        KG.fledTo,
        URIRef(ID + "place/turkey"),
        notBefore=Literal("2022-10-01", datatype=XSD.date),
        notAfter=Literal("2022-09-01", datatype=XSD.date),
    ),
    "checks/dates-out-of-range#year": lambda g: g.add(
        (
            URIRef(ID + "event/partial-mobilisation-2022"),
            KG.earliestDate,
            Literal("1022-09-21", datatype=XSD.date),
        )
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_each_check_catches_a_broken_graph(built_memory, case):
    from kg_builder.store import MemoryStore

    ds = built_memory.dataset
    check = CATALOGUE.get(case.split("#")[0])
    clean = MemoryStore(ds).select(check.text)
    g = ds.graph(URIRef("urn:test:broken"))
    BROKEN[case](g)
    try:
        rows = MemoryStore(ds).select(check.text)
    finally:
        ds.remove_graph(g)
    assert clean == [] and rows, f"{case} does not catch the broken graph"
