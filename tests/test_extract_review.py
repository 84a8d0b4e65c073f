"""The reviewable candidates file, extracted facts in the build, and `kg review`."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg_builder.cli import main
from kg_builder.errors import CurationError
from kg_builder.extraction.candidates import (
    REVIEW_LOG,
    CandidatesError,
    read_candidates,
    read_folder,
    set_status,
    write_candidates,
)
from kg_builder.extraction.model import Candidate, Document, ProposedEntity
from kg_builder.extraction.review import Review, ReviewError
from kg_builder.ontology import KG
from kg_builder.pipeline import build, load, make_settings
from kg_builder.queries import Catalogue, run

ARTICLE = "003_69489bb5dd5d6fb8"
RUN = {"version": "test", "backend": "rules"}
BASE = "https://w3id.org/kg-builder/"


# -- helpers ------------------------------------------------------------------------------
def own_document(tmp_path: Path) -> Document:
    text = "Ivan Petrov fled to Georgia in 2022. He joined Example Aid, a small charity.\n"
    path = tmp_path / "own.txt"
    path.write_text(text, encoding="utf-8")
    return Document(id="own-article", path=path, text=text, metadata={"headline": "Own"})


def own_candidates(doc: Document) -> list[Candidate]:
    first, second = doc.text.split(". ", 1)
    charity = ProposedEntity(id="example-aid", type="NGO", label="Example Aid", aliases=["EA"])
    return [
        Candidate(doc.id, "ivan-petrov", "fledTo", first + ".", 0, 0.9, "fled-to", object="georgia",
                  date="2022"),
        Candidate(doc.id, "ivan-petrov", "memberOf", second.strip(), len(first) + 2, 0.6,
                  "joined", object="example-aid", new_entities=[charity]),
        Candidate(doc.id, "ivan-petrov", "said", first + ".", 0, 0.4, "said", value="fled"),
    ]


def corpus_document(corpus_dir: Path) -> tuple[Document, str, int]:
    """Article 003 and one of its sentences (read at test time, never copied here)."""
    path = corpus_dir / f"{ARTICLE}.txt"
    text = path.read_text(encoding="utf-8")
    m = re.search(r"Having left with his unit[^\n]*?\.", text)
    assert m, "the test sentence is no longer in article 003"
    return Document(id=ARTICLE, path=path, text=text), m.group(0), m.start()


def corpus_candidates(doc: Document, sentence: str, offset: int) -> list[Candidate]:
    unit = ProposedEntity(id="test-signal-unit", type="Organisation", label="Test Signal Unit")
    return [
        Candidate(ARTICLE, "alexander-deserter", "travelledVia", sentence, offset, 0.7,
                  "travelled-via", object="crimea"),
        Candidate(ARTICLE, "alexander-deserter", "memberOf", sentence, offset, 0.55,
                  "member-of", object="test-signal-unit", new_entities=[unit]),
    ]


@pytest.fixture
def corpus_setup(corpus_dir, curated_copy):
    """A curated copy with a candidates file for article 003 in its extracted folder."""
    doc, sentence, offset = corpus_document(corpus_dir)
    cands = corpus_candidates(doc, sentence, offset)
    extracted = curated_copy.parent / "extracted"
    path = write_candidates(extracted, doc, cands, [], RUN)
    return curated_copy, extracted, path, cands


def settings_for(curated: Path, corpus_dir: Path, extracted: Path | None = None):
    return make_settings(
        corpus=corpus_dir, data_dir=curated, store="memory", check_owl=False, extracted=extracted
    )


def iri(result, eid: str) -> str:
    """The graph's IRI of an entity (<base>id/<class segment>/<id>)."""
    from kg_builder.build import IRIs
    from kg_builder.ontology import load_ontology

    onto = load_ontology(result.settings.ontology_dir)
    return IRIs(result.settings.base_iri, onto).entity(result.data.entities[eid])


def fact_in_graph(result, graph: str, s: str, p: str, o: str) -> bool:
    return (URIRef(s), URIRef(p), URIRef(o)) in result.dataset.graph(URIRef(graph))


# -- the candidates file ------------------------------------------------------------------
def test_write_read_round_trip(tmp_path):
    doc = own_document(tmp_path)
    cands = own_candidates(doc)
    path = write_candidates(tmp_path / "out", doc, cands, [], RUN)
    assert path == tmp_path / "out" / "own-article.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [r["kind"] for r in records] == ["document", "entity"] + ["candidate"] * 3
    first = records[0]
    assert first["id"] == "own-article" and first["file"] == "own.txt"
    assert first["headline"] == "Own" and len(first["sha256"]) == 64
    assert first["extractor"]["backend"] == "rules" and first["extractor"]["time"]
    back = read_candidates(path)
    assert [c.as_dict() for c in back.candidates] == [c.as_dict() for c in cands]
    assert back.entities[0].aliases == ["EA"] and back.entity("example-aid").type == "NGO"
    assert back.lines == {c.key: n for n, c in enumerate(cands, start=3)}
    assert not list((tmp_path / "out").glob(".*tmp"))  # the temp file was renamed


@pytest.mark.parametrize(
    "line, message",
    [
        ('{"kind": "candidate", "subject": ', "bad JSON"),
        ('{"kind": "fact", "id": "x"}', "unknown kind 'fact'"),
        ('{"kind": "entity", "id": "x", "type": "NGO"}', "without label"),
        ('{"kind": "entity", "id": "x", "type": "NGO", "label": "X", "colour": 1}', "colour"),
    ],
)
def test_malformed_line_names_file_and_line(tmp_path, line, message):
    doc = own_document(tmp_path)
    path = write_candidates(tmp_path, doc, own_candidates(doc)[:1], [], RUN)
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    with pytest.raises(CandidatesError) as exc:
        read_candidates(path)
    assert f"{path}:3:" in str(exc.value) and message in str(exc.value)


@pytest.mark.parametrize(
    "field, value, message",
    [("confidence", 1.5, "not a number from 0 to 1"), ("confidence", "high", "0 to 1"),
     ("rule", None, "without rule"), ("status", "maybe", "status 'maybe'")],
)
def test_bad_candidate_fields(tmp_path, field, value, message):
    doc = own_document(tmp_path)
    path = write_candidates(tmp_path, doc, own_candidates(doc)[:1], [], RUN)
    lines = path.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[1])
    record.pop("key")
    record[field] = value
    lines[1] = json.dumps(record)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CandidatesError, match=re.escape(message)) as exc:
        read_candidates(path)
    assert exc.value.line == 2


def test_first_record_must_be_the_document(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"kind": "entity", "id": "a", "type": "NGO", "label": "A"}\n')
    with pytest.raises(CandidatesError, match=r"x\.jsonl:1: the first record must be"):
        read_candidates(path)


def test_statuses_are_kept_across_runs(tmp_path):
    doc = own_document(tmp_path)
    cands = own_candidates(doc)
    path = write_candidates(tmp_path, doc, cands, [], RUN)
    set_status(path, {cands[0].key: "accepted"})
    fresh = own_candidates(doc)  # a new run proposes the same facts again
    write_candidates(tmp_path, doc, fresh, [], RUN)
    status = {c.key: c.status for c in read_candidates(path).candidates}
    assert status == {cands[0].key: "accepted", cands[1].key: "proposed", cands[2].key: "proposed"}


def test_rejected_is_never_proposed_again(tmp_path):
    doc = own_document(tmp_path)
    (tmp_path / "curated").mkdir()
    out = tmp_path / "extracted"
    cands = own_candidates(doc)
    write_candidates(out, doc, cands, [], RUN)
    Review(tmp_path / "curated", out).reject([cands[1].key[:6]], reason="not a member")
    log = [json.loads(x) for x in (out / REVIEW_LOG).read_text().splitlines()]
    assert log[0]["decision"] == "reject" and log[0]["reason"] == "not a member"
    assert log[0]["source"] == "own-article" and log[0]["time"]
    (out / "own-article.jsonl").unlink()  # even a file written from scratch keeps the decision
    write_candidates(out, doc, own_candidates(doc), [], RUN)
    status = {c.key: c.status for c in read_candidates(out / "own-article.jsonl").candidates}
    assert status[cands[1].key] == "rejected"
    assert list(status.values()).count("proposed") == 2
    assert read_folder(out)[0].source == "own-article"  # the review log is not a candidates file


def test_unknown_key_lists_close_keys(tmp_path):
    doc = own_document(tmp_path)
    (tmp_path / "curated").mkdir()
    cands = own_candidates(doc)
    write_candidates(tmp_path / "extracted", doc, cands, [], RUN)
    rev = Review(tmp_path / "curated")
    wrong = cands[0].key[:8] + "zz"
    with pytest.raises(ReviewError, match="close keys: " + cands[0].key):
        rev.find(wrong)
    assert rev.find(cands[2].key[:7]).candidate.relation == "said"


def test_extracted_dir_defaults_beside_the_curated_folder(curated_copy, tmp_path):
    assert make_settings(data_dir=curated_copy).extracted_dir == curated_copy.parent / "extracted"
    assert make_settings(data_dir=curated_copy, extracted=tmp_path / "x").extracted_dir == (
        tmp_path / "x"
    )


# -- extracted facts in the build -----------------------------------------------------------
def test_build_loads_proposed_candidates_as_extracted_facts(corpus_setup, corpus_dir):
    curated, extracted, path, cands = corpus_setup
    result = build(settings_for(curated, corpus_dir), validate=True)
    store = result.store()
    s, o = iri(result, "alexander-deserter"), iri(result, "crimea")
    graph = f"{BASE}graph/{ARTICLE}/extracted"
    assert fact_in_graph(result, graph, s, str(KG.travelledVia), o)
    assert not fact_in_graph(result, f"{BASE}graph/{ARTICLE}/curated", s, str(KG.travelledVia), o)
    ds = result.dataset
    statements = [
        st
        for st in ds.subjects(RDF.subject, URIRef(s))
        if (st, RDF.predicate, KG.travelledVia) in ds
    ]
    assert len(statements) == 1
    assert (statements[0], KG.method, KG.Extracted) in ds
    assert (statements[0], KG.confidence, Literal("0.7", datatype=XSD.decimal)) in ds
    # the proposed entity became an entity of the graph
    assert result.data.entities["test-signal-unit"].origin.file.endswith(f"{ARTICLE}.jsonl")
    fact = next(f for f in result.data.facts if f.relation == "travelledVia" and
                f.method == "extracted")
    assert fact.origin.line == 3 and fact.evidence_offset == cands[0].evidence_offset

    query = Catalogue().get("extracted-only-facts")
    rows = run(store, query).dicts()
    assert {(str(r["property"]), str(r["confidence"])) for r in rows} == {
        ("travelledVia", "0.7"),
        ("memberOf", "0.55"),
    }
    strong = run(store, query, {"min_confidence": "0.6"}).dicts()
    assert [str(r["property"]) for r in strong] == ["travelledVia"]
    assert not run(store, query, {"min_confidence": "0.8"}).dicts()


def test_bad_candidate_fails_the_build_with_file_and_line(corpus_setup, corpus_dir):
    curated, extracted, path, cands = corpus_setup
    bad = Candidate(ARTICLE, "alexander-deserter", "flewOverTo", cands[0].evidence,
                    cands[0].evidence_offset, 0.5, "r", object="crimea")
    off = Candidate(ARTICLE, "alexander-deserter", "fledTo", "Words that are not in it.", 0,
                    0.5, "r", object="crimea")
    doc, _, _ = corpus_document(corpus_dir)
    write_candidates(extracted, doc, [*cands, bad, off], [], RUN)
    with pytest.raises(CurationError) as exc:
        build(settings_for(curated, corpus_dir), validate=False)
    where = {(Path(p.file).name, p.line): p.message for p in exc.value.problems}
    assert "unknown relation 'flewOverTo'" in where[(path.name, 5)]
    assert "evidence quote not found" in where[(path.name, 6)]


def test_malformed_candidates_file_is_a_build_problem(corpus_setup, corpus_dir):
    curated, extracted, path, _ = corpus_setup
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("{not json\n")
    _, problems = load(settings_for(curated, corpus_dir))
    hit = [p for p in problems if p.file.endswith(path.name)]
    assert hit and hit[0].line == 5 and "bad JSON" in hit[0].message


# -- review ---------------------------------------------------------------------------------
def test_accept_then_build_makes_the_fact_curated(corpus_setup, corpus_dir):
    curated, extracted, path, cands = corpus_setup
    facts = curated / "facts" / f"{ARTICLE}.yaml"
    before = facts.read_text(encoding="utf-8")
    Review(curated, extracted).accept([cands[0].key[:8], cands[1].key])
    after = facts.read_text(encoding="utf-8")
    assert after.startswith(before)  # appended: comments and order kept
    assert f"key {cands[0].key}" in after and "rule travelled-via, confidence 0.7" in after
    ents = (curated / "entities" / "extracted.yaml").read_text(encoding="utf-8")
    assert ents.startswith("#") and "- id: test-signal-unit" in ents
    assert {c.status for c in read_candidates(path).candidates} == {"accepted"}

    data, problems = load(settings_for(curated, corpus_dir))
    assert not [p for p in problems if p.severity == "error"]
    result = build(settings_for(curated, corpus_dir), validate=False)
    store = result.store()
    s, o = iri(result, "alexander-deserter"), iri(result, "crimea")
    assert fact_in_graph(result, f"{BASE}graph/{ARTICLE}/curated", s, str(KG.travelledVia), o)
    assert not fact_in_graph(result, f"{BASE}graph/{ARTICLE}/extracted", s, str(KG.travelledVia), o)
    assert not run(store, Catalogue().get("extracted-only-facts")).dicts()
    # a second accept changes nothing
    assert Review(curated, extracted).accept([cands[0].key]) == []
    assert facts.read_text(encoding="utf-8") == after


def test_accept_creates_a_missing_facts_file_with_its_header(corpus_setup, corpus_dir):
    curated, extracted, path, cands = corpus_setup
    facts = curated / "facts" / f"{ARTICLE}.yaml"
    facts.unlink()
    Review(curated, extracted).accept([cands[0].key])
    text = facts.read_text(encoding="utf-8")
    assert text.startswith(f'source: "{ARTICLE}"\nfacts:\n  - subject: alexander-deserter')
    _, problems = load(settings_for(curated, corpus_dir))
    assert not [p for p in problems if p.severity == "error" and "003_" in p.file]


def test_reject_then_rewrite_is_not_proposed(corpus_setup, corpus_dir):
    curated, extracted, path, cands = corpus_setup
    Review(curated, extracted).reject([cands[0].key])
    doc, sentence, offset = corpus_document(corpus_dir)
    write_candidates(extracted, doc, corpus_candidates(doc, sentence, offset), [], RUN)
    rev = Review(curated, extracted)
    assert [i.key for i in rev.select()] == [cands[1].key]
    assert [i.key for i in rev.select(status="rejected")] == [cands[0].key]
    rev.accept([cands[1].key])
    with pytest.raises(ReviewError, match="already accepted"):
        rev.reject([cands[1].key])


def test_csv_export_import_round_trip(corpus_setup, tmp_path):
    curated, extracted, path, cands = corpus_setup
    out = tmp_path / "review.csv"
    runner = CliRunner()
    args = ["--data", str(curated), "--extracted", str(extracted)]
    res = runner.invoke(main, ["review", "export", "--csv", str(out), *args])
    assert res.exit_code == 0, res.output
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["key", "source", "subject", "relation", "object", "value", "date",
                             "confidence", "rule", "evidence", "decision"]
    assert [r["decision"] for r in rows] == ["", ""]
    by_key = {r["key"]: r for r in rows}
    by_key[cands[0].key]["decision"] = "accept"
    by_key[cands[1].key]["decision"] = "Reject"
    with open(out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    res = runner.invoke(main, ["review", "import", "--csv", str(out), *args])
    assert res.exit_code == 0, res.output
    assert "accepted 1, rejected 1" in res.output
    status = {c.key: c.status for c in read_candidates(path).candidates}
    assert status == {cands[0].key: "accepted", cands[1].key: "rejected"}
    res = runner.invoke(main, ["review", "export", "--csv", str(out), "--status", "all", *args])
    with open(out, newline="", encoding="utf-8") as fh:
        assert sorted(r["decision"] for r in csv.DictReader(fh)) == ["accept", "reject"]


def test_csv_import_errors_name_the_line_and_change_nothing(corpus_setup, tmp_path):
    curated, extracted, path, cands = corpus_setup
    out = tmp_path / "bad.csv"
    out.write_text(
        f"key,decision\n{cands[0].key},accept\n{cands[1].key},perhaps\nffff0000,reject\n",
        encoding="utf-8",
    )
    before = path.read_text(encoding="utf-8")
    with pytest.raises(ReviewError) as exc:
        Review(curated, extracted).import_csv(out)
    assert f"{out}:3: decision 'perhaps'" in str(exc.value)
    assert f"{out}:4: no candidate with key 'ffff0000'" in str(exc.value)
    assert path.read_text(encoding="utf-8") == before


def test_interactive_review(corpus_setup, corpus_dir):
    curated, extracted, path, cands = corpus_setup
    doc, sentence, offset = corpus_document(corpus_dir)
    third = Candidate(ARTICLE, "alexander-deserter", "fledFrom", sentence, offset, 0.3, "fled-from",
                      object="russia")
    write_candidates(extracted, doc, [*cands, third], [], RUN)
    res = CliRunner().invoke(
        main,
        ["review", "interactive", "--data", str(curated), "--extracted", str(extracted)],
        input="a\nr\nq\n",
    )
    assert res.exit_code == 0, res.output
    assert "travelledVia" in res.output and "evidence: Having left" in res.output
    assert "accepted 1, rejected 1, skipped 0" in res.output
    status = [c.status for c in read_candidates(path).candidates]
    assert status == ["accepted", "rejected", "proposed"]


def test_review_list_formats(corpus_setup):
    curated, extracted, path, cands = corpus_setup
    args = ["--data", str(curated), "--extracted", str(extracted)]
    runner = CliRunner()
    res = runner.invoke(main, ["review", "list", "--format", "json", "--min-confidence", "0.6",
                               *args])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert [r["key"] for r in rows] == [cands[0].key] and rows[0]["line"] == 3
    res = runner.invoke(main, ["review", "list", "--source", "004", *args])
    assert res.exit_code == 0 and "0 candidate(s)" in res.output
    res = runner.invoke(main, ["review", "accept", "nosuchkey", *args])
    assert res.exit_code != 0 and "close keys" in res.output


def test_an_article_missing_from_the_sources_becomes_a_source(curated_copy, tmp_path):
    """Extraction on an article nobody curated: it becomes a source of its own, with the
    publisher resolved by name in the registry (a SHACL-valid article)."""
    text = "Andrei Amonov fled to Kazakhstan after the call-up.\n"
    path = tmp_path / "new.txt"
    path.write_text(text, encoding="utf-8")
    meta = {"headline": "A new story", "published": "2022-09-30", "agency": "AFP"}
    doc = Document(id="new-article", path=path, text=text, metadata=meta)
    cand = Candidate("new-article", "andrei-amonov", "fledTo", text.strip(), 0, 0.8, "fled-to",
                     object="kazakhstan")
    extracted = curated_copy.parent / "extracted"
    write_candidates(extracted, doc, [cand], [], RUN)
    settings = make_settings(
        data_dir=curated_copy, store="memory", check_owl=False, use_default_corpus=False
    )
    result = build(settings, validate=True)
    src = result.data.sources["new-article"]
    assert (src.publisher, src.headline, src.published.text) == ("afp", "A new story", "2022-09-30")
    assert any(f.source == "new-article" and f.method == "extracted" for f in result.data.facts)

    # an outlet the registry lacks becomes a proposed media organisation (kg add records it)
    meta["agency"] = "Nobody Press"
    write_candidates(extracted, doc, [cand], [], RUN)
    result = build(settings, validate=True)
    assert result.data.sources["new-article"].publisher == "nobody-press"
    outlet = result.data.entities["nobody-press"]
    assert (outlet.type, outlet.label) == ("MediaOrganisation", "Nobody Press")

    # no outlet at all: a placeholder publisher and a warning that says what to fill in
    del meta["agency"]
    write_candidates(extracted, doc, [cand], [], RUN)
    result = build(settings, validate=False)
    assert result.data.sources["new-article"].publisher == "unknown-publisher"
    [warning] = [p for p in result.warnings if p.file.endswith("new-article.jsonl")]
    assert warning.line == 1 and "names no publisher" in warning.message
