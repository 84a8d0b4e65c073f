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

Quotations (`said`) are found separately: the quotation, then its speaker from "..., said X",
"..., X said/told", "X said: ...", "according to X" and indirect "X said that ...".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .attributes import attribute_candidates
from .model import ENTITY_TYPES, Candidate, Document, Mention
from .sentences import sentences

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
    r"|cannot|can['’]t|couldn['’]t|didn['’]t|won['’]t|wouldn['’]t|denied)\b|n['’]t\b"
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
       base=0.6, block=_P),
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
       r"(?:'s|’s)?\s+(?:\w+\s+){0,2}?(?P<t>announced|announces|announcing|announcement\s+of"
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


# -- coreference --------------------------------------------------------------------------------


def _resolve_pronouns(text: str, sents: list[_Sentence]) -> None:
    """Add Person mentions for "he"/"she"/"his"/"the young man" pointing at the latest person.

    Journalists name a person once and then write "he says" or "the deserter recalls";
    without this the speaker of most quotations is lost. The antecedent is the most recent
    Person (named, or itself resolved) within the last three sentences, outside quotations;
    such mentions get recogniser "coref" and
    make candidates weaker (see `_COREF_FACTOR`). Pronouns inside quotations are left alone.
    """
    history: list[tuple[int, Mention]] = []
    genders = _genders(text, sents)
    for idx, s in enumerate(sents):
        added = []
        for m in _PRONOUN.finditer(text, s.start, s.end):
            if _inside(s.quotes, m.start(), m.end()):
                continue
            if any(x.start < m.end() and m.start() < x.end for x in s.mentions
                   if x.type in _AGENTS):  # fmt: skip
                continue
            want = _gender_of_anaphor(m.group(0))
            before = [x for x in s.mentions if x.type == "Person" and x.end <= m.start()]
            recent = [x for i, x in history if idx - i <= 3] + before
            recent = [x for x in recent if genders.get(x.entity, want) == want]
            if not recent:
                continue
            ante = recent[-1]
            word = m.group(0).lower()
            cls = {"his": "possessive", "her": "possessive", "him": "object"}.get(word, "pronoun")
            added.append(
                Mention(m.start(), m.end(), m.group(0), "Person", cls=cls,
                        recogniser="coref", score=0.7, entity=ante.entity,
                        link_rule="coref")  # fmt: skip
            )
        if added:
            s.mentions = sorted(s.mentions + added, key=lambda x: (x.start, x.end))
        history.extend(
            (idx, x)
            for x in s.mentions
            if x.type == "Person" and not _inside(s.quotes, x.start, x.end)
        )


_FEMALE = re.compile(
    r"\b(?:she|her|woman|women|girl|mother|wife|sister|daughter|businesswoman|widow|aunt"
    r"|grandmother|niece|mrs|ms|madame)\b", re.I
)  # fmt: skip
_MALE = re.compile(
    r"\b(?:he|his|him|man|men|boy|guy|father|husband|brother|son|businessman|widower|uncle"
    r"|grandfather|nephew|mr)\b", re.I
)  # fmt: skip


def _gender_of_anaphor(phrase: str) -> str | None:
    if _FEMALE.search(phrase):
        return "f"
    return "m" if _MALE.search(phrase) else None


def _genders(text: str, sents: list[_Sentence]) -> dict[str, str]:
    """Gender cues for named people from the words right before a name ("his wife Irina",
    "Mr Smith"): they keep "the young man" from resolving to a woman named just before."""
    out: dict[str, str] = {}
    for s in sents:
        for m in s.mentions:
            if m.type == "Person":
                left = text[max(s.start, m.start - 25) : m.start]
                cue = re.search(r"(\w+)\W*$", left)
                g = _gender_of_anaphor(cue.group(1)) if cue and cue.group(1).lower() not in (
                    "his", "her", "him", "he", "she") else None  # fmt: skip
                if g:
                    out.setdefault(m.entity, g)
    return out


_COREF_FACTOR = 0.75
#: Pronoun mentions that cannot be the subject of most patterns ("his car", "told him").
_NOT_SUBJECT = frozenset({"possessive", "object"})


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


# -- quotations ---------------------------------------------------------------------------------

_SPEECH_RE = r"(?:has\s+|have\s+|had\s+)?(?:" + _SPEECH + r")(?!\s+to\s+(?:be|have)\b)"
#: "X is said to have fled" reports a rumour, not X speaking: no passive auxiliary before
#: the speech verb.
_NOT_PASSIVE = r"(?!(?:is|was|are|were|be|been|being)\s)"
_AFTER_QUOTE_VERB_FIRST = re.compile(
    r"^[\s,.!?…]*" + _SPEECH_RE + r"\s+(?:[\w-]+\s+){0,4}?$", re.I
)
_AFTER_QUOTE_NAME_FIRST = re.compile(r"^[\s,.!?…]*(?:[\w-]+\s+){0,3}?$", re.I)
_NAME_THEN_VERB = re.compile(
    r"^(?:\s*\([^)]*\))?(?:,[^,;“”\"]{0,70},)?\s+(?:" + _NOT_PASSIVE + r"\w+\s+)?" + _SPEECH_RE + r"\b", re.I
)
_BEFORE_QUOTE = re.compile(
    r"^(?:\s*\([^)]*\))?(?:,[^,;“”\"]{0,70},)?\s+(?:" + _NOT_PASSIVE + r"\w+\s+)?" + _SPEECH_RE
    + r"\b[^“”\"]{0,60}?[:,]?\s*$", re.I
)  # fmt: skip
_INDIRECT = re.compile(
    r"[”\"»]?(?:\s*\([^)]*\))?(?:,[^,;“”\"]{0,70},)?\s+(?:" + _NOT_PASSIVE + r"\w+\s+){0,2}?"
    r"(?:has\s+|have\s+|had\s+)?"
    r"(?:said|says|told\s+\w+|tells\s+\w+|stated|states|warned|warns|added|adds|explained"
    r"|explains|believes|claimed|claims|reported|reports|confirmed|confirms|estimated"
    r"|estimates|counted|counts|documented|recorded|wrote|writes|noted|notes)"
    r"\s+(?:on\s+\w+\s+|in\s+a\s+statement\s+|last\s+\w+\s+)?(?:that\s+|,\s*)?", re.I
)  # fmt: skip
#: "As X told journalists, ..." / "As he explained, ...": the speaker before the comma.
_AS_SPEAKER_SAID = re.compile(
    r"\s+(?:has\s+|had\s+)?(?:said|says|told\s+(?:\w+\s+)?\w+|explained|noted|stressed"
    r"|added|put\s+it|wrote|reported|recalled)\s*,\s*", re.I
)
_AFTER_ACCORDING = re.compile(r"(?:\s*\([^)]*\))?(?:,\s*(?:which|who)\b[^,]*)?,\s*")
_ACCORDING_BEFORE = re.compile(r"\baccording\s+to\s+(?:[\w-]+\s+){0,6}?$", re.I)


def _speaker_types(m: Mention) -> bool:
    return m.type in _AGENTS and m.cls not in _NOT_SUBJECT


def _said_candidates(doc: Document, s: _Sentence, last: Candidate | None) -> list[Candidate]:
    """Quotations of the sentence with their speakers; `last` is the previous sentence's
    quotation (a sentence that is all quotation continues it)."""
    text, out = doc.text, []
    found = []
    for q_open, q_close in s.quotes:
        value = text[q_open + 1 : q_close].strip().rstrip(",").strip()
        if value:
            found.append((q_open, q_close, value, _speaker_for_quote(text, s, q_open, q_close)))
    speakers = [sp for *_, sp in found if sp]
    for q_open, q_close, value, speaker in found:
        later = [sp for sp in speakers if sp[0].start > q_close]
        if speaker is None and later:
            # "Russia “cannot win” with an army “which ...”, quips X": X said both.
            m, _, base = later[0]
            speaker = (m, "said-same-sentence", base * 0.7)
        if speaker is None:
            whole = text[s.start : s.end]
            all_quote = q_open == s.start and not whole[q_close - s.start + 1 :].strip(".,!? ")
            if not (all_quote and last is not None and len(value.split()) >= 3):
                continue
            speaker = (Mention(*last.subject_span, "", "Person", entity=last.subject,
                               recogniser="coref"), "said-continuation", 0.55)  # fmt: skip
        m, rule, base = speaker
        conf = _common_factors(doc, s, base, m)
        out.append(_candidate(doc, s, m, "said", rule, conf, value=value,
                              value_span=(q_open + 1, q_close)))  # fmt: skip
    if not out:
        out.extend(_indirect_speech(doc, s))
    return out


def _speaker_for_quote(text, s: _Sentence, q_open: int, q_close: int):
    """The Person/Organisation said to utter the quotation at [q_open, q_close], with rule."""
    ms = [m for m in s.mentions if _speaker_types(m) and not (q_open <= m.start < q_close)]
    after = [m for m in ms if m.start > q_close]
    if after:
        m = after[0]
        gap = text[q_close + 1 : m.start]
        tail = text[m.end : s.end]
        if _AFTER_QUOTE_VERB_FIRST.fullmatch(gap):
            return m, "said-quote-verb-speaker", 0.9
        if _AFTER_QUOTE_NAME_FIRST.fullmatch(gap) and _NAME_THEN_VERB.match(tail):
            return m, "said-quote-speaker-verb", 0.9
    before = [m for m in ms if m.end <= q_open]
    if before:
        m = before[-1]
        gap = text[m.end : q_open]
        long_quote = len(text[q_open:q_close].split()) >= 4
        if _BEFORE_QUOTE.fullmatch(gap) and (long_quote or gap.rstrip().endswith(":")):
            return m, "said-speaker-colon-quote", 0.8
    return None


def _indirect_speech(doc: Document, s: _Sentence) -> list[Candidate]:
    """"X said (that) ...", "..., X said." and "according to X" without quotation marks."""
    text, out = doc.text, []
    for m in s.mentions:
        if not _speaker_types(m) or _inside(s.quotes, m.start, m.end):
            continue
        if re.fullmatch(r"\s*As\s+(?:[\w-]+\s+){0,3}?", text[s.start : m.start], re.I):
            as_hit = _AS_SPEAKER_SAID.match(text, m.end, s.end)
            if as_hit and s.end - as_hit.end() > 15:
                v0, v1 = as_hit.end(), s.end
                out.append(_candidate(doc, s, m, "said", "said-as-speaker-put-it",
                                      _common_factors(doc, s, 0.75, m),
                                      value=text[v0:v1].rstrip(".").strip(),
                                      value_span=(v0, v1)))  # fmt: skip
                continue
        hit = _INDIRECT.match(text, m.end, s.end)
        if hit and s.end - hit.end() > 15:
            v0, v1 = hit.end(), s.end
            value = text[v0:v1].rstrip(".").strip()
            if not _NEG.search(_norm(text[m.end : hit.end()])):
                conf = _common_factors(doc, s, 0.7, m)
                out.append(_candidate(doc, s, m, "said", "said-indirect", conf, value=value,
                                      value_span=(v0, v1)))  # fmt: skip
            continue
        if _ACCORDING_BEFORE.search(text[s.start : m.start]):
            acc = text.rfind(", according", s.start, m.start)
            if acc > s.start:
                v0, v1 = s.start, acc
            else:
                rest = _AFTER_ACCORDING.match(text[m.end :])
                if not rest:
                    continue
                v0, v1 = m.end + rest.end(), s.end
            value = text[v0:v1].strip().rstrip(".").strip()
            if len(value.split()) >= 3:
                conf = _common_factors(doc, s, 0.7, m)
                out.append(_candidate(doc, s, m, "said", "said-according-to", conf,
                                      value=value, value_span=(v0, v1)))  # fmt: skip
            continue
        tail = re.fullmatch(
            r"(?:\s*\([^)]*\))?\s+(?:has\s+|have\s+)?(?:said|says|reported|reports|told\s+\w+"
            r"|added|explained|noted|wrote)(?:\s+on\s+\w+)?[.!]?", text[m.end : s.end], re.I
        )  # fmt: skip
        head = text.rfind(",", s.start, m.start)
        if tail and head > s.start:
            v0 = s.start
            value = text[v0:head].strip()
            # "At X, ..., the border guard said": drop a leading place or time phrase.
            if len(value.split()) >= 3:
                conf = _common_factors(doc, s, 0.7, m)
                out.append(_candidate(doc, s, m, "said", "said-clause-final", conf,
                                      value=value, value_span=(v0, head)))  # fmt: skip
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
