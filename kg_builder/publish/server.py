"""`kg serve`: one HTTP process that publishes the graph the way linked-data clients expect.

Routes (GET and HEAD unless said):

    /                      the HTML query page (querypage.py)
    /sparql                SPARQL 1.1 Protocol: GET ?query=, POST form or application/
                           sparql-query; without a query: the service description (RDF
                           clients) or the query page (browsers)
    /id/...                entity pages (pages.entity_response), by content negotiation;
                           /id/....ttl|.nt|.jsonld|.html force a format
    /ontology              the ontology (pages.ontology_response); also the ontology IRI's
                           path when that IRI lies under the base IRI
    /.well-known/void      the VoID/DCAT dataset description (void.void_response)

Mapping of requests to IRIs: the path of a request is appended to the configured base IRI
(`--base-iri`, default `Settings.base_iri`), so http://127.0.0.1:8000/id/person/x answers for
<https://w3id.org/kg-builder/id/person/x>: the published graph is browsable locally without
changing any IRI. Entities use the direct pattern (200 with `Vary: Accept` and a
`Content-Location` naming the format-specific URL), never 303 redirects.

Why the standard library: a read-only endpoint needs no framework, and one process that
starts in a second on the built store is easier to run on a researcher's machine. Queries run
in worker processes (sparql.QueryPool) so that the time limit can be enforced on Oxigraph;
pages and metadata are computed in the request thread (they are bounded look-ups).
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import threading
import time
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from ..config import Settings
from ..errors import ConfigError
from ..ontology import ONTOLOGY_IRI
from ..queries import PREFIX_MAP
from .sparql import (
    DESCRIPTION_TYPES,
    ProtocolError,
    QueryRequest,
    negotiate,
    parse_query_request,
    pool_for,
    service_description,
    wants_json,
)

HTML = "text/html"
#: Linked-data syntaxes by URL suffix (forced format) and the other way round.
SUFFIXES = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".jsonld": "application/ld+json",
    ".html": HTML,
}
SUFFIX_OF = {media: suffix for suffix, media in SUFFIXES.items()}
#: RDF syntaxes offered for entities, the ontology and VoID when the modules do not say.
DEFAULT_RDF_TYPES = ["text/turtle", "application/n-triples", "application/ld+json"]
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
DEFAULT_MAX_BODY = 1_048_576
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")
_READ = ("GET", "HEAD", "OPTIONS")


class KGServer(ThreadingHTTPServer):
    """The HTTP server: routes, limits, the query pool, and the store pages are read from.

    `shutdown()` stops a running `serve_forever()` and then releases the socket and the
    worker processes, so a test or notebook needs only that one call.
    """

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, settings: Settings, store, limits: dict, log=sys.stderr):
        super().__init__(address, Handler)
        self.settings = settings
        self.base_iri = settings.base_iri
        self.store = store
        self.limits = limits
        self.log = log
        self.pool = None
        self.owns_store = False  # make_server opened it: close it with the server
        self._serving = False
        self._closed = False
        #: rdflib's in-memory graph is not meant for concurrent readers; Oxigraph is.
        self.page_lock = threading.Lock() if store.backend == "memory" else None
        self.graph_names = [str(g) for g in store.graph_names()]
        self.triples = len(store)
        self.catalogue = _catalogue(settings, log)
        onto = str(ONTOLOGY_IRI)
        self.ontology_paths = {"/ontology"}
        if onto.startswith(self.base_iri):
            self.ontology_paths.add("/" + onto[len(self.base_iri) :])

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}/"

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        self._serving = True
        try:
            super().serve_forever(poll_interval)
        finally:
            self._serving = False

    def shutdown(self) -> None:
        if self._serving:
            super().shutdown()
        self.server_close()

    def server_close(self) -> None:
        if self._closed:
            return
        self._closed = True
        super().server_close()
        if self.pool is not None:
            self.pool.close()
        if self.owns_store and hasattr(self.store, "close"):
            self.store.close()

    def pages_guard(self):
        return self.page_lock if self.page_lock is not None else contextlib.nullcontext()

    def say(self, line: str) -> None:
        if self.log is not None:
            with contextlib.suppress(OSError, ValueError):
                print(line, file=self.log, flush=True)


def _catalogue(settings: Settings, log) -> list:
    """The catalogue's queries for the query page; a broken catalogue only loses examples."""
    from ..errors import KGError
    from ..queries import Catalogue

    try:
        return list(Catalogue(folders=settings.query_folders))
    except KGError as exc:
        if log is not None:
            print(f"kg serve: the query catalogue is not shown: {exc}", file=log)
        return []


def make_server(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    timeout: float = 30.0,
    max_rows: int = 10_000,
    max_body: int = DEFAULT_MAX_BODY,
    workers: int = 2,
    store=None,
    log=sys.stderr,
) -> KGServer:
    """A server bound to host:port (port 0: a free one, see `.server_address`) with its query
    workers started; call `.serve_forever()` (in a thread, for tests) and `.shutdown()`.

    `store` defaults to the settings' graph (pipeline.open_graph). `log` gets one line per
    request (None: silent).
    """
    if not timeout or timeout <= 0:
        raise ConfigError("--timeout must be a positive number of seconds")
    if max_rows < 1 or max_body < 1 or workers < 1:
        raise ConfigError("--max-rows, --max-body and --workers must be at least 1")
    owns_store = store is None
    if store is None:
        from ..pipeline import open_graph

        store = open_graph(settings)
    limits = {"timeout": timeout, "max_rows": max_rows, "max_body": max_body, "workers": workers}
    server = KGServer((host, port), settings, store, limits, log)
    server.owns_store = owns_store
    try:
        server.pool = pool_for(store, workers, timeout, max_rows, log)
    except BaseException:
        server.server_close()
        raise
    return server


class Handler(BaseHTTPRequestHandler):
    """One request: route, check, answer; every failure becomes a status and a message."""

    server: KGServer
    protocol_version = "HTTP/1.1"
    server_version = "kg-builder"
    # Headers and body go out in two writes; without TCP_NODELAY a small body waits for the
    # client's delayed ACK (about 40 ms per request on keep-alive connections, measured).
    disable_nagle_algorithm = True
    error_content_type = "text/plain; charset=utf-8"

    # -- plumbing ----------------------------------------------------------------------------
    def handle_one_request(self) -> None:
        self._started = time.perf_counter()
        self._status = None
        self._body_pending = False
        self._json_errors = False
        super().handle_one_request()
        if self._status is not None:
            ms = (time.perf_counter() - self._started) * 1000
            path = urlsplit(self.path).path if getattr(self, "path", None) else "-"
            self.server.say(
                f'{self.client_address[0]} "{self.command or "-"} {path}" {self._status} '
                f"{ms:.0f} ms"
            )

    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
        """Silenced: handle_one_request logs one line per request instead."""

    def send_error(self, code, message=None, explain=None) -> None:
        """The base class's errors (bad request line, URI too long, unknown method) in our
        plain-text form."""
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "Error"
        self.close_connection = True
        self._error(code, message or explain or phrase)

    def _accept(self) -> str | None:
        return self.headers.get("Accept") if getattr(self, "headers", None) else None

    def _send(self, status: int, headers: dict, body: bytes) -> None:
        merged: dict[str, tuple[str, str]] = {}
        for name, value in {"Access-Control-Allow-Origin": "*", **headers}.items():
            if name.lower() not in ("content-length", "connection", "date", "server"):
                merged[name.lower()] = (name, str(value))
        if self._body_pending:  # we never read the body: the connection cannot be reused
            self.close_connection = True
        self.send_response(status)
        for name, value in merged.values():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self._status = status
        if self.command != "HEAD":
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

    def _error(self, status: int, message: str, headers: dict | None = None) -> None:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Error"
        if self._json_errors or wants_json(self._accept()):
            body = json.dumps(
                {"error": {"status": status, "reason": phrase, "message": message}},
                ensure_ascii=False,
                indent=1,
            ).encode("utf-8")
            ctype = "application/json"
        else:
            body = f"{status} {phrase}\n\n{message}\n".encode()
            ctype = "text/plain; charset=utf-8"
        self._send(status, {"Content-Type": ctype, **(headers or {})}, body)

    # -- methods -----------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_OPTIONS(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        length = self.headers.get("Content-Length")
        self._body_pending = bool(
            (length and length.strip() != "0") or self.headers.get("Transfer-Encoding")
        )
        try:
            split = urlsplit(self.path)
            route = self._route(split.path)
            if route is None:
                raise ProtocolError(
                    404,
                    f"nothing is published at {split.path}; try / (the query page), /sparql, "
                    "/id/<type>/<name>, /ontology or /.well-known/void",
                )
            handler, allowed = route
            if self.command == "OPTIONS":
                self._preflight(allowed)
                return
            if self.command not in allowed:
                raise ProtocolError(
                    405,
                    f"{self.command} is not allowed on {split.path}; allowed: "
                    f"{', '.join(allowed)}",
                    {"Allow": ", ".join(allowed)},
                )
            handler(split)
        except ProtocolError as exc:
            self._error(exc.status, exc.message, exc.headers)
        except Exception as exc:  # noqa: BLE001 - the server keeps serving whatever happens
            traceback.print_exc(file=sys.stderr)
            self._error(500, f"internal error: {type(exc).__name__}: {exc}")

    def _route(self, path: str):
        if path == "/":
            return self._query_page, _READ
        if path == "/sparql":
            return self._sparql, ("GET", "HEAD", "POST", "OPTIONS")
        if path == "/.well-known/void":
            return self._void, _READ
        stem, suffix = _split_suffix(path)
        if path in self.server.ontology_paths or stem in self.server.ontology_paths:
            return self._ontology, _READ
        if path.startswith("/id/") and len(path) > 4:
            return self._entity, _READ
        return None

    def _preflight(self, allowed) -> None:
        self._send(
            204,
            {
                "Allow": ", ".join(allowed),
                "Access-Control-Allow-Methods": ", ".join(allowed),
                "Access-Control-Allow-Headers": "Accept, Content-Type",
                "Access-Control-Max-Age": "86400",
            },
            b"",
        )

    # -- /sparql -----------------------------------------------------------------------------
    def _base_url(self) -> str:
        """http://host[:port] as the client addressed us (the Host header when sane)."""
        host = self.headers.get("Host", "")
        if not _HOST.match(host):
            host = self.server.url[len("http://") : -1]
        return f"http://{host}"

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            raise ProtocolError(411, "chunked request bodies are not accepted; send the body "
                                     "with a Content-Length")
        length = self.headers.get("Content-Length")
        if length is None:
            raise ProtocolError(411, "a POST needs a Content-Length header")
        try:
            size = int(length)
            if size < 0:
                raise ValueError
        except ValueError as exc:
            raise ProtocolError(400, f"bad Content-Length {length!r}") from exc
        limit = self.server.limits["max_body"]
        if size > limit:
            self._drain(size)
            raise ProtocolError(413, f"the request body has {size} bytes; this server accepts "
                                     f"at most {limit} (--max-body)")
        body = self.rfile.read(size) if size else b""
        self._body_pending = False
        if len(body) < size:
            self.close_connection = True
            raise ProtocolError(400, "the request body ended before its Content-Length")
        return body

    def _drain(self, size: int) -> None:
        """Read and drop a refused body of moderate size, so that the client, still sending
        it, gets our answer rather than a reset connection; a huge one closes the connection."""
        if size > max(16 * 1_048_576, 4 * self.server.limits["max_body"]):
            self.close_connection = True
            return
        left = size
        while left > 0:
            chunk = self.rfile.read(min(left, 65536))
            if not chunk:
                self.close_connection = True
                return
            left -= len(chunk)
        self._body_pending = False

    def _decode(self, body: bytes, ctype_header: str) -> str:
        charset = "utf-8"
        m = re.search(r"charset\s*=\s*\"?([\w.:-]+)", ctype_header, re.I)
        if m:
            charset = m.group(1)
        try:
            return body.decode(charset)
        except (LookupError, UnicodeDecodeError) as exc:
            raise ProtocolError(400, f"the request body is not valid {charset} text: {exc}") \
                from exc

    def _sparql(self, split) -> None:
        params = parse_qs(split.query, keep_blank_values=True)
        if self.command == "POST":
            header = self.headers.get("Content-Type", "")
            ctype = header.split(";")[0].strip().lower()
            if ctype == UPDATE:
                self._read_body_quietly()
                raise ProtocolError(403, "this endpoint is read-only: SPARQL updates are "
                                         "refused")
            if ctype not in (FORM, DIRECT):
                self._read_body_quietly()
                raise ProtocolError(415, f"a POST to /sparql takes Content-Type {FORM} (with "
                                         f"query=...) or {DIRECT} (the query as the body), "
                                         f"not {ctype or 'none'!r}")
            text = self._decode(self._read_body(), header)
            if ctype == FORM:
                params = {**params, **parse_qs(text, keep_blank_values=True)}
            else:
                if "query" in params:
                    raise ProtocolError(400, "the query was given both as the body and as a "
                                             "'query' parameter; give it once")
                params["query"] = [text]
        fmt = (params.get("format") or [None])[0]
        self._json_errors = wants_json(self._accept(), fmt)
        if self.command != "POST" and "query" not in params and "update" not in params:
            self._description(fmt)
            return
        request = parse_query_request(params, self._accept(), self.server.store.backend)
        self._answer(request)

    def _read_body_quietly(self) -> None:
        """Drain a small body we refuse, so the connection stays usable; else close it."""
        with contextlib.suppress(ProtocolError):
            self._read_body()

    def _answer(self, request: QueryRequest) -> None:
        outcome = self.server.pool.run(request)
        media = request.media_type
        ctype = media + ("; charset=utf-8" if media.startswith("text/") else "")
        headers = {"Content-Type": ctype, "Vary": "Accept"}
        headers["Access-Control-Expose-Headers"] = "X-Result-Truncated, X-Result-Size"
        headers["X-Result-Size"] = str(outcome.size)
        if outcome.truncated:
            headers["X-Result-Truncated"] = "true"
        self._send(200, headers, outcome.body)

    def _description(self, fmt: str | None) -> None:
        """GET /sparql without a query: the service description, or the page for browsers."""
        offers = [*DESCRIPTION_TYPES, HTML]
        if fmt:
            media = _format_media(fmt, offers)
        else:
            media = negotiate(self._accept(), offers)
        if media is None:
            raise ProtocolError(406, f"the service description is offered as "
                                     f"{', '.join(offers)}")
        if media == HTML:
            self._query_page(None, vary=True)
            return
        endpoint = self._base_url() + "/sparql"
        store = self.server.store
        graph = service_description(
            endpoint, self.server.graph_names, self.server.triples, self.server.limits,
            store.backend,
        )
        body = graph.serialize(format=DESCRIPTION_TYPES[media]).encode("utf-8")
        ctype = media + ("; charset=utf-8" if media.startswith("text/") else "")
        self._send(200, {"Content-Type": ctype, "Vary": "Accept"}, body)

    # -- the query page ------------------------------------------------------------------------
    def _query_page(self, split, vary: bool = False) -> None:
        from .querypage import render

        body = render(self.server.catalogue, self.server.base_iri, PREFIX_MAP)
        headers = {"Content-Type": "text/html; charset=utf-8"}
        if vary:
            headers["Vary"] = "Accept"
        self._send(200, headers, body)

    # -- linked data ---------------------------------------------------------------------------
    def _module(self, name: str):
        try:
            if name == "pages":
                from . import pages as module
            else:
                from . import void as module
        except ImportError as exc:
            raise ProtocolError(501, f"this installation cannot serve that yet "
                                     f"(kg_builder.publish.{name}: {exc})") from exc
        return module

    def _offers(self, module) -> list[str]:
        """The module's media types in its order of preference (its OFFERS: the first is
        what a client without an Accept header gets), so the server and the static site
        agree; else HTML and the usual RDF syntaxes."""
        offers = getattr(module, "OFFERS", None)
        return [str(t) for t in offers] if offers else [HTML, *DEFAULT_RDF_TYPES]

    def _choose(self, offers: list[str], forced: str | None, what: str) -> str:
        if forced is not None:
            if forced not in offers:
                raise ProtocolError(404, f"{what} is not published as {forced}")
            return forced
        media = negotiate(self._accept(), offers)
        if media is None:
            raise ProtocolError(406, f"{what} is offered as {', '.join(offers)}, none of "
                                     f"which the Accept header ({self._accept()}) takes")
        return media

    def _linked(self, response, stem: str, forced: str | None) -> None:
        status, headers, body = response
        headers = dict(headers)
        if forced is None:
            names = {k.lower() for k in headers}
            if "vary" not in names:
                headers["Vary"] = "Accept"
            ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
            suffix = SUFFIX_OF.get(ctype.split(";")[0].strip())
            if suffix and "content-location" not in names:
                headers["Content-Location"] = stem + suffix
        self._send(status, headers, body)

    def _entity(self, split) -> None:
        pages = self._module("pages")
        stem, suffix = _split_suffix(split.path)
        forced = SUFFIXES.get(suffix) if suffix else None
        if forced is None:
            stem = split.path
        media = self._choose(self._offers(pages), forced, "an entity")
        base = self.server.base_iri
        candidates = [base + stem[1:]]
        if "%" in stem:
            candidates.append(base + unquote(stem[1:]))
        response = None
        with self.server.pages_guard():
            for iri in candidates:
                response = pages.entity_response(self.server.store, iri, media,
                                                 self.server.settings)
                if response is not None:
                    break
        if response is None:
            raise ProtocolError(404, f"no entity <{candidates[0]}> in the graph")
        self._linked(response, stem, forced)

    def _ontology(self, split) -> None:
        pages = self._module("pages")
        stem, suffix = _split_suffix(split.path)
        forced = SUFFIXES.get(suffix) if stem in self.server.ontology_paths else None
        if forced is None:
            stem = split.path
        media = self._choose(self._offers(pages), forced, "the ontology")
        with self.server.pages_guard():
            response = pages.ontology_response(self.server.settings, media)
        self._linked(response, stem, forced)

    def _void(self, split) -> None:
        void = self._module("void")
        media = self._choose(self._offers(void), None, "the dataset description")
        with self.server.pages_guard():
            response = void.void_response(
                self.server.store, self.server.settings, media, self._base_url()
            )
        status, headers, body = response
        headers = dict(headers)
        if not any(k.lower() == "vary" for k in headers):
            headers["Vary"] = "Accept"
        self._send(status, headers, body)


def _split_suffix(path: str) -> tuple[str, str | None]:
    for suffix in SUFFIXES:
        if path.endswith(suffix) and len(path) > len(suffix) + 1:
            return path[: -len(suffix)], suffix
    return path, None


def _format_media(fmt: str, offers: list[str]) -> str | None:
    names = {
        "turtle": "text/turtle",
        "ttl": "text/turtle",
        "nt": "application/n-triples",
        "ntriples": "application/n-triples",
        "jsonld": "application/ld+json",
        "json-ld": "application/ld+json",
        "json": "application/ld+json",
        "xml": "application/rdf+xml",
        "rdfxml": "application/rdf+xml",
        "html": HTML,
    }
    media = names.get(fmt.strip().lower(), fmt.strip().lower())
    if media not in offers:
        raise ProtocolError(400, f"unknown format {fmt!r} for the service description; "
                                 f"format takes one of {', '.join(sorted(names))}")
    return media
