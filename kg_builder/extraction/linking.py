"""Linking mentions to the graph's entities, or proposing new ones.

Every entity mention gets `entity`, `link_score` (0..1) and `link_rule`:

- "exact-label", "alias", "folded" (a transliteration or spelling variant), "fuzzy:0.93":
  a name of the index, with type agreement (a Person mention never links to a Place);
- "in-document-coreference": a surname or first name alone names the person mentioned in full
  earlier in the same article;
- "first-name-same-source": a bare first name links to a known person only when that person
  is known from the same article; elsewhere it is a new person (two people are never merged
  only because they share a first name);
- "event:participant", "event:same-source", "event:generic", "event:unique-class": an event
  trigger linked to a graph event of a compatible class;
- "new" (and "new:geonames" for a place found in GeoNames): a proposed entity with a slug id,
  returned as a `ProposedEntity`.
"""

from __future__ import annotations

from bisect import bisect_right

from .gazetteer import ENTITY_TYPES, EntityIndex, Entry, Hit, event_ancestors, fold, slug
from .model import Document, Mention, ProposedEntity

#: Event classes that a generic decision trigger may stand for.
DECISION_CLASSES = frozenset({"PolicyMeasure", "EntryRestriction", "AdmissionDecision"})


def link(
    doc: Document, mentions: list[Mention], index: EntityIndex, fuzzy_threshold: float = 0.88
) -> tuple[list[Mention], list[ProposedEntity]]:
    """Link the entity mentions of `doc` (in place; dates and quantities are left alone) and
    return them with the entities proposed as new."""
    state = _State(doc, index, fuzzy_threshold)
    ordered = sorted(mentions, key=lambda m: m.start)
    for m in ordered:
        if m.type in ENTITY_TYPES and m.type != "Event":
            state.link_name(m)
    for m in ordered:
        if m.type == "Event":
            state.link_event(m, ordered)
    return mentions, list(state.proposed.values())


class _State:
    """What linking has learnt so far in one document."""

    def __init__(self, doc: Document, index: EntityIndex, threshold: float):
        self.doc, self.index, self.threshold = doc, index, threshold
        self.proposed: dict[str, ProposedEntity] = {}
        self.new_ids: dict[tuple[str, str], str] = {}  # (type, fold key) -> proposed id
        #: People named in full so far: (fold words, entity id, is new).
        self.people: list[tuple[list[str], str, bool]] = []
        self.sentences = _sentence_spans(doc)

    # -- people, organisations, places -------------------------------------------------
    def link_name(self, m: Mention) -> None:
        key = fold(m.text)
        words = key.split()
        if m.type == "Person" and len(words) == 1:
            self._link_single_name(m, key)
            return
        hits = self.index.lookup(m.text, m.type)
        if not hits and len(key) >= 5:
            hits = self.index.fuzzy(m.text, m.type, self.threshold)
            if m.type == "Person":
                hits = [h for h in hits if not _gendered_variant(key, fold(h.name))]
        hits = self._prefer_same_source(hits)
        if hits and not hits[0].entry.generic:
            _set(m, hits[0].entry.id, hits[0].score, hits[0].rule)
        elif hits:
            self._new(m, key, hits[0].entry, score=round(hits[0].score * 0.9, 2))
        else:
            self._new(m, key)
        if m.type == "Person" and len(words) > 1:
            self.people.append((words, m.entity, m.new_entity))

    def _link_single_name(self, m: Mention, key: str) -> None:
        """A name of one word: coreference with a full name earlier in the article, else a
        surname alias of the index, else a first name known from the same article."""
        for words, eid, new in reversed(self.people):
            if key in words:
                _set(m, eid, 0.9, "in-document-coreference", new)
                return
        hits = self.index.lookup(m.text, "Person")
        for h in hits:
            label_words = fold(h.entry.label).split()
            surname = len(label_words) > 1 and key == label_words[-1]
            if surname:
                _set(m, h.entry.id, round(h.score * 0.95, 2), h.rule)
                return
        for h in hits:
            if self.doc.id in h.entry.sources:
                _set(m, h.entry.id, round(h.score * 0.9, 2), "first-name-same-source")
                return
        if (m.type, key) in self.new_ids:
            _set(m, self.new_ids[(m.type, key)], 0.8, "in-document-coreference", True)
            return
        self._new(m, key, person_in_doc=True)

    def _prefer_same_source(self, hits: list[Hit]) -> list[Hit]:
        """Graph entries first, then those the same article already mentions."""
        return sorted(hits, key=lambda h: (h.entry.generic, self.doc.id not in h.entry.sources,
                                           -h.score, h.entry.id))

    def _new(self, m: Mention, key: str, generic: Entry | None = None, score: float = 0.6,
             person_in_doc: bool = False) -> None:
        """Propose a new entity (one per type and name in the article)."""
        known = self.new_ids.get((m.type, key))
        if known is None:
            label = generic.label if generic else m.text
            base = slug(f"{label} {self.doc.id[:3]}") if person_in_doc else slug(label)
            known = base
            n = 2
            while known in self.index.entries and not (
                generic and known == generic.id
            ) or known in self.proposed:
                known, n = f"{base}-{n}", n + 1
            self.proposed[known] = ProposedEntity(
                id=known,
                type=(generic.cls if generic else (m.cls or m.type)),
                label=label,
                aliases=sorted({m.text} - {label}),
                geonames=generic.geonames if generic else None,
            )
            self.new_ids[(m.type, key)] = known
        elif m.text not in (p := self.proposed[known]).aliases and m.text != p.label:
            p.aliases.append(m.text)
        _set(m, known, score, "new:geonames" if generic else "new", True)

    # -- events --------------------------------------------------------------------------
    def link_event(self, m: Mention, ordered: list[Mention]) -> None:
        hits = [h for h in self.index.lookup(m.text, "Event") if not h.entry.generic]
        if hits:
            best = self._prefer_same_source(hits)[0]
            _set(m, best.entry.id, best.score, best.rule)
            return
        cls = m.cls or "Event"
        candidates = _compatible_events(self.index, cls)
        same = [e for e in candidates if self.doc.id in e.sources]
        nearby = self._sentence_entities(m, ordered)
        with_part = sorted((e for e in same if e.related & nearby),
                           key=lambda e: (-len(e.related & nearby), e.id))
        people = {e.id for e in self.index.of_type("Person")}
        general = [e for e in same if not e.related & people]
        if with_part:
            _set(m, with_part[0].id, 0.85, "event:participant")
        elif len(same) == 1:
            _set(m, same[0].id, 0.75, "event:same-source")
        elif len(general) == 1:
            _set(m, general[0].id, 0.65, "event:generic")
        elif len(candidates) == 1 and len(candidates[0].sources) != 1:
            # Only a public event (reported by several articles, or curated without one) may
            # be linked on its class alone: "detained" in another article is not the arrest
            # that one article of the graph tells.
            _set(m, candidates[0].id, 0.6, "event:unique-class")
        else:
            self._new_event(m, cls)

    def _new_event(self, m: Mention, cls: str) -> None:
        key = (f"Event:{cls}", "")
        if key not in self.new_ids:
            eid = slug(f"{cls} {self.doc.id[:3]}")
            n = 2
            base = eid
            while eid in self.index.entries or eid in self.proposed:
                eid, n = f"{base}-{n}", n + 1
            self.proposed[eid] = ProposedEntity(eid, cls, f"{m.text} ({self.doc.id})")
            self.new_ids[key] = eid
        _set(m, self.new_ids[key], 0.5, "new", True)

    def _sentence_entities(self, m: Mention, ordered: list[Mention]) -> set[str]:
        """Entities linked in the sentence of `m`."""
        s = _sentence_of(self.sentences, m.start)
        if s is None:
            return set()
        lo, hi = s
        return {x.entity for x in ordered
                if x is not m and x.entity and lo <= x.start < hi and x.type != "Event"}


def _gendered_variant(a: str, b: str) -> bool:
    """True when two close names differ by a feminine ending in one word ("Alexandra
    Veselova" / "Alexander Veselov", "Andrea" / "Andrei"): in Slavic and many other
    languages that is a different person (often a relative), not a spelling variant, so fuzzy
    matching must not merge them."""
    for x, y in zip(a.split(), b.split(), strict=False):
        if x != y and (x.endswith("a") != y.endswith("a")):
            return True
    return False


def _compatible_events(index, cls: str) -> list:
    """The graph's events a trigger of class `cls` may name, cached on the index per class
    (the index does not change during a run; `of_type` is recomputed if it does)."""
    events = index.of_type("Event")
    cache = index.__dict__.setdefault("_events_by_cls", {})
    hit = cache.get(cls)
    if hit is None or hit[0] is not events:
        hit = cache[cls] = (events, [e for e in events if _compatible(e.cls, cls)])
    return hit[1]


def _compatible(entry_cls: str, cls: str) -> bool:
    """A graph event of class `entry_cls` may be what a trigger of class `cls` names."""
    if cls == "Event" or cls in event_ancestors(entry_cls) or entry_cls in event_ancestors(cls):
        return True
    return cls in DECISION_CLASSES and entry_cls in DECISION_CLASSES


def _set(m: Mention, eid: str, score: float, rule: str, new: bool = False) -> None:
    m.entity, m.link_score, m.link_rule, m.new_entity = eid, round(score, 3), rule, new


def _sentence_spans(doc: Document) -> list[tuple[int, int]]:
    try:
        from .sentences import sentences

        return sentences(doc.text, doc.body_spans())
    except ImportError:  # pragma: no cover
        return [(0, len(doc.text))]


def _sentence_of(spans: list[tuple[int, int]], offset: int) -> tuple[int, int] | None:
    i = bisect_right([s for s, _ in spans], offset) - 1
    if i >= 0 and spans[i][0] <= offset < spans[i][1]:
        return spans[i]
    return None
