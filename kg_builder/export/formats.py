"""The export formats by name, and `export()`: filter, project, add metrics, write atomically.

Network formats (gexf, graphml, csv, json) write a projection of the graph (analysis/);
RDF formats (turtle, nt, nquads, trig, jsonld, xml) write the triples themselves (rdf.py).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from ..errors import ExportError
from ..ontology import Ontology


@dataclass(frozen=True)
class Format:
    name: str
    kind: str  # "network" or "rdf"
    suffix: str  # file suffix; "" for a folder (csv: nodes.csv + edges.csv)
    media_type: str
    description: str


NETWORK_FORMATS = {
    f.name: f
    for f in (
        Format(
            "gexf",
            "network",
            ".gexf",
            "application/gexf+xml",
            "GEXF 1.3 for Gephi: typed attributes, colours by type, time intervals",
        ),
        Format("graphml", "network", ".graphml", "application/graphml+xml", "GraphML, typed keys"),
        Format(
            "csv",
            "network",
            "",
            "text/csv",
            "a folder with nodes.csv and edges.csv (Gephi's spreadsheet import)",
        ),
        Format(
            "json",
            "network",
            ".json",
            "application/json",
            "node-link JSON for D3, sigma.js/graphology and networkx",
        ),
    )
}


def rdf_formats() -> dict[str, Format]:
    from .rdf import RDF_FORMATS

    out = {}
    for name, info in RDF_FORMATS.items():
        out[name] = Format(
            name,
            "rdf",
            info.extension,
            info.media_type,
            "RDF, " + ("named graphs kept" if info.named_graphs else "merged graph"),
        )
    return out


def all_formats() -> dict[str, Format]:
    return {**NETWORK_FORMATS, **rdf_formats()}


def get_format(name: str) -> Format:
    formats = all_formats()
    if name not in formats:
        hint = Ontology.suggest(name, list(formats))
        raise ExportError(
            f"unknown export format {name!r}{hint}; known formats: {', '.join(formats)}"
        )
    return formats[name]


def default_path(fmt: Format, out_dir: Path, projection: str = "entity") -> Path:
    stem = "kg" if projection == "entity" else f"kg-{projection}"
    if fmt.suffix == "":
        return Path(out_dir) / f"{stem}-{fmt.name}"
    return Path(out_dir) / f"{stem}{fmt.suffix}"


def check_target(path: Path, folder_output: bool = False) -> None:
    """The folder that will hold the output must exist and be writable (checked up front,
    so that nothing is half-written). A folder output (csv) may itself be new."""
    parent = path.parent
    if not parent.is_dir():
        raise ExportError(
            f"cannot write {path}: the folder {parent} does not exist; create it or give another -o"
        )
    where = path if folder_output and path.is_dir() else parent
    if not os.access(where, os.W_OK | os.X_OK):
        raise ExportError(f"cannot write {path}: the folder {where} is not writable")
    if path.exists() and path.is_dir() != folder_output:
        what = "a folder" if path.is_dir() else "a file"
        raise ExportError(f"cannot write {path}: it is {what}; give another -o")


def write_atomic(target: Path, writers: dict[str, Callable[[Path], None]]) -> list[Path]:
    """Write each file aside and rename them into place together (see output.write_all);
    OS errors become ExportError and leave no partial file."""
    from ..output import write_all

    try:
        return write_all(target, writers)
    except OSError as exc:
        raise ExportError(f"cannot write into {target}: {exc.strerror or exc}") from exc


def network_writers(fmt: str, G: nx.Graph, path: Path) -> tuple[Path, dict]:
    """(folder, {file name: writer}) for one network format."""
    from . import network

    if fmt == "csv":
        return path, {
            "nodes.csv": lambda p: network.write_nodes_csv(G, p),
            "edges.csv": lambda p: network.write_edges_csv(G, p),
        }
    if fmt == "gexf":
        from .gexf import write_gexf

        def gexf(p: Path) -> None:
            with open(p, "wb") as fh:
                write_gexf(as_multidigraph(G), fh, title=G.graph.get("name"))

        return path.parent, {path.name: gexf}
    if fmt == "graphml":
        return path.parent, {path.name: lambda p: network.write_graphml(G, p)}
    return path.parent, {path.name: lambda p: network.write_json(G, p)}


def as_multidigraph(G: nx.Graph) -> nx.MultiDiGraph:
    """The GEXF writer's input: derived projections (simple, possibly undirected graphs) as
    a MultiDiGraph with one edge per pair, marked undirected when they are."""
    if isinstance(G, nx.MultiDiGraph):
        return G
    M = nx.MultiDiGraph()
    M.graph.update(G.graph)
    if not G.is_directed():
        M.graph["edgetype"] = "undirected"
    M.add_nodes_from(G.nodes(data=True))
    for s, o, d in G.edges(data=True):
        M.add_edge(s, o, key=d.get("relation", "link"), **d)
    return M


def add_metrics(G: nx.Graph, seed: int = 42) -> None:
    """PageRank, degree centrality and Louvain community as node attributes, where the
    graph does not carry them already (written back by kg analyze)."""
    from ..analysis import metrics

    if G.number_of_nodes() == 0:
        return
    if any("pagerank" not in d for _, d in G.nodes(data=True)):
        rows, _ = metrics.centrality(G, ("degree", "pagerank"))
        for r in rows:
            G.nodes[r["iri"]].setdefault("pagerank", r["pagerank"])
            G.nodes[r["iri"]].setdefault("degree", r["degree"])
    if any("community" not in d for _, d in G.nodes(data=True)):
        rows, _ = metrics.communities(G, seed=seed)
        for r in rows:
            G.nodes[r["iri"]].setdefault("community", r["community"])


@dataclass
class ExportReport:
    format: str
    path: Path
    files: list[Path]
    nodes: int | None = None
    edges: int | None = None
    triples: int | None = None
    unit: str = "statements"
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {
            "format": self.format,
            "path": str(self.path),
            "files": [str(f) for f in self.files],
            "nodes": self.nodes,
            "edges": self.edges,
            self.unit: self.triples,
            "seconds": round(self.seconds, 3),
        }


def export_network(
    G: nx.Graph, fmt: str, path: Path, *, metrics: bool = True, seed: int = 42
) -> ExportReport:
    """Write a projection in a network format, atomically."""
    started = time.perf_counter()
    spec = get_format(fmt)
    if spec.kind != "network":
        raise ExportError(f"{fmt} is an RDF format: it writes triples, not a projection")
    path = Path(path)
    check_target(path, folder_output=spec.suffix == "")
    G.graph.setdefault("description", f"kg-builder export; {G.graph.get('filter') or 'all facts'}")
    if metrics:
        add_metrics(G, seed=seed)
    folder, writers = network_writers(fmt, G, path)
    if spec.suffix == "" and not folder.exists():
        try:
            folder.mkdir()
        except OSError as exc:
            raise ExportError(f"cannot create {folder}: {exc.strerror or exc}") from exc
    files = write_atomic(folder, writers)
    return ExportReport(
        fmt,
        path,
        files,
        nodes=G.number_of_nodes(),
        edges=G.number_of_edges(),
        seconds=time.perf_counter() - started,
    )
