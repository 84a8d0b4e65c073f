"""Running queries: workers reused across queries (a stopped one never is), errors handed back
from them, and Oxigraph's terms converted to the rdflib terms rdflib itself would make."""

from __future__ import annotations

import io
import threading
from decimal import Decimal

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from kg_builder.queries import QueryFailed, QueryTimeout, View, run, running, serialize, stream
from kg_builder.queries.terms import converter
from kg_builder.store import from_ox

S002 = "002_aa80568b4da406dd"
FLED = "SELECT DISTINCT ?person ?place WHERE { ?person kg:fledTo ?place } ORDER BY ?person ?place"


# -- the workers -----------------------------------------------------------------------------------
def test_workers_are_reused_and_a_stopped_one_is_not():
    seen = []

    def where():
        seen.append(threading.current_thread())
        return len(seen)

    assert running._in_thread(where, 10) == 1
    assert running._in_thread(where, 10) == 2
    assert seen[0] is seen[1] and seen[0] is not threading.current_thread()
    release = threading.Event()

    def slow():
        seen.append(threading.current_thread())
        release.wait(5)

    with pytest.raises(QueryTimeout):
        running._in_thread(slow, 0.05)
    release.set()
    stopped = seen[-1]
    stopped.join(5)
    assert not stopped.is_alive()
    running._in_thread(where, 10)
    assert seen[-1] is not stopped


def test_a_query_known_to_be_quick_runs_in_the_callers_thread(store, backend, monkeypatch):
    threads = []
    execute = running._execute

    def where(p):
        threads.append(threading.current_thread())
        return execute(p)

    monkeypatch.setattr(running, "_execute", where)
    # every answer counts as quick here, however busy the machine: no timing in the test
    monkeypatch.setattr(running, "_QUICK", 3600.0)
    monkeypatch.setattr(running, "_MARGIN", 1.0)
    text = FLED + "\n# a text no other test runs"
    first, again = run(store, text, timeout=10), run(store, text, timeout=10)
    assert first.answer.rows == again.answer.rows
    assert threads[0] is not threading.current_thread()  # the first time: in a worker
    if backend == "oxigraph":  # a read-only store: the same query answers as quickly again
        assert threads[1] is threading.current_thread()
    else:  # a store whose content may change: always with its timeout
        assert threads[1] is not threading.current_thread()
    run(store, text, timeout=10, view=View(sources=(S002,)))
    assert threads[2] is not threading.current_thread()  # a view: a new store each time
    monkeypatch.setattr(running, "_MARGIN", 1e9)  # a timeout too short for its known
    run(store, text, timeout=10)  # duration: with the worker and the timeout
    assert threads[3] is not threading.current_thread()


def test_errors_come_back_from_the_worker(store):
    with pytest.raises(QueryFailed, match="syntax error at line 1"):
        run(store, "SELECT ?x WHERE { ?x ?y }", timeout=10)
    with pytest.raises(QueryFailed, match="syntax error at line 1"):
        stream(store, "SELECT ?x WHERE { ?x ?y }", io.BytesIO(), "csv", timeout=10)
    result = run(store, FLED, timeout=10)
    assert result.answer.rows and serialize(result, "csv").startswith("person,place\r\n")


# -- terms -----------------------------------------------------------------------------------------
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
TERMS = [
    ox.NamedNode("https://w3id.org/kg-builder/id/person/andrei-amonov"),
    ox.Literal("Andrei Amonov"),
    ox.Literal("Andreï Amonov", language="en"),
    ox.Literal("Андрей", language="ru"),
    ox.Literal("x", datatype=ox.NamedNode(XSD_NS + "string")),
    ox.Literal("27", datatype=ox.NamedNode(XSD_NS + "integer")),
    ox.Literal("0.80", datatype=ox.NamedNode(XSD_NS + "decimal")),
    ox.Literal("2022-09-21", datatype=ox.NamedNode(XSD_NS + "date")),
    ox.Literal("2022-09", datatype=ox.NamedNode(XSD_NS + "gYearMonth")),
    ox.Literal("true", datatype=ox.NamedNode(XSD_NS + "boolean")),
    ox.Literal("not a date", datatype=ox.NamedNode(XSD_NS + "date")),
    ox.Literal('tab\there "quoted"\n'),
    ox.BlankNode("b0"),
]


@pytest.mark.parametrize("term", TERMS, ids=str)
def test_converted_terms_are_the_ones_rdflib_makes(term):
    made, expected = converter()(term), from_ox(term)
    assert type(made) is type(expected) and made == expected and hash(made) == hash(expected)
    assert str(made) == str(expected) and made.n3() == expected.n3()
    if isinstance(expected, Literal):
        assert made.language == expected.language and made.datatype == expected.datatype
        assert made.value == expected.value and made.ill_typed == expected.ill_typed
        assert made.toPython() == expected.toPython()


def test_converted_terms_behave_as_rdflib_terms():
    convert = converter()
    amonov = convert(TERMS[0])
    assert amonov is convert(ox.NamedNode(str(amonov)))  # the answer's cache
    assert isinstance(amonov, URIRef) and amonov == URIRef(str(amonov))
    assert convert(TERMS[1]) == Literal("Andrei Amonov") and convert(TERMS[2]).language == "en"
    assert convert(TERMS[5]).value == 27 and convert(TERMS[6]).value == Decimal("0.80")
    assert convert(TERMS[5]).datatype == XSD.integer
    assert isinstance(convert(TERMS[-1]), BNode) and convert(None) is None
    assert {convert(TERMS[1]): 1}[Literal("Andrei Amonov")] == 1
    assert sorted([convert(TERMS[1]), Literal("A")]) == [Literal("A"), Literal("Andrei Amonov")]
