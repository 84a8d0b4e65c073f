"""Writes the gold annotations (*.json, the format of ../shared/gold) of the articles here.

The articles were written for tests/test_extract_unseen.py, after the rules, and nobody tuned a
rule to them. Annotations name a phrase and are turned into character offsets here, so they
are exact: `python tests/data/extract/unseen/build_gold.py` rewrites the JSON files.

Conventions (as ../shared/gold): nationality adjectives and generic "the army" are not
entities; a capital standing for its state ("sanctions against Moscow") is the country; ages
and amounts are Quantities; weekday dates are resolved from the publication dates of
sources.yaml. Entities the corpus graph already has keep its ids (georgia, samara,
partial-mobilisation-2022, kazakh-police, ...). A new person, organisation or place takes
the id `kg extract` proposes for a new entity (its name as a slug; a bare first name with the
article's first three letters), so that linking can be scored; new events take descriptive ids.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Mentions: (phrase, type, entity, which), which = None for every occurrence in the article
# body, an int for the n-th (0-based) occurrence. Relations: (subject, relation, object, date,
# the words that open the evidence sentence).

ARTICLES: dict[str, dict] = {
    "geo_upper_lars.txt": {
        "boilerplate": ["Share this article", "Read more: Fuel prices rise again in the capital",
                        "12 comments"],
        "mentions": [
            ("call-up", "Event", "partial-mobilisation-2022", None),
            ("Thousands", "Quantity", "qty-thousands-of-men", None),
            ("Upper Lars", "Place", "upper-lars", None),
            ("Monday", "Date", "date-2022-09-26", None),
            ("Georgia", "Place", "georgia", None),
            ("more than 20 kilometres", "Quantity", "qty-more-than-20-km", None),
            ("North Ossetia", "Place", "north-ossetia", None),
            ("Kazan", "Place", "kazan", None),
            ("war", "Event", "russian-invasion-of-ukraine", None),
            ("Dmitry Orlov", "Person", "dmitry-orlov", None),
            ("29-year-old", "Quantity", "qty-age-29", None),
            ("Tbilisi", "Place", "tbilisi", None),
            ("Sunday", "Date", "date-2022-09-25", None),
            ("Orlov", "Person", "dmitry-orlov", 1),
            ("the day after", "Date", "date-2022-09-22", None),
            ("Vladimir Putin", "Person", "vladimir-putin", None),
            ("mobilisation", "Event", "partial-mobilisation-2022", None),
            ("last Wednesday", "Date", "date-2022-09-21", None),
            ("Pavel", "Person", "pavel-geo", None),
            ("Russia", "Place", "russia", None),
            ("Alexander", "Person", "alexander-geo", None),
            ("38-year-old", "Quantity", "qty-age-38", None),
            ("Samara", "Place", "samara", None),
            ("three nights", "Quantity", "qty-3-nights", None),
            ("Nino Beridze", "Person", "nino-beridze", None),
            ("Tuesday", "Date", "date-2022-09-27", None),
            ("about 10,000", "Quantity", "qty-about-10000-per-day", None),
            ("Georgian Red Cross Society", "Organisation", "georgian-red-cross-society",
               None),
            ("a year", "Quantity", "qty-1-year", None),
        ],
        "relations": [
            ("vladimir-putin", "job_title", "President", None, "Orlov decided"),
            ("nino-beridze", "job_title", "Interior Minister", None, "Georgian Interior"),
            ("dmitry-orlov", "said", "I left everything behind in Kazan. I do not want to die "
             "in a war I never chose", None, "\"I left everything"),
            ("dmitry-orlov", "age_at_publication", "29", "2022-09-27", "\"I left everything"),
            ("dmitry-orlov", "fled_to", "tbilisi", "2022-09-25", "\"I left everything"),
            ("vladimir-putin", "announced", "partial-mobilisation-2022", "2022-09-21",
             "Orlov decided"),
            ("pavel-geo", "relative_of", "dmitry-orlov", None, "His brother Pavel"),
            ("alexander-geo", "age_at_publication", "38", "2022-09-27", "Another man"),
            ("alexander-geo", "resides_in", "samara", None, "Another man"),
            ("alexander-geo", "said", "he had slept in his car for three nights", None,
             "Another man"),
            ("alexander-geo", "said", "Nobody at the factory told us anything", None,
             "Nobody at the factory"),
            ("nino-beridze", "employed_by", "georgia", None, "Georgian Interior Minister"),
            ("nino-beridze", "said", "about 10,000 people were entering the country every day, "
             "roughly twice the number recorded before the mobilisation", "2022-09-27",
             "Georgian Interior Minister"),
        ],
    },
    "kaz_steppe_shelter.txt": {
        "boilerplate": ["Share this story", "Related: Oil exports rise in the first quarter"],
        "mentions": [
            ("Almaty", "Place", "almaty", None),
            ("ALMATY", "Place", "almaty", None),
            ("Kazakhstan", "Place", "kazakhstan", None),
            ("more than 120", "Quantity", "qty-more-than-120-soldiers", None),
            ("deserted", "Event", "russian-army-desertions", 0),
            ("war", "Event", "russian-invasion-of-ukraine", None),
            ("Ukraine", "Place", "ukraine", None),
            ("Steppe Shelter Foundation", "Organisation", "steppe-shelter-foundation", None),
            ("November 2022", "Date", "date-2022-11", None),
            ("Aigerim Nurlanova", "Person", "aigerim-nurlanova", None),
            ("41-year-old", "Quantity", "qty-age-41", None),
            ("Nurlanova", "Person", "aigerim-nurlanova", 1),
            ("Nurlanova", "Person", "aigerim-nurlanova", 2),
            ("Sergei", "Person", "sergei-kaz", None),
            ("24-year-old", "Quantity", "qty-age-24", None),
            ("Chelyabinsk", "Place", "chelyabinsk", None),
            ("last month", "Date", "date-2023-02", None),
            ("deserted", "Event", "sergei-kaz-desertion", 1),
            ("Belgorod region", "Place", "belgorod-oblast", None),
            ("Reuters", "Organisation", "reuters", None),
            ("Kazakh police", "Organisation", "kazakh-police", None),
            ("detained", "Event", "almaty-hostel-detention-2023", None),
            ("two", "Quantity", "qty-2-deserters", None),
            ("Friday", "Date", "date-2023-03-10", None),
            ("Kazakh authorities", "Organisation", "kazakh-authorities", None),
            ("Last year", "Date", "date-2022", None),
            ("about 15", "Quantity", "qty-about-15-requests", None),
        ],
        "relations": [
            ("russian-invasion-of-ukraine", "located_in", "ukraine", None, "ALMATY"),
            ("sergei-kaz-desertion", "located_in", "belgorod-oblast", None, "He said he had"),
            ("aigerim-nurlanova", "founded", "steppe-shelter-foundation", "2022-11",
             "The Steppe Shelter Foundation"),
            ("aigerim-nurlanova", "age_at_publication", "41", "2023-03-15",
             "The Steppe Shelter Foundation"),
            ("aigerim-nurlanova", "said", "Most of them arrive with nothing but a phone and an "
             "internal passport", None, "\"Most of them"),
            ("aigerim-nurlanova", "said", "They are afraid of every knock on the door", None,
             "\"They are afraid"),
            ("sergei-kaz", "age_at_publication", "24", "2023-03-15", "One of them"),
            ("sergei-kaz", "resides_in", "chelyabinsk", None, "One of them"),
            ("sergei-kaz", "fled_to", "kazakhstan", "2023-02", "One of them"),
            ("sergei-kaz", "said", "he had deserted from his unit in the Belgorod region after "
             "his commander ordered the platoon to the front", None, "He said he had"),
            ("sergei-kaz", "said", "I could not shoot at people who had done nothing to me",
             None, "\"I could not shoot"),
            ("sergei-kaz", "interviewed_by", "reuters", None, "\"I could not shoot"),
            ("almaty", "located_in", "kazakhstan", None, "ALMATY, Kazakhstan"),
            ("aigerim-nurlanova", "said", "the foundation now receives about 15 requests a week",
             None, "Nurlanova said the foundation"),
            ("aigerim-nurlanova", "said", "We cannot help everyone, but we will not stop", None,
             "Nurlanova said the foundation"),
        ],
    },
    "srb_visa_rule.txt": {
        "boilerplate": ["Posted in: Europe, Migration"],
        "mentions": [
            ("Serbia", "Place", "serbia", None),
            ("BELGRADE", "Place", "belgrade", None),
            ("Thursday", "Date", "date-2023-11-09", None),
            ("more than 200,000", "Quantity", "qty-more-than-200000-russians", None),
            ("2022", "Date", "date-2022", 0),
            ("December 1", "Date", "date-2023-12-01", None),
            ("Russia", "Place", "russia", None),
            ("30 days", "Quantity", "qty-30-days", None),
            ("six-month", "Quantity", "qty-6-months", None),
            ("90", "Quantity", "qty-90-days", None),
            ("Milan Petrovi\u0107", "Person", "milan-petrovic", None),
            ("decision", "Event", "serbia-visa-limit-2023", None),
            ("Belgrade", "Place", "belgrade", None),
            ("Novi Sad", "Place", "novi-sad", None),
            ("Alexandra Veselova", "Person", "alexandra-veselova", None),
            ("34", "Quantity", "qty-age-34", None),
            ("Kazan", "Place", "kazan", None),
            ("Ilya", "Person", "ilya-srb", None),
            ("October 2022", "Date", "date-2022-10", None),
            ("two weeks after", "Date", "date-2022-10-05", None),
            ("mobilisation", "Event", "partial-mobilisation-2022", None),
            ("Pixelhaus", "Organisation", "pixelhaus", None),
            ("eleven", "Quantity", "qty-11-russians", None),
            ("Russian embassy", "Organisation", "russian-embassy-in-serbia", None),
            ("European Union", "Organisation", "european-union", None),
            ("sanctions", "Event", "eu-sanctions-against-russia", None),
            ("Moscow", "Place", "russia", None),
            ("call-up", "Event", "partial-mobilisation-2022", None),
            ("European Commission", "Organisation", "european-commission", None),
            ("EU", "Organisation", "european-union", None),
        ],
        "relations": [
            ("serbia", "restricts_entry_of", "Russian citizens", "2023-11-09", "BELGRADE"),
            ("milan-petrovic", "employed_by", "serbia", None, "Under the new rule"),
            ("milan-petrovic", "job_title", "Interior Minister", None, "Interior Minister"),
            ("milan-petrovic", "said", "a matter of order, not of politics", None,
             "Under the new rule"),
            ("alexandra-veselova", "age_at_publication", "34", "2023-11-10", "Many of the"),
            ("alexandra-veselova", "resides_in", "kazan", None, "Alexandra Veselova"),
            ("alexandra-veselova", "fled_to", "belgrade", "2022-10", "Alexandra Veselova"),
            ("ilya-srb", "spouse_of", "alexandra-veselova", None, "Alexandra Veselova"),
            ("alexandra-veselova", "said", "We built a life here. Now every month we will have "
             "to think about the border", None, "\"We built"),
            ("alexandra-veselova", "employed_by", "pixelhaus", None, "Her employer"),
            ("russian-embassy-in-serbia", "located_in", "belgrade", None, "The Russian embassy"),
            ("russian-embassy-in-serbia", "said", "it regretted the decision", None,
             "The Russian embassy"),
        ],
    },
    "arm_yerevan_cafes.html": {
        "boilerplate": [
            "News / Armenia / Society",
            "A cafe in Yerevan on Monday. Photo: Lilit Sargsyan/Caucasus Courier",
            "Share Facebook Twitter Telegram", "Related", "Tbilisi rents double in a month",
            "Kazakhstan opens new border post", "2 comments",
            "Boris Ivanov from Tver: My cousin Mikhail also moved to Yerevan, he loves it.",
            "Ani K.: Prices in Kentron are crazy now.",
        ],
        "mentions": [
            ("Yerevan", "Place", "yerevan", None),
            ("YEREVAN", "Place", "yerevan", None),
            ("thousands", "Quantity", "qty-thousands-of-programmers", None),
            ("mobilisation", "Event", "partial-mobilisation-2022", None),
            ("two weeks ago", "Date", "date-2022-w38", None),
            ("Armenia", "Place", "armenia", None),
            ("economy ministry", "Organisation", "armenian-economy-ministry", None),
            ("about 40,000", "Quantity", "qty-about-40000-russians", None),
            ("September", "Date", "date-2022-09", 0),
            ("Russia", "Place", "russia", None),
            ("September 23", "Date", "date-2022-09-23", None),
            ("Mikhail Sokolov", "Person", "mikhail-sokolov", None),
            ("31-year-old", "Quantity", "qty-age-31", None),
            ("Novosibirsk", "Place", "novosibirsk", None),
            ("Lernagir", "Organisation", "lernagir", None),
            ("Two days later", "Date", "date-2022-09-25", None),
            ("Anna Hakobyan", "Person", "anna-hakobyan", None),
            ("Abovyan Street", "Place", "abovyan-street", None),
            ("Armenian government", "Organisation", "armenian-government", None),
            ("180 days", "Quantity", "qty-180-days", None),
        ],
        "relations": [
            ("mikhail-sokolov", "fled_to", "yerevan", "2022-09-23", "\u201cWe flew"),
            ("mikhail-sokolov", "said", "We flew to Yerevan on September 23 with one suitcase "
             "each", None, "\u201cWe flew"),
            ("mikhail-sokolov", "said", "Two days later we had a flat and a desk here", None,
             "\u201cWe flew"),
            ("mikhail-sokolov", "age_at_publication", "31", "2022-10-05", "\u201cWe flew"),
            ("mikhail-sokolov", "resides_in", "novosibirsk", None, "\u201cWe flew"),
            ("mikhail-sokolov", "employed_by", "lernagir", None, "\u201cWe flew"),
            ("anna-hakobyan", "said", "the newcomers were polite but that prices went up "
             "overnight", None, "Anna Hakobyan"),
            ("armenian-government", "said", "it will not restrict entry for Russians, who can "
             "stay for 180 days without a visa", None, "The Armenian government"),
        ],
    },
}


def article_text(name: str) -> str:
    """The text offsets refer to: the file for plain text, the visible text for HTML."""
    from kg_builder.extraction.text import read_document

    return read_document(HERE / name).text


def _find_all(text: str, phrase: str) -> list[int]:
    pattern = r"(?<!\w)" + re.escape(phrase) + r"(?!\w)"
    return [m.start() for m in re.finditer(pattern, text)]


def _inside(pos: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= pos and end <= e for s, e in spans)


def _sentence(text: str, anchor: str) -> tuple[int, str]:
    """The line-internal sentence that starts at `anchor` (whole paragraph up to a full stop
    before a capital or the end of the line)."""
    start = text.index(anchor)
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    m = re.compile(r"[.!?][\u201d\"]?(?=\s+[A-Z\u201c\"])").search(text, start, line_end)
    end = m.end() if m else line_end
    return start, text[start:end]


def build(name: str, spec: dict) -> dict:
    text = article_text(name)
    boiler = []
    for phrase in spec["boilerplate"]:
        s = text.index(phrase)
        boiler.append({"start": s, "end": s + len(phrase), "text": phrase})
    spans = [(b["start"], b["end"]) for b in boiler]
    mentions = []
    for phrase, type_, entity, which in spec["mentions"]:
        found = [p for p in _find_all(text, phrase) if not _inside(p, p + len(phrase), spans)]
        if not found:
            raise ValueError(f"{name}: {phrase!r} not found")
        chosen = found if which is None else [found[which]]
        for s in chosen:
            mentions.append({"start": s, "end": s + len(phrase), "text": phrase, "type": type_,
                             "entity": entity})
    mentions.sort(key=lambda m: m["start"])
    for a, b in zip(mentions, mentions[1:], strict=False):
        if b["start"] < a["end"]:
            raise ValueError(f"{name}: overlapping mentions {a['text']!r} and {b['text']!r}")
    relations = []
    for subject, relation, obj, date, anchor in spec["relations"]:
        start, sentence = _sentence(text, anchor)
        relations.append({"subject": subject, "relation": relation, "object": obj,
                          "date": date, "evidence": sentence, "evidence_start": start})
    ids = sorted({m["entity"] for m in mentions if m["type"] not in ("Date", "Quantity")})
    return {"doc": name, "boilerplate": boiler, "mentions": mentions,
            "entities": [{"id": i} for i in ids], "relations": relations}


def main() -> None:
    for name, spec in ARTICLES.items():
        gold = build(name, spec)
        out = HERE / (Path(name).stem + ".json")
        out.write_text(json.dumps(gold, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(out.name, len(gold["mentions"]), "mentions", len(gold["relations"]), "relations")


if __name__ == "__main__":
    main()
