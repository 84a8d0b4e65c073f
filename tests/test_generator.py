"""The synthetic corpus generator: its output builds cleanly, hits its size, and is reproducible."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.generate import generate
from kg_builder import build, make_settings
from kg_builder.ontology import load_ontology
from tests.conftest import REPO as PROJECT_DIR

from .conftest import BACKENDS, store_spec

TARGET = 6_000


def ontology_relations() -> set[str]:
    return set(load_ontology(PROJECT_DIR / "ontology").fact_properties)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.*"))}


@pytest.fixture(scope="module")
def synth(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("synth")
    return out, generate(out, TARGET, seed=42)


def test_layout(synth):
    out, summary = synth
    data = out / "data"
    assert (out / "corpus" / "sources.yaml").is_file()
    sizes = sorted(p.stat().st_size for p in (out / "corpus").glob("*.txt"))
    assert len(sizes) == summary["articles"] > 1
    assert 2000 < sizes[len(sizes) // 2] < 6000 and sizes[-1] < 10_000  # a few KB each
    for name in ("people.yaml", "organisations.yaml", "events.yaml", "places.csv"):
        assert (data / "entities" / name).is_file(), name
    assert list((data / "facts").glob("articles-*.csv")), "facts as CSV shards"
    assert len(list((data / "facts").glob("0*.yaml"))) >= 1, "and some as YAML per source"
    assert "kind: reference" in (data / "sources.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("backend", BACKENDS)
def test_builds_validated_and_calibrated(synth, backend, tmp_path):
    out, summary = synth
    settings = make_settings(
        corpus=out / "corpus",
        data_dir=out / "data",
        check_owl=False,
        store=store_spec(backend, tmp_path),
    )
    result = build(settings, validate=True)  # raises on any curation, SHACL or hygiene error
    assert not [p for p in result.problems if p.severity == "error"]
    quads = len(result.store())
    assert abs(quads - TARGET) <= 0.15 * TARGET, quads
    # Every evidence quote was looked up in its article (and found, or the build had failed).
    assert result.data.corpus_checked
    article_facts = [f for f in result.data.facts if f.source != "gazetteer"]
    assert len(article_facts) == summary["facts"]
    assert all(f.evidence_offset is not None for f in article_facts)
    # Most fact relations of the ontology are exercised, even at this small size.
    used = {f.relation for f in result.data.facts}
    assert len(used) >= 0.75 * len(ontology_relations()), sorted(used)


def test_deterministic(synth, tmp_path):
    out, _ = synth
    again = generate(tmp_path / "again", TARGET, seed=42)
    assert _files(tmp_path / "again") == _files(out)
    assert again["facts"] == synth[1]["facts"]
    generate(tmp_path / "other", TARGET, seed=7)
    assert _files(tmp_path / "other") != _files(out)
