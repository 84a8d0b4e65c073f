"""The development set (benchmarks/devset.py, benchmarks/devset/): annotations compile to
gold files with exact offsets, texts are checked against their recorded hash, the split
covers every article once, and the repository keeps no article text.

The texts themselves live outside the repository (`$KG_DEVSET_CACHE`); the tests that need
them are skipped where the cache is absent (as on CI), with that reason.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml

from benchmarks import devset
from kg_builder.extraction.evaluate import load_gold

TEXT = (
    "Deserter reaches Norland\n"
    "On Monday, Oleg Varin fled to Norland. Maj. G. Ostrel of the border guard met him.\n"
    "Read more: weather\n"
)


def _ann(tmp_path: Path, text: str = TEXT, **over) -> Path:
    ann = {
        "id": "t1", "url": "https://example.org/a", "outlet": "Example", "published": "2024-03-05",
        "query": "deserter Norland", "sha256": hashlib.sha256(text.encode()).hexdigest(),
        "boilerplate": ["Read more: weather"],
        "entities": [
            {"id": "oleg-varin", "type": "Person", "name": "Oleg Varin"},
            {"id": "norland", "type": "Place", "name": "Norland"},
            {"id": "g-ostrel", "type": "Person", "name": "G. Ostrel"},
            {"id": "date-2024-03-04", "type": "Date", "name": "4 March 2024"},
        ],
        "mentions": ["Norland | norland", "Monday | date-2024-03-04", "Oleg Varin | oleg-varin",
                     "Norland | norland", "G. Ostrel | g-ostrel"],
        "relations": [{"subject": "oleg-varin", "relation": "fled_to", "object": "norland",
                       "evidence": "fled to Norland.", "key": True}],
    }
    ann.update(over)
    path = tmp_path / "t1.yaml"
    path.write_text(yaml.safe_dump(ann, sort_keys=False), encoding="utf-8")
    return path


def test_compile_finds_mentions_in_reading_order_on_word_boundaries(tmp_path):
    gold = devset.compile_one(_ann(tmp_path), TEXT)
    spans = [(m["start"], m["end"]) for m in gold["mentions"]]
    assert [TEXT[a:b] for a, b in spans] == ["Norland", "Monday", "Oleg Varin", "Norland",
                                             "G. Ostrel"]
    assert spans[0][0] == TEXT.index("Norland")  # the headline's
    assert spans[3][0] == TEXT.index("Norland.")  # the body's, found after "Oleg Varin"
    (rel,) = gold["relations"]
    # widened to the sentence; the evidence's own full stop does not run on into the next
    assert rel["evidence"] == "On Monday, Oleg Varin fled to Norland."
    assert rel["evidence_start"] == TEXT.index("On Monday") and rel["key"] is True
    assert gold["boilerplate"][0]["text"] == "Read more: weather"
    assert "job_title" in gold["annotated_relations"]


def test_an_initial_does_not_end_the_evidence_sentence(tmp_path):
    path = _ann(tmp_path, relations=[{"subject": "g-ostrel", "relation": "member_of",
                                      "object": "norland", "evidence": "Ostrel of the border"}])
    (rel,) = devset.compile_one(path, TEXT)["relations"]
    assert rel["evidence"] == "Maj. G. Ostrel of the border guard met him."


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"mentions": ["Oleg Varin | oleg-varin", "Monday | date-2024-03-04"]}, "reading order"),
        ({"mentions": ["Norla | norland"]}, "not found"),
        ({"mentions": ["Norland | nowhere"]}, "unknown entity"),
        ({"mentions": ["weather | norland"],
          "entities": [{"id": "norland", "type": "Place", "name": "Norland"}]}, "boilerplate"),
        ({"relations": [{"subject": "oleg-varin", "relation": "fled_into", "object": "norland",
                         "evidence": "fled"}]}, "unknown relation"),
        ({"sha256": "0" * 64}, "SHA-256"),
    ],
)
def test_compile_errors_name_the_file_and_the_problem(tmp_path, change, message):
    with pytest.raises(devset.AnnotationError, match=message) as info:
        devset.compile_one(_ann(tmp_path, **change), TEXT)
    assert str(tmp_path / "t1.yaml") in str(info.value)


# -- the committed set ----------------------------------------------------------------------------


def test_every_article_is_annotated_compiled_and_placed_once():
    files = devset.annotation_files()
    assert len(files) >= 16
    halves = devset.split()
    assert set(halves) == {p.stem for p in files}
    tune = sum(1 for h in halves.values() if h == "tune")
    assert abs(tune - (len(halves) - tune)) <= 4
    gold = load_gold(devset.GOLD)
    assert set(gold) == {p.stem for p in files}
    outlets = set()
    for path in files:
        ann = devset.load_annotation(path)
        assert ann["url"].startswith("http") and len(ann["sha256"]) == 64 and ann["query"]
        outlets.add(ann["outlet"])
        raw = json.loads((devset.GOLD / f"{path.stem}.json").read_text(encoding="utf-8"))
        assert raw["text_sha256"] == ann["sha256"]
        assert any(r["key"] for r in raw["relations"]), path.stem
    assert len(outlets) >= 12  # varied outlets


def test_the_repository_keeps_no_article_text():
    # quotes of one sentence (mentions, evidence) only: no cached text file is committed
    assert not list(devset.HERE.rglob("*.txt"))
    for path in devset.GOLD.glob("*.json"):
        raw = json.loads(path.read_text(encoding="utf-8"))
        assert "text" not in raw
        assert all(len(r["evidence"]) < 700 for r in raw["relations"]), path.name


CACHED = [p.stem for p in devset.annotation_files()
          if (devset.cache_dir() / f"{p.stem}.txt").is_file()]


@pytest.mark.skipif(not CACHED, reason="the dev-set texts are not cached here "
                    "($KG_DEVSET_CACHE): they are never in the repository")
def test_cached_texts_compile_to_the_committed_gold():
    for doc_id in CACHED:
        text = (devset.cache_dir() / f"{doc_id}.txt").read_text(encoding="utf-8")
        gold = devset.compile_one(devset.ANNOTATIONS / f"{doc_id}.yaml", text)
        committed = json.loads((devset.GOLD / f"{doc_id}.json").read_text(encoding="utf-8"))
        assert gold == committed, doc_id
