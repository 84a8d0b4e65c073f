"""Benchmarks: kg-builder side by side with the engine alone (the floor) and with rdflib.

    python -m benchmarks.run --sizes 1e5,1e6 --baseline-up-to 1e6
    python -m benchmarks.run --sizes 5e6 --name 5e6 --baseline-up-to 0
    python -m benchmarks.run --sizes 1e7 --name 1e7 --baseline-up-to 0
    python -m benchmarks.run --report-only --names latest,5e6,1e7     # RESULTS.md from all three

For each size it generates a synthetic corpus (benchmarks.generate, seeded), then runs every
task in its own process (so its peak memory is its own), each beside its floor — the same work
done by pyoxigraph alone on the same data:

| task | kg-builder | floor |
|---|---|---|
| build | `build(store=PATH)`: read and check the curated files and the corpus, generate N-Quads, bulk-load a new store generation | `Store.bulk_load` of the same N-Quads into a new on-disk store + reading the curated YAML/CSV with PyYAML and csv alone |
| validate | the validation a full build runs: SHACL compiled to SPARQL, hygiene checks, findings recorded | the compiled SHACL queries alone on pyoxigraph |
| rebuild | one source's facts edited, build with validation (incremental) | – (the full build and validation are the reference) |
| export | `kg export --format nquads` (canonical, sorted) | `Store.dump` to N-Quads |
| each catalogue query | `queries.run` (parameters resolved, answer as rdflib terms) | the same text and bindings on `Store.query`, every term read |

rdflib is kept as a second reference up to --baseline-up-to (in-memory Dataset, pySHACL up to
2x10^5 quads). Results go to benchmarks/results/<name>.json after every size (a long run that
stops keeps the sizes it finished) and to a Markdown report.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent
PROJECT_DIR = HERE.parent  # the repository: benchmarks and kg_builder import from here
console = Console(highlight=False)


def _size(text: str) -> int:
    return int(float(text))


def _label(n: int) -> str:
    exp = int(math.floor(math.log10(n)))
    mant = n / 10**exp
    return f"{mant:g}e{exp}" if mant != 1 else f"1e{exp}"


def task(name: str, args: dict, cwd: Path, timeout: float = 7200) -> dict:
    """One task in a fresh process, run in `cwd` (a folder without a kg.toml, so the tasks see
    no project of their own)."""
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(PROJECT_DIR)}
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks.task", name, json.dumps(args)],
            capture_output=True, text=True, cwd=cwd, timeout=timeout, env=env,
        )
    except subprocess.TimeoutExpired:
        return {"timeout_s": timeout}
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1][:300]}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = time.perf_counter() - started
    return result


PARTS = ("build", "queries", "validate", "export", "incremental", "rdflib")


def run_size(n: int, work: Path, baseline: bool, reps: int, seed: int, budget: float,
             parts=PARTS, previous: dict | None = None, keep: bool = False,
             checkpoint=lambda _out: None) -> dict:
    """Every part of the benchmark at one size. Without "build" in `parts`, the corpus and
    store kept by an earlier run (--keep) are reused and `previous` (its figures) completed.
    `checkpoint(out)` is called after every part, so that a run stopped midway keeps them."""
    from benchmarks.generate import generate
    from kg_builder.queries import Catalogue

    folder = work / _label(n)
    corpus, data = str(folder / "corpus"), str(folder / "data")
    store, dump = str(folder / "store"), str(folder / "kg.nq")

    def say(what: str) -> None:
        console.print(f"[bold]{_label(n)}[/] ({time.strftime('%H:%M:%S')}): {what}")

    if "build" in parts:
        if folder.exists():
            shutil.rmtree(folder)
        started = time.perf_counter()
        summary = generate(folder, n, seed=seed)
        gen_seconds = time.perf_counter() - started
        out: dict = {"target_quads": n, "generate_seconds": gen_seconds, "generated": summary}
        say(f"generated in {gen_seconds:.1f} s; build and its floor")
        out["build"] = task("build",
                            {"corpus": corpus, "data": data, "store": store, "dump": dump}, folder)
        out["quads"] = out["build"].get("quads")
        out["floor_build"] = task(
            "floor-build", {"nquads": dump, "store": str(folder / "floor-store"), "data": data},
            folder)
        shutil.rmtree(folder / "floor-store", ignore_errors=True)
    else:
        if not (folder / "store").is_dir() or not (folder / "kg.nq").is_file():
            raise SystemExit(f"{folder} holds no kept store: run with the build part and --keep")
        out = dict(previous or {"target_quads": n})
    checkpoint(out)
    if "queries" in parts:
        out.update(_queries(folder, store, reps, budget, say, Catalogue))
    checkpoint(out)
    if "validate" in parts:
        say("validation and its floor")
        out["validate"] = task("validate", {"backend": "oxigraph", "store": store}, folder)
        out["floor_validate"] = task("floor-validate", {"store": store}, folder)
    checkpoint(out)
    if "export" in parts:
        say("export and its floor")
        out["export"] = task(
            "export-nquads", {"backend": "oxigraph", "store": store,
                              "out": str(folder / "kg-out.nq")}, folder)
        out["floor_export"] = task("floor-export",
                                   {"store": store, "out": str(folder / "ox.nq")}, folder)
        for name in ("kg-out.nq", "ox.nq"):
            (folder / name).unlink(missing_ok=True)
    checkpoint(out)
    if "incremental" in parts:
        say("rebuild after editing one source")
        out["incremental"] = task("incremental",
                                  {"corpus": corpus, "data": data, "store": store}, folder)
    checkpoint(out)
    if baseline and "rdflib" in parts:
        out.update(_rdflib(folder, corpus, data, dump, reps, budget, n, say))
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)
    return out


def _queries(folder, store, reps, budget, say, Catalogue) -> dict:
    say("catalogue queries, each beside pyoxigraph alone")
    q = str(PROJECT_DIR / "queries")
    out: dict = {"queries": {}}
    for name in Catalogue(q).names():  # one process each: a runaway query is killed
        res = task("queries-floor",
                   {"store": store, "queries": q, "reps": reps, "budget": budget, "only": name},
                   folder, timeout=3 * budget + 120)
        out["queries"][name] = (res.get("queries") or {}).get(name) or {
            k: v for k, v in res.items() if k in ("error", "timeout_s")
        }
    return out


def _rdflib(folder, corpus, data, dump, reps, budget, n, say) -> dict:
    say("rdflib reference")
    q = str(PROJECT_DIR / "queries")
    out = {
        "rdflib_build": task("build", {"corpus": corpus, "data": data, "store": "memory"},
                             folder),
        "rdflib_load": task("load", {"backend": "rdflib", "nquads": dump}, folder),
        "rdflib_queries": task("queries", {
            "backend": "rdflib", "nquads": dump, "queries": q, "reps": max(3, reps // 4),
            "budget": budget}, folder).get("queries", {}),
        "rdflib_export": task(
            "export-nquads", {"backend": "rdflib", "nquads": dump, "out": str(folder / "rl.nq")},
            folder),
    }
    (folder / "rl.nq").unlink(missing_ok=True)
    if n <= 200_000:  # pySHACL beyond this takes many minutes
        out["rdflib_validate"] = task("validate", {"backend": "rdflib", "nquads": dump}, folder)
    return out


# -- reporting ------------------------------------------------------------------------------------
def _s(x) -> str:
    return "–" if x is None else (f"{x:.2f} s" if x >= 0.1 else f"{x * 1000:.1f} ms")


def _ms(x) -> str:
    return "–" if x is None else (f"{x:,.0f}" if x >= 100 else f"{x:.1f}")


def _mb(x) -> str:
    return "–" if not x else f"{x:,.0f}"


def _get(r: dict, key: str, field: str = "seconds"):
    return (r.get(key) or {}).get(field)


def _cell(d: dict | None, field: str = "seconds") -> str:
    d = d or {}
    if "error" in d:
        return "error"
    if "timeout_s" in d:
        return f"> {d['timeout_s']:.0f} s (stopped)"
    return _s(d.get(field))


def _ratio(a, b) -> str:
    return "–" if not a or not b else f"{a / b:.2f}×"


def task_rows(r: dict) -> list[list[str]]:
    """[task, kg-builder, floor, ratio, rdflib, peak MB kg-builder] per timed task."""
    inc = r.get("incremental") or {}
    fb = r.get("floor_build") or {}
    floor_build = (
        f"{_s(fb.get('seconds'))} ({_s(fb.get('load_seconds'))} load + "
        f"{_s(fb.get('parse_seconds'))} YAML/CSV)" if fb.get("seconds") else _cell(fb)
    )
    if fb.get("chunked_load_seconds"):
        floor_build += f"; in chunks of 10^5 + optimize: {_s(fb['chunked_load_seconds'])}"
    val = inc.get("validation") or {}
    rows = [
        ["build (curated files → store)", _cell(r.get("build")), floor_build,
         _ratio(_get(r, "build"), fb.get("seconds")), _cell(r.get("rdflib_build")),
         _mb(_get(r, "build", "peak_mb"))],
        ["validate (SHACL + hygiene)", _cell(r.get("validate")), _cell(r.get("floor_validate")),
         _ratio(_get(r, "validate"), _get(r, "floor_validate")), _cell(r.get("rdflib_validate")),
         _mb(_get(r, "validate", "peak_mb"))],
        ["rebuild, one source edited (validated)", _cell(inc),
         f"– (its validation: {_s(inc.get('validate_seconds'))}, {val.get('mode', '–')}, "
         f"{val.get('touched_nodes', 0):,} nodes touched; a full one: "
         f"{_s(inc.get('full_validation_seconds'))})" if inc.get("seconds") else "–",
         "–", "–", _mb(inc.get("peak_mb"))],
        ["export N-Quads", _cell(r.get("export")), _cell(r.get("floor_export")),
         _ratio(_get(r, "export"), _get(r, "floor_export")), _cell(r.get("rdflib_export")),
         _mb(_get(r, "export", "peak_mb"))],
    ]
    return rows


def query_rows(r: dict) -> list[list[str]]:
    rows = []
    rq = r.get("rdflib_queries") or {}
    for name, d in sorted((r.get("queries") or {}).items()):
        if "kg_ms" not in d:
            what = "error" if "error" in d else f"> {d.get('timeout_s', 0):.0f} s (stopped)"
            rows.append([name, what, "–", "–", "–", "–", "–"])
            continue
        rd = rq.get(name) or {}
        rdflib = (_ms(rd["median_ms"]) if "median_ms" in rd else
                  ("stopped" if "timeout_s" in rd else ("error" if "error" in rd else "–")))
        rows.append([name, _ms(d["kg_ms"]), _ms(d["direct_ms"]), f"{d['paired_ratio']:.2f}×",
                     _ms(d.get("resolve_ms")), f"{d.get('rows', 0):,}", rdflib])
    return rows


def _table_md(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


TASK_HEADER = ["task", "kg-builder", "floor (engine alone)", "ratio", "rdflib", "peak MB"]
QUERY_HEADER = ["query", "kg-builder ms", "pyoxigraph ms", "ratio", "resolve ms", "rows",
                "rdflib ms"]
GROWTH = (("build", "build", "seconds"), ("load (bulk_load)", "floor_build", "load_seconds"),
          ("validate", "validate", "seconds"), ("export", "export", "seconds"))


def growth_rows(results: list[dict]) -> list[list[str]]:
    rows = []
    pairs = list(zip(results, results[1:], strict=False))
    if len(results) > 2:
        pairs.append((results[0], results[-1]))
    for a, b in pairs:
        na, nb = a.get("quads"), b.get("quads")
        if not na or not nb:
            continue
        cells = []
        for _name, key, field in GROWTH:
            ta, tb = _get(a, key, field), _get(b, key, field)
            cells.append(f"{math.log(tb / ta) / math.log(nb / na):.2f}" if ta and tb else "–")
        rows.append([f"{na:,} → {nb:,}", *cells])
    return rows


def report(results: list[dict]) -> str:
    lines: list[str] = []
    for r in results:
        size = r.get("quads") or r["target_quads"]
        lines += [f"### {size:,} quads", ""]
        lines += _table_md(TASK_HEADER, task_rows(r)) + [""]
        lines += ["Catalogue queries (median ms; ratio: the median of each repetition's "
                  "kg-builder / pyoxigraph, run side by side):", ""]
        lines += _table_md(QUERY_HEADER, query_rows(r)) + [""]
    lines += ["### Growth", "", "Exponent k in time ∝ size^k (1.0 = linear):", ""]
    lines += _table_md(["from → to", *[g[0] for g in GROWTH]], growth_rows(results))
    return "\n".join(lines) + "\n"


def _header(metas: list[dict]) -> str:
    runs = "".join(
        f"- {m['date']}, {m['cpus']} CPUs, Python {m['python']}, pyoxigraph "
        f"{m.get('pyoxigraph')}, rdflib {m.get('rdflib')}: `{m.get('command', '')}`\n"
        for m in metas
    )
    return f"# Benchmark results\n\nRuns:\n\n{runs}\n"


def print_tables(r: dict) -> None:
    t = Table(title=f"{r.get('quads') or r['target_quads']:,} quads", title_justify="left")
    for col in TASK_HEADER:
        t.add_column(col, justify="left" if col == "task" else "right")
    for cells in task_rows(r):
        t.add_row(*cells)
    console.print(t)
    t = Table(title="catalogue queries (median ms)", title_justify="left")
    for col in QUERY_HEADER:
        t.add_column(col, justify="left" if col == "query" else "right")
    for cells in query_rows(r):
        t.add_row(*cells)
    console.print(t)


def _meta(args, sizes) -> dict:
    meta = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d"),
        "sizes": sizes,
        "command": f"python -m benchmarks.run --sizes {args.sizes} --baseline-up-to "
                   f"{args.baseline_up_to} --budget {args.budget:g} --reps {args.reps}"
                   + (f" --name {args.name}" if args.name != "latest" else ""),
    }
    try:
        import pyoxigraph
        import rdflib

        meta["pyoxigraph"] = pyoxigraph.__version__
        meta["rdflib"] = rdflib.__version__
    except ImportError:  # versions are informative only
        pass
    return meta


def write_report(names: list[str], markdown: Path, folder: Path = HERE / "results",
                 preamble: str = "") -> None:
    metas, results = [], []
    for name in names:
        saved = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        metas.append(saved["meta"])
        results += saved["results"]
    results.sort(key=lambda r: r.get("quads") or r["target_quads"])
    markdown.write_text(_header(metas) + preamble + report(results), encoding="utf-8")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1e5,1e6")
    parser.add_argument("--baseline-up-to", default="1e6",
                        help="run the rdflib reference for sizes up to this (0: never)")
    parser.add_argument("--reps", type=int, default=10, help="repetitions per query")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--budget", type=float, default=60.0,
                        help="seconds a query may take (all repetitions) before it is stopped")
    parser.add_argument("--work", default="/tmp/kg-bench", help="scratch folder (large)")
    parser.add_argument("--name", default="latest", help="results/<name>.json")
    parser.add_argument("--results", default=str(HERE / "results"),
                        help="the folder of the <name>.json files")
    parser.add_argument("--markdown", default=None,
                        help="the report (default: RESULTS.md for --name latest, else none)")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite the report from saved results (see --names)")
    parser.add_argument("--names", default=None,
                        help="with --report-only: the results to report, comma-separated")
    parser.add_argument("--parts", default=",".join(PARTS),
                        help=f"what to run (default all: {','.join(PARTS)}); without build, the "
                             "store kept by an earlier --keep run is reused and its figures "
                             "in results/<name>.json completed")
    parser.add_argument("--keep", action="store_true",
                        help="keep the corpus and store in --work (for a later --parts run)")
    args = parser.parse_args(argv)
    markdown = Path(args.markdown) if args.markdown else (
        HERE / "RESULTS.md" if args.name == "latest" or args.report_only else None)
    if args.report_only:
        names = (args.names or args.name).split(",")
        write_report(names, markdown, Path(args.results))
        console.print(f"Rewrote {markdown}")
        return
    sizes = [_size(s) for s in args.sizes.split(",")]
    limit = _size(args.baseline_up_to)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    meta = _meta(args, sizes)
    parts = tuple(args.parts.split(","))
    out = Path(args.results) / f"{args.name}.json"
    out.parent.mkdir(exist_ok=True)
    saved = json.loads(out.read_text()) if out.is_file() and "build" not in parts else None
    results: list[dict] = list(saved["results"]) if saved else []
    if saved:
        meta["command"] = saved["meta"].get("command", "") + f"; then {meta['command']} " \
            f"--parts {args.parts}"
    for n in sizes:
        earlier = next((r for r in results if r["target_quads"] == n), None)
        others = [x for x in results if x["target_quads"] != n]

        def checkpoint(partial, others=others):
            out.write_text(json.dumps({"meta": meta, "results": [*others, partial]}, indent=1,
                                      default=str))

        r = run_size(n, work, n <= limit, args.reps, args.seed, args.budget, parts, earlier,
                     args.keep, checkpoint)
        results = [*others, r]
        print_tables(r)
        out.write_text(json.dumps({"meta": meta, "results": results}, indent=1, default=str))
    if markdown is not None:
        write_report([args.name], markdown, Path(args.results))
        console.print(f"Wrote {markdown}")
    console.print(f"Wrote {out}")


if __name__ == "__main__":
    main()
