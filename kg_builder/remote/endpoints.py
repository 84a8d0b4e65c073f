"""A remote store's address, and finding its update and Graph Store endpoints.

The `--store` value of a remote store is its SPARQL query endpoint (or the server's base URL)
with `sparql+` before the scheme; kg-builder's own settings ride in the URL's query string and
are taken off before any request:

    sparql+http://127.0.0.1:7878/query
    sparql+https://triples.example.org/ds/sparql?update=https://…/ds/update&gsp=https://…/ds/data
    sparql+http://127.0.0.1:8890/sparql?engine=virtuoso&timeout=120&retries=5

Settings: update=URL, gsp=URL (or gsp=none), engine=oxigraph|fuseki|virtuoso|generic,
timeout=SECONDS (per request, default 60), retries=N (default 3), tls-verify=false,
dataset=auto|named|union (how queries name their dataset: see remote.store).

Discovery (`discover`), given only the query URL or the base URL:
1. the query endpoint: the URL itself, else (a base URL) its /query and /sparql, each asked
   `ASK {}`; the answer's headers name the engine (dialect.recognise);
2. the service description (GET with Accept: text/turtle): an endpoint that lists
   sd:SPARQL11Update takes updates itself;
3. the update endpoint: the given one, else the service description's, else the engine's
   usual places (dialect), each probed with `CLEAR SILENT GRAPH <urn:kg-builder:probe>`
   (which changes nothing);
4. the Graph Store endpoint: the given one, else the engine's usual places, each probed with
   `HEAD ?default`.
What was found, and how, is in `Endpoints.found`; `kg store info` prints it.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass, field

from ..errors import StoreError
from .dialect import ENGINES, Engine, recognise
from .http import Credentials, HttpClient, RemoteError

SCHEMES = ("sparql+http://", "sparql+https://")
PROBE_GRAPH = "urn:kg-builder:probe"
_SETTINGS = ("update", "gsp", "engine", "timeout", "retries", "tls-verify", "dataset")
DATASET_MODES = ("auto", "named", "union")
SD_UPDATE = "http://www.w3.org/ns/sparql-service-description#SPARQL11Update"


def is_remote(store: str | None) -> bool:
    return isinstance(store, str) and store.startswith(SCHEMES)


@dataclass(frozen=True)
class StoreURL:
    """A parsed `sparql+http(s)://` store value."""

    query: str
    update: str | None = None
    gsp: str | None = None  # "none": do not use the Graph Store Protocol
    engine: str | None = None
    timeout: float = 60.0
    retries: int = 3
    verify: bool = True
    #: how queries name their dataset: "named" (every graph of the build, always), "union"
    #: (the server's own union default graph, while no build runs), "auto" (union where the
    #: engine's union holds nothing but the stored graphs and the server has it on)
    dataset: str = "auto"

    @classmethod
    def parse(cls, value: str) -> StoreURL:
        if not is_remote(value):
            raise StoreError(f"{value!r} is not a remote store",
                             "a remote store is written sparql+http://host:port/path")
        url = value[len("sparql+"):]
        parts = urllib.parse.urlsplit(url)
        if not parts.netloc:
            raise StoreError(f"the store URL {value!r} has no host",
                             "write it as sparql+http://host:port/sparql")
        kept, settings = [], {}
        for key, val in urllib.parse.parse_qsl(parts.query, keep_blank_values=True):
            (settings.__setitem__(key, val) if key in _SETTINGS else kept.append((key, val)))
        query = urllib.parse.urlunsplit(
            (parts.scheme, parts.netloc, parts.path or "/", urllib.parse.urlencode(kept), "")
        )
        engine = settings.get("engine")
        if engine is not None and engine not in ENGINES:
            raise StoreError(f"unknown engine {engine!r} in the store URL",
                             f"use one of {', '.join(ENGINES)}")
        try:
            timeout = float(settings.get("timeout", 60))
            retries = int(settings.get("retries", 3))
        except ValueError:
            raise StoreError(f"timeout= and retries= in {value!r} must be numbers") from None
        for key in ("update", "gsp"):
            given = settings.get(key)
            if given and given != "none" and not given.startswith(("http://", "https://")):
                raise StoreError(f"{key}={given!r} in the store URL is not an http(s) URL")
        verify = settings.get("tls-verify", "true").lower() not in ("false", "0", "no")
        dataset = settings.get("dataset", "auto")
        if dataset not in DATASET_MODES:
            raise StoreError(f"dataset={dataset!r} in the store URL",
                             f"use one of {', '.join(DATASET_MODES)}")
        return cls(query, settings.get("update"), settings.get("gsp"), engine, timeout,
                   retries, verify, dataset)

    @property
    def is_base(self) -> bool:
        return urllib.parse.urlsplit(self.query).path in ("", "/")

    def client(self, credentials: Credentials | None = None) -> HttpClient:
        return HttpClient(credentials or Credentials.from_env(), timeout=self.timeout,
                          retries=self.retries, verify=self.verify if not self.verify else None)


@dataclass
class Endpoints:
    query: str
    update: str | None
    gsp: str | None
    engine: Engine
    version: str | None = None
    found: list[str] = field(default_factory=list)  # how each was found, for `kg store info`

    def as_dict(self) -> dict:
        return {"query": self.query, "update": self.update, "gsp": self.gsp,
                "engine": self.engine.name, "engine_version": self.version,
                "found": list(self.found)}


def _ask(client: HttpClient, url: str):
    body = urllib.parse.urlencode({"query": "ASK {}"}).encode("ascii")
    status, headers, data = client.request(
        "POST", url, body,
        {"Content-Type": "application/x-www-form-urlencoded",
         "Accept": "application/sparql-results+json"}, retry=False)
    try:
        answer = json.loads(data)
    except ValueError:
        return None
    return headers if isinstance(answer, dict) and "boolean" in answer else None


def _service_description(client: HttpClient, url: str) -> set[str]:
    """The sd:supportedLanguage and sd:feature IRIs the endpoint describes (empty if none)."""
    from rdflib import Graph

    try:
        _, headers, data = client.request("GET", url, None,
                                          {"Accept": "text/turtle, application/rdf+xml;q=0.5"},
                                          retry=False)
    except RemoteError:
        return set()
    kind = headers.get("Content-Type", headers.get("content-type", "")).split(";")[0].strip()
    fmt = {"text/turtle": "turtle", "application/rdf+xml": "xml",
           "application/n-triples": "nt"}.get(kind)
    if fmt is None:
        return set()
    g = Graph()
    try:
        g.parse(data=data, format=fmt, publicID=url)
    except Exception:  # noqa: BLE001 - a description we cannot read is no description
        return set()
    return {str(o) for p, o in g.predicate_objects() if str(p).endswith(
        ("#supportedLanguage", "#feature"))}


def _takes_updates(client: HttpClient, url: str) -> str:
    """'yes', 'auth' (it wants other credentials), or 'no'."""
    body = urllib.parse.urlencode({"update": f"CLEAR SILENT GRAPH <{PROBE_GRAPH}>"})
    try:
        client.request("POST", url, body.encode("ascii"),
                       {"Content-Type": "application/x-www-form-urlencoded"}, retry=False)
        return "yes"
    except RemoteError as exc:
        return "auth" if exc.status in (401, 403) else "no"


def _speaks_gsp(client: HttpClient, url: str) -> str:
    sep = "&" if "?" in url else "?"
    try:
        client.request("HEAD", f"{url}{sep}default", None,
                       {"Accept": "application/n-triples"}, retry=False)
        return "yes"
    except RemoteError as exc:
        if exc.status is None or exc.status == 404:
            return "no"
        if exc.status in (401, 403) and client.credentials.kind is None:
            return "auth"
    # the path exists but HEAD failed (Virtuoso answers HEAD with 401 to Basic and 500 to
    # Digest): a GET of a graph that is not there tells (404 or 200: it speaks GSP)
    graph = urllib.parse.quote(PROBE_GRAPH, safe="")
    try:
        client.request("GET", f"{url}{sep}graph={graph}", None,
                       {"Accept": "application/n-triples"}, retry=False, ok_status=(404,))
        return "yes"
    except RemoteError as exc:
        return "auth" if exc.status in (401, 403) else "no"


def discover(spec: StoreURL, client: HttpClient | None = None, *,
             need_update: bool = False) -> Endpoints:
    """The endpoints of the server (see the module docstring). With need_update, a server
    with no update endpoint that kg-builder can use is an error that says where it looked."""
    client = client or spec.client()
    found: list[str] = []
    candidates = [spec.query]
    if spec.is_base:
        candidates = [spec.query.rstrip("/") + "/query", spec.query.rstrip("/") + "/sparql"]
    query = headers = None
    refused: list[str] = []
    for url in candidates:
        try:
            headers = _ask(client, url)
        except RemoteError as exc:
            if exc.status is None or exc.status in (401, 403):
                raise
            refused.append(f"{url} ({exc.status})")
            continue
        if headers is not None:
            query = url
            break
        refused.append(f"{url} (not a SPARQL answer)")
    if query is None:
        raise StoreError(
            f"no SPARQL query endpoint at {spec.query}: tried {', '.join(refused)}",
            "give the query endpoint itself (Oxigraph: /query, Fuseki: /<dataset>/sparql, "
            "Virtuoso: /sparql)",
        )
    found.append(f"query: {query} (answered ASK {{}})")
    engine, version = recognise(headers)
    if spec.engine:
        engine = ENGINES[spec.engine]
        found.append(f"engine: {engine.label} (engine= in the store URL)")
    else:
        found.append(f"engine: {engine.label}{' ' + version if version else ''} "
                     f"({'Server header' if engine.name != 'generic' else 'not recognised'})")
    described = _service_description(client, query)
    guesses = engine.candidates(query)

    update = spec.update
    if update:
        found.append(f"update: {update} (given)")
    else:
        tried = []
        order = ([query] if SD_UPDATE in described else []) + guesses["update"]
        for url in dict.fromkeys(order):
            answer = _takes_updates(client, url)
            tried.append(f"{url}: {answer}")
            if answer == "yes":
                how = "service description" if url == query and SD_UPDATE in described else (
                    "probe")
                update = url
                found.append(f"update: {url} ({how})")
                break
        if update is None:
            found.append("update: none (" + "; ".join(tried) + ")")
            if need_update:
                wants = [t for t in tried if t.endswith("auth")]
                raise StoreError(
                    f"{engine.label} at {query} takes no SPARQL updates kg-builder can send "
                    f"(tried {'; '.join(tried)})",
                    ("the server wants credentials there: set $KG_STORE_USER and "
                     "$KG_STORE_PASSWORD, or $KG_STORE_TOKEN") if wants else
                    ("give the update endpoint: add ?update=URL to the store URL" +
                     (" (Virtuoso: grant SPARQL_UPDATE to the SPARQL user, or use "
                      "/sparql-auth with a user that has it)" if engine.name == "virtuoso"
                      else "")),
                )
    gsp = None if spec.gsp == "none" else spec.gsp
    if spec.gsp:
        found.append(f"graph store: {spec.gsp} (given)")
    else:
        tried = []
        for url in guesses["gsp"]:
            answer = _speaks_gsp(client, url)
            tried.append(f"{url}: {answer}")
            if answer == "yes":
                gsp = url
                found.append(f"graph store: {url} (probe)")
                break
        if gsp is None:
            found.append("graph store: none, SPARQL Update is used instead ("
                         + "; ".join(tried) + ")")
    return Endpoints(query, update, gsp, engine, version, found)
