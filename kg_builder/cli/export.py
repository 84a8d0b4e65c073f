"""`kg export`: the graph for Gephi, D3, spreadsheets and RDF tools, over kg_builder.export."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from ..pipeline import open_graph
from . import common
from .network import Network, emit, filter_from, handle_errors, network_options


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
    from ..export import formats

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
    settings = common.settings(
        corpus=kw["corpus"], data_dir=kw["data_dir"], check_owl=False, store=kw["store"]
    )
    path = (
        Path(output) if output else formats.default_path(spec, settings.out_dir, kw["projection"])
    )
    if output is None:
        settings.out_dir.mkdir(parents=True, exist_ok=True)
    cli = common
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
    from ..export import formats
    from ..export.rdf import export_rdf
    from ..export.subset import subset

    if kw["projection"] != "entity":
        raise formats.ExportError(
            f"{spec.name} writes triples, not a projection: --projection applies to network "
            "formats (gexf, graphml, csv, json)"
        )
    filt = filter_from(kw)
    formats.check_target(path)
    store = open_graph(settings)
    with common.err.status(f"Writing {spec.name}...", spinner="dots"):
        result = export_rdf(subset(store, filt), spec.name, path)
    return formats.ExportReport(
        spec.name,
        path,
        [path],
        triples=result.statements,
        unit=result.unit,
        seconds=result.seconds,
    )
