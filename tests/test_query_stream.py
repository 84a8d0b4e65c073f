"""`kg query run --format csv|tsv|json|xml` on Oxigraph: answers written by Oxigraph's own
serialisers as the engine reads them (kg_builder.queries.stream), never turned into rdflib
terms nor held whole in memory; read back by real parsers, they equal the table path's rows.

Oxigraph writes the SPARQL 1.1 results formats as their specifications say, in a form that
differs from rdflib's (what the tests assert): CSV lines end with CRLF (the SPARQL CSV
specification's line end; rdflib's csv writer did the same), JSON and XML are not indented,
TSV writes numbers and booleans bare (`27`, not `"27"^^xsd:integer`). ASK answers (one value)
keep the form serialize() gives them.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import json
import sys
import threading
import tracemalloc

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, Literal
from rdflib.query import Result

from benchmarks.generate import generate
from kg_builder import build, make_settings
from kg_builder.cli import main
from kg_builder.queries import (
    Catalogue,
    QueryFailed,
    QueryUsageError,
    run,
    stream,
    terms,
)
from kg_builder.store import OxigraphStore
from tests.test_catalogue import concatenated

CATALOGUE = Catalogue()
NAMES = CATALOGUE.names()
FLED = "SELECT DISTINCT ?person ?place WHERE { ?person kg:fledTo ?place } ORDER BY ?person ?place"


@pytest.fixture(scope="module")
def example_store(tmp_path_factory, corpus_dir) -> str:
    """The example project's graph, built by `kg build` into a store of its own."""
    store = str(tmp_path_factory.mktemp("stream") / "store")
    result = CliRunner().invoke(
        main, ["build", "--store", store, "--corpus", str(corpus_dir), "--no-owl", "--no-export"]
    )
    assert result.exit_code == 0, result.output
    return store


@pytest.fixture(scope="module")
def table_rows(example_store) -> dict:
    """Each catalogue query's answer as the table path has it (run(): rdflib terms)."""
    with OxigraphStore(example_store) as store:
        return {n: run(store, CATALOGUE.get(n)).answer for n in NAMES}


def _kg(*args: str) -> bytes:
    result = CliRunner().invoke(main, ["query", "run", *args])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def _parsed(data: bytes, fmt: str) -> tuple[list[str], list[tuple]]:
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
        return rows[0], [tuple(r) for r in rows[1:]]
    parsed = Result.parse(io.BytesIO(data), format=fmt)
    return [str(v) for v in parsed.vars], [tuple(r) for r in parsed]


def _key(term, separator: str | None, lexical_only: bool = False):
    """A value to compare: GROUP_CONCAT lists its items in no set order (from one run of a
    query to the next), so the items of such a column are sorted."""
    if term is None or term == "":
        return None
    text = str(term)
    if separator:
        text = separator.join(sorted(text.split(separator)))
    if lexical_only:
        return text
    if isinstance(term, Literal):
        return ("literal", text, term.datatype, term.language)
    return (type(term).__name__, text)


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
@pytest.mark.parametrize("name", NAMES)
def test_every_catalogue_answer_parses_back_to_the_table_rows(example_store, table_rows, name, fmt):
    answer = table_rows[name]
    data = _kg(name, "--store", example_store, "--format", fmt)
    variables, rows = _parsed(data, fmt)
    assert variables == answer.variables
    concat = concatenated(CATALOGUE.get(name).text)
    seps = [concat.get(v) for v in variables]
    csv_ = fmt == "csv"  # CSV keeps only lexical forms, and "" for an unbound variable

    def keys(row):
        return tuple(_key(t, sep, csv_) for t, sep in zip(row, seps, strict=True))

    assert [keys(r) for r in rows] == [keys(r) for r in answer.rows], name
    if csv_ and answer.rows:  # the SPARQL CSV line end
        assert data.endswith(b"\r\n") and data.count(b"\r\n") >= len(answer.rows) + 1


def test_oxigraph_forms_of_the_formats(example_store):
    text = 'SELECT ?n ?s WHERE { BIND(27 AS ?n) BIND("a, \\"b\\"\\nc" AS ?s) }'
    csv_out = _kg("-e", text, "--store", example_store, "--format", "csv")
    assert csv_out == b'n,s\r\n27,"a, ""b""\nc"\r\n'  # CRLF, fields quoted where needed
    tsv_out = _kg("-e", text, "--store", example_store, "--format", "tsv")
    assert tsv_out == b'?n\t?s\n27\t"a, \\"b\\"\\nc"\n'  # a bare integer, escapes
    data = json.loads(_kg("-e", text, "--store", example_store, "--format", "json"))
    assert data["results"]["bindings"][0]["n"]["datatype"].endswith("#integer")
    xml = _kg("-e", text, "--store", example_store, "--format", "xml")
    values = [s["s"].value for s in ox.parse_query_results(xml, ox.QueryResultsFormat.XML)]
    assert values == ['a, "b"\nc']  # (a QuerySolutions is never kept: see test_query.py)


def test_ask_keeps_its_own_form(example_store):
    ask = "ASK { ?p kg:fledTo ?o }"
    assert _kg("-e", ask, "--store", example_store, "--format", "csv") == b"_askResult\r\ntrue\r\n"
    assert json.loads(_kg("-e", ask, "--store", example_store, "--format", "json"))["boolean"]
    tsv = _kg("-e", ask, "--store", example_store, "--format", "tsv")
    assert bool(ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV)) is True


@pytest.mark.parametrize("fmt", ["turtle", "nt", "nquads", "trig", "jsonld", "xml", "n3"])
def test_construct_is_streamed_in_every_rdf_syntax(example_store, fmt):
    text = "CONSTRUCT { ?p kg:fledTo ?o } WHERE { ?p kg:fledTo ?o }"
    with OxigraphStore(example_store) as store:
        expected = set(run(store, text).answer.graph)
    data = _kg("-e", text, "--store", example_store, "--format", fmt).decode("utf-8")
    syntax = {"nt": "nt", "jsonld": "json-ld"}.get(fmt, fmt)
    if fmt in ("nquads", "trig"):
        ds = Dataset()
        ds.parse(data=data, format=syntax)
        triples = {(s, p, o) for s, p, o, _ in ds.quads()}
    else:
        triples = set(Graph().parse(data=data, format=syntax))
    assert triples == expected and len(expected) > 10
    if fmt == "turtle":  # the predeclared prefixes are used
        assert "@prefix kg: <https://w3id.org/kg-builder/ontology#>" in data


def test_a_wrong_format_is_refused_before_anything_is_written(example_store):
    result = CliRunner().invoke(
        main, ["query", "run", "-e", FLED, "--store", example_store, "--format", "turtle"]
    )
    assert result.exit_code == 4 and "gives results; --format takes table" in result.output
    assert "person" not in result.output


def test_the_memory_store_writes_through_serialize(example_store, corpus_dir):
    data = _kg("-e", FLED, "--store", "memory", "--corpus", str(corpus_dir), "--format", "json")
    with OxigraphStore(example_store) as store:
        expected = {(str(p), str(o)) for p, o in run(store, FLED).answer.rows}
    assert {
        (r["person"]["value"], r["place"]["value"]) for r in json.loads(data)["results"]["bindings"]
    } == expected


# -- a big answer ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def synthetic_store(tmp_path_factory) -> str:
    """A synthetic graph of about 10^4 quads (benchmarks.generate), built into a store."""
    out = tmp_path_factory.mktemp("synth-stream")
    generate(out / "src", 1e4, seed=3)
    store = out / "store"
    settings = make_settings(
        corpus=out / "src" / "corpus", data_dir=out / "src" / "data", check_owl=False, store=store
    )
    build(settings, validate=False)
    return str(store)


class Counting:
    """A binary output that counts and digests what it is given, and keeps nothing."""

    def __init__(self):
        self.writes = 0
        self.bytes = 0
        self.digest = hashlib.sha256()

    def write(self, data) -> int:
        self.writes += 1
        self.bytes += len(data)
        self.digest.update(data)
        return len(data)

    def flush(self) -> None:
        pass


EVERY_TRIPLE = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"


def test_a_big_answer_is_streamed_without_being_held(synthetic_store, monkeypatch):
    def no_conversion():
        raise AssertionError("the streamed answer was converted to rdflib terms")

    monkeypatch.setattr(terms, "converter", no_conversion)
    with OxigraphStore(synthetic_store) as store:
        assert len(store) > 8000
        out = Counting()
        tracemalloc.start()
        try:
            done = stream(store, EVERY_TRIPLE, out, "csv", timeout=60)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        whole = store.raw.query(EVERY_TRIPLE, use_default_graph_as_union=True).serialize(
            format=ox.QueryResultsFormat.CSV
        )
    assert done.streamed and done.form == "SELECT"
    # Oxigraph's own CSV, byte for byte, written in pieces as it was read, and never held
    # whole in Python's memory (nor made into rdflib terms: see no_conversion)
    assert out.digest.digest() == hashlib.sha256(whole).digest() and out.bytes == len(whole)
    assert out.writes > 10 and out.bytes > 500_000
    assert peak < out.bytes / 5, (peak, out.bytes)


def test_the_command_streams_a_big_answer(synthetic_store, monkeypatch):
    def no_conversion():
        raise AssertionError("the streamed answer was converted to rdflib terms")

    monkeypatch.setattr(terms, "converter", no_conversion)
    data = _kg("quotes", "--store", synthetic_store, "--format", "tsv")
    monkeypatch.undo()
    with OxigraphStore(synthetic_store) as store:
        answer = run(store, CATALOGUE.get("quotes")).answer
    parsed = Result.parse(io.BytesIO(data), format="tsv")
    assert [tuple(r) for r in parsed] == answer.rows and len(answer.rows) > 5


def test_a_path_is_written_whole_or_not_at_all(synthetic_store, tmp_path):
    with OxigraphStore(synthetic_store) as store:
        target = tmp_path / "answer.json"
        done = stream(store, FLED, target, "json")
        assert done.streamed and json.loads(target.read_text("utf-8"))["head"]["vars"]
        with pytest.raises(QueryUsageError):
            stream(store, FLED, tmp_path / "never.ttl", "turtle")
        failed = tmp_path / "failed.csv"
        with pytest.raises(QueryFailed, match="syntax error"):
            stream(store, "SELECT ?x WHERE { ?x ?y }", failed, "csv")
    assert not failed.exists() and not list(tmp_path.glob(".*.part"))


def test_a_closed_output_stops_the_query_cleanly(synthetic_store, monkeypatch):
    """A reader that goes away (a closed pipe) ends the stream with BrokenPipeError, and the
    engine's objects are freed by the worker that made them (Oxigraph refuses otherwise)."""
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)

    class Closing(Counting):
        def write(self, data) -> int:
            if self.writes == 2:
                raise BrokenPipeError(32, "Broken pipe")
            return super().write(data)

    with OxigraphStore(synthetic_store) as store:
        for timeout in (60, None):  # in a worker, and in this thread
            with pytest.raises(BrokenPipeError):
                stream(store, EVERY_TRIPLE, Closing(), "csv", timeout=timeout)
        collector = threading.Thread(target=gc.collect)  # another thread's collection
        collector.start()  # frees nothing of theirs
        collector.join()
        assert run(store, FLED, timeout=60).form == "SELECT"  # the worker is fine
    assert not [u for u in unraisable if "unsendable" in str(u.exc_value)]
