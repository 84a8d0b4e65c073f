"""RDF exports and the JSON-LD context.

Every export is read back by readers other than its writer (rdflib and pyoxigraph; pyld and
rdflib for JSON-LD) and compared with the store, quad for quad, named graphs included; the
same graph gives the same bytes on both backends and in another process; views restrict
exports as they restrict queries; a failed export leaves nothing behind.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyld import jsonld
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, XSD

from kg_builder import build, make_settings
from kg_builder.build import to_dataset
from kg_builder.errors import KGError
from kg_builder.export import rdf
from kg_builder.export.context import (
    CONTEXT_FILE,
    ONTOLOGY_DIR,
    REGENERATE,
    context_document,
    make_context,
)
from kg_builder.export.rdf import RDF_FORMATS, ExportError, export_rdf
from kg_builder.ontology import KG, load_ontology
from kg_builder.queries import View, apply_view
from kg_builder.store import MemoryStore, OxigraphStore, to_ox

from .conftest import extracted_graphs as extracted_graphs_of
from .conftest import store_spec

# rdflib's own TriG and JSON-LD parsers use its deprecated ConjunctiveGraph
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

FORMATS = list(RDF_FORMATS)
RDFLIB_FORMAT = {
    "turtle": "turtle",
    "nt": "nt",
    "nquads": "nquads",
    "trig": "trig",
    "jsonld": "json-ld",
    "xml": "xml",
}
OX_FORMAT = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}
BASE = "https://w3id.org/kg-builder/"
SHARED_GRAPHS = {BASE + "graph/ontology", BASE + "graph/registry", BASE + "graph/sources"}
RDFLIB_DEFAULT = URIRef("urn:x-rdflib:default")


# -- fixtures: the corpus graph per backend, and one with extracted facts ----------------------
@pytest.fixture(scope="module")
def graph(tmp_path_factory, corpus_dir, backend):
    """The corpus graph in the backend's store (built without validation: the build's own
    tests validate it)."""
    folder = tmp_path_factory.mktemp(f"export-rdf-{backend}")
    settings = make_settings(corpus=corpus_dir, store=store_spec(backend, folder))
    return build(settings, validate=False).store()


@pytest.fixture(scope="module")
def extracted_graphs(corpus_dir):
    return extracted_graphs_of(corpus_dir)


def _on_backend(graphs, backend: str):
    """The same graphs in a MemoryStore (rdflib) or an in-memory Oxigraph store."""
    if backend == "memory":
        return MemoryStore(to_dataset(graphs))
    db = ox.Store()
    for g in graphs:
        if g.lines:
            db.load(input="".join(g.lines).encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    return OxigraphStore.wrap(db)


@pytest.fixture(scope="module")
def with_extracted(extracted_graphs, backend):
    return _on_backend(extracted_graphs, backend)


# -- comparing graphs: blank nodes canonical (RDFC-1.0), terms as N-Quads text -------------------
def _canonical(quads) -> set[str]:
    """Quads (pyoxigraph) as N-Quads text with canonical blank-node labels (RDFC-1.0)."""
    quads = list(quads)
    labelled = ox.Dataset(quads)
    assert len(labelled) == len(quads), "a quad was read twice"
    labelled.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in labelled}


def _ox_graph(g):
    if g is None or g == RDFLIB_DEFAULT:
        return ox.DefaultGraph()
    return to_ox(g)


def _from_rdflib(quads) -> list[ox.Quad]:
    return [ox.Quad(to_ox(s), to_ox(p), to_ox(o), _ox_graph(g)) for s, p, o, g in quads]


def store_quads(store) -> list[ox.Quad]:
    """What the store holds, read through its own API (not the exporter's)."""
    return _from_rdflib(store.quads())


def merged(quads: list[ox.Quad]) -> list[ox.Quad]:
    """Every distinct triple once, in the default graph."""
    return list({str(q.triple): ox.Quad(*q.triple) for q in quads}.values())


def read_rdflib(path: Path, fmt: str) -> list[ox.Quad]:
    if RDF_FORMATS[fmt].named_graphs:
        ds = Dataset()
        ds.parse(path, format=RDFLIB_FORMAT[fmt])
        return _from_rdflib(ds.quads((None, None, None, None)))
    g = Graph()
    g.parse(path, format=RDFLIB_FORMAT[fmt])
    return [ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in g]


def read_pyoxigraph(path: Path, fmt: str) -> list[ox.Quad]:
    return list(ox.parse(path=str(path), format=OX_FORMAT[fmt]))


def _offline(url, options=None):
    raise AssertionError(f"the export must read offline; pyld fetched {url}")


def read_pyld(path: Path) -> list[ox.Quad]:
    """JSON-LD expanded, then converted to N-Quads by pyld (never fetching anything)."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    options = {"documentLoader": _offline}
    expanded = jsonld.expand(doc, options)
    nquads = jsonld.to_rdf(expanded, {**options, "format": "application/n-quads"})
    return list(ox.parse(nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS))


_EXPECTED: dict = {}


def want(store, fmt: str, view: View | None = None) -> set[str]:
    """`expected`, canonical, computed once per store, view and kind of format."""
    key = (id(store), RDF_FORMATS[fmt].named_graphs, view)
    if key not in _EXPECTED:
        _EXPECTED[key] = (store, _canonical(expected(store, fmt, view)))
    return _EXPECTED[key][1]


def expected(store, fmt: str, view: View | None = None) -> list[ox.Quad]:
    """What an export of the store through the view must hold. (An Oxigraph view restricted
    to some graphs still yields every quad of the database from `quads()`: keep its graphs.)"""
    seen = apply_view(store, view)
    quads = store_quads(seen)
    if view is not None and not view.everything:
        names = {f"<{g}>" for g in seen.graph_names()}
        quads = [q for q in quads if str(q.graph_name) in names]
    return quads if RDF_FORMATS[fmt].named_graphs else merged(quads)


# -- the JSON-LD context -------------------------------------------------------------------------
def test_committed_context_matches_the_ontology():
    onto = load_ontology(ONTOLOGY_DIR)
    assert CONTEXT_FILE.read_text(encoding="utf-8") == context_document(onto), (
        f"{CONTEXT_FILE} is out of date with ontology/kg.ttl; regenerate it: {REGENERATE}"
    )


def test_context_has_a_term_per_class_and_property():
    onto = load_ontology(ONTOLOGY_DIR)
    ctx = make_context(onto)
    assert list(ctx) == sorted(ctx)
    assert ctx["@version"] == 1.1
    assert ctx["kg"] == str(KG) and ctx["xsd"] == str(XSD) and "id" not in ctx
    assert ctx["type"] == "@type" and ctx["label"] == "rdfs:label"
    for name in onto.classes:
        assert ctx[name] == f"kg:{name}"
    for name, prop in onto.properties.items():
        term = ctx[name]
        assert term["@id"] == f"kg:{name}"
        if prop.kind == "object":
            assert term["@type"] == "@id"
        elif prop.range in (None, XSD.string, RDF.langString, KG.TimeValue):
            assert "@type" not in term, name
        else:
            assert term["@type"] == "xsd:" + prop.range[len(str(XSD)) :], name
    assert ctx["fledTo"] == {"@id": "kg:fledTo", "@type": "@id"}
    assert ctx["confidence"] == {"@id": "kg:confidence", "@type": "xsd:decimal"}
    assert ctx["date"] == {"@id": "kg:date"}  # kg:TimeValue: the datatype varies
    assert make_context(onto, base=BASE)["id"] == BASE + "id/"


def test_context_expands_as_intended():
    """A document written against the published context means what the ontology says."""
    doc = {
        "@context": make_context(load_ontology(ONTOLOGY_DIR), base=BASE),
        "@id": "id:person/x",
        "type": "Person",
        "label": {"@value": "X", "@language": "en"},
        "fledTo": "id:place/finland",
        "age": "34",
        "date": {"@value": "2022-09", "type": "xsd:gYearMonth"},
    }
    got = set(jsonld.to_rdf(doc, {"format": "application/n-quads"}).splitlines())
    person, xsd = f"<{BASE}id/person/x>", str(XSD)
    assert got == {
        f"{person} <{RDF.type}> <{KG.Person}> .",
        f'{person} <http://www.w3.org/2000/01/rdf-schema#label> "X"@en .',
        f"{person} <{KG.fledTo}> <{BASE}id/place/finland> .",
        f'{person} <{KG.age}> "34"^^<{xsd}integer> .',
        f'{person} <{KG.date}> "2022-09"^^<{xsd}gYearMonth> .',
    }


def test_context_module_checks_and_rewrites(tmp_path, monkeypatch, capsys):
    from kg_builder.export import context

    assert context.main(["--check"]) == 0
    target = tmp_path / "context.jsonld"
    target.write_text("{}\n", encoding="utf-8")
    monkeypatch.setattr(context, "CONTEXT_FILE", target)
    assert context.main(["--check"]) == 1
    assert REGENERATE in capsys.readouterr().err
    assert context.main([]) == 0
    assert target.read_text(encoding="utf-8") == context_document(load_ontology(ONTOLOGY_DIR))


# -- every format, read back by two readers ------------------------------------------------------
@pytest.fixture(scope="module")
def exports(graph, tmp_path_factory):
    """Every format exported once from the corpus graph: format -> (path, report)."""
    out = tmp_path_factory.mktemp("rdf-exports")
    return {
        fmt: (out / f"kg{info.extension}", export_rdf(graph, fmt, out / f"kg{info.extension}"))
        for fmt, info in RDF_FORMATS.items()
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_reads_back_as_the_store(graph, exports, fmt):
    path, report = exports[fmt]
    wanted = want(graph, fmt)
    readers = {"rdflib": read_rdflib, "pyoxigraph": read_pyoxigraph}
    if fmt == "jsonld":
        readers = {"rdflib": read_rdflib, "pyld": lambda p, _f: read_pyld(p)}
    for reader, read in readers.items():
        got = _canonical(read(path, fmt))
        missing, extra = wanted - got, got - wanted
        assert not missing and not extra, (
            f"{fmt} read by {reader}: {len(missing)} missing, e.g. {list(missing)[:2]}; "
            f"{len(extra)} extra, e.g. {list(extra)[:2]}"
        )
    assert report.statements == len(wanted)
    assert report.graphs == len(graph.graph_names()) == 9
    assert report.format == fmt and report.path == path and report.bytes == path.stat().st_size


@pytest.mark.parametrize("fmt", ["nquads", "trig", "jsonld"])
def test_named_graphs_keep_their_quads(graph, exports, fmt):
    path, _ = exports[fmt]
    read = read_pyld if fmt == "jsonld" else lambda p: read_pyoxigraph(p, fmt)
    per_graph = Counter(str(q.graph_name) for q in read(path))
    want = Counter(str(q.graph_name) for q in store_quads(graph))
    assert per_graph == want
    assert len(per_graph) == 9 and f"<{BASE}graph/ontology>" in per_graph


def test_merged_turtle_is_isomorphic_to_the_store(graph, exports):
    union = Graph()
    for s, p, o, _ in graph.quads():
        union.add((s, p, o))
    exported = Graph().parse(exports["turtle"][0], format="turtle")
    assert len(exported) == len(union)
    assert isomorphic(exported, union)


def test_literals_keep_datatypes_and_languages(exports):
    """Spot checks, through rdflib's JSON-LD reader: precision-typed dates, decimals, integer
    offsets, language-tagged evidence, plain strings, and the ontology's blank-node lists."""
    ds = Dataset().parse(exports["jsonld"][0], format="json-ld")
    objects = {o for _, _, o, _ in ds.quads((None, None, None, None)) if isinstance(o, Literal)}
    datatypes = {o.datatype for o in objects}
    assert {XSD.date, XSD.gYearMonth, XSD.gYear, XSD.decimal, XSD.integer} <= datatypes
    assert XSD.boolean in datatypes
    assert any(o.language == "en" for o in objects)
    assert any(o.datatype is None and o.language is None for o in objects)
    assert any(True for _ in ds.quads((None, OWL.unionOf, None, None)))


def test_lines_are_sorted(exports):
    for fmt in ("nt", "nquads"):
        lines = exports[fmt][0].read_text(encoding="utf-8").splitlines()
        assert lines == sorted(lines) and len(lines) == exports[fmt][1].statements


def test_jsonld_embeds_the_context(graph, exports):
    doc = json.loads(exports["jsonld"][0].read_text(encoding="utf-8"))
    assert doc["@context"] == make_context(load_ontology(ONTOLOGY_DIR), base=BASE)
    graphs = {entry["@id"]: entry["@graph"] for entry in doc["@graph"]}
    assert set(graphs) == {str(g) for g in graph.graph_names()}
    registry = graphs[BASE + "graph/registry"]
    amonov = next(n for n in registry if n["@id"] == "id:person/andrei-amonov")
    assert amonov["type"] == "Person"
    assert amonov["label"] == {"@language": "en", "@value": "Andrei Amonov"}


# -- determinism -----------------------------------------------------------------------------------
def test_same_graph_same_bytes(graph, exports, tmp_path):
    for fmt, (path, _) in exports.items():
        again = export_rdf(graph, fmt, tmp_path / path.name).path
        assert again.read_bytes() == path.read_bytes(), fmt


def test_same_bytes_on_both_backends(extracted_graphs, tmp_path):
    """Blank nodes are labelled canonically, quads sorted: the backend leaves no trace."""
    memory = _on_backend(extracted_graphs, "memory")
    oxigraph = _on_backend(extracted_graphs, "oxigraph")
    for fmt, info in RDF_FORMATS.items():
        a = export_rdf(memory, fmt, tmp_path / f"memory{info.extension}").path
        b = export_rdf(oxigraph, fmt, tmp_path / f"oxigraph{info.extension}").path
        assert a.read_bytes() == b.read_bytes(), fmt


@pytest.fixture(scope="module")
def other_process(corpus_dir, tmp_path_factory) -> Path:
    """Every format exported by another interpreter (another hash seed, other blank-node
    labels from rdflib's parser) from a fresh in-memory build of the corpus."""
    out = tmp_path_factory.mktemp("rdf-exports-other-process")
    script = (
        "import sys; from pathlib import Path\n"
        "from kg_builder import build, make_settings\n"
        "from kg_builder.export.rdf import RDF_FORMATS, export_rdf\n"
        "s = build(make_settings(corpus=sys.argv[1], store='memory'), validate=False).store()\n"
        "for fmt, info in RDF_FORMATS.items():\n"
        "    export_rdf(s, fmt, Path(sys.argv[2]) / ('kg' + info.extension))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", script, str(corpus_dir), str(out)], check=True, env=env)
    return out


def test_same_bytes_in_another_process_and_backend(exports, other_process):
    """Nothing depends on set or dict order, nor on the backend: the memory build of another
    process writes what this process writes from either store."""
    for fmt, (path, _) in exports.items():
        assert (other_process / path.name).read_bytes() == path.read_bytes(), fmt


# -- views: --only, --source, --min-confidence ------------------------------------------------------
def _graph_names(path: Path, fmt: str) -> set[str]:
    quads = read_pyld(path) if fmt == "jsonld" else read_pyoxigraph(path, fmt)
    return {q.graph_name.value for q in quads}


def test_with_extracted_has_extracted_graphs(with_extracted):
    names = {str(g) for g in with_extracted.graph_names()}
    assert any(n.endswith("/extracted") for n in names)
    assert any(n.endswith("/curated") for n in names)


@pytest.mark.parametrize("fmt", ["nquads", "trig", "jsonld"])
def test_only_curated_exports_no_extracted_graph(with_extracted, tmp_path, fmt):
    view = View(method="curated")
    path = export_rdf(
        with_extracted, fmt, tmp_path / f"kg{RDF_FORMATS[fmt].extension}", view=view
    ).path
    names = _graph_names(path, fmt)
    assert not any(n.endswith("/extracted") for n in names)
    assert SHARED_GRAPHS <= names
    curated = {str(g) for g in with_extracted.graph_names() if str(g).endswith("/curated")}
    assert curated <= names
    read = read_pyld if fmt == "jsonld" else lambda p: read_pyoxigraph(p, fmt)
    assert _canonical(read(path)) == want(with_extracted, fmt, view)


def test_only_extracted_in_a_merged_format(with_extracted, tmp_path):
    view = View(method="extracted")
    report = export_rdf(with_extracted, "turtle", tmp_path / "kg.ttl", view=view)
    got = _canonical(read_rdflib(report.path, "turtle"))
    assert got == want(with_extracted, "turtle", view)
    everything = want(with_extracted, "turtle")
    assert len(got) == report.statements < len(everything)


def test_source_view_exports_that_source_and_the_shared_graphs(with_extracted, tmp_path):
    source = "002_aa80568b4da406dd"
    view = View(sources=(source,))
    report = export_rdf(with_extracted, "nquads", tmp_path / "kg.nq", view=view)
    names = _graph_names(report.path, "nquads")
    assert names == SHARED_GRAPHS | {
        f"{BASE}graph/{source}/curated",
        f"{BASE}graph/{source}/extracted",
    }
    assert report.graphs == 5
    got = _canonical(read_rdflib(report.path, "nquads"))
    assert got == want(with_extracted, "nquads", view)


def test_unknown_source_is_refused(with_extracted, tmp_path):
    with pytest.raises(KGError, match="no source 'nope'"):
        export_rdf(with_extracted, "nquads", tmp_path / "kg.nq", view=View(sources=("nope",)))
    assert not list(tmp_path.iterdir())


def _confidences(path: Path, fmt: str) -> list[Decimal]:
    conf = str(KG.confidence)
    return [
        Decimal(q.object.value) for q in read_pyoxigraph(path, fmt) if q.predicate.value == conf
    ]


def _assertions(path: Path, fmt: str) -> int:
    return sum(
        1
        for q in read_pyoxigraph(path, fmt)
        if q.predicate.value == str(RDF.type) and q.object.value == str(KG.Assertion)
    )


@pytest.mark.parametrize("fmt", ["trig", "xml"])
def test_min_confidence_drops_the_weaker_assertions(with_extracted, tmp_path, fmt):
    ext = RDF_FORMATS[fmt].extension
    everything = export_rdf(with_extracted, fmt, tmp_path / f"all{ext}").path
    view = View(min_confidence=Decimal("0.9"))
    strong = export_rdf(with_extracted, fmt, tmp_path / f"strong{ext}", view=view).path
    assert Decimal("0.6") in _confidences(everything, fmt)
    assert min(_confidences(strong, fmt)) >= Decimal("0.9")
    assert 0 < _assertions(strong, fmt) < _assertions(everything, fmt)
    assert _canonical(read_rdflib(strong, fmt)) == want(with_extracted, fmt, view)


# -- atomic writes and clear errors -----------------------------------------------------------------
def test_missing_folder_is_an_export_error(graph, tmp_path):
    target = tmp_path / "missing" / "kg.ttl"
    with pytest.raises(ExportError) as err:
        export_rdf(graph, "turtle", target)
    assert str(target.parent) in str(err.value) and "mkdir -p" in str(err.value)
    assert err.value.exit_code == 7
    assert not target.parent.exists()


def test_unknown_format_is_an_export_error(graph, tmp_path):
    with pytest.raises(ExportError, match=r"(?s)unknown RDF format 'n3'.*turtle"):
        export_rdf(graph, "n3", tmp_path / "kg.n3")
    assert not list(tmp_path.iterdir())


def test_read_only_folder_is_an_export_error(graph, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "kg.ttl").write_text("previous\n", encoding="utf-8")
    folder.chmod(0o555)
    try:
        probe = folder / ".probe"
        try:
            probe.touch()
        except PermissionError:
            pass
        else:  # root ignores permissions: nothing to test
            probe.unlink()
            pytest.skip("permissions are not enforced for this user (root)")
        with pytest.raises(ExportError) as err:
            export_rdf(graph, "turtle", folder / "kg.ttl")
        assert str(folder) in str(err.value) and "not writable" in str(err.value)
        assert [p.name for p in folder.iterdir()] == ["kg.ttl"]
        assert (folder / "kg.ttl").read_text(encoding="utf-8") == "previous\n"
    finally:
        folder.chmod(0o755)


def test_unwritable_folder_is_an_export_error_even_for_root(graph, tmp_path, monkeypatch):
    """The same error when the folder refuses the temporary file (simulated: root is never
    refused by permissions)."""
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    (tmp_path / "kg.nq").write_text("previous\n", encoding="utf-8")
    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(ExportError, match="is not writable") as err:
        export_rdf(graph, "nquads", tmp_path / "kg.nq")
    assert str(tmp_path) in str(err.value)
    assert (tmp_path / "kg.nq").read_text(encoding="utf-8") == "previous\n"


class Boom(RuntimeError):
    pass


def _fail_midway(monkeypatch, fmt: str) -> None:
    """Make the serialiser of `fmt` fail after it has written part of the file."""
    if fmt == "jsonld":  # our own writer: fail at the 100th node
        real = rdf._Compactor.node
        calls = {"n": 0}

        def node(self, *args):
            calls["n"] += 1
            if calls["n"] == 100:
                raise Boom("failed midway")
            return real(self, *args)

        monkeypatch.setattr(rdf._Compactor, "node", node)
    elif fmt == "nquads":  # Oxigraph's lines, written as they are

        def write_lines(lines, tmp):
            Path(tmp).write_text("".join(line + "\n" for line in lines[:100]), encoding="utf-8")
            raise Boom("failed midway")

        monkeypatch.setattr(rdf, "write_lines", write_lines)
    else:  # pyoxigraph's serialiser

        def serialize(items, output, *args, **kwargs):
            Path(output).write_bytes(b"@prefix kg: <https://w3id.org/kg-builder/ontology#> .\n")
            raise Boom("failed midway")

        monkeypatch.setattr(ox, "serialize", serialize)


@pytest.mark.parametrize("fmt", ["turtle", "nquads", "jsonld", "xml"])
def test_failure_midway_leaves_the_previous_file(graph, tmp_path, monkeypatch, fmt):
    target = tmp_path / f"kg{RDF_FORMATS[fmt].extension}"
    export_rdf(graph, fmt, target)
    before = target.read_bytes()
    _fail_midway(monkeypatch, fmt)
    with pytest.raises(Boom):
        export_rdf(graph, fmt, target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_failure_midway_leaves_no_file(graph, tmp_path, monkeypatch):
    _fail_midway(monkeypatch, "trig")
    with pytest.raises(Boom):
        export_rdf(graph, "trig", tmp_path / "kg.trig")
    assert not list(tmp_path.iterdir())


def test_exported_files_are_not_private(graph, tmp_path):
    """Written aside through a private temporary file, the export still gets the usual mode."""
    mask = os.umask(0o022)
    try:
        path = export_rdf(graph, "nt", tmp_path / "kg.nt").path
    finally:
        os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o644


def test_report(graph, exports):
    _, report = exports["trig"]
    info = report.as_dict()
    assert info["quads"] == len(graph) and info["graphs"] == 9
    assert info["media_type"] == "application/trig" and info["seconds"] >= 0
    assert exports["turtle"][1].as_dict()["triples"] == exports["nt"][1].statements
    assert exports["turtle"][1].statements < len(graph)  # a fact in two graphs is one triple
