"""Incremental validation: a build that changed a few sources checks only what the change can
affect, and carries the rest of the previous build's findings over.

Every finding of a validation is stored with its *scope* (`validation.json` in the generation):

- ``node``: a SHACL result about one focus node (an entity, an assertion, an article). Its
  constraint reads the node's own triples and the types of their values, so it can change only
  when a triple with the node as subject or object changed (or a type of one of its values).
- ``graph``: a row of a graph-wide check (a SHACL shape with a fixed focus node such as the
  ontology, or a hygiene query whose header says ``# Scope: graph``), located in the named
  graph(s) that hold its data. These checks look at one source's graph at a time: the builder
  writes every fact's plain triple, its kg:Assertion and its evidence into the same graph.
- ``all``: anything else (the other hygiene queries): run again in full by every validation.

An incremental validation (after writing changed graphs C):
1. the touched nodes N are the IRIs in subject or object position in C, before and after the
   change, plus the nodes linking to any node whose rdf:type changed in C;
2. node-scoped shapes run with their targets restricted to N (`VALUES ?this`);
3. graph-wide checks run on C and the shared graphs (ontology, registry, sources) only, and keep
   the rows located in C;
4. the previous findings about nodes outside N and graphs outside C are kept.

It falls back to a full validation when there is no earlier record, when the shapes, the
ontology, the checks or kg-builder changed, when a shared graph changed, or when more than
MAX_SHARE of the graphs changed (then a full run is as fast).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .errors import Problem

RECORD = "validation.json"
RECORD_FORMAT = 1
#: Above this share of changed graphs, a full validation is run instead.
MAX_SHARE = 0.2
_SCOPE_HEADER = re.compile(r"^#\s*Scope:\s*graph\b", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Finding:
    problem: Problem
    scope: str  # "node" | "graph" | "all"
    keys: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {"problem": self.problem.as_dict(), "scope": self.scope, "keys": list(self.keys)}

    @classmethod
    def from_dict(cls, d: dict) -> Finding:
        p = d["problem"]
        problem = Problem(p["file"], p["line"], p["message"], p["severity"], p["check"])
        return cls(problem, d["scope"], tuple(d.get("keys", ())))


@dataclass
class Change:
    """What a build changed, as incremental validation needs it."""

    graphs: set[str]  # changed and removed graph names
    total_graphs: int
    shared: set[str]  # the graphs every source shares (ontology, registry, sources)


@dataclass
class Record:
    digest: str
    findings: list[Finding] = field(default_factory=list)
    mode: str = "full"  # how it was made: "full" or "incremental"
    touched_nodes: int = 0

    def write(self, folder: Path) -> None:
        body = {
            "format": RECORD_FORMAT,
            "digest": self.digest,
            "mode": self.mode,
            "touched_nodes": self.touched_nodes,
            "findings": [f.as_dict() for f in self.findings],
        }
        (folder / RECORD).write_text(json.dumps(body, indent=0) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, folder: Path | None) -> Record | None:
        """The record of a generation, or None (none written, unreadable, other format)."""
        if folder is None:
            return None
        try:
            body = json.loads((folder / RECORD).read_text(encoding="utf-8"))
            if body.get("format") != RECORD_FORMAT:
                return None
            findings = [Finding.from_dict(d) for d in body["findings"]]
            return cls(body["digest"], findings, body.get("mode", "full"))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    @property
    def problems(self) -> list[Problem]:
        return sorted({f.problem for f in self.findings}, key=_order)


def _order(p: Problem):
    return (p.file, p.line or 0, p.message)


def rules_digest(files: list[Path]) -> str:
    """What the findings depend on besides the data: the rule files and kg-builder itself."""
    h = hashlib.sha256(__version__.encode("utf-8"))
    for path in sorted(files):
        h.update(str(path.name).encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def graph_scoped(check: Path, text: str | None = None) -> bool:
    """Does a hygiene query declare itself graph-local (`# Scope: graph`, rows with ?graph)?"""
    text = check.read_text(encoding="utf-8") if text is None else text
    return bool(_SCOPE_HEADER.search(text))


# -- the nodes a change touched ------------------------------------------------------------------
def touched_nodes(new_db, old_db, graphs: set[str]):
    """The Focus of a change: the IRIs in subject or object position in `graphs`, in the old
    and the new database, by the predicate of their triple; and, for every constraint, the
    nodes whose rdf:type statements are in those graphs and the nodes that link to them."""
    import pyoxigraph as ox

    from .shaclsparql import Focus

    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    by_path: dict[str, set[str]] = {}
    typed: set[str] = set()
    for db in (old_db, new_db):
        if db is None:
            continue
        for name in graphs:
            for q in db.quads_for_pattern(None, None, None, ox.NamedNode(name)):
                ends = by_path.setdefault(q.predicate.value, set())
                for term in (q.subject, q.object):
                    if isinstance(term, ox.NamedNode):
                        ends.add(term.value)
                if q.predicate == rdf_type and isinstance(q.subject, ox.NamedNode):
                    typed.add(q.subject.value)
    always = set(typed)
    for iri in typed:
        for q in new_db.quads_for_pattern(None, None, ox.NamedNode(iri), None):
            if isinstance(q.subject, ox.NamedNode):
                always.add(q.subject.value)
    nodes = set(always).union(*by_path.values())
    return Focus(nodes, by_path, always)


# -- locating graph-wide rows ---------------------------------------------------------------------
def graphs_of(db, subject, predicate=None, obj=None) -> tuple[str, ...]:
    """The named graphs holding a triple (or, with only a subject, any triple of it)."""
    import pyoxigraph as ox

    from .store import to_ox

    s = to_ox(subject)
    if not isinstance(s, ox.NamedNode):
        return ()
    p = to_ox(predicate) if predicate is not None else None
    o = to_ox(obj) if obj is not None else None
    found = {
        q.graph_name.value
        for q in db.quads_for_pattern(s, p, o, None)
        if isinstance(q.graph_name, ox.NamedNode)
    }
    return tuple(sorted(found))


# -- running ---------------------------------------------------------------------------------------
def can_be_incremental(previous: Record | None, change: Change | None, digest: str) -> bool:
    if previous is None or change is None or previous.digest != digest:
        return False
    if change.graphs & change.shared:
        return False
    if any(f.scope == "graph" and not f.keys for f in previous.findings):
        return False  # a graph-wide finding that could not be located: check everything
    return len(change.graphs) <= MAX_SHARE * max(change.total_graphs, 1)


def validate(
    store,
    shapes,
    checks: list[Path],
    digest: str,
    change: Change | None = None,
    previous: Record | None = None,
    old_db=None,
) -> Record:
    """SHACL (compiled to SPARQL) and hygiene checks on an Oxigraph store, in full or, when
    `can_be_incremental`, for what `change` can affect; returns the findings with their scopes."""
    from .shaclsparql import compile_shapes, validate_in_store
    from .validate import hygiene_problem, shacl_problem

    db = store._store
    incremental = can_be_incremental(previous, change, digest)
    findings: list[Finding] = []
    nodes: set[str] = set()
    if incremental:
        focus = touched_nodes(db, old_db, change.graphs)
        nodes = focus.nodes
        present = {g.value for g in db.named_graphs() if hasattr(g, "value")}
        wide = store.restricted(sorted((change.graphs | change.shared) & present))
        queries = compile_shapes(shapes, focus=focus)
        for f in previous.findings:
            if f.scope == "node" and f.keys[0] not in nodes:
                findings.append(f)
            elif f.scope == "graph" and not set(f.keys) & change.graphs:
                findings.append(f)
    else:
        wide = store
        queries = compile_shapes(shapes)

    def located(keys: tuple[str, ...]) -> bool:
        return not incremental or bool(set(keys) & change.graphs)

    focused = [q for q in queries if not q.target_nodes]
    if focused:
        for v in validate_in_store(store, focused):
            findings.append(Finding(shacl_problem(v), "node", (str(v.focus),)))
    for cq in (q for q in queries if q.target_nodes):
        for v in validate_in_store(wide, [cq]):
            if v.subject is not None and v.path is not None and v.value is not None:
                keys = graphs_of(db, v.subject, v.path, v.value)
            else:
                keys = graphs_of(db, v.value if v.value is not None else v.focus)
            # Seen through C and the shared graphs only, a missing triple may be in another
            # graph: a row found there is kept only if the whole store gives it too.
            if located(keys) and (not incremental or _confirmed(store, cq, v)):
                findings.append(Finding(shacl_problem(v), "graph", keys))
    for path in checks:
        text = path.read_text(encoding="utf-8")
        if graph_scoped(path, text):
            for row in wide.select(text):
                graph = row.get("graph")
                keys = (str(graph),) if graph is not None else ()
                if located(keys):
                    findings.append(Finding(hygiene_problem(path, row), "graph", keys))
        else:
            findings += [Finding(hygiene_problem(path, row), "all") for row in store.select(text)]
    return Record(digest, findings, "incremental" if incremental else "full", len(nodes))


def _confirmed(store, cq, v) -> bool:
    """Does the compiled query give this violation on the whole store (its row's terms bound)?"""
    from .shaclsparql import PREAMBLE

    row = {"this": v.focus, "value": v.value, "subject": v.subject}
    if cq.templated and v.path is not None:
        row["path"] = v.path
    bindings = {k: term for k, term in row.items() if term is not None}
    return bool(store.select(PREAMBLE + cq.sparql, bindings=bindings))
