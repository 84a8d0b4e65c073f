"""The VoID/DCAT description of the corpus graph: it parses, its figures equal counts made
independently (in Python over the store's quads, or by direct SPARQL), on both backends."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest
from lxml import html as lxml_html
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, VOID

from kg_builder import build, make_settings
from kg_builder.errors import ConfigError
from kg_builder.export.rdf import RDF_FORMATS, export_rdf
from kg_builder.publish.void import (
    CC_BY_4,
    KG,
    ONTOLOGY_IRI,
    PROV,
    load_publish_config,
    void_graph,
    void_response,
)

from .conftest import BACKENDS, store_spec

#: A plain Namespace (rdflib's closed DCAT namespace warns when pytest inspects the module).
DCAT = Namespace("http://www.w3.org/ns/dcat#")


@pytest.fixture(scope="module", params=BACKENDS)
def corpus(request, tmp_path_factory, corpus_dir):
    """(store, settings) of the corpus graph with its default exports written, per backend."""
    folder = tmp_path_factory.mktemp(f"void-{request.param}")
    settings = make_settings(
        corpus=corpus_dir, out=folder / "exports", store=store_spec(request.param, folder),
        check_owl=False,
    )  # fmt: skip
    result = build(settings, validate=False, write=True)
    return result.store(), settings


@pytest.fixture(scope="module")
def described(corpus):
    store, settings = corpus
    graph = void_graph(store, settings)
    return graph, next(graph.subjects(RDF.type, DCAT.Dataset))


@pytest.fixture(scope="module")
def quads(corpus):
    store, _ = corpus
    return list(store.quads())  # rdflib terms: "2022"^^xsd:gYear is not the string "2022"


def _int(graph, node, pred) -> int:
    value = graph.value(node, pred)
    assert value is not None, f"no {pred} on {node}"
    return int(value)


def test_description_parses_in_every_offered_format(corpus):
    store, settings = corpus
    for media, fmt in [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
    ]:
        status, headers, body = void_response(store, settings, media, "http://127.0.0.1:8000/")
        assert status == 200 and headers["Vary"] == "Accept"
        assert headers["Content-Type"].startswith(media)
        g = Graph().parse(data=body.decode("utf-8"), format=fmt)
        ds = URIRef("http://127.0.0.1:8000/.well-known/void#dataset")
        assert (ds, RDF.type, VOID.Dataset) in g and (ds, RDF.type, DCAT.Dataset) in g
        assert g.value(ds, VOID.sparqlEndpoint) == URIRef("http://127.0.0.1:8000/sparql")
    assert json.loads(void_response(store, settings, "application/ld+json", None)[2])


def test_html_rendering_and_406(corpus):
    store, settings = corpus
    status, headers, body = void_response(store, settings, "text/html", "http://127.0.0.1:8000/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    doc = lxml_html.fromstring(body)
    hrefs = doc.xpath("//a/@href")
    assert "http://127.0.0.1:8000/sparql" in hrefs and CC_BY_4 in hrefs
    assert "http://127.0.0.1:8000/dumps/kg.nq" in hrefs
    status, headers, body = void_response(store, settings, "image/png", None)
    assert status == 406 and headers["Vary"] == "Accept" and b"text/turtle" in body
    assert void_response(store, settings, None, None)[0] == 406


def test_totals_equal_direct_counts(described, quads, corpus):
    graph, ds = described
    store, settings = corpus
    triples = {q[:3] for q in quads}
    assert _int(graph, ds, VOID.triples) == len(triples) < len(quads)  # distinct triples
    assert _int(graph, ds, VOID.distinctSubjects) == len({t[0] for t in triples})
    assert _int(graph, ds, VOID.distinctObjects) == len({t[2] for t in triples})
    assert _int(graph, ds, VOID.properties) == len({t[1] for t in triples})
    types = {(s, o) for s, p, o in triples if p == RDF.type}
    assert _int(graph, ds, VOID.classes) == len({o for _, o in types})
    base = settings.base_iri
    typed_iris = {s for s, _ in types if isinstance(s, URIRef) and s.startswith(base)}
    assert _int(graph, ds, VOID.entities) == len(typed_iris)
    direct = store.select(
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE "
        f'{{ ?s a ?c FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{base}")) }}'
    )
    assert _int(graph, ds, VOID.entities) == int(direct[0]["n"])


def test_class_and_property_partitions(described, quads):
    graph, ds = described
    triples = {q[:3] for q in quads}
    per_class = defaultdict(set)
    per_property = defaultdict(int)
    for s, p, o in triples:
        per_property[str(p)] += 1
        if p == RDF.type:
            per_class[o].add(s)
    classes = {
        str(graph.value(part, VOID["class"])): _int(graph, part, VOID.entities)
        for part in graph.objects(ds, VOID.classPartition)
    }
    assert classes == {str(c): len(members) for c, members in per_class.items()}
    assert classes[str(KG.Person)] > 10 and classes[str(KG.Assertion)] > 400
    props = {
        str(graph.value(part, VOID.property)): _int(graph, part, VOID.triples)
        for part in graph.objects(ds, VOID.propertyPartition)
    }
    assert props == dict(per_property)
    assert sum(props.values()) == _int(graph, ds, VOID.triples)


def test_one_subset_per_named_graph(described, quads, corpus):
    graph, ds = described
    store, settings = corpus
    per_graph = defaultdict(int)
    for q in quads:
        per_graph[str(q[3])] += 1
    subsets = {
        str(s): s
        for s in graph.objects(ds, VOID.subset)
        if (s, RDF.type, VOID.Linkset) not in graph
    }
    assert set(subsets) == set(per_graph) == {str(g) for g in store.graph_names()}
    for name, node in subsets.items():
        assert _int(graph, node, VOID.triples) == per_graph[name]
    assert sum(per_graph.values()) == len(quads)
    article = next(n for n in subsets if n.endswith("/curated") and "/graph/0" in n)
    node = subsets[article]
    assert graph.value(node, KG.method) == KG.Curated
    source = graph.value(node, PROV.wasDerivedFrom)
    assert str(source).startswith(settings.base_iri + "id/article/")
    assert source.rsplit("/", 1)[-1] in article


def test_wikidata_linkset_counts_same_as(described, corpus):
    graph, ds = described
    store, _ = corpus
    linksets = list(graph.subjects(RDF.type, VOID.Linkset))
    assert len(linksets) == 1
    links = linksets[0]
    assert (ds, VOID.subset, links) in graph
    assert graph.value(links, VOID.linkPredicate) == OWL.sameAs
    target = graph.value(links, VOID.objectsTarget)
    assert str(graph.value(target, VOID.uriSpace)) == "http://www.wikidata.org/entity/"
    direct = store.select(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?o WHERE "
        "{ ?s <http://www.w3.org/2002/07/owl#sameAs> ?o } }"
    )
    assert _int(graph, links, VOID.triples) == int(direct[0]["n"]) > 0


def test_vocabularies_examples_and_uri_space(described, corpus):
    graph, ds = described
    _, settings = corpus
    vocabularies = {str(v) for v in graph.objects(ds, VOID.vocabulary)}
    for expected in (
        ONTOLOGY_IRI,
        "https://schema.org/",
        "http://www.w3.org/ns/prov#",
        "http://www.w3.org/2004/02/skos/core#",
        "http://www.w3.org/2002/07/owl#",
    ):
        assert expected in vocabularies
    assert str(graph.value(ds, VOID.uriSpace)) == settings.base_iri
    examples = list(graph.objects(ds, VOID.exampleResource))
    assert examples and all(str(e).startswith(settings.base_iri + "id/") for e in examples)


def test_dcat_distributions_list_the_exports(corpus):
    store, settings = corpus
    out = settings.out_dir
    base = "https://data.example.org/kg/"
    graph = void_graph(store, settings, {"base_url": base})
    ds = URIRef(base + ".well-known/void#dataset")
    dumps = {str(u) for u in graph.objects(ds, VOID.dataDump)}
    assert dumps == {base + "dumps/kg.nq", base + "dumps/kg.ttl"}  # what the build wrote
    export_rdf(store, "trig", out / "kg.trig")
    try:
        graph = void_graph(store, settings, {"base_url": base})
        sizes = {p.name: p.stat().st_size for p in out.iterdir()}
    finally:
        (out / "kg.trig").unlink()
    by_url = {}
    for dist in graph.objects(ds, DCAT.distribution):
        assert (dist, RDF.type, DCAT.Distribution) in graph
        url = graph.value(dist, DCAT.downloadURL)
        if url is not None:
            by_url[str(url).rsplit("/", 1)[-1]] = dist
    assert set(by_url) == {"kg.nq", "kg.ttl", "kg.trig"}
    for name, dist in by_url.items():
        fmt = next(f for f, i in RDF_FORMATS.items() if name == "kg" + i.extension)
        media = RDF_FORMATS[fmt].media_type
        assert str(graph.value(dist, DCAT.mediaType)).endswith("/" + media)
        assert _int(graph, dist, DCAT.byteSize) == sizes[name]
    service = next(graph.subjects(RDF.type, DCAT.DataService))
    assert graph.value(service, DCAT.endpointURL) == URIRef(base + "sparql")
    assert (service, DCAT.servesDataset, ds) in graph
    for pred in (DCTERMS.title, DCTERMS.description, DCTERMS.issued, DCTERMS.modified):
        assert graph.value(ds, pred) is not None
    assert len(list(graph.objects(ds, DCAT.keyword))) >= 3


def test_config_licence_publisher_and_dumps(corpus, tmp_path):
    store, settings = corpus
    path = tmp_path / "publish.yaml"
    path.write_text(
        "title: Flight from Russia, 2022\n"
        "license: https://creativecommons.org/publicdomain/zero/1.0/\n"
        "publisher: Example Migration Lab\n"
        "publisher_url: https://lab.example.org/\n"
        "base_url: https://kg.example.org\n"
        "dumps: [nt, jsonld]\n"
        "keywords: [exile, desertion]\n"
        "issued: 2024-03-01\n",
        encoding="utf-8",
    )
    config = load_publish_config(path)
    graph = void_graph(store, settings, config)
    ds = URIRef("https://kg.example.org/.well-known/void#dataset")
    assert graph.value(ds, DCTERMS.license) == URIRef(
        "https://creativecommons.org/publicdomain/zero/1.0/"
    )
    publisher = graph.value(ds, DCTERMS.publisher)
    assert publisher == URIRef("https://lab.example.org/")
    assert str(graph.value(publisher, FOAF.name)) == "Example Migration Lab"
    assert str(graph.value(ds, DCTERMS.title)) == "Flight from Russia, 2022"
    assert str(graph.value(ds, DCTERMS.issued)) == "2024-03-01"
    assert {str(k) for k in graph.objects(ds, DCAT.keyword)} == {"exile", "desertion"}
    assert {str(u) for u in graph.objects(ds, VOID.dataDump)} == {
        "https://kg.example.org/dumps/kg.nt",
        "https://kg.example.org/dumps/kg.jsonld",
    }
    assert graph.value(ds, VOID.sparqlEndpoint) == URIRef("https://kg.example.org/sparql")
    default = void_graph(store, settings)  # the documented defaults
    ds0 = next(default.subjects(RDF.type, DCAT.Dataset))
    assert default.value(ds0, DCTERMS.license) == URIRef(CC_BY_4)
    name = default.value(default.value(ds0, DCTERMS.publisher), FOAF.name)
    assert name == Literal("kg-builder project")


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("title: ok\nlicense: [unclosed\n", 3, "invalid YAML"),
        ("title: ok\n  publisher: x\n bad: : :\n", 2, "invalid YAML"),
        ("title: ok\npublisher: me\nlicence: https://x.org/\n", 3, "spell it 'license'"),
        ("title: ok\npublsher: me\n", 2, "did you mean 'publisher'"),
        ("title: ok\nkeywords: news\n", 2, "list of strings"),
        ("title: ok\nbase_url: ftp://x\n", 2, "http(s) URL"),
        ("dumps: [nquads, gexf]\n", 1, "unknown dump format"),
        ("- a\n- b\n", 1, "mapping"),
    ],
)
def test_bad_config_names_file_and_line(tmp_path, text, line, words):
    path = tmp_path / "publish.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_publish_config(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}:"), message
    assert words in message


def test_empty_config_is_the_defaults(tmp_path):
    path = tmp_path / "publish.yaml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    assert load_publish_config(path) == {}


def test_both_backends_describe_the_same_figures(tmp_path_factory, corpus_dir):
    """DISTINCT in the counting queries: Oxigraph's union graph repeats a triple per graph."""
    figures = []
    for backend in BACKENDS:
        folder = tmp_path_factory.mktemp(f"void-same-{backend}")
        settings = make_settings(
            corpus=corpus_dir, out=folder, store=store_spec(backend, folder), check_owl=False
        )
        graph = void_graph(build(settings, validate=False).store(), settings)
        ds = next(graph.subjects(RDF.type, DCAT.Dataset))
        figures.append(
            [
                _int(graph, ds, p)
                for p in (VOID.triples, VOID.entities, VOID.classes, VOID.properties,
                          VOID.distinctSubjects, VOID.distinctObjects)  # fmt: skip
            ]
        )
    assert figures[0] == figures[1]
