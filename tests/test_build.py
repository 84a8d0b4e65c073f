"""The built dataset: structure, provenance patterns, determinism, atomic outputs."""

from __future__ import annotations

import pytest
from rdflib import Dataset, URIRef

from kg_builder import CurationError, build, make_settings
from kg_builder.output import write_all

from .conftest import CORPUS_QUADS, store_spec

BASE = "https://w3id.org/kg-builder/"
PREFIXES = """PREFIX kg: <https://w3id.org/kg-builder/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <https://schema.org/>
PREFIX id: <https://w3id.org/kg-builder/id/>
"""


def test_named_graphs_per_source_and_method(store):
    names = {str(g) for g in store.graph_names()}
    expected = {
        BASE + "graph/ontology",
        BASE + "graph/sources",
        BASE + "graph/registry",
        BASE + "graph/gazetteer/curated",
    }
    expected |= {
        f"{BASE}graph/{sid}/curated"
        for sid in (
            "000_15c30f71e5ccaca9",
            "001_018f0621839ca5c8",
            "002_aa80568b4da406dd",
            "003_69489bb5dd5d6fb8",
            "004_778bbb137ffcf9e7",
        )
    }
    assert names == expected


def test_which_articles_support_a_fact_is_one_pattern(store):
    rows = store.select(
        PREFIXES
        + """
        SELECT ?id WHERE {
          ?st rdf:subject <https://w3id.org/kg-builder/id/person/alexander-deserter> ; rdf:predicate kg:fledTo ;
              rdf:object <https://w3id.org/kg-builder/id/place/kazakhstan> ; prov:wasDerivedFrom ?a .
          ?a kg:corpusId ?id } ORDER BY ?id"""
    )
    assert [str(r["id"]) for r in rows] == ["001_018f0621839ca5c8", "003_69489bb5dd5d6fb8"]


def test_named_graph_pattern_gives_the_same_answer(store):
    rows = store.select(
        PREFIXES
        + """
        SELECT ?id WHERE {
          GRAPH ?g { <https://w3id.org/kg-builder/id/person/alexander-deserter> kg:fledTo <https://w3id.org/kg-builder/id/place/kazakhstan> }
          ?g prov:wasDerivedFrom ?a . ?a kg:corpusId ?id } ORDER BY ?id"""
    )
    assert [str(r["id"]) for r in rows] == ["001_018f0621839ca5c8", "003_69489bb5dd5d6fb8"]


def test_only_curated_facts_is_one_pattern(store, built):
    rows = store.select(
        PREFIXES
        + """
        SELECT (COUNT(*) AS ?n) WHERE { ?st kg:method kg:Curated ; rdf:subject ?s }"""
    )
    curated = int(rows[0]["n"])
    total = int(
        store.select(PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?st a kg:Assertion }")[0]["n"]
    )
    assert curated == total > 400


def test_every_assertion_has_evidence_found_in_the_article(store, built):
    rows = store.select(
        PREFIXES
        + """
        SELECT ?st ?e ?off ?file WHERE {
          ?st kg:evidence ?e ; kg:evidenceOffset ?off ; prov:wasDerivedFrom ?a .
          ?a kg:corpusFile ?file }"""
    )
    assert len(rows) > 400
    corpus = built.corpus
    for row in rows:
        article = next(a for a in corpus.articles.values() if a.path.name == str(row["file"]))
        assert article.find(str(row["e"])) == int(row["off"])


def test_conflicting_accounts_are_both_kept(store):
    rows = store.select(
        PREFIXES
        + """
        SELECT ?km ?id WHERE {
          ?st rdf:subject <https://w3id.org/kg-builder/id/place/finland-russia-border> ; rdf:predicate kg:lengthKm ;
              rdf:object ?km ; prov:wasDerivedFrom ?a . ?a kg:corpusId ?id } ORDER BY ?id"""
    )
    assert [(int(r["km"]), str(r["id"])) for r in rows] == [
        (1340, "002_aa80568b4da406dd"),
        (1300, "004_778bbb137ffcf9e7"),
    ]


def test_names_labels_and_wikidata(store):
    rows = store.select(
        PREFIXES
        + """
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        SELECT ?label ?alt ?wd WHERE {
          <https://w3id.org/kg-builder/id/organisation/idite-lesom> rdfs:label ?label ; skos:altLabel ?alt .
          OPTIONAL { <https://w3id.org/kg-builder/id/person/vladimir-putin> owl:sameAs ?wd } }"""
    )
    assert {str(r["label"]) for r in rows} == {"Idite Lesom"}
    assert {"Capture the Forest", "Idite Lessom", "Get Away"} <= {str(r["alt"]) for r in rows}
    assert {str(r["wd"]) for r in rows} == {"http://www.wikidata.org/entity/Q7747"}


def test_articles_are_news_articles_with_agency_and_dated_precision(store):
    rows = store.select(
        PREFIXES
        + """
        SELECT ?id ?agency ?date ?approx WHERE {
          ?a a kg:NewsArticle ; kg:corpusId ?id ; schema:publisher/rdfs:label ?agency ;
             schema:datePublished ?date ; kg:dateApproximate ?approx } ORDER BY ?id"""
    )
    got = {
        str(r["id"]): (str(r["agency"]), r["date"].datatype.split("#")[1], r["approx"].toPython())
        for r in rows
    }
    assert got["001_018f0621839ca5c8"] == ("Deutsche Welle", "gYearMonth", True)
    assert got["002_aa80568b4da406dd"] == ("Associated Press", "date", False)
    assert len(got) == 5


def test_event_dates_give_day_bounds_of_any_precision(store):
    rows = store.select(
        PREFIXES
        + """
        SELECT ?lo ?hi WHERE { <https://w3id.org/kg-builder/id/event/annexation-of-crimea-2014> kg:earliestDate ?lo ;
                                                                  kg:latestDate ?hi }"""
    )
    assert {(str(r["lo"]), str(r["hi"])) for r in rows} == {("2014-01-01", "2014-12-31")}


def test_iris_are_stable_and_readable(store):
    assert store.ask(
        PREFIXES + "ASK { <https://w3id.org/kg-builder/id/person/andrei-amonov> a kg:Person }"
    )
    assert store.ask(
        PREFIXES
        + "ASK { <https://w3id.org/kg-builder/id/place/vaalimaa> a kg:BorderCrossingPoint }"
    )
    assert store.ask(
        PREFIXES
        + "ASK { <https://w3id.org/kg-builder/id/article/002_aa80568b4da406dd> a kg:NewsArticle }"
    )


def test_rebuild_gives_identical_bytes(built, corpus_dir, tmp_path, backend):
    build(
        make_settings(
            corpus=corpus_dir,
            out=tmp_path,
            check_owl=False,
            store=store_spec(backend, tmp_path),
        ),
        write=True,
    )
    first_nq = (built.settings.out_dir / "kg.nq").read_bytes()
    first_ttl = (built.settings.out_dir / "kg.ttl").read_bytes()
    assert (tmp_path / "kg.nq").read_bytes() == first_nq
    assert (tmp_path / "kg.ttl").read_bytes() == first_ttl


def test_both_backends_hold_the_same_quads(corpus_dir, tmp_path):
    """The rdflib and the Oxigraph build of the same data are the same dataset."""
    from rdflib import Graph
    from rdflib.compare import to_isomorphic

    mem = build(make_settings(corpus=corpus_dir, store="memory", check_owl=False))
    oxi = build(make_settings(corpus=corpus_dir, store=tmp_path / "kg", check_owl=False))
    assert len(mem.store()) == len(oxi.store()) == CORPUS_QUADS
    assert mem.store().graph_names() == oxi.store().graph_names()
    for name in mem.store().graph_names():
        a, b = Graph(), Graph()
        for quads, g in ((mem.store().quads(), a), (oxi.store().quads(), b)):
            for s, p, o, c in quads:
                if c == name or getattr(c, "identifier", None) == name:
                    g.add((s, p, o))
        assert len(a) == len(b) > 0 and to_isomorphic(a) == to_isomorphic(b), name
    # and the rdflib Graph API works over the Oxigraph store (oxrdflib)
    name = mem.store().graph_names()[-1]
    assert len(Graph(store=oxi.dataset.store, identifier=name)) == len(
        Graph(store=mem.dataset.store, identifier=name)
    )


def test_outputs_parse_back_with_rdflib(built):
    ds = Dataset()
    ds.parse(built.settings.out_dir / "kg.nq", format="nquads")
    assert len(list(ds.quads((None, None, None, None)))) == len(built.store())
    from rdflib import Graph

    g = Graph().parse(built.settings.out_dir / "kg.ttl", format="turtle")
    assert len(g) > 5000


def test_base_iri_is_configurable(corpus_dir, tmp_path, backend):
    result = build(
        make_settings(
            corpus=corpus_dir,
            base_iri="https://example.org/kg",
            check_owl=False,
            store=store_spec(backend, tmp_path),
        )
    )
    store = result.store()
    assert store.ask("ASK { <https://example.org/kg/id/person/andrei-amonov> ?p ?o }")
    assert not store.ask("ASK { <https://w3id.org/kg-builder/id/person/andrei-amonov> ?p ?o }")


def test_build_without_corpus_does_not_check_evidence(tmp_path, backend):
    result = build(
        make_settings(
            use_default_corpus=False, check_owl=False, store=store_spec(backend, tmp_path)
        )
    )
    assert result.corpus is None and not result.data.corpus_checked
    assert result.store().ask(PREFIXES + "ASK { ?st kg:evidence ?e }")
    assert not result.store().ask(PREFIXES + "ASK { ?st kg:evidenceOffset ?o }")


def test_failed_build_leaves_previous_outputs_intact(curated_copy, corpus_dir, tmp_path, backend):
    out = tmp_path / "out"
    spec = store_spec(backend, tmp_path)
    build(
        make_settings(
            corpus=corpus_dir, out=out, data_dir=curated_copy, check_owl=False, store=spec
        ),
        write=True,
    )
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    facts = curated_copy / "facts" / "002_aa80568b4da406dd.yaml"
    facts.write_text(
        facts.read_text("utf-8") + "  - subject: nobody\n    relation: fledTo\n"
        "    object: turkey\n    evidence: x\n",
        "utf-8",
    )
    with pytest.raises(CurationError):
        build(
            make_settings(
                corpus=corpus_dir, out=out, data_dir=curated_copy, check_owl=False, store=spec
            ),
            write=True,
        )
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_write_all_is_all_or_nothing(tmp_path):
    (tmp_path / "a.txt").write_text("old a")
    (tmp_path / "b.txt").write_text("old b")

    def boom(_path):
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_all(tmp_path, {"a.txt": lambda p: p.write_text("new a"), "b.txt": boom})
    assert (tmp_path / "a.txt").read_text() == "old a"
    assert (tmp_path / "b.txt").read_text() == "old b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]


def test_mentions_are_derived_from_facts(store):
    assert store.ask(
        PREFIXES
        + """ASK { <https://w3id.org/kg-builder/id/article/000_15c30f71e5ccaca9> schema:mentions
                                         <https://w3id.org/kg-builder/id/person/vladimir-putin> }"""
    )
    assert not store.ask(
        PREFIXES
        + """ASK { <https://w3id.org/kg-builder/id/article/001_018f0621839ca5c8> schema:mentions
                                             <https://w3id.org/kg-builder/id/person/vladimir-putin> }"""
    )


def test_quotations_are_nodes_with_speaker_and_article(store):
    rows = store.select(
        PREFIXES
        + """
        SELECT ?text WHERE { ?q a kg:Quotation ; kg:speaker <https://w3id.org/kg-builder/id/person/yevgeny> ; schema:text ?text ;
                                kg:quotedIn <https://w3id.org/kg-builder/id/article/002_aa80568b4da406dd> }"""
    )
    assert "I will not be a murderer." in {str(r["text"]) for r in rows}
    assert URIRef  # keep import used
