"""HTML building blocks for entity, source and ontology pages: escaping, links, the page shell.

Every string that comes from the graph (labels, quotes, IRIs, literals) goes through `esc` or
`attr`; markup is only ever built here from escaped parts, so a label such as
`<script>alert(1)</script>` shows as text. Pages are self-contained (inline CSS, no CDN, no
script): they must read offline, from a static host, and in a locked-down browser.

Links are relative to the page (`../place/kazakhstan` from `id/person/andrei-amonov`), so the
same markup works on the live server (extensionless paths) and in the static site (`.html`
files): see `Linker`.
"""

from __future__ import annotations

import html
import posixpath
from dataclasses import dataclass
from urllib.parse import quote

CSS = """
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#222;
background:#fff}
header.top{background:#1d3557;color:#fff;padding:.6em 1.2em}
header.top a{color:#cfe3ff;margin-right:1.2em;text-decoration:none}
main{max-width:62em;padding:.5em 1.2em 2em}
h1{margin:.4em 0 .1em;font-size:1.7em}
h2{margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.15em;font-size:1.25em}
h3{margin:1.1em 0 .3em;font-size:1.05em}
a{color:#1a56a8}
code,.iri{font:13px ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
.types a{display:inline-block;background:#eef3fb;border-radius:3px;padding:0 .45em;
margin-right:.35em;text-decoration:none;font-size:.9em}
.muted{color:#666}
.desc{font-size:1.05em;margin:.6em 0}
dl.facts dt{font-weight:600;margin-top:.9em}
dl.facts dd{margin:.2em 0 .2em 1.2em}
ul.values{margin:.1em 0;padding-left:1.1em}
ul.values>li{margin:.25em 0}
ul.sources{list-style:none;margin:.15em 0 .4em;padding-left:.8em;border-left:3px solid #e4e8ee;
font-size:.92em}
ul.sources li{margin:.2em 0}
blockquote{margin:.2em 0 .2em .2em;padding:.15em .6em;background:#f7f7f4;
border-left:3px solid #c9b458;font-style:italic}
.badge{font-size:.8em;border:1px solid #bbb;border-radius:3px;padding:0 .3em;color:#444}
table{border-collapse:collapse;font-size:.92em;margin:.5em 0}
th,td{border:1px solid #ddd;padding:.25em .5em;vertical-align:top;text-align:left}
th{background:#f3f5f8}
footer{border-top:1px solid #ddd;margin-top:2em;padding-top:.6em;font-size:.9em;color:#555}
footer a{margin-right:1em}
"""


def esc(value: object) -> str:
    """Text content, escaped (quotes too, so the result is also safe inside attributes)."""
    return html.escape(str(value), quote=True)


attr = esc


def link(href: str | None, text: str, cls: str | None = None, title: str | None = None) -> str:
    """<a href=...>text</a> with both parts escaped; plain escaped text when href is None."""
    if href is None:
        return f'<span class="{esc(cls)}">{esc(text)}</span>' if cls else esc(text)
    extra = f' class="{attr(cls)}"' if cls else ""
    extra += f' title="{attr(title)}"' if title else ""
    return f'<a href="{attr(href)}"{extra}>{esc(text)}</a>'


@dataclass(frozen=True)
class Linker:
    """Turns IRIs under the base into links relative to the current page.

    `here` is the page's path relative to the base (`id/person/andrei-amonov`, `ontology`,
    `` for the home page). `ext` is appended to page links: "" on the live server, where the
    extensionless IRI path negotiates, ".html" in the static site, where it must name a file
    (a plain web server maps the extensionless path with the shipped configuration too).
    """

    base: str
    here: str
    ext: str = ""

    def path_of(self, iri: str) -> str | None:
        """The IRI's path relative to the base, or None when the IRI is not under it."""
        if not iri.startswith(self.base):
            return None
        rest = iri[len(self.base) :].split("#", 1)[0].split("?", 1)[0]
        if any(seg in ("", ".", "..") for seg in rest.split("/")) and rest != "":
            return None
        return rest

    def _rel(self, path: str) -> str:
        start = posixpath.dirname(self.here) or "."
        return posixpath.relpath(path or ".", start)

    def page(self, path: str, ext: str | None = None) -> str:
        """A link to another page of the site, by base-relative path ("" is the home page)."""
        ext = self.ext if ext is None else ext
        if path == "":
            return self._rel("index.html") if self.ext else self._rel("") + "/"
        return quote(self._rel(path) + ext, safe="/%:@!$&'()*+,;=-._~")

    def file(self, path: str) -> str:
        """A link to a file of the site that has no page variants (a dump, the VoID file)."""
        return quote(self._rel(path), safe="/%:@!$&'()*+,;=-._~")

    def iri(self, iri: str, ext: str | None = None) -> str | None:
        """The relative link to a page for an IRI under the base (with its #fragment), else
        None."""
        path = self.path_of(iri)
        if path is None:
            return None
        fragment = "#" + iri.split("#", 1)[1] if "#" in iri else ""
        if path == "" and fragment:
            return fragment
        return self.page(path, ext) + fragment


def shell(
    title: str,
    body: str,
    linker: Linker,
    *,
    alternates: list[tuple[str, str]] = (),
    sparql_href: str | None = None,
    void_href: str | None = None,
) -> str:
    """The whole page: head (title, inline CSS, <link rel=alternate> for each RDF variant),
    a navigation bar (home, ontology, VoID, SPARQL) and the body."""
    alt = "".join(
        f'<link rel="alternate" type="{attr(t)}" href="{attr(h)}">\n' for t, h in alternates
    )
    nav = [link(linker.page(""), "kg-builder"), link(linker.page("ontology"), "Ontology")]
    if void_href:
        nav.append(link(void_href, "Dataset (VoID)"))
    if sparql_href:
        nav.append(link(sparql_href, "SPARQL"))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n{alt}<style>{CSS}</style>\n</head>\n<body>\n"
        f'<header class="top"><nav>{"".join(nav)}</nav></header>\n'
        f"<main>\n{body}\n</main>\n</body>\n</html>\n"
    )
