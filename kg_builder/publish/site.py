"""`kg publish DIR`: the linked-data site as static files, for hosts that run no Python.

    summary = publish(store, settings, Path("site"), base_url="https://example.org/kg/")

Layout (paths are the IRI paths under the base, so `<base>id/person/x` lives at
`DIR/id/person/x.html|.ttl|.nt|.jsonld`):

    index.html                 entities and sources by class
    id/<segment>/<slug>.*      one page and three RDF files per IRI under <base>id/
    id/<segment>/index.html    the folder's listing (so a browsable path never 404s)
    ontology.html|.ttl|.nt|.jsonld    the ontology and its documentation page
    .well-known/void, void.ttl, void.html   the VoID/DCAT description (publish/void.py)
    dumps/kg.nq, dumps/kg.ttl  the whole graph (N-Quads with the provenance graphs; Turtle)
    sitemap.xml                every HTML page, absolute under base_url
    .htaccess, nginx.conf.example   content negotiation on the extensionless IRI path

Pages link to each other with relative `.html` links, so the site browses from any folder or
host without configuration; the server configuration adds what linked-data clients expect
(`/id/person/x` answers HTML, Turtle, N-Triples or JSON-LD by Accept, with Vary: Accept).

Writing is atomic: the site is built in a temporary folder beside DIR and renamed into place
at the end; a failure midway leaves the previous site untouched. An existing DIR is replaced
only when it is a previous kg-builder site (it holds the marker file), never an arbitrary
folder.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote
from xml.sax.saxutils import escape as xml_escape

from ..errors import ExportError
from ..ontology import KG, load_ontology
from . import pages
from .html import Linker, esc, link, shell

MARKER = ".kg-site.json"
#: The variants written for every IRI, in the order the pages list them.
VARIANTS = [pages.HTML, *pages.RDF_TYPES]


class PublishError(ExportError):
    """The site cannot be written: DIR is a file or a foreign folder, or not writable."""


@dataclass
class SiteSummary:
    """What a publish wrote."""

    path: Path
    pages: int = 0
    files: int = 0
    bytes: int = 0
    resources: int = 0
    by_segment: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    void: bool = False

    def as_dict(self) -> dict:
        return {
            "path": str(self.path),
            "pages": self.pages,
            "files": self.files,
            "bytes": self.bytes,
            "resources": self.resources,
            "by_segment": dict(sorted(self.by_segment.items())),
            "void": self.void,
            "seconds": round(self.seconds, 3),
        }


# -- what to publish --------------------------------------------------------------------------
def published_iris(store, settings) -> list[str]:
    """Every IRI under `<base>id/` that is the subject of a triple: entities, sources, quotes
    and assertion records alike, so that every link between pages resolves."""
    prefix = settings.base_iri + "id/"
    rows = store.select(
        "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), %s)) }"
        % json.dumps(prefix)
    )
    linker = Linker(settings.base_iri, "")
    return sorted(str(r["s"]) for r in rows if linker.path_of(str(r["s"])) is not None)


def _fast_store(store):
    """The store to render from: pages make a few small queries per IRI, which Oxigraph
    answers in microseconds and rdflib in milliseconds, so an in-memory (rdflib) graph is
    copied once into an in-memory Oxigraph store."""
    if getattr(store, "backend", None) != "memory":
        return store
    import pyoxigraph as ox

    from ..store import OxigraphStore, to_ox

    fast = ox.Store()
    quads = []
    for s, p, o, g in store.quads():
        g = getattr(g, "identifier", g)  # rdflib gives the graph or its name, by version
        name = ox.DefaultGraph() if g is None or str(g) == "urn:x-rdflib:default" else to_ox(g)
        quads.append(ox.Quad(to_ox(s), to_ox(p), to_ox(o), name))
    fast.extend(quads)
    return OxigraphStore.wrap(fast)


# -- the writer -------------------------------------------------------------------------------
class _Writer:
    """Writes files under the temporary site folder and counts them."""

    def __init__(self, root: Path, summary: SiteSummary):
        self.root = root
        self.summary = summary
        self.html_pages: list[str] = []  # site-relative paths, for the sitemap

    def write(self, rel: str, data: bytes | str) -> None:
        if isinstance(data, str):
            data = data.encode("utf-8")
        path = self.root / unquote(rel)
        if self.root.resolve() not in path.resolve().parents:
            raise PublishError(f"refusing to write outside the site: {rel}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.summary.files += 1
        self.summary.bytes += len(data)
        if rel.endswith(".html"):
            self.summary.pages += 1
            self.html_pages.append(rel)


def _check_target(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise PublishError(
            f"{out_dir} is a file, not a folder", "name a new or empty folder for the site"
        )
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).is_file():
        raise PublishError(
            f"{out_dir} is a folder with other content, not a site kg publish wrote",
            "name a new or empty folder (kg publish replaces only its own sites)",
        )
    parent = out_dir.parent
    if not parent.is_dir():
        raise PublishError(f"folder {parent} does not exist", f"create it: mkdir -p {parent}")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise PublishError(
            f"cannot write in {parent} (permission denied)", "choose a folder you can write"
        )


def publish(
    store,
    settings,
    out_dir: str | Path,
    base_url: str | None = None,
    *,
    sparql_url: str | None = None,
    config: dict | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SiteSummary:
    """Write the static site of the store's graph into `out_dir` (see the module docstring).

    base_url: where the site will be hosted (absolute URLs of the sitemap and the VoID
    description; default: the base IRI, where the IRIs resolve when the site is deployed
    there). sparql_url: an endpoint to link from every page (a static host has none; default:
    no link). config: the publishing configuration of void.py (default: publish.yaml).
    progress(done, total) is called as pages are written. Raises PublishError.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir).expanduser().absolute()
    _check_target(out_dir)
    base_url = base_url or settings.base_iri
    if not base_url.endswith("/"):
        base_url += "/"
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    except OSError as exc:
        raise PublishError(f"cannot write in {out_dir.parent}: {exc.strerror or exc}") from exc
    summary = SiteSummary(out_dir)
    try:
        _write_site(store, settings, tmp, base_url, sparql_url, config, progress, summary)
        _swap(tmp, out_dir)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise PublishError(f"writing the site failed: {exc}",
                               "check the free space and permissions of the folder") from exc
        raise
    summary.seconds = time.perf_counter() - started
    return summary


def _swap(tmp: Path, out_dir: Path) -> None:
    """Put the new site in place: rename the old one aside, the new one in, then delete the
    old one (two renames: the window without a site at DIR is a few microseconds)."""
    os.chmod(tmp, 0o755)  # mkdtemp makes it private; a web server must read the site
    old = None
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
        os.rmdir(old)
        out_dir.rename(old)
    try:
        tmp.rename(out_dir)
    except OSError:
        if old is not None:
            old.rename(out_dir)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _write_site(store, settings, root, base_url, sparql_url, config, progress, summary) -> None:
    fast = _fast_store(store)
    iris = published_iris(fast, settings)
    summary.resources = len(iris)
    writer = _Writer(root, summary)
    base_linker = Linker(settings.base_iri, "")
    total = len(iris) + 1
    by_class: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    by_folder: dict[str, list[tuple[str, str]]] = defaultdict(list)
    onto = load_ontology(settings.ontology_dir, settings.ontology_extensions)
    for done, iri in enumerate(iris, 1):
        desc = pages.describe(fast, iri, settings)
        if desc is None:  # vanished between the listing and now: nothing to publish
            continue
        path = base_linker.path_of(iri)
        for media_type in VARIANTS:
            body = pages.render(desc, media_type, settings, ext=".html", sparql=sparql_url)
            writer.write(path + pages.EXTENSIONS[media_type], body)
        segment = path.split("/")[1] if path.count("/") >= 2 else path
        summary.by_segment[segment] = summary.by_segment.get(segment, 0) + 1
        label = desc.label_of(desc.iri) or path.rsplit("/", 1)[-1]
        by_folder[path.rsplit("/", 1)[0]].append((path, label))
        for cls in desc.types_of(desc.iri) or [None]:
            by_class[_class_label(onto, cls)].append((path, label, str(cls or "")))
        if progress:
            progress(done, total)
    for media_type in VARIANTS:
        _, _, body = pages.ontology_response(settings, media_type, ext=".html", sparql=sparql_url)
        writer.write(pages.ONTOLOGY_PATH + pages.EXTENSIONS[media_type], body)
    summary.void = _write_void(fast, settings, writer, base_url, config)
    _write_dumps(fast, settings, root)
    summary.files += 2
    summary.bytes += sum((root / "dumps" / n).stat().st_size for n in ("kg.nq", "kg.ttl"))
    for folder, entries in by_folder.items():
        writer.write(f"{folder}/index.html", _folder_page(settings, folder, entries, sparql_url))
    writer.write("index.html", _home_page(settings, by_class, summary, sparql_url))
    _write_config(writer)
    writer.write("sitemap.xml", _sitemap(base_url, writer.html_pages))
    writer.write(MARKER, json.dumps({"generator": "kg publish", "base_iri": settings.base_iri,
                                     "base_url": base_url}, indent=2) + "\n")
    if progress:
        progress(total, total)


def _class_label(onto, cls) -> str:
    if cls is None:
        return "Other"
    if str(cls).startswith(str(KG)):
        info = onto.classes.get(str(cls)[len(KG) :])
        if info is not None and info.label:
            return info.label[:1].upper() + info.label[1:]
    return str(cls).rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _write_void(store, settings, writer: _Writer, base_url: str, config) -> bool:
    """The VoID/DCAT description from publish/void.py, at .well-known/void (Turtle), void.ttl
    and void.html. Returns False (and writes nothing) if void.py is not available."""
    try:
        from . import void
    except ImportError:  # HOOK: void.py is another module of issue 7; the site works without
        return False
    cfg = dict(config) if config is not None else void.project_config(settings)
    cfg["base_url"] = base_url
    cfg.setdefault("dumps", ["nquads", "turtle"])
    cfg.setdefault("dumps_url", base_url + "dumps/")
    graph = void.void_graph(store, settings, cfg)
    turtle = graph.serialize(format="turtle", encoding="utf-8")
    writer.write(pages.VOID_PATH, turtle)
    writer.write("void.ttl", turtle)
    writer.write("void.html", void.render_html(graph))
    return True


def _write_dumps(store, settings, root: Path) -> None:
    """The whole graph: N-Quads (named graphs, i.e. provenance, kept) and Turtle (merged), by
    the exporter, so the bytes are those of `kg export`."""
    from ..export.rdf import export_rdf

    (root / "dumps").mkdir(parents=True, exist_ok=True)
    export_rdf(store, "nquads", root / "dumps" / "kg.nq", base=settings.base_iri)
    export_rdf(store, "turtle", root / "dumps" / "kg.ttl", base=settings.base_iri)


# -- index pages ------------------------------------------------------------------------------
def _folder_page(settings, folder: str, entries, sparql_url) -> str:
    """id/<segment>/index.html: every resource of the folder, so the path is browsable."""
    linker = Linker(settings.base_iri, folder + "/index", ".html")
    items = "".join(
        f"<li>{link(linker.page(path), label)}</li>"
        for path, label in sorted(entries, key=lambda e: (e[1].lower(), e[0]))
    )
    body = (f"<h1>{esc(folder)}/</h1><p>{len(entries)} resources.</p>"
            f'<ul>{items}</ul>')
    return shell(f"{folder}/", body, linker, sparql_href=sparql_url,
                 void_href=linker.file(pages.VOID_PATH))


def _home_page(settings, by_class, summary: SiteSummary, sparql_url) -> str:
    linker = Linker(settings.base_iri, "index", ".html")
    parts = [
        "<h1>kg-builder knowledge graph</h1>",
        f"<p>{summary.resources} resources published under "
        f"<code class=\"iri\">{esc(settings.base_iri)}id/</code>. Every page is also "
        "available as Turtle (.ttl), N-Triples (.nt) and JSON-LD (.jsonld).</p>",
        "<p>" + " · ".join([
            link(linker.page(pages.ONTOLOGY_PATH), "Ontology"),
            link(linker.file(pages.VOID_PATH), "Dataset description (VoID/DCAT, Turtle)"),
            link(linker.file("dumps/kg.nq"), "Dump: N-Quads"),
            link(linker.file("dumps/kg.ttl"), "Dump: Turtle"),
        ] + ([link(sparql_url, "SPARQL endpoint")] if sparql_url else [])) + "</p>",
    ]
    toc = " · ".join(link(f"#c{i}", f"{name} ({len(by_class[name])})")
                     for i, name in enumerate(sorted(by_class)))
    parts.append(f"<p>{toc}</p>")
    for i, name in enumerate(sorted(by_class)):
        entries = sorted(by_class[name], key=lambda e: (e[1].lower(), e[0]))
        items = "".join(f"<li>{link(linker.page(path), label)}</li>" for path, label, _ in entries)
        cls = entries[0][2]
        heading = esc(name)
        if cls.startswith(str(KG)):
            heading = link(linker.page(pages.ONTOLOGY_PATH) + "#" + cls[len(KG) :], name)
        parts.append(f'<h2 id="c{i}">{heading} ({len(entries)})</h2><ul>{items}</ul>')
    return shell("kg-builder knowledge graph", "\n".join(parts), linker,
                 sparql_href=sparql_url, void_href=linker.file(pages.VOID_PATH))


def _sitemap(base_url: str, html_pages: list[str]) -> str:
    urls = "".join(
        f"<url><loc>{xml_escape(base_url + quote(p, safe='/%-._~'))}</loc></url>\n"
        for p in sorted(html_pages)
    )
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{urls}</urlset>\n")


# -- server configuration ---------------------------------------------------------------------
_HTACCESS = r"""# Content negotiation for the kg-builder static site (Apache 2.4).
# An extensionless IRI path (/id/person/x) answers the variant the Accept header asks for:
# HTML for browsers, Turtle, N-Triples or JSON-LD for linked-data clients; the files are
# x.html, x.ttl, x.nt and x.jsonld beside each other. Needs mod_rewrite and mod_headers,
# and AllowOverride FileInfo Options for this folder.
Options -MultiViews
DirectoryIndex index.html
AddType text/html .html
AddType text/turtle .ttl
AddType application/n-triples .nt
AddType application/ld+json .jsonld
AddType application/n-quads .nq
AddCharset utf-8 .html .ttl .nt .jsonld .nq
<Files "void">
  ForceType "text/turtle; charset=utf-8"
</Files>
<IfModule mod_headers.c>
  Header merge Vary Accept
  Header set Access-Control-Allow-Origin "*"
</IfModule>

RewriteEngine On
# Browsers (text/html anywhere in Accept) get the page.
RewriteCond %{HTTP_ACCEPT} text/html [OR]
RewriteCond %{HTTP_ACCEPT} application/xhtml\+xml
RewriteCond %{REQUEST_FILENAME}.html -f
RewriteRule ^(.+)$ $1.html [L]
RewriteCond %{HTTP_ACCEPT} text/turtle
RewriteCond %{REQUEST_FILENAME}.ttl -f
RewriteRule ^(.+)$ $1.ttl [L]
RewriteCond %{HTTP_ACCEPT} application/n-triples
RewriteCond %{REQUEST_FILENAME}.nt -f
RewriteRule ^(.+)$ $1.nt [L]
RewriteCond %{HTTP_ACCEPT} application/ld\+json
RewriteCond %{REQUEST_FILENAME}.jsonld -f
RewriteRule ^(.+)$ $1.jsonld [L]
# Anything else (no Accept, */*): the page.
RewriteCond %{REQUEST_FILENAME} !-f
RewriteCond %{REQUEST_FILENAME}.html -f
RewriteRule ^(.+)$ $1.html [L]
"""

_NGINX = r"""# Content negotiation for the kg-builder static site (nginx). Include this server block
# (or its map and locations) in your configuration and set `root` to the site folder.
# An extensionless IRI path (/id/person/x) answers x.html, x.ttl, x.nt or x.jsonld by the
# Accept header; regular expressions of a map are tried in order, the first match wins.
map $http_accept $kg_variant {
    default                      ".html";
    "~*text/html"                ".html";
    "~*application/xhtml\+xml"   ".html";
    "~*text/turtle"              ".ttl";
    "~*application/n-triples"    ".nt";
    "~*application/ld\+json"     ".jsonld";
}

server {
    listen 80;
    server_name example.org;
    root /srv/kg-site;                 # the folder kg publish wrote
    index index.html;
    charset utf-8;
    charset_types text/html text/turtle application/n-triples application/ld+json
                  application/n-quads;

    types {
        text/html              html;
        text/turtle            ttl;
        application/n-triples  nt;
        application/ld+json    jsonld;
        application/n-quads    nq;
        application/xml        xml;
    }

    location = /.well-known/void {
        default_type text/turtle;
        add_header Access-Control-Allow-Origin "*";
    }

    location / {
        add_header Vary Accept;
        add_header Access-Control-Allow-Origin "*";
        try_files $uri$kg_variant $uri $uri/index.html =404;
    }
}
"""


def _write_config(writer: _Writer) -> None:
    writer.write(".htaccess", _HTACCESS)
    writer.write("nginx.conf.example", _NGINX)
