"""Mentions of people, organisations, places and events: the offline "rules" backend.

Three passes over the article body (never inside `doc.boilerplate`), each keeping only spans the
earlier passes left free, so mentions never overlap:

1. gazetteer: names the `EntityIndex` knows (the graph's labels and aliases, GeoNames countries
   and cities), longest match first, on word boundaries, with case rules (a capitalised name
   needs a capital in the text; an acronym needs capitals);
2. event triggers: a generic lexicon of trigger words typed with an ontology event class;
3. patterns: capitalised token sequences the index does not know, typed by cues around them
   (titles and speech verbs for people, heads and suffixes and acronyms for organisations,
   prepositions and "region"/"border" for places). Sentence-initial capitals, months and
   weekdays, stop words and nationality adjectives are not names.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from .cues import (
    _DOMAIN_END,
    _NAME_ABBREVIATIONS,
    _PERSON_AFTER,
    _PERSON_CONTEXT,
    _TRIGGER_RE,
    COMMON_ACRONYMS,
    CONNECTORS,
    DEMONYMS,
    INSTITUTION_MODIFIERS,
    INSTITUTION_NOUNS,
    LEADING_FUNCTION_WORDS,
    OFFICE_WORDS,
    ORG_AFTER,
    ORG_BEFORE,
    ORG_HEADS,
    ORG_HEADS_TO,
    PERSON_TITLES,
    PLACE_AFTER,
    PLACE_FIRST,
    PLACE_HEADS,
    PLACE_OF,
    PLACE_PREPOSITIONS,
    PLATFORMS,
    REPORTING_VERBS,
    ROLE_AFTER_ORG,
    SEATS_OF_GOVERNMENT,
    SPEECH_VERBS,
)
from .gazetteer import MONTHS_AND_DAYS, EntityIndex, _stop_words, fold
from .model import Document, Mention

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
#: What may separate the words of one name: a space, a hyphen, an apostrophe, an initial's dot.
_NAME_GAP = re.compile(
    r"^(?:[ \u00a0]|-|\u2010|\u2011|\u2013|'|\u2019|\.[ \u00a0]?)$|^\.? ?$|^ -$|^- $"
)

@dataclass
class _Token:
    start: int
    end: int
    text: str


def recognise(doc: Document, index: EntityIndex) -> list[Mention]:
    """Person, Organisation, Place and Event mentions of `doc` (default offline backend)."""
    spans = doc.body_spans()
    taken: list[Mention] = []
    for start, end in spans:
        tokens = tokenize(doc.text, start, end)
        taken.extend(gazetteer_mentions(doc.text, tokens, index))
    triggers = trigger_mentions(doc.text, spans)
    # A lower-case event alias of the graph ("mobilisation") inside a longer trigger phrase
    # ("partial mobilisation decree") gives way to the phrase, as gold marks it.
    for t in triggers:
        inner = [m for m in taken if m.type == "Event" and t.start <= m.start and m.end <= t.end
                 and (m.start, m.end) != (t.start, t.end) and m.text.islower()]
        for m in inner:
            taken.remove(m)
    taken.extend(_free(triggers, taken))
    for start, end in spans:
        tokens = tokenize(doc.text, start, end)
        taken.extend(_free(institution_mentions(doc.text, tokens), taken))
    starts = _sentence_starts(doc.text, spans)
    # Two passes: the first finds the people named with a cue anywhere in the article, so
    # that the second also knows them where no cue is at hand (sentence-initial "Putin").
    known = {w for m in taken if m.type == "Person" for w in fold(m.text).split()}
    for _ in range(2):
        found = []
        for start, end in spans:
            tokens = tokenize(doc.text, start, end)
            found.extend(pattern_mentions(doc.text, tokens, starts, index, taken, known))
        known |= {w for m in found if m.type == "Person" and m.score >= 0.7
                  for w in fold(m.text).split()}
        known |= {fold(m.text).split()[-1] for m in found
                  if m.type == "Person" and len(fold(m.text).split()) > 1}
    taken.extend(_free(found, taken))
    return [_with_area_noun(doc.text, m) for m in sorted(taken, key=lambda m: m.start)]


#: A lower-case noun after a place name that makes the pair the name of an area ("the Samara
#: region", "the Schengen area"): the noun belongs to the mention (as ../shared/gold marks
#: "Moscow region"), and the area is another place than the city.
_AREA_NOUN = re.compile(r" (?:region|oblast|province|krai|republic|area|zone|district|territory)\b")


def _with_area_noun(text: str, m: Mention) -> Mention:
    if m.type != "Place":
        return m
    hit = _AREA_NOUN.match(text, m.end)
    if not hit:
        return m
    return Mention(m.start, hit.end(), text[m.start : hit.end()], "Place", cls="Region",
                   recogniser=m.recogniser, score=min(m.score, 0.8))


def institution_mentions(text: str, tokens: list[_Token]) -> list[Mention]:
    """"<Nationality> [modifiers] <institution>": "Russian authorities", "Kazakh police",
    "Finnish border guards" name a state body (an Organisation), not the nationality."""
    out = []
    for i, tok in enumerate(tokens):
        if not (_looks_demonym(tok.text) and tok.text[:1].isupper()):
            continue
        j = i + 1
        while (j < len(tokens) and j - i <= 3 and _joins(text, tokens[j - 1], tokens[j])
               and tokens[j].text in INSTITUTION_MODIFIERS):
            j += 1
        # "Russian military police": a modifier that is an institution itself gives way to the
        # institution noun after it
        while (j < len(tokens) - 1 and tokens[j].text in INSTITUTION_NOUNS
               and _joins(text, tokens[j], tokens[j + 1]) and tokens[j + 1].text in INSTITUTION_NOUNS
               and tokens[j + 1].text not in ("military", "army")):
            j += 1
        if j < len(tokens) and _joins(text, tokens[j - 1], tokens[j]):
            cls = INSTITUTION_NOUNS.get(tokens[j].text)
            if cls:
                out.append(Mention(tok.start, tokens[j].end, text[tok.start : tokens[j].end],
                                   "Organisation", cls=cls, recogniser="pattern", score=0.7))
    return out


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[_Token]:
    """Word tokens (letters and digits) with their offsets."""
    end = len(text) if end is None else end
    return [_Token(m.start(), m.end(), m.group()) for m in _WORD.finditer(text, start, end)]


# -- gazetteer --------------------------------------------------------------------------
def gazetteer_mentions(text: str, tokens: list[_Token], index: EntityIndex) -> list[Mention]:
    """Longest-first matches of the index's names over `tokens`."""
    out, i = [], 0
    while i < len(tokens):
        found = None
        first = fold(tokens[i].text).split()
        longest = index.first_words.get(first[0], 0) if first else 0
        if not longest:  # no name starts with this word: most positions end here
            i += 1
            continue
        # a key's words come from the span's tokens; a possessive ("'s") adds a token
        for n in range(min(longest + 2, index.max_words + 1, len(tokens) - i), 0, -1):
            found = _match_at(text, tokens, i, n, index)
            if found:
                break
        if found:
            out.append(found)
            i += n
        else:
            i += 1
    return out


def _match_at(text, tokens, i, n, index) -> Mention | None:
    first, last = tokens[i], tokens[i + n - 1]
    if first.text.lower() == "the" and n > 1:
        return None
    if any(not _joins(text, a, b) for a, b in zip(
            tokens[i : i + n - 1], tokens[i + 1 : i + n], strict=True)):
        return None
    if _inside_compound(text, first.start, last.end):
        return None
    span, end = text[first.start : last.end], last.end
    if "." in span and text[end : end + 1] == "." and len(last.text) == 1:
        span, end = span + ".", end + 1  # "U.S.", "U.K.": the abbreviation's last full stop
    names = index.keys.get(fold(span))
    if not names:
        return None
    fits = [(e, name) for e, name in names if _case_fits(span, name)]
    if not fits:
        return None
    fits.sort(key=lambda x: (x[0].generic, x[0].id))
    entry, name = fits[0]
    if entry.generic and _generic_blocked(text, tokens, i, n):
        return None
    if entry.generic and " ".join(span.lower().split()) in SEATS_OF_GOVERNMENT:
        return None  # "the White House said": an institution, typed by the pattern pass
    if entry.generic and n == 1 and _is_demonym(span):
        return None  # "Kazakh" is a town's name too, but in English prose an adjective
    if (entry.type == "Place" and not entry.generic and i > 0
            and _joins(text, tokens[i - 1], tokens[i]) and _is_name_word(tokens[i - 1].text)
            and tokens[i - 1].text.lower() not in PLACE_FIRST | PLACE_PREPOSITIONS
            and not _sentence_initial_simple(text, tokens[i - 1].start)
            and not _is_demonym(tokens[i - 1].text)):
        return None  # "United Russia": the place's name inside another name
    if (entry.generic and n == 1 and _PERSON_CONTEXT.match(text, last.end)
            and (i == 0 or tokens[i - 1].text.lower() not in PLACE_PREPOSITIONS)):
        return None  # "Madina, a participant in the protests, told ...": a person
    if entry.type == "Person" and n == 1 and _longer_name(text, tokens, i):
        return None
    lower_event = entry.type == "Event" and name.islower()
    score = 0.8 if lower_event else (0.85 if entry.generic else 0.95)
    return Mention(first.start, end, span, entry.type, cls=entry.cls,
                   recogniser="gazetteer", score=score)


def _generic_blocked(text, tokens, i, n) -> bool:
    """A GeoNames-only name inside a longer capitalised name ("Vladimir Putin", "Nancy
    Faeser") or before an institution noun ("Kazakh police") is not a place mention."""
    if (i > 0 and _joins(text, tokens[i - 1], tokens[i]) and _is_name_word(tokens[i - 1].text)
            and not _sentence_initial_simple(text, tokens[i - 1].start)):
        return True
    j = i + n
    if j < len(tokens) and _joins(text, tokens[j - 1], tokens[j]):
        nxt = tokens[j].text
        return _is_name_word(nxt) or nxt.lower() in INSTITUTION_NOUNS
    return False


def _longer_name(text, tokens, i) -> bool:
    """A one-word person name of the index (a bare first name such as "Mikhail") that is
    part of a longer capitalised name ("Mikhail Sokolov"): the full name is a different
    mention, found by the patterns, and must not be cut in two."""
    j = i + 1
    if j < len(tokens) and _joins(text, tokens[i], tokens[j]) and _is_name_word(tokens[j].text):
        return tokens[j].text.lower() not in _stop_words()
    if i > 0 and _joins(text, tokens[i - 1], tokens[i]) and _is_name_word(tokens[i - 1].text):
        prev = tokens[i - 1].text.lower().rstrip(".")
        return not (prev in PERSON_TITLES or prev in _stop_words()
                    or prev in LEADING_FUNCTION_WORDS
                    or _sentence_initial_simple(text, tokens[i - 1].start))
    return False


def _sentence_initial_simple(text: str, start: int) -> bool:
    j = start
    while j > 0 and text[j - 1] in " \t\"'“‘«":
        j -= 1
    return j == 0 or text[j - 1] in ".!?\n"


def _joins(text: str, a: _Token, b: _Token) -> bool:
    """True when tokens a and b may belong to one name: a space or hyphen between them, or a
    full stop after an initial or an abbreviation ("Jan M. Olsen", "St. Petersburg")."""
    gap = text[a.end : b.start]
    if not _NAME_GAP.match(gap):
        return False
    return "." not in gap or len(a.text) == 1 or a.text.lower() in _NAME_ABBREVIATIONS


def _inside_compound(text: str, start: int, end: int) -> bool:
    """True when the span is part of a hyphenated word ("anti-war", "pro-Kremlin")."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    if before == "-" and start > 1 and text[start - 2].isalnum():
        return True
    return after == "-" and end + 1 < len(text) and text[end + 1].isalnum()


def _case_fits(span: str, name: str) -> bool:
    """Capitalised names need a capital in the text, acronyms need capitals; lower-case
    names (event aliases such as "mobilisation") match in any case."""
    if name.islower():
        return True
    if not span[:1].isupper():
        return False
    letters = [c for c in name if c.isalpha()]
    if len(letters) <= 5 and name.isupper():
        return span.isupper()
    if len(span) <= 5 and span.isupper() and not name.isupper():
        return len(span) > 3  # "TASS" for "Tass", but not "US" for "Us"
    return True


# -- event triggers ---------------------------------------------------------------------
def trigger_mentions(text: str, spans: list[tuple[int, int]]) -> list[Mention]:
    """Event mentions from the trigger lexicon, typed by their ontology class."""
    out = []
    for start, end in spans:
        for regex, cls in _TRIGGER_RE:
            for m in regex.finditer(text, start, end):
                out.append(Mention(m.start(), m.end(), m.group(), "Event", cls=cls,
                                   recogniser="pattern", score=0.75))
    out.sort(key=lambda m: (m.start, -(m.end - m.start)))
    return _free(out, [])


# -- capitalised sequences ----------------------------------------------------------------
def pattern_mentions(text, tokens, sentence_starts, index, taken, known=()) -> list[Mention]:
    """Capitalised sequences the index does not know, typed by the cues around them;
    `known` holds the fold keys of words of people already found in the article."""
    busy = [(m.start, m.end) for m in taken]
    persons = set(known) | {w for m in taken if m.type == "Person" for w in fold(m.text).split()}
    out: list[Mention] = []
    orgs = {fold(m.text) for m in taken if m.type == "Organisation"}
    surnames: set[str] = set()
    for seq in _sequences(text, tokens, sentence_starts, busy):
        m = _typed(text, tokens, seq, sentence_starts, persons, orgs)
        if m is not None:
            if m.type == "Organisation" and m.score >= 0.6:
                orgs.add(fold(m.text))
            if m.type == "Person" and m.score >= 0.7:
                persons.update(fold(m.text).split())
            elif m.type == "Person" and len(fold(m.text).split()) > 1:
                # a full name typed by its shape alone: its surname, met again on its own,
                # is the same person (news style: full name once, then the surname)
                surnames.add(fold(m.text).split()[-1])
                persons.update(surnames)
            out.append(m)
    return out


def _covered_tokens(tokens, spans) -> set[int]:
    """Positions of the tokens that overlap any of `spans` (tokens are sorted and disjoint,
    so each span is two binary searches, not a scan of every token)."""
    starts = [t.start for t in tokens]
    ends = [t.end for t in tokens]
    out: set[int] = set()
    for s, e in spans:
        out.update(range(bisect_right(ends, s), bisect_left(starts, e)))
    return out


def _sequences(text, tokens, sentence_starts, busy):
    """Runs of capitalised tokens (with connectors inside) outside taken spans; each run is a
    list of token positions."""
    run: list[int] = []
    title_line = _title_case_lines(text, tokens)
    taken = _covered_tokens(tokens, busy)
    for k, tok in enumerate(tokens):
        free = k not in taken
        cap = free and _is_name_word(tok.text) and tok.start not in title_line
        joined = run and _joins(text, tokens[run[-1]], tok)
        if cap and (not run or joined):
            run.append(k)
            continue
        if (free and run and joined and tok.text in CONNECTORS and k + 1 < len(tokens)
                and (_is_name_word(tokens[k + 1].text)
                     or (tokens[k + 1].text in CONNECTORS and k + 2 < len(tokens)
                         and _is_name_word(tokens[k + 2].text)))):
            run.append(k)  # "Carlos Martinez de la Serna": "de la" inside the name
            continue
        # "Committee to Protect Journalists": "to" and a capital after an NGO's head word
        if (free and run and joined and tok.text == "to" and k + 1 < len(tokens)
                and tokens[run[-1]].text.lower() in ORG_HEADS_TO
                and _is_name_word(tokens[k + 1].text)
                and _joins(text, tok, tokens[k + 1])):
            run.append(k)
            continue
        # "Helsinki Citizens’ Assembly": a plural possessive before an organisation's head
        if (cap and run and text[tokens[run[-1]].end : tok.start] in ("' ", "\u2019 ")
                and tokens[run[-1]].text.endswith("s") and tok.text.lower() in ORG_HEADS):
            run.append(k)
            continue
        # "Federal Office for Migration and Refugees", "Prosecutor’s Office": "and" and a
        # possessive inside an organisation's name (a head word before, a capital after)
        if (free and run and k + 1 < len(tokens) and _is_name_word(tokens[k + 1].text)
                and ((tok.text == "and" and joined
                      and any(tokens[r].text.lower() in ORG_HEADS for r in run))
                     or (tok.text == "s" and text[tok.start - 1 : tok.start] in "'’"
                         and tokens[k + 1].text.lower() in ORG_HEADS))):
            run.append(k)
            continue
        if run:
            yield _trim_run(tokens, run)
        run = [k] if cap else []
    if run:
        yield _trim_run(tokens, run)


def _trim_run(tokens, run):
    while run and tokens[run[-1]].text in CONNECTORS:
        run = run[:-1]
    return run


def _is_name_word(word: str) -> bool:
    if not word[:1].isupper() or word.lower() in MONTHS_AND_DAYS:
        return False
    return word != "I"


def _title_case_lines(text, tokens) -> set[int]:
    """Token starts on lines written in title case (headlines, menus): no patterns there."""
    out: set[int] = set()
    by_line: dict[int, list[_Token]] = {}
    for t in tokens:
        by_line.setdefault(text.rfind("\n", 0, t.start), []).append(t)
    for toks in by_line.values():
        words = [t for t in toks if t.text.isalpha() and t.text.lower() not in CONNECTORS]
        caps = sum(1 for t in words if t.text[0].isupper())
        ends = text[toks[-1].end : text.find("\n", toks[-1].end) % (len(text) + 1)].strip()
        if len(words) >= 4 and caps >= 0.7 * len(words) and not ends.endswith((".", "”", '"')):
            out.update(t.start for t in toks)
    return out


def _typed(text, tokens, seq, sentence_starts, persons, orgs=frozenset()) -> Mention | None:
    """Type a capitalised run by its cues, or None when it is not a name; then widen an
    outlet's name to the capitalised "The" of its title ("told The Moscow Times") and its
    domain ("Lenta.ru"), and a leader's name to the government named after them ("the Biden
    administration")."""
    seq = list(seq)
    if not seq:
        return None
    first, last = tokens[seq[0]], tokens[seq[-1]]
    dom = _DOMAIN_END.match(text, last.end)
    if dom and len(seq) == 1:  # "Lenta.ru": a domain names an outlet
        return Mention(first.start, dom.end(), text[first.start : dom.end()], "Organisation",
                       cls="MediaOrganisation", recogniser="pattern", score=0.7)
    lead = 1 if len(seq) > 1 and first.text.lower() == "the" else 0
    seat = SEATS_OF_GOVERNMENT.get(" ".join(tokens[k].text.lower() for k in seq[lead:]))
    if seat:  # "the Pentagon", "the White House"
        s0 = tokens[seq[lead]]
        return Mention(s0.start, last.end, text[s0.start : last.end], "Organisation",
                       cls=seat, recogniser="pattern", score=0.75)
    m = _typed_run(text, tokens, seq, sentence_starts, persons, orgs)
    if m is None:
        return None
    if m.type == "Organisation":
        after = re.match(r" (administration|government|cabinet)\b", text[m.end : m.end + 16])
        if after and len(m.text.split()) <= 2:
            end = m.end + after.end()
            return Mention(m.start, end, text[m.start : end], "Organisation",
                           cls="GovernmentBody", recogniser="pattern", score=m.score)
    if (m.cls == "MediaOrganisation" and first.text == "The" and lead
            and m.start == tokens[seq[1]].start and text[first.end : m.start] == " "
            and not _sentence_initial(text, first.start, sentence_starts)):
        return Mention(first.start, m.end, text[first.start : m.end], m.type, cls=m.cls,
                       recogniser=m.recogniser, score=m.score)
    return m


def _typed_run(text, tokens, seq, sentence_starts, persons, orgs) -> Mention | None:
    """The type of a capitalised run by its cues (see _typed)."""
    title = False
    # Leading stop words ("The", "But") and person titles ("President") are cues, not names.
    while seq:
        w = tokens[seq[0]].text.lower().rstrip(".")
        if (w in PERSON_TITLES and len(seq) > 1
                and tokens[seq[-1]].text.lower() not in ORG_HEADS):  # "General Prosecutor's Office"
            title, seq = True, seq[1:]
        elif w in _stop_words() or w in CONNECTORS or w in LEADING_FUNCTION_WORDS:
            seq = seq[1:]
        else:
            break
    # "Latvian Foreign Minister Edgars Rinkevics": the name follows the last title word;
    # a run that ends with a title ("Finnish Interior Minister") names a role, not a person.
    titles = [j for j, k in enumerate(seq) if tokens[k].text.lower() in PERSON_TITLES]
    if seq and tokens[seq[-1]].text.lower() in ORG_HEADS:
        titles = []  # "Prosecutor General's Office": titles inside an organisation's name
    if titles and titles[-1] == len(seq) - 1:
        return None
    if titles:
        title, seq = True, seq[titles[-1] + 1 :]
    if title:  # "Minister of Internal Affairs Vakhtang Gomelauri": the office is not the name
        while seq and (tokens[seq[0]].text.lower() in OFFICE_WORDS
                       or tokens[seq[0]].text in CONNECTORS):
            seq = seq[1:]
    if not seq:
        return None
    if (len(seq) > 1 and tokens[seq[-1]].text.lower() in PLATFORMS
            and _word_after(tokens, seq[-1]) in ("channel", "channels", "account", "page")):
        seq = seq[:-1]  # "the X Telegram channel": the platform is not part of the name
        first, last = tokens[seq[0]], tokens[seq[-1]]
        return _mention(text[first.start : last.end], first, last, "Organisation",
                        "MediaOrganisation", 0.7)
    words = [tokens[k].text for k in seq]
    first, last = tokens[seq[0]], tokens[seq[-1]]
    span = text[first.start : last.end]
    initial = _sentence_initial(text, first.start, sentence_starts)
    prev_word = _word_before(text, tokens, seq[0])
    prev2 = _word_before(text, tokens, seq[0] - 1) if seq[0] > 0 else ""
    next_word = _word_after(tokens, seq[-1])
    if prev_word in PERSON_TITLES:
        title = True
    heads = [ORG_HEADS[w.lower()] for w in words if w.lower() in ORG_HEADS]
    if all(_is_demonym(w) for w in words) and not heads:
        return None
    if heads and not (initial and len(words) == 1):
        return _mention(span, first, last, "Organisation", heads[-1], 0.8)
    if heads:
        return None
    if fold(span) in orgs or (len(words) > 1 and fold(words[0]) in orgs):
        # named as an organisation earlier in the article ("Kommersant", "Kommersant Sibir")
        return _mention(span, first, last, "Organisation", None, 0.7)
    after_role = tokens[seq[-1] + 2].text if seq[-1] + 2 < len(tokens) else ""
    if (next_word in ROLE_AFTER_ORG and after_role[:1].isupper() and not title
            and not any(fold(w) in persons for w in words)
            and _joins(text, tokens[seq[-1]], tokens[seq[-1] + 1])):
        # "Idite Lesom head Grigory Sverdlin": the name before the role is the organisation
        return _mention(span, first, last, "Organisation", None, 0.65)
    if prev_word in ORG_BEFORE and not title and not any(fold(w) in persons for w in words):
        return _mention(span, first, last, "Organisation", ORG_BEFORE[prev_word], 0.7)
    if (len(words) == 1 and text[first.start - 1 : first.start] == "("
            and text[last.end : last.end + 1] == ")" and not title):
        return _mention(span, first, last, "Organisation", "MediaOrganisation", 0.6)  # "(Reuters)"
    if (next_word in ORG_AFTER and not title and _PERSON_AFTER.match(text, last.end) is None
            and not (initial and len(words) == 1)):  # "Border guards said": a capital only
        return _mention(span, first, last, "Organisation", ORG_AFTER[next_word], 0.7)
    if prev_word == "of" and prev2 in PLACE_OF and not title:
        return _mention(span, first, last, "Place", None, 0.7)
    if len(words) > 1 and words[0].lower().rstrip(".") in PLACE_FIRST and not title:
        return _mention(span, first, last, "Place", None, 0.65)
    if len(words) > 1 and words[-1].lower() in PLACE_HEADS:
        return _mention(span, first, last, "Place", PLACE_HEADS[words[-1].lower()], 0.7)
    if (len(words) == 1 and words[0].isupper() and 2 <= len(words[0]) <= 6
            and words[0] not in COMMON_ACRONYMS):
        return _mention(span, first, last, "Organisation", None, 0.7)
    # "according to Mediazona", "Mediazona reported": outlets and groups report and
    # estimate; a one-word name with such a cue and no other sign of a person is one of them.
    if (len(words) == 1 and not title and not any(fold(w) in persons for w in words)
            and ((prev_word == "to" and prev2 in ("according", "told", "tells", "telling"))
                 or prev_word in ("told", "tells", "telling", "citing")
                 or next_word in REPORTING_VERBS)):
        return _mention(span, first, last, "Organisation", None, 0.6)
    quoted = text[first.start - 1 : first.start] in "“\"«" and text[last.end : last.end + 1] in "”\"»"
    if (quoted and first.start > 0 and not title and not any(fold(w) in persons for w in words)
            and (next_word in REPORTING_VERBS or next_word in SPEECH_VERBS
                 or _word_after(tokens, seq[-1]) in ("claims", "claimed"))):
        return _mention(span, first, last, "Organisation", None, 0.6)  # 'the “X Y” reports'
    speech = prev_word in SPEECH_VERBS or next_word in SPEECH_VERBS
    age = _PERSON_AFTER.match(text, last.end) is not None
    known_person = any(fold(w) in persons for w in words)
    if title or age or (speech and not initial) or known_person:
        cut = next((j for j, k in enumerate(seq) if tokens[k].text == "of"), None)
        if cut:  # "Yevgeny Smirnov of Department One": the person, not their organisation
            first, last = tokens[seq[0]], tokens[seq[cut - 1]]
            span = text[first.start : last.end]
        return _mention(span, first, last, "Person", "Person", 0.8)
    if next_word in PLACE_AFTER:
        return _mention(span, first, last, "Place", PLACE_AFTER[next_word], 0.75)
    if prev_word in PLACE_PREPOSITIONS and not (prev_word == "to" and prev2 in SPEECH_VERBS):
        return _mention(span, first, last, "Place", None, 0.6)
    if speech:
        return _mention(span, first, last, "Person", "Person", 0.7)
    if (len(words) >= 2 and all(w[1:].islower() for w in words)
            and not any(_is_demonym(w) for w in words)):
        return _mention(span, first, last, "Person", "Person", 0.5 if initial else 0.55)
    return None


def _mention(span, first, last, type_, cls, score) -> Mention:
    return Mention(first.start, last.end, span, type_, cls=cls, recogniser="pattern",
                   score=score)


_DEMONYM_END = re.compile(r"(?:ian|ean|ish|ese|i|akh|ek|ik)s?$")


def _looks_demonym(word: str) -> bool:
    """A known demonym, or a word shaped like one: only used right before an institution
    noun ("Ardanian authorities"), where a given name is unlikely."""
    return _is_demonym(word) or (bool(_DEMONYM_END.search(word.lower())) and len(word) > 3)


def _is_demonym(word: str) -> bool:
    """A nationality adjective ("Russian", "Finnish", "Kazakh"): not an entity (gold rule)."""
    w = word.lower()
    if w.endswith("s") and w[:-1] in DEMONYMS:  # "Russians", "Finns", "Kazakhs"
        w = w[:-1]
    return w in DEMONYMS and word[:1].isupper() and len(word) > 2


def _word_before(text, tokens, k) -> str:
    """The word just before token k when only spaces or commas separate them (lower case)."""
    if k <= 0:
        return ""
    gap = text[tokens[k - 1].end : tokens[k].start]
    return tokens[k - 1].text.lower() if re.fullmatch(r"[ ,.]{1,3}", gap) else ""


def _word_after(tokens, k) -> str:
    return tokens[k + 1].text.lower() if k + 1 < len(tokens) else ""


def _sentence_initial(text, start, sentence_starts) -> bool:
    """True when the word opens a sentence (possibly after an opening quote or dash)."""
    j = start
    while j > 0 and text[j - 1] in " \t\"'“‘«—–-(":
        j -= 1
    # the sentence may start at the word or at the quote or dash before it
    return (any(k in sentence_starts for k in range(j, start + 1)) or j == 0
            or text[j - 1] == "\n")


def _sentence_starts(text: str, spans) -> set[int]:
    try:
        from .sentences import sentences

        return {s for s, _ in sentences(text, spans)}
    except ImportError:  # pragma: no cover - a tiny fallback
        return {m.end() for m in re.finditer(r"(?:^|[.!?]['\"”’]?\s+)", text, re.M)}


def _free(new: list[Mention], taken: list[Mention]) -> list[Mention]:
    """Mentions of `new` that overlap nothing in `taken` nor an earlier one of `new`."""
    busy = [(m.start, m.end) for m in taken]
    out = []
    for m in new:
        if not any(s < m.end and m.start < e for s, e in busy):
            out.append(m)
            busy.append((m.start, m.end))
    return out
