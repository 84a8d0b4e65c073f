"""`kg publish DIR`: the static site of the corpus graph, checked file by file.

The graph is built once for the module (in memory: publishing copies it into an in-memory
Oxigraph store, the path an rdflib graph takes) and published once; the tests then read the
site back with lxml, rdflib and pyoxigraph, and inject failures into later publishes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.etree
import lxml.html
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.namespace import FOAF, RDFS, VOID

from kg_builder import build, make_settings
from kg_builder.ontology import KG
from kg_builder.publish import pages, site
from kg_builder.publish.site import MARKER, PublishError, publish

BASE_URL = "https://data.example.org/kg/"


@pytest.fixture(scope="module")
def graph(tmp_path_factory, corpus_dir):
    folder = tmp_path_factory.mktemp("site-graph")
    settings = make_settings(corpus=corpus_dir, out=folder / "out", store="memory",
                             check_owl=False)
    return build(settings, validate=False, write=False).store(), settings


@pytest.fixture(scope="module")
def published(graph, tmp_path_factory):
    store, settings = graph
    out = tmp_path_factory.mktemp("published") / "site"
    calls = []
    summary = publish(store, settings, out, BASE_URL, progress=lambda d, t: calls.append((d, t)))
    return out, summary, calls


@pytest.fixture(scope="module")
def small(graph):
    """A few resources (the sources graph alone): for the tests that publish repeatedly."""
    store, settings = graph
    return store.restricted([settings.base_iri + "graph/sources"]), settings


def html_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))


def test_summary_and_layout(published, graph):
    root, summary, calls = published
    store, settings = graph
    iris = site.published_iris(store, settings)
    assert summary.resources == len(iris) > 700
    assert summary.pages == len(html_files(root))
    on_disk = [p for p in root.rglob("*") if p.is_file()]
    assert summary.files == len(on_disk)
    assert summary.bytes == sum(p.stat().st_size for p in on_disk)
    assert calls[-1][0] == calls[-1][1] and len(calls) > 700  # progress reached the end
    for stem in ("id/person/andrei-amonov", "id/article/003_69489bb5dd5d6fb8",
                 "id/place/kazakhstan", "ontology"):
        for ext in (".html", ".ttl", ".nt", ".jsonld"):
            assert (root / (stem + ext)).is_file(), stem + ext
    for name in ("index.html", "id/person/index.html", ".well-known/void", "void.ttl",
                 "dumps/kg.nq", "dumps/kg.ttl", "sitemap.xml", ".htaccess",
                 "nginx.conf.example", MARKER):
        assert (root / name).is_file(), name
    assert not list(root.parent.glob(".site.tmp-*"))  # the build folder was renamed


def test_every_local_link_resolves(published):
    root, _, _ = published
    checked = 0
    for page in html_files(root):
        doc = lxml.html.parse(str(page)).getroot()
        for element, attribute, value, _ in doc.iterlinks():
            if attribute not in ("href", "src"):
                continue
            parts = urlsplit(value)
            if parts.scheme or parts.netloc:
                continue  # Wikidata, schema.org, licences: external
            assert not value.startswith("/"), f"{page}: absolute path {value}"
            if not parts.path:
                continue  # a fragment on the same page
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.is_file(), f"{page.relative_to(root)} links to missing {value}"
            assert root.resolve() in target.parents
            checked += 1
    assert checked > 10_000


def test_ontology_anchors_exist(published):
    """Fragments into the ontology page name a term it documents."""
    root, _, _ = published
    anchors = set(lxml.html.parse(str(root / "ontology.html")).getroot().xpath("//@id"))
    page = lxml.html.parse(str(root / "id/person/andrei-amonov.html")).getroot()
    used = {h.split("#", 1)[1] for h in page.xpath("//a/@href") if "ontology.html#" in h}
    assert "Person" in used and "fledTo" in used and used <= anchors


@pytest.mark.parametrize("ext, fmt", [(".ttl", "turtle"), (".jsonld", "json-ld"), (".nt", "nt")])
def test_every_rdf_file_parses(published, ext, fmt):
    root, summary, _ = published
    files = sorted(root.rglob(f"*{ext}"))
    assert len(files) >= summary.resources
    for path in files:
        g = Graph().parse(path, format=fmt)
        assert len(g), path


def test_entity_files_describe_the_entity(published, graph):
    root, _, _ = published
    _, settings = graph
    iri = URIRef(settings.base_iri + "id/person/andrei-amonov")
    g = Graph().parse(root / "id/person/andrei-amonov.jsonld", format="json-ld")
    assert str(g.value(iri, RDFS.label)) == "Andrei Amonov"
    assert (iri, KG.fledTo, URIRef(settings.base_iri + "id/place/kazakhstan")) in g
    page = lxml.html.parse(str(root / "id/person/andrei-amonov.html")).getroot()
    hrefs = set(page.xpath("//a/@href"))
    # static links name files; the identifier shown is the IRI
    assert "../place/kazakhstan.html" in hrefs and "andrei-amonov.ttl" in hrefs
    assert str(iri) in page.text_content()
    assert "../../.well-known/void" in hrefs
    assert not any(h.endswith("sparql") for h in hrefs)  # no endpoint on a static host


def test_index_lists_entities_by_class(published):
    root, _, _ = published
    doc = lxml.html.parse(str(root / "index.html")).getroot()
    headings = [h.text_content() for h in doc.xpath("//h2")]
    assert any(h.startswith("Person (27)") for h in headings)
    assert any(h.startswith("News article") for h in headings)
    assert doc.xpath('//a[@href="id/person/andrei-amonov.html"]')
    assert doc.xpath('//a[@href="ontology.html#Person"]')


def test_sitemap_lists_every_page(published):
    root, _, _ = published
    tree = lxml.etree.parse(str(root / "sitemap.xml"))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = tree.xpath("//s:url/s:loc/text()", namespaces=ns)
    assert len(locs) == len(set(locs))
    expected = {BASE_URL + p.relative_to(root).as_posix() for p in html_files(root)}
    assert set(locs) == expected


def test_void_and_dumps(published, graph):
    root, _, _ = published
    store, _ = graph
    void = Graph().parse(root / ".well-known/void", format="turtle")
    assert (root / "void.ttl").read_bytes() == (root / ".well-known/void").read_bytes()
    dumps = {str(o) for o in void.objects(None, VOID.dataDump)}
    assert BASE_URL + "dumps/kg.nq" in dumps
    for url in dumps:  # every advertised dump is in the site
        assert (root / url[len(BASE_URL):]).is_file()
    dataset = next(void.objects(None, FOAF.primaryTopic))
    triples = void.value(dataset, VOID.triples)
    assert int(triples) > 1000
    quads = list(ox.parse(path=str(root / "dumps/kg.nq"), format=ox.RdfFormat.N_QUADS))
    assert len(quads) == len(store)
    merged = Graph().parse(root / "dumps/kg.ttl", format="turtle")
    assert len(merged) == int(triples)


def test_server_configuration_maps_extensionless_paths(published):
    root, _, _ = published
    htaccess = (root / ".htaccess").read_text()
    for media_type, ext in pages.EXTENSIONS.items():
        assert f"AddType {media_type} {ext}" in htaccess
        assert f"RewriteRule ^(.+)$ $1{ext} [L]" in htaccess
    assert "Header merge Vary Accept" in htaccess
    nginx = (root / "nginx.conf.example").read_text()
    assert "try_files $uri$kg_variant" in nginx and "add_header Vary Accept" in nginx
    for ext in pages.EXTENSIONS.values():
        assert f'"{ext}";' in nginx
    assert nginx.count("{") == nginx.count("}")


# -- failures leave the previous site intact --------------------------------------------------
def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_error_midway_leaves_previous_site(small, tmp_path, monkeypatch):
    store, settings = small
    out = tmp_path / "site"
    (tmp_path / "keep").write_text("unrelated")
    first = publish(store, settings, out, BASE_URL)
    before = _snapshot(out)
    real_render, calls = pages.render, []

    def failing_render(*args, **kwargs):
        calls.append(1)
        if len(calls) == 10:
            raise OSError(28, "No space left on device")
        return real_render(*args, **kwargs)

    monkeypatch.setattr(pages, "render", failing_render)
    with pytest.raises(PublishError, match="No space left"):
        publish(store, settings, out, "https://other.example/")
    assert len(calls) == 10
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep", "site"]  # no leftovers
    monkeypatch.undo()
    # and a later publish replaces the site
    second = publish(store, settings, out, "https://other.example/")
    assert second.pages == first.pages
    assert "https://other.example/index.html" in (out / "sitemap.xml").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep", "site"]


def test_interrupt_leaves_previous_site(small, tmp_path, monkeypatch):
    store, settings = small
    out = tmp_path / "site"
    publish(store, settings, out)
    before = _snapshot(out)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(site, "_write_dumps", interrupted)
    with pytest.raises(KeyboardInterrupt):
        publish(store, settings, out)
    assert _snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_dir_is_a_file(graph, tmp_path):
    store, settings = graph
    target = tmp_path / "site"
    target.write_text("not a folder")
    with pytest.raises(PublishError, match="is a file"):
        publish(store, settings, target)
    assert target.read_text() == "not a folder"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_foreign_folder_is_never_replaced(graph, tmp_path):
    store, settings = graph
    target = tmp_path / "documents"
    target.mkdir()
    (target / "thesis.tex").write_text("precious")
    with pytest.raises(PublishError, match="not a site kg publish wrote"):
        publish(store, settings, target)
    assert (target / "thesis.tex").read_text() == "precious"
    assert [p.name for p in target.iterdir()] == ["thesis.tex"]


def test_missing_parent_is_a_clear_error(graph, tmp_path):
    store, settings = graph
    with pytest.raises(PublishError, match="does not exist"):
        publish(store, settings, tmp_path / "no" / "such" / "site")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write in a read-only folder")
def test_read_only_parent_is_a_clear_error(graph, tmp_path):
    store, settings = graph
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        with pytest.raises(PublishError, match="permission denied"):
            publish(store, settings, parent / "site")
    finally:
        parent.chmod(0o755)


def test_cli_publish(tmp_path, corpus_dir):
    from kg_builder.cli.publish import publish as publish_command

    runner = CliRunner()
    out = tmp_path / "site"
    result = runner.invoke(publish_command, [str(out), "--store", "memory", "--corpus",
                                             str(corpus_dir), "--format", "json", "--quiet",
                                             "--sparql-url", "https://example.org/sparql"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["pages"] > 700 and summary["void"] is True
    page = lxml.html.parse(str(out / "id/person/andrei-amonov.html")).getroot()
    assert "https://example.org/sparql" in page.xpath("//a/@href")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(publish_command, [str(blocker), "--store", "memory", "--quiet"])
    assert result.exit_code == 7
    assert "is a file" in result.output


def test_other_base_iri(tmp_path, corpus_dir):
    """A deployment under its own base IRI: files at the IRI paths under that base, links to
    the ontology page still resolve (the ontology's namespace is not under the base)."""
    settings = make_settings(corpus=corpus_dir, out=tmp_path / "out", store="memory",
                             base_iri="https://example.org/data/", check_owl=False)
    store = build(settings, validate=False, write=False).store()
    small = store.restricted([settings.base_iri + "graph/sources"])
    out = tmp_path / "site"
    summary = publish(small, settings, out)
    assert summary.resources >= 5
    page = out / "id/article/003_69489bb5dd5d6fb8.html"
    doc = lxml.html.parse(str(page)).getroot()
    assert "https://example.org/data/id/article/003_69489bb5dd5d6fb8" in doc.text_content()
    for href in doc.xpath("//a/@href"):
        parts = urlsplit(href)
        if not parts.scheme and parts.path:
            assert (page.parent / unquote(parts.path)).is_file(), href
    assert "../../ontology.html#NewsArticle" in doc.xpath("//a/@href")
    assert "https://example.org/data/index.html" in (out / "sitemap.xml").read_text()
