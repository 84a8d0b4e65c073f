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
in worker processes (workers.QueryPool) so that the time limit can be enforced on Oxigraph;
pages and metadata are computed in the request thread (they are bounded look-ups).

Serving from memory (`in_memory=True`, `kg serve --in-memory`): every query worker holds its
own copy of the store in memory, loaded at start from one N-Quads dump of the generation this
server opened (workers.pool_for); pages and metadata are still read from the store on disk
(they are bounded look-ups). Later builds are not seen until the server restarts. A store
made by OxigraphStore.in_memory and given to make_server is served the same way, its pages
from the caller's copy.

Modules: this one (the server and make_server), handler.py (requests, /sparql, the query page),
linked.py (entities, ontology, VoID), sparql.py (the protocol), answers.py (evaluation and
serialisation in a worker), workers.py (the query workers).
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from http.server import ThreadingHTTPServer

from ..config import Settings
from ..errors import ConfigError
from ..ontology import ONTOLOGY_IRI
from .handler import Handler
from .workers import pool_for

DEFAULT_MAX_BODY = 1_048_576

__all__ = ["DEFAULT_MAX_BODY", "Handler", "KGServer", "make_server"]


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
        self.load_seconds = 0.0  # the workers' copies into memory (make_server's in_memory)
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
    in_memory: bool = False,
    log=sys.stderr,
) -> KGServer:
    """A server bound to host:port (port 0: a free one, see `.server_address`) with its query
    workers started; call `.serve_forever()` (in a thread, for tests) and `.shutdown()`.

    `store` defaults to the settings' graph (pipeline.open_graph). `in_memory`: the query
    workers answer from copies of the Oxigraph store in memory, made now (`.load_seconds`
    says how long it took); a store made by OxigraphStore.in_memory is always served so.
    `log` gets one line per request (None: silent).
    """
    if not timeout or timeout <= 0:
        raise ConfigError("--timeout must be a positive number of seconds")
    if max_rows < 1 or max_body < 1 or workers < 1:
        raise ConfigError("--max-rows, --max-body and --workers must be at least 1")
    if in_memory:
        _check_copyable(settings, store)
    owns_store = store is None
    if store is None:
        from ..pipeline import open_graph

        store = open_graph(settings)
    limits = {"timeout": timeout, "max_rows": max_rows, "max_body": max_body, "workers": workers}
    try:
        server = KGServer((host, port), settings, store, limits, log)
    except BaseException:
        if owns_store and hasattr(store, "close"):
            store.close()
        raise
    server.owns_store = owns_store
    started = time.perf_counter()
    try:
        server.pool = pool_for(store, workers, timeout, max_rows, log, in_memory=in_memory)
    except BaseException:
        server.server_close()
        raise
    if server.pool.spec[0] == "oxigraph-memory":
        server.load_seconds = time.perf_counter() - started
    return server


def _check_copyable(settings: Settings, store) -> None:
    """make_server(in_memory=True) copies an Oxigraph store: say so for any other."""
    if store is not None:
        if store.backend != "oxigraph":
            raise ConfigError(
                f"in_memory serves copies of an Oxigraph store; this store is {store.backend!r}"
            )
        return
    if settings.in_memory:
        raise ConfigError(
            "--in-memory copies a built store into memory; --store memory is in memory "
            "already (an rdflib build of the curated data): give one of them"
        )
    from ..remote.endpoints import is_remote

    if is_remote(settings.store):
        raise ConfigError(
            f"--in-memory copies a local store folder; {settings.store} is a remote SPARQL "
            "store (serve it from disk, or copy it into a local store with kg build)"
        )
