"""Remote stores side by side: build and catalogue queries on the local Oxigraph folder, an
`oxigraph serve` and Virtuoso Open Source 7, with each server's own bulk loader as the floor.

    .venv/bin/python -m benchmarks.remote --sizes 1e5,1e6 [--growth 1e5,1e6,5e6] [--reps 5]

For each size: the synthetic corpus (benchmarks/generate.py) is built
- into a local store (`kg build --store PATH`), the reference;
- into each server (`kg build --store sparql+http://…`, a new server with an empty database);
then the floor of loading: the same N-Quads loaded by the engine alone (pyoxigraph's
`bulk_load` for the local store, `oxigraph load` into the server's folder, Virtuoso's
`ld_dir` + `rdf_loader_run`); then every catalogue query on each (median and p95 of --reps
runs after a warm-up, each task in a fresh process); then an incremental rebuild. With
--growth, builds into the fastest server at those sizes give its growth exponent.
Writes benchmarks/results/remote-<name>.json and benchmarks/RESULTS-remote.md.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.run import _label, _size, task  # noqa: E402
from tests import servers  # noqa: E402

ENGINES = ("oxigraph-server", "virtuoso")


def start(engine: str, folder: Path):
    if engine == "oxigraph-server":
        # its default graph the union of the named graphs: kg-builder then names no dataset
        # (a stock server's queries name every graph: 10-35x slower at 10^5 quads, measured in
        # results/remote-first-run.json)
        return servers.start_oxigraph(folder, union_default_graph=True, start_timeout=300)
    return servers.start_virtuoso(folder)


def floor_load(engine: str, dump: Path, folder: Path) -> dict:
    """The engine's own bulk loader on the same N-Quads, the server stopped or idle."""
    started = time.perf_counter()
    if engine == "oxigraph-server":
        binary = servers.oxigraph_binary()
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([binary, "load", "--location", str(folder / "db"), "--file", str(dump)],
                       check=True, capture_output=True)
        return {"seconds": time.perf_counter() - started}
    srv = servers.start_virtuoso(folder)
    try:
        shutil.copy(dump, srv.load / "kg.nq")
        started = time.perf_counter()
        srv.bulk_load("*.nq")
        return {"seconds": time.perf_counter() - started}
    finally:
        srv.stop()


def run_size(n: int, work: Path, reps: int, budget: float, seed: int) -> dict:
    from benchmarks.generate import generate
    from kg_builder.queries import Catalogue

    folder = work / _label(n)
    shutil.rmtree(folder, ignore_errors=True)
    generate(folder, n, seed=seed)
    corpus, data = str(folder / "corpus"), str(folder / "data")
    dump = folder / "kg.nq"
    out: dict = {"target_quads": n}
    local = str(folder / "local")
    out["local"] = {"build": task("build", {"corpus": corpus, "data": data, "store": local,
                                            "dump": str(dump)})}
    out["quads"] = out["local"]["build"].get("quads")
    out["local"]["floor"] = task("load", {"backend": "oxigraph", "nquads": str(dump),
                                          "store": str(folder / "loaded")})
    shutil.rmtree(folder / "loaded", ignore_errors=True)
    names = Catalogue(str(HERE.parent / "queries")).names()

    def queries(backend: str, store: str) -> dict:
        found = {}
        for name in names:
            try:
                res = task("queries", {"backend": backend, "store": store, "reps": reps,
                                       "budget": budget, "only": name,
                                       "queries": str(HERE.parent / "queries")},
                           timeout=budget * 3 + 120)
                found.update(res.get("queries", {}) or {name: res})
            except subprocess.TimeoutExpired:
                found[name] = {"timeout_s": budget}
        return found

    out["local"]["queries"] = queries("oxigraph", local)
    for engine in ENGINES:
        missing = (servers.oxigraph_available() if engine == "oxigraph-server"
                   else servers.virtuoso_available())
        if missing:
            out[engine] = {"skipped": missing}
            continue
        srv = start(engine, folder / engine)
        store = "sparql+" + srv.query_url
        try:
            entry = {"build": task("build", {"corpus": corpus, "data": data, "store": store})}
            entry["queries"] = queries("remote", store)
            entry["incremental"] = task("incremental", {"corpus": corpus, "data": data,
                                                        "store": store})
        finally:
            srv.stop()
        entry["floor"] = floor_load(engine, dump, folder / f"{engine}-floor")
        out[engine] = entry
    shutil.rmtree(folder, ignore_errors=True)
    return out


def growth(sizes: list[int], engine: str, work: Path, seed: int) -> list[dict]:
    from benchmarks.generate import generate

    rows = []
    for n in sizes:
        folder = work / f"growth-{_label(n)}"
        shutil.rmtree(folder, ignore_errors=True)
        generate(folder, n, seed=seed)
        srv = start(engine, folder / engine)
        try:
            res = task("build", {"corpus": str(folder / "corpus"), "data": str(folder / "data"),
                                 "store": "sparql+" + srv.query_url}, timeout=7200)
        finally:
            srv.stop()
        rows.append({"target_quads": n, **res})
        shutil.rmtree(folder, ignore_errors=True)
    return rows


# -- the report ---------------------------------------------------------------------------------
def _s(x) -> str:
    return "–" if x is None else f"{x:.2f}"


def _ms(q: dict | None) -> str:
    if not q:
        return "–"
    if "timeout_s" in q:
        return f"> {q['timeout_s'] * 1000:.0f} (stopped)"
    if "error" in q:
        return "error"
    return f"{q['median_ms']:.1f} / {q['p95_ms']:.1f}"


def report(results: list[dict], grow: list[dict], meta: dict) -> str:
    lines = ["# Remote stores: build and queries on SPARQL servers", "",
             f"Run {meta['date']} on {meta['machine']}; `python -m benchmarks.remote "
             f"{meta['argv']}`. Seconds; queries in ms, median / p95. The floor of a build is "
             "the engine's own bulk loader on the same N-Quads (no kg-builder code).", ""]
    for r in results:
        q = r.get("quads") or r["target_quads"]
        lines += [f"## {q:,} quads", "",
                  "| task | local Oxigraph | oxigraph serve --union-default-graph | Virtuoso 7 |",
                  "|---|---|---|---|"]
        cells = []
        for key in ("local", *ENGINES):
            e = r.get(key, {})
            cells.append(e)
        lines.append("| build | " + " | ".join(_s(e.get("build", {}).get("seconds"))
                                               for e in cells) + " |")
        lines.append("| floor: engine's bulk loader | " + " | ".join(
            _s(e.get("floor", {}).get("seconds")) for e in cells) + " |")
        lines.append("| build / floor | " + " | ".join(
            (f"{e['build']['seconds'] / e['floor']['seconds']:.1f}×"
             if e.get("build", {}).get("seconds") and e.get("floor", {}).get("seconds")
             else "–") for e in cells) + " |")
        lines.append("| rebuild, nothing changed | – | " + " | ".join(
            _s(e.get("incremental", {}).get("unchanged_seconds")) for e in cells[1:]) + " |")
        lines.append("| rebuild, one source edited | – | " + " | ".join(
            _s(e.get("incremental", {}).get("seconds")) for e in cells[1:]) + " |")
        names = sorted(cells[0].get("queries", {}))
        for name in names:
            lines.append(f"| `{name}` | " + " | ".join(
                _ms(e.get("queries", {}).get(name)) for e in cells) + " |")
        for key in ENGINES:
            if "skipped" in r.get(key, {}):
                lines.append(f"\n{key} skipped: {r[key]['skipped']}")
        lines.append("")
    if grow:
        lines += ["## Build growth on the fastest server", "", "| quads | build s | k |",
                  "|---|---|---|"]
        prev = None
        for g in grow:
            k = "–"
            if prev and g.get("seconds") and prev.get("seconds"):
                k = f"{math.log(g['seconds'] / prev['seconds']) / math.log(g['quads'] / prev['quads']):.2f}"
            lines.append(f"| {g.get('quads', g['target_quads']):,} | {_s(g.get('seconds'))} | {k} |")
            prev = g
        lines.append("")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1e5,1e6")
    parser.add_argument("--growth", default="", help="sizes for the growth run, e.g. 1e5,1e6,5e6")
    parser.add_argument("--growth-engine", default="oxigraph-server", choices=ENGINES)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work", default="/tmp/kg-bench-remote")
    parser.add_argument("--name", default="latest")
    parser.add_argument("--markdown", default=str(HERE / "RESULTS-remote.md"))
    args = parser.parse_args(argv)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    results = [run_size(_size(s), work, args.reps, args.budget, args.seed)
               for s in args.sizes.split(",") if s]
    grow = growth([_size(s) for s in args.growth.split(",") if s], args.growth_engine, work,
                  args.seed)
    meta = {"date": time.strftime("%Y-%m-%d"), "machine": f"{platform.machine()}, "
            f"{__import__('os').cpu_count()} cores", "argv": " ".join(argv or sys.argv[1:])}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / f"remote-{args.name}.json").write_text(
        json.dumps({"meta": meta, "sizes": results, "growth": grow}, indent=1), "utf-8")
    text = report(results, grow, meta)
    Path(args.markdown).write_text(text + "\n", "utf-8")
    print(text)


if __name__ == "__main__":
    main()
