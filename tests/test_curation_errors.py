"""Every kind of bad curated input gets an error naming file, line and the problem.

Each case injects one fault into a copy of the real curated data and checks the loader's
message; the rest of the data stays valid, so exactly the injected problem is reported.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg_builder.curation import load_curated
from kg_builder.ontology import load_ontology
from kg_builder.sources.corpus import Corpus
from tests.conftest import REPO as PROJECT_DIR

from .conftest import CORPUS, needs_corpus

ONTO = load_ontology(PROJECT_DIR / "ontology")
FACTS_002 = "facts/002_aa80568b4da406dd.yaml"


def _append(path: Path, text: str) -> int:
    """Append text to a file; return the 1-based line where it starts."""
    existing = path.read_text(encoding="utf-8")
    if not existing.endswith("\n"):
        existing += "\n"
    path.write_text(existing + text, encoding="utf-8")
    return existing.count("\n") + 1


def _errors(data_dir: Path, corpus=True):
    _, problems = load_curated(data_dir, ONTO, Corpus(CORPUS) if corpus and CORPUS else None)
    return [p for p in problems if p.severity == "error"]


def _only(errors, file_suffix: str, line: int | None, *fragments: str):
    assert len(errors) == 1, "\n".join(map(str, errors))
    err = errors[0]
    assert err.file.endswith(file_suffix), err
    if line is not None:
        assert err.line == line, err
    for fragment in fragments:
        assert fragment in err.message, err
    return err


@needs_corpus
def test_real_data_has_no_problems(curated_copy):
    assert _errors(curated_copy) == []


def test_yaml_syntax_error_names_line(curated_copy):
    path = curated_copy / "facts" / "extra.yaml"
    path.write_text('source: "002"\nfacts:\n  - subject: yevgeny\n    relation: [fledTo\n', "utf-8")
    err = _only(_errors(curated_copy, corpus=False), "facts/extra.yaml", None, "YAML syntax error")
    assert err.line in (4, 5)


def test_duplicate_key_is_a_yaml_error(curated_copy):
    path = curated_copy / "facts" / "extra.yaml"
    path.write_text(
        'source: "002"\nfacts:\n  - subject: yevgeny\n    subject: yuri-from-moscow\n'
        "    relation: fledTo\n    object: turkey\n",
        "utf-8",
    )
    _only(_errors(curated_copy, corpus=False), "facts/extra.yaml", 4, "duplicate key 'subject'")


def test_unknown_type_with_suggestion(curated_copy):
    path = curated_copy / "entities" / "people.yaml"
    line = _append(path, "  - id: new-person\n    type: Persn\n    label: New Person\n")
    _only(
        _errors(curated_copy, corpus=False),
        "entities/people.yaml",
        line,
        "unknown type 'Persn'",
        "did you mean Person",
    )


def test_unknown_relation_with_suggestion(curated_copy):
    line = _append(
        curated_copy / FACTS_002,
        "  - subject: yevgeny\n    relation: fledInto\n    object: turkey\n"
        '    evidence: "Among those who reached Turkey"\n',
    )
    _only(
        _errors(curated_copy),
        FACTS_002,
        line + 1,
        "unknown relation 'fledInto'",
        "did you mean fledTo",
    )


def test_reference_to_undefined_entity(curated_copy):
    line = _append(
        curated_copy / FACTS_002,
        "  - subject: yevgeny\n    relation: fledTo\n    object: turky\n"
        '    evidence: "Among those who reached Turkey"\n',
    )
    _only(
        _errors(curated_copy),
        FACTS_002,
        line + 2,
        "object 'turky' is not a defined entity",
        "did you mean turkey",
    )


def test_domain_and_range_come_from_the_ontology(curated_copy):
    line = _append(
        curated_copy / FACTS_002,
        "  - subject: yevgeny\n    relation: fledTo\n    object: associated-press\n"
        '    evidence: "Among those who reached Turkey"\n',
    )
    _only(
        _errors(curated_copy),
        FACTS_002,
        line + 2,
        "'fledTo' expects any Place",
        "'associated-press' is a MediaOrganisation",
    )


def test_duplicate_entity_id_names_both_places(curated_copy):
    path = curated_copy / "entities" / "organisations.yaml"
    line = _append(path, "  - id: afp\n    type: NGO\n    label: Another AFP\n")
    err = _only(
        _errors(curated_copy, corpus=False),
        "entities/organisations.yaml",
        line,
        "duplicate entity id 'afp'",
    )
    assert "first defined at data/curated/entities/organisations.yaml" not in err.message
    assert "organisations.yaml:" in err.message


@pytest.mark.parametrize(
    "date, fragment",
    [
        ("2022-02-30", "impossible: February 2022 has 28 days"),
        ("2022-13-01", "month 13"),
        ("Friday", "not of the form"),
    ],
)
def test_invalid_or_impossible_date(curated_copy, date, fragment):
    line = _append(
        curated_copy / FACTS_002,
        f"  - subject: yevgeny\n    relation: fledTo\n    object: turkey\n"
        f'    date: "{date}"\n    evidence: "Among those who reached Turkey"\n',
    )
    _only(_errors(curated_copy), FACTS_002, line + 3, "invalid date qualifier", fragment)


def test_impossible_time_range(curated_copy):
    line = _append(
        curated_copy / FACTS_002,
        "  - subject: yevgeny\n    relation: fledTo\n    object: turkey\n"
        '    not_before: "2022-10-01"\n    not_after: "2022-09-01"\n'
        '    evidence: "Among those who reached Turkey"\n',
    )
    _only(_errors(curated_copy), FACTS_002, line, "impossible time qualifiers")


def test_missing_source(curated_copy):
    path = curated_copy / "facts" / "nosource.yaml"
    path.write_text(
        "facts:\n  - subject: yevgeny\n    relation: fledTo\n    object: turkey\n"
        '    evidence: "Among those who reached Turkey"\n',
        "utf-8",
    )
    _only(_errors(curated_copy), "facts/nosource.yaml", 2, "missing source")


def test_unknown_source(curated_copy):
    path = curated_copy / "facts" / "badsource.yaml"
    path.write_text(
        'source: "009_deadbeef"\nfacts:\n  - subject: yevgeny\n'
        '    relation: fledTo\n    object: turkey\n    evidence: "x"\n',
        "utf-8",
    )
    _only(_errors(curated_copy), "facts/badsource.yaml", 1, "unknown source '009_deadbeef'")


@needs_corpus
def test_evidence_not_found_in_article(curated_copy):
    line = _append(
        curated_copy / FACTS_002,
        "  - subject: yevgeny\n    relation: fledTo\n    object: turkey\n"
        '    evidence: "Yevgeny flew to Ankara on a Tuesday."\n',
    )
    _only(
        _errors(curated_copy),
        FACTS_002,
        line + 3,
        "evidence quote not found in the cited article 002_aa80568b4da406dd.txt",
    )


@needs_corpus
def test_evidence_from_another_article_is_not_found(curated_copy):
    # A sentence of article 004 cited as evidence from 002.
    line = _append(
        curated_copy / FACTS_002,
        "  - subject: yevgeny\n    relation: fledTo\n    object: turkey\n"
        '    evidence: "We are already behind an iron curtain"\n',
    )
    _only(_errors(curated_copy), FACTS_002, line + 3, "not found in the cited article")


@needs_corpus
def test_evidence_in_site_boilerplate_is_rejected(curated_copy):
    line = _append(
        curated_copy / FACTS_002,
        "  - subject: yevgeny\n    relation: fledTo\n    object: turkey\n"
        '    evidence: "Comments are closed."\n',
    )
    _only(_errors(curated_copy), FACTS_002, line + 3, "site boilerplate")


@needs_corpus
def test_evidence_matching_folds_typographic_quotes(curated_copy):
    # The article writes “I am against this war ...” with curly quotes.
    _append(
        curated_copy / FACTS_002,
        "  - subject: yevgeny\n    relation: said\n"
        '    value: "I am against this war and I will not be part of it."\n'
        "    evidence: '\"I am against this war and I will not be part of it.'\n",
    )
    assert _errors(curated_copy) == []


def test_csv_with_wrong_columns(curated_copy):
    path = curated_copy / "entities" / "more.csv"
    path.write_text("id,kind,label\nnarva,City,Narva\n", "utf-8")
    _only(
        _errors(curated_copy, corpus=False),
        "entities/more.csv",
        1,
        "wrong CSV columns",
        "missing column(s) type",
        "unknown column(s) kind",
    )


def test_csv_row_with_too_many_fields(curated_copy):
    path = curated_copy / "entities" / "more.csv"
    path.write_text("id,type,label\nnarva,City,Narva,Estonia\n", "utf-8")
    _only(_errors(curated_copy, corpus=False), "entities/more.csv", 2, "row has 4 fields")


def test_csv_facts_are_loaded_and_checked(curated_copy):
    path = curated_copy / "facts" / "sheet.csv"
    path.write_text(
        "subject,relation,object,value,source,evidence\n"
        'yevgeny,age,,forty-one,002,"a 41-year-old man who landed in Istanbul"\n',
        "utf-8",
    )
    _only(
        _errors(curated_copy, corpus=False),
        "facts/sheet.csv",
        2,
        "value of 'age' must be a whole number",
    )


def test_literal_relation_needs_value_not_object(curated_copy):
    line = _append(
        curated_copy / FACTS_002,
        "  - subject: yevgeny\n    relation: age\n    object: turkey\n"
        '    evidence: "a 41-year-old man"\n',
    )
    _only(_errors(curated_copy, corpus=False), FACTS_002, line, "'age' takes a literal")


def test_event_without_date(curated_copy):
    path = curated_copy / "entities" / "events.yaml"
    line = _append(
        path,
        "  - id: undated-protest\n    type: Protest\n    label: A protest\n"
        '    mentioned_in: ["000"]\n',
    )
    _only(
        _errors(curated_copy, corpus=False),
        "entities/events.yaml",
        line,
        "event 'undated-protest' has no date",
        "date: unknown",
    )


def test_every_problem_is_listed_not_only_the_first(curated_copy):
    _append(
        curated_copy / FACTS_002,
        "  - subject: nobody\n    relation: fledTo\n    object: turkey\n    evidence: x\n"
        "  - subject: yevgeny\n    relation: flewTo\n    object: turkey\n    evidence: x\n"
        "  - subject: yevgeny\n    relation: age\n    value: old\n    evidence: x\n",
    )
    errors = _errors(curated_copy, corpus=False)
    assert len(errors) == 3, errors


def test_name_instead_of_id_suggests_the_id(curated_copy):
    line = _append(
        curated_copy / FACTS_002,
        "  - subject: Andreï Amonov\n    relation: age\n    value: 32\n    evidence: x\n",
    )
    _only(
        _errors(curated_copy, corpus=False),
        FACTS_002,
        line,
        "'Andreï Amonov' is a name of 'andrei-amonov'",
    )


def test_shared_name_is_flagged_for_resolution(curated_copy):
    path = curated_copy / "entities" / "people.yaml"
    _append(
        path,
        "  - id: alexander-other\n    type: Person\n    label: Alexander\n"
        '    mentioned_in: ["002"]\n',
    )
    _, problems = load_curated(curated_copy, ONTO, None)
    warnings = [p for p in problems if p.severity == "warning"]
    assert len(warnings) == 1
    assert "alexander-deserter, alexander-other share the name 'alexander'" in warnings[0].message


PLACES = "entities/places.csv"


@pytest.mark.parametrize(
    "latitude, longitude, fragment",
    [
        ("141.8", "44.8271", "entity 'tbilisi': latitude 141.8 is outside -90..90"),
        ("41.7151", "-184.8271", "entity 'tbilisi': longitude -184.8271 is outside -180..180"),
        ("41.7151", "", "entity 'tbilisi': latitude without longitude"),
        ("", "44.8271", "entity 'tbilisi': longitude without latitude"),
        ("41°43'N", "44.8271", "entity 'tbilisi': latitude \"41°43'N\" is not a number"),
        ("41.7151", "4.48271e1", "longitude '4.48271e1' is not a number in decimal degrees"),
        ("41.7151234", "44.8271", "latitude 41.7151234 has 7 decimals; give at most 6"),
    ],
)
def test_bad_coordinates_in_places_csv(curated_copy, latitude, longitude, fragment):
    line = _append(
        curated_copy / PLACES,
        f'tbilisi,City,Tbilisi,,Q994,georgia,Capital of Georgia,,"{latitude}",{longitude}\n',
    )
    _only(_errors(curated_copy, corpus=False), PLACES, line, fragment)


def test_coordinates_in_yaml_name_the_line_of_the_key(curated_copy):
    path = curated_copy / "entities" / "more-places.yaml"
    path.write_text(
        "entities:\n  - id: narva\n    type: City\n    label: Narva\n"
        "    latitude: 59.3797\n    longitude: north-east\n",
        "utf-8",
    )
    _only(
        _errors(curated_copy, corpus=False),
        "entities/more-places.yaml",
        6,
        "entity 'narva': longitude 'north-east' is not a number in decimal degrees",
    )


def test_only_one_coordinate_in_yaml(curated_copy):
    path = curated_copy / "entities" / "more-places.yaml"
    path.write_text(
        "entities:\n  - id: narva\n    type: City\n    label: Narva\n    longitude: 28.19\n",
        "utf-8",
    )
    _only(
        _errors(curated_copy, corpus=False),
        "entities/more-places.yaml",
        5,
        "entity 'narva': longitude without latitude: give both coordinates or neither",
    )


def test_coordinates_on_a_person_are_rejected(curated_copy):
    path = curated_copy / "entities" / "people.yaml"
    line = _append(
        path,
        "  - id: new-person\n    type: Person\n    label: New Person\n"
        '    mentioned_in: ["002"]\n    latitude: 41.7151\n    longitude: 44.8271\n',
    )
    _only(
        _errors(curated_copy, corpus=False),
        "entities/people.yaml",
        line + 4,
        "entity 'new-person': only places take latitude and longitude",
        "is a Person",
    )


def test_coordinates_keep_the_precision_they_are_written_with(curated_copy):
    from decimal import Decimal

    path = curated_copy / "entities" / "more-places.yaml"
    path.write_text(
        "entities:\n  - id: narva\n    type: City\n    label: Narva\n"
        "    latitude: 59.3797\n    longitude: -28.190000\n"
        '  - id: tbilisi\n    type: City\n    label: Tbilisi\n    latitude: "41.7150"\n'
        "    longitude: 44\n",
        "utf-8",
    )
    data, problems = load_curated(curated_copy, ONTO, None)
    assert [p for p in problems if p.severity == "error"] == []
    assert data.entities["narva"].coordinates == (Decimal("59.3797"), Decimal("-28.19"))
    assert str(data.entities["tbilisi"].coordinates[0]) == "41.7150"
    assert str(data.entities["tbilisi"].coordinates[1]) == "44"
    assert str(data.entities["vaalimaa"].coordinates[0]) == "60.58"
    assert data.entities["the-west"].coordinates is None
