"""`kg push`: load the dataset, named graph by named graph, into any standard SPARQL store.

Why standard protocols only: the same code then reaches Oxigraph server, Apache Jena Fuseki,
GraphDB, Virtuoso, QLever or Amazon Neptune, with nothing to install on the other side.

    report = push(".kg/store", "http://localhost:7878/query",
                  gsp_endpoint="http://localhost:7878/store",
                  update_endpoint="http://localhost:7878/update")
    report.verified        # True when every graph holds, on the server, what was sent

How. Each named graph is REPLACED, not added to: through the SPARQL 1.1 Graph Store HTTP
Protocol, `PUT <gsp>?graph=<g>` with the graph as N-Triples (the first batch; a graph that fits
in one batch is replaced in one request), then `POST` for the next batches. A store that lacks
the protocol there (PUT answered 404, 405 or 501) is loaded with SPARQL Update instead,
`DROP SILENT GRAPH <g>; INSERT DATA { GRAPH <g> { ... } }`, then `INSERT DATA` per batch; so is
every graph with method="update". Triples with blank nodes (only the ontology graph has them)
all travel in one request, because a blank-node label means the same node only within one
request. A graph sent in several batches is not replaced atomically: a reader may see it half
loaded for the time of the push. Graphs that exist on the server but not in the local store are
left alone (the push never deletes what it did not send), and so is the local default graph
(the builder puts every triple in a named graph). For catalogue queries to answer on the
server as they do locally, the server's default graph must be the union of its named graphs
(Oxigraph: `oxigraph serve --union-default-graph`; Fuseki: `tdb2:unionDefaultGraph true`).

Endpoints. `endpoint` is the SPARQL query endpoint (used to verify); the GSP and update
endpoints default to the same URL, which is right for stores that serve every protocol on one
URL (Fuseki's dataset URL http://host:3030/ds, GraphDB's repository, Virtuoso's /sparql for
queries and updates). Oxigraph server: query /query, GSP /store, update /update.

Verification. After loading, one count per graph,
`SELECT (COUNT(*) AS ?n) WHERE { GRAPH <g> { ?s ?p ?o } }`, on the query endpoint, compared
with the number of triples of the local graph; the report lists each graph with both counts.

Errors are PushError (a KGError, exit code 8) with what to do: only http(s) URLs, connection
refused (is the server running? the port?), 401/403 (which credentials option to give), any
other 4xx/5xx with the server's own message, a timeout.
"""

from __future__ import annotations

import base64
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import KGError

NTRIPLES = "application/n-triples"
TURTLE = "text/turtle"
NO_GSP = (404, 405, 501)
METHODS = ("auto", "gsp", "update")
_LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


class PushError(KGError):
    """The push could not be done; the message says why and what to do."""

    exit_code = 8

    def __init__(self, message: str, fix: str | None = None, status: int | None = None):
        self.fix = fix
        self.status = status
        super().__init__(message + (f"\nFix: {fix}" if fix else ""))


@dataclass
class GraphPush:
    """One named graph: what was sent, how, and what the server holds afterwards."""

    graph: str
    triples: int
    batches: int = 0
    method: str = ""
    remote: int | None = None
    seconds: float = 0.0

    @property
    def verified(self) -> bool:
        return self.remote == self.triples

    def as_dict(self) -> dict:
        return {
            "graph": self.graph,
            "triples": self.triples,
            "remote": self.remote,
            "verified": self.verified,
            "batches": self.batches,
            "method": self.method,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class PushReport:
    """What a push did; `verified` is True when every graph's remote count equals its own."""

    endpoint: str
    gsp_endpoint: str
    update_endpoint: str
    graphs: list[GraphPush] = field(default_factory=list)
    seconds: float = 0.0
    found: list[str] = field(default_factory=list)  # how the endpoints were discovered

    @property
    def quads(self) -> int:
        return sum(g.triples for g in self.graphs)

    @property
    def verified(self) -> bool:
        return all(g.verified for g in self.graphs)

    @property
    def differences(self) -> list[dict]:
        return [
            {"graph": g.graph, "local": g.triples, "remote": g.remote}
            for g in self.graphs
            if not g.verified
        ]

    def as_dict(self) -> dict:
        return {
            "endpoint": self.endpoint,
            "gsp_endpoint": self.gsp_endpoint,
            "update_endpoint": self.update_endpoint,
            "graphs": [g.as_dict() for g in self.graphs],
            "quads": self.quads,
            "seconds": round(self.seconds, 3),
            "discovered": self.found,
            "verified": self.verified,
            "differences": self.differences,
        }


@dataclass
class PushProgress:
    """Passed to the progress callback after every batch."""

    graph: str
    graph_index: int
    graphs: int
    batch: int
    sent: int  # quads sent so far, all graphs
    total: int  # quads to send, all graphs


# -- reading the local graphs ----------------------------------------------------------------
def open_store(store_or_path):
    """A Store as is; a path opens the Oxigraph store there (read-only)."""
    if hasattr(store_or_path, "graph_names"):
        return store_or_path
    from ..store import OxigraphStore

    return OxigraphStore(Path(store_or_path))


def graph_lines(store, name: str) -> Iterator[str]:
    """The triples of one named graph as N-Triples lines (no newline), streamed."""
    import pyoxigraph as ox

    raw = getattr(store, "raw", None)
    if raw is not None:
        for q in raw.quads_for_pattern(None, None, None, ox.NamedNode(name)):
            yield f"{q.subject} {q.predicate} {q.object} ."
        return
    from rdflib import URIRef

    from ..store import to_ox

    for s, p, o in store.dataset.graph(URIRef(name)):
        yield f"{to_ox(s)} {to_ox(p)} {to_ox(o)} ."


def graph_sizes(store) -> dict[str, int]:
    """Triples per named graph, by one SPARQL GROUP BY."""
    rows = store.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {str(r["g"]): int(r["n"].toPython()) for r in rows}


def batches(lines: Iterable[str], size: int) -> Iterator[list[str]]:
    """Batches of at most `size` lines; lines with blank nodes all go in the last batch (see
    the module docstring), which may therefore be larger."""
    plain: list[str] = []
    blank: list[str] = []
    for line in lines:
        if "_:" in line and _has_blank(line):
            blank.append(line)
            continue
        plain.append(line)
        if len(plain) >= size:
            yield plain
            plain = []
    if plain or blank:
        yield plain + blank


def _has_blank(line: str) -> bool:
    """Whether an N-Triples line has a blank node as subject or object (the predicate is an
    IRI, and neither an IRI nor a blank-node label holds a space)."""
    subject, _, rest = line.split(" ", 2)
    return subject.startswith("_:") or rest.startswith("_:")


# -- HTTP ------------------------------------------------------------------------------------
def check_url(url: str, what: str) -> str:
    parts = urllib.parse.urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PushError(
            f"the {what} {url!r} is not an http(s) URL",
            "give the full address, e.g. http://localhost:7878/query",
        )
    return url


class Client:
    """Small HTTP client: credentials on every request, errors turned into PushError."""

    def __init__(self, auth=None, token=None, timeout: float = 60):
        if auth and token:
            raise PushError("give either a user and password or a token, not both")
        self.headers = {"User-Agent": "kg-builder push"}
        if auth:
            user, password = auth
            pair = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
            self.headers["Authorization"] = f"Basic {pair}"
        elif token:
            self.headers["Authorization"] = f"Bearer {token}"
        self.credentials = "basic" if auth else "token" if token else None
        self.timeout = timeout

    def request(
        self, method: str, url: str, body: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, bytes]:
        """(status, body) of a 2xx answer; PushError for anything else."""
        req = urllib.request.Request(
            url, data=body, method=method, headers={**self.headers, **(headers or {})}
        )
        host = urllib.parse.urlsplit(url).hostname or ""
        handlers = [urllib.request.ProxyHandler({})] if host in _LOOPBACK else []
        opener = urllib.request.build_opener(*handlers)
        try:
            with opener.open(req, timeout=self.timeout) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            detail = _server_message(exc)
            raise self._http_error(method, url, exc.code, detail) from None
        except urllib.error.URLError as exc:
            raise _connection_error(url, exc.reason) from None
        except (TimeoutError, socket.timeout):
            raise PushError(
                f"{method} {url}: no answer within {self.timeout:g} s",
                "raise --timeout, or send smaller batches (--batch N)",
            ) from None
        except (ConnectionError, OSError) as exc:
            raise _connection_error(url, exc) from None

    def _http_error(self, method: str, url: str, code: int, detail: str) -> PushError:
        said = f": {detail}" if detail else ""
        if code in (401, 403):
            if self.credentials is None:
                fix = (
                    "the server wants credentials: give --user NAME --password-env VAR "
                    "(basic auth) or --token-env VAR (bearer token)"
                )
            else:
                option = (
                    "--user/--password-env" if self.credentials == "basic" else "--token-env"
                )
                fix = f"check the credentials given with {option} and the account's rights"
            word = "unauthorised" if code == 401 else "forbidden"
            return PushError(f"{method} {url}: {code} {word}{said}", fix, code)
        return PushError(f"{method} {url}: the server answered {code}{said}", None, code)


def _server_message(exc: urllib.error.HTTPError) -> str:
    try:
        text = exc.read(2000).decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - the status alone is still worth reporting
        return exc.reason if isinstance(exc.reason, str) else ""
    text = " ".join(text.split())
    return text[:500] or (exc.reason if isinstance(exc.reason, str) else "")


def _connection_error(url: str, reason) -> PushError:
    parts = urllib.parse.urlsplit(url)
    where = parts.netloc
    if isinstance(reason, ConnectionRefusedError) or "refused" in str(reason).lower():
        return PushError(
            f"cannot connect to {where}: connection refused",
            f"is the SPARQL server running, and listening on port {parts.port or 'the default'}?",
        )
    if isinstance(reason, socket.gaierror):
        return PushError(f"cannot resolve the host {parts.hostname!r}", "check the URL's host")
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return PushError(f"{url}: no answer in time", "raise --timeout, or check the server")
    return PushError(f"cannot reach {where}: {reason}", "check the URL and the network")


def _with_graph(url: str, graph: str) -> str:
    sep = "&" if urllib.parse.urlsplit(url).query else "?"
    return f"{url}{sep}graph={urllib.parse.quote(graph, safe='')}"


# -- the push --------------------------------------------------------------------------------
def push(
    store_or_path,
    endpoint: str,
    *,
    gsp_endpoint: str | None = None,
    update_endpoint: str | None = None,
    auth: tuple[str, str] | None = None,
    token: str | None = None,
    batch_quads: int = 50_000,
    progress: Callable[[PushProgress], None] | None = None,
    timeout: float = 60,
    method: str = "auto",
    graphs: Iterable[str] | None = None,
) -> PushReport:
    """Replace each named graph of the store on the server, then verify by counting.

    method: "auto" (GSP, falling back to SPARQL Update when the store lacks GSP), "gsp" (GSP
    only) or "update" (SPARQL Update only). `graphs` limits the push to these named graphs.
    Raises PushError; a failed verification is not an error: see `report.verified`.
    """
    if method not in METHODS:
        raise PushError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    if batch_quads < 1:
        raise PushError(f"the batch size must be at least 1, not {batch_quads}")
    check_url(endpoint, "SPARQL endpoint")
    found: list[str] = []
    if gsp_endpoint is None or update_endpoint is None:
        endpoint, gsp_endpoint, update_endpoint, found = _discover(
            endpoint, gsp_endpoint, update_endpoint, auth, token, timeout, method)
        if gsp_endpoint is None and method == "auto":
            method = "update"  # the server has no Graph Store endpoint
    gsp = check_url(gsp_endpoint or update_endpoint or endpoint, "Graph Store endpoint")
    upd = check_url(update_endpoint or endpoint, "SPARQL Update endpoint")
    client = Client(auth, token, timeout)
    store = open_store(store_or_path)
    started = time.perf_counter()
    sizes = graph_sizes(store)
    names = sorted(sizes) if graphs is None else [str(g) for g in graphs]
    missing = [n for n in names if n not in sizes]
    if missing:
        raise PushError(f"the store has no named graph {missing[0]}")
    report = PushReport(endpoint, gsp, upd, found=found)
    total = sum(sizes[n] for n in names)
    state = {"gsp": method != "update", "type": NTRIPLES, "sent": 0}
    for index, name in enumerate(names):
        item = GraphPush(name, 0)
        report.graphs.append(item)
        clock = time.perf_counter()
        for number, batch in enumerate(batches(graph_lines(store, name), batch_quads)):
            _send(client, state, gsp, upd, name, batch, first=number == 0, method=method)
            item.batches += 1
            item.triples += len(batch)
            state["sent"] += len(batch)
            if progress:
                progress(PushProgress(name, index, len(names), number, state["sent"], total))
        item.method = "gsp" if state["gsp"] else "update"
        item.seconds = time.perf_counter() - clock
    for item in report.graphs:
        item.remote = count_remote(client, endpoint, item.graph)
    report.seconds = time.perf_counter() - started
    return report


def _discover(endpoint, gsp, upd, auth, token, timeout, method):
    """The endpoints not given, found as for a remote store (kg_builder.remote.endpoints):
    the service description, else the usual places of the engine that answers."""
    from ..errors import StoreError
    from ..remote.endpoints import StoreURL, discover
    from ..remote.http import Credentials, HttpClient, RemoteError

    credentials = Credentials(auth[0], auth[1], None, "--user/--password-env") if auth else (
        Credentials(None, None, token, "--token-env") if token else Credentials())
    client = HttpClient(credentials, timeout=timeout, retries=1, ask_for=(
        "give --user NAME --password-env VAR (basic auth) or --token-env VAR (bearer token)"))
    spec = StoreURL.parse("sparql+" + endpoint)
    try:
        found = discover(spec, client, need_update=method == "update" and upd is None)
    except RemoteError as exc:  # the server answered: 401, 403, …
        message, _, fix = str(exc).partition("\nFix: ")
        raise PushError(message, fix or None, exc.status) from None
    except StoreError as exc:
        if "no SPARQL query endpoint" not in str(exc):
            message, _, fix = str(exc).partition("\nFix: ")
            raise PushError(message, fix or None) from None
        # not a server discovery knows: every protocol on the URL given, as before
        return endpoint, gsp or endpoint, upd or endpoint, [f"discovery: {str(exc).splitlines()[0]}; every protocol "
                                    "is sent to the endpoint given"]
    gsp = gsp or (found.gsp if method != "update" else None)
    if gsp is None and upd is None and found.update is None:
        raise PushError(
            f"{found.engine.label} at {found.query} offers neither the Graph Store Protocol "
            "nor SPARQL Update where kg-builder looked (" + "; ".join(found.found) + ")",
            "give --gsp URL or --update URL",
        )
    return found.query, gsp, upd or found.update, found.found


def _send(client, state, gsp, upd, name, batch, *, first, method) -> None:
    """One batch, by GSP while the server accepts it, else by SPARQL Update."""
    if state["gsp"]:
        body = ("\n".join(batch) + "\n").encode("utf-8") if batch else b""
        verb = "PUT" if first else "POST"
        try:
            client.request(verb, _with_graph(gsp, name), body, {"Content-Type": state["type"]})
            state["gsp_ok"] = True
            return
        except PushError as exc:
            if exc.status == 415 and state["type"] == NTRIPLES:
                state["type"] = TURTLE  # N-Triples is Turtle; older stores know only the latter
                client.request(verb, _with_graph(gsp, name), body, {"Content-Type": TURTLE})
                state["gsp_ok"] = True
                return
            fallback = first and method == "auto" and not state.get("gsp_ok")
            if not (fallback and exc.status in NO_GSP):
                raise _gsp_hint(exc, gsp) if exc.status in NO_GSP else exc
            state["gsp"] = False  # no Graph Store Protocol there: SPARQL Update from now on
    data = "\n".join(batch)
    text = f"INSERT DATA {{ GRAPH <{name}> {{\n{data}\n}} }}"
    if first:
        text = f"DROP SILENT GRAPH <{name}> ;\n" + (text if batch else "")
    try:
        client.request(
            "POST", upd, text.encode("utf-8"), {"Content-Type": "application/sparql-update"}
        )
    except PushError as exc:
        if exc.status in (400, 404, 405, 415, 501) and not state.get("update_ok"):
            raise PushError(
                str(exc).split("\nFix: ")[0],
                f"{upd} does not take SPARQL updates: give the store's update endpoint with "
                "--update URL (Oxigraph: /update, Fuseki: /<dataset>/update), or its Graph "
                "Store endpoint with --gsp URL (Oxigraph: /store, Fuseki: /<dataset>/data)",
                exc.status,
            ) from None
        raise
    state["update_ok"] = True


def _gsp_hint(exc: PushError, gsp: str) -> PushError:
    return PushError(
        str(exc).split("\nFix: ")[0],
        f"{gsp} does not speak the Graph Store Protocol: give the right --gsp URL (Oxigraph: "
        "/store, Fuseki: /<dataset>/data), or use --method update with --update URL",
        exc.status,
    )


def count_remote(client: Client, endpoint: str, graph: str) -> int:
    """Triples the server holds in one named graph, by the SPARQL 1.1 Protocol."""
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    _, body = client.request(
        "POST",
        endpoint,
        urllib.parse.urlencode({"query": query}).encode("ascii"),
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/sparql-results+json",
        },
    )
    try:
        bindings = json.loads(body)["results"]["bindings"]
        return int(bindings[0]["n"]["value"]) if bindings else 0
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise PushError(
            f"{endpoint} did not answer the count query with SPARQL JSON results ({exc})",
            "check that --endpoint is the SPARQL query endpoint (Oxigraph: /query)",
        ) from None
