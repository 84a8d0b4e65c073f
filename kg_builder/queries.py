"""SPARQL for researchers: the query catalogue, safe parameters, views and execution.

- `Catalogue` reads queries/*.rq (and queries/checks/*.rq): one question per file, with a header
  of `# Question:`, `# Parameter: NAME (TYPE[, default VALUE]): meaning`, `# Column: NAME:
  meaning` lines, free notes, and optionally `# Variant-of: OTHER` (the body of another file
  with other defaults).
- `prepare()` checks a query before anything runs: its form (an update is refused unless
  writes are allowed), SERVICE clauses (refused unless allowed: no outbound requests),
  unknown prefixes (line, column and token), and parameters (an unknown name lists the known
  ones; values become RDF terms bound by the engine, never pasted into the text).
- `View` restricts what a query sees (only curated facts, some sources, a minimum
  confidence) without rewriting the query.
- `run()` executes with a timeout and returns a `QueryResult`; `serialize()` writes SPARQL
  1.1 results (JSON, CSV, TSV, XML) or, for CONSTRUCT/DESCRIBE, any RDF syntax.
"""

from __future__ import annotations

import ctypes
import difflib
import gc
import io
import re
import threading
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from . import resources
from .build import PREFIXES
from .errors import KGError, Problem, ProblemsError
from .ontology import KG
from .store import Answer, QueryError, QuerySyntaxError

PREFIX_MAP = {name: str(ns) for name, ns in PREFIXES.items()}
TYPES = ("entity", "iri", "string", "integer", "decimal", "date", "boolean")
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
UPDATE_WORDS = {
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "CREATE",
    "DROP",
    "COPY",
    "MOVE",
    "ADD",
    "WITH",
}
QUERY_WORDS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


class QueryUsageError(KGError):
    """The query was asked for wrongly: unknown name or parameter, bad value, refused form."""

    exit_code = 4


class QueryFailed(KGError):
    """The query does not parse, failed while running, or ran past its timeout."""

    exit_code = 6


class QueryTimeout(QueryFailed):
    pass


class CatalogueError(ProblemsError):
    """A catalogue file's header is malformed."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        super().__init__(problems, what="query catalogue")


# -- a small SPARQL lexer: enough to know the form, prefixes, variables and SERVICE ---------
_LEX = re.compile(
    r"""
  (?P<ws>\s+)
| (?P<comment>\#[^\n]*)
| (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
            |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
| (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
| (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
| (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w\u00B7\u00C0-\uFFFF.-]*)?:[\w\u00B7\u00C0-\uFFFF.:%\\-]*)
| (?P<word>[A-Za-z_][A-Za-z0-9_]*)
| (?P<other>.)
""",
    re.X | re.S,
)


@dataclass(frozen=True)
class Token:
    kind: str
    value: str
    line: int
    column: int


def tokens(text: str) -> list[Token]:
    """Significant tokens (no whitespace or comments), with 1-based line and column."""
    out = []
    line, line_start = 1, 0
    for m in _LEX.finditer(text):
        kind = m.lastgroup
        if kind not in ("ws", "comment"):
            out.append(Token(kind, m.group(), line, m.start() - line_start + 1))
        chunk = m.group()
        n = chunk.count("\n")
        if n:
            line += n
            line_start = m.start() + chunk.rfind("\n") + 1
    return out


@dataclass
class Shape:
    """What the lexer tells about a query or update before an engine sees it."""

    form: str  # SELECT ASK CONSTRUCT DESCRIBE UPDATE, or "" if unrecognised
    variables: list[str]
    prefixes: dict[str, Token]  # declared in the text
    prefixed_names: list[Token]
    services: list[Token]
    loads: list[Token]  # the IRI of each LOAD
    projection: list[str] | None = None  # variables of the outer SELECT clause (None: SELECT *)


def shape(text: str) -> Shape:
    toks = tokens(text)
    form = ""
    declared: dict[str, Token] = {}
    variables: list[str] = []
    names: list[Token] = []
    services: list[Token] = []
    loads: list[Token] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        word = t.value.upper() if t.kind == "word" else ""
        if word == "PREFIX" and i + 1 < len(toks) and toks[i + 1].kind == "pname":
            declared[toks[i + 1].value.split(":", 1)[0]] = toks[i + 1]
            i += 3
            continue
        if word == "BASE":
            i += 2
            continue
        if not form and word in QUERY_WORDS:
            form = word
        elif not form and word in UPDATE_WORDS:
            form = "UPDATE"
        if word == "SERVICE":
            services.append(t)
        if word == "LOAD":
            j = i + 1
            if j < len(toks) and toks[j].value.upper() == "SILENT":
                j += 1
            if j < len(toks) and toks[j].kind == "iri":
                loads.append(toks[j])
        if t.kind == "var" and t.value[1:] not in variables:
            variables.append(t.value[1:])
        if t.kind == "pname":
            names.append(t)
        i += 1
    projection = _projection(toks) if form == "SELECT" else None
    return Shape(form, variables, declared, names, services, loads, projection)


def _projection(toks: list[Token]) -> list[str] | None:
    """The variables the outer SELECT returns (None for SELECT *): plain variables, and the
    `?v` of each `(expression AS ?v)`."""
    start = next(i for i, t in enumerate(toks) if t.kind == "word" and t.value.upper() == "SELECT")
    out: list[str] = []
    depth = 0
    previous = None
    for t in toks[start + 1 :]:
        if depth == 0 and t.value == "*":
            return None
        if t.value == "{" or (t.kind == "word" and t.value.upper() in ("WHERE", "FROM")):
            break
        if t.value == "(":
            depth += 1
        elif t.value == ")":
            depth -= 1
        elif t.kind == "var" and (depth == 0 or (previous and previous.value.upper() == "AS")):
            if t.value[1:] not in out:
                out.append(t.value[1:])
        previous = t
    return out


# -- the catalogue ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: str | None
    description: str

    @property
    def optional(self) -> bool:
        return self.default is None

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "type": self.type,
            "default": self.default,
            "description": self.description,
        }


@dataclass
class CatalogueQuery:
    name: str
    path: Path
    question: str
    text: str
    parameters: dict[str, Parameter] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    variant_of: str | None = None
    check: bool = False
    #: "built-in" (shipped with kg-builder) or "project" (the project's queries/ folder)
    origin: str = "built-in"
    #: a project query that replaces the built-in query of the same name
    overrides: bool = False

    @property
    def form(self) -> str:
        return shape(self.text).form

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "question": self.question,
            "parameters": [p.as_dict() for p in self.parameters.values()],
            "columns": [{"name": k, "meaning": v} for k, v in self.columns.items()],
            "notes": " ".join(self.notes),
            "variant_of": self.variant_of,
            "origin": self.origin,
            "overrides": self.overrides,
            "file": str(self.path),
        }


_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)\s*\(\s*(?P<type>[a-z]+)\s*"
    r"(?:,\s*default\s+(?P<default>\"(?:[^\"\\]|\\.)*\"|[^)\s]+))?\s*\)\s*:\s*(?P<desc>.+)$"
)
_COLUMN = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*:\s*(?P<desc>.+)$")
_TAG = re.compile(r"^#\s?(?P<tag>Question|Parameter|Column|Variant-of|Check):\s*(?P<rest>.*)$")


def _default_value(raw: str | None) -> str | None:
    if raw is None:
        return None
    if raw.startswith('"') and raw.endswith('"'):
        return raw[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return raw


def parse_header(path: Path, text: str) -> tuple[CatalogueQuery, list[Problem]]:
    """A catalogue file's header and body; problems are located by file and line."""
    problems: list[Problem] = []
    rel = _display(path)
    query = CatalogueQuery(path.stem, path, "", "")
    lines = text.splitlines()
    last = None  # the Parameter/Column/Question a continuation line belongs to
    body_start = len(lines)
    for n, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped:
            last = None
            continue
        if not stripped.startswith("#"):
            body_start = n - 1
            break
        m = _TAG.match(stripped)
        if m is None:
            cont = stripped[1:]
            if last is not None and cont.startswith("   ") and cont.strip():
                kind, key = last
                extra = " " + cont.strip()
                if kind == "Parameter":
                    p = query.parameters[key]
                    query.parameters[key] = Parameter(
                        p.name, p.type, p.default, p.description + extra
                    )
                elif kind == "Column":
                    query.columns[key] += extra
                else:
                    query.question += extra
            elif cont.strip():
                query.notes.append(cont.strip())
                last = None
            continue
        tag, rest = m.group("tag"), m.group("rest").strip()
        if tag in ("Question", "Check"):
            query.question = rest
            query.check = tag == "Check"
            last = ("Question", None)
        elif tag == "Variant-of":
            query.variant_of = rest
            last = None
        elif tag == "Parameter":
            pm = _PARAM.match(rest)
            if pm is None:
                problems.append(
                    Problem(
                        rel,
                        n,
                        "malformed parameter line; expected "
                        "'# Parameter: NAME (TYPE[, default VALUE]): meaning'",
                    )
                )
                continue
            if pm.group("type") not in TYPES:
                problems.append(
                    Problem(
                        rel,
                        n,
                        f"unknown parameter type {pm.group('type')!r}; "
                        f"known types: {', '.join(TYPES)}",
                    )
                )
                continue
            param = Parameter(
                pm.group("name"),
                pm.group("type"),
                _default_value(pm.group("default")),
                pm.group("desc").strip(),
            )
            if param.name in query.parameters:
                problems.append(Problem(rel, n, f"parameter {param.name!r} is declared twice"))
            query.parameters[param.name] = param
            last = ("Parameter", param.name)
        else:  # Column
            cm = _COLUMN.match(rest)
            if cm is None:
                problems.append(
                    Problem(rel, n, "malformed column line; expected '# Column: NAME: meaning'")
                )
                continue
            query.columns[cm.group("name")] = cm.group("desc").strip()
            last = ("Column", cm.group("name"))
    query.text = "\n".join(lines[body_start:]).strip() + "\n"
    if not query.question:
        problems.append(Problem(rel, 1, "no '# Question:' (or '# Check:') line in the header"))
    return query, problems


def _display(path: Path) -> str:
    """A path as the user reads it: relative to the working directory when below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class Catalogue:
    """The named queries of one or more folders, checks under `checks/<name>`.

    `Catalogue()` is the built-in catalogue shipped with kg-builder; `Catalogue(folder)` one
    folder; `Catalogue(folders=[built_in, project])` layers them: a later folder adds its
    queries and replaces an earlier query of the same name (marked `overrides`). A catalogue
    with no query at all is an error, never an empty listing.
    """

    def __init__(self, folder: str | Path | None = None, *, folders=None):
        if folders is None:
            folders = [Path(folder) if folder else resources.queries_dir()]
        self.folders = [Path(f) for f in folders]
        self.folder = self.folders[-1]
        self.queries: dict[str, CatalogueQuery] = {}
        problems: list[Problem] = []
        for rank, base in enumerate(self.folders):
            if not base.is_dir():
                problems.append(Problem(_display(base), None, "query folder does not exist"))
                continue
            origin = "built-in" if rank == 0 and len(self.folders) > 1 else "project"
            if len(self.folders) == 1:
                origin = "built-in" if folder is None else "project"
            paths = sorted(base.glob("*.rq")) + sorted(base.glob("checks/*.rq"))
            for path in paths:
                try:
                    text = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    problems.append(Problem(_display(path), None, f"cannot read: {exc}"))
                    continue
                q, found = parse_header(path, text)
                if path.parent != base:
                    q.name = f"checks/{path.stem}"
                q.origin = origin
                q.overrides = q.name in self.queries
                problems += found
                self.queries[q.name] = q
        for q in self.queries.values():
            problems += self._resolve(q)
        if not problems and not self.queries:
            where = ", ".join(_display(f) for f in self.folders)
            problems.append(
                Problem(where, None, "no queries (*.rq files): the catalogue is empty")
            )
        if problems:
            raise CatalogueError(problems)

    def _resolve(self, q: CatalogueQuery) -> list[Problem]:
        rel = _display(q.path)
        if q.variant_of:
            base = self.queries.get(q.variant_of)
            if base is None or base.variant_of:
                return [Problem(rel, None, f"Variant-of names no query file: {q.variant_of!r}")]
            if q.text.strip():
                return [Problem(rel, None, "a variant has no query body of its own")]
            q.text = base.text
            q.parameters = {**base.parameters, **q.parameters}
            q.columns = q.columns or dict(base.columns)
            q.notes = q.notes or list(base.notes)
        problems = []
        variables = shape(q.text).variables
        for name in q.parameters:
            if name not in variables:
                problems.append(
                    Problem(rel, None, f"parameter {name!r} is not a variable (?{name})")
                )
        if not shape(q.text).form:
            problems.append(Problem(rel, None, "no SELECT, ASK, CONSTRUCT or DESCRIBE query"))
        return problems

    def __iter__(self):
        return iter(self.queries.values())

    def __len__(self) -> int:
        return len(self.queries)

    def names(self, checks: bool = False) -> list[str]:
        return [n for n in self.queries if checks or not n.startswith("checks/")]

    def get(self, name: str) -> CatalogueQuery:
        q = self.queries.get(name.removesuffix(".rq"))
        if q is None:
            known = self.names(checks=True)
            close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise QueryUsageError(
                f"no query named {name!r} in {', '.join(_display(f) for f in self.folders)}"
                f"{hint}; "
                f"known queries: {', '.join(known)}"
            )
        return q


# -- parameters --------------------------------------------------------------------------------
_CURIE = re.compile(r"^([A-Za-z][\w.-]*)?:(\S*)$")
_NUMBER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)$")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).casefold().split())


def _as_iri(value: str, prefixes: dict[str, str]) -> URIRef | None:
    if value.startswith("<") and value.endswith(">"):
        return URIRef(value[1:-1])
    if re.match(r"^[a-z][a-z0-9+.-]*://\S+$", value) or value.startswith("urn:"):
        return URIRef(value)
    m = _CURIE.match(value)
    if m and (m.group(1) or "") in prefixes:
        return URIRef(prefixes[m.group(1) or ""] + m.group(2))
    return None


def typed_value(name: str, kind: str, value: str, prefixes: dict[str, str]) -> Node:
    """A parameter value as an RDF term of its declared type (entity: see resolve_entity)."""

    def bad(expected: str) -> QueryUsageError:
        return QueryUsageError(f"parameter {name}: {value!r} is not {expected}")

    if kind == "iri":
        term = _as_iri(value, prefixes)
        if term is None:
            raise bad("an IRI (<https://...>, https://... or prefix:name)")
        return term
    if kind == "string":
        return Literal(value)
    if kind == "integer":
        if not _NUMBER.match(value.strip()):
            raise bad("an integer")
        return Literal(str(int(value)), datatype=XSD.integer)
    if kind == "decimal":
        if not _DECIMAL.match(value.strip()):
            raise bad("a decimal number (e.g. 0.8)")
        try:
            return Literal(format(Decimal(value).normalize(), "f"), datatype=XSD.decimal)
        except InvalidOperation as exc:
            raise bad("a decimal number (e.g. 0.8)") from exc
    if kind == "date":
        try:
            return Literal(date.fromisoformat(value.strip()).isoformat(), datatype=XSD.date)
        except ValueError as exc:
            raise bad("a date (YYYY-MM-DD)") from exc
    if kind == "boolean":
        if value.strip().lower() not in ("true", "false"):
            raise bad("true or false")
        return Literal(value.strip().lower(), datatype=XSD.boolean)
    raise bad(f"of a known type ({', '.join(TYPES)})")


def guess_term(value: str, prefixes: dict[str, str]) -> Node:
    """A value given for a variable of an ad-hoc query, read like a Turtle term."""
    term = _as_iri(value, prefixes)
    if term is not None:
        return term
    m = re.match(r'^"(.*)"(?:@([A-Za-z]+(?:-[A-Za-z0-9]+)*))?$', value, re.S)
    if m:
        return Literal(m.group(1), lang=m.group(2))
    if _NUMBER.match(value):
        return Literal(str(int(value)), datatype=XSD.integer)
    if _DECIMAL.match(value):
        return Literal(value, datatype=XSD.decimal)
    if value in ("true", "false"):
        return Literal(value, datatype=XSD.boolean)
    if re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        return typed_value("value", "date", value, prefixes)
    return Literal(value)


# One label property and one bound value per query: Oxigraph (0.5) evaluates a bound variable
# inside a UNION or an alternative path by scanning every label (100 ms at 10^6 quads), and a
# single pattern by an index look-up (0.1 ms).
_LABELLED = """
SELECT ?e ?v WHERE { ?e %s ?v . ?e a ?class . ?class rdfs:subClassOf* kg:Entity }"""
_ALL_LABELS = """
SELECT ?e ?l WHERE {
  ?e rdfs:label|skos:altLabel ?l .
  ?e a ?class . ?class rdfs:subClassOf* kg:Entity .
}"""
_IS_ENTITY = """
SELECT ?e WHERE { ?e a ?class . ?class rdfs:subClassOf* kg:Entity }"""


def resolve_entity(store, name: str, value: str) -> URIRef:
    """An entity given by IRI, prefixed name, id, label or alias (case and accents ignored)."""
    term = _as_iri(value, PREFIX_MAP)
    if term is not None:
        if not store.select(_IS_ENTITY, {"e": term}, prefixes=PREFIX_MAP):
            raise QueryUsageError(f"parameter {name}: no entity {term.n3()} in the graph")
        return term
    found = sorted(
        {
            r["e"]
            for prop in ("rdfs:label", "skos:altLabel")
            for literal in (Literal(value), Literal(value, lang="en"))
            for r in store.select(_LABELLED % prop, {"v": literal}, prefixes=PREFIX_MAP)
        }
    )
    if not found:  # case/accent-insensitive label, or the entity id (the IRI's last segment)
        want = _fold(value)
        everything = store.select(_ALL_LABELS, prefixes=PREFIX_MAP)
        found = sorted(
            {
                r["e"]
                for r in everything
                if _fold(r["l"]) == want or str(r["e"]).endswith("/" + value)
            }
        )
        if not found:
            labels = sorted({str(r["l"]) for r in everything})
            close = difflib.get_close_matches(value, labels, n=5, cutoff=0.6)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise QueryUsageError(f"parameter {name}: no entity is called {value!r}{hint}")
    if len(found) > 1:
        raise QueryUsageError(
            f"parameter {name}: {value!r} names {len(found)} entities "
            f"({', '.join(str(e) for e in found[:5])}); give the IRI"
        )
    return found[0]


def bind(store, query: CatalogueQuery | None, text: str, given: dict[str, str]) -> dict:
    """Parameter values as RDF terms: declared defaults, overridden by `given`."""
    bindings: dict[str, Node] = {}
    sh = shape(text)
    if query is None:
        for k in given:
            if k not in sh.variables:
                raise QueryUsageError(
                    f"the query has no variable ?{k} to bind; its variables: "
                    + (", ".join(sh.variables) or "none")
                )
    if sh.projection is not None:
        for k in given if query is None else query.parameters:
            if k not in sh.projection:
                raise QueryUsageError(
                    f"?{k} can be bound only if the query returns it: add it to the SELECT "
                    "clause (parameters are bound as in SPARQL 1.2's SEP-0007)"
                )
    if query is not None:
        unknown = [k for k in given if k not in query.parameters]
        if unknown:
            known = ", ".join(
                f"{p.name} ({p.type}{'' if p.optional else ', default ' + repr(p.default)})"
                for p in query.parameters.values()
            )
            raise QueryUsageError(
                f"{query.name} has no parameter {unknown[0]!r}; "
                + (f"its parameters: {known}" if known else "it takes no parameters")
            )
        for p in query.parameters.values():
            value = given.get(p.name, p.default)
            if value is None:
                continue
            if p.type == "entity":
                bindings[p.name] = resolve_entity(store, p.name, value)
            else:
                bindings[p.name] = typed_value(p.name, p.type, value, PREFIX_MAP)
        return bindings
    for k, v in given.items():
        bindings[k] = guess_term(v, PREFIX_MAP)
    return bindings


# -- views -------------------------------------------------------------------------------------
_BUNDLES = """
SELECT ?g ?source ?id ?method WHERE {
  ?g a prov:Bundle ; prov:wasDerivedFrom ?source ; kg:method ?m .
  OPTIONAL { ?source kg:corpusId ?cid }
  BIND(COALESCE(STR(?cid), REPLACE(STR(?source), "^.*/", "")) AS ?id)
  BIND(LCASE(STRAFTER(STR(?m), "#")) AS ?method)
}"""


@dataclass(frozen=True)
class View:
    """Which facts a query sees. Entities, sources and the ontology are always visible."""

    method: str | None = None  # "curated" or "extracted"
    sources: tuple[str, ...] = ()
    min_confidence: Decimal | None = None

    @property
    def everything(self) -> bool:
        return self.method is None and not self.sources and self.min_confidence is None

    def describe(self) -> str:
        parts = []
        if self.method:
            parts.append(f"only {self.method} facts")
        if self.sources:
            parts.append("sources " + ", ".join(self.sources))
        if self.min_confidence is not None:
            parts.append(f"confidence >= {self.min_confidence}")
        return "; ".join(parts) or "all facts"


def apply_view(store, view: View | None):
    """A store that sees only the facts of the view (the store itself if it sees all)."""
    if view is None or view.everything:
        return store
    if view.method not in (None, "curated", "extracted"):
        raise QueryUsageError(f"--only takes curated or extracted, not {view.method!r}")
    bundles = store.select(_BUNDLES, prefixes=PREFIX_MAP)
    known = sorted({str(r["id"]) for r in bundles})
    for sid in view.sources:
        if sid not in known:
            close = difflib.get_close_matches(sid, known, n=3, cutoff=0.5)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            listed = ", ".join(known[:12]) + (
                f" and {len(known) - 12} more" if len(known) > 12 else ""
            )
            raise QueryUsageError(f"no source {sid!r}{hint}; known sources: {listed}")
    fact_graphs = {str(r["g"]) for r in bundles}
    keep = {
        str(r["g"])
        for r in bundles
        if (view.method is None or str(r["method"]) == view.method)
        and (not view.sources or str(r["id"]) in view.sources)
    }
    graphs = [str(g) for g in store.graph_names() if str(g) not in fact_graphs or str(g) in keep]
    if view.min_confidence is None:
        return store.restricted(graphs)
    threshold = view.min_confidence

    def select(name: str, triples: list[tuple]) -> Iterable[tuple]:
        if name not in fact_graphs:
            return triples
        return confident(triples, threshold, store.native, store.lexical)

    return store.filtered_copy(graphs, select)


def confident(triples: list[tuple], threshold: Decimal, native, lexical) -> list[tuple]:
    """The triples of one fact graph that facts with confidence >= threshold support.

    An assertion below the threshold (or without a confidence) is dropped with its plain
    triple (unless another kept assertion of the graph supports it) and, for a quotation,
    the quotation's own description. Works on either backend's terms (`native` makes an IRI,
    `lexical` reads a literal).
    """

    def keep(record: dict) -> bool:
        c = record.get("confidence")
        try:
            return c is not None and Decimal(lexical(c)) >= threshold
        except InvalidOperation:
            return False

    return supported(triples, keep, native)


#: Properties of an assertion record handed to supported()'s `keep`, by name.
ASSERTION_FIELDS = {
    "subject": RDF.subject,
    "predicate": RDF.predicate,
    "object": RDF.object,
    "confidence": KG.confidence,
    "notBefore": KG.notBefore,
    "notAfter": KG.notAfter,
}


def supported(triples: list[tuple], keep, native) -> list[tuple]:
    """The triples of one fact graph that the assertions `keep` accepts still support.

    keep(record) sees a dict of the assertion's fields (ASSERTION_FIELDS, in the backend's
    terms). A rejected assertion is dropped with its plain triple, unless a kept assertion
    of the graph supports that triple too, and, for a quotation, with the quotation's own
    description.
    """
    a, assertion = native(str(RDF.type)), native(str(KG.Assertion))
    said = native(str(KG.said))
    fields = {native(str(iri)): name for name, iri in ASSERTION_FIELDS.items()}
    records: dict = {}
    statements = set()
    for s, p, o in triples:
        if p == a and o == assertion:
            statements.add(s)
        else:
            name = fields.get(p)
            if name is not None:
                records.setdefault(s, {})[name] = o
    kept_spo, dropped, dropped_spo = set(), set(), set()
    for st in statements:
        d = records.get(st, {})
        spo = (d.get("subject"), d.get("predicate"), d.get("object"))
        if keep(d):
            kept_spo.add(spo)
        else:
            dropped.add(st)
            dropped_spo.add(spo)
    dropped_spo -= kept_spo
    dropped_quotes = {o for (s, p, o) in dropped_spo if p == said}
    return [
        t
        for t in triples
        if t[0] not in dropped and t not in dropped_spo and t[0] not in dropped_quotes
    ]


# -- running -------------------------------------------------------------------------------------
@dataclass
class QueryResult:
    answer: Answer
    seconds: float
    name: str | None = None
    bindings: dict = field(default_factory=dict)
    view: View | None = None

    @property
    def form(self) -> str:
        return self.answer.form

    def dicts(self) -> list[dict]:
        return [dict(zip(self.answer.variables, row, strict=True)) for row in self.answer.rows]

    def __len__(self) -> int:
        a = self.answer
        if a.form == "SELECT":
            return len(a.rows)
        if a.graph is not None:
            return len(a.graph)
        return 1


def check_prefixes(text: str, sh: Shape) -> None:
    for t in sh.prefixed_names:
        prefix = t.value.split(":", 1)[0]
        if prefix not in sh.prefixes and prefix not in PREFIX_MAP:
            known = sorted(set(PREFIX_MAP) | set(sh.prefixes))
            raise QuerySyntaxError(
                f"unknown prefix '{prefix}:' in {t.value!r}; declare it with PREFIX, "
                f"or use one of {', '.join(p + ':' for p in known)}",
                t.line,
                t.column,
            )


def check_form(sh: Shape, allow_writes: bool, allow_service: bool) -> None:
    if sh.form == "UPDATE" and not allow_writes:
        raise QueryUsageError(
            "this is an update (INSERT/DELETE/LOAD/CLEAR...), and queries are read-only by "
            "default; pass --allow-writes to change the store (the next kg build replaces "
            "what you change: curate facts to keep them)"
        )
    if sh.services and not allow_service:
        t = sh.services[0]
        raise QueryUsageError(
            f"line {t.line}, column {t.column}: SERVICE sends the query to a remote endpoint; "
            "queries make no outbound requests unless you pass --allow-service"
        )
    for t in sh.loads:
        if not t.value[1:-1].startswith("file:"):
            raise QueryUsageError(
                f"line {t.line}, column {t.column}: LOAD {t.value} would fetch from the "
                "network; only file: IRIs can be loaded"
            )


def checked(text: str, allow_writes: bool, allow_service: bool) -> Shape:
    """The query's shape, once its form, SERVICE clauses and prefixes are found acceptable."""
    sh = shape(text)
    check_form(sh, allow_writes, allow_service)
    try:
        check_prefixes(text, sh)
    except QuerySyntaxError as exc:
        raise QueryFailed(describe_syntax_error(text, exc)) from exc
    return sh


class _Cancelled(BaseException):
    """Raised inside a worker thread whose query ran out of time."""


def _in_thread(fn, timeout: float | None):
    """fn() in a worker thread, stopped after `timeout` seconds.

    rdflib evaluates in Python and is interrupted at once. Oxigraph evaluates in Rust without
    the GIL; the caller gets QueryTimeout on time, and the worker stops at its next step in
    Python (the `kg query` command exits, which ends it for good).
    """
    if timeout is None:
        return fn()
    box: dict = {}

    def work():
        try:
            box["value"] = fn()
        except _Cancelled:
            box["cancelled"] = True
        except BaseException as exc:  # handed to the caller
            box["error"] = exc
        if "cancelled" in box:
            # The engine's result objects may sit in reference cycles with the traceback;
            # collect them here: Oxigraph's must be freed by the thread that made them.
            gc.collect()

    worker = threading.Thread(target=work, name="kg-query", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(worker.ident), ctypes.py_object(_Cancelled)
        )
        raise QueryTimeout(
            f"the query ran past its timeout of {timeout:g} s and was stopped; make it more "
            "selective (a parameter, a LIMIT) or allow more time with --timeout"
        )
    if "error" in box:
        raise box["error"]
    return box["value"]


def run(
    store,
    query: CatalogueQuery | str,
    params: dict[str, str] | None = None,
    view: View | None = None,
    timeout: float | None = None,
    allow_writes: bool = False,
    allow_service: bool = False,
) -> QueryResult:
    """Run a catalogue query (or a query text) on a store and return the whole answer."""
    named = isinstance(query, CatalogueQuery)
    text = query.text if named else query
    sh = checked(text, allow_writes, allow_service)
    if sh.form == "UPDATE":
        raise QueryUsageError("use update() (kg query run --allow-writes) for updates")
    bindings = bind(store, query if named else None, text, params or {})
    target = apply_view(store, view)
    started = time.perf_counter()
    try:
        answer = _in_thread(
            lambda: _execute(target, text, bindings, sh.form == "DESCRIBE"), timeout
        )
    except QuerySyntaxError as exc:
        raise QueryFailed(describe_syntax_error(text, exc)) from exc
    except QueryError as exc:
        raise QueryFailed(str(exc)) from exc
    return QueryResult(
        answer, time.perf_counter() - started, query.name if named else None, bindings, view
    )


def _execute(store, text: str, bindings: dict, describe: bool) -> Answer:
    if store.backend in ("oxigraph", "sparql"):
        return store.execute(text, bindings, PREFIX_MAP, describe=describe)
    return store.execute(text, bindings, PREFIX_MAP)


def describe_syntax_error(text: str, exc: QuerySyntaxError) -> str:
    """The engine's message with the line, a caret under the column and the token there."""
    if exc.line is None:
        return str(exc)
    lines = text.splitlines() or [""]
    line = lines[min(exc.line, len(lines)) - 1]
    col = max(1, exc.column or 1)
    on_line = [t for t in tokens(text) if t.line == exc.line]
    token = next((t.value for t in on_line if t.column <= col < t.column + len(t.value)), None)
    if token is None:
        rest = line[col - 1 :].split()
        before = [t.value for t in on_line if t.column < col]
        token = rest[0] if rest else (before[-1] if before else "end of line")
    return (
        f"syntax error at line {exc.line}, column {col}, near {token!r}: {exc.detail}\n"
        f"  {line}\n  {' ' * (col - 1)}^"
    )


def update(store_path, text: str, allow_service: bool = False) -> dict:
    """Apply a SPARQL update to an Oxigraph store as a new generation; the next kg build
    is then a full rebuild (the store no longer matches the curated files)."""
    from .store import OxigraphStore, edited_generation

    sh = checked(text, True, allow_service)
    if sh.form != "UPDATE":
        raise QueryUsageError("not an update: use run() for queries")
    started = time.perf_counter()
    reason = "changed by a SPARQL update; the next build is a full one"
    with edited_generation(store_path, reason) as writer:
        before = len(writer.db)
        try:
            OxigraphStore.wrap(writer.db).update(text, PREFIX_MAP)
        except QuerySyntaxError as exc:
            raise QueryFailed(describe_syntax_error(text, exc)) from exc
        except QueryError as exc:
            raise QueryFailed(str(exc)) from exc
        after = len(writer.db)
    gen = writer.committed
    return {
        "quads_before": before,
        "quads_after": after,
        "generation": gen.name,
        "seconds": time.perf_counter() - started,
    }


# -- output --------------------------------------------------------------------------------------
def serialize(result: QueryResult | Answer, fmt: str) -> str:
    """SPARQL 1.1 results (json, csv, tsv, xml) or, for graphs, an RDF syntax."""
    answer = result.answer if isinstance(result, QueryResult) else result
    if answer.form in ("CONSTRUCT", "DESCRIBE"):
        rdf = GRAPH_FORMATS.get(fmt)
        if rdf is None:
            raise QueryUsageError(
                f"a {answer.form} query gives a graph; --format takes one of "
                f"{', '.join(sorted(set(GRAPH_FORMATS)))}"
            )
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
    if fmt not in RESULT_FORMATS:
        raise QueryUsageError(
            f"a {answer.form} query gives results; --format takes table or one of "
            f"{', '.join(RESULT_FORMATS)}"
        )
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


__all__ = [
    "Catalogue",
    "CatalogueQuery",
    "Parameter",
    "QueryFailed",
    "QueryResult",
    "QueryTimeout",
    "QueryUsageError",
    "View",
    "apply_view",
    "labels",
    "run",
    "serialize",
    "shape",
    "update",
]
