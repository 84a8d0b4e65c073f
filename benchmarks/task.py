"""One measured task, run in a fresh process so that its peak memory is its own.

    python -m benchmarks.task TASK '{"json": "arguments"}'

prints one JSON object: {"seconds": ..., "peak_mb": ..., ...task figures}. `benchmarks.run`
calls it for every task, backend and size.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent  # the repository: the example project


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(args: dict) -> dict:
    from kg_builder.pipeline import build as kg_build
    from kg_builder.pipeline import make_settings

    settings = make_settings(
        corpus=args["corpus"], data_dir=args["data"], store=args["store"], check_owl=False
    )
    started = time.perf_counter()
    result = kg_build(settings, validate=args.get("validate", False), write=False)
    seconds = time.perf_counter() - started
    out = {"seconds": seconds, "quads": result.stats.quads, "phases": result.stats.seconds}
    if args.get("dump") and not settings.in_memory:
        result.store().dump(Path(args["dump"]), "nquads")
    return out


def load(args: dict) -> dict:
    path = args["nquads"]
    started = time.perf_counter()
    if args["backend"] == "rdflib":
        from rdflib import Dataset

        ds = Dataset()
        ds.parse(path, format="nquads")
        n = len(list(ds.quads((None, None, None, None))))
    else:
        import pyoxigraph as ox

        store = ox.Store(args["store"])
        store.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)
        store.flush()
        n = len(store)
    return {"seconds": time.perf_counter() - started, "quads": n}


def _open(args: dict):
    """The graph as the backend holds it (the time to open it is reported too)."""
    started = time.perf_counter()
    if args["backend"] == "rdflib":
        from rdflib import Dataset

        from kg_builder.store import MemoryStore

        ds = Dataset()
        ds.parse(args["nquads"], format="nquads")
        store = MemoryStore(ds)
    elif args["backend"] == "remote":  # a SPARQL server: sparql+http://…
        from kg_builder.remote.store import RemoteStore

        store = RemoteStore(args["store"])
    else:
        from kg_builder.store import OxigraphStore

        store = OxigraphStore(args["store"])
    return store, time.perf_counter() - started


def first_person_where_missing(store, params: dict) -> None:
    """The synthetic people of params.json exist at some sizes and seeds only: where the name
    names nobody, the first person by IRI is bound instead (the same one on every backend)."""
    from kg_builder.queries import PREFIX_MAP, QueryUsageError, resolve_entity

    first = None
    for values in params.values():
        if "person" not in values:
            continue
        try:
            resolve_entity(store, "person", values["person"])
        except QueryUsageError:
            if first is None:
                rows = store.select("SELECT ?e WHERE { ?e a kg:Person } ORDER BY ?e LIMIT 1",
                                    prefixes=PREFIX_MAP)
                first = str(rows[0]["e"]) if rows else values["person"]
            values["person"] = first


def queries(args: dict) -> dict:
    """Every catalogue query through the library API (parameters resolved and bound, as
    `kg query run` does), with the synthetic data's parameter values of benchmarks/params.json."""
    from kg_builder.queries import Catalogue, QueryFailed, QueryTimeout, QueryUsageError, run

    store, open_seconds = _open(args)
    reps = int(args.get("reps", 10))
    budget = float(args.get("budget", 60.0))  # seconds per query, all repetitions
    catalogue = Catalogue(args.get("queries"))
    params = json.loads((Path(__file__).parent / "params.json").read_text(encoding="utf-8"))
    names = catalogue.names()
    first_person_where_missing(store, params)
    if args.get("only"):
        names = [n for n in names if n == args["only"]]
    out = {}
    for name in names:
        q = catalogue.get(name)
        times = []
        rows = None
        spent = 0.0
        for _ in range(reps + 1):  # the first run warms caches and is not counted
            started = time.perf_counter()
            try:
                rows = len(run(store, q, params.get(name, {}), timeout=budget))
            except QueryTimeout:
                out[name] = {"timeout_s": budget}
                break
            except (QueryFailed, QueryUsageError) as exc:
                out[name] = {"error": str(exc)[:200]}
                break
            elapsed = time.perf_counter() - started
            spent += elapsed
            times.append(elapsed)
            if spent > budget and len(times) >= 2:
                break
        if name in out:
            continue
        counted = times[1:] if len(times) > 1 else times
        counted.sort()
        out[name] = {
            "median_ms": statistics.median(counted) * 1000,
            "p95_ms": counted[min(len(counted) - 1, int(round(0.95 * (len(counted) - 1))))] * 1000,
            "runs": len(counted),
            "rows": rows,
        }
    return {"open_seconds": open_seconds, "queries": out}


def _rules():
    """The shipped shapes, hygiene checks and rules digest, as a build without a project of
    its own uses them."""
    from kg_builder import resources, revalidate
    from kg_builder.ontology import load_ontology
    from kg_builder.validate import shapes_graph

    ontology_dir = resources.ontology_dir()
    shapes_path = ontology_dir / "shapes.ttl"
    checks = sorted((resources.queries_dir() / "checks").glob("*.rq"))
    shapes = shapes_graph(shapes_path, load_ontology(ontology_dir))
    return shapes, checks, revalidate.rules_digest([shapes_path, *checks])


def validate(args: dict) -> dict:
    """The validation a full build runs (SHACL compiled to SPARQL, the hygiene checks, the
    findings with their scopes), or pySHACL + the hygiene checks for the rdflib baseline."""
    from kg_builder import revalidate
    from kg_builder.ontology import load_ontology
    from kg_builder.validate import merged_graph, run_hygiene, run_shacl

    store, _ = _open(args)
    if args["backend"] == "rdflib":
        from kg_builder import resources

        onto = load_ontology(resources.ontology_dir())
        started = time.perf_counter()
        shapes_path = resources.ontology_dir() / "shapes.ttl"
        problems = run_shacl(merged_graph(store.dataset), shapes_path, onto)
        problems += run_hygiene(store, resources.queries_dir() / "checks")
        return {"seconds": time.perf_counter() - started,
                "errors": sum(p.severity == "error" for p in problems)}
    shapes, checks, digest = _rules()
    started = time.perf_counter()
    record = revalidate.validate(store, shapes, checks, digest)
    return {
        "seconds": time.perf_counter() - started,
        "errors": sum(p.severity == "error" for p in record.problems),
    }


def floor_validate(args: dict) -> dict:
    """The floor of validation: the compiled SHACL queries alone, on pyoxigraph, each answer
    read through (compiled before the clock starts; no hygiene checks, no term conversion)."""
    import pyoxigraph as ox

    from kg_builder.shaclsparql import PREAMBLE, compile_shapes
    from kg_builder.store import StoreFolder

    shapes, _checks, _digest = _rules()
    queries = [PREAMBLE + cq.sparql for cq in compile_shapes(shapes)]
    raw = ox.Store.read_only(str(StoreFolder(args["store"]).current() / "db"))
    started = time.perf_counter()
    rows = 0
    for text in queries:
        for solution in raw.query(text, use_default_graph_as_union=True):
            rows += 1
            for term in solution:
                if term is not None:
                    term.value  # noqa: B018 - read as a caller would
    return {"seconds": time.perf_counter() - started, "queries": len(queries), "rows": rows}


def floor_build(args: dict) -> dict:
    """The floor of a build: pyoxigraph's bulk_load of the build's own N-Quads into a new
    on-disk store (one call, as the engine's documentation shows it), plus reading the curated
    YAML and CSV files with PyYAML (libyaml) and the csv module alone."""
    import csv

    import pyoxigraph as ox
    import yaml

    started = time.perf_counter()
    store = ox.Store(args["store"])
    store.bulk_load(path=args["nquads"], format=ox.RdfFormat.N_QUADS)
    store.flush()
    quads = len(store)
    del store
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    files = 0
    for path in sorted(Path(args["data"]).rglob("*")):
        if path.suffix in (".yaml", ".yml"):
            yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)  # noqa: S506
        elif path.suffix == ".csv":
            with open(path, newline="", encoding="utf-8") as fh:
                list(csv.DictReader(fh))
        else:
            continue
        files += 1
    parse_s = time.perf_counter() - started
    out = {"seconds": load_s + parse_s, "load_seconds": load_s, "parse_seconds": parse_s,
           "files": files, "quads": quads}
    if args.get("chunked", True):
        out["chunked_load_seconds"] = _chunked_load(args["nquads"], args["store"] + "-chunked")
    return out


def _chunked_load(nquads: str, folder: str, chunk: int = 100_000) -> float:
    """The same N-Quads bulk-loaded in chunks of `chunk` lines, then optimized, as a full
    build loads them (storewrite.ChunkedLoader, without its overlap with generation)."""
    import itertools
    import shutil

    import pyoxigraph as ox

    scratch = Path(folder + ".nq")
    started = time.perf_counter()
    store = ox.Store(folder)
    with open(nquads, "rb") as src:
        while lines := list(itertools.islice(src, chunk)):
            scratch.write_bytes(b"".join(lines))
            store.bulk_load(path=str(scratch), format=ox.RdfFormat.N_QUADS)
    store.flush()
    store.optimize()
    seconds = time.perf_counter() - started
    del store
    scratch.unlink(missing_ok=True)
    shutil.rmtree(folder, ignore_errors=True)
    return seconds


def queries_floor(args: dict) -> dict:
    """Catalogue queries through kg-builder side by side with pyoxigraph directly (one query
    per process: a runaway is killed by the runner)."""
    from benchmarks.query_floor import measure

    params = json.loads((Path(__file__).parent / "params.json").read_text(encoding="utf-8"))
    only = [args["only"]] if args.get("only") else None
    return {"queries": measure(args["store"], args["queries"], params, int(args.get("reps", 10)),
                               float(args.get("budget", 60)), only=only)}


def export_nquads(args: dict) -> dict:
    """`kg export --format nquads` (canonical blank nodes, sorted lines, written atomically),
    or rdflib's serializer for the baseline."""
    store, _ = _open(args)
    started = time.perf_counter()
    if args["backend"] == "rdflib":
        store.dataset.serialize(args["out"], format="nquads")
    else:
        from kg_builder.export.rdf import export_rdf

        export_rdf(store, "nquads", Path(args["out"]))
    return {"seconds": time.perf_counter() - started, "bytes": Path(args["out"]).stat().st_size,
            "lines": _lines(args["out"])}


def _lines(path) -> int:
    with open(path, "rb") as fh:
        return sum(1 for _ in fh)


def floor_export(args: dict) -> dict:
    """The floor of the export: pyoxigraph's own N-Quads dump of the store."""
    import pyoxigraph as ox

    from kg_builder.store import StoreFolder

    raw = ox.Store.read_only(str(StoreFolder(args["store"]).current() / "db"))
    started = time.perf_counter()
    raw.dump(args["out"], ox.RdfFormat.N_QUADS)
    return {"seconds": time.perf_counter() - started, "bytes": Path(args["out"]).stat().st_size,
            "lines": _lines(args["out"])}


def incremental(args: dict) -> dict:
    """Edit one source's facts, then build again, validated: what an everyday rebuild costs.

    The benchmark's build is not validated, so a first edit is built with a full validation
    (which records its findings); then a comment only (nothing in the graph changes: nothing
    may be written); then a second edit, validated incrementally."""
    from kg_builder.pipeline import build as kg_build
    from kg_builder.pipeline import make_settings

    facts = sorted(Path(args["data"], "facts").glob("*.yaml"))[0]
    text = facts.read_text(encoding="utf-8")
    settings = make_settings(
        corpus=args["corpus"], data_dir=args["data"], store=args["store"], check_owl=False
    )

    def edit(note: str) -> str:
        return text.replace("\n    evidence:", f"\n    note: {note}\n    evidence:", 1)

    def timed():
        started = time.perf_counter()
        result = kg_build(settings, validate=True, write=False)
        return result, time.perf_counter() - started

    try:
        facts.write_text(edit("first edit by the benchmark"), encoding="utf-8")
        first, t_first = timed()
        facts.write_text(edit("first edit by the benchmark") + "\n# a comment\n",
                         encoding="utf-8")
        unchanged, t_unchanged = timed()
        facts.write_text(edit("second edit by the benchmark"), encoding="utf-8")
        changed, t_changed = timed()
    finally:
        facts.write_text(text, encoding="utf-8")
    return {
        "seconds": t_changed,
        "unchanged_seconds": t_unchanged,
        "unchanged_up_to_date": unchanged.stats.up_to_date,
        "graphs_written": len(changed.stats.changed),
        "quads_written": changed.stats.quads_written,
        "validation": changed.stats.validation,
        "validate_seconds": changed.stats.seconds.get("validate"),
        "phases": changed.stats.seconds,
        "full_validation_seconds": first.stats.seconds.get("validate"),
        "full_validation_rebuild_seconds": t_first,
        "first_validation": first.stats.validation,
    }


TASKS = {
    "build": build,
    "floor-build": floor_build,
    "load": load,
    "queries": queries,
    "queries-floor": queries_floor,
    "validate": validate,
    "floor-validate": floor_validate,
    "export-nquads": export_nquads,
    "floor-export": floor_export,
    "incremental": incremental,
}


def main() -> None:
    task, raw = sys.argv[1], sys.argv[2]
    result = TASKS[task](json.loads(raw))
    result["peak_mb"] = _peak_mb()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
