"""What a query is before an engine sees it: a small SPARQL lexer (form, prefixes, variables,
SERVICE and LOAD), the checks run on every query (refused forms, unknown prefixes), and the
engine's syntax errors located on the query's own line.

`shape()` is cached by text: the catalogue's queries are lexed once per process, not on
every run.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ..build import PREFIXES
from ..store import QuerySyntaxError
from .errors import QueryFailed, QueryUsageError

#: The prefixes every query may use without declaring them.
PREFIX_MAP = {name: str(ns) for name, ns in PREFIXES.items()}
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


@dataclass(frozen=True)
class Shape:
    """What the lexer tells about a query or update before an engine sees it."""

    form: str  # SELECT ASK CONSTRUCT DESCRIBE UPDATE, or "" if unrecognised
    variables: list[str]
    prefixes: dict[str, Token]  # declared in the text
    prefixed_names: list[Token]
    services: list[Token]
    loads: list[Token]  # the IRI of each LOAD
    projection: list[str] | None = None  # variables of the outer SELECT clause (None: SELECT *)


@functools.lru_cache(maxsize=512)
def shape(text: str) -> Shape:
    """The form, variables, prefixes, SERVICE and LOAD clauses of a query or update (the same
    object for the same text: do not change it)."""
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
