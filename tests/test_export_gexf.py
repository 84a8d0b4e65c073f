"""GEXF 1.3 export: checked by independent readers, not by the writer's own code.

Three readers look at every file: lxml with the official RELAX NG schema (validity, and the
raw structure: mode, intervals, kinds, declared types, viz), networkx.read_gexf (the values
come back as typed Python values) and graphology-gexf under Node (the parser sigma.js uses),
when node and tests/js/node_modules are there.
"""

from __future__ import annotations

import io
import json
import math
import random
import shutil
import subprocess
import time
from pathlib import Path

import networkx as nx
import pytest

from kg_builder.export.gexf import write_gexf

etree = pytest.importorskip("lxml.etree")

SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "schemas" / "gexf-1.3" / "gexf.rng"
JS_DIR = Path(__file__).resolve().parent / "js"
NS = {"g": "http://gexf.net/1.3", "viz": "http://gexf.net/1.3/viz"}
KG = "http://example.org/kg/"
ONT = "http://example.org/ontology#"

NODE_OWN = {"label", "color", "start", "end"}
EDGE_OWN = {"label", "weight", "start", "end"}

KAZBEGI_LABEL = 'Kazbegi–Upper Lars "Dariali" <checkpoint> & customs\x07'


# --------------------------------------------------------------------------- graphs


def _story() -> nx.MultiDiGraph:
    """The September 2022 mobilisation and exodus, as the projection hands it over."""
    G = nx.MultiDiGraph(
        name="Russian mobilisation, 2022",
        description='Who fled where after the "partial" mobilisation & why',
    )
    nodes = [
        (
            f"{KG}Georgia",
            dict(
                label="Georgia",
                type="Country",
                top_type="Place",
                wikidata="Q230",
                latitude=42.3154,
                longitude=43.3569,
                color="#2ca02c",
                degree=0.5,
                betweenness=0.1,
                pagerank=0.21,
                eigenvector=0.4,
                community=0,
            ),
        ),
        (
            f"{KG}Kazbegi_Upper_Lars",
            dict(
                label=KAZBEGI_LABEL,
                type="BorderCrossing",
                top_type="Place",
                latitude=42.7447,
                longitude=44.6311,
                color="#17becf",
                pagerank=0.05,
                community=0,
            ),
        ),
        (f"{KG}Kremlin", dict(label="Kremlin", type="GovernmentBody", top_type="Organisation")),
        (
            f"{KG}Mobilisation_2022",
            dict(
                label="Partial mobilisation",
                type="Mobilisation",
                top_type="Event",
                wikidata="Q114207425",
                color="#d62728",
                start="2022-09-21",
                end="2022-10-28",
                date="2022-09-21",
                count="300000",
                pagerank=0.3,
                community=1,
            ),
        ),
        (
            f"{KG}Russian_exodus",
            dict(
                label="Exodus of Russian men",
                type="Migration",
                top_type="Event",
                start="2022-09-21",
                count="700000",
                pagerank=0.14,
                community=1,
            ),
        ),
        (
            f"{KG}Russia",
            dict(
                label="Russia",
                type="Country",
                top_type="Place",
                wikidata="Q159",
                latitude=61.524,
                longitude=105.3188,
                color="#1f77b4",
                degree=1.0,
                betweenness=0.4,
                pagerank=0.2,
                eigenvector=0.7,
                community=0,
                note=None,
            ),
        ),
        (
            f"{KG}Vladimir_Putin",
            dict(
                label="Vladimir Putin",
                type="Person",
                top_type="Person",
                wikidata="Q7747",
                color="#9467bd",
                pagerank=0.1,
                community=1,
            ),
        ),
        (f"{KG}Unlabelled", {}),
    ]
    G.add_nodes_from(nodes)
    edges = [
        (
            "Kremlin",
            "locatedIn",
            "Russia",
            dict(predicate=f"{ONT}locatedIn", sources="s3", methods="curated", weight=1),
        ),
        (
            "Mobilisation_2022",
            "caused",
            "Russian_exodus",
            dict(
                predicate=f"{ONT}caused",
                label="caused",
                sources="s1;s2",
                methods="curated;extracted",
                confidence=0.8,
                weight=3,
                start="2022-09-21",
                end="2022-10-28",
                verified=True,
                mentions=12,
            ),
        ),
        ("Russia", "borders", "Georgia", dict(predicate=f"{ONT}borders", label="borders")),
        (
            "Russia",
            "invaded",
            "Georgia",
            dict(
                predicate=f"{ONT}invaded",
                label="invaded",
                sources="s4",
                methods="curated",
                confidence=1.0,
                weight=2.5,
                start="2008-08-07",
                end="2008-08-12",
            ),
        ),
        (
            "Russian_exodus",
            "fledTo",
            "Georgia",
            dict(
                predicate=f"{ONT}fledTo",
                label="fled to",
                sources="s1",
                methods="extracted",
                confidence=0.7,
                weight=1.0,
                start="2022-09-22",
                mentions=3,
            ),
        ),
        (
            "Russian_exodus",
            "crossedAt",
            "Kazbegi_Upper_Lars",
            dict(
                predicate=f"{ONT}crossedAt",
                label="crossed at",
                sources="s1;s5",
                methods="curated",
                weight=2,
                note="queue of\n3,000 cars",
                verified=False,
            ),
        ),
        (
            "Vladimir_Putin",
            "announced",
            "Mobilisation_2022",
            dict(
                predicate=f"{ONT}announced",
                label="announced",
                sources="s1;s2",
                methods="curated",
                confidence=0.95,
                weight=1,
                start="2022-09-21",
                end="2022-09-21",
            ),
        ),
    ]
    for source, key, target, data in edges:
        G.add_edge(f"{KG}{source}", f"{KG}{target}", key=key, **data)
    return G


def _undated(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of G without any start or end."""
    H = G.copy()
    for _, data in H.nodes(data=True):
        data.pop("start", None)
        data.pop("end", None)
    for _, _, data in H.edges(data=True):
        data.pop("start", None)
        data.pop("end", None)
    return H


def _generated(n_nodes: int = 2000, n_edges: int = 10000, seed: int = 20220921):
    """A random graph following the projection contract, inserted sorted as the caller does."""
    rng = random.Random(seed)
    kinds = [
        ("Person", "Person"),
        ("Country", "Place"),
        ("City", "Place"),
        ("Ministry", "Organisation"),
        ("Protest", "Event"),
        ("Mobilisation", "Event"),
    ]
    predicates = ["fledTo", "locatedIn", "memberOf", "announced", "participatedIn", "borders"]
    G = nx.MultiDiGraph(name="generated", date="2024-01-31")
    iris = sorted(f"{KG}entity/E{i:05d}" for i in range(n_nodes))
    for i, iri in enumerate(iris):
        cls, top = rng.choice(kinds)
        data = {"label": f"Entity {i} & co <{cls}>", "type": cls, "top_type": top}
        if rng.random() < 0.5:
            data["wikidata"] = f"Q{rng.randint(1, 10**8)}"
        if top == "Place":
            data["latitude"] = round(rng.uniform(-90, 90), 6)
            data["longitude"] = round(rng.uniform(-180, 180), 6)
        if rng.random() < 0.8:
            data["color"] = f"#{rng.randrange(256):02x}{rng.randrange(256):02x}00"
            data["pagerank"] = rng.random() / n_nodes
            data["community"] = rng.randrange(40)
            data["degree"] = rng.random()
        if top == "Event" and rng.random() < 0.7:
            data["start"] = f"2022-{rng.randint(1, 6):02d}-{rng.randint(1, 28):02d}"
            if rng.random() < 0.5:
                data["end"] = f"2022-{rng.randint(7, 12):02d}-{rng.randint(1, 28):02d}"
        if rng.random() < 0.2:
            data["count"] = str(rng.randint(1, 10**6))
        G.add_node(iri, **data)
    triples = set()
    while len(triples) < n_edges:
        triples.add((rng.choice(iris), rng.choice(predicates), rng.choice(iris)))
    for source, key, target in sorted(triples):
        data = {
            "predicate": f"{ONT}{key}",
            "label": key,
            "sources": ";".join(f"s{rng.randint(1, 500)}" for _ in range(rng.randint(1, 3))),
            "methods": rng.choice(["curated", "extracted", "curated;extracted"]),
            "confidence": round(rng.random(), 4),
            "weight": rng.randint(1, 5),
        }
        if rng.random() < 0.3:
            data["start"] = f"2022-{rng.randint(1, 12):02d}-01"
        G.add_edge(source, target, key=key, **data)
    return G


# --------------------------------------------------------------------------- helpers


def _gexf(G: nx.MultiDiGraph, **kwargs) -> bytes:
    out = io.BytesIO()
    write_gexf(G, out, **kwargs)
    return out.getvalue()


@pytest.fixture(scope="module")
def relaxng():
    return etree.RelaxNG(etree.parse(str(SCHEMA)))


def _assert_valid(relaxng, data: bytes) -> None:
    document = etree.fromstring(data)
    ok = relaxng.validate(etree.ElementTree(document))
    assert ok, "GEXF does not validate against gexf.rng:\n" + str(relaxng.error_log)


def _declared(root, cls: str) -> dict[str, str]:
    """{attribute id: GEXF type} declared for class cls, checking that title equals id."""
    declared = {}
    for element in root.xpath(f"//g:attributes[@class='{cls}']/g:attribute", namespaces=NS):
        assert element.get("title") == element.get("id")
        declared[element.get("id")] = element.get("type")
    return declared


def _token(text: str) -> str:
    """What an xsd:token attribute reads back as: XML whitespace collapsed, controls gone."""
    kept = "".join(c for c in text if c in "\t\n\r" or ord(c) >= 0x20)
    return " ".join(kept.replace("\t", " ").replace("\n", " ").replace("\r", " ").split(" "))


def _expected(value, gexf_type: str):
    """The Python value a typed reader should give back for value in a column of gexf_type."""
    if gexf_type == "double":
        return float(value)
    if gexf_type in ("integer", "long"):
        return int(value)
    return value


def _colour(hex_colour: str) -> dict[str, int]:
    return {c: int(hex_colour[i : i + 2], 16) for c, i in zip("rgb", (1, 3, 5), strict=True)}


def _networkx(data: bytes) -> nx.MultiDiGraph:
    """networkx.read_gexf on data.

    A networkx that predates GEXF 1.3 support is handed the same document under the
    1.2draft namespaces: the structures this export uses (typed attvalues, start/end,
    viz:color and viz:size) are the same in 1.2draft and 1.3.
    """
    if "1.3" not in nx.readwrite.gexf.GEXF.versions:
        data = data.replace(b"http://gexf.net/1.3", b"http://www.gexf.net/1.2draft")
    return nx.read_gexf(io.BytesIO(data))


def _check_with_networkx(G: nx.MultiDiGraph, data: bytes) -> None:
    """Every node, edge, attribute value, label, colour and interval comes back via networkx."""
    root = etree.fromstring(data)
    node_types, edge_types = _declared(root, "node"), _declared(root, "edge")
    H = _networkx(data)
    assert isinstance(H, nx.MultiDiGraph)
    assert H.number_of_nodes() == G.number_of_nodes()
    assert H.number_of_edges() == G.number_of_edges()
    assert list(H.nodes) == list(G.nodes)
    for node, want in G.nodes(data=True):
        got = H.nodes[node]
        assert got["label"] == (_token(want["label"]) if "label" in want else None)
        for name, value in want.items():
            if name in NODE_OWN or value is None:
                continue
            assert got[name] == _expected(value, node_types[name]), (node, name)
        extra = set(got) - set(want) - {"viz", "label"}
        assert not extra, (node, extra)
        for side in ("start", "end"):
            assert got.get(side) == want.get(side), (node, side)
        if "color" in want:
            assert got["viz"]["color"] == {**_colour(want["color"]), "a": 1.0}
        else:
            assert "color" not in got.get("viz", {})
        assert ("size" in got.get("viz", {})) == ("pagerank" in want)
    read = {}
    for source, target, got in H.edges(data=True):
        read[(source, got["predicate_name"], target)] = got
    assert len(read) == G.number_of_edges()
    for source, target, key, want in G.edges(keys=True, data=True):
        got = read[(source, key, target)]
        for name, value in want.items():
            if name in EDGE_OWN or value is None:
                continue
            assert got[name] == _expected(value, edge_types[name]), (source, key, target, name)
        assert got.get("label") == want.get("label")
        assert got.get("weight") == (float(want["weight"]) if "weight" in want else None)
        for side in ("start", "end"):
            assert got.get(side) == want.get(side), (source, key, target, side)


def _read_with_graphology(path: Path, everything: bool = True) -> dict:
    if shutil.which("node") is None:
        pytest.skip("node is not on PATH: graphology-gexf cannot be run")
    if not (JS_DIR / "node_modules" / "graphology-gexf").is_dir():
        pytest.skip("tests/js/node_modules is missing: run .ci/npm-js-tests (npm ci) first")
    command = ["node", str(JS_DIR / "read_gexf.mjs"), str(path)]
    if everything:
        command.append("--all")
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# --------------------------------------------------------------------------- schema


def test_story_validates_against_the_official_schema(relaxng):
    _assert_valid(relaxng, _gexf(_story(), title="Mobilisation & exodus"))


def test_undated_story_validates_too(relaxng):
    _assert_valid(relaxng, _gexf(_undated(_story())))


def test_empty_graph_validates(relaxng):
    data = _gexf(nx.MultiDiGraph())
    _assert_valid(relaxng, data)
    root = etree.fromstring(data)
    assert root.find("g:graph/g:nodes", NS).get("count") == "0"


# --------------------------------------------------------------------------- structure


def test_header_meta_and_dynamic_mode():
    root = etree.fromstring(_gexf(_story(), title="Mobilisation & exodus"))
    assert root.tag == "{http://gexf.net/1.3}gexf"
    assert root.get("version") == "1.3"
    assert root.nsmap["viz"] == NS["viz"]
    meta = root.find("g:meta", NS)
    assert meta.findtext("g:creator", namespaces=NS) == "kg-builder"
    description = meta.findtext("g:description", namespaces=NS)
    assert description.startswith("Mobilisation & exodus")
    assert 'the "partial" mobilisation & why' in description
    assert meta.get("lastmodifieddate") is None
    graph = root.find("g:graph", NS)
    assert graph.get("defaultedgetype") == "directed"
    assert graph.get("mode") == "dynamic"
    assert graph.get("timeformat") == "date"
    assert graph.get("timerepresentation") == "interval"


def test_undated_graph_is_static_without_intervals():
    root = etree.fromstring(_gexf(_undated(_story())))
    graph = root.find("g:graph", NS)
    assert graph.get("mode") == "static"
    assert graph.get("timeformat") is None
    assert not root.xpath("//*[@start or @end]")


def test_graph_name_is_the_description_heading_and_its_date_the_modification_date():
    G = nx.MultiDiGraph(name="Story", date="2024-05-01")
    G.add_node("a")
    meta = etree.fromstring(_gexf(G)).find("g:meta", NS)
    assert meta.findtext("g:description", namespaces=NS) == "Story"
    assert meta.get("lastmodifieddate") == "2024-05-01"


def test_declared_types_follow_the_values_over_the_whole_graph():
    root = etree.fromstring(_gexf(_story()))
    assert _declared(root, "node") == {
        "type": "string",
        "top_type": "string",
        "wikidata": "string",
        "latitude": "double",
        "longitude": "double",
        "degree": "double",
        "betweenness": "double",
        "pagerank": "double",
        "eigenvector": "double",
        "community": "integer",
        "count": "string",
        "date": "string",
    }
    assert _declared(root, "edge") == {
        "predicate_name": "string",
        "predicate": "string",
        "sources": "string",
        "methods": "string",
        "confidence": "double",
        "mentions": "integer",
        "note": "string",
        "verified": "boolean",
    }


def test_mixed_values_widen_the_type():
    G = nx.MultiDiGraph()
    G.add_node("a", n=1, x=1, s=1, big=1, flag=True, mixed=True)
    G.add_node("b", n=2, x=2.5, s="two", big=2**40, flag=False, mixed=0)
    root = etree.fromstring(_gexf(G))
    assert _declared(root, "node") == {
        "big": "long",
        "flag": "boolean",
        "mixed": "string",
        "n": "integer",
        "s": "string",
        "x": "double",
    }
    H = _networkx(_gexf(G))
    assert H.nodes["a"]["x"] == 1.0 and H.nodes["b"]["x"] == 2.5
    assert H.nodes["b"]["big"] == 2**40
    assert H.nodes["a"]["flag"] is True and H.nodes["b"]["flag"] is False
    assert H.nodes["a"]["mixed"] == "true" and H.nodes["b"]["mixed"] == "0"


def test_node_intervals_are_open_where_a_date_is_missing():
    root = etree.fromstring(_gexf(_story()))
    nodes = {n.get("id"): n for n in root.iterfind(".//g:node", NS)}
    mobilisation = nodes[f"{KG}Mobilisation_2022"]
    assert (mobilisation.get("start"), mobilisation.get("end")) == ("2022-09-21", "2022-10-28")
    exodus = nodes[f"{KG}Russian_exodus"]
    assert (exodus.get("start"), exodus.get("end")) == ("2022-09-21", None)
    russia = nodes[f"{KG}Russia"]
    assert (russia.get("start"), russia.get("end")) == (None, None)


def test_parallel_edges_are_kept_with_their_kind_and_unique_ids():
    root = etree.fromstring(_gexf(_story()))
    edges = root.findall(".//g:edge", NS)
    assert root.find(".//g:edges", NS).get("count") == str(len(edges)) == "7"
    ids = [e.get("id") for e in edges]
    assert len(set(ids)) == len(ids)
    pair = [
        e for e in edges if (e.get("source"), e.get("target")) == (f"{KG}Russia", f"{KG}Georgia")
    ]
    assert sorted(e.get("kind") for e in pair) == ["borders", "invaded"]
    invaded = next(e for e in pair if e.get("kind") == "invaded")
    assert (invaded.get("start"), invaded.get("end")) == ("2008-08-07", "2008-08-12")
    assert invaded.get("weight") == "2.5"
    assert invaded.get("label") == "invaded"
    fled = next(e for e in edges if e.get("kind") == "fledTo")
    assert (fled.get("start"), fled.get("end")) == ("2022-09-22", None)


def test_label_colour_and_dates_are_not_attvalues():
    root = etree.fromstring(_gexf(_story()))
    used = {a.get("for") for a in root.iterfind(".//g:attvalue", NS)}
    assert not used & {"label", "color", "start", "end", "weight"}


def test_colours_and_sizes_are_viz_elements():
    root = etree.fromstring(_gexf(_story()))
    nodes = {n.get("id"): n for n in root.iterfind(".//g:node", NS)}
    colour = nodes[f"{KG}Russia"].find("viz:color", NS)
    assert {k: colour.get(k) for k in "rgb"} == {"r": "31", "g": "119", "b": "180"}
    assert nodes[f"{KG}Kremlin"].find("viz:color", NS) is None
    sizes = {
        iri: float(node.find("viz:size", NS).get("value"))
        for iri, node in nodes.items()
        if node.find("viz:size", NS) is not None
    }
    assert max(sizes, key=sizes.get) == f"{KG}Mobilisation_2022"
    assert sizes[f"{KG}Georgia"] > sizes[f"{KG}Russia"] > sizes[f"{KG}Kazbegi_Upper_Lars"]
    assert f"{KG}Kremlin" not in sizes


def test_escaping_keeps_text_and_drops_forbidden_controls():
    data = _gexf(_story())
    root = etree.fromstring(data)
    nodes = {n.get("id"): n for n in root.iterfind(".//g:node", NS)}
    label = nodes[f"{KG}Kazbegi_Upper_Lars"].get("label")
    assert label == 'Kazbegi–Upper Lars "Dariali" <checkpoint> & customs'
    assert b"\x07" not in data
    note = root.xpath("//g:attvalue[@for='note']/@value", namespaces=NS)
    assert note == ["queue of\n3,000 cars"]


def test_none_and_non_finite_values_are_left_out():
    G = nx.MultiDiGraph()
    G.add_node("a", note=None, score=float("nan"), rank=float("inf"), kept=1.5)
    G.add_node("b", score=0.25)
    G.add_edge("a", "b", key="r", weight=float("nan"), confidence=None, label=None)
    root = etree.fromstring(_gexf(G))
    assert _declared(root, "node") == {"kept": "double", "score": "double"}
    node_a = root.find(".//g:node", NS)
    assert [a.get("for") for a in node_a.iterfind(".//g:attvalue", NS)] == ["kept"]
    edge = root.find(".//g:edge", NS)
    assert edge.get("weight") is None and edge.get("label") is None
    assert [a.get("for") for a in edge.iterfind(".//g:attvalue", NS)] == ["predicate_name"]


def test_month_and_year_precision_widen_to_whole_days():
    G = nx.MultiDiGraph()
    G.add_node("a", start="2022-09", end="2023")
    node = etree.fromstring(_gexf(G)).find(".//g:node", NS)
    assert (node.get("start"), node.get("end")) == ("2022-09-01", "2023-12-31")


@pytest.mark.parametrize(
    "data, message",
    [
        ({"start": "21 September 2022"}, "bad date"),
        ({"start": "2022-02-30"}, "bad date"),
        ({"start": "2022-10-01", "end": "2022-09-01"}, "after it ends"),
        ({"color": "blue"}, "not #rrggbb"),
    ],
)
def test_malformed_dates_and_colours_are_refused(data, message):
    G = nx.MultiDiGraph()
    G.add_node("a", **data)
    with pytest.raises(ValueError, match=message):
        _gexf(G)


def test_output_is_byte_identical_when_written_twice():
    G = _story()
    first = _gexf(G, title="T")
    assert first == _gexf(G, title="T")
    assert first == _gexf(G.copy(), title="T")


# --------------------------------------------------------------------------- networkx


def test_networkx_reads_back_every_value(tmp_path):
    G = _story()
    path = tmp_path / "story.gexf"
    with path.open("wb") as out:
        write_gexf(G, out)
    _check_with_networkx(G, path.read_bytes())


def test_networkx_reads_back_the_static_graph():
    G = _undated(_story())
    data = _gexf(G)
    _check_with_networkx(G, data)
    assert _networkx(data).graph["mode"] == "static"


# --------------------------------------------------------------------------- graphology


def test_graphology_reads_the_story(tmp_path):
    G = _story()
    path = tmp_path / "story.gexf"
    path.write_bytes(_gexf(G, title="Mobilisation & exodus"))
    read = _read_with_graphology(path)
    assert read["multi"] is True and read["type"] == "directed"
    assert (read["nodes"], read["edges"]) == (G.number_of_nodes(), G.number_of_edges())
    assert read["graph"]["creator"] == "kg-builder"
    nodes = read["nodeAttributes"]
    russia = nodes[f"{KG}Russia"]
    assert russia["label"] == "Russia"
    assert russia["type"] == "Country"
    assert russia["latitude"] == 61.524 and isinstance(russia["latitude"], float)
    assert russia["community"] == 0
    assert russia["color"] == "rgb(31,119,180)"
    assert nodes[f"{KG}Mobilisation_2022"]["community"] == 1
    assert nodes[f"{KG}Kazbegi_Upper_Lars"]["label"] == _token(KAZBEGI_LABEL)
    assert nodes[f"{KG}Unlabelled"] == {}
    pair = sorted(
        (e["attributes"]["kind"], e["attributes"]["predicate_name"])
        for e in read["edgeList"]
        if (e["source"], e["target"]) == (f"{KG}Russia", f"{KG}Georgia")
    )
    assert pair == [("borders", "borders"), ("invaded", "invaded")]
    caused = next(e for e in read["edgeList"] if e["attributes"]["kind"] == "caused")
    assert caused["attributes"]["weight"] == 3
    assert caused["attributes"]["verified"] is True
    assert caused["attributes"]["mentions"] == 12


# --------------------------------------------------------------------------- scale


@pytest.fixture(scope="module")
def generated():
    """The generated 2,000-node, 10,000-edge graph, its GEXF, the write time and block sizes."""
    G = _generated()
    blocks = []

    class Recorder(io.BytesIO):
        def write(self, block):
            blocks.append(len(block))
            return super().write(block)

    out = Recorder()
    began = time.perf_counter()
    write_gexf(G, out)
    return G, out.getvalue(), time.perf_counter() - began, blocks


def test_generated_graph_is_correct_at_scale(generated, relaxng):
    G, data, elapsed, blocks = generated
    assert (G.number_of_nodes(), G.number_of_edges()) == (2000, 10000)
    assert elapsed < 20, f"writing 2,000 nodes and 10,000 edges took {elapsed:.1f} s"
    assert len(blocks) > 5 and max(blocks) < len(data) / 4, "the writer does not stream"
    _assert_valid(relaxng, data)
    _check_with_networkx(G, data)
    root = etree.fromstring(data)
    assert root.find("g:graph", NS).get("mode") == "dynamic"
    assert root.find("g:meta", NS).get("lastmodifieddate") == "2024-01-31"


def test_graphology_reads_the_generated_graph(generated, tmp_path):
    G, data, _, _ = generated
    path = tmp_path / "generated.gexf"
    path.write_bytes(data)
    read = _read_with_graphology(path)
    assert (read["nodes"], read["edges"]) == (2000, 10000)
    for node, want in G.nodes(data=True):
        got = read["nodeAttributes"][node]
        assert got["label"] == want["label"]
        assert got["type"] == want["type"]
        assert got.get("latitude") == want.get("latitude")
        assert got.get("community") == want.get("community")
    triples = sorted((e["source"], e["attributes"]["kind"], e["target"]) for e in read["edgeList"])
    assert triples == sorted((u, k, v) for u, v, k in G.edges(keys=True))


def test_generated_graph_is_deterministic():
    assert _gexf(_generated(300, 1200, seed=7)) == _gexf(_generated(300, 1200, seed=7))


def test_non_finite_check_is_not_fooled_by_numpy_scalars():
    numpy = pytest.importorskip("numpy")
    G = nx.MultiDiGraph()
    G.add_node("a", pagerank=numpy.float64(0.5), community=numpy.int64(3), hub=numpy.bool_(True))
    G.add_node("b", pagerank=numpy.float64(math.nan), community=numpy.int64(4))
    root = etree.fromstring(_gexf(G))
    assert _declared(root, "node") == {
        "pagerank": "double",
        "community": "integer",
        "hub": "boolean",
    }
    H = _networkx(_gexf(G))
    assert H.nodes["a"] == {
        "pagerank": 0.5,
        "community": 3,
        "hub": True,
        "label": None,
        "viz": {"size": 50.0},
    }
    assert "pagerank" not in H.nodes["b"]
