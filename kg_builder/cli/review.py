"""`kg review`: accept or reject extracted candidates (a thin layer over extraction.review)."""

from __future__ import annotations

import csv
import io
import json
import sys

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..errors import KGError
from ..extraction.review import EXPORT_COLUMNS, Item, Review
from . import common

console = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def _folders(fn):
    fn = click.option(
        "--extracted",
        "extracted_dir",
        type=click.Path(file_okay=False),
        default=None,
        help="Folder of candidates files (default: paths.extracted of kg.toml, or extracted/ "
        "beside a curated folder named with --data).",
    )(fn)
    return click.option(
        "--data",
        "data_dir",
        type=click.Path(file_okay=False),
        default=None,
        help="Folder of curated YAML/CSV (default: paths.curated of kg.toml).",
    )(fn)


def _review(data_dir, extracted_dir) -> Review:
    try:
        settings = common.settings(
            data_dir=data_dir, extracted=extracted_dir, check_owl=False, use_default_corpus=False
        )
        return Review(settings.data_dir, settings.extracted_dir)
    except KGError as exc:
        raise click.ClickException(str(exc)) from exc


def _run(fn, *args, **kwargs):
    """Call the library; its errors become a clean message and exit code."""
    try:
        return fn(*args, **kwargs)
    except KGError as exc:
        err.print(f"[red]Error:[/] {escape(str(exc))}")
        sys.exit(getattr(exc, "exit_code", 1))


@click.group()
def review() -> None:
    """Review extracted candidates: accepted ones become curated facts (appended to
    data/curated/facts/<source>.yaml with their evidence), rejected ones are logged in
    review.jsonl and never proposed again.

    Non-interactive path: kg review export --csv F; edit the decision column; kg review
    import --csv F.

    Example: kg review list --min-confidence 0.8, then kg review accept KEY or kg review
    interactive
    """


@review.command("list")
@_folders
@click.option("--source", default=None, help="Only this source (corpus id or a prefix of it).")
@click.option(
    "--status",
    type=click.Choice(["proposed", "accepted", "rejected", "all"]),
    default="proposed",
    show_default=True,
)
@click.option(
    "--min-confidence", type=float, default=None, help="Only candidates at least this sure."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
def list_(data_dir, extracted_dir, source, status, min_confidence, fmt):
    """List candidates with their key, fact, confidence and rule."""
    rev = _review(data_dir, extracted_dir)
    items = rev.select(source=source, status=status, min_confidence=min_confidence)
    if fmt == "json":
        rows = [
            {**i.row(), "status": i.candidate.status, "file": str(i.file.path), "line": i.line}
            for i in items
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        writer.writerows(i.row() for i in items)
        click.echo(out.getvalue(), nl=False)
        return
    table = Table(title=f"{len(items)} candidate(s), status {status}")
    for col in ("key", "source", "subject", "relation", "object / value", "conf.", "rule"):
        table.add_column(col)
    for i in items:
        c = i.candidate
        what = c.object or f'"{c.value}"'
        table.add_row(
            c.key, c.source[:12], c.subject, c.relation, escape(what), f"{c.confidence:.2f}", c.rule
        )
    console.print(table)


@review.command()
@_folders
@click.argument("keys", nargs=-1, required=True)
def accept(data_dir, extracted_dir, keys):
    """Accept candidates (a unique key prefix is enough): their facts become curated."""
    rev = _review(data_dir, extracted_dir)
    done = _run(rev.accept, keys)
    for item in done:
        path, _ = rev.facts_file(item.candidate.source)
        console.print(f"accepted {item.key}: {_fact(item)} -> {path}")
    skipped = len(keys) - len(done)
    if skipped:
        console.print(f"{skipped} already accepted")
    if done:
        console.print("Run `kg validate` to check the curated data.")


@review.command()
@_folders
@click.argument("keys", nargs=-1, required=True)
@click.option("--reason", default=None, help="Why (kept in the review log).")
def reject(data_dir, extracted_dir, keys, reason):
    """Reject candidates: logged, and never proposed again."""
    rev = _review(data_dir, extracted_dir)
    done = _run(rev.reject, keys, reason=reason)
    for item in done:
        console.print(f"rejected {item.key}: {_fact(item)}")
    if len(keys) > len(done):
        console.print(f"{len(keys) - len(done)} already rejected")


@review.command("export")
@_folders
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), required=True)
@click.option("--source", default=None, help="Only this source (corpus id or a prefix of it).")
@click.option(
    "--status",
    type=click.Choice(["proposed", "accepted", "rejected", "all"]),
    default="proposed",
    show_default=True,
)
@click.option("--min-confidence", type=float, default=None)
def export_(data_dir, extracted_dir, csv_path, source, status, min_confidence):
    """Write candidates to a CSV with a decision column (accept / reject / blank) to fill in."""
    rev = _review(data_dir, extracted_dir)
    n = _run(
        rev.export_csv, csv_path, source=source, status=status, min_confidence=min_confidence
    )
    console.print(
        f"Wrote {n} candidate(s) to {csv_path}; fill in the decision column, then "
        f"`kg review import --csv {csv_path}`."
    )


@review.command("import")
@_folders
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, exists=True), required=True)
def import_(data_dir, extracted_dir, csv_path):
    """Apply the decisions of an edited CSV export (checked in full before any change)."""
    rev = _review(data_dir, extracted_dir)
    counts = _run(rev.import_csv, csv_path)
    console.print(
        f"accepted {counts['accepted']}, rejected {counts['rejected']}, "
        f"unchanged {counts['unchanged']}"
    )


@review.command()
@_folders
@click.option("--source", default=None, help="Only this source (corpus id or a prefix of it).")
@click.option("--min-confidence", type=float, default=None)
@click.option("--reason", default=None, help="Reason logged for every rejection.")
def interactive(data_dir, extracted_dir, source, min_confidence, reason):
    """Go through the proposed candidates one by one: [a]ccept, [r]eject, [s]kip or [q]uit."""
    rev = _review(data_dir, extracted_dir)
    items = rev.select(source=source, status="proposed", min_confidence=min_confidence)
    counts = {"accepted": 0, "rejected": 0, "skipped": 0}
    for n, item in enumerate(items, start=1):
        c = item.candidate
        click.echo(f"\n[{n}/{len(items)}] {c.key}  ({c.source})")
        click.echo(f"  {c.subject}  {c.relation}  {c.object or _quoted(c.value)}")
        dated = f", date {c.date}" if c.date else ""
        click.echo(f"  confidence {c.confidence:.2f}, rule {c.rule}{dated}")
        click.echo(f"  evidence: {c.evidence}")
        choice = click.prompt(
            "[a]ccept / [r]eject / [s]kip / [q]uit",
            type=click.Choice(["a", "r", "s", "q"]),
            show_choices=False,
        )
        if choice == "q":
            break
        if choice == "a":
            _run(rev.accept, [c.key])
            counts["accepted"] += 1
        elif choice == "r":
            _run(rev.reject, [c.key], reason=reason)
            counts["rejected"] += 1
        else:
            counts["skipped"] += 1
    click.echo(
        f"\naccepted {counts['accepted']}, rejected {counts['rejected']}, "
        f"skipped {counts['skipped']}"
    )


def _fact(item: Item) -> str:
    c = item.candidate
    return f"{c.subject} {c.relation} {c.object or _quoted(c.value)}"


def _quoted(value) -> str:
    """A literal as a reader wants it: in quotes, with odd spaces shown as plain ones."""
    return "“" + " ".join(str(value).split()) + "”"
