"""A remote SPARQL server as the project's store: discovery, incremental builds with the
manifest and the lock in the store, atomic replacement, failures, credentials, engine errors.

Against real servers started here on 127.0.0.1 (tests/servers.py): `oxigraph serve` and
Virtuoso Open Source 7, each with a new database per test. The rest of the suite also runs
on both as the backends "oxigraph-server" and "virtuoso" (tests/conftest.py).
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg_builder import build, make_settings
from kg_builder.cli import main
from kg_builder.errors import StoreError
from kg_builder.pipeline import open_store
from kg_builder.queries import PREFIX_MAP, Catalogue, QueryFailed, run
from kg_builder.remote.endpoints import StoreURL, discover
from kg_builder.remote.http import RemoteError
from kg_builder.remote.store import LOCK_GRAPH, MANIFEST_GRAPH, TMP_PREFIX, RemoteStore

from . import servers
from .conftest import CORPUS_QUADS, start_server

SOURCE_000 = "000_15c30f71e5ccaca9"
GRAPH_000 = f"https://w3id.org/kg-builder/graph/{SOURCE_000}/curated"
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
ENGINES = ["oxigraph-server", "virtuoso", "fuseki"]
ALL_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


def _settings(store, corpus_dir, data_dir=None, out=None):
    return make_settings(corpus=corpus_dir, data_dir=data_dir, store=store, check_owl=False,
                         out=out)


def _edit_note(curated: Path, new_note: str) -> None:
    path = curated / "facts" / f"{SOURCE_000}.yaml"
    text = path.read_text("utf-8")
    old = next(line for line in text.splitlines() if "note: The article gives no date" in line)
    path.write_text(text.replace(old, f"    note: {new_note}", 1), "utf-8")


def _raw_rows(url: str, query: str) -> list[dict]:
    """A query sent straight to the server (no kg-builder in between): its whole dataset."""
    body = urllib.parse.urlencode({"query": query}).encode()
    req = urllib.request.Request(url, body, {"Accept": "application/sparql-results+json",
                                             "Content-Type": "application/x-www-form-urlencoded"})
    with NO_PROXY.open(req, timeout=60) as resp:
        return json.loads(resp.read())["results"]["bindings"]


def _raw_update(url: str, text: str) -> None:
    body = urllib.parse.urlencode({"update": text}).encode()
    req = urllib.request.Request(url, body, {"Content-Type": "application/x-www-form-urlencoded"})
    with NO_PROXY.open(req, timeout=60):
        pass


def _graphs_on_server(server) -> set[str]:
    return {b["g"]["value"] for b in _raw_rows(server.query_url, ALL_GRAPHS)}


@pytest.fixture(params=ENGINES)
def server(request, tmp_path):
    """A new server of each engine, with an empty database."""
    return start_server(request.param, tmp_path / "server")


def _update_url(server) -> str:
    return server.update_url


# -- discovery ----------------------------------------------------------------------------------
def test_discovery_from_the_base_url_of_a_stock_oxigraph_server(tmp_path):
    if servers.oxigraph_available():
        pytest.skip(servers.oxigraph_available())
    srv = start_server("oxigraph-server", tmp_path / "ox")
    found = discover(StoreURL.parse("sparql+" + srv.base))
    assert found.engine.name == "oxigraph" and found.version
    assert found.query == srv.base + "query"
    assert found.update == srv.base + "update"
    assert found.gsp == srv.base + "store"
    assert any("probe" in line for line in found.found)


def test_discovery_on_virtuoso_with_and_without_credentials(tmp_path, monkeypatch):
    if servers.virtuoso_available():
        pytest.skip(servers.virtuoso_available())
    srv = start_server("virtuoso", tmp_path / "v")
    monkeypatch.delenv("KG_STORE_USER", raising=False)
    found = discover(StoreURL.parse(srv.store))
    assert found.engine.name == "virtuoso" and found.version.startswith("07.")
    assert found.update == srv.query_url
    assert found.gsp == srv.base + "sparql-graph-crud"
    monkeypatch.setenv("KG_STORE_USER", "dba")
    monkeypatch.setenv("KG_STORE_PASSWORD", "dba")
    found = discover(StoreURL.parse(srv.store))  # the Digest-authenticated Graph Store
    assert found.gsp == srv.base + "sparql-graph-crud-auth"


def test_push_to_a_stock_oxigraph_server_needs_only_its_address(corpus_dir, tmp_path):
    if servers.oxigraph_available():
        pytest.skip(servers.oxigraph_available())
    local = tmp_path / "local"
    build(_settings(str(local), corpus_dir), validate=False)
    srv = start_server("oxigraph-server", tmp_path / "ox")
    result = CliRunner().invoke(main, ["push", "--store", str(local),
                                       "--endpoint", srv.base.rstrip("/"), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["verified"] and report["quads"] == CORPUS_QUADS
    assert report["gsp_endpoint"] == srv.base + "store"
    assert any("graph store" in line for line in report["discovered"])


def test_store_url_settings_are_parsed_and_checked():
    spec = StoreURL.parse("sparql+https://h.example:8443/ds/sparql?timeout=5&retries=0"
                          "&gsp=none&engine=fuseki&x=1")
    assert spec.query == "https://h.example:8443/ds/sparql?x=1"
    assert (spec.timeout, spec.retries, spec.gsp, spec.engine) == (5.0, 0, "none", "fuseki")
    for bad, said in [("sparql+http:///sparql", "no host"), ("sparql+http://h/?engine=qlever2",
                      "unknown engine"), ("sparql+http://h/?timeout=soon", "must be numbers"),
                      ("sparql+http://h/?update=ftp://x", r"not an http\(s\) URL")]:
        with pytest.raises(StoreError, match=said):
            StoreURL.parse(bad)


# -- building into the server ---------------------------------------------------------------
def test_incremental_build_keeps_its_state_in_the_store(server, corpus_dir, curated_copy):
    first = build(_settings(server.store, corpus_dir, curated_copy), validate=False)
    assert first.stats.full and len(first.stats.changed) == first.stats.graphs == 9
    # the manifest lives in the store: another machine (a new client) sees the same state
    other = RemoteStore(server.store)
    assert set(other.manifest.graphs) == set(first.stats.changed)
    assert len(other) == CORPUS_QUADS == other.count()
    assert MANIFEST_GRAPH in _graphs_on_server(server)
    # nothing changed: nothing written
    again = build(_settings(server.store, corpus_dir, curated_copy))
    assert again.stats.up_to_date and again.stats.quads_written == 0
    # one source changed: only its graph is rewritten
    _edit_note(curated_copy, "Edited by the remote-store test.")
    third = build(_settings(server.store, corpus_dir, curated_copy))
    assert third.stats.changed == [GRAPH_000] and third.stats.quads_written == 494
    store = RemoteStore(server.store)
    assert store.ask('ASK { ?st <https://w3id.org/kg-builder/ontology#note> '
                     '"Edited by the remote-store test."@en }')
    assert store.count(GRAPH_000) == 494 and len(store) == CORPUS_QUADS
    on_server = _graphs_on_server(server)
    assert not [g for g in on_server if g.startswith(TMP_PREFIX)]  # no staged graph is left
    assert LOCK_GRAPH not in on_server  # the lock went with the build
    # the bookkeeping graphs stay out of the default graph and of GRAPH ?g (a query that
    # names one still reaches it on Virtuoso, which ignores named-graph-uri for GRAPH <iri>)
    assert MANIFEST_GRAPH not in {str(r["g"]) for r in store.select(ALL_GRAPHS)}
    assert not store.ask("ASK { ?s <https://w3id.org/kg-builder/store#manifest> ?json }")


def test_the_catalogue_answers_as_on_the_local_store(server, corpus_dir, tmp_path):
    local = build(_settings(str(tmp_path / "local"), corpus_dir), validate=False).store()
    build(_settings(server.store, corpus_dir), validate=False)
    remote = RemoteStore(server.store)
    from .test_catalogue import concatenated, normal

    for name in ("people-by-source", "source-contributions", "quotes", "mobilisation"):
        q = Catalogue().get(name)
        seps = concatenated(q.text)
        answers = []
        for store in (remote, local):
            answer = run(store, q).answer
            cols = [seps.get(v) for v in answer.variables]
            answers.append([[normal(t, sep) for t, sep in zip(row, cols, strict=True)]
                            for row in answer.rows])
        assert answers[0] == answers[1], name


def test_a_locked_store_is_refused_with_the_owner_then_break_lock(server, corpus_dir):
    build(_settings(server.store, corpus_dir), validate=False)
    _raw_update(_update_url(server),
                f'INSERT DATA {{ GRAPH <{LOCK_GRAPH}> {{ <{LOCK_GRAPH}> '
                f'<https://w3id.org/kg-builder/store#owner> "kg build on laptop-7 pid 4242" ; '
                f'<https://w3id.org/kg-builder/store#since> '
                f'"2026-12-01T09:00:00+00:00"^^<http://www.w3.org/2001/XMLSchema#dateTime> }} }}')
    with pytest.raises(StoreError) as caught:
        build(_settings(server.store, corpus_dir), full=True, validate=False)
    text = str(caught.value)
    assert "locked" in text and "laptop-7 pid 4242" in text and "2026-12-01" in text
    assert "--break-lock" in text
    result = build(_settings(server.store, corpus_dir), full=True, validate=False,
                   break_lock=True)
    assert result.stats.full and LOCK_GRAPH not in _graphs_on_server(server)


def test_server_stopped_mid_build_leaves_the_previous_version(server, corpus_dir, curated_copy,
                                                              tmp_path):
    first = build(_settings(server.store, corpus_dir, curated_copy), validate=False)
    before = dict(RemoteStore(server.store).manifest.graphs)
    _edit_note(curated_copy, "Never swapped in.")

    def pull_the_plug(step: str) -> None:
        if step.startswith("writing graph 4/"):
            server.process.kill()
            server.process.wait(10)

    with pytest.raises(StoreError):
        build(_settings(server.store, corpus_dir, curated_copy), full=True, validate=False,
              on_step=pull_the_plug)
    # the same database, served again (on a new port)
    again = start_server({"oxigraph": "oxigraph-server"}.get(server.kind, server.kind),
                         server.folder)
    store = RemoteStore(again.store)
    assert store.manifest.graphs == before  # the manifest is the previous build's
    for name, info in before.items():  # every graph of it whole
        assert store.count(name) == info["quads"], name
    assert not store.ask('ASK { ?st ?p "Never swapped in."@en }')
    assert len(store) == len(first.store())
    # the next build recovers: staged leftovers dropped, the lock free, the change in
    result = build(_settings(again.store, corpus_dir, curated_copy), validate=False)
    assert result.stats.changed == [GRAPH_000]
    on_server = _graphs_on_server(again)
    assert not [g for g in on_server if g.startswith(TMP_PREFIX)]
    assert RemoteStore(again.store).ask('ASK { ?st ?p "Never swapped in."@en }')


def test_a_failed_validation_changes_nothing_on_the_server(server, corpus_dir, curated_copy):
    from kg_builder import GraphValidationError

    from .test_store import _ontology_with_extra_label

    build(_settings(server.store, corpus_dir, curated_copy), validate=False)
    before = RemoteStore(server.store).manifest.graphs
    settings = _settings(server.store, corpus_dir, curated_copy)
    settings.ontology_dir = _ontology_with_extra_label(curated_copy.parent)  # fails SHACL
    with pytest.raises(GraphValidationError):
        build(settings)
    assert RemoteStore(server.store).manifest.graphs == before
    assert not [g for g in _graphs_on_server(server) if g.startswith(TMP_PREFIX)]


# -- reading ------------------------------------------------------------------------------------
def test_reading_commands_take_the_remote_store(server, corpus_dir, tmp_path):
    build(_settings(server.store, corpus_dir), validate=False)
    runner = CliRunner()
    stats = runner.invoke(main, ["stats", "--store", server.store, "--format", "json"])
    assert stats.exit_code == 0, stats.output
    assert json.loads(stats.stdout)["triples"] == CORPUS_QUADS
    rows = runner.invoke(main, ["query", "run", "people-by-source", "--store", server.store,
                                "--format", "json"])
    assert rows.exit_code == 0, rows.output
    assert json.loads(rows.stdout)["results"]["bindings"]
    checked = runner.invoke(main, ["validate", "--store", server.store, "--format", "json"])
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.stdout)["quads"] == CORPUS_QUADS
    out = tmp_path / "kg.gexf"
    exported = runner.invoke(main, ["export", "--format", "gexf", "--store", server.store,
                                    "-o", str(out)])
    assert exported.exit_code == 0, exported.output
    assert out.stat().st_size > 10_000


def test_serve_answers_from_the_remote_store(server, corpus_dir):
    from kg_builder.publish.server import make_server

    build(_settings(server.store, corpus_dir), validate=False)
    settings = _settings(server.store, corpus_dir)
    srv = make_server(settings, "127.0.0.1", 0, timeout=20, max_rows=1000, max_body=65536,
                      workers=1)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = srv.server_address[:2]
        query = "SELECT ?p WHERE { ?p a <https://w3id.org/kg-builder/ontology#Person> }"
        url = f"http://{host}:{port}/sparql?" + urllib.parse.urlencode({"query": query})
        req = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
        with NO_PROXY.open(req, timeout=60) as resp:
            served = {b["p"]["value"] for b in json.loads(resp.read())["results"]["bindings"]}
        direct = {str(r["p"]) for r in RemoteStore(server.store).select(query)}
        assert served == direct and len(served) > 10
    finally:
        srv.shutdown()
        thread.join(10)


# -- what goes wrong -------------------------------------------------------------------------
def test_wrong_credentials_are_401_with_the_hint(tmp_path, monkeypatch):
    if servers.virtuoso_available():
        pytest.skip(servers.virtuoso_available())
    srv = start_server("virtuoso", tmp_path / "v")
    store = "sparql+" + srv.base + "sparql-auth"
    monkeypatch.delenv("KG_STORE_TOKEN", raising=False)
    monkeypatch.delenv("KG_STORE_USER", raising=False)
    with pytest.raises(RemoteError) as none_given:
        open_store(store)
    assert none_given.value.status == 401 and "$KG_STORE_USER" in str(none_given.value)
    monkeypatch.setenv("KG_STORE_USER", "kg")
    monkeypatch.setenv("KG_STORE_PASSWORD", "not-the-password")
    with pytest.raises(RemoteError) as wrong:
        open_store(store)
    assert wrong.value.status == 401
    assert "check the credentials given in $KG_STORE_USER" in str(wrong.value)
    monkeypatch.setenv("KG_STORE_PASSWORD", "kgpass")  # the right one: Digest, then in
    found = discover(StoreURL.parse(store))
    assert found.query == srv.base + "sparql-auth"


def test_a_refused_feature_names_the_engine_and_the_feature(tmp_path, corpus_dir):
    if servers.virtuoso_available():
        pytest.skip(servers.virtuoso_available())
    srv = start_server("virtuoso", tmp_path / "v")
    build(_settings(srv.store, corpus_dir), validate=False)
    store = RemoteStore(srv.store)
    with pytest.raises(QueryFailed) as caught:
        run(store, "SELECT * WHERE { ?s ?p ?o FILTER(isTRIPLE(?o)) } LIMIT 1")
    text = str(caught.value)
    assert "OpenLink Virtuoso" in text and "isTRIPLE" in text and "line 1" in text
    # a query that does not parse is reported as on a local store, before it is sent
    with pytest.raises(QueryFailed, match="syntax error at line 1"):
        run(store, "SELECT ?x WHERE { ?x ?y }")


def test_a_server_that_is_not_there_says_so(tmp_path):
    port = servers.free_port()
    with pytest.raises(StoreError, match="connection refused"):
        open_store(f"sparql+http://127.0.0.1:{port}/sparql?retries=1")


def test_prefixes_are_declared_once_and_bindings_are_values(server, corpus_dir):
    build(_settings(server.store, corpus_dir), validate=False)
    store = RemoteStore(server.store)
    amonov = "https://w3id.org/kg-builder/id/person/andrei-amonov"
    from rdflib import URIRef

    rows = store.select("SELECT ?label WHERE { ?p rdfs:label ?label }",
                        {"p": URIRef(amonov)}, PREFIX_MAP)
    assert [str(r["label"]) for r in rows] == ["Andrei Amonov"]


# -- TLS, bearer tokens, retries: a real HTTPS front of a real server -------------------------
class _Front:
    """A TLS-terminating reverse proxy on 127.0.0.1 in front of an upstream SPARQL server,
    as a hosted triple store is: it wants a bearer token, and can answer 503 a few times."""

    def __init__(self, upstream: str, folder: Path, token: str):
        import http.server
        import shutil
        import ssl
        import subprocess

        if shutil.which("openssl") is None:
            pytest.skip("openssl is not installed: no certificate for the TLS test")
        self.cert, key = folder / "cert.pem", folder / "key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days",
                        "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", str(key), "-out", str(self.cert)],
                       check=True, capture_output=True)
        front = self
        self.fail_next = 0
        self.seen = 0
        parts = urllib.parse.urlsplit(upstream)

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _relay(self):
                front.seen += 1
                if self.headers.get("Authorization") != f"Bearer {token}":
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Bearer realm="triples"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if front.fail_next > 0:
                    front.fail_next -= 1
                    self.send_response(503)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() in ("content-type", "accept")}
                req = urllib.request.Request(f"{parts.scheme}://{parts.netloc}{self.path}",
                                             body, headers, method=self.command)
                try:
                    resp = NO_PROXY.open(req, timeout=60)
                    status, data, rheaders = resp.status, resp.read(), resp.headers
                except urllib.error.HTTPError as exc:
                    status, data, rheaders = exc.code, exc.read(), exc.headers
                self.send_response(status)
                for k, v in rheaders.items():
                    if k.lower() in ("content-type", "server"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _relay

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, key)
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.thread.join(10)



@pytest.fixture
def front(tmp_path):
    if servers.oxigraph_available():
        pytest.skip(servers.oxigraph_available())
    srv = start_server("oxigraph-server", tmp_path / "ox")
    proxy = _Front(srv.base, tmp_path, "s3cret")
    yield proxy
    proxy.close()


def test_tls_is_verified_and_a_private_ca_can_be_named(front, corpus_dir, monkeypatch):
    store = f"sparql+https://127.0.0.1:{front.port}/query?retries=0"
    monkeypatch.setenv("KG_STORE_TOKEN", "s3cret")
    monkeypatch.delenv("KG_STORE_USER", raising=False)
    monkeypatch.delenv("KG_STORE_CA_BUNDLE", raising=False)
    with pytest.raises(StoreError, match="TLS failed") as caught:
        discover(StoreURL.parse(store))
    assert "$KG_STORE_CA_BUNDLE" in str(caught.value)
    monkeypatch.setenv("KG_STORE_CA_BUNDLE", str(front.cert))
    result = build(_settings(store, corpus_dir), validate=False)  # over TLS, with the token
    assert result.stats.full and len(RemoteStore(store)) == CORPUS_QUADS
    monkeypatch.delenv("KG_STORE_CA_BUNDLE")
    insecure = store + "&tls-verify=false"
    assert len(RemoteStore(insecure)) == CORPUS_QUADS  # verification off, as asked


def test_bearer_token_from_the_environment(front, monkeypatch):
    monkeypatch.setenv("KG_STORE_CA_BUNDLE", str(front.cert))
    monkeypatch.delenv("KG_STORE_USER", raising=False)
    store = f"sparql+https://127.0.0.1:{front.port}/query"
    monkeypatch.delenv("KG_STORE_TOKEN", raising=False)
    with pytest.raises(RemoteError, match=r"401 unauthorised") as caught:
        discover(StoreURL.parse(store))
    assert "$KG_STORE_TOKEN" in str(caught.value)
    monkeypatch.setenv("KG_STORE_TOKEN", "wrong")
    with pytest.raises(RemoteError, match="check the credentials given in \\$KG_STORE_TOKEN"):
        discover(StoreURL.parse(store))
    monkeypatch.setenv("KG_STORE_TOKEN", "s3cret")
    found = discover(StoreURL.parse(store))
    assert found.engine.name == "oxigraph" and found.update.endswith("/update")


def test_5xx_answers_are_retried_with_backoff_then_reported(front, monkeypatch):
    monkeypatch.setenv("KG_STORE_CA_BUNDLE", str(front.cert))
    monkeypatch.setenv("KG_STORE_TOKEN", "s3cret")
    monkeypatch.delenv("KG_STORE_USER", raising=False)
    from kg_builder.remote.http import Credentials, HttpClient

    client = HttpClient(Credentials.from_env(), retries=3, backoff=0.05)
    url = f"https://127.0.0.1:{front.port}/query?query=" + urllib.parse.quote("ASK {}")
    front.fail_next, before = 2, front.seen
    status, _, body = client.request("GET", url, None,
                                     {"Accept": "application/sparql-results+json"})
    assert status == 200 and json.loads(body)["boolean"] is True
    assert front.seen - before == 3  # two 503s, then the answer
    front.fail_next, before = 10, front.seen
    with pytest.raises(RemoteError, match=r"503.*\n\(after 4 tries\)"):
        client.request("GET", url)
    assert front.seen - before == 4
