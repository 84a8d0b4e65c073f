"""Projections derived from the entity network: people and organisations (bipartite, and
its one-mode projections), co-occurrence in events, and the country flow graph.

Each takes the entity network (projection.project) and returns a simple graph whose edges
carry a weight, the names behind it and the sources, as ";"-joined text.
"""

from __future__ import annotations

from collections import defaultdict

import networkx as nx

from ..ontology import Ontology
from .projection import NetworkError


def _endpoints_by_type(G, a: str, b: str):
    """Facts between an entity of top type a and one of top type b, either direction."""
    for s, o, key, data in G.edges(keys=True, data=True):
        ts, to = G.nodes[s]["top_type"], G.nodes[o]["top_type"]
        if ts == a and to == b:
            yield s, o, key, data
        elif ts == b and to == a:
            yield o, s, key, data


def _copy_node(H, G, n, **extra) -> None:
    H.add_node(n, **G.nodes[n], **extra)


def _merge(into: dict, key: str, values) -> None:
    into.setdefault(key, set()).update(values)


def _link(H: nx.Graph, a: str, b: str, names: str) -> dict:
    """The data of edge a–b, created empty if new, with its weight counted once more; the
    caller adds to its `names` and `sources` sets."""
    d = H.get_edge_data(a, b)
    if d is None:
        H.add_edge(a, b, weight=0, sources=set(), **{names: set()})
        d = H[a][b]
    d["weight"] += 1
    return d


def _finish(H: nx.Graph) -> nx.Graph:
    """Sets of names and sources become sorted strings, so every writer can take them."""
    for _, _, data in H.edges(data=True):
        for k, v in list(data.items()):
            if isinstance(v, set):
                data[k] = ";".join(sorted(v))
    return H


def person_organisation(G: nx.MultiDiGraph) -> nx.Graph:
    """Bipartite people–organisations graph: an edge when any fact links the two."""
    H = nx.Graph(name="people and organisations", filter=G.graph.get("filter"))
    pairs: dict[tuple[str, str], dict] = {}
    for p, org, key, data in _endpoints_by_type(G, "Person", "Organisation"):
        d = pairs.setdefault((p, org), {"weight": 0})
        d["weight"] += 1
        _merge(d, "predicates", [key])
        _merge(d, "sources", data["sources"].split(";"))
    for n in G:
        if G.nodes[n]["top_type"] in ("Person", "Organisation"):
            _copy_node(H, G, n, bipartite=0 if G.nodes[n]["top_type"] == "Person" else 1)
    for (p, org), d in sorted(pairs.items()):
        H.add_edge(p, org, **d)
    H.remove_nodes_from([n for n in list(H) if H.degree(n) == 0])
    return _finish(H)


def _one_mode(B: nx.Graph, side: int, name: str) -> nx.Graph:
    H = nx.Graph(name=name, filter=B.graph.get("filter"))
    members = sorted(n for n, d in B.nodes(data=True) if d["bipartite"] == side)
    for n in members:
        H.add_node(n, **{k: v for k, v in B.nodes[n].items() if k != "bipartite"})
    for n in members:
        for via in sorted(B[n]):
            for m in sorted(B[via]):
                if m <= n:
                    continue
                d = _link(H, n, m, "via")
                d["via"].add(B.nodes[via]["label"])
                d["sources"].update(B[n][via]["sources"].split(";"))
                d["sources"].update(B[m][via]["sources"].split(";"))
    H.remove_nodes_from([n for n in list(H) if H.degree(n) == 0])
    return _finish(H)


def people(G: nx.MultiDiGraph) -> nx.Graph:
    """People linked when they share an organisation (weight: how many; via: which)."""
    return _one_mode(person_organisation(G), 0, "people through organisations")


def organisations(G: nx.MultiDiGraph) -> nx.Graph:
    """Organisations linked when they share a person (weight: how many; via: who)."""
    return _one_mode(person_organisation(G), 1, "organisations through people")


def cooccurrence(G: nx.MultiDiGraph) -> nx.Graph:
    """People and organisations linked when facts tie both to the same event."""
    H = nx.Graph(name="co-occurrence in events", filter=G.graph.get("filter"))
    by_event: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for s, o, _key, data in G.edges(keys=True, data=True):
        for agent, event in ((s, o), (o, s)):
            if G.nodes[event]["top_type"] == "Event" and G.nodes[agent]["top_type"] in (
                "Person",
                "Organisation",
            ):
                by_event[event][agent].update(data["sources"].split(";"))
    for event in sorted(by_event):
        agents = sorted(by_event[event])
        for i, a in enumerate(agents):
            if a not in H:
                _copy_node(H, G, a)
            for b in agents[i + 1 :]:
                if b not in H:
                    _copy_node(H, G, b)
                d = _link(H, a, b, "events")
                d["events"].add(G.nodes[event]["label"])
                d["sources"].update(by_event[event][a] | by_event[event][b])
    return _finish(H)


#: How a person's country of origin is known, in order of preference (as in
#: queries/country-flows.rq, which a test holds this to).
ORIGIN_BASES = ("fledFrom", "comesFrom", "citizenOf")


def _countries(G: nx.MultiDiGraph) -> dict[str, str]:
    """Each place → the country it lies in (itself for a country), through kg:locatedIn*."""
    up: dict[str, set[str]] = defaultdict(set)
    for s, o, key in G.edges(keys=True):
        if key == "locatedIn":
            up[s].add(o)
    out = {}
    for n, d in G.nodes(data=True):
        if d["top_type"] != "Place":
            continue
        seen, stack = set(), [n]
        while stack:
            x = stack.pop()
            if x in seen:
                continue
            seen.add(x)
            if G.nodes[x]["type"] == "Country":
                out[n] = x
                break
            stack.extend(sorted(up.get(x, ())))
    return out


def flows(G: nx.MultiDiGraph) -> nx.DiGraph:
    """Country → country: how many people moved (weight), who, on what basis, which sources."""
    country = _countries(G)
    H = nx.DiGraph(name="country flows", filter=G.graph.get("filter"))
    moves: dict[tuple[str, str], dict] = {}
    for p, d in G.nodes(data=True):
        if d["top_type"] != "Person":
            continue
        out = [(o, k, data) for _, o, k, data in G.out_edges(p, keys=True, data=True)]
        to = [(country[o], data) for o, k, data in out if k == "fledTo" and o in country]
        if not to:
            continue
        origins = []
        for basis in ORIGIN_BASES:
            origins = [(country[o], basis, data) for o, k, data in out if k == basis]
            if any(k == basis for _, k, _ in out):
                origins = [x for x in origins if x[0] is not None]
                break
        for dest, to_data in to:
            for src, basis, from_data in origins:
                if src == dest:
                    continue
                m = moves.setdefault(
                    (src, dest),
                    {"people": set(), "names": set(), "basis": set(), "sources": set()},
                )
                m["people"].add(p)
                m["names"].add(d["label"])
                m["basis"].add(basis)
                m["sources"].update(to_data["sources"].split(";"))
                m["sources"].update(from_data["sources"].split(";"))
    for c in sorted({c for pair in moves for c in pair}):
        _copy_node(H, G, c)
    for (src, dest), m in sorted(moves.items()):
        H.add_edge(
            src,
            dest,
            weight=len(m["people"]),
            label=f"{len(m['people'])} " + ("person" if len(m["people"]) == 1 else "people"),
            names=m["names"],
            basis=m["basis"],
            sources=m["sources"],
        )
    return _finish(H)


#: Projection name → (function, one-line description). The entity network is "entity".
PROJECTIONS = {
    "entity": (None, "entities and every fact between them (directed, parallel edges kept)"),
    "person-organisation": (person_organisation, "bipartite: people and the organisations"),
    "people": (people, "people linked through shared organisations"),
    "organisations": (organisations, "organisations linked through shared people"),
    "cooccurrence": (cooccurrence, "people and organisations tied to the same event"),
    "flows": (flows, "country to country, weighted by the number of people who moved"),
}


def derive(G: nx.MultiDiGraph, name: str) -> nx.Graph:
    """The named projection of an entity network (see PROJECTIONS)."""
    if name not in PROJECTIONS:
        hint = Ontology.suggest(name, list(PROJECTIONS))
        raise NetworkError(
            f"no projection {name!r}{hint}; known projections: {', '.join(PROJECTIONS)}"
        )
    fn = PROJECTIONS[name][0]
    return G if fn is None else fn(G)
