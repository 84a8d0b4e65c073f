"""Incremental validation finds what a full validation finds, checking only what a change can
affect. Real stores of the example project, faults written into them with SPARQL updates."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg_builder import build, make_settings, revalidate
from kg_builder.build import IRIs
from kg_builder.ontology import load_ontology
from kg_builder.store import OxigraphStore
from kg_builder.validate import hygiene_checks, shapes_graph

from .test_store import GRAPH_000, _edit_note

KG = "https://w3id.org/kg-builder/ontology#"
OTHER = "https://w3id.org/kg-builder/graph/001_018f0621839ca5c8/curated"


def _renote(curated, old: str, new: str) -> None:
    path = curated / "facts" / f"{GRAPH_000.split('/')[-2]}.yaml"
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def _settings(store, corpus_dir, data_dir=None):
    return make_settings(corpus=corpus_dir, data_dir=data_dir, store=store, check_owl=False)


@pytest.fixture(scope="module")
def rules():
    settings = make_settings(check_owl=False)
    onto = load_ontology(settings.ontology_dir)
    shapes = shapes_graph(settings.ontology_dir / "shapes.ttl", onto)
    checks = hygiene_checks(settings)
    return shapes, checks, revalidate.rules_digest([*checks, settings.ontology_dir / "shapes.ttl"])


@pytest.fixture(scope="module")
def example(tmp_path_factory, corpus_dir):
    """The example project's store, as a built Oxigraph database (read-only)."""
    folder = tmp_path_factory.mktemp("revalidate") / "kg"
    build(_settings(folder, corpus_dir), validate=False)
    return OxigraphStore(folder)


def _copy(store: OxigraphStore) -> ox.Store:
    db = ox.Store()
    db.extend(store._store)
    return db


def _shared(db) -> set[str]:
    iris = IRIs("https://w3id.org/kg-builder/", None)
    return {g.value for g in db.named_graphs() if not iris.is_source_graph(g.value)}


# Faults of every scope, each in the graph it names:
FAULTS = {
    # graph-wide SHACL: an assertion without its evidence quote
    "evidence removed": (GRAPH_000, f"""
        DELETE {{ GRAPH <{GRAPH_000}> {{ ?st <{KG}evidence> ?e }} }}
        WHERE {{ {{ SELECT ?st ?e WHERE {{ GRAPH <{GRAPH_000}> {{ ?st <{KG}evidence> ?e }} }}
                 ORDER BY ?st LIMIT 1 }} }}"""),
    # graph-wide SHACL + the graph-scoped hygiene check: a plain triple gone, its assertion kept
    "truthy triple removed": (OTHER, f"""
        DELETE {{ GRAPH <{OTHER}> {{ ?s ?p ?o }} }}
        WHERE {{ {{ SELECT ?s ?p ?o WHERE {{ GRAPH <{OTHER}> {{
                    ?st a <{KG}Assertion> ; <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> ?s ;
                        <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> ?p ;
                        <http://www.w3.org/1999/02/22-rdf-syntax-ns#object> ?o .
                    ?s ?p ?o }} }} ORDER BY ?st LIMIT 1 }} }}"""),
    # node-scoped SHACL: a confidence out of range on one assertion
    "confidence 7": (GRAPH_000, f"""
        INSERT {{ GRAPH <{GRAPH_000}> {{ ?st <{KG}confidence> 7.0 }} }}
        WHERE {{ {{ SELECT ?st WHERE {{ GRAPH <{GRAPH_000}> {{ ?st a <{KG}Assertion> }} }}
                 ORDER BY ?st LIMIT 1 }} }}"""),
}


def _run(db, rules, change=None, previous=None, old=None):
    shapes, checks, digest = rules
    return revalidate.validate(OxigraphStore.wrap(db), shapes, checks, digest, change, previous,
                               old)


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_incremental_finds_what_a_full_validation_finds(example, rules, fault):
    graph, update = FAULTS[fault]
    clean = _copy(example)
    baseline = _run(clean, rules)
    assert baseline.mode == "full"
    broken = _copy(example)
    broken.update(update)
    assert len(broken) != len(clean) or fault == "confidence 7"
    change = revalidate.Change({graph}, len(list(broken.named_graphs())), _shared(broken))
    incremental = _run(broken, rules, change, baseline, clean)
    full = _run(broken, rules)
    assert incremental.mode == "incremental" and incremental.touched_nodes > 0
    assert full.problems and incremental.problems == full.problems
    # and the fault mended: the finding goes away again, incrementally
    mended = _run(clean, rules, change, incremental, broken)
    assert mended.mode == "incremental"
    assert mended.problems == baseline.problems == []


def test_findings_elsewhere_are_carried_over(example, rules):
    """A fault in one graph, then an unrelated change in another: the first fault is still
    reported, though its graph is not checked again."""
    g1, fault = FAULTS["evidence removed"]
    broken = _copy(example)
    broken.update(fault)
    first = _run(broken, rules)
    assert first.problems
    changed = _copy(example)
    changed.update(fault)
    changed.update(f'INSERT DATA {{ GRAPH <{OTHER}> {{ <{OTHER}> <{KG}note> "x" }} }}')
    change = revalidate.Change({OTHER}, len(list(changed.named_graphs())), _shared(changed))
    again = _run(changed, rules, change, first, broken)
    assert again.mode == "incremental"
    assert again.problems == first.problems == _run(changed, rules).problems


def test_what_forces_a_full_validation(example, rules):
    db = _copy(example)
    record = _run(db, rules)
    shared = _shared(db)
    n = len(list(db.named_graphs()))
    assert revalidate.can_be_incremental(record, revalidate.Change({OTHER}, n, shared), rules[2])
    registry = "https://w3id.org/kg-builder/graph/registry"
    assert registry in shared
    assert not revalidate.can_be_incremental(
        record, revalidate.Change({registry}, n, shared), rules[2])
    assert not revalidate.can_be_incremental(
        record, revalidate.Change({OTHER}, n, shared), "other rules")
    assert not revalidate.can_be_incremental(None, revalidate.Change({OTHER}, n, shared), rules[2])
    many = {f"https://w3id.org/kg-builder/graph/{i}/curated" for i in range(n)}
    assert not revalidate.can_be_incremental(record, revalidate.Change(many, n, shared), rules[2])


def test_builds_validate_incrementally_and_report_the_same(tmp_path, corpus_dir, curated_copy):
    store = tmp_path / "kg"
    first = build(_settings(store, corpus_dir, curated_copy))
    assert first.stats.validation["mode"] == "full"
    _edit_note(curated_copy, "Edited for the incremental validation test.")
    second = build(_settings(store, corpus_dir, curated_copy))
    assert second.stats.changed == [GRAPH_000]
    assert second.stats.validation["mode"] == "incremental"
    assert second.stats.validation["touched_nodes"] > 0
    full = build(_settings(tmp_path / "full", corpus_dir, curated_copy))
    assert sorted(map(str, second.problems)) == sorted(map(str, full.problems))
    # a build without validation leaves no record: the next one validates in full
    _renote(curated_copy, "Edited for the incremental validation test.", "Edited again.")
    build(_settings(store, corpus_dir, curated_copy), validate=False)
    _renote(curated_copy, "Edited again.", "And again.")
    fourth = build(_settings(store, corpus_dir, curated_copy))
    assert fourth.stats.validation["mode"] == "full"
