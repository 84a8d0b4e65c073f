"""Network exports of the real corpus graph, read back by readers that are not the writers:
GEXF with lxml against the official RELAX NG schema, networkx and graphology-gexf; GraphML
with networkx's reader (not its lxml writer); node-link JSON with networkx; CSV with Python's
csv module, in the columns Gephi's spreadsheet import expects. Through the CLI, as users run it.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from lxml import etree

from kg_builder.analysis import derive, project
from kg_builder.cli import main
from kg_builder.export import formats, network
from tests.conftest import REPO

from .conftest import SHARED

RNG = SHARED / "schemas" / "gexf-1.3" / "gexf.rng" if SHARED else None
JS_DIR = Path(__file__).parent / "js"


@pytest.fixture(scope="module")
def runner():
    return CliRunner()


@pytest.fixture(scope="module")
def store_arg(built):
    return built.settings.store


@pytest.fixture(scope="module")
def entity(store):
    return project(store)


def _export(runner, store_arg, *args) -> str:
    result = runner.invoke(main, ["export", "--store", store_arg, *args])
    assert result.exit_code == 0, result.output
    return result.output


def _nx_gexf(path: Path) -> nx.Graph:
    return nx.read_gexf(path)


# -- GEXF ------------------------------------------------------------------------------------
def test_gexf_of_the_corpus_validates_and_reads_back(runner, store_arg, entity, tmp_path):
    if RNG is None or not RNG.exists():
        pytest.skip("../shared/schemas/gexf-1.3 is not present")
    out = tmp_path / "kg.gexf"
    _export(runner, store_arg, "--format", "gexf", "-o", str(out))
    schema = etree.RelaxNG(etree.parse(str(RNG)))
    doc = etree.parse(str(out))
    assert schema.validate(doc), schema.error_log
    G = _nx_gexf(out)
    assert G.number_of_nodes() == entity.number_of_nodes()
    assert G.number_of_edges() == entity.number_of_edges()  # parallel edges kept
    georgia = G.nodes["https://w3id.org/kg-builder/id/place/georgia"]
    assert georgia["label"] == "Georgia" and georgia["type"] == "Country"
    assert georgia["wikidata"] == "Q230"
    assert isinstance(georgia["latitude"], float)
    assert georgia["viz"]["color"] == {"r": 44, "g": 160, "b": 44, "a": 1.0}
    # Metrics are added for Gephi: PageRank and a community for every node.
    assert all("pagerank" in d and "community" in d for _, d in G.nodes(data=True))
    ns = {"g": "http://gexf.net/1.3"}
    graph = doc.find("g:graph", ns)
    assert graph.get("mode") == "dynamic" and graph.get("timeformat") == "date"
    kinds = {e.get("kind") for e in doc.iterfind(".//g:edge", ns)}
    assert {"fledTo", "locatedIn", "desertedFrom", "formerMemberOf"} <= kinds
    dated = [e for e in doc.iterfind(".//g:edge", ns) if e.get("start")]
    assert dated and all(e.get("start") <= (e.get("end") or "9999") for e in dated)


def test_gexf_read_by_graphology(runner, store_arg, entity, tmp_path):
    if shutil.which("node") is None:
        pytest.skip("node is not on PATH")
    if not (JS_DIR / "node_modules" / "graphology-gexf").is_dir():
        pytest.skip("tests/js/node_modules is missing: run .ci/npm-js-tests first")
    out = tmp_path / "kg.gexf"
    _export(runner, store_arg, "--format", "gexf", "-o", str(out))
    result = subprocess.run(
        ["node", str(JS_DIR / "read_gexf.mjs"), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    read = json.loads(result.stdout)
    assert read["nodes"] == entity.number_of_nodes()
    assert read["edges"] == entity.number_of_edges()


def test_undirected_projection_is_undirected_in_gexf(runner, store_arg, store, tmp_path):
    out = tmp_path / "people.gexf"
    _export(runner, store_arg, "--format", "gexf", "--projection", "people", "-o", str(out))
    G = _nx_gexf(out)
    assert not G.is_directed()
    assert G.number_of_edges() == derive(project(store), "people").number_of_edges()


# -- GraphML, JSON, CSV ----------------------------------------------------------------------
def test_graphml_reads_back_with_attributes(runner, store_arg, entity, tmp_path):
    out = tmp_path / "kg.graphml"
    _export(runner, store_arg, "--format", "graphml", "-o", str(out), "--no-metrics")
    G = nx.read_graphml(out)
    assert isinstance(G, nx.MultiDiGraph)
    assert G.number_of_nodes() == entity.number_of_nodes()
    assert G.number_of_edges() == entity.number_of_edges()
    for n, d in entity.nodes(data=True):
        for k, v in d.items():
            assert G.nodes[n][k] == v, (n, k)
    read = {(s, o, k): d for s, o, k, d in G.edges(keys=True, data=True)}
    for s, o, k, d in entity.edges(keys=True, data=True):
        got = read[(s, o, k)]
        assert {key: got[key] for key in d} == d


def test_json_is_node_link_that_networkx_reads(runner, store_arg, entity, tmp_path):
    out = tmp_path / "kg.json"
    _export(runner, store_arg, "--format", "json", "-o", str(out), "--no-metrics")
    data = json.loads(out.read_text("utf-8"))
    assert data["directed"] and data["multigraph"]
    G = nx.node_link_graph(data, edges="links")
    assert G.number_of_nodes() == entity.number_of_nodes()
    assert set(G.edges(keys=True)) == set(entity.edges(keys=True))
    assert dict(G.nodes(data=True)) == dict(entity.nodes(data=True))


def test_csv_tables_in_gephis_spreadsheet_shape(runner, store_arg, entity, tmp_path):
    out = tmp_path / "tables"
    _export(runner, store_arg, "--format", "csv", "-o", str(out), "--no-metrics")
    with open(out / "nodes.csv", encoding="utf-8", newline="") as fh:
        nodes = list(csv.DictReader(fh))
    with open(out / "edges.csv", encoding="utf-8", newline="") as fh:
        edges = list(csv.DictReader(fh))
    assert list(nodes[0])[:2] == ["Id", "Label"] and "Time Interval" in nodes[0]
    assert list(edges[0])[:6] == ["Source", "Target", "Type", "Id", "Label", "Weight"]
    assert len(nodes) == entity.number_of_nodes() and len(edges) == entity.number_of_edges()
    assert {r["Id"] for r in nodes} == set(entity)
    assert {(r["Source"], r["Target"], r["relation"]) for r in edges} == set(
        entity.edges(keys=True)
    )
    assert all(r["Type"] == "Directed" for r in edges)
    dated = [r for r in edges if r["start"]]
    assert dated and all(r["Time Interval"].startswith("<[" + r["start"]) for r in dated)
    mob = next(r for r in nodes if r["Id"].endswith("/partial-mobilisation-2022"))
    assert mob["Time Interval"].startswith("<[2022-09-21, ")


def test_filters_reach_the_export(runner, store_arg, tmp_path):
    out = tmp_path / "agents"
    _export(runner, store_arg, "--format", "csv", "-o", str(out), "--types", "Person,Organisation")
    with open(out / "nodes.csv", encoding="utf-8", newline="") as fh:
        tops = {r["top_type"] for r in csv.DictReader(fh)}
    assert tops == {"Person", "Organisation"}


@pytest.mark.parametrize("fmt", ["gexf", "graphml", "json", "csv"])
def test_exports_are_deterministic(runner, store_arg, tmp_path, fmt):
    a, b = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
    _export(runner, store_arg, "--format", fmt, "-o", str(a))
    _export(runner, store_arg, "--format", fmt, "-o", str(b))
    if fmt == "csv":
        for name in ("nodes.csv", "edges.csv"):
            assert (a / name).read_bytes() == (b / name).read_bytes()
    else:
        assert a.read_bytes() == b.read_bytes()


def test_default_path_is_exports(tmp_path, store_arg, runner, monkeypatch):
    from kg_builder import config

    spec = formats.get_format("gexf")
    assert formats.default_path(spec, Path("exports")) == Path("exports/kg.gexf")
    assert formats.default_path(spec, Path("exports"), "people") == Path("exports/kg-people.gexf")
    assert formats.default_path(formats.get_format("csv"), Path("x")) == Path("x/kg-csv")
    assert config.resolve_settings().out_dir == REPO / "exports"


# -- bad input -------------------------------------------------------------------------------
def test_unknown_format_lists_the_known_ones(runner, store_arg):
    result = runner.invoke(main, ["export", "--store", store_arg, "--format", "gefx"])
    assert result.exit_code == 7
    assert "did you mean gexf" in result.output and "graphml" in result.output


def test_missing_folder_is_a_clear_error_and_writes_nothing(runner, store_arg, tmp_path):
    out = tmp_path / "missing" / "kg.gexf"
    result = runner.invoke(
        main, ["export", "--store", store_arg, "--format", "gexf", "-o", str(out)]
    )
    assert result.exit_code == 7
    assert "does not exist" in result.output
    assert not (tmp_path / "missing").exists()


def _read_only(folder: Path) -> bool:
    """Make a folder read-only; False when this user can write it anyway (root)."""
    folder.chmod(0o555)
    probe = folder / ".probe"
    try:
        probe.write_text("x")
    except OSError:
        return True
    probe.unlink()
    folder.chmod(0o755)
    return False


def test_read_only_folder_is_a_clear_error(runner, store_arg, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    if not _read_only(folder):
        pytest.skip("running as a user who can write read-only folders (root)")
    try:
        result = runner.invoke(
            main, ["export", "--store", store_arg, "--format", "gexf", "-o", str(folder / "k.gexf")]
        )
        assert result.exit_code == 7 and "not writable" in result.output
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


@pytest.mark.parametrize("fmt", ["gexf", "turtle"])
def test_read_only_folder_as_an_unprivileged_user(corpus_dir, fmt):
    """As root the permission bits do not stop a write, so run the real command as nobody."""
    import sys
    import tempfile

    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run the command as another user")
    top = Path(tempfile.mkdtemp(prefix="kg-ro-", dir="/tmp"))
    try:
        top.chmod(0o755)
        folder = top / "ro"
        folder.mkdir(mode=0o555)
        folder.chmod(0o555)
        kg = Path(sys.executable).with_name("kg")
        result = subprocess.run(
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", str(kg), "export"]
            + ["--store", "memory", "--corpus", str(corpus_dir), "--format", fmt]
            + ["-o", str(folder / f"kg.{fmt}")],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            # the suite's scratch folders (mkdtemp, 0700) are root's: give nobody its own
            env={**os.environ, "HOME": str(top), "KG_EXTRACTED": str(top / "extracted")},
        )
        assert result.returncode == 7, result.stderr
        assert "not writable" in result.stderr
        assert list(folder.iterdir()) == []
    finally:
        shutil.rmtree(top, ignore_errors=True)


def test_failed_export_leaves_the_previous_file_intact(entity, tmp_path, monkeypatch):
    out = tmp_path / "kg.json"
    formats.export_network(entity, "json", out, metrics=False)
    before = out.read_bytes()

    def broken(G, path):
        Path(path).write_text('{"partial": ', encoding="utf-8")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(network, "write_json", broken)
    with pytest.raises(formats.ExportError, match="No space left"):
        formats.export_network(entity, "json", out, metrics=False)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["kg.json"]


def test_output_path_that_is_a_folder(entity, tmp_path):
    with pytest.raises(formats.ExportError, match="it is a folder"):
        formats.export_network(entity, "gexf", tmp_path, metrics=False)


def test_export_list_is_machine_readable(runner):
    result = runner.invoke(main, ["export", "--list", "--list-format", "json"])
    assert result.exit_code == 0
    names = [f["name"] for f in json.loads(result.output)]
    assert names[:4] == ["gexf", "graphml", "csv", "json"] and "jsonld" in names
