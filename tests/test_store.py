"""The on-disk Oxigraph store: incremental builds, atomic generations, and every bad store.

Real stores in real folders, real processes for locks and crashes, a real full disk (tmpfs).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg_builder import build, make_settings
from kg_builder.cli import main
from kg_builder.errors import StoreError
from kg_builder.store import OxigraphStore, StoreFolder

from .conftest import CORPUS_QUADS

SOURCE_000 = "000_15c30f71e5ccaca9"
GRAPH_000 = f"https://w3id.org/kg-builder/graph/{SOURCE_000}/curated"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _settings(store, corpus_dir, data_dir=None, out=None):
    return make_settings(
        corpus=corpus_dir, data_dir=data_dir, store=store, check_owl=False, out=out
    )


def _count(store_path) -> int:
    with OxigraphStore(store_path) as s:
        return int(s.select(COUNT)[0]["n"])


def _edit_note(curated: Path, new_note: str) -> None:
    path = curated / "facts" / f"{SOURCE_000}.yaml"
    text = path.read_text("utf-8")
    old = next(line for line in text.splitlines() if "note: The article gives no date" in line)
    path.write_text(text.replace(old, f"    note: {new_note}", 1), "utf-8")


@pytest.fixture
def store_path(tmp_path) -> Path:
    return tmp_path / "kg"


@pytest.fixture
def first_build(store_path, corpus_dir, curated_copy):
    result = build(_settings(store_path, corpus_dir, curated_copy), validate=False)
    assert result.stats.full and result.stats.generation == "gen-000001"
    return result


# -- incremental builds -----------------------------------------------------------------------
def test_unchanged_inputs_rewrite_nothing(first_build, store_path, corpus_dir, curated_copy):
    again = build(_settings(store_path, corpus_dir, curated_copy))
    assert again.stats.up_to_date and again.stats.quads_written == 0
    assert again.stats.generation == "gen-000001"
    assert len(again.store()) == len(first_build.store()) == CORPUS_QUADS


def test_one_changed_source_rewrites_only_its_graph(
    first_build, store_path, corpus_dir, curated_copy
):
    _edit_note(curated_copy, "Edited by the incremental-build test.")
    result = build(_settings(store_path, corpus_dir, curated_copy))
    assert not result.stats.full
    assert result.stats.changed == [GRAPH_000]
    assert result.stats.quads_written == 494 < result.stats.quads
    assert result.stats.generation == "gen-000002"
    store = result.store()
    assert store.ask(
        'ASK { ?st <https://w3id.org/kg-builder/ontology#note> "Edited by the incremental-build '
        'test."@en }'
    )
    assert not store.ask(
        "ASK { ?st <https://w3id.org/kg-builder/ontology#note> ?n FILTER(STRSTARTS(STR(?n), "
        '"The article gives no date for the announcement")) }'
    )
    assert len(store) == CORPUS_QUADS
    # only the new generation is kept
    assert [p.name for p in StoreFolder(store_path).generations()] == ["gen-000002"]


def test_incremental_equals_full_build(first_build, store_path, corpus_dir, curated_copy, tmp_path):
    _edit_note(curated_copy, "Another note.")
    build(_settings(store_path, corpus_dir, curated_copy), validate=False)
    fresh = tmp_path / "fresh"
    build(_settings(fresh, corpus_dir, curated_copy), validate=False)
    with OxigraphStore(store_path) as a, OxigraphStore(fresh) as b:
        assert a.manifest.graphs == b.manifest.graphs
        q = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(!isBlank(?s) && !isBlank(?o)) }"
        assert {tuple(r.values()) for r in a.select(q)} == {tuple(r.values()) for r in b.select(q)}


def test_removed_source_graph_is_dropped(first_build, store_path, corpus_dir, curated_copy):
    source = "004_778bbb137ffcf9e7"
    graph = f"https://w3id.org/kg-builder/graph/{source}/curated"
    (curated_copy / "facts" / f"{source}.yaml").unlink()
    # two events are dated only by that article: their dates become unknown
    events = curated_copy / "entities" / "events.yaml"
    text = events.read_text("utf-8")
    for eid in ("finland-entry-restriction-2022", "mikkonen-asylum-statement-2022"):
        text = text.replace(f"  - id: {eid}\n", f"  - id: {eid}\n    date: unknown\n")
    events.write_text(text, "utf-8")
    result = build(_settings(store_path, corpus_dir, curated_copy))
    assert result.stats.removed == [graph]
    assert graph not in URIRefs(result.store().graph_names())
    assert "https://w3id.org/kg-builder/graph/sources" in result.stats.changed


def URIRefs(names) -> set[str]:
    return {str(n) for n in names}


def test_other_base_iri_forces_a_full_build(first_build, store_path, corpus_dir, curated_copy):
    settings = _settings(store_path, corpus_dir, curated_copy)
    settings.base_iri = "https://example.org/kg/"
    result = build(settings, validate=False)
    assert result.stats.full
    assert result.store().ask("ASK { <https://example.org/kg/id/person/andrei-amonov> ?p ?o }")
    assert not result.store().ask(
        "ASK { <https://w3id.org/kg-builder/id/person/andrei-amonov> ?p ?o }"
    )


# -- failures leave the previous store usable ----------------------------------------------------
def test_failed_validation_keeps_the_previous_generation(
    first_build, store_path, corpus_dir, curated_copy
):
    from kg_builder import GraphValidationError

    # An entity with two labels (slipped in through the ontology graph) fails SHACL.
    settings = _settings(store_path, corpus_dir, curated_copy)
    settings.ontology_dir = _ontology_with_extra_label(curated_copy.parent)
    with pytest.raises(GraphValidationError):
        build(settings)
    with OxigraphStore(store_path) as s:
        assert s.generation.name == "gen-000001" and len(s) == CORPUS_QUADS
    assert [p.name for p in StoreFolder(store_path).generations()] == ["gen-000001"]


def _ontology_with_extra_label(where: Path) -> Path:
    """A copy of the ontology whose ontology graph gives kg:Person an entity-like label twice
    over (two rdfs:label on one typed entity makes SHACL fail)."""
    import shutil

    from tests.conftest import REPO as PROJECT_DIR

    dest = where / "ontology"
    shutil.copytree(PROJECT_DIR / "ontology", dest)
    with open(dest / "kg.ttl", "a", encoding="utf-8") as fh:
        fh.write(
            "\n<https://w3id.org/kg-builder/id/person/ghost> a kg:Person ;"
            ' rdfs:label "Ghost"@en , "Second label"@en .\n'
        )
    return dest


def test_interrupted_build_leaves_previous_store(
    first_build, store_path, corpus_dir, curated_copy, monkeypatch
):
    from kg_builder.storewrite import StoreWriter

    def interrupted(self, path):
        raise KeyboardInterrupt  # as if Ctrl-C arrived during the bulk load

    _edit_note(curated_copy, "Never committed.")
    monkeypatch.setattr(StoreWriter, "load_nquads", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(_settings(store_path, corpus_dir, curated_copy))
    with OxigraphStore(store_path) as s:
        assert s.generation.name == "gen-000001" and len(s) == CORPUS_QUADS
    assert [p.name for p in StoreFolder(store_path).generations()] == ["gen-000001"]


def test_killed_build_process_leaves_a_usable_store(
    first_build, store_path, corpus_dir, curated_copy
):
    """kill -9 a real `kg build` at several moments: the store always opens and holds either
    the old or the new build, and the next build succeeds."""
    _edit_note(curated_copy, "Killed mid-way.")
    cmd = [
        sys.executable,
        "-m",
        "kg_builder.cli",
        "build",
        "--store",
        str(store_path),
        "--data",
        str(curated_copy),
        "--corpus",
        str(corpus_dir),
        "--no-owl",
        "--no-export",
        "--full",
    ]
    for delay in (0.8, 1.2, 1.6, 2.0, 2.4):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert _count(store_path) == CORPUS_QUADS
    result = build(_settings(store_path, corpus_dir, curated_copy), validate=False)
    assert len(result.store()) == CORPUS_QUADS
    assert len(StoreFolder(store_path).generations()) == 1


# -- bad stores ----------------------------------------------------------------------------------
def test_missing_store_says_how_to_build_it(tmp_path):
    with pytest.raises(StoreError) as exc:
        OxigraphStore(tmp_path / "nowhere")
    assert "there is no store" in str(exc.value) and "kg build --store" in exc.value.fix


def test_locked_store_names_the_other_writer(first_build, store_path, corpus_dir, curated_copy):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from kg_builder.storewrite import StoreWriter\n"
            f"with StoreWriter({str(store_path)!r}):\n"
            "    print('locked', flush=True)\n"
            "    time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(StoreError) as exc:
            build(_settings(store_path, corpus_dir, curated_copy))
        assert "is locked" in str(exc.value) and f"pid {holder.pid}" in str(exc.value)
        # readers are not blocked by a writer
        assert _count(store_path) == CORPUS_QUADS
        result = CliRunner().invoke(
            main, ["build", "--store", str(store_path), "--data", str(curated_copy), "--no-owl"]
        )
        assert result.exit_code == 5 and "locked" in result.output
        assert "Traceback" not in result.output
    finally:
        holder.kill()
        holder.wait()
    # the lock dies with its process
    assert build(_settings(store_path, corpus_dir, curated_copy), validate=False).stats.up_to_date


def test_corrupt_database_is_reported_and_repaired_by_a_full_build(
    first_build, store_path, corpus_dir, curated_copy
):
    current = StoreFolder(store_path).current()
    (current / "db" / "CURRENT").write_text("garbage")
    with pytest.raises(StoreError) as exc:
        OxigraphStore(store_path)
    assert "corrupt" in str(exc.value) and "--full" in exc.value.fix
    result = CliRunner().invoke(main, ["stats", "--store", str(store_path)])
    assert result.exit_code == 5 and "corrupt" in result.output and "Traceback" not in result.output
    repaired = build(_settings(store_path, corpus_dir, curated_copy), validate=False, full=True)
    assert len(repaired.store()) == CORPUS_QUADS


def test_corrupt_manifest_is_reported(first_build, store_path):
    current = StoreFolder(store_path).current()
    (current / "manifest.json").write_text("{not json")
    with pytest.raises(StoreError) as exc:
        OxigraphStore(store_path)
    assert "manifest.json is unreadable" in str(exc.value)


def test_incompatible_layout_needs_a_full_rebuild(
    first_build, store_path, corpus_dir, curated_copy
):
    marker = store_path / "kg-store.json"
    marker.write_text(json.dumps({"format": "kg-builder-store", "layout": 99}))
    with pytest.raises(StoreError) as exc:
        OxigraphStore(store_path)
    assert "incompatible version" in str(exc.value) and "--full" in exc.value.fix
    with pytest.raises(StoreError):
        build(_settings(store_path, corpus_dir, curated_copy), validate=False)
    rebuilt = build(_settings(store_path, corpus_dir, curated_copy), validate=False, full=True)
    assert len(rebuilt.store()) == CORPUS_QUADS and OxigraphStore(store_path).manifest is not None


def test_unrelated_folder_is_never_overwritten(tmp_path, corpus_dir, curated_copy):
    folder = tmp_path / "thesis"
    folder.mkdir()
    (folder / "chapter1.tex").write_text("precious")
    for full in (False, True):
        with pytest.raises(StoreError) as exc:
            build(_settings(folder, corpus_dir, curated_copy), validate=False, full=full)
        assert "not a kg-builder store" in str(exc.value)
    assert [p.name for p in folder.iterdir()] == ["chapter1.tex"]


def test_a_file_is_not_a_store(tmp_path):
    path = tmp_path / "kg.nq"
    path.write_text("")
    result = CliRunner().invoke(main, ["stats", "--store", str(path), "--format", "json"])
    assert result.exit_code == 5
    data = json.loads(result.output)
    assert data["ok"] is False and "not a store folder" in data["error"] and data["fix"]


def test_disk_full_leaves_the_old_store_intact(tmp_path, corpus_dir, curated_copy):
    mount = tmp_path / "small-disk"
    mount.mkdir()
    ok = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)], capture_output=True
    )
    if ok.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        store = mount / "kg"
        out = mount / "exports"
        build(_settings(store, corpus_dir, curated_copy, out=out), validate=False, write=True)
        exports = {p.name: p.read_bytes() for p in out.iterdir()}
        # fill the disk, leaving too little room for a second generation
        free = os.statvfs(mount).f_bavail * os.statvfs(mount).f_frsize
        with open(mount / "filler", "wb") as fh:
            fh.write(b"\0" * max(free - 256 * 1024, 0))
        _edit_note(curated_copy, "No room for this.")
        with pytest.raises(StoreError) as exc:
            build(_settings(store, corpus_dir, curated_copy, out=out), full=True, write=True)
        assert "full" in str(exc.value) or "failed" in str(exc.value)
        (mount / "filler").unlink()
        assert _count(store) == CORPUS_QUADS
        with OxigraphStore(store) as s:
            assert s.generation.name == "gen-000001"
        assert {p.name: p.read_bytes() for p in out.iterdir()} == exports
        # with space again, the build goes through
        again = build(_settings(store, corpus_dir, curated_copy, out=out), validate=False)
        assert again.stats.changed == [GRAPH_000]
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_readers_keep_working_while_a_build_replaces_the_store(
    first_build, store_path, corpus_dir, curated_copy
):
    reader = OxigraphStore(store_path)
    _edit_note(curated_copy, "Swapped under a reader.")
    build(_settings(store_path, corpus_dir, curated_copy), validate=False, full=True)
    # the reader's generation was deleted from the folder, but its open files still answer
    assert int(reader.select(COUNT)[0]["n"]) == CORPUS_QUADS
    assert not reader.ask('ASK { ?s ?p "Swapped under a reader."@en }')
    assert OxigraphStore(store_path).ask('ASK { ?s ?p "Swapped under a reader."@en }')
    reader.close()
