"""`kg push` against a real Oxigraph server (`oxigraph serve`, started here on 127.0.0.1), and
against tiny local HTTP servers for the failure cases (401, a store that loses triples)."""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from kg_builder import build, make_settings
from kg_builder.cli.push import EXIT_UNVERIFIED
from kg_builder.cli.push import push as push_command
from kg_builder.publish.push import PushError, graph_sizes, push
from kg_builder.queries import PREFIX_MAP, Catalogue, run

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def oxigraph_binary() -> str | None:
    """`oxigraph` next to the running Python (the venv), else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.is_file() else shutil.which("oxigraph")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    """A real Oxigraph SPARQL server on a free loopback port; its base URL."""
    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server is not installed: pip install oxigraph (test extras)")
    folder = tmp_path_factory.mktemp("oxigraph-server")
    port = free_port()
    log = open(folder / "server.log", "wb")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen(
        [binary, "serve", "--location", str(folder / "db"), "--bind", f"127.0.0.1:{port}",
         "--union-default-graph"],  # fmt: skip
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(150):  # up to ~15 s
            if proc.poll() is not None:
                pytest.fail(f"oxigraph serve exited: {(folder / 'server.log').read_text()}")
            try:
                ask = urllib.parse.quote("ASK {}")
                with NO_PROXY.open(f"{base}query?query={ask}", timeout=1) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("oxigraph serve did not answer within 15 s")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()


@pytest.fixture(scope="module")
def local(tmp_path_factory, corpus_dir):
    """The corpus graph in an on-disk Oxigraph store, built once for this module."""
    folder = tmp_path_factory.mktemp("push-store")
    settings = make_settings(corpus=corpus_dir, store=str(folder / "store"), check_owl=False)
    return build(settings, validate=False, write=False).store()


def sparql(base: str, query: str) -> dict:
    body = urllib.parse.urlencode({"query": query}).encode()
    req = urllib.request.Request(
        base + "query",
        data=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/sparql-results+json",
        },
    )
    with NO_PROXY.open(req, timeout=30) as resp:
        return json.loads(resp.read())


def remote_counts(base: str) -> dict[str, int]:
    answer = sparql(base, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {b["g"]["value"]: int(b["n"]["value"]) for b in answer["results"]["bindings"]}


def remote_graph(base: str, name: str) -> Graph:
    """One named graph read back through the server's Graph Store endpoint, parsed by rdflib."""
    url = f"{base}store?graph={urllib.parse.quote(name, safe='')}"
    req = urllib.request.Request(url, headers={"Accept": "application/n-triples"})
    with NO_PROXY.open(req, timeout=30) as resp:
        return Graph().parse(data=resp.read().decode("utf-8"), format="nt")


def local_graph(store, name: str) -> Graph:
    from kg_builder.publish.push import graph_lines

    return Graph().parse(data="\n".join(graph_lines(store, name)) + "\n", format="nt")


def wipe(base: str) -> None:
    req = urllib.request.Request(
        base + "update",
        data=b"DROP ALL",
        headers={"Content-Type": "application/sparql-update"},
        method="POST",
    )
    NO_PROXY.open(req, timeout=30).close()


def gsp_push(store, base, **kw):
    return push(store, base + "query", gsp_endpoint=base + "store", **kw)


# -- against the real server -------------------------------------------------------------------
def test_push_gives_the_same_graphs_on_the_server(local, oxigraph):
    wipe(oxigraph)
    report = gsp_push(local, oxigraph)
    assert report.verified and report.differences == []
    sizes = graph_sizes(local)
    assert report.quads == len(local) == sum(sizes.values())
    assert {g.graph for g in report.graphs} == set(sizes)
    assert all(g.method == "gsp" and g.batches == 1 for g in report.graphs)
    assert remote_counts(oxigraph) == sizes
    for name in sizes:  # same triples, blank nodes (the ontology's) up to renaming
        assert isomorphic(remote_graph(oxigraph, name), local_graph(local, name)), name
    data = report.as_dict()
    assert data["verified"] is True and data["quads"] == len(local)
    json.dumps(data)


def _normalised(rows) -> list[tuple]:
    """Rows as strings; GROUP_CONCAT lists compared as sets (their order is the engine's)."""
    out = []
    for row in rows:
        cells = []
        for cell in row:
            text = "" if cell is None else str(cell)
            cells.append(" ".join(sorted(text.replace(",", " ").split())))
        out.append(tuple(cells))
    return sorted(out)


def test_catalogue_query_answers_the_same_on_the_server(local, oxigraph):
    wipe(oxigraph)
    assert gsp_push(local, oxigraph).verified
    query = Catalogue().get("exit-routes")
    expected = run(local, query).answer
    assert expected.rows, "the catalogue query should answer something on the corpus"
    prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIX_MAP.items())
    answer = sparql(oxigraph, prefixes + query.text)
    assert answer["head"]["vars"] == expected.variables
    got = [
        tuple(b.get(v, {}).get("value") for v in answer["head"]["vars"])
        for b in answer["results"]["bindings"]
    ]
    assert _normalised(got) == _normalised(expected.rows)


def test_second_push_replaces_graphs(local, oxigraph):
    wipe(oxigraph)
    gsp_push(local, oxigraph)
    name = str(local.graph_names()[0])
    stray = f"INSERT DATA {{ GRAPH <{name}> {{ <urn:x:stray> <urn:x:p> 'left over' }} }}"
    req = urllib.request.Request(
        oxigraph + "update",
        data=stray.encode(),
        headers={"Content-Type": "application/sparql-update"},
        method="POST",
    )
    NO_PROXY.open(req, timeout=30).close()
    assert remote_counts(oxigraph)[name] == graph_sizes(local)[name] + 1
    report = gsp_push(local, oxigraph)
    assert report.verified
    assert remote_counts(oxigraph) == graph_sizes(local)  # not doubled, stray gone


def test_update_method_and_fallback(local, oxigraph):
    wipe(oxigraph)
    report = push(local, oxigraph + "query", update_endpoint=oxigraph + "update", method="update")
    assert report.verified and {g.method for g in report.graphs} == {"update"}
    assert remote_counts(oxigraph) == graph_sizes(local)
    # No GSP at /query (Oxigraph answers PUT with 404): "auto" falls back to SPARQL Update.
    report = push(local, oxigraph + "query", gsp_endpoint=oxigraph + "query",
                  update_endpoint=oxigraph + "update", batch_quads=700)
    assert report.verified and {g.method for g in report.graphs} == {"update"}
    assert remote_counts(oxigraph) == graph_sizes(local)
    name = f"{make_settings(check_owl=False, store='memory').base_iri}graph/ontology"
    assert isomorphic(remote_graph(oxigraph, name), local_graph(local, name))


def test_small_batches_give_the_same_result(local, oxigraph):
    wipe(oxigraph)
    seen = []
    report = gsp_push(local, oxigraph, batch_quads=300, progress=seen.append)
    assert report.verified
    assert remote_counts(oxigraph) == graph_sizes(local)
    assert len(seen) == sum(g.batches for g in report.graphs) > len(report.graphs)
    assert [p.sent for p in seen] == sorted(p.sent for p in seen)
    assert seen[-1].sent == seen[-1].total == len(local)
    big = max(report.graphs, key=lambda g: g.triples)
    assert big.batches == -(-big.triples // 300)  # PUT then POSTs of 300
    for name in graph_sizes(local):
        assert isomorphic(remote_graph(oxigraph, name), local_graph(local, name)), name


def test_memory_store_push_with_blank_nodes(oxigraph, corpus_dir):
    """The rdflib backend, and the ontology graph's blank nodes sent in small batches."""
    settings = make_settings(corpus=corpus_dir, store="memory", check_owl=False)
    store = build(settings, validate=False).store()
    name = f"{settings.base_iri}graph/ontology"
    wipe(oxigraph)
    report = gsp_push(store, oxigraph, batch_quads=50, graphs=[name])
    assert report.verified and report.graphs[0].batches > 1
    assert isomorphic(remote_graph(oxigraph, name), local_graph(store, name))


def test_cli_push_json(local, oxigraph):
    wipe(oxigraph)
    result = CliRunner().invoke(
        push_command,
        ["--endpoint", oxigraph + "query", "--gsp", oxigraph + "store",
         "--store", str(local.path), "--format", "json"],  # fmt: skip
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["verified"] is True and data["quads"] == len(local)
    assert remote_counts(oxigraph) == graph_sizes(local)


# -- failures ------------------------------------------------------------------------------------
def test_wrong_port_is_a_clear_error(local):
    with pytest.raises(PushError, match="connection refused") as info:
        push(local, f"http://127.0.0.1:{free_port()}/query")
    assert "running" in str(info.value)


def test_only_http_urls(local):
    for url in ("ftp://example.org/sparql", "localhost:7878/query", ""):
        with pytest.raises(PushError, match="http"):
            push(local, url)


def test_wrong_gsp_endpoint_says_which_option(local, oxigraph):
    q = oxigraph + "query"
    with pytest.raises(PushError, match="--gsp"):
        push(local, q, gsp_endpoint=q, update_endpoint=q, method="gsp")
    with pytest.raises(PushError, match="--update"):
        push(local, q, gsp_endpoint=q, update_endpoint=q, method="update")


def test_the_endpoints_not_given_are_discovered(local, oxigraph):
    wipe(oxigraph)
    report = push(local, oxigraph.rstrip("/"))  # the base URL of a stock `oxigraph serve`
    assert report.verified and report.endpoint == oxigraph + "query"
    assert (report.gsp_endpoint, report.update_endpoint) == (oxigraph + "store",
                                                             oxigraph + "update")
    assert {g.method for g in report.graphs} == {"gsp"}
    assert any(line.startswith("graph store:") for line in report.found)


class FakeStore(BaseHTTPRequestHandler):
    """A tiny store: answers 401 (when `locked`) or accepts everything and counts 0."""

    locked = True
    seen: list = []

    def log_message(self, *args):  # keep the test output clean
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        type(self).seen.append((self.command, self.path, self.headers.get("Authorization")))
        if self.locked:
            body = b"Unauthorized: this store wants a password"
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="store"')
        elif self.path.startswith("/query"):
            body = json.dumps(
                {"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"value": "0"}}]}}
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
        else:
            body = b""
            self.send_response(204)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PUT = do_POST = _answer


@pytest.fixture
def fake_store():
    handler = type("Handler", (FakeStore,), {"locked": True, "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield handler, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_401_gives_the_credentials_hint(local, fake_store):
    handler, base = fake_store
    with pytest.raises(PushError) as info:
        push(local, base + "query")
    text = str(info.value)
    assert "401" in text and "wants a password" in text
    assert "--user" in text and "--password-env" in text and "--token-env" in text
    with pytest.raises(PushError, match="--token-env") as info:
        push(local, base + "query", token="secret")
    assert handler.seen[-1][2] == "Bearer secret"


def test_cli_reads_the_password_from_the_environment(local, fake_store, monkeypatch):
    handler, base = fake_store
    monkeypatch.setenv("KG_TEST_PW", "s3cret")
    result = CliRunner().invoke(
        push_command,
        ["--endpoint", base + "query", "--store", str(local.path), "--user", "ann",
         "--password-env", "KG_TEST_PW"],  # fmt: skip
    )
    assert result.exit_code == PushError.exit_code
    assert "--user/--password-env" in result.output and "Traceback" not in result.output
    expected = "Basic " + base64.b64encode(b"ann:s3cret").decode()
    assert handler.seen and all(auth == expected for _, _, auth in handler.seen)
    result = CliRunner().invoke(
        push_command,
        ["--endpoint", base + "query", "--store", str(local.path), "--token-env", "KG_NOT_SET"],
    )
    assert result.exit_code != 0 and "KG_NOT_SET" in result.output


def test_failed_verification_lists_differences_and_exits_nonzero(local, fake_store):
    handler, base = fake_store
    handler.locked = False  # accepts every graph, then counts 0 triples in each
    report = push(local, base + "query")
    assert not report.verified
    assert {d["graph"] for d in report.differences} == set(graph_sizes(local))
    assert all(d["remote"] == 0 and d["local"] > 0 for d in report.differences)
    assert [c for c, p, _ in handler.seen if p.startswith("/query?graph")][:1] == ["PUT"]
    result = CliRunner().invoke(
        push_command, ["--endpoint", base + "query", "--store", str(local.path), "--format", "json"]
    )
    assert result.exit_code == EXIT_UNVERIFIED
    assert json.loads(result.output)["verified"] is False
