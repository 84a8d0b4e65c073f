"""The statistical backend: any installed spaCy pipeline (`--ner spacy:en_core_web_sm`).

spaCy's entities are mapped to our mention types (NORP, nationalities, is not an entity: gold
rule), kept with their character offsets, dropped inside boilerplate, and merged with the
gazetteer matches of the `EntityIndex` (the gazetteer wins on overlap), so that linking works
the same as with the rules backend. Nothing is ever downloaded: a missing spaCy or model is a
clear error saying how to install it.
"""

from __future__ import annotations

from ..errors import KGError
from .gazetteer import EntityIndex
from .mentions import recognise
from .model import Document, Mention

INSTALL_HINT = "pip install 'kg-builder[spacy]' && python -m spacy download {model}"

#: spaCy label -> (our mention type, ontology class or None). Labels not listed are dropped.
LABELS = {
    "PERSON": ("Person", "Person"),
    "PER": ("Person", "Person"),
    "ORG": ("Organisation", None),
    "GPE": ("Place", None),
    "LOC": ("Place", None),
    "FAC": ("Place", None),
    "EVENT": ("Event", None),
    "DATE": ("Date", None),
    "TIME": ("Date", None),
    "QUANTITY": ("Quantity", None),
    "CARDINAL": ("Quantity", None),
    "PERCENT": ("Quantity", None),
    "MONEY": ("Quantity", None),
}


class SpacyUnavailable(KGError):
    """spaCy or the requested pipeline is not installed."""


def load_spacy(spec: str):
    """Load the spaCy pipeline named by `spec` ("spacy:en_core_web_sm" or a bare name);
    raise SpacyUnavailable with the install command when spaCy or the model is missing."""
    model = spec.split(":", 1)[1] if spec.startswith("spacy:") else spec
    model = model or "en_core_web_sm"
    try:
        import spacy
    except ImportError as exc:
        raise SpacyUnavailable(
            f"the spaCy backend needs spaCy, which is not installed: "
            f"{INSTALL_HINT.format(model=model)}"
        ) from exc
    try:
        return spacy.load(model)
    except OSError as exc:  # spaCy's "[E050] Can't find model"
        raise SpacyUnavailable(
            f"the spaCy pipeline {model!r} is not installed: {INSTALL_HINT.format(model=model)}"
        ) from exc


def recognise_spacy(doc: Document, nlp, index: EntityIndex) -> list[Mention]:
    """The rules backend's mentions (gazetteer, event triggers, cue-typed names), plus the
    names spaCy's statistical recogniser finds where the rules found nothing: the model adds
    recall for names with no cue and no entry in the graph, and never overrides a gazetteer
    match (so linking stays the same). Sorted, never overlapping."""
    statistical: list[Mention] = []
    for start, end in doc.body_spans():
        parsed = nlp(doc.text[start:end])
        for ent in parsed.ents:
            mapped = LABELS.get(ent.label_)
            if mapped is None:
                continue
            s, e = start + ent.start_char, start + ent.end_char
            if doc.in_boilerplate(s, e):
                continue
            statistical.append(Mention(s, e, doc.text[s:e], mapped[0], cls=mapped[1],
                                       recogniser="spacy", score=0.7))
    busy = list(recognise(doc, index))
    busy.extend(_free(statistical, busy))
    return sorted(busy, key=lambda m: m.start)


def _free(new: list[Mention], taken: list[Mention]) -> list[Mention]:
    spans = [(m.start, m.end) for m in taken]
    out = []
    for m in new:
        if not any(s < m.end and m.start < e for s, e in spans):
            out.append(m)
            spans.append((m.start, m.end))
    return out
