"""`kg query` and kg_builder.queries: safe parameters, views, formats, errors, writes.

Everything runs on the real corpus graph, once per backend (rdflib in memory, Oxigraph on
disk), and every output format is read back with a real parser (rdflib and pyoxigraph).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from decimal import Decimal

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.query import Result

from kg_builder.cli import main
from kg_builder.queries import (
    Catalogue,
    QueryFailed,
    QueryTimeout,
    QueryUsageError,
    View,
    run,
    serialize,
    shape,
)
from tests.conftest import REPO as PROJECT_DIR

ID = "https://w3id.org/kg-builder/id/"
AMONOV = URIRef(ID + "person/andrei-amonov")
FLED = "SELECT DISTINCT ?person ?place WHERE { ?person kg:fledTo ?place } ORDER BY ?person ?place"
S002 = "002_aa80568b4da406dd"


@pytest.fixture
def runner():
    return CliRunner()


# -- the lexer -----------------------------------------------------------------------------------
def test_shape_sees_through_strings_iris_and_comments():
    sh = shape(
        "# SERVICE in a comment\nPREFIX ex: <http://ex/>\nSELECT ?a (COUNT(?b) AS ?n) WHERE "
        '{ ?a ex:says "DELETE SERVICE ?c" ; ex:p <http://x/SERVICE> . ?a ?q ?b } GROUP BY ?a'
    )
    assert sh.form == "SELECT" and sh.services == [] and sh.projection == ["a", "n"]
    assert sh.variables == ["a", "b", "n", "q"] and "ex" in sh.prefixes
    assert shape("PREFIX : <http://x/> INSERT DATA { :a :b :c }").form == "UPDATE"
    assert shape("SELECT * WHERE { ?s ?p ?o }").projection is None
    assert shape("select * { SERVICE <http://e/> { ?s ?p ?o } }").services[0].column == 12


# -- running, prefixes, parameters ---------------------------------------------------------------
def test_common_prefixes_are_predeclared(store):
    result = run(store, FLED)
    assert result.form == "SELECT" and result.answer.variables == ["person", "place"]
    pairs = {(str(p), str(o)) for p, o in result.answer.rows}
    assert (str(AMONOV), ID + "place/kazakhstan") in pairs


@pytest.mark.parametrize(
    "value",
    ["Andrei Amonov", "andreï amonov", "andrei-amonov", f"<{AMONOV}>", str(AMONOV)],
)
def test_entity_parameter_by_label_id_or_iri(store, value, tmp_path):
    rq = tmp_path / "fled.rq"
    rq.write_text(
        "# Question: Where did a person flee to?\n"
        '# Parameter: person (entity, default "Vladimir Putin"): who\n'
        "# Column: person: who\n# Column: place: where to\n" + FLED
    )
    q = Catalogue(tmp_path).get("fled")
    rows = run(store, q, {"person": value}).answer.rows
    assert {str(p) for p, _ in rows} == {str(AMONOV)}
    assert {str(o).rsplit("/", 1)[1] for _, o in rows} == {"kazakhstan", "france"}


def test_parameters_are_bound_as_terms_not_pasted(store):
    # A value that would change the query if pasted into its text is just a literal.
    evil = '" } ?x ?y ?z . FILTER("1'
    result = run(
        store,
        "SELECT ?name ?e WHERE { ?e rdfs:label|skos:altLabel ?name }",
        {"name": evil},
    )
    assert result.answer.rows == []
    assert result.bindings["name"] == Literal(evil)


def test_unknown_parameter_lists_the_known_ones(store, tmp_path):
    (tmp_path / "q.rq").write_text(
        '# Question: Where to?\n# Parameter: person (entity, default "Alex"): who\n'
        "# Parameter: year (integer): optional year\n# Column: person: who\n"
        "SELECT ?person ?year WHERE { ?person a kg:Person . BIND(2022 AS ?year) } ORDER BY ?person"
    )
    q = Catalogue(tmp_path).get("q")
    with pytest.raises(QueryUsageError, match=r"no parameter 'persn'.*person \(entity.*year"):
        run(store, q, {"persn": "Alex"})
    with pytest.raises(QueryUsageError, match="not an integer"):
        run(store, q, {"year": "twenty"})
    with pytest.raises(QueryUsageError, match="no variable \\?nope.*person, place"):
        run(store, FLED, {"nope": "1"})


def test_unknown_entity_suggests_close_labels(store, tmp_path):
    (tmp_path / "q.rq").write_text(
        "# Question: Who fled?\n# Parameter: person (entity): who\n# Column: person: who\n"
        "SELECT ?person WHERE { ?person kg:fledTo ?x }"
    )
    q = Catalogue(tmp_path).get("q")
    with pytest.raises(QueryUsageError, match="no entity is called 'Andrei Amonof'.*Andrei Amonov"):
        run(store, q, {"person": "Andrei Amonof"})


def test_unknown_catalogue_name_lists_the_known_ones():
    cat = Catalogue()
    with pytest.raises(QueryUsageError, match=r"did you mean exit-routes.*known queries: .*quotes"):
        cat.get("exit-route")


# -- errors --------------------------------------------------------------------------------------
def test_syntax_error_reports_line_column_and_token(store):
    text = "SELECT ?p WHERE {\n  ?p a kg:Person .\n  OPTIONL { ?p kg:fledTo ?x }\n}"
    with pytest.raises(QueryFailed) as info:
        run(store, text)
    message = str(info.value)
    assert "line 3, column 11, near '{': expected OPTIONAL" in message
    assert "  OPTIONL { ?p kg:fledTo ?x }\n" + " " * 12 + "^" in message


def test_unknown_prefix_is_located(store):
    with pytest.raises(QueryFailed, match=r"line 2, column 6.*unknown prefix 'foaf:'"):
        run(store, "SELECT ?p WHERE {\n  ?p foaf:name ?n }")


def test_updates_are_refused_unless_writes_are_allowed(store):
    for text in (
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "PREFIX ex: <http://ex/> DELETE WHERE { ?s kg:fledTo ?o }",
        "CLEAR ALL",
        "LOAD <file:///tmp/x.ttl>",
    ):
        with pytest.raises(QueryUsageError, match="--allow-writes"):
            run(store, text)
    assert len(run(store, FLED).answer.rows) > 10  # nothing was deleted


def test_service_is_refused_before_any_request(store):
    # An address that would hang or fail if the engine tried it: the refusal comes first.
    text = "SELECT * WHERE { SERVICE <http://10.255.255.1:9/sparql> { ?s ?p ?o } }"
    with pytest.raises(QueryUsageError, match="line 1, column 18: SERVICE.*--allow-service"):
        run(store, text, timeout=5)


def test_load_from_the_network_is_refused_even_with_writes(tmp_path):
    from kg_builder.queries import update

    with pytest.raises(QueryUsageError, match="would fetch from the network"):
        update(tmp_path / "store", "LOAD <https://example.org/data.ttl>")


def test_timeout_stops_the_query_with_a_clear_message(store):
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with pytest.raises(QueryTimeout, match="ran past its timeout of 0.5 s"):
        run(store, text, timeout=0.5)


# -- views ---------------------------------------------------------------------------------------
ASSERTIONS = """
SELECT ?st ?id ?c WHERE { ?st a kg:Assertion ; prov:wasDerivedFrom ?a ; kg:confidence ?c .
  OPTIONAL { ?a kg:corpusId ?cid } BIND(COALESCE(?cid, STR(?a)) AS ?id) }"""


def test_source_view_sees_only_that_source(store):
    everything = run(store, ASSERTIONS).answer.rows
    only = run(store, ASSERTIONS, view=View(sources=(S002,))).answer.rows
    assert only and {str(r[1]) for r in only} == {S002}
    assert len(only) == sum(str(r[1]) == S002 for r in everything)
    # entities and their labels stay visible
    labels = run(store, FLED, view=View(sources=(S002,))).answer.rows
    assert 0 < len(labels) < len(run(store, FLED).answer.rows)


def test_method_view(store):
    assert run(store, ASSERTIONS, view=View(method="extracted")).answer.rows == []
    assert len(run(store, ASSERTIONS, view=View(method="curated")).answer.rows) == len(
        run(store, ASSERTIONS).answer.rows
    )


def test_min_confidence_view_drops_weak_facts_and_their_triples(store):
    rows = run(store, ASSERTIONS).answer.rows
    weak = [r for r in rows if Decimal(str(r[2])) < Decimal("0.9")]
    assert weak, "the corpus has facts below 0.9 confidence"
    seen = run(store, ASSERTIONS, view=View(min_confidence=Decimal("0.9"))).answer.rows
    assert len(seen) == len(rows) - len(weak)
    assert all(Decimal(str(r[2])) >= Decimal("0.9") for r in seen)
    # the plain triple of a weak fact is gone too, unless a confident fact also supports it
    spo = """SELECT ?s ?p ?o ?c WHERE { ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
             kg:confidence ?c }"""
    facts = run(store, spo).answer.rows
    strong = {(s, p, o) for s, p, o, c in facts if Decimal(str(c)) >= Decimal("0.9")}
    gone = [(s, p, o) for s, p, o, c in facts if Decimal(str(c)) < 0.9 and (s, p, o) not in strong]
    assert gone
    view = View(min_confidence=Decimal("0.9"))
    for s, p, o in gone:
        ask = run(store, f"ASK {{ {s.n3()} {p.n3()} {o.n3()} }}", view=view)
        assert ask.answer.boolean is False
    assert run(store, f"ASK {{ {gone[0][0].n3()} rdfs:label ?l }}", view=view).answer.boolean


def test_unknown_source_lists_the_known_ones(store):
    with pytest.raises(QueryUsageError, match=r"no source '002'.*known sources: 000_"):
        run(store, FLED, view=View(sources=("002",)))


# -- formats, read back by real parsers -----------------------------------------------------------
def test_result_formats_parse_back(store):
    result = run(store, FLED)
    expected = {(str(p), str(o)) for p, o in result.answer.rows}
    for fmt in ("json", "xml", "csv", "tsv"):
        text = serialize(result, fmt)
        parsed = Result.parse(io.BytesIO(text.encode("utf-8")), format=fmt)
        assert {(str(r[0]), str(r[1])) for r in parsed} == expected, fmt
        if fmt == "csv":  # lossy by design; Oxigraph does not read it, Python's csv does
            rows = list(csv.DictReader(io.StringIO(text)))
            assert {(r["person"], r["place"]) for r in rows} == expected
            continue
        oxf = {
            "json": ox.QueryResultsFormat.JSON,
            "xml": ox.QueryResultsFormat.XML,
            "tsv": ox.QueryResultsFormat.TSV,
        }[fmt]
        # read at once, never kept in a local: a QuerySolutions must be freed by its own
        # thread, and this frame may end in a reference cycle (pyparsing's errors above)
        # that another thread's garbage collection frees
        pairs = {
            (s["person"].value, s["place"].value)
            for s in ox.parse_query_results(text.encode("utf-8"), oxf)
        }
        assert pairs == expected, fmt


def test_tsv_keeps_literal_types_and_escapes(store):
    text = 'SELECT ?a ?b ?c WHERE { BIND("tab\\there" AS ?a) BIND(0.8 AS ?b) BIND("x"@en AS ?c) }'
    tsv = serialize(run(store, text), "tsv")
    parsed = list(ox.parse_query_results(tsv.encode(), ox.QueryResultsFormat.TSV))
    assert parsed[0]["a"].value == "tab\there"
    assert parsed[0]["b"].datatype.value.endswith("#decimal")
    assert parsed[0]["c"].language == "en"


def test_ask_formats(store):
    result = run(store, "ASK { ?p kg:fledTo ?o }")
    assert json.loads(serialize(result, "json"))["boolean"] is True
    for fmt, oxf in (("xml", ox.QueryResultsFormat.XML), ("tsv", ox.QueryResultsFormat.TSV)):
        assert bool(ox.parse_query_results(serialize(result, fmt).encode(), oxf)) is True


@pytest.mark.parametrize("fmt", ["turtle", "nt", "nquads", "trig", "jsonld", "xml", "n3"])
def test_construct_formats_parse_back(store, fmt):
    text = "CONSTRUCT { ?p kg:fledTo ?o } WHERE { ?p kg:fledTo ?o }"
    result = run(store, text)
    out = serialize(result, fmt)
    rdflib_format = {"nt": "nt", "jsonld": "json-ld"}.get(fmt, fmt)
    if fmt in ("nquads", "trig"):
        from rdflib import Dataset

        g = Dataset()
        g.parse(data=out, format=rdflib_format)
        triples = {(s, p, o) for s, p, o, _ in g.quads()}
    else:
        g = Graph().parse(data=out, format=rdflib_format)
        triples = set(g)
    assert triples == set(result.answer.graph) and len(triples) > 10


def test_describe(store):
    result = run(store, f"DESCRIBE <{AMONOV}>")
    assert result.form == "DESCRIBE"
    assert (
        AMONOV,
        URIRef("https://w3id.org/kg-builder/ontology#fledTo"),
        None,
    ) in result.answer.graph


# -- the command ----------------------------------------------------------------------------------
def test_list_json_and_csv(runner):
    data = json.loads(runner.invoke(main, ["query", "list", "--format", "json"]).stdout)
    names = {q["name"] for q in data}
    assert {"exit-routes", "person-timeline", "country-flows"} <= names
    assert all(q["question"] and q["columns"] for q in data)
    csv_out = runner.invoke(main, ["query", "list", "--format", "csv"]).stdout
    assert csv_out.splitlines()[0] == "name,origin,question,parameters"
    table = runner.invoke(main, ["query", "list"])
    assert table.exit_code == 0 and "person-timeline" in table.stdout


def test_show(runner):
    result = runner.invoke(main, ["query", "show", "person-timeline"])
    assert result.exit_code == 0
    assert "--param person=" in result.stdout and "SELECT" in result.stdout


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory, corpus_dir):
    store = str(tmp_path_factory.mktemp("qstore") / "store")
    result = CliRunner().invoke(
        main, ["build", "--store", store, "--corpus", str(corpus_dir), "--no-owl", "--no-export"]
    )
    assert result.exit_code == 0, result.output
    return store


def test_run_table_shows_labels(runner, cli_store):
    result = runner.invoke(
        main, ["query", "run", "-e", FLED, "--store", cli_store, "--source", S002]
    )
    assert result.exit_code == 0, result.output
    assert "Yevgeny" in result.stdout and "https://" not in result.stdout
    assert "row(s) in" in result.stdout and f"sources {S002}" in result.stdout
    iris = runner.invoke(main, ["query", "run", "-e", FLED, "--store", cli_store, "--iris"])
    assert "id:place/kazakhstan" in iris.stdout and "kg:" not in iris.stdout


def test_run_catalogue_query_with_param_as_json(runner, cli_store):
    result = runner.invoke(
        main,
        [
            "query",
            "run",
            "person-timeline",
            "--param",
            "person=Andrei Amonov",
            "--store",
            cli_store,
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["head"]["vars"] and len(data["results"]["bindings"]) >= 5


def test_run_file(runner, cli_store, tmp_path):
    rq = tmp_path / "mine.rq"
    rq.write_text("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a kg:Person }")
    result = runner.invoke(
        main, ["query", "run", "--file", str(rq), "--store", cli_store, "--format", "csv"]
    )
    assert result.exit_code == 0 and result.stdout.splitlines() == ["n", "27"]


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["-e", "SELECT ?x WHERE { ?x ?y }"], 6, "syntax error at line 1"),
        (["exit-route"], 4, "did you mean exit-routes"),
        (["-e", "DROP ALL"], 4, "--allow-writes"),
        (["-e", "SELECT * { SERVICE <http://example.org/q> { ?s ?p ?o } }"], 4, "SERVICE"),
        (["person-timeline", "--param", "persn=Alex"], 4, "its parameters: person"),
        ([], 4, "give one of"),
        (["-e", FLED, "--min-confidence", "high"], 4, "takes a number"),
    ],
)
def test_run_errors(runner, cli_store, args, code, message):
    result = runner.invoke(main, ["query", "run", *args, "--store", cli_store])
    assert result.exit_code == code, result.output
    assert message in result.output


def test_timeout_ends_the_process(cli_store):
    # A real process: after the timeout it exits at once, although Oxigraph is still working.
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg_builder.cli",
            "query",
            "run",
            "-e",
            text,
            "--store",
            cli_store,
            "--timeout",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 6 and "ran past its timeout of 1 s" in proc.stderr


def test_writes_make_a_new_generation_and_the_next_build_undoes_them(runner, corpus_dir, tmp_path):
    store = str(tmp_path / "store")
    args = ["build", "--store", store, "--corpus", str(corpus_dir), "--no-owl", "--no-export"]
    assert runner.invoke(main, args).exit_code == 0
    insert = 'INSERT DATA { GRAPH <urn:x-notes> { <urn:x> rdfs:label "a note" } }'
    refused = runner.invoke(main, ["query", "run", "-e", insert, "--store", store])
    assert refused.exit_code == 4
    done = runner.invoke(main, ["query", "run", "-e", insert, "--store", store, "--allow-writes"])
    assert done.exit_code == 0, done.output
    assert "(+1)" in done.stdout and "gen-000002" in done.stdout
    ask = ["query", "run", "-e", "ASK { <urn:x> rdfs:label ?l }", "--store", store]
    assert runner.invoke(main, ask + ["--format", "json"]).stdout.count("true") == 1
    rebuilt = runner.invoke(main, args + ["--format", "json"])
    assert json.loads(rebuilt.stdout)["build"]["full"] is True
    assert '"boolean": false' in runner.invoke(main, ask + ["--format", "json"]).stdout


def test_readme_documents_kg_query():
    readme = (PROJECT_DIR / "README.md").read_text("utf-8")
    for phrase in ("kg query list", "kg query run", "--min-confidence", "--allow-writes"):
        assert phrase in readme


def test_an_ambiguous_label_asks_for_the_iri(tmp_path):
    from rdflib import Dataset
    from rdflib.namespace import RDF, RDFS

    from kg_builder.ontology import KG
    from kg_builder.store import MemoryStore

    ds = Dataset()
    g = ds.graph(URIRef("urn:g"))
    g.add((KG.Person, RDFS.subClassOf, KG.Entity))
    for name in ("a", "b"):
        g.add((URIRef(ID + "person/" + name), RDF.type, KG.Person))
        g.add((URIRef(ID + "person/" + name), RDFS.label, Literal("Alexander", lang="en")))
    (tmp_path / "q.rq").write_text(
        "# Question: Who?\n# Parameter: person (entity): who\n# Column: person: who\n"
        "SELECT ?person WHERE { ?person a kg:Person }"
    )
    with pytest.raises(QueryUsageError, match="'Alexander' names 2 entities.*give the IRI"):
        run(MemoryStore(ds), Catalogue(tmp_path).get("q"), {"person": "Alexander"})
