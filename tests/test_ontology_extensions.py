"""A project's own ontology terms (kg.toml `[ontology] extensions`): loaders, SHACL, OWL,
SPARQL over the hierarchy, the network projection, the JSON-LD context and the pages pick
them up as they do the shipped terms; a bad extension is an error with file and line."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from kg_builder import build, make_settings
from kg_builder.errors import ConfigError, CurationError
from kg_builder.ontology import KG, load_ontology
from kg_builder.resources import ontology_dir
from kg_builder.scaffold import init_project
from kg_builder.sources.ingest import add_articles

EXT = Path(__file__).parent / "data" / "ontology-ext" / "volunteers.ttl"
STORY = (
    "Volunteers drive deserters to the border\n\n"
    "Marta Kask, a retired teacher, drove Ivan Petrov across the border at Narva in March. "
    "She belongs to the Narva Drivers, a group of a dozen volunteers who meet arrivals at "
    "the bus station and take them to the crossing before dawn.\n"
)


def _project(tmp_path: Path, monkeypatch, fact: str) -> Path:
    monkeypatch.delenv("KG_PROJECT", raising=False)
    monkeypatch.delenv("KG_STORE", raising=False)
    monkeypatch.delenv("KG_EXTRACTED", raising=False)
    root = tmp_path / "p"
    init_project(root, title="Volunteers")
    shutil.copy(EXT, root / "volunteers.ttl")
    toml = (root / "kg.toml").read_text()
    (root / "kg.toml").write_text(toml.replace("extensions = []", 'extensions = ["volunteers.ttl"]'))
    (tmp_path / "story.txt").write_text(STORY, encoding="utf-8")
    sid = add_articles([tmp_path / "story.txt"], root / "articles").added[0].id
    cur = root / "data" / "curated"
    (cur / "sources.yaml").write_text(
        f'sources:\n  - id: "{sid}"\n    kind: article\n    publisher: tallinn-weekly\n'
        f'    headline: "Volunteers drive deserters to the border"\n'
    )
    (cur / "entities" / "entities.yaml").write_text(
        "entities:\n"
        "  - {id: tallinn-weekly, type: MediaOrganisation, label: Tallinn Weekly}\n"
        "  - {id: marta-kask, type: Volunteer, label: Marta Kask}\n"
        "  - {id: ivan-petrov, type: Person, label: Ivan Petrov}\n"
        "  - {id: narva-drivers, type: VolunteerNetwork, label: Narva Drivers}\n"
    )
    (cur / "facts" / f"{sid}.yaml").write_text(
        f'source: "{sid}"\nfacts:\n'
        "  - subject: marta-kask\n    relation: memberOf\n    object: narva-drivers\n"
        '    evidence: "She belongs to the Narva Drivers, a group of a dozen volunteers"\n'
        + fact
    )
    monkeypatch.chdir(root)
    return root


GOOD = (
    "  - subject: marta-kask\n    relation: droveAcross\n    object: ivan-petrov\n"
    '    evidence: "Marta Kask, a retired teacher, drove Ivan Petrov across the border at Narva"\n'
)


@pytest.fixture
def built(tmp_path, monkeypatch, request):
    _project(tmp_path, monkeypatch, GOOD)
    store = "memory" if getattr(request, "param", "oxigraph") == "memory" else tmp_path / "st"
    return build(make_settings(store=store), write=True)


@pytest.mark.parametrize("built", ["memory", "oxigraph"], indirect=True)
def test_extension_terms_build_and_validate(built):
    assert built.owl is None or "consistent" in built.owl.note
    store = built.store()
    rows = store.select(
        "PREFIX kg: <https://w3id.org/kg-builder/ontology#> "
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "SELECT ?label WHERE { ?p a ?c . ?c rdfs:subClassOf* kg:Person . ?p rdfs:label ?label } "
        "ORDER BY ?label"
    )
    assert [str(r["label"]) for r in rows] == ["Ivan Petrov", "Marta Kask"]
    helped = store.select(
        "PREFIX kg: <https://w3id.org/kg-builder/ontology#> "
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "SELECT ?who WHERE { ?p rdfs:subPropertyOf* kg:helps . ?who ?p ?x }"
    )
    assert len(rows) and [str(r["who"]).rsplit("/", 1)[-1] for r in helped] == ["marta-kask"]


def test_projection_pages_and_context(built):
    from kg_builder.analysis import project
    from kg_builder.export.context import make_context
    from kg_builder.publish.pages import ontology_response

    settings = built.settings
    onto = load_ontology(settings.ontology_dir, settings.ontology_extensions)
    assert onto.from_extension(KG.Volunteer) and not onto.from_extension(KG.Person)
    net = project(built.store(), onto=onto)
    marta = next(n for n, d in net.nodes(data=True) if d.get("label") == "Marta Kask")
    assert net.nodes[marta]["top_type"] == "Person"
    person = next(d for _, d in net.nodes(data=True) if d.get("label") == "Ivan Petrov")
    assert net.nodes[marta]["color"] == person["color"]
    kinds = {d.get("predicate_label") or d.get("label") for *_, d in net.edges(data=True)}
    assert any("drove across" in str(k) for k in kinds), kinds
    ctx = make_context(onto, base=settings.base_iri)
    ctx = ctx.get("@context", ctx)
    assert "droveAcross" in ctx and "Volunteer" in ctx
    status, _, body = ontology_response(settings, "text/html")
    page = body.decode("utf-8")
    assert status == 200 and 'id="Volunteer"' in page and "droveAcross" in page
    _, _, ttl = ontology_response(settings, "text/turtle")
    assert b"droveAcross" in ttl


def test_a_wrong_subject_type_is_rejected_with_file_and_line(tmp_path, monkeypatch):
    bad = (
        "  - subject: ivan-petrov\n    relation: droveAcross\n    object: marta-kask\n"
        '    evidence: "Marta Kask, a retired teacher, drove Ivan Petrov across the border"\n'
    )
    root = _project(tmp_path, monkeypatch, bad)
    with pytest.raises(CurationError) as info:
        build(make_settings(store="memory", check_owl=False))
    text = str(info.value)
    assert re.search(r"facts/[^:]+\.yaml:\d+: error: 'droveAcross' .*Volunteer.*'ivan-petrov' is a Person", text), text
    assert (root / "kg.toml").is_file()


def test_without_the_extension_the_type_is_unknown(tmp_path, monkeypatch):
    root = _project(tmp_path, monkeypatch, GOOD)
    toml = (root / "kg.toml").read_text()
    (root / "kg.toml").write_text(toml.replace('extensions = ["volunteers.ttl"]', "extensions = []"))
    with pytest.raises(CurationError, match="unknown type 'Volunteer'"):
        build(make_settings(store="memory", check_owl=False))


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("kg:Volunteer a owl:Class ;\n    rdfs:subClassOf kg:Person\n", 6, "invalid Turtle"),
        ("kg:Smuggler a owl:Class ;\n    rdfs:label \"smuggler\"@en .\n", 4, "must be a subclass"),
        ("kg:Person rdfs:subClassOf kg:Event .\n", 4, "not change shipped ones"),
        ("ex:Driver a owl:Class ;\n    rdfs:subClassOf kg:Person .\n", 4, "kg: namespace"),
        ("kg:carried a owl:ObjectProperty ;\n    rdfs:label \"carried\"@en .\n", 4,
         "must be a subproperty"),
        ("kg:carried a owl:ObjectProperty ;\n    rdfs:subPropertyOf kg:helps ;\n"
         "    rdfs:range kg:Vehicle .\n", 4, "range"),
    ],
)
def test_bad_extensions_name_file_and_line(tmp_path, text, line, message):
    path = tmp_path / "ext.ttl"
    path.write_text(
        "@prefix kg: <https://w3id.org/kg-builder/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix ex: <https://example.org/o#> .\n"
        + text
    )
    with pytest.raises(ConfigError) as info:
        load_ontology(ontology_dir(), [path])
    assert f"{path}:{line}:" in str(info.value), str(info.value)
    assert message in str(info.value)
