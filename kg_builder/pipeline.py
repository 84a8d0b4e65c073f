"""The library API: load, build, validate and write, as researchers call it from a notebook.

>>> import kg_builder
>>> result = kg_builder.build()            # doctest: +SKIP
>>> result.dataset                          # an rdflib Dataset, one named graph per source
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset

from .build import build_dataset
from .config import Settings, resolve_corpus
from .curation import load_curated
from .errors import ConfigError, CurationError, GraphValidationError, Problem
from .model import CuratedData
from .ontology import Ontology, load_ontology
from .output import write_all
from .sources.corpus import Corpus, CorpusError
from .store import MemoryStore
from .validate import OwlResult, merged_graph, run_hygiene, run_owl, run_shacl


@dataclass
class BuildResult:
    dataset: Dataset
    data: CuratedData
    settings: Settings
    corpus: Corpus | None
    problems: list[Problem] = field(default_factory=list)
    owl: OwlResult | None = None
    outputs: list[Path] = field(default_factory=list)

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def store(self) -> MemoryStore:
        return MemoryStore(self.dataset)


def make_settings(
    corpus=None, out=None, data_dir=None, base_iri=None, check_owl=True, use_default_corpus=True
) -> Settings:
    kwargs = {}
    if out is not None:
        kwargs["out_dir"] = Path(out)
    if data_dir is not None:
        kwargs["data_dir"] = Path(data_dir)
    if base_iri is not None:
        kwargs["base_iri"] = base_iri
    settings = Settings(**kwargs, check_owl=check_owl)
    settings.corpus_dir = resolve_corpus(corpus, use_default=use_default_corpus)
    return settings


def open_corpus(settings: Settings) -> Corpus | None:
    if settings.corpus_dir is None:
        return None
    try:
        return Corpus(settings.corpus_dir)
    except CorpusError as exc:
        raise ConfigError(str(exc)) from exc


def load(settings: Settings | None = None, **kwargs) -> tuple[CuratedData, list[Problem]]:
    """Load and check the curated data; returns the data and every problem found."""
    settings = settings or make_settings(**kwargs)
    onto = load_ontology(settings.ontology_dir)
    return load_curated(settings.data_dir, onto, open_corpus(settings))


def check_graph(
    dataset: Dataset, settings: Settings, onto: Ontology
) -> tuple[list[Problem], OwlResult | None]:
    """SHACL, OWL consistency and hygiene queries on a built dataset."""
    problems = run_shacl(merged_graph(dataset), settings.ontology_dir / "shapes.ttl", onto)
    owl = None
    if settings.check_owl:
        owl = run_owl(dataset, onto)
        problems += owl.problems
    problems += run_hygiene(MemoryStore(dataset), settings.queries_dir / "checks")
    return problems, owl


def build(
    settings: Settings | None = None,
    *,
    write: bool = False,
    validate: bool = True,
    on_step=None,
    **kwargs,
) -> BuildResult:
    """Load curated facts, build the RDF dataset, validate it, and optionally write exports.

    Raises CurationError / GraphValidationError listing every problem; on failure nothing in
    the output folder is touched.
    """
    step = on_step or (lambda _name: None)
    settings = settings or make_settings(**kwargs)
    step("loading the ontology")
    onto = load_ontology(settings.ontology_dir)
    corpus = open_corpus(settings)
    step("loading and checking curated facts")
    data, problems = load_curated(settings.data_dir, onto, corpus)
    if any(p.severity == "error" for p in problems):
        raise CurationError(problems)
    step("building the RDF dataset")
    dataset = build_dataset(data, onto, settings.base_iri)
    result = BuildResult(dataset, data, settings, corpus, list(problems))
    if validate:
        step("validating (SHACL, OWL, hygiene queries)")
        graph_problems, result.owl = check_graph(dataset, settings, onto)
        result.problems += graph_problems
        if any(p.severity == "error" for p in graph_problems):
            raise GraphValidationError(result.problems)
    if write:
        step("writing outputs")
        result.outputs = write_outputs(dataset, settings.out_dir)
    return result


def serialize_nquads(dataset: Dataset) -> bytes:
    """N-Quads of every named graph, lines sorted: the same input gives the same bytes."""
    text = dataset.serialize(format="nquads")
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8")


def serialize_turtle(dataset: Dataset) -> bytes:
    return merged_graph(dataset).serialize(format="turtle").encode("utf-8")


def write_outputs(dataset: Dataset, out_dir: Path) -> list[Path]:
    return write_all(
        out_dir,
        {
            "kg.nq": lambda p: p.write_bytes(serialize_nquads(dataset)),
            "kg.ttl": lambda p: p.write_bytes(serialize_turtle(dataset)),
        },
    )
