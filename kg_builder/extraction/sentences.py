"""Sentence splitting with character offsets.

Relation patterns only pair mentions of one sentence, and a candidate's evidence is its sentence
verbatim, so sentences must keep exact offsets into `Document.text`. A full tokenizer is not
needed: news prose breaks at `. ! ? …` followed by a capitalised word, except after
abbreviations (Mr., St., Sept., U.S., e.g.), initials (Jan M. Olsen) and inside quotations.

A quotation with its attribution is kept as one sentence even when the quoted words hold
several sentences ("“We are tired. We want peace,” he said."): that is how a reader (and
../shared/gold) cites it, and it keeps the speaker and the words together. A line break is
always a boundary: scraped articles put one paragraph per line, and headlines, captions and
credits have no final full stop.
"""

from __future__ import annotations

import re
from bisect import bisect_right

#: Words that end with a full stop without ending the sentence (lower case, without the dot).
ABBREVIATIONS = frozenset(
    """
    mr mrs ms mx dr prof st sr jr mt ft gen col lt sgt capt cpt maj adm cmdr gov sen rep pres
    rev hon fr messrs mme mlle no nos vol pp approx est dept univ inc ltd co corp bros vs
    jan feb mar apr jun jul aug sep sept oct nov dec
    e.g i.e cf al viz
    """.split()
)
#: Words after which a capitalised word does start a sentence although they take a dot.
_TERMINAL_ABBREVIATIONS = frozenset({"etc"})

_OPENING = "“«„"
_CLOSING = "”»"
_TRAILING = "\"'”’»)]"
_TERMINATORS = ".!?…"
_WORD_BEFORE = re.compile(r"([\w.’'-]+)$")


def _quote_regions(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The quoted stretches of one paragraph.

    A typographic quotation left open runs to the end of the paragraph; an unpaired straight
    quote is ignored (it may be an inch mark or a typo), and so is a stray closing mark.
    """
    regions: list[tuple[int, int]] = []
    depth, opened, straight_open = 0, 0, None
    for i in range(start, end):
        ch = text[i]
        if ch in _OPENING:
            if depth == 0:
                opened = i
            depth += 1
        elif ch in _CLOSING:
            if depth == 0:
                continue  # a stray closing mark
            depth -= 1
            if depth == 0:
                regions.append((opened, i))
        elif ch == '"' and depth == 0:
            if straight_open is None:
                straight_open = i
            else:
                regions.append((straight_open, i))
                straight_open = None
    if depth:
        # A quotation left open runs on to the end of the paragraph (news style continues it in
        # the next paragraph): its inner full stops do not end the sentence.
        regions.append((opened, end))
    return regions


def _is_abbreviation(text: str, dot: int, line_start: int) -> bool:
    """True when the full stop at `dot` closes an abbreviation, an initial or a dotted acronym."""
    m = _WORD_BEFORE.search(text, line_start, dot)
    if not m:
        return False
    word = m.group(1).lstrip("'’-")
    low = word.lower()
    if low in _TERMINAL_ABBREVIATIONS:
        return False
    if low in ABBREVIATIONS or low.rstrip(".") in ABBREVIATIONS:
        return True
    if len(word) == 1 and word.isalpha() and word.isupper():
        return True  # an initial: "Jan M. Olsen"
    return bool(re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word))  # U.S, e.g, a.m


def _boundaries(text: str, start: int, end: int) -> list[int]:
    """Offsets (exclusive ends) where sentences of the paragraph [start, end) stop."""
    quotes = _quote_regions(text, start, end)
    out = []
    i = start
    while i < end:
        ch = text[i]
        if ch not in _TERMINATORS:
            i += 1
            continue
        j = i + 1
        while j < end and (text[j] in _TERMINATORS or text[j] in _TRAILING):
            j += 1
        inside = any(a < i < b for a, b in quotes) and not any(i < b < j for a, b in quotes)
        k = j
        while k < end and text[k].isspace():
            k += 1
        if k >= end:
            break
        nxt = text[k]
        starts_new = nxt.isupper() or nxt.isdigit() or nxt in _OPENING or nxt in "\"'‘("
        if (
            k > j
            and starts_new
            and not inside
            and not (ch == "." and j == i + 1 and _is_abbreviation(text, i, start))
        ):
            out.append(j)
        i = j
    return out


def _paragraphs(text: str, start: int, end: int):
    """Lines of [start, end): line breaks are hard sentence boundaries."""
    pos = start
    for m in re.finditer(r"[\r\n\u2028\u2029]+", text[start:end]):
        yield pos, start + m.start()
        pos = start + m.end()
    yield pos, end


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def sentences(text: str, spans: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """Split `text` (only inside `spans`, when given) into sentences as (start, end) offsets.

    Sentences never cross a span edge or a line break, and carry no surrounding whitespace.
    """
    if spans is None:
        spans = [(0, len(text))]
    out: list[tuple[int, int]] = []
    for span_start, span_end in sorted(spans):
        for p_start, p_end in _paragraphs(text, max(0, span_start), min(len(text), span_end)):
            pos = p_start
            for cut in [*_boundaries(text, p_start, p_end), p_end]:
                piece = _trim(text, pos, cut)
                if piece:
                    out.append(piece)
                pos = cut
    return out


def sentence_at(sentences: list[tuple[int, int]], offset: int) -> int | None:
    """The index of the sentence containing `offset`, or None (between sentences, outside)."""
    i = bisect_right(sentences, offset, key=lambda s: s[0]) - 1
    if i >= 0 and sentences[i][0] <= offset < sentences[i][1]:
        return i
    return None
