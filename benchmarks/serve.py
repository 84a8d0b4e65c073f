"""Benchmarks: `kg serve` from disk and from memory (`--in-memory`) side by side with
`oxigraph serve` on the same data, over real HTTP.

    .venv/bin/python -m benchmarks.serve --quads 1e5,1e6 --requests 200 --concurrency 1,4
    .venv/bin/python -m benchmarks.serve --quads 1e6 --reuse --keep   # data kept in --work

For each size it generates a synthetic corpus (benchmarks.generate, seeded), builds its store
as `benchmarks.task build` does and dumps it to N-Quads, loads the dump into a plain Oxigraph
database (`oxigraph load`), then starts the servers on loopback (`kg serve --workers 2` on the
built store; the same with `--in-memory`, whose query workers each load a copy of the store
into memory at start; `oxigraph serve --union-default-graph` on the loaded database; with
`--before CHECKOUT`, kg serve from an earlier checkout too) and measures, with keep-alive
http.client connections, the servers taking turns run by run:

- every catalogue query (queries/*.rq) with Accept application/sparql-results+json: median and
  p95 latency on every server, and the number of rows each returns (they must agree). The
  same text goes to all: the catalogue's parameters (benchmarks/params.json, else their
  declared defaults) are resolved to terms as `kg query run` does and bound by a trailing
  `VALUES` clause, and the predeclared prefixes are written out. The library's own in-process
  time (`queries.run`, parameters substituted, no HTTP) is shown as a floor;
- a simple look-up (one entity's triples) on every server, at each concurrency;
- entity pages (/id/..., text/html and text/turtle) on the kg servers alone (Oxigraph has no
  pages), requests per second at each concurrency, and one hub entity's page;
- the time from launch to the first answer (for --in-memory: the copy included), and the
  resident memory (VmRSS) of each server's processes (kg serve's query workers included),
  idle after start and after the run, also per 10^6 quads;
- with `--copy-variants`, the ways of copying the store into memory, each in a fresh
  process: seconds and peak memory (VmHWM) of a dump to bytes, a dump to a temporary file,
  and quad by quad (bulk_extend), each then bulk-loaded;
- with `--worker-variants`, what the alternatives to one copy per worker process would give:
  the listing queries in two threads over one copy, and how much of a copy two forked workers
  still share once they have queried it.

Why loopback HTTP and a Python client: that is how a researcher's notebook or a linked-data
client uses the server; the client costs the same for every server, and the client's share of
the 2 cores is reported with the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.run import _label, _size, task
from benchmarks.serve_http import (
    Client,
    Server,
    free_port,
    load_test,
    rows_of,
    sparql,
    summary,
    time_queries,
)
from benchmarks.serve_report import SIDES, console, markdown_tables, print_tables
from benchmarks.task import first_person_where_missing

PROJECT_DIR = Path(__file__).resolve().parent.parent  # the repository: the example project

HERE = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
JSON_RESULTS = "application/sparql-results+json"


# -- preparing the data ------------------------------------------------------------------------
_PATHS = ("folder", "store", "dump", "oxdb")


def prepare(n: int, work: Path, seed: int, reuse: bool = False) -> dict:
    """Generate, build (as benchmarks.task build) and dump; load the dump for Oxigraph.
    `reuse`: take what an earlier run with --keep left in `work`."""
    from benchmarks.generate import generate

    folder = work / _label(n)
    saved = folder / "prepared.json"
    if reuse and saved.is_file() and (folder / "oxigraph-db").is_dir():
        prep = json.loads(saved.read_text(encoding="utf-8"))
        console.print(f"[bold]{_label(n)}[/]: reusing {folder} (built {prep['built_at']})")
        return {**prep, **{k: Path(v) for k, v in prep.items() if k in _PATHS}}
    if folder.exists():
        shutil.rmtree(folder)
    started = time.perf_counter()
    generate(folder, n, seed=seed)
    gen_seconds = time.perf_counter() - started
    paths = {
        "folder": folder,
        "store": folder / "store",
        "dump": folder / "kg.nq",
        "oxdb": folder / "oxigraph-db",
    }
    console.print(f"[bold]{_label(n)}[/]: generated in {gen_seconds:.1f} s; building…")
    built = task(
        "build",
        {
            "corpus": str(folder / "corpus"),
            "data": str(folder / "data"),
            "store": str(paths["store"]),
            "dump": str(paths["dump"]),
        },
        folder,  # no kg.toml there: the task sees no project of its own
    )
    if "error" in built:
        raise RuntimeError(f"build failed: {built['error']}")
    started = time.perf_counter()
    subprocess.run(
        [str(VENV_BIN / "oxigraph"), "load", "--location", str(paths["oxdb"]),
         "--file", str(paths["dump"])],
        check=True, capture_output=True, cwd=PROJECT_DIR,
    )  # fmt: skip
    prep = {
        **paths,
        "quads": built.get("quads"),
        "generate_seconds": gen_seconds,
        "build_seconds": built.get("seconds"),
        "oxigraph_load_seconds": time.perf_counter() - started,
        "dump_bytes": paths["dump"].stat().st_size,
        "built_at": time.strftime("%Y-%m-%d %H:%M"),
        "seed": seed,
    }
    saved.write_text(json.dumps(prep, indent=1, default=str), encoding="utf-8")
    return prep


def workload(store_path: Path, pages: int, seed: int, reps: int, budget: float) -> dict:
    """The query texts (parameters bound as VALUES), a look-up entity, a page sample, and the
    library's own time per query (`queries.run`, in this process: the floor without HTTP).

    Done before any server starts (the store is opened read-only and closed again), so that
    both servers get exactly the same texts and the servers do not compete for the cores."""
    from kg_builder.queries import (
        PREFIX_MAP,
        Catalogue,
        QueryFailed,
        QueryTimeout,
        QueryUsageError,
        bind,
        resolve_entity,
        run,
    )
    from kg_builder.store import OxigraphStore

    params = json.loads((HERE / "params.json").read_text(encoding="utf-8"))
    prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(PREFIX_MAP.items()))
    store = OxigraphStore(store_path)
    try:
        first_person_where_missing(store, params)  # not at every size and seed
        person = resolve_entity(store, "person", params["person-timeline"]["person"])
        texts, bound, library = {}, {}, {}
        for q in Catalogue(PROJECT_DIR / "queries"):
            given = params.get(q.name, {})
            try:
                bindings = bind(store, q, q.text, given)
            except QueryUsageError:  # params.json (or a default) names an entity this size
                given = {k: p.default for k, p in q.parameters.items() if p.default}
                given.update(params.get(q.name, {}))  # lacks: the look-up's person instead
                given = {k: str(person) if k == "person" else v for k, v in given.items()}
                bindings = bind(store, q, q.text, given)
            text = prefixes + q.text.rstrip() + "\n"
            if bindings:
                names = sorted(bindings)
                values = " ".join(bindings[k].n3() for k in names)
                text += f"VALUES ({' '.join('?' + k for k in names)}) {{ ({values}) }}\n"
                bound[q.name] = {k: str(v) for k, v in bindings.items()}
            texts[q.name] = text
            times, rows = [], None
            try:
                for i in range(reps + 1):
                    started = time.perf_counter()
                    rows = len(run(store, q, given, timeout=budget))
                    if i:
                        times.append(time.perf_counter() - started)
                    if sum(times) > budget and len(times) >= 2:
                        break
                library[q.name] = {**summary(times), "rows": rows}
            except (QueryFailed, QueryTimeout, QueryUsageError) as exc:
                library[q.name] = {"error": str(exc)[:200]}
        base = "https://w3id.org/kg-builder/"
        hub = resolve_entity(store, "hub", "Russia")
        labelled = store.select(
            "SELECT DISTINCT ?e WHERE { ?e rdfs:label ?l "
            f'FILTER(STRSTARTS(STR(?e), "{base}id/")) }} LIMIT 20000',
            prefixes=PREFIX_MAP,
        )
        everyone = sorted(str(r["e"]) for r in labelled)
        sample = random.Random(seed).sample(everyone, min(pages, len(everyone)))
    finally:
        if hasattr(store, "close"):
            store.close()
    return {
        "texts": texts,
        "bound": bound,
        "library": library,
        "lookup": str(person),
        "hub": str(hub),
        "pages": ["/" + iri[len(base) :] for iri in sample],
        "page_population": len(everyone),
    }


# -- one size ----------------------------------------------------------------------------------
def servers_for(prep: dict, args) -> dict:
    folder = prep["folder"]
    ports = {side: free_port() for side, _ in SIDES}
    serve_args = [
        "serve", "--store", str(prep["store"]), "--quiet", "--workers", str(args.workers),
        "--timeout", str(args.budget + 30), "--max-rows", "10000000",
    ]  # fmt: skip
    out = {
        "kg": Server(
            "kg serve",
            [str(VENV_BIN / "kg"), *serve_args, "--port", str(ports["kg"])],
            ports["kg"], "/sparql", folder / "kg-serve.log",
        ),
        "kg0": Server(
            "kg serve (before)",
            [str(VENV_BIN / "kg"), *serve_args, "--port", str(ports["kg0"])],
            ports["kg0"],
            "/sparql",
            folder / "kg-serve-before.log",
            env={**os.environ, "PYTHONPATH": str(args.before)} if args.before else None,
            cwd=args.before or PROJECT_DIR,  # its workers put their cwd first on sys.path
        ),
        "kgm": Server(
            "kg serve --in-memory",
            [str(VENV_BIN / "kg"), *serve_args, "--in-memory", "--port", str(ports["kgm"])],
            ports["kgm"], "/sparql", folder / "kg-serve-memory.log",
        ),
        "ox": Server(
            "oxigraph serve",
            [str(VENV_BIN / "oxigraph"), "serve", "--location", str(prep["oxdb"]),
             "--bind", f"127.0.0.1:{ports['ox']}", "--union-default-graph",
             "--timeout-s", str(int(args.budget + 30))],
            ports["ox"], "/query", folder / "oxigraph.log",
        ),
    }  # fmt: skip
    return {side: out[side] for side, _ in SIDES if side in args.sides}


# -- copying a store into memory -----------------------------------------------------------------
#: One way of copying the store into memory, run in a fresh interpreter: prints seconds, the
#: quads copied and the peak resident memory (VmHWM, MB).
COPY = """
import os, sys, tempfile, time
import pyoxigraph as ox
from kg_builder.store import OxigraphStore
way, path = sys.argv[1], sys.argv[2]
disk = OxigraphStore(path).raw
started = time.perf_counter()
memory = ox.Store()
nq = ox.RdfFormat.N_QUADS
if way == "bytes":
    memory.bulk_load(disk.dump(format=nq), format=nq, lenient=True)
elif way == "file":
    fd, tmp = tempfile.mkstemp(suffix=".nq"); os.close(fd)
    disk.dump(tmp, nq); memory.bulk_load(path=tmp, format=nq, lenient=True); os.unlink(tmp)
elif way == "quads":
    memory.bulk_extend(iter(disk))
elif way == "library":
    memory = OxigraphStore.in_memory(path).raw
seconds = time.perf_counter() - started
peak = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(seconds, len(memory), int(peak) / 1024)
"""
COPY_WAYS = ("bytes", "file", "quads", "library")


def copy_variants(store: Path, rounds: int) -> dict:
    """Seconds (median of `rounds`, the ways interleaved) and peak MB of each way of copying."""
    runs: dict[str, list] = {way: [] for way in COPY_WAYS}
    for _ in range(rounds):
        for way in COPY_WAYS:
            out = subprocess.run(
                [sys.executable, "-c", COPY, way, str(store)],
                capture_output=True,
                text=True,
                check=True,
                cwd=PROJECT_DIR,
            ).stdout.split()
            runs[way].append((float(out[0]), int(out[1]), float(out[2])))
    return {
        way: {
            "median_s": statistics.median(r[0] for r in rs),
            "quads": rs[0][1],
            "peak_mb": max(r[2] for r in rs),
            "runs": len(rs),
        }
        for way, rs in runs.items()
    }


#: Worker processes or threads over one in-memory copy, in a fresh interpreter: the listing
#: queries (names in argv) run twice in a row and twice at once in two threads (Oxigraph releases
#: the GIL?), then in two children forked after the copy (is the copy still shared once they
#: have queried it?). Prints one JSON object.
WORKERS = """
import json, os, sys, threading, time
import pyoxigraph as ox
from kg_builder.queries import PREFIX_MAP, Catalogue
from kg_builder.store import OxigraphStore
path, names = sys.argv[1], sys.argv[2].split(",")
texts = [Catalogue().get(n).text for n in names]
store = OxigraphStore.in_memory(path).raw
def run_all():
    for t in texts:
        store.query(t, prefixes=PREFIX_MAP, use_default_graph_as_union=True).serialize(
            format=ox.QueryResultsFormat.JSON)
def smaps(pid="self"):
    d = {}
    for line in open(f"/proc/{pid}/smaps_rollup"):
        k, *v = line.split()
        if k in ("Rss:", "Pss:", "Private_Dirty:", "Shared_Dirty:"):
            d[k[:-1].lower()] = int(v[0]) / 1024
    return d
run_all()
t = time.perf_counter(); run_all(); run_all(); sequential = time.perf_counter() - t
ths = [threading.Thread(target=run_all) for _ in range(2)]
t = time.perf_counter(); [x.start() for x in ths]; [x.join() for x in ths]
threads = time.perf_counter() - t
out = {"sequential_s": sequential, "two_threads_s": threads, "parent": smaps()}
r, w = os.pipe()
kids = []
for _ in range(2):
    pid = os.fork()
    if pid == 0:
        fresh = smaps()
        run_all()
        os.write(w, (json.dumps({"after_fork": fresh, "after_queries": smaps()}) + "\\n").encode())
        os._exit(0)
    kids.append(pid)
for pid in kids:
    os.waitpid(pid, 0)
os.close(w)
out["children"] = [json.loads(line) for line in os.fdopen(r).read().splitlines()]
print(json.dumps(out))
"""
#: The catalogue's listing queries (thousands of rows over the whole graph).
LISTING = (
    "entities-without-wikidata", "quotes", "people-by-source", "events-without-precise-date",
    "source-contributions", "source-disagreements",
)  # fmt: skip


def worker_variants(store: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", WORKERS, str(store), ",".join(LISTING)],
        capture_output=True, text=True, check=True, cwd=PROJECT_DIR,
    ).stdout  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


def starts(prep: dict, args) -> dict:
    """Per server: the median of `args.starts` starts (launch to first answer, the servers
    taking turns), and the idle memory after the last."""
    seconds: dict[str, list[float]] = {}
    memory: dict[str, dict] = {}
    for _ in range(args.starts):
        for side, server in servers_for(prep, args).items():
            try:
                seconds.setdefault(side, []).append(server.start())
                memory[side] = server.memory()
            finally:
                server.stop()
    return {
        side: {"median_s": statistics.median(ts), "runs": len(ts), "memory_idle": memory[side]}
        for side, ts in seconds.items()
    }


def run_size(n: int, work: Path, args) -> dict:
    prep = prepare(n, work, args.seed, args.reuse)
    folder = prep["folder"]
    out = {k: (str(v) if isinstance(v, Path) else v) for k, v in prep.items()}
    out["target_quads"] = n
    if args.copy_variants:
        console.print(f"[bold]{_label(n)}[/]: ways of copying the store into memory…")
        out["copy_variants"] = copy_variants(prep["store"], args.copy_variants)
    if args.worker_variants:
        console.print(f"[bold]{_label(n)}[/]: threads or forked workers over one copy…")
        out["worker_variants"] = worker_variants(prep["store"])
    if args.starts:
        console.print(f"[bold]{_label(n)}[/]: starts, one server at a time…")
        out["starts"] = starts(prep, args)
    if args.only_variants:
        return out
    console.print(f"[bold]{_label(n)}[/]: {prep['quads']:,} quads; in-process reference…")
    wl = workload(prep["store"], args.pages, args.seed, args.reps, args.budget)
    out["library"] = wl["library"]
    out["bound_parameters"] = wl["bound"]
    out["lookup_entity"], out["hub_entity"] = wl["lookup"], wl["hub"]
    out["page_sample"] = {"size": len(wl["pages"]), "population": wl["page_population"]}
    servers = servers_for(prep, args)
    kgs = [side for side in servers if side != "ox"]
    try:
        out["start_seconds"] = {}
        for side, s in servers.items():  # one at a time: each start has the cores to itself
            out["start_seconds"][side] = s.start()
        out["memory_idle"] = {side: s.memory() for side, s in servers.items()}
        console.print(f"[bold]{_label(n)}[/]: catalogue queries over HTTP…")
        out["queries"] = {}
        for name, text in wl["texts"].items():
            out["queries"][name] = time_queries(servers, text, args.reps, args.budget)
        console.print(f"[bold]{_label(n)}[/]: look-ups and pages…")
        lookup = f"SELECT ?p ?o WHERE {{ <{wl['lookup']}> ?p ?o }}"
        out["lookup"] = {}
        for side, s in servers.items():
            reqs = [
                ("POST", s.query_path, lookup.encode(),
                 {"Content-Type": "application/sparql-query", "Accept": JSON_RESULTS})
            ] * args.requests  # fmt: skip
            out["lookup"][side] = {str(c): load_test(s.port, reqs, c) for c in args.concurrency}
            client = Client(s.port, 60)
            out["lookup"][side]["rows"] = rows_of(sparql(client, s.query_path, lookup)[2])
            client.close()
        out["pages"] = {}
        hub = "/" + wl["hub"][len("https://w3id.org/kg-builder/") :]
        for side in kgs:
            port = servers[side].port
            out["pages"][side] = {}
            for media in ("text/html", "text/turtle"):
                reps = args.requests // max(1, len(wl["pages"])) + 1
                reqs = [("GET", p, None, {"Accept": media}) for p in wl["pages"] * reps]
                by_c = {str(c): load_test(port, reqs[: args.requests], c) for c in args.concurrency}
                by_c["hub"] = load_test(port, [("GET", hub, None, {"Accept": media})] * 5, 1)
                out["pages"][side][media] = by_c
        out["memory_after"] = {side: s.memory() for side, s in servers.items()}
        out["loadavg_after"] = os.getloadavg()
    finally:
        for s in servers.values():
            s.stop()
    if not args.keep and not args.reuse:
        shutil.rmtree(folder, ignore_errors=True)
    return out


def _commit(tree: Path) -> str:
    out = subprocess.run(
        ["git", "-C", str(tree), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    dirty = subprocess.run(
        ["git", "-C", str(tree), "status", "--porcelain", "--", "kg_builder"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return out.stdout.strip() + (" (kg_builder modified)" if dirty else "")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quads", default="1e5,1e6", help="sizes, comma-separated")
    parser.add_argument("--requests", type=int, default=200, help="requests per load test")
    parser.add_argument("--concurrency", default="1,4", help="client connections, e.g. 1,4")
    parser.add_argument("--reps", type=int, default=10, help="timed runs per query")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per query, all runs")
    parser.add_argument("--workers", type=int, default=2, help="kg serve --workers")
    parser.add_argument("--pages", type=int, default=50, help="entities in the page sample")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work", default="/tmp/kg-bench-serve", help="scratch folder")
    parser.add_argument("--keep", action="store_true", help="keep the generated data")
    parser.add_argument(
        "--sides",
        default="kg,kgm,ox",
        help="servers: kg (kg serve), kgm (kg serve --in-memory), ox (oxigraph serve)",
    )
    parser.add_argument(
        "--before",
        metavar="CHECKOUT",
        help="also run kg serve from another checkout of kg-builder (side kg0, 'before'), "
        "e.g. a git worktree of an earlier commit; its kg_builder comes first on PYTHONPATH",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse the data an earlier run left in --work with --keep (no generate/build)",
    )
    parser.add_argument(
        "--copy-variants",
        type=int,
        default=0,
        metavar="ROUNDS",
        help="also time the ways of copying the store into memory, ROUNDS times each",
    )
    parser.add_argument(
        "--worker-variants",
        action="store_true",
        help="also time the listing queries in two threads over one in-memory copy, and "
        "measure how much of the copy two forked workers still share after querying it",
    )
    parser.add_argument(
        "--starts",
        type=int,
        default=0,
        metavar="ROUNDS",
        help="also start each server ROUNDS times alone: median start, idle memory",
    )
    parser.add_argument(
        "--only-variants",
        action="store_true",
        help="measure only --copy-variants, --worker-variants and --starts (no queries)",
    )
    parser.add_argument(
        "--markdown-only", action="store_true", help="print the Markdown tables of --out"
    )
    parser.add_argument("--out", default=str(HERE / "results" / "serve-latest.json"))
    args = parser.parse_args(argv)
    if args.markdown_only:
        print(markdown_tables(json.loads(Path(args.out).read_text())["results"]))
        return
    args.concurrency = [int(c) for c in args.concurrency.split(",")]
    args.sides = [side for side in args.sides.split(",") if side]
    if args.before:
        args.before = Path(args.before).resolve()
        args.sides = ["kg0", *[side for side in args.sides if side != "kg0"]]
    elif "kg0" in args.sides:
        parser.error("--sides kg0 needs --before CHECKOUT")
    unknown = set(args.sides) - {side for side, _ in SIDES}
    if unknown:
        parser.error(f"unknown --sides {', '.join(sorted(unknown))}")
    sizes = [_size(s) for s in args.quads.split(",")]
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    meta = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "loadavg_before": os.getloadavg(),
        "command": "python -m benchmarks.serve " + " ".join(sys.argv[1:] if argv is None else argv),
        "commit": _commit(PROJECT_DIR),
        "before_commit": _commit(args.before) if args.before else None,
        "oxigraph_cli": subprocess.run(
            [str(VENV_BIN / "oxigraph"), "--version"], capture_output=True, text=True
        ).stdout.strip(),
    }
    try:
        import pyoxigraph

        meta["pyoxigraph"] = pyoxigraph.__version__
    except Exception:  # noqa: BLE001 - informative only
        pass
    results = []
    for n in sizes:
        results.append(run_size(n, work, args))
        print_tables(results[-1])
        out = Path(args.out)  # written after each size: a later failure keeps the earlier
        out.parent.mkdir(parents=True, exist_ok=True)
        meta["loadavg_after"] = os.getloadavg()
        out.write_text(json.dumps({"meta": meta, "results": results}, indent=1, default=str))
    console.print(f"Wrote {args.out} (load average now {os.getloadavg()})")


if __name__ == "__main__":
    main()
