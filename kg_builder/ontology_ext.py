"""A project's ontology extensions: Turtle files of its own classes and properties, named in
kg.toml (`[ontology] extensions = [...]`) and merged into the shipped ontology.

An extension may only add: classes that are (transitively) subclasses of a shipped class and
properties that are subproperties of a shipped property, in the kg: namespace (curated files
name types and relations by their local name). It may not change a shipped term. Each
problem is a ConfigError naming the file and line.
"""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from .errors import ConfigError

KG_NS = "https://w3id.org/kg-builder/ontology#"
_TERM_TYPES = {
    OWL.Class: "class",
    RDFS.Class: "class",
    OWL.ObjectProperty: "property",
    OWL.DatatypeProperty: "property",
    RDF.Property: "property",
    OWL.AnnotationProperty: "annotation",
}


def _line_of(text: str, iri: URIRef, prefixes: dict[str, str]) -> int:
    """The first line where the term is the subject of a statement (a best effort)."""
    local = str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    forms = [f"<{iri}>"] + [f"{p}:{local}" for p, ns in prefixes.items() if str(iri) == ns + local]
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.lstrip()
        if any(re.match(re.escape(f) + r"(\s|$|;|,)", stripped) for f in forms):
            return number
    for number, line in enumerate(text.splitlines(), 1):
        if any(f in line for f in forms):
            return number
    return 1


def parse_extension(path: Path) -> tuple[Graph, str]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the ontology extension ({exc})") from exc
    graph = Graph()
    try:
        graph.parse(data=text, format="turtle", publicID=path.as_uri())
    except Exception as exc:  # rdflib raises BadSyntax and others, with the line in the text
        message = str(exc)
        m = re.search(r"line (\d+)", message)
        where = f"{path}:{m.group(1)}" if m else str(path)
        lines = [ln.strip() for ln in message.strip().splitlines() if ln.strip()]
        lines = [ln for ln in lines if not re.match(r"^at line \d+ of <[^>]*>:?$", ln)]
        first = " ".join(lines)[:300] if lines else type(exc).__name__
        raise ConfigError(f"{where}: invalid Turtle in the ontology extension: {first}") from exc
    return graph, text


def check_extension(shipped: Graph, merged: Graph, ext: Graph, text: str, path: Path) -> None:
    """Raise ConfigError (file:line) for the first thing the extension may not do."""
    prefixes = {p: str(ns) for p, ns in ext.namespaces()}
    shipped_subjects = {s for s in shipped.subjects() if isinstance(s, URIRef)}
    for s, p, o in ext:
        if isinstance(s, URIRef) and s in shipped_subjects:
            raise ConfigError(
                f"{path}:{_line_of(text, s, prefixes)}: {s} is a term of kg-builder's ontology; "
                "an extension may add classes and properties but not change shipped ones"
            )
    for term, kind_iri in ext.subject_objects(RDF.type):
        kind = _TERM_TYPES.get(kind_iri)
        if kind is None or not isinstance(term, URIRef):
            continue
        where = f"{path}:{_line_of(text, term, prefixes)}"
        if not str(term).startswith(KG_NS):
            raise ConfigError(
                f"{where}: {term}: define extension terms in the kg: namespace "
                f"(@prefix kg: <{KG_NS}> .), as curated files name them by local name"
            )
        if kind == "class":
            supers = closure(merged, term, RDFS.subClassOf) - {term}
            if not any(s in shipped_subjects for s in supers):
                raise ConfigError(
                    f"{where}: class {term} must be a subclass (rdfs:subClassOf) of a class of "
                    "kg-builder's ontology, e.g. kg:Person, kg:Organisation, kg:Event"
                )
        elif kind == "property":
            supers = closure(merged, term, RDFS.subPropertyOf) - {term}
            if not any(s in shipped_subjects for s in supers):
                raise ConfigError(
                    f"{where}: property {term} must be a subproperty (rdfs:subPropertyOf) of a "
                    "property of kg-builder's ontology, e.g. kg:helped or kg:memberOf"
                )
            for pred, what in ((RDFS.domain, "domain"), (RDFS.range, "range")):
                for value in merged.objects(term, pred):
                    known = (value, RDF.type, OWL.Class) in merged or str(value).startswith(
                        "http://www.w3.org/2001/XMLSchema#"
                    ) or (value, RDF.type, RDFS.Datatype) in merged
                    if not known:
                        raise ConfigError(
                            f"{where}: the {what} of {term}, {value}, is neither a class of the "
                            "ontology nor an XML Schema datatype"
                        )


def closure(graph: Graph, node: URIRef, pred: URIRef) -> set[URIRef]:
    """`node` and everything reachable from it along `pred` (reflexive-transitive)."""
    seen: set[URIRef] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        stack.extend(o for o in graph.objects(n, pred) if isinstance(o, URIRef))
    return seen


def merge_extensions(shipped: Graph, paths) -> Graph:
    """The shipped graph with every extension added, each checked against what came before."""
    merged = Graph()
    for prefix, ns in shipped.namespaces():
        merged.bind(prefix, ns)
    for triple in shipped:
        merged.add(triple)
    for path in paths:
        ext, text = parse_extension(Path(path))
        trial = Graph()
        for triple in merged:
            trial.add(triple)
        for triple in ext:
            trial.add(triple)
        check_extension(shipped, trial, ext, text, Path(path))
        for prefix, ns in ext.namespaces():
            if prefix and prefix not in dict(merged.namespaces()):
                merged.bind(prefix, ns)
        for triple in ext:
            merged.add(triple)
    return merged
