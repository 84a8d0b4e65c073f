"""The graph store behind one small interface, with two backends.

- `MemoryStore`: an rdflib Dataset in memory; the pure-rdflib path for small graphs and the
  baseline of the benchmarks.
- `OxigraphStore`: an on-disk Oxigraph database (pyoxigraph), opened read-only by every command
  that reads the graph. `kg_builder.storewrite.StoreWriter` fills it (see `kg_builder.pipeline.build`).

On-disk layout of a store folder (the `--store PATH`):

    PATH/kg-store.json         marker: {"format": "kg-builder-store", "layout": 1}
    PATH/lock                  held (flock) by the one process writing the store
    PATH/current -> gen-000007 the generation readers open (a symlink, swapped atomically)
    PATH/gen-000007/db/        the Oxigraph (RocksDB) database
    PATH/gen-000007/manifest.json  what was built: per named graph its digest and size

A build never writes into the generation readers use: it makes the next generation (a
hard-linked checkpoint of the current one, or a fresh bulk load), applies its changes there,
and only then points `current` at it. A crash, Ctrl-C or a full disk during a build therefore
leaves the previous store as it was, and a server reading the old generation is undisturbed.
"""

from __future__ import annotations

import gc
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.query import Result
from rdflib.term import Node

from .errors import StoreError

STORE_FORMAT = "kg-builder-store"
STORE_LAYOUT = 1
MARKER = "kg-store.json"
_GEN = re.compile(r"^gen-(\d{6})$")


class QueryError(Exception):
    """A SPARQL query is malformed or failed; the message says where."""


class QuerySyntaxError(QueryError):
    """A query does not parse: where (1-based line and column) and what the engine expected."""

    def __init__(self, detail: str, line: int | None = None, column: int | None = None):
        self.detail = detail
        self.line = line
        self.column = column
        where = f" at line {line}, column {column}" if line is not None else ""
        super().__init__(f"syntax error{where}: {detail}")


@dataclass
class Answer:
    """The whole answer of one query, in rdflib terms, whatever the backend.

    form: SELECT, ASK, CONSTRUCT or DESCRIBE; `rows` (tuples in `variables` order, None where
    unbound) for SELECT, `boolean` for ASK, `graph` for CONSTRUCT/DESCRIBE.
    """

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None


_OX_POSITION = re.compile(r"^error at (\d+):(\d+): (.*)$", re.S)


def _ox_syntax_error(exc: Exception) -> QuerySyntaxError:
    text = str(exc)
    m = _OX_POSITION.match(text)
    if not m:
        return QuerySyntaxError(text)
    detail = m.group(3).strip()
    if "Prefix not found" in detail:
        detail = "unknown prefix"
    elif detail.startswith("expected one of") and len(detail) > 120:
        detail = "unexpected input"
    return QuerySyntaxError(detail, int(m.group(1)), int(m.group(2)))


def _locate_syntax_error(sparql: str, prefixes, exc, update: bool = False) -> QuerySyntaxError:
    """rdflib's parser backtracks and reports where the failing clause began; Oxigraph's
    parser (run on an empty scratch store) points at the offending token: prefer it."""
    ox = _ox()
    try:
        if update:
            ox.Store().update(sparql, prefixes=prefixes or None)
        else:
            ox.Store().query(sparql, prefixes=prefixes or None)
    except SyntaxError as located:
        return _ox_syntax_error(located)
    except Exception:  # noqa: BLE001 - only the location is wanted here
        pass
    return QuerySyntaxError(exc.msg, exc.lineno, exc.col)


def _form_of_result(result) -> str:
    ox = _ox()
    if isinstance(result, ox.QueryBoolean):
        return "ASK"
    if isinstance(result, ox.QueryTriples):
        return "CONSTRUCT"
    return "SELECT"


class Store(Protocol):
    """What the rest of kg-builder needs from a store."""

    backend: str

    def select(
        self, sparql: str, bindings: dict[str, Node] | None = None, prefixes=None
    ) -> list[dict]: ...
    def ask(self, sparql: str) -> bool: ...
    def construct(self, sparql: str) -> Graph: ...
    def graph_names(self) -> list[URIRef]: ...
    def quads(self) -> Iterator[tuple]: ...
    def __len__(self) -> int: ...


# -- in memory (rdflib) -------------------------------------------------------------------------
class AnswerForms:
    """select, ask and construct on top of a store's `execute` (which answers any form whole):
    for the stores with no faster path of their own (in memory, remote)."""

    def select(
        self, sparql: str, bindings: dict[str, Node] | None = None, prefixes=None
    ) -> list[dict]:
        answer = self.execute(sparql, bindings, prefixes)
        if answer.form != "SELECT":
            raise QueryError(f"expected a SELECT query, got {answer.form}")
        return [dict(zip(answer.variables, row, strict=True)) for row in answer.rows]

    def ask(self, sparql: str) -> bool:
        answer = self.execute(sparql)
        if answer.form != "ASK":
            raise QueryError(f"expected an ASK query, got {answer.form}")
        return bool(answer.boolean)

    def construct(self, sparql: str) -> Graph:
        answer = self.execute(sparql)
        if answer.graph is None:
            raise QueryError("expected a CONSTRUCT or DESCRIBE query")
        return answer.graph


class MemoryStore(AnswerForms):
    """An rdflib Dataset held in memory; SPARQL's default graph is the union of all graphs."""

    backend = "memory"

    def __init__(self, dataset: Dataset | None = None):
        self.dataset = dataset if dataset is not None else Dataset()
        self.dataset.default_union = True

    def _query(self, sparql: str, bindings=None, prefixes=None) -> Result:
        from pyparsing import ParseBaseException

        try:
            return self.dataset.query(sparql, initBindings=bindings or {}, initNs=prefixes or {})
        except ParseBaseException as exc:
            raise _locate_syntax_error(sparql, prefixes, exc) from exc
        except Exception as exc:  # evaluation errors: never crash the caller
            if "Unknown namespace prefix" in str(exc):
                raise QuerySyntaxError(str(exc).replace(" : ", " ")) from exc
            raise QueryError(f"SPARQL error: {exc}") from exc

    def execute(self, sparql: str, bindings=None, prefixes=None) -> Answer:
        """Any query form, answered in full (see Answer)."""
        result = self._query(sparql, bindings, prefixes)
        try:
            if result.type == "ASK":
                return Answer("ASK", boolean=bool(result.askAnswer))
            if result.type in ("CONSTRUCT", "DESCRIBE"):
                return Answer(result.type, graph=result.graph)
            names = [str(v) for v in result.vars]
            return Answer("SELECT", names, [tuple(row) for row in result])
        except QueryError:
            raise
        except Exception as exc:  # rdflib evaluates lazily
            raise QueryError(f"SPARQL error: {exc}") from exc

    def update(self, sparql: str, prefixes=None) -> None:
        from pyparsing import ParseBaseException

        try:
            self.dataset.update(sparql, initNs=prefixes or {})
        except ParseBaseException as exc:
            raise _locate_syntax_error(sparql, prefixes, exc, update=True) from exc
        except Exception as exc:
            raise QueryError(f"SPARQL update failed: {exc}") from exc

    def restricted(self, graphs: Iterable[str]) -> MemoryStore:
        """A store that sees only these named graphs (a copy: the memory backend is small)."""
        return self.filtered_copy(graphs, None)

    def filtered_copy(self, graphs: Iterable[str], select) -> MemoryStore:
        """A copy holding `graphs`, each reduced to select(name, triples) when select is given."""
        ds = Dataset()
        for prefix, ns in self.dataset.namespaces():
            ds.bind(prefix, ns, override=True)
        for name in graphs:
            ctx = URIRef(name)
            triples = list(self.dataset.graph(ctx))
            target = ds.graph(ctx)
            for t in select(name, triples) if select else triples:
                target.add(t)
        return MemoryStore(ds)

    native = staticmethod(URIRef)

    @staticmethod
    def lexical(term) -> str:
        return str(term)

    def string_rows(self, sparql: str, prefixes=None) -> list[tuple]:
        """SELECT rows as plain strings (IRI or lexical form; None where unbound)."""
        answer = self.execute(sparql, prefixes=prefixes)
        return [tuple(None if t is None else str(t) for t in row) for row in answer.rows]

    def graph_names(self) -> list[URIRef]:
        return sorted(
            g.identifier
            for g in self.dataset.graphs()
            if isinstance(g.identifier, URIRef)
            and len(g)
            and g.identifier != URIRef("urn:x-rdflib:default")
        )

    def quads(self):
        return self.dataset.quads((None, None, None, None))

    def __len__(self) -> int:
        return sum(1 for _ in self.quads())

    def close(self) -> None:
        pass


# -- Oxigraph -----------------------------------------------------------------------------------
def _ox():
    try:
        import pyoxigraph
    except ImportError as exc:  # a declared dependency; say so rather than crash
        raise StoreError(
            "pyoxigraph is not installed", "pip install pyoxigraph, or use --store memory"
        ) from exc
    return pyoxigraph


_XSD_STRING = str(XSD.string)
_LANG_STRING = str(RDF.langString)


def from_ox(term) -> Node | None:
    """A pyoxigraph term as the equivalent rdflib term."""
    if term is None:
        return None
    ox = _ox()
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.DefaultGraph):
        return None
    raise QueryError(f"unsupported term in a result: {term!r}")


def _converter():
    """from_ox with a cache for one answer: answers repeat their IRIs (classes, sources,
    hubs), and a dictionary look-up costs a fifth of building the rdflib term again."""
    cache: dict = {}

    def convert(term):
        if term is None:
            return None
        found = cache.get(term)
        if found is None:
            found = cache[term] = from_ox(term)
        return found

    return convert


def to_ox(term: Node):
    ox = _ox()
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise QueryError(f"cannot bind {term!r} in a query")


def _query_error(exc: Exception) -> QueryError:
    return QueryError(f"SPARQL error: {exc}")


def _db_error(path: Path, exc: Exception) -> StoreError:
    text = str(exc)
    if "Corruption" in text or isinstance(exc, RuntimeError):
        return StoreError(
            f"the store at {path} is corrupt ({text})",
            f"rebuild it: kg build --store {path.parent.parent} --full",
        )
    return StoreError(
        f"the store at {path} cannot be opened ({text})",
        f"check its permissions, or rebuild it: kg build --store {path.parent.parent} --full",
    )


@dataclass
class Manifest:
    """What a generation holds: per named graph its content digest and quad count."""

    graphs: dict[str, dict] = field(default_factory=dict)
    info: dict = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({"graphs": self.graphs, **self.info}, indent=1, sort_keys=True)

    @classmethod
    def read(cls, path: Path) -> Manifest:
        data = json.loads(path.read_text(encoding="utf-8"))
        graphs = data.pop("graphs")
        if not isinstance(graphs, dict):
            raise ValueError("'graphs' is not a mapping")
        return cls(graphs, data)


class StoreFolder:
    """The folder of an Oxigraph store: marker, generations, the `current` pointer, the lock."""

    def __init__(self, path: str | Path):
        self.path = Path(path).expanduser()

    @property
    def marker(self) -> Path:
        return self.path / MARKER

    @property
    def current_link(self) -> Path:
        return self.path / "current"

    def check_compatible(self) -> None:
        """Raise StoreError unless this is a store folder of our layout."""
        if not self.path.exists():
            raise StoreError(
                f"there is no store at {self.path}",
                f"build it first: kg build --store {self.path}",
            )
        if not self.path.is_dir():
            raise StoreError(f"{self.path} is a file, not a store folder", "name a folder")
        if not self.marker.is_file():
            if (self.path / "CURRENT").is_file():
                what = "an Oxigraph database that kg-builder did not make"
            elif any(self.path.iterdir()):
                what = "not a kg-builder store (it has no kg-store.json)"
            else:
                what = "an empty folder, not a built store"
            raise StoreError(
                f"{self.path} is {what}",
                f"build a store there: kg build --store {self.path} --full "
                "(an unrelated folder is never overwritten: move it away first)"
                if what.startswith("an empty")
                else "choose another --store folder, or move this one away and rebuild",
            )
        try:
            marker = json.loads(self.marker.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(
                f"the store marker {self.marker} is unreadable ({exc})",
                f"rebuild the store: kg build --store {self.path} --full",
            ) from exc
        if marker.get("format") != STORE_FORMAT:
            raise StoreError(
                f"{self.path} is not a kg-builder store (format {marker.get('format')!r})",
                "choose another --store folder",
            )
        if marker.get("layout") != STORE_LAYOUT:
            raise StoreError(
                f"the store at {self.path} was made by an incompatible version of kg-builder "
                f"(store layout {marker.get('layout')!r}, this version reads {STORE_LAYOUT})",
                f"rebuild it: kg build --store {self.path} --full",
            )

    def claim(self, full: bool) -> None:
        """Before writing: the folder must be ours; a full build may replace a store of another
        layout (an incremental one may not)."""
        if full and self.marker.is_file():
            try:
                fmt = json.loads(self.marker.read_text(encoding="utf-8")).get("format")
            except (OSError, ValueError, AttributeError):
                fmt = STORE_FORMAT  # our marker, damaged: a full build rewrites it
            if fmt == STORE_FORMAT:
                _write_atomic(
                    self.marker,
                    json.dumps({"format": STORE_FORMAT, "layout": STORE_LAYOUT}, indent=1) + "\n",
                )
        self.check_compatible()

    def current(self) -> Path | None:
        """The current generation folder, or None when nothing was ever committed."""
        link = self.current_link
        if not link.is_symlink():
            return None
        target = self.path / os.readlink(link)
        return target if target.is_dir() else None

    def generations(self) -> list[Path]:
        if not self.path.is_dir():
            return []
        return sorted(p for p in self.path.iterdir() if _GEN.match(p.name) and p.is_dir())

    def next_generation(self) -> Path:
        numbers = [int(_GEN.match(p.name).group(1)) for p in self.generations()]
        return self.path / f"gen-{(max(numbers) + 1 if numbers else 1):06d}"

    def init(self) -> None:
        """Create the folder and its marker (only where no other data lives)."""
        if self.path.exists() and not self.path.is_dir():
            raise StoreError(f"{self.path} is a file, not a store folder", "name a folder")
        if self.path.is_dir() and not self.marker.exists() and any(self.path.iterdir()):
            self.check_compatible()  # raises with the right message
        self.path.mkdir(parents=True, exist_ok=True)
        if not self.marker.exists():
            _write_atomic(
                self.marker,
                json.dumps({"format": STORE_FORMAT, "layout": STORE_LAYOUT}, indent=1) + "\n",
            )

    def read_manifest(self) -> Manifest | None:
        gen = self.current()
        if gen is None:
            return None
        try:
            return Manifest.read(gen / "manifest.json")
        except (OSError, ValueError, KeyError) as exc:
            raise StoreError(
                f"the store at {self.path} is corrupt: {gen.name}/manifest.json is unreadable "
                f"({exc})",
                f"rebuild it: kg build --store {self.path} --full",
            ) from exc


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class OxigraphStore:
    """A read-only view of the current generation of an on-disk Oxigraph store."""

    backend = "oxigraph"

    def __init__(self, path: str | Path):
        ox = _ox()
        self.folder = StoreFolder(path)
        self.folder.check_compatible()
        gen = self.folder.current()
        if gen is None:
            raise StoreError(
                f"the store at {self.folder.path} holds no complete build (the first build was "
                "interrupted?)",
                f"build it: kg build --store {self.folder.path}",
            )
        self.generation = gen
        self.manifest = self.folder.read_manifest()
        self._graphs = None
        try:
            self._store = ox.Store.read_only(str(gen / "db"))
        except (OSError, RuntimeError, ValueError) as exc:
            raise _db_error(gen / "db", exc) from exc

    @classmethod
    def wrap(cls, ox_store) -> OxigraphStore:
        """A view of an open pyoxigraph.Store (a scratch store, or one being built)."""
        self = cls.__new__(cls)
        self.folder = None
        self.generation = None
        self.manifest = None
        self._graphs = None
        self._store = ox_store
        return self

    #: True for a copy held in memory (see in_memory): queries never touch the disk.
    held_in_memory = False

    @classmethod
    def in_memory(cls, path: str | Path) -> OxigraphStore:
        """The current generation of the store at `path`, copied into an in-memory Oxigraph
        store (about 390 MB and 7 s per 10^6 quads on a quiet 2-core machine): its queries
        never touch the disk; later builds of the folder are not seen by the copy. A notebook
        can query it, or serve it: `make_server(settings, store=OxigraphStore.in_memory(p))`.

        The copy goes through an N-Quads dump in a temporary file, bulk-loaded without
        re-validating the IRIs (they come from the store): as fast as a dump into memory and a
        quarter lower at its peak; quad by quad (bulk_extend) is 1.6x slower when the second
        core is free (benchmarks/RESULTS-serve.md)."""
        import tempfile

        ox = _ox()
        disk = cls(path)
        memory = ox.Store()
        fd, tmp = tempfile.mkstemp(prefix="kg-store-", suffix=".nq")
        os.close(fd)
        try:
            disk._store.dump(tmp, ox.RdfFormat.N_QUADS)
            memory.bulk_load(path=tmp, format=ox.RdfFormat.N_QUADS, lenient=True)
        except (OSError, RuntimeError, ValueError, SyntaxError) as exc:
            raise StoreError(
                f"the store at {disk.folder.path} could not be copied into memory ({exc})",
                "check the free space of the temporary folder ($TMPDIR) and of memory, or serve "
                "the store from disk",
            ) from exc
        finally:
            os.unlink(tmp)
            disk.close()
        view = cls.wrap(memory)
        view.folder, view.generation, view.manifest = disk.folder, disk.generation, disk.manifest
        view.held_in_memory = True
        return view

    def restricted(self, graphs: Iterable[str]) -> OxigraphStore:
        """A view that sees only these named graphs (nothing is copied: queries run with
        these graphs as their default graph and as the graphs GRAPH can name)."""
        ox = _ox()
        view = OxigraphStore.wrap(self._store)
        view.folder, view.generation, view.manifest = self.folder, self.generation, self.manifest
        view._graphs = [ox.NamedNode(g) for g in graphs]
        return view

    def filtered_copy(self, graphs: Iterable[str], select) -> OxigraphStore:
        """An in-memory Oxigraph store holding `graphs`, each reduced to select(name, triples)
        when select is given. Costs one pass over those graphs."""
        ox = _ox()
        scratch = ox.Store()
        for name in graphs:
            node = ox.NamedNode(name)
            triples = [
                (q.subject, q.predicate, q.object)
                for q in self._store.quads_for_pattern(None, None, None, node)
            ]
            kept = select(name, triples) if select else triples
            scratch.bulk_extend(ox.Quad(s, p, o, node) for s, p, o in kept)
        return OxigraphStore.wrap(scratch)

    @staticmethod
    def native(iri: str):
        return _ox().NamedNode(iri)

    @staticmethod
    def lexical(term) -> str:
        return term.value

    @property
    def path(self) -> Path | None:
        return self.folder.path if self.folder else None

    @property
    def raw(self):
        """The pyoxigraph.Store, for callers that want Oxigraph's own serialisers."""
        return self._store

    def _query(self, sparql: str, bindings=None, prefixes=None):
        ox = _ox()
        subs = {ox.Variable(k): to_ox(v) for k, v in (bindings or {}).items()}
        if self._graphs is None:
            dataset = {"use_default_graph_as_union": True}
        else:
            dataset = {"default_graph": self._graphs, "named_graphs": self._graphs}
        try:
            return self._store.query(
                sparql, substitutions=subs or None, prefixes=prefixes or None, **dataset
            )
        except SyntaxError as exc:
            raise _ox_syntax_error(exc) from exc
        except (ValueError, OSError, RuntimeError) as exc:
            raise _query_error(exc) from exc

    def execute(self, sparql: str, bindings=None, prefixes=None, describe: bool = False) -> Answer:
        """Any query form, answered in full (see Answer)."""
        result = self._query(sparql, bindings, prefixes)
        form = _form_of_result(result)
        try:
            if form == "ASK":
                return Answer("ASK", boolean=bool(result))
            if form == "CONSTRUCT":
                g = Graph()
                for t in result:
                    g.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
                return Answer("DESCRIBE" if describe else "CONSTRUCT", graph=g)
            names = [v.value for v in result.variables]
            convert = _converter()
            return Answer("SELECT", names, [tuple(map(convert, sol)) for sol in result])
        except (OSError, RuntimeError, ValueError) as exc:  # evaluation is lazy
            raise _query_error(exc) from exc

    def update(self, sparql: str, prefixes=None) -> None:
        try:
            self._store.update(sparql, prefixes=prefixes or None)
        except SyntaxError as exc:
            raise _ox_syntax_error(exc) from exc
        except (ValueError, OSError, RuntimeError) as exc:
            raise QueryError(f"SPARQL update failed: {exc}") from exc

    def select(
        self, sparql: str, bindings: dict[str, Node] | None = None, prefixes=None
    ) -> list[dict]:
        ox = _ox()
        result = self._query(sparql, bindings, prefixes)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError(f"expected a SELECT query, got {type(result).__name__}")
        names = [v.value for v in result.variables]
        try:
            convert = _converter()
            return [dict(zip(names, map(convert, sol), strict=True)) for sol in result]
        except (OSError, RuntimeError, ValueError) as exc:  # evaluation is lazy
            raise _query_error(exc) from exc

    def string_rows(self, sparql: str, prefixes=None) -> list[tuple]:
        """SELECT rows as plain strings (IRI or lexical form; None where unbound), read off
        pyoxigraph's terms without making rdflib terms: the fast path for big answers."""
        result = self._query(sparql, None, prefixes)
        try:
            return [tuple(None if t is None else t.value for t in sol) for sol in result]
        except (OSError, RuntimeError, ValueError) as exc:  # evaluation is lazy
            raise _query_error(exc) from exc

    def ask(self, sparql: str) -> bool:
        ox = _ox()
        result = self._query(sparql)
        if not isinstance(result, ox.QueryBoolean):
            raise QueryError(f"expected an ASK query, got {type(result).__name__}")
        return bool(result)

    def construct(self, sparql: str) -> Graph:
        ox = _ox()
        result = self._query(sparql)
        if not isinstance(result, ox.QueryTriples):
            raise QueryError("expected a CONSTRUCT or DESCRIBE query")
        g = Graph()
        try:
            for t in result:
                g.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
        except (OSError, RuntimeError, ValueError) as exc:
            raise _query_error(exc) from exc
        return g

    def graph_names(self) -> list[URIRef]:
        ox = _ox()
        if self._graphs is not None:
            return sorted(URIRef(g.value) for g in self._graphs)
        return sorted(
            URIRef(g.value) for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)
        )

    @property
    def restriction(self) -> list | None:
        """The named graphs this view is restricted to (None: the whole store)."""
        return self._graphs

    def quads(self) -> Iterator[tuple]:
        """Every quad this store sees (only the restricted graphs' for a restricted view)."""
        if self._graphs is None:
            source = iter(self._store)
        else:
            source = (
                q for g in self._graphs for q in self._store.quads_for_pattern(None, None, None, g)
            )
        for q in source:
            yield (
                from_ox(q.subject),
                from_ox(q.predicate),
                from_ox(q.object),
                from_ox(q.graph_name),
            )

    def __len__(self) -> int:
        return len(self._store)

    def dataset(self) -> Dataset:
        """The store through rdflib's Dataset API (oxrdflib): rdflib code runs unchanged."""
        from oxrdflib import OxigraphStore as RdflibOxigraphStore

        ds = Dataset(store=RdflibOxigraphStore(store=self._store), default_union=True)
        from .build import PREFIXES

        for prefix, ns in PREFIXES.items():
            ds.bind(prefix, ns, override=True)
        return ds

    def dump(self, path: Path, fmt: str = "nquads", graph: str | None = None) -> None:
        ox = _ox()
        formats = {
            "nquads": ox.RdfFormat.N_QUADS,
            "trig": ox.RdfFormat.TRIG,
            "ntriples": ox.RdfFormat.N_TRIPLES,
            "turtle": ox.RdfFormat.TURTLE,
        }
        kwargs = {"from_graph": ox.NamedNode(graph)} if graph else {}
        self._store.dump(str(path), formats[fmt], **kwargs)

    def close(self) -> None:
        self._store = None
        gc.collect()

    def __enter__(self) -> OxigraphStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
