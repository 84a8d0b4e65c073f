"""RDF to NetworkX: the entity network, and the projections researchers derive from it.

The entity network is a MultiDiGraph:

* a node per entity (key: its IRI) with `label`, `type` (class name), `top_type` (Person,
  Organisation, Place or Event), `color` (from kg:displayColour), `wikidata`, `latitude`,
  `longitude`, `start`/`end` (ISO dates: when the node is in the story), the network metrics
  written back by `kg analyze` (`degree`, `betweenness`, `pagerank`, `eigenvector`,
  `community`), and one attribute per literal fact property (`date`, `numberOfPeople`, ...;
  several values joined with "; ");
* an edge per fact between two entities (key: the predicate's name) with `predicate` (IRI),
  `label`, `sources` and `methods` (";"-joined), `confidence` (the highest), `weight` (how many
  sources state it) and `start`/`end` from the fact's time qualifiers. Parallel edges with
  different predicates are kept.

Which properties become edges comes from the ontology (kg:networkEdge), as do colours
(kg:displayColour); literal fact properties become attributes. Every projection and export
takes the same Filter.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

import networkx as nx

from ..errors import KGError
from ..ontology import KG, Ontology

PREFIXES = """PREFIX kg: <https://w3id.org/kg-builder/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""

_BUNDLES = (
    PREFIXES
    + """SELECT ?g ?id ?method WHERE {
  ?g a prov:Bundle ; prov:wasDerivedFrom ?source ; kg:method ?m .
  OPTIONAL { ?source kg:corpusId ?cid }
  BIND(COALESCE(STR(?cid), REPLACE(STR(?source), "^.*/", "")) AS ?id)
  BIND(LCASE(STRAFTER(STR(?m), "#")) AS ?method)
}"""
)

_ENTITIES = (
    PREFIXES
    + """SELECT ?e ?type ?label ?wd ?lat ?long WHERE {
  GRAPH <%s> {
    ?e a ?type .
    OPTIONAL { ?e rdfs:label ?label }
    OPTIONAL { ?e owl:sameAs ?wd FILTER(STRSTARTS(STR(?wd), "http://www.wikidata.org/entity/")) }
    OPTIONAL { ?e kg:latitude ?lat ; kg:longitude ?long }
  }
}"""
)

_ASSERTIONS = (
    PREFIXES
    + """SELECT ?g ?s ?p ?o ?iri ?conf ?low ?high WHERE {
  GRAPH ?g {
    ?a a kg:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
    OPTIONAL { ?a kg:confidence ?conf }
    OPTIONAL { ?a kg:notBefore ?low }
    OPTIONAL { ?a kg:notAfter ?high }
  }
  BIND(IF(isIRI(?o), "true", "false") AS ?iri)  # a string: engines write booleans apart
}"""
)

#: Names of the metric attributes and the ontology properties that hold them in the graph.
METRIC_PROPERTIES = {
    "degree": KG.degreeCentrality,
    "betweenness": KG.betweennessCentrality,
    "pagerank": KG.pageRank,
    "eigenvector": KG.eigenvectorCentrality,
    "community": KG.community,
}


class NetworkError(KGError):
    """A projection, filter or analysis cannot be done as asked (unknown name, no path...)."""

    exit_code = 4


@dataclass(frozen=True)
class Filter:
    """Which facts and entities a projection or export keeps.

    method: curated or extracted; sources: source ids; min_confidence: facts below (or
    without) a confidence are dropped; types: class names (an entity is kept when its class
    is one of them or below one); start/end: a date window, a fact or event is kept when its
    time overlaps the window (undated ones are kept unless dated_only).
    """

    method: str | None = None
    sources: tuple[str, ...] = ()
    min_confidence: Decimal | None = None
    types: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    dated_only: bool = False

    @property
    def on_facts(self) -> bool:
        """True when the filter drops facts (so entities with no kept fact are dropped)."""
        return bool(
            self.method
            or self.sources
            or self.min_confidence is not None
            or self.start
            or self.end
            or self.dated_only
        )

    @property
    def windowed(self) -> bool:
        return bool(self.start or self.end or self.dated_only)

    @property
    def view(self):
        """The part of the filter that queries.View expresses (method, sources, confidence)."""
        from ..queries import View

        return View(self.method, self.sources, self.min_confidence)

    def describe(self) -> str:
        parts = [] if self.view.everything else [self.view.describe()]
        if self.types:
            parts.append("types " + ", ".join(self.types))
        if self.start or self.end:
            parts.append(f"from {self.start or '...'} to {self.end or '...'}")
        if self.dated_only:
            parts.append("dated facts only")
        return "; ".join(parts) or "all facts"

    def as_dict(self) -> dict:
        d = asdict(self)
        d["sources"] = list(self.sources)
        d["types"] = list(self.types)
        for k in ("start", "end", "min_confidence"):
            d[k] = None if d[k] is None else str(d[k])
        return d

    def overlaps(self, low: str | None, high: str | None) -> bool:
        """Whether a time span (ISO dates, None = unknown) overlaps the window."""
        if low is None and high is None:
            return not self.dated_only
        if self.end and low and date.fromisoformat(low) > self.end:
            return False
        if self.start and high and date.fromisoformat(high) < self.start:
            return False
        return True


def string_rows(store, sparql: str) -> list[tuple]:
    """Rows of plain strings (None where unbound), without rdflib terms on Oxigraph."""
    return store.string_rows(sparql)


def graph_names(store) -> list[str]:
    return sorted(str(g) for g in store.graph_names())


def find_graph(store, suffix: str) -> str | None:
    """The named graph whose IRI ends with suffix (the base IRI is the store's own)."""
    for name in graph_names(store):
        if name.endswith(suffix):
            return name
    return None


def fact_graphs(store, filt: Filter) -> tuple[dict[str, tuple[str, str]], set[str]]:
    """The fact graphs ({graph: (source id, method)}) and those the filter's --only and
    --source keep."""
    bundles = {g: (sid, method) for g, sid, method in string_rows(store, _BUNDLES)}
    keep = {
        g
        for g, (sid, method) in bundles.items()
        if (filt.method is None or method == filt.method)
        and (not filt.sources or sid in filt.sources)
    }
    return bundles, keep


def _check_filter(filt: Filter, onto: Ontology, known_sources: list[str]) -> None:
    if filt.method not in (None, "curated", "extracted"):
        raise NetworkError(f"--only takes curated or extracted, not {filt.method!r}")
    for sid in filt.sources:
        if sid not in known_sources:
            close = difflib.get_close_matches(sid, known_sources, n=3, cutoff=0.5)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise NetworkError(
                f"no source {sid!r}{hint}; known sources: {', '.join(known_sources[:12])}"
            )
    names = sorted(onto.entity_classes)
    for t in filt.types:
        if t not in onto.entity_classes:
            hint = onto.suggest(t, names)
            raise NetworkError(f"--types: no entity class {t!r}{hint}; classes: {', '.join(names)}")
    if filt.start and filt.end and filt.start > filt.end:
        raise NetworkError(f"the date window ends ({filt.end}) before it starts ({filt.start})")


def _number(text: str):
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    return int(value) if value == value.to_integral_value() and "." not in text else float(value)


def project(store, filt: Filter | None = None, onto: Ontology | None = None) -> nx.MultiDiGraph:
    """The entity network of the store's graph, as the filter selects it."""
    from ..ontology import load_ontology
    from ..resources import ontology_dir

    filt = filt or Filter()
    onto = onto or load_ontology(ontology_dir())
    registry = find_graph(store, "graph/registry")
    if registry is None:
        raise NetworkError("the graph has no entity registry (graph/registry): run kg build")

    bundles, keep_graphs = fact_graphs(store, filt)
    _check_filter(filt, onto, sorted({sid for sid, _ in bundles.values()}))

    # Entities: the registry, typed by the ontology's entity classes.
    classes = onto.entity_classes
    wanted = {KG[t] for t in filt.types}
    nodes: dict[str, dict] = {}
    for e, cls, label, wd, lat, lon in string_rows(store, _ENTITIES % registry):
        name = cls[len(KG) :] if cls.startswith(str(KG)) else None
        if name not in classes:
            continue
        info = classes[name]
        if wanted and not (wanted & info.supers):
            continue
        node = nodes.get(e)
        if node is None:
            top = onto.top_class(info.iri)
            node = nodes[e] = {
                "label": label or e.rsplit("/", 1)[-1],
                "type": name,
                "top_type": top[len(KG) :],
            }
            colour = onto.colour(info.iri)
            if colour:
                node["color"] = colour
        elif label and label < node["label"]:
            node["label"] = label
        if wd:
            node["wikidata"] = wd.rsplit("/", 1)[-1]
        if lat is not None and lon is not None:
            node["latitude"], node["longitude"] = float(lat), float(lon)

    # Facts: assertions in the kept graphs, merged per (subject, predicate, object).
    edge_props = {str(p.iri): p for p in onto.edge_properties.values()}
    attr_props = {str(p.iri): p for p in onto.attribute_properties.values()}
    edges: dict[tuple[str, str, str], dict] = {}
    attrs: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    spans: dict[str, list] = {}
    touched: set[str] = set()
    threshold = filt.min_confidence
    for g, s, p, o, is_iri, conf, low, high in string_rows(store, _ASSERTIONS):
        if g not in keep_graphs or s not in nodes:
            continue
        if threshold is not None and (conf is None or Decimal(conf) < threshold):
            continue
        if filt.windowed and not filt.overlaps(low, high):
            continue
        sid, method = bundles[g]
        if is_iri == "true":
            prop = edge_props.get(p)
            if prop is None or o not in nodes:
                continue
            key = (s, prop.name, o)
            edge = edges.get(key)
            if edge is None:
                edge = edges[key] = {
                    "predicate": p,
                    "label": prop.label or prop.name,
                    "sources": set(),
                    "methods": set(),
                    "confidence": None,
                    "lows": [],
                    "highs": [],
                    "undated": False,
                }
            edge["sources"].add(sid)
            edge["methods"].add(method)
            if conf is not None:
                c = float(conf)
                edge["confidence"] = c if edge["confidence"] is None else max(c, edge["confidence"])
            if low is None and high is None:
                edge["undated"] = True
            if low:
                edge["lows"].append(low)
            if high:
                edge["highs"].append(high)
            touched.update((s, o))
        else:
            prop = attr_props.get(p)
            if prop is None:
                continue
            attrs[s][prop.name].add(o)
            touched.add(s)
            if prop.name in ("earliestDate", "latestDate"):
                span = spans.setdefault(s, [None, None])
                i = 0 if prop.name == "earliestDate" else 1
                better = min if i == 0 else max
                span[i] = o if span[i] is None else better(span[i], o)

    G = nx.MultiDiGraph(
        name="kg-builder entity network",
        filter=filt.describe(),
        base=registry[: -len("graph/registry")],
    )
    for e in sorted(nodes):
        if filt.on_facts and e not in touched:
            continue
        node = nodes[e]
        if node["top_type"] == "Event":
            low, high = spans.get(e, (None, None))
            if filt.windowed and not filt.overlaps(low, high):
                continue
            if low:
                node["start"] = low
            if high:
                node["end"] = high
        for name, values in sorted(attrs.get(e, {}).items()):
            if name in node:
                continue
            ordered = sorted(values)
            node[name] = _number(ordered[0]) if len(ordered) == 1 else "; ".join(ordered)
        G.add_node(e, **node)

    for (s, key, o), edge in sorted(edges.items()):
        if s not in G or o not in G:
            continue
        data = {
            "predicate": edge["predicate"],
            "label": edge["label"],
            "sources": ";".join(sorted(edge["sources"])),
            "methods": ";".join(sorted(edge["methods"])),
            "weight": len(edge["sources"]),
        }
        if edge["confidence"] is not None:
            data["confidence"] = edge["confidence"]
        if edge["lows"]:
            data["start"] = min(edge["lows"])
        if edge["highs"] and not edge["undated"]:
            data["end"] = max(edge["highs"])
        G.add_edge(s, o, key=key, **data)

    _harmonise(G, {p.name for p in onto.attribute_properties.values()})
    _node_starts(G)
    _read_metrics(store, G)
    return G


def _harmonise(G: nx.MultiDiGraph, names: set[str]) -> None:
    """One type per attribute across the graph, as typed formats (GraphML, GEXF) need: when
    a literal fact is a number on one node and several values ("1300; 1340") on another, it
    is text on all of them."""
    kinds: dict[str, set[type]] = defaultdict(set)
    for _, d in G.nodes(data=True):
        for k, v in d.items():
            if k in names:
                kinds[k].add(type(v))
    numbers = {k for k, types in kinds.items() if types == {int, float}}
    mixed = {k for k, types in kinds.items() if len(types) > 1} - numbers
    if not (mixed or numbers):
        return
    for _, d in G.nodes(data=True):
        for k in mixed & d.keys():
            d[k] = str(d[k])
        for k in numbers & d.keys():
            d[k] = float(d[k])


def _node_starts(G: nx.MultiDiGraph) -> None:
    """A person, organisation or place enters the story with its first dated fact, or the
    first event it is tied to; events keep their own dates."""
    first: dict[str, str] = {}

    def seen_at(n: str, when: str | None) -> None:
        if when and (n not in first or when < first[n]):
            first[n] = when

    for s, o, data in G.edges(data=True):
        seen_at(s, data.get("start") or G.nodes[o].get("start"))
        seen_at(o, data.get("start") or G.nodes[s].get("start"))
    for n, when in first.items():
        node = G.nodes[n]
        if node["top_type"] != "Event":
            node["start"] = when


def _read_metrics(store, G: nx.MultiDiGraph) -> None:
    """Metrics written back by `kg analyze ... --write-back` become node attributes."""
    graph = find_graph(store, "graph/analysis")
    if graph is None:
        return
    names = {str(p): n for n, p in METRIC_PROPERTIES.items()}
    query = f"SELECT ?e ?p ?v WHERE {{ GRAPH <{graph}> {{ ?e ?p ?v }} }}"
    for e, p, v in string_rows(store, query):
        name = names.get(p)
        if name and e in G:
            G.nodes[e][name] = int(v) if name == "community" else float(v)


def evidence(store, facts: list[tuple[str, str, str]]) -> dict[tuple, list[tuple[str, str]]]:
    """(source id, verbatim evidence) of each (subject, predicate, object) entity fact."""
    if not facts:
        return {}
    values = " ".join(f"(<{s}> <{p}> <{o}>)" for s, p, o in sorted(set(facts)))
    query = (
        PREFIXES
        + f"""SELECT ?s ?p ?o ?id ?quote WHERE {{
  VALUES (?s ?p ?o) {{ {values} }}
  GRAPH ?g {{ ?a rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:evidence ?quote }}
  ?g prov:wasDerivedFrom ?source .
  OPTIONAL {{ ?source kg:corpusId ?cid }}
  BIND(COALESCE(STR(?cid), REPLACE(STR(?source), "^.*/", "")) AS ?id)
}} ORDER BY ?id"""
    )
    out: dict[tuple, list[tuple[str, str]]] = defaultdict(list)
    for s, p, o, sid, quote in string_rows(store, query):
        if (sid, quote) not in out[(s, p, o)]:
            out[(s, p, o)].append((sid, quote))
    return dict(out)
