"""`kg build --store sparql+http://…`: the incremental build into a remote SPARQL store.

As with the local store, every named graph is generated and hashed, and only the graphs whose
digest differs from the store's manifest are written (remote.build for how). The new version is
validated before anything of it is swapped in: the generated graphs go into a scratch
in-memory Oxigraph store where SHACL (compiled to SPARQL), OWL and the hygiene queries run, as
`kg validate` does; a build with errors changes nothing on the server.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..build import build_graphs, compare_graphs
from ..errors import GraphValidationError
from ..store import Manifest, OxigraphStore
from .build import RemoteWriter
from .store import RemoteStore


def build_in_remote(result, onto, write, validate, full, step, lap, *, info: dict,
                    check_store, write_outputs, break_lock=False) -> None:
    """The build of kg_builder.pipeline.build into a remote store. `info` is the builder's
    manifest info, `check_store` and `write_outputs` the pipeline's own validation and
    export steps (passed in: this module is below the pipeline)."""
    import pyoxigraph as ox

    settings = result.settings
    stats = result.stats
    step(f"connecting to {settings.store}")
    with RemoteWriter(settings.store, break_lock=break_lock, on_step=step) as writer:
        old = None if full else writer.manifest
        full = full or old is None or old.info != info
        old = writer.manifest  # a full build still drops the graphs the last one had
        stats.full = full
        step("building the RDF dataset")
        manifest = Manifest(info=info)
        scratch = ox.Store() if validate else None
        changed: dict[str, list[str]] = {}
        tmp_dir = tempfile.mkdtemp(prefix="kg-remote-build-")
        all_path = Path(tmp_dir) / "all.nq"
        try:
            with open(all_path, "w", encoding="utf-8") as all_fh:
                graphs = build_graphs(result.data, onto, settings.base_iri)
                last = None if full or old is None else old.graphs
                for g, differs in compare_graphs(graphs, manifest, stats, last):
                    all_fh.writelines(g.lines)
                    if scratch is not None:
                        scratch.load(input="".join(g.lines).encode("utf-8"),
                                     format=ox.RdfFormat.N_QUADS)
                    if differs:
                        changed[g.name] = list(g.lines)
            removed = sorted(set(old.graphs if old else ()) - set(manifest.graphs))
            stats.removed = removed
            lap("generate")
            if validate and (changed or removed or full):
                step("validating (SHACL in the store, OWL, hygiene queries)")
                staged = OxigraphStore.wrap(scratch)
                graph_problems, result.owl = check_store(staged, settings, onto)
                result.problems += graph_problems
                lap("validate")
                if any(p.severity == "error" for p in graph_problems):
                    raise GraphValidationError(result.problems)
            scratch = None
            if not changed and not removed and old is not None and not full:
                step("up to date")
            else:
                writer.plan(changed)
                for index, (name, lines) in enumerate(changed.items()):
                    step(f"writing graph {index + 1}/{len(changed)} ({len(lines):,} quads)")
                    writer.stage(name, lines)
                lap("store")
                step("swapping the new graphs in")
                writer.commit(manifest, removed)
                lap("store")
            result._store = RemoteStore(settings.store, endpoints=writer.endpoints,
                                        client=writer.client)
            if write:
                step("writing outputs")
                result.outputs = write_outputs(all_path, settings.out_dir)
                lap("export")
        finally:
            if all_path.exists():
                os.unlink(all_path)
            os.rmdir(tmp_dir)
