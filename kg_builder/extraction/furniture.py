"""Site furniture in plain text: the lines and parts of lines of a scraped page that are not
the article (navigation, share and subscribe lines, photo credits and captions, teasers of
other stories, comment boxes, appeals for donations, bylines and date stamps), and how well a
run finds them against gold spans. Generic rules only: nothing here names a site or article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping spans (overlapping or touching spans joined)."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(sp for sp in spans if sp[1] > sp[0]):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out



# --------------------------------------------------------------------------------------------
# Boilerplate in plain text

_QUOTES = str.maketrans(
    {c: "'" for c in "\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u00ab\u00bb\"`"}
)


def _norm(line: str) -> str:
    """Lower case, typographic quotes folded, whitespace (incl. no-break spaces) collapsed."""
    return " ".join(line.translate(_QUOTES).lower().split())


# Whole lines that are site furniture (compared after _norm, trailing ":.!" removed).
_FURNITURE_LINES = {
    "connect with us", "follow us", "follow us on", "stay connected", "source link", "source",
    "about author", "about the author", "comments are closed", "comments", "comment",
    "leave a reply", "leave a comment", "post comment", "add comment", "add a comment",
    "show comments", "view comments", "share", "share this", "share this article",
    "share this story", "share this post", "share article", "tweet", "subscribe", "sign up",
    "log in", "login", "sign in", "register", "advertisement", "advertising", "sponsored",
    "sponsored content", "skip to content", "skip to main content", "menu", "search", "home",
    "print", "email", "e-mail", "copy link", "link copied", "video thumbnail",
    "youtube video thumbnail", "play video", "watch video", "watch", "loading", "loading...",
    "close", "accept", "accept all", "reject all", "cookie settings", "back to top",
    "scroll to top", "no comments", "reply", "cancel reply", "all rights reserved",
    "facebook", "twitter", "x", "whatsapp", "telegram", "linkedin", "reddit", "pinterest",
    "vk", "messenger", "viber", "flipboard", "copy", "listen", "listen to this article",
    "search for", "type here", "jump to", "main content", "account", "my account",
    "accessibility links", "skip to navigation", "skip to main menu", "skip to footer",
    "skip to search", "breaking news", "live", "support us", "donate", "donate now",
    "become a member", "become a patron", "become a supporter", "join us", "join today",
    "subscribe now", "enjoying ad-free content?", "enjoying ad-free content",
}  # fmt: skip
# "1. Skip to content", "2. Skip to main menu": a numbered list of skip links.
_NUMBERED = re.compile(r"^\d{1,2}[.)]\s+")
# An appeal for money or members ("Support independent journalism in the Caucasus: Join
# today", "Your support can help us ...", "We need your help to keep ...").
_APPEAL = re.compile(
    r"(support (independent|our|quality) journalism\b.{0,120}|"
    r".{0,120}\byour (support|donation|contribution)s? (can |will )?(help|helps|keep|keeps|"
    r"make|makes)\b.{0,150}|.{0,120}\bwe need your (help|support)\b.{0,150}|"
    r"(please )?(consider )?(supporting|donating to|subscribing to) (us|our)\b.{0,150})",
    re.I,
)
# A wire-photo caption: "FILE - Name, ... is pictured in ...", "FILE PHOTO: ...".
_FILE_CAPTION = re.compile(r"^FILE(?: PHOTO)?\s*(?:[-\u2013\u2014:|])\s+\S")

_FURNITURE_PATTERNS = [
    re.compile(p, re.I)
    for p in (
        r"(your )?e-?mail address will not be published\b.*",
        r"required fields are marked\b.*",
        r"(save my name|notify me of)\b.*\b(comment|email|browser)\b.*",
        r"you must be logged in to post a comment\b.*",
        r"\d+ comments?",
        r".{0,40}\bvideo thumbnail",
        r"(we|this (web)?site|our site) uses? cookies\b.*",
        r".{0,150}\b(use|uses|using|accept|store|stores)\b.{0,30}\bcookies\b.{0,250}",
        r".{0,150}\bcookie (policy|settings|preferences|consent)\b.{0,150}",
        r"(©|\(c\)|copyright\s*(©|\(c\)|\d{4})).{0,150}",
        r".{0,120}\ball rights reserved\b.{0,40}",
        r"(subscribe|sign up|register)\b.{0,80}\bnewsletter\b.{0,120}",
        r"(share|follow us)( (on|via|with))?( (facebook|twitter|x|telegram|whatsapp|linkedin|"
        r"email|vk|instagram|youtube)[ ,/|]*)+",
        r"((facebook|twitter|x|telegram|whatsapp|linkedin|email|vk|instagram|youtube|reddit"
        r"|pinterest|print|copy link|share)[ ,/|·•]*){2,}",
        r"(tags|topics|filed under|posted in|categories|category|keywords)\s*:.{0,300}",
        r"(click|tap) here to (subscribe|read|see|watch|share)\b.{0,150}",
        # a search box's placeholder: "Hi, what are you looking for?", "Search this site"
        r"((hi|hello|hey),? )?(what are you (looking|searching) for|search (this|the) site|"
        r"search (for )?(articles|news|anything)|type (here )?to search)\??(\.\.\.)?",
    )
]

# A line starting like this is a link to another story.
_LINK_START = re.compile(
    r"(?:(?:See also|SEE ALSO|Read also|READ ALSO|Also read|ALSO READ|Read more|READ MORE|"
    r"Watch also|Listen also)\b(?:\s*[:\-\u2013\u2014|]|[\s\u00a0]|$)"
    r"|(?:Related|RELATED|More on this|Read next|READ NEXT)\s*(?:[:|\u2013\u2014]|-\s))"
)
_PREV_NEXT = re.compile(
    r"(?:PREV|NEXT|PREVIOUS|(?:Previous|Next|Prev|Older|Newer)\s+(?:article|post|story|page|"
    r"news|item))\b(?:\s|:|$)"
    r"|(?:«|‹|<|←)\s*(?:Prev|Previous)\b|(?:Next|Prev|Previous)\s*(?:»|›|>|→)"
)
# A heading that introduces teasers of other stories (after _norm, trailing ":" removed).
_TEASER_HEADINGS = {
    "you may also like", "you might also like", "you may like", "you might like",
    "you may be interested in", "you might be interested in", "recommended",
    "recommended for you", "recommended stories", "recommended articles", "more from",
    "more stories", "more news", "more articles", "more to read", "related", "related news",
    "related stories", "related articles", "related posts", "related content",
    "related coverage", "related topics", "read next", "what to read next", "up next",
    "most read", "most popular", "most viewed", "popular", "popular posts", "popular now",
    "trending", "trending now", "trending stories", "latest", "latest news", "latest stories",
    "latest posts", "top stories", "don't miss", "do not miss", "editor's picks",
    "editors' picks", "also on", "more on this story", "more on this topic", "in other news",
    "other news", "read more", "more in", "also read", "further reading", "similar articles",
    "from around the web", "around the web", "sponsored stories", "promoted stories",
}  # fmt: skip
_TEASER_START = re.compile(r"(more from|more in|more on|latest from|also on)\b", re.I)

_CREDIT_WORDS = r"(?:Photos?|PHOTO|Image|Images|Picture|Photograph|Illustration|Credit|" \
    r"Photo credit|Image credit|Video|Source)"
# "Photo: X/Agency" at the start of a line, glued to the end of a caption, or after a sentence.
_CREDIT_LABEL = re.compile(
    r"(?:(?<=^)|(?<=[a-z\u00df-\u00ff.!?\"'\u201d\u2019)\]])|(?<=[.!?]\s)"
    r"|(?<=\s[|\u2013\u2014-]\s))"
    + _CREDIT_WORDS
    + r"\s*:\s*\S.{0,150}$"
)
# "(Photo: ...)", "(AP Photo/...)", "[Photo by ...]" anywhere.
_CREDIT_PAREN = re.compile(
    r"[(\[](?:[A-Z]{2,6}\s+)?" + _CREDIT_WORDS + r"\s*(?::|/|by\b|credit\b)[^)\]\n]{1,150}[)\]]"
)
_CREDIT_BY = re.compile(
    r"^(?:Photo|Photos|Image|Picture|Video)\s+(?:by|credit|courtesy)\b.{1,150}$"
)
_AGENCIES = (
    r"(?:AFP|Reuters|REUTERS|AP|EPA|EPA-EFE|TASS|Sputnik|RIA Novosti|Anadolu|Xinhua|DPA|dpa|"
    r"ANP|PAP|Lehtikuva|Scanpix|NTB|Ritzau|ANSA|Bloomberg|NurPhoto|SOPA Images|ZUMA|Alamy|"
    r"Shutterstock|Profimedia|Getty Images|Getty|iStock|Wikimedia Commons|Unsplash|Pixabay)"
)
# "Name Surname/AFP via Getty Images", "Reuters/Name", "© AFP" on a line of its own.
_CREDIT_LINE = re.compile(
    rf"(?:(?:[\w.'\u2019-]+\s+){{0,4}}[\w.'\u2019-]*\s*[/|]\s*{_AGENCIES}\b[^.!?]{{0,60}}\.?|"
    rf"{_AGENCIES}\s*/\s*\S.{{0,80}}|"
    rf"(?:©|\(c\))\s*.{{0,80}}|.{{0,80}}\bvia {_AGENCIES}|.{{0,80}}\bGetty Images|"
    rf"{_AGENCIES}\s+(?:photo|Photo|PHOTO)\b.{{0,80}})"
)
_BYLINE = re.compile(
    r"(?:By|BY|Written by|Words by)\s+[A-Z][\w.'\u2019-]+(?:\s+[A-Z][\w.'\u2019-]+){0,3}"
    r"(?:\s*(?:,|and|&)\s*[A-Z][\w.'\u2019-]+(?:\s+[A-Z][\w.'\u2019-]+){0,3})*"
    r"(?:\s*[,|\u2013\u2014-]\s*(?:[A-Z][\w.'\u2019-]*\s*){1,4})?"
)
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_STAMP_WORDS = re.compile(
    rf"\b(?:published|updated|last updated|posted|modified|date|on|at|{_MONTHS}|monday|"
    r"tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun|am|pm|"
    r"gmt|utc|cet|cest|eet|eest|msk|est|edt|bst|pst|mins?|minutes?|hours?|ago|read|min read)\b",
    re.I,
)


@dataclass
class _Line:
    start: int  # offset of the first non-space character
    end: int  # offset after the last non-space character
    text: str  # the stripped line

    @property
    def norm(self) -> str:
        return _norm(self.text).rstrip(":.!").strip()


def _lines(text: str) -> list[_Line]:
    """The non-blank lines of `text` with the offsets of their stripped content."""
    out, pos = [], 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            out.append(_Line(pos + lead, pos + lead + len(stripped), stripped))
        pos += len(raw) + 1
    return out


def find_boilerplate(text: str, headline: str | None = None) -> list[tuple[int, int]]:
    """Spans of site furniture in plain text: sorted, non-overlapping character offsets.

    Generic heuristics, each conservative: whole furniture lines (comment boxes, share and
    subscribe lines, cookie notices, "Source link"), links to other stories ("See also ...",
    "PREV ..."), photo credits (only the credit part of a caption line), teaser blocks after
    a "You may also like" heading near the end, headlines repeated verbatim (or nearly) and
    short navigation lines above the headline, bylines and date stamps on lines of their own,
    and lines without a letter or digit. A span covers the line's content, not its newline.
    """
    lines = _lines(text)
    spans: list[tuple[int, int]] = []
    for line in lines:
        spans.extend(_line_furniture(line))
    spans.extend(_teaser_blocks(lines, len(text)))
    spans.extend(_repeated_lines(lines))
    spans.extend(_headline_furniture(lines, headline))
    return merge_spans(spans)


def _line_furniture(line: _Line) -> list[tuple[int, int]]:
    """Furniture recognisable from one line alone."""
    whole = [(line.start, line.end)]
    t, norm = line.text, line.norm
    if not any(c.isalnum() for c in t):
        return whole
    if norm in _FURNITURE_LINES or norm in _TEASER_HEADINGS:
        return whole
    if _NUMBERED.match(norm) and _NUMBERED.sub("", norm) in _FURNITURE_LINES:
        return whole
    if _FILE_CAPTION.match(t) or (len(t) <= 300 and _APPEAL.fullmatch(norm)):
        return whole
    if len(t) <= 400 and any(p.fullmatch(norm) for p in _FURNITURE_PATTERNS):
        return whole
    if len(t) <= 400 and (_LINK_START.match(t) or _PREV_NEXT.match(t)):
        return whole
    if _is_credit_line(t) or _is_byline_or_stamp(t):
        return whole
    return _credit_parts(line)


def _is_credit_line(t: str) -> bool:
    """A short line that is only a photo credit ("Name/AFP via Getty Images")."""
    if len(t) > 140 or len(t.split()) > 16:
        return False
    if _CREDIT_BY.match(t):
        return True
    if t[:1] in "([" and t[-1:] in ")]":  # "(Rebecca Noble / AFP via Getty Images)"
        t = t[1:-1].strip()
    return bool(_CREDIT_LINE.fullmatch(t)) and not re.search(r"[.!?]\s+[A-Z]", t)


def _credit_parts(line: _Line) -> list[tuple[int, int]]:
    """The credit inside a caption line: "...Photo: X/Y" to the line's end, or "(Photo: X)"."""
    out = []
    m = _CREDIT_LABEL.search(line.text)
    if m:
        out.append((line.start + m.start(), line.end))
    for m in _CREDIT_PAREN.finditer(line.text):
        out.append((line.start + m.start(), line.start + m.end()))
    return out


def _is_byline_or_stamp(t: str) -> bool:
    """A byline ("By Jane Doe, Reuters") or a date stamp alone on its line."""
    if len(t) > 100:
        return False
    if _BYLINE.fullmatch(t):
        return True
    rest = _STAMP_WORDS.sub(" ", t)
    rest = re.sub(r"[\d\s,.:/|()\u2013\u2014+-]", "", rest)
    return not rest and bool(re.search(r"\d", t)) and bool(_STAMP_WORDS.search(t))


def _repeated_lines(lines: list[_Line]) -> list[tuple[int, int]]:
    """The copy of a line of 8 words or more right below itself: a caption scraped twice
    (image and slideshow). The first copy stays; a line repeated further away (a pull quote,
    a refrain) is the article's own and stays too."""
    out = []
    for prev, line in zip(lines, lines[1:], strict=False):
        norm = _norm(line.text)
        if len(norm.split()) >= 8 and norm == _norm(prev.text):
            out.append((line.start, line.end))
    return out


def _teaser_blocks(lines: list[_Line], length: int) -> list[tuple[int, int]]:
    """A teaser heading and, in the last half of the page, the short lines that follow it.

    Teasers of other stories are short headlines and labels; a block ends at a line long
    enough to be an article paragraph. Early in the page only the heading is marked, so an
    article sentence after a stray "Related" line is never lost.
    """
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        heading = line.norm in _TEASER_HEADINGS or (
            _TEASER_START.match(line.norm) and len(line.text) <= 60 and line.text[-1:] != "."
        )
        if not heading:
            i += 1
            continue
        out.append((line.start, line.end))
        i += 1
        if line.start < length / 2:
            continue
        taken = 0
        while i < len(lines) and len(lines[i].text) <= 300 and taken < 40:
            out.append((lines[i].start, lines[i].end))
            i += 1
            taken += 1
    return out


def _headline_furniture(lines: list[_Line], headline: str | None) -> list[tuple[int, int]]:
    """Repeated headlines (keep the first exact one) and short navigation lines above it."""
    from rapidfuzz import fuzz

    if not lines:
        return []
    top = lines[:12]
    if headline and _norm(headline):
        target = _norm(headline)
    else:
        target = _norm(lines[0].text)
        if len(target.split()) < 3:
            return []
    # Near copies only count against a known headline: without one, a variant line may be
    # the real headline and the first line the broken copy.
    similar = [
        i for i, ln in enumerate(top) if headline and fuzz.ratio(_norm(ln.text), target) >= 90
    ]
    exact = [i for i, ln in enumerate(lines) if _norm(ln.text) == target]
    if not similar and not exact:
        return []
    keep = exact[0] if exact else similar[0]
    out = [(lines[i].start, lines[i].end) for i in sorted(set(similar) | set(exact)) if i != keep]
    if headline and keep < len(top):
        for ln in lines[:keep]:
            if len(ln.text) <= 60 and len(ln.text.split()) <= 8:
                out.append((ln.start, ln.end))
    return out


# --------------------------------------------------------------------------------------------
# Measuring


def boilerplate_scores(
    predicted: list[tuple[int, int]], gold: list[tuple[int, int]], text: str
) -> dict:
    """Character-level precision/recall/F1 and span-level counts of predicted boilerplate.

    A gold span is found when at least half of its characters are predicted; a predicted
    span is correct when at least half of its characters are gold. Empty sets score 1.0
    (nothing to find, or nothing claimed).
    """
    n = len(text)
    pred_chars = _chars(predicted, n)
    gold_chars = _chars(gold, n)
    both = len(pred_chars & gold_chars)
    p = both / len(pred_chars) if pred_chars else 1.0
    r = both / len(gold_chars) if gold_chars else 1.0
    found = [sp for sp in gold if _covered(sp, pred_chars) >= 0.5]
    correct = [sp for sp in predicted if _covered(sp, gold_chars) >= 0.5]
    return {
        "char_precision": p,
        "char_recall": r,
        "char_f1": 2 * p * r / (p + r) if p + r else 0.0,
        "gold_spans": len(gold),
        "gold_found": len(found),
        "predicted_spans": len(predicted),
        "predicted_correct": len(correct),
        "span_recall": len(found) / len(gold) if gold else 1.0,
        "span_precision": len(correct) / len(predicted) if predicted else 1.0,
        "missed": [sp for sp in gold if sp not in found],
        "spurious": [sp for sp in predicted if sp not in correct],
    }


def _chars(spans: list[tuple[int, int]], n: int) -> set[int]:
    return {i for s, e in spans for i in range(max(0, s), min(e, n))}


def _covered(span: tuple[int, int], chars: set[int]) -> float:
    s, e = span
    return sum(1 for i in range(s, e) if i in chars) / (e - s) if e > s else 1.0
