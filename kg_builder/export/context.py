"""The JSON-LD context of kg-builder's graphs, derived from the ontology.

One term per class and per property of `ontology/kg.ttl`, the prefixes the tool declares
everywhere (`kg_builder.build.PREFIXES`), and two aliases: `type` for `@type` and `label` for
rdfs:label. Nothing is listed by hand, so the context cannot disagree with the ontology; the
committed copy, `ontology/context.jsonld`, is checked against it by the tests and rewritten by

    python -m kg_builder.export.context

Entity IRIs live under the deployment's base IRI (`<base>id/`), which the ontology does not
know: `make_context(onto)` leaves them absolute, `make_context(onto, base=...)` adds the `id`
prefix for them (the RDF exports do this for the graph they write).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import RDF, XSD

from ..build import PREFIXES
from ..ontology import KG, Ontology, load_ontology

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent.parent / "ontology"
CONTEXT_FILE = ONTOLOGY_DIR / "context.jsonld"
REGENERATE = "python -m kg_builder.export.context"

#: Ranges whose literals carry no single datatype a term could declare: plain and
#: language-tagged strings (a JSON string is already xsd:string), and the kg:TimeValue union
#: (xsd:date, xsd:gYearMonth or xsd:gYear, by the date's precision).
_UNTYPED_RANGES = frozenset({XSD.string, RDF.langString, KG.TimeValue})

#: Keyword aliases and convenience terms, beside the ontology's own terms.
ALIASES = {"type": "@type", "label": "rdfs:label"}


def compact_iri(iri: str, prefixes: dict[str, str]) -> str:
    """`kg:Person` for an IRI under a declared prefix (the longest namespace wins), else the
    IRI itself."""
    best = None
    for prefix, ns in prefixes.items():
        if iri.startswith(ns) and len(iri) > len(ns) and (best is None or len(ns) > len(best[1])):
            best = (prefix, ns)
    return f"{best[0]}:{iri[len(best[1]) :]}" if best else iri


def context_prefixes(base: str | None = None) -> dict[str, str]:
    """The prefixes every export declares: build.PREFIXES, plus `id` for `<base>id/`."""
    prefixes = {name: str(ns) for name, ns in PREFIXES.items()}
    if base:
        prefixes["id"] = base + "id/"
    return prefixes


def _property_term(prop, prefixes: dict[str, str]) -> dict:
    """An object property's values are IRIs; a datatype property's carry its XSD range as
    their datatype, unless the range allows several datatypes or plain/language strings."""
    term = {"@id": compact_iri(str(prop.iri), prefixes)}
    if prop.kind == "object":
        term["@type"] = "@id"
    elif prop.range is not None and URIRef(prop.range) not in _UNTYPED_RANGES:
        term["@type"] = compact_iri(str(prop.range), prefixes)
    return term


def make_context(onto: Ontology, base: str | None = None) -> dict:
    """The JSON-LD 1.1 context (the value of "@context"), keys sorted.

    Raises ValueError if an ontology name would shadow a prefix or an alias: a term must
    mean one thing.
    """
    prefixes = context_prefixes(base)
    context: dict[str, object] = {"@version": 1.1}
    reserved = dict(prefixes) | ALIASES
    context.update(reserved)
    terms: dict[str, object] = {}
    for name, cls in onto.classes.items():
        terms[name] = compact_iri(str(cls.iri), prefixes)
    for name, prop in onto.properties.items():
        if name in terms:
            raise ValueError(f"kg:{name} is both a class and a property of the ontology")
        terms[name] = _property_term(prop, prefixes)
    clash = sorted(set(terms) & set(reserved))
    if clash:
        raise ValueError(
            f"ontology names {', '.join(clash)} clash with the context's prefixes or aliases"
        )
    context.update(terms)
    return dict(sorted(context.items()))


def context_document(onto: Ontology, base: str | None = None) -> str:
    """The text of a context file: {"@context": ...}, as `ontology/context.jsonld` holds it."""
    doc = {"@context": make_context(onto, base)}
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Rewrite ontology/context.jsonld from ontology/kg.ttl (or check it with --check)."""
    args = sys.argv[1:] if argv is None else argv
    text = context_document(load_ontology(ONTOLOGY_DIR))
    current = CONTEXT_FILE.read_text(encoding="utf-8") if CONTEXT_FILE.exists() else None
    if "--check" in args:
        if current != text:
            print(f"{CONTEXT_FILE} is out of date; run: {REGENERATE}", file=sys.stderr)
            return 1
        print(f"{CONTEXT_FILE} is up to date")
        return 0
    if current == text:
        print(f"{CONTEXT_FILE} is up to date")
        return 0
    tmp = CONTEXT_FILE.with_name(f".{CONTEXT_FILE.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(CONTEXT_FILE)
    print(f"Wrote {CONTEXT_FILE} ({len(text.encode('utf-8')):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
