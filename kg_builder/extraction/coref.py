"""Coreference within a few sentences: "he", "she", "the young man" resolved to the latest
person named before them (of a compatible gender), so that quotations and facts written
with a pronoun keep their subject. Pronouns inside quotations are left alone, and nothing
here creates a person: an anaphor with no antecedent stays unresolved."""

from __future__ import annotations

import re

from .facts import _inside, _Sentence
from .model import Mention
from .patterns import _AGENTS, _PRONOUN

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
