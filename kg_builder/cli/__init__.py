"""The `kg` command: a thin layer over the library API.

One module per command group; `common` holds what they share (options, consoles, errors and
the project, found once here before any command runs) and imports no command.
"""

from __future__ import annotations

import click

from .. import __version__
from .analyze import analyze
from .build import build, stats, validate
from .common import ProjectContext
from .export import export
from .extract import evaluate, extract
from .project import add, config, init
from .publish import publish
from .push import push
from .query import query
from .review import review
from .serve import serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
@click.option(
    "--project",
    "project_dir",
    envvar="KG_PROJECT",
    type=click.Path(file_okay=True),
    default=None,
    metavar="DIR",
    help="The project folder (its kg.toml). Default: $KG_PROJECT, else the nearest kg.toml "
    "in the working directory or a folder above it.",
)
@click.pass_context
def main(ctx: click.Context, project_dir: str | None) -> None:
    """kg-builder: build a provenance-aware knowledge graph from news reporting.

    \b
    kg init my-project && cd my-project      a project of your own (kg.toml)
    kg add ~/articles/*.html https://...     bring articles in
    kg extract && kg review list             propose facts, review them
    kg build && kg query list                build the graph, ask it

    Every command has --help.
    """
    ctx.obj = ProjectContext(project_dir)


for command in (
    init,
    config,
    add,
    build,
    validate,
    stats,
    extract,
    evaluate,
    review,
    query,
    analyze,
    export,
    publish,
    serve,
    push,
):
    main.add_command(command)

__all__ = ["main"]

if __name__ == "__main__":  # pragma: no cover
    main()
