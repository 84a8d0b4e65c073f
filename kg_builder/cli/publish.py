"""`kg publish DIR`: the static linked-data site, over kg_builder.publish.site (the lead
registers the command in cli.py)."""

from __future__ import annotations

import json

import click
from rich.markup import escape

from ..errors import KGError
from ..pipeline import open_graph
from . import common
from .common import corpus_option, format_option, store_option


@click.command()
@click.argument("out_dir", metavar="[DIR]", type=click.Path(), required=False)
@store_option
@click.option(
    "--base-url",
    default=None,
    metavar="URL",
    help="Where the site will be hosted: absolute URLs of the sitemap and the VoID "
    "description (default: the base IRI).",
)
@click.option(
    "--base-iri", default=None, help="Base IRI of the graph's own IRIs (default: $KG_BASE_IRI)."
)
@click.option(
    "--sparql-url",
    default=None,
    metavar="URL",
    help="A SPARQL endpoint to link from every page (a static host has none).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, exists=True),
    default=None,
    help="Publishing configuration (title, licence, publisher; default: publish.yaml).",
)
@corpus_option
@click.option("--quiet", is_flag=True, help="No progress bar.")
@format_option
def publish(out_dir, store, base_url, base_iri, sparql_url, config_path, corpus, quiet, fmt):
    """Write the graph as a static linked-data site into DIR (default: paths.site of kg.toml).

    \b
    kg publish site                                   site/ for https://w3id.org/kg-builder/
    kg publish site --base-url https://example.org/kg/ --sparql-url https://example.org/sparql

    For every entity, source, quote and assertion: DIR/id/<type>/<slug>.html, .ttl, .nt and
    .jsonld; an index page, the ontology page and files, the VoID/DCAT description
    (DIR/.well-known/void, void.ttl), the dumps (dumps/kg.nq, kg.ttl), sitemap.xml, and
    server configuration for content negotiation (.htaccess for Apache,
    nginx.conf.example). DIR is replaced only when the new site is complete, and only if it
    is empty or a site kg publish wrote.

    Example: kg publish site --base-url https://example.org/kg/
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from ..publish.site import publish as publish_site

    cli = common
    try:
        settings = common.settings(corpus=corpus, base_iri=base_iri, check_owl=False, store=store)
        if out_dir is None:
            project = common.current_project(required=True, what="kg publish without DIR")
            out_dir = str(project.paths["site"])
        config = None
        if config_path:
            from ..publish.void import load_publish_config

            config = load_publish_config(config_path)
        graph = open_graph(settings)
        if quiet:
            summary = publish_site(graph, settings, out_dir, base_url, sparql_url=sparql_url,
                                   config=config)
        else:
            columns = (TextColumn("pages"), BarColumn(), MofNCompleteColumn())
            with Progress(*columns, console=cli.err, transient=True) as bar:
                task = bar.add_task("pages", total=None)

                def progress(done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total)

                summary = publish_site(graph, settings, out_dir, base_url,
                                       sparql_url=sparql_url, config=config, progress=progress)
    except KGError as exc:
        cli._fail(exc, fmt)
        return
    if fmt == "json":
        click.echo(json.dumps(summary.as_dict(), indent=2))
        return
    kinds = ", ".join(f"{n} {seg}" for seg, n in sorted(summary.by_segment.items()))
    cli.console.print(
        f"Wrote {escape(str(summary.path))}: {summary.pages:,} pages, {summary.files:,} files, "
        f"{summary.bytes / 1e6:.1f} MB in {summary.seconds:.1f} s ({kinds})."
    )
    if not summary.void:
        cli.err.print("[yellow]Note:[/] no VoID description (kg_builder.publish.void missing).")
