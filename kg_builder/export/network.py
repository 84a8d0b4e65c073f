"""Network formats besides GEXF: GraphML, CSV node and edge tables, and node-link JSON.

Each writer takes a projection (see analysis/projection.py) with nodes and edges in a stable
order and writes a file (or, for CSV, two) that depends on nothing else.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx

#: Node columns that lead the tables, in this order; the other attributes follow, sorted.
NODE_FIRST = ("label", "type", "top_type", "wikidata", "latitude", "longitude")
EDGE_FIRST = ("label", "predicate", "sources", "methods", "confidence")


def edge_list(G: nx.Graph):
    """(source, target, key, data) for every edge, whatever the kind of graph."""
    if G.is_multigraph():
        yield from G.edges(keys=True, data=True)
    else:
        for s, o, data in G.edges(data=True):
            yield s, o, None, data


def _columns(rows, first: tuple[str, ...], own: set[str]) -> list[str]:
    seen: set[str] = set()
    for data in rows:
        seen.update(k for k, v in data.items() if v is not None)
    seen -= own
    return [c for c in first if c in seen] + sorted(seen - set(first))


def node_columns(G: nx.Graph) -> list[str]:
    return _columns((d for _, d in G.nodes(data=True)), NODE_FIRST, {"start", "end"})


def edge_columns(G: nx.Graph) -> list[str]:
    own = {"start", "end", "weight", "label"}
    return _columns((d for *_, d in edge_list(G)), EDGE_FIRST, own)


def _plain(value) -> str | int | float | bool:
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


# -- GraphML ---------------------------------------------------------------------------------
def write_graphml(G: nx.Graph, path: Path) -> None:
    """GraphML with typed keys (networkx's lxml writer), written from the graph as it is: an
    edge's id is its key (the predicate's name), which networkx reads back as the key.
    Projections hold no None values, so nothing needs copying first."""
    nx.write_graphml_lxml(G, str(path), encoding="utf-8", prettyprint=True, named_key_ids=True)


# -- CSV (Gephi's spreadsheet import) ----------------------------------------------------------
def _interval(data: dict) -> str:
    """Gephi's "Time Interval" cell: <[start, end]>, open sides as -Infinity/Infinity."""
    start, end = data.get("start"), data.get("end")
    if not start and not end:
        return ""
    return f"<[{start or '-Infinity'}, {end or 'Infinity'}]>"


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_nodes_csv(G: nx.Graph, path: Path) -> None:
    cols = node_columns(G)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(
            ["Id", "Label", *[c for c in cols if c != "label"], "start", "end", "Time Interval"]
        )
        for n, d in G.nodes(data=True):
            w.writerow(
                [n, _cell(d.get("label", n))]
                + [_cell(d.get(c)) for c in cols if c != "label"]
                + [_cell(d.get("start")), _cell(d.get("end")), _interval(d)]
            )


def write_edges_csv(G: nx.Graph, path: Path) -> None:
    cols = edge_columns(G)
    kind = "Directed" if G.is_directed() else "Undirected"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(
            ["Source", "Target", "Type", "Id", "Label", "Weight", "relation", *cols]
            + ["start", "end", "Time Interval"]
        )
        for i, (s, o, key, d) in enumerate(edge_list(G)):
            w.writerow(
                [s, o, kind, f"e{i}", _cell(d.get("label", key or "")), _cell(d.get("weight", 1))]
                + [_cell(key)]
                + [_cell(d.get(c)) for c in cols]
                + [_cell(d.get("start")), _cell(d.get("end")), _interval(d)]
            )


# -- node-link JSON (D3, sigma.js/graphology, networkx) ----------------------------------------
def node_link(G: nx.Graph) -> dict:
    """{directed, multigraph, graph, nodes: [{id, ...}], links: [{source, target, key, ...}]}:
    networkx's node-link layout, which D3 reads as is and graphology after a rename."""
    return {
        "directed": G.is_directed(),
        "multigraph": G.is_multigraph(),
        "graph": {k: _plain(v) for k, v in G.graph.items() if v is not None},
        "nodes": [
            {"id": n, **{k: _plain(v) for k, v in d.items() if v is not None}}
            for n, d in G.nodes(data=True)
        ],
        "links": [
            {
                "source": s,
                "target": o,
                **({"key": key} if key is not None else {}),
                **{k: _plain(v) for k, v in d.items() if v is not None},
            }
            for s, o, key, d in edge_list(G)
        ],
    }


def write_json(G: nx.Graph, path: Path) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(node_link(G), fh, ensure_ascii=False, indent=1, sort_keys=False)
        fh.write("\n")
