"""The SPARQL 1.1 Protocol side of `kg serve`: media types, the request's query and dataset,
and the service description. Queries are answered by the pool of workers.py, each answer
evaluated and written by answers.py.

Results are cut at `max_rows` rows (triples for CONSTRUCT/DESCRIBE) while they are read off
the engine, so a huge answer never has to fit in memory; the response then carries the header
`X-Result-Truncated: true`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, VOID, XSD

from ..queries import QueryFailed, QueryUsageError, checked, shape
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
