"""Dates, times and quantities in article text, with exact offsets and normalised values.

Rules only (no model): the same code must work on articles nobody here has read, so every
pattern is a generic English construction (month names, weekdays, "N days later", "half a
kilometre", "some 500"), never a phrase of one article.

Date values are "YYYY-MM-DD", "YYYY-MM", "YYYY", "YYYY-Www" (ISO week), "YYYY-SU" (TIMEX3
seasons: SP, SU, FA, WI), "199X" (decades), "YYYY-MM-DDTHH:MM[Z]" (times) and "XXXX-05-12"
(year unknown); `value` is None when a relative date has no anchor.

How relative dates are resolved (news is mostly past tense, so the past is the default):

- Weekdays ("on Friday", "Thursday"): the weekday on or before the publication date (a Friday
  article's "on Friday" is that day); "last Friday" is strictly before it; "next Friday", or a
  weekday after a future cue such as "will", is on or after it. Needs a day-precise
  publication date.
- Month and day without a year ("on May 12", "in July", "since February"):
  1. When an earlier mention in the text wrote a year with a month, day or season ("In February
     2022", "the summer of 2022") that differs from the publication year, the narrative is in
     that year: the date takes that year if it does not fall before that earlier date; if it
     would, it may be the next year, so the year stays unknown ("XXXX-05-12").
     Year-only mentions ("annexed in 2014") are background and set no narrative year.
  2. Otherwise the latest year that puts the date on or before publication ("in December" in a
     January article is the previous December), or the first on or after it after a future cue.
  3. No publication date: year unknown.
- "the day after", "the next day", "six months later", "two days before": relative to the
  previous date mention of the same or the previous paragraph; when the text has no date before
  it, to the publication date; when the dates before it are further away, unresolved (value
  None). "the day after the mobilisation" is relative to that event when `anchors` gives its
  date (see `event_anchors`), and unresolved otherwise: the previous date is not its anchor.
- "today", "yesterday", "last week", "two days ago", "this year": from the publication date.
- Times ("9 p.m.", "21.00 GMT", "midnight"): on the day of a date mention in the same sentence,
  else the publication day; "midnight" is the end of that day (00:00 of the next). A time
  followed by a zoned time in brackets ("midnight (21.00 GMT)") takes the zoned value; zones
  with a known offset are converted to UTC ("Z").

Quantities: numbers and amounts that are not dates, with the qualifier ("about", "at least",
"more than", "less than", "up to", "some") in `precision` and the unit (percent, km, mile,
years, age, people, ...) in `unit`.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..dates import TimeValue, parse_time
from .model import Mention

Span = tuple[int, int]

# --------------------------------------------------------------------------- vocabulary

MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_FULL_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December)"
)
_MONTH = rf"(?P<mon>{_FULL_MONTH}|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)"
_MONTH_FULL = rf"(?P<mon>{_FULL_MONTH})"
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WEEKDAY = r"(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
SEASONS = {"spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI"}
#: First month of each season (northern hemisphere, meteorological).
_SEASON_START = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}
SEASON_NAMES = {"SP": "spring", "SU": "summer", "FA": "autumn", "WI": "winter"}

NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen".split()
    )
}
TENS = {w: 10 * i for i, w in enumerate(
    "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if w != "_"}
SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9, "bn": 10**9,
          "trillion": 10**12}
_UNIT_WORD = r"(?:one|two|three|four|five|six|seven|eight|nine)"
_TEEN_WORD = (r"(?:ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen"
              r"|nineteen)")
_TENS_WORD = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
#: A number written in words, "two" to "ninety-nine" (not "one": "one of", "one day").
_NUMWORD = (rf"(?:{_TENS_WORD}(?:[-\s]{_UNIT_WORD})?|{_TEEN_WORD}"
            r"|two|three|four|five|six|seven|eight|nine)")
_COUNT = rf"(?:{_NUMWORD}|one|an?|\d+)"

#: Time zones and their offset from UTC in hours (None: named but offset unknown here).
ZONES = {"gmt": 0, "utc": 0, "z": 0, "bst": 1, "cet": 1, "cest": 2, "eet": 2, "eest": 3,
         "msk": 3, "moscow time": 3, "local time": None}
_ZONE = r"(?P<zone>GMT|UTC|BST|CET|CEST|EET|EEST|MSK|Moscow time|local time)"

#: Words after which "will" etc. make a weekday or month point forward.
_FUTURE_CUE = re.compile(
    r"\b(?:will|shall|won't|going to|is due|are due|scheduled|expected to|plans? to|upcoming)"
    r"\b|['’]ll\b", re.I)
#: Words after a weekday that make it a name, not a date ("Black Friday").
_WEEKDAY_NAMES = re.compile(r"(?:Black|Good|Holy|Cyber|Ash|Palm|Easter|Super)\s+$")

RANK = {"time": 0, "day": 1, "week": 2, "month": 3, "season": 4, "year": 5, "decade": 6}


# --------------------------------------------------------------------------- date patterns

def _p(pattern: str, flags: int = 0) -> re.Pattern:
    return re.compile(pattern, flags)


_I = r"(?i:{})".format
#: (kind, pattern). A pattern's group "span" is the mention when it has one (the rest is
#: context, such as the preposition before a bare month); otherwise the whole match.
DATE_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("iso", _p(r"(?<![\d-])(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
               r"(?:T(?P<H>\d{2}):(?P<M>\d{2})(?P<z>Z)?)?(?![\d-])")),
    ("dmy_num", _p(r"(?<![\d.])(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})(?!\d|\.\d)")),
    ("dmy", _p(rf"(?<![\d,.])(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}"
               r"(?:,?\s+(?P<y>\d{4})(?!\d))?(?![\w])")),
    ("mdy", _p(rf"\b{_MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?![\d]|,\d{{3}}|\.\d)"
               r"(?:,?\s+(?P<y>\d{4})(?!\d))?")),
    ("my", _p(_I(r"(?:(?P<mod>early|mid|late|end\s+of|beginning\s+of|start\s+of|middle\s+of)"
                 r"[\s-]+)?") + rf"\b{_MONTH},?\s+(?:of\s+)?(?P<y>\d{{4}})(?!\d)")),
    ("mod_month", _p(_I(r"\b(?P<mod>early|mid|late|end\s+of|beginning\s+of|start\s+of"
                        r"|middle\s+of)") + rf"[\s-]+{_MONTH_FULL}\b")),
    ("rel_month", _p(_I(r"\b(?P<rel>last|next|this)\s+") + rf"{_MONTH_FULL}\b")),
    ("prep_month", _p(_I(r"\b(?:in|since|until|till|by|from|through|during|before|after|of"
                         r"|to|between)\s+") + rf"(?P<span>{_MONTH_FULL})\b")),
    ("prep_month", _p(rf"\b{_FULL_MONTH}\s+(?:and|or|to|-|–)\s+(?P<span>{_MONTH_FULL})\b")),
    ("year", _p(r"(?<![\d,.$€£#-])(?P<y>1[89]\d{2}|20\d{2})(?![\d%]|,\d|\.\d|-\d|s\b)")),
    ("decade", _p(r"(?<![\d,.$-])(?P<y>1[89]\d0|20\d0)s\b")),
    ("season", _p(_I(r"\b(?:(?P<pre>(?:in|during|since|until|by|over|through|of)\s+the)\s+)?"
                     r"(?P<span>(?:(?P<rel>last|this|next|previous|following)\s+)?"
                     r"(?P<season>spring|summer|autumn|fall|winter)"
                     r"(?:\s+(?:of\s+)?(?P<y>\d{4})(?!\d))?)\b"))),
    ("weekday", _p(_I(r"\b(?:(?P<rel>last|next|this)\s+)?") + rf"{_WEEKDAY}\b")),
    ("deictic", _p(_I(r"\b(?P<word>the\s+day\s+before\s+yesterday|the\s+day\s+after\s+tomorrow"
                      r"|today|yesterday|tomorrow|tonight)\b"))),
    ("anaphoric", _p(_I(r"\b(?:the\s+(?P<dir1>next|following|previous|preceding)\s+"
                        r"(?P<unit1>day|week|month|year)|the\s+day\s+(?P<dir2>before|after))"
                        r"\b"))),
    ("rel_unit", _p(_I(r"\b(?:(?P<mod>earlier|later)\s+)?(?P<rel>last|this|next)\s+"
                       r"(?P<unit>week|month|year)\b"))),
    ("offset", _p(_I(rf"\b(?P<n>{_COUNT})\s+(?P<unit>days?|weeks?|months?|years?|decades?)\s+"
                     r"(?P<dir>ago|later|earlier|after|before)"
                     r"(?:\s+(?P<pro>them|him|her|it|this|that|us|me)\b)?"))),
    ("time_word", _p(_I(r"\b(?P<word>midnight|noon|midday)\b"))),
    ("clock", _p(r"(?<![\d.,])(?P<H>[01]?\d|2[0-3])(?P<sep>[:.])(?P<M>[0-5]\d)(?![\d])"
                 rf"(?:\s*(?P<ap>[ap])\.?m\b\.?|\s*{_ZONE}\b)?")),
    ("clock_ap", _p(r"(?<![\d.,])(?P<H>1[0-2]|0?[1-9])\s*(?P<ap>[ap])(?:\.m\.|m\b)"
                    rf"(?:\s*{_ZONE}\b)?")),
    ("era", _p(_I(r"\b(?:during|in|since|from|under|of)\s+")
               + r"(?P<span>(?:[Pp]ost-|[Pp]re-)?[A-Z][a-z]+\s+(?:times|era)\b)")),
]


@dataclass
class _Hit:
    start: int
    end: int
    kind: str
    m: re.Match
    value: str | None = None
    precision: str | None = None
    score: float = 0.5
    note: str = ""
    #: The date it denotes (first day), for anchoring later mentions; None when unresolved.
    anchor: dt.date | None = None
    extra: dict = field(default_factory=dict)


class _SpanSet:
    """Character spans, merged and sorted, for fast containment and overlap tests (an
    article may have many boilerplate gaps and many date mentions)."""

    def __init__(self, spans: Iterable[Span]):
        merged: list[list[int]] = []
        for s, e in sorted(spans):
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        self.spans = [(s, e) for s, e in merged]
        self.starts = [s for s, _ in self.spans]

    def _before(self, pos: int) -> Span | None:
        i = bisect.bisect_right(self.starts, pos)
        return self.spans[i - 1] if i else None

    def contains(self, start: int, end: int) -> bool:
        span = self._before(start)
        return span is not None and end <= span[1]

    def overlaps(self, start: int, end: int) -> bool:
        span = self._before(end - 1) if end > start else None
        return span is not None and span[1] > start


def _inside(start: int, end: int, spans: _SpanSet | None) -> bool:
    return spans is None or spans.contains(start, end)


def _collect(text: str, spans: list[Span] | None) -> list[_Hit]:
    """Every pattern match, then the longest of overlapping ones (earliest on ties)."""
    body = None if spans is None else _SpanSet(spans)
    hits = []
    for kind, pattern in DATE_PATTERNS:
        for m in pattern.finditer(text):
            s, e = m.span("span") if "span" in pattern.groupindex else m.span()
            if e > s and _inside(s, e, body) and _plausible(kind, m, text):
                hits.append(_Hit(s, e, kind, m))
    hits.sort(key=lambda h: (-(h.end - h.start), h.start))
    taken = bytearray(len(text))  # characters already in a kept mention
    kept: list[_Hit] = []
    for h in hits:
        if not any(taken[h.start:h.end]):
            taken[h.start:h.end] = b"\x01" * (h.end - h.start)
            kept.append(h)
    return sorted(kept, key=lambda h: h.start)


_COUNTED_AFTER = re.compile(
    r"\s+(?:people|persons|men|women|children|soldiers|troops|deserters|refugees|migrants"
    r"|reservists|residents|citizens|households|families|members|km|kilometres?|kilometers?"
    r"|miles|metres|meters|euros|dollars|roubles|rubles|cases|vehicles|cars|of\b)", re.I)
_LABEL_BEFORE = re.compile(
    r"(?:Article|No\.?|Number|Section|Paragraph|Part|Chapter|Flight|Room|Route|Resolution"
    r"|page|Decree|Law|Order)\s+$", re.I)
_QUAL_BEFORE = re.compile(r"(?:about|around|some|over|nearly|almost|than|least|roughly"
                          r"|approximately|up\s+to)\s+$", re.I)


def _plausible(kind: str, m: re.Match, text: str) -> bool:
    """Reject matches that look like dates but are not (a count of 2000 people, a clock
    reading without zone, "Black Friday")."""
    before = text[max(0, m.start() - 20):m.start()]
    if kind == "year":
        after = text[m.end():m.end() + 20]
        return not (_COUNTED_AFTER.match(after) or _LABEL_BEFORE.search(before)
                    or _QUAL_BEFORE.search(before))
    if kind == "clock":
        return m.group("sep") == ":" or bool(m.group("zone") or m.group("ap"))
    if kind == "weekday":
        return not _WEEKDAY_NAMES.search(before)
    if kind == "season":  # "fall apart", "spring up": a season needs a year or a determiner
        return bool(m.group("pre") or m.group("rel") or m.group("y"))
    if kind in ("dmy", "mdy"):
        return 1 <= int(m.group("d")) <= 31
    return True


# --------------------------------------------------------------------------- calendar help

def _fmt(d: dt.date, precision: str) -> str:
    if precision == "day":
        return d.isoformat()
    if precision == "month":
        return f"{d.year:04d}-{d.month:02d}"
    if precision == "week":
        y, w, _ = d.isocalendar()
        return f"{y:04d}-W{w:02d}"
    return f"{d.year:04d}"


def _add(d: dt.date, unit: str, n: int) -> dt.date:
    """`d` moved by n days, weeks, months or years (the day clamped to the month's end);
    OverflowError/ValueError beyond the calendar's years 1..9999."""
    if unit == "day":
        return d + dt.timedelta(days=n)
    if unit == "week":
        return d + dt.timedelta(weeks=n)
    if unit == "decade":
        unit, n = "year", 10 * n
    months = d.month - 1 + (n if unit == "month" else 12 * n)
    year, month = d.year + months // 12, months % 12 + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _safe_date(y: int, mo: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None


def _count(word: str) -> int | None:
    """"three" -> 3, "twenty-one" -> 21, "a" -> 1, "12" -> 12."""
    w = word.lower().replace("-", " ").split()
    if not w:
        return None
    if w[0].isdigit():
        return int(w[0])
    if w[0] in ("a", "an", "one"):
        return 1
    total = TENS.get(w[0], NUMBER_WORDS.get(w[0]))
    if total is not None and len(w) > 1:
        total += NUMBER_WORDS.get(w[1], 0)
    return total


def _month_of(m: re.Match) -> int:
    return MONTHS[m.group("mon").rstrip(".").lower()]


# --------------------------------------------------------------------------- resolution

@dataclass
class _State:
    """What resolution knows at a point of the text."""

    text: str
    published: TimeValue | None
    anchors: Mapping[str, str]
    resolved: list[_Hit] = field(default_factory=list)
    #: The narrative date set by the last mention that wrote a year with a month, day or season.
    narrative: dt.date | None = None

    @property
    def pub_day(self) -> dt.date | None:
        p = self.published
        return p.earliest if p is not None and p.precision == "day" else None

    def future(self, h: _Hit) -> bool:
        """A future cue among the few words before the mention, in the same sentence."""
        start = _sentence(self.text, h.start, h.end)[0]
        return bool(_FUTURE_CUE.search(self.text[max(start, h.start - 50):h.start]))

    def previous(self, h: _Hit) -> _Hit | None | bool:
        """The anchor of an anaphoric date: the previous date mention of this or the
        previous paragraph (a _Hit), True when no date precedes at all (use publication),
        None when the nearest earlier date is further away."""
        if not self.resolved:
            return True
        last = self.resolved[-1]
        between = self.text[last.end:h.start + 1]  # up to h's first letter
        if len(re.findall(r"\n\s*\S", between)) > 1:
            return None
        return last


_SENTENCE_END = re.compile(r"[!?]|\n|\.\s+(?=[A-Z“\"])")


def _sentence(text: str, start: int, end: int) -> Span:
    """The bounds of the sentence around [start, end), looking at most 400 characters away
    (a full stop ends a sentence only before a capital: "9 p.m. on" does not)."""
    lo = max(0, start - 400)
    ends = [m.end() for m in _SENTENCE_END.finditer(text, lo, start)]
    after = _SENTENCE_END.search(text, end, min(len(text), end + 400))
    return (ends[-1] if ends else lo), (after.start() if after else min(len(text), end + 400))


def _set(h: _Hit, d: dt.date | None, precision: str, score: float, note: str,
         value: str | None = None) -> None:
    h.anchor, h.precision, h.score = d, precision, score
    h.value = value if value is not None else (None if d is None else _fmt(d, precision))
    h.note = note


def _unknown(h: _Hit, why: str) -> None:
    _set(h, None, "unknown", 0.3, f"'{h.m.group(0)}': {why}")


def _year_for(st: _State, h: _Hit, month: int, day: int | None) -> tuple[int | None, str, float]:
    """The year of a month (and day) written without one; see the module docstring."""
    n = st.narrative
    pub = st.published
    if n is not None and (pub is None or n.year != pub.earliest.year):
        probe = _safe_date(n.year, month, day or calendar.monthrange(n.year, month)[1])
        if probe is not None and probe >= n:
            return n.year, f"year {n.year} of the narrative (the preceding dated mention)", 0.8
        return None, "falls before the preceding dated mention: the year is ambiguous", 0.6
    if pub is None:
        return None, "no publication date: the year is unknown", 0.6
    if st.future(h):
        for year in (pub.earliest.year, pub.earliest.year + 1):
            last = _safe_date(year, month, day or calendar.monthrange(year, month)[1])
            if last is not None and last >= pub.earliest:
                return year, f"the first such date on or after publication ({pub.text})", 0.8
    else:
        for year in (pub.latest.year, pub.latest.year - 1):
            first = _safe_date(year, month, day or 1)
            if first is not None and first <= pub.latest:
                return year, f"the latest such date on or before publication ({pub.text})", 0.85
    return None, "no such date near publication", 0.5


def _resolve_absolute(st: _State, h: _Hit) -> bool:
    """Dates written with their year, or month/day to be given one. False if not this kind."""
    m, k = h.m, h.kind
    if k in ("iso", "dmy_num"):
        d = _safe_date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        if d is None and k == "dmy_num":
            d = _safe_date(int(m.group("y")), int(m.group("d")), int(m.group("m")))
        if d is None:
            _unknown(h, "not a calendar date")
            return True
        if k == "iso" and m.group("H"):
            val = f"{d.isoformat()}T{m.group('H')}:{m.group('M')}{m.group('z') or ''}"
            _set(h, d, "time", 0.95, "explicit date and time", val)
        else:
            _set(h, d, "day", 0.95, "explicit date")
        st.narrative = d
        return True
    if k in ("dmy", "mdy", "my", "mod_month", "prep_month", "rel_month"):
        _resolve_month(st, h)
        return True
    if k == "year":
        y = int(m.group("y"))
        _set(h, dt.date(y, 1, 1), "year", 0.9, "explicit year")
        return True
    if k == "decade":
        y = int(m.group("y"))
        _set(h, dt.date(y, 1, 1), "decade", 0.8, "decade", f"{str(y)[:3]}X")
        return True
    return False


def _resolve_month(st: _State, h: _Hit) -> None:
    m = h.m
    month = _month_of(m)
    groups = m.groupdict()
    day = int(groups["d"]) if groups.get("d") else None
    precision = "day" if day else "month"
    if groups.get("y"):
        y = int(groups["y"])
        d = _safe_date(y, month, day or 1)
        if d is None:
            _unknown(h, "not a calendar date")
            return
        _set(h, d, precision, 0.95, "explicit date")
        st.narrative = d
        return
    if groups.get("rel"):
        _resolve_rel_month(st, h, month)
        return
    year, why, score = _year_for(st, h, month, day)
    if year is None:
        value = f"XXXX-{month:02d}" + (f"-{day:02d}" if day else "")
        _set(h, None, "unknown-year", score, f"'{m.group(0)}': {why}", value)
        return
    d = _safe_date(year, month, day or 1)
    if d is None:
        _unknown(h, "not a calendar date")
        return
    _set(h, d, precision, score, f"'{h.m.group(0)}': {why}, {_fmt(d, precision)}")
    if st.narrative is not None and d >= st.narrative:
        st.narrative = d


def _resolve_rel_month(st: _State, h: _Hit, month: int) -> None:
    """"last July", "next March", "this May": the month before, after or of publication."""
    pub = st.published
    if pub is None:
        _unknown(h, "relative to an unknown publication date")
        return
    rel, ref = h.m.group("rel").lower(), pub.earliest
    year = ref.year
    if rel == "last" and month >= ref.month:
        year -= 1
    elif rel == "next" and month <= ref.month:
        year += 1
    d = dt.date(year, month, 1)
    _set(h, d, "month", 0.8, f"'{h.m.group(0)}': relative to publication {pub.text}, "
         f"{_fmt(d, 'month')}")


def _resolve_season(st: _State, h: _Hit) -> None:
    m = h.m
    code = SEASONS[m.group("season").lower()]
    if m.group("y"):
        y = int(m.group("y"))
        d = dt.date(y, _SEASON_START[code], 1)
        _set(h, d, "season", 0.9, "explicit season", f"{y}-{code}")
        st.narrative = d
        return
    if st.published is None:
        _unknown(h, "relative to an unknown publication date")
        return
    ref = st.published.latest
    rel = (m.group("rel") or "").lower()
    starts = [dt.date(y, _SEASON_START[code], 1) for y in range(ref.year - 2, ref.year + 2)]
    if rel in ("next", "following") or (not rel and st.future(h)):
        d, how = min(x for x in starts if x > ref), "after"
    elif rel in ("last", "previous"):
        d, how = max(x for x in starts if _add(x, "month", 3) <= ref), "ended before"
    else:
        d, how = max(x for x in starts if x <= ref), "begun before"
    value = f"{d.year}-{code}"
    _set(h, d, "season", 0.6, f"'{m.group(0)}': the {SEASON_NAMES[code]} {how} "
         f"publication ({st.published.text}), {value}", value)


def _resolve_weekday(st: _State, h: _Hit) -> None:
    m = h.m
    pub = st.pub_day
    if pub is None:
        _unknown(h, "weekday relative to an unknown publication day")
        return
    target = WEEKDAYS.index(m.group("wd").lower())
    rel = (m.group("rel") or "").lower()
    back = (pub.weekday() - target) % 7
    if rel == "next" or (rel != "last" and st.future(h)):
        fwd = (target - pub.weekday()) % 7
        d = pub + dt.timedelta(days=fwd or (7 if rel == "next" else 0))
        how = "on or after"
    else:
        d = pub - dt.timedelta(days=back or (7 if rel == "last" else 0))
        how = "strictly before" if rel == "last" else "on or before"
    name = m.group("wd").capitalize()
    _set(h, d, "day", 0.8, f"'{m.group(0)}': the {name} {how} publication "
         f"({pub.isoformat()}), {d.isoformat()}")


def _resolve_deictic(st: _State, h: _Hit) -> None:
    word = re.sub(r"\s+", " ", h.m.group("word").lower())
    shift = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1,
             "the day before yesterday": -2, "the day after tomorrow": 2}[word]
    pub = st.pub_day
    if pub is None:
        if st.published is not None:
            _set(h, st.published.earliest, st.published.precision, 0.4,
                 f"'{word}': publication known only to the {st.published.precision}",
                 st.published.text)
            return
        _unknown(h, "relative to an unknown publication date")
        return
    d = pub + dt.timedelta(days=shift)
    _set(h, d, "day", 0.85, f"'{word}': publication {pub.isoformat()} {shift:+d} day(s), "
         f"{d.isoformat()}")


def _resolve_rel_unit(st: _State, h: _Hit) -> None:
    """"last week", "this month", "next year", "earlier this year"."""
    unit, rel = h.m.group("unit").lower(), h.m.group("rel").lower()
    pub = st.published
    if pub is None or (unit == "week" and st.pub_day is None):
        _unknown(h, "relative to an unknown publication date")
        return
    d = _add(pub.earliest, unit, {"last": -1, "this": 0, "next": 1}[rel])
    precision = unit if unit != "year" else "year"
    _set(h, d, precision, 0.8, f"'{h.m.group(0)}': relative to publication {pub.text}, "
         f"{_fmt(d, precision)}")


def _object_after(st: _State, h: _Hit) -> str | None:
    """The words after "the day after", "two years before": None when nothing follows (the
    anchor is then the previous date), else up to five words (the anchor is that event)."""
    rest = st.text[h.end:h.end + 60]
    if re.match(r"\s*(?:[,.;:!?)\]–—\"”]|$|and\b|but\b|or\b)", rest):
        return None
    return " ".join(rest.split()[:5]).lower()


def _event_anchor(st: _State, words: str) -> tuple[str, dt.date, str] | None:
    """The known event named in `words` (longest name first)."""
    for name in sorted(st.anchors, key=len, reverse=True):
        if re.search(rf"\b{re.escape(name)}\b", words):
            try:
                tv = parse_time(st.anchors[name])
            except ValueError:
                continue
            return name, tv.earliest, tv.precision
    return None


def _resolve_relative(st: _State, h: _Hit, unit: str, n: int, base_note: str) -> None:
    """A date n units from an anchor: an event named after it, the previous date mention, or
    the publication date (see the module docstring)."""
    m = h.m
    direction = (m.groupdict().get("dir") or m.groupdict().get("dir1")
                 or m.groupdict().get("dir2") or "").lower()
    if direction in ("after", "before") and m.groupdict().get("pro"):
        _unknown(h, f"relative to '{m.group('pro')}', which is not a date")
        return
    if direction in ("after", "before") and (words := _object_after(st, h)) is not None:
        found = _event_anchor(st, words)
        if found is None:
            _unknown(h, f"relative to '{words}', whose date is not known")
            return
        name, base, base_precision = found
        source, score = f"the date of '{name}' ({base.isoformat()})", 0.7
    else:
        prev = st.previous(h)
        if prev is True and st.published is not None:
            base, base_precision = st.published.earliest, st.published.precision
            source, score = f"publication ({st.published.text})", 0.5
        elif isinstance(prev, _Hit) and prev.anchor is not None:
            base, base_precision = prev.anchor, prev.precision
            source, score = f"the previous date '{prev.m.group(0)}' ({prev.value})", 0.65
        else:
            _unknown(h, "no date nearby to anchor it")
            return
    sign = -1 if direction in ("before", "earlier", "previous", "preceding", "ago") else 1
    try:
        d = _add(base, unit, sign * n)
    except (OverflowError, ValueError):
        _unknown(h, "outside the calendar")
        return
    precision = max(unit if unit != "decade" else "year", base_precision,
                    key=lambda p: RANK.get(p, 5))
    if precision in ("time", "season", "decade"):
        precision = "day" if precision == "time" else "year"
    _set(h, d, precision, score, f"'{m.group(0)}': {base_note} {source}, "
         f"{_fmt(d, precision)}")


def _resolve_anaphoric(st: _State, h: _Hit) -> None:
    unit = (h.m.group("unit1") or "day").lower()
    _resolve_relative(st, h, unit, 1, f"one {unit} from")


def _resolve_offset(st: _State, h: _Hit) -> None:
    m = h.m
    n = _count(m.group("n"))
    unit = m.group("unit").lower().rstrip("s")
    if n is None:
        _unknown(h, "not a number")
        return
    if m.group("dir").lower() == "ago":
        pub = st.published
        if pub is None or (unit in ("day", "week") and st.pub_day is None):
            _unknown(h, "relative to an unknown publication date")
            return
        try:
            d = _add(pub.earliest, unit, -n)
        except (OverflowError, ValueError):
            _unknown(h, "outside the calendar")
            return
        precision = {"decade": "year"}.get(unit, unit)
        _set(h, d, precision, 0.75, f"'{m.group(0)}': {n} {unit}(s) before publication "
             f"({pub.text}), {_fmt(d, precision)}")
        return
    _resolve_relative(st, h, unit, n, f"{n} {unit}(s) from")


def _resolve_era(st: _State, h: _Hit) -> None:
    _set(h, None, "era", 0.5, f"'{h.m.group('span')}': a historical period, no calendar value")


def _resolve_dates(st: _State, hits: list[_Hit]) -> None:
    """Resolve in text order (later mentions anchor on earlier ones); times last."""
    handlers = {
        "season": _resolve_season, "weekday": _resolve_weekday, "deictic": _resolve_deictic,
        "rel_unit": _resolve_rel_unit, "anaphoric": _resolve_anaphoric,
        "offset": _resolve_offset, "era": _resolve_era,
    }
    for h in hits:
        if h.kind in ("time_word", "clock", "clock_ap"):
            continue
        if not _resolve_absolute(st, h):
            handlers[h.kind](st, h)
        st.resolved.append(h)
    _resolve_times(st, hits)


# --------------------------------------------------------------------------- times

def _clock(h: _Hit) -> tuple[int, int, str | None]:
    """(hour, minute, zone) of a time mention; midnight is 24:00."""
    g = h.m.groupdict()
    if g.get("word"):
        return (24 if g["word"].lower() == "midnight" else 12), 0, None
    hour, minute = int(g["H"]), int(g.get("M") or 0)
    if g.get("ap"):
        hour = hour % 12 + (12 if g["ap"].lower() == "p" else 0)
    return hour, minute, (g.get("zone") or None)


def _day_of(st: _State, h: _Hit, hits: list[_Hit]) -> tuple[dt.date | None, str]:
    """A day-precise date mention of the same sentence, else the publication day."""
    s, e = _sentence(st.text, h.start, h.end)
    same = [o for o in hits if o is not h and s <= o.start and o.end <= e
            and o.precision == "day" and o.anchor is not None]
    if same:
        o = min(same, key=lambda o: abs(o.start - h.start))
        return o.anchor, f"the day of '{o.m.group(0)}'"
    if st.pub_day is not None:
        return st.pub_day, f"the publication day {st.pub_day.isoformat()}"
    return None, "day unknown"


def _time_value(day: dt.date | None, hour: int, minute: int, zone: str | None) -> str:
    z = "Z" if zone is not None and ZONES.get(zone.lower()) == 0 else ""
    if day is None:
        return f"XXXX-XX-XXT{hour % 24:02d}:{minute:02d}{z}"
    t = dt.datetime.combine(day, dt.time()) + dt.timedelta(hours=hour, minutes=minute)
    offset = ZONES.get(zone.lower()) if zone else None
    if offset:
        t -= dt.timedelta(hours=offset)
        z = "Z"
    return f"{t:%Y-%m-%dT%H:%M}{z}"


def _resolve_times(st: _State, hits: list[_Hit]) -> None:
    for i, h in enumerate(hits):
        if h.kind not in ("time_word", "clock", "clock_ap") or h.value is not None:
            continue
        day, how = _day_of(st, h, hits)
        hour, minute, zone = _clock(h)
        _set(h, day, "time", 0.8 if day else 0.4, f"'{h.m.group(0)}': on {how}",
             _time_value(day, hour, minute, zone))
        nxt = hits[i + 1] if i + 1 < len(hits) else None
        if (nxt is not None and nxt.kind in ("clock", "clock_ap") and _clock(nxt)[2]
                and re.fullmatch(r"\s*\(\s*", st.text[h.end:nxt.start])):
            _convert_bracketed(h, nxt, day, hour, minute)


def _convert_bracketed(h: _Hit, z: _Hit, day: dt.date | None, hour: int, minute: int) -> None:
    """"midnight (21.00 GMT)": both take the zoned reading, on the day that puts it nearest
    to the local one (a zone behind local time can move the date back)."""
    zh, zm, zone = _clock(z)
    if day is None:
        value = _time_value(None, zh, zm, zone)
    else:
        local = dt.datetime.combine(day, dt.time()) + dt.timedelta(hours=hour, minutes=minute)
        options = [dt.datetime.combine(local.date() + dt.timedelta(days=k), dt.time(zh % 24, zm))
                   for k in (-1, 0, 1)]
        best = min(options, key=lambda t: abs(t - local))
        value = _time_value(best.date(), zh, zm, zone)
        day = best.date()
    for x in (h, z):
        _set(x, day, "time", 0.85, f"'{x.m.group(0)}': as written in brackets, "
             f"'{z.m.group(0)}', {value}", value)


# --------------------------------------------------------------------------- public API

def find_dates_with_notes(
    text: str,
    published: TimeValue | None,
    spans: list[Span] | None = None,
    anchors: Mapping[str, str] | None = None,
) -> list[tuple[Mention, str]]:
    """Date and time mentions of `text` (only inside `spans` when given), each with a note
    saying how its value was obtained. `anchors` maps lower-case event names to their dates
    ("mobilisation" -> "2022-09-21") so that "the day after the mobilisation" resolves."""
    hits = _collect(text, spans)
    st = _State(text, published, {k.lower(): v for k, v in (anchors or {}).items()})
    _resolve_dates(st, hits)
    return [
        (Mention(start=h.start, end=h.end, text=text[h.start:h.end], type="Date",
                 recogniser="timex", score=h.score, value=h.value, precision=h.precision),
         h.note)
        for h in hits
    ]


def find_dates(
    text: str,
    published: TimeValue | None,
    spans: list[Span] | None = None,
    anchors: Mapping[str, str] | None = None,
) -> list[Mention]:
    """Date and time mentions of `text`; see `find_dates_with_notes`."""
    return [m for m, _ in find_dates_with_notes(text, published, spans, anchors)]


def to_time_value(mention: Mention) -> TimeValue | None:
    """The TimeValue of a day, month or year date (for relation qualifiers); None for weeks,
    seasons, times, unknown years and unresolved dates, which xsd dates cannot hold as is."""
    if mention.value is None or mention.precision not in ("day", "month", "year"):
        return None
    try:
        return parse_time(mention.value)
    except ValueError:
        return None


def date_id(value: str | None) -> str:
    """The gold-style id of a date value: "2022-09-29T21:00Z" -> "date-2022-09-29t21-00z",
    "2022-SU" -> "date-2022-summer", None -> "date-unknown"."""
    if value is None:
        return "date-unknown"
    m = re.fullmatch(r"(\d{4})-(SP|SU|FA|WI)", value)
    if m:
        return f"date-{m.group(1)}-{SEASON_NAMES[m.group(2)]}"
    return "date-" + re.sub(r"[^0-9a-z]+", "-", value.lower()).strip("-")


def event_anchors(data) -> dict[str, str]:
    """Event names -> day-precise dates from curated data (`CuratedData`: entities and date
    facts), for `find_dates(..., anchors=...)`. Names shorter than 5 letters are left out."""
    dates: dict[str, str] = {}
    for fact in getattr(data, "facts", []):
        v = fact.value
        if fact.relation in ("date", "startDate") and isinstance(v, TimeValue) \
                and v.precision == "day":
            dates.setdefault(fact.subject, v.text)
    out: dict[str, str] = {}
    for eid, when in dates.items():
        rec = data.entities.get(eid)
        if rec is None:
            continue
        for name in [rec.label, *rec.aliases]:
            if len(name) >= 5:
                out.setdefault(name.lower(), when)
    return out


# --------------------------------------------------------------------------- quantities

QUALIFIERS = {
    "about": "about", "around": "about", "approximately": "about", "roughly": "about",
    "an estimated": "about", "estimated": "about", "some": "some", "at least": "at least",
    "more than": "more than", "over": "more than", "upwards of": "more than",
    "less than": "less than", "fewer than": "less than", "under": "less than",
    "up to": "up to", "nearly": "up to", "almost": "up to", "as many as": "up to",
}
_QUAL = "|".join(sorted((re.escape(q).replace(r"\ ", r"\s+") for q in QUALIFIERS),
                        key=len, reverse=True))
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE = r"(?:[\s-]+(?P<scale>hundred|thousand|million|billion|trillion)\b|(?P<bn>bn)\b)"
UNITS = [
    (r"%|\s*(?:percent|per\s+cent)\b", "percent"),
    (r"[\s-]*(?:kilomet(?:er|re)s?|km)\b", "km"),
    (r"[\s-]*miles?\b", "mile"),
    (r"[\s-]*(?:met(?:er|re)s?)\b", "m"),
    (r"[\s-]+(?:euros?)\b", "EUR"),
    (r"[\s-]+(?:dollars?)\b", "USD"),
    (r"[\s-]+(?:roubles?|rubles?)\b", "RUB"),
    (r"-years?-old\b|\s+years?\s+old\b", "age"),
    (r"[\s-]+(?:years?|months?|weeks?|days?|nights?|hours?|minutes?)\b", "duration"),
]
_UNIT = "|".join(f"(?P<u{i}>{p})" for i, (p, _) in enumerate(UNITS))
_UNIT_PLAIN = "|".join(p for p, _ in UNITS)
_FRACTIONS = {"half": 0.5, "a third": 1 / 3, "a quarter": 0.25, "two thirds": 2 / 3,
              "three quarters": 0.75}
QUANTITY_RE = re.compile(
    rf"(?:(?P<qual>{_QUAL})\s+)?(?:"
    rf"(?P<frac>half|a\s+third|a\s+quarter|two[\s-]thirds|three[\s-]quarters)\s+(?:of\s+)?an?"
    rf"(?=(?:{_UNIT_PLAIN}))"
    rf"|(?P<vague>(?:tens|hundreds)\s+of\s+thousands|hundreds\s+of\s+millions|dozens|hundreds"
    rf"|thousands|millions|billions|(?<!a\s)several(?=\s+(?:days|weeks|months|years|hours)))"
    rf"|(?P<cur>[$€£])?(?<![\w.,-])(?P<a>{_DIGITS})(?:\s*[-–]\s*|\s+to\s+)"
    rf"(?P<b>{_DIGITS})(?![\d])"
    rf"|(?<![\w.,/-])(?P<whole>\d+)\s+(?P<num>[1-9])/(?P<den>[1-9])(?![\d/])"
    rf"|(?P<cur2>[$€£])?(?<![\w.,-])(?P<n>{_DIGITS})(?![\d/])"
    rf"|\b(?P<art>a|one)\s+(?P<big>hundred|thousand|million|billion|dozen)\b"
    rf"|\b(?P<w>{_NUMWORD})\b"
    rf"){_SCALE}?(?:{_UNIT})?",
    re.I,
)
_PERSON_NOUNS = re.compile(
    r"\s+(?:of\s+)?(?:[A-Z][a-z]+\s+)?(?:people|persons|men|women|children|kids|soldiers|troops"
    r"|deserters|defectors|refugees|migrants|reservists|residents|citizens|conscripts"
    r"|colleagues|volunteers|activists|prisoners|families|Russians|Ukrainians|civilians)\b")
#: Words after a number word that show it is not counting anything ("the two are").
_NOT_COUNTING = re.compile(
    r"\s+(?:are|were|is|was|have|has|had|will|would|can|could|who|which|that|said|say|of\s+us"
    r"|of\s+them|or\s+(?:two|three|four|five))\b", re.I)


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _fmt_number(x: float) -> str:
    if abs(x - round(x)) < 1e-9:
        return str(int(round(x)))
    return f"{x:.3f}".rstrip("0").rstrip(".")


def _quantity_value(m: re.Match) -> str | None:
    g = m.groupdict()
    scale = SCALES.get((g.get("scale") or g.get("bn") or "").lower(), 1)
    if g.get("vague"):
        return None
    if g.get("frac"):
        return _fmt_number(_FRACTIONS[re.sub(r"[\s-]+", " ", g["frac"].lower())])
    if g.get("big"):
        return _fmt_number((12 if g["big"].lower() == "dozen" else SCALES[g["big"].lower()])
                           * scale)
    if g.get("a"):
        a, b = _number(g["a"]), _number(g["b"])
        if scale == 1 and "," in g["b"] and "," not in g["a"] and a * 1000 <= b:
            a *= 1000  # "7-8,000" is 7,000 to 8,000
        return f"{_fmt_number(a * scale)}-{_fmt_number(b * scale)}"
    if g.get("whole"):  # "2 1/2 years"
        return _fmt_number((int(g["whole"]) + int(g["num"]) / int(g["den"])) * scale)
    if g.get("n"):
        return _fmt_number(_number(g["n"]) * scale)
    return _fmt_number((_count(g["w"]) or 0) * scale)


def _unit(m: re.Match, text: str) -> str | None:
    if re.search(r"\baged\s+$", text[max(0, m.start() - 10):m.start()], re.I):
        return "age"
    for i, (_, name) in enumerate(UNITS):
        u = m.group(f"u{i}")
        if u:
            if name == "duration":
                return re.sub(r"[\s-]+", "", u).lower().rstrip("s") + "s"
            return name
    if m.group("cur") or m.group("cur2"):
        return {"$": "USD", "€": "EUR", "£": "GBP"}[m.group("cur") or m.group("cur2")]
    if _PERSON_NOUNS.match(text, m.end()):
        return "people"
    return None


def _quantity_ok(m: re.Match, text: str, exclude: _SpanSet) -> bool:
    s, e = m.span()
    if exclude.overlaps(s, e):
        return False
    if e < len(text) and text[e].isalnum():
        return False  # "21st", "5G"
    if _LABEL_BEFORE.search(text[max(0, s - 20):s]):
        return False  # "Article 328", "Flight 17"
    if m.group("w") and not any(m.group(f"u{i}") for i in range(len(UNITS))):
        return not _NOT_COUNTING.match(text, e)
    return True


def find_quantities(
    text: str,
    spans: list[Span] | None = None,
    exclude: Iterable[Span] | None = None,
) -> list[Mention]:
    """Numbers and amounts (inside `spans` when given, never overlapping `exclude`): value as
    text ("300000", "7000-8000", None for "thousands"), the unit when the text gives one, and
    the qualifier before the number in `precision`. `exclude` defaults to the date mentions
    of the text (found here), so that years and days are never counted as quantities; pass
    the dates you already have to save that work."""
    if exclude is None:
        exclude = [m.span for m in find_dates(text, None, spans)]
    excluded = _SpanSet(exclude)
    inside = None if spans is None else _SpanSet(spans)
    out = []
    for m in QUANTITY_RE.finditer(text):
        s, e = m.span()
        if not _inside(s, e, inside) or not _quantity_ok(m, text, excluded):
            continue
        qual = m.group("qual")
        score = 0.6 if m.group("vague") else 0.75 if m.group("w") else 0.9
        out.append(Mention(
            start=s, end=e, text=text[s:e], type="Quantity", recogniser="quantity",
            score=score, value=_quantity_value(m), unit=_unit(m, text),
            precision=QUALIFIERS[re.sub(r"\s+", " ", qual.lower())] if qual else None,
        ))
    return out


def find_dates_and_quantities(
    text: str,
    published: TimeValue | None,
    spans: list[Span] | None = None,
    anchors: Mapping[str, str] | None = None,
) -> list[Mention]:
    """Dates, then the quantities that do not overlap them, in text order."""
    dates = find_dates(text, published, spans, anchors)
    qty = find_quantities(text, spans, exclude=[m.span for m in dates])
    return sorted(dates + qty, key=lambda m: m.start)
