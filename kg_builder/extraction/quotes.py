"""Quotations (`said`): the quotation, then its speaker from "..., said X", "..., X said/told",
"X said: ...", "As X told journalists, ...", "according to X" and indirect "X said that ...".
Only people and organisations speak; "X is said to" reports a rumour, not X speaking."""

from __future__ import annotations

import re

from .facts import _NOT_SUBJECT, _candidate, _common_factors, _inside, _norm, _Sentence
from .model import Candidate, Document, Mention
from .patterns import _AGENTS, _NEG, _SPEECH

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


class _Cut:
    """Where a quotation's words start, when moved past the listener's name."""

    def __init__(self, end: int):
        self._end = end

    def end(self) -> int:
        return self._end


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
        if hit and re.match(r"(?:citing|quoting)\b", text[hit.end() : s.end], re.I):
            hit = None  # "APA reports citing Interpressnews": a source, not what was said
        if hit:  # "told The Moscow Times by phone, adding that ...": skip the listener
            listener = next((x for x in s.mentions if x.start <= hit.end() < x.end), None)
            if listener is not None:
                rest = re.match(r"\s*(?:by\s+(?:phone|telephone|email)|in\s+an?\s+\w*\s*interview)?"
                                r"\s*,?\s*(?:adding\s+|saying\s+)?(?:that\s+)?",
                                text[listener.end : s.end], re.I)
                hit = _Cut(listener.end + rest.end())
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
