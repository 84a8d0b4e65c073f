"""`kg init`, `kg config` and `kg add`: a project of one's own, over kg_builder.scaffold,
kg_builder.config and kg_builder.sources.ingest."""

from __future__ import annotations

import json

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .. import __version__
from ..errors import KGError
from . import common


@click.command()
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False))
@click.option("--title", default=None, help="The project's title (default: from DIR's name).")
@click.option(
    "--base-iri",
    default=None,
    metavar="IRI",
    help="Base of the graph's own IRIs (default: https://w3id.org/kg-builder/<name>/).",
)
@click.option("--name", default=None, help="Short name: lower-case, digits, -._ (default: DIR).")
@common.format_option
def init(folder, title, base_iri, name, fmt):
    """Create a project in DIR: kg.toml, articles/, data/curated/, queries/, .gitignore.

    \b
    kg init border-closures --title "Border closures 2022-2024"
    cd border-closures && kg add ~/saved-pages/*.html

    Refuses to touch a folder that already holds a kg.toml; files of the template that are
    already there are kept as they are.

    Example: kg init my-project --title "My project" --base-iri https://example.org/kg/
    """
    from ..scaffold import init_project

    try:
        report = init_project(folder, title=title, base_iri=base_iri, name=name)
    except KGError as exc:
        common._fail(exc, fmt)
        return
    if fmt == "json":
        click.echo(json.dumps({"ok": True, **report.as_dict()}, indent=2, ensure_ascii=False))
        return
    out = common.console
    out.print(f"Created the project {escape(str(report.root))}:")
    for path in report.written:
        out.print(f"  {escape(str(path.relative_to(report.root)))}")
    for path in report.kept:
        out.print(f"  {escape(str(path.relative_to(report.root)))} (exists: kept)")
    out.print(
        f"Next: cd {escape(folder)} && kg add ARTICLE.html URL ... && kg extract && kg build"
    )


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
def config(fmt):
    """The settings in force (project, folders, store, base IRI) and where each came from.

    Each setting comes from an option, an environment variable, the project's kg.toml or a
    default. Example: kg config --format json
    """
    try:
        project = common.current_project()
        rows = _settings_rows(project)
    except KGError as exc:
        common._fail(exc, "json" if fmt == "json" else "table")
        return
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if fmt == "csv":
        import csv
        import sys

        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(["setting", "value", "from"])
        for r in rows:
            w.writerow([r["setting"], r["value"], r["from"]])
        return
    table = common._table(
        f"kg-builder {__version__}: settings",
        ["setting", "value", "from"],
        [[escape(r["setting"]), escape(str(r["value"])), escape(r["from"])] for r in rows],
    )
    common.console.print(table)
    if project is None:
        common.err.print(
            "[yellow]Not in a project: no kg.toml here or above. Create one with kg init DIR.[/]"
        )


def _settings_rows(project) -> list[dict]:
    from .. import resources

    rows = []
    if project is None:
        rows.append({"setting": "project", "value": None, "from": "no kg.toml found"})
    else:
        rows += [
            {"setting": "project", "value": str(project.file), "from": _project_origin()},
            {"setting": "name", "value": project.name, "from": project.origin("project.name")},
            {"setting": "title", "value": project.title, "from": project.origin("project.title")},
        ]
    rows += [
        {"setting": "ontology", "value": str(resources.ontology_dir()), "from": "kg-builder"},
        {"setting": "built-in queries", "value": str(resources.queries_dir()), "from": "kg-builder"},
    ]
    if project is None:
        return rows
    settings = common.settings(check_owl=False)
    o = settings.origins
    rows += [
        {"setting": "base_iri", "value": settings.base_iri, "from": o["base_iri"]},
        {"setting": "articles", "value": _s(settings.corpus_dir), "from": o["corpus_dir"]},
        {"setting": "curated", "value": str(settings.data_dir), "from": o["data_dir"]},
        {"setting": "extracted", "value": str(settings.extracted_dir), "from": o["extracted_dir"]},
        {"setting": "store", "value": settings.store, "from": o["store"]},
        {"setting": "exports", "value": str(settings.out_dir), "from": o["out_dir"]},
        {
            "setting": "project queries",
            "value": _s(settings.project_queries_dir),
            "from": o["project_queries_dir"],
        },
        {"setting": "site", "value": str(project.paths["site"]), "from": project.origin("paths.site")},
        {
            "setting": "ontology extensions",
            "value": ", ".join(str(p) for p in settings.ontology_extensions) or "none",
            "from": o["ontology_extensions"],
        },
    ]
    for key, value in sorted(settings.publish_config.items()):
        where = f"publish.{key}" if f"publish.{key}" in project.lines else f"project.{key}"
        rows.append({"setting": f"publish.{key}", "value": value, "from": project.origin(where)})
    return rows


def _s(value) -> str | None:
    return None if value is None else str(value)


def _project_origin() -> str:
    import os

    ctx = common.project_context()
    if ctx.explicit:
        return "--project" if os.environ.get("KG_PROJECT") != ctx.explicit else "$KG_PROJECT"
    return "found from the working directory"


@click.command()
@click.argument("inputs", nargs=-1, required=True, metavar="FILE|DIR|URL...")
@click.option(
    "--timeout", default=20.0, show_default=True, metavar="S", help="Seconds per URL fetched."
)
@click.option(
    "--max-bytes",
    default=10_000_000,
    show_default=True,
    metavar="N",
    help="Largest file or page read.",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@common.format_option
def add(inputs, timeout, max_bytes, quiet, fmt):
    """Bring articles into the project: text, HTML and PDF files, folders of them, web pages.

    \b
    kg add saved/story.html notes/interview.txt report.pdf
    kg add ~/saved-pages/
    kg add https://example.org/news/2024/03/02/border-closes

    The article text goes to the project's articles folder (paths.articles), the original
    file under originals/, and the metadata (headline, outlet, author, date, canonical URL,
    language, content hash) into its sources.yaml for you to check. The same article twice
    (same content or canonical URL) is reported and not added. Each input that cannot be read
    is reported and the others go on. Fetching URLs is the only network use of kg-builder.
    Exit code 1 when any input was skipped (the others are added all the same).

    Example: kg add ~/saved-pages/ https://example.org/news/story --format json
    """
    try:
        from ..sources.ingest import add_articles

        project = common.current_project(required=True, what="kg add")
        target = common.settings(check_owl=False).corpus_dir or project.paths["articles"]
        show = not quiet and fmt != "json" and common.err.is_terminal
        with Progress(
            TextColumn("adding"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=common.err,
            disable=not show,
        ) as bar:
            task = bar.add_task("add", total=None)
            report = add_articles(
                list(inputs),
                target,
                timeout=timeout,
                max_bytes=max_bytes,
                on_item=lambda _item: bar.advance(task),
            )
    except KGError as exc:
        common._fail(exc, fmt)
        return
    if fmt == "json":
        click.echo(json.dumps({"ok": True, "folder": str(target), **report.as_dict()},
                              indent=2, ensure_ascii=False, default=str))
    else:
        _print_add(report, target)
    if report.skipped:  # the others were added; scripts still learn that something failed
        raise SystemExit(1)


def _print_add(report, target) -> None:
    out, err = common.console, common.err
    if report.added:
        out.print(
            common._table(
                f"Added {len(report.added)} article(s) to {target}",
                ["id", "headline", "outlet", "published", "from"],
                [
                    [
                        escape(a.id),
                        escape(str(a.metadata.get("headline") or "")),
                        escape(str(a.metadata.get("outlet") or "")),
                        escape(str(a.metadata.get("published") or "")),
                        escape(a.input),
                    ]
                    for a in report.added
                ],
            )
        )
        out.print(f"Check their metadata in {escape(str(target / 'sources.yaml'))}.")
    for d in report.duplicates:
        err.print(
            f"[yellow]Already there:[/] {escape(d.input)} is {escape(d.existing_id)} "
            f"({escape(d.reason)}); nothing added",
            soft_wrap=True,
        )
    for s in report.skipped:
        err.print(f"[red]Skipped:[/] {escape(s.input)}: {escape(s.reason)}", soft_wrap=True)
    if not report.added:
        out.print("Nothing added.")
