"""Shared fixtures: the real curated data, the real corpus, one build per backend.

Every test that takes `built` or `store` runs once per backend: "memory" (rdflib) and
"oxigraph" (an on-disk Oxigraph store): one suite, both backends.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from kg_builder import build, make_settings
from kg_builder.config import PROJECT_DIR, resolve_corpus

# No test may touch the project's own .kg/store: the default store is a scratch folder.
_SCRATCH = Path(tempfile.mkdtemp(prefix="kg-test-store-"))
atexit.register(shutil.rmtree, _SCRATCH, True)
os.environ["KG_STORE"] = str(_SCRATCH / "default")

CURATED = PROJECT_DIR / "data" / "curated"
CORPUS = resolve_corpus(None)
SHARED = CORPUS.parent if CORPUS else None
BACKENDS = ["memory", "oxigraph"]

needs_corpus = pytest.mark.skipif(CORPUS is None, reason="../shared/corpus is not present")


def store_spec(backend: str, folder: Path) -> str:
    """The --store value for a backend: 'memory', or a store folder under `folder`."""
    return "memory" if backend == "memory" else str(folder / "store")


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
