"""Answers written out: SPARQL 1.1 results (JSON, CSV, TSV, XML) or, for CONSTRUCT and
DESCRIBE, an RDF syntax; labels and short names for a terminal.

- `serialize()` writes a whole answer (a QueryResult or Answer, in rdflib terms) as text.
- `stream()` runs a query and writes its answer to a binary file as the engine produces it.
  On Oxigraph that goes through Oxigraph's own serialisers: a big answer is never held in
  memory, nor turned into rdflib terms. On the other stores (and for ASK, one value) it is
  run() and serialize().

Oxigraph's serialisations follow the SPARQL 1.1 results specifications as rdflib's do, with
differences of form: JSON and XML without indentation, TSV numbers and booleans written
bare (`27` rather than `"27"^^xsd:integer`), literals in the lexical form stored (rdflib
normalises some typed ones), CSV lines ended by CRLF (both do), Turtle with the predeclared
prefixes.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from ..build import PREFIXES
from ..store import Answer, QueryError
from .catalogue import CatalogueQuery
from .errors import QueryUsageError
from .lexer import PREFIX_MAP
from .running import Prepared, QueryResult, _execute, in_worker, prepare
from .views import View

RESULT_FORMATS = ("json", "csv", "tsv", "xml")
GRAPH_FORMATS = {
    "turtle": "turtle",
    "ttl": "turtle",
    "nt": "nt",
    "ntriples": "nt",
    "nquads": "nquads",
    "trig": "trig",
    "jsonld": "json-ld",
    "json-ld": "json-ld",
    "xml": "xml",
    "rdfxml": "xml",
    "n3": "n3",
}
#: Oxigraph's names of the formats (QueryResultsFormat, RdfFormat attributes).
_OX_RESULTS = {"json": "JSON", "csv": "CSV", "tsv": "TSV", "xml": "XML"}
_OX_RDF = {
    "turtle": "TURTLE",
    "nt": "N_TRIPLES",
    "nquads": "N_QUADS",
    "trig": "TRIG",
    "json-ld": "JSON_LD",
    "xml": "RDF_XML",
    "n3": "N3",
}


def check_format(form: str, fmt: str) -> None:
    """Raise QueryUsageError unless `fmt` can write the answer of a `form` query."""
    if form in ("CONSTRUCT", "DESCRIBE"):
        if fmt not in GRAPH_FORMATS:
            raise QueryUsageError(
                f"a {form} query gives a graph; --format takes one of "
                f"{', '.join(sorted(set(GRAPH_FORMATS)))}"
            )
    elif fmt not in RESULT_FORMATS:
        raise QueryUsageError(
            f"a {form} query gives results; --format takes table or one of "
            f"{', '.join(RESULT_FORMATS)}"
        )


def serialize(result: QueryResult | Answer, fmt: str) -> str:
    """SPARQL 1.1 results (json, csv, tsv, xml) or, for graphs, an RDF syntax."""
    answer = result.answer if isinstance(result, QueryResult) else result
    check_format(answer.form, fmt)
    if answer.form in ("CONSTRUCT", "DESCRIBE"):
        rdf = GRAPH_FORMATS[fmt]
        graph = answer.graph
        for prefix, ns in PREFIXES.items():
            graph.bind(prefix, ns, override=True)
        if rdf in ("nquads", "trig"):
            from rdflib import Dataset

            ds = Dataset()
            for prefix, ns in PREFIXES.items():
                ds.bind(prefix, ns, override=True)
            for t in graph:
                ds.add(t)
            return ds.serialize(format=rdf)
        return graph.serialize(format=rdf)
    if fmt == "tsv":
        return _tsv(answer)
    from rdflib.query import Result
    from rdflib.term import Variable

    res = Result(answer.form)
    if answer.form == "ASK":
        res.askAnswer = bool(answer.boolean)
    else:
        res.vars = [Variable(v) for v in answer.variables]
        res.bindings = [
            {Variable(k): v for k, v in zip(answer.variables, row, strict=True) if v is not None}
            for row in answer.rows
        ]
    if fmt == "csv" and answer.form == "ASK":
        return "_askResult\r\n" + ("true" if answer.boolean else "false") + "\r\n"
    out = io.BytesIO()
    res.serialize(out, format=fmt, encoding="utf-8")
    return out.getvalue().decode("utf-8")


def _tsv_term(term) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal):
        body = (
            str(term)
            .replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\n", "\\n")
            .replace("\r", "\\r")
            .replace("\t", "\\t")
        )
        if term.language:
            return f'"{body}"@{term.language}'
        if term.datatype is not None and term.datatype != XSD.string:
            return f'"{body}"^^<{term.datatype}>'
        return f'"{body}"'
    if isinstance(term, BNode):
        return f"_:{term}"
    return f"<{term}>"


def _tsv(answer: Answer) -> str:
    if answer.form == "ASK":
        return "?_askResult\n" + ("true" if answer.boolean else "false") + "\n"
    lines = ["\t".join("?" + v for v in answer.variables)]
    lines += ["\t".join(_tsv_term(t) for t in row) for row in answer.rows]
    return "\n".join(lines) + "\n"


def labels(store, terms: Iterable) -> dict:
    """rdfs:label of each IRI among `terms` (English first), looked up in batches."""
    iris = sorted({t for t in terms if isinstance(t, URIRef)})
    found: dict = {}
    for i in range(0, len(iris), 400):
        chunk = iris[i : i + 400]
        values = " ".join(t.n3() for t in chunk)
        rows = store.select(
            f"SELECT ?x ?l WHERE {{ VALUES ?x {{ {values} }} ?x rdfs:label ?l }}",
            prefixes=PREFIX_MAP,
        )
        for r in rows:
            lab = r["l"]
            prev = found.get(r["x"])
            if prev is None or (getattr(lab, "language", None) == "en" and prev[1] != "en"):
                found[r["x"]] = (str(lab), getattr(lab, "language", None))
    return {k: v[0] for k, v in found.items()}


def short(term, prefixes: dict[str, str] | None = None) -> str:
    """A term for a terminal: prefixed name where a known prefix fits, lexical form of
    literals."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        text = str(term)
        best = None
        for p, ns in (prefixes or PREFIX_MAP).items():
            if text.startswith(ns) and (best is None or len(ns) > len(best[1])):
                best = (p, ns)
        if best:
            return f"{best[0]}:{text[len(best[1]) :]}"
        return text
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def known_graph_formats() -> list[str]:
    return sorted(set(GRAPH_FORMATS))


# -- streaming -----------------------------------------------------------------------------------
@dataclass
class Streamed:
    """What stream() did: the query's form, time (running and writing), its name, bound
    parameters and view, and whether Oxigraph's serialisers wrote it as it was read."""

    form: str
    seconds: float
    name: str | None = None
    bindings: dict = field(default_factory=dict)
    view: View | None = None
    streamed: bool = False


def streams(store, form: str) -> bool:
    """Whether stream() writes this answer through Oxigraph's serialisers (an ASK answer is
    one value: it keeps serialize()'s form)."""
    return getattr(store, "backend", None) == "oxigraph" and form != "ASK"


class _Sink:
    """The output, remembering a failed write (a closed pipe, a full disk) so that it is
    told from a failing query."""

    def __init__(self, raw):
        self.raw = raw
        self.failed: BaseException | None = None
        self.writes = 0

    def write(self, data) -> int:
        self.writes += 1
        try:
            return self.raw.write(data)
        except BaseException as exc:
            self.failed = exc
            raise

    def flush(self) -> None:
        self.raw.flush()


def _write_oxigraph(p: Prepared, sink: _Sink, fmt: str) -> None:
    import pyoxigraph as ox

    result = p.store._query(p.text, p.bindings, PREFIX_MAP)
    try:
        if isinstance(result, ox.QueryTriples):
            syntax = getattr(ox.RdfFormat, _OX_RDF[GRAPH_FORMATS[fmt]])
            ox.serialize(result, sink, syntax, prefixes=PREFIX_MAP)
        elif isinstance(result, ox.QuerySolutions):
            result.serialize(sink, getattr(ox.QueryResultsFormat, _OX_RESULTS[fmt]))
        else:  # an ASK the lexer did not recognise as one
            sink.write(serialize(Answer("ASK", boolean=bool(result)), fmt).encode("utf-8"))
    except (OSError, RuntimeError, ValueError) as exc:  # evaluation is lazy
        failed, sink.failed = sink.failed, None  # no cycle: sink, error, traceback, sink
        if failed is None:
            raise QueryError(f"SPARQL error: {exc}") from exc
        try:
            raise failed from None
        finally:
            del failed


def stream(
    store,
    query: CatalogueQuery | str,
    out,
    fmt: str,
    params: dict[str, str] | None = None,
    view: View | None = None,
    timeout: float | None = None,
    allow_writes: bool = False,
    allow_service: bool = False,
) -> Streamed:
    """Run a query (as run() does) and write its answer in `fmt` to `out`: a binary file, or a
    path (written whole or not at all: a failed query leaves no file).

    The timeout covers running and writing (the answer is written as it is read)."""
    p = prepare(store, query, params, view, allow_writes, allow_service)
    check_format(p.form, fmt)
    if not isinstance(out, str | os.PathLike):
        return _stream(p, out, fmt, timeout)
    path = Path(out)
    tmp = path.with_name(f".{path.name}.part")
    try:
        with open(tmp, "wb") as fh:
            done = _stream(p, fh, fmt, timeout)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return done


def _stream(p: Prepared, out, fmt: str, timeout: float | None) -> Streamed:
    started = time.perf_counter()
    streamed = streams(p.store, p.form)
    if streamed:
        sink = _Sink(out)
        in_worker(lambda: _write_oxigraph(p, sink, fmt), p.text, timeout)
    else:
        answer = in_worker(lambda: _execute(p), p.text, timeout)
        out.write(serialize(answer, fmt).encode("utf-8"))
    out.flush()
    return Streamed(p.form, time.perf_counter() - started, p.name, p.bindings, p.view, streamed)
