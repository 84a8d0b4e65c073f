"""`kg query`: the query catalogue and ad-hoc SPARQL, over the library API (kg_builder.queries)."""

from __future__ import annotations

import codecs
import json
import os
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from ..errors import KGError
from ..pipeline import open_graph
from ..queries import (
    GRAPH_FORMATS,
    PREFIX_MAP,
    RESULT_FORMATS,
    Catalogue,
    QueryTimeout,
    QueryUsageError,
    View,
    labels,
    run,
    serialize,
    shape,
    short,
    stream,
    update,
)
from . import common
from .common import corpus_option, data_option, store_option

FORMATS = ["table", *RESULT_FORMATS, *sorted(set(GRAPH_FORMATS) - set(RESULT_FORMATS))]


queries_option = click.option(
    "--queries",
    "folder",
    type=click.Path(file_okay=False),
    default=None,
    help="Catalogue folder, instead of the built-in catalogue and the project's queries/.",
)


def _catalogue(folder) -> Catalogue:
    """--queries FOLDER alone, else the built-in catalogue with the project's own queries
    (paths.queries of kg.toml) layered over it."""
    if folder:
        return Catalogue(folder)
    project = common.current_project()
    if project is None:
        return Catalogue()
    from ..resources import queries_dir

    built_in = queries_dir()
    own = project.paths["queries"]
    if own.is_dir() and own.resolve() != built_in.resolve():
        return Catalogue(folders=[built_in, own])
    return Catalogue()


@click.group()
def query() -> None:
    """Ask the graph: the catalogue of ready questions, or your own SPARQL.

    \b
    kg query list                              the catalogue
    kg query show exit-routes                  one query: question, parameters, columns, text
    kg query run person-timeline --param person="Andrei Amonov"
    kg query run -e "SELECT ?p WHERE { ?p a kg:Person }" --format csv
    kg query run exit-routes --only curated --source 002_aa80568b4da406dd

    Example: kg query run country-flows --format csv
    """


@query.command("list")
@click.option("--checks", is_flag=True, help="Include the hygiene checks (queries/checks/).")
@queries_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
def list_(checks, folder, fmt):
    """The catalogue: name, question and parameters of every query."""
    cli = common
    try:
        cat = _catalogue(folder)
    except KGError as exc:
        cli._fail(exc, "json" if fmt == "json" else "table")
        return
    entries = [cat.get(n) for n in cat.names(checks)]
    if fmt == "json":
        click.echo(json.dumps([q.as_dict() for q in entries], indent=2, ensure_ascii=False))
        return
    if fmt == "csv":
        import csv

        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(["name", "origin", "question", "parameters"])
        for q in entries:
            w.writerow([q.name, _origin(q), q.question, _params_text(q)])
        return
    table = Table(
        title=f"{len(entries)} queries in {', '.join(str(f) for f in cat.folders)}",
        title_justify="left",
        show_edge=False,
        pad_edge=False,
        show_lines=False,
    )
    table.add_column("name", no_wrap=True, style="bold")
    table.add_column("origin", no_wrap=True)
    table.add_column("question", ratio=3)
    table.add_column("parameters", ratio=2)
    for q in entries:
        table.add_row(
            escape(q.name), escape(_origin(q)), escape(q.question), escape(_params_text(q))
        )
    cli.console.print(table)


def _origin(q) -> str:
    """built-in, project, or project (overrides built-in)."""
    return f"{q.origin} (overrides built-in)" if q.overrides else q.origin


def _params_text(q) -> str:
    return "; ".join(
        f"{p.name} ({p.type}" + ("" if p.optional else f", default {p.default}") + ")"
        for p in q.parameters.values()
    )


@query.command()
@click.argument("name")
@queries_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def show(name, folder, fmt):
    """One catalogue query: its question, parameters, columns, notes and SPARQL text."""
    cli = common
    try:
        q = _catalogue(folder).get(name)
    except KGError as exc:
        cli._fail(exc, "json" if fmt == "json" else "table")
        return
    if fmt == "json":
        click.echo(json.dumps({**q.as_dict(), "text": q.text}, indent=2, ensure_ascii=False))
        return
    out = cli.console
    out.print(f"[bold]{escape(q.name)}[/]: {escape(q.question)}")
    if q.variant_of:
        out.print(f"A variant of {escape(q.variant_of)} with other defaults.")
    for p in q.parameters.values():
        default = "optional" if p.optional else f"default {p.default!r}"
        out.print(
            f"  --param {escape(p.name)}=…  ({p.type}, {escape(default)}): {escape(p.description)}"
        )
    for c, meaning in q.columns.items():
        out.print(f"  column {escape(c)}: {escape(meaning)}")
    if q.notes:
        out.print(escape(" ".join(q.notes)))
    out.print()
    click.echo(q.text)


def _parse_params(values: tuple[str, ...]) -> dict[str, str]:
    params = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise QueryUsageError(f"--param takes KEY=VALUE, not {item!r}")
        params[key.strip().lstrip("?$")] = value
    return params


@query.command("run")
@click.argument("name", required=False)
@click.option("-e", "--expression", "text", default=None, help="A SPARQL query to run.")
@click.option(
    "--file", "file", type=click.Path(dir_okay=False), default=None, help="A .rq file to run."
)
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="A parameter value (repeatable). Entities by label, id or IRI.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="table (labels, wrapped), SPARQL results json/csv/tsv/xml, or for "
    "CONSTRUCT/DESCRIBE an RDF syntax.",
)
@click.option(
    "--only",
    "method",
    type=click.Choice(["curated", "extracted"]),
    default=None,
    help="See only the facts made this way.",
)
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="ID",
    help="See only the facts of this source (repeatable).",
)
@click.option(
    "--min-confidence",
    default=None,
    metavar="X",
    help="See only facts whose confidence is at least X (0-1).",
)
@click.option(
    "--timeout",
    type=float,
    default=60.0,
    show_default=True,
    help="Seconds after which the query is stopped.",
)
@click.option("--iris", is_flag=True, help="Table: show IRIs (prefixed) instead of labels.")
@click.option(
    "--allow-writes",
    is_flag=True,
    help="Allow an update (INSERT/DELETE/LOAD/CLEAR...) to change the store.",
)
@click.option(
    "--allow-service", is_flag=True, help="Allow SERVICE clauses to query remote endpoints."
)
@queries_option
@store_option
@corpus_option
@data_option
def run_(
    name,
    text,
    file,
    params,
    fmt,
    method,
    sources,
    min_confidence,
    timeout,
    iris,
    allow_writes,
    allow_service,
    folder,
    store,
    corpus,
    data_dir,
):
    """Run a catalogue query by NAME, or your own with -e TEXT or --file F.rq.

    The common prefixes are declared for you (kg, schema, prov, owl, rdfs, skos, xsd, wd,
    rdf). Parameters are bound as RDF terms, never pasted into the text. --only, --source
    and --min-confidence restrict which facts the query sees without changing it.

    Exit codes: 4 a wrong request (unknown name or parameter, refused update or SERVICE),
    5 the store cannot be used, 6 the query does not parse, fails or times out.
    """
    cli = common
    err_fmt = "json" if fmt == "json" else "table"
    try:
        given = sum(x is not None for x in (name, text, file))
        if given != 1:
            raise QueryUsageError("give one of: a catalogue NAME, -e TEXT or --file F.rq")
        catalogue_query = None
        if name:
            catalogue_query = _catalogue(folder).get(name)
            sparql = catalogue_query.text
        elif file:
            try:
                sparql = Path(file).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise QueryUsageError(f"cannot read {file}: {exc}") from exc
        else:
            sparql = text
        confidence = None
        if min_confidence is not None:
            try:
                confidence = Decimal(min_confidence)
            except InvalidOperation as exc:
                raise QueryUsageError(
                    f"--min-confidence takes a number, not {min_confidence!r}"
                ) from exc
        view = View(method, tuple(sources), confidence)
        settings = common.settings(corpus=corpus, data_dir=data_dir, check_owl=False, store=store)
        if shape(sparql).form == "UPDATE" and allow_writes:
            _update(cli, settings, sparql, allow_service, err_fmt)
            return
        graph = open_graph(settings)
        args = dict(
            view=view, timeout=timeout, allow_writes=allow_writes, allow_service=allow_service
        )
        if fmt == "table":
            result = run(graph, catalogue_query or sparql, _parse_params(params), **args)
            _print_table(cli, graph, result, catalogue_query, iris, settings.base_iri)
        else:  # written as the engine reads it (Oxigraph's serialisers), never held whole
            sys.stdout.flush()
            out = _binary_stdout()
            stream(graph, catalogue_query or sparql, out, fmt, _parse_params(params), **args)
    except BrokenPipeError:  # the reader went away (kg query run ... | head): stop quietly
        _stdout_to_devnull()
        sys.exit(1)
    except QueryTimeout as exc:
        cli.err.print(f"[bold red]Error:[/] {escape(str(exc))}", soft_wrap=True)
        sys.stderr.flush()
        os._exit(exc.exit_code)  # the engine may still be working in its thread: end it
    except KGError as exc:
        cli._fail(exc, err_fmt)


def _binary_stdout():
    """Standard output as a binary file (the bytes of a text stream without one)."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is not None:
        return buffer

    class Text:
        decoder = codecs.getincrementaldecoder("utf-8")()  # a character may span two writes

        def write(self, data: bytes) -> int:
            sys.stdout.write(self.decoder.decode(data))
            return len(data)

        def flush(self) -> None:
            sys.stdout.flush()

    return Text()


def _stdout_to_devnull() -> None:
    """After a closed pipe: point stdout at /dev/null, so that exiting flushes nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (a test's capture)
        pass


def _update(cli, settings, sparql, allow_service, err_fmt) -> None:
    if settings.in_memory:
        graph = open_graph(settings)
        graph.update(sparql, PREFIX_MAP)
        cli.console.print(
            "Applied to the graph built in memory; nothing is persisted with --store memory."
        )
        return
    info = update(settings.store, sparql, allow_service=allow_service)
    change = info["quads_after"] - info["quads_before"]
    cli.console.print(
        f"Updated {settings.store}: {info['quads_before']:,} -> {info['quads_after']:,} quads "
        f"({change:+,}); now {info['generation']}. The next kg build rebuilds the store "
        "from the curated files and replaces this change."
    )


def _print_table(cli, graph, result, catalogue_query, iris: bool, base_iri: str) -> None:
    out = cli.console
    answer = result.answer
    ms = result.seconds * 1000
    view = "" if result.view is None or result.view.everything else f"; {result.view.describe()}"
    if catalogue_query is not None:
        out.print(f"[bold]{escape(catalogue_query.question)}[/]")
        if result.bindings:
            out.print(
                "  " + ", ".join(f"{k} = {escape(short(v))}" for k, v in result.bindings.items())
            )
    if answer.form == "ASK":
        out.print("yes" if answer.boolean else "no")
        out.print(f"[dim]ASK in {ms:.0f} ms{escape(view)}[/]")
        return
    if answer.form in ("CONSTRUCT", "DESCRIBE"):
        click.echo(serialize(result, "turtle"))
        cli.err.print(f"[dim]{len(answer.graph)} triples in {ms:.0f} ms{escape(view)}[/]")
        return
    names = {} if iris else labels(graph, (t for row in answer.rows for t in row))
    prefixes = {**PREFIX_MAP, "id": base_iri + "id/"}
    table = Table(show_edge=False, pad_edge=False, show_lines=False)
    for v in answer.variables:
        table.add_column(v, overflow="fold")
    for row in answer.rows:
        table.add_row(*[escape(names.get(t) or short(t, prefixes)) for t in row])
    out.print(table)
    out.print(f"[dim]{len(answer.rows)} row(s) in {ms:.0f} ms{escape(view)}[/]")
