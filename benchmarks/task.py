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


def validate(args: dict) -> dict:
    PROJECT_DIR = Path(__file__).resolve().parent.parent  # the repository: the example project
    from kg_builder.ontology import load_ontology
    from kg_builder.validate import merged_graph, run_hygiene, run_shacl, run_shacl_in_store

    onto = load_ontology(PROJECT_DIR / "ontology")
    shapes = PROJECT_DIR / "ontology" / "shapes.ttl"
    store, _ = _open(args)
    started = time.perf_counter()
    if args["backend"] == "rdflib":
        problems = run_shacl(merged_graph(store.dataset), shapes, onto)
    else:
        problems = run_shacl_in_store(store, shapes, onto)
    problems += run_hygiene(store, PROJECT_DIR / "queries" / "checks")
    return {
        "seconds": time.perf_counter() - started,
        "errors": sum(p.severity == "error" for p in problems),
    }


def export_nquads(args: dict) -> dict:
    store, _ = _open(args)
    started = time.perf_counter()
    if args["backend"] == "rdflib":
        store.dataset.serialize(args["out"], format="nquads")
    else:
        store.dump(Path(args["out"]), "nquads")
    return {"seconds": time.perf_counter() - started, "bytes": Path(args["out"]).stat().st_size}


def incremental(args: dict) -> dict:
    """Edit one source's facts (a note), then build again: what an everyday rebuild costs."""
    from kg_builder.pipeline import build as kg_build
    from kg_builder.pipeline import make_settings

    facts = sorted(Path(args["data"], "facts").glob("*.yaml"))[0]
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text + "\n# a comment\n", encoding="utf-8")
    # a comment changes nothing in the graph: the build must find every graph unchanged
    settings = make_settings(
        corpus=args["corpus"], data_dir=args["data"], store=args["store"], check_owl=False
    )
    started = time.perf_counter()
    unchanged = kg_build(settings, validate=False, write=False)
    t_unchanged = time.perf_counter() - started
    edited = text.replace(
        "\n    evidence:", "\n    note: edited by the benchmark\n    evidence:", 1
    )
    facts.write_text(edited, encoding="utf-8")
    started = time.perf_counter()
    changed = kg_build(settings, validate=args.get("validate", False), write=False)
    t_changed = time.perf_counter() - started
    facts.write_text(text, encoding="utf-8")
    return {
        "seconds": t_changed,
        "unchanged_seconds": t_unchanged,
        "unchanged_up_to_date": unchanged.stats.up_to_date,
        "graphs_written": len(changed.stats.changed),
        "quads_written": changed.stats.quads_written,
        "phases": changed.stats.seconds,
    }


TASKS = {
    "build": build,
    "load": load,
    "queries": queries,
    "validate": validate,
    "export-nquads": export_nquads,
    "incremental": incremental,
}


def main() -> None:
    task, raw = sys.argv[1], sys.argv[2]
    result = TASKS[task](json.loads(raw))
    result["peak_mb"] = _peak_mb()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
