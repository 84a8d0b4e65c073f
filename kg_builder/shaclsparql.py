"""SHACL shapes compiled to SPARQL, so validation runs inside the store at any size.

pySHACL validates an rdflib graph in Python, which takes minutes at a million triples. The
shapes kg-builder uses (ontology/shapes.ttl and the range shapes generated from the ontology)
keep to a small part of SHACL Core and SHACL-SPARQL; each constraint becomes one SELECT query
that returns the violating focus nodes and values, and the store's engine does the work.

Supported: targets sh:targetClass (through rdfs:subClassOf*), sh:targetNode,
sh:targetSubjectsOf, sh:targetObjectsOf; paths: a property or sh:inversePath of one;
constraints sh:class, sh:datatype (with well-formed lexical forms), sh:nodeKind, sh:minCount,
sh:maxCount, sh:in, sh:hasValue, sh:minInclusive, sh:maxInclusive, sh:or (of shapes made of the
same), sh:sparql (SELECT with $this); sh:message (with {?var} and {$this}) and sh:severity.
Anything else raises UnsupportedShape, naming the shape, rather than being skipped silently.
The test suite checks that both engines report the same problems on the same graphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

SUPPORTED_KEYS = {
    RDF.type,
    RDFS.comment,
    RDFS.label,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.property,
    SH.path,
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH.minCount,
    SH.maxCount,
    SH["in"],
    SH.hasValue,
    SH.minInclusive,
    SH.maxInclusive,
    SH["or"],
    SH.sparql,
    SH.message,
    SH.severity,
    SH.name,
    SH.description,
    SH.deactivated,
}
#: Datatypes whose lexical form the store can check with a cast (ill-formed -> unbound).
CASTABLE = {
    XSD.date,
    XSD.dateTime,
    XSD.integer,
    XSD.decimal,
    XSD.boolean,
    XSD.double,
    XSD.float,
    XSD.string,
}
_PLACEHOLDER = re.compile(r"\{[?$](\w+)\}")


class UnsupportedShape(Exception):
    pass


@dataclass(frozen=True)
class Violation:
    focus: object
    path: object  # an IRI, or None
    value: object  # a term, or None
    message: str
    severity: str  # "error" or "warning"
    constraint: str
    #: A graph-wide check's ?subject, when its rows name one (the untraceable triple's).
    subject: object = None


@dataclass
class CompiledQuery:
    sparql: str
    shape: object
    path: object
    message: str
    severity: str
    constraint: str
    templated: bool = False  # message has {?var} placeholders filled from each row
    #: The shape's sh:targetNode values when it has no other target (a graph-wide check run
    #: once with a fixed focus node, such as the ontology), else ().
    target_nodes: tuple = ()


def _n3(term) -> str:
    if isinstance(term, BNode):
        raise UnsupportedShape(f"blank node {term} cannot be a constant in a compiled query")
    return term.n3()


def _class_test(var: str, cls) -> str:
    return f"EXISTS {{ {var} rdf:type/rdfs:subClassOf* {_n3(cls)} }}"


def _datatype_test(var: str, dt) -> str:
    test = f"(isLiteral({var}) && datatype({var}) = {_n3(dt)}"
    if dt in CASTABLE and dt != XSD.string:
        test += f" && COALESCE(isLiteral({_n3(dt)}(STR({var}))), false)"
    elif dt in (XSD.gYear, XSD.gYearMonth):
        pattern = r"^-?[0-9]{4}$" if dt == XSD.gYear else r"^-?[0-9]{4}-(0[1-9]|1[0-2])$"
        test += f' && REGEX(STR({var}), "{pattern}")'
    return test + ")"


def _nodekind_test(var: str, kind) -> str:
    tests = {
        SH.IRI: f"isIRI({var})",
        SH.Literal: f"isLiteral({var})",
        SH.BlankNode: f"isBlank({var})",
        SH.BlankNodeOrIRI: f"(isBlank({var}) || isIRI({var}))",
        SH.IRIOrLiteral: f"(isIRI({var}) || isLiteral({var}))",
        SH.BlankNodeOrLiteral: f"(isBlank({var}) || isLiteral({var}))",
    }
    if kind not in tests:
        raise UnsupportedShape(f"sh:nodeKind {kind}")
    return tests[kind]


@dataclass
class Focus:
    """The focus nodes an incremental validation checks: `nodes` for the constraints on a node
    itself, `by_path[p]` for a property shape on p (or ^p), plus `always` (the nodes whose
    type changed, and the nodes linking to those) for every constraint."""

    nodes: set[str]
    by_path: dict[str, set[str]] | None = None
    always: set[str] = field(default_factory=set)

    def for_path(self, path: str | None) -> set[str]:
        if self.by_path is None or path is None:
            return self.nodes
        return self.by_path.get(path, set()) | self.always


class ShapesCompiler:
    """`focus`: the IRIs to restrict focus-node targets to (an incremental validation of the
    nodes a change touched: a list, or a Focus with nodes per property); shapes with only
    sh:targetNode targets are compiled unrestricted."""

    def __init__(self, shapes: Graph, focus: Focus | list[str] | None = None):
        self.g = shapes
        if focus is not None and not isinstance(focus, Focus):
            focus = Focus(set(focus))
        self.focus = focus

    @staticmethod
    def _values(nodes) -> str:
        return "VALUES ?this { " + " ".join(f"<{i}>" for i in sorted(nodes)) + " } "

    def _path_iri(self, prop) -> str | None:
        path = self.g.value(prop, SH.path)
        if isinstance(path, URIRef):
            return str(path)
        inverse = self.g.value(path, SH.inversePath)
        return str(inverse) if isinstance(inverse, URIRef) else None

    # -- reading the shapes graph -----------------------------------------------------------
    def _check_keys(self, node) -> None:
        for p in set(self.g.predicates(node)):
            if p not in SUPPORTED_KEYS:
                raise UnsupportedShape(f"shape {node}: {p} is not supported by the SPARQL engine")

    def _list(self, node) -> list:
        return list(Collection(self.g, node))

    def _path(self, shape) -> tuple[str, object]:
        """(SPARQL path, IRI to report) of a property shape."""
        path = self.g.value(shape, SH.path)
        if isinstance(path, URIRef):
            return _n3(path), path
        inverse = self.g.value(path, SH.inversePath)
        if isinstance(inverse, URIRef):
            return f"^{_n3(inverse)}", None
        raise UnsupportedShape(f"shape {shape}: only a property or sh:inversePath is supported")

    def _severity(self, shape, parent=None) -> str:
        sev = self.g.value(shape, SH.severity) or (
            self.g.value(parent, SH.severity) if parent is not None else None
        )
        return "warning" if sev in (SH.Warning, SH.Info) else "error"

    def _message(self, shape, parent, default: str) -> str:
        msg = self.g.value(shape, SH.message)
        if msg is None and parent is not None:
            msg = self.g.value(parent, SH.message)
        return str(msg) if msg is not None else default

    def target_nodes(self, shape) -> tuple:
        """The sh:targetNode values of a shape that has no other kind of target, else ()."""
        nodes = tuple(sorted(self.g.objects(shape, SH.targetNode), key=str))
        others = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf)
        if any((shape, p, None) in self.g for p in others):
            return ()
        return nodes

    def targets(self, shape, nodes: set[str] | None = None) -> str:
        parts = []
        only = ""
        if self.focus is not None and not self.target_nodes(shape):
            only = self._values(self.focus.nodes if nodes is None else nodes)
        for cls in self.g.objects(shape, SH.targetClass):
            parts.append(f"{{ {only}?this rdf:type/rdfs:subClassOf* {_n3(cls)} }}")
        nodes = list(self.g.objects(shape, SH.targetNode))
        if nodes:
            values = "VALUES ?this { " + " ".join(_n3(n) for n in nodes) + " }"
            parts.append(f"{{ {values} }}" if not only else f"{{ {only}{{ {values} }} }}")
        # Restricted to given nodes, a subject is tested (EXISTS), not its values enumerated:
        # a hub of the touched nodes may have thousands.
        for p in self.g.objects(shape, SH.targetSubjectsOf):
            parts.append(f"{{ {only}FILTER EXISTS {{ ?this {_n3(p)} ?t_o }} }}" if only else
                         f"{{ SELECT DISTINCT ?this WHERE {{ ?this {_n3(p)} ?t_o }} }}")
        for p in self.g.objects(shape, SH.targetObjectsOf):
            parts.append(f"{{ {only}FILTER EXISTS {{ ?t_s {_n3(p)} ?this }} }}" if only else
                         f"{{ SELECT DISTINCT ?this WHERE {{ ?t_s {_n3(p)} ?this }} }}")
        return " UNION ".join(parts)

    # -- value tests (for sh:or alternatives and single-value constraints) -----------------
    def _value_test(self, node, var: str, focus_path: str | None) -> str:
        """A boolean SPARQL expression: does the value (or focus) conform to shape `node`?"""
        self._check_keys(node)
        tests = []
        if (node, SH.path, None) in self.g:
            path, _ = self._path(node)
            min_count = self.g.value(node, SH.minCount)
            if min_count is not None:
                if int(min_count) > 1:
                    raise UnsupportedShape(f"sh:minCount {min_count} inside sh:or")
                if int(min_count) == 1:
                    tests.append(f"EXISTS {{ {var} {path} ?or_v }}")
            has = self.g.value(node, SH.hasValue)
            if has is not None:
                tests.append(f"EXISTS {{ {var} {path} {_n3(has)} }}")
            return "(" + " && ".join(tests or ["true"]) + ")"
        for cls in self.g.objects(node, SH["class"]):
            tests.append(_class_test(var, cls))
        for dt in self.g.objects(node, SH.datatype):
            tests.append(_datatype_test(var, dt))
        for kind in self.g.objects(node, SH.nodeKind):
            tests.append(_nodekind_test(var, kind))
        return "(" + " && ".join(tests or ["true"]) + ")"

    # -- compiling ----------------------------------------------------------------------------
    def compile(self) -> list[CompiledQuery]:
        queries: list[CompiledQuery] = []
        shapes = set(self.g.subjects(RDF.type, SH.NodeShape))
        for shape in sorted(shapes, key=str):
            if self.g.value(shape, SH.deactivated) == Literal(True):
                continue
            self._check_keys(shape)
            target = self.targets(shape)
            if not target:
                continue
            restricted = self.focus is not None and not self.target_nodes(shape)
            compiled = []
            if not restricted or self.focus.nodes:
                compiled = self._node_constraints(shape, target)
            for prop in self.g.objects(shape, SH.property):
                if restricted:
                    nodes = self.focus.for_path(self._path_iri(prop))
                    if not nodes:
                        continue  # no triple of its property changed: nothing to check again
                    compiled += self._property_constraints(shape, prop, self.targets(shape, nodes))
                else:
                    compiled += self._property_constraints(shape, prop, target)
            nodes = self.target_nodes(shape)
            for cq in compiled:
                cq.target_nodes = nodes
            queries += compiled
        return queries

    def _node_constraints(self, shape, target: str) -> list[CompiledQuery]:
        out = []
        sev = self._severity(shape)
        for cls in self.g.objects(shape, SH["class"]):
            msg = self._message(shape, None, f"must be an instance of {cls.n3()}")
            q = f"SELECT ?this WHERE {{ {target} FILTER(!{_class_test('?this', cls)}) }}"
            out.append(CompiledQuery(q, shape, None, msg, sev, "class"))
        for alt_list in self.g.objects(shape, SH["or"]):
            alts = [self._value_test(a, "?this", None) for a in self._list(alt_list)]
            msg = self._message(shape, None, "conforms to none of the alternatives of sh:or")
            q = f"SELECT ?this WHERE {{ {target} FILTER(!({' || '.join(alts)})) }}"
            out.append(CompiledQuery(q, shape, None, msg, sev, "or"))
        for sparql in self.g.objects(shape, SH.sparql):
            out.append(self._sparql_constraint(shape, sparql, target))
        return out

    def _sparql_constraint(self, shape, node, target: str) -> CompiledQuery:
        select = str(self.g.value(node, SH.select))
        prefixes = []
        for decl_node in self.g.objects(node, SH.prefixes):
            for decl in self.g.objects(decl_node, SH.declare):
                prefix = self.g.value(decl, SH.prefix)
                ns = self.g.value(decl, SH.namespace)
                prefixes.append(f"PREFIX {prefix}: <{ns}>")
        inner = select.replace("$this", "?this")
        if not re.search(r"SELECT\s+(DISTINCT\s+)?[^{]*\?this\b", inner, re.IGNORECASE):
            raise UnsupportedShape(f"shape {shape}: its sh:select must project $this")
        where = re.search(r"\bWHERE\s*\{", inner, re.IGNORECASE)
        if where and not re.search(r"\b(GROUP\s+BY|HAVING|LIMIT|OFFSET|ORDER\s+BY|SELECT)\b",
                                   inner[where.end():], re.IGNORECASE):
            # $this pre-bound as SHACL-SPARQL means it: the target joins the constraint's own
            # group, so a FILTER NOT EXISTS there sees ?this bound (as a sub-SELECT it would
            # be evaluated first, with ?this free, and never report anything)
            at = where.end()
            query = "\n".join(prefixes) + "\n" + inner[:at] + f" {target} " + inner[at:]
        else:
            query = "\n".join(prefixes) + f"\nSELECT * WHERE {{ {target} {{ {inner} }} }}"
        msg = self._message(node, shape, "SPARQL constraint violated")
        return CompiledQuery(
            query, shape, None, msg, self._severity(node, shape), "sparql", templated=True
        )

    def _property_constraints(self, shape, prop, target: str) -> list[CompiledQuery]:
        self._check_keys(prop)
        path, report_path = self._path(prop)
        sev = self._severity(prop, shape)
        out = []

        def add(q: str, default: str, kind: str) -> None:
            msg = self._message(prop, None, default)
            out.append(CompiledQuery(q, shape, report_path, msg, sev, kind))

        min_count = self.g.value(prop, SH.minCount)
        if min_count is not None and int(min_count) > 0:
            add(
                f"SELECT ?this WHERE {{ {target} OPTIONAL {{ ?this {path} ?v }} }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {int(min_count)})",
                f"needs at least {int(min_count)} value(s)",
                "minCount",
            )
        max_count = self.g.value(prop, SH.maxCount)
        if max_count is not None:
            add(
                f"SELECT ?this WHERE {{ {target} ?this {path} ?v }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {int(max_count)})",
                f"allows at most {int(max_count)} value(s)",
                "maxCount",
            )

        def value_rule(test: str, default: str, kind: str) -> None:
            add(
                f"SELECT DISTINCT ?this ?value WHERE {{ {target} ?this {path} ?value "
                f"FILTER(!({test})) }}",
                default,
                kind,
            )

        for cls in self.g.objects(prop, SH["class"]):
            value_rule(_class_test("?value", cls), f"value must be a {cls.n3()}", "class")
        for dt in self.g.objects(prop, SH.datatype):
            value_rule(_datatype_test("?value", dt), f"value must be a {dt.n3()}", "datatype")
        for kind in self.g.objects(prop, SH.nodeKind):
            value_rule(_nodekind_test("?value", kind), f"value must be a {kind.n3()}", "nodeKind")
        for lst in self.g.objects(prop, SH["in"]):
            members = ", ".join(_n3(m) for m in self._list(lst))
            value_rule(f"?value IN ({members})", f"value must be one of {members}", "in")
        for has in self.g.objects(prop, SH.hasValue):
            add(
                f"SELECT ?this WHERE {{ {target} FILTER NOT EXISTS {{ ?this {path} {_n3(has)} }} }}",
                f"must have the value {has.n3()}",
                "hasValue",
            )
        for bound, op in ((SH.minInclusive, ">="), (SH.maxInclusive, "<=")):
            for limit in self.g.objects(prop, bound):
                value_rule(f"?value {op} {_n3(limit)}", f"value must be {op} {limit}", "range")
        for alt_list in self.g.objects(prop, SH["or"]):
            alts = [self._value_test(a, "?value", path) for a in self._list(alt_list)]
            value_rule(" || ".join(alts), "value conforms to none of the alternatives", "or")
        return out


PREAMBLE = (
    "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)


def compile_shapes(shapes: Graph, focus: Focus | list[str] | None = None) -> list[CompiledQuery]:
    return ShapesCompiler(shapes, focus).compile()


def validate_in_store(store, queries: list[CompiledQuery]) -> list[Violation]:
    """Run every compiled constraint in the store; each row is a violation."""
    out = []
    for cq in queries:
        sparql = cq.sparql if cq.sparql.lstrip().startswith("PREFIX") else cq.sparql
        rows = store.select(PREAMBLE + sparql)
        for row in rows:
            message = cq.message
            if cq.templated:
                message = _PLACEHOLDER.sub(lambda m, row=row: _show(row.get(m.group(1))), message)
            out.append(
                Violation(
                    row.get("this"),
                    cq.path if not cq.templated else row.get("path", cq.path),
                    row.get("value"),
                    message,
                    cq.severity,
                    cq.constraint,
                    row.get("subject"),
                )
            )
    return out


def _show(term) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f"<{term}>"
    return str(term)
