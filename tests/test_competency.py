"""Every question of ../shared/competency-questions.yaml is answered by its query in queries/.

Answers are compared by entity label, case- and accent-insensitively, as the file specifies.
"""

from __future__ import annotations

import unicodedata

import pytest
import yaml

from kg_builder.queries import Catalogue
from kg_builder.queries import run as query_run
from tests.conftest import REPO as PROJECT_DIR

from .conftest import SHARED, expect_engine_limit

QUERIES = PROJECT_DIR / "queries"
CATALOGUE = Catalogue(QUERIES)


def norm(value) -> str:
    text = unicodedata.normalize("NFKD", str(value))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold().strip()


def questions():
    if SHARED is None:
        return []
    return yaml.safe_load((SHARED / "competency-questions.yaml").read_text("utf-8"))


QUESTIONS = {q["id"]: q for q in questions()}


def run(store, qid):
    return [
        {k: (None if v is None else str(v)) for k, v in row.items()}
        for row in query_run(store, CATALOGUE.get(qid)).dicts()
    ]


def column(rows, name):
    return [norm(r[name]) for r in rows if r.get(name) is not None]


def test_every_question_has_a_query_with_a_question_header():
    assert QUESTIONS, "competency questions not found"
    for qid, q in QUESTIONS.items():
        path = QUERIES / f"{qid}.rq"
        assert path.is_file(), f"no query for {qid}"
        header = path.read_text("utf-8").splitlines()[0]
        assert header.startswith("# Question:") and norm(q["question"][:30]) in norm(header)
        assert "ORDER BY" in CATALOGUE.get(qid).text, f"{qid}: results must be ordered"


def test_deserters_and_destinations(store):
    rows = run(store, "deserters-and-destinations")
    got = {(norm(r["person"]), norm(r["first_refuge"]), norm(r["now_in"])) for r in rows}
    for exp in QUESTIONS["deserters-and-destinations"]["expect"]:
        assert (norm(exp["person"]), norm(exp["first_refuge"]), norm(exp["now_in"])) in got
    sources = set(" ".join(r["sources"] for r in rows).split())
    assert sources == set(QUESTIONS["deserters-and-destinations"]["sources"])


def test_helpers_of_deserters(store):
    rows = run(store, "helpers-of-deserters")
    names = column(rows, "organisation")
    for expected in QUESTIONS["helpers-of-deserters"]["expect_min"]:
        assert norm(expected) in names
    assert all(r["activity"] or r["helps"] for r in rows), "each helper says what it does"


def test_entry_restrictions(store):
    rows = run(store, "entry-restrictions")
    for expected in QUESTIONS["entry-restrictions"]["expect_min"]:
        assert norm(expected) in column(rows, "state")
    finland = [r for r in rows if norm(r["state"]) == "finland"]
    assert finland[0]["from"] == "2022-09-30" and finland[0]["announced"] == "2022-09-23"
    assert "schengen tourist visa" in norm(finland[0]["for_whom"])
    assert all(r["for_whom"] for r in rows)


def test_exit_routes(store):
    rows = run(store, "exit-routes")
    places = column(rows, "place")
    for expected in QUESTIONS["exit-routes"]["expect_min"]:
        assert norm(expected) in places
    assert "russia" not in places


def test_mobilisation(store):
    rows = run(store, "mobilisation")
    exp = QUESTIONS["mobilisation"]["expect"]
    assert len(rows) == 1
    assert norm(rows[0]["announced_by"]) == norm(exp["announced_by"])
    assert rows[0]["date"] == exp["date"]
    assert int(rows[0]["reservists"]) == exp["reservists"]


def test_officials_on_the_exodus(store):
    rows = run(store, "officials-on-the-exodus")
    got = {norm(r["person"]): r for r in rows}
    for exp in QUESTIONS["officials-on-the-exodus"]["expect"]:
        row = got[norm(exp["person"])]
        assert norm(row["country"]) == norm(exp["country"])
        # office: the expected words appear in the stated office
        office = norm(row["office"])
        assert all(w in office for w in norm(exp["office"]).split() if len(w) > 3), (exp, office)


def test_quotes(store):
    rows = run(store, "quotes")
    people = set(column(rows, "person"))
    for expected in QUESTIONS["quotes"]["expect_min_people"]:
        assert norm(expected) in people
    assert all(r["quote"] and r["article"] and r["agency"] for r in rows)
    agencies = {r["article"]: r["agency"] for r in rows}
    assert agencies["002_aa80568b4da406dd"] == "Associated Press"
    assert agencies["001_018f0621839ca5c8"] == "Deutsche Welle"


def test_amonov_timeline_order(store):
    rows = run(store, "amonov-timeline")
    keywords = ["fired", "flown to", "escape", "flight", "detention", "admission"]
    assert len(rows) == len(QUESTIONS["amonov-timeline"]["expect_order"]) == len(keywords)
    for row, keyword in zip(rows, keywords, strict=True):
        assert keyword in norm(row["event"]), [r["event"] for r in rows]
    earliest = [r["earliest"] for r in rows]
    assert earliest == sorted(earliest)


def test_internal_passport_countries(store):
    rows = run(store, "internal-passport-countries")
    assert sorted(column(rows, "country")) == sorted(
        norm(c) for c in QUESTIONS["internal-passport-countries"]["expect"]
    )


def test_families(store):
    rows = run(store, "families")
    people = column(rows, "person")
    for expected in QUESTIONS["families"]["expect_min"]:
        assert norm(expected.split(" (")[0]) in people
    alexander = " ".join(r["family"] for r in rows if r["person"] == "Alexander")
    assert "Irina" in alexander
    viktor = [r for r in rows if r["person"] == "Viktor Zakharov"][0]
    assert viktor["relation"] == "fled with" and "three children" in viktor["family"]
    alex = [r for r in rows if r["person"] == "Alex"][0]
    assert alex["relation"] == "left behind" and "child" in alex["family"]


def test_source_disagreements(store, backend, request):
    expect_engine_limit(request, backend, "source-disagreements")
    rows = run(store, "source-disagreements")
    olga = [r for r in rows if r["subject"] == "Olga Prokopieva"]
    assert olga and {
        norm(olga[0]["value_1"]).split(" (")[0],
        norm(olga[0]["value_2"]).split(" (")[0],
    } == {"free russia", "russia-libertes"}
    border = [r for r in rows if "border" in norm(r["subject"])]
    assert border and {border[0]["value_1"], border[0]["value_2"]} == {"1340", "1300"}
    assert {border[0]["source_1"], border[0]["source_2"]} == {
        "002_aa80568b4da406dd",
        "004_778bbb137ffcf9e7",
    }


def test_people_by_source(store):
    rows = run(store, "people-by-source")
    got = {norm(r["person"]): set(r["sources"].split()) for r in rows}
    for exp in QUESTIONS["people-by-source"]["expect_min"]:
        assert got[norm(exp["person"])] == set(exp["sources"])


@pytest.mark.parametrize("path", sorted((QUERIES / "checks").glob("*.rq")), ids=lambda p: p.stem)
def test_hygiene_checks_return_nothing(store, path):
    assert store.select(path.read_text("utf-8")) == []
