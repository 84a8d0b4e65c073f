"""`kg push`: the built graph into another SPARQL store, over kg_builder.publish.push.

Passwords and tokens are read from environment variables named on the command line, never
given on it (a command line is visible to every user of the machine and kept in shell history).
"""

from __future__ import annotations

import json
import os
import sys

import click
from rich.markup import escape
from rich.table import Table

from ..errors import ConfigError, KGError
from . import common
from .common import format_option, store_option

#: Exit code when the push went through but the counts on the server differ.
EXIT_UNVERIFIED = 9



def _secret(var: str, what: str) -> str:
    value = os.environ.get(var)
    if not value:
        raise ConfigError(f"the environment variable {var} (named by {what}) is not set or empty")
    return value


@click.command()
@click.option("--endpoint", required=True, metavar="URL", help="The SPARQL query endpoint.")
@click.option(
    "--gsp", metavar="URL", default=None, help="Graph Store endpoint (default: discovered)."
)
@click.option(
    "--update", metavar="URL", default=None, help="SPARQL Update endpoint (default: discovered)."
)
@click.option("--user", default=None, help="User name for HTTP basic authentication.")
@click.option(
    "--password-env",
    metavar="VAR",
    default=None,
    help="Environment variable holding the basic-auth password.",
)
@click.option(
    "--token-env", metavar="VAR", default=None, help="Environment variable holding a bearer token."
)
@click.option(
    "--method",
    type=click.Choice(["auto", "gsp", "update"]),
    default="auto",
    show_default=True,
    help="auto: Graph Store Protocol, SPARQL Update where the store lacks it.",
)
@click.option(
    "--batch",
    type=int,
    default=50_000,
    show_default=True,
    metavar="N",
    help="Triples per request.",
)
@click.option(
    "--timeout", type=float, default=60, show_default=True, help="Seconds per HTTP request."
)
@store_option
@format_option
def push(endpoint, gsp, update, user, password_env, token_env, method, batch, timeout, store, fmt):
    """Load the graph, named graph by named graph, into another SPARQL store, replacing the
    previous version of each graph; then count each graph there to verify.

    \b
    The update and Graph Store endpoints are discovered when not given (the service
    description, else the usual places of Oxigraph, Fuseki and Virtuoso); the report says
    what was found.

    \b
    Example: an Oxigraph server (its /update and /store are found):
      kg push --endpoint http://localhost:7878
    Fuseki:
      kg push --endpoint http://localhost:3030/ds --user admin --password-env PW
    With a token:
      kg push --endpoint https://db.example.org/sparql --token-env DB_TOKEN

    Exit code 0 when every graph was verified, 9 when a count differs, 8 when the push failed.
    """
    try:
        report = _run(endpoint, gsp, update, user, password_env, token_env, method, batch,
                      timeout, store, fmt)  # fmt: skip
    except KGError as exc:
        common._fail(exc, "json" if fmt == "json" else "table")
        return
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        _print(report)
    if not report.verified:
        sys.exit(EXIT_UNVERIFIED)


def _run(endpoint, gsp, update, user, password_env, token_env, method, batch, timeout, store, fmt):
    from ..pipeline import open_graph
    from ..publish.push import push as do_push

    auth = token = None
    if password_env and not user:
        raise ConfigError("--password-env needs --user")
    if user:
        if not password_env:
            raise ConfigError("--user needs --password-env VAR (passwords are never options)")
        auth = (user, _secret(password_env, "--password-env"))
    if token_env:
        token = _secret(token_env, "--token-env")
    settings = common.settings(check_owl=False, store=store)
    graph = open_graph(settings)
    err = common.err
    quiet = fmt == "json" or not err.is_terminal

    def progress(p) -> None:
        if not quiet:
            err.print(
                f"  {p.sent:>10,} / {p.total:,} quads  graph {p.graph_index + 1}/{p.graphs} "
                f"batch {p.batch + 1}  {escape(p.graph)}",
                highlight=False,
            )

    return do_push(
        graph,
        endpoint,
        gsp_endpoint=gsp,
        update_endpoint=update,
        auth=auth,
        token=token,
        batch_quads=batch,
        progress=progress,
        timeout=timeout,
        method=method,
    )


def _print(report) -> None:
    cli = common
    table = Table(title="Pushed graphs", title_justify="left", show_edge=False, pad_edge=False)
    for name, right in [("graph", False), ("triples", True), ("on server", True),
                        ("batches", True), ("method", False), ("verified", False)]:  # fmt: skip
        table.add_column(name, justify="right" if right else "left", overflow="fold")
    for g in report.graphs:
        table.add_row(
            escape(g.graph),
            f"{g.triples:,}",
            "" if g.remote is None else f"{g.remote:,}",
            str(g.batches),
            g.method,
            "yes" if g.verified else "[red]NO[/]",
        )
    cli.console.print(table)
    for line in report.found:
        cli.err.print(f"  found {escape(line)}", highlight=False)
    verdict = "verified" if report.verified else f"NOT verified: {len(report.differences)} differ"
    cli.err.print(
        f"Pushed {report.quads:,} quads in {len(report.graphs)} graphs to "
        f"{escape(report.endpoint)} in {report.seconds:.2f} s; {verdict}."
    )
