"""What researchers compute on a network: centrality, communities, paths, ego networks,
country flows and a summary. Every function takes a projection (see projection.py) and
returns plain rows (lists of dicts) that the CLI prints as a table, CSV or JSON."""

from __future__ import annotations

import difflib
import unicodedata
from collections import Counter

import networkx as nx

from .projection import NetworkError

#: Above this many nodes, betweenness is estimated from a seeded sample of pivots. igraph's
#: exact betweenness (C, O(n·m)) takes 3.7 s at 9,228 nodes / 37,841 edges on 2 cores, where
#: NetworkX's takes 230 s (benchmarks/RESULTS-network.md).
EXACT_BETWEENNESS_LIMIT = 50_000
DEFAULT_PIVOTS = 2000
CENTRALITY_MEASURES = ("degree", "betweenness", "pagerank", "eigenvector")


def simple(G: nx.Graph) -> nx.Graph:
    """The undirected simple graph under a (multi, directed) projection; an edge's weight
    counts the facts between the two entities. Self-loops are dropped."""
    U = nx.Graph()
    U.add_nodes_from(G.nodes(data=True))
    for s, o, data in G.edges(data=True):
        if s == o:
            continue
        w = data.get("weight", 1) if not G.is_multigraph() else 1
        if U.has_edge(s, o):
            U[s][o]["weight"] += w
        else:
            U.add_edge(s, o, weight=w)
    return U


def _row(G, n) -> dict:
    d = G.nodes[n]
    return {
        "iri": n,
        "label": d.get("label", n),
        "type": d.get("type", ""),
        "top_type": d.get("top_type", ""),
        "color": d.get("color"),
    }


def centrality(
    G: nx.Graph,
    measures: tuple[str, ...] = CENTRALITY_MEASURES,
    top: int | None = None,
    sort: str | None = None,
    sample: int | None = None,
    seed: int = 42,
) -> tuple[list[dict], dict]:
    """Rows of entity, type and each measure, best first; and notes on how each was computed.

    degree: degree centrality of the undirected simple graph; betweenness: exact up to
    EXACT_BETWEENNESS_LIMIT nodes, else estimated from `sample` pivots (seeded); pagerank:
    on the directed graph, parallel facts counting once each; eigenvector: on the largest
    connected component only (it is not defined across components), None elsewhere.
    """
    for m in measures:
        if m not in CENTRALITY_MEASURES:
            raise NetworkError(
                f"no centrality measure {m!r}; known: {', '.join(CENTRALITY_MEASURES)}"
            )
    if G.number_of_nodes() == 0:
        return [], {}
    U = simple(G)
    values: dict[str, dict] = {}
    notes: dict[str, str] = {}
    if "degree" in measures:
        values["degree"] = nx.degree_centrality(U)
        notes["degree"] = "undirected, normalised by n-1"
    if "betweenness" in measures:
        n = U.number_of_nodes()
        k = None
        if sample is not None and sample < n:
            k = sample
        elif sample is None and n > EXACT_BETWEENNESS_LIMIT:
            k = DEFAULT_PIVOTS
        values["betweenness"] = betweenness(U, k, seed)
        notes["betweenness"] = (
            f"estimated from {k} sampled pivots (seed {seed}), normalised"
            if k
            else "exact, normalised"
        ) + " (igraph)"
    if "pagerank" in measures:
        D = G if G.is_directed() else G.to_directed()
        values["pagerank"] = nx.pagerank(D, alpha=0.85, weight=None)
        notes["pagerank"] = "directed, damping 0.85, every fact an edge"
    if "eigenvector" in measures:
        values["eigenvector"] = _eigenvector(U, notes)
    order = sort or (measures[0] if len(measures) == 1 else "pagerank")
    if order not in values:
        order = next(iter(values))
    rows = []
    for n in U:
        row = _row(G, n)
        for m in measures:
            v = values[m].get(n)
            row[m] = None if v is None else round(float(v), 8)
        rows.append(row)
    rows.sort(key=lambda r: (-(r[order] if r[order] is not None else -1), r["label"], r["iri"]))
    return (rows[:top] if top else rows), notes


def to_igraph(U: nx.Graph):
    """The undirected simple graph in igraph (C): its nodes in U's order, weights kept."""
    import igraph

    nodes = list(U)
    index = {n: i for i, n in enumerate(nodes)}
    g = igraph.Graph(n=len(nodes), edges=[(index[a], index[b]) for a, b in U.edges()])
    g.es["weight"] = [d.get("weight", 1) for _, _, d in U.edges(data=True)]
    return g, nodes


def betweenness(U: nx.Graph, k: int | None = None, seed: int = 42) -> dict:
    """Betweenness of the undirected simple graph, normalised as NetworkX does (by
    2/((n-1)(n-2))), computed by igraph: exact, or from k pivots drawn with the seed (each
    pivot's paths scaled by n/k, NetworkX's estimator)."""
    import random

    n = U.number_of_nodes()
    if n < 3:
        return dict.fromkeys(U, 0.0)
    g, nodes = to_igraph(U)
    if k is None:
        raw = g.betweenness(directed=False)
        scale = 1.0
    else:
        pivots = sorted(random.Random(seed).sample(range(n), k))
        raw = g.betweenness(directed=False, sources=pivots)
        scale = n / k  # the pivots stand for all n sources
    norm = scale * 2.0 / ((n - 1) * (n - 2))
    return {node: value * norm for node, value in zip(nodes, raw, strict=True)}


def _eigenvector(U: nx.Graph, notes: dict) -> dict:
    if U.number_of_edges() == 0:
        notes["eigenvector"] = "not defined: the graph has no edges"
        return {}
    largest = max(nx.connected_components(U), key=lambda c: (len(c), min(c)))
    sub = U.subgraph(largest)
    try:
        values = nx.eigenvector_centrality_numpy(sub, weight=None)
    except (nx.NetworkXException, ArithmeticError, ValueError) as exc:
        notes["eigenvector"] = f"not defined here: {exc}"
        return {}
    others = U.number_of_nodes() - len(largest)
    notes["eigenvector"] = "largest component" + (
        f" ({len(largest)} entities; {others} others have none)" if others else ""
    )
    return {n: abs(v) for n, v in values.items()}


COMMUNITY_METHODS = ("louvain", "leiden")


def communities(
    G: nx.Graph, method: str = "louvain", seed: int = 42, resolution: float = 1.0
) -> tuple[list[dict], dict]:
    """Communities of the undirected simple graph, seeded so that they are reproducible:
    Louvain (NetworkX) or Leiden (igraph, modularity objective; its communities are
    guaranteed connected).

    Communities are numbered by size, largest first (ties by their first member's IRI).
    Returns a row per entity and a summary (count, modularity, sizes)."""
    if method not in COMMUNITY_METHODS:
        hint = difflib.get_close_matches(method, COMMUNITY_METHODS, n=1)
        did = f" (did you mean {hint[0]}?)" if hint else ""
        raise NetworkError(
            f"no community method {method!r}{did}; known: {', '.join(COMMUNITY_METHODS)}"
        )
    U = simple(G)
    if U.number_of_nodes() == 0:
        return [], {"communities": 0}
    if method == "leiden":
        found = _leiden(U, seed, resolution)
    else:
        found = nx.community.louvain_communities(
            U, weight="weight", resolution=resolution, seed=seed
        )
    found = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
    modularity = nx.community.modularity(U, found, weight="weight") if U.number_of_edges() else 0
    rows = []
    for i, members in enumerate(found):
        for n in members:
            rows.append({**_row(G, n), "community": i, "size": len(members)})
    rows.sort(key=lambda r: (r["community"], r["label"], r["iri"]))
    summary = {
        "method": method,
        "seed": seed,
        "resolution": resolution,
        "communities": len(found),
        "modularity": round(modularity, 6),
        "sizes": [len(c) for c in found],
    }
    return rows, summary


def _leiden(U: nx.Graph, seed: int, resolution: float) -> list[set]:
    import random

    import igraph

    g, nodes = to_igraph(U)
    previous = igraph.set_random_number_generator(random.Random(seed))
    try:
        part = g.community_leiden(
            objective_function="modularity",
            weights="weight",
            resolution=resolution,
            n_iterations=-1,
        )
    finally:
        igraph.set_random_number_generator(previous or random)
    return [{nodes[i] for i in members} for members in part]


# -- naming entities -------------------------------------------------------------------------
def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def find_node(G: nx.Graph, name: str, role: str = "entity") -> str:
    """A node named by IRI, its last IRI segment (the id) or its label (case and accents
    ignored); unknown or ambiguous names are errors that suggest close labels."""
    if name in G:
        return name
    want = _fold(name)
    hits = sorted(
        n
        for n, d in G.nodes(data=True)
        if _fold(str(d.get("label", ""))) == want or n.rsplit("/", 1)[-1] == name
    )
    if len(hits) == 1:
        return hits[0]
    labels = sorted({str(d.get("label", n)) for n, d in G.nodes(data=True)})
    if not hits:
        close = difflib.get_close_matches(name, labels, n=5, cutoff=0.5)
        if not close:
            close = [lab for lab in labels if want and want in _fold(lab)][:5]
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise NetworkError(f"{role}: no entity called {name!r} in this network{hint}")
    listed = ", ".join(f"{G.nodes[h].get('label')} <{h}>" for h in hits[:5])
    raise NetworkError(f"{role}: {name!r} names {len(hits)} entities ({listed}); give the IRI")


# -- paths -----------------------------------------------------------------------------------
def _facts_between(G: nx.Graph, a: str, b: str) -> list[dict]:
    out = []
    for s, o in ((a, b), (b, a)):
        if not G.has_edge(s, o):
            continue
        data = G.get_edge_data(s, o)
        items = data.items() if G.is_multigraph() else [(None, data)]
        for key, d in sorted(items, key=lambda kv: str(kv[0])):
            out.append(
                {
                    "s": s,
                    "p": d.get("predicate"),
                    "o": o,
                    "subject": G.nodes[s].get("label", s),
                    "predicate": d.get("label", key),
                    "object": G.nodes[o].get("label", o),
                    "sources": d.get("sources", ""),
                    "methods": d.get("methods", ""),
                    "start": d.get("start"),
                    "end": d.get("end"),
                }
            )
    return out


def paths(G: nx.Graph, a: str, b: str, limit: int = 5) -> list[dict]:
    """Shortest paths between two entities (direction ignored), each hop with its facts."""
    src, dst = find_node(G, a, "from"), find_node(G, b, "to")
    if src == dst:
        raise NetworkError("the two entities are the same")
    U = simple(G)
    if not nx.has_path(U, src, dst):
        size_a = len(nx.node_connected_component(U, src))
        size_b = len(nx.node_connected_component(U, dst))
        raise NetworkError(
            f"no path: {G.nodes[src]['label']} (in a component of {size_a} entities) and "
            f"{G.nodes[dst]['label']} (in one of {size_b}) are not connected in this network"
        )
    out = []
    for i, path in enumerate(nx.all_shortest_paths(U, src, dst)):
        if i >= limit:
            break
        hops = []
        for x, y in zip(path, path[1:], strict=False):
            hops.append(
                {
                    "from": G.nodes[x].get("label", x),
                    "to": G.nodes[y].get("label", y),
                    "facts": _facts_between(G, x, y),
                }
            )
        out.append({"length": len(path) - 1, "entities": path, "hops": hops})
    return out


def ego(G: nx.Graph, name: str, radius: int = 1) -> tuple[nx.Graph, list[dict]]:
    """The entities within `radius` hops of one entity (direction ignored), with distance."""
    if radius < 1:
        raise NetworkError("--radius must be at least 1")
    center = find_node(G, name)
    U = simple(G)
    dist = nx.single_source_shortest_path_length(U, center, cutoff=radius)
    sub = G.subgraph(dist).copy()
    rows = [
        {**_row(G, n), "distance": d, "degree": U.degree(n)}
        for n, d in sorted(dist.items(), key=lambda kv: (kv[1], G.nodes[kv[0]].get("label", "")))
    ]
    return sub, rows


def flow_rows(F: nx.DiGraph) -> list[dict]:
    """The country flow table: from, to, people, names, basis, sources; biggest first."""
    rows = [
        {
            "from_country": F.nodes[s].get("label", s),
            "to_country": F.nodes[o].get("label", o),
            "people": d["weight"],
            "names": d.get("names", "").replace(";", ", "),
            "basis": d.get("basis", "").replace(";", ", "),
            "sources": d.get("sources", "").replace(";", " "),
        }
        for s, o, d in F.edges(data=True)
    ]
    rows.sort(key=lambda r: (-r["people"], r["from_country"], r["to_country"]))
    return rows


def summary(G: nx.Graph) -> dict:
    """Size, density, components, degree distribution, and counts by type and relation."""
    U = simple(G)
    n, m = G.number_of_nodes(), G.number_of_edges()
    comps = sorted((len(c) for c in nx.connected_components(U)), reverse=True) if n else []
    degrees = [d for _, d in U.degree()]
    dist = Counter(degrees)
    by_type = Counter(d.get("type", "") for _, d in G.nodes(data=True))
    by_top = Counter(d.get("top_type", "") for _, d in G.nodes(data=True))
    if G.is_multigraph():
        by_relation = Counter(k for _, _, k in G.edges(keys=True))
    else:
        by_relation = Counter()
    return {
        "name": G.graph.get("name", ""),
        "filter": G.graph.get("filter", "all facts"),
        "nodes": n,
        "edges": m,
        "linked_pairs": U.number_of_edges(),
        "density": round(nx.density(U), 6) if n > 1 else 0.0,
        "components": len(comps),
        "largest_component": comps[0] if comps else 0,
        "isolated": sum(1 for d in degrees if d == 0),
        "mean_degree": round(sum(degrees) / n, 4) if n else 0.0,
        "max_degree": max(degrees) if degrees else 0,
        "degree_distribution": {str(k): dist[k] for k in sorted(dist)},
        "by_top_type": dict(sorted(by_top.items())),
        "by_type": dict(sorted(by_type.items())),
        "by_relation": dict(sorted(by_relation.items(), key=lambda kv: (-kv[1], kv[0]))),
    }


def log_bins(values: list[int]) -> list[tuple[int, int]]:
    """(upper bound, count) for degrees 0, 1, 2, 3–4, 5–8, ...: a readable histogram."""
    if not values:
        return []
    bounds = [0, 1]
    while bounds[-1] < max(values):
        bounds.append(bounds[-1] * 2)
    counts = Counter(next(b for b in bounds if v <= b) for v in values)
    return [(b, counts.get(b, 0)) for b in bounds]
