"""Benchmarks: `kg serve` side by side with `oxigraph serve` on the same data, over real HTTP.

    .venv/bin/python -m benchmarks.serve --quads 1e5,1e6 --requests 200 --concurrency 1,4

For each size it generates a synthetic corpus (benchmarks.generate, seeded), builds its store
as `benchmarks.task build` does and dumps it to N-Quads, loads the dump into a plain Oxigraph
database (`oxigraph load`), then starts both servers on loopback (`kg serve --workers 2` on
the built store; `oxigraph serve --union-default-graph` on the loaded one) and measures, with
keep-alive http.client connections:

- every catalogue query (queries/*.rq) with Accept application/sparql-results+json: median and
  p95 latency on both servers, and the number of rows each returns (they must agree). The
  same text goes to both: the catalogue's parameters (benchmarks/params.json, else their
  declared defaults) are resolved to terms as `kg query run` does and bound by a trailing
  `VALUES` clause, and the predeclared prefixes are written out. The library's own in-process
  time (`queries.run`, parameters substituted, no HTTP) is shown as a floor;
- a simple look-up (one entity's triples) on both servers, at each concurrency;
- entity pages (/id/..., text/html and text/turtle) on kg serve alone (Oxigraph has no pages),
  requests per second at each concurrency, and one hub entity's page;
- the time from launch to the first answer, and the resident memory (VmRSS) of each server's
  processes (kg serve's query workers included) after the run.

Why loopback HTTP and a Python client: that is how a researcher's notebook or a linked-data
client uses the server; the client costs the same for both servers, and the client's share of
the 2 cores is reported with the load average.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

from rich.console import Console
from rich.table import Table

from benchmarks.run import _label, _size, task
from benchmarks.task import first_person_where_missing

PROJECT_DIR = Path(__file__).resolve().parent.parent  # the repository: the example project

HERE = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
console = Console(highlight=False)
JSON_RESULTS = "application/sparql-results+json"


# -- preparing the data ------------------------------------------------------------------------
def prepare(n: int, work: Path, seed: int) -> dict:
    """Generate, build (as benchmarks.task build) and dump; load the dump for Oxigraph."""
    from benchmarks.generate import generate

    folder = work / _label(n)
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
    )
    if "error" in built:
        raise RuntimeError(f"build failed: {built['error']}")
    started = time.perf_counter()
    subprocess.run(
        [str(VENV_BIN / "oxigraph"), "load", "--location", str(paths["oxdb"]),
         "--file", str(paths["dump"])],
        check=True, capture_output=True, cwd=PROJECT_DIR,
    )  # fmt: skip
    return {
        **paths,
        "quads": built.get("quads"),
        "generate_seconds": gen_seconds,
        "build_seconds": built.get("seconds"),
        "oxigraph_load_seconds": time.perf_counter() - started,
        "dump_bytes": paths["dump"].stat().st_size,
    }


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


# -- servers -----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid: int) -> list[int]:
    """The process and all its children (kg serve's query workers), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Server:
    """A server subprocess on 127.0.0.1; `start()` returns the seconds until it answered."""

    def __init__(self, name: str, argv: list[str], port: int, query_path: str, log: Path):
        self.name, self.argv, self.port, self.query_path = name, argv, port, query_path
        self.log = log
        self.proc: subprocess.Popen | None = None

    def start(self, within: float = 180.0) -> float:
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("wb"),
            cwd=PROJECT_DIR,
        )
        probe = f"{self.query_path}?query={quote('ASK { ?s ?p ?o }')}"
        while time.perf_counter() - started < within:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.proc.returncode}: "
                    + self.log.read_text(errors="replace")[-500:]
                )
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", probe, headers={"Accept": JSON_RESULTS})
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return time.perf_counter() - started
            except OSError:
                pass
            time.sleep(0.02)
        raise RuntimeError(f"{self.name} did not answer within {within:g} s")

    def memory(self) -> dict:
        pids = descendants(self.proc.pid) if self.proc else []
        per = {p: rss_mb(p) for p in pids}
        per = {p: m for p, m in per.items() if m is not None}
        return {
            "processes": len(per),
            "main_mb": per.get(self.proc.pid) if self.proc else None,
            "total_mb": sum(per.values()),
            "each_mb": sorted(per.values(), reverse=True),
        }

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()  # kg serve stops its workers on SIGTERM/SIGINT
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


# -- the client --------------------------------------------------------------------------------
class Client:
    """One keep-alive connection (one per thread); reconnects if the server closed it."""

    def __init__(self, port: int, timeout: float):
        self.port, self.timeout = port, timeout
        self.conn = None

    def request(self, method: str, path: str, body: bytes | None, headers: dict):
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                continue
            elapsed = time.perf_counter() - started
            if resp.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return resp.status, dict(resp.getheaders()), data, elapsed
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def sparql(client: Client, path: str, text: str):
    return client.request(
        "POST",
        path,
        text.encode("utf-8"),
        {"Content-Type": "application/sparql-query", "Accept": JSON_RESULTS},
    )


def rows_of(data: bytes):
    doc = json.loads(data)
    return doc["boolean"] if "boolean" in doc else len(doc["results"]["bindings"])


def summary(times: list[float]) -> dict:
    times = sorted(times)
    if not times:
        return {}
    return {
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))] * 1000,
        "runs": len(times),
    }


def time_query(port: int, path: str, text: str, reps: int, budget: float) -> dict:
    """One warm-up, then up to `reps` timed runs within `budget` seconds, one connection."""
    client = Client(port, timeout=budget + 60)
    times, rows, truncated = [], None, False
    try:
        for i in range(reps + 1):
            try:
                status, headers, data, elapsed = sparql(client, path, text)
            except OSError as exc:  # the client's own time limit, a dropped connection
                return {"error": f"{type(exc).__name__}: {exc}"}
            if status != 200:
                return {"error": f"HTTP {status}: {data[:300].decode(errors='replace')}"}
            try:
                rows = rows_of(data)
            except ValueError:  # a 200 whose body was cut (a streamed answer that failed)
                tail = data[-200:].decode(errors="replace")
                return {"error": f"HTTP 200 with invalid JSON ({len(data):,} bytes): …{tail}"}
            truncated = truncated or headers.get("X-Result-Truncated") == "true"
            if i:
                times.append(elapsed)
            if sum(times) > budget and len(times) >= 2:
                break
    finally:
        client.close()
    return {**summary(times), "rows": rows, "bytes": len(data), "truncated": truncated}


def load_test(port: int, requests: list[tuple], concurrency: int, timeout: float = 120) -> dict:
    """Send `requests` [(method, path, body, headers)] over `concurrency` keep-alive
    connections; requests per second over the wall time, latency median and p95."""
    local = threading.local()
    clients: list[Client] = []
    lock = threading.Lock()

    def one(req):
        if not hasattr(local, "client"):
            local.client = Client(port, timeout)
            with lock:
                clients.append(local.client)
        status, _, data, elapsed = local.client.request(*req)
        return status, len(data), elapsed

    with ThreadPoolExecutor(concurrency) as pool:  # warm: one request per connection
        list(pool.map(one, requests[:concurrency]))
        started = time.perf_counter()
        results = list(pool.map(one, requests))
        wall = time.perf_counter() - started
    for c in clients:
        c.close()
    statuses: dict[int, int] = {}
    for status, _, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    return {
        **summary([r[2] for r in results]),
        "requests": len(results),
        "concurrency": concurrency,
        "rps": len(results) / wall,
        "statuses": {str(k): v for k, v in statuses.items()},
        "mean_bytes": sum(r[1] for r in results) / max(1, len(results)),
    }


# -- one size ----------------------------------------------------------------------------------
#: `kg serve` with one change: TCP_NODELAY on its connections (socketserver's
#: `disable_nagle_algorithm`), to show what the two-write responses cost (see RESULTS-serve.md).
NODELAY = (
    "import sys; from kg_builder.publish import server; "
    "server.Handler.disable_nagle_algorithm = True; "
    "from kg_builder.cli import main; main(sys.argv[1:], prog_name='kg')"
)
#: (key, label) of each server, in table order.
SIDES = (("kg", "kg serve"), ("kgnd", "kg serve + TCP_NODELAY"), ("ox", "oxigraph serve"))


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
        "ox": Server(
            "oxigraph serve",
            [str(VENV_BIN / "oxigraph"), "serve", "--location", str(prep["oxdb"]),
             "--bind", f"127.0.0.1:{ports['ox']}", "--union-default-graph",
             "--timeout-s", str(int(args.budget + 30))],
            ports["ox"], "/query", folder / "oxigraph.log",
        ),
    }  # fmt: skip
    if args.nodelay:
        out["kgnd"] = Server(
            "kg serve + TCP_NODELAY",
            [sys.executable, "-c", NODELAY, *serve_args, "--port", str(ports["kgnd"])],
            ports["kgnd"], "/sparql", folder / "kg-serve-nodelay.log",
        )  # fmt: skip
    return {side: out[side] for side, _ in SIDES if side in out}


def run_size(n: int, work: Path, args) -> dict:
    prep = prepare(n, work, args.seed)
    folder = prep["folder"]
    out = {k: (str(v) if isinstance(v, Path) else v) for k, v in prep.items()}
    out["target_quads"] = n
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
            out["queries"][name] = {
                side: time_query(s.port, s.query_path, text, args.reps, args.budget)
                for side, s in servers.items()
            }
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
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return out


# -- reporting ---------------------------------------------------------------------------------
def _ms(d: dict | None, key: str = "median_ms") -> str:
    if not d:
        return "–"
    if "error" in d:
        return "error"
    v = d.get(key)
    return "–" if v is None else (f"{v:,.0f}" if v >= 100 else f"{v:.1f}")


def _ratio(a: dict, b: dict) -> str:
    x, y = (a or {}).get("median_ms"), (b or {}).get("median_ms")
    return "–" if not x or not y else f"{x / y:.1f}×"


def _rows(r: dict) -> str:
    counts = [r[side].get("rows") for side, _ in SIDES if side in r]
    if any(c is None for c in counts):
        return "–"
    return f"{counts[0]:,}" if len(set(counts)) == 1 else " ≠ ".join(f"{c:,}" for c in counts)


def query_cols(result: dict) -> list[str]:
    cols = ["query", "in-process"]
    for side, label in SIDES:
        if any(side in r for r in result.get("queries", {}).values()):
            cols += [label, "p95"]
    return cols + ["kg/ox", "rows"]


def query_rows(result: dict) -> list[list[str]]:
    rows = []
    for name, r in sorted(result.get("queries", {}).items()):
        cells = [name + (" (bound)" if name in result.get("bound_parameters", {}) else "")]
        cells.append(_ms(result.get("library", {}).get(name, {})))
        for side, _ in SIDES:
            if side in r:
                cells += [_ms(r[side]), _ms(r[side], "p95_ms")]
        rows.append(cells + [_ratio(r["kg"], r["ox"]), _rows(r)])
    return rows


def _rate(d: dict, digits: int = 0) -> str:
    bad = {k: v for k, v in d["statuses"].items() if k != "200"}
    return (
        f"{_ms(d)} / {_ms(d, 'p95_ms')} ms, {d['rps']:,.{digits}f}/s"
        + (f" (non-200: {bad})" if bad else "")
    )


def other_cols(result: dict) -> list[str]:
    return ["measure"] + [label for side, label in SIDES if side in result.get("lookup", {})]


def other_rows(result: dict) -> list[list[str]]:
    sides = [side for side, _ in SIDES if side in result.get("lookup", {})]
    rows = []
    for c in result.get("lookup", {}).get("kg", {}):
        if c != "rows":
            rows.append(
                [f"look-up (one entity's triples), concurrency {c}"]
                + [_rate(result["lookup"][side][c]) for side in sides]
            )
    pages = result.get("pages", {})
    for media in ("text/html", "text/turtle"):
        for c in pages.get("kg", {}).get(media, {}):
            label = f"page {media}, " + ("hub entity" if c == "hub" else f"concurrency {c}")
            cells = [label]
            for side in sides:
                p = pages.get(side, {}).get(media, {}).get(c)
                if p is None:
                    cells.append("no pages")
                    continue
                size = f", {p['mean_bytes'] / 1024:,.0f} KB" if c == "hub" else ""
                cells.append(_rate(p, 1) + size)
            rows.append(cells)
    st = result.get("start_seconds", {})
    cells = ["start (launch → first answer)"]
    for side in sides:
        extra = f" (+ load {result['oxigraph_load_seconds']:.1f} s)" if side == "ox" else ""
        cells.append(f"{st.get(side, 0):.2f} s{extra}")
    rows.append(cells)
    for when in ("memory_idle", "memory_after"):
        m = result.get(when, {})
        if m:
            cells = [f"resident memory ({when.split('_')[1]})"]
            for side in sides:
                k = m[side]
                each = ""
                if k["processes"] > 1:
                    each = f" ({' + '.join(f'{x:,.0f}' for x in k['each_mb'])})"
                cells.append(f"{k['total_mb']:,.0f} MB in {k['processes']} proc.{each}")
            rows.append(cells)
    return rows


def print_tables(result: dict) -> None:
    size = f"{result.get('quads') or result['target_quads']:,} quads"
    t = Table(title=f"{size}: catalogue queries, ms over HTTP", title_justify="left")
    for col in query_cols(result):
        t.add_column(col, justify="left" if col == "query" else "right")
    for cells in query_rows(result):
        t.add_row(*cells)
    console.print(t)
    t = Table(title=f"{size}: look-ups, pages, start, memory", title_justify="left")
    for col in other_cols(result):
        t.add_column(col)
    for cells in other_rows(result):
        t.add_row(*cells)
    console.print(t)


def markdown_tables(results: list[dict]) -> str:
    lines = []
    for r in results:
        size = f"{r.get('quads') or r['target_quads']:,} quads"
        cols = query_cols(r)
        lines += [f"### {size}", "", "| " + " | ".join(cols) + " |", "|---" * len(cols) + "|"]
        lines += ["| " + " | ".join(c) + " |" for c in query_rows(r)]
        cols = other_cols(r)
        lines += ["", "| " + " | ".join(cols) + " |", "|---" * len(cols) + "|"]
        lines += ["| " + " | ".join(c) + " |" for c in other_rows(r)]
        lines.append("")
    return "\n".join(lines)


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
        "--no-nodelay", dest="nodelay", action="store_false",
        help="skip the third server (kg serve with TCP_NODELAY)",
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
    sizes = [_size(s) for s in args.quads.split(",")]
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    meta = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "loadavg_before": os.getloadavg(),
        "command": "python -m benchmarks.serve " + " ".join(sys.argv[1:] if argv is None else argv),
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
