"""Network analysis on the real corpus graph: projections, filters, metrics, paths, write-back.

Projections are checked against independent SPARQL counts of the same graph, on both
backends; derived projections against their definitions; the country flows against the
catalogue query that answers the same question.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import networkx as nx
import pytest
from rdflib.namespace import RDF

from kg_builder.analysis import Filter, NetworkError, derive, metrics, project
from kg_builder.analysis.derived import PROJECTIONS
from kg_builder.analysis.projection import evidence
from kg_builder.ontology import KG, load_ontology
from kg_builder.queries import Catalogue, run
from kg_builder.resources import ontology_dir

ONTO = load_ontology(ontology_dir())
PFX = {"kg": str(KG), "rdf": str(RDF)}
ID = "https://w3id.org/kg-builder/id/"


@pytest.fixture(scope="module")
def network(store):
    return project(store)


@pytest.fixture(scope="module")
def mixed(with_extracted):
    return with_extracted


def _label(G, text):
    return next(n for n, d in G.nodes(data=True) if d["label"] == text)


# -- the entity projection -------------------------------------------------------------------
def test_every_registry_entity_is_a_node(store, network):
    rows = store.select(
        "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { GRAPH ?g { ?e a ?t } "
        "FILTER(STRENDS(STR(?g), 'graph/registry')) }"
    )
    assert network.number_of_nodes() == int(rows[0]["n"]) > 100


def test_edges_are_the_entity_facts_with_edge_properties(store, network):
    edge_props = {str(p.iri) for p in ONTO.edge_properties.values()}
    rows = store.select(
        "SELECT DISTINCT ?s ?p ?o WHERE { ?a a kg:Assertion ; rdf:subject ?s ; "
        "rdf:predicate ?p ; rdf:object ?o FILTER(isIRI(?o)) }",
        prefixes=PFX,
    )
    nodes = set(network)
    want = {
        (str(r["s"]), str(r["o"]), str(r["p"]).split("#")[1])
        for r in rows
        if str(r["p"]) in edge_props and str(r["s"]) in nodes and str(r["o"]) in nodes
    }
    got = set(network.edges(keys=True))
    assert got == want
    assert len(got) > 200
    assert all(k in ONTO.edge_properties for _, _, k in got)
    assert "said" not in {k for _, _, k in got}  # quotations are not entities


def test_parallel_edges_with_different_predicates_are_kept(network):
    amonov = _label(network, "Andrei Amonov")
    army = _label(network, "Russian Armed Forces")
    keys = set(network.get_edge_data(amonov, army))
    assert {"desertedFrom", "formerMemberOf"} <= keys


def test_node_attributes_come_from_registry_ontology_and_literal_facts(network):
    georgia = network.nodes[ID + "place/georgia"]
    assert georgia["type"] == "Country" and georgia["top_type"] == "Place"
    assert georgia["wikidata"] == "Q230"
    assert georgia["color"] == ONTO.colour(KG.Country) == "#2ca02c"
    assert 41 < georgia["latitude"] < 43 and 43 < georgia["longitude"] < 46
    people = [d for _, d in network.nodes(data=True) if d["top_type"] == "Person"]
    assert people and all(d["color"] == "#1f77b4" for d in people)
    # Literal facts are attributes, never nodes.
    assert not any(n.startswith('"') for n in network)
    assert any("numberOfPeople" in d for _, d in network.nodes(data=True))


def test_events_carry_their_dates_and_others_enter_with_their_first_fact(network):
    mob = network.nodes[ID + "event/partial-mobilisation-2022"]
    assert mob["start"] == "2022-09-21"
    assert mob["start"] <= mob.get("end", mob["start"])
    for n, d in network.nodes(data=True):
        if d["top_type"] != "Event" and "start" in d:
            ends = [(o, e) for _, o, e in network.out_edges(n, data=True)]
            ends += [(s, e) for s, _, e in network.in_edges(n, data=True)]
            dated = [
                e.get("start")
                or (
                    network.nodes[m].get("start")
                    if network.nodes[m]["top_type"] == "Event"
                    else None
                )
                for m, e in ends
            ]
            assert d["start"] == min(x for x in dated if x)


def test_edges_carry_sources_methods_confidence_and_time(network):
    ban = ID + "event/finland-entry-restriction-2022"
    data = network.get_edge_data(ban, ID + "place/russia", "appliesToCitizensOf")
    assert data["sources"] == "000_15c30f71e5ccaca9;004_778bbb137ffcf9e7"
    assert data["weight"] == 2 and data["methods"] == "curated" and data["confidence"] == 1.0
    assert data["label"] == "applies to citizens of"
    alex_fled = network.get_edge_data(
        ID + "person/alex-it-engineer", ID + "place/finland", "fledTo"
    )
    assert alex_fled["start"] == alex_fled["end"] == "2022-09-22"


# -- filters ---------------------------------------------------------------------------------
def test_only_curated_and_only_extracted(mixed):
    everything = project(mixed)
    curated = project(mixed, Filter(method="curated"))
    extracted = project(mixed, Filter(method="extracted"))
    assert all(d["methods"] == "curated" for *_, d in curated.edges(data=True))
    assert all(d["methods"] == "extracted" for *_, d in extracted.edges(data=True))
    both = set(curated.edges(keys=True)) | set(extracted.edges(keys=True))
    assert both == set(everything.edges(keys=True))
    assert 0 < extracted.number_of_edges() < everything.number_of_edges()
    # Entities with no kept fact are left out when facts are filtered.
    assert extracted.number_of_nodes() < everything.number_of_nodes()


def test_min_confidence_drops_weaker_facts(mixed):
    strong = project(mixed, Filter(min_confidence=Decimal("0.9")))
    weak_only = {
        (str(r["s"]), str(r["o"]), str(r["p"]).split("#")[1])
        for r in mixed.select(
            "SELECT ?s ?p ?o WHERE { ?a rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; "
            "kg:confidence ?c FILTER(isIRI(?o)) FILTER NOT EXISTS { ?b rdf:subject ?s ; "
            "rdf:predicate ?p ; rdf:object ?o ; kg:confidence ?d FILTER(?d >= 0.9) } }",
            prefixes=PFX,
        )
    }
    assert weak_only
    assert not weak_only & set(strong.edges(keys=True))
    assert all(d["confidence"] >= 0.9 for *_, d in strong.edges(data=True))


def test_source_filter(network, store):
    sid = "002_aa80568b4da406dd"
    G = project(store, Filter(sources=(sid,)))
    assert G.number_of_edges() > 10
    assert all(d["sources"] == sid for *_, d in G.edges(data=True))
    with pytest.raises(NetworkError, match="did you mean 002_aa80568b4da406dd"):
        project(store, Filter(sources=("002_aa80568b4da406de",)))


def test_types_filter_keeps_classes_and_their_subclasses(store):
    G = project(store, Filter(types=("Person", "Organisation")))
    assert {d["top_type"] for _, d in G.nodes(data=True)} == {"Person", "Organisation"}
    assert {d["type"] for _, d in G.nodes(data=True)} > {"Person", "NGO"}
    with pytest.raises(NetworkError, match="did you mean Person"):
        project(store, Filter(types=("Persn",)))


def test_date_window(store, network):
    window = Filter(start=date(2022, 9, 21), end=date(2022, 9, 30))
    G = project(store, window)
    for *_, d in G.edges(data=True):
        if "start" in d and "end" in d:
            assert d["start"] <= "2022-09-30" and d["end"] >= "2022-09-21"
    for _, d in G.nodes(data=True):
        if d["top_type"] == "Event" and "end" in d:
            assert d["end"] >= "2022-09-21" and d["start"] <= "2022-09-30"
    dropped = set(network) - set(G)
    assert ID + "event/annexation-of-crimea-2014" in dropped
    dated = project(store, Filter(start=date(2022, 9, 21), end=date(2022, 9, 30), dated_only=True))
    assert all("start" in d or "end" in d for *_, d in dated.edges(data=True))
    assert dated.number_of_edges() < G.number_of_edges()
    with pytest.raises(NetworkError, match="ends .* before it starts"):
        project(store, Filter(start=date(2023, 1, 1), end=date(2022, 1, 1)))


# -- derived projections -----------------------------------------------------------------------
def test_flows_agree_with_the_catalogue_query(store, network):
    F = derive(network, "flows")
    rows = metrics.flow_rows(F)
    answer = run(store, Catalogue().get("country-flows")).dicts()
    assert len(rows) == len(answer) == 5
    for mine, theirs in zip(rows, answer, strict=True):
        assert mine["from_country"] == str(theirs["from_country"])
        assert mine["to_country"] == str(theirs["to_country"])
        assert mine["people"] == int(theirs["people"])
        assert set(mine["names"].split(", ")) == set(str(theirs["names"]).split(", "))
        assert set(mine["basis"].split(", ")) == set(str(theirs["from_basis"]).split(", "))
        assert set(mine["sources"].split()) == set(str(theirs["sources"]).split())
    assert rows[0] == {**rows[0], "from_country": "Russia", "to_country": "Finland", "people": 6}
    assert all(F.nodes[n]["type"] == "Country" for n in F)


def test_person_organisation_is_bipartite_and_its_projections_count_shared_neighbours(network):
    B = derive(network, "person-organisation")
    assert nx.is_bipartite(B)
    assert all(
        {B.nodes[a]["top_type"], B.nodes[b]["top_type"]} == {"Person", "Organisation"}
        for a, b in B.edges()
    )
    P = derive(network, "people")
    assert P.number_of_edges() > 10
    for a, b, d in P.edges(data=True):
        shared = set(B[a]) & set(B[b])
        assert d["weight"] == len(shared)
        assert set(d["via"].split(";")) == {B.nodes[o]["label"] for o in shared}
    orgs = derive(network, "organisations")
    assert all(orgs.nodes[n]["top_type"] == "Organisation" for n in orgs)


def test_cooccurrence_links_agents_tied_to_the_same_event(network):
    C = derive(network, "cooccurrence")
    assert C.number_of_edges() > 5
    U = network.to_undirected()
    for a, b, d in C.edges(data=True):
        events = {n for n in set(U[a]) & set(U[b]) if network.nodes[n]["top_type"] == "Event"}
        assert d["weight"] == len(events) > 0


def test_unknown_projection_suggests():
    with pytest.raises(NetworkError, match="did you mean people"):
        derive(nx.MultiDiGraph(), "peple")
    assert set(PROJECTIONS) >= {"entity", "flows", "person-organisation", "cooccurrence"}


# -- metrics ---------------------------------------------------------------------------------
def test_centrality(network):
    rows, notes = metrics.centrality(network)
    assert len(rows) == network.number_of_nodes()
    assert abs(sum(r["pagerank"] for r in rows) - 1) < 1e-6
    U = metrics.simple(network)
    top_degree = max(rows, key=lambda r: r["degree"])
    assert U.degree(top_degree["iri"]) == max(d for _, d in U.degree())
    assert top_degree["label"] == "Russia"
    # Eigenvector centrality is given on the largest component only.
    largest = max(nx.connected_components(U), key=len)
    assert {r["iri"] for r in rows if r["eigenvector"] is not None} == largest
    assert "largest component" in notes["eigenvector"]
    again, _ = metrics.centrality(network)
    assert again == rows
    top3, _ = metrics.centrality(network, ("betweenness",), top=3)
    assert [r["betweenness"] for r in top3] == sorted(
        (r["betweenness"] for r in top3), reverse=True
    )
    sampled, notes = metrics.centrality(network, ("betweenness",), sample=20, seed=1)
    assert "20 sampled pivots" in notes["betweenness"]
    with pytest.raises(NetworkError, match="known: degree"):
        metrics.centrality(network, ("closeness",))


def test_betweenness_by_igraph_equals_networkx(network):
    """igraph computes it (62x faster at 10^6 quads); the values are NetworkX's, exactly."""
    U = metrics.simple(network)
    want = nx.betweenness_centrality(U)
    got = metrics.betweenness(U)
    assert max(abs(want[n] - got[n]) for n in U) < 1e-12
    # The pivot estimator is NetworkX's too (paths from k pivots, scaled by n/k): its mean
    # over many seeds is the exact value.
    k, seeds = 30, range(40)
    mean = {n: 0.0 for n in U}
    for seed in seeds:
        for n, v in metrics.betweenness(U, k, seed).items():
            mean[n] += v / len(seeds)
    top = max(want, key=want.get)
    assert abs(mean[top] - want[top]) < 0.1 * want[top]
    assert metrics.betweenness(U, k, 3) == metrics.betweenness(U, k, 3)


def test_leiden_communities(network):
    rows, info = metrics.communities(network, method="leiden", seed=5)
    assert {r["iri"] for r in rows} == set(network)
    assert info["modularity"] > 0.3 and info["method"] == "leiden"
    assert metrics.communities(network, method="leiden", seed=5) == (rows, info)
    U = metrics.simple(network)
    for c in range(info["communities"]):
        members = [r["iri"] for r in rows if r["community"] == c]
        assert nx.is_connected(U.subgraph(members))  # Leiden's guarantee
    with pytest.raises(NetworkError, match="did you mean leiden"):
        metrics.communities(network, method="leidn")


def test_communities_are_reproducible_and_partition_the_network(network):
    rows, info = metrics.communities(network, seed=7)
    assert {r["iri"] for r in rows} == set(network)
    sizes = info["sizes"]
    assert sizes == sorted(sizes, reverse=True) and sum(sizes) == network.number_of_nodes()
    assert info["modularity"] > 0.3
    assert metrics.communities(network, seed=7) == (rows, info)


def test_path_gives_hops_with_facts_sources_and_evidence(store, network):
    found = metrics.paths(network, "Andrei Amonov", "finland")
    assert found and all(p["length"] == found[0]["length"] for p in found)
    first = found[0]
    assert first["entities"][0] == ID + "person/andrei-amonov"
    assert first["entities"][-1] == ID + "place/finland"
    for hop in first["hops"]:
        assert hop["facts"] and all(f["sources"] for f in hop["facts"])
    facts = [(f["s"], f["p"], f["o"]) for h in first["hops"] for f in h["facts"]]
    quotes = evidence(store, facts)
    assert quotes and all(sid and quote for v in quotes.values() for sid, quote in v)


def test_path_errors_name_the_problem(network):
    with pytest.raises(NetworkError, match="did you mean Finland"):
        metrics.paths(network, "Andrei Amonov", "Finlnd")
    U = metrics.simple(network)
    comps = sorted(nx.connected_components(U), key=len)
    a, b = min(comps[0]), min(comps[-1])
    with pytest.raises(NetworkError, match="no path: .* not connected"):
        metrics.paths(network, a, b)


def test_ego_network(network):
    sub, rows = metrics.ego(network, "Idite Lesom", radius=1)
    centre = ID + "organisation/idite-lesom"
    U = metrics.simple(network)
    assert set(sub) == {centre, *U[centre]}
    assert rows[0]["iri"] == centre and rows[0]["distance"] == 0
    two, rows2 = metrics.ego(network, "Idite Lesom", radius=2)
    assert set(two) > set(sub) and max(r["distance"] for r in rows2) == 2


def test_summary(network):
    s = metrics.summary(network)
    assert s["nodes"] == network.number_of_nodes() and s["edges"] == network.number_of_edges()
    assert sum(s["degree_distribution"].values()) == s["nodes"]
    assert sum(s["by_top_type"].values()) == s["nodes"]
    assert sum(s["by_relation"].values()) == s["edges"]
    assert s["components"] == nx.number_connected_components(metrics.simple(network))
    assert 0 < s["density"] < 1


# -- write-back ------------------------------------------------------------------------------
@pytest.fixture
def own_store(tmp_path, corpus_dir):
    """A store of its own (write-back makes a new generation)."""
    from kg_builder import build, make_settings

    settings = make_settings(corpus=corpus_dir, store=str(tmp_path / "store"), check_owl=False)
    build(settings, write=False, validate=False)
    return settings


def test_write_back_puts_metrics_in_their_own_graph(own_store):
    from kg_builder.analysis.writeback import write_metrics
    from kg_builder.store import OxigraphStore, StoreFolder

    store = OxigraphStore(own_store.store)
    G = project(store)
    rows, _ = metrics.centrality(G, ("pagerank", "degree"))
    comm, _ = metrics.communities(G)
    store.close()
    values = {m: {r["iri"]: r[m] for r in rows} for m in ("pagerank", "degree")}
    base = G.graph["base"]
    write_metrics(store, own_store, "centrality", values, "test run", base)
    write_metrics(
        store,
        own_store,
        "communities",
        {"community": {r["iri"]: r["community"] for r in comm}},
        "x",
        base,
    )
    after = OxigraphStore(own_store.store)
    top = after.select(
        "SELECT ?e ?v WHERE { GRAPH ?g { ?e kg:pageRank ?v } } ORDER BY DESC(?v) LIMIT 1",
        prefixes=PFX,
    )
    assert str(top[0]["e"]) == rows[0]["iri"]
    n = after.select(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?e kg:community ?c } "
        "FILTER(STRENDS(STR(?g), 'graph/analysis')) }",
        prefixes=PFX,
    )
    assert int(n[0]["n"]) == G.number_of_nodes()
    # Metrics come back as node attributes of the projection (and so into exports).
    H = project(after)
    assert H.nodes[rows[0]["iri"]]["pagerank"] == pytest.approx(rows[0]["pagerank"])
    assert all("community" in d for _, d in H.nodes(data=True))
    manifest = StoreFolder(own_store.store).read_manifest()
    assert "edited" in manifest.info
    after.close()


# -- charts and the CLI ----------------------------------------------------------------------
def test_charts_are_written_and_repeatable(network, tmp_path):
    from kg_builder.analysis import plot

    png = plot.degree_distribution(metrics.summary(network), tmp_path / "deg.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rows = metrics.flow_rows(derive(network, "flows"))
    a = plot.flows(rows, tmp_path / "a.svg").read_text("utf-8")
    b = plot.flows(rows, tmp_path / "b.svg").read_text("utf-8")
    assert a == b
    assert "Russia → Finland" in a or "Russia \u2192 Finland" in a
    top, _ = metrics.centrality(network, ("pagerank",), top=10)
    svg = plot.top_entities(top, "pagerank", tmp_path / "top.svg").read_text("utf-8")
    assert "Russia" in svg and "#2ca02c" in svg.lower()
    with pytest.raises(NetworkError, match=r"\.png, \.svg, \.pdf"):
        plot.flows(rows, tmp_path / "chart.jpg")


def test_missing_matplotlib_names_the_fix(monkeypatch, tmp_path):
    import builtins

    from kg_builder.analysis import plot

    real = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    with pytest.raises(NetworkError, match=r"pip install 'kg-builder\[plot\]'"):
        plot.flows([{"from_country": "A", "to_country": "B", "people": 1}], tmp_path / "x.png")


@pytest.fixture(scope="module")
def cli():
    from click.testing import CliRunner

    from kg_builder.cli import main

    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, ["analyze", *args])

    return invoke


def test_cli_listings_in_every_format(cli, built):
    import csv
    import io
    import json

    store = built.settings.store
    for command in (["centrality", "--top", "5"], ["communities"], ["flows"], ["ego", "Alex"]):
        as_json = cli(*command, "--store", store, "--format", "json")
        assert as_json.exit_code == 0, as_json.output
        rows = json.loads(as_json.stdout)
        as_csv = cli(*command, "--store", store, "--format", "csv")
        assert as_csv.exit_code == 0
        assert len(list(csv.DictReader(io.StringIO(as_csv.stdout)))) == len(rows) > 0
        table = cli(*command, "--store", store)
        assert table.exit_code == 0 and rows[0]["label" if "label" in rows[0] else "to_country"]
    summary = json.loads(cli("summary", "--store", store, "--format", "json").stdout)
    assert summary["nodes"] > 100


def test_cli_errors_have_exit_codes(cli, built):
    store = built.settings.store
    unknown = cli("path", "Andrei Amonov", "Finlnd", "--store", store)
    assert unknown.exit_code == 4 and "did you mean Finland" in unknown.output
    projection = cli("summary", "--projection", "peple", "--store", store)
    assert projection.exit_code == 4 and "did you mean people" in projection.output
    as_json = cli("path", "Nobody At All", "Finland", "--store", store, "--format", "json")
    assert as_json.exit_code == 4 and '"ok": false' in as_json.stdout
    bad_date = cli("summary", "--from", "September", "--store", store)
    assert bad_date.exit_code == 2 and "not a date" in bad_date.output
    chart = cli("flows", "--store", store, "--plot", "/nonexistent/flows.png")
    assert chart.exit_code == 7 and "does not exist" in chart.output


def test_cli_path_prints_facts_and_evidence(cli, built):
    result = cli("path", "Alex", "Finland", "--store", built.settings.store)
    assert result.exit_code == 0, result.output
    assert "fled to" in result.stdout and "000_15c30f71e5ccaca9" in result.stdout
    assert "“" in result.stdout  # an evidence quote
    import csv
    import io

    as_csv = cli("path", "Alex", "Finland", "--store", built.settings.store, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert rows[0]["subject"] == "Alex" and rows[0]["predicate"] == "fled to"
    assert "hotel room in Finland" in rows[0]["evidence"]
