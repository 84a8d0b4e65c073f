"""Content negotiation (RFC 9110, section 12.5.1): which of our media types a client wants.

One function, shared by the live server and the tests, so that an entity IRI answers the same
way everywhere. Linked-data clients send Accept headers such as
`text/turtle;q=1.0, application/ld+json;q=0.9, */*;q=0.1` and browsers send
`text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8`: quality values, wildcards
and the specificity of ranges all matter, and a client that accepts nothing we offer must get
406, not HTML it cannot read.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")


def _quality(text: str) -> float | None:
    """The q parameter's value: 0 to 1 with up to three decimals; None when malformed."""
    text = text.strip().strip('"')
    try:
        q = float(text)
    except ValueError:
        return None
    return q if 0.0 <= q <= 1.0 else None


def parse_accept(accept: str) -> list[tuple[str, str, float, int]]:
    """The media ranges of an Accept header as (type, subtype, q, parameter count),
    lower-cased. Malformed elements are skipped rather than failing the whole request: a
    client with one odd entry should still get what the rest of its header asks for."""
    ranges = []
    for element in accept.split(","):
        parts = [p.strip() for p in element.split(";")]
        media = parts[0].lower()
        if not media:
            continue
        if "/" not in media:
            if media != "*":  # a bare "*" is a common sloppy form of */*
                continue
            media = "*/*"
        kind, _, sub = media.partition("/")
        if not (_TOKEN.match(kind) and _TOKEN.match(sub)) or (kind == "*" and sub != "*"):
            continue
        q, params, ok = 1.0, 0, True
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                parsed = _quality(value)
                if parsed is None:
                    ok = False
                    break
                q = parsed
                break  # what follows q are accept-extensions, not media-type parameters
            if name.strip():
                params += 1
        if ok:
            ranges.append((kind, sub, q, params))
    return ranges


def _match(ranges, offer: str) -> tuple[float, int] | None:
    """The quality and specificity of the most specific range matching `offer`
    (RFC 9110: the most specific reference wins, whatever its q)."""
    kind, _, sub = offer.lower().partition("/")
    best = None
    for r_kind, r_sub, q, params in ranges:
        if r_kind == "*":
            spec = 0
        elif r_kind != kind:
            continue
        elif r_sub == "*":
            spec = 1
        elif r_sub != sub:
            continue
        else:
            spec = 2 + params
        if best is None or spec > best[1]:
            best = (q, spec)
    return best


def negotiate(accept: str | None, offers: list[str]) -> str | None:
    """The offer the client prefers, or None when it accepts none of them (answer 406).

    No Accept header (or an empty one) means anything goes: offers[0]. Otherwise each offer
    takes the quality of the most specific range that matches it; the highest quality wins,
    then the more specific match (`text/turtle, */*` means Turtle, though */* also matches
    HTML), then the order of `offers`. q=0 means "not acceptable".
    """
    if not offers:
        return None
    if accept is None or not accept.strip():
        return offers[0]
    ranges = parse_accept(accept)
    if not ranges:  # nothing parsable: treat like no preference rather than refuse
        return offers[0]
    best, best_key = None, None
    for index, offer in enumerate(offers):
        found = _match(ranges, offer)
        if found is None or found[0] <= 0:
            continue
        key = (found[0], found[1], -index)
        if best_key is None or key > best_key:
            best, best_key = offer, key
    return best
