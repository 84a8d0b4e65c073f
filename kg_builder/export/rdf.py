"""The graph in standard RDF syntaxes: Turtle, N-Triples, N-Quads, TriG, JSON-LD and RDF/XML.

    report = export_rdf(store, "trig", Path("exports/kg.trig"), view=View(method="curated"))

Formats with named graphs (N-Quads, TriG, JSON-LD) keep the provenance graphs; the others
write the merged graph (every distinct triple once). The same graph always gives the same
bytes: quads are sorted before they are written, and blank nodes (only the ontology has them)
get their RDFC-1.0 canonical labels, which depend on the graph alone, not on the backend or on
the labels the store happened to give them.

Pyoxigraph's serialisers write every format but compacted JSON-LD (Oxigraph writes expanded
JSON-LD only, and ignores contexts). Measured on a generated graph (benchmarks/generate.py),
serialising the same quads: at 10^6 quads pyoxigraph takes 0.3-0.5 s per format, rdflib 4.5 s
(N-Triples) to 32 s (TriG), after 31 s to parse the graph into a Dataset. JSON-LD is written by
`write_jsonld` below (2.5 s at 10^6; rdflib's JSON-LD serialiser with the same context: 17 s,
and in no stable order): the whole dataset, one "@graph" entry per named graph, compacted with
the context derived from the ontology (`kg_builder.export.context`) embedded, so that the file
reads offline. A whole export from an on-disk store takes 7-11 s at 10^6 quads, 5.4 s of which
is Oxigraph reading its database.

A file is written aside and renamed into place at the end: a failed export leaves no partial
file, and the previous file intact.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from itertools import chain, groupby
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from rdflib import URIRef

from ..errors import ExportError
from ..ontology import Ontology, load_ontology
from ..output import write_all
from ..queries import View, apply_view
from ..store import to_ox
from .context import ONTOLOGY_DIR, compact_iri, context_prefixes, make_context

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDFLIB_DEFAULT = URIRef("urn:x-rdflib:default")


@dataclass(frozen=True)
class RdfFormatInfo:
    """What a format is called on disk and on the web, and whether it keeps named graphs."""

    extension: str
    media_type: str
    named_graphs: bool


RDF_FORMATS: dict[str, RdfFormatInfo] = {
    "turtle": RdfFormatInfo(".ttl", "text/turtle", False),
    "nt": RdfFormatInfo(".nt", "application/n-triples", False),
    "nquads": RdfFormatInfo(".nq", "application/n-quads", True),
    "trig": RdfFormatInfo(".trig", "application/trig", True),
    "jsonld": RdfFormatInfo(".jsonld", "application/ld+json", True),
    "xml": RdfFormatInfo(".rdf", "application/rdf+xml", False),
}

_OX_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML,
}


@dataclass
class ExportReport:
    """What an export wrote. `statements` counts quads for formats with named graphs and
    distinct triples for merged ones; `graphs` is the number of named graphs exported (merged
    into one for Turtle, N-Triples and RDF/XML)."""

    path: Path
    format: str
    statements: int
    graphs: int
    seconds: float
    bytes: int = 0

    @property
    def unit(self) -> str:
        return "quads" if RDF_FORMATS[self.format].named_graphs else "triples"

    def as_dict(self) -> dict:
        return {
            "path": str(self.path),
            "format": self.format,
            "media_type": RDF_FORMATS[self.format].media_type,
            self.unit: self.statements,
            "graphs": self.graphs,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 3),
        }


# -- the export -------------------------------------------------------------------------------
def export_rdf(
    store,
    fmt: str,
    path: Path,
    *,
    view: View | None = None,
    base: str | None = None,
    ontology: Ontology | None = None,
) -> ExportReport:
    """Write the store's graph (as the view sees it) to `path` in format `fmt`, atomically.

    `base` is the build's base IRI (for the `id:` prefix); by default it is read off the
    graph names (`<base>graph/ontology`). `ontology` gives the JSON-LD context (default: the
    project's ontology/kg.ttl). Raises ExportError for an unknown format or a folder that
    cannot be written, QueryUsageError for a view naming an unknown source.
    """
    started = time.perf_counter()
    info = RDF_FORMATS.get(fmt)
    if info is None:
        raise ExportError(
            f"unknown RDF format {fmt!r}", f"choose one of {', '.join(sorted(RDF_FORMATS))}"
        )
    path = Path(path)
    _check_target(path)
    seen = apply_view(store, view)
    names = [str(g) for g in seen.graph_names()]
    with _gc_paused():  # millions of small objects, none cyclic: the collector only slows
        stated = canonical(statements(seen))
        if fmt == "nquads":
            lines = sorted(quad_line(g, t) for g, t in stated)
            count, writer = len(lines), partial(write_lines, lines)
        elif not info.named_graphs:
            lines = sorted({t for _, t in stated})
            count = len(lines)
            if fmt == "nt":
                writer = partial(write_lines, lines)
            else:
                writer = partial(_ox_writer, [q.triple for q in parse_lines(lines)], fmt)
        else:
            stated.sort()  # by graph (the default graph, "", first), then as N-Triples lines
            quads = list(parse_lines([quad_line(g, t) for g, t in stated]))
            count = len(quads)
            if fmt == "trig":
                writer = partial(_ox_writer, quads, fmt)
            else:
                onto = ontology or load_ontology(ONTOLOGY_DIR)
                context = make_context(onto, base or detect_base(names))
                writer = partial(_jsonld_writer, quads, context)
        _write_atomically(path, writer)
    seconds = time.perf_counter() - started
    return ExportReport(path, fmt, count, len(names), seconds, path.stat().st_size)


@contextlib.contextmanager
def _gc_paused():
    """Pause Python's cyclic garbage collector (it rescans the ever-growing heap while
    millions of terms are made, a third of the time spent), and resume it afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _ox_writer(items: list, fmt: str, tmp: Path) -> None:
    """Oxigraph's serialiser. No `id:` prefix: in Turtle and TriG, local names holding "/"
    need escaping (`id:person\\/x`), which reads worse than the full IRI."""
    ox.serialize(items, str(tmp), _OX_FORMATS[fmt], prefixes=context_prefixes(None))


def _jsonld_writer(quads: list[ox.Quad], context: dict, tmp: Path) -> None:
    with open(tmp, "wb") as fh:
        write_jsonld(quads, fh, context)


def write_lines(lines: list[str], tmp: Path) -> None:
    """N-Quads lines as they are (Oxigraph wrote them, or formats them)."""
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        for line in lines:
            fh.write(line)
            fh.write("\n")


def _check_target(path: Path) -> None:
    """Fail early, and clearly, when the file cannot be written where it was asked for."""
    folder = path.parent
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "does not exist"
        raise ExportError(
            f"cannot write {path}: the folder {folder} {what}",
            f"create the folder first (mkdir -p {folder}) or export to another path",
        )
    if path.is_dir():
        raise ExportError(f"cannot write {path}: it is a folder", "give a file name")


def _write_atomically(path: Path, writer: Callable[[Path], None]) -> None:
    """Write aside in the target folder, then rename: on any failure nothing is replaced."""

    def write_with_mode(tmp: Path) -> None:
        writer(tmp)
        os.chmod(tmp, _file_mode(path))

    try:
        write_all(path.parent, {path.name: write_with_mode})
    except PermissionError as exc:
        raise ExportError(
            f"cannot write {path}: the folder {path.parent} is not writable ({exc.strerror})",
            "make the folder writable or export to another folder",
        ) from exc
    except OSError as exc:
        raise ExportError(
            f"writing {path} failed ({exc}); any previous file there is intact",
            f"check the free space and permissions of {path.parent}",
        ) from exc


def _file_mode(path: Path) -> int:
    """The mode of the file being replaced, else what a plain open() would give (the
    temporary file is created private, 0600, which an export meant to be shared should not
    keep)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


# -- the quads, in a stable order ----------------------------------------------------------------
def detect_base(graph_names: Iterable[str]) -> str | None:
    """The base IRI of a build, read off its ontology or registry graph's name."""
    for name in graph_names:
        for tail in ("graph/ontology", "graph/registry"):
            if name.endswith(tail):
                return name[: -len(tail)]
    return None


def statements(store) -> list[tuple[str, str]]:
    """Every quad the store (or view) holds, as (graph, triple): the graph name in N-Quads
    syntax ("" for the default graph) and the triple as an N-Triples line ("s p o .").

    Oxigraph dumps its database graph by graph, in Rust, which is as fast as reading it can
    be (a view restricted to some graphs shares the full database: only its graphs are
    dumped, and the default graph only belongs to an unrestricted store). Memory quads are
    formatted by pyoxigraph too, so both backends give the same text.
    """
    if hasattr(store, "graph_ntriples"):  # a remote store: its graphs one by one
        return [(str(ox.NamedNode(str(name))), line) for name in store.graph_names()
                for line in store.graph_ntriples(str(name))]
    raw = getattr(store, "raw", None)
    if raw is None:  # MemoryStore: an rdflib Dataset
        return [_statement(q) for q in store.dataset.quads((None, None, None, None))]
    graphs: list = [ox.NamedNode(str(name)) for name in store.graph_names()]
    if store.restriction is None:  # the whole store, default graph included
        graphs.insert(0, ox.DefaultGraph())
    out: list[tuple[str, str]] = []
    for graph in graphs:
        name = "" if isinstance(graph, ox.DefaultGraph) else str(graph)
        text = raw.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph).decode("utf-8")
        out.extend((name, line) for line in text.splitlines())
    return out


def _statement(quad: tuple) -> tuple[str, str]:
    """An rdflib quad as (graph, triple line)."""
    s, p, o, g = quad
    triple = f"{ox.Triple(to_ox(s), to_ox(p), to_ox(o))} ."
    return ("" if g is None or g == _RDFLIB_DEFAULT else str(to_ox(g))), triple


def quad_line(graph: str, triple: str) -> str:
    """The N-Quads line of (graph, triple line)."""
    return f"{triple[:-1]}{graph} ." if graph else triple


def _has_blank(q: ox.Quad) -> bool:
    return (
        isinstance(q.subject, ox.BlankNode)
        or isinstance(q.object, ox.BlankNode)
        or isinstance(q.graph_name, ox.BlankNode)
    )


def canonical(stated: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The statements with blank nodes relabelled by RDFC-1.0 (c14n0, c14n1, ...).

    Canonical labels depend only on the quads that mention blank nodes, so only those that
    may (they hold "_:"; in the built graph, the ontology's OWL lists and restrictions, a few
    hundred) go through the canonicaliser.
    """
    plain, maybe = [], []
    for graph, triple in stated:
        if "_:" in triple or graph.startswith("_:"):
            maybe.append(quad_line(graph, triple))
        else:
            plain.append((graph, triple))
    if maybe:
        quads = list(parse_lines(maybe))
        dataset = ox.Dataset(q for q in quads if _has_blank(q))
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        others = (q for q in quads if not _has_blank(q))  # "_:" in a literal
        for q in chain(others, dataset):
            graph = q.graph_name
            plain.append(
                ("" if isinstance(graph, ox.DefaultGraph) else str(graph), f"{q.triple} .")
            )
    return plain


def parse_lines(lines: list[str]) -> Iterator[ox.Quad]:
    """The quads of N-Quads (or N-Triples) lines, in their order."""
    return ox.parse("\n".join(lines).encode("utf-8"), format=ox.RdfFormat.N_QUADS)


# -- compacted JSON-LD --------------------------------------------------------------------------
class _Compactor:
    """Turns RDF terms into compacted JSON-LD under one context.

    Only what expands back to the very same quads is written: a term is used for a value
    only when its coercion fits the value exactly (an IRI under an "@type": "@id" term, a
    literal of the term's datatype, anything under an uncoerced term, plain strings only
    there); otherwise the key is the prefixed name of the predicate and the value is explicit.
    Lexical forms are kept as strings, never as JSON numbers or booleans.
    """

    def __init__(self, context: dict):
        self.prefixes = {
            k: v for k, v in context.items() if isinstance(v, str) and v.endswith(("/", "#"))
        }
        self.type_key = next((k for k, v in context.items() if v == "@type"), "@type")
        self.terms: dict[str, tuple[str, str | None]] = {}  # predicate IRI -> (term, coercion)
        self.classes: dict[str, str] = {}  # class IRI -> term (for "@type" values)
        for name, value in sorted(context.items()):
            if name.startswith("@") or name in self.prefixes or value == "@type":
                continue
            if isinstance(value, str):
                iri = self.expand(value)
                self.classes.setdefault(iri, name)
                self.terms.setdefault(iri, (name, None))
            else:
                coercion = value.get("@type")
                if coercion and coercion != "@id":
                    coercion = self.expand(coercion)
                self.terms.setdefault(self.expand(value["@id"]), (name, coercion))
        self._ids: dict[str, str] = {}

    def expand(self, value: str) -> str:
        prefix, _, rest = value.partition(":")
        return self.prefixes[prefix] + rest if prefix in self.prefixes else value

    def iri(self, iri: str) -> str:
        """A prefixed name where one reads back unambiguously, else the full IRI."""
        out = self._ids.get(iri)
        if out is None:
            out = compact_iri(iri, self.prefixes)
            if out != iri and out.partition(":")[2].startswith("//"):
                out = iri  # "p://x" would read as an absolute IRI
            self._ids[iri] = out
        return out

    def node_id(self, term) -> str:
        if isinstance(term, ox.BlankNode):
            return f"_:{term.value}"
        return self.iri(term.value)

    def type_value(self, term) -> str:
        if isinstance(term, ox.NamedNode) and term.value in self.classes:
            return self.classes[term.value]
        return self.node_id(term)

    def entry(self, predicate: str, obj) -> tuple[str, object]:
        """The key and the JSON value of one (predicate, object)."""
        term, coercion = self.terms.get(predicate, (None, None))
        # A prefixed name (or full IRI) as key carries no coercion: any value is safe there.
        free = term if term is not None and coercion is None else self.iri(predicate)
        if not isinstance(obj, ox.Literal):
            ref = self.node_id(obj)
            if term is not None and coercion == "@id":
                return term, ref
            return free, {"@id": ref}
        if obj.language:
            return free, {"@language": obj.language, "@value": obj.value}
        datatype = obj.datatype.value
        if term is not None and coercion == datatype:
            return term, obj.value
        if datatype == XSD_STRING:
            return free, obj.value
        return free, {"@value": obj.value, self.type_key: self.iri(datatype)}

    def node(self, subject, pairs: Iterable[tuple[str, object]]) -> dict:
        """One node object: its id, types and properties; several values become an array."""
        out: dict[str, object] = {"@id": self.node_id(subject)}
        for predicate, obj in pairs:
            if predicate == RDF_TYPE and not isinstance(obj, ox.Literal):
                key, value = self.type_key, self.type_value(obj)
            else:
                key, value = self.entry(predicate, obj)
            if key in out:
                current = out[key]
                if isinstance(current, list):
                    current.append(value)
                else:
                    out[key] = [current, value]
            else:
                out[key] = value
        return out


def _dump(value, indent: int) -> str:
    """Pretty JSON of one value, its lines indented to sit at `indent` in the document."""
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    return text.replace("\n", "\n" + " " * indent)


_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


def _dump_node(node: dict, indent: int) -> str:
    """A node object, one property per line and each value on its line: readable, and fast
    (json's C encoder only runs when it does not indent)."""
    pad = " " * (indent + 2)
    body = ",\n".join(f"{pad}{_ENCODE(k)}: {_ENCODE(v)}" for k, v in sorted(node.items()))
    return "{\n" + body + "\n" + " " * indent + "}"


def _nodes(compactor: _Compactor, quads: Iterable[ox.Quad]) -> Iterator[dict]:
    """Node objects of one graph's quads (sorted, so each subject's quads are together)."""
    for subject, group in groupby(quads, key=lambda q: q.subject):
        yield compactor.node(subject, ((q.predicate.value, q.object) for q in group))


def _write_items(out: IO[bytes], items: Iterable[str], indent: int, first: bool = True) -> bool:
    """Elements of a JSON array, comma-separated, each on its own lines; returns whether the
    array is still empty (to continue it with another call)."""
    sep = "\n" + " " * indent
    for text in items:
        out.write(((sep if first else "," + sep) + text).encode("utf-8"))
        first = False
    return first


def write_jsonld(quads: list[ox.Quad], out: IO[bytes], context: dict) -> None:
    """The dataset as compacted JSON-LD, context embedded: default-graph nodes first, then one
    {"@id": graph, "@graph": [...]} per named graph. `quads` are sorted by graph, then as
    N-Quads lines. Node objects have their keys sorted; a graph's "@id" comes before its
    "@graph", so that a reader sees which graph follows. Written node by node."""
    compactor = _Compactor(context)
    out.write(b'{\n  "@context": ')
    out.write(_dump(context, 2).encode("utf-8"))
    out.write(b',\n  "@graph": [')
    empty = True
    for graph, group in groupby(quads, key=lambda q: q.graph_name):
        nodes = _nodes(compactor, group)
        if isinstance(graph, ox.DefaultGraph):
            empty = _write_items(out, (_dump_node(node, 4) for node in nodes), 4, empty)
            continue
        graph_id = json.dumps(compactor.node_id(graph), ensure_ascii=False)
        head = f'{{\n      "@id": {graph_id},\n      "@graph": ['
        _write_items(out, [head], 4, empty)
        _write_items(out, (_dump_node(node, 8) for node in nodes), 8)
        out.write(b"\n      ]\n    }")
        empty = False
    out.write(b"\n  ]\n}\n")
