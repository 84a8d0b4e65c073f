"""Dereferenceable entities: the description of one IRI as HTML, Turtle, N-Triples or JSON-LD.

    status, headers, body = entity_response(store, iri, "text/html", settings)

A description is read from the store with four small queries (what the IRI says, who points at
it, the assertions about it or derived from it, and the labels and types of everything it
links to) into a `Description`; the RDF variants serialise exactly those triples, and the HTML
page is drawn from the same data, so the page and the files can never disagree. The same code
serves the live server (`kg serve`, extensionless links that negotiate) and the static site
(`kg publish`, `.html` links): see `html.Linker`.

The ontology IRI gets `ontology_response`: the ontology file in RDF, or an HTML documentation
page generated from it, with one anchor per term (`#Person`, `#fledTo`) that entity pages link
to.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from ..build import PREFIXES
from ..ontology import KG, PROV, SCHEMA, Ontology, load_ontology
from .html import Linker, esc, link, shell

HTML = "text/html"
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
}
OFFERS = [HTML, *RDF_TYPES]
#: The file extension of each variant, as the static site names files and as the live server
#: accepts it on a path (/id/person/x.ttl) to bypass negotiation.
EXTENSIONS = {
    HTML: ".html",
    "text/turtle": ".ttl",
    "application/n-triples": ".nt",
    "application/ld+json": ".jsonld",
}
ONTOLOGY_PATH = "ontology"
VOID_PATH = ".well-known/void"
SPARQL_PATH = "sparql"

_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
#: Shown in the page header, not among the facts.
_HEADER = {RDF.type, RDFS.label, SKOS.altLabel, SCHEMA.description, OWL.sameAs}
#: Assertion properties shown in a fact's source line rather than as extra qualifiers.
_ASSERTION_CORE = {
    RDF.type,
    RDF.subject,
    RDF.predicate,
    RDF.object,
    PROV.wasDerivedFrom,
    KG.method,
    KG.confidence,
    KG.evidence,
    KG.notBefore,
    KG.notAfter,
    KG.note,
}
#: Labels of the standard properties the graph uses (the ontology labels its own).
_STANDARD_LABELS = {
    RDF.type: "type",
    RDFS.label: "label",
    RDFS.comment: "comment",
    SKOS.altLabel: "also known as",
    SCHEMA.description: "description",
    SCHEMA.headline: "headline",
    SCHEMA.publisher: "publisher",
    SCHEMA.datePublished: "date published",
    SCHEMA.mentions: "mentions",
    SCHEMA.inLanguage: "language",
    SCHEMA.url: "URL",
    OWL.sameAs: "same as",
    PROV.wasDerivedFrom: "derived from",
    RDF.subject: "subject",
    RDF.predicate: "predicate",
    RDF.object: "object",
}


def extension_media_type(ext: str) -> str | None:
    """The media type a file extension (".ttl") stands for, or None."""
    return next((mt for mt, e in EXTENSIONS.items() if e == ext), None)


def split_extension(path: str) -> tuple[str, str | None]:
    """`id/person/x.ttl` -> (`id/person/x`, "text/turtle"); paths without one of our
    extensions come back unchanged with None (the server then negotiates)."""
    head, dot, ext = path.rpartition(".")
    if dot and "/" not in ext:
        media_type = extension_media_type("." + ext)
        if media_type is not None:
            return head, media_type
    return path, None


def valid_iri(iri: str) -> bool:
    """Whether an IRI can be written between <> in SPARQL (and so cannot inject anything)."""
    return iri.startswith(("http://", "https://")) and not _BAD_IRI.search(iri)


# -- the description --------------------------------------------------------------------------
_PREFIXES = (
    "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX prov: <http://www.w3.org/ns/prov#>\n"
    f"PREFIX kg: <{KG}>\n"
)
_Q_OUT = "SELECT DISTINCT ?p ?o WHERE { <%s> ?p ?o }"
_Q_IN = (
    _PREFIXES + "SELECT DISTINCT ?s ?p WHERE { ?s ?p <%s> FILTER NOT EXISTS { ?s a kg:Assertion } }"
)
_Q_ASSERTIONS = (
    _PREFIXES + "SELECT DISTINCT ?st ?p ?o WHERE {\n"
    "  { ?st rdf:subject <%(i)s> . ?st a kg:Assertion ; ?p ?o }\n"
    "  UNION { ?st rdf:object <%(i)s> . ?st a kg:Assertion ; ?p ?o }\n"
    "  UNION { ?st prov:wasDerivedFrom <%(i)s> . ?st a kg:Assertion ; ?p ?o } }"
)  # the join inside each branch: outside the UNION, Oxigraph walks every assertion
# (0.9 s per page at 10^6 quads against 2 ms, measured by benchmarks/serve.py)
_Q_INFO = (
    _PREFIXES + "SELECT DISTINCT ?r ?p ?v WHERE {\n  VALUES ?r { %s }\n"
    "  { ?r rdfs:label ?v BIND(rdfs:label AS ?p) } UNION { ?r a ?v BIND(rdf:type AS ?p) } }"
)  # two patterns, not `VALUES ?p {...} ?r ?p ?v`: rdflib would scan every triple for that


@dataclass
class Description:
    """Everything one page shows about `iri`, in rdflib terms.

    out: (predicate, object) of the IRI's own triples; incoming: (subject, predicate) of
    triples pointing at it, assertion nodes excepted; assertions: statement IRI -> predicate ->
    values, for every kg:Assertion whose rdf:subject or rdf:object is the IRI or that is
    derived from it (a source); info: labels and types of every resource linked to.
    """

    iri: URIRef
    out: list[tuple] = field(default_factory=list)
    incoming: list[tuple] = field(default_factory=list)
    assertions: dict[URIRef, dict[URIRef, list]] = field(default_factory=dict)
    info: dict[URIRef, dict[URIRef, list]] = field(default_factory=dict)

    def values(self, prop: URIRef) -> list:
        return sorted((o for p, o in self.out if p == prop), key=str)

    def label_of(self, node) -> str | None:
        labels = self.values(RDFS.label) if node == self.iri else self._info(node, RDFS.label)
        return _pick_label(labels)

    def types_of(self, node) -> list[URIRef]:
        found = self.values(RDF.type) if node == self.iri else self._info(node, RDF.type)
        return sorted(t for t in found if isinstance(t, URIRef))

    def known(self, node) -> bool:
        """Whether the store describes this resource (it is the subject of some triple), so
        that a link to its page will not 404."""
        return node == self.iri or bool(self.info.get(node))

    def _info(self, node, prop) -> list:
        return self.info.get(node, {}).get(prop, [])

    def triples(self):
        """The description as triples: the RDF variants serialise exactly these."""
        for p, o in self.out:
            yield self.iri, p, o
        for s, p in self.incoming:
            yield s, p, self.iri
        for st, props in self.assertions.items():
            for p, values in props.items():
                for o in values:
                    yield st, p, o
        for node, props in self.info.items():
            for p, values in props.items():
                for o in values:
                    yield node, p, o


def _pick_label(labels: list) -> str | None:
    """One label: English or untagged first, then the alphabetically first (stable)."""
    if not labels:
        return None
    ranked = sorted(labels, key=lambda lit: (getattr(lit, "language", None) not in (None, "en"),
                                             str(lit)))
    return str(ranked[0])


def describe(store, iri: str, settings=None) -> Description | None:
    """The description of `iri` from the store, or None when the IRI is not the subject of any
    triple (or cannot be an IRI at all)."""
    if not valid_iri(iri):
        return None
    desc = Description(URIRef(iri))
    desc.out = [(r["p"], r["o"]) for r in store.select(_Q_OUT % iri)]
    if not desc.out:
        return None
    desc.incoming = [(r["s"], r["p"]) for r in store.select(_Q_IN % iri)]
    assertions: dict = defaultdict(lambda: defaultdict(list))
    for r in store.select(_Q_ASSERTIONS % {"i": iri}):
        assertions[r["st"]][r["p"]].append(r["o"])
    desc.assertions = {st: dict(props) for st, props in assertions.items()}
    linked = {o for _, o in desc.out} | {s for s, _ in desc.incoming}
    for props in desc.assertions.values():
        for p in (RDF.subject, RDF.object, PROV.wasDerivedFrom, KG.accordingTo):
            linked.update(props.get(p, []))
    linked = sorted(n for n in linked if isinstance(n, URIRef) and n != desc.iri
                    and valid_iri(str(n)) and not str(n).startswith(str(KG)))
    info: dict = defaultdict(lambda: defaultdict(list))
    for start in range(0, len(linked), 200):
        values = " ".join(f"<{n}>" for n in linked[start : start + 200])
        for r in store.select(_Q_INFO % values):
            info[r["r"]][r["p"]].append(r["v"])
    desc.info = {n: dict(props) for n, props in info.items()}
    return desc


# -- RDF --------------------------------------------------------------------------------------
@lru_cache(maxsize=8)
def _context(ontology_dir: str, base: str, extensions: tuple[str, ...] = ()) -> dict:
    from ..export.context import make_context

    return make_context(load_ontology(Path(ontology_dir), extensions), base=base)


def _bind(graph: Graph, base: str) -> Graph:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    graph.bind("id", base + "id/", override=True)
    return graph


def serialize_graph(graph: Graph, media_type: str, settings) -> bytes:
    """A graph in one of RDF_TYPES; JSON-LD compacted with the ontology's context (embedded,
    so that the file reads offline)."""
    fmt = RDF_TYPES[media_type]
    if fmt == "json-ld":
        ctx = _context(str(settings.ontology_dir), settings.base_iri,
                       tuple(str(p) for p in settings.ontology_extensions))
        text = graph.serialize(format="json-ld", context=ctx, sort_keys=True, indent=2)
        return text.encode("utf-8")
    if fmt == "nt":
        return "".join(sorted(graph.serialize(format="nt").splitlines(True))).encode("utf-8")
    return graph.serialize(format=fmt).encode("utf-8")


def description_graph(desc: Description, settings) -> Graph:
    graph = _bind(Graph(), settings.base_iri)
    for triple in desc.triples():
        graph.add(triple)
    return graph


# -- HTML -------------------------------------------------------------------------------------
@dataclass
class _View:
    """What rendering needs besides the description: where the page is and the vocabulary."""

    desc: Description
    onto: Ontology
    linker: Linker
    base: str

    def compact(self, iri: str) -> str:
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(str(kv[1]))):
            if iri.startswith(str(ns)) and len(iri) > len(str(ns)):
                return f"{prefix}:{iri[len(str(ns)) :]}"
        return iri

    def term_href(self, iri: URIRef) -> str | None:
        """The ontology page anchor for a kg: term; the IRI itself for other vocabularies."""
        if str(iri).startswith(str(KG)):
            return self.linker.page(ONTOLOGY_PATH) + "#" + str(iri)[len(KG) :]
        return str(iri)

    def prop_label(self, prop: URIRef) -> str:
        if str(prop).startswith(str(KG)):
            info = self.onto.properties.get(str(prop)[len(KG) :])
            if info is not None and info.label:
                return info.label
        return _STANDARD_LABELS.get(prop) or self.compact(str(prop))

    def class_label(self, cls: URIRef) -> str:
        if str(cls).startswith(str(KG)):
            name = str(cls)[len(KG) :]
            info = self.onto.classes.get(name)
            if info is not None and info.label:
                return info.label
            label = self.onto.graph.value(cls, RDFS.label)
            if label is not None:
                return str(label)
        return self.compact(str(cls))

    def prop_link(self, prop: URIRef) -> str:
        return link(self.term_href(prop), self.prop_label(prop), title=self.compact(str(prop)))

    def node_href(self, node: URIRef) -> str | None:
        if str(node).startswith(str(KG)):
            return self.term_href(node)
        if str(node) == str(KG).rstrip("#"):
            return self.linker.page(ONTOLOGY_PATH)
        if str(node).startswith(self.base):
            # Only <base>id/ IRIs have pages (named graphs and others do not): link those the
            # store describes, show the rest as text rather than as a link that 404s.
            if not str(node).startswith(self.base + "id/") or not self.desc.known(node):
                return None
            return self.linker.iri(str(node))
        return str(node) if valid_iri(str(node)) else None

    def node(self, node) -> str:
        """A value: a link labelled with the resource's label, or an escaped literal."""
        if isinstance(node, Literal):
            text = esc(node)
            if node.datatype is not None and node.datatype not in (XSD.string,):
                short = self.compact(str(node.datatype))
                if short.startswith("xsd:") and short not in ("xsd:date", "xsd:integer",
                                                              "xsd:decimal"):
                    text += f' <span class="badge">{esc(short)}</span>'
            return text
        if not isinstance(node, URIRef):
            return esc(node)
        if str(node).startswith(str(KG)):
            return link(self.term_href(node), self.class_label(node))
        label = self.desc.label_of(node)
        text = label or self.compact(str(node))
        if label and str(node).startswith("http://www.wikidata.org/entity/"):
            text = f"{label} ({str(node).rsplit('/', 1)[-1]})"
        return link(self.node_href(node), text, cls=None if label else "iri")

    def source(self, node) -> str:
        """An assertion's source: headline and id, linked to the source's page."""
        ident = str(node).rstrip("/").rsplit("/", 1)[-1]
        label = self.desc.label_of(node)
        text = link(self.node_href(node), label or ident)
        return f'{text} <span class="muted">({esc(ident)})</span>' if label else text


def _one(props: dict, prop) -> object | None:
    values = props.get(prop) or []
    return sorted(values, key=str)[0] if values else None


def _time_span(props: dict) -> str:
    lo, hi = _one(props, KG.notBefore), _one(props, KG.notAfter)
    if lo is None and hi is None:
        return ""
    if lo == hi:
        return f"on {lo}"
    if lo is None:
        return f"by {hi}"
    if hi is None:
        return f"from {lo}"
    return f"between {lo} and {hi}"


def _sources_html(view: _View, statements: list[URIRef]) -> str:
    """The sources of one fact: one line per assertion (source, method, confidence, time,
    other qualifiers), then its evidence quote and the curator's note."""
    items = []
    for st in sorted(statements, key=str):
        props = view.desc.assertions[st]
        parts = [view.source(s) for s in sorted(props.get(PROV.wasDerivedFrom, []), key=str)]
        method = _one(props, KG.method)
        if method is not None:
            parts.append(f'method: {view.node(method)}')
        confidence = _one(props, KG.confidence)
        if confidence is not None:
            parts.append(f"confidence {esc(confidence)}")
        span = _time_span(props)
        if span:
            parts.append(esc(span))
        for prop in sorted(set(props) - _ASSERTION_CORE, key=str):
            if prop == KG.evidenceOffset:
                continue
            values = ", ".join(view.node(v) for v in sorted(props[prop], key=str))
            parts.append(f"{view.prop_link(prop)}: {values}")
        body = " · ".join(parts)
        for quote in sorted(props.get(KG.evidence, []), key=str):
            body += f"<blockquote>{esc(quote)}</blockquote>"
        for note in sorted(props.get(KG.note, []), key=str):
            body += f'<div class="muted">Note: {esc(note)}</div>'
        items.append(f"<li>{body}</li>")
    return f'<ul class="sources">{"".join(items)}</ul>' if items else ""


def _index_assertions(desc: Description) -> dict[tuple, list[URIRef]]:
    """(subject, predicate, object) -> the assertions stating that triple."""
    index: dict[tuple, list[URIRef]] = defaultdict(list)
    for st, props in desc.assertions.items():
        s, p, o = (_one(props, x) for x in (RDF.subject, RDF.predicate, RDF.object))
        if s is not None and p is not None and o is not None:
            index[(s, p, o)].append(st)
    return index


def _facts_section(view: _View, index) -> str:
    desc = view.desc
    pairs = {(p, o) for p, o in desc.out if p not in _HEADER}
    pairs |= {(p, o) for (s, p, o) in index if s == desc.iri}
    return _grouped(
        view, index, "Facts", pairs, lambda prop, o: (desc.iri, prop, o),
        lambda prop: (f'<dt id="{esc(view.compact(str(prop)))}">{view.prop_link(prop)}</dt>'),
    )


def _incoming_section(view: _View, index) -> str:
    desc = view.desc
    pairs = {(p, s) for s, p in desc.incoming} | {(p, s) for (s, p, o) in index if o == desc.iri}
    return _grouped(
        view, index, "Referenced by", pairs, lambda prop, s: (s, prop, desc.iri),
        lambda prop: f"<dt>… {view.prop_link(prop)} this</dt>",
    )


def _grouped(view: _View, index, title: str, pairs, triple, term) -> str:
    """(property, node) pairs as a definition list grouped by property (sorted by label), each
    node with the sources of the fact `triple(property, node)`."""
    if not pairs:
        return ""
    groups: dict = defaultdict(list)
    for p, node in pairs:
        groups[p].append(node)
    rows = []
    for prop in sorted(groups, key=lambda p: (view.prop_label(p).lower(), str(p))):
        nodes = sorted(groups[prop], key=lambda n: (view.desc.label_of(n) or str(n)).lower())
        items = "".join(
            f"<li>{view.node(n)}{_sources_html(view, index.get(triple(prop, n), []))}</li>"
            for n in nodes
        )
        rows.append(f'{term(prop)}<dd><ul class="values">{items}</ul></dd>')
    return f'<h2>{title}</h2>\n<dl class="facts">{"".join(rows)}</dl>'


def _supported_section(view: _View) -> str:
    """For a source: the facts it supports, one table row per assertion."""
    desc = view.desc
    rows = []
    for st, props in desc.assertions.items():
        if desc.iri not in props.get(PROV.wasDerivedFrom, []):
            continue
        s, p, o = (_one(props, x) for x in (RDF.subject, RDF.predicate, RDF.object))
        if s is None or p is None or o is None:
            continue
        quote = _one(props, KG.evidence)
        key = ((desc.label_of(s) or str(s)).lower(), view.prop_label(p), str(o))
        rows.append((key, "<tr>"
                     f"<td>{view.node(s)}</td><td>{view.prop_link(p)}</td><td>{view.node(o)}</td>"
                     f"<td>{view.node(_one(props, KG.method)) if KG.method in props else ''}</td>"
                     f"<td>{esc(quote) if quote is not None else ''}</td></tr>"))
    if not rows:
        return ""
    body = "".join(r for _, r in sorted(rows))
    return (f"<h2>Facts from this source ({len(rows)})</h2>\n<table><thead><tr><th>Subject</th>"
            "<th>Property</th><th>Value</th><th>Method</th><th>Evidence</th></tr></thead>"
            f"<tbody>{body}</tbody></table>")


def _title(view: _View) -> str:
    """The resource's label; for an assertion record (which has none), the fact it states."""
    desc = view.desc
    label = desc.label_of(desc.iri)
    if label:
        return label
    s, p, o = (_one(dict(_group(desc.out)), x) for x in (RDF.subject, RDF.predicate, RDF.object))
    if s is not None and p is not None and o is not None:
        value = desc.label_of(o) if isinstance(o, URIRef) else str(o)
        return f"{desc.label_of(s) or s} {view.prop_label(p)} {value or o}"
    return str(desc.iri)


def _group(pairs) -> dict:
    out: dict = defaultdict(list)
    for p, o in pairs:
        out[p].append(o)
    return out


def _header(view: _View) -> str:
    desc = view.desc
    label = _title(view)
    types = "".join(link(view.term_href(t), view.class_label(t), title=view.compact(str(t)))
                    for t in desc.types_of(desc.iri))
    parts = [f"<h1>{esc(label)}</h1>"]
    if types:
        parts.append(f'<p class="types">{types}</p>')
    parts.append(f'<p class="muted">Identifier: <code class="iri">{esc(desc.iri)}</code></p>')
    for text in desc.values(SCHEMA.description):
        parts.append(f'<p class="desc">{esc(text)}</p>')
    aliases = [str(a) for a in desc.values(SKOS.altLabel)]
    if aliases:
        parts.append(f"<p>Also known as: {esc(', '.join(aliases))}</p>")
    same = desc.values(OWL.sameAs)
    if same:
        links = ", ".join(
            link(str(s), ("Wikidata " if "wikidata.org" in str(s) else "")
                 + str(s).rstrip("/").rsplit("/", 1)[-1])
            for s in same if isinstance(s, URIRef) and valid_iri(str(s))
        )
        parts.append(f"<p>Same as: {links}</p>")
    return "\n".join(parts)


def render_html(desc: Description, settings, linker: Linker, *,
                sparql_href: str | None = None, void_href: str | None = None) -> str:
    """The HTML page of a description (see the module docstring)."""
    onto = load_ontology(settings.ontology_dir, settings.ontology_extensions)
    view = _View(desc, onto, linker, settings.base_iri)
    index = _index_assertions(desc)
    here = linker.here
    alternates = [(mt, linker.page(here, ext)) for mt, ext in EXTENSIONS.items() if mt != HTML]
    downloads = " ".join(
        link(href, {"text/turtle": "Turtle", "application/n-triples": "N-Triples",
                    "application/ld+json": "JSON-LD"}[mt]) for mt, href in alternates
    )
    footer = [f"This description as: {downloads}"]
    if void_href:
        footer.append(link(void_href, "About the dataset (VoID)"))
    if sparql_href:
        footer.append(link(sparql_href, "Query the graph (SPARQL)"))
    body = "\n".join(
        part for part in (
            _header(view),
            _facts_section(view, index),
            _incoming_section(view, index),
            _supported_section(view),
            f"<footer>{' · '.join(footer)}</footer>",
        ) if part
    )
    return shell(_title(view), body, linker, alternates=alternates, sparql_href=sparql_href,
                 void_href=void_href)


# -- responses --------------------------------------------------------------------------------
def _headers(media_type: str, name: str, size: int) -> dict:
    """Content-Type with charset, Vary: Accept, and Link to every variant (relative to the
    request path's last segment, so it resolves on the server and in the static site)."""
    alternates = ", ".join(
        f'<{name}{ext}>; rel="alternate"; type="{mt}"' for mt, ext in EXTENSIONS.items()
    )
    return {
        "Content-Type": f"{media_type}; charset=utf-8",
        "Vary": "Accept",
        "Link": alternates,
        "Content-Location": f"{name}{EXTENSIONS[media_type]}",
        "Content-Length": str(size),
    }


def page_links(settings, here: str, ext: str = "", sparql: str | None = SPARQL_PATH):
    """The Linker of a page, and its links to the SPARQL page and the VoID description."""
    linker = Linker(settings.base_iri, here, ext)
    sparql_href = linker.file(sparql) if sparql and "://" not in sparql else sparql
    return linker, sparql_href, linker.file(VOID_PATH)


def render(desc: Description, media_type: str, settings, *, ext: str = "",
           sparql: str | None = SPARQL_PATH) -> bytes:
    """The body of one variant of a description."""
    if media_type == HTML:
        here = Linker(settings.base_iri, "").path_of(str(desc.iri))
        if here is None:
            raise ValueError(f"{desc.iri} is not under the base IRI {settings.base_iri}")
        linker, sparql_href, void_href = page_links(settings, here, ext, sparql)
        text = render_html(desc, settings, linker, sparql_href=sparql_href, void_href=void_href)
        return text.encode("utf-8")
    if media_type not in RDF_TYPES:
        raise ValueError(f"unsupported media type {media_type!r}; offers are {OFFERS}")
    return serialize_graph(description_graph(desc, settings), media_type, settings)


def entity_response(store, iri: str, media_type: str, settings, *, ext: str = "",
                    sparql: str | None = SPARQL_PATH) -> tuple[int, dict, bytes] | None:
    """(200, headers, body) for one entity or source IRI in `media_type` (one of OFFERS), or
    None when the store says nothing about the IRI (the server answers 404).

    `ext` is the suffix of links between pages ("" on the live server, ".html" in the static
    site); `sparql` the SPARQL page (a path under the base, an absolute URL, or None).
    """
    if media_type != HTML and media_type not in RDF_TYPES:
        raise ValueError(f"unsupported media type {media_type!r}; offers are {OFFERS}")
    if not iri.startswith(settings.base_iri):
        return None
    desc = describe(store, iri, settings)
    if desc is None:
        return None
    body = render(desc, media_type, settings, ext=ext, sparql=sparql)
    name = iri.rstrip("/").rsplit("/", 1)[-1]
    return 200, _headers(media_type, name, len(body)), body


# -- the ontology -----------------------------------------------------------------------------
def ontology_response(settings, media_type: str, *, ext: str = "",
                      sparql: str | None = SPARQL_PATH) -> tuple[int, dict, bytes]:
    """(200, headers, body): ontology/kg.ttl itself for Turtle (comments kept), rdflib's
    serialisation for N-Triples and JSON-LD, or the generated documentation page."""
    onto = load_ontology(settings.ontology_dir, settings.ontology_extensions)
    if media_type == HTML:
        linker, sparql_href, void_href = page_links(settings, ONTOLOGY_PATH, ext, sparql)
        body = render_ontology(onto, linker, sparql_href=sparql_href,
                               void_href=void_href).encode("utf-8")
    elif media_type == "text/turtle" and not onto.extensions:
        body = onto.path.read_bytes()
    elif media_type in RDF_TYPES or media_type == "text/turtle":
        graph = Graph()
        for prefix, ns in onto.graph.namespaces():
            graph.bind(prefix, ns)
        for triple in onto.graph:
            graph.add(triple)
        if media_type == "application/ld+json":
            context = {p: str(ns) for p, ns in PREFIXES.items()}
            body = graph.serialize(format="json-ld", context=context, indent=2,
                                   sort_keys=True).encode("utf-8")
        else:
            body = serialize_graph(graph, media_type, settings)
    else:
        raise ValueError(f"unsupported media type {media_type!r}; offers are {OFFERS}")
    return 200, _headers(media_type, ONTOLOGY_PATH, len(body)), body


# -- the ontology documentation page ----------------------------------------------------------
_SECTIONS = (
    ("classes", "Classes", OWL.Class),
    ("object-properties", "Object properties", OWL.ObjectProperty),
    ("datatype-properties", "Datatype properties", OWL.DatatypeProperty),
    ("annotation-properties", "Annotation properties", OWL.AnnotationProperty),
    ("datatypes", "Datatypes", RDFS.Datatype),
    ("individuals", "Individuals", OWL.NamedIndividual),
)
#: Statements that align a term with other vocabularies (schema.org, PROV, FOAF, Wikidata...).
_ALIGNMENTS = (RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass,
               OWL.equivalentProperty, SKOS.exactMatch, SKOS.closeMatch, OWL.sameAs)
_CHARACTERISTICS = (OWL.FunctionalProperty, OWL.TransitiveProperty, OWL.SymmetricProperty,
                    OWL.InverseFunctionalProperty, OWL.AsymmetricProperty)


def ontology_terms(onto: Ontology) -> dict[str, list[URIRef]]:
    """The ontology's own terms by section (kg: IRIs only, sorted by local name); a term
    declared with several kinds appears in the first section that takes it."""
    seen: set[URIRef] = set()
    out = {}
    for key, _, kind in _SECTIONS:
        terms = sorted(
            t for t in onto.graph.subjects(RDF.type, kind)
            if isinstance(t, URIRef) and str(t).startswith(str(KG)) and t not in seen
        )
        seen.update(terms)
        out[key] = terms
    return out


def render_ontology(onto: Ontology, linker: Linker, *, sparql_href: str | None = None,
                    void_href: str | None = None) -> str:
    """The documentation page of the ontology, generated from its graph: every class (label,
    definition, superclasses, subclasses, alignments) and property (label, definition, domain,
    range, superproperties, characteristics), each under an anchor named after the term."""
    g = onto.graph
    graph_terms = ontology_terms(onto)

    def name(t: URIRef) -> str:
        return str(t)[len(KG) :]

    def ref(t) -> str:
        if isinstance(t, URIRef) and str(t).startswith(str(KG)):
            return link("#" + name(t), name(t))
        if isinstance(t, URIRef):
            prefixed = next((f"{p}:{str(t)[len(str(ns)) :]}" for p, ns in PREFIXES.items()
                             if str(t).startswith(str(ns))), None)
            prefixed = prefixed or next((f"{p}:{str(t)[len(str(ns)) :]}"
                                         for p, ns in g.namespaces() if p
                                         and str(t).startswith(str(ns))), str(t))
            return link(str(t), prefixed)
        return '<span class="muted">(an anonymous class expression)</span>'

    def refs(values) -> str:
        return ", ".join(ref(v) for v in sorted(values, key=str))

    def entry(t: URIRef, key: str) -> str:
        label = g.value(t, RDFS.label)
        definition = g.value(t, SKOS.definition) or g.value(t, RDFS.comment)
        rows = []
        own = {RDFS.subClassOf: "Superclasses", RDFS.subPropertyOf: "Superproperties"}
        for prop, title in own.items():
            local = [o for o in g.objects(t, prop) if str(o).startswith(str(KG))]
            if local:
                rows.append((title, refs(local)))
        below = RDFS.subClassOf if key in ("classes", "datatypes") else RDFS.subPropertyOf
        subs = [s for s in g.subjects(below, t) if isinstance(s, URIRef)]
        if subs:
            rows.append(("Subclasses" if below == RDFS.subClassOf else "Subproperties",
                         refs(subs)))
        aligned = [o for p in _ALIGNMENTS for o in g.objects(t, p)
                   if not str(o).startswith(str(KG))]
        if aligned:
            rows.append(("Aligned with", refs(aligned)))
        for prop, title in ((RDFS.domain, "Domain"), (RDFS.range, "Range"),
                            (OWL.inverseOf, "Inverse of")):
            values = list(g.objects(t, prop))
            if values:
                rows.append((title, refs(values)))
        kinds = [k for k in _CHARACTERISTICS if (t, RDF.type, k) in g]
        if kinds:
            rows.append(("Characteristics", ", ".join(esc(str(k)[len(str(OWL)) :])
                                                        for k in kinds)))
        types = [o for o in g.objects(t, RDF.type) if str(o).startswith(str(KG))]
        if types:
            rows.append(("Instance of", refs(types)))
        members = [s for s in g.subjects(RDF.type, t) if str(s).startswith(str(KG))]
        if members:
            rows.append(("Members", refs(members)))
        for prop, title in ((KG.pathSegment, "IRI path segment"), (KG.crossCheck, "Cross-check"),
                            (KG.networkEdge, "Network edge"), (KG.displayColour, "Colour")):
            value = g.value(t, prop)
            if value is not None:
                rows.append((title, esc(value)))
        table = "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in rows)
        return (f'<section id="{esc(name(t))}"><h3>{esc(label or name(t))} '
                f'<code>kg:{esc(name(t))}</code></h3>'
                f'<p class="muted"><code class="iri">{esc(t)}</code></p>'
                + (f"<p>{esc(definition)}</p>" if definition else "")
                + (f"<table>{table}</table>" if table else "") + "</section>")

    head_iri = URIRef(str(KG).rstrip("#"))
    title = str(g.value(head_iri, RDFS.label) or "Ontology")
    intro = g.value(head_iri, SKOS.definition)
    version = g.value(head_iri, OWL.versionInfo)
    licence = g.value(head_iri, URIRef("http://purl.org/dc/terms/license"))
    parts = [f"<h1>{esc(title)}</h1>",
             f'<p class="muted">Identifier: <code class="iri">{esc(head_iri)}</code>'
             + (f" · version {esc(version)}" if version else "")
             + (f" · licence {link(str(licence), str(licence))}" if licence else "") + "</p>"]
    if intro:
        parts.append(f'<p class="desc">{esc(intro)}</p>')
    downloads = " ".join(link(linker.page(ONTOLOGY_PATH, ext), label) for ext, label in
                         ((".ttl", "Turtle"), (".nt", "N-Triples"), (".jsonld", "JSON-LD")))
    parts.append(f"<p>Download: {downloads}</p>")
    toc = []
    for key, heading, _ in _SECTIONS:
        terms = graph_terms[key]
        if terms:
            toc.append(f'<h3>{link("#" + key, heading)} ({len(terms)})</h3><p>'
                       + ", ".join(link("#" + name(t), name(t)) for t in terms) + "</p>")
    parts.append('<nav class="toc"><h2>Contents</h2>' + "".join(toc) + "</nav>")
    for key, heading, _ in _SECTIONS:
        terms = graph_terms[key]
        if terms:
            parts.append(f'<h2 id="{key}">{esc(heading)}</h2>')
            parts.extend(entry(t, key) for t in terms)
    alternates = [(mt, linker.page(ONTOLOGY_PATH, ext)) for mt, ext in EXTENSIONS.items()
                  if mt != HTML]
    return shell(title, "\n".join(parts), linker, alternates=alternates,
                 sparql_href=sparql_href, void_href=void_href)
