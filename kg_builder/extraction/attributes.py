"""Facts whose object is a short text about one person: an office (jobTitle), a charge
(chargedWith) and a court's sentence (sentencedTo).

Generic English: the office nouns and the legal verbs are word lists, nothing names a person,
place or sentence of any article. Each function takes one sentence (relations._Sentence) and
returns candidates through `relations._candidate`, so they carry the same evidence, offsets,
dates and confidence factors as every other fact.
"""

from __future__ import annotations

import re

#: Office and role nouns (lower case); compound offices are built from the modifiers below.
OFFICES = (
    r"prime\s+minister|minister|president|vice[\s-]president|chancellor|premier|governor|mayor"
    r"|ambassador|envoy|commissioner|spokes(?:man|woman|person)|press\s+secretary|secretary"
    r"|senator|lawmaker|deputy|mp|mep|speaker|chairm[ae]n|chairwoman|chair|ceo|director"
    r"|editor-in-chief|editor|head|chief|leader|founder|co-?founder|coordinator|ombudsman"
    r"|ombudswoman|prosecutor|judge|lawyer|attorney|general|colonel|lieutenant|captain|major"
    r"|sergeant|commander|patriarch|activist|journalist|correspondent|reporter"
)
#: Words that may precede an office noun inside the title ("deputy foreign minister").
MODIFIERS = (
    r"deputy|vice|first|former|acting|foreign|interior|defen[cs]e|justice|economy|finance"
    r"|digital|development|health|culture|immigration|migration|home|emergency|state|federal"
    r"|regional|district|chief|senior|prime|opposition|human\s+rights|press|executive|managing"
    r"|general|military|border|security|police|army|navy|exiled|independent|veteran"
)
_TITLE = r"(?:(?:" + MODIFIERS + r")[\s-]+){0,3}(?:" + OFFICES + r")"
#: "Interior Minister Vakhtang Gomelauri", "Kazakh President Tokayev", "the country's
#: foreign minister, X": the title right before the name (an optional comma).
_TITLE_BEFORE = re.compile(r"\b(?P<v>" + _TITLE + r")\s*,?\s+$", re.I)
#: "X, the interior minister," / "X, a spokesman for ..." / "X, head of ...".
_TITLE_AFTER = re.compile(
    r"^(?:\s*\([^)]*\))?,\s+(?:(?:the|a|an|its|his|her|their)\s+)?(?:[\w'’.-]+(?:'s|’s)\s+)?"
    r"(?P<v>" + _TITLE + r")\b(?!['’-])", re.I
)

#: The offence: up to eight words after "charged with" / "accused of" / "convicted of".
_OFFENCE = r"(?P<v>(?:(?!and\s+(?:was|is|has|faces)\b)[^,.;:()“”\"])+?)(?=\s*(?:[,.;:()“”\"]|$|\s+(?:and|after|for|because|in\s+absentia|under)\b))"
_CHARGED_AFTER = re.compile(
    r"^(?:\s*\([^)]*\))?(?:,[^,;]{0,60},)?\s+(?:[\w-]+\s+){0,5}?(?:was\s+|were\s+|is\s+|are\s+"
    r"|has\s+been\s+|had\s+been\s+|have\s+been\s+|been\s+|being\s+|now\s+)?(?P<t>charged\s+with"
    r"|accused\s+of|indicted\s+(?:for|on)|convicted\s+of|found\s+guilty\s+of|faces?\s+charges?"
    r"\s+of|facing\s+charges?\s+of|prosecuted\s+for|(?:on|over)\s+charges?\s+of|suspected\s+of)\s+"
    r"(?:(?:so-called|alleged|the)\s+)?" + _OFFENCE, re.I
)
#: The sentence: a number of years/months (and where it is served).
_TERM = (
    r"(?P<v>(?:(?:up\s+to|more\s+than|nearly|almost|about)\s+)?(?:[\w.-]+\s+){1,3}?"
    r"(?:years?|months?|days?|weeks?)(?:\s+(?:in|of)\s+(?:a\s+|an\s+|the\s+)?[\w\s-]{0,40}?"
    r"(?:colony|prison|jail|detention|labou?r|arrest|probation|sentence))?"
    r"|life(?:\s+imprisonment|\s+in\s+prison)?|(?:a\s+)?suspended\s+sentence|(?:a\s+)?fine"
    r"(?:\s+of\s+[\w\s,.]{1,30}?)?)"
)
_SENTENCED_AFTER = re.compile(
    r"^(?:\s*\([^)]*\))?(?:,[^,;]{0,60},)?\s+(?:[\w-]+\s+){0,3}?(?:was\s+|were\s+|is\s+|has\s+been"
    r"\s+|had\s+been\s+|have\s+been\s+|been\s+)?(?:(?P<t>sentenced|jailed|imprisoned|given)"
    r"(?:\s+in\s+absentia)?\s+(?:to|for)\s+" + _TERM + r"\b"
    r"|(?P<t2>handed|given|received|got|served\s+with)\s+(?P<v2>(?:a|an)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:sentence|prison\s+term|jail\s+term|term\s+in\s+prison)))", re.I
)
#: "a court sentenced X to five years": the verb before the name, the term after it.
_SENTENCED_VERB_BEFORE = re.compile(
    r"\b(?P<t>sentenced|jailed|gave)\s+(?:[\w-]+\s+){0,2}?$", re.I
)
_TERM_AFTER = re.compile(
    r"^(?:\s*\([^)]*\))?(?:,[^,;]{0,60},)?(?:\s+in\s+absentia)?\s+(?:to|for)\s+" + _TERM + r"\b",
    re.I,
)


_CHARGE_LATER = re.compile(
    r"\b(?:over|on|for)\s+(?:the\s+)?charges?\s+of\s+" + _OFFENCE, re.I
)


def _value(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" ,")


def attribute_candidates(doc, s, candidate, factors, inside, negated) -> list:
    """jobTitle, chargedWith and sentencedTo candidates of sentence `s`.

    `candidate`, `factors`, `inside` and `negated` are relations' own helpers (passed in, so
    this module does not import relations: no cycle)."""
    text, out = doc.text, []
    persons = [m for m in s.mentions if m.type == "Person" and not inside(s.quotes, m.start,
                                                                          m.end)]
    for i, m in enumerate(persons):
        nxt = persons[i + 1].start if i + 1 < len(persons) else s.end
        if m.recogniser != "coref":
            before = _TITLE_BEFORE.search(text[max(s.start, m.start - 60) : m.start])
            after = _TITLE_AFTER.search(text[m.end : s.end])
            for hit, rule, base in ((before, "title-before-name", 0.75),
                                    (after, "title-apposition", 0.7)):  # fmt: skip
                if hit:
                    out.append(candidate(doc, s, m, "jobTitle", rule, factors(doc, s, base, m),
                                         value=_value(hit.group("v"))))  # fmt: skip
        tail = text[m.end : nxt]
        hit = _CHARGED_AFTER.search(tail)
        if hit and not negated(tail[: hit.start("t")]):
            value = _value(hit.group("v"))
            if 1 <= len(value.split()) <= 12:
                out.append(candidate(doc, s, m, "chargedWith", "charged-with",
                                     factors(doc, s, 0.75, m), value=value))  # fmt: skip
        hit = _SENTENCED_AFTER.search(tail)
        rule = "sentenced-to"
        if not hit and _SENTENCED_VERB_BEFORE.search(text[max(s.start, m.start - 40) : m.start]):
            hit, rule = _TERM_AFTER.search(tail), "court-sentenced"
        if hit:
            group = "v" if hit.groupdict().get("v") else "v2"
            if not negated(tail[: hit.start(group)]):
                out.append(candidate(doc, s, m, "sentencedTo", rule, factors(doc, s, 0.75, m),
                                     value=_value(hit.group(group))))  # fmt: skip
                # "... sentenced X to five years over charges of desertion": the charge
                charge = _CHARGE_LATER.search(tail, hit.end())
                if charge and not any(c.relation == "chargedWith" and c.subject == m.entity
                                      for c in out):
                    out.append(candidate(doc, s, m, "chargedWith", "sentenced-over-charges",
                                         factors(doc, s, 0.7, m),
                                         value=_value(charge.group("v"))))  # fmt: skip
    return out
