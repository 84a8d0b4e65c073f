"""What every `kg` command shares: the consoles, the options several commands take, error
printing, and the project, found once before any command runs. Imports no command."""

from __future__ import annotations

import json
import sys

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..config import Settings, resolve_settings
from ..errors import KGError, ProblemsError
from ..project import Project, no_project_error, open_project

console = Console(highlight=False)
err = Console(stderr=True, highlight=False)


class ProjectContext:
    """The project the command line names (--project, $KG_PROJECT) or the working directory
    is in; found once by the `kg` group. A kg.toml that cannot be read is kept as the error
    to raise when a command asks for the project."""

    def __init__(self, explicit: str | None = None):
        self.explicit = explicit
        self.project: Project | None = None
        self.error: KGError | None = None
        try:
            self.project = open_project(explicit)
        except KGError as exc:
            self.error = exc

    def get(self, required: bool = False, what: str = "this command") -> Project | None:
        if self.error is not None:
            raise self.error
        if required and self.project is None:
            raise no_project_error(what)
        return self.project


def project_context() -> ProjectContext:
    """The ProjectContext of the running command (one made on demand when a command runs
    outside the `kg` group, as tests do with a single command)."""
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root() if ctx is not None else None
    if root is None:
        return ProjectContext()
    if not isinstance(root.obj, ProjectContext):
        root.obj = ProjectContext()
    return root.obj


def current_project(required: bool = False, what: str = "this command") -> Project | None:
    return project_context().get(required, what)


def settings(**options) -> Settings:
    """Settings for the running command: its options over the environment over the project."""
    return resolve_settings(project=current_project(), **options)



corpus_option = click.option(
    "--corpus",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder of article texts and sources.yaml (default: $KG_CORPUS, else paths.articles "
    "of kg.toml).",
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
    help="Folder of curated YAML/CSV (default: paths.curated of kg.toml).",
)
base_option = click.option(
    "--base-iri", default=None, help="Base IRI of the graph's own IRIs (default: $KG_BASE_IRI, else project.base_iri)."
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
    metavar="PATH|URL|memory",
    help="The graph store: a folder holding an Oxigraph database (default: $KG_STORE, else "
    "paths.store of kg.toml), a SPARQL server as sparql+http(s)://host:port/path (its query "
    "endpoint or base URL; credentials from $KG_STORE_USER/$KG_STORE_PASSWORD or "
    "$KG_STORE_TOKEN), or 'memory' for a pure-rdflib graph built in memory.",
)


def _fail(exc: KGError, fmt: str = "table") -> None:
    if isinstance(exc, ProblemsError):
        if fmt == "json":
            click.echo(
                json.dumps(
                    {"ok": False, "problems": [p.as_dict() for p in exc.problems]},
                    indent=2,
                    ensure_ascii=False,
                )
            )
        else:
            _print_problems(exc.problems)
            n = sum(p.severity == "error" for p in exc.problems)
            if exc.what in ("curated data", "built graph"):
                err.print(f"[bold red]Failed:[/] {n} error(s); previous outputs were left intact.")
            else:
                err.print(f"[bold red]Failed:[/] {n} error(s) in the {exc.what}.")
    elif fmt == "json":
        click.echo(
            json.dumps(
                {
                    "ok": False,
                    "error": str(exc).split("\nFix: ")[0],
                    "fix": getattr(exc, "fix", None),
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        err.print(f"[bold red]Error:[/] {escape(str(exc))}", soft_wrap=True)
    sys.exit(exc.exit_code)


def _print_problems(problems) -> None:
    for p in problems:
        colour = "red" if p.severity == "error" else "yellow"
        err.print(f"[{colour}]{escape(str(p))}[/]", soft_wrap=True)


def _table(title: str, columns: list[str], rows: list[list]) -> Table:
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    for i, col in enumerate(columns):
        table.add_column(
            col, justify="right" if i and rows and isinstance(rows[0][i], int) else "left"
        )
    for row in rows:
        table.add_row(*[str(c) for c in row])
    return table
