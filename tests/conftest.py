"""Shared fixtures: the real curated data, the real corpus, one build per backend.

Every test that takes `built` or `store` runs once per backend: "memory" (rdflib) and
"oxigraph" (an on-disk Oxigraph store): one suite, both backends.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest

from kg_builder import build, make_settings
from kg_builder.config import resolve_corpus
from kg_builder.project import open_project

#: The repository: the example project (its kg.toml names data/curated and ../shared/corpus).
REPO = Path(__file__).resolve().parent.parent
PROJECT_DIR = REPO
# Every test runs in the example project, wherever pytest was started from.
os.environ["KG_PROJECT"] = str(REPO)
for _var in ("KG_CORPUS", "KG_BASE_IRI"):
    os.environ.pop(_var, None)

# No test may touch the project's own .kg/store: the default store is a scratch folder.
_SCRATCH = Path(tempfile.mkdtemp(prefix="kg-test-store-"))
atexit.register(shutil.rmtree, _SCRATCH, True)
os.environ["KG_STORE"] = str(_SCRATCH / "default")
# Nor read candidates a developer's own `kg extract` left in data/extracted.
os.environ["KG_EXTRACTED"] = str(_SCRATCH / "extracted")

CURATED = PROJECT_DIR / "data" / "curated"
try:
    CORPUS = resolve_corpus(None, open_project(REPO))
except Exception:  # ../shared/corpus absent: the corpus tests skip
    CORPUS = None
SHARED = CORPUS.parent if CORPUS else None
#: memory (rdflib), oxigraph (an on-disk store), and real SPARQL servers as remote stores:
#: "oxigraph-server" (`oxigraph serve`), "virtuoso" (Virtuoso Open Source 7) and "fuseki"
#: (Apache Jena Fuseki, where $FUSEKI_JAR names its jar). A server
#: backend that cannot run here is skipped with its reason (tests/servers.py);
#: KG_TEST_BACKENDS=memory,oxigraph limits the run.
BACKENDS = [b for b in os.environ.get(
    "KG_TEST_BACKENDS", "memory,oxigraph,oxigraph-server,virtuoso,fuseki").split(",") if b]
SERVER_BACKENDS = ("oxigraph-server", "virtuoso", "fuseki")
#: Catalogue queries an engine cannot answer, with its own words (README "Remote stores").
#: Their tests are expected to fail there (xfail, strict: a fixed engine turns them red).
ENGINE_REFUSES = {
    ("virtuoso", "source-disagreements"): "Virtuoso 7.2.5 SP031 internal compiler error "
    "sparp_find_origin_of_external_var() (sub-selects repeated under MINUS)",
}


def expect_engine_limit(request, backend: str, query: str) -> None:
    reason = ENGINE_REFUSES.get((backend, query))
    if reason:
        request.applymarker(pytest.mark.xfail(strict=True, reason=reason))
#: Quads in the build of the bundled data: change it when the ontology or curated data change.
CORPUS_QUADS = 7760  # 7,716 before the ontology terms of issue 16

needs_corpus = pytest.mark.skipif(CORPUS is None, reason="../shared/corpus is not present")


def store_spec(backend: str, folder: Path) -> str:
    """The --store value for a backend: 'memory', a store folder under `folder`, or a real
    SPARQL server of its own, started with its database under `folder` (stopped when the
    session ends)."""
    if backend == "memory":
        return "memory"
    if backend in SERVER_BACKENDS:
        return start_server(backend, folder / "server").store
    return str(folder / "store")


_SERVERS: list = []


@atexit.register
def _stop_servers() -> None:
    for server in _SERVERS:
        server.stop()


def start_server(backend: str, folder: Path):
    """A new server for `backend` (its `.store` is the --store value), stopped at exit."""
    from . import servers

    available, start = {
        "oxigraph-server": (servers.oxigraph_available, servers.start_oxigraph),
        "virtuoso": (servers.virtuoso_available, servers.start_virtuoso),
        "fuseki": (servers.fuseki_available, servers.start_fuseki),
    }[backend]
    missing = available()
    if missing:
        pytest.skip(f"{backend}: {missing}")
    server = start(folder)
    _SERVERS.append(server)
    server.store = "sparql+" + server.query_url
    return server


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if CORPUS is None:
        pytest.skip("../shared/corpus is not present")
    return CORPUS


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def built(tmp_path_factory, corpus_dir, backend):
    """The full build of the bundled data, validated (SHACL + OWL) and written once per backend."""
    out = tmp_path_factory.mktemp(f"exports-{backend}")
    settings = make_settings(
        corpus=corpus_dir, out=out, store=store_spec(backend, tmp_path_factory.mktemp("kg"))
    )
    return build(settings, write=True)


@pytest.fixture(scope="session")
def built_memory(tmp_path_factory, corpus_dir):
    """The in-memory (rdflib) build, for tests that edit the graph."""
    out = tmp_path_factory.mktemp("exports-memory-edit")
    return build(make_settings(corpus=corpus_dir, out=out, store="memory"), write=False)


@pytest.fixture(scope="session")
def store(built):
    return built.store()


@pytest.fixture
def curated_copy(tmp_path) -> Path:
    """A writable copy of the real curated data, for injecting faults."""
    dest = tmp_path / "curated"
    shutil.copytree(CURATED, dest)
    return dest


def extracted_graphs(corpus_dir) -> list:
    """The corpus graph with some of its facts made by extraction instead, as the extraction
    stage will add them: in their own graphs (<source>/extracted), with confidences 0.6 or
    0.95. Every fifth fact of each article becomes extracted-only; every seventh is also
    extracted. Returns the builder's named graphs (N-Quads lines)."""
    from dataclasses import replace

    from kg_builder.build import build_graphs
    from kg_builder.ontology import load_ontology
    from kg_builder.pipeline import load, make_settings

    settings = make_settings(corpus=corpus_dir, store="memory", check_owl=False)
    data, _ = load(settings)
    facts = []
    for i, fact in enumerate(data.facts):
        if data.sources[fact.source].kind != "article" or i % 5 and i % 7:
            facts.append(fact)
            continue
        confidence = Decimal("0.95") if i % 2 else Decimal("0.6")
        extracted = replace(fact, method="extracted", confidence=confidence)
        facts += [extracted] if i % 5 == 0 else [fact, extracted]
    data.facts = facts
    onto = load_ontology(settings.ontology_dir)
    return list(build_graphs(data, onto, settings.base_iri))


@pytest.fixture(scope="session")
def with_extracted(corpus_dir):
    """The graph of extracted_graphs() in an rdflib MemoryStore."""
    from kg_builder.build import to_dataset
    from kg_builder.store import MemoryStore

    return MemoryStore(to_dataset(extracted_graphs(corpus_dir)))
