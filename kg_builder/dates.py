"""Dates with their precision: day (xsd:date), month (xsd:gYearMonth) or year (xsd:gYear)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from rdflib import Literal
from rdflib.namespace import XSD

_FORMS = [
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "day"),
    (re.compile(r"^(\d{4})-(\d{2})$"), "month"),
    (re.compile(r"^(\d{4})$"), "year"),
]
DATATYPE = {"day": XSD.date, "month": XSD.gYearMonth, "year": XSD.gYear}


@dataclass(frozen=True, order=True)
class TimeValue:
    """A calendar date of some precision, with the first and last day it can denote."""

    earliest: dt.date
    latest: dt.date
    text: str
    precision: str

    def literal(self) -> Literal:
        return Literal(self.text, datatype=DATATYPE[self.precision])

    def earliest_literal(self) -> Literal:
        return Literal(self.earliest.isoformat(), datatype=XSD.date)

    def latest_literal(self) -> Literal:
        return Literal(self.latest.isoformat(), datatype=XSD.date)


def parse_time(value: object) -> TimeValue:
    """Parse "YYYY-MM-DD", "YYYY-MM" or "YYYY" (or a date object); ValueError says why not."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        value = value.isoformat()
    if isinstance(value, int) and 1000 <= value <= 9999:
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"date {value!r} must be a string YYYY-MM-DD, YYYY-MM or YYYY")
    text = value.strip()
    for pattern, precision in _FORMS:
        m = pattern.match(text)
        if not m:
            continue
        year = int(m.group(1))
        month = int(m.group(2)) if precision != "year" else 1
        if not 1 <= month <= 12:
            raise ValueError(f"date {text!r} has month {month:02d}, which does not exist")
        if precision == "day":
            day = int(m.group(3))
            last = calendar.monthrange(year, month)[1]
            if not 1 <= day <= last:
                raise ValueError(
                    f"date {text!r} is impossible: {calendar.month_name[month]} {year} "
                    f"has {last} days"
                )
            d = dt.date(year, month, day)
            return TimeValue(d, d, text, precision)
        if precision == "month":
            last = calendar.monthrange(year, month)[1]
            return TimeValue(dt.date(year, month, 1), dt.date(year, month, last), text, precision)
        return TimeValue(dt.date(year, 1, 1), dt.date(year, 12, 31), text, precision)
    raise ValueError(f"date {text!r} is not of the form YYYY-MM-DD, YYYY-MM or YYYY")
