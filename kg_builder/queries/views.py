"""Views: which facts a query sees (only curated or extracted facts, some sources, a minimum
confidence), made without rewriting the query: a store restricted to some named graphs, or a
filtered copy of them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from rdflib.namespace import RDF

from ..ontology import KG
from .errors import QueryUsageError
from .lexer import PREFIX_MAP

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
