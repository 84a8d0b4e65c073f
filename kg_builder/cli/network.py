"""What `kg analyze` and `kg export` share: the filter options, opening the network, listings
as tables, CSV or JSON, and error handling."""

from __future__ import annotations

import csv
import functools
import json
import sys
from datetime import date
from decimal import Decimal, InvalidOperation

import click
from rich.markup import escape
from rich.table import Table

from ..errors import KGError
from ..pipeline import open_graph
from . import common


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
        # Where the graph comes from: the same options as kg build and kg stats.
        common.store_option,
        common.corpus_option,
        common.data_option,
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _date(text: str | None, side: str) -> date | None:
    from ..dates import parse_time

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
    from ..analysis import Filter

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


def filter_from(kw: dict):
    """The Filter of the shared options (see network_options)."""
    return make_filter(
        kw["method"],
        kw["sources"],
        kw["min_confidence"],
        kw["types"],
        kw["start"],
        kw["end"],
        kw["dated_only"],
    )


class Network:
    """The store, the filtered entity network and the chosen projection, opened once."""

    def __init__(self, kw: dict):
        from ..analysis import derive, project

        self.settings = common.settings(
            corpus=kw["corpus"], data_dir=kw["data_dir"], check_owl=False, store=kw["store"]
        )
        self.filter = filter_from(kw)
        self.projection = kw["projection"]
        cli = common
        with cli.err.status("Reading the graph into a network...", spinner="dots"):
            self.store = open_graph(self.settings)
            from ..ontology import load_ontology

            onto = load_ontology(self.settings.ontology_dir, self.settings.ontology_extensions)
            self.entity = project(self.store, self.filter, onto)
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
            common._fail(exc, "json" if kwargs.get("fmt") == "json" else "table")

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
    cli = common
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
