"""The evaluator (kg_builder.extraction.evaluate) on the gold annotations themselves: gold
scored against gold is perfect, nothing scores zero, and each kind of mistake costs what it
should."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg_builder.extraction.evaluate import GoldError, Prediction, load_gold, score
from kg_builder.extraction.model import Candidate, Mention
from kg_builder.extraction.relations import GOLD_RELATIONS

SHARED = Path(__file__).resolve().parents[2] / "shared"
GOLD = SHARED / "gold"
pytestmark = pytest.mark.skipif(not GOLD.is_dir(), reason="../shared/gold is not present")


def _from_gold(g, drop_types=(), shift=0) -> Prediction:
    mentions = [
        Mention(m["start"] + shift, m["end"], m["text"], m["type"], entity=m.get("entity"))
        for m in g.mentions
        if m["type"] not in drop_types
    ]
    cands = []
    for r in g.relations:
        prop = GOLD_RELATIONS.get(r["relation"])
        if not prop:
            continue
        literal = prop in ("said", "age")
        subject, obj = r["subject"], r["object"]
        if prop == "imposedBy":  # produced as (restriction, imposedBy, state)
            subject, obj = "some-restriction", r["subject"]
        cands.append(
            Candidate(
                g.id, subject, prop, r["evidence"], r.get("evidence_start", 0), 1.0, "gold",
                object=None if literal else obj, value=obj if literal else None,
            )
        )
    return Prediction(g.id, mentions, cands, list(g.boilerplate))


@pytest.fixture(scope="module")
def gold():
    return load_gold(GOLD)


def test_gold_folder_is_read_by_article_id(gold):
    assert len(gold) == 5
    assert "002_aa80568b4da406dd" in gold
    assert sum(len(g.mentions) for g in gold.values()) == 404
    assert sum(len(g.boilerplate) for g in gold.values()) == 26


def test_gold_against_itself_is_perfect(gold):
    report = score({k: _from_gold(g) for k, g in gold.items()}, gold)
    for key in ("entities", "linking", "relations", "boilerplate"):
        assert report[key]["f1"] == 1.0, key
    assert report["entities"]["partial"]["f1"] == 1.0
    assert set(report["entities"]["per_type"]) == {
        "Person", "Organisation", "Place", "Event", "Date", "Quantity"
    }
    assert report["missing"] == []
    assert report["date_values"]["matched"] == 33
    # the JSON object that `kg evaluate --format json` prints
    for key in ("entities", "linking", "relations"):
        part = report[key]
        assert {"precision", "recall", "f1", "per_type"} <= set(part)
        for per in part["per_type"].values():
            assert {"precision", "recall", "f1"} <= set(per)
    json.dumps(report)


def test_nothing_predicted_scores_zero_recall(gold):
    report = score({}, gold)
    assert report["missing"] == sorted(gold)
    assert report["entities"]["recall"] == 0.0 and report["entities"]["fn"] == 404
    assert report["relations"]["recall"] == 0.0


def test_a_missing_type_costs_recall_of_that_type_only(gold):
    report = score({k: _from_gold(g, drop_types=("Event",)) for k, g in gold.items()}, gold)
    per = report["entities"]["per_type"]
    assert per["Event"]["recall"] == 0.0 and per["Event"]["fn"] == 62
    assert per["Person"]["f1"] == 1.0
    assert report["entities"]["precision"] == 1.0
    assert report["entities"]["recall"] == pytest.approx((404 - 62) / 404, abs=1e-4)


def test_shifted_spans_fail_exact_but_match_partially(gold):
    # every span starts one character late: overlapping, so partial match and linking hold
    report = score({k: _from_gold(g, shift=1) for k, g in gold.items()}, gold)
    assert report["entities"]["f1"] == 0.0
    assert report["entities"]["partial"]["f1"] > 0.95
    assert report["linking"]["f1"] > 0.95


def test_wrong_links_cost_linking_not_mentions(gold):
    preds = {}
    for k, g in gold.items():
        p = _from_gold(g)
        for m in p.mentions:
            if m.type == "Person":
                m.entity = "someone-else"
        preds[k] = p
    report = score(preds, gold)
    assert report["entities"]["f1"] == 1.0
    assert report["linking"]["per_type"]["Person"]["f1"] == 0.0
    assert report["linking"]["per_type"]["Place"]["f1"] == 1.0


def test_quotations_match_by_speaker_and_overlapping_words(gold):
    g = gold["002_aa80568b4da406dd"]
    said = [r for r in g.relations if r["relation"] == "said" and r["subject"] == "yevgeny"][0]
    quote = said["object"]
    shorter = Candidate(g.id, "yevgeny", "said", said["evidence"], 0, 0.9, "t", value=quote[:30])
    wrong_speaker = Candidate(g.id, "putin", "said", said["evidence"], 0, 0.9, "t", value=quote)
    report = score({g.id: Prediction(g.id, candidates=[shorter, wrong_speaker])}, {g.id: g})
    rel = report["relations"]["per_type"]["said"]
    assert rel["tp"] == 1 and rel["fp"] == 1


def test_duplicate_candidates_count_once(gold):
    g = gold["003_69489bb5dd5d6fb8"]
    r = next(r for r in g.relations if r["relation"] == "fled_to")
    c = Candidate(g.id, r["subject"], "fledTo", r["evidence"], 0, 0.9, "t", object=r["object"])
    report = score({g.id: Prediction(g.id, candidates=[c, c])}, {g.id: g})
    assert report["relations"]["per_type"]["fled_to"]["tp"] == 1
    assert report["relations"]["per_type"]["fled_to"]["fp"] == 0


def test_boilerplate_is_scored_by_characters(gold):
    g = gold["004_778bbb137ffcf9e7"]
    half = [(s, s + (e - s + 1) // 2) for s, e in g.boilerplate]
    report = score({g.id: Prediction(g.id, boilerplate=half)}, {g.id: g})
    b = report["boilerplate"]
    assert b["precision"] == 1.0 and 0.45 < b["recall"] < 0.55
    assert b["gold_spans_found"] == len(g.boilerplate)  # each half-covered span counts


def test_bad_gold_folders_are_clear_errors(tmp_path):
    with pytest.raises(GoldError, match="does not exist"):
        load_gold(tmp_path / "nope")
    with pytest.raises(GoldError, match="no annotation file"):
        load_gold(tmp_path)
    (tmp_path / "a.json").write_text('{"doc": "a.txt",\n "mentions": [', encoding="utf-8")
    with pytest.raises(GoldError, match=r"a\.json:2: not valid JSON"):
        load_gold(tmp_path)


# -- what kg evaluate reports beyond the totals (issue 16) -----------------------------------------


def _write_gold(folder: Path, doc: str, **extra) -> None:
    folder.mkdir(exist_ok=True)
    raw = {"doc": f"{doc}.txt", "boilerplate": [], "mentions": [], "entities": [],
           "relations": [], **extra}
    (folder / f"{doc}.json").write_text(json.dumps(raw), encoding="utf-8")


def test_scores_per_article_and_key_facts(gold):
    report = score({k: _from_gold(g) for k, g in gold.items()}, gold)
    assert set(report["per_document"]) == set(gold)
    for part in report["per_document"].values():
        assert {"entities", "linking", "relations", "key_facts"} <= set(part)
        assert part["entities"]["f1"] == 1.0
    # ../shared/gold marks no key facts: the measure says so instead of printing a zero
    assert report["key_facts"]["share"] is None and "nothing to score" in report["key_facts"]["note"]


def test_types_and_relations_the_gold_does_not_annotate_are_left_out(tmp_path):
    _write_gold(tmp_path, "a", annotated_types=["Person"], annotated_relations=["said"],
                mentions=[{"start": 0, "end": 8, "text": "Ivo Mark", "type": "Person",
                           "entity": "ivo"}],
                entities=[{"id": "ivo", "type": "Person", "name": "Ivo Mark"}])
    gold = load_gold(tmp_path)
    pred = Prediction("a", [Mention(0, 8, "Ivo Mark", "Person", entity="ivo"),
                            Mention(12, 18, "Norway", "Place", entity="norway")],
                      [Candidate("a", "ivo", "jobTitle", "x", 0, 0.7, "r", value="mayor")])
    report = score({"a": pred}, gold)
    assert report["entities"]["precision"] == 1.0  # the Place is not a false positive
    assert report["not_annotated"] == {"Place": 1, "relation job_title": 1}
    # no Event in the gold: no recall or F1 for it, and a note rather than zeros
    assert report["entities"]["per_type"].get("Event") is None or \
        report["entities"]["per_type"]["Event"]["f1"] is None
    assert report["relations"]["f1"] is None and report["relations"]["note"]


def test_links_match_by_wikidata_id_or_name_when_ids_differ(tmp_path):
    _write_gold(tmp_path, "b",
                mentions=[{"start": 0, "end": 6, "text": "Norway", "type": "Place",
                           "entity": "kingdom-of-norway"},
                          {"start": 10, "end": 18, "text": "Ivo Mark", "type": "Person",
                           "entity": "ivo-mark-b"}],
                entities=[{"id": "kingdom-of-norway", "type": "Place", "name": "Norway",
                           "wikidata": "Q20"},
                          {"id": "ivo-mark-b", "type": "Person", "name": "Ivo Mark"}],
                relations=[{"subject": "ivo-mark-b", "relation": "fled_to",
                            "object": "kingdom-of-norway", "key": True, "evidence": "x",
                            "evidence_start": 0}])
    gold = load_gold(tmp_path)
    mentions = [Mention(0, 6, "Norway", "Place", entity="norway"),
                Mention(10, 18, "Ivo Mark", "Person", entity="ivo-mark")]
    cand = Candidate("b", "ivo-mark", "fledTo", "x", 0, 0.8, "r", object="norway")
    pred = Prediction("b", mentions, [cand],
                      entities={"norway": (frozenset({"Norway"}), "Q20"),
                                "ivo-mark": (frozenset({"Ivo Mark"}), None)})
    report = score({"b": pred}, gold)
    assert report["linking"]["f1"] == 1.0  # by QID (Norway) and by normalised name (Ivo Mark)
    assert report["relations"]["f1"] == 1.0
    assert report["key_facts"] == {"found": 1, "total": 1, "share": 1.0}
    # without the QID and the names, the differing ids no longer match
    bare = Prediction("b", mentions, [cand])
    assert score({"b": bare}, gold)["linking"]["f1"] == 0.0
