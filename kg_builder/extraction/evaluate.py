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


@dataclass
class Prediction:
    """What extraction produced for one article."""

    doc_id: str
    mentions: list[Mention] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    boilerplate: list[tuple[int, int]] = field(default_factory=list)
    text_length: int = 0


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
        for key in ("mentions", "relations"):
            if not isinstance(raw.get(key, []), list):
                raise GoldError(f"{path}: '{key}' must be a list")
        doc_id = Path(raw["doc"]).stem
        spans = [_span(b) for b in raw.get("boilerplate", [])]
        docs[doc_id] = GoldDoc(
            doc_id, raw["doc"], raw.get("mentions", []), raw.get("relations", []), spans
        )
    if not docs:
        raise GoldError(f"gold folder {folder} holds no annotation file (*.json with a 'doc' key)")
    return docs


def _span(b) -> tuple[int, int]:
    if isinstance(b, dict):
        return (int(b["start"]), int(b["end"]))
    return (int(b[0]), int(b[1]))


# --- counting ------------------------------------------------------------------------------


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
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


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


# --- the four measures ---------------------------------------------------------------------


def score_entities(preds: dict[str, Prediction], gold: dict[str, GoldDoc]) -> dict:
    exact: dict[str, Counts] = defaultdict(Counts)
    partial: dict[str, Counts] = defaultdict(Counts)
    for doc_id, g in gold.items():
        p = preds.get(doc_id) or Prediction(doc_id)
        for t in MENTION_TYPES:
            pm = sorted((m.start, m.end) for m in p.mentions if m.type == t)
            gm = sorted((int(m["start"]), int(m["end"])) for m in g.mentions if m["type"] == t)
            exact[t].add(_counts(pm, gm, lambda a, b: a == b))
            partial[t].add(_counts(pm, gm, _overlap))
    out = _summary(exact, MENTION_TYPES)
    out["partial"] = _summary(partial, MENTION_TYPES)
    return out


def score_linking(preds: dict[str, Prediction], gold: dict[str, GoldDoc]) -> dict:
    per_type: dict[str, Counts] = defaultdict(Counts)
    for doc_id, g in gold.items():
        p = preds.get(doc_id) or Prediction(doc_id)
        for t in ENTITY_TYPES:
            pm = [((m.start, m.end), m.entity) for m in p.mentions if m.type == t and m.entity]
            gm = [
                ((int(m["start"]), int(m["end"])), m["entity"])
                for m in g.mentions
                if m["type"] == t and m.get("entity")
            ]
            per_type[t].add(_counts(pm, gm, lambda a, b: a[1] == b[1] and _overlap(a[0], b[0])))
    return _summary(per_type, ENTITY_TYPES)


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
    return x == y


def _gold_triples(g: GoldDoc) -> list[tuple[str, str, str | None]]:
    from .relations import GOLD_RELATIONS

    out = []
    for r in g.relations:
        if GOLD_RELATIONS.get(r.get("relation", "")) and r.get("subject"):
            obj = r.get("object")
            if r["relation"] == "restricts_entry_of":  # free text: who imposes it is compared
                obj = None
            out.append((r["subject"], r["relation"], None if obj is None else str(obj)))
    return list(dict.fromkeys(out))  # distinct facts, as for predictions


def _pred_triples(p: Prediction) -> list[tuple[str, str, str | None]]:
    from .relations import as_gold

    out = []
    for c in p.candidates:
        t = as_gold(c)
        if t is not None and t[0]:
            out.append((t[0], t[1], None if t[2] is None else str(t[2])))
    return out


def _same_triple(a, b) -> bool:
    if a[1] != b[1]:
        return False
    if a[1] == "restricts_entry_of":  # gold's object is free text: compare who imposes it
        return a[0] == b[0]
    if a[1] in SYMMETRIC_RELATIONS and (a[0], a[2]) == (b[2], b[0]):
        return True
    if a[0] != b[0] or a[2] is None or b[2] is None:
        return False
    if a[1] in LITERAL_RELATIONS:
        return _same_literal(a[1], a[2], b[2])
    return a[2] == b[2]


def score_relations(preds: dict[str, Prediction], gold: dict[str, GoldDoc]) -> dict:
    from .relations import GOLD_RELATIONS

    per_type: dict[str, Counts] = defaultdict(Counts)
    for doc_id, g in gold.items():
        p = preds.get(doc_id) or Prediction(doc_id)
        gt, pt = _gold_triples(g), list(dict.fromkeys(_pred_triples(p)))
        for rel in sorted({t[1] for t in gt} | {t[1] for t in pt}):
            per_type[rel].add(
                _counts([t for t in pt if t[1] == rel], [t for t in gt if t[1] == rel], _same_triple)
            )
    out = _summary(per_type, sorted(per_type))
    out["unmapped_gold"] = sum(
        1 for g in gold.values() for r in g.relations if not GOLD_RELATIONS.get(r["relation"])
    )
    return out


def _covered(spans: list[tuple[int, int]]) -> set[int]:
    return {i for s, e in spans for i in range(s, e)}


def score_boilerplate(preds: dict[str, Prediction], gold: dict[str, GoldDoc]) -> dict:
    chars = Counts()
    spans_found = spans_total = 0
    for doc_id, g in gold.items():
        p = preds.get(doc_id) or Prediction(doc_id)
        pc, gc = _covered(p.boilerplate), _covered(g.boilerplate)
        chars.add(Counts(len(pc & gc), len(pc - gc), len(gc - pc)))
        for s, e in g.boilerplate:
            spans_total += 1
            spans_found += len(pc & set(range(s, e))) >= 0.5 * (e - s)
    out = chars.as_dict()
    out["unit"] = "characters"
    out["gold_spans"] = spans_total
    out["gold_spans_found"] = spans_found
    return out


def score(preds: dict[str, Prediction], gold: dict[str, GoldDoc]) -> dict:
    """The whole report: entities, linking, relations and boilerplate, plus which gold
    articles had no prediction (not read, or skipped)."""
    return {
        "documents": sorted(gold),
        "missing": sorted(set(gold) - set(preds)),
        "entities": score_entities(preds, gold),
        "linking": score_linking(preds, gold),
        "relations": score_relations(preds, gold),
        "boilerplate": score_boilerplate(preds, gold),
        "date_values": dates_normalised(preds, gold),
    }


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
    return {"matched": total, "value_correct": right, "accuracy": round(right / total, 4) if total else 0.0}
