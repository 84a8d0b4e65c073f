"""`kg serve`: the thin command over kg_builder.publish.server.make_server."""

from __future__ import annotations

import contextlib
import ipaddress
import signal
import sys

import click

from ..errors import KGError
from . import common
from .common import corpus_option, data_option


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=8000, show_default=True, help="Port (0: a free one).")
@click.option(
    "--store",
    default=None,
    metavar="PATH|memory",
    help="The graph store (default: $KG_STORE, else .kg/store), or 'memory' (a build of the "
    "curated data in memory).",
)
@click.option("--base-iri", default=None, help="Base IRI mapped to / (default: $KG_BASE_IRI).")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds a query may run before its worker is stopped (503).",
)
@click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Rows (or triples) per answer; longer answers are cut, with the header "
    "X-Result-Truncated: true.",
)
@click.option(
    "--max-body",
    type=click.IntRange(min=1),
    default=1_048_576,
    show_default=True,
    metavar="BYTES",
    help="Largest request body accepted (413 beyond).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1, max=64),
    default=2,
    show_default=True,
    help="Query worker processes (queries answered at once).",
)
@click.option(
    "--in-memory",
    is_flag=True,
    help="Every query worker answers from its own copy of the store in memory, made at start "
    "(listing queries 1.5-3x faster; about 340 MB per worker and 7 s or more per 10^6 "
    "quads; later builds are seen after a restart).",
)
@corpus_option
@data_option
@click.option("--quiet", is_flag=True, help="No request log on stderr.")
def serve(host, port, store, base_iri, timeout, max_rows, max_body, workers, in_memory, corpus,
          data_dir, quiet):
    """Publish the graph over HTTP: a SPARQL endpoint, entity pages, the ontology, VoID.

    \b
    /                    query page (with the catalogue of queries/ as examples)
    /sparql              SPARQL 1.1 Protocol (GET, POST form, POST application/sparql-query)
    /id/TYPE/NAME        entity (HTML, Turtle, N-Triples, JSON-LD by Accept; or .ttl, .nt,
                         .jsonld, .html)
    /ontology            the ontology
    /.well-known/void    dataset description

    A request path is appended to the base IRI: http://127.0.0.1:8000/id/person/x is
    <https://w3id.org/kg-builder/id/person/x>. Read-only: updates, LOAD and SERVICE are
    refused. Serves until Ctrl-C.

    With --in-memory each query worker copies the store into memory at start (from one
    N-Quads dump of it); pages are still read from disk.

    Example: kg serve --port 8080 --timeout 10
    """
    from ..publish.server import make_server

    cli = common
    try:
        settings = common.settings(
            corpus=corpus, data_dir=data_dir, base_iri=base_iri, check_owl=False, store=store
        )
        server = make_server(
            settings,
            host,
            port,
            timeout=timeout,
            max_rows=max_rows,
            max_body=max_body,
            workers=workers,
            in_memory=in_memory,
            log=None if quiet else sys.stderr,
        )
    except KGError as exc:
        cli._fail(exc)
        return
    except OSError as exc:  # the port is taken, the address is not ours
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}"
        ) from None
    try:
        if not _is_loopback(host):
            cli.err.print(
                f"[yellow]Listening on {host}: anyone who can reach this address can query "
                "the graph.[/]"
            )
        if in_memory:
            click.echo(f"Copied {server.triples:,} quads into memory for {workers} "
                       f"worker(s) in {server.load_seconds:.1f} s.", err=True)
        click.echo(f"Serving {settings.base_iri} at {server.url} (SPARQL: {server.url}sparql); "
                   "Ctrl-C stops.")
        with contextlib.suppress(ValueError):  # not the main thread: no handler
            signal.signal(signal.SIGTERM, _interrupt)
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
    finally:
        server.server_close()


def _interrupt(signum, frame):
    """SIGTERM (a service manager, `kill`) stops the server as Ctrl-C does."""
    raise KeyboardInterrupt


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
