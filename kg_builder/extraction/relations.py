"""Relation candidates from sentence patterns between linked mentions.

Each pattern looks at two mentions of one sentence (nearest pairs only: no other mention of the
subject's or object's type in between, except in a coordination "A, B and C fled to X") and
the text around them: the gap between the two, and optionally the text just before the first
(`pre`) or just after the second (`post`). Patterns are written for English news prose in
general (verbs of flight, job titles, appositions such as "X, 32," or "X, a member of Y"), never
for one sentence of a corpus, and they respect the domain and range of the ontology property
they propose (fledTo: Person -> Place, ...).

Confidence = the pattern's strength x a distance factor (long gaps are weaker) x hedging
("reportedly", "could", "plans to") x coreference (a subject found through "he"/"the man" is
weaker). Negation between subject and trigger ("did not flee") drops the candidate.

Modules, in the order a sentence meets them: `patterns.py` (vocabularies and PATTERNS),
`facts.py` (what every rule shares), `coref.py` (pronouns), then here the pair patterns, ages,
demonyms and entry restrictions, `attributes.py` (offices, charges, sentences) and
`quotes.py` (quotations). Headlines, photo captions and datelines are not read for relations.
"""

from __future__ import annotations

import re

from .attributes import attribute_candidates
from .coref import _resolve_pronouns
from .facts import (
    _NOT_SUBJECT,
    _allowed,
    _candidate,
    _common_factors,
    _compile,
    _distance_factor,
    _in_speech,
    _inside,
    _norm,
    _quotes,
    _Sentence,
)
from .model import ENTITY_TYPES, Candidate, Document, Mention
from .patterns import (  # noqa: F401 - re-exported: the scorer and the tests name them here
    _AGENTS,
    _DEMONYM,
    _ENTRY,
    _HEDGE,
    _NEG,
    _RESTRICTION,
    DATED,
    DEMONYMS,
    GOLD_RELATIONS,
    LITERAL,
    PATTERNS,
    SCORING_ALIASES,
    SYMMETRIC,
    Pattern,
)
from .quotes import _said_candidates
from .sentences import sentences

# -- pair patterns --------------------------------------------------------------------------------


def _coordinated(ms: list[Mention], i: int, text: str, step: int) -> list[Mention]:
    """Mentions joined to ms[i] by "," / "and" / "or" (a list), walking in direction `step`."""
    out, j = [], i
    while 0 <= j + step < len(ms):
        a, b = (ms[j + step], ms[j]) if step < 0 else (ms[j], ms[j + step])
        if ms[j + step].type != ms[i].type:
            break
        if not re.fullmatch(r"\s*(?:,|,?\s*and|,?\s*or|&)\s*", text[a.end : b.start]):
            break
        out.append(ms[j + step])
        j += step
    return out


def _pair_candidates(doc: Document, s: _Sentence) -> list[Candidate]:
    text, ms = doc.text, s.mentions
    out: list[Candidate] = []
    for i, first in enumerate(ms):
        for j in range(i + 1, len(ms)):
            second = ms[j]
            if second.start < first.end or first.entity == second.entity:
                continue
            gap_raw = text[first.end : second.start]
            if len(gap_raw) > 200:
                break
            between = {m.type for m in ms[i + 1 : j]}
            for p in PATTERNS:
                cand = _try(doc, s, p, i, j, gap_raw, between)
                if cand:
                    out.extend(cand)
    return out


#: A speech verb between a subject and a trigger opens a reported clause with a subject of
#: its own; relations that are themselves about speaking are exempt.
_REPORTED_CLAUSE = re.compile(
    r"\b(?:said|says|told|tells|added|adds|stated|states|claimed|claims|warned|warns"
    r"|explained|believes|announced|insisted|argued|wrote|noted|reported)\b"
)
_REPORTING = frozenset({"said", "interviewedBy", "announced"})
#: Places by size, for containment: a larger place is never located in a smaller one.
_RANK = {"Country": 3, "Region": 2, "City": 1, "BorderCrossingPoint": 0}
#: Movements whose subject a plural noun or number in between replaces ("X said 3,000
#: people entered Y").
_MOVES = frozenset({"fledTo", "fledFrom", "travelledVia"})
_OTHER_SUBJECT = re.compile(
    r"\b(?:people|men|women|russians|citizens|residents|refugees|migrants|others|families"
    r"|thousands|hundreds|dozens|tourists|travell?ers|visitors)\b"
)
#: Outcomes that a sentence may only foresee: an order, a risk, a request is not the fact.
_OUTCOMES = frozenset({"deportedTo", "deportedFrom", "grantedAsylumIn", "refusedAsylumIn"})
_UNREALISED = re.compile(
    r"\b(?:ordered\s+(?:to\s+be|him|her|them)|(?:could|may|might|would|will|to)\s+(?:soon\s+)?be"
    r"|faces?|facing|risks?|risking|threat(?:ened)?|seeks?|seeking|sought|appl(?:y|ies|ied)"
    r"|asked|requests?|requested|hopes?|hoping|wants?|fear(?:s|ed)?)\b"
)


def _try(doc, s, p: Pattern, i: int, j: int, gap_raw: str, between: set[str]):
    ms, text = s.mentions, doc.text
    first, second = ms[i], ms[j]
    subj, obj = (first, second) if p.order == "so" else (second, first)
    if subj.type not in p.subject or obj.type not in p.object:
        return None
    blocked = set(p.block if p.block is not None else (p.subject + p.object))
    if between & blocked:
        return None
    if _in_speech(text, s.quotes, subj.start, subj.end) or _in_speech(
        text, s.quotes, obj.start, obj.end
    ):
        return None
    if subj.cls in _NOT_SUBJECT and not p.rule.startswith(("his-", "wife-", "relative-")):
        return None
    gap_re, pre_re, post_re, obj_re = _compile(p)
    gap = _norm(gap_raw)
    m = gap_re.fullmatch(gap)
    if not m:
        return None
    if pre_re and not pre_re.search(_norm(text[s.start : first.start])):
        return None
    if post_re and not post_re.search(_norm(text[second.end : s.end])):
        return None
    if obj_re and not obj_re.search(_norm(obj.text)):
        return None
    if not _allowed(p.relation, subj.type, obj.type):
        return None
    head = gap[: m.start("t")] if "t" in m.groupdict() and m.group("t") else gap
    if p.order == "so" and _NEG.search(head):
        return None
    if p.relation == "locatedIn" and _RANK.get(subj.cls, 0) > _RANK.get(obj.cls, 9):
        return None  # a country is not inside a city: "the war in Ukraine in Yerevan"
    if p.relation in _MOVES and p.order == "so" and _OTHER_SUBJECT.search(head):
        return None  # "X, the information that 250 thousand people entered Y": not X
    if p.relation in _OUTCOMES and _UNREALISED.search(_norm(text[s.start : second.start])):
        return None  # "ordered to be deported", "faces deportation", "applied for asylum"
    if p.order == "so" and p.relation not in _REPORTING and _REPORTED_CLAUSE.search(head):
        return None  # "X said deserters would be granted asylum": X is not who is granted
    conf = p.base * _distance_factor(gap)
    if p.order == "so" and _HEDGE.search(head):
        conf *= 0.6
    conf = _common_factors(doc, s, conf, subj, obj)
    out = [_candidate(doc, s, subj, p.relation, p.rule, conf, obj=obj)]
    # "A, B and C fled to X": the coordinated subjects share the fact (a little less sure).
    si = i if p.order == "so" else j
    step = -1 if p.order == "so" else 1
    for extra in _coordinated(ms, si, text, step):
        out.append(_candidate(doc, s, extra, p.relation, p.rule + "+coordination",
                              conf * 0.9, obj=obj))  # fmt: skip
    return out


# -- age and demonyms --------------------------------------------------------------------------

_AGE_AFTER = re.compile(
    r"^(?:\s*\([^)]*\))?,\s+(?:a\s+|an\s+|aged\s+)?(?P<age>\d{1,3})(?:-year-old\b|\s+years?\s+old"
    r"\b|(?=\s*[,)]))"
)
_AGE_BEFORE = re.compile(r"\b(?P<age>\d{1,3})-year-old\s+(?:[\w-]+\s+){0,3}?$")
_AGE_SELF = re.compile(r"\b(?P<age>\d{1,3})-year-old\b")
_DEMONYM_AFTER = re.compile(
    r"^(?:\s*\([^)]*\))?,\s+(?:a|an)\s+(?:\d{1,3}-year-old\s+)?" + _DEMONYM
    + r"(?=\s*[,.;)]|\s+(?:from|who|man|woman|citizen|national)\b)", re.I
)  # fmt: skip
_DEMONYM_BEFORE = re.compile(
    r"\b(?:a|an)\s+(?:\d{1,3}-year-old\s+)?" + _DEMONYM + r"(?:\s+(?:man|woman|citizen|national))?"
    r"(?:\s+from\s+[^,;]{1,40})?,\s+$", re.I
)  # fmt: skip


def _age_candidates(doc: Document, s: _Sentence) -> list[Candidate]:
    text, out = doc.text, []
    for m in s.mentions:
        if m.type != "Person" or _inside(s.quotes, m.start, m.end):
            continue
        found = None
        if m.recogniser == "coref":
            hit = _AGE_SELF.search(m.text)
            found = (hit, "age-anaphor", 0.6) if hit else None
        else:
            after = _AGE_AFTER.search(text[m.end : s.end])
            before = _AGE_BEFORE.search(text[s.start : m.start])
            if after:
                found = (after, "age-apposition", 0.9)
            elif before:
                found = (before, "age-year-old", 0.85)
        if found and 0 < int(found[0].group("age")) < 120:
            hit, rule, base = found
            conf = _common_factors(doc, s, base, m)
            out.append(_candidate(doc, s, m, "age", rule, conf, value=hit.group("age")))
    return out


def _country_id(doc_mentions: list[Mention], country: str) -> str:
    """The entity id a country has in this document's mentions, else its name as a slug."""
    for m in doc_mentions:
        if m.type == "Place" and m.entity and m.text.lower() == country.lower():
            return m.entity
    return re.sub(r"[^a-z0-9]+", "-", country.lower()).strip("-")


def _demonym_candidates(doc, s: _Sentence, all_mentions) -> list[Candidate]:
    text, out = doc.text, []
    for m in s.mentions:
        if m.type != "Person" or m.recogniser == "coref" or _inside(s.quotes, m.start, m.end):
            continue
        hit = _DEMONYM_AFTER.search(text[m.end : s.end])
        rule = "demonym-apposition"
        if not hit:
            hit, rule = _DEMONYM_BEFORE.search(text[s.start : m.start]), "demonym-fronted"
        if not hit:
            continue
        country = DEMONYMS[hit.group("demonym").lower()]
        cand = _candidate(doc, s, m, "citizenOf", rule, _common_factors(doc, s, 0.75, m))
        cand.object = _country_id(all_mentions, country)
        cand.note = f'"{hit.group("demonym")}" read as a citizen of {country}'
        out.append(cand)
    return out


# -- entry restrictions --------------------------------------------------------------------------

_IMPOSER_BEFORE = re.compile(
    r"^(?:'s|’s)?[\s–—-]+(?:[^;]{0,70}?\b(?:announced|decided|agreed|said|voted|moved"
    r"|decision|plans?|would|will|to)\b[^;]{0,30}?)?\s*$", re.I
)  # fmt: skip
_IMPOSER_AFTER = re.compile(
    r"^\s+(?:imposed|introduced|announced|decided|ordered)\s+by\s+(?:the\s+)?$", re.I
)


def _restriction_candidates(doc, s: _Sentence, all_mentions) -> list[Candidate]:
    """An entry-restriction event: who imposed it (imposedBy) and whose citizens it concerns.

    Modelled as in data/curated: (restriction, imposedBy, state) and (restriction,
    appliesToCitizensOf, country named by the demonym next to the trigger).
    """
    text, ms, out = doc.text, s.mentions, []
    for k, ev in enumerate(ms):
        if ev.type != "Event" or not _RESTRICTION.search(ev.text):
            continue
        if _NEG.search(_norm(text[max(s.start, ev.start - 25) : ev.start])):
            continue  # "Norway has not closed its border": no restriction to describe
        context = text[ev.start : min(s.end, ev.end + 80)]
        sentence = text[s.start : s.end]
        if not _ENTRY.search(sentence) and not re.search(_DEMONYM, sentence, re.I):
            continue
        imposer = None
        for a in reversed(ms[:k]):
            if a.type not in ("Place", "Organisation"):
                continue
            if any(x.type in ("Place", "Organisation", "Event") for x in ms[ms.index(a) + 1 : k]):
                break
            if _IMPOSER_BEFORE.fullmatch(text[a.end : ev.start]):
                imposer = (a, "restriction-imposer-before", 0.75, ms.index(a))
            break
        if imposer is None:
            for a in ms[k + 1 :]:
                if a.type in ("Place", "Organisation"):
                    if _IMPOSER_AFTER.fullmatch(text[ev.end : a.start]):
                        imposer = (a, "restriction-imposed-by", 0.85, ms.index(a))
                    break
        if imposer:
            a, rule, base, ai = imposer
            conf = _common_factors(doc, s, base * _distance_factor(text[a.end : ev.start]), a)
            out.append(_candidate(doc, s, ev, "imposedBy", rule, conf, obj=a))
            for extra in _coordinated(ms, ai, text, -1):
                out.append(_candidate(doc, s, ev, "imposedBy", rule + "+coordination",
                                      conf * 0.9, obj=extra))  # fmt: skip
        dem = re.search(r"\b" + _DEMONYM + r"\b", context, re.I)
        if not dem:  # the nearest demonym before the trigger: "Russians fear the new rules"
            dem = ([None] + list(re.finditer(r"\b" + _DEMONYM + r"\b", text[s.start : ev.start],
                                            re.I)))[-1]  # fmt: skip
        if dem:
            country = DEMONYMS[dem.group("demonym").lower()]
            cand = _candidate(doc, s, ev, "appliesToCitizensOf", "restriction-demonym",
                              _common_factors(doc, s, 0.7, ev))  # fmt: skip
            cand.object = _country_id(all_mentions, country)
            cand.note = f'"{dem.group(0)}" read as citizens of {country}'
            out.append(cand)
    return out


# -- entry point -----------------------------------------------------------------------------------


#: A photo caption's credit at the end of a line: "(AFP)", "(Photo: X/Reuters)",
#: "EPA/ZURAB KURTSIKIDZE", "Photo by X / Getty Images", "© APA".
_CREDIT = re.compile(
    r"(?:\((?:[^()]{0,60}?[/:]\s*)?(?:AFP|AP|Reuters|EPA|Getty(?:\s+Images)?|Anadolu|TASS|Sputnik"
    r"|RIA\s+Novosti|Xinhua|Shutterstock|Alamy|dpa|PAP|Lehtikuva|Scanpix)[^()]{0,30}\)\s*$"
    r"|\b[A-Z]{2,}(?:-[A-Z]+)?\s*/\s*[A-Z][A-Za-z.'’ -]{2,40}$"
    r"|^(?:photo|image|picture|file\s+photo|credit|illustration)s?\s*(?:by\b|[:|©])"
    r"|(?:^|\s)©\s*\S"
    r"|\b(?:photo|image)\s*(?:by|:)\s*[^.]{0,60}$)", re.I
)  # fmt: skip
#: A dateline opening the first sentence: "TBILISI, Georgia (AP) — ", "KYIV, Sept 27 (Reuters) -".
_DATELINE = re.compile(
    r"[A-Z][A-Z.'’ -]{2,30}(?:,\s+[^—–\n]{1,40}?)?\s*(?:\([A-Za-z .-]{1,30}\)\s*)?[—–-]{1,2}\s+"
)
_ENDS_SENTENCE = re.compile(r"[.!?…][\"'”’»)\]]*$|[,.!?…][”’\"»]$")


def _not_prose(text: str, a: int, b: int) -> bool:
    """A headline, byline, section title or photo caption: a whole line that does not end
    as a sentence does, or that carries a picture credit. Relations are not read from them
    (their names are still mentions)."""
    piece = text[a:b]
    if _CREDIT.search(piece):
        return True
    line_start = text.rfind("\n", 0, a) + 1
    line_end = text.find("\n", b)
    line_end = len(text) if line_end < 0 else line_end
    whole_line = not text[line_start:a].strip() and not text[b:line_end].strip()
    return whole_line and not _ENDS_SENTENCE.search(piece) and b < len(text.rstrip())


def _build_sentences(doc: Document, mentions: list[Mention], dates: list[Mention]):
    spans = []
    for a, b in sentences(doc.text, doc.body_spans()):
        if _not_prose(doc.text, a, b):
            continue
        dl = _DATELINE.match(doc.text, a, b)
        spans.append((dl.end() if dl else a, b))
    starts = [a for a, _ in spans]
    out = [_Sentence(a, b, [], [], _quotes(doc.text, a, b)) for a, b in spans]
    from bisect import bisect_right

    def place(m: Mention, attr: str):
        i = bisect_right(starts, m.start) - 1
        if i >= 0 and m.end <= spans[i][1]:
            getattr(out[i], attr).append(m)

    for m in mentions:
        if m.type in ENTITY_TYPES and m.entity and not doc.in_boilerplate(m.start, m.end):
            place(m, "mentions")
    for m in dates:
        place(m, "dates")
    for s in out:
        s.mentions.sort(key=lambda x: (x.start, x.end))
    return out


def extract_relations(
    doc: Document, mentions: list[Mention], dates: list[Mention] | None = None
) -> list[Candidate]:
    """Propose facts from sentence patterns between linked mentions of `doc`.

    `mentions` are linked (`.entity` set); Date/Quantity mentions may be mixed in, and Date
    mentions (`.value` YYYY, YYYY-MM or YYYY-MM-DD) become the candidates' `date`. Returns one
    candidate per (subject, relation, object or value, sentence), the most confident kept.
    """
    date_ms = [m for m in (dates or []) + mentions if m.type == "Date"]
    sents = _build_sentences(doc, mentions, date_ms)
    _resolve_pronouns(doc.text, sents)
    linked = [m for m in mentions if m.entity]
    found: list[Candidate] = []
    last_said: Candidate | None = None
    last_at = -9
    for idx, s in enumerate(sents):
        found.extend(_pair_candidates(doc, s))
        found.extend(attribute_candidates(doc, s, _candidate, _common_factors, _inside,
                                          lambda t: bool(_NEG.search(_norm(t)))))
        found.extend(_age_candidates(doc, s))
        found.extend(_demonym_candidates(doc, s, linked))
        found.extend(_restriction_candidates(doc, s, linked))
        # Only a quotation of the last two sentences hands its speaker on to a bare one.
        said = _said_candidates(doc, s, last_said if idx - last_at <= 2 else None)
        found.extend(said)
        if said:
            last_said, last_at = said[-1], idx
    return _dedupe(found)


def _dedupe(cands: list[Candidate]) -> list[Candidate]:
    best: dict[tuple, Candidate] = {}
    for c in cands:
        if c.subject is None or (c.object is None and c.value is None):
            continue
        if c.object is not None and c.object == c.subject:
            continue
        k = (c.subject, c.relation, c.object or c.value, c.evidence_offset)
        if k not in best or c.confidence > best[k].confidence:
            best[k] = c
    return sorted(best.values(), key=lambda c: (c.evidence_offset, -c.confidence, c.relation))


def as_gold(c: Candidate) -> tuple[str, str, str | None] | None:
    """The candidate as a (subject, gold relation, object or literal) triple of ../shared/gold.

    Used by the scorer: aliases (comesFrom -> resides_in) applied, and the restriction turned
    round: (restriction, imposedBy, state) is gold's (state, restricts_entry_of, literal).
    """
    prop = SCORING_ALIASES.get(c.relation, c.relation)
    names = {v: k for k, v in GOLD_RELATIONS.items() if v}
    gold = names.get(prop)
    if gold is None:
        return None
    if prop == "imposedBy":
        return (c.object, gold, None)
    return (c.subject, gold, c.object if c.object is not None else c.value)
