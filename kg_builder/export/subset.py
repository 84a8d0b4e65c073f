"""The network filters applied to the RDF itself, so that RDF exports take every filter.

`--only`, `--source` and `--min-confidence` are views over the store (queries.apply_view).
`--types` and the date window need more: the entities kept are those of the entity network
under the same filter (one rule for every export), and then

* fact graphs keep the assertions whose subject and entity object are kept, whose confidence
  passes and whose time overlaps the window, with the plain triples they support
  (queries.supported);
* the registry keeps the kept entities' descriptions;
* every other graph (sources, analysis) loses the triples that name a dropped entity.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ..analysis.projection import Filter, fact_graphs, find_graph, project, string_rows
from ..queries import apply_view, supported


def subset(store, filt: Filter):
    """A store that holds only what the filter keeps (the store itself for no filter)."""
    if not (filt.types or filt.windowed):
        return apply_view(store, filt.view)
    kept = set(project(store, filt))
    registry = find_graph(store, "graph/registry")
    entities = {
        e
        for (e,) in string_rows(
            store, f"SELECT DISTINCT ?e WHERE {{ GRAPH <{registry}> {{ ?e ?p ?o }} }}"
        )
    }
    dropped = entities - kept
    bundles, keep = fact_graphs(store, filt)
    graphs = [str(g) for g in store.graph_names() if str(g) not in bundles or str(g) in keep]
    lexical = store.lexical

    def name_of(term) -> str | None:
        """The IRI of an IRI term (rdflib URIRef or pyoxigraph NamedNode), else None."""
        return lexical(term) if type(term).__name__ in ("URIRef", "NamedNode") else None

    def keep(record: dict) -> bool:
        s, o = record.get("subject"), record.get("object")
        if s is None or name_of(s) not in kept:
            return False
        if o is not None and name_of(o) in dropped:
            return False
        if filt.min_confidence is not None:
            c = record.get("confidence")
            try:
                if c is None or Decimal(lexical(c)) < filt.min_confidence:
                    return False
            except InvalidOperation:
                return False
        low, high = record.get("notBefore"), record.get("notAfter")
        return filt.overlaps(
            lexical(low) if low is not None else None, lexical(high) if high is not None else None
        )

    def select(name: str, triples: list[tuple]) -> list[tuple]:
        if name in bundles:
            return supported(triples, keep, store.native)
        if name == registry:
            return [t for t in triples if name_of(t[0]) not in dropped]
        return [t for t in triples if name_of(t[0]) not in dropped and name_of(t[2]) not in dropped]

    return store.filtered_copy(graphs, select)
