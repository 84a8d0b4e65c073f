"""Load and check the curated YAML/CSV files against the ontology and the corpus.

Every problem is collected with its file and line; the caller decides whether to stop.
"""

from __future__ import annotations

import csv
import functools
import os
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from anyascii import anyascii
from rdflib.namespace import XSD

from .dates import TimeValue, parse_time
from .errors import Problem
from .model import CuratedData, EntityRecord, FactRecord, Origin, SourceRecord
from .ontology import KG, Ontology
from .resolve import EntityIndex
from .sources.corpus import Corpus, fold
from .sources.yamlload import LineDict, YAMLSyntaxError, load_yaml

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
QID = re.compile(r"^Q[1-9][0-9]*$")
MAX_EVIDENCE = 400
QUALIFIERS = ("about", "at least", "more than", "up to", "some", "nearly", "less than")
#: Coordinates: plain decimal degrees (no exponent, no degree sign), at most this many decimals.
DECIMAL_DEGREES = re.compile(r"^[+-]?[0-9]+(?:\.[0-9]+)?$")
MAX_COORDINATE_DECIMALS = 6
COORDINATE_RANGES = {"latitude": 90, "longitude": 180}

SOURCE_FIELDS = {
    "id",
    "kind",
    "publisher",
    "headline",
    "title",
    "published",
    "date_approximate",
    "language",
    "translated",
    "dateline",
    "description",
    "file",
}
ENTITY_FIELDS = {
    "id",
    "type",
    "label",
    "aliases",
    "description",
    "wikidata",
    "mentioned_in",
    "date",
    "latitude",
    "longitude",
}
ENTITY_CSV_REQUIRED = ["id", "type", "label"]
ENTITY_CSV_OPTIONAL = [
    "aliases",
    "wikidata",
    "located_in",
    "description",
    "mentioned_in",
    "latitude",
    "longitude",
]
#: The fields of a fact, in the column order of a facts CSV.
FACT_COLUMNS = [
    "subject",
    "relation",
    "object",
    "value",
    "source",
    "evidence",
    "date",
    "start",
    "end",
    "not_before",
    "not_after",
    "according_to",
    "qualifier",
    "confidence",
    "note",
]
FACT_FIELDS = set(FACT_COLUMNS)
#: The columns of an entities CSV (places.csv), in order.
ENTITY_CSV_COLUMNS = [*ENTITY_CSV_REQUIRED, *ENTITY_CSV_OPTIONAL]
FACT_CSV_REQUIRED = ["subject", "relation", "source", "evidence"]
TIME_FIELDS = ("date", "start", "end", "not_before", "not_after")
GAZETTEER = "gazetteer"


@functools.cache
def _kg(name: str):
    """The ontology IRI of a class or property name, made once (every fact asks for some)."""
    return KG[name]


_EVENT, _PLACE, _QUOTATION = KG.Event, KG.Place, KG.Quotation
_AGENT, _TIME_VALUE, _ORGANISATION = KG.Agent, KG.TimeValue, KG.Organisation


def _rel(path: Path) -> str:
    """A file as error messages name it: relative to the working directory when below it."""
    return _rel_from(path, os.getcwd())


@functools.lru_cache(maxsize=4096)
def _rel_from(path: Path, cwd: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path(cwd).resolve()))
    except ValueError:
        return str(path)


class CurationLoader:
    """Reads data/curated/ into a CuratedData, collecting every problem it finds."""

    def __init__(self, data_dir: Path, ontology: Ontology, corpus: Corpus | None):
        self.data_dir = Path(data_dir)
        self.onto = ontology
        self.corpus = corpus
        self.problems: list[Problem] = []
        self.data = CuratedData(corpus_checked=corpus is not None)

    # -- helpers -----------------------------------------------------------------------
    def error(self, origin: Origin, message: str, severity: str = "error") -> None:
        self.problems.append(Problem(origin.file, origin.line, message, severity))

    def _files(self, sub: str, suffixes: tuple[str, ...]) -> list[Path]:
        folder = self.data_dir / sub
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.iterdir() if p.suffix in suffixes and p.is_file())

    def _yaml(self, path: Path, key: str):
        """The list under `key` of a YAML file (or a bare list), with the file's mapping."""
        self.data.files.append(_rel(path))
        try:
            doc = load_yaml(path)
        except YAMLSyntaxError as exc:
            self.error(Origin(_rel(path), exc.line), exc.message)
            return None, []
        if doc is None:
            return None, []
        if isinstance(doc, list):
            return None, doc
        if not isinstance(doc, dict) or not isinstance(doc.get(key), list):
            self.error(
                Origin(_rel(path), getattr(doc, "line", 1)),
                f"expected a mapping with a list under '{key}:'",
            )
            return None, []
        return doc, doc[key]

    def _csv(self, path: Path, required: list[str], optional: list[str]):
        """Rows of a CSV file as (line, dict); wrong columns are reported once, precisely."""
        self.data.files.append(_rel(path))
        origin = Origin(_rel(path), 1)
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            missing = [c for c in required if c not in header]
            unknown = [c for c in header if c not in required and c not in optional]
            if missing or unknown:
                parts = []
                if missing:
                    parts.append(f"missing column(s) {', '.join(missing)}")
                if unknown:
                    parts.append(f"unknown column(s) {', '.join(unknown)}")
                allowed = ", ".join(required + optional)
                self.error(
                    origin,
                    f"wrong CSV columns: {'; '.join(parts)} "
                    f"(expected {allowed}; required: {', '.join(required)})",
                )
                return []
            rows = []
            for row in reader:
                line = reader.line_num
                if None in row:
                    self.error(
                        Origin(origin.file, line),
                        f"row has {len(header) + len(row[None])} fields, "
                        f"the header has {len(header)}",
                    )
                    continue
                rows.append((line, {k: (v or "").strip() for k, v in row.items()}))
            return rows

    def _unknown_fields(self, item: LineDict, allowed: set[str], origin: Origin, what: str):
        for key in item:
            if key not in allowed:
                hint = Ontology.suggest(str(key), sorted(allowed))
                self.error(
                    Origin(origin.file, item.line_of(key)), f"unknown field '{key}' in {what}{hint}"
                )

    def _mappings(self, path: Path, items: list, must_have: str):
        """(item, origin) for each list item that is a mapping; others are reported."""
        for item in items:
            origin = Origin(_rel(path), getattr(item, "line", None))
            if not isinstance(item, dict):
                self.error(origin, f"each entry must be a mapping with {must_have}")
                continue
            yield item, origin

    def _time(self, raw, origin: Origin, what: str) -> TimeValue | None:
        try:
            return parse_time(raw)
        except ValueError as exc:
            self.error(origin, f"invalid {what}: {exc}")
            return None

    # -- sources -------------------------------------------------------------------------
    def load_sources(self) -> None:
        path = self.data_dir / "sources.yaml"
        if not path.is_file():
            self.error(Origin(_rel(path)), "sources.yaml is missing: list the sources facts cite")
            return
        _, items = self._yaml(path, "sources")
        for item, origin in self._mappings(path, items, "id and kind"):
            self._unknown_fields(item, SOURCE_FIELDS, origin, "a source")
            sid = item.get("id")
            if not sid:
                self.error(origin, "source without an id")
                continue
            sid = str(sid)
            if sid in self.data.sources:
                first = self.data.sources[sid].origin
                self.error(origin, f"duplicate source id '{sid}' (first defined at {first})")
                continue
            kind = item.get("kind", "article")
            if kind not in ("article", "reference"):
                self.error(
                    origin, f"source '{sid}': kind must be article or reference, not {kind!r}"
                )
                continue
            rec = SourceRecord(
                id=sid,
                kind=kind,
                origin=origin,
                publisher=item.get("publisher"),
                headline=item.get("headline"),
                title=item.get("title"),
                language=item.get("language"),
                date_approximate=bool(item.get("date_approximate", False)),
                translated=bool(item.get("translated", False)),
                dateline=item.get("dateline"),
                description=item.get("description"),
                file=item.get("file"),
            )
            if item.get("published") is not None:
                rec.published = self._time(item["published"], origin, f"publication date of {sid}")
            if kind == "article":
                if not rec.publisher:
                    self.error(
                        origin, f"article '{sid}' needs a publisher (the agency's entity id)"
                    )
                self._check_against_corpus(rec, item)
            self.data.sources[sid] = rec

    def _check_against_corpus(self, rec: SourceRecord, item: LineDict) -> None:
        if self.corpus is None:
            return
        article = self.corpus.get(rec.id)
        if article is None:
            self.error(
                rec.origin,
                f"article '{rec.id}' is not in the corpus ({_rel(self.corpus.metadata_path)})",
            )
            return
        if not article.path.is_file():
            self.error(rec.origin, f"article '{rec.id}': file {article.path} is missing")
        meta = article.metadata
        rec.file = article.path.name
        for key in ("headline", "published"):
            if key in meta and key in item and str(meta[key] or "") != str(item[key] or ""):
                self.error(
                    Origin(rec.origin.file, item.line_of(key)),
                    f"{key} of '{rec.id}' is {item[key]!r} here but {meta[key]!r} in the "
                    f"corpus metadata; the corpus is authoritative, correct the copy",
                )

    def _resolve_source(self, raw, origin: Origin) -> str | None:
        if raw is None or str(raw).strip() == "":
            self.error(origin, "missing source: give the fact a source (or the file a 'source:')")
            return None
        sid = str(raw)
        if sid in self.data.sources:
            return sid
        matches = [s for s in self.data.sources if s.startswith(sid)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            self.error(origin, f"source '{sid}' is ambiguous: {', '.join(matches)}")
        else:
            hint = Ontology.suggest(sid, list(self.data.sources))
            self.error(origin, f"unknown source '{sid}': not listed in sources.yaml{hint}")
        return None

    # -- entities ------------------------------------------------------------------------
    def load_entities(self) -> None:
        for path in self._files("entities", (".yaml", ".yml")):
            _, items = self._yaml(path, "entities")
            for item, origin in self._mappings(path, items, "id, type and label"):
                self._unknown_fields(item, ENTITY_FIELDS, origin, "an entity")
                aliases = item.get("aliases") or []
                if isinstance(aliases, str):
                    aliases = [aliases]
                mentioned = item.get("mentioned_in") or []
                if isinstance(mentioned, str):
                    mentioned = [mentioned]
                self._add_entity(item, origin, list(map(str, aliases)), list(map(str, mentioned)))
        for path in self._files("entities", (".csv",)):
            for line, row in self._csv(path, ENTITY_CSV_REQUIRED, ENTITY_CSV_OPTIONAL):
                origin = Origin(_rel(path), line)
                aliases = [a.strip() for a in row.get("aliases", "").split(";") if a.strip()]
                mentioned = [m.strip() for m in row.get("mentioned_in", "").split(";") if m.strip()]
                entity = self._add_entity(row, origin, aliases, mentioned)
                if entity and row.get("located_in"):
                    self._pending_facts.append(
                        (
                            {
                                "subject": entity.id,
                                "relation": "locatedIn",
                                "object": row["located_in"],
                                "source": GAZETTEER,
                            },
                            origin,
                            LineDict(),
                        )
                    )

    def _add_entity(self, item, origin, aliases, mentioned) -> EntityRecord | None:
        eid = str(item.get("id") or "").strip()
        if not eid:
            self.error(origin, "entity without an id")
            return None
        if not SLUG.match(eid):
            self.error(
                origin,
                f"entity id '{eid}' is not a slug (lower-case letters, digits, single hyphens)",
            )
            return None
        if eid in self.data.entities:
            first = self.data.entities[eid].origin
            self.error(origin, f"duplicate entity id '{eid}' (first defined at {first})")
            return None
        etype = str(item.get("type") or "").strip()
        if etype not in self.onto.entity_classes:
            hint = Ontology.suggest(etype, list(self.onto.entity_classes))
            self.error(
                origin,
                f"entity '{eid}': unknown type '{etype}': not a class of the "
                f"ontology below kg:Entity{hint}",
            )
            return None
        label = str(item.get("label") or "").strip()
        if not label:
            self.error(origin, f"entity '{eid}' needs a label (its canonical English name)")
            return None
        wikidata = str(item.get("wikidata") or "").strip() or None
        if wikidata and not QID.match(wikidata):
            self.error(origin, f"entity '{eid}': wikidata id '{wikidata}' is not of the form Q123")
            wikidata = None
        date = item.get("date")
        date_unknown = False
        if date not in (None, ""):
            if str(date) != "unknown":
                self.error(
                    origin,
                    f"entity '{eid}': date may only be 'unknown' here; give dates "
                    "as facts (relation date) with their source and evidence",
                )
            elif not self.onto.is_a(_kg(etype), _EVENT):
                self.error(origin, f"entity '{eid}': only events take 'date: unknown'")
            else:
                date_unknown = True
        aliases = [a for a in dict.fromkeys(a.strip() for a in aliases) if a and a != label]
        rec = EntityRecord(
            id=eid,
            type=etype,
            label=label,
            origin=origin,
            aliases=aliases,
            description=(str(item.get("description")).strip() or None)
            if item.get("description")
            else None,
            wikidata=wikidata,
            mentioned_in=mentioned,
            date_unknown=date_unknown,
            coordinates=self._coordinates(item, origin, eid, etype),
        )
        self.data.entities[eid] = rec
        return rec

    def _coordinates(self, item, origin: Origin, eid: str, etype: str):
        """(latitude, longitude) as written, or None; every problem is reported on its line."""

        def at(key: str) -> Origin:
            line = item.line_of(key) if isinstance(item, LineDict) else None
            return Origin(origin.file, line or origin.line)

        given = [k for k in COORDINATE_RANGES if item.get(k) not in (None, "")]
        if not given:
            return None
        if not self.onto.is_a(_kg(etype), _PLACE):
            self.error(
                at(given[0]),
                f"entity '{eid}': only places take latitude and longitude, but it is a {etype}",
            )
            return None
        if len(given) == 1:
            other = "longitude" if given[0] == "latitude" else "latitude"
            self.error(
                at(given[0]),
                f"entity '{eid}': {given[0]} without {other}: give both coordinates or neither",
            )
            return None
        values = [self._degrees(item[k], k, at(k), eid) for k in COORDINATE_RANGES]
        if None in values:
            return None
        return values[0], values[1]

    def _degrees(self, raw, key: str, origin: Origin, eid: str) -> Decimal | None:
        """A latitude or longitude in decimal degrees, keeping the precision it is written with."""
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            text = None
        else:
            # A YAML float comes back as the shortest text that reads as the same number.
            text = repr(raw) if isinstance(raw, float) else str(raw).strip()
        try:
            if text is None or not (DECIMAL_DEGREES.match(text) or isinstance(raw, float)):
                raise InvalidOperation
            value = Decimal(text)
            if not value.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            self.error(
                origin,
                f"entity '{eid}': {key} {raw!r} is not a number in decimal degrees "
                "(e.g. 41.7151; south and west are negative)",
            )
            return None
        limit = COORDINATE_RANGES[key]
        if not -limit <= value <= limit:
            self.error(origin, f"entity '{eid}': {key} {text} is outside -{limit}..{limit}")
            return None
        decimals = max(0, -value.as_tuple().exponent)
        if decimals > MAX_COORDINATE_DECIMALS:
            self.error(
                origin,
                f"entity '{eid}': {key} {text} has {decimals} decimals; give at most "
                f"{MAX_COORDINATE_DECIMALS} (about 0.1 m)",
            )
            return None
        return value

    # -- facts ---------------------------------------------------------------------------
    def load_facts(self) -> None:
        for path in self._files("facts", (".yaml", ".yml")):
            doc, items = self._yaml(path, "facts")
            default_source = doc.get("source") if doc else None
            for item, origin in self._mappings(path, items, "subject and relation"):
                if "source" not in item and default_source is not None:
                    lines = item
                    item = LineDict(item, source=default_source)
                    item.line, item.key_lines = lines.line, dict(lines.key_lines)
                    item.key_lines["source"] = getattr(doc, "line_of", lambda k: None)("source")
                self._pending_facts.append((item, origin, item))
        for path in self._files("facts", (".csv",)):
            optional = sorted(FACT_FIELDS - set(FACT_CSV_REQUIRED))
            for line, row in self._csv(path, FACT_CSV_REQUIRED, optional):
                item = {k: v for k, v in row.items() if v != ""}
                self._pending_facts.append((item, Origin(_rel(path), line), LineDict()))

    def _fact(self, item: dict, origin: Origin, lines: LineDict) -> FactRecord | None:
        def at(key: str) -> Origin:
            key_lines = getattr(item, "key_lines", None) or getattr(lines, "key_lines", {})
            return Origin(origin.file, key_lines.get(key) or origin.line)

        self._unknown_fields(
            item if isinstance(item, LineDict) else LineDict(item), FACT_FIELDS, origin, "a fact"
        )
        ok = True
        subject = str(item.get("subject") or "").strip()
        relation = str(item.get("relation") or "").strip()
        if not subject:
            self.error(origin, "fact without a subject")
            ok = False
        if not relation:
            self.error(origin, "fact without a relation")
            return None
        source = self._resolve_source(item.get("source"), at("source"))
        prop = self.onto.fact_properties.get(relation)
        if prop is None:
            known = self.onto.properties.get(relation)
            why = " (it is not a fact property)" if known else ""
            hint = Ontology.suggest(relation, list(self.onto.fact_properties))
            self.error(
                at("relation"),
                f"unknown relation '{relation}': not a fact property of the ontology{why}{hint}",
            )
            return None
        subj = self._entity_ref(subject, at("subject"), "subject") if subject else None
        if subject and subj is None:
            ok = False
        fact = FactRecord(subject=subject, relation=relation, source=source or "", origin=origin)
        if (
            subj is not None
            and prop.domain is not None
            and not self.onto.is_a(_kg(subj.type), prop.domain)
        ):
            self.error(
                at("subject"),
                f"'{relation}' applies to {self._cls(prop.domain)}, but "
                f"subject '{subject}' is a {subj.type}",
            )
            ok = False

        quote = prop.range == _QUOTATION
        has_obj, has_val = "object" in item, "value" in item
        if prop.kind == "object" and not quote:
            if has_val or not has_obj:
                self.error(
                    origin,
                    f"'{relation}' links two entities: give 'object: <entity id>'"
                    + (" instead of 'value'" if has_val else ""),
                )
                ok = False
            else:
                obj = self._entity_ref(str(item["object"]), at("object"), "object")
                fact.object = str(item["object"])
                if obj is None:
                    ok = False
                elif prop.range is not None and not self.onto.is_a(_kg(obj.type), prop.range):
                    self.error(
                        at("object"),
                        f"'{relation}' expects {self._cls(prop.range)}, but "
                        f"object '{obj.id}' is a {obj.type}",
                    )
                    ok = False
        else:
            if has_obj or not has_val:
                self.error(
                    origin,
                    f"'{relation}' takes a literal: give 'value: ...'"
                    + (" instead of 'object'" if has_obj else ""),
                )
                ok = False
            else:
                fact.value = self._value(item["value"], prop, at("value"))
                if fact.value is None:
                    ok = False

        for key in TIME_FIELDS:
            if item.get(key) not in (None, ""):
                setattr(fact, key, self._time(item[key], at(key), f"{key} qualifier"))
                ok = ok and getattr(fact, key) is not None
        low, high = fact.time_bounds
        if low and high and low > high:
            self.error(origin, f"impossible time qualifiers: the fact starts {low} but ends {high}")
            ok = False
        if item.get("according_to"):
            ref = self._entity_ref(str(item["according_to"]), at("according_to"), "according_to")
            if ref is not None and not self.onto.is_a(_kg(ref.type), _AGENT):
                self.error(
                    at("according_to"),
                    f"according_to must be a person or organisation, '{ref.id}' is a {ref.type}",
                )
                ok = False
            fact.according_to = str(item["according_to"])
        if item.get("qualifier"):
            fact.qualifier = str(item["qualifier"]).strip()
            if fact.qualifier not in QUALIFIERS:
                self.error(
                    at("qualifier"),
                    f"qualifier '{fact.qualifier}' is not one of {', '.join(QUALIFIERS)}",
                )
        if item.get("confidence") not in (None, ""):
            try:
                fact.confidence = Decimal(str(item["confidence"]))
                if not 0 <= fact.confidence <= 1:
                    raise InvalidOperation
            except InvalidOperation:
                self.error(
                    at("confidence"),
                    f"confidence {item['confidence']!r} must be a number from 0 to 1",
                )
                ok = False
        fact.note = str(item["note"]).strip() if item.get("note") else None
        if item.get("evidence"):
            fact.evidence = " ".join(str(item["evidence"]).split())
        elif quote and isinstance(fact.value, str):
            fact.evidence = fact.value
        if source is not None and ok:
            self._check_evidence(fact, at("evidence"), at("value"))
        return fact if ok and source is not None else None

    def _cls(self, iri) -> str:
        return "any " + iri[len(KG) :] if str(iri).startswith(str(KG)) else str(iri)

    def _entity_ref(self, eid: str, origin: Origin, role: str) -> EntityRecord | None:
        rec = self.data.entities.get(eid)
        if rec is None:
            hint = self.index.suggestion(eid) or Ontology.suggest(eid, list(self.data.entities))
            self.error(origin, f"{role} '{eid}' is not a defined entity{hint}")
        return rec

    def _value(self, raw, prop, origin: Origin):
        rng = prop.range
        what = f"value of '{prop.name}'"
        if prop.range == _QUOTATION or rng in (XSD.string, None):
            text = " ".join(str(raw).split()) if raw is not None else ""
            if not text:
                self.error(origin, f"{what} is empty")
                return None
            return text
        if rng == _TIME_VALUE:
            return self._time(raw, origin, what)
        if rng == XSD.date:
            t = self._time(raw, origin, what)
            if t is not None and t.precision != "day":
                self.error(origin, f"{what} must be a full date YYYY-MM-DD, not {t.text!r}")
                return None
            return t
        if rng == XSD.integer:
            if isinstance(raw, bool) or not isinstance(raw, int | str):
                self.error(origin, f"{what} must be a whole number, not {raw!r}")
                return None
            try:
                return int(str(raw).strip())
            except ValueError:
                self.error(
                    origin, f"{what} must be a whole number written without separators, not {raw!r}"
                )
                return None
        if rng == XSD.decimal:
            try:
                if isinstance(raw, bool):
                    raise InvalidOperation
                return Decimal(str(raw).strip())
            except InvalidOperation:
                self.error(origin, f"{what} must be a number, not {raw!r}")
                return None
        if rng == XSD.boolean:
            if isinstance(raw, bool):
                return raw
            if str(raw).lower() in ("true", "false"):
                return str(raw).lower() == "true"
            self.error(origin, f"{what} must be true or false, not {raw!r}")
            return None
        self.error(origin, f"{what}: range {rng} is not supported by the loader")
        return None

    def _check_evidence(self, fact: FactRecord, at_evidence: Origin, at_value: Origin) -> None:
        src = self.data.sources[fact.source]
        if src.kind != "article":
            return
        if not fact.evidence:
            self.error(
                at_evidence,
                "missing evidence: quote the sentence of the article that supports the fact",
            )
            return
        if len(fact.evidence) > MAX_EVIDENCE:
            self.error(
                at_evidence,
                f"evidence is {len(fact.evidence)} characters long: quote one "
                f"sentence at most ({MAX_EVIDENCE} characters)",
            )
        if self.corpus is None:
            return
        article = self.corpus.get(fact.source)
        if article is None or not article.exists:
            return  # reported with the source
        offset, in_boilerplate = article.find_in_body(fact.evidence)
        if offset is None:
            self.error(
                at_evidence,
                f"evidence quote not found in the cited article "
                f"{article.path.name}: {fact.evidence[:80]!r}",
            )
            return
        if in_boilerplate:
            self.error(
                at_evidence,
                f"evidence quote is in the site boilerplate of "
                f"{article.path.name}, not in the article",
            )
            return
        fact.evidence_offset = offset
        if fact.relation == "said" and isinstance(fact.value, str) and fact.value != fact.evidence:
            if fold(fact.value) not in fold(fact.evidence) and article.find(fact.value) is None:
                self.error(
                    at_value,
                    f"quoted words not found in the article {article.path.name}: "
                    f"{fact.value[:80]!r}",
                )

    # -- whole-data checks -----------------------------------------------------------------
    def cross_checks(self) -> None:
        ents = self.data.entities
        for src in self.data.sources.values():
            if src.publisher:
                pub = ents.get(src.publisher)
                if pub is None:
                    hint = Ontology.suggest(src.publisher, list(ents))
                    self.error(
                        src.origin,
                        f"publisher '{src.publisher}' of '{src.id}' is not a defined entity{hint}",
                    )
                elif not self.onto.is_a(_kg(pub.type), _ORGANISATION):
                    self.error(src.origin, f"publisher '{src.publisher}' must be an organisation")
            if src.dateline and src.dateline not in ents:
                self.error(src.origin, f"dateline '{src.dateline}' is not a defined entity")
        for ent in ents.values():
            resolved = [self._resolve_source(ref, ent.origin) for ref in ent.mentioned_in]
            ent.mentioned_in = [sid for sid in resolved if sid is not None]
        dated = {
            f.subject
            for f in self.data.facts
            if f.relation in ("date", "startDate", "endDate", "earliestDate", "latestDate")
        }
        for ent in ents.values():
            if not self.onto.is_a(_kg(ent.type), _EVENT):
                continue
            if ent.id not in dated and not ent.date_unknown:
                self.error(
                    ent.origin,
                    f"event '{ent.id}' has no date: add a fact with relation "
                    "date, startDate or earliestDate/latestDate, or mark it "
                    "'date: unknown'",
                )
            if ent.id in dated and ent.date_unknown:
                self.error(
                    ent.origin,
                    f"event '{ent.id}' is marked 'date: unknown' but a fact gives its date",
                )

    def load(self, extracted_dir: Path | None = None) -> CuratedData:
        self._pending_facts: list = []
        self.load_sources()
        self.load_entities()
        extracted = ExtractedLoader(self, extracted_dir) if extracted_dir else None
        if extracted:
            extracted.load_entities()
        self.index = EntityIndex(self.data.entities, self.onto)
        self.problems += self.index.shared_names()
        if extracted:
            extracted.load_sources()
        self.load_facts()
        for item, origin, lines in self._pending_facts:
            fact = self._fact(item, origin, lines)
            if fact is not None:
                self.data.facts.append(fact)
        if extracted:
            extracted.load_facts()
        self.cross_checks()
        return self.data


class ExtractedLoader:
    """Candidates files of extraction (status "proposed") -> extracted facts, checked like
    curated ones.

    Why through CurationLoader: an extracted fact must pass exactly the checks a curated one
    passes (known relation, domain and range, evidence found in the article's body), and its
    problems must read the same, located at the candidates file and line. Only the method
    (extracted, so the builder keeps it in <source>/extracted, never in a curated graph), the
    confidence and the origin differ. Accepted candidates are curated facts by then and
    rejected ones are not facts: neither is loaded.
    """

    def __init__(self, loader: CurationLoader, folder: Path):
        from .extraction.candidates import CandidatesError, candidate_paths, read_candidates

        self.loader = loader
        self.files = []
        for path in candidate_paths(folder):
            try:
                self.files.append(read_candidates(path))
            except CandidatesError as exc:
                loader.error(Origin(_rel(Path(exc.file)), exc.line), exc.detail)
            loader.data.files.append(_rel(path))
        self.entity_ids: set[str] = set()

    def _proposed(self, cf):
        return [c for c in cf.candidates if c.status == "proposed"]

    def load_entities(self) -> None:
        """Proposed entities that proposed candidates refer to and the registry lacks."""
        ents = self.loader.data.entities
        for cf in self.files:
            for cand in self._proposed(cf):
                for eid in (cand.subject, cand.object):
                    if not eid or eid in ents:
                        continue
                    ent = cf.entity(eid)
                    if ent is None:
                        continue  # reported with the fact: not a defined entity
                    line = cf.entity_lines.get(eid) or cf.lines.get(cand.key)
                    item = {"id": ent.id, "type": ent.type, "label": ent.label}
                    if ent.wikidata:
                        item["wikidata"] = ent.wikidata
                    origin = Origin(_rel(cf.path), line)
                    rec = self.loader._add_entity(item, origin, list(ent.aliases), [])
                    if rec is not None:
                        rec.method = "extracted"
                        self.entity_ids.add(rec.id)

    def load_sources(self) -> None:
        """An article the curated sources lack becomes a source of its own (needs a publisher
        the registry knows, as every article in the graph has one)."""
        data = self.loader.data
        for cf in self.files:
            doc, sid = cf.document, cf.source
            origin = Origin(_rel(cf.path), cf.document_line)
            self._check_version(cf, origin)
            if sid in data.sources:
                continue
            publisher = self._publisher(doc.get("publisher"))
            if publisher is None:
                publisher = self._new_publisher(doc.get("publisher"), sid, origin)
            rec = SourceRecord(
                id=sid,
                kind="article",
                origin=origin,
                publisher=publisher,
                headline=doc.get("headline"),
                file=doc.get("file"),
            )
            if doc.get("published"):
                rec.published = self.loader._time(doc["published"], origin, "publication date")
            data.sources[sid] = rec

    def _new_publisher(self, name, sid: str, origin: Origin) -> str | None:
        """The outlet an article's metadata names (kg add records it), as a proposed media
        organisation; an article that names none gets the 'unknown-publisher' placeholder and
        a warning, so that one incomplete record does not stop the build."""
        name = str(name or "").strip()
        eid = re.sub(r"[^a-z0-9]+", "-", anyascii(name).lower()).strip("-") if name else ""
        if not eid:
            eid, name = "unknown-publisher", "Unknown publisher"
            self.loader.error(
                origin,
                f"article '{sid}' names no publisher: set `outlet` (or `publisher`) in its "
                "sources.yaml entry, or list it in the curated sources.yaml with its publisher",
                severity="warning",
            )
        existing = self.loader.data.entities.get(eid)
        if existing is not None:
            if self.loader.onto.is_a(_kg(existing.type), _ORGANISATION):
                return eid
            eid = f"{eid}-publisher"
            if eid in self.loader.data.entities:
                return eid
        item = {"id": eid, "type": "MediaOrganisation", "label": name,
                "description": "Publisher named in the article metadata (proposed)."}
        rec = self.loader._add_entity(item, origin, [], [])
        if rec is not None:
            rec.method = "extracted"
            self.entity_ids.add(rec.id)
        return eid

    def _publisher(self, name) -> str | None:
        if not name:
            return None
        ents, onto = self.loader.data.entities, self.loader.onto
        rec = ents.get(str(name))
        found = [rec] if rec else self.loader.index.lookup(str(name))
        orgs = [r for r in found if onto.is_a(_kg(r.type), _ORGANISATION)]
        return orgs[0].id if len(orgs) == 1 else None

    def _check_version(self, cf, origin: Origin) -> None:
        """Warn when the article changed since extraction (offsets and quotes may be stale)."""
        corpus, digest = self.loader.corpus, cf.document.get("sha256")
        article = corpus.get(cf.source) if corpus is not None else None
        if article is None or not digest or not article.path.is_file():
            return
        from .extraction.candidates import sha256

        if sha256(article.text) != digest:
            self.loader.error(
                origin,
                f"article '{cf.source}' changed since extraction; re-run kg extract",
                "warning",
            )

    def load_facts(self) -> None:
        facts = []
        for cf in self.files:
            for cand in self._proposed(cf):
                fact = self._fact(cf, cand)
                if fact is not None:
                    facts.append(fact)
        _one_confidence_per_assertion(facts)
        self.loader.data.facts.extend(facts)
        self._date_events()

    def _fact(self, cf, cand) -> FactRecord | None:
        item = {"subject": cand.subject, "relation": cand.relation, "source": cand.source}
        if cand.object is not None:
            item["object"] = cand.object
        else:
            item["value"] = cand.value
        item["evidence"] = cand.evidence
        item["confidence"] = str(cand.confidence)
        for key in ("date", "note"):
            if getattr(cand, key):
                item[key] = getattr(cand, key)
        origin = Origin(_rel(cf.path), cf.lines.get(cand.key))
        fact = self.loader._fact(item, origin, LineDict())
        if fact is None:
            return None
        fact.method = "extracted"
        fact.origin = origin
        if fact.evidence_offset is None:
            fact.evidence_offset = cand.evidence_offset
        return fact

    def _date_events(self) -> None:
        """Proposed events come undated unless a fact dates them: mark them 'date: unknown'
        (as a curator would) rather than failing the build."""
        dated = {f.subject for f in self.loader.data.facts if f.relation in EVENT_DATES}
        for eid in self.entity_ids:
            rec = self.loader.data.entities[eid]
            if self.loader.onto.is_a(_kg(rec.type), _EVENT):
                rec.date_unknown = eid not in dated


EVENT_DATES = ("date", "startDate", "endDate", "earliestDate", "latestDate")


def _one_confidence_per_assertion(facts: list[FactRecord]) -> None:
    """The same fact proposed from two sentences of one article becomes one assertion with
    both evidence quotes; it gets the higher of the two confidences (an assertion has one)."""
    best: dict[tuple, Decimal] = {}
    for f in facts:
        key = (f.source, f.subject, f.relation, f.object, str(f.value))
        if f.confidence is not None and (key not in best or f.confidence > best[key]):
            best[key] = f.confidence
    for f in facts:
        key = (f.source, f.subject, f.relation, f.object, str(f.value))
        if key in best:
            f.confidence = best[key]


def load_curated(
    data_dir: Path, ontology: Ontology, corpus: Corpus | None, extracted_dir: Path | None = None
):
    """(CuratedData, problems) for the curated folder, plus the proposed candidates of the
    extracted folder when one is given and exists (as method="extracted" facts)."""
    loader = CurationLoader(data_dir, ontology, corpus)
    data = loader.load(extracted_dir)
    return data, loader.problems
