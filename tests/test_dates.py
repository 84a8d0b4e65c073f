import datetime as dt

import pytest
from rdflib.namespace import XSD

from kg_builder.dates import parse_time


@pytest.mark.parametrize(
    "text, precision, earliest, latest, datatype",
    [
        ("2022-09-21", "day", "2022-09-21", "2022-09-21", XSD.date),
        ("2024-02", "month", "2024-02-01", "2024-02-29", XSD.gYearMonth),
        ("2023-02", "month", "2023-02-01", "2023-02-28", XSD.gYearMonth),
        ("2014", "year", "2014-01-01", "2014-12-31", XSD.gYear),
    ],
)
def test_precision_and_bounds(text, precision, earliest, latest, datatype):
    t = parse_time(text)
    assert t.precision == precision
    assert t.earliest == dt.date.fromisoformat(earliest)
    assert t.latest == dt.date.fromisoformat(latest)
    assert t.literal().datatype == datatype
    assert str(t.literal()) == text


@pytest.mark.parametrize(
    "text, why",
    [
        ("2022-02-30", "impossible"),
        ("2022-13-01", "month 13"),
        ("2022-13", "month 13"),
        ("21/09/2022", "not of the form"),
        ("last Friday", "not of the form"),
    ],
)
def test_invalid_dates_say_why(text, why):
    with pytest.raises(ValueError, match=why):
        parse_time(text)


def test_yaml_dates_and_years_are_accepted():
    assert parse_time(dt.date(2022, 9, 23)).text == "2022-09-23"
    assert parse_time(2022).precision == "year"
