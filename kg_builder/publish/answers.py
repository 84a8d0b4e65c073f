"""The answer to one protocol query, evaluated and serialised where it runs (a query worker).

On Oxigraph (on disk or in memory) the answer never becomes rdflib terms: solutions are
written by Oxigraph's own result serialisers, graphs by its RDF serialisers. The row limit is
applied while the engine's answer is read: SELECT results are first written as SPARQL TSV,
where every solution is one line (literals escape their line breaks), through a writer that
counts lines and stops the serialiser at `max_rows`; TSV is then what the client gets, or it is
parsed and written again, in Rust, as JSON, XML or CSV (a few ms for 10^4 rows, against 25 µs a
row through rdflib). CONSTRUCT/DESCRIBE triples are cut and freed of duplicates (the union
default graph repeats a triple stated in several graphs) as they pass to the serialiser.

Other stores (rdflib in memory, a remote SPARQL store) answer whole and are cut and written
through rdflib, as `kg query run` does.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

from rdflib import Graph

from ..queries import PREFIX_MAP, QueryFailed, describe_syntax_error, serialize
from ..store import Answer, QueryError, QuerySyntaxError

#: queries.serialize format names (see sparql.RESULT_TYPES) -> Oxigraph QueryResultsFormat.
_OX_RESULTS = {"json": "JSON", "xml": "XML", "csv": "CSV", "tsv": "TSV"}
#: sparql.GRAPH_TYPES format names -> Oxigraph RdfFormat.
_OX_GRAPHS = {
    "turtle": "TURTLE",
    "nt": "N_TRIPLES",
    "json-ld": "JSON_LD",
    "trig": "TRIG",
    "nquads": "N_QUADS",
    "xml": "RDF_XML",
}


@dataclass
class Outcome:
    """A serialised answer, as a worker hands it back."""

    body: bytes
    truncated: bool
    size: int  # rows, triples, or 1 for ASK
    seconds: float


def answer_bytes(store, request, max_rows: int) -> Outcome:
    """The serialised answer to a checked QueryRequest, cut at max_rows rows or triples."""
    started = time.perf_counter()
    if store.backend == "oxigraph":
        body, truncated, size = _oxigraph_answer(store, request, max_rows)
        return Outcome(body, truncated, size, time.perf_counter() - started)
    answer, truncated = evaluate(store, request, max_rows)
    body = serialize(answer, request.fmt).encode("utf-8")
    size = len(answer.rows) if answer.form == "SELECT" else (
        len(answer.graph) if answer.graph is not None else 1)
    return Outcome(body, truncated, size, time.perf_counter() - started)


# -- Oxigraph ------------------------------------------------------------------------------------
def _dataset(store, request) -> dict:
    import pyoxigraph as ox

    if request.default_graphs is not None:
        return {
            "default_graph": [ox.NamedNode(g) for g in request.default_graphs],
            "named_graphs": [ox.NamedNode(g) for g in request.named_graphs or []],
        }
    if store.restriction is not None:
        return {"default_graph": store.restriction, "named_graphs": store.restriction}
    return {"use_default_graph_as_union": True}


def _oxigraph_answer(store, request, max_rows: int) -> tuple[bytes, bool, int]:
    import pyoxigraph as ox

    from ..store import _ox_syntax_error

    text = request.text
    try:
        result = store.raw.query(text, prefixes=PREFIX_MAP, **_dataset(store, request))
    except SyntaxError as exc:
        raise QueryFailed(describe_syntax_error(text, _ox_syntax_error(exc))) from exc
    except (ValueError, OSError, RuntimeError) as exc:
        raise QueryFailed(f"SPARQL error: {exc}") from exc
    if isinstance(result, ox.QueryBoolean):  # one value: the CSV/TSV forms are kg-builder's
        body = serialize(Answer("ASK", boolean=bool(result)), request.fmt).encode("utf-8")
        return body, False, 1
    if isinstance(result, ox.QueryTriples):
        return _graph(result, request.fmt, max_rows)
    return _solutions(result, request.fmt, max_rows)


class _LineCut:
    """A binary writer that keeps what it is given up to its `limit`-th line, then stops the
    serialiser writing into it (by raising _Enough)."""

    def __init__(self, limit: int):
        self.limit = limit
        self.parts: list[bytes] = []
        self.lines = 0
        self.cut = False

    def write(self, data) -> int:
        data = bytes(data)
        lines = data.count(b"\n")
        if self.lines + lines >= self.limit:
            end = -1
            for _ in range(self.limit - self.lines):
                end = data.index(b"\n", end + 1)
            self.parts.append(data[: end + 1])
            self.lines = self.limit
            self.cut = True
            raise _Enough
        self.parts.append(data)
        self.lines += lines
        return len(data)

    def flush(self) -> None:
        pass


class _Enough(Exception):
    """Raised by _LineCut when it has its lines (not an error)."""


def _solutions(result, fmt: str, max_rows: int) -> tuple[bytes, bool, int]:
    import pyoxigraph as ox

    tsv = ox.QueryResultsFormat.TSV
    sink = _LineCut(max_rows + 2)  # the header, max_rows rows, one more
    try:
        result.serialize(sink, tsv)
    except BaseException as exc:  # noqa: BLE001 - our own stop signal may come back wrapped
        if not sink.cut:
            if isinstance(exc, OSError | RuntimeError | ValueError):  # evaluation is lazy
                raise QueryFailed(f"SPARQL error: {exc}") from exc
            raise
    data = b"".join(sink.parts)
    rows = max(0, data.count(b"\n") - 1)
    truncated = rows > max_rows
    if truncated:
        data = data[: data.rindex(b"\n", 0, len(data) - 1) + 1]
        rows = max_rows
    if fmt == "tsv":
        return data, truncated, rows
    if not data.strip(b"\n") and rows:  # solutions without variables: TSV cannot say how many
        return _no_variables(rows, fmt), truncated, rows
    target = getattr(ox.QueryResultsFormat, _OX_RESULTS[fmt])
    return ox.parse_query_results(data, format=tsv).serialize(format=target), truncated, rows


def _no_variables(rows: int, fmt: str) -> bytes:
    """`rows` solutions that bind nothing (SELECT * WHERE {} ...), in `fmt`."""
    answer = Answer("SELECT", [], [()] * rows)
    return serialize(answer, fmt).encode("utf-8")


def _graph(result, fmt: str, max_rows: int) -> tuple[bytes, bool, int]:
    import pyoxigraph as ox

    seen: set = set()
    state = {"truncated": False}
    as_quads = fmt in ("trig", "nquads")
    default = ox.DefaultGraph()

    def triples():
        for t in result:
            if t in seen:
                continue
            if len(seen) >= max_rows:
                state["truncated"] = True
                return
            seen.add(t)
            yield ox.Quad(t.subject, t.predicate, t.object, default) if as_quads else t

    syntax = getattr(ox.RdfFormat, _OX_GRAPHS[fmt])
    try:
        body = ox.serialize(triples(), format=syntax, prefixes=PREFIX_MAP)
    except (OSError, RuntimeError, ValueError) as exc:  # evaluation is lazy
        raise QueryFailed(f"SPARQL error: {exc}") from exc
    return body, state["truncated"], len(seen)


# -- the other stores ----------------------------------------------------------------------------
def evaluate(store, request, max_rows: int) -> tuple[Answer, bool]:
    """The whole answer of a store without Oxigraph's serialisers, cut at max_rows rows or
    triples, and whether it was cut."""
    try:
        answer = store.execute(request.text, None, PREFIX_MAP)
    except QuerySyntaxError as exc:
        raise QueryFailed(describe_syntax_error(request.text, exc)) from exc
    except QueryError as exc:
        raise QueryFailed(str(exc)) from exc
    if request.form == "DESCRIBE" and answer.form == "CONSTRUCT":
        answer.form = "DESCRIBE"
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
