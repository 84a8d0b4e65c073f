"""The command-line options that several `kg` commands share, defined once."""

from __future__ import annotations

import click

corpus_option = click.option(
    "--corpus",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder of article texts and sources.yaml (default: $KG_CORPUS, else ../shared/corpus).",
)
no_corpus_option = click.option(
    "--no-corpus",
    is_flag=True,
    help="Build from the curated facts alone; evidence quotes are not checked against articles.",
)
data_option = click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder of curated YAML/CSV (default: data/curated).",
)
base_option = click.option(
    "--base-iri", default=None, help="Base IRI of the graph's own IRIs (default: $KG_BASE_IRI)."
)
format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Terminal table or machine-readable JSON.",
)
owl_option = click.option("--no-owl", is_flag=True, help="Skip the OWL consistency check (HermiT).")
extracted_option = click.option(
    "--extracted",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder of extraction candidates (JSONL) loaded as extracted facts (default: "
    "extracted/ beside the curated data folder).",
)
store_option = click.option(
    "--store",
    default=None,
    metavar="PATH|memory",
    help="The graph store: a folder holding an Oxigraph database (default: $KG_STORE, else "
    ".kg/store), or 'memory' for a pure-rdflib graph built in memory.",
)
