"""What every relation rule shares: the sentence record, text helpers (quotation spans,
lower-casing), the ontology's domain/range check, and how a candidate fact is built (its
evidence sentence, time qualifier and confidence factors)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .model import ENTITY_TYPES, Candidate, Mention
from .patterns import _DATE_VALUE, DATED, Pattern

_COREF_FACTOR = 0.75
#: Pronoun mentions that cannot be the subject of most patterns ("his car", "told him").
_NOT_SUBJECT = frozenset({"possessive", "object"})


@lru_cache(maxsize=None)
def _compile(p: Pattern):
    return (
        # A name may open a quotation or bracket: 'a group called “Rubikus”'.
        re.compile(p.gap + r"[\s“\"«‘(]*", re.IGNORECASE | re.DOTALL),
        re.compile(p.pre + ("" if p.pre.endswith("$") else "$"), re.I) if p.pre else None,
        re.compile(p.post, re.IGNORECASE) if p.post else None,
        re.compile(p.obj_text, re.IGNORECASE) if p.obj_text else None,
    )


@lru_cache(maxsize=1)
def _domain_ranges() -> dict[str, tuple[str | None, str | None]]:
    """Domain and range (local names) of the ontology's fact properties, or {} without it."""
    try:
        from ..ontology import load_ontology
        from ..resources import ontology_dir

        onto = load_ontology(ontology_dir())  # the installed package's, not a checkout's
    except Exception:  # noqa: BLE001 - patterns carry their own types; the check is extra
        return {}

    def local(iri):
        return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1] if iri is not None else None

    return {n: (local(p.domain), local(p.range)) for n, p in onto.fact_properties.items()}


_TOP_OK = {
    "Entity": set(ENTITY_TYPES),
    "Agent": {"Person", "Organisation"},
    "Person": {"Person"},
    "Organisation": {"Organisation"},
    "Place": {"Place"},
    "Event": {"Event"},
}


def _allowed(relation: str, subj_type: str, obj_type: str | None) -> bool:
    """Domain/range check against the ontology (top classes; unknown classes pass)."""
    dom, rng = _domain_ranges().get(relation, (None, None))
    if dom in _TOP_OK and subj_type not in _TOP_OK[dom]:
        return False
    return obj_type is None or rng not in _TOP_OK or obj_type in _TOP_OK[rng]


# -- text helpers -----------------------------------------------------------------------------


def _norm(s: str) -> str:
    """Lower case with typographic apostrophes/quotes kept (patterns accept both)."""
    return s.replace("\u00a0", " ").lower()


def _quotes(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(open, close) offsets of quotation marks in [start, end); an unclosed typographic quote
    runs to the end."""
    out, stack, straight = [], [], None
    for i in range(start, end):
        ch = text[i]
        if ch in "“«":
            stack.append(i)
        elif ch in "”»" and stack:
            o = stack.pop()
            if not stack:
                out.append((o, i))
        elif ch == '"' and not stack:
            if straight is None:
                straight = i
            else:
                out.append((straight, i))
                straight = None
    if stack:
        out.append((stack[0], end))
    return out


def _inside(quotes, start: int, end: int) -> bool:
    return any(o < start and end <= c for o, c in quotes)


def _in_speech(text: str, quotes, start: int, end: int) -> bool:
    """Inside a quotation of five words or more (not a scare quote like “partial”)."""
    return any(o < start and end <= c and len(text[o:c].split()) >= 5 for o, c in quotes)


def _distance_factor(gap: str) -> float:
    n = len(gap.split())
    return 1.0 if n <= 4 else max(0.5, 1.0 - 0.03 * (n - 4))


@dataclass
class _Sentence:
    start: int
    end: int
    mentions: list[Mention]  # entity mentions (real and resolved pronouns), sorted
    dates: list[Mention]
    quotes: list[tuple[int, int]]


def _common_factors(doc, s: _Sentence, conf: float, *ms: Mention) -> float:
    if any(m.recogniser == "coref" for m in ms):
        conf *= _COREF_FACTOR
    if re.search(r"\b(?:reportedly|allegedly|rumou?red)\b", doc.text[s.start : s.end], re.I):
        conf *= 0.8
    return round(min(1.0, max(0.0, conf)), 3)


def _date_for(s: _Sentence, relation: str, near: int, value_span=None) -> str | None:
    """The sentence's day/month/year date closest to `near` (not inside the quotation)."""
    if relation not in DATED:
        return None
    best = None
    for d in s.dates:
        if not d.value or not _DATE_VALUE.fullmatch(d.value):
            continue
        if value_span and value_span[0] <= d.start < value_span[1]:
            continue
        dist = min(abs(d.start - near), abs(d.end - near))
        if best is None or dist < best[0]:
            best = (dist, d.value)
    return best[1] if best else None


def _candidate(doc, s, subj, relation, rule, conf, obj=None, value=None, value_span=None):
    near = obj.start if obj is not None else subj.end
    return Candidate(
        source=doc.id,
        subject=subj.entity,
        relation=relation,
        evidence=doc.text[s.start : s.end],
        evidence_offset=s.start,
        confidence=conf,
        rule=rule,
        object=obj.entity if obj is not None else None,
        value=value,
        date=_date_for(s, relation, near, value_span),
        subject_span=(subj.start, subj.end),
        object_span=(obj.start, obj.end) if obj is not None else value_span,
    )
