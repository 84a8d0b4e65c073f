"""Sentence splitting and relation extraction (kg_builder.extraction.sentences / .relations)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from kg_builder.extraction.evaluate import SHARED_GOLD_RELATIONS
from kg_builder.extraction.model import Candidate, Document, Mention
from kg_builder.extraction.relations import (
    GOLD_RELATIONS,
    LITERAL,
    SYMMETRIC,
    as_gold,
    extract_relations,
)
from kg_builder.extraction.sentences import sentence_at, sentences

SHARED = Path(__file__).resolve().parents[2] / "shared"
if not (SHARED / "gold").is_dir():
    SHARED = Path("/work/shared")
CORPUS, GOLD = SHARED / "corpus", SHARED / "gold"


# -- scoring helpers (also used to measure the figures in the report) ------------------------------


def gold_mentions(gold: dict) -> list[Mention]:
    """Gold mentions as linked Mention records (dates carry their value)."""
    out = []
    for g in gold["mentions"]:
        value = g["entity"][5:] if g["type"] == "Date" and g["entity"].startswith("date-") else None
        out.append(Mention(g["start"], g["end"], g["text"], g["type"], entity=g["entity"],
                           value=value))  # fmt: skip
    return out


def gold_document(gold: dict) -> Document:
    path = CORPUS / gold["doc"]
    text = path.read_text(encoding="utf-8")
    spans = sorted((b["start"], b["end"]) for b in gold["boilerplate"])
    return Document(path.stem, path, text, boilerplate=spans)


def _tokens(s: str) -> set[str]:
    return set(re.findall(r"\w+", s.lower()))


def _overlaps(a: str, b: str) -> bool:
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return False
    return len(ta & tb) / min(len(ta), len(tb)) >= 0.5


def _matches(pred: tuple, cand: Candidate, g: dict) -> bool:
    subj, rel, obj = pred
    if rel != g["relation"]:
        return False
    if rel == "restricts_entry_of":  # literal target group: same state, same sentence
        start = g["evidence_start"]
        same_sentence = cand.evidence_offset <= start < cand.evidence_offset + len(cand.evidence)
        return subj == g["subject"] and same_sentence
    if rel == "said":
        return subj == g["subject"] and _overlaps(str(obj), str(g["object"]))
    if (subj, obj) == (g["subject"], g["object"]):
        return True
    return GOLD_RELATIONS[rel] in SYMMETRIC and (obj, subj) == (g["subject"], g["object"])


def score(cands_by_doc: dict[str, list[Candidate]], golds: dict[str, dict]):
    """Precision/recall/F1 per gold relation: unique (subject, relation, object) triples per
    article; `said` by speaker and overlapping quotation; relations gold does not annotate (or
    that GOLD_RELATIONS maps to None) are left out."""
    tp, fp, fn = Counter(), Counter(), Counter()
    for doc_id, gold in golds.items():
        rels = [r for r in gold["relations"] if GOLD_RELATIONS.get(r["relation"])]
        gold_keys = {}
        for r in rels:
            k = (r["subject"], r["relation"], r["object"], r["evidence_start"]
                 if r["relation"] in ("said", "restricts_entry_of") else None)  # fmt: skip
            gold_keys.setdefault(k, r)
        unmatched = dict(gold_keys)
        seen = set()
        for c in cands_by_doc.get(doc_id, []):
            pred = as_gold(c)
            if pred is None or pred[1] not in SHARED_GOLD_RELATIONS:
                continue  # a relation ../shared/gold does not annotate (job_title, ...)
            key = pred if GOLD_RELATIONS[pred[1]] not in LITERAL | {"imposedBy"} else (
                *pred, c.evidence_offset)
            if key in seen:
                continue
            seen.add(key)
            hit = next((k for k, g in unmatched.items() if _matches(pred, c, g)), None)
            if hit is None:
                already = any(_matches(pred, c, g) for g in gold_keys.values())
                if not already:
                    fp[pred[1]] += 1
                continue
            tp[pred[1]] += 1
            del unmatched[hit]
        for k in unmatched:
            fn[k[1]] += 1
    table = {}
    for rel in sorted(set(tp) | set(fp) | set(fn)):
        table[rel] = _prf(tp[rel], fp[rel], fn[rel])
    table["overall"] = _prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    return table


def _prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r, "f1": f}


def corpus_run():
    golds, cands = {}, {}
    for path in sorted(GOLD.glob("[0-9]*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        doc = gold_document(gold)
        golds[doc.id] = gold
        cands[doc.id] = extract_relations(doc, gold_mentions(gold))
    return golds, cands


# -- helpers for small texts ----------------------------------------------------------------------


def _doc(text: str) -> Document:
    return Document("t", Path("t.txt"), text)


def _m(text: str, phrase: str, typ: str, entity: str, nth: int = 0, **kw) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    return Mention(start, start + len(phrase), phrase, typ, entity=entity, **kw)


def _run(text: str, *specs) -> list[Candidate]:
    return extract_relations(_doc(text), [_m(text, *spec) for spec in specs])


def _facts(cands) -> set[tuple]:
    return {(c.subject, c.relation, c.object or c.value) for c in cands}


# -- sentences ---------------------------------------------------------------------------------


def _split(text: str, spans=None) -> list[str]:
    return [text[a:b] for a, b in sentences(text, spans)]


def test_sentences_abbreviations_initials_decimals():
    text = (
        "Mr. Smith met Dr. Jones in St. Petersburg on Sept. 5. The U.S. envoy, e.g. Gen. Lee, "
        "paid 2.5 million. Jan M. Olsen wrote it. It ended."
    )
    assert _split(text) == [
        "Mr. Smith met Dr. Jones in St. Petersburg on Sept. 5.",
        "The U.S. envoy, e.g. Gen. Lee, paid 2.5 million.",
        "Jan M. Olsen wrote it.",
        "It ended.",
    ]


def test_sentences_quotations_kept_whole_and_closing_quote_ends():
    text = (
        "“We are tired. We want peace,” he said. She left. "
        "He shouted: “Stop!” Then he ran."
    )
    assert _split(text) == [
        "“We are tired. We want peace,” he said.",
        "She left.",
        "He shouted: “Stop!”",
        "Then he ran.",
    ]
    # a quotation left open runs to the end of the paragraph
    assert len(_split("He said “one. Two. Three.\nNext line.")) == 2


def test_sentences_line_breaks_spans_whitespace_and_offsets():
    text = "  Headline without stop\n\nFirst one. Second one?  \nMenu | Login"
    spans = [(0, text.index("Menu"))]
    got = sentences(text, spans)
    assert [text[a:b] for a, b in got] == ["Headline without stop", "First one.", "Second one?"]
    assert all(not text[a].isspace() and not text[b - 1].isspace() for a, b in got)
    assert sentence_at(got, text.index("Second")) == 2
    assert sentence_at(got, 0) is None  # leading whitespace belongs to no sentence
    assert sentence_at(got, text.index("Menu")) is None


def test_sentences_lowercase_after_stop_does_not_split():
    assert len(_split("He paid $3.50 for it. and then left.")) == 1


# -- pair patterns -----------------------------------------------------------------------------


def test_fled_to_and_from_with_evidence_and_spans():
    text = "Intro sentence here. Ivan Petrov fled to Georgia last week. Other text."
    cands = _run(text, ("Ivan Petrov", "Person", "ivan"), ("Georgia", "Place", "georgia"))
    (c,) = [c for c in cands if c.relation == "fledTo"]
    assert (c.subject, c.object, c.rule) == ("ivan", "georgia", "fled-to")
    assert c.evidence == "Ivan Petrov fled to Georgia last week."
    assert text[c.evidence_offset : c.evidence_offset + len(c.evidence)] == c.evidence
    assert text[slice(*c.subject_span)] == "Ivan Petrov"
    assert text[slice(*c.object_span)] == "Georgia"
    assert 0 < c.confidence <= 1
    text = "Anna Ivanova escaped from Russia."
    cands = _run(text, ("Anna Ivanova", "Person", "anna"), ("Russia", "Place", "russia"))
    assert ("anna", "fledFrom", "russia") in _facts(cands)


def test_negation_drops_and_hedging_weakens():
    spec = [("Ivan", "Person", "ivan"), ("Georgia", "Place", "georgia")]
    assert not [c for c in _run("Ivan did not flee to Georgia.", *spec) if c.relation == "fledTo"]
    assert not [c for c in _run("Ivan never went to Georgia.", *spec) if c.relation == "fledTo"]
    plain = _run("Ivan fled to Georgia.", *spec)[0].confidence
    hedged = _run("Ivan reportedly fled to Georgia.", *spec)[0].confidence
    could = [c for c in _run("Ivan could flee to Georgia.", *spec) if c.relation == "fledTo"]
    assert hedged < plain and could and could[0].confidence < plain


def test_direct_beats_distant():
    spec = [("Ivan", "Person", "ivan"), ("Georgia", "Place", "georgia")]
    near = _run("Ivan fled to Georgia.", *spec)[0]
    far = _run(
        "Ivan, who had long worked in a small shop and taught at a school for years, "
        "eventually fled to Georgia.", *spec
    )[0]
    assert near.relation == far.relation == "fledTo"
    assert near.confidence > far.confidence


def test_types_and_sentences_are_respected():
    # wrong types: an organisation does not flee; a person is not a destination
    text = "The Bank fled to Georgia. Ivan fled to Olga."
    cands = _run(text, ("The Bank", "Organisation", "bank"), ("Georgia", "Place", "georgia"),
                 ("Ivan", "Person", "ivan"), ("Olga", "Person", "olga"))  # fmt: skip
    assert not [c for c in cands if c.relation == "fledTo"]
    # two sentences apart
    text = "Ivan was tired. He packed. Later many fled to Georgia."
    cands = _run(text, ("Ivan", "Person", "ivan"), ("Georgia", "Place", "georgia"))
    assert ("ivan", "fledTo", "georgia") not in _facts(cands)


def test_coordinated_subjects_share_the_fact():
    text = "Sergei, Pavel and Oleg fled to Kazakhstan."
    cands = _run(text, ("Sergei", "Person", "s"), ("Pavel", "Person", "p"),
                 ("Oleg", "Person", "o"), ("Kazakhstan", "Place", "kz"))  # fmt: skip
    assert {(x, "fledTo", "kz") for x in "spo"} <= _facts(cands)


@pytest.mark.parametrize(
    "text, a, b, relation",
    [
        ("Olga Petrova, a member of Memorial, spoke.", ("Olga Petrova", "Person", "o"),
         ("Memorial", "Organisation", "m"), "memberOf"),
        ("Ivan joined the Red Cross in May.", ("Ivan", "Person", "i"),
         ("Red Cross", "Organisation", "m"), "memberOf"),
        ("Former Russian army officer Ivan left.", ("Ivan", "Person", "i"),
         ("Russian army", "Organisation", "m"), "formerMemberOf"),
        ("Ivan was a sergeant in the Russian army until May.", ("Ivan", "Person", "i"),
         ("Russian army", "Organisation", "m"), "formerMemberOf"),
        ("Ivan deserted from the Russian army.", ("Ivan", "Person", "i"),
         ("Russian army", "Organisation", "m"), "desertedFrom"),
        ("Acme Corp press secretary Jane Roe spoke.", ("Jane Roe", "Person", "i"),
         ("Acme Corp", "Organisation", "m"), "employedBy"),
        ("Jane Roe, a spokeswoman for Acme Corp, spoke.", ("Jane Roe", "Person", "i"),
         ("Acme Corp", "Organisation", "m"), "spokespersonFor"),
        ("Jane Roe, the president of Memorial, spoke.", ("Jane Roe", "Person", "i"),
         ("Memorial", "Organisation", "m"), "leads"),
        ("Ivan founded the group Free Voices in 2020.", ("Ivan", "Person", "i"),
         ("Free Voices", "Organisation", "m"), "founderOf"),
        ("Ivan was detained by the border police.", ("Ivan", "Person", "i"),
         ("border police", "Organisation", "m"), "arrestedBy"),
        ("Ivan told Reuters he was afraid.", ("Ivan", "Person", "i"),
         ("Reuters", "Organisation", "m"), "interviewedBy"),
        ("Ivan took part in the protest.", ("Ivan", "Person", "i"),
         ("protest", "Event", "m"), "participatedIn"),
        ("Ivan lives in Tbilisi now.", ("Ivan", "Person", "i"), ("Tbilisi", "Place", "m"),
         "residesIn"),
        ("Ivan, a teacher from Omsk, left.", ("Ivan", "Person", "i"), ("Omsk", "Place", "m"),
         "comesFrom"),
        ("Born in Omsk in Siberia, Ivan left.", ("Ivan", "Person", "i"), ("Omsk", "Place", "m"),
         "bornIn"),
        ("Ivan passed through Yerevan.", ("Ivan", "Person", "i"), ("Yerevan", "Place", "m"),
         "travelledVia"),
        ("The minister announced a mobilisation.", ("minister", "Person", "i"),
         ("mobilisation", "Event", "m"), "announced"),
        ("The protest took place in Omsk, Siberia.", ("Omsk", "Place", "i"),
         ("Siberia", "Place", "m"), "locatedIn"),
    ],
)  # fmt: skip
def test_patterns(text, a, b, relation):
    cands = _run(text, a, b)
    assert (a[2], relation, b[2]) in _facts(cands), _facts(cands)


def test_place_lists_are_not_containment():
    text = "Latvia, Lithuania, Estonia and Poland closed borders."
    specs = [(n, "Place", n.lower()) for n in ("Latvia", "Lithuania", "Estonia", "Poland")]
    assert not [c for c in _run(text, *specs) if c.relation == "locatedIn"]


def test_spouse_through_possessive_pronoun():
    text = "Ivan Petrov arrived in May. His wife Maria is with him."
    cands = _run(text, ("Ivan Petrov", "Person", "ivan"), ("Maria", "Person", "maria"))
    assert {("maria", "spouseOf", "ivan"), ("ivan", "spouseOf", "maria")} & _facts(cands)


def test_age_patterns():
    text = "Ivan Petrov, 32, left. A 49-year-old Olga Ivanova stayed. Pavel, 27 years old, ran."
    cands = _run(text, ("Ivan Petrov", "Person", "ivan"), ("Olga Ivanova", "Person", "olga"),
                 ("Pavel", "Person", "pavel"))  # fmt: skip
    assert {("ivan", "age", "32"), ("olga", "age", "49"), ("pavel", "age", "27")} <= _facts(
        cands
    )
    assert not [c for c in _run("Ivan, 2022, left.", ("Ivan", "Person", "i")) if c.relation]


def test_citizenship_from_demonym():
    text = "Ivan Petrov, a 49-year-old Russian, left for Finland, Russia's neighbour."
    cands = _run(text, ("Ivan Petrov", "Person", "ivan"), ("Finland", "Place", "finland"),
                 ("Russia", "Place", "russia-id"))  # fmt: skip
    assert ("ivan", "citizenOf", "russia-id") in _facts(cands)


def test_entry_restriction_modelled_as_in_curated_data():
    text = "Oslo decided to restrict the entry of Russian tourists on Friday."
    cands = _run(text, ("Oslo", "Place", "norway"),
                 ("restrict the entry of Russian tourists", "Event", "ban"))  # fmt: skip
    facts = _facts(cands)
    assert ("ban", "imposedBy", "norway") in facts
    assert ("ban", "appliesToCitizensOf", "russia") in facts  # slug: no "Russia" mention
    assert ("norway", "announced", "ban") in facts
    text = "Russians fear the new restrictions imposed by Norway, says Russia's press."
    cands = _run(text, ("new restrictions", "Event", "ban"), ("Norway", "Place", "norway"),
                 ("Russia", "Place", "russia-id"))  # fmt: skip
    assert ("ban", "imposedBy", "norway") in _facts(cands)
    assert ("ban", "appliesToCitizensOf", "russia-id") in _facts(cands)
    # an event that restricts nothing about entry is no entry restriction
    text = "Oslo decided to limit fishing quotas."
    cands = _run(text, ("Oslo", "Place", "norway"), ("limit fishing quotas", "Event", "q"))
    assert not [c for c in cands if c.relation in ("imposedBy", "appliesToCitizensOf")]


def test_date_qualifier_only_day_month_year_values():
    text = "Ivan fled to Georgia on 21 September 2022."
    ms = [_m(text, "Ivan", "Person", "ivan"), _m(text, "Georgia", "Place", "georgia")]
    date = Mention(text.index("21"), text.index("2022") + 4, "21 September 2022", "Date",
                   value="2022-09-21")  # fmt: skip
    (c,) = [c for c in extract_relations(_doc(text), ms, [date]) if c.relation == "fledTo"]
    assert c.date == "2022-09-21"
    week = Mention(date.start, date.end, date.text, "Date", value="2022-W38")
    (c,) = [c for c in extract_relations(_doc(text), ms, [week]) if c.relation == "fledTo"]
    assert c.date is None
    # dates are for events, not for static facts
    text = "Ivan lives in Tbilisi since May 2023."
    ms = [_m(text, "Ivan", "Person", "ivan"), _m(text, "Tbilisi", "Place", "t")]
    may = Mention(text.index("May"), len(text) - 1, "May 2023", "Date", value="2023-05")
    (c,) = extract_relations(_doc(text), ms + [may])
    assert c.relation == "residesIn" and c.date is None


# -- quotations --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, speaker",
    [
        ("“We will not fight this war,” said Ivan Petrov.", "Ivan Petrov"),
        ("“We will not fight this war,” Ivan Petrov told AFP.", "Ivan Petrov"),
        ("“We will not fight this war,” Ivan Petrov, a 30-year-old engineer, says.",
         "Ivan Petrov"),
        ("Ivan Petrov said: “We will not fight this war.”", "Ivan Petrov"),
        ('"We will not fight this war," says Ivan Petrov.', "Ivan Petrov"),
    ],
)  # fmt: skip
def test_quotation_with_speaker(text, speaker):
    cands = _run(text, (speaker, "Person", "ivan"))
    (c,) = [c for c in cands if c.relation == "said"]
    assert c.subject == "ivan"
    assert c.value.startswith("We will not fight this war")
    assert c.value in text and c.evidence == text


def test_quotation_speaker_through_pronoun_and_continuation():
    text = (
        "Ivan Petrov crossed the border on foot. “I left everything behind,” he says. "
        "“My family is still there and I worry about them.”"
    )
    cands = _run(text, ("Ivan Petrov", "Person", "ivan"))
    said = [c for c in cands if c.relation == "said"]
    assert [c.subject for c in said] == ["ivan", "ivan"]
    assert said[0].rule.startswith("said-quote") and said[1].rule == "said-continuation"
    assert said[1].confidence < said[0].confidence
    # the wrong gender is skipped: "the woman" is not Ivan
    text = "Ivan Petrov and his wife Anna came. “We had no choice at all,” says the woman."
    cands = _run(text, ("Ivan Petrov", "Person", "ivan"), ("Anna", "Person", "anna"))
    assert [c.subject for c in cands if c.relation == "said"] == ["anna"]


def test_indirect_speech_and_according_to():
    text = "Jane Roe said the border would stay open for students."
    (c,) = [c for c in _run(text, ("Jane Roe", "Person", "jane")) if c.relation == "said"]
    assert c.value == "the border would stay open for students"
    text = "Queues grew to ten kilometres, according to the Border Guard."
    cands = _run(text, ("Border Guard", "Organisation", "bg"))
    assert ("bg", "said", "Queues grew to ten kilometres") in _facts(cands)
    # a scare quote is no quotation of the person named before it
    text = "The minister announced a “partial mobilisation” today."
    cands = _run(text, ("minister", "Person", "m"))
    assert not [c for c in cands if c.relation == "said"]


def test_gold_relations_map_to_ontology_properties():
    from kg_builder.ontology import load_ontology

    props = load_ontology(Path(__file__).resolve().parents[1] / "ontology").fact_properties
    assert {v for v in GOLD_RELATIONS.values() if v} <= set(props)
    assert GOLD_RELATIONS["age_at_publication"] == "age" and GOLD_RELATIONS["other"] is None
    assert props["fledTo"].domain.endswith("Person")


# -- the corpus --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus():
    if not GOLD.is_dir() or not CORPUS.is_dir():
        pytest.skip("../shared corpus and gold are not present")
    return corpus_run()


def test_corpus_evidence_is_verbatim_and_outside_boilerplate(corpus):
    golds, cands = corpus
    for doc_id, cs in cands.items():
        text = (CORPUS / golds[doc_id]["doc"]).read_text(encoding="utf-8")
        boiler = [(b["start"], b["end"]) for b in golds[doc_id]["boilerplate"]]
        for c in cs:
            end = c.evidence_offset + len(c.evidence)
            assert text[c.evidence_offset : end] == c.evidence
            assert not any(s < end and c.evidence_offset < e for s, e in boiler)
            assert 0 < c.confidence <= 1


def test_corpus_scores(corpus):
    table = score(corpus[1], corpus[0])
    overall = table["overall"]
    assert overall["precision"] >= 0.72
    assert overall["recall"] >= 0.42
    assert table["said"]["recall"] >= 0.5
    assert table["fled_to"]["precision"] >= 0.75


# -- patterns added for unseen articles (issue 16) ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "specs", "fact"),
    [
        ("Oleg Varin was deported to Russia in March.",
         [("Oleg Varin", "Person", "oleg"), ("Russia", "Place", "russia")],
         ("oleg", "deportedTo", "russia")),
        ("Ardania deported Oleg Varin after a short hearing.",
         [("Ardania", "Place", "ardania"), ("Oleg Varin", "Person", "oleg")],
         ("oleg", "deportedFrom", "ardania")),
        ("Oleg Varin was granted political asylum in Norland last year.",
         [("Oleg Varin", "Person", "oleg"), ("Norland", "Place", "norland")],
         ("oleg", "grantedAsylumIn", "norland")),
        ("Oleg Varin was denied asylum in Norland in May.",
         [("Oleg Varin", "Person", "oleg"), ("Norland", "Place", "norland")],
         ("oleg", "refusedAsylumIn", "norland")),
        ("The Kelvast Party and its founder, Ivo Marek, were banned.",
         [("Kelvast Party", "Organisation", "kp"), ("Ivo Marek", "Person", "ivo")],
         ("ivo", "founderOf", "kp")),
    ],
)
def test_deportation_asylum_and_founders(text, specs, fact):
    assert fact in _facts(_run(text, *specs))


def test_charges_sentences_and_offices():
    text = ("A military court sentenced Oleg Varin to five years in a penal colony over charges "
            "of desertion during mobilisation.")
    facts = _facts(_run(text, ("Oleg Varin", "Person", "oleg")))
    assert ("oleg", "sentencedTo", "five years in a penal colony") in facts
    assert ("oleg", "chargedWith", "desertion during mobilisation") in facts
    text = "Ivo Marek, 31, was charged with illegally crossing the border and fled."
    assert ("ivo", "chargedWith", "illegally crossing the border") in _facts(
        _run(text, ("Ivo Marek", "Person", "ivo")))
    text = "Ivo Marek was handed a six-month suspended sentence on Monday."
    assert ("ivo", "sentencedTo", "a six-month suspended sentence") in _facts(
        _run(text, ("Ivo Marek", "Person", "ivo")))
    text = "Ivo Marek was not charged with anything."
    assert not [c for c in _run(text, ("Ivo Marek", "Person", "ivo")) if c.relation == "chargedWith"]
    text = "Interior Minister Tamaz Kvirkelia said the border would stay open."
    assert ("tk", "jobTitle", "Interior Minister") in _facts(
        _run(text, ("Tamaz Kvirkelia", "Person", "tk")))
    text = "Tamaz Kvirkelia, the deputy foreign minister, arrived on Monday."
    assert ("tk", "jobTitle", "deputy foreign minister") in _facts(
        _run(text, ("Tamaz Kvirkelia", "Person", "tk")))


def test_no_speaker_for_a_rumour_and_no_subject_across_a_reported_clause():
    text = "Oleg Varin is said to have left the country in October."
    assert not [c for c in _run(text, ("Oleg Varin", "Person", "oleg")) if c.relation == "said"]
    # the spokesman does not get the asylum the deserters would be granted
    text = "Spokesman Ivo Marek said deserters would be granted refugee status in Norland."
    facts = _facts(_run(text, ("Ivo Marek", "Person", "ivo"), ("Norland", "Place", "norland")))
    assert not [f for f in facts if f[1] == "grantedAsylumIn"]


def test_headlines_captions_and_datelines_give_no_relations():
    text = ("Oleg Varin flees to Norland\n"
            "Oleg Varin at the border crossing in Norland. (Photo: Ivo Marek/AFP)\n"
            "KELVAST, Norland (AP) — Oleg Varin arrived in Norland on Monday.")
    specs = [("Oleg Varin", "Person", "oleg", 0), ("Norland", "Place", "norland", 0),
             ("Oleg Varin", "Person", "oleg", 1), ("Norland", "Place", "norland", 1),
             ("Norland", "Place", "norland", 2), ("Oleg Varin", "Person", "oleg", 2),
             ("Norland", "Place", "norland", 3)]
    cands = _run(text, *specs)
    body = text.index("Oleg Varin arrived")
    assert cands and all(c.evidence_offset == body for c in cands), [c.evidence for c in cands]
    assert ("oleg", "fledTo", "norland") in _facts(cands)
