"""Entity pages, content negotiation and the ontology page (kg_builder.publish.pages/conneg).

The corpus graph is built once per module and backend (no validation: these tests read
pages, the build tests check the graph); outputs are read back with real parsers (lxml for
HTML, rdflib for Turtle, N-Triples and JSON-LD).
"""

from __future__ import annotations

import json

import lxml.html
import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg_builder import build, make_settings
from kg_builder.ontology import KG, PROV, load_ontology
from kg_builder.publish import pages
from kg_builder.publish.conneg import negotiate
from kg_builder.publish.html import Linker
from kg_builder.store import MemoryStore

from .conftest import store_spec

OFFERS = pages.OFFERS
ARTICLE = "003_69489bb5dd5d6fb8"


@pytest.fixture(scope="module", params=["memory", "oxigraph"])
def graph(request, tmp_path_factory, corpus_dir):
    """(store, settings): the corpus graph, built once per backend for this module."""
    folder = tmp_path_factory.mktemp(f"pages-{request.param}")
    settings = make_settings(corpus=corpus_dir, out=folder / "out",
                             store=store_spec(request.param, folder), check_owl=False)
    result = build(settings, validate=False, write=False)
    return result.store(), settings


def iri_of(settings, path: str) -> str:
    return settings.base_iri + path


def html_of(store, settings, path: str):
    status, headers, body = pages.entity_response(store, iri_of(settings, path), pages.HTML,
                                                  settings)
    assert status == 200
    return headers, lxml.html.fromstring(body.decode("utf-8")), body.decode("utf-8")


# -- content negotiation ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "accept, expected",
    [
        (None, "text/html"),
        ("", "text/html"),
        ("*/*", "text/html"),
        ("text/turtle", "text/turtle"),
        ("Text/Turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("text/turtle;q=0.5, application/ld+json", "application/ld+json"),
        ("text/turtle;q=0.9, application/n-triples;q=0.95", "application/n-triples"),
        # wildcards: text/* takes the first text offer; q=0 excludes
        ("text/*", "text/html"),
        ("text/*;q=0.5, text/turtle", "text/turtle"),
        ("*/*;q=0.1, text/html;q=0", "text/turtle"),
        # specificity: the most specific range decides an offer's quality
        ("text/turtle, */*", "text/turtle"),
        ("text/*;q=0, text/turtle", "text/turtle"),
        ("text/html;q=0, text/*", "text/turtle"),
        ("application/ld+json;profile=\"http://www.w3.org/ns/json-ld#compacted\"",
         "application/ld+json"),
        # a browser
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
        # an RDF client's usual list
        ("text/turtle;q=1.0, application/rdf+xml;q=0.9, */*;q=0.1", "text/turtle"),
        # malformed elements are skipped, the rest still counts
        ("text/turtle;q=abc, application/n-triples", "application/n-triples"),
        ("garbage, application/ld+json;q=0.3", "application/ld+json"),
    ],
)
def test_negotiate(accept, expected):
    assert negotiate(accept, OFFERS) == expected


@pytest.mark.parametrize("accept", ["image/png", "application/json", "text/plain",
                                    "text/html;q=0, text/turtle;q=0, */*;q=0", "*/*;q=0"])
def test_negotiate_nothing_acceptable(accept):
    """None: the server answers 406."""
    assert negotiate(accept, OFFERS) is None


def test_negotiate_ties_follow_offer_order():
    assert negotiate("text/turtle, application/ld+json", OFFERS) == "text/turtle"
    assert negotiate("text/turtle, application/ld+json",
                     ["application/ld+json", "text/turtle"]) == "application/ld+json"
    assert negotiate("*/*", []) is None


# -- links and paths --------------------------------------------------------------------------
def test_linker_makes_relative_links():
    base = "https://w3id.org/kg-builder/"
    server = Linker(base, "id/person/x")
    assert server.iri(base + "id/place/y") == "../place/y"
    assert server.iri(base + "id/person/z") == "z"
    assert server.iri(base + "ontology#Person") == "../../ontology#Person"
    assert server.iri("https://example.org/other") is None
    assert server.page("") == "../../"
    site = Linker(base, "id/person/x", ".html")
    assert site.iri(base + "id/place/y") == "../place/y.html"
    assert site.page("") == "../../index.html"
    assert site.file(".well-known/void") == "../../.well-known/void"
    assert Linker(base, "index", ".html").page("id/person/x") == "id/person/x.html"


def test_split_extension():
    assert pages.split_extension("/id/person/x.ttl") == ("/id/person/x", "text/turtle")
    assert pages.split_extension("/id/person/x.jsonld") == ("/id/person/x",
                                                            "application/ld+json")
    assert pages.split_extension("/id/person/x.html") == ("/id/person/x", "text/html")
    assert pages.split_extension("/id/person/x") == ("/id/person/x", None)
    assert pages.split_extension("/id/person/j.r.r") == ("/id/person/j.r.r", None)


# -- entity pages -----------------------------------------------------------------------------
def test_amonov_html_lists_flight_with_source_and_evidence(graph):
    store, settings = graph
    headers, doc, text = html_of(store, settings, "id/person/andrei-amonov")
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Vary"] == "Accept"
    assert '<andrei-amonov.ttl>; rel="alternate"; type="text/turtle"' in headers["Link"]
    assert '<andrei-amonov.jsonld>' in headers["Link"]
    assert doc.findtext(".//h1") == "Andrei Amonov"
    # type linked to the ontology anchor; description and alias shown
    assert doc.xpath('//p[@class="types"]/a/@href') == ["../../ontology#Person"]
    assert "construction worker from Yakutia" in doc.text_content()
    assert "Andreï Amonov" in doc.xpath('string(//p[starts-with(., "Also known as")])')
    # the flight to Kazakhstan: the value links to the place, with source and evidence
    fled = doc.xpath('//dt[a[.="fled to"]]/following-sibling::dd[1]/ul/li'
                     '[a[@href="../place/kazakhstan"]]')
    assert len(fled) == 1
    item = fled[0]
    assert item.xpath(f'.//a[@href="../article/{ARTICLE}"]')
    assert ARTICLE in item.text_content()
    assert "I was in shock" in item.text_content()  # the headline
    assert "Andrei Amonov fled to Kazakhstan" in item.xpath("string(.//blockquote)")
    assert "between 2022-09-29 and 2022-11-30" in item.text_content()
    assert "confidence 1" in item.text_content()
    # the property heading links to its definition
    assert doc.xpath('//dt/a[.="fled to"]/@href') == ["../../ontology#fledTo"]
    # downloads, VoID and SPARQL
    hrefs = set(doc.xpath("//a/@href"))
    assert {"andrei-amonov.ttl", "andrei-amonov.nt", "andrei-amonov.jsonld"} <= hrefs
    assert {"../../.well-known/void", "../../sparql"} <= hrefs
    assert doc.xpath('//link[@rel="alternate"][@type="text/turtle"]/@href') == [
        "andrei-amonov.ttl"]
    # no inline script, no external resources
    assert not doc.xpath("//script") and not doc.xpath("//link[@rel='stylesheet']")


def test_incoming_links_and_wikidata(graph):
    store, settings = graph
    # an entity with a Wikidata identity, pointed at by others
    row = store.select(
        "SELECT ?e WHERE { ?e <http://www.w3.org/2002/07/owl#sameAs> ?w . "
        "?x <https://w3id.org/kg-builder/ontology#fledTo> ?e } ORDER BY ?e LIMIT 1"
    )[0]
    path = str(row["e"])[len(settings.base_iri):]
    _, doc, _ = html_of(store, settings, path)
    wikidata = [h for h in doc.xpath("//a/@href") if h.startswith("http://www.wikidata.org/")]
    assert wikidata
    incoming = doc.xpath('//h2[.="Referenced by"]/following-sibling::dl[1]')
    assert incoming and "fled to" in incoming[0].text_content()
    if path == "id/place/kazakhstan":
        assert incoming[0].xpath('.//a[@href="../person/andrei-amonov"]')


def test_article_page_lists_supported_facts(graph):
    store, settings = graph
    _, doc, _ = html_of(store, settings, f"id/article/{ARTICLE}")
    assert doc.findtext(".//h1").startswith("'I was in shock")
    text = doc.text_content()
    assert "publisher" in text and "Agence France-Presse" in text
    assert "2024-10-21" in text
    table = doc.xpath('//h2[starts-with(., "Facts from this source")]/following-sibling::table[1]')
    assert table
    rows = table[0].xpath(".//tbody/tr")
    supported = store.select(
        "SELECT (COUNT(DISTINCT ?st) AS ?n) WHERE { ?st <http://www.w3.org/ns/prov#wasDerivedFrom>"
        f" <{settings.base_iri}id/article/{ARTICLE}> ; a <{KG}Assertion> }}"
    )[0]["n"]
    assert len(rows) == int(supported) > 50
    assert any("Andrei Amonov" in r.text_content() and "fled to" in r.text_content()
               for r in rows)


@pytest.mark.parametrize("media_type", list(pages.RDF_TYPES))
def test_amonov_rdf_parses_with_label_and_assertions(graph, media_type):
    store, settings = graph
    iri = URIRef(iri_of(settings, "id/person/andrei-amonov"))
    status, headers, body = pages.entity_response(store, str(iri), media_type, settings)
    assert status == 200 and headers["Content-Type"] == f"{media_type}; charset=utf-8"
    assert headers["Vary"] == "Accept"
    g = Graph().parse(data=body.decode("utf-8"), format=pages.RDF_TYPES[media_type])
    assert [str(x) for x in g.objects(iri, RDFS.label)] == ["Andrei Amonov"]
    kazakhstan = URIRef(iri_of(settings, "id/place/kazakhstan"))
    assert (iri, KG.fledTo, kazakhstan) in g
    statements = set(g.subjects(RDF.subject, iri)) & set(g.subjects(RDF.predicate, KG.fledTo))
    statements &= set(g.subjects(RDF.object, kazakhstan))
    assert len(statements) == 1
    st = statements.pop()
    assert (st, RDF.type, KG.Assertion) in g
    assert (st, PROV.wasDerivedFrom, URIRef(iri_of(settings, f"id/article/{ARTICLE}"))) in g
    assert "Andrei Amonov fled to Kazakhstan" in str(g.value(st, KG.evidence))
    assert g.value(st, KG.method) == KG.Curated
    assert float(g.value(st, KG.confidence)) == 1.0
    # labels and types of what it links to
    assert [str(x) for x in g.objects(kazakhstan, RDFS.label)] == ["Kazakhstan"]
    assert (kazakhstan, RDF.type, None) in g


def test_jsonld_is_compacted_and_equals_turtle(graph):
    store, settings = graph
    iri = iri_of(settings, "id/person/andrei-amonov")
    ttl = pages.entity_response(store, iri, "text/turtle", settings)[2]
    jsonld = pages.entity_response(store, iri, "application/ld+json", settings)[2]
    doc = json.loads(jsonld)
    assert doc["@context"]["fledTo"]["@id"] == "kg:fledTo"
    assert "@graph" in doc
    a = Graph().parse(data=ttl, format="turtle")
    b = Graph().parse(data=jsonld, format="json-ld")
    assert _by_value(a) == _by_value(b)


def _by_value(graph: Graph) -> set:
    """Triples with literals compared by value and datatype ("1" and "1.0" are one decimal)."""
    return {
        (s, p, (o.datatype, o.language, o.toPython()) if isinstance(o, Literal) else o)
        for s, p, o in graph
    }


def test_every_kind_of_resource_has_a_page(graph):
    """Entities, sources, quotes and assertion records: the pages the site links to."""
    store, settings = graph
    for path in ("id/event/amonov-flight", "id/organisation/afp", "id/reference/gazetteer"):
        _, doc, _ = html_of(store, settings, path)
        assert doc.findtext(".//h1")
    quote = store.select(f"SELECT ?q WHERE {{ ?q a <{KG}Quotation> }} ORDER BY ?q LIMIT 1")
    st = store.select(f"SELECT ?s WHERE {{ ?s a <{KG}Assertion> }} ORDER BY ?s LIMIT 1")
    for node in (quote[0]["q"], st[0]["s"]):
        assert pages.entity_response(store, str(node), pages.HTML, settings)[0] == 200


@pytest.mark.parametrize(
    "iri",
    [
        "id/person/nobody",
        "id/person/andrei-amonov/extra",
        "id/person/andrei-amonov> ?p ?o } #",
        'id/person/x"',
        "",
    ],
)
def test_unknown_or_malformed_iri_is_none(graph, iri):
    store, settings = graph
    for media_type in OFFERS:
        assert pages.entity_response(store, settings.base_iri + iri, media_type, settings) is None


def test_iri_outside_the_base_is_none(graph):
    store, settings = graph
    assert pages.entity_response(store, "http://www.wikidata.org/entity/Q159", pages.HTML,
                                 settings) is None
    with pytest.raises(ValueError):
        pages.entity_response(store, iri_of(settings, "id/person/andrei-amonov"),
                              "image/png", settings)


# -- escaping ---------------------------------------------------------------------------------
def test_html_escapes_everything_from_the_graph(tmp_path):
    """A tiny graph whose label, description, alias, evidence and IRIs carry markup."""
    settings = make_settings(store="memory", use_default_corpus=False)
    ID = Namespace(settings.base_iri + "id/")
    evil = ID["person/evil"]
    other = ID["place/x"]
    st = ID["statement/1"]
    source = ID["article/a1"]
    ds = Dataset()
    g = ds.graph(URIRef(settings.base_iri + "graph/test"))
    g.add((evil, RDF.type, KG.Person))
    g.add((evil, RDFS.label, Literal("<script>alert(1)</script>")))
    g.add((evil, URIRef("https://schema.org/description"), Literal('A & B "quoted" <b>bold</b>')))
    g.add((evil, URIRef("http://www.w3.org/2004/02/skos/core#altLabel"),
           Literal("<img src=x onerror=alert(2)>")))
    g.add((evil, OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q1")))
    g.add((evil, KG.fledTo, other))
    g.add((other, RDF.type, KG.Country))
    g.add((other, RDFS.label, Literal("</a><script>alert(3)</script>")))
    g.add((source, RDF.type, KG.NewsArticle))
    g.add((source, RDFS.label, Literal("<iframe>headline</iframe>")))
    for p, o in ((RDF.type, KG.Assertion), (RDF.subject, evil), (RDF.predicate, KG.fledTo),
                 (RDF.object, other), (PROV.wasDerivedFrom, source),
                 (KG.evidence, Literal("</blockquote><script>alert(4)</script>"))):
        g.add((st, p, o))
    store = MemoryStore(ds)
    status, _, body = pages.entity_response(store, str(evil), pages.HTML, settings)
    text = body.decode("utf-8")
    doc = lxml.html.fromstring(text)
    assert not doc.xpath("//script | //img | //iframe | //b")
    assert doc.findtext(".//h1") == "<script>alert(1)</script>"
    assert doc.findtext(".//title") == "<script>alert(1)</script>"
    content = doc.text_content()
    for shown in ('A & B "quoted" <b>bold</b>', "<img src=x onerror=alert(2)>",
                  "</a><script>alert(3)</script>", "<iframe>headline</iframe>",
                  "</blockquote><script>alert(4)</script>"):
        assert shown in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    # the escaped page is still well-formed: one body, the facts in their list
    assert len(doc.xpath("//body")) == 1
    assert doc.xpath('//a[@href="../place/x"]')
    # RDF variants carry the same strings intact
    ttl = pages.entity_response(store, str(evil), "text/turtle", settings)[2]
    parsed = Graph().parse(data=ttl, format="turtle")
    assert (evil, RDFS.label, Literal("<script>alert(1)</script>")) in parsed


# -- the ontology -----------------------------------------------------------------------------
def test_ontology_page_documents_every_term_with_anchors():
    settings = make_settings(store="memory", use_default_corpus=False)
    onto = load_ontology(settings.ontology_dir)
    status, headers, body = pages.ontology_response(settings, pages.HTML)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    doc = lxml.html.fromstring(body.decode("utf-8"))
    anchors = set(doc.xpath("//section/@id"))
    assert set(onto.classes) <= anchors
    assert set(onto.properties) <= anchors
    annotation = {str(t)[len(KG):] for t in onto.graph.subjects(RDF.type, OWL.AnnotationProperty)
                  if str(t).startswith(str(KG))}
    assert annotation <= anchors and "TimeValue" in anchors and "Curated" in anchors
    # each section: label and definition from the ontology
    person = doc.get_element_by_id("Person")
    assert onto.classes["Person"].definition in person.text_content()
    assert person.xpath('.//a[@href="#Agent"]')  # superclass
    assert person.xpath('.//a[@href="https://schema.org/Person"]')  # alignment
    assert doc.get_element_by_id("Agent").xpath('.//a[@href="#Person"]')  # subclass
    fled = doc.get_element_by_id("fledTo")
    assert onto.properties["fledTo"].label in fled.text_content()
    assert fled.xpath('.//tr[th="Domain"]//a/@href') and fled.xpath('.//tr[th="Range"]//a/@href')
    # every internal #anchor on the page exists
    targets = {h[1:] for h in doc.xpath("//a/@href") if h.startswith("#")}
    assert targets <= set(doc.xpath("//@id"))


@pytest.mark.parametrize("media_type", list(pages.RDF_TYPES))
def test_ontology_rdf(media_type):
    settings = make_settings(store="memory", use_default_corpus=False)
    onto = load_ontology(settings.ontology_dir)
    status, headers, body = pages.ontology_response(settings, media_type)
    assert headers["Content-Type"].startswith(media_type)
    g = Graph().parse(data=body.decode("utf-8"), format=pages.RDF_TYPES[media_type])
    assert len(g) == len(onto.graph)
    assert (KG.Person, RDFS.subClassOf, KG.Agent) in g
    if media_type == "text/turtle":
        assert body == (settings.ontology_dir / "kg.ttl").read_bytes()


def test_entity_pages_link_to_existing_ontology_anchors(graph):
    store, settings = graph
    _, onto_doc, _ = (None, lxml.html.fromstring(
        pages.ontology_response(settings, pages.HTML)[2].decode()), None)
    anchors = set(onto_doc.xpath("//@id"))
    _, doc, _ = html_of(store, settings, "id/person/andrei-amonov")
    used = {h.split("#", 1)[1] for h in doc.xpath("//a/@href") if h.startswith("../../ontology#")}
    assert used and used <= anchors
