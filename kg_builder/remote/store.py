"""`RemoteStore`: a SPARQL 1.1 server behind the same interface as the local stores.

Reading commands (query, analyze, export, stats, validate, serve, publish) take it where they
take an OxigraphStore. Every query goes to the server over the SPARQL 1.1 Protocol (POST,
form-encoded) with its dataset named: default-graph-uri = named-graph-uri = the graphs of the
current build (read from the store's manifest graph, see remote.build), or of a view. So the
server's own bookkeeping graphs and a running build's temporary graphs are never seen, and the
default graph is the union of the build's graphs on every engine, whatever the server's own
default is.

Naming a dataset costs Oxigraph one evaluation of each pattern per listed graph (20-35x slower
at 120 graphs, worse beyond). So where the server's default graph is already the union of its
named graphs and holds nothing else (`oxigraph serve --union-default-graph`; Fuseki with
tdb2:unionDefaultGraph), queries of the whole build name no dataset (`dataset=auto`, the
store URL's setting; `named` or `union` force either), except while a build holds the lock:
then they name it again, so the staged graphs stay unseen. The one triple of the manifest
graph is then visible to queries that ask for any triple in any graph.

Queries are parsed here first (by Oxigraph's parser, on an empty store), so a syntax error is
reported with the same line, column and caret as on a local store; what the server then
refuses is reported with the engine's name (dialect.explain_error).
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterable, Iterator
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from ..errors import StoreError
from ..store import Answer, AnswerForms, QueryError, _ox, _ox_syntax_error, from_ox, to_ox
from .dialect import (
    counting_query,
    expand_closures,
    explain_error,
    may_be_cut,
    normalise_binding,
    refused,
)
from .endpoints import Endpoints, StoreURL, discover
from .http import HttpClient, RemoteError

KGS = "https://w3id.org/kg-builder/store#"
MANIFEST_GRAPH = "urn:kg-builder:store:manifest"
LOCK_GRAPH = "urn:kg-builder:store:lock"
TMP_PREFIX = "urn:kg-builder:store:tmp:"
RESULTS_JSON = "application/sparql-results+json"
GRAPH_TYPES = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_RDF_FORMATS = {"application/n-triples": "nt", "text/plain": "nt", "text/turtle": "turtle",
                "application/x-turtle": "turtle", "application/rdf+xml": "xml",
                "text/rdf+n3": "n3", "application/ld+json": "json-ld"}


class RemoteStore(AnswerForms):
    """The current build in a remote SPARQL store (read-only: the build writes it)."""

    backend = "sparql"

    def __init__(self, value: str | StoreURL, *, endpoints: Endpoints | None = None,
                 client: HttpClient | None = None, require_build: bool = True):
        self.spec = value if isinstance(value, StoreURL) else StoreURL.parse(value)
        self.value = value if isinstance(value, str) else f"sparql+{self.spec.query}"
        self.client = client or self.spec.client()
        self.endpoints = endpoints or discover(self.spec, self.client)
        self.engine = self.endpoints.engine
        self._graphs: list[str] | None = None  # a view's graphs (None: the build's)
        self.manifest = read_manifest(self)
        if self.manifest is None and require_build:
            raise StoreError(
                f"the SPARQL store at {self.endpoints.query} holds no kg-builder build",
                f"build into it first: kg build --store {self.value}",
            )
        self.generation = None
        self.union = False
        self._lock_seen = (0.0, False)  # (when checked, a build running)
        self.union = self._use_union()

    # -- what a view sees --------------------------------------------------------------------
    @property
    def build_graphs(self) -> list[str]:
        return sorted(self.manifest.graphs) if self.manifest else []

    @property
    def restriction(self) -> list | None:
        return self._graphs

    @property
    def path(self) -> Path | None:
        return None

    def restricted(self, graphs: Iterable[str]) -> RemoteStore:
        view = RemoteStore.__new__(RemoteStore)
        view.__dict__.update(self.__dict__)
        view._graphs = [str(g) for g in graphs]
        return view

    def filtered_copy(self, graphs: Iterable[str], select):
        """The view's graphs, each reduced to select(name, triples), in an in-memory Oxigraph
        store: a --min-confidence view reads the triples of its graphs once."""
        from ..store import OxigraphStore

        ox = _ox()
        scratch = ox.Store()
        for name in graphs:
            node = ox.NamedNode(name)
            triples = [(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in self.graph_triples(name)]
            kept = select(name, triples) if select else triples
            scratch.bulk_extend(ox.Quad(s, p, o, node) for s, p, o in kept)
        return OxigraphStore.wrap(scratch)

    def _use_union(self) -> bool:
        """Whether queries of the whole build may go to the server's own union default graph
        (no dataset named: as fast as the engine goes) rather than list every graph."""
        mode = self.spec.dataset
        if mode == "named" or self.manifest is None:
            return False
        if mode == "auto" and (self.engine.cheap_datasets or not self.engine.clean_union):
            return False
        # the server's default graph is the union if it shows the manifest graph's triple
        found = self._ask_server(f"ASK {{ <{MANIFEST_GRAPH}> <{KGS}manifest> ?json }}")
        if mode == "union" and not found:
            raise StoreError(
                f"dataset=union, but the default graph of {self.endpoints.query} is not the "
                "union of its named graphs",
                "start the server with its union default graph on (oxigraph serve "
                "--union-default-graph; Fuseki: tdb2:unionDefaultGraph true), or drop "
                "dataset=union")
        return found

    def _build_running(self) -> bool:
        """A build holds the lock (so its staged graphs may be in the union): checked again
        at most once a second."""
        import time

        checked, running = self._lock_seen
        now = time.monotonic()
        if now - checked > 1.0:
            running = self._ask_server(f"ASK {{ GRAPH <{LOCK_GRAPH}> {{ ?s ?p ?o }} }}")
            self._lock_seen = (now, running)
        return running

    def _ask_server(self, query: str) -> bool:
        """An ASK of kg-builder's own, on the server's own dataset."""
        _, _, body = self._post("query", query, RESULTS_JSON, dataset=False)
        return bool(_json_results(body, self.engine).get("boolean"))

    def _dataset(self) -> list[tuple[str, str]]:
        if self._graphs is None and self.union and not self._build_running():
            return []  # the server's union default graph: the build's graphs (see _use_union)
        graphs = self._graphs if self._graphs is not None else self.build_graphs
        return [(k, g) for g in graphs for k in ("default-graph-uri", "named-graph-uri")]

    @staticmethod
    def native(iri: str):
        return _ox().NamedNode(iri)

    @staticmethod
    def lexical(term) -> str:
        return term.value

    # -- queries ------------------------------------------------------------------------------
    def _prepare(self, sparql: str, bindings=None, prefixes=None, update=False) -> str:
        """The text to send: checked by Oxigraph's parser, prefixes declared, bindings as a
        VALUES block at the start of the WHERE group."""
        ox = _ox()
        try:
            if update:
                ox.Store().update(sparql, prefixes=prefixes or None)
            else:
                ox.Store().query(sparql, prefixes=prefixes or None)
        except SyntaxError as exc:
            raise _ox_syntax_error(exc) from exc
        except (ValueError, OSError, RuntimeError):
            pass  # evaluation on the empty store: only the syntax was wanted
        text = sparql
        if bindings:
            text = bind_values(text, bindings)
        if prefixes:
            declared = _declared_prefixes(text)
            head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items()
                           if p not in declared)
            text = head + text
            self._head_lines = head.count("\n")  # for the line numbers of engine errors
        else:
            self._head_lines = 0
        if not self.engine.reliable_paths:
            text = expand_closures(text, self._closure)
        return text

    def _closure(self, predicate: str, target: str, with_self: bool) -> list[str]:
        """The subjects of `?x <predicate>* <target>` (or +), asked on their own: an engine
        that gets such paths wrong in joins gets this right. Cached for the store's life."""
        cache = self.__dict__.setdefault("_closures", {})
        key = (predicate, target, with_self)
        if key not in cache:
            op = "*" if with_self else "+"
            query = f"SELECT DISTINCT ?x WHERE {{ ?x <{predicate}>{op} <{target}> }}"
            _, _, body = self._post("query", query, RESULTS_JSON)
            rows = _json_results(body, self.engine).get("results", {}).get("bindings", [])
            cache[key] = sorted(r["x"]["value"] for r in rows if r["x"]["type"] == "uri")
        return cache[key]

    def _post(self, field: str, text: str, accept: str, dataset: bool = True):
        pairs = [(field, text)] + (self._dataset() if dataset else [])
        url = self.endpoints.query if field == "query" else self.endpoints.update
        if url is None:
            raise StoreError(f"{self.engine.label} at {self.endpoints.query} takes no updates",
                             "give the update endpoint: ?update=URL on the store URL")
        try:
            status, headers, body = self.client.request(
                "POST", url, urllib.parse.urlencode(pairs).encode("utf-8"),
                {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
            )
            partial = {k.lower(): v for k, v in headers.items()}.get("x-sql-state")
            if partial == "S1TAT":  # Virtuoso's "anytime" answer: cut by a time limit
                raise QueryError(f"{self.engine.label} stopped the query at its time limit "
                                 "and answered only part of it (X-SQL-State: S1TAT)")
            return status, headers, body
        except RemoteError as exc:
            if exc.status not in (401, 403, 404) and refused(exc.status, exc.body):
                raise QueryError(explain_error(self.engine, exc.status, exc.body,
                                               getattr(self, "_head_lines", 0))) from None
            raise

    def execute(self, sparql: str, bindings=None, prefixes=None, describe: bool = False) -> Answer:
        from ..queries import shape

        text = self._prepare(sparql, bindings, prefixes)
        form = shape(sparql).form
        # one kind of answer asked for: offered both, Virtuoso answers a CONSTRUCT in JSON
        accept = GRAPH_TYPES if form in ("CONSTRUCT", "DESCRIBE") else (
            RESULTS_JSON if form in ("SELECT", "ASK") else f"{RESULTS_JSON}, {GRAPH_TYPES}")
        _, headers, body = self._post("query", text, accept)
        kind = _content_type(headers)
        if kind in _RDF_FORMATS:
            return Answer("DESCRIBE" if describe else "CONSTRUCT",
                          graph=_parse_graph(body, kind, self.engine))
        answer = _json_results(body, self.engine)
        if "boolean" in answer:
            return Answer("ASK", boolean=bool(answer["boolean"]))
        names = answer.get("head", {}).get("vars", [])
        rows = [tuple(term_of(b.get(v)) for v in names)
                for b in answer.get("results", {}).get("bindings", [])]
        self._check_whole(text, len(rows))
        return Answer("SELECT", names, rows)

    def _check_whole(self, text: str, rows: int, dataset: bool = True) -> None:
        """Raise QueryError if the engine cut the answer at its silent row cap (dialect)."""
        if not may_be_cut(self.engine, text, rows):
            return
        try:
            _, _, body = self._post("query", counting_query(text), RESULTS_JSON, dataset)
            found = _json_results(body, self.engine)["results"]["bindings"]
            total = int(found[0]["kg_rows"]["value"])
        except (QueryError, RemoteError, KeyError, IndexError, ValueError):
            return  # the count cannot be had: nothing more is known
        if total > rows:
            raise QueryError(
                f"{self.engine.label} answered {rows:,} of the {total:,} rows: the server cuts "
                f"answers at {rows:,} rows without saying so (Virtuoso: [SPARQL] "
                "ResultSetMaxRows in virtuoso.ini); raise that limit, or page the query with "
                "LIMIT and OFFSET")

    def string_rows(self, sparql: str, prefixes=None, *, whole_store: bool = False) -> list[tuple]:
        """SELECT rows as plain strings. whole_store: over every graph of the server (the
        build's bookkeeping), not only the build's."""
        text = self._prepare(sparql, None, prefixes)
        _, _, body = self._post("query", text, RESULTS_JSON, dataset=not whole_store)
        answer = _json_results(body, self.engine)
        names = answer.get("head", {}).get("vars", [])
        bindings = answer.get("results", {}).get("bindings", [])
        self._check_whole(text, len(bindings), dataset=not whole_store)
        if not self.engine.standard_json:  # e.g. Virtuoso's booleans as 1/0
            bindings = [{k: normalise_binding(v) for k, v in b.items()} for b in bindings]
        return [tuple((b[v]["value"] if v in b else None) for v in names) for b in bindings]

    def update(self, sparql: str, prefixes=None) -> None:
        raise StoreError("a remote store is written by kg build, not by ad-hoc updates",
                         "change the curated files and run kg build")

    # -- graphs and quads ---------------------------------------------------------------------
    def graph_names(self) -> list[URIRef]:
        return [URIRef(g) for g in sorted(self._graphs if self._graphs is not None
                                          else self.build_graphs)]

    def graph_triples(self, name: str) -> Graph:
        """One named graph, read whole (Graph Store GET where the server has it)."""
        if self.endpoints.gsp:
            sep = "&" if "?" in self.endpoints.gsp else "?"
            url = f"{self.endpoints.gsp}{sep}graph={urllib.parse.quote(name, safe='')}"
            status, headers, body = self.client.request(
                "GET", url, None, {"Accept": GRAPH_TYPES}, ok_status=(404,))
            if status == 404:
                return Graph()
            return _parse_graph(body, _content_type(headers), self.engine)
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"
        _, headers, body = self._post("query", query, GRAPH_TYPES, dataset=False)
        return _parse_graph(body, _content_type(headers), self.engine)

    def graph_ntriples(self, name: str) -> list[str]:
        """One graph's triples as N-Triples lines (for the exports)."""
        ox = _ox()
        return [f"{ox.Triple(to_ox(s), to_ox(p), to_ox(o))} ."
                for s, p, o in self.graph_triples(name)]

    def quads(self) -> Iterator[tuple]:
        for name in self.graph_names():
            for s, p, o in self.graph_triples(str(name)):
                yield s, p, o, name

    def count(self, graph: str | None = None) -> int:
        where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "GRAPH ?g { ?s ?p ?o }"
        rows = self.string_rows(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}",
                                whole_store=graph is not None)
        return int(rows[0][0]) if rows and rows[0][0] is not None else 0

    def __len__(self) -> int:
        if self._graphs is None and self.manifest is not None:
            return sum(int(v.get("quads", 0)) for v in self.manifest.graphs.values())
        return self.count()

    def dataset(self) -> Dataset:
        """A local rdflib Dataset copy of what this store (or view) sees."""
        ds = Dataset(default_union=True)
        from ..build import PREFIXES

        for prefix, ns in PREFIXES.items():
            ds.bind(prefix, ns, override=True)
        for name in self.graph_names():
            g = ds.graph(name)
            for t in self.graph_triples(str(name)):
                g.add(t)
        return ds

    def dump(self, path: Path, fmt: str = "nquads", graph: str | None = None) -> None:
        ox = _ox()
        scratch = ox.Store()
        for name in [graph] if graph else [str(g) for g in self.graph_names()]:
            node = ox.NamedNode(name)
            scratch.bulk_extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), node)
                                for s, p, o in self.graph_triples(name))
        from ..store import OxigraphStore

        OxigraphStore.wrap(scratch).dump(path, fmt, graph)

    def close(self) -> None:
        pass

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# -- answers ------------------------------------------------------------------------------------
def _content_type(headers: dict) -> str:
    for k, v in headers.items():
        if k.lower() == "content-type":
            return v.split(";")[0].strip().lower()
    return ""


def _json_results(body: bytes, engine) -> dict:
    try:
        return json.loads(body)
    except ValueError:
        raise QueryError(f"{engine.label} did not answer with SPARQL JSON results: "
                         f"{body[:200]!r}") from None


def term_of(value: dict | None) -> Node | None:
    """An rdflib term from a SPARQL JSON results binding."""
    if value is None:
        return None
    value = normalise_binding(value)
    kind, text = value.get("type"), value.get("value", "")
    if kind == "uri":
        return URIRef(text)
    if kind == "bnode":
        return BNode(text)
    if value.get("xml:lang"):
        return Literal(text, lang=value["xml:lang"])
    datatype = value.get("datatype")
    return Literal(text, datatype=URIRef(datatype) if datatype else None)


def _parse_graph(body: bytes, kind: str, engine) -> Graph:
    fmt = _RDF_FORMATS.get(kind)
    if fmt is None:
        raise QueryError(f"{engine.label} answered with {kind or 'no content type'}, "
                         "not an RDF graph")
    g = Graph()
    try:
        g.parse(data=body, format=fmt)
    except Exception as exc:  # noqa: BLE001 - any parser failure is the server's answer
        raise QueryError(f"cannot read the graph {engine.label} sent ({kind}): {exc}") from None
    # the same values as a local store: language tags lower-case, xsd:string plain
    out = Graph()
    for s, p, o in g:
        if isinstance(o, Literal):
            o = term_of({"type": "literal", "value": str(o),
                         **({"xml:lang": o.language} if o.language else {}),
                         **({"datatype": str(o.datatype)} if o.datatype else {})})
        out.add((s, p, o))
    return out


# -- query text -----------------------------------------------------------------------------
def _declared_prefixes(text: str) -> set[str]:
    import re

    return set(re.findall(r"(?i)\bPREFIX\s+([A-Za-z][\w.-]*|)\s*:", text))


def bind_values(text: str, bindings: dict) -> str:
    """The query with `VALUES (?a ?b) { (t1 t2) }` first in the WHERE group of the query and
    of every sub-SELECT: the values are bound wherever the variables are used, as Oxigraph's
    substitutions bind them (a sub-SELECT is evaluated first, so one VALUES block in the
    outer group would not reach a FILTER inside it)."""
    from ..queries import tokens

    toks = tokens(text)
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def offset(tok) -> int:
        return offsets[tok.line - 1] + tok.column - 1

    braces = [toks[i + 1] for i, tok in enumerate(toks[:-1])
              if tok.value.upper() == "WHERE" and toks[i + 1].value == "{"]
    if not braces:  # SELECT * { … } or ASK { … }
        braces = [t for t in toks if t.value == "{"][:1]
    if not braces:
        raise QueryError("cannot bind parameters: the query has no WHERE group")
    names = list(bindings)
    values = " ".join(str(to_ox(bindings[n])) for n in names)
    block = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({values}) }} "
    for brace in sorted(braces, key=offset, reverse=True):
        at = offset(brace) + 1
        text = text[:at] + block + text[at:]
    return text


# -- the manifest ---------------------------------------------------------------------------
def read_manifest(store: RemoteStore):
    """The Manifest the last build left in the store's manifest graph, or None."""
    from ..store import Manifest

    query = (f"SELECT ?json WHERE {{ GRAPH <{MANIFEST_GRAPH}> "
             f"{{ <{MANIFEST_GRAPH}> <{KGS}manifest> ?json }} }}")
    _, _, body = store._post("query", query, RESULTS_JSON, dataset=False)
    rows = _json_results(body, store.engine).get("results", {}).get("bindings", [])
    if not rows:
        return None
    if len(rows) > 1:
        raise StoreError(f"the manifest graph <{MANIFEST_GRAPH}> holds {len(rows)} manifests",
                         f"rebuild the store: kg build --store {store.value} --full")
    try:
        data = json.loads(rows[0]["json"]["value"])
        graphs = data.pop("graphs")
        if not isinstance(graphs, dict):
            raise TypeError("'graphs' is not a mapping")
        return Manifest(graphs, data)
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"the store's manifest cannot be read: {exc}",
                         f"rebuild the store: kg build --store {store.value} --full") from None


__all__ = ["LOCK_GRAPH", "MANIFEST_GRAPH", "RemoteStore", "from_ox", "term_of"]
