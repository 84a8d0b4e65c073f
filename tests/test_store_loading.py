"""How a build fills the store fast: chunked bulk loads on a second thread, and boilerplate
spans kept between builds. Real stores built from the example project."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg_builder import build, make_settings, storewrite
from kg_builder.errors import StoreError
from kg_builder.extraction import furniture
from kg_builder.pipeline import SPAN_CACHE
from kg_builder.store import OxigraphStore

from .conftest import CORPUS_QUADS


def _settings(store, corpus_dir, data_dir=None, out=None):
    return make_settings(
        corpus=corpus_dir, data_dir=data_dir, store=store, check_owl=False, out=out
    )


def _canonical(quads) -> set[str]:
    """Quads as text, blank nodes relabelled canonically per graph (a bulk load gives its
    blank nodes new labels: two loads of one file differ only in those)."""
    from rdflib import Graph
    from rdflib.compare import to_canonical_graph

    plain, graphs = set(), {}
    for q in quads:
        if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode):
            graphs.setdefault(str(q.graph_name), []).append(q.triple)
        else:
            plain.add(str(q))
    for name, triples in graphs.items():
        g = Graph()
        g.parse(data="".join(f"{t} .\n" for t in triples), format="nt")
        plain |= {f"{name} {s.n3()} {p.n3()} {o.n3()}" for s, p, o in to_canonical_graph(g)}
    return plain


def _quads(store_path) -> set[str]:
    with OxigraphStore(store_path) as s:
        return _canonical(s._store)


@pytest.fixture
def counted_loads(monkeypatch):
    """Every bulk load the writer makes, counted (the real load runs)."""
    calls: list[Path] = []
    real = storewrite._bulk_load

    def counting(db, path, folder):
        calls.append(Path(path))
        return real(db, path, folder)

    monkeypatch.setattr(storewrite, "_bulk_load", counting)
    return calls


def test_chunked_build_holds_exactly_the_built_quads(
    tmp_path, corpus_dir, curated_copy, monkeypatch, counted_loads
):
    monkeypatch.setattr(storewrite, "CHUNK_QUADS", 97)
    out = tmp_path / "exports"
    result = build(_settings(tmp_path / "kg", corpus_dir, curated_copy, out=out), validate=False,
                   write=True)
    assert result.stats.full and result.stats.quads == CORPUS_QUADS
    # the graph went in as many chunks, each its own bulk load, none left behind
    # (a graph's lines always go into one chunk: blank-node labels are scoped to a load)
    assert len(counted_loads) > 5
    assert not list((tmp_path / "kg").glob(".chunk.*"))
    # ... and the store holds exactly the builder's N-Quads, loaded in one piece elsewhere
    reference = ox.Store()
    reference.bulk_load(path=str(out / "kg.nq"), format=ox.RdfFormat.N_QUADS)
    assert _quads(tmp_path / "kg") == _canonical(reference)


def test_a_chunk_that_fails_leaves_the_previous_store(tmp_path, corpus_dir, curated_copy,
                                                      monkeypatch):
    store = tmp_path / "kg"
    build(_settings(store, corpus_dir, curated_copy), validate=False)
    before = _quads(store)
    monkeypatch.setattr(storewrite, "CHUNK_QUADS", 500)
    real, seen = storewrite._bulk_load, []

    def full_disk_on_third(db, path, folder):
        seen.append(path)
        if len(seen) == 3:
            try:
                raise OSError(errno.ENOSPC, "No space left on device")
            except OSError as exc:
                raise storewrite.disk_error(folder, exc) from exc
        return real(db, path, folder)

    monkeypatch.setattr(storewrite, "_bulk_load", full_disk_on_third)
    with pytest.raises(StoreError, match="disk is full"):
        build(_settings(store, corpus_dir, curated_copy), validate=False, full=True)
    assert _quads(store) == before
    with OxigraphStore(store) as s:
        assert s.generation.name == "gen-000001"
    assert not list(store.glob(".chunk.*")) and not list(store.glob("gen-000002"))
    # the failed generation's database is closed: the next build opens a new one at once
    monkeypatch.setattr(storewrite, "_bulk_load", real)
    again = build(_settings(store, corpus_dir, curated_copy), validate=False, full=True)
    assert again.stats.generation == "gen-000002" and _quads(store) == before


@pytest.fixture
def counted_furniture(monkeypatch):
    calls: list[str | None] = []
    real = furniture.find_boilerplate

    def counting(text, headline=None):
        calls.append(headline)
        return real(text, headline)

    monkeypatch.setattr(furniture, "find_boilerplate", counting)
    return calls


def test_boilerplate_spans_are_reused_until_an_article_changes(
    tmp_path, corpus_dir, curated_copy, counted_furniture
):
    corpus = tmp_path / "corpus"
    shutil.copytree(corpus_dir, corpus)
    store = tmp_path / "kg"
    first = build(_settings(store, corpus, curated_copy), validate=False)
    cited = {f.source for f in first.data.facts if f.evidence_offset is not None}
    assert len(counted_furniture) == len(cited) >= 5
    assert (store / SPAN_CACHE).is_file()

    counted_furniture.clear()
    again = build(_settings(store, corpus, curated_copy), validate=False)
    assert again.stats.up_to_date and counted_furniture == []
    assert [f.evidence_offset for f in again.data.facts] == [
        f.evidence_offset for f in first.data.facts
    ]

    # one article's text changes (a line of furniture appended): only its spans are found again
    article = sorted(corpus.glob("*.txt"))[0]
    article.write_text(article.read_text("utf-8") + "\nShare this article\n", "utf-8")
    counted_furniture.clear()
    build(_settings(store, corpus, curated_copy), validate=False)
    assert len(counted_furniture) == 1


def _reference_normalise(text: str) -> tuple[str, list[int]]:
    """The plain definition: fold, drop leading whitespace, one space per run; an offset per
    character."""
    from kg_builder.sources.corpus import _FOLD

    folded = text.translate(_FOLD)
    out, index = [], []
    i = 0
    while i < len(folded):
        if folded[i].isspace():
            j = i
            while j < len(folded) and folded[j].isspace():
                j += 1
            if out:
                out.append(" ")
                index.append(i)
            i = j
        else:
            out.append(folded[i])
            index.append(i)
            i += 1
    return "".join(out), index


def test_normalised_text_maps_every_character_back(corpus_dir):
    import random

    from kg_builder.sources.corpus import normalise

    texts = [p.read_text("utf-8") for p in sorted(corpus_dir.glob("*.txt"))]
    rng = random.Random(7)
    pieces = ["a", "b", " ", "  ", "\n", "\t", "\u00a0", "\u201c", "x y", "\u2028", "\r\n"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(3000)]
    for text in texts:
        want, want_index = _reference_normalise(text)
        got, got_index = normalise(text)
        assert got == want
        assert len(got_index) == len(want_index)
        assert [got_index[i] for i in range(len(got_index))] == want_index
