"""`kg analyze`: network analysis, a thin layer over kg_builder.analysis."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.markup import escape

from . import common
from .network import (
    Network,
    emit,
    format_option,
    handle_errors,
    network_options,
    plot_option,
)


@click.group()
def analyze() -> None:
    """Network analysis of the graph (NetworkX): centrality, communities, paths, flows.

    \b
    kg analyze summary --plot degrees.png
    kg analyze centrality --top 15 --write-back
    kg analyze communities --types Person,Organisation
    kg analyze path "Andrei Amonov" "Finland"
    kg analyze ego "Idite Lesom" --radius 2
    kg analyze flows --plot flows.svg

    Every command takes --projection and the filters --only, --source, --min-confidence,
    --types and --from/--to; kg export takes the same.

    Example: kg analyze centrality --types Person,Organisation --top 10
    """


@analyze.command()
@network_options
@format_option
@plot_option
@handle_errors
def summary(fmt, plot_path, **kw):
    """Size, density, components and degree distribution of the network."""
    from ..analysis import metrics, plot

    net = Network(kw)
    s = metrics.summary(net.graph)
    if plot_path:
        plot.degree_distribution(
            s, Path(plot_path), title=f"Degree distribution ({net.projection})"
        )
    if fmt == "json":
        click.echo(json.dumps(s, indent=2, ensure_ascii=False))
    else:
        rows = [{"measure": k, "value": v} for k, v in s.items() if not isinstance(v, dict)]
        rows += [{"measure": f"entities: {k}", "value": v} for k, v in s["by_top_type"].items()]
        degrees = [int(k) for k, n in s["degree_distribution"].items() for _ in range(n)]
        low = 0
        for high, n in metrics.log_bins(degrees):
            label = f"degree {high}" if high == low else f"degree {low}–{high}"
            rows.append({"measure": label, "value": n})
            low = high + 1
        rows += [{"measure": f"facts: {k}", "value": v} for k, v in s["by_relation"].items()]
        emit(rows, fmt, ["measure", "value"], net.describe())
    if plot_path:
        common.err.print(f"Chart written to {escape(plot_path)}")


@analyze.command()
@network_options
@click.option(
    "--measure",
    "measures",
    default="degree,betweenness,pagerank,eigenvector",
    show_default=True,
    help="Comma-separated: degree, betweenness, pagerank, eigenvector.",
)
@click.option("--top", type=int, default=20, show_default=True, help="Rows to show (0: all).")
@click.option("--sort", default=None, help="Measure to rank by (default: pagerank).")
@click.option(
    "--sample",
    type=int,
    default=None,
    help="Estimate betweenness from K seeded pivots (default: exact up to 50,000 nodes, "
    "else 2,000 pivots).",
)
@click.option("--seed", type=int, default=42, show_default=True, help="Seed for sampling.")
@click.option(
    "--write-back",
    is_flag=True,
    help="Store the values in the graph (named graph <base>graph/analysis) for queries and exports.",
)
@format_option
@plot_option
@handle_errors
def centrality(measures, top, sort, sample, seed, write_back, fmt, plot_path, **kw):
    """Degree, betweenness, PageRank and eigenvector centrality, best first."""
    from ..analysis import metrics, plot

    chosen = tuple(m.strip() for m in measures.split(",") if m.strip())
    net = Network(kw)
    with common.err.status("Computing centrality...", spinner="dots"):
        rows, notes = metrics.centrality(net.graph, chosen, None, sort, sample, seed)
    shown = rows[:top] if top else rows
    if write_back:
        values = {m: {r["iri"]: r[m] for r in rows} for m in chosen}
        _write_back(net, "centrality", values, notes, seed)
    if plot_path:
        measure = sort or ("pagerank" if "pagerank" in chosen else chosen[0])
        plot.top_entities(shown, measure, Path(plot_path))
    note = "; ".join(f"{k}: {v}" for k, v in notes.items())
    emit(shown, fmt, ["label", "type", *chosen, "iri"], net.describe(), note)


@analyze.command()
@network_options
@click.option(
    "--seed", type=int, default=42, show_default=True, help="Seed (same seed, same result)."
)
@click.option(
    "--method",
    "algorithm",
    type=click.Choice(["louvain", "leiden"]),
    default="louvain",
    show_default=True,
    help="Louvain (NetworkX) or Leiden (igraph; communities are connected).",
)
@click.option(
    "--resolution",
    type=float,
    default=1.0,
    show_default=True,
    help="Modularity resolution: above 1, more and smaller communities.",
)
@click.option(
    "--write-back", is_flag=True, help="Store each entity's community number in the graph."
)
@click.option(
    "--members", type=int, default=8, show_default=True, help="Table: members shown per community."
)
@format_option
@handle_errors
def communities(seed, algorithm, resolution, write_back, members, fmt, **kw):
    """Louvain or Leiden communities (seeded: the same seed gives the same communities)."""
    from ..analysis import metrics

    net = Network(kw)
    rows, info = metrics.communities(net.graph, method=algorithm, seed=seed, resolution=resolution)
    if write_back:
        notes = {"method": f"{algorithm.capitalize()}, seed {seed}, resolution {resolution}"}
        _write_back(
            net, "communities", {"community": {r["iri"]: r["community"] for r in rows}}, notes, seed
        )
    if fmt != "table":
        emit(rows, fmt, ["community", "size", "label", "type", "iri"], "")
        return
    grouped: dict[int, list[str]] = {}
    for r in rows:
        grouped.setdefault(r["community"], []).append(r["label"])
    table_rows = [
        {
            "community": c,
            "size": len(labels),
            "members": ", ".join(labels[:members])
            + (f", … (+{len(labels) - members})" if len(labels) > members else ""),
        }
        for c, labels in sorted(grouped.items())
    ]
    emit(
        table_rows,
        fmt,
        ["community", "size", "members"],
        net.describe(),
        f"{info['communities']} communities, modularity {info.get('modularity')}, {algorithm.capitalize()}, seed {seed}",
    )


@analyze.command()
@click.argument("source")
@click.argument("target")
@network_options
@click.option(
    "--limit", type=int, default=5, show_default=True, help="At most this many shortest paths."
)
@format_option
@handle_errors
def path(source, target, limit, fmt, **kw):
    """Shortest paths between two entities (by label, id or IRI), with the facts, sources
    and evidence on each hop (CSV: one row per fact on a hop)."""
    from ..analysis import metrics
    from ..analysis.projection import evidence

    net = Network(kw)
    found = metrics.paths(net.graph, source, target, limit)
    facts = [
        (f["s"], f["p"], f["o"]) for p in found for h in p["hops"] for f in h["facts"] if f["p"]
    ]
    quotes = evidence(net.store, facts)
    for p in found:
        for h in p["hops"]:
            for f in h["facts"]:
                f["evidence"] = [
                    {"source": s, "quote": q} for s, q in quotes.get((f["s"], f["p"], f["o"]), [])
                ]
    if fmt == "json":
        click.echo(json.dumps(found, indent=2, ensure_ascii=False))
        return
    if fmt == "csv":
        rows = [
            {
                "path": i,
                "hop": j,
                **{
                    k: f.get(k)
                    for k in ("subject", "predicate", "object", "sources", "start", "end")
                },
                "evidence": " | ".join(f"{e['quote']} ({e['source']})" for e in f["evidence"]),
            }
            for i, p in enumerate(found, 1)
            for j, h in enumerate(p["hops"], 1)
            for f in h["facts"]
        ]
        columns = ["path", "hop", "subject", "predicate", "object", "sources", "start", "end"]
        emit(rows, "csv", [*columns, "evidence"], "")
        return
    out = common.console
    out.print(
        f"[bold]{len(found)} shortest path(s) of length {found[0]['length']}[/] [dim]({escape(net.describe())})[/]"
    )
    for i, p in enumerate(found, 1):
        out.print(
            f"\n[bold]Path {i}[/]: "
            + escape(" → ".join(net.graph.nodes[n]["label"] for n in p["entities"]))
        )
        for h in p["hops"]:
            for f in h["facts"]:
                when = ""
                if f.get("start") or f.get("end"):
                    when = f" [{f.get('start') or '…'} – {f.get('end') or '…'}]"
                out.print(
                    f"  {escape(f['subject'])} [cyan]{escape(str(f['predicate']))}[/] {escape(f['object'])}"
                    f"{escape(when)}  [dim]sources: {escape(f['sources'].replace(';', ', '))}[/]"
                )
                for ev in f["evidence"][:2]:
                    out.print(
                        f"      [green]“{escape(ev['quote'])}”[/] [dim]({escape(ev['source'])})[/]"
                    )


@analyze.command()
@click.argument("name")
@network_options
@click.option("--radius", type=int, default=1, show_default=True, help="Hops from the entity.")
@format_option
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    default=None,
    help="Also export the ego network (format by suffix: .gexf, .graphml, .json).",
)
@handle_errors
def ego(name, radius, fmt, output, **kw):
    """The entities within --radius hops of one entity, with their distance."""
    from ..analysis import metrics

    net = Network(kw)
    sub, rows = metrics.ego(net.graph, name, radius)
    if output:
        from ..export import formats

        suffix = Path(output).suffix.lstrip(".")
        fmt_name = {"gexf": "gexf", "graphml": "graphml", "json": "json"}.get(suffix)
        if fmt_name is None:
            raise formats.ExportError("-o: give a .gexf, .graphml or .json file")
        formats.export_network(sub, fmt_name, Path(output))
    emit(
        rows,
        fmt,
        ["distance", "label", "type", "degree", "iri"],
        f"{sub.number_of_nodes()} entities within {radius} hop(s); {net.describe()}",
    )


@analyze.command()
@network_options
@format_option
@plot_option
@handle_errors
def flows(fmt, plot_path, **kw):
    """Country → country: how many people fled, who, on what basis, from which sources."""
    from ..analysis import metrics, plot
    from ..analysis.derived import flows as flow_graph

    kw["projection"] = "entity"
    net = Network(kw)
    rows = metrics.flow_rows(flow_graph(net.entity))
    if plot_path:
        plot.flows(rows, Path(plot_path))
    emit(
        rows,
        fmt,
        ["from_country", "to_country", "people", "names", "basis", "sources"],
        f"Country flows; {net.filter.describe()}",
        "Origin: fledFrom, else comesFrom, else citizenOf; places count as their country.",
    )


def _write_back(net: Network, kind: str, values: dict, notes: dict, seed: int) -> None:
    from ..analysis.writeback import write_metrics

    description = (
        f"projection {net.projection}; {net.filter.describe()}; seed {seed}; "
        + "; ".join(f"{k}: {v}" for k, v in notes.items())
    )
    if net.projection != "entity":
        raise click.UsageError("--write-back stores values for entities: use --projection entity")
    if not net.settings.in_memory:
        net.close()
    info = write_metrics(
        net.store, net.settings, kind, values, description, net.entity.graph["base"]
    )
    common.err.print(
        f"Wrote {info['quads']:,} values into {info['graph']} ({info['where']}); "
        "kg export and kg query now see them."
    )
