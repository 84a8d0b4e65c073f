"""The request handler of `kg serve`: plumbing (one log line, errors in plain text or JSON,
bodies read within limits), routing, the SPARQL endpoint and the query page. The linked-data
routes are linked.LinkedDataRoutes; queries go to the server's pool of workers (workers.py).
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import time
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from ..queries import PREFIX_MAP
from .conneg import negotiate
from .linked import HTML, LinkedDataRoutes, _split_suffix
from .sparql import (
    DESCRIPTION_TYPES,
    ProtocolError,
    QueryRequest,
    parse_query_request,
    service_description,
    wants_json,
)

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")
_READ = ("GET", "HEAD", "OPTIONS")
#: Bodies up to this size go out in the same write as the headers (one TCP segment or a few).
_ONE_WRITE = 65536


class Handler(LinkedDataRoutes, BaseHTTPRequestHandler):
    """One request: route, check, answer; every failure becomes a status and a message."""

    server: KGServer  # noqa: F821 - server.KGServer (which imports this module)
    protocol_version = "HTTP/1.1"
    server_version = "kg-builder"
    # Headers and a small body go out in one write (see _send); a large body follows in a
    # second, which without TCP_NODELAY would wait for the client's delayed ACK (about 40 ms
    # per request on keep-alive connections, measured).
    disable_nagle_algorithm = True
    error_content_type = "text/plain; charset=utf-8"

    # -- plumbing ----------------------------------------------------------------------------
    def handle_one_request(self) -> None:
        self._started = time.perf_counter()
        self._status = None
        self._body_pending = False
        self._json_errors = False
        super().handle_one_request()
        if self._status is not None:
            ms = (time.perf_counter() - self._started) * 1000
            path = urlsplit(self.path).path if getattr(self, "path", None) else "-"
            self.server.say(
                f'{self.client_address[0]} "{self.command or "-"} {path}" {self._status} '
                f"{ms:.0f} ms"
            )

    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
        """Silenced: handle_one_request logs one line per request instead."""

    def send_error(self, code, message=None, explain=None) -> None:
        """The base class's errors (bad request line, URI too long, unknown method) in our
        plain-text form."""
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "Error"
        self.close_connection = True
        self._error(code, message or explain or phrase)

    def _accept(self) -> str | None:
        return self.headers.get("Accept") if getattr(self, "headers", None) else None

    def _send(self, status: int, headers: dict, body: bytes) -> None:
        merged: dict[str, tuple[str, str]] = {}
        for name, value in {"Access-Control-Allow-Origin": "*", **headers}.items():
            if name.lower() not in ("content-length", "connection", "date", "server"):
                merged[name.lower()] = (name, str(value))
        if self._body_pending:  # we never read the body: the connection cannot be reused
            self.close_connection = True
        self.send_response(status)
        for name, value in merged.values():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        head = b""
        if self.request_version != "HTTP/0.9":  # what end_headers() does, without its write
            self._headers_buffer.append(b"\r\n")
            head = b"".join(self._headers_buffer)
            self._headers_buffer = []
        self._status = status
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            if self.command == "HEAD":
                self.wfile.write(head)
            elif len(body) <= _ONE_WRITE:
                self.wfile.write(head + body)
            else:
                self.wfile.write(head)
                self.wfile.write(body)

    def _error(self, status: int, message: str, headers: dict | None = None) -> None:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Error"
        if self._json_errors or wants_json(self._accept()):
            body = json.dumps(
                {"error": {"status": status, "reason": phrase, "message": message}},
                ensure_ascii=False,
                indent=1,
            ).encode("utf-8")
            ctype = "application/json"
        else:
            body = f"{status} {phrase}\n\n{message}\n".encode()
            ctype = "text/plain; charset=utf-8"
        self._send(status, {"Content-Type": ctype, **(headers or {})}, body)

    # -- methods -----------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_OPTIONS(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        length = self.headers.get("Content-Length")
        self._body_pending = bool(
            (length and length.strip() != "0") or self.headers.get("Transfer-Encoding")
        )
        try:
            split = urlsplit(self.path)
            route = self._route(split.path)
            if route is None:
                raise ProtocolError(
                    404,
                    f"nothing is published at {split.path}; try / (the query page), /sparql, "
                    "/id/<type>/<name>, /ontology or /.well-known/void",
                )
            handler, allowed = route
            if self.command == "OPTIONS":
                self._preflight(allowed)
                return
            if self.command not in allowed:
                raise ProtocolError(
                    405,
                    f"{self.command} is not allowed on {split.path}; allowed: "
                    f"{', '.join(allowed)}",
                    {"Allow": ", ".join(allowed)},
                )
            handler(split)
        except ProtocolError as exc:
            self._error(exc.status, exc.message, exc.headers)
        except Exception as exc:  # noqa: BLE001 - the server keeps serving whatever happens
            traceback.print_exc(file=sys.stderr)
            self._error(500, f"internal error: {type(exc).__name__}: {exc}")

    def _route(self, path: str):
        if path == "/":
            return self._query_page, _READ
        if path == "/sparql":
            return self._sparql, ("GET", "HEAD", "POST", "OPTIONS")
        if path == "/.well-known/void":
            return self._void, _READ
        stem, suffix = _split_suffix(path)
        if path in self.server.ontology_paths or stem in self.server.ontology_paths:
            return self._ontology, _READ
        if path.startswith("/id/") and len(path) > 4:
            return self._entity, _READ
        return None

    def _preflight(self, allowed) -> None:
        self._send(
            204,
            {
                "Allow": ", ".join(allowed),
                "Access-Control-Allow-Methods": ", ".join(allowed),
                "Access-Control-Allow-Headers": "Accept, Content-Type",
                "Access-Control-Max-Age": "86400",
            },
            b"",
        )

    # -- /sparql -----------------------------------------------------------------------------
    def _base_url(self) -> str:
        """http://host[:port] as the client addressed us (the Host header when sane)."""
        host = self.headers.get("Host", "")
        if not _HOST.match(host):
            host = self.server.url[len("http://") : -1]
        return f"http://{host}"

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            raise ProtocolError(411, "chunked request bodies are not accepted; send the body "
                                     "with a Content-Length")
        length = self.headers.get("Content-Length")
        if length is None:
            raise ProtocolError(411, "a POST needs a Content-Length header")
        try:
            size = int(length)
            if size < 0:
                raise ValueError
        except ValueError as exc:
            raise ProtocolError(400, f"bad Content-Length {length!r}") from exc
        limit = self.server.limits["max_body"]
        if size > limit:
            self._drain(size)
            raise ProtocolError(413, f"the request body has {size} bytes; this server accepts "
                                     f"at most {limit} (--max-body)")
        body = self.rfile.read(size) if size else b""
        self._body_pending = False
        if len(body) < size:
            self.close_connection = True
            raise ProtocolError(400, "the request body ended before its Content-Length")
        return body

    def _drain(self, size: int) -> None:
        """Read and drop a refused body of moderate size, so that the client, still sending
        it, gets our answer rather than a reset connection; a huge one closes the connection."""
        if size > max(16 * 1_048_576, 4 * self.server.limits["max_body"]):
            self.close_connection = True
            return
        left = size
        while left > 0:
            chunk = self.rfile.read(min(left, 65536))
            if not chunk:
                self.close_connection = True
                return
            left -= len(chunk)
        self._body_pending = False

    def _decode(self, body: bytes, ctype_header: str) -> str:
        charset = "utf-8"
        m = re.search(r"charset\s*=\s*\"?([\w.:-]+)", ctype_header, re.I)
        if m:
            charset = m.group(1)
        try:
            return body.decode(charset)
        except (LookupError, UnicodeDecodeError) as exc:
            raise ProtocolError(400, f"the request body is not valid {charset} text: {exc}") \
                from exc

    def _sparql(self, split) -> None:
        params = parse_qs(split.query, keep_blank_values=True)
        if self.command == "POST":
            header = self.headers.get("Content-Type", "")
            ctype = header.split(";")[0].strip().lower()
            if ctype == UPDATE:
                self._read_body_quietly()
                raise ProtocolError(403, "this endpoint is read-only: SPARQL updates are "
                                         "refused")
            if ctype not in (FORM, DIRECT):
                self._read_body_quietly()
                raise ProtocolError(415, f"a POST to /sparql takes Content-Type {FORM} (with "
                                         f"query=...) or {DIRECT} (the query as the body), "
                                         f"not {ctype or 'none'!r}")
            text = self._decode(self._read_body(), header)
            if ctype == FORM:
                params = {**params, **parse_qs(text, keep_blank_values=True)}
            else:
                if "query" in params:
                    raise ProtocolError(400, "the query was given both as the body and as a "
                                             "'query' parameter; give it once")
                params["query"] = [text]
        fmt = (params.get("format") or [None])[0]
        self._json_errors = wants_json(self._accept(), fmt)
        if self.command != "POST" and "query" not in params and "update" not in params:
            self._description(fmt)
            return
        request = parse_query_request(params, self._accept(), self.server.store.backend)
        self._answer(request)

    def _read_body_quietly(self) -> None:
        """Drain a small body we refuse, so the connection stays usable; else close it."""
        with contextlib.suppress(ProtocolError):
            self._read_body()

    def _answer(self, request: QueryRequest) -> None:
        outcome = self.server.pool.run(request)
        media = request.media_type
        ctype = media + ("; charset=utf-8" if media.startswith("text/") else "")
        headers = {"Content-Type": ctype, "Vary": "Accept"}
        headers["Access-Control-Expose-Headers"] = "X-Result-Truncated, X-Result-Size"
        headers["X-Result-Size"] = str(outcome.size)
        if outcome.truncated:
            headers["X-Result-Truncated"] = "true"
        self._send(200, headers, outcome.body)

    def _description(self, fmt: str | None) -> None:
        """GET /sparql without a query: the service description, or the page for browsers."""
        offers = [*DESCRIPTION_TYPES, HTML]
        if fmt:
            media = _format_media(fmt, offers)
        else:
            media = negotiate(self._accept(), offers)
        if media is None:
            raise ProtocolError(406, f"the service description is offered as "
                                     f"{', '.join(offers)}")
        if media == HTML:
            self._query_page(None, vary=True)
            return
        endpoint = self._base_url() + "/sparql"
        store = self.server.store
        graph = service_description(
            endpoint, self.server.graph_names, self.server.triples, self.server.limits,
            store.backend,
        )
        body = graph.serialize(format=DESCRIPTION_TYPES[media]).encode("utf-8")
        ctype = media + ("; charset=utf-8" if media.startswith("text/") else "")
        self._send(200, {"Content-Type": ctype, "Vary": "Accept"}, body)

    # -- the query page ------------------------------------------------------------------------
    def _query_page(self, split, vary: bool = False) -> None:
        from .querypage import render

        body = render(self.server.catalogue, self.server.base_iri, PREFIX_MAP)
        headers = {"Content-Type": "text/html; charset=utf-8"}
        if vary:
            headers["Vary"] = "Accept"
        self._send(200, headers, body)


def _format_media(fmt: str, offers: list[str]) -> str | None:
    names = {
        "turtle": "text/turtle",
        "ttl": "text/turtle",
        "nt": "application/n-triples",
        "ntriples": "application/n-triples",
        "jsonld": "application/ld+json",
        "json-ld": "application/ld+json",
        "json": "application/ld+json",
        "xml": "application/rdf+xml",
        "rdfxml": "application/rdf+xml",
        "html": HTML,
    }
    media = names.get(fmt.strip().lower(), fmt.strip().lower())
    if media not in offers:
        raise ProtocolError(400, f"unknown format {fmt!r} for the service description; "
                                 f"format takes one of {', '.join(sorted(names))}")
    return media
