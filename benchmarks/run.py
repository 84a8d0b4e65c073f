"""Benchmarks: the Oxigraph store side by side with plain in-memory rdflib, at several sizes.

    python -m benchmarks.run --sizes 1e5,1e6,5e6 --baseline-up-to 1e6
    python -m benchmarks.run --sizes 1e7 --baseline-up-to 0        # the 10^7 check

For each size it generates a synthetic corpus (benchmarks.generate, seeded), then runs every
task in its own process (so peak memory is the task's own): build, load of the N-Quads dump,
each catalogue query (median and p95), validation, N-Quads export and an incremental rebuild.
It prints tables, the growth exponent of each cost between sizes, and writes the figures to
benchmarks/results/<name>.json and a Markdown report (benchmarks/RESULTS.md by default).
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

from rich.console import Console
from rich.table import Table

PROJECT_DIR = Path(__file__).resolve().parent.parent  # the repository: the example project
from kg_builder.queries import Catalogue

HERE = Path(__file__).resolve().parent
console = Console(highlight=False)


def _size(text: str) -> int:
    return int(float(text))


def _label(n: int) -> str:
    exp = int(math.floor(math.log10(n)))
    mant = n / 10**exp
    return f"{mant:g}e{exp}" if mant != 1 else f"1e{exp}"


def task(name: str, args: dict, timeout: float = 3600) -> dict:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.task", name, json.dumps(args)],
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
        timeout=timeout,
    )
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1:] or ["failed"]}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = time.perf_counter() - started
    return result


def run_size(n: int, work: Path, baseline: bool, reps: int, seed: int, budget: float) -> dict:
    from benchmarks.generate import generate

    folder = work / _label(n)
    if folder.exists():
        shutil.rmtree(folder)
    started = time.perf_counter()
    summary = generate(folder, n, seed=seed)
    gen_seconds = time.perf_counter() - started
    corpus, data = str(folder / "corpus"), str(folder / "data")
    store, dump = str(folder / "store"), str(folder / "kg.nq")
    out: dict = {"target_quads": n, "generate_seconds": gen_seconds, "generated": summary}
    console.print(f"[bold]{_label(n)}[/]: generated in {gen_seconds:.1f} s; building…")
    out["build_oxigraph"] = task(
        "build", {"corpus": corpus, "data": data, "store": store, "dump": dump}
    )
    out["quads"] = out["build_oxigraph"].get("quads")
    out["load_oxigraph"] = task(
        "load", {"backend": "oxigraph", "nquads": dump, "store": str(folder / "loaded")}
    )
    shutil.rmtree(folder / "loaded", ignore_errors=True)
    q = str(PROJECT_DIR / "queries")
    out["queries_oxigraph"] = {"queries": {}}
    for name in Catalogue(q).names():  # one process each: a runaway query is killed
        args = {"backend": "oxigraph", "store": store, "queries": q, "reps": reps}
        try:
            res = task("queries", {**args, "only": name, "budget": budget}, timeout=budget + 60)
            out["queries_oxigraph"]["queries"].update(res.get("queries", {}))
        except subprocess.TimeoutExpired:
            out["queries_oxigraph"]["queries"][name] = {"timeout_s": budget}
    out["validate_oxigraph"] = task("validate", {"backend": "oxigraph", "store": store})
    out["export_oxigraph"] = task(
        "export-nquads", {"backend": "oxigraph", "store": store, "out": str(folder / "ox.nq")}
    )
    out["incremental_oxigraph"] = task(
        "incremental", {"corpus": corpus, "data": data, "store": store}
    )
    if baseline:
        console.print(f"[bold]{_label(n)}[/]: rdflib baseline…")
        out["build_rdflib"] = task("build", {"corpus": corpus, "data": data, "store": "memory"})
        out["load_rdflib"] = task("load", {"backend": "rdflib", "nquads": dump})
        out["queries_rdflib"] = task(
            "queries",
            {
                "backend": "rdflib",
                "nquads": dump,
                "queries": q,
                "reps": max(3, reps // 4),
                "budget": budget,
            },
        )
        out["export_rdflib"] = task(
            "export-nquads", {"backend": "rdflib", "nquads": dump, "out": str(folder / "rl.nq")}
        )
        if n <= 200_000:  # pySHACL beyond this takes many minutes
            out["validate_rdflib"] = task("validate", {"backend": "rdflib", "nquads": dump})
    for name in ("ox.nq", "rl.nq", "kg.nq"):
        (folder / name).unlink(missing_ok=True)
    shutil.rmtree(folder, ignore_errors=True)
    return out


def _fmt_s(x) -> str:
    return "–" if x is None else (f"{x:.2f} s" if x >= 0.1 else f"{x * 1000:.1f} ms")


def _get(r: dict, key: str, field: str = "seconds"):
    return (r.get(key) or {}).get(field)


def _ratio(a, b) -> str:
    return "–" if not a or not b else f"{b / a:.1f}×"


#: (label, Oxigraph key, rdflib key) of each timed task, as reported.
TASK_ROWS = (
    ("build (curated files → store)", "build_oxigraph", "build_rdflib"),
    ("load N-Quads dump", "load_oxigraph", "load_rdflib"),
    ("validate (SHACL + hygiene)", "validate_oxigraph", "validate_rdflib"),
    ("export N-Quads", "export_oxigraph", "export_rdflib"),
    ("rebuild after editing one source", "incremental_oxigraph", None),
)


def _task_cells(r: dict) -> list[list[str]]:
    """[label, Oxigraph time, rdflib time, speed-up, peak memory] per timed task."""
    rows = []
    for label, ox_key, rl_key in TASK_ROWS:
        a, b = _get(r, ox_key), _get(r, rl_key) if rl_key else None
        ma, mb = _get(r, ox_key, "peak_mb"), _get(r, rl_key, "peak_mb") if rl_key else None
        mem = (f"{ma:,.0f}" if ma else "–") + (f" / {mb:,.0f}" if mb else "")
        rows.append([label, _fmt_s(a), _fmt_s(b), _ratio(a, b), mem])
    return rows


def report(results: list[dict]) -> str:
    lines = ["| size (quads) | task | Oxigraph | rdflib | speed-up | peak MB ox / rdflib |"]
    lines.append("|---|---|---|---|---|---|")
    for r in results:
        size = f"{r.get('quads') or r['target_quads']:,}"
        for cells in _task_cells(r):
            lines.append(f"| {size} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("Catalogue queries (median / p95 in ms; rdflib on the same dump):")
    lines.append("")
    lines.append("| size | query | Oxigraph median | p95 | rdflib median | p95 | speed-up |")
    lines.append("|---|---|---|---|---|---|---|")
    for r in results:
        oq = (r.get("queries_oxigraph") or {}).get("queries", {})
        rq = (r.get("queries_rdflib") or {}).get("queries", {})
        for name in sorted(oq):
            a, b = oq[name], rq.get(name, {})
            am, bm = a.get("median_ms"), b.get("median_ms")

            def cell(d, m):
                if m is not None:
                    return f"{m:.1f} | {d['p95_ms']:.1f}"
                if "timeout_s" in d:
                    return f"> {d['timeout_s'] * 1000:.0f} (stopped) | –"
                return ("error" if "error" in d else "–") + " | –"

            lines.append(
                f"| {r.get('quads') or r['target_quads']:,} | {name} | "
                + cell(a, am)
                + " | "
                + cell(b, bm)
                + f" | {_ratio(am, bm)} |"
            )
    lines.append("")
    lines.append("Growth exponent k in time ∝ size^k between consecutive sizes (1.0 = linear):")
    lines.append("")
    lines.append("| from → to | build | load | export | validate |")
    lines.append("|---|---|---|---|---|")
    for a, b in zip(results, results[1:], strict=False):
        na, nb = a.get("quads"), b.get("quads")
        if not na or not nb:
            continue
        cells = []
        for key in ("build_oxigraph", "load_oxigraph", "export_oxigraph", "validate_oxigraph"):
            ta, tb = _get(a, key), _get(b, key)
            cells.append(f"{math.log(tb / ta) / math.log(nb / na):.2f}" if ta and tb else "–")
        lines.append(f"| {na:,} → {nb:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _header(meta: dict, args) -> str:
    notes = "".join(f"\n> {n}\n" for n in meta.get("notes", []))
    return (
        f"# Benchmark results ({args.name})\n\n"
        f"Run {meta['date']} on {meta['cpus']} CPUs, Python {meta['python']}, "
        f"pyoxigraph {meta.get('pyoxigraph')}, rdflib {meta.get('rdflib')}: "
        f"`{meta.get('command', '')}`\n{notes}\n"
    )


def print_tables(results: list[dict]) -> None:
    for r in results:
        t = Table(title=f"{r.get('quads') or r['target_quads']:,} quads", title_justify="left")
        for col in ("task", "Oxigraph", "rdflib", "speed-up", "peak MB (ox / rdflib)"):
            t.add_column(col, justify="left" if col == "task" else "right")
        for cells in _task_cells(r):
            t.add_row(*cells)
        console.print(t)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1e5,1e6,5e6")
    parser.add_argument(
        "--baseline-up-to",
        default="1e6",
        help="run the rdflib baseline for sizes up to this (0: never)",
    )
    parser.add_argument("--reps", type=int, default=20, help="repetitions per query")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--budget", type=float, default=60.0, help="seconds a query may take before it is stopped"
    )
    parser.add_argument("--work", default="/tmp/kg-bench", help="scratch folder (large)")
    parser.add_argument("--name", default="latest", help="results/<name>.json")
    parser.add_argument("--markdown", default=str(HERE / "RESULTS.md"))
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite the report from results/<name>.json"
    )
    args = parser.parse_args(argv)
    if args.report_only:
        saved = json.loads((HERE / "results" / f"{args.name}.json").read_text())
        Path(args.markdown).write_text(_header(saved["meta"], args) + report(saved["results"]))
        console.print(f"Rewrote {args.markdown}")
        return
    sizes = [_size(s) for s in args.sizes.split(",")]
    limit = _size(args.baseline_up_to)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    results = []
    for n in sizes:
        results.append(run_size(n, work, n <= limit, args.reps, args.seed, args.budget))
        print_tables(results[-1:])
    meta = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": __import__("os").cpu_count(),
        "date": time.strftime("%Y-%m-%d"),
        "sizes": sizes,
    }
    try:
        import pyoxigraph
        import rdflib

        meta["pyoxigraph"] = pyoxigraph.__version__
        meta["rdflib"] = rdflib.__version__
    except Exception:  # noqa: BLE001 - versions are informative only
        pass
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / f"{args.name}.json").write_text(
        json.dumps({"meta": meta, "results": results}, indent=1, default=str)
    )
    meta["command"] = (
        f"python -m benchmarks.run --sizes {args.sizes} --baseline-up-to {args.baseline_up_to} "
        f"--budget {args.budget:g} --reps {args.reps}"
    )
    text = report(results)
    md = Path(args.markdown)
    md.write_text(_header(meta, args) + text)
    console.print(text)
    console.print(f"Wrote {md} and benchmarks/results/{args.name}.json")


if __name__ == "__main__":
    main()
