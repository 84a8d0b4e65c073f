"""The vocabulary of relation extraction: which ontology property each gold relation name
stands for, the generic English word lists (speech verbs, job and military nouns, family
words, demonyms) and the sentence patterns between two mentions (`PATTERNS`).

Patterns are written for English news prose in general (verbs of flight, job titles,
appositions such as "X, 32," or "X, a member of Y"), never for one sentence of a corpus; each
names the ontology property it proposes and the mention types it joins. `relations.py`
applies them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Gold relation names (../shared/gold, snake_case) -> the ontology property produced for them.
GOLD_RELATIONS: dict[str, str | None] = {
    "member_of": "memberOf",
    "former_member_of": "formerMemberOf",
    "employed_by": "employedBy",
    "leads": "leads",
    "founded": "founderOf",
    "spouse_of": "spouseOf",
    "relative_of": "relativeOf",
    "citizen_of": "citizenOf",
    "born_in": "bornIn",
    "resides_in": "residesIn",
    "located_in": "locatedIn",
    "fled_to": "fledTo",
    "travelled_via": "travelledVia",
    "fled_from": "fledFrom",
    "deserted_from": "desertedFrom",
    "participated_in": "participatedIn",
    "announced": "announced",
    # Gold: (state, restricts_entry_of, "Russians on ... visas"); produced: (restriction,
    # imposedBy, state) as data/curated models it. `as_gold` turns it round for scoring.
    "restricts_entry_of": "imposedBy",
    "helps": "helps",
    "reported_by": None,
    "said": "said",
    "interviewed_by": "interviewedBy",
    "arrested_by": "arrestedBy",
    "age_at_publication": "age",
    "job_title": "jobTitle",
    "deported_to": "deportedTo",
    "deported_from": "deportedFrom",
    "charged_with": "chargedWith",
    "sentenced_to": "sentencedTo",
    "granted_asylum_in": "grantedAsylumIn",
    "refused_asylum_in": "refusedAsylumIn",
    "other": None,
}
#: Produced properties that count as a gold relation's property when scoring: "a man from
#: Samara" is comesFrom in the ontology, resides_in in gold; a spokesman is employed.
SCORING_ALIASES: dict[str, str] = {
    "comesFrom": "residesIn", "spokespersonFor": "employedBy", "place": "locatedIn",
}
#: Relations whose subject and object may be swapped without changing the fact.
SYMMETRIC = frozenset({"spouseOf", "relativeOf"})
#: Relations whose object (or value) is a literal compared by overlapping text.
LITERAL = frozenset({"said", "age", "jobTitle", "chargedWith", "sentencedTo"})
#: Relations that take the sentence's date as a time qualifier.
DATED = frozenset(
    {
        "fledTo", "fledFrom", "travelledVia", "desertedFrom", "announced", "arrestedBy",
        "participatedIn", "imposedBy", "said", "interviewedBy", "founderOf", "deportedTo",
        "deportedFrom", "grantedAsylumIn", "refusedAsylumIn", "chargedWith", "sentencedTo",
    }
)  # fmt: skip

_DATE_VALUE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
_AGENTS = ("Person", "Organisation")
_P, _O, _L, _E = ("Person",), ("Organisation",), ("Place",), ("Event",)

# -- vocabularies (generic English word lists) ------------------------------------------------
_FILL = r"[^;]{0,90}?"  # anything but a clause break, lazily
_ART = r"(?:(?:the|a|an|his|her|their|its)\s+)?"
_NEG = re.compile(
    r"\b(?:not|never|no\s+longer|n[o']t|neither|nor|refused\s+to|failed\s+to|unable\s+to"
    r"|cannot|can['’]t|couldn['’]t|didn['’]t|won['’]t|wouldn['’]t|denied|avoid|avoided|avoiding"
    r"|evade|evaded|evading|dodge|dodged|dodging)\b|n['’]t\b"
)
_HEDGE = re.compile(
    r"\b(?:reportedly|allegedly|apparently|possibly|perhaps|probably|likely|could|might|may"
    r"|would|should|plans?\s+to|planning\s+to|wants?\s+to|wanted\s+to|hopes?\s+to|intends?\s+to"
    r"|ready\s+to|trying\s+to|tried\s+to|if|whether|rumou?red|said\s+to\s+have)\b"
)
_MILITARY = (
    r"soldiers?|officers?|lieutenants?|sergeants?|captains?|majors?|colonels?|generals?"
    r"|privates?|corporals?|conscripts?|reservists?|commanders?|servicem[ae]n|paratroopers?"
    r"|pilots?|fighters?|recruits?|cadets?|veterans?|members?|activists?|volunteers?"
)
_JOBS = (
    r"(?:press\s+)?secretar(?:y|ies)|ministers?|writers?|reporters?|correspondents?"
    r"|journalists?|editors?|photographers?|analysts?|researchers?|economists?|advis[eo]rs?"
    r"|lawyers?|officials?|employees?|staff(?:ers?)?|engineers?|managers?|diplomats?"
    r"|ambassadors?|envoys?|professors?|teachers?|doctors?|commissioners?|coordinators?"
    r"|representatives?|producers?|presenters?|anchors?|columnists?|workers?"
)
_LEADERS = (
    r"president|director|head|chief|leader|chairm[ae]n|chairwoman|chair|ceo|coordinator"
    r"|commander|governor|mayor|prime\s+minister"
)
_SPOKES = r"spokesm[ae]n|spokeswom[ae]n|spokespersons?|spokespeople"
_ORG_NOUNS = (
    r"project|group|organi[sz]ation|ngo|movement|network|association|foundation|initiative"
    r"|company|party|channel|fund|charity|collective|media|outlet|union|centre|center"
)
_FAMILY = (
    r"mother|father|son|daughter|brother|sister|cousin|uncle|aunt|nephew|niece|grandmother"
    r"|grandfather|grandson|granddaughter|parents?|children|child|partner|girlfriend"
    r"|boyfriend|fianc[eé]e?|(?:mother|father|son|daughter|brother|sister)-in-law"
)
_SPEECH = (
    r"said|says|say|told|tells|tell|added|adds|explained|explains|recalled|recalls|noted"
    r"|notes|believes|believed|admits|admitted|sighed|sighs|quips|quipped|asked|asks"
    r"|stated|states|insisted|insists|argued|argues|wrote|writes|warned|warns|claimed"
    r"|claims|continued|continues|remembers|remembered|is\s+convinced|was\s+convinced"
    r"|confided|confides|declared|declares|stressed|stresses|added|reported|reports"
    r"|told\s+\w+|tells\s+\w+|posted|tweeted|wrote|replied|replies"
    r"|exclaimed|concluded|concludes|acknowledged|acknowledges|emphasi[sz]ed|laments"
    r"|lamented|complained|complains|observed|observes|testified|testifies|confirmed"
    r"|confirms|estimated|estimates|predicted|predicts"
)
_ANAPHOR_NOUNS = (
    r"man|woman|men|women|boy|girl|guy|deserter|defector|engineer|officer|soldier|father"
    r"|mother|veteran|activist|worker|student|scientist|journalist|lawyer|teacher|doctor"
    r"|businessman|businesswoman|owner|refugee|migrant|conscript|reservist|\d{1,3}-year-old"
)
_PRONOUN = re.compile(
    r"\b(?:(?P<pron>he|she|him|his|her)|(?P<nom>(?:the|this|that)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:" + _ANAPHOR_NOUNS + r")))\b",
    re.IGNORECASE,
)

#: Demonyms (people) -> country name: a generic list for "X, a 49-year-old Russian".
DEMONYMS = {
    "russian": "Russia", "ukrainian": "Ukraine", "belarusian": "Belarus", "finn": "Finland",
    "finnish": "Finland", "german": "Germany", "french": "France", "frenchman": "France",
    "frenchwoman": "France", "kazakh": "Kazakhstan", "kazakhstani": "Kazakhstan",
    "georgian": "Georgia", "armenian": "Armenia", "azerbaijani": "Azerbaijan",
    "turk": "Turkey", "turkish": "Turkey", "israeli": "Israel", "pole": "Poland",
    "polish": "Poland", "latvian": "Latvia", "lithuanian": "Lithuania", "estonian": "Estonia",
    "american": "United States", "briton": "United Kingdom", "british": "United Kingdom",
    "serb": "Serbia", "serbian": "Serbia", "kyrgyz": "Kyrgyzstan", "uzbek": "Uzbekistan",
    "tajik": "Tajikistan", "mongolian": "Mongolia", "norwegian": "Norway", "swede": "Sweden",
    "swedish": "Sweden", "dane": "Denmark", "danish": "Denmark", "spaniard": "Spain",
    "spanish": "Spain", "italian": "Italy", "dutch": "Netherlands", "chinese": "China",
    "japanese": "Japan", "indian": "India", "canadian": "Canada", "czech": "Czechia",
    "slovak": "Slovakia", "hungarian": "Hungary", "romanian": "Romania", "moldovan": "Moldova",
    "bulgarian": "Bulgaria", "greek": "Greece", "austrian": "Austria", "swiss": "Switzerland",
    "belgian": "Belgium", "irish": "Ireland", "portuguese": "Portugal", "syrian": "Syria",
    "iranian": "Iran", "chechen": "Chechnya", "montenegrin": "Montenegro",
}  # fmt: skip
_DEMONYM = r"(?P<demonym>" + "|".join(sorted(DEMONYMS, key=len, reverse=True)) + r")s?"
_RESTRICTION = re.compile(
    r"\b(?:restrict\w*|ban\w*|block\w*|clos\w*|refus\w*|bar|barr\w*|suspend\w*|limit\w*"
    r"|stop\w*|halt\w*|deny\w*|denied|den[iy]al|shut\w*)\b",
    re.IGNORECASE,
)
_ENTRY = re.compile(r"\b(?:entry|enter\w*|border\w*|visas?|tourists?|citizens|nationals)\b", re.I)
_DECISION_TEXT = (
    r"(?:announc|decision|decid|decre|ban|order|restrict|clos|block|refus|limit|impos|introduc"
    r"|suspend|agree)"
)


@dataclass(frozen=True)
class Pattern:
    """A generic sentence pattern between two mentions.

    `order` "so": subject first, then object; "os": object first. `gap` must match the whole
    text between the two mentions (lower case, quotation marks unified); `pre` must match the
    end of the text before the first mention, `post` the start of the text after the second.
    The named group `t` marks the trigger: negation and hedging are looked for before it.
    """

    rule: str
    relation: str
    subject: tuple[str, ...]
    object: tuple[str, ...]
    gap: str
    order: str = "so"
    base: float = 0.8
    pre: str | None = None
    post: str | None = None
    obj_text: str | None = None  # the object's own text must match (search, lower case)
    block: tuple[str, ...] | None = None  # mention types not allowed in the gap (default: both)


def _p(rule, relation, subject, obj, gap, **kw) -> Pattern:
    return Pattern(rule, relation, subject, obj, gap, **kw)


PATTERNS: list[Pattern] = [
    # -- flight ---------------------------------------------------------------------------
    _p("fled-to", "fledTo", _P, _L,
       _FILL + r"\b(?P<t>fled|flee|flees|fleeing|escaped|escape|escapes|escaping|emigrated"
       r"|emigrate|relocated|relocate|moved|move|moving|left|leave|leaving|drove|flew|went"
       r"|crossed|headed\s+back|run|ran|gone)\b[^;]{0,45}?\b(?:to|into|for)\s+"
       r"(?:the\s+)?(?:neighbou?ring\s+|nearby\s+)?", base=0.85, block=_P),
    _p("arrived-in", "fledTo", _P, _L,
       _FILL + r"\b(?P<t>arrived|arrives|arriving|reached|reaches|entered|enters|crossed\s+into"
       r"|made\s+it\s+to|got\s+to|ended\s+up\s+in|landed|lands)\s+(?:\w+\s+){0,2}?(?:in\s+)?"
       r"(?:the\s+)?",
       base=0.6, block=_P,
       post=r"^(?!\s+(?:border|crossing|checkpoint|station|post|terminal)\b)"),
    # "arrived at the X border station": passing a crossing, not the journey's end
    _p("arrived-at-crossing", "travelledVia", _P, _L,
       _FILL + r"\b(?P<t>arrived|arrives|arriving|reached|reaches)\s+(?:at\s+)?(?:the\s+)?",
       base=0.6, block=_P,
       post=r"^\s+(?:border\s+)?(?:crossing|checkpoint|station|post|terminal)\b"),
    _p("fled-from", "fledFrom", _P, _L,
       _FILL + r"\b(?P<t>fled|flee|flees|fleeing|escaped|escape|escaping|left|leave|leaving"
       r"|emigrated\s+from|got\s+out\s+of)\s+(?:from\s+)?"
       # "fled the country from X", "left home from X": a short object, then "from".
       r"(?:(?!(?:to|into|for)\b)[\w-]+\s+(?:(?!(?:to|into|for)\b)[\w-]+\s+){0,2}?from\s+)?"
       r"(?:the\s+)?", base=0.75, block=_P),
    _p("via", "travelledVia", _P, _L,
       _FILL + r"\b(?P<t>via|through|by\s+way\s+of|transiting|transited\s+through|passing"
       r"\s+through|passed\s+through|stopover\s+in|changed\s+planes\s+in)\s+(?:the\s+)?",
       base=0.7, block=_P),
    _p("after-staying-in", "travelledVia", _P, _L, r"(?:\s+with\s+[^,;]{0,30})?,\s+",
       order="os", pre=r"\b(?:after|before|while)\s+(?:staying|living|waiting|spending"
       r"\s+\w+)\s+(?:\w+\s+)?in\s+(?:the\s+)?$", base=0.6),
    _p("deserted-from", "desertedFrom", _P, _O,
       _FILL + r"\b(?P<t>deserted|desert|deserting|deserts|defected|defecting|absconded)"
       r"\s+(?:from\s+)?(?:the\s+)?", base=0.9, block=_P),
    _p("fled-the-army", "desertedFrom", _P, _O,
       _FILL + r"\b(?P<t>fled|escaped|ran\s+away\s+from|escape\s+from|left)\s+(?:from\s+)?"
       r"(?:the\s+)?", base=0.5, block=_P),
    # -- membership, employment, leadership -------------------------------------------------
    _p("member-verb", "memberOf", _AGENTS, _O,
       _FILL + r"\b(?P<t>joined|joins|joining|(?:a\s+)?members?\s+of|volunteers?\s+(?:for|with|at)"
       r"|volunteering\s+(?:for|with|at)|serves\s+in|serving\s+in|works?\s+with|working\s+with"
       r"|activists?\s+(?:of|with|at))\s+" + _ART + r"(?:[^;,]{0,40}?\b(?:called|named"
       r"|known\s+as)\s+)?", base=0.75),
    _p("served-in", "formerMemberOf", _P, _O,
       r"\s+(?:had\s+)?(?P<t>served|fought)\s+(?:\w+\s+){0,3}?(?:in|with)\s+(?:the\s+)?",
       base=0.6),
    _p("was-a-soldier-in", "formerMemberOf", _P, _O,
       r"\s+(?P<t>was|had\s+been|used\s+to\s+be)\s+(?:a|an)\s+(?:[\w-]+\s+){0,3}?(?:"
       + _MILITARY + r")\s+(?:in|of|with|at)\s+(?:the\s+)?", base=0.65),
    _p("is-a-soldier-in", "memberOf", _P, _O,
       r"\s+(?P<t>is|has\s+been)\s+(?:a|an)\s+(?:[\w-]+\s+){0,3}?(?:" + _MILITARY
       + r")\s+(?:in|of|with|at)\s+(?:the\s+)?", base=0.7),
    _p("apposition-former-member", "formerMemberOf", _P, _O,
       r"(?:\s*\([^)]*\))?,\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,3}?former\s+(?:[\w-]+\s+){0,2}?",
       post=r"^\s+(?:" + _MILITARY + r")\b", base=0.75),
    _p("apposition-former-member-of", "formerMemberOf", _P, _O,
       r"(?:\s*\([^)]*\))?,\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,3}?former\s+(?:[\w-]+\s+){0,2}?(?:"
       + _MILITARY + r")\s+(?:of|in|with|at)\s+(?:the\s+)?", base=0.75),
    _p("apposition-member", "memberOf", _P, _O,
       r"(?:\s*\([^)]*\))?,\s+(?:a|an|the)\s+(?:(?!former)[\w-]+\s+){0,3}?(?:" + _MILITARY
       + r")\s+(?:of|in|with|at)\s+(?:the\s+)?", base=0.7),
    _p("former-org-soldier", "formerMemberOf", _P, _O,
       r"\s+(?:" + _MILITARY + r")\s+(?:\(\w+\)\s+)?", order="os",
       pre=r"\b(?:former|ex-|retired)\s*(?:[\w-]+\s+){0,1}$", base=0.75),
    _p("org-soldier", "memberOf", _P, _O,
       r"\s+(?:" + _MILITARY + r")\s+", order="os",
       pre=r"(?<!former )(?<!ex-)(?<!retired )$", base=0.6),
    _p("person-of-org", "memberOf", _P, _O, r"\s+of\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?",
       base=0.55, post=r"^(?!\s*(?:'s|’s))"),
    _p("org-job-person", "employedBy", _P, _O,
       r"(?:'s|’s)?\s+(?:[\w-]+\s+){0,2}?(?:" + _JOBS + r")\s+", order="os", base=0.75),
    _p("person-job-at-org", "employedBy", _P, _O,
       r"(?:\s*\([^)]*\))?,\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,3}?(?:" + _JOBS
       + r")\s+(?:at|of|for|with|in)\s+(?:the\s+)?", base=0.75),
    _p("works-for", "employedBy", _P, _O,
       _FILL + r"\b(?P<t>works?|worked|working|employed|hired)\s+(?:as\s+[\w\s-]{0,30}?\s+)?"
       r"(?:for|at|by)\s+(?:the\s+)?", base=0.7, block=_P),
    _p("org-spokesperson", "spokespersonFor", _P, _O,
       r"(?:'s|’s)?\s+(?:[\w-]+\s+){0,2}?(?:" + _SPOKES + r")\s+", order="os", base=0.8),
    _p("spokesperson-for", "spokespersonFor", _P, _O,
       r"(?:\s*\([^)]*\))?,?\s+(?:a|an|the)?\s*(?:[\w-]+\s+){0,2}?(?:" + _SPOKES
       + r")\s+(?:for|of|at)\s+(?:the\s+)?", base=0.8),
    _p("org-leader-person", "leads", _P, _O,
       r"(?:'s|’s)?\s+(?:[\w-]+\s+){0,1}?(?:" + _LEADERS + r")\s+", order="os", base=0.7),
    _p("leader-of-org", "leads", _P, _O,
       r"(?:\s*\([^)]*\))?,?\s+(?:a|an|the)?\s*(?:[\w-]+\s+){0,1}?(?:" + _LEADERS
       + r")\s+of\s+(?:the\s+)?", base=0.75),
    _p("leads-verb", "leads", _P, _O,
       _FILL + r"\b(?P<t>leads|led|heads|headed|runs|directs|chairs)\s+(?:the\s+)?", base=0.6,
       block=_P),
    _p("founded", "founderOf", _AGENTS, _O,
       _FILL + r"\b(?P<t>founded|co-?founded|created|set\s+up|established|launched)\s+"
       + _ART + r"(?:(?:new\s+)?(?:" + _ORG_NOUNS + r")\s+(?:called\s+|named\s+)?)?",
       base=0.75, block=_P),
    _p("founder-of", "founderOf", _P, _O,
       r"(?:\s*\([^)]*\))?,?\s+(?:a|an|the)?\s*(?:co-?)?founders?\s+of\s+(?:the\s+)?",
       base=0.8),
    _p("org-founder", "founderOf", _P, _O, r"(?:'s|’s)?\s+(?:co-?)?founder\s+", order="os",
       base=0.75),
    _p("its-founder", "founderOf", _P, _O,
       r"[^;]{0,60}?\b(?:its|whose)\s+(?:co-?)?(?P<t>founders?)\s*,?\s+(?:[\w-]+\s+){0,1}?",
       order="os", base=0.75, block=_AGENTS),
    # -- family ---------------------------------------------------------------------------
    _p("his-wife", "spouseOf", _P, _P,
       r"(?:'s|’s)?,?\s+(?:and\s+)?(?:his|her|their)?\s*(?P<t>wife|husband|spouse)\s*,?\s*",
       order="os", base=0.85),
    _p("wife-of", "spouseOf", _P, _P,
       r",?\s+(?:the\s+)?(?P<t>wife|husband|spouse|widow|widower)\s+of\s+", base=0.85),
    _p("his-relative", "relativeOf", _P, _P,
       r"(?:'s|’s)?,?\s+(?:and\s+)?(?:his|her|their)?\s*(?P<t>" + _FAMILY + r")\s*,?\s*",
       order="os", base=0.75),
    _p("relative-of", "relativeOf", _P, _P,
       r",?\s+(?:the\s+|a\s+)?(?P<t>" + _FAMILY + r")\s+of\s+", base=0.75),
    # -- state actions, events -----------------------------------------------------------------
    _p("announced", "announced", ("Person", "Organisation", "Place"), _E,
       r"(?:'s|’s)?\s+(?:(?!after\b|before\b|since\b|following\b|until\b|amid\b)\w+\s+)"
       r"{0,2}?(?P<t>announced|announces|announcing|announcement\s+of"
       r"|decreed|decrees|declared|declares|ordered|orders|decided|decides|decision|proclaimed"
       r"|unveiled|introduced|imposed|launched|agreed)\b[^;]{0,50}?", base=0.8,
       block=("Person", "Organisation", "Event")),
    _p("state-decision-event", "announced", ("Person", "Organisation", "Place"), _E,
       r"(?:'s|’s)?[\s–—-]+(?:(?:have|has|had|also|recently|now|then|finally|already|on)\s+)"
       r"{0,4}", obj_text=r"^" + _DECISION_TEXT, base=0.65),
    _p("participated", "participatedIn", _AGENTS, _E,
       _FILL + r"\b(?P<t>participated\s+in|participates\s+in|took\s+part\s+in|takes\s+part\s+in"
       r"|taking\s+part\s+in|joined|joins|fought\s+in|involved\s+in)\s+(?:a\s+|an\s+|the\s+)?",
       base=0.75, block=_P),
    _p("arrested-by", "arrestedBy", _P, _O,
       _FILL + r"\b(?P<t>arrested|detained|handcuffed|apprehended|taken\s+into\s+custody"
       r"|taken\s+to\s+the\s+police\s+station|jailed|seized|picked\s+up)\b[^;]{0,60}?\bby\s+"
       r"(?:the\s+)?", base=0.8, block=_P),
    _p("org-detained", "arrestedBy", _P, _O,
       r"\s+(?:(?:in|at)\s+(?:the\s+)?[\w-]+(?:\s+[\w-]+)?\s+)?(?:have\s+|has\s+|had\s+)?"
       r"(?:\w+\s+)?(?P<t>detained|arrested|apprehended|seized|took\s+into\s+custody)\s+"
       r"(?:[\w-]+\s+){0,3}?", order="os", base=0.75),
    _p("participant-in", "participatedIn", _P, _E,
       r"(?:\s*\([^)]*\))?,\s+(?:a|an|one)\s+(?:[\w-]+\s+)?(?P<t>participants?|organi[sz]ers?"
       r"|protesters?)\s+(?:in|of|at)\s+(?:the\s+)?", base=0.75),
    _p("interviewed-by", "interviewedBy", _P, _O,
       _FILL + r"\b(?P<t>told|tells|telling|spoke\s+to|speaks\s+to|speaking\s+to|talked\s+to"
       r"|talks\s+to|admits\s+to|admitted\s+to|confided\s+to|confides\s+to|explained\s+to"
       r"|explains\s+to|said\s+to|says\s+to|in\s+an\s+interview\s+with|interviewed\s+by"
       r"|spoke\s+with|speaks\s+with|talked\s+with)\s+(?:the\s+)?", base=0.85, block=_P),
    _p("helps", "helps", _AGENTS, _AGENTS,
       _FILL + r"\b(?P<t>helps|helped|helping|assists|assisted|assisting|supports|supported"
       r"|rescued|evacuated)\s+(?:the\s+)?", base=0.7),
    # -- deportation, asylum ------------------------------------------------------------------
    _p("deported-to", "deportedTo", _P, _L,
       _FILL + r"\b(?P<t>deported|deporting|deport|deports|expelled|extradited|extraditing"
       r"|handed\s+(?:over|back)|sent\s+back|returned\s+forcibly|forcibly\s+returned)\b"
       r"[^;]{0,45}?\b(?:to|into)\s+(?:the\s+)?", base=0.8, block=_P),
    _p("deported-from", "deportedFrom", _P, _L,
       _FILL + r"\b(?P<t>deported|expelled|extradited|removed)\s+from\s+(?:the\s+)?",
       base=0.8, block=_P),
    _p("state-deported", "deportedFrom", _P, _L,
       r"(?:'s|’s)?\s+(?:authorities\s+|government\s+|officials\s+|police\s+)?(?:has\s+|have"
       r"\s+|had\s+)?(?:\w+\s+)?(?P<t>deported|expelled|extradited|deports|expels"
       r"|extradites)\s+(?:[\w-]+\s+){0,4}?", order="os", base=0.7),
    _p("granted-asylum-in", "grantedAsylumIn", _P, _L,
       _FILL + r"\b(?P<t>granted|given|received|receives|obtained|won|got|was\s+given)\s+"
       r"(?:political\s+|temporary\s+)?(?:asylum|refugee\s+status|humanitarian\s+(?:protection"
       r"|visas?)|international\s+protection|protection)\s+(?:status\s+)?in\s+(?:the\s+)?",
       base=0.85, block=_P),
    _p("state-granted-asylum", "grantedAsylumIn", _P, _L,
       r"(?:'s|’s)?\s+(?:authorities\s+|government\s+)?(?:has\s+|have\s+|had\s+)?(?:\w+\s+)?"
       r"(?P<t>granted|gave|offered|grants)\s+(?:political\s+)?(?:asylum|refugee\s+status"
       r"|protection)\s+to\s+(?:[\w-]+\s+){0,3}?", order="os", base=0.8),
    _p("refused-asylum-in", "refusedAsylumIn", _P, _L,
       _FILL + r"\b(?P<t>denied|refused|rejected|turned\s+down\s+for)\s+(?:political\s+)?"
       r"(?:asylum|refugee\s+status|protection)\s+(?:in|by)\s+(?:the\s+)?",
       base=0.8, block=_P),
    _p("asylum-claim-rejected-in", "refusedAsylumIn", _P, _L,
       r"(?:'s|’s)\s+(?:\w+\s+){0,2}?(?:asylum|protection)\s+(?:claims?|applications?"
       r"|requests?|bids?|cases?)\s+(?:was|were|has\s+been|had\s+been)\s+(?P<t>rejected"
       r"|refused|denied|turned\s+down)\s+(?:in|by)\s+(?:the\s+)?", base=0.8, block=_P),
    # -- origin, residence, citizenship ----------------------------------------------------------
    _p("from-place", "comesFrom", _P, _L,
       r"(?:(?:\s*\([^)]*\))?,\s+(?:a|an|the)\s+(?:(?!who\b|which\b)[^,;])*?)?\s+from\s+"
       r"(?:the\s+)?", base=0.7),
    _p("a-man-from-place", "comesFrom", _P, _L, r"(?:\s+\w+)?,\s+", order="os",
       pre=r"(?:^|\b(?:a|an|the)\s+(?:[\w-]+\s+){0,3}?)from\s+(?:the\s+)?$", base=0.7),
    _p("lives-in", "residesIn", _P, _L,
       _FILL + r"\b(?P<t>lives|living|resides|residing|settled|is\s+based|now\s+based|new\s+life"
       r"|makes\s+(?:his|her|their)\s+home)\s+in\s+(?:the\s+)?", base=0.75, block=_P),
    _p("born-in", "bornIn", _P, _L,
       _FILL + r"\b(?P<t>born)\s+in\s+(?:the\s+)?", base=0.85, block=_P),
    _p("born-in-fronted", "bornIn", _P, _L, r"[^;,]{0,60},\s+(?:[\w-]+\s+){0,2}?", order="os",
       pre=r"(?:^|\W)born\s+in\s+(?:the\s+)?$", base=0.8, block=_P),
    _p("citizen-of", "citizenOf", _P, _L,
       r"(?:\s*\([^)]*\))?,?\s+(?:is\s+)?(?:a|an)\s+(?:[\w-]+\s+){0,2}?(?P<t>citizen|national"
       r"|passport\s+holder)\s+of\s+(?:the\s+)?", base=0.8),
    # -- places -----------------------------------------------------------------------------------
    _p("place-in-place", "locatedIn", _L, _L, r"\s+in\s+(?:the\s+)?", base=0.6),
    _p("event-in-place", "place", _E, _L,
       r"\s+(?:(?!by\b|of\b|against\b)[\w-]+\s+){0,3}?(?:in|at|near|outside)\s+(?:the\s+)?"
       r"(?:(?:town|city|village|region|republic)\s+of\s+)?", base=0.6),
    _p("place-comma-place", "locatedIn", _L, _L, r",\s+",
       pre=r"(?<!,\s)(?<!\band\s)(?<!\bor\s)$", post=r"^(?!\s*(?:,|and\b|or\b|[–—-]))",
       base=0.6),
    _p("place-region-of", "locatedIn", _L, _L,
       r",\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,3}?(?:region|province|city|town|village|republic"
       r"|district|territory|part|area|capital|port|state|oblast|island|peninsula)\s+(?:of|in)"
       r"\s+(?:the\s+)?", base=0.75),
]  # fmt: skip
