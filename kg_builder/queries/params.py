"""Parameter values as RDF terms: typed values, entities found by label, binding.

Values are bound by the engine as terms (never pasted into the query text): `bind()` turns
the given values and the declared defaults into terms, an `entity` by `resolve_entity()`
(IRI, prefixed name, id, label or alias, case and accents ignored).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from .catalogue import TYPES, CatalogueQuery
from .errors import QueryUsageError
from .lexer import PREFIX_MAP, shape

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


# The label properties and values paired in one VALUES block: Oxigraph (0.5) looks each pair
# up in an index (0.1 ms at 10^6 quads for the four), where a bound variable inside a UNION or
# an alternative path makes it scan every label (100 ms). The values are written as terms
# (escaped SPARQL strings), never as raw text.
_LABELLED = """
SELECT DISTINCT ?e WHERE {
  VALUES (?p ?v) { %s }
  ?e ?p ?v . ?e a ?class . ?class rdfs:subClassOf* kg:Entity
}"""
_ALL_LABELS = """
SELECT ?e ?l WHERE {
  ?e rdfs:label|skos:altLabel ?l .
  ?e a ?class . ?class rdfs:subClassOf* kg:Entity .
}"""
_IS_ENTITY = """
SELECT ?e WHERE { ?e a ?class . ?class rdfs:subClassOf* kg:Entity }"""


def _quoted(value: str) -> str:
    """A SPARQL string literal of `value` (every character that may not stand in one escaped)."""
    for raw, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
        value = value.replace(raw, escaped)
    return f'"{value}"'


def resolve_entity(store, name: str, value: str) -> URIRef:
    """An entity given by IRI, prefixed name, id, label or alias (case and accents ignored)."""
    term = _as_iri(value, PREFIX_MAP)
    if term is not None:
        if not store.select(_IS_ENTITY, {"e": term}, prefixes=PREFIX_MAP):
            raise QueryUsageError(f"parameter {name}: no entity {term.n3()} in the graph")
        return term
    quoted = _quoted(value)
    pairs = " ".join(
        f"({prop} {literal})"
        for prop in ("rdfs:label", "skos:altLabel")
        for literal in (quoted, quoted + "@en")
    )
    found = sorted({r["e"] for r in store.select(_LABELLED % pairs, prefixes=PREFIX_MAP)})
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
