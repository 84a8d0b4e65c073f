"""Measured quality: extraction scored against gold annotations (the format of ../shared/gold).

Four measures, each with precision, recall and F1 overall and per type:

- **entities** (mentions): a predicted mention matches a gold mention of the same type with
  exactly the same span (`exact`), or with an overlapping span (`partial`, reported beside).
  Matching is one-to-one, so two predictions cannot both claim one gold mention.
- **linking**: over the mentions of entity types (Person, Organisation, Place, Event), a
  predicted (span, entity id) pair is right when it overlaps a gold mention that names the same
  entity. Precision counts every linked prediction (a proposed new entity is a prediction
  too), recall every gold entity mention.
- **relations**: (subject, relation, object) per article, in gold's vocabulary: each candidate
  is turned into gold's form by `relations.as_gold` (the one mapping between the ontology's
  properties and gold's relation names, `relations.GOLD_RELATIONS`); quotations (`said`) match
  when the speaker is the same and the quoted texts overlap; literal values (ages) compare as
  text; gold's entry restrictions name their object in free text, so the state that imposes
  one is what is compared. Gold relations with no ontology property ("other", "reported_by")
  are counted apart (`unmapped_gold`).
- **boilerplate**: characters of site furniture found, against the gold `boilerplate` spans.

Gold is a careful human reading, not an oracle; the figures say how close extraction comes to
it, not whether each fact is true.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import KGError
from .model import ENTITY_TYPES, MENTION_TYPES, Candidate, Mention

#: Gold relations whose object is a literal, compared as text rather than as an entity id.
LITERAL_RELATIONS = {"said", "age_at_publication"}
#: Gold relations whose object is a short free text (a role, a charge, a sentence), matched
#: when one normalised text holds the other.
FREE_TEXT_RELATIONS = {"job_title", "charged_with", "sentenced_to"}
#: Gold relations whose object is a free description that no extractor reproduces: the
#: subject (who restricts, who helps) is what is compared.
FREE_OBJECT_RELATIONS = {"restricts_entry_of", "helps"}
#: The relation vocabulary of ../shared/gold (its README): a gold file that does not list its
#: `annotated_relations` was annotated for these.
SHARED_GOLD_RELATIONS = frozenset(
    "member_of former_member_of employed_by leads founded spouse_of relative_of citizen_of "
    "born_in resides_in located_in fled_to travelled_via fled_from deserted_from "
    "participated_in announced restricts_entry_of helps reported_by said interviewed_by "
    "arrested_by age_at_publication other".split()
)
#: Gold relations that hold both ways (either direction matches).
SYMMETRIC_RELATIONS = {"spouse_of", "relative_of"}


class GoldError(KGError):
    """A gold folder or file that cannot be read."""

    exit_code = 4


@dataclass
class GoldDoc:
    id: str
    file: str
    mentions: list[dict]
    relations: list[dict]
    boilerplate: list[tuple[int, int]]
    #: The mention types the annotators marked (gold's `annotated_types`; all six by default):
    #: predictions of other types are left out of precision and listed.
    types: tuple[str, ...] = MENTION_TYPES
    #: The relation names the annotators looked for (gold's `annotated_relations`; by default
    #: the vocabulary of ../shared/gold): predicted relations outside it are left out.
    relation_names: frozenset[str] = frozenset()
    #: Gold entities by id: {"names": normalised name and aliases, "wikidata": QID or None}.
    entities: dict[str, dict] = field(default_factory=dict)


@dataclass
class Prediction:
    """What extraction produced for one article."""

    doc_id: str
    mentions: list[Mention] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    boilerplate: list[tuple[int, int]] = field(default_factory=list)
    text_length: int = 0
    #: Predicted entity ids -> (names, Wikidata QID): lets a link count when the graph's id
    #: differs from gold's but names the same thing (same QID, or same normalised name).
    entities: dict[str, tuple[frozenset[str], str | None]] = field(default_factory=dict)


def predictions(run) -> dict[str, Prediction]:
    """An extraction run (extract.ExtractionRun) as predictions to score, by article id, with
    the names and Wikidata id of every entity it linked to or proposed."""
    out = {}
    entries = getattr(run.index, "entries", {}) if run.index is not None else {}
    for r in run.results:
        names: dict[str, set[str]] = defaultdict(set)
        qids: dict[str, str | None] = {}
        for m in r.mentions:
            if m.entity:
                names[m.entity].add(m.text)
                e = entries.get(m.entity)
                if e is not None:
                    names[m.entity].update(e.names)
                    qids[m.entity] = e.wikidata
        for e in r.entities:
            names[e.id].update([e.label, *e.aliases])
            qids[e.id] = qids.get(e.id) or e.wikidata
        out[r.document.id] = Prediction(
            r.document.id, r.mentions, r.candidates, r.document.boilerplate,
            len(r.document.text),
            {eid: (frozenset(n), qids.get(eid)) for eid, n in names.items()},
        )
    return out


def load_gold(folder: Path) -> dict[str, GoldDoc]:
    """Every `*.json` annotation file of `folder` with a `doc` key, by article id (the article
    file name without its extension, as the corpus reader names documents)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise GoldError(f"gold folder {folder} does not exist")
    docs: dict[str, GoldDoc] = {}
    for path in sorted(folder.glob("*.json")):
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise GoldError(f"{path}: cannot be read: {exc}") from exc
        except json.JSONDecodeError as exc:
            raise GoldError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from exc
        if not isinstance(raw, dict) or "doc" not in raw:
            continue  # entities_all.json and other side files
        for key in ("mentions", "relations", "entities"):
            if not isinstance(raw.get(key, []), list):
                raise GoldError(f"{path}: '{key}' must be a list")
        types = tuple(raw.get("annotated_types") or MENTION_TYPES)
        unknown = [t for t in types if t not in MENTION_TYPES]
        if unknown:
            raise GoldError(f"{path}: annotated_types: unknown type(s) {', '.join(unknown)}")
        entities = {}
        mentioned: dict[str, set[str]] = defaultdict(set)  # an entity is named by its mentions
        for m in raw.get("mentions", []):
            if isinstance(m, dict) and m.get("entity") and m.get("text"):
                mentioned[m["entity"]].add(_norm_text(m["text"]))
        for e in raw.get("entities", []):
            if isinstance(e, dict) and e.get("id"):
                names = {_norm_text(n) for n in [e.get("name"), *(e.get("aliases") or [])] if n}
                names |= mentioned.get(e["id"], set())
                entities[e["id"]] = {"names": names - {""}, "wikidata": e.get("wikidata")}
        for gid, names in mentioned.items():  # gold that names its entities by id only
            entities.setdefault(gid, {"names": names - {""}, "wikidata": None})
        rel_names = frozenset(raw.get("annotated_relations") or SHARED_GOLD_RELATIONS)
        doc_id = Path(raw["doc"]).stem
        spans = [_span(b) for b in raw.get("boilerplate", [])]
        docs[doc_id] = GoldDoc(
            doc_id, raw["doc"], raw.get("mentions", []), raw.get("relations", []), spans,
            types, rel_names, entities,
        )
    if not docs:
        raise GoldError(f"gold folder {folder} holds no annotation file (*.json with a 'doc' key)")
    return docs


def _span(b) -> tuple[int, int]:
    if isinstance(b, dict):
        return (int(b["start"]), int(b["end"]))
    return (int(b[0]), int(b[1]))


# --- counting ------------------------------------------------------------------------------

#: Said in place of figures when the gold holds nothing to score for a measure.
NOTHING_TO_SCORE = "nothing to score in the gold"


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def as_dict(self) -> dict:
        """Precision, recall and F1. A measure the gold gives nothing to find (no tp, no fn)
        has no recall or F1: they are None with a note, never zeros that read as failure;
        precision is None too when nothing was predicted either."""
        out: dict = {"tp": self.tp, "fp": self.fp, "fn": self.fn}
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else None
        if self.tp + self.fn == 0:
            out.update(precision=None if p is None else round(p, 4), recall=None, f1=None,
                       note=NOTHING_TO_SCORE)
            return out
        r = self.tp / (self.tp + self.fn)
        p = 0.0 if p is None else p
        f = 2 * p * r / (p + r) if p + r else 0.0
        out.update(precision=round(p, 4), recall=round(r, 4), f1=round(f, 4))
        return out


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _match(pred: list, gold: list, same) -> int:
    """Greedy one-to-one matching; returns the number of matched pairs. `same(p, g)`."""
    used = [False] * len(gold)
    matched = 0
    for p in pred:
        for i, g in enumerate(gold):
            if not used[i] and same(p, g):
                used[i] = True
                matched += 1
                break
    return matched


def _counts(pred: list, gold: list, same) -> Counts:
    tp = _match(pred, gold, same)
    return Counts(tp, len(pred) - tp, len(gold) - tp)


def _summary(per_type: dict[str, Counts], order) -> dict:
    total = Counts()
    for c in per_type.values():
        total.add(c)
    out = total.as_dict()
    out["per_type"] = {t: per_type[t].as_dict() for t in order if t in per_type}
    return out


# --- linking gold ids and predicted ids ----------------------------------------------------


class _Aligner:
    """Maps a predicted entity id to the gold entity it names: the same id, else the same
    Wikidata QID, else a normalised name shared with exactly one gold entity of the article,
    else, for relations only (`by_span`), the gold entity its mentions overlap most: the
    facts of an entity found under another name still count, while linking stays strict."""

    def __init__(self, p: Prediction, g: GoldDoc, by_span: bool = False):
        self.p, self.g, self.by_span = p, g, by_span
        self.by_qid = {e["wikidata"]: gid for gid, e in g.entities.items() if e.get("wikidata")}
        self.by_name: dict[str, set[str]] = defaultdict(set)
        for gid, e in g.entities.items():
            for n in e["names"]:
                self.by_name[n].add(gid)
        self._cache: dict[str, str] = {}

    def __call__(self, pid: str | None) -> str | None:
        if pid is None or pid in self.g.entities:
            return pid
        if pid not in self._cache:
            self._cache[pid] = self._find(pid)
        return self._cache[pid]

    def _find(self, pid: str) -> str:
        names, qid = self.p.entities.get(pid, (frozenset(), None))
        if qid and qid in self.by_qid:
            return self.by_qid[qid]
        hits = {gid for n in names for gid in self.by_name.get(_norm_text(n), ())}
        if len(hits) == 1:
            return next(iter(hits))
        if not self.by_span:
            return pid
        # A name several gold entities share ("war", "deserted"): the gold entity whose
        # mentions the predicted entity's mentions overlap most, among those names.
        votes: dict[str, int] = defaultdict(int)
        for m in self.p.mentions:
            if m.entity != pid:
                continue
            for gm in self.g.mentions:
                if gm.get("entity") and _overlap((m.start, m.end), (int(gm["start"]), int(gm["end"]))):
                    votes[gm["entity"]] += 1
        if hits:
            votes = {g: v for g, v in votes.items() if g in hits}
        if votes:
            best = max(votes.values())
            top = [g for g, v in votes.items() if v == best]
            if len(top) == 1:
                return top[0]
        return pid


# --- the measures, per article ------------------------------------------------------------


def _doc_entities(p: Prediction, g: GoldDoc, not_annotated: dict[str, int]):
    exact: dict[str, Counts] = {}
    partial: dict[str, Counts] = {}
    for t in MENTION_TYPES:
        pm = sorted((m.start, m.end) for m in p.mentions if m.type == t)
        if t not in g.types:
            if pm:
                not_annotated[t] = not_annotated.get(t, 0) + len(pm)
            continue
        gm = sorted((int(m["start"]), int(m["end"])) for m in g.mentions if m["type"] == t)
        exact[t] = _counts(pm, gm, lambda a, b: a == b)
        partial[t] = _counts(pm, gm, _overlap)
    return exact, partial


def _doc_linking(p: Prediction, g: GoldDoc, canon) -> dict[str, Counts]:
    out = {}
    for t in ENTITY_TYPES:
        if t not in g.types:
            continue
        pm = [((m.start, m.end), canon(m.entity)) for m in p.mentions if m.type == t and m.entity]
        gm = [
            ((int(m["start"]), int(m["end"])), m["entity"])
            for m in g.mentions
            if m["type"] == t and m.get("entity")
        ]
        out[t] = _counts(pm, gm, lambda a, b: a[1] == b[1] and _overlap(a[0], b[0]))
    return out


def _norm_text(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    text = re.sub(r"[\u2018\u2019\u201c\u201d\"'«»]", "", text)
    return re.sub(r"\W+", " ", text).strip()


def _same_literal(relation: str, a: str, b: str) -> bool:
    x, y = _norm_text(a), _norm_text(b)
    if not x or not y:
        return False
    if relation == "said":  # quotations: one inside the other, or most words shared
        if x in y or y in x:
            return True
        wx, wy = set(x.split()), set(y.split())
        return len(wx & wy) >= 0.6 * min(len(wx), len(wy))
    if relation in FREE_TEXT_RELATIONS:  # roles, charges, sentences: one inside the other
        return x in y or y in x
    return x == y


def _gold_triples(g: GoldDoc, key_only: bool = False) -> list[tuple[str, str, str | None]]:
    from .relations import GOLD_RELATIONS

    out = []
    for r in g.relations:
        if key_only and not r.get("key"):
            continue
        if GOLD_RELATIONS.get(r.get("relation", "")) and r.get("subject"):
            obj = r.get("object")
            if r["relation"] in FREE_OBJECT_RELATIONS and obj not in g.entities:
                obj = None  # free text: who acts is compared
            out.append((r["subject"], r["relation"], None if obj is None else str(obj)))
    return list(dict.fromkeys(out))  # distinct facts, as for predictions


def _pred_triples(p: Prediction, canon=lambda x: x) -> list[tuple[str, str, str | None]]:
    from .relations import as_gold

    out = []
    for c in p.candidates:
        t = as_gold(c)
        if t is not None and t[0]:
            literal = t[1] in LITERAL_RELATIONS or t[1] in FREE_TEXT_RELATIONS
            obj = None if t[2] is None else (str(t[2]) if literal else canon(str(t[2])))
            out.append((canon(t[0]), t[1], obj))
    return list(dict.fromkeys(out))


def _same_triple(a, b) -> bool:
    if a[1] != b[1]:
        return False
    if a[1] in FREE_OBJECT_RELATIONS and (a[2] is None or b[2] is None):
        return a[0] == b[0]  # gold's object is free text: compare who acts
    if a[1] in SYMMETRIC_RELATIONS and (a[0], a[2]) == (b[2], b[0]):
        return True
    if a[0] != b[0] or a[2] is None or b[2] is None:
        return False
    if a[1] in LITERAL_RELATIONS or a[1] in FREE_TEXT_RELATIONS:
        return _same_literal(a[1], a[2], b[2])
    return a[2] == b[2]


def _doc_relations(p: Prediction, g: GoldDoc, canon, not_annotated: dict[str, int]):
    gt, pt = _gold_triples(g), _pred_triples(p, canon)
    if g.relation_names:
        for t in pt:
            if t[1] not in g.relation_names:
                key = f"relation {t[1]}"
                not_annotated[key] = not_annotated.get(key, 0) + 1
        pt = [t for t in pt if t[1] in g.relation_names]
    per = {
        rel: _counts([t for t in pt if t[1] == rel], [t for t in gt if t[1] == rel], _same_triple)
        for rel in sorted({t[1] for t in gt} | {t[1] for t in pt})
    }
    key = _gold_triples(g, key_only=True)
    found = sum(1 for k in key if any(_same_triple(t, k) for t in pt))
    return per, Counts(found, 0, len(key) - found)


def _covered(spans: list[tuple[int, int]]) -> set[int]:
    return {i for s, e in spans for i in range(s, e)}


def _doc_boilerplate(p: Prediction, g: GoldDoc) -> tuple[Counts, int, int]:
    pc, gc = _covered(p.boilerplate), _covered(g.boilerplate)
    found = sum(len(pc & set(range(s, e))) >= 0.5 * (e - s) for s, e in g.boilerplate)
    return Counts(len(pc & gc), len(pc - gc), len(gc - pc)), found, len(g.boilerplate)


def _add_all(into: dict[str, Counts], part: dict[str, Counts]) -> None:
    for k, c in part.items():
        into.setdefault(k, Counts()).add(c)


def score(preds: dict[str, Prediction], gold: dict[str, GoldDoc]) -> dict:
    """The whole report, overall and per article: entities, linking, relations, key facts
    and boilerplate, which gold articles had no prediction, and the predicted types the gold
    does not annotate (left out of precision)."""
    from .relations import GOLD_RELATIONS

    tot = {k: {} for k in ("exact", "partial", "linking", "relations")}
    keys, chars = Counts(), Counts()
    spans_found = spans_total = 0
    not_annotated: dict[str, int] = {}
    per_doc = {}
    for doc_id, g in sorted(gold.items()):
        p = preds.get(doc_id) or Prediction(doc_id)
        exact, partial = _doc_entities(p, g, not_annotated)
        linking = _doc_linking(p, g, _Aligner(p, g))
        relations, key = _doc_relations(p, g, _Aligner(p, g, by_span=True), not_annotated)
        bp, found, total = _doc_boilerplate(p, g)
        for name, part in (("exact", exact), ("partial", partial), ("linking", linking),
                           ("relations", relations)):
            _add_all(tot[name], part)
        keys.add(key)
        chars.add(bp)
        spans_found += found
        spans_total += total
        ents = _summary(exact, MENTION_TYPES)
        ents["partial"] = _summary(partial, MENTION_TYPES)
        per_doc[doc_id] = {
            "entities": ents,
            "linking": _summary(linking, ENTITY_TYPES),
            "relations": _summary(relations, sorted(relations)),
            "key_facts": _key_summary(key),
        }
    entities = _summary(tot["exact"], MENTION_TYPES)
    entities["partial"] = _summary(tot["partial"], MENTION_TYPES)
    relations = _summary(tot["relations"], sorted(tot["relations"]))
    relations["unmapped_gold"] = sum(
        1 for g in gold.values() for r in g.relations if not GOLD_RELATIONS.get(r["relation"])
    )
    boilerplate = chars.as_dict()
    boilerplate.update(unit="characters", gold_spans=spans_total, gold_spans_found=spans_found)
    return {
        "documents": sorted(gold),
        "missing": sorted(set(gold) - set(preds)),
        "entities": entities,
        "linking": _summary(tot["linking"], ENTITY_TYPES),
        "relations": relations,
        "key_facts": _key_summary(keys),
        "boilerplate": boilerplate,
        "date_values": dates_normalised(preds, gold),
        "not_annotated": not_annotated,
        "per_document": per_doc,
    }


def _key_summary(c: Counts) -> dict:
    """Key facts (gold relations marked `key`) found among the candidates."""
    total = c.tp + c.fn
    if not total:
        return {"found": 0, "total": 0, "share": None, "note": NOTHING_TO_SCORE}
    return {"found": c.tp, "total": total, "share": round(c.tp / total, 4)}


def dates_normalised(preds: dict[str, Prediction], gold: dict[str, GoldDoc]) -> dict:
    """Of the Date mentions found at a gold Date span, how many carry gold's value
    (`timex.date_id(value)` gives gold's id form, e.g. date-2022-09-21)."""
    from .timex import date_id

    right = total = 0
    for doc_id, g in gold.items():
        p = preds.get(doc_id) or Prediction(doc_id)
        found = {(m.start, m.end): m for m in p.mentions if m.type == "Date"}
        for gm in g.mentions:
            m = found.get((int(gm["start"]), int(gm["end"])))
            if gm["type"] == "Date" and m is not None:
                total += 1
                right += bool(m.value) and date_id(m.value) == gm.get("entity")
    if not total:
        return {"matched": 0, "value_correct": 0, "accuracy": None, "note": NOTHING_TO_SCORE}
    return {"matched": total, "value_correct": right, "accuracy": round(right / total, 4)}
