"""Shared fixtures: the real curated data, the real corpus, one build per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg_builder import build, make_settings
from kg_builder.config import PROJECT_DIR, resolve_corpus
from kg_builder.store import MemoryStore

CURATED = PROJECT_DIR / "data" / "curated"
CORPUS = resolve_corpus(None)
SHARED = CORPUS.parent if CORPUS else None

needs_corpus = pytest.mark.skipif(CORPUS is None, reason="../shared/corpus is not present")


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if CORPUS is None:
        pytest.skip("../shared/corpus is not present")
    return CORPUS


@pytest.fixture(scope="session")
def built(tmp_path_factory, corpus_dir):
    """The full build of the bundled data, validated (SHACL + OWL) and written once."""
    out = tmp_path_factory.mktemp("exports")
    settings = make_settings(corpus=corpus_dir, out=out)
    return build(settings, write=True)


@pytest.fixture(scope="session")
def store(built) -> MemoryStore:
    return built.store()


@pytest.fixture
def curated_copy(tmp_path) -> Path:
    """A writable copy of the real curated data, for injecting faults."""
    dest = tmp_path / "curated"
    shutil.copytree(CURATED, dest)
    return dest
