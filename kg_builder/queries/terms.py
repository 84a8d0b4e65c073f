"""Oxigraph's answers in rdflib terms, made at the cost of reading them.

rdflib's constructors check and cast every value: a plain literal costs about 10 µs, twenty
times what reading its value off Oxigraph costs, and a 9,000-row answer spent a sixth of its
time there. Oxigraph's terms are already valid, so IRIs and plain or language-tagged
literals are made directly (the same objects rdflib's constructors make: checked once, at
import, against them); typed literals (numbers, dates) still go through rdflib's own
constructor, which casts their value. Every answer keeps a cache of the terms it made:
answers repeat their IRIs (classes, sources, hubs) and values.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from ..store import Answer, QueryError, from_ox

_XSD_STRING = str(XSD.string)
_new = str.__new__


def _iri(value: str) -> URIRef:
    return _new(URIRef, value)


def _plain(value: str, language: str | None) -> Literal:
    term = _new(Literal, value)
    term._language = language
    term._datatype = None
    term._value = value
    term._ill_typed = None
    return term


def _same(made, expected) -> bool:
    slots = ("_language", "_datatype", "_value", "_ill_typed")
    return (
        type(made) is type(expected)
        and str(made) == str(expected)
        and made == expected
        and hash(made) == hash(expected)
        and all(getattr(made, s, None) == getattr(expected, s, None) for s in slots)
    )


def _fast_paths_hold() -> bool:
    """Whether this rdflib makes the terms the direct way does (else its constructors are
    used: slower, never different)."""
    try:
        return (
            _same(_iri("https://example.org/a"), URIRef("https://example.org/a"))
            and _same(_plain("a b", None), Literal("a b"))
            and _same(_plain("a b", "en"), Literal("a b", lang="en"))
        )
    except Exception:  # noqa: BLE001 - any surprise means: do not take the short cut
        return False


if not _fast_paths_hold():  # pragma: no cover - depends on the installed rdflib

    def _iri(value: str) -> URIRef:  # noqa: F811
        return URIRef(value)

    def _plain(value: str, language: str | None) -> Literal:  # noqa: F811
        return Literal(value, lang=language)


def converter():
    """A pyoxigraph term -> rdflib term function, with its own cache (one per answer)."""
    import pyoxigraph as ox

    named, literal = ox.NamedNode, ox.Literal
    cache: dict = {}
    datatypes: dict = {}

    def convert(term):
        if term is None:
            return None
        found = cache.get(term)
        if found is not None:
            return found
        kind = type(term)
        if kind is named:
            found = _iri(term.value)
        elif kind is literal:
            language = term.language
            if language:
                found = _plain(term.value, language)
            else:
                dt = term.datatype.value
                if dt == _XSD_STRING:
                    found = _plain(term.value, None)
                else:
                    iri = datatypes.get(dt)
                    if iri is None:
                        iri = datatypes[dt] = URIRef(dt)
                    found = Literal(term.value, datatype=iri)
        else:
            found = from_ox(term)
        cache[term] = found
        return found

    return convert


def oxigraph_answer(store, text: str, bindings: dict, prefixes: dict, describe: bool) -> Answer:
    """The whole answer of a query on an OxigraphStore, in rdflib terms (see Answer)."""
    import pyoxigraph as ox

    result = store._query(text, bindings, prefixes)
    try:
        if isinstance(result, ox.QueryBoolean):
            return Answer("ASK", boolean=bool(result))
        convert = converter()
        if isinstance(result, ox.QueryTriples):
            graph = Graph()
            add = graph.add
            for t in result:
                add((convert(t.subject), convert(t.predicate), convert(t.object)))
            return Answer("DESCRIBE" if describe else "CONSTRUCT", graph=graph)
        names = [v.value for v in result.variables]
        return Answer("SELECT", names, [tuple(map(convert, sol)) for sol in result])
    except (OSError, RuntimeError, ValueError) as exc:  # evaluation is lazy
        raise QueryError(f"SPARQL error: {exc}") from exc
