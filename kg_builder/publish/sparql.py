"""The SPARQL 1.1 Protocol side of `kg serve`: media types, the request's query and dataset,
the service description, and the pool of worker processes that answer queries.

Why worker processes: Oxigraph evaluates in Rust and cannot be cancelled, so a runaway query
in a thread would keep a core busy for ever. Each query runs in a worker process that opened
the store read-only; a worker that overruns the time limit is killed (SIGKILL) and replaced,
and the server answers 503 and keeps serving. Workers are fresh interpreters (`python -c`,
talking over a socket pair with multiprocessing's Connection): unlike fork they never inherit
the HTTP server's threads or locks, and unlike multiprocessing's spawn they do not re-import
the caller's __main__ (a notebook or an unguarded script works). One starts in a fraction of
a second; on Linux it dies with the server (PR_SET_PDEATHSIG), so Ctrl-C leaves nothing
running.

Results are cut at `max_rows` rows (triples for CONSTRUCT/DESCRIBE) while they are read off
the engine, so a huge answer never has to fit in memory; the response then carries the header
`X-Result-Truncated: true`.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, VOID, XSD

from ..queries import (
    PREFIX_MAP,
    QueryFailed,
    QueryUsageError,
    checked,
    describe_syntax_error,
    serialize,
    shape,
)
from ..store import Answer, QueryError, QuerySyntaxError
from .conneg import negotiate

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS_NS = Namespace("http://www.w3.org/ns/formats/")

#: SELECT/ASK results: media type -> queries.serialize format, in the server's order of
#: preference (the first is what a client without an Accept header gets).
RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
}
#: CONSTRUCT/DESCRIBE graphs: media type -> queries.serialize format.
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/trig": "trig",
    "application/n-quads": "nquads",
    "application/rdf+xml": "xml",
    "text/plain": "nt",
}
#: `format=` names (besides full media types), per kind of answer.
RESULT_FORMAT_NAMES = {
    "json": "application/sparql-results+json",
    "srj": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "srx": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_FORMAT_NAMES = {
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "n-triples": "application/n-triples",
    "json-ld": "application/ld+json",
    "jsonld": "application/ld+json",
    "json": "application/ld+json",
    "trig": "application/trig",
    "nquads": "application/n-quads",
    "n-quads": "application/n-quads",
    "xml": "application/rdf+xml",
    "rdfxml": "application/rdf+xml",
}
#: The W3C format IRIs announced as sd:resultFormat.
FORMAT_IRIS = {
    "application/sparql-results+json": FORMATS_NS.SPARQL_Results_JSON,
    "application/sparql-results+xml": FORMATS_NS.SPARQL_Results_XML,
    "text/csv": FORMATS_NS.SPARQL_Results_CSV,
    "text/tab-separated-values": FORMATS_NS.SPARQL_Results_TSV,
    "text/turtle": FORMATS_NS.Turtle,
    "application/n-triples": FORMATS_NS["N-Triples"],
    "application/ld+json": FORMATS_NS["JSON-LD"],
    "application/trig": FORMATS_NS.TriG,
    "application/n-quads": FORMATS_NS["N-Quads"],
    "application/rdf+xml": FORMATS_NS.RDF_XML,
}
#: Syntaxes of the service description itself (an RDF graph).
DESCRIPTION_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}


class ProtocolError(Exception):
    """A request the server answers with an error status and a readable message."""

    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


# -- content negotiation ---------------------------------------------------------------------
def wants_json(accept: str | None, fmt: str | None = None) -> bool:
    """Whether an error should be JSON: the client asked for a JSON answer."""
    return "json" in (fmt or "").lower() or "json" in (accept or "").lower().split(",")[0]


# -- what a request asks ---------------------------------------------------------------------
@dataclass
class QueryRequest:
    """The query of one protocol request, checked and with its answer's media type chosen."""

    text: str
    form: str
    media_type: str
    fmt: str
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise ProtocolError(400, f"the parameter {name!r} was given {len(values)} times; "
                                 "give it once")
    return values[0]


def media_type_for(form: str, fmt: str | None, accept: str | None) -> tuple[str, str]:
    """(media type, queries.serialize format) of the answer to a query of this form, from
    `format=` when given, else from the Accept header; 400 or 406 when nothing fits."""
    if form in ("CONSTRUCT", "DESCRIBE"):
        types, names, what = GRAPH_TYPES, GRAPH_FORMAT_NAMES, f"a {form} query gives a graph"
    elif form in ("SELECT", "ASK"):
        types, names, what = RESULT_TYPES, RESULT_FORMAT_NAMES, f"a {form} query gives results"
    else:  # unrecognised: the engine will say what is wrong; answer errors in a result type
        types, names, what = RESULT_TYPES, RESULT_FORMAT_NAMES, "a query"
    if fmt is not None:
        key = fmt.strip().lower()
        media = names.get(key) or (key.split(";")[0].strip() if key.split(";")[0] in types
                                   else None)
        if media is None:
            known = sorted(set(names)) + [t for t in types if t not in names.values()]
            raise ProtocolError(400, f"unknown format {fmt!r}: {what}; format takes one of "
                                     f"{', '.join(known)} (or the media types "
                                     f"{', '.join(dict.fromkeys(names.values()))})")
        return media, types[media]
    offers = list(types)
    media = negotiate(accept, offers)
    if media is None:
        raise ProtocolError(406, f"none of the media types in the Accept header "
                                 f"({accept}) is offered: {what}, offered as "
                                 f"{', '.join(offers)}")
    return media, types[media]


def parse_query_request(
    params: dict[str, list[str]], accept: str | None, backend: str
) -> QueryRequest:
    """The checked query of a request's parameters (GET query string, or form body).

    Updates, LOAD and SERVICE are refused with 403 (the endpoint is read-only and makes no
    outbound requests); an unknown prefix is a 400 with its position.
    """
    if "update" in params:
        raise ProtocolError(403, "this endpoint is read-only: SPARQL updates are refused")
    text = _one(params, "query")
    if text is None or not text.strip():
        raise ProtocolError(400, "no query: give the SPARQL text as the 'query' parameter "
                                 "(GET ?query=... or a form POST), or POST it with "
                                 "Content-Type application/sparql-query")
    sh = shape(text)
    if sh.form == "UPDATE":
        raise ProtocolError(403, "this endpoint is read-only: SPARQL updates (INSERT, DELETE, "
                                 "LOAD, CLEAR, DROP...) are refused")
    if sh.services:
        t = sh.services[0]
        raise ProtocolError(403, f"line {t.line}, column {t.column}: SERVICE is refused: this "
                                 "endpoint sends no queries to other endpoints")
    try:
        checked(text, allow_writes=False, allow_service=False)
    except QueryUsageError as exc:
        raise ProtocolError(403, str(exc)) from exc
    except QueryFailed as exc:
        raise ProtocolError(400, str(exc)) from exc
    media, fmt = media_type_for(sh.form, _one(params, "format"), accept)
    default = params.get("default-graph-uri")
    named = params.get("named-graph-uri")
    if (default is not None or named is not None) and backend != "oxigraph":
        raise ProtocolError(400, "default-graph-uri and named-graph-uri are supported on an "
                                 "Oxigraph store only (this server runs on the in-memory "
                                 "store); use FROM / FROM NAMED or GRAPH in the query")
    for iri in (default or []) + (named or []):
        if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|^`\\]*$", iri):
            raise ProtocolError(400, f"{iri!r} is not an absolute IRI (default-graph-uri, "
                                     "named-graph-uri)")
    if default is not None or named is not None:
        default, named = default or [], named or []
    return QueryRequest(text, sh.form, media, fmt, default, named)


# -- evaluation (in a worker) ------------------------------------------------------------------
def evaluate(store, request: QueryRequest, max_rows: int) -> tuple[Answer, bool]:
    """The answer to a checked query, cut at max_rows rows or triples, and whether it was
    cut. On Oxigraph, results are read lazily off the engine and reading stops at the cut."""
    if store.backend == "oxigraph":
        return _evaluate_oxigraph(store, request, max_rows)
    try:
        answer = store.execute(request.text, None, PREFIX_MAP)
    except QuerySyntaxError as exc:
        raise QueryFailed(describe_syntax_error(request.text, exc)) from exc
    except QueryError as exc:
        raise QueryFailed(str(exc)) from exc
    if request.form == "DESCRIBE" and answer.form == "CONSTRUCT":
        answer.form = "DESCRIBE"
    return _cut(answer, max_rows)


def _cut(answer: Answer, max_rows: int) -> tuple[Answer, bool]:
    if answer.form == "SELECT" and len(answer.rows) > max_rows:
        answer.rows = answer.rows[:max_rows]
        return answer, True
    if answer.graph is not None and len(answer.graph) > max_rows:
        g = Graph()
        for t in itertools.islice(answer.graph, max_rows):
            g.add(t)
        answer.graph = g
        return answer, True
    return answer, False


def _evaluate_oxigraph(store, request: QueryRequest, max_rows: int) -> tuple[Answer, bool]:
    import pyoxigraph as ox

    from ..store import _ox_syntax_error, from_ox

    if request.default_graphs is not None:
        dataset = {
            "default_graph": [ox.NamedNode(g) for g in request.default_graphs],
            "named_graphs": [ox.NamedNode(g) for g in request.named_graphs or []],
        }
    elif store.restriction is not None:
        dataset = {"default_graph": store.restriction, "named_graphs": store.restriction}
    else:
        dataset = {"use_default_graph_as_union": True}
    text = request.text
    try:
        result = store.raw.query(text, prefixes=PREFIX_MAP, **dataset)
    except SyntaxError as exc:
        raise QueryFailed(describe_syntax_error(text, _ox_syntax_error(exc))) from exc
    except (ValueError, OSError, RuntimeError) as exc:
        raise QueryFailed(f"SPARQL error: {exc}") from exc
    cache: dict = {}

    def term(t):
        if t is None:
            return None
        found = cache.get(t)
        if found is None:
            found = cache[t] = from_ox(t)
        return found

    try:
        if isinstance(result, ox.QueryBoolean):
            return Answer("ASK", boolean=bool(result)), False
        if isinstance(result, ox.QueryTriples):
            g = Graph()
            triples = list(itertools.islice(result, max_rows + 1))
            for t in triples[:max_rows]:
                g.add((term(t.subject), term(t.predicate), term(t.object)))
            form = "DESCRIBE" if request.form == "DESCRIBE" else "CONSTRUCT"
            return Answer(form, graph=g), len(triples) > max_rows
        names = [v.value for v in result.variables]
        rows = [tuple(map(term, sol)) for sol in itertools.islice(result, max_rows + 1)]
        return Answer("SELECT", names, rows[:max_rows]), len(rows) > max_rows
    except (OSError, RuntimeError, ValueError) as exc:  # evaluation is lazy
        raise QueryFailed(f"SPARQL error: {exc}") from exc


@dataclass
class Outcome:
    """A serialised answer, as a worker hands it back."""

    body: bytes
    truncated: bool
    size: int  # rows, triples, or 1 for ASK
    seconds: float


def answer_bytes(store, request: QueryRequest, max_rows: int) -> Outcome:
    started = time.perf_counter()
    answer, truncated = evaluate(store, request, max_rows)
    body = serialize(answer, request.fmt).encode("utf-8")
    size = len(answer.rows) if answer.form == "SELECT" else (
        len(answer.graph) if answer.graph is not None else 1)
    return Outcome(body, truncated, size, time.perf_counter() - started)


def open_worker_store(spec: tuple[str, str]):
    """The store a worker queries: ("oxigraph", folder) opened read-only, or ("nquads", file)
    parsed into an rdflib MemoryStore (the in-memory graph of `--store memory`)."""
    kind, where = spec
    if kind == "sparql":  # a remote store: the worker sends the query to the server
        from ..remote.store import RemoteStore

        return RemoteStore(where)
    if kind == "oxigraph":
        from ..store import OxigraphStore

        return OxigraphStore(where)
    from rdflib import Dataset

    from ..store import MemoryStore

    ds = Dataset()
    ds.parse(where, format="nquads")
    return MemoryStore(ds)


def worker_entry(fd: int, kind: str, where: str) -> None:
    """What a worker interpreter runs (see QueryPool._spawn): end with the server, then
    serve jobs on the inherited socket `fd`."""
    from multiprocessing.connection import Connection

    with contextlib.suppress(Exception):  # best effort, Linux only: die with the server
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    _worker_main(Connection(fd), (kind, where))


def _worker_main(conn, spec: tuple[str, str]) -> None:
    """A worker: open the store, say ready, then answer (request, max_rows) jobs until told to
    stop (None) or killed. Failures of a query are answers, never the worker's end."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which kills us
    try:
        store = open_worker_store(spec)
    except Exception as exc:  # noqa: BLE001 - reported to the server, which says it
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        request, max_rows = job
        try:
            conn.send(("ok", answer_bytes(store, request, max_rows)))
        except (QueryFailed, QueryUsageError) as exc:
            conn.send(("error", 400, str(exc)))
        except Exception as exc:  # noqa: BLE001 - an engine bug must not end the worker
            conn.send(("error", 500, f"the query failed: {type(exc).__name__}: {exc}"))


# -- the pool ----------------------------------------------------------------------------------
@dataclass
class _Worker:
    process: subprocess.Popen
    conn: object
    pid: int = 0


@dataclass
class QueryPool:
    """A few worker processes, each with the store open; one query at a time per worker.

    `run()` waits up to `timeout` seconds for a free worker (503 when none frees up), then up
    to `timeout` seconds for the answer; a worker that overruns is killed and a replacement
    started in the background.
    """

    spec: tuple[str, str]
    workers: int = 2
    timeout: float = 30.0
    max_rows: int = 10_000
    log: object = None
    _idle: queue.Queue = field(default_factory=queue.Queue)
    _all: dict = field(default_factory=dict)  # id -> _Worker, idle or busy
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _closed: bool = False
    _cleanup: str | None = None  # a temporary file to remove on close
    _spawn_jobs: queue.Queue | None = None
    replaced: int = 0

    def start(self, ready_within: float = 120.0) -> QueryPool:
        if self.workers < 1:
            raise ValueError("a query pool needs at least one worker")
        self._spawn_jobs = queue.Queue()
        threading.Thread(target=self._spawner, name="kg-serve-spawner", daemon=True).start()
        started = [self._spawn() for _ in range(self.workers)]
        try:
            for w in started:
                self._wait_ready(w, ready_within)
                self._idle.put(w)
        except Exception:
            self.close()
            raise
        return self

    def _spawner(self) -> None:
        """The one long-lived thread that starts workers. PR_SET_PDEATHSIG fires when the
        *thread* that forked the child ends, so workers must not be started by request or
        short-lived threads: this thread lives as long as the pool."""
        while True:
            job = self._spawn_jobs.get()
            if job is None:
                return
            box, done = job
            try:
                box["worker"] = self._spawn_now()
            except BaseException as exc:  # noqa: BLE001 - handed to the thread that asked
                box["error"] = exc
            done.set()

    def _spawn(self) -> _Worker:
        box, done = {}, threading.Event()
        self._spawn_jobs.put((box, done))
        if not done.wait(60):
            raise RuntimeError("no worker was started within 60 s (the pool is closing?)")
        if "error" in box:
            raise box["error"]
        return box["worker"]

    def _spawn_now(self) -> _Worker:
        from multiprocessing.connection import Connection

        parent, child = socket.socketpair()
        package_root = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (package_root, env.get("PYTHONPATH")) if p
        )
        code = (
            "import sys; from kg_builder.publish.sparql import worker_entry; "
            "worker_entry(int(sys.argv[1]), sys.argv[2], sys.argv[3])"
        )
        try:
            proc = subprocess.Popen(
                [sys.executable, "-c", code, str(child.fileno()), *self.spec],
                pass_fds=[child.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                env=env,
            )
        finally:
            child.close()
        w = _Worker(proc, Connection(parent.detach()))
        with self._lock:
            self._all[id(w)] = w
        return w

    def _wait_ready(self, w: _Worker, within: float) -> None:
        from ..errors import StoreError

        if not w.conn.poll(within):
            self._kill(w)
            raise StoreError(f"a query worker did not open the store within {within:g} s")
        try:
            msg = w.conn.recv()
        except (EOFError, OSError) as exc:
            self._kill(w)
            raise StoreError("a query worker ended while opening the store") from exc
        if msg[0] != "ready":
            self._kill(w)
            raise StoreError(f"a query worker could not open the store: {msg[1]}")
        w.pid = msg[1]

    def _kill(self, w: _Worker) -> None:
        with self._lock:
            self._all.pop(id(w), None)
        try:
            if w.process.poll() is None:
                w.process.kill()
            w.process.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        try:
            w.conn.close()
        except OSError:
            pass

    def _replace(self, w: _Worker) -> None:
        """Kill a worker and start another in the background (the request does not wait)."""
        self._kill(w)
        self.replaced += 1
        if self._closed:
            return

        def work():
            try:
                fresh = self._spawn()
                self._wait_ready(fresh, 120.0)
            except Exception as exc:  # noqa: BLE001 - logged; the pool runs one worker short
                self._say(f"kg serve: could not replace a query worker: {exc}")
                return
            if self._closed:
                self._kill(fresh)
            else:
                self._idle.put(fresh)

        threading.Thread(target=work, name="kg-serve-respawn", daemon=True).start()

    def _say(self, text: str) -> None:
        if self.log is not None:
            print(text, file=self.log, flush=True)

    def _take(self) -> _Worker:
        """A free, living worker: one found dead while idle (killed from outside, out of
        memory) is replaced and the next one taken."""
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                w = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty as exc:
                raise ProtocolError(
                    503,
                    f"all {self.workers} query workers stayed busy for {self.timeout:g} s; "
                    "try again shortly",
                    {"Retry-After": "5"},
                ) from exc
            if w.process.poll() is None:
                return w
            self._say(f"kg serve: query worker {w.pid} had ended; starting another")
            self._replace(w)

    def run(self, request: QueryRequest) -> Outcome:
        """The serialised answer, or ProtocolError (400 bad query, 503 time limit or busy)."""
        if self._closed:
            raise ProtocolError(503, "the server is shutting down")
        w = self._take()
        try:
            w.conn.send((request, self.max_rows))
            if not w.conn.poll(self.timeout):
                self._replace(w)
                w = None
                raise ProtocolError(
                    503,
                    f"the query ran past the time limit of {self.timeout:g} s and was stopped; "
                    "make it more selective (a LIMIT, fewer unbound patterns) or ask the "
                    "server's operator for a longer --timeout",
                )
            msg = w.conn.recv()
        except (EOFError, OSError) as exc:
            if w is not None:
                self._replace(w)
                w = None
            raise ProtocolError(500, "the query worker ended unexpectedly (out of memory?); "
                                     "the server goes on with a new one") from exc
        finally:
            if w is not None:
                self._idle.put(w)
        if msg[0] == "ok":
            return msg[1]
        raise ProtocolError(msg[1], msg[2])

    def close(self) -> None:
        """Stop every worker (idle ones are asked, busy ones killed) and remove temp files."""
        self._closed = True
        while True:
            try:
                w = self._idle.get_nowait()
            except queue.Empty:
                break
            try:
                w.conn.send(None)
            except OSError:
                pass
            with contextlib.suppress(subprocess.TimeoutExpired):
                w.process.wait(2)
            self._kill(w)
        with self._lock:
            busy = list(self._all.values())
        for w in busy:
            self._kill(w)
        if self._spawn_jobs is not None:
            self._spawn_jobs.put(None)
        if self._cleanup:
            try:
                os.unlink(self._cleanup)
            except OSError:
                pass
            self._cleanup = None


def pool_for(store, workers: int, timeout: float, max_rows: int, log=sys.stderr) -> QueryPool:
    """A started pool over the same graph as `store`: the Oxigraph folder it reads, or a
    temporary N-Quads copy of an in-memory store (removed when the pool closes)."""
    if store.backend == "oxigraph":
        pool = QueryPool(("oxigraph", str(store.path)), workers, timeout, max_rows, log)
        return pool.start()
    if store.backend == "sparql":
        return QueryPool(("sparql", store.value), workers, timeout, max_rows, log).start()
    fd, tmp = tempfile.mkstemp(prefix="kg-serve-", suffix=".nq")
    with os.fdopen(fd, "wb") as fh:
        fh.write(store.dataset.serialize(format="nquads", encoding="utf-8"))
    pool = QueryPool(("nquads", tmp), workers, timeout, max_rows, log)
    pool._cleanup = tmp
    return pool.start()


# -- the service description -----------------------------------------------------------------
def service_description(
    endpoint: str, graph_names: list, triples: int, limits: dict, backend: str
) -> Graph:
    """The SPARQL 1.1 Service Description of the endpoint (what GET /sparql without a query
    returns to RDF clients): languages, result formats, the default dataset and its graphs."""
    g = Graph()
    g.bind("sd", SD)
    g.bind("void", VOID)
    g.bind("formats", FORMATS_NS)
    svc = URIRef(endpoint)
    g.add((svc, RDF.type, SD.Service))
    g.add((svc, SD.endpoint, svc))
    g.add((svc, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((svc, SD.feature, SD.UnionDefaultGraph))
    for media in dict.fromkeys(list(RESULT_TYPES) + list(GRAPH_TYPES)):
        if media in FORMAT_IRIS:
            g.add((svc, SD.resultFormat, FORMAT_IRIS[media]))
    dataset_note = (
        "default-graph-uri and named-graph-uri are supported"
        if backend == "oxigraph"
        else "default-graph-uri and named-graph-uri are refused (400) on this in-memory store"
    )
    g.add((svc, RDFS.comment, Literal(
        "Read-only: updates, LOAD and SERVICE are refused (403). "
        f"Queries stop after {limits['timeout']:g} s (503); answers are cut at "
        f"{limits['max_rows']} rows or triples (header X-Result-Truncated: true); request "
        f"bodies over {limits['max_body']} bytes are refused (413). {dataset_note}. "
        f"The default graph is the union of the {len(graph_names)} named graphs.",
        lang="en")))
    ds = BNode()
    g.add((svc, SD.defaultDataset, ds))
    g.add((ds, RDF.type, SD.Dataset))
    default = BNode()
    g.add((ds, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, VOID.triples, Literal(triples, datatype=XSD.integer)))
    g.add((ds, RDFS.comment, Literal(f"{len(graph_names)} named graphs", lang="en")))
    for name in graph_names:
        node = BNode()
        g.add((ds, SD.namedGraph, node))
        g.add((node, RDF.type, SD.NamedGraph))
        g.add((node, SD.name, URIRef(str(name))))
    return g
