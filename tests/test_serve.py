"""`kg serve`: the SPARQL 1.1 Protocol endpoint and its routes, over real HTTP.

One server per module, started on a free loopback port over an Oxigraph store of the corpus
graph, with small limits (2 s, 100 rows, 4 KiB bodies) so that the limits can be hit fast.
Every answer is read back with a real parser: json, csv, lxml (SPARQL XML and HTML), rdflib
(Turtle, N-Triples, JSON-LD, TriG, N-Quads).
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from urllib.parse import quote, urlencode

import pytest
from lxml import etree
from lxml import html as lxml_html
from rdflib import Dataset, Graph, Namespace, URIRef
from rdflib.namespace import RDF

from kg_builder import build, make_settings
from kg_builder.publish import querypage
from kg_builder.publish.server import make_server
from kg_builder.queries import PREFIX_MAP, Catalogue, CatalogueQuery
from tests.conftest import REPO as PROJECT_DIR

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
KG = Namespace("https://w3id.org/kg-builder/ontology#")
BASE = "https://w3id.org/kg-builder/"
PERSONS = "SELECT ?p WHERE { ?p a kg:Person } ORDER BY ?p"
PERSONS_GRAPH = "CONSTRUCT { ?p a kg:Person } WHERE { ?p a kg:Person }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TIMEOUT = 2.0
MAX_ROWS = 100
MAX_BODY = 4096
SRX = "{http://www.w3.org/2005/sparql-results#}"


class Client:
    """Real HTTP against the server: one connection per request, bounded by a timeout."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port

    def request(self, method, path, body=None, headers=None, timeout=30):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, resp.headers, resp.read()
        finally:
            conn.close()

    def get(self, path, accept=None, **kw):
        return self.request("GET", path, headers={"Accept": accept} if accept else {}, **kw)

    def query(self, text, accept=None, **params):
        return self.get("/sparql?" + urlencode({"query": text, **params}), accept)


@pytest.fixture(scope="module")
def served(tmp_path_factory, corpus_dir):
    folder = tmp_path_factory.mktemp("serve")
    settings = make_settings(corpus=corpus_dir, store=str(folder / "store"), check_owl=False)
    result = build(settings, validate=False, write=False)
    log = io.StringIO()
    server = make_server(
        settings, "127.0.0.1", 0, timeout=TIMEOUT, max_rows=MAX_ROWS, max_body=MAX_BODY,
        workers=2, log=log,
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield server, Client(host, port), result.store(), log
    server.shutdown()
    thread.join(10)


@pytest.fixture(scope="module")
def client(served):
    return served[1]


@pytest.fixture(scope="module")
def persons(served):
    """The corpus's persons, straight from the store: what every answer is compared with."""
    store = served[2]
    return sorted(str(r["p"]) for r in store.select(PERSONS, prefixes=PREFIX_MAP))


def _ids(data: dict) -> list[str]:
    return sorted(b["p"]["value"] for b in data["results"]["bindings"])


# -- the protocol: GET, POST form, POST body ---------------------------------------------------
def test_get_post_form_and_post_body_give_the_same_answer(client, persons):
    assert len(persons) > 5
    status, headers, body = client.query(PERSONS)
    assert status == 200
    assert headers["Content-Type"] == "application/sparql-results+json"
    assert headers["Vary"] == "Accept"
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert _ids(json.loads(body)) == persons
    form = urlencode({"query": PERSONS}).encode()
    status, _, body = client.request(
        "POST", "/sparql", form, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 200 and _ids(json.loads(body)) == persons
    status, _, body = client.request(
        "POST", "/sparql", PERSONS.encode(),
        {"Content-Type": "application/sparql-query; charset=utf-8"},
    )
    assert status == 200 and _ids(json.loads(body)) == persons
    assert "X-Result-Truncated" not in headers


def _read_results(media: str, body: bytes) -> list[str]:
    if media == "application/sparql-results+json":
        return _ids(json.loads(body))
    if media == "application/sparql-results+xml":
        root = etree.fromstring(body)
        return sorted(u.text for u in root.iter(SRX + "uri"))
    if media == "text/csv":
        rows = list(csv.reader(io.StringIO(body.decode())))
        assert rows[0] == ["p"]
        return sorted(r[0] for r in rows[1:])
    lines = body.decode().splitlines()
    assert lines[0] == "?p"
    return sorted(line.strip("<>") for line in lines[1:])


@pytest.mark.parametrize(
    "media,fmt",
    [
        ("application/sparql-results+json", "json"),
        ("application/sparql-results+xml", "xml"),
        ("text/csv", "csv"),
        ("text/tab-separated-values", "tsv"),
    ],
)
def test_result_formats_by_accept_and_by_format_parameter(client, persons, media, fmt):
    status, headers, body = client.query(PERSONS, accept=media + ", */*;q=0.1")
    assert status == 200
    assert headers["Content-Type"].split(";")[0] == media
    assert _read_results(media, body) == persons
    status, headers, body = client.query(PERSONS, accept="text/turtle", format=fmt)
    assert status == 200, body  # format= wins over Accept
    assert headers["Content-Type"].split(";")[0] == media
    assert _read_results(media, body) == persons


def test_ask(client):
    status, _, body = client.query("ASK { ?p a kg:Person }")
    assert status == 200 and json.loads(body)["boolean"] is True
    status, _, body = client.query("ASK { ?p a kg:Nothing }", accept="text/csv")
    assert status == 200 and body.decode().split() == ["_askResult", "false"]


@pytest.mark.parametrize(
    "media,rdflib_format",
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/trig", "trig"),
        ("application/n-quads", "nquads"),
    ],
)
def test_construct_formats(client, persons, media, rdflib_format):
    status, headers, body = client.query(PERSONS_GRAPH, accept=media)
    assert status == 200, body
    assert headers["Content-Type"].split(";")[0] == media
    if rdflib_format in ("trig", "nquads"):
        ds = Dataset()
        ds.parse(data=body, format=rdflib_format)
        triples = {(s, p, o) for s, p, o, _ in ds.quads((None, None, None, None))}
    else:
        triples = set(Graph().parse(data=body, format=rdflib_format))
    assert triples == {(URIRef(p), RDF.type, KG.Person) for p in persons}


def test_describe_and_format_names_for_graphs(client, persons):
    target = persons[0]
    status, headers, body = client.query(f"DESCRIBE <{target}>", format="nt")
    assert status == 200
    assert headers["Content-Type"] == "application/n-triples"
    g = Graph().parse(data=body, format="nt")
    assert (URIRef(target), RDF.type, KG.Person) in g
    status, headers, body = client.query(PERSONS_GRAPH, format="jsonld")
    assert status == 200 and headers["Content-Type"] == "application/ld+json"
    assert len(Graph().parse(data=body, format="json-ld")) == len(persons)


def test_head_answers_without_a_body(client):
    status, headers, body = client.request("HEAD", "/sparql?" + urlencode({"query": PERSONS}))
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0


# -- errors ----------------------------------------------------------------------------------
def test_malformed_query_is_400_with_the_position(client):
    status, headers, body = client.query("SELECT ?s WHERE { ?s ?p ?o ", accept="text/csv")
    text = body.decode()
    assert status == 400
    assert headers["Content-Type"].startswith("text/plain")
    assert "line 1, column 28" in text and "^" in text
    status, _, body = client.query("SELECT ?s WHERE { ?s nope:thing ?o }")
    assert status == 400 and "unknown prefix 'nope:'" in body.decode()
    assert "line 1, column 22" in body.decode()


def test_errors_are_json_when_the_client_asked_for_json(client):
    status, headers, body = client.query("SELECT WHERE {", accept="application/sparql-results+json")
    assert status == 400 and headers["Content-Type"] == "application/json"
    error = json.loads(body)["error"]
    assert error["status"] == 400 and "syntax error" in error["message"]


def test_unsupported_accept_is_406_listing_the_offers(client):
    status, _, body = client.query(PERSONS, accept="image/png")
    assert status == 406
    assert "application/sparql-results+json" in body.decode() and "text/csv" in body.decode()
    status, _, body = client.query(PERSONS_GRAPH, accept="application/sparql-results+json")
    assert status == 406 and "text/turtle" in body.decode()
    status, _, body = client.query(PERSONS, format="png")
    assert status == 400 and "unknown format 'png'" in body.decode()


@pytest.mark.parametrize(
    "how",
    ["query", "form-update", "sparql-update", "load"],
)
def test_updates_are_refused_and_change_nothing(client, persons, how):
    insert = "INSERT DATA { <urn:x:a> a kg:Person }"
    if how == "query":
        status, _, body = client.query(insert)
    elif how == "load":
        status, _, body = client.query("LOAD <http://example.org/data.ttl>")
    elif how == "form-update":
        status, _, body = client.request(
            "POST", "/sparql", urlencode({"update": insert}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
    else:
        status, _, body = client.request(
            "POST", "/sparql", insert.encode(), {"Content-Type": "application/sparql-update"}
        )
    assert status == 403
    assert "read-only" in body.decode()
    _, _, after = client.query(PERSONS)
    assert _ids(json.loads(after)) == persons


def test_service_is_refused(client):
    text = "SELECT * WHERE {\n  SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o }\n}"
    status, _, body = client.query(text)
    assert status == 403
    assert "SERVICE" in body.decode() and "line 2, column 3" in body.decode()


def test_time_limit_stops_the_query_and_the_server_goes_on(served, client, persons):
    server = served[0]
    before = server.pool.replaced
    started = time.monotonic()
    status, _, body = client.query(SLOW)
    took = time.monotonic() - started
    assert status == 503
    assert f"time limit of {TIMEOUT:g} s" in body.decode()
    assert TIMEOUT - 0.2 < took < TIMEOUT + 3
    assert server.pool.replaced == before + 1
    status, _, body = client.query(PERSONS)  # the other worker answers at once
    assert status == 200 and _ids(json.loads(body)) == persons
    deadline = time.monotonic() + 15  # and the replacement joins the pool
    while server.pool._idle.qsize() < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert server.pool._idle.qsize() == 2
    time.sleep(0.3)  # the thread that started the replacement is long gone: still alive?
    assert all(w.process.poll() is None for w in server.pool._all.values())
    for _ in range(4):
        assert client.query("ASK { ?s ?p ?o }")[0] == 200


def test_a_worker_killed_from_outside_is_replaced(served, client):
    pool = served[0].pool
    victim = next(iter(pool._all.values()))
    os.kill(victim.pid, signal.SIGKILL)
    victim.process.wait(5)
    for _ in range(4):  # whichever worker is taken, the answer comes
        status, _, body = client.query("ASK { ?s ?p ?o }")
        assert status == 200, body
    deadline = time.monotonic() + 15
    while pool._idle.qsize() < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert pool._idle.qsize() == 2 and victim.pid not in {w.pid for w in pool._all.values()}


def test_row_limit_truncates_with_a_header(client):
    status, headers, body = client.query("SELECT * WHERE { ?s ?p ?o }")
    assert status == 200
    assert headers["X-Result-Truncated"] == "true"
    assert len(json.loads(body)["results"]["bindings"]) == MAX_ROWS
    status, headers, body = client.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert status == 200, body
    assert headers["X-Result-Truncated"] == "true"
    assert len(Graph().parse(data=body, format="turtle")) == MAX_ROWS


def test_body_too_large_is_413_and_the_connection_survives(client):
    query = "SELECT * WHERE { ?s ?p ?o } # " + "x" * MAX_BODY
    status, _, body = client.request(
        "POST", "/sparql", query.encode(), {"Content-Type": "application/sparql-query"}
    )
    assert status == 413 and str(MAX_BODY) in body.decode()
    status, _, _ = client.query("ASK { ?s ?p ?o }")
    assert status == 200


def test_other_bad_requests(client):
    status, _, body = client.request("POST", "/sparql", b"query=x", {"Content-Type": "text/xml"})
    assert status == 415 and "application/sparql-query" in body.decode()
    status, _, body = client.get("/sparql?query=")
    assert status == 400 and "no query" in body.decode()
    status, _, body = client.get("/sparql?" + urlencode([("query", "ASK {}")] * 2))
    assert status == 400 and "2 times" in body.decode()
    status, _, body = client.request(
        "POST", "/sparql", b"\xff\xfe", {"Content-Type": "application/sparql-query"}
    )
    assert status == 400 and "utf-8" in body.decode()


def test_unknown_path_is_404_and_wrong_method_405(client):
    status, _, body = client.get("/nothing/here")
    assert status == 404 and "/nothing/here" in body.decode()
    status, headers, _ = client.request("PUT", "/sparql", b"x")
    assert status == 405 and headers["Allow"] == "GET, HEAD, POST, OPTIONS"
    status, headers, _ = client.request("DELETE", "/")
    assert status == 405 and "POST" not in headers["Allow"]


def test_options_preflight_and_cors(client):
    status, headers, body = client.request(
        "OPTIONS", "/sparql",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert status == 204 and body == b""
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in headers["Access-Control-Allow-Headers"]


def test_dataset_parameters(served, client):
    store = served[2]
    graph = f"{BASE}graph/sources"
    size = len(list(store.raw.quads_for_pattern(None, None, None, store.native(graph))))
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    status, _, body = client.query(count, **{"default-graph-uri": graph})
    assert status == 200
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == size
    status, _, body = client.query(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", **{"named-graph-uri": graph}
    )
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == size
    status, _, body = client.query(count, **{"named-graph-uri": graph})
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == 0
    status, _, body = client.query(count, **{"default-graph-uri": "not an iri"})
    assert status == 400


# -- the service description and the query page ----------------------------------------------
def test_service_description(served, client):
    server, store = served[0], served[2]
    status, headers, body = client.get("/sparql")  # no Accept: RDF (Turtle)
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    g = Graph().parse(data=body, format="turtle")
    endpoint = URIRef(f"http://127.0.0.1:{server.server_address[1]}/sparql")
    assert (endpoint, RDF.type, SD.Service) in g
    assert (endpoint, SD.endpoint, endpoint) in g
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Query) in g
    formats = set(g.objects(endpoint, SD.resultFormat))
    assert {FORMATS.SPARQL_Results_JSON, FORMATS.SPARQL_Results_CSV, FORMATS.Turtle} <= formats
    dataset = g.value(endpoint, SD.defaultDataset)
    names = {g.value(n, SD.name) for n in g.objects(dataset, SD.namedGraph)}
    assert names == set(store.graph_names())
    status, _, body = client.get("/sparql", accept="application/ld+json")
    assert status == 200
    assert (endpoint, RDF.type, SD.Service) in Graph().parse(data=body, format="json-ld")


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_query_page_lists_the_catalogue(client):
    names = [q.name for q in Catalogue() if not q.name.startswith("checks/")]
    for path in ("/", "/sparql"):
        status, headers, body = client.get(path, accept=BROWSER)
        assert status == 200 and headers["Content-Type"].startswith("text/html")
        doc = lxml_html.fromstring(body)
        assert [b.get("data-name") for b in doc.xpath("//aside//button")] == names
        hrefs = {a.get("href") for a in doc.iter("a")}
        assert {"/.well-known/void", "/ontology"} <= hrefs
        assert doc.xpath("//textarea[@id='query']") and doc.xpath("//button[@id='run']")
        assert not doc.xpath("//script[@src] | //link[@href]")  # self-contained
        data = json.loads(doc.get_element_by_id("catalogue").text)
        assert set(data) == set(names)
        assert data["exit-routes"]["text"] == Catalogue().get("exit-routes").text


def test_query_page_escapes_everything():
    evil = "</script><b id='x'>bold</b>&amp;"
    query = CatalogueQuery(name="a\"b", path=PROJECT_DIR / "q.rq", question=evil, text=evil)
    page = querypage.render([query], BASE, PREFIX_MAP, query=evil)
    doc = lxml_html.fromstring(page)
    assert not doc.xpath("//b")
    assert doc.get_element_by_id("query").text == evil
    assert json.loads(doc.get_element_by_id("catalogue").text) == {
        'a"b': {"question": evil, "text": evil}
    }


def _chromium() -> str | None:
    import shutil

    return shutil.which("chromium") or shutil.which("chromium-browser")


def _rendered(url: str) -> lxml_html.HtmlElement:
    """The page's DOM after its scripts ran, from headless Chromium."""
    out = subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--virtual-time-budget=5000", "--dump-dom", url],
        capture_output=True, text=True, timeout=60,
    )
    return lxml_html.fromstring(out.stdout)


@pytest.mark.skipif(_chromium() is None, reason="headless Chromium is not installed")
def test_query_page_runs_a_query_in_a_browser(served, persons):
    base = served[0].url
    text = "SELECT ?p ?name WHERE { ?p a kg:Person ; rdfs:label ?name } ORDER BY ?p LIMIT 3"
    doc = _rendered(base + "?" + urlencode({"query": text}))
    rows = doc.xpath("//div[@id='results']//tr")
    assert [th.text for th in rows[0].xpath("th")] == ["p", "name"]
    links = [a.get("href") for a in doc.xpath("//div[@id='results']//td/a")]
    assert links == ["/" + p[len(BASE):] for p in persons[:3]]
    assert "3 rows" in doc.get_element_by_id("status").text_content()
    doc = _rendered(base + "?" + urlencode({"query": "SELECT ?s WHERE { ?s"}))
    assert "400" in doc.get_element_by_id("status").text_content()
    assert "syntax error" in doc.xpath("//div[@id='results']/pre")[0].text


def test_one_log_line_per_request(served, client):
    import time

    client.get("/no-such-page")
    # the line is written after the response is sent: give the server thread a moment
    deadline = time.monotonic() + 5
    while "/no-such-page" not in served[3].getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    lines = served[3].getvalue().splitlines()
    assert re.fullmatch(r'127\.0\.0\.1 "GET /no-such-page" 404 \d+ ms', lines[-1])


# -- linked-data routes (pages.py and void.py, written beside this server) ---------------------
def test_entity_by_negotiation_and_by_suffix(client, persons):
    pytest.importorskip("kg_builder.publish.pages")
    iri = persons[0]
    path = "/" + iri[len(BASE):]
    status, headers, body = client.get(path, accept="text/turtle")
    assert status == 200, body
    assert headers["Vary"] == "Accept" and headers["Content-Location"]
    assert headers["Access-Control-Allow-Origin"] == "*"
    g = Graph().parse(data=body, format="turtle")
    assert (URIRef(iri), RDF.type, KG.Person) in g
    status, headers, body = client.get(path + ".jsonld", accept=BROWSER)
    assert status == 200 and headers["Content-Type"].startswith("application/ld+json")
    assert (URIRef(iri), RDF.type, KG.Person) in Graph().parse(data=body, format="json-ld")
    status, headers, body = client.get(path, accept=BROWSER)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert lxml_html.fromstring(body).findtext(".//title")
    status, _, body = client.get("/id/person/nobody-at-all", accept="text/turtle")
    assert status == 404 and "nobody-at-all" in body.decode()
    status, _, _ = client.get(path, accept="image/png")
    assert status == 406


def test_ontology_and_void(client):
    pytest.importorskip("kg_builder.publish.pages")
    pytest.importorskip("kg_builder.publish.void")
    status, _, body = client.get("/ontology", accept="text/turtle")
    assert status == 200
    g = Graph().parse(data=body, format="turtle")
    assert (URIRef(BASE + "ontology"), None, None) in g
    status, headers, body = client.get("/ontology.html")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    status, headers, body = client.get("/.well-known/void", accept="text/turtle")
    assert status == 200 and headers["Vary"] == "Accept"
    void = Graph().parse(data=body, format="turtle")
    assert len(void) > 10


# -- the in-memory store and the command ---------------------------------------------------------
def test_memory_store_server(corpus_dir):
    settings = make_settings(corpus=corpus_dir, store="memory", check_owl=False)
    server = make_server(settings, "127.0.0.1", 0, workers=1, log=None)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        client = Client(*server.server_address[:2])
        status, _, body = client.query("ASK { ?p a kg:Person }")
        assert status == 200 and json.loads(body)["boolean"] is True
        status, _, body = client.query("ASK {}", **{"default-graph-uri": BASE + "graph/x"})
        assert status == 400 and "Oxigraph" in body.decode()
    finally:
        server.shutdown()
        thread.join(10)
    assert not os.path.exists(server.pool.spec[1])  # the temporary copy is gone


def test_serve_command_prints_the_url_and_stops_cleanly(served):
    store = served[2].path
    code = "from kg_builder.cli.serve import serve; serve()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "--store", str(store), "--port", "0", "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=PROJECT_DIR,
    )
    try:
        line = proc.stdout.readline()
        m = re.search(r"at http://127\.0\.0\.1:(\d+)/", line)
        assert m, line
        client = Client("127.0.0.1", int(m.group(1)))
        status, _, body = client.query("ASK { ?p a kg:Person }")
        assert status == 200 and json.loads(body)["boolean"] is True
        children = subprocess.run(
            ["ps", "--ppid", str(proc.pid), "-o", "pid="], capture_output=True, text=True
        ).stdout.split()
        assert len(children) == 2  # the query workers
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
        for pid in children:
            assert not os.path.exists(f"/proc/{pid}") or _zombie(pid)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)


def _zombie(pid: str) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] == "Z"
    except OSError:
        return True


def test_iri_quoting_in_a_path_is_not_injection(client):
    pytest.importorskip("kg_builder.publish.pages")
    status, _, _ = client.get("/id/person/" + quote("x> } ; DROP ALL ; {"), accept="text/turtle")
    assert status in (400, 404)
