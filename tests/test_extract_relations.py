"""Sentence splitting and relation extraction (kg_builder.extraction.sentences / .relations)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from kg_builder.extraction.model import Candidate, Document, Mention
from kg_builder.extraction.relations import (
    GOLD_RELATIONS,
    LITERAL,
    SYMMETRIC,
    as_gold,
    extract_relations,
)
from kg_builder.extraction.sentences import sentence_at, sentences

SHARED = Path(__file__).resolve().parents[2] / "shared"
if not (SHARED / "gold").is_dir():
    SHARED = Path("/work/shared")
CORPUS, GOLD = SHARED / "corpus", SHARED / "gold"


# -- scoring helpers (also used to measure the figures in the report) ------------------------------


def gold_mentions(gold: dict) -> list[Mention]:
    """Gold mentions as linked Mention records (dates carry their value)."""
    out = []
    for g in gold["mentions"]:
        value = g["entity"][5:] if g["type"] == "Date" and g["entity"].startswith("date-") else None
        out.append(Mention(g["start"], g["end"], g["text"], g["type"], entity=g["entity"],
                           value=value))  # fmt: skip
    return out


def gold_document(gold: dict) -> Document:
    path = CORPUS / gold["doc"]
    text = path.read_text(encoding="utf-8")
    spans = sorted((b["start"], b["end"]) for b in gold["boilerplate"])
    return Document(path.stem, path, text, boilerplate=spans)


def _tokens(s: str) -> set[str]:
    return set(re.findall(r"\w+", s.lower()))


def _overlaps(a: str, b: str) -> bool:
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return False
    return len(ta & tb) / min(len(ta), len(tb)) >= 0.5


def _matches(pred: tuple, cand: Candidate, g: dict) -> bool:
    subj, rel, obj = pred
    if rel != g["relation"]:
        return False
    if rel == "restricts_entry_of":  # literal target group: same state, same sentence
        start = g["evidence_start"]
        same_sentence = cand.evidence_offset <= start < cand.evidence_offset + len(cand.evidence)
        return subj == g["subject"] and same_sentence
    if rel == "said":
        return subj == g["subject"] and _overlaps(str(obj), str(g["object"]))
    if (subj, obj) == (g["subject"], g["object"]):
        return True
    return GOLD_RELATIONS[rel] in SYMMETRIC and (obj, subj) == (g["subject"], g["object"])


def score(cands_by_doc: dict[str, list[Candidate]], golds: dict[str, dict]):
    """Precision/recall/F1 per gold relation: unique (subject, relation, object) triples per
    article; `said` by speaker and overlapping quotation; relations gold does not annotate (or
    that GOLD_RELATIONS maps to None) are left out."""
    tp, fp, fn = Counter(), Counter(), Counter()
    for doc_id, gold in golds.items():
        rels = [r for r in gold["relations"] if GOLD_RELATIONS.get(r["relation"])]
        gold_keys = {}
        for r in rels:
            k = (r["subject"], r["relation"], r["object"], r["evidence_start"]
                 if r["relation"] in ("said", "restricts_entry_of") else None)  # fmt: skip
            gold_keys.setdefault(k, r)
        unmatched = dict(gold_keys)
        seen = set()
        for c in cands_by_doc.get(doc_id, []):
            pred = as_gold(c)
            if pred is None:
                continue
            key = pred if GOLD_RELATIONS[pred[1]] not in LITERAL | {"imposedBy"} else (
                *pred, c.evidence_offset)
            if key in seen:
                continue
            seen.add(key)
            hit = next((k for k, g in unmatched.items() if _matches(pred, c, g)), None)
            if hit is None:
                already = any(_matches(pred, c, g) for g in gold_keys.values())
                if not already:
                    fp[pred[1]] += 1
                continue
            tp[pred[1]] += 1
            del unmatched[hit]
        for k in unmatched:
            fn[k[1]] += 1
    table = {}
    for rel in sorted(set(tp) | set(fp) | set(fn)):
        table[rel] = _prf(tp[rel], fp[rel], fn[rel])
    table["overall"] = _prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    return table


def _prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r, "f1": f}


def corpus_run():
    golds, cands = {}, {}
    for path in sorted(GOLD.glob("[0-9]*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        doc = gold_document(gold)
        golds[doc.id] = gold
        cands[doc.id] = extract_relations(doc, gold_mentions(gold))
    return golds, cands
