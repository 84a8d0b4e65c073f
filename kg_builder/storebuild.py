"""Building into a local Oxigraph store: the next generation written beside the current one
(only the graphs that changed, or everything in a full build), validated there (incrementally
where it can be, see kg_builder.revalidate), then made current in one atomic step."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from . import revalidate
from .build import PREFIXES, IRIs, build_graphs, compare_graphs
from .errors import GraphValidationError, Problem
from .output import write_all
from .store import Manifest, OxigraphStore
from .storewrite import StoreWriter, disk_error
from .validate import hygiene_checks, run_owl, shapes_graph


def build_in_store(result, onto, write, validate, full, step, lap, info: dict) -> None:
    """The build into a local Oxigraph store (see kg_builder.pipeline.build): generate, compare
    with the manifest, write the next generation, validate it, make it current."""
    settings = result.settings
    stats = result.stats
    with StoreWriter(settings.store) as writer:
        writer.folder.claim(full)
        if result.corpus is not None and result.corpus.cache is not None:
            result.corpus.cache.save()
        old = None
        if not full and writer.folder.current():
            old = writer.folder.read_manifest()
        full = full or old is None or old.info != info
        stats.full = full
        manifest = Manifest(info=info)
        graphs = build_graphs(result.data, onto, settings.base_iri)
        pairs = compare_graphs(graphs, manifest, stats, None if full else old.graphs)
        tmp_dir = writer.folder.path
        changed_path = all_path = None
        try:
            if write:  # the full dump for exports, written alongside
                fd, all_path = tempfile.mkstemp(prefix=".all.", suffix=".nq", dir=tmp_dir)
                os.close(fd)
            dump = open(all_path, "w", encoding="utf-8") if write else None  # noqa: SIM115
            with dump or contextlib.nullcontext():
                if full:
                    # Every graph is written: generate and bulk-load at once (one core each).
                    step("building the RDF dataset into the store")
                    writer.begin(True)
                    with writer.loader() as load:
                        for g, _changed in pairs:
                            if dump:
                                dump.writelines(g.lines)
                            load(g.lines)
                        lap("generate")
                else:
                    # Only what changed is written: generate and compare everything first.
                    step("building the RDF dataset")
                    fd, changed_path = tempfile.mkstemp(
                        prefix=".changed.", suffix=".nq", dir=tmp_dir
                    )
                    with os.fdopen(fd, "w", encoding="utf-8") as changed_fh:
                        for g, changed in pairs:
                            if dump:
                                dump.writelines(g.lines)
                            if changed:
                                changed_fh.writelines(g.lines)
                    stats.removed = sorted(set(old.graphs) - set(manifest.graphs))
                    lap("generate")
            if stats.up_to_date:
                result._store = OxigraphStore(settings.store)
                stats.generation = result._store.generation.name
                step("up to date")
            else:
                if not full:
                    step(f"writing {stats.quads_written:,} quads into the store")
                    writer.begin(False)
                    writer.remove_graphs(stats.changed + stats.removed)
                    writer.load_nquads(Path(changed_path))
                lap("store")
                if validate:
                    step("validating (SHACL in the store, OWL, hygiene queries)")
                    graph_problems = _validate_staged(writer, result, onto, full, manifest)
                    result.problems += graph_problems
                    lap("validate")
                    if any(p.severity == "error" for p in graph_problems):
                        raise GraphValidationError(result.problems)
                gen = writer.commit(manifest)
                stats.generation = gen.name
                lap("store")
                result._store = OxigraphStore(settings.store)
            if write:
                step("writing outputs")
                result.outputs = write_outputs_from_store(Path(all_path), settings.out_dir)
                lap("export")
        except OSError as exc:  # the scratch files: a full disk, a read-only folder
            raise disk_error(writer.folder.path, exc) from exc
        finally:
            for path in (changed_path, all_path):
                if path:
                    Path(path).unlink(missing_ok=True)


def _validate_staged(writer, result, onto, full: bool, manifest) -> list[Problem]:
    """check_store on the generation being built, incremental where it can be (see
    kg_builder.revalidate); the findings are recorded in the generation for the next build."""
    settings, stats = result.settings, result.stats
    shapes_path = settings.ontology_dir / "shapes.ttl"
    checks = hygiene_checks(settings)
    rules = [shapes_path, *sorted(settings.ontology_dir.glob("*.ttl")),
             *settings.ontology_extensions, *checks]
    digest = revalidate.rules_digest(rules)
    previous = change = old_db = None
    current = writer.folder.current()
    if not full and current is not None:
        previous = revalidate.Record.read(current)
        iris = IRIs(settings.base_iri, onto)
        names = set(manifest.graphs) | set(stats.removed)
        change = revalidate.Change(
            graphs=set(stats.changed) | set(stats.removed),
            total_graphs=len(names),
            shared={g for g in names if not iris.is_source_graph(g)},
        )
        if revalidate.can_be_incremental(previous, change, digest):
            old_db = OxigraphStore(settings.store)._store
    staged = OxigraphStore.wrap(writer.db)
    record = revalidate.validate(staged, shapes_graph(shapes_path, onto), checks, digest,
                                 change, previous, old_db)
    stats.validation = {"mode": record.mode, "touched_nodes": record.touched_nodes}
    problems = record.problems
    if settings.check_owl:
        result.owl = run_owl(staged, onto)
        problems += result.owl.problems
    record.write(writer.gen)
    return problems


def write_outputs_from_store(all_nq: Path, out_dir: Path) -> list[Path]:
    """kg.nq is the builder's own deterministic dump; kg.ttl is its merged graph, streamed
    through Oxigraph's parser and Turtle serialiser (blank-node labels kept, so the bytes
    repeat)."""
    import shutil

    import pyoxigraph as ox

    def merged_triples():
        seen: set[str] = set()
        for quad in ox.parse(path=str(all_nq), format=ox.RdfFormat.N_QUADS):
            triple = quad.triple
            key = str(triple)
            if key not in seen:
                seen.add(key)
                yield triple

    def turtle(path: Path) -> None:
        prefixes = {k: str(v) for k, v in PREFIXES.items()}
        ox.serialize(merged_triples(), str(path), ox.RdfFormat.TURTLE, prefixes=prefixes)

    return write_all(
        out_dir,
        {"kg.nq": lambda p: shutil.copyfile(all_nq, p), "kg.ttl": turtle},
    )
