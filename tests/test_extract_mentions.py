"""Mentions of people, organisations, places and events: gazetteer, rules, spaCy backend.

Unit tests run on sentences written for them; the corpus tests score the rules against
../shared/gold (exact and overlapping spans, per type) with the graph's index and with a cold
index (GeoNames places only), with thresholds slightly below the measured figures.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from kg_builder.extraction.gazetteer import EntityIndex, Entry, fold
from kg_builder.extraction.mentions import recognise
from kg_builder.extraction.model import Document

from .conftest import CORPUS, SHARED

TYPES = ("Person", "Organisation", "Place", "Event")


def _doc(text: str, boilerplate=(), doc_id: str = "t1") -> Document:
    return Document(doc_id, Path(doc_id), text, boilerplate=list(boilerplate))


@pytest.fixture(scope="module")
def small_index() -> EntityIndex:
    return EntityIndex(
        [
            Entry("finland", "Country", "Place", "Finland"),
            Entry("vaalimaa", "BorderCrossingPoint", "Place", "Vaalimaa"),
            Entry("andrei-amonov", "Person", "Person", "Andrei Amonov", ["Andreï Amonov"]),
            Entry("afp", "MediaOrganisation", "Organisation", "Agence France-Presse", ["AFP"]),
            Entry("mob", "Mobilisation", "Event", "2022 mobilisation", ["mobilisation"]),
            Entry("fin-border", "Border", "Place", "Finland–Russia border"),
        ]
    )


def found(doc, index):
    return [(m.text, m.type) for m in recognise(doc, index)]


# -- fold and lookup ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Vaalimaa", "Valima"),
        ("Andreï", "Andrei"),
        ("Фёдор", "Федор"),
        ("Yuriy", "Yuri"),
        ("Valeriy", "Valery"),
        ("Idite Lessom", "Idite Lesom"),
        ("St. Petersburg", "st petersburg"),
        ("Putin’s", "Putin's"),
        ("the West", "West"),
    ],
)
def test_fold_merges_variants(a, b):
    assert fold(a) == fold(b)


def test_fold_keeps_different_names_apart():
    assert fold("Alex") != fold("Alexander")
    assert fold("Russia") != fold("Russian")


def test_lookup_rules_and_type_filter(small_index):
    assert small_index.lookup("Finland")[0].rule == "exact-label"
    assert small_index.lookup("AFP")[0].rule == "alias"
    assert small_index.lookup("Valima")[0].entry.id == "vaalimaa"
    assert small_index.lookup("Valima")[0].rule == "folded"
    assert small_index.lookup("Finland", type="Person") == []


def test_fuzzy_lookup_above_threshold(small_index):
    hits = small_index.fuzzy("Andrey Amanov", "Person")
    assert hits and hits[0].entry.id == "andrei-amonov" and hits[0].rule.startswith("fuzzy:")
    assert small_index.fuzzy("Boris Johnson", "Person") == []


def test_cold_index_has_countries_and_big_cities_not_common_words():
    cold = EntityIndex.cold()
    assert cold.lookup("Kazakhstan")[0].entry.cls == "Country"
    tbilisi = cold.lookup("Tbilisi")[0].entry
    assert tbilisi.cls == "City" and tbilisi.geonames and tbilisi.generic
    assert cold.lookup("Mobile") == []  # a US city, and an English word
    assert cold.lookup("Moskva")[0].entry.label == "Moscow"  # Latin alternate name


# -- recognition ------------------------------------------------------------------------
def test_gazetteer_longest_match_and_word_boundaries(small_index):
    text = "He crossed at Vaalimaa on the Finland–Russia border. Finlandia is a vodka."
    got = found(_doc(text), small_index)
    assert ("Finland–Russia border", "Place") in got
    assert ("Finland", "Place") not in got  # inside the longer name, and not in "Finlandia"


def test_transliteration_variant_found(small_index):
    got = recognise(_doc("Andreï Amonov reached the post at Valima."), small_index)
    assert [(m.text, m.recogniser) for m in got if m.type != "Event"] == [
        ("Andreï Amonov", "gazetteer"), ("Valima", "gazetteer")]


def test_boilerplate_excluded(small_index):
    text = "Finland closed the border.\nYou may also like: Finland travel deals"
    doc = _doc(text, [(text.index("You may"), len(text))])
    found = recognise(doc, small_index)
    # "Finland" and the closure ("closed the border") of the first line; nothing of the teaser
    assert [m.start for m in found] == [0, 8] and found[1].cls == "EntryRestriction"


def test_demonyms_and_months_are_not_mentions(small_index):
    text = "A Finnish official spoke on Monday in March about Russian men."
    assert found(_doc(text), small_index) == []


def test_person_cues():
    idx = EntityIndex()
    text = (
        "The decree was signed by President Emil Varga on Tuesday. “We leave,” said Lena Brook. "
        "Tomas Rieder, 32, drove north. Later his wife Mira joined him."
    )
    got = found(_doc(text), idx)
    for name in ("Emil Varga", "Lena Brook", "Tomas Rieder", "Mira"):
        assert (name, "Person") in got
    assert not any(t.startswith("President") for t, _ in got)


def test_role_without_name_is_not_a_person():
    got = found(_doc("The Latvian Foreign Minister spoke to reporters."), EntityIndex())
    assert got == []


def test_organisation_cues():
    text = (
        "A spokesman for the Ministry of Justice denied it, the Norvik Broadcasting Service "
        "reported, citing OSCE monitors. Later the Ardanian authorities arrested him."
    )
    got = recognise(_doc(text), EntityIndex())
    orgs = {m.text: m.cls for m in got if m.type == "Organisation"}
    assert orgs["Ministry of Justice"] == "GovernmentBody"
    assert orgs["Norvik Broadcasting Service"] == "GovernmentBody"
    assert "OSCE" in orgs
    assert orgs["Ardanian authorities"] == "GovernmentBody"


def test_place_cues():
    got = found(_doc("They drove from Kelmar to the Ostrava region."), EntityIndex())
    # "the Ostrava region": the area noun belongs to the name of the region
    assert ("Kelmar", "Place") in got and ("Ostrava region", "Place") in got


def test_sentence_initial_capitals_are_not_names():
    got = found(_doc("Thousands queued. Hopefully it ends. Yesterday nobody came."), EntityIndex())
    assert [t for t, ty in got if ty != "Event"] == []


def test_event_triggers_typed_by_class(small_index):
    text = "After the mobilisation and the invasion, deserted soldiers joined the exodus."
    got = {m.text: m.cls for m in recognise(_doc(text), small_index) if m.type == "Event"}
    assert got == {"mobilisation": "Mobilisation", "invasion": "Invasion",
                   "deserted": "Desertion", "exodus": "Exodus"}
    assert found(_doc("He joined an anti-war group."), small_index) == []


def test_mentions_never_overlap():
    cold = EntityIndex.cold()
    text = (
        "Vladimir Putin announced a partial military mobilization in Moscow on Wednesday; "
        "the Kazakh police and the Russian authorities met in Astana."
    )
    ms = recognise(_doc(text), cold)
    spans = sorted((m.start, m.end) for m in ms)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    got = {(m.text, m.type) for m in ms}
    assert ("Vladimir Putin", "Person") in got  # not the city of Vladimir
    assert ("Kazakh police", "Organisation") in got
    assert ("partial military mobilization", "Event") in got


# -- spaCy backend ------------------------------------------------------------------------
def _ruler_pipeline():
    spacy = pytest.importorskip("spacy")
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([
        {"label": "PERSON", "pattern": "Olga Petrova"},
        {"label": "NORP", "pattern": "Russian"},
        {"label": "GPE", "pattern": "Tbilisi"},
        {"label": "ORG", "pattern": "Finland Today"},
        {"label": "DATE", "pattern": "Monday"},
        {"label": "ORG", "pattern": "Brimmco"},
    ])
    return nlp


def test_spacy_backend_maps_labels_and_merges_gazetteer(small_index):
    from kg_builder.extraction.mentions import recognise
    from kg_builder.extraction.ner_spacy import recognise_spacy

    text = (
        "Olga Petrova, a Russian, left on Monday via Tbilisi, Finland Today said.\n"
        "They thanked Brimmco for the tickets.\n"
        "Ads: Tbilisi"
    )
    doc = _doc(text, [(text.index("Ads"), len(text))])
    rules = [(m.start, m.end, m.type) for m in recognise(doc, small_index)]
    got = [(m.text, m.type, m.recogniser) for m in recognise_spacy(doc, _ruler_pipeline(),
                                                                     small_index)]
    spans = [(m.start, m.end, m.type) for m in recognise_spacy(doc, _ruler_pipeline(),
                                                               small_index)]
    # every mention of the rules backend is kept as it is ...
    assert set(rules) <= set(spans)
    # ... and the model adds the names the rules do not find (no cue, not in the graph)
    assert ("Brimmco", "Organisation", "spacy") in got
    assert ("Monday", "Date", "spacy") in got
    assert not any(t == "Russian" for t, _, _ in got)  # NORP is not an entity
    # The gazetteer wins on overlap: "Finland" is known, so spaCy's "Finland Today" yields.
    assert ("Finland", "Place", "gazetteer") in got
    assert not any(t == "Finland Today" for t, _, _ in got)
    assert all(s < text.index("Ads") for s, _, _ in spans)  # furniture stays out


def test_spacy_missing_model_says_how_to_install():
    pytest.importorskip("spacy")
    from kg_builder.errors import KGError
    from kg_builder.extraction.ner_spacy import load_spacy

    with pytest.raises(KGError, match="python -m spacy download no_such_model_xx"):
        load_spacy("spacy:no_such_model_xx")


# -- corpus scoring -------------------------------------------------------------------------
def gold_documents():
    """(Document with gold boilerplate, gold entity mentions) for each annotated article."""
    if CORPUS is None or not (SHARED / "gold").is_dir():
        pytest.skip("../shared/corpus or ../shared/gold is not present")
    out = []
    for path in sorted((SHARED / "gold").glob("0*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        text = (CORPUS / f"{path.stem}.txt").read_text(encoding="utf-8")
        bp = [(b["start"], b["end"]) for b in gold["boilerplate"]]
        mentions = [m for m in gold["mentions"] if m["type"] in TYPES]
        out.append((Document(path.stem, CORPUS / f"{path.stem}.txt", text, boilerplate=bp),
                    mentions))
    return out


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score_mentions(predicted: dict, gold: dict, overlap: bool = False) -> dict:
    """Precision, recall and F1 per type and overall. `predicted`/`gold`: doc id -> list of
    (start, end, type); overlap=True counts a prediction of the same type that overlaps a gold
    span as a match (each gold span matched at most once)."""
    c = {t: Counter() for t in (*TYPES, "all")}
    for did, gold_spans in gold.items():
        pred = list(predicted.get(did, []))
        used: set[int] = set()
        for g in gold_spans:
            j = next((k for k, p in enumerate(pred) if k not in used and p[2] == g[2] and (
                p[:2] == g[:2] or (overlap and p[0] < g[1] and g[0] < p[1]))), None)
            key = "tp" if j is not None else "fn"
            if j is not None:
                used.add(j)
            c[g[2]][key] += 1
            c["all"][key] += 1
        for k, p in enumerate(pred):
            if k not in used:
                c[p[2]]["fp"] += 1
                c["all"]["fp"] += 1
    return {t: prf(v["tp"], v["fp"], v["fn"]) for t, v in c.items()}


def test_scorer_counts_exact_and_overlap():
    gold = {"d": [(0, 5, "Person"), (10, 20, "Event")]}
    pred = {"d": [(0, 5, "Person"), (12, 20, "Event"), (30, 33, "Place")]}
    assert score_mentions(pred, gold)["all"] == pytest.approx((1 / 3, 1 / 2, 0.4))
    assert score_mentions(pred, gold, overlap=True)["Event"] == (1.0, 1.0, 1.0)


@pytest.fixture(scope="module")
def curated_index():
    from kg_builder.ontology import load_ontology
    from kg_builder.pipeline import load, make_settings
    from tests.conftest import REPO as PROJECT_DIR

    if CORPUS is None:
        pytest.skip("../shared/corpus is not present")
    data, _ = load(make_settings(corpus=CORPUS, store="memory", check_owl=False))
    return EntityIndex.from_curated(data, load_ontology(PROJECT_DIR / "ontology"))


def _corpus_scores(index):
    docs = gold_documents()
    gold = {d.id: [(m["start"], m["end"], m["type"]) for m in ms] for d, ms in docs}
    pred = {d.id: [(m.start, m.end, m.type) for m in recognise(d, index)] for d, _ in docs}
    return score_mentions(pred, gold), score_mentions(pred, gold, overlap=True)


def test_corpus_with_graph_index(curated_index):
    exact, overlap = _corpus_scores(curated_index)
    # Measured: exact F1 0.942 overall (Person 1.00, Organisation 0.99, Place 0.99, Event 0.70).
    assert exact["all"][2] >= 0.92
    assert overlap["all"][2] >= exact["all"][2]
    for t in ("Person", "Organisation", "Place"):
        assert exact[t][2] >= 0.95, t
    assert exact["Event"][2] >= 0.65


def test_corpus_with_cold_index():
    exact, _ = _corpus_scores(EntityIndex.cold())
    # Measured: exact F1 0.882 (Person 0.91, Organisation 0.85, Place 0.95, Event 0.70).
    assert exact["all"][2] >= 0.86
    assert exact["Place"][2] >= 0.92


# -- cues for names no gazetteer holds (issue 16: error kinds seen on unseen articles) --------
@pytest.mark.parametrize(
    ("text", "name", "typ"),
    [
        ("Arsonists attacked an office of the Vasko Dell party on Monday.", "Vasko Dell", "Organisation"),
        ("The Karvo Nuuk Telegram channel claims that 40 men were called up.", "Karvo Nuuk",
         "Organisation"),
        ("Dozens died, according to Mirvona.", "Mirvona", "Organisation"),
        ("The figures were first published by the newspaper Kelvast on Friday.", "Kelvast",
         "Organisation"),
        ("“We are tired,” his sister told Ostrel on Sunday.", "Ostrel", "Organisation"),
        ("Queues formed at the border town of Ulvaran on Sunday.", "Ulvaran", "Place"),
        ("Men from the North Kelvaria region were called up first.", "North Kelvaria region",
         "Place"),
        ("He said Minister of Internal Affairs Tamaz Kvirkelia had been informed.",
         "Tamaz Kvirkelia", "Person"),
        ("Many men left, including Arvid, who crossed into Georgia.", "Arvid", "Person"),
        ("The lawyer Tomas Ruiz de la Vega said the ruling was unjust.",
         "Tomas Ruiz de la Vega", "Person"),
        ("The sentence was condemned by the Committee to Protect Reporters on Monday.",
         "Committee to Protect Reporters", "Organisation"),
        ("A complaint was filed by the Kelvar Citizens\u2019 Assembly in March.",
         "Kelvar Citizens\u2019 Assembly", "Organisation"),
        ("The outlet was blocked, the General Prosecutor's Office said.",
         "General Prosecutor's Office", "Organisation"),
        ("His story was first reported by Novostiv.ru on Monday.", "Novostiv.ru",
         "Organisation"),
        ("Critics say the Harlan administration wants to deport the men.",
         "Harlan administration", "Organisation"),
        ("A spokesman told The Kelvar Times that the border was open.", "The Kelvar Times",
         "Organisation"),
        ("The photographs were published by the Vornik Investigation Team.",
         "Vornik Investigation Team", "Organisation"),
        ("A statement from the White House said on Monday it would not comment.",
         "White House", "Organisation"),
        ("Thousands have arrived in the U.S. since October.", "U.S.", "Place"),
    ],
)
def test_unknown_names_typed_by_their_cues(text, name, typ):
    assert (name, typ) in found(_doc(text), EntityIndex.cold())


def test_a_city_name_used_as_a_persons_name_is_not_a_place():
    # GeoNames has a city called Madina; here it is a woman quoted by name
    text = "“We do not want to fight,” Madina, a participant in the protests, told reporters."
    got = found(_doc(text), EntityIndex.cold())
    assert ("Madina", "Place") not in got
    text = "A welder from Samara, said he had slept in his car."  # after "from": still a place
    assert ("Samara", "Place") in found(_doc(text), EntityIndex.cold())


@pytest.mark.parametrize(
    ("text", "trigger", "cls"),
    [
        ("Finland decided to close the border with Russia at midnight.", "close the border",
         "EntryRestriction"),
        ("The EU unveiled tighter visa requirements for Russians.", "visa requirements",
         "EntryRestriction"),
        ("Unknown men set fire to the enlistment office overnight.", "set fire", "Attack"),
        ("The reservist was deported to Russia in March.", "deported", "Deportation"),
        ("It was the first call-up since World War II.", "World War II", "Invasion"),
        ("The army called up reservists in the north.", "called up", "Mobilisation"),
    ],
)
def test_event_triggers_of_the_domain(text, trigger, cls):
    got = [(m.text, m.cls) for m in recognise(_doc(text), EntityIndex.cold()) if m.type == "Event"]
    assert any(trigger in t and c == cls for t, c in got), got
