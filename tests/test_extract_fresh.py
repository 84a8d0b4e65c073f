"""`kg extract` then `kg build` on a fresh project (issue 16): every entity a candidate
refers to is in the graph or proposed in the same candidate file, and an entity only an
unreviewed candidate proposes never becomes a name that later articles are linked to.

The two articles are written for this test; the people, town and group in them are invented.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg_builder.cli import main
from kg_builder.extraction.candidates import read_folder
from kg_builder.extraction.gazetteer import EntityIndex
from kg_builder.pipeline import make_settings, open_graph
from kg_builder.scaffold import init_project

FIRST = """Deserter reaches Norland

Oleg Varin, a 29-year-old conscript from Kelvast, fled to Norland on Monday, the volunteer group Open Road said.
"I could not go to the front," Varin told reporters in the border town of Ulvaran.
"""

SECOND = """Norland hearing delayed

A court in Norland on Friday delayed the asylum hearing of Oleg Varin, who fled there last month.
Ivo Marek, a lawyer for Open Road, said Varin had been charged with desertion in his absence.
"""


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("KG_PROJECT", raising=False)
    monkeypatch.delenv("KG_STORE", raising=False)
    monkeypatch.delenv("KG_EXTRACTED", raising=False)
    init_project(tmp_path / "proj", title="Fresh")
    monkeypatch.chdir(tmp_path / "proj")
    return tmp_path / "proj"


def _kg(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _add(project: Path, name: str, text: str) -> None:
    source = project / f"{name}.txt"
    source.write_text(text, encoding="utf-8")
    _kg("add", str(source))


def _index(project: Path) -> EntityIndex:
    store = open_graph(make_settings(store=str(project / ".kg" / "store")))
    try:
        return EntityIndex.from_store(store, geonames=False)
    finally:
        store.close()


def _check_references(project: Path, store_ids: set[str]) -> None:
    for cf in read_folder(project / "data" / "extracted"):
        proposed = {e["id"] if isinstance(e, dict) else e.id for e in cf.entities}
        for c in cf.candidates:
            for ref in (c.subject, c.object):
                if ref:
                    assert ref in store_ids or ref in proposed, (cf.path.name, c.relation, ref)


def test_extract_then_build_on_a_fresh_project(project):
    _add(project, "first", FIRST)
    _kg("build")
    out = json.loads(_kg("extract", "--format", "json"))
    assert out["summary"]["candidates"] >= 2
    # before any build with them, the candidates' entities are proposed in the same file
    _check_references(project, set(_index(project).entries))
    _kg("build")  # curated + proposed: validates, with the proposals in their own graph
    index = _index(project)
    # Oleg Varin is only proposed (unreviewed): not a name to link later articles to
    assert not [e for e in index.entries.values() if "Varin" in e.label]

    _add(project, "second", SECOND)
    _kg("extract", "--format", "json")
    _check_references(project, set(index.entries))
    files = {cf.document["id"]: cf for cf in read_folder(project / "data" / "extracted")}
    second = next(cf for doc_id, cf in files.items() if "hearing" in doc_id)
    labels = {e["label"] if isinstance(e, dict) else e.label for e in second.entities}
    assert "Oleg Varin" in labels  # proposed again here, not linked to the other file's guess
    _kg("build")
