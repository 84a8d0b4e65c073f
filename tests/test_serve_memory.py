"""`kg serve --in-memory`: every query worker answers from its own copy of the store in
memory, loaded at start from one N-Quads dump of it; over real HTTP against servers on loopback.

Two servers run side by side on the same built store of the corpus, one from disk and one from
memory; their answers are compared parsed (JSON results, RDF graphs). The in-memory server has
a short time limit (1 s), so that a worker can be seen killed and replaced by one loading the
same dump, and no practical row limit.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import urlencode

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import to_isomorphic

from kg_builder import build, make_settings
from kg_builder.errors import ConfigError
from kg_builder.publish.server import make_server
from kg_builder.queries import PREFIX_MAP, Catalogue
from kg_builder.store import OxigraphStore
from kg_builder.storewrite import edited_generation
from tests.conftest import REPO as PROJECT_DIR

from .test_serve import _zombie

BASE = "https://w3id.org/kg-builder/"
JSON = "application/sparql-results+json"
PERSONS = "SELECT ?p WHERE { ?p a kg:Person } ORDER BY ?p"
NEWCOMER = "urn:x-test:newcomer"
#: An aggregate over a cross product: about 6 s on the corpus, past the 1 s limit.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"


class Client:
    def __init__(self, server):
        self.host, self.port = server.server_address[:2]

    def request(self, method, path, body=None, headers=None, timeout=60):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, resp.headers, resp.read()
        finally:
            conn.close()

    def query(self, text, accept=JSON, **params):
        return self.request(
            "GET", "/sparql?" + urlencode({"query": text, **params}), headers={"Accept": accept}
        )

    def post(self, text, accept=JSON):
        return self.request(
            "POST", "/sparql", text.encode(),
            {"Content-Type": "application/sparql-query", "Accept": accept},
        )


def _start(server):
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


def _stop(server, thread):
    server.shutdown()
    thread.join(10)


@pytest.fixture(scope="module")
def built_store(tmp_path_factory, corpus_dir):
    folder = tmp_path_factory.mktemp("serve-memory")
    settings = make_settings(corpus=corpus_dir, store=str(folder / "store"), check_owl=False)
    build(settings, validate=False, write=False)
    return settings


@pytest.fixture(scope="module")
def servers(built_store):
    """(on-disk server, in-memory server, the in-memory server's log)."""
    disk = make_server(built_store, "127.0.0.1", 0, max_rows=10**7, workers=2, log=None)
    log = io.StringIO()
    memory = make_server(
        built_store, "127.0.0.1", 0, timeout=1.0, max_rows=10**7, workers=2, in_memory=True,
        log=log,
    )
    threads = [_start(disk), _start(memory)]
    yield disk, memory, log
    _stop(disk, threads[0])
    _stop(memory, threads[1])


def _rows(body: bytes):
    doc = json.loads(body)
    return doc["boolean"] if "boolean" in doc else (doc["head"], doc["results"]["bindings"])


# -- the same answers ----------------------------------------------------------------------------
def test_the_workers_hold_copies_loaded_from_one_dump(servers):
    disk, memory, _ = servers
    assert disk.pool.spec[0] == "oxigraph"
    kind, dump = memory.pool.spec
    assert kind == "oxigraph-memory" and os.path.getsize(dump) > 100_000
    assert not memory.store.held_in_memory  # pages are read from the store on disk
    assert memory.triples == disk.triples > 1000
    assert memory.graph_names == disk.graph_names
    assert memory.load_seconds > 0 and disk.load_seconds == 0
    status, _, body = Client(memory).post("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(_rows(body)[1][0]["n"]["value"]) >= memory.triples


def _unordered(rows):
    """Rows as a sorted list, each literal's words sorted: the two stores iterate in other
    orders, so rows tied under ORDER BY and the parts GROUP_CONCAT joins may come in another
    order (SPARQL leaves both open)."""

    def norm(term):
        if term["type"] == "literal":
            return {**term, "value": sorted(re.split(r"[\s,|]+", term["value"]))}
        return term

    return sorted(
        json.dumps({k: norm(t) for k, t in row.items()}, sort_keys=True) for row in rows
    )


@pytest.mark.parametrize("query", [q.name for q in Catalogue()])
def test_catalogue_answers_are_the_same_from_memory(servers, query):
    disk, memory, _ = servers
    text = Catalogue().get(query).text
    answers = []
    for server in (disk, memory):
        status, headers, body = Client(server).post(text)
        assert status == 200, body
        answers.append((_rows(body), headers["X-Result-Size"]))
    (on_disk, size), (in_memory, size_in_memory) = answers
    assert size == size_in_memory
    if on_disk != in_memory:
        assert on_disk[0] == in_memory[0]  # the variables
        assert _unordered(on_disk[1]) == _unordered(in_memory[1])


@pytest.mark.parametrize("accept", ["text/turtle", "application/n-quads", "application/ld+json"])
def test_graphs_and_entity_pages_are_the_same_from_memory(servers, accept):
    disk, memory, _ = servers
    construct = "CONSTRUCT { ?p ?q ?o } WHERE { ?p a kg:Person ; ?q ?o }"
    fmt = {"text/turtle": "turtle", "application/n-quads": "nquads",
           "application/ld+json": "json-ld"}[accept]
    graphs = []
    for server in (disk, memory):
        status, _, body = Client(server).query(construct, accept=accept)
        assert status == 200, body
        graphs.append(to_isomorphic(Graph().parse(data=body, format=fmt)))
    assert len(graphs[0]) > 100 and graphs[0] == graphs[1]
    _, _, body = Client(disk).query(PERSONS)
    person = json.loads(body)["results"]["bindings"][0]["p"]["value"]
    pages = []
    for server in (disk, memory):
        status, _, body = Client(server).request(
            "GET", "/" + person[len(BASE):], headers={"Accept": "text/turtle"}
        )
        assert status == 200, body
        pages.append(to_isomorphic(Graph().parse(data=body, format="turtle")))
    assert (URIRef(person), None, None) in pages[0] and pages[0] == pages[1]


# -- a copy taken at start, and the time limit -------------------------------------------------
def _wait_for_workers(pool, within: float = 60) -> None:
    deadline = time.monotonic() + within
    while pool._idle.qsize() < pool.workers and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pool._idle.qsize() == pool.workers


def test_a_build_after_start_is_seen_after_a_restart_only(corpus_dir, built_store, tmp_path):
    """The copies are of the build the server started with: a later build of the folder is
    not seen, not even by a worker started after it to replace one killed at the time limit;
    a new server sees it."""
    folder = tmp_path / "store"
    shutil.copytree(built_store.store, folder, symlinks=True)
    settings = make_settings(corpus=corpus_dir, store=str(folder), check_owl=False)
    ask = f"ASK {{ <{NEWCOMER}> a kg:Person }}"
    before = make_server(settings, "127.0.0.1", 0, in_memory=True, workers=2, timeout=1.0,
                         log=None)
    thread = _start(before)
    try:
        client = Client(before)
        assert _rows(client.query(ask)[2]) is False
        with edited_generation(folder, "test: a person added after the server started") as w:
            w.db.update(f"INSERT DATA {{ GRAPH <{BASE}graph/test> {{ <{NEWCOMER}> a "
                        f"<{PREFIX_MAP['kg']}Person> }} }}")
        with OxigraphStore(folder) as on_disk:  # the folder has it now
            assert on_disk.ask(f"ASK {{ <{NEWCOMER}> a <{PREFIX_MAP['kg']}Person> }}")
        assert _rows(client.query(ask)[2]) is False  # the copies do not
        replaced = before.pool.replaced
        assert client.post(SLOW)[0] == 503  # a worker killed at the limit, and replaced
        assert before.pool.replaced == replaced + 1
        _wait_for_workers(before.pool)
        for _ in range(4):  # whichever worker answers, the new one too
            assert _rows(client.query(ask)[2]) is False
    finally:
        _stop(before, thread)
    after = make_server(settings, "127.0.0.1", 0, in_memory=True, workers=1, log=None)
    thread = _start(after)
    try:
        assert _rows(Client(after).query(ask)[2]) is True
        assert after.triples == before.triples + 1
    finally:
        _stop(after, thread)


def test_the_time_limit_stops_a_query_and_the_server_goes_on(servers):
    memory = servers[1]
    pool = memory.pool
    _wait_for_workers(pool)
    replaced = pool.replaced
    client = Client(memory)
    status, _, body = client.post(SLOW)
    assert status == 503 and "time limit of 1 s" in body.decode()
    assert pool.replaced == replaced + 1
    status, _, body = client.post(PERSONS)  # the other worker answers meanwhile
    assert status == 200 and _rows(body)[1]
    _wait_for_workers(pool)  # and the replacement, with its own copy, joins the pool
    assert all(w.process.poll() is None for w in pool._all.values())
    status, _, again = client.post(PERSONS)
    assert status == 200 and again == body


# -- bad requests ----------------------------------------------------------------------------------
def _raw(server, data: bytes, timeout: float = 10) -> bytes:
    """Send bytes on a fresh connection; whatever comes back before the server closes it."""
    host, port = server.server_address[:2]
    with socket.create_connection((host, port), timeout=timeout) as s:
        with contextlib.suppress(OSError):  # the server may have closed on a bad start
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        out = b""
        try:
            while chunk := s.recv(65536):
                out += chunk
        except (TimeoutError, ConnectionResetError):
            pass
        return out


BAD = [
    b"\x00\xff garbage\r\n\r\n",
    b"GET\r\n\r\n",
    b"GET /sparql HTTP/9.9\r\n\r\n",
    b"BREW /sparql HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /sparql?query=%ZZ HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n",
    b"GET /sparql HTTP/1.1\r\nX: " + b"b" * 70000 + b"\r\n\r\n",
    b"GET /sparql HTTP/1.1\r\nno colon here\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nContent-Type: application/sparql-query\r\n"
    b"Content-Length: -5\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nContent-Type: application/sparql-query\r\n"
    b"Content-Length: many\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nContent-Type: application/sparql-query\r\n"
    b"Content-Length: 500\r\n\r\nASK {",
    b"POST /sparql HTTP/1.1\r\nContent-Type: application/sparql-query\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n5\r\nASK {\r\n0\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nContent-Type: application/sparql-query\r\n"
    b"Content-Length: 3\r\n\r\n\xff\xfe\xfd",
    b"GET /sparql?query=SELECT%20%3Fx%20WHERE%20%7B HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /sparql?query=SELECT%20%3Fx%20%7B%20%3Fx%20%3Fp%20%3Fo%20%7D%20GROUP%20BY%20%3Fp"
    b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /sparql?query=ASK%7B%7D&format=nope HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /sparql?query=CONSTRUCT%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D HTTP/1.1\r\n"
    b"Accept: text/csv\r\n\r\n",
    b"GET /id/%00%ff%2F.. HTTP/1.1\r\nAccept: text/turtle\r\n\r\n",
    b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n\r\n" * 20,  # pipelined
]


@pytest.mark.parametrize("data", BAD, ids=range(len(BAD)))
def test_bad_requests_never_crash_the_in_memory_server(servers, data):
    memory = servers[1]
    answer = _raw(memory, data)
    statuses = [int(s) for s in re.findall(rb"^HTTP/1\.[01] (\d{3})", answer, re.M)]
    assert answer and 500 not in statuses, answer[:500]  # an answer, never an internal error
    assert b"internal error" not in answer
    status, _, body = Client(memory).post(PERSONS)
    assert status == 200 and _rows(body)[1]


def test_a_client_that_goes_away_mid_answer_does_no_harm(servers):
    memory = servers[1]
    for _ in range(3):
        host, port = memory.server_address[:2]
        with socket.create_connection((host, port), timeout=10) as s:
            text = "SELECT * WHERE { ?s ?p ?o }"
            s.sendall(f"GET /sparql?{urlencode({'query': text})} HTTP/1.1\r\n"
                      "Accept: text/csv\r\n\r\n".encode())
            s.recv(100)  # read the start of the answer, then hang up
    assert Client(memory).post(PERSONS)[0] == 200


# -- the library call and the command -------------------------------------------------------------
def test_the_library_call(built_store):
    copy = OxigraphStore.in_memory(built_store.store)
    assert copy.held_in_memory and copy.path == OxigraphStore(built_store.store).path
    with OxigraphStore(built_store.store) as disk:
        assert len(copy) == len(disk)
        assert copy.graph_names() == disk.graph_names()
        people = sorted(str(r["p"]) for r in disk.select(PERSONS, prefixes=PREFIX_MAP))
    assert sorted(str(r["p"]) for r in copy.select(PERSONS, prefixes=PREFIX_MAP)) == people
    server = make_server(built_store, "127.0.0.1", 0, store=copy, workers=2, log=None)
    assert server.pool.spec[0] == "oxigraph-memory" and server.store is copy
    assert not server.owns_store and server.load_seconds > 0
    dump = server.pool.spec[1]
    thread = _start(server)
    try:
        status, _, body = Client(server).post(PERSONS)
        assert [b["p"]["value"] for b in _rows(body)[1]] == people
        person = people[0]
        status, _, body = Client(server).request(  # pages from the caller's copy
            "GET", "/" + person[len(BASE):], headers={"Accept": "text/turtle"}
        )
        assert status == 200 and (URIRef(person), None, None) in Graph().parse(data=body)
    finally:
        _stop(server, thread)
    assert not os.path.exists(dump)  # the dump goes with the server
    assert len(copy) > 0  # the caller's store is the caller's to close
    disk_store = OxigraphStore(built_store.store)
    server = make_server(built_store, "127.0.0.1", 0, store=disk_store, in_memory=True, log=None)
    try:
        assert server.store is disk_store and server.pool.spec[0] == "oxigraph-memory"
        assert not server.owns_store
    finally:
        server.server_close()
        disk_store.close()


def test_in_memory_refuses_what_it_cannot_copy(corpus_dir):
    settings = make_settings(corpus=corpus_dir, store="memory", check_owl=False)
    with pytest.raises(ConfigError, match="--store memory is in memory already"):
        make_server(settings, "127.0.0.1", 0, in_memory=True, log=None)
    settings = make_settings(corpus=corpus_dir, store="sparql+http://127.0.0.1:9/sparql",
                             check_owl=False)
    with pytest.raises(ConfigError, match="remote SPARQL store"):
        make_server(settings, "127.0.0.1", 0, in_memory=True, log=None)


def test_serve_command_in_memory(built_store):
    code = "from kg_builder.cli.serve import serve; serve()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "--store", str(built_store.store), "--port", "0",
         "--quiet", "--in-memory"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=PROJECT_DIR,
    )
    try:
        line = proc.stdout.readline()
        m = re.search(r"at http://127\.0\.0\.1:(\d+)/", line)
        assert m, line + proc.stderr.read() if proc.poll() is not None else line
        conn = http.client.HTTPConnection("127.0.0.1", int(m.group(1)), timeout=30)
        conn.request("GET", "/sparql?" + urlencode({"query": "ASK { ?p a kg:Person }"}),
                     headers={"Accept": JSON})
        assert json.loads(conn.getresponse().read())["boolean"] is True
        conn.close()
        children = subprocess.run(
            ["ps", "--ppid", str(proc.pid), "-o", "pid="], capture_output=True, text=True
        ).stdout.split()
        assert len(children) == 2  # the query workers, each with its copy
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
        for pid in children:
            assert not os.path.exists(f"/proc/{pid}") or _zombie(pid)
        assert re.search(r"Copied [\d,]+ quads into memory for 2 worker\(s\) in [\d.]+ s",
                         proc.stderr.read())
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)

