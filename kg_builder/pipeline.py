"""The library API: load, build, validate and write, as researchers call it from a notebook.

>>> import kg_builder
>>> result = kg_builder.build(store="memory")   # doctest: +SKIP
>>> result.dataset                              # an rdflib Dataset, one named graph per source
>>> result.store().select("SELECT ...")         # SPARQL on the same graph

With the default store (an on-disk Oxigraph database, `.kg/store`), `build` is incremental:
it regenerates every named graph, compares each graph's digest with the store's manifest, and
writes only the graphs that changed, into a new generation that becomes current at the end.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph

from . import __version__ as KG_VERSION
from .build import GraphLines, build_graphs, to_dataset
from .config import MEMORY, Settings, resolve_settings
from .curation import load_curated
from .errors import ConfigError, CurationError, GraphValidationError, Problem
from .model import CuratedData
from .ontology import Ontology, load_ontology
from .output import write_all
from .remote.endpoints import is_remote
from .sources.corpus import Corpus, CorpusError, SpanCache
from .store import MemoryStore, OxigraphStore, Store
from .storebuild import build_in_store, write_outputs_from_store
from .validate import (
    OwlResult,
    hygiene_checks,
    merged_graph,
    run_hygiene,
    run_owl,
    run_shacl,
    run_shacl_in_store,
)

#: Bump when the builder's output changes for the same input: a store built by another
#: builder version is rebuilt in full.
BUILDER_VERSION = "2"
#: Where a local store keeps the boilerplate spans of the corpus between builds.
SPAN_CACHE = Path("cache") / "boilerplate.json"


@dataclass
class BuildStats:
    """What an incremental build did."""

    full: bool = True
    graphs: int = 0
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    quads: int = 0
    quads_written: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    generation: str | None = None
    #: How the build validated: {"mode": "full" | "incremental", "touched_nodes": n}.
    validation: dict | None = None

    @property
    def up_to_date(self) -> bool:
        return not self.full and not self.changed and not self.removed

    def as_dict(self) -> dict:
        return {
            "full": self.full,
            "graphs": self.graphs,
            "changed_graphs": len(self.changed),
            "removed_graphs": len(self.removed),
            "quads": self.quads,
            "quads_written": self.quads_written,
            "up_to_date": self.up_to_date,
            "generation": self.generation,
            "validation": self.validation,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }


@dataclass
class BuildResult:
    data: CuratedData
    settings: Settings
    corpus: Corpus | None
    problems: list[Problem] = field(default_factory=list)
    owl: OwlResult | None = None
    outputs: list[Path] = field(default_factory=list)
    stats: BuildStats = field(default_factory=BuildStats)
    _dataset: Dataset | None = None
    _store: Store | None = None

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def store(self) -> Store:
        """The built graph for SPARQL: the in-memory store, or the Oxigraph store opened read-only."""
        if self._store is None:
            self._store = (
                MemoryStore(self._dataset)
                if self.settings.in_memory
                else open_store(self.settings.store)
            )
        return self._store

    @property
    def dataset(self) -> Dataset:
        """The graph through rdflib's Dataset API (oxrdflib over the Oxigraph store)."""
        if self._dataset is None:
            self._dataset = self.store().dataset()
        return self._dataset


def make_settings(
    corpus=None,
    out=None,
    data_dir=None,
    base_iri=None,
    check_owl=True,
    use_default_corpus=True,
    store=None,
    extracted=None,
    project=None,
) -> Settings:
    """Settings from command-line style options; None means the default of each: the
    environment variable, then the project's kg.toml (`project`: a Project, a folder or None
    to find the nearest kg.toml up from the working directory)."""
    return resolve_settings(
        project=project,
        corpus=corpus,
        out=out,
        data_dir=data_dir,
        base_iri=base_iri,
        check_owl=check_owl,
        use_default_corpus=use_default_corpus,
        store=store,
        extracted=extracted,
    )


def open_corpus(settings: Settings, cache: bool = False) -> Corpus | None:
    """The corpus of the settings; with `cache`, boilerplate spans found by an earlier build
    into the same local store are reused (see SpanCache)."""
    if settings.corpus_dir is None:
        return None
    spans = None
    if cache and not settings.in_memory and not is_remote(settings.store):
        spans = SpanCache(Path(settings.store) / SPAN_CACHE)
    try:
        return Corpus(settings.corpus_dir, spans)
    except CorpusError as exc:
        raise ConfigError(str(exc)) from exc


def load(settings: Settings | None = None, **kwargs) -> tuple[CuratedData, list[Problem]]:
    """Load and check the curated data; returns the data and every problem found."""
    settings = settings or make_settings(**kwargs)
    onto = load_ontology(settings.ontology_dir, settings.ontology_extensions)
    return load_curated(settings.data_dir, onto, open_corpus(settings), settings.extracted_dir)


def open_graph(settings: Settings, **kwargs) -> Store:
    """The graph a reading command works on: the built Oxigraph store, or (with
    store="memory") a fresh in-memory build of the curated data."""
    if settings.in_memory:
        return build(settings, write=False, validate=False, **kwargs).store()
    return open_store(settings.store)


def open_store(value: str):
    """The built store named by a --store value: an Oxigraph folder, or a remote SPARQL
    store (sparql+http://…)."""
    if is_remote(value):
        from .remote.store import RemoteStore

        return RemoteStore(value)
    return OxigraphStore(value)


def check_graph(
    dataset: Dataset, settings: Settings, onto: Ontology
) -> tuple[list[Problem], OwlResult | None]:
    """SHACL (pySHACL), OWL consistency and hygiene queries on an in-memory dataset."""
    problems = run_shacl(merged_graph(dataset), settings.ontology_dir / "shapes.ttl", onto)
    owl = None
    if settings.check_owl:
        owl = run_owl(dataset, onto)
        problems += owl.problems
    problems += _hygiene(MemoryStore(dataset), settings)
    return problems, owl


def _hygiene(store: Store, settings: Settings) -> list[Problem]:
    return run_hygiene(store, hygiene_checks(settings))


def check_store(store: Store, settings: Settings, onto: Ontology):
    """The same checks run inside a store: SHACL compiled to SPARQL, OWL on a CONSTRUCTed
    subset, hygiene queries."""
    problems = run_shacl_in_store(store, settings.ontology_dir / "shapes.ttl", onto)
    owl = None
    if settings.check_owl:
        owl = run_owl(store, onto)
        problems += owl.problems
    problems += _hygiene(store, settings)
    return problems, owl


def build(
    settings: Settings | None = None,
    *,
    write: bool = False,
    validate: bool = True,
    full: bool = False,
    on_step=None,
    break_lock: bool = False,
    **kwargs,
) -> BuildResult:
    """Load curated facts, build the RDF dataset into the store, validate it, optionally
    write exports.

    Raises CurationError / GraphValidationError listing every problem, StoreError when the
    store cannot be used; on any failure the previous store and outputs are left as they were.
    """
    step = on_step or (lambda _name: None)
    settings = settings or make_settings(**kwargs)
    clock = time.perf_counter()
    seconds: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[name] = seconds.get(name, 0.0) + now - clock
        clock = now

    result, onto = _load_checked(settings, step)
    lap("load")
    if settings.in_memory:
        _build_in_memory(result, onto, write, validate, step, lap)
    elif is_remote(settings.store):
        from .remote.pipeline import build_in_remote

        build_in_remote(result, onto, write, validate, full, step, lap,
                        info=_manifest_info(settings), check_store=check_store,
                        write_outputs=write_outputs_from_store, break_lock=break_lock)
    else:
        build_in_store(result, onto, write, validate, full, step, lap, _manifest_info(settings))
    result.stats.seconds = seconds
    return result


def _load_checked(settings: Settings, step) -> tuple[BuildResult, Ontology]:
    """Ontology, corpus and curated data, checked; CurationError if anything is wrong."""
    step("loading the ontology")
    onto = load_ontology(settings.ontology_dir, settings.ontology_extensions)
    corpus = open_corpus(settings, cache=True)
    step("loading and checking curated facts")
    data, problems = load_curated(settings.data_dir, onto, corpus, settings.extracted_dir)
    if any(p.severity == "error" for p in problems):
        raise CurationError(problems)
    return BuildResult(data, settings, corpus, list(problems)), onto


def validate_only(settings: Settings, on_step=None) -> BuildResult:
    """Every check of a build, without touching the store or the exports.

    With the default (Oxigraph) engine the graph goes into a scratch in-memory Oxigraph store
    and SHACL runs compiled to SPARQL; with settings.store == "memory" it is rdflib + pySHACL.
    """
    if settings.in_memory:
        return build(settings, write=False, validate=True, on_step=on_step)
    import pyoxigraph as ox

    step = on_step or (lambda _name: None)
    started = time.perf_counter()
    result, onto = _load_checked(settings, step)
    step("building the RDF dataset")
    scratch = ox.Store()
    for g in build_graphs(result.data, onto, settings.base_iri):
        if g.lines:
            scratch.load(input="".join(g.lines).encode("utf-8"), format=ox.RdfFormat.N_QUADS)
            result.stats.graphs += 1
            result.stats.quads += len(g)
    result._store = OxigraphStore.wrap(scratch)
    step("validating (SHACL in the store, OWL, hygiene queries)")
    graph_problems, result.owl = check_store(result._store, settings, onto)
    result.problems += graph_problems
    result.stats.seconds = {"total": time.perf_counter() - started}
    if any(p.severity == "error" for p in graph_problems):
        raise GraphValidationError(result.problems)
    return result


def validate_store(settings: Settings, on_step=None) -> BuildResult:
    """The checks of a build run on the graph a store holds now, inside that store: on a
    remote store, SHACL compiled to SPARQL, the hygiene queries and OWL's subset queries all
    run on the server. The curated files are not read."""
    step = on_step or (lambda _name: None)
    started = time.perf_counter()
    step("loading the ontology")
    onto = load_ontology(settings.ontology_dir, settings.ontology_extensions)
    store = open_store(settings.store)
    result = BuildResult(CuratedData(), settings, None)
    result._store = store
    step("validating (SHACL in the store, OWL, hygiene queries)")
    problems, result.owl = check_store(store, settings, onto)
    result.problems += problems
    result.stats.quads = len(store)
    result.stats.graphs = len(store.graph_names())
    result.stats.seconds = {"total": time.perf_counter() - started}
    if any(p.severity == "error" for p in problems):
        raise GraphValidationError(result.problems)
    return result


def _build_in_memory(result: BuildResult, onto, write, validate, step, lap) -> None:
    settings = result.settings
    step("building the RDF dataset")
    graphs = list(build_graphs(result.data, onto, settings.base_iri))
    lap("generate")
    dataset = to_dataset(graphs)
    dataset.bind("id", settings.base_iri + "id/", override=True)
    result._dataset = dataset
    result.stats.graphs = sum(1 for g in graphs if g.lines)
    result.stats.quads = result.stats.quads_written = sum(len(g) for g in graphs)
    result.stats.changed = [g.name for g in graphs if g.lines]
    lap("store")
    if validate:
        step("validating (SHACL, OWL, hygiene queries)")
        graph_problems, result.owl = check_graph(dataset, settings, onto)
        result.problems += graph_problems
        lap("validate")
        if any(p.severity == "error" for p in graph_problems):
            raise GraphValidationError(result.problems)
    if write:
        step("writing outputs")
        result.outputs = write_outputs(graphs, dataset, settings)
        lap("export")


def _manifest_info(settings: Settings) -> dict:
    return {
        "builder": BUILDER_VERSION,
        "kg_builder": KG_VERSION,
        "base_iri": settings.base_iri,
    }


def serialize_nquads(graphs: list[GraphLines]) -> bytes:
    """N-Quads of every named graph: graphs in build order, lines sorted within each."""
    return "".join(line for g in graphs for line in g.lines).encode("utf-8")


def serialize_turtle(dataset: Dataset) -> bytes:
    """The merged graph as Turtle, blank nodes labelled canonically so the bytes repeat."""
    from rdflib.compare import to_canonical_graph

    merged = merged_graph(dataset)
    canonical = Graph()
    for triple in to_canonical_graph(merged):
        canonical.add(triple)
    for prefix, ns in merged.namespaces():
        canonical.bind(prefix, ns, override=True)
    return canonical.serialize(format="turtle").encode("utf-8")


def write_outputs(graphs: list[GraphLines], dataset: Dataset, settings: Settings) -> list[Path]:
    """kg.nq from the builder's lines; kg.ttl from the dataset already built from them."""
    return write_all(
        settings.out_dir,
        {
            "kg.nq": lambda p: p.write_bytes(serialize_nquads(graphs)),
            "kg.ttl": lambda p: p.write_bytes(serialize_turtle(dataset)),
        },
    )


__all__ = [
    "MEMORY",
    "BuildResult",
    "BuildStats",
    "build",
    "check_graph",
    "check_store",
    "load",
    "make_settings",
    "open_graph",
    "open_store",
    "validate_store",
]
