"""Dataset metadata: a VoID description and a DCAT dataset of the built graph.

Why both: VoID is what linked-data crawlers and SPARQL federation tools read (sizes, the
endpoint, dumps, partitions, linksets), DCAT is what data catalogues and repositories harvest
(title, licence, publisher, distributions). One resource carries both types, so the two views
never disagree.

    graph = void_graph(store, settings, {"license": "https://...", "publisher": "My lab"})
    status, headers, body = void_response(store, settings, "text/turtle", "http://host/")

Counting. Every figure comes from SPARQL on the store, with few passes over the data: one
GROUP BY over distinct triples gives the property partitions (and the total, their sum), one
query the distinct subjects and objects, one GROUP BY per named graph, and index look-ups for
types, owl:sameAs and the named graphs' descriptions. `void:triples` of the dataset counts
DISTINCT triples of the merged graph (what the Turtle and N-Triples dumps hold; a triple two
sources support is one triple); each `void:subset` (one per named graph, the graph IRI itself)
counts the triples of that graph, so the subsets add up to the number of quads. Oxigraph's
union default graph repeats a triple once per graph and rdflib's does not: the queries use
DISTINCT so that both backends give the same numbers. `void:entities` counts the IRIs in the
`void:uriSpace` (the base IRI) that have a type, as the VoID specification defines entities;
the description says how many of them are people, organisations, places and events.

Configuration (the `[publish]` table of the project's kg.toml, or a YAML file with the same
keys read by `load_publish_config` (`kg publish --config`); `kg publish`
and `kg serve` pass it through, overriding `base_url` with the address they publish at):

    title: "..."                 # dct:title
    description: "..."           # dct:description (default: generated, with the counts)
    license: https://creativecommons.org/licenses/by/4.0/    # the default (CC BY 4.0)
    publisher: kg-builder project                         # the default; foaf:name
    publisher_url: https://...   # the publisher's IRI (default: a blank node)
    base_url: https://...        # where the site and /sparql live (default: the base IRI)
    dumps_url: https://.../dumps/   # where the dumps are (default: <base_url>dumps/)
    dumps: [nquads, turtle]      # which export formats are distributions (default: those
                                 # whose file is in the export folder, else nquads and turtle)
    keywords: [migration, ...]   # dcat:keyword
    issued: 2024-01-31           # dct:issued (default: the build date); modified = build date
    homepage: https://...        # foaf:homepage
    language: en                 # dct:language

`void_response` serves the description for the server's /.well-known/void: Turtle, N-Triples,
JSON-LD, or (text/html) a small self-contained HTML page rendered from the same graph; any
other Accept gets 406 with the list of offers. Responses carry `Vary: Accept`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import html
import json
from pathlib import Path

import yaml
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, VOID, XSD

from ..config import Settings
from ..errors import ConfigError
from ..project import PUBLISH_KEYS, check_publish_value
from ..store import QueryError

KG = Namespace("https://w3id.org/kg-builder/ontology#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ONTOLOGY_IRI = "https://w3id.org/kg-builder/ontology"
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"
CC_BY_4 = "https://creativecommons.org/licenses/by/4.0/"
IANA = "https://www.iana.org/assignments/media-types/"

DEFAULTS = {
    "title": "Knowledge graph built with kg-builder",
    "license": CC_BY_4,
    "publisher": "kg-builder project",
    "keywords": ["knowledge graph", "linked data", "provenance", "news"],
    "language": "en",
}
CONFIG_KEYS = PUBLISH_KEYS  # one definition, shared with kg.toml's [publish]
#: Vocabularies the graph may use, by namespace -> the vocabulary's IRI (void:vocabulary).
KNOWN_VOCABULARIES = {
    "https://schema.org/": "https://schema.org/",
    "http://schema.org/": "https://schema.org/",
    str(PROV): "http://www.w3.org/ns/prov#",
    str(SKOS): "http://www.w3.org/2004/02/skos/core#",
    str(OWL): "http://www.w3.org/2002/07/owl#",
    str(RDFS): "http://www.w3.org/2000/01/rdf-schema#",
    str(RDF): "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    str(XSD): "http://www.w3.org/2001/XMLSchema#",
    str(DCTERMS): "http://purl.org/dc/terms/",
    str(FOAF): "http://xmlns.com/foaf/0.1/",
    "http://www.w3.org/ns/org#": "http://www.w3.org/ns/org#",
    "http://semanticweb.cs.vu.nl/2009/11/sem/": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    str(KG): ONTOLOGY_IRI,
}
#: Media types void_response offers, first = default; value = rdflib serializer.
OFFERS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "text/html": None,
}


# -- configuration ---------------------------------------------------------------------------
def load_publish_config(path: str | Path) -> dict:
    """Read a publish.yaml; ConfigError naming file:line for bad YAML, unknown keys or values
    of the wrong type (a typo in `licence` must not silently publish the default licence)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the publishing configuration ({exc})") from exc
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}{line}: invalid YAML: {problem}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise ConfigError(f"{path}:1: the publishing configuration must be a mapping of keys")
    lines = {k.value: k.start_mark.line + 1 for k, _ in node.value if hasattr(k, "value")}
    for key, value in data.items():
        where = f"{path}:{lines.get(str(key), 1)}"
        if key not in CONFIG_KEYS:
            close = difflib.get_close_matches(str(key), list(CONFIG_KEYS) + ["licence"], 1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            if close and close[0] == "licence":
                hint = " (spell it 'license')"
            raise ConfigError(
                f"{where}: unknown key {key!r}{hint}; known keys: {', '.join(CONFIG_KEYS)}"
            )
        _check_value(where, key, value)
    return {k: _normalise(v) for k, v in data.items()}


def _normalise(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _check_value(where: str, key: str, value) -> None:
    check_publish_value(where, key, value)
    if key == "dumps":
        from ..export.rdf import RDF_FORMATS

        bad = [v for v in value if v not in RDF_FORMATS]
        if bad:
            raise ConfigError(
                f"{where}: unknown dump format(s) {', '.join(bad)}; known: {', '.join(RDF_FORMATS)}"
            )


def project_config(settings: Settings | None = None) -> dict:
    """The project's publishing configuration ([publish] of its kg.toml), else {}."""
    if settings is None or settings.project is None:
        return {}
    cfg = settings.project.publish_config()
    for key, value in cfg.items():
        if key == "dumps":
            _check_value(settings.project.origin("publish.dumps"), key, value)
    return cfg


def resolve_config(settings: Settings, config: dict | None) -> dict:
    """The defaults, overridden by `config`; base_url and dumps_url end with '/'."""
    merged = {**DEFAULTS, **{k: v for k, v in (config or {}).items() if v is not None}}
    base = merged.get("base_url") or settings.base_iri
    merged["base_url"] = base if base.endswith("/") else base + "/"
    dumps = merged.get("dumps_url") or merged["base_url"] + "dumps/"
    merged["dumps_url"] = dumps if dumps.endswith("/") else dumps + "/"
    return merged


# -- counting --------------------------------------------------------------------------------
def _int(value) -> int:
    return int(value.toPython()) if hasattr(value, "toPython") else int(value or 0)


def _counts(store, base_iri: str) -> dict:
    """Every figure of the description, by SPARQL (see the module docstring for the passes)."""
    q = store.select
    props = {
        r["p"]: _int(r["n"])
        for r in q(
            "SELECT ?p (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } } "
            "GROUP BY ?p"
        )
    }
    row = q(
        "SELECT (COUNT(DISTINCT ?s) AS ?s_) (COUNT(DISTINCT ?o) AS ?o_) WHERE { ?s ?p ?o }"
    )[0]
    classes = {
        r["c"]: _int(r["n"])
        for r in q("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c")
    }
    entities = q(
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c "
        f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{base_iri}")) }}'
    )[0]["n"]
    kg_entities = q(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        f"SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ ?e a ?c . ?c rdfs:subClassOf* <{KG.Entity}> }}"
    )[0]["n"]
    facts = q(f"SELECT (COUNT(DISTINCT ?st) AS ?n) WHERE {{ ?st a <{KG.Assertion}> }}")[0]["n"]
    graphs = {
        r["g"]: _int(r["n"])
        for r in q("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    }
    about = {}
    for r in q(
        "SELECT ?g ?m ?src ?label WHERE { ?g a ?t . "
        f"FILTER(?t IN (<{PROV.Bundle}>, <{VOID.Dataset}>)) "
        f"OPTIONAL {{ ?g <{KG.method}> ?m }} OPTIONAL {{ ?g <{PROV.wasDerivedFrom}> ?src }} "
        f"OPTIONAL {{ ?g <{RDFS.label}> ?label }} }}"
    ):
        about.setdefault(r["g"], r)
    links = q(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?o WHERE {{ ?s <{OWL.sameAs}> ?o "
        f'FILTER(STRSTARTS(STR(?o), "{WIKIDATA_ENTITY}")) }} }}'
    )[0]["n"]
    examples = [
        r["e"]
        for r in q(
            f"SELECT ?e (COUNT(?st) AS ?n) WHERE {{ ?st <{RDF.subject}> ?e "
            f'FILTER(isIRI(?e) && STRSTARTS(STR(?e), "{base_iri}id/")) }} '
            "GROUP BY ?e ORDER BY DESC(?n) ?e LIMIT 3"
        )
    ]
    onto_objects = [
        r["o"]
        for r in q(
            f"SELECT DISTINCT ?o WHERE {{ GRAPH <{base_iri}graph/ontology> {{ ?x ?p ?o "
            "FILTER(isIRI(?o)) } }"
        )
    ]
    return {
        "triples": sum(props.values()),
        "properties": props,
        "subjects": _int(row["s_"]),
        "objects": _int(row["o_"]),
        "classes": classes,
        "entities": _int(entities),
        "kg_entities": _int(kg_entities),
        "facts": _int(facts),
        "graphs": graphs,
        "about": about,
        "links": _int(links),
        "examples": examples,
        "onto_objects": onto_objects,
    }


def _namespace(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1]


def vocabularies(counts: dict) -> list[str]:
    """The ontology and the vocabularies the data uses (predicates and classes in use) or the
    ontology aligns to (known vocabularies among the ontology graph's objects)."""
    found = {ONTOLOGY_IRI}
    for iri in [*counts["properties"], *counts["classes"]]:
        ns = _namespace(str(iri))
        found.add(KNOWN_VOCABULARIES.get(ns, ns))
    for iri in counts["onto_objects"]:
        ns = _namespace(str(iri))
        if ns in KNOWN_VOCABULARIES:
            found.add(KNOWN_VOCABULARIES[ns])
    return sorted(found)


def _build_time(store) -> dt.datetime:
    """When the store's current generation was committed (now, for an in-memory graph)."""
    gen = getattr(store, "generation", None)
    if gen is not None:
        with contextlib.suppress(OSError):
            stamp = (Path(gen) / "manifest.json").stat().st_mtime
            return dt.datetime.fromtimestamp(int(stamp), dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _dump_formats(settings: Settings, cfg: dict) -> list[str]:
    from ..export.rdf import RDF_FORMATS

    if cfg.get("dumps"):
        return list(cfg["dumps"])
    present = [
        f for f, info in RDF_FORMATS.items() if (settings.out_dir / f"kg{info.extension}").is_file()
    ]
    return present or ["nquads", "turtle"]


# -- the graph -------------------------------------------------------------------------------
def void_graph(store, settings: Settings, config: dict | None = None) -> Graph:
    """The VoID + DCAT description of the store's dataset (see the module docstring)."""
    from ..export.rdf import RDF_FORMATS

    cfg = resolve_config(settings, config)
    base_iri = settings.base_iri
    base_url = cfg["base_url"]
    counts = _counts(store, base_iri)
    g = Graph()
    for prefix, ns in {
        "void": VOID, "dcat": DCAT, "dct": DCTERMS, "foaf": FOAF, "owl": OWL, "rdfs": RDFS,
        "xsd": XSD, "kg": KG, "prov": PROV, "sd": SD, "skos": SKOS,
    }.items():  # fmt: skip
        g.bind(prefix, ns, override=True)
    doc = URIRef(base_url + ".well-known/void")
    ds = URIRef(f"{doc}#dataset")
    g.add((doc, RDF.type, VOID.DatasetDescription))
    g.add((doc, FOAF.primaryTopic, ds))
    g.add((doc, DCTERMS.title, Literal(f"VoID and DCAT description of {cfg['title']}", lang="en")))

    # VoID
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, VOID.triples, Literal(counts["triples"])))
    g.add((ds, VOID.entities, Literal(counts["entities"])))
    g.add((ds, VOID.classes, Literal(len(counts["classes"]))))
    g.add((ds, VOID.properties, Literal(len(counts["properties"]))))
    g.add((ds, VOID.distinctSubjects, Literal(counts["subjects"])))
    g.add((ds, VOID.distinctObjects, Literal(counts["objects"])))
    endpoint = URIRef(base_url + "sparql")
    g.add((ds, VOID.sparqlEndpoint, endpoint))
    g.add((ds, VOID.uriSpace, Literal(base_iri)))
    g.add((ds, VOID.rootResource, URIRef(ONTOLOGY_IRI)))
    for voc in vocabularies(counts):
        g.add((ds, VOID.vocabulary, URIRef(voc)))
    for example in counts["examples"]:
        g.add((ds, VOID.exampleResource, URIRef(str(example))))
    g.add((ds, VOID.feature, URIRef("http://www.w3.org/ns/formats/N-Quads")))
    for cls, n in sorted(counts["classes"].items()):
        part = BNode()
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(str(cls))))
        g.add((part, VOID.entities, Literal(n)))
    for prop, n in sorted(counts["properties"].items()):
        part = BNode()
        g.add((ds, VOID.propertyPartition, part))
        g.add((part, VOID.property, URIRef(str(prop))))
        g.add((part, VOID.triples, Literal(n)))
    _subsets(g, ds, counts)
    _linkset(g, ds, doc, counts)

    # DCAT
    built = _build_time(store)
    g.add((ds, DCTERMS.title, Literal(cfg["title"], lang=cfg["language"])))
    g.add((ds, DCTERMS.description, Literal(_description(cfg, counts), lang=cfg["language"])))
    g.add((ds, DCTERMS.license, URIRef(cfg["license"])))
    g.add((ds, DCTERMS.language, Literal(cfg["language"])))
    g.add((ds, DCTERMS.conformsTo, URIRef(ONTOLOGY_IRI)))
    publisher = URIRef(cfg["publisher_url"]) if cfg.get("publisher_url") else BNode()
    g.add((ds, DCTERMS.publisher, publisher))
    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal(cfg["publisher"])))
    issued = cfg.get("issued") or built.date().isoformat()
    g.add((ds, DCTERMS.issued, _date_literal(issued)))
    modified = built.isoformat().replace("+00:00", "Z")
    g.add((ds, DCTERMS.modified, Literal(modified, datatype=XSD.dateTime)))
    if cfg.get("homepage"):
        g.add((ds, FOAF.homepage, URIRef(cfg["homepage"])))
        g.add((ds, DCAT.landingPage, URIRef(cfg["homepage"])))
    for word in cfg.get("keywords") or []:
        g.add((ds, DCAT.keyword, Literal(word, lang=cfg["language"])))
    for fmt in _dump_formats(settings, cfg):
        info = RDF_FORMATS[fmt]
        name = f"kg{info.extension}"
        url = URIRef(cfg["dumps_url"] + name)
        dist = URIRef(f"{doc}#dump-{fmt}")
        g.add((ds, VOID.dataDump, url))
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(f"{name}: {_DUMP_TITLES[fmt]}", lang="en")))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.accessURL, url))
        g.add((dist, DCAT.mediaType, URIRef(IANA + info.media_type)))
        g.add((dist, DCTERMS.format, Literal(info.media_type)))
        g.add((dist, DCTERMS.license, URIRef(cfg["license"])))
        path = settings.out_dir / name
        if path.is_file():
            size = Literal(path.stat().st_size, datatype=XSD.nonNegativeInteger)
            g.add((dist, DCAT.byteSize, size))
    service = URIRef(f"{doc}#sparql-service")
    g.add((ds, DCAT.distribution, URIRef(f"{doc}#sparql")))
    g.add((URIRef(f"{doc}#sparql"), RDF.type, DCAT.Distribution))
    g.add((URIRef(f"{doc}#sparql"), DCAT.accessURL, endpoint))
    g.add((URIRef(f"{doc}#sparql"), DCAT.accessService, service))
    g.add((URIRef(f"{doc}#sparql"), DCTERMS.title, Literal("SPARQL endpoint", lang="en")))
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCTERMS.title, Literal(f"SPARQL endpoint of {cfg['title']}", lang="en")))
    g.add((service, DCAT.endpointURL, endpoint))
    g.add((service, DCAT.endpointDescription, endpoint))
    g.add((service, DCAT.servesDataset, ds))
    g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((service, DCTERMS.license, URIRef(cfg["license"])))
    return g


_DUMP_TITLES = {
    "turtle": "the merged graph in Turtle",
    "nt": "the merged graph in N-Triples",
    "nquads": "every named graph in N-Quads (with provenance graphs)",
    "trig": "every named graph in TriG (with provenance graphs)",
    "jsonld": "every named graph in JSON-LD (compacted)",
    "xml": "the merged graph in RDF/XML",
}


def _date_literal(text: str) -> Literal:
    try:
        dt.date.fromisoformat(text)
        return Literal(text, datatype=XSD.date)
    except ValueError:
        return Literal(text, datatype=XSD.dateTime) if "T" in text else Literal(text)


def _description(cfg: dict, counts: dict) -> str:
    if cfg.get("description"):
        return cfg["description"]
    sources = {str(a["src"]) for a in counts["about"].values() if a.get("src") is not None}
    return (
        f"{counts['kg_entities']:,} people, organisations, places and events and "
        f"{counts['facts']:,} sourced facts from {len(sources):,} sources, built with "
        "kg-builder: one named graph per source and method (curated or extracted), and for "
        "every fact a kg:Assertion with its source, evidence quote, method and confidence."
    )


def _subsets(g: Graph, ds, counts: dict) -> None:
    """One void:subset per named graph: the graph IRI, its size, method and source."""
    for name, n in sorted(counts["graphs"].items()):
        sub = URIRef(str(name))
        g.add((ds, VOID.subset, sub))
        g.add((sub, RDF.type, VOID.Dataset))
        g.add((sub, SD.name, sub))
        g.add((sub, VOID.triples, Literal(n)))
        about = counts["about"].get(name) or {}
        if about.get("m") is not None:
            g.add((sub, KG.method, URIRef(str(about["m"]))))
        if about.get("src") is not None:
            g.add((sub, PROV.wasDerivedFrom, URIRef(str(about["src"]))))
        label = about.get("label") or f"Named graph {str(name).rstrip('/').rsplit('/', 1)[-1]}"
        g.add((sub, RDFS.label, Literal(str(label), lang="en")))


def _linkset(g: Graph, ds, doc, counts: dict) -> None:
    """owl:sameAs links to Wikidata as a void:Linkset, with Wikidata described as a target."""
    wikidata = URIRef(f"{doc}#wikidata")
    g.add((wikidata, RDF.type, VOID.Dataset))
    g.add((wikidata, DCTERMS.title, Literal("Wikidata", lang="en")))
    g.add((wikidata, FOAF.homepage, URIRef("https://www.wikidata.org/")))
    g.add((wikidata, VOID.uriSpace, Literal(WIKIDATA_ENTITY)))
    g.add((wikidata, VOID.sparqlEndpoint, URIRef("https://query.wikidata.org/sparql")))
    links = URIRef(f"{doc}#wikidata-links")
    g.add((ds, VOID.subset, links))
    g.add((links, RDF.type, VOID.Linkset))
    g.add((links, VOID.linkPredicate, OWL.sameAs))
    g.add((links, VOID.subjectsTarget, ds))
    g.add((links, VOID.objectsTarget, wikidata))
    g.add((links, VOID.target, ds))
    g.add((links, VOID.target, wikidata))
    g.add((links, VOID.triples, Literal(counts["links"])))


# -- serving ---------------------------------------------------------------------------------
_CACHE: dict = {}


def _cache_key(store, settings: Settings, config: dict) -> tuple:
    gen = getattr(store, "generation", None)
    fixed = json.dumps(config, sort_keys=True, default=str)
    return (id(store), str(gen), len(store), settings.base_iri, str(settings.out_dir), fixed)


def cached_void_graph(store, settings: Settings, config: dict | None = None) -> Graph:
    """void_graph, remembered per store generation and configuration: the server answers
    /.well-known/void without recounting (a new build is a new generation)."""
    config = config or {}
    key = _cache_key(store, settings, config)
    found = _CACHE.get(key)
    if found is None:
        if len(_CACHE) > 8:
            _CACHE.clear()
        found = _CACHE[key] = void_graph(store, settings, config)
    return found


def void_response(store, settings: Settings, media_type: str | None, base_url: str | None):
    """(status, headers, body) for /.well-known/void: Turtle, N-Triples, JSON-LD or an HTML
    page; `media_type` is the negotiated type (None or another type -> 406). The project's
    publish.yaml is read when present; `base_url` (the server's address) overrides its own."""
    headers = {"Vary": "Accept", "Access-Control-Allow-Origin": "*"}
    if media_type not in OFFERS:
        body = (
            f"406 Not Acceptable: the dataset description is offered as {', '.join(OFFERS)}\n"
        )
        return 406, {**headers, "Content-Type": "text/plain; charset=utf-8"}, body.encode()
    try:
        config = project_config(settings)
        if base_url:
            config["base_url"] = base_url
        graph = cached_void_graph(store, settings, config)
    except ConfigError as exc:
        body = f"500 the publishing configuration is wrong: {exc}\n"
        return 500, {**headers, "Content-Type": "text/plain; charset=utf-8"}, body.encode()
    except QueryError as exc:  # a store that cannot answer: say so, never crash the server
        body = f"500 the dataset description could not be computed: {exc}\n"
        return 500, {**headers, "Content-Type": "text/plain; charset=utf-8"}, body.encode()
    fmt = OFFERS[media_type]
    if fmt is None:
        body = render_html(graph).encode("utf-8")
    else:
        body = graph.serialize(format=fmt, encoding="utf-8")
    return 200, {**headers, "Content-Type": f"{media_type}; charset=utf-8"}, body


# -- HTML ------------------------------------------------------------------------------------
_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.45;color:#222}table{border-collapse:collapse;margin:.5rem 0 1.5rem}"
    "td,th{border-bottom:1px solid #ddd;padding:.2rem .6rem;text-align:left;vertical-align:top}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}code{font-size:.9em}"
)


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def _a(iri) -> str:
    return f'<a href="{_e(iri)}">{_e(iri)}</a>'


def render_html(graph: Graph) -> str:
    """A small self-contained page of the description (title, licence, figures, downloads,
    endpoint, named graphs, Wikidata links) with links to the Turtle and JSON-LD forms."""
    ds = next(graph.subjects(RDF.type, DCAT.Dataset))
    one = graph.value

    def num(node, pred) -> str:
        value = graph.value(node, pred)
        return f"{int(value):,}" if value is not None else ""

    title = one(ds, DCTERMS.title)
    rows = "".join(
        f"<tr><th>{_e(label)}</th><td class=n>{num(ds, pred)}</td></tr>"
        for label, pred in [
            ("triples", VOID.triples),
            ("entities", VOID.entities),
            ("classes", VOID.classes),
            ("properties", VOID.properties),
            ("distinct subjects", VOID.distinctSubjects),
            ("distinct objects", VOID.distinctObjects),
        ]
    )
    dumps = "".join(
        f"<li>{_a(one(d, DCAT.downloadURL))} <code>{_e(one(d, DCTERMS.format))}</code>"
        + (f" ({int(one(d, DCAT.byteSize)):,} bytes)" if one(d, DCAT.byteSize) else "")
        + "</li>"
        for d in sorted(graph.objects(ds, DCAT.distribution))
        if one(d, DCAT.downloadURL) is not None
    )
    subsets = [
        s for s in graph.objects(ds, VOID.subset) if (s, RDF.type, VOID.Linkset) not in graph
    ]
    graphs = "".join(
        f"<tr><td>{_a(s)}</td><td>{_e(one(s, RDFS.label) or '')}</td>"
        f"<td>{_e(str(one(s, KG.method) or '').rsplit('#', 1)[-1])}</td>"
        f"<td class=n>{num(s, VOID.triples)}</td></tr>"
        for s in sorted(subsets)
    )
    links = sum(int(one(s, VOID.triples)) for s in graph.subjects(RDF.type, VOID.Linkset))
    classes = sorted(
        (int(one(p, VOID.entities)), str(one(p, VOID["class"])))
        for p in graph.objects(ds, VOID.classPartition)
    )
    class_rows = "".join(
        f"<tr><td>{_a(c)}</td><td class=n>{n:,}</td></tr>" for n, c in reversed(classes)
    )
    publisher = one(one(ds, DCTERMS.publisher), FOAF.name)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{_CSS}</style></head><body>
<h1>{_e(title)}</h1>
<p>{_e(one(ds, DCTERMS.description) or '')}</p>
<p>Licence: {_a(one(ds, DCTERMS.license))}. Publisher: {_e(publisher)}.
Modified: {_e(one(ds, DCTERMS.modified))}.</p>
<p>SPARQL endpoint: {_a(one(ds, VOID.sparqlEndpoint))}. URI space:
<code>{_e(one(ds, VOID.uriSpace))}</code>. Links to Wikidata (owl:sameAs): {links:,}.</p>
<p>This description is also served as Turtle, N-Triples and JSON-LD (ask with an Accept
header).</p>
<h2>Figures</h2><table>{rows}</table>
<h2>Downloads</h2><ul>{dumps}</ul>
<h2>Named graphs</h2><table><tr><th>graph</th><th>label</th><th>method</th>
<th>triples</th></tr>{graphs}</table>
<h2>Classes</h2><table><tr><th>class</th><th>entities</th></tr>{class_rows}</table>
</body></html>
"""
