"""Benchmark: every catalogue query through kg-builder, side by side with the same query run
directly on pyoxigraph (the floor: what the engine itself costs).

    .venv/bin/python -m benchmarks.query_floor --store /tmp/kgdev/1e6/store --reps 10

For each query of the catalogue (queries/*.rq), with the synthetic data's parameter values of
benchmarks/params.json (bound as benchmarks.task binds them):

- kg-builder: `kg_builder.queries.run(store, query, params)`, parameters resolved, the answer
  read in full as a caller reads it (every term of every row touched);
- direct: the same text, with the same resolved terms as `substitutions`, the same prefixes
  and the union default graph, through `pyoxigraph.Store.query`; every solution's terms
  touched (`.value`), no rdflib terms made;
- resolve: the time of the parameter resolution alone (`queries.bind`: an entity named by
  label becomes its IRI), which kg-builder pays and the direct run does not.

The two runs alternate in the same process (which runs first changes every repetition), after
one warm-up each, so that a busy machine slows both alike. Medians of `reps` repetitions (fewer
when a query's repetitions pass `budget` seconds; a quick query gets more, up to 20 x reps in
about 2 s). The columns: kg-builder and direct medians (ms) and their ratio; `paired`, the
median of each repetition's own ratio; `cpu ratio`, the same of the process's CPU time (every
thread; what waiting for a core on a busy machine does not change); the resolution's median
and the ratio without it (kg-builder's median less the resolution's, over direct's).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT_DIR = HERE.parent


def _touch_rows(rows) -> int:
    """Read every term of an answer's rows as a caller would; the number of rows."""
    n = 0
    for row in rows:
        for t in row:
            if t is not None:
                str(t)
        n += 1
    return n


def _kg(run, store, q, given, budget) -> int:
    result = run(store, q, given, timeout=budget)
    answer = result.answer
    if answer.form == "SELECT":
        return _touch_rows(answer.rows)
    if answer.form == "ASK":
        return 1
    return sum(1 for _ in answer.graph)


def _direct(raw, ox, text, subs, prefixes) -> int:
    result = raw.query(
        text, substitutions=subs or None, prefixes=prefixes, use_default_graph_as_union=True
    )
    if isinstance(result, ox.QueryBoolean):
        bool(result)
        return 1
    n = 0
    if isinstance(result, ox.QueryTriples):
        for t in result:
            t.subject.value, t.predicate.value, t.object.value  # noqa: B018 - touched
            n += 1
        return n
    for sol in result:
        for t in sol:
            if t is not None:
                t.value  # noqa: B018 - touched
        n += 1
    return n


def measure(
    store_path, queries_dir, params: dict, reps: int = 10, budget: float = 60.0, *, only=None
) -> dict:
    """Per catalogue query: kg-builder and direct median ms, the resolution's median ms, their
    ratio and the rows each returned (they must agree), or the error. `only`: some names."""
    import pyoxigraph as ox

    from benchmarks.task import first_person_where_missing
    from kg_builder.queries import PREFIX_MAP, Catalogue, QueryFailed, QueryUsageError, bind, run
    from kg_builder.store import OxigraphStore, to_ox

    params = json.loads(json.dumps(params))  # first_person_where_missing edits it
    store = OxigraphStore(store_path)
    raw = store.raw
    catalogue = Catalogue(queries_dir)
    first_person_where_missing(store, params)
    out: dict = {}
    try:
        for name in catalogue.names():
            if only and name not in only:
                continue
            q = catalogue.get(name)
            given = params.get(name, {})
            try:
                bindings = bind(store, q, q.text, given)
            except QueryUsageError as exc:
                out[name] = {"error": str(exc)[:200]}
                continue
            subs = {ox.Variable(k): to_ox(v) for k, v in bindings.items()}
            times: dict[str, list] = {"kg": [], "direct": [], "resolve": []}
            cpu: dict[str, list] = {"kg": [], "direct": []}
            rows = direct_rows = None
            spent = 0.0
            rounds = reps + 1  # the first round warms caches, not counted
            try:
                i = 0
                while i < rounds:
                    for which in ("kg", "direct") if i % 2 else ("direct", "kg"):
                        started, cpu_started = time.perf_counter(), time.process_time()
                        if which == "kg":
                            rows = _kg(run, store, q, given, budget)
                        else:
                            direct_rows = _direct(raw, ox, q.text, subs, PREFIX_MAP)
                        elapsed = time.perf_counter() - started
                        spent += elapsed
                        if i:
                            times[which].append(elapsed)
                            cpu[which].append(time.process_time() - cpu_started)
                    started = time.perf_counter()
                    bind(store, q, q.text, given)
                    if i:
                        times["resolve"].append(time.perf_counter() - started)
                    if spent > budget and len(times["kg"]) >= 2:
                        break
                    if i == 1:  # a quick query gets more rounds (up to 20 x reps, in about
                        pair_s = times["kg"][0] + times["direct"][0]  # 2 s): steadier medians
                        rounds = 1 + max(reps, min(20 * reps, int(2.0 / pair_s)))
                    i += 1
            except (QueryFailed, QueryUsageError) as exc:
                out[name] = {"error": str(exc)[:200]}
                continue
            kg_ms, direct_ms, resolve_ms = (
                statistics.median(times[k]) * 1000 for k in ("kg", "direct", "resolve")
            )
            out[name] = {
                "kg_ms": kg_ms,
                "direct_ms": direct_ms,
                "resolve_ms": resolve_ms,
                "ratio": kg_ms / direct_ms,
                # each repetition's own ratio (kg and direct ran side by side): less moved by
                # a machine that is busy for part of the run
                "paired_ratio": statistics.median(
                    k / d for k, d in zip(times["kg"], times["direct"], strict=True)
                ),
                # the CPU time of the process (every thread): what waiting for a core on a
                # busy machine does not change
                "cpu_ratio": statistics.median(cpu["kg"])
                / max(statistics.median(cpu["direct"]), 1e-6),
                "ratio_without_resolve": (kg_ms - resolve_ms) / direct_ms,
                "rows": rows,
                "direct_rows": direct_rows,
                "runs": len(times["kg"]),
            }
    finally:
        store.close()
    return out


def table(results: dict, title: str = ""):
    from rich.table import Table

    t = Table(title=title or None, title_justify="left")
    for col in (
        "query",
        "kg-builder ms",
        "direct ms",
        "ratio",
        "paired",
        "cpu ratio",
        "resolve ms",
        "ratio w/o resolve",
        "rows",
    ):
        t.add_column(col, justify="left" if col == "query" else "right")
    for name, r in results.items():
        if "error" in r:
            t.add_row(name, "error", r["error"][:60], *[""] * 6)
            continue
        rows = (
            str(r["rows"]) if r["rows"] == r["direct_rows"] else f"{r['rows']} ≠ {r['direct_rows']}"
        )
        t.add_row(
            name,
            f"{r['kg_ms']:.1f}",
            f"{r['direct_ms']:.1f}",
            f"{r['ratio']:.2f}",
            f"{r['paired_ratio']:.2f}",
            f"{r['cpu_ratio']:.2f}",
            f"{r['resolve_ms']:.2f}",
            f"{r['ratio_without_resolve']:.2f}",
            rows,
        )
    return t


def main(argv=None) -> None:
    from rich.console import Console

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", default="/tmp/kgdev/1e6/store", help="a built store folder")
    ap.add_argument("--queries", default=str(PROJECT_DIR / "queries"), help="catalogue folder")
    ap.add_argument("--params", default=str(HERE / "params.json"))
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--budget", type=float, default=30.0, help="seconds per query, all runs")
    ap.add_argument("--only", default=None, help="one query (comma-separated: several)")
    ap.add_argument("--json", default=None, help="also write the figures to this file")
    args = ap.parse_args(argv)
    params = json.loads(Path(args.params).read_text(encoding="utf-8"))
    only = set(args.only.split(",")) if args.only else None
    results = measure(args.store, args.queries, params, args.reps, args.budget, only=only)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    Console(highlight=False, width=140).print(
        table(results, f"{args.store}, medians of {args.reps} runs")
    )


if __name__ == "__main__":
    main()
