"""`kg build`, `kg validate` and `kg stats`: over kg_builder.pipeline and kg_builder.stats."""

from __future__ import annotations

import json
import time
from collections import Counter

import click

from ..config import MEMORY
from ..errors import KGError
from ..pipeline import build as build_graph
from ..pipeline import open_graph, validate_only, validate_store
from ..stats import stats as compute_stats
from . import common
from .common import (
    base_option,
    corpus_option,
    data_option,
    extracted_option,
    format_option,
    no_corpus_option,
    owl_option,
    store_option,
)

console = common.console
err = common.err
_fail = common._fail
_print_problems = common._print_problems
_table = common._table



@click.command()
@corpus_option
@no_corpus_option
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=None,
    help="Output folder (default: exports/).",
)
@data_option
@extracted_option
@base_option
@owl_option
@store_option
@click.option("--full", is_flag=True, help="Rebuild every graph, not only the changed ones.")
@click.option("--no-export", is_flag=True, help="Fill the store only; do not write exports/.")
@click.option("--break-lock", is_flag=True,
              help="Remote store: remove the lock record a build that died left behind.")
@format_option
def build(
    corpus, no_corpus, out, data_dir, extracted, base_iri, no_owl, store, full, no_export,
    break_lock, fmt,
):
    """Build, validate and write the knowledge graph.

    Loads the curated facts and source metadata, checks evidence against the corpus, builds
    the RDF dataset (one named graph per source), validates it (SHACL, OWL, hygiene queries),
    fills the store and writes exports/kg.nq (every named graph) and exports/kg.ttl (merged).

    The store is incremental: only named graphs whose content changed are rewritten, into a
    new generation that replaces the old one at the very end (a failed or interrupted build
    leaves the previous store and exports as they were).

    Example: kg build --corpus ../shared/corpus --store .kg/store
    """
    started = time.perf_counter()
    try:
        settings = common.settings(
            corpus=corpus,
            out=out,
            data_dir=data_dir,
            base_iri=base_iri,
            check_owl=not no_owl,
            use_default_corpus=not no_corpus,
            store=store,
            extracted=extracted,
        )
        with err.status("building…") as status:
            result = build_graph(
                settings,
                write=not no_export,
                full=full,
                on_step=lambda s: status.update(f"{s}…"),
                break_lock=break_lock,
            )
        summary = compute_stats(result.store())
    except KGError as exc:
        _fail(exc, fmt)
        return
    elapsed = time.perf_counter() - started
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "ok": True,
                    "outputs": [str(p) for p in result.outputs],
                    "corpus": str(settings.corpus_dir) if settings.corpus_dir else None,
                    "evidence_checked": result.data.corpus_checked,
                    "owl": result.owl.note if result.owl else "skipped",
                    "store": settings.store,
                    "build": result.stats.as_dict(),
                    "warnings": [p.as_dict() for p in result.warnings],
                    "seconds": round(elapsed, 2),
                    **summary,
                },
                indent=2,
                ensure_ascii=False,
                default=str,
            )
        )
        return
    _print_problems(result.warnings)
    if settings.corpus_dir is None:
        err.print(
            "[yellow]No corpus: built from the curated facts alone; evidence quotes were "
            "NOT checked against the articles (use --corpus DIR or KG_CORPUS).[/]"
        )
    else:
        console.print(f"Corpus: {settings.corpus_dir} (evidence checked against the articles)")
    _print_summary(summary)
    if result.owl:
        console.print(f"OWL: {result.owl.note}")
    if result.stats.up_to_date:
        console.print("Validation: nothing changed since the current generation was validated.")
    else:
        how = ""
        if (result.stats.validation or {}).get("mode") == "incremental":
            how = (f"; validated incrementally: the {result.stats.validation['touched_nodes']:,}"
                   " nodes and the graphs the change touched, earlier findings carried over")
        console.print(
            f"SHACL: conforms ({sum(p.check == 'shacl' for p in result.warnings)} warning(s)"
            f"{how})", soft_wrap=True,
        )
    _print_build_stats(result)
    for path in result.outputs:
        console.print(f"Wrote {path} ({path.stat().st_size:,} bytes)")
    console.print(
        f"[green]Built {summary['triples']:,} quads in {summary['graphs']} named graphs "
        f"in {elapsed:.1f} s.[/]"
    )


def _print_build_stats(result) -> None:
    st = result.stats
    where = "memory (rdflib)" if result.settings.in_memory else result.settings.store
    if st.up_to_date:
        console.print(
            f"Store: {where} is up to date ({st.generation}); nothing rewritten.", soft_wrap=True
        )
        return
    what = "full build" if st.full else "incremental build"
    console.print(
        f"Store: {where} ({what}): {len(st.changed)} of {st.graphs} named graphs written"
        + (f", {len(st.removed)} removed" if st.removed else "")
        + f", {st.quads_written:,} quads"
        + (f"; now {st.generation}" if st.generation else ""),
        soft_wrap=True,
    )


def _print_summary(summary: dict) -> None:
    console.print(
        _table(
            "Entities per class",
            ["class", "entities"],
            [[r["class"], r["entities"]] for r in summary["classes"]],
        )
    )
    console.print()
    methods = sorted({r["method"] for r in summary["sources"]})
    by_source: dict[str, Counter] = {}
    for r in summary["sources"]:
        by_source.setdefault(r["source"], Counter())[r["method"]] += r["facts"]
    console.print(
        _table(
            "Facts per source and method",
            ["source"] + methods,
            [[s] + [c[m] for m in methods] for s, c in sorted(by_source.items())],
        )
    )
    console.print()


@click.command()
@corpus_option
@no_corpus_option
@data_option
@extracted_option
@owl_option
@click.option(
    "--engine",
    type=click.Choice(["oxigraph", "memory"]),
    default="oxigraph",
    show_default=True,
    help="Validate in a scratch Oxigraph store (SHACL compiled to SPARQL; any size) or in "
    "rdflib with pySHACL (the reference engine, for small graphs).",
)
@click.option(
    "--store",
    "store",
    default=None,
    metavar="PATH|URL",
    help="Validate the graph this store holds now, inside it (on the server for a "
    "sparql+http:// store), instead of the curated files.",
)
@format_option
def validate(corpus, no_corpus, data_dir, extracted, no_owl, engine, store, fmt):
    """Run every check of `kg build` without writing anything; list every problem.

    Checks the curated files (syntax, types and relations against the ontology, references,
    dates, evidence in the articles), then SHACL, OWL consistency and hygiene queries. The
    store is not touched.
    Exit code 0: valid; 2: curated data problems; 3: graph problems; 4: configuration.

    Example: kg validate --format json
    """
    try:
        settings = common.settings(
            corpus=corpus,
            data_dir=data_dir,
            check_owl=not no_owl,
            use_default_corpus=not no_corpus,
            store=MEMORY if engine == "memory" else None,
            extracted=extracted,
        )
        if store is not None:
            settings.store = store
        with err.status("validating…") as status:
            if store is not None:
                result = validate_store(settings, on_step=lambda s: status.update(f"{s}…"))
            else:
                result = validate_only(settings, on_step=lambda s: status.update(f"{s}…"))
    except KGError as exc:
        _fail(exc, fmt)
        return
    if store is not None:
        if fmt == "json":
            click.echo(json.dumps({"ok": True, "store": store, "quads": result.stats.quads,
                                   "graphs": result.stats.graphs,
                                   "problems": [p.as_dict() for p in result.problems]},
                                  indent=2, ensure_ascii=False))
            return
        _print_problems(result.problems)
        console.print(f"[green]Valid:[/] the {result.stats.quads:,} quads in "
                      f"{result.stats.graphs} graphs of {store}; "
                      f"{len(result.warnings)} warning(s).")
        return
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "ok": True,
                    "evidence_checked": result.data.corpus_checked,
                    "problems": [p.as_dict() for p in result.problems],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    _print_problems(result.problems)
    checked = "checked" if result.data.corpus_checked else "NOT checked (no corpus)"
    console.print(
        f"[green]Valid:[/] {len(result.data.entities)} entities, {len(result.data.facts)} "
        f"facts from {len(result.data.files)} files; evidence {checked}; "
        f"{len(result.warnings)} warning(s)."
    )


@click.command()
@store_option
@corpus_option
@data_option
@format_option
def stats(store, corpus, data_dir, fmt):
    """Counts per class, property and source; orphan entities; facts with no source.

    Reads the built store (run `kg build` first); with --store memory the curated data are
    built in memory instead (--corpus and --data apply then).

    Example: kg stats --format json
    """
    try:
        settings = common.settings(corpus=corpus, data_dir=data_dir, check_owl=False, store=store)
        summary = compute_stats(open_graph(settings))
    except KGError as exc:
        _fail(exc, fmt)
        return
    if fmt == "json":
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False, default=str))
        return
    console.print(
        f"{summary['triples']:,} quads in {summary['graphs']} named graphs; "
        f"{summary['entities']} entities."
    )
    _print_summary(summary)
    console.print(
        _table(
            "Facts per property",
            ["property", "facts"],
            [[r["property"], r["facts"]] for r in summary["properties"]],
        )
    )
    console.print()
    orphans = summary["orphan_entities"]
    console.print(f"Orphan entities (no article mentions them): {len(orphans)}")
    for r in orphans:
        console.print(f"  {r['entity']}  {r['label']}")
    unsourced = summary["facts_without_source"]
    console.print(f"Facts with no source: {len(unsourced)}")
    for r in unsourced:
        console.print(f"  {r['subject']} {r['property']} {r['value']}")
