"""Checks of a built graph: SHACL shapes, OWL consistency (owlready2 + HermiT), hygiene queries."""

from __future__ import annotations

import functools
import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH

from .errors import Problem
from .ontology import KG, Ontology

KGSH = Namespace("https://w3id.org/kg-builder/shapes#")


def merged_graph(ds: Dataset) -> Graph:
    """All named graphs of the dataset as one graph (duplicates collapse)."""
    g = Graph()
    for prefix, ns in ds.namespaces():
        g.bind(prefix, ns, override=True)
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def generated_shapes(onto: Ontology) -> Graph:
    """Domain and range shapes for every fact property, derived from the ontology."""
    g = Graph()
    for prop in onto.fact_properties.values():
        node = KGSH[f"{prop.name}Shape"]
        g.add((node, RDF.type, SH.NodeShape))
        g.add((node, SH.targetSubjectsOf, prop.iri))
        if prop.domain is not None:
            g.add((node, SH["class"], prop.domain))
        pshape = BNode()
        g.add((node, SH.property, pshape))
        g.add((pshape, SH.path, prop.iri))
        if prop.kind == "object" and prop.range is not None:
            g.add((pshape, SH["class"], prop.range))
            g.add((pshape, SH.nodeKind, SH.IRI))
        elif prop.is_time:
            alternatives = []
            for dt in onto.time_datatypes():
                alt = BNode()
                g.add((alt, SH.datatype, dt))
                alternatives.append(alt)
            lst = BNode()
            Collection(g, lst, alternatives)
            g.add((pshape, SH["or"], lst))
        elif prop.range is not None:
            g.add((pshape, SH.datatype, prop.range))
        g.add(
            (
                pshape,
                SH.message,
                Literal(
                    f"value of kg:{prop.name} must be {prop.range.n3() if prop.range else 'any'}"
                    f" (ontology range)"
                ),
            )
        )
    return g


def _label(g: Graph, node) -> str:
    if isinstance(node, URIRef):
        return node.n3(g.namespace_manager)
    return str(node)


def run_shacl(data: Graph, shapes_path: Path, onto: Ontology) -> list[Problem]:
    from pyshacl import validate as shacl_validate

    shapes = shapes_graph(shapes_path, onto)
    logging.getLogger("pyshacl").setLevel(logging.ERROR)
    _conforms, report, _text = shacl_validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    problems = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        message = report.value(result, SH.resultMessage)
        severity = "warning" if report.value(result, SH.resultSeverity) != SH.Violation else "error"
        parts = [f"{_label(data, focus)}"]
        if path is not None and not isinstance(path, BNode):
            parts.append(f"{_label(data, path)}")
        if value is not None:
            parts.append(f"value {_label(data, value)}")
        problems.append(Problem("shacl", None, f"{' '.join(parts)}: {message}", severity, "shacl"))
    return sorted(set(problems))


def shapes_graph(shapes_path: Path, onto: Ontology) -> Graph:
    """The hand-written shapes plus the range shapes generated from the ontology."""
    shapes = Graph().parse(shapes_path, format="turtle")
    shapes += generated_shapes(onto)
    return shapes


def run_shacl_in_store(store, shapes_path: Path, onto: Ontology) -> list[Problem]:
    """The same shapes, compiled to SPARQL and run by the store's engine (any size)."""
    from .shaclsparql import compile_shapes, validate_in_store

    queries = compile_shapes(shapes_graph(shapes_path, onto))
    return sorted({shacl_problem(v) for v in validate_in_store(store, queries)})


def shacl_problem(v) -> Problem:
    """A compiled shape's Violation as a Problem: focus, path, value and message."""
    names = _names()
    parts = [_label(names, v.focus)]
    if v.path is not None and not isinstance(v.path, BNode):
        parts.append(_label(names, v.path))
    if v.value is not None:
        parts.append(f"value {_label(names, v.value)}")
    return Problem("shacl", None, f"{' '.join(parts)}: {v.message}", v.severity, "shacl")


@functools.cache
def _names() -> Graph:
    from .build import PREFIXES

    names = Graph()
    for prefix, ns in PREFIXES.items():
        names.bind(prefix, ns, override=True)
    return names


def _owl_subset(ds, onto: Ontology) -> Graph:
    """The schema (classes, object properties, axioms) and the entities' types and links.

    Datatype definitions and literal values are left out: HermiT's OWL 2 datatype map has no
    xsd:gYear or xsd:gYearMonth, and literals cannot make class assertions inconsistent here.
    """
    g = Graph()
    skip_subjects = {KG.TimeValue}
    datatype_props = {p.iri for p in onto.properties.values() if p.kind == "datatype"}
    for s, p, o in onto.graph:
        if s in skip_subjects or (s in datatype_props and p == RDFS.range):
            continue
        if (
            p == OWL.equivalentClass
            and isinstance(o, BNode)
            and (o, RDF.type, RDFS.Datatype) in onto.graph
        ):
            continue
        g.add((s, p, o))
    # drop the anonymous datatype union left behind
    for bnode in list(g.subjects(RDF.type, RDFS.Datatype)):
        if isinstance(bnode, BNode):
            g.remove((bnode, None, None))
    object_props = {p.iri for p in onto.properties.values() if p.kind == "object"}
    for s, p, o, _ in _instance_quads(ds, object_props):
        if (
            p == RDF.type
            and isinstance(o, URIRef)
            and o.startswith(KG)
            and (onto.is_a(o, KG.Entity) or o in (KG.NewsArticle, KG.Quotation, KG.Assertion))
        ):
            g.add((s, p, o))
        elif p in object_props and isinstance(o, URIRef):
            g.add((s, p, o))
    return g


def _instance_quads(ds, object_props):
    """Type assertions and object-property links: from a Dataset, or asked of a store."""
    if isinstance(ds, Dataset):
        yield from ds.quads((None, None, None, None))
        return
    values = " ".join(p.n3() for p in sorted(object_props))
    rows = ds.select(
        f"SELECT DISTINCT ?s ?p ?o WHERE {{ {{ ?s a ?o BIND(<{RDF.type}> AS ?p) }} UNION "
        f"{{ VALUES ?p {{ {values} }} ?s ?p ?o FILTER(isIRI(?o)) }} }}"
    )
    for row in rows:
        yield row["s"], row["p"], row["o"], None


@dataclass
class OwlResult:
    ran: bool
    consistent: bool | None
    problems: list[Problem] = field(default_factory=list)
    note: str = ""


def run_owl(ds, onto: Ontology) -> OwlResult:
    """Load ontology + graph into owlready2 and ask HermiT whether it is consistent."""
    java = shutil.which("java")
    if java is None:
        msg = (
            "Java was not found, so the OWL consistency check (HermiT) was skipped; install "
            "a Java runtime (e.g. apt-get install default-jre-headless) to run it"
        )
        return OwlResult(False, None, [Problem("owl", None, msg, "warning", "owl")], msg)
    try:
        import owlready2
    except ImportError:  # pragma: no cover - a declared dependency
        msg = "owlready2 is not installed: pip install owlready2"
        return OwlResult(False, None, [Problem("owl", None, msg, "warning", "owl")], msg)
    owlready2.JAVA_EXE = java
    subset = _owl_subset(ds, onto)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kg-owl.nt"
        subset.serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        try:
            world.get_ontology(path.as_uri()).load(format="ntriples")
            with _quiet():
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            msg = (
                "HermiT: the ontology and the graph are inconsistent (an entity falls in two "
                "disjoint classes, e.g. through a relation's domain or range)"
            )
            return OwlResult(True, False, [Problem("owl", None, msg, "error", "owl")], msg)
        except Exception as exc:  # the reasoner failing is reported, never a crash
            msg = f"the OWL reasoner could not run: {exc}"
            return OwlResult(False, None, [Problem("owl", None, msg, "warning", "owl")], msg)
        unsat = [c for c in world.inconsistent_classes() if c is not owlready2.Nothing]
        if unsat:
            names = ", ".join(sorted(str(c.iri) for c in unsat))
            msg = f"HermiT: unsatisfiable classes: {names}"
            return OwlResult(True, False, [Problem("owl", None, msg, "error", "owl")], msg)
    return OwlResult(True, True, [], f"HermiT: consistent ({len(subset)} axioms and assertions)")


class _quiet:
    """Silence owlready2's reasoner chatter on stdout/stderr."""

    def __enter__(self):
        import contextlib
        import io
        import sys

        self._stack = contextlib.ExitStack()
        self._stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
        self._stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
        self._sys = sys
        return self

    def __exit__(self, *exc):
        self._stack.close()
        return False


def run_hygiene(store, checks: Path | list[Path]) -> list[Problem]:
    """Every check query (a folder's *.rq, or a list of files) must return no rows; each row
    is a problem."""
    problems = []
    paths = sorted(Path(checks).glob("*.rq")) if isinstance(checks, (str, Path)) else checks
    for path in paths:
        rows = store.select(path.read_text(encoding="utf-8"))
        problems += [hygiene_problem(path, row) for row in rows]
    return problems


def hygiene_problem(path: Path, row: dict) -> Problem:
    detail = ", ".join(f"{k}={v}" for k, v in row.items() if v is not None)
    return Problem(f"queries/checks/{path.name}", None, detail, "error", "hygiene")


def hygiene_checks(settings) -> list[Path]:
    """The built-in hygiene checks, then the project's own (its queries/checks/); a project
    check of the same name replaces the built-in one."""
    checks: dict[str, Path] = {}
    for folder in settings.query_folders:
        for path in sorted((folder / "checks").glob("*.rq")):
            checks[path.name] = path
    return sorted(checks.values())
