"""The graph store behind one small interface.

Callers (queries, stats, validation, exports) talk to a `Store`; the in-memory rdflib store
is the one implementation today, and a persistent Oxigraph store can replace it without
touching them (issue: scale).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from rdflib import Dataset, Graph, URIRef
from rdflib.query import Result
from rdflib.term import Node


class Store(Protocol):
    """What the rest of kg-builder needs from a store."""

    def select(self, sparql: str, bindings: dict[str, Node] | None = None) -> list[dict]: ...
    def ask(self, sparql: str) -> bool: ...
    def graph_names(self) -> list[URIRef]: ...
    def quads(self) -> Iterator[tuple]: ...
    def __len__(self) -> int: ...


class QueryError(Exception):
    """A SPARQL query is malformed or failed; the message says where."""


class MemoryStore:
    """An rdflib Dataset held in memory; SPARQL's default graph is the union of all graphs."""

    def __init__(self, dataset: Dataset):
        self.dataset = dataset
        self.dataset.default_union = True

    def _query(self, sparql: str, bindings=None) -> Result:
        try:
            return self.dataset.query(sparql, initBindings=bindings or {})
        except Exception as exc:  # pyparsing / evaluation errors: never crash the caller
            raise QueryError(f"SPARQL error: {exc}") from exc

    def select(self, sparql: str, bindings: dict[str, Node] | None = None) -> list[dict]:
        result = self._query(sparql, bindings)
        if result.type != "SELECT":
            raise QueryError(f"expected a SELECT query, got {result.type}")
        names = [str(v) for v in result.vars]
        return [{n: row[i] for i, n in enumerate(names)} for row in result]

    def ask(self, sparql: str) -> bool:
        result = self._query(sparql)
        if result.type != "ASK":
            raise QueryError(f"expected an ASK query, got {result.type}")
        return bool(result.askAnswer)

    def construct(self, sparql: str) -> Graph:
        result = self._query(sparql)
        if result.graph is None:
            raise QueryError("expected a CONSTRUCT or DESCRIBE query")
        return result.graph

    def graph_names(self) -> list[URIRef]:
        return sorted(
            g.identifier
            for g in self.dataset.graphs()
            if isinstance(g.identifier, URIRef)
            and len(g)
            and g.identifier != URIRef("urn:x-rdflib:default")
        )

    def quads(self):
        return self.dataset.quads((None, None, None, None))

    def __len__(self) -> int:
        return sum(1 for _ in self.quads())
