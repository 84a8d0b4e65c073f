"""SPARQL for researchers: the query catalogue, safe parameters, views and execution.

One module per part, in the order a query goes through them:

- `lexer`: what a query is before an engine sees it (form, prefixes, variables, SERVICE),
  the checks every query passes, syntax errors located on the query's line;
- `catalogue`: queries/*.rq (and queries/checks/*.rq), one question per file, with a header
  of `# Question:`, `# Parameter:`, `# Column:` lines (see `Catalogue`);
- `params`: parameter values as RDF terms bound by the engine, never pasted into the text
  (an entity by IRI, id, label or alias);
- `views`: which facts a query sees (only curated facts, some sources, a minimum
  confidence), without rewriting the query;
- `running`: `run()` executes with a timeout and returns a `QueryResult`; `update()`;
- `terms`: Oxigraph's answers in rdflib terms, made quickly;
- `output`: `serialize()` writes SPARQL 1.1 results (JSON, CSV, TSV, XML) or, for
  CONSTRUCT/DESCRIBE, any RDF syntax; `stream()` writes a big answer as it is read, through
  Oxigraph's own serialisers.

Everything is importable from `kg_builder.queries` itself.
"""

from __future__ import annotations

from .catalogue import TYPES, Catalogue, CatalogueQuery, Parameter, parse_header
from .errors import CatalogueError, QueryFailed, QueryTimeout, QueryUsageError
from .lexer import (
    PREFIX_MAP,
    QUERY_WORDS,
    UPDATE_WORDS,
    Shape,
    Token,
    check_form,
    check_prefixes,
    checked,
    describe_syntax_error,
    shape,
    tokens,
)
from .output import (
    GRAPH_FORMATS,
    RESULT_FORMATS,
    Streamed,
    check_format,
    known_graph_formats,
    labels,
    serialize,
    short,
    stream,
    streams,
)
from .params import bind, guess_term, resolve_entity, typed_value
from .running import Prepared, QueryResult, prepare, run, update
from .views import ASSERTION_FIELDS, View, apply_view, confident, supported

__all__ = [
    "ASSERTION_FIELDS",
    "GRAPH_FORMATS",
    "PREFIX_MAP",
    "QUERY_WORDS",
    "RESULT_FORMATS",
    "TYPES",
    "UPDATE_WORDS",
    "Catalogue",
    "CatalogueError",
    "CatalogueQuery",
    "Parameter",
    "Prepared",
    "QueryFailed",
    "QueryResult",
    "QueryTimeout",
    "QueryUsageError",
    "Shape",
    "Streamed",
    "Token",
    "View",
    "apply_view",
    "bind",
    "check_form",
    "check_format",
    "check_prefixes",
    "checked",
    "confident",
    "describe_syntax_error",
    "guess_term",
    "known_graph_formats",
    "labels",
    "parse_header",
    "prepare",
    "resolve_entity",
    "run",
    "serialize",
    "shape",
    "short",
    "stream",
    "streams",
    "supported",
    "tokens",
    "typed_value",
    "update",
]
