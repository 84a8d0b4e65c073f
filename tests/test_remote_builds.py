"""Remote stores, continued: what a whole build and its readers do on real servers (the site
of `kg publish`, a first build written in place, the union default graph, answers cut by the
server). Helpers and the `server` fixture are test_remote's."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS

from kg_builder import build
from kg_builder.cli import main
from kg_builder.errors import StoreError
from kg_builder.queries import PREFIX_MAP, run
from kg_builder.remote.store import LOCK_GRAPH, MANIFEST_GRAPH, TMP_PREFIX, RemoteStore
from kg_builder.store import QueryError

from . import servers
from .conftest import CORPUS_QUADS, start_server
from .test_remote import _graphs_on_server, _raw_update, _settings, server  # noqa: F401


def test_publish_writes_the_same_site_from_the_server(corpus_dir, tmp_path):
    """`kg publish` reading a remote store writes the site it writes from the local one
    (but for the modification time the VoID description gives)."""
    if servers.oxigraph_available():
        pytest.skip(servers.oxigraph_available())
    srv = start_server("oxigraph-server", tmp_path / "ox")
    local = str(tmp_path / "local")
    build(_settings(local, corpus_dir), validate=False)
    build(_settings(srv.store, corpus_dir), validate=False)
    runner = CliRunner()
    sites = {}
    for name, store in (("local", local), ("remote", srv.store)):
        out = tmp_path / f"site-{name}"
        result = runner.invoke(main, ["publish", str(out), "--store", store])
        assert result.exit_code == 0, result.output
        sites[name] = {p.relative_to(out): p for p in out.rglob("*") if p.is_file()}
    assert sites["local"].keys() == sites["remote"].keys() and len(sites["local"]) > 1000
    differ = [rel for rel, p in sites["local"].items()
              if p.read_bytes() != sites["remote"][rel].read_bytes()]
    formats = {".jsonld": "json-ld", ".ttl": "turtle", ".nt": "nt", ".rdf": "xml", "": "turtle"}
    for rel in differ:
        a = sites["local"][rel].read_text("utf-8")
        b = sites["remote"][rel].read_text("utf-8")
        if rel.suffix == ".html":  # pages: the same lines, but for the VoID page's date
            assert [x for x, y in zip(a.splitlines(), b.splitlines(), strict=True)
                    if x != y and "modified" not in x.lower()] == [], rel
            continue
        # data: the same graph (lists and blank nodes in any order), but for the VoID date
        assert rel.suffix in formats, rel
        graphs = []
        for text in (a, b):
            g = Graph().parse(data=text, format=formats[rel.suffix])
            g.remove((None, DCTERMS.modified, None))
            graphs.append(g)
        assert len(graphs[0]) > 0 and isomorphic(*graphs), rel


def test_an_answer_virtuoso_cuts_without_a_word_is_an_error(corpus_dir, tmp_path):
    """Virtuoso cuts SELECT answers at its ResultSetMaxRows and says nothing: kg-builder counts
    a suspiciously round answer again and refuses the cut one, naming the setting."""
    if servers.virtuoso_available():
        pytest.skip(servers.virtuoso_available())
    srv = servers.start_virtuoso(tmp_path / "v", max_rows=1000)
    try:
        store = "sparql+" + srv.query_url
        build(_settings(store, corpus_dir), validate=False)
        remote = RemoteStore(store)
        assert len(remote) == CORPUS_QUADS > 1000
        with pytest.raises(QueryError, match=rf"answered 1,000 of the {CORPUS_QUADS:,} rows.*"
                                             r"ResultSetMaxRows.*LIMIT and OFFSET"):
            remote.select("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
        with pytest.raises(QueryError, match="ResultSetMaxRows"):
            remote.string_rows("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
        # a LIMIT that explains the round number, and answers under the cap, are whole
        assert len(remote.select("SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1000")) == 1000
        rows = remote.select("SELECT DISTINCT ?s WHERE { ?s a kg:Person }", prefixes=PREFIX_MAP)
        assert 0 < len(rows) < 1000
        result = CliRunner().invoke(main, ["query", "run", "-e",
                                           "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "--store", store])
        assert result.exit_code != 0 and "ResultSetMaxRows" in result.output, result.output
    finally:
        srv.stop()


def test_a_union_default_graph_is_queried_as_it_is_unless_a_build_runs(corpus_dir, tmp_path):
    """On `oxigraph serve --union-default-graph` queries of the whole build name no dataset
    (Oxigraph evaluates a named dataset once per graph), and give the golden answers; while a
    build holds the lock they name it again, so its staged graphs stay unseen."""
    from .test_catalogue import CATALOGUE, EMPTY_ON_CORPUS, GOLDEN, NAMES, concatenated, normal

    if servers.oxigraph_available():
        pytest.skip(servers.oxigraph_available())
    srv = servers.start_oxigraph(tmp_path / "ox", union_default_graph=True)
    try:
        store = "sparql+" + srv.query_url
        build(_settings(store, corpus_dir), validate=False)
        union, named = RemoteStore(store), RemoteStore(store + "?dataset=named")
        assert union.union and not named.union and named._dataset()
        assert union._dataset() == []
        for name in NAMES:
            q = CATALOGUE.get(name)
            result = run(union, q, timeout=120)
            seps = concatenated(q.text)
            seps = [seps.get(v) for v in result.answer.variables]
            rows = [[normal(t, sep) for t, sep in zip(row, seps, strict=True)]
                    for row in result.answer.rows]
            expected = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
            assert rows == expected["rows"], name
            assert bool(rows) != (name in EMPTY_ON_CORPUS), name
        assert len(union) == CORPUS_QUADS
        # a build running elsewhere: its lock is seen (within a second) and the dataset named
        _raw_update(srv.update_url, f"INSERT DATA {{ GRAPH <{LOCK_GRAPH}> {{ "
                                    "<urn:x:build> <urn:x:owner> \"elsewhere\" } }")
        _raw_update(srv.update_url, f"INSERT DATA {{ GRAPH <{TMP_PREFIX}x:0> {{ "
                                    "<urn:x:s> a <https://w3id.org/kg-builder/ontology#Person> } }")
        union._lock_seen = (0.0, False)
        assert len(union._dataset()) == 2 * len(union.build_graphs)
        people = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a kg:Person }"
        assert (union.select(people, prefixes=PREFIX_MAP)
                == named.select(people, prefixes=PREFIX_MAP))
        # asked for, but not there: a clear error
        plain = servers.start_oxigraph(tmp_path / "plain")
        build(_settings("sparql+" + plain.query_url, corpus_dir), validate=False)
        assert not RemoteStore("sparql+" + plain.query_url).union
        with pytest.raises(StoreError, match=r"(?s)not the union.*--union-default-graph"):
            RemoteStore("sparql+" + plain.query_url + "?dataset=union")
        plain.stop()
    finally:
        srv.stop()


def test_a_first_build_writes_in_place_and_a_dead_one_leaves_nothing(server, corpus_dir,  # noqa: F811
                                                                      tmp_path):
    """Graphs new to the store are written under their own names (recorded in the lock, seen
    by no reader before the swap); the server stopped in the middle of the first build, the
    next build drops what the dead one wrote, and its own build is whole."""
    from kg_builder.remote.build import RemoteWriter

    def pull_the_plug(step: str) -> None:
        if step.startswith("writing graph 6/"):
            server.process.kill()
            server.process.wait(10)

    with pytest.raises(StoreError):
        build(_settings(server.store, corpus_dir), validate=False, on_step=pull_the_plug)
    again = start_server({"oxigraph": "oxigraph-server"}.get(server.kind, server.kind),
                         server.folder)
    left = _graphs_on_server(again)
    written = {g for g in left if g.startswith("https://w3id.org/kg-builder/graph/")}
    assert len(written) == 5 and not [g for g in left if g.startswith(TMP_PREFIX)]
    with pytest.raises(StoreError, match="holds no kg-builder build"):
        RemoteStore(again.store)  # no manifest: nothing of it is a build
    with RemoteWriter(again.store) as writer:  # the dead build's lock and graphs go
        assert writer.manifest is None
    assert not (_graphs_on_server(again) & written)
    assert LOCK_GRAPH not in _graphs_on_server(again)
    result = build(_settings(again.store, corpus_dir), validate=False)
    assert result.stats.quads == CORPUS_QUADS == len(RemoteStore(again.store))
    ours = {g for g in _graphs_on_server(again)  # not Virtuoso's own system graphs
            if g.startswith(("https://w3id.org/kg-builder/", "urn:kg-builder:"))}
    assert ours == set(RemoteStore(again.store).build_graphs) | {MANIFEST_GRAPH}
