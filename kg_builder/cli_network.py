"""`kg analyze` and `kg export`: thin commands over kg_builder.analysis and kg_builder.export."""

from __future__ import annotations

import csv
import functools
import json
import sys
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from .errors import KGError
from .pipeline import make_settings, open_graph


def _cli():
    from . import cli  # shared console and error printer (imported late: cli imports us)

    return cli


# -- options shared by every projection and export ----------------------------------------------
def network_options(fn):
    """--projection and the filters, plus where the graph comes from."""
    options = [
        click.option(
            "--projection",
            default="entity",
            show_default=True,
            metavar="NAME",
            help="entity, person-organisation, people, organisations, cooccurrence or flows.",
        ),
        click.option(
            "--only",
            "method",
            type=click.Choice(["curated", "extracted"]),
            default=None,
            help="Keep only curated or only extracted facts.",
        ),
        click.option(
            "--source",
            "sources",
            multiple=True,
            metavar="ID",
            help="Keep only facts from this source (repeatable).",
        ),
        click.option(
            "--min-confidence", default=None, metavar="X", help="Drop facts below confidence X."
        ),
        click.option(
            "--types",
            default=None,
            metavar="A,B",
            help="Keep only entities of these classes (and their subclasses), e.g. Person,Organisation.",
        ),
        click.option(
            "--from",
            "start",
            default=None,
            metavar="DATE",
            help="Date window start (YYYY[-MM[-DD]]).",
        ),
        click.option(
            "--to", "end", default=None, metavar="DATE", help="Date window end (YYYY[-MM[-DD]])."
        ),
        click.option(
            "--dated-only",
            is_flag=True,
            help="Drop facts and events with no date (kept by default, even with a window).",
        ),
        click.option(
            "--store",
            default=None,
            metavar="PATH|memory",
            help="The graph store (default: $KG_STORE, else .kg/store), or 'memory'.",
        ),
        click.option(
            "--corpus",
            type=click.Path(file_okay=False),
            default=None,
            help="With --store memory: the corpus folder.",
        ),
        click.option(
            "--data",
            "data_dir",
            type=click.Path(file_okay=False),
            default=None,
            help="With --store memory: the curated data folder.",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _date(text: str | None, side: str) -> date | None:
    from .dates import parse_time

    if not text:
        return None
    try:
        value = parse_time(text)
    except (ValueError, TypeError) as exc:
        raise click.BadParameter(
            f"not a date: {text!r} (give YYYY, YYYY-MM or YYYY-MM-DD)"
        ) from exc
    if value is None:
        raise click.BadParameter(f"not a date: {text!r} (give YYYY, YYYY-MM or YYYY-MM-DD)")
    return value.earliest if side == "start" else value.latest


def make_filter(method, sources, min_confidence, types, start, end, dated_only):
    from .analysis import Filter

    confidence = None
    if min_confidence is not None:
        try:
            confidence = Decimal(min_confidence)
        except InvalidOperation as exc:
            raise click.BadParameter(
                f"--min-confidence takes a number, not {min_confidence!r}"
            ) from exc
    type_names = tuple(t.strip() for t in (types or "").split(",") if t.strip())
    return Filter(
        method=method,
        sources=tuple(sources),
        min_confidence=confidence,
        types=type_names,
        start=_date(start, "start"),
        end=_date(end, "end"),
        dated_only=dated_only,
    )


class Network:
    """The store, the filtered entity network and the chosen projection, opened once."""

    def __init__(self, kw: dict):
        from .analysis import derive, project

        self.settings = make_settings(
            corpus=kw["corpus"], data_dir=kw["data_dir"], check_owl=False, store=kw["store"]
        )
        self.filter = make_filter(
            kw["method"],
            kw["sources"],
            kw["min_confidence"],
            kw["types"],
            kw["start"],
            kw["end"],
            kw["dated_only"],
        )
        self.projection = kw["projection"]
        cli = _cli()
        with cli.err.status("Reading the graph into a network...", spinner="dots"):
            self.store = open_graph(self.settings)
            self.entity = project(self.store, self.filter)
            self.graph = derive(self.entity, self.projection)

    def describe(self) -> str:
        g = self.graph
        return (
            f"{self.projection} network: {g.number_of_nodes():,} nodes, "
            f"{g.number_of_edges():,} edges; {self.filter.describe()}"
        )

    def close(self) -> None:
        close = getattr(self.store, "close", None)
        if close:
            close()


def handle_errors(fn):
    """KGError → the shared error printer (JSON when --format json), with its exit code."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except KGError as exc:
            _cli()._fail(exc, "json" if kwargs.get("fmt") == "json" else "table")

    return wrapper


format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="Terminal table, or CSV/JSON for other tools.",
)
plot_option = click.option(
    "--plot",
    "plot_path",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="Also draw a chart (.png, .svg or .pdf).",
)


def emit(rows: list[dict], fmt: str, columns: list[str], title: str, note: str = "") -> None:
    """A listing as a rich table, CSV (header + rows) or JSON (list of objects)."""
    cli = _cli()
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if fmt == "csv":
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow(["" if r.get(c) is None else r.get(c) for c in columns])
        return
    columns = [c for c in columns if c != "iri"] or columns  # IRIs: in CSV and JSON
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    for c in columns:
        numeric = any(isinstance(r.get(c), (int, float)) for r in rows)
        table.add_column(
            c,
            justify="right" if numeric else "left",
            overflow="fold",
            min_width=len(c) if numeric else None,
        )
    for r in rows:
        table.add_row(*[escape(_show(r.get(c))) for c in columns])
    cli.console.print(table)
    if note:
        cli.console.print(f"[dim]{escape(note)}[/]")


def _show(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) >= 1e-4 or value == 0 else f"{value:.2e}"
    return str(value)


# -- kg analyze ------------------------------------------------------------------------------
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
    from .analysis import metrics, plot

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
        _cli().err.print(f"Chart written to {escape(plot_path)}")


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
    help="Estimate betweenness from K pivots (default: exact up to 5,000 nodes, else 1,000).",
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
    from .analysis import metrics, plot

    chosen = tuple(m.strip() for m in measures.split(",") if m.strip())
    net = Network(kw)
    with _cli().err.status("Computing centrality...", spinner="dots"):
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
    "--resolution", type=float, default=1.0, show_default=True, help="Louvain resolution."
)
@click.option(
    "--write-back", is_flag=True, help="Store each entity's community number in the graph."
)
@click.option(
    "--members", type=int, default=8, show_default=True, help="Table: members shown per community."
)
@format_option
@handle_errors
def communities(seed, resolution, write_back, members, fmt, **kw):
    """Louvain communities (seeded: the same seed gives the same communities)."""
    from .analysis import metrics

    net = Network(kw)
    rows, info = metrics.communities(net.graph, seed=seed, resolution=resolution)
    if write_back:
        notes = {"method": f"Louvain, seed {seed}, resolution {resolution}"}
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
        f"{info['communities']} communities, modularity {info.get('modularity')}, Louvain seed {seed}",
    )


@analyze.command()
@click.argument("source")
@click.argument("target")
@network_options
@click.option(
    "--limit", type=int, default=5, show_default=True, help="At most this many shortest paths."
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@handle_errors
def path(source, target, limit, fmt, **kw):
    """Shortest paths between two entities (by label, id or IRI), with the facts, sources
    and evidence on each hop."""
    from .analysis import metrics
    from .analysis.projection import evidence

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
    out = _cli().console
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
    from .analysis import metrics

    net = Network(kw)
    sub, rows = metrics.ego(net.graph, name, radius)
    if output:
        from .export import formats

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
    from .analysis import metrics, plot
    from .analysis.projection import flows as flow_graph

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
    from .analysis.writeback import write_metrics

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
    _cli().err.print(
        f"Wrote {info['quads']:,} values into {info['graph']} ({info['where']}); "
        "kg export and kg query now see them."
    )


# -- kg export -------------------------------------------------------------------------------
@click.command()
@click.option(
    "--format",
    "fmt",
    default=None,
    metavar="NAME",
    help="gexf, graphml, csv, json, turtle, nt, nquads, trig, jsonld or xml.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    default=None,
    help="Output file (a folder for csv). Default: exports/kg.<ext>.",
)
@network_options
@click.option(
    "--no-metrics", is_flag=True, help="Network formats: do not add PageRank, degree and community."
)
@click.option(
    "--seed", type=int, default=42, show_default=True, help="Seed for the community detection."
)
@click.option("--list", "list_formats", is_flag=True, help="List the formats and exit.")
@click.option(
    "--list-format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    help="With --list: how to print it.",
)
@handle_errors
def export(fmt, output, no_metrics, seed, list_formats, list_format, **kw):
    """Write the graph for other tools: Gephi (gexf), GraphML, CSV tables, node-link JSON,
    or RDF (turtle, nt, nquads, trig, jsonld, xml).

    \b
    kg export --format gexf                      exports/kg.gexf, open it in Gephi
    kg export --format csv --types Person,Organisation -o exports/people
    kg export --format jsonld --only curated
    kg export --format graphml --projection people --from 2022-09 --to 2022-12

    Every format takes the filters; network formats also take --projection. An RDF export
    under --types or a date window keeps the assertions about the kept entities in the
    window, with the triples they support.

    Example: kg export --format gexf -o exports/kg.gexf
    """
    from .export import formats

    if list_formats:
        rows = [
            {
                "name": f.name,
                "kind": f.kind,
                "file": f.suffix or "folder",
                "media_type": f.media_type,
                "description": f.description,
            }
            for f in formats.all_formats().values()
        ]
        emit(
            rows,
            list_format,
            ["name", "kind", "file", "media_type", "description"],
            "Export formats",
        )
        return
    if not fmt:
        raise formats.ExportError("give --format NAME (kg export --list shows them)")
    spec = formats.get_format(fmt)
    settings = make_settings(
        corpus=kw["corpus"], data_dir=kw["data_dir"], check_owl=False, store=kw["store"]
    )
    path = (
        Path(output) if output else formats.default_path(spec, settings.out_dir, kw["projection"])
    )
    if output is None:
        settings.out_dir.mkdir(parents=True, exist_ok=True)
    cli = _cli()
    if spec.kind == "rdf":
        report = _export_rdf(spec, path, settings, kw)
    else:
        net = Network(kw)
        with cli.err.status(f"Writing {spec.name}...", spinner="dots"):
            report = formats.export_network(
                net.graph, spec.name, path, metrics=not no_metrics, seed=seed
            )
    what = (
        f"{report.nodes:,} nodes, {report.edges:,} edges"
        if report.nodes is not None
        else f"{report.triples:,} {report.unit}"
    )
    cli.err.print(
        f"Wrote {escape(str(report.path))} ({spec.name}: {what}) in {report.seconds:.2f} s"
    )


def _export_rdf(spec, path: Path, settings, kw):
    from .export import formats
    from .export.rdf import export_rdf
    from .export.subset import subset

    if kw["projection"] != "entity":
        raise formats.ExportError(
            f"{spec.name} writes triples, not a projection: --projection applies to network "
            "formats (gexf, graphml, csv, json)"
        )
    filt = make_filter(
        kw["method"],
        kw["sources"],
        kw["min_confidence"],
        kw["types"],
        kw["start"],
        kw["end"],
        kw["dated_only"],
    )
    formats.check_target(path)
    store = open_graph(settings)
    with _cli().err.status(f"Writing {spec.name}...", spinner="dots"):
        result = export_rdf(subset(store, filt), spec.name, path)
    return formats.ExportReport(
        spec.name,
        path,
        [path],
        triples=result.statements,
        unit=result.unit,
        seconds=result.seconds,
    )
