"""Benchmarks of the network side: projection from the store, analysis, network and RDF exports.

    python -m benchmarks.network                                  # everything, default sizes
    python -m benchmarks.network --quads 1e5 --nodes 10000 --edges 50000   # a quick run
    python -m benchmarks.network --parts export --out benchmarks/results/network-export.json

Parts (--parts, comma-separated; all by default):

projection  For each size in --quads, a synthetic corpus (benchmarks.generate, seeded) is built
            into a fresh Oxigraph store as benchmarks.task does. `project(store)` is timed,
            then each derived projection; the baseline parses the store's N-Quads dump into an
            rdflib Dataset and walks the assertions of every named graph into a MultiDiGraph
            (`rdflib_projection` below).
analysis    On the projected graph of each size: metrics.summary, centrality (degree+pagerank,
            betweenness exact and sampled, eigenvector) and Louvain communities; NetworkX's own
            algorithms, so no baseline, but the growth between sizes.
export      A synthetic entity network of --nodes and --edges in the projection's shape
            (`synthetic_graph`), written by export_network in every network format, against
            networkx's writers (write_gexf 1.2draft, write_graphml, node_link_data + json.dump).
rdf         export_rdf of the largest store in nquads, turtle, trig and jsonld, against rdflib's
            Dataset.serialize of the same dump, stopped after --rdflib-budget seconds.

Every measurement runs in a fresh process (`--worker`), so that its memory is its own, and a
runaway one is stopped. Memory is the kernel's peak resident set size (VmHWM in
/proc/self/status, reset through /proc/self/clear_refs just before the measured call): "peak MB"
is the process's peak during the call, "+MB" the increase over its resident size just before
(the input graph already in memory). Results go to --out as JSON; tables are printed, and
their Markdown is written to --work/report.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import pickle
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
DEFAULT_WORK = "/tmp/kg-bench-network"

# -- memory and timing ------------------------------------------------------------------------


def _status_mb(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> bool:
    """Reset the kernel's peak RSS counter of this process (Linux >= 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


#: A call faster than this is repeated (up to REPEAT_MAX runs, REPEAT_BUDGET seconds) and its
#: median time reported: one run of a few milliseconds says little on a shared machine.
REPEAT_BELOW, REPEAT_MAX, REPEAT_BUDGET = 1.0, 5, 3.0


def measure(fn: Callable[[], object], repeat: bool = True) -> tuple[object, dict]:
    """Run fn: (its result, {seconds, cpu_seconds, peak_mb, rss_before_mb, added_mb, runs,
    load}). Memory is that of the first run; a fast call is repeated and its median time
    (wall and CPU) reported. `load` is the 1-minute load average when it started."""
    gc.collect()
    exact = _reset_peak()
    before = _status_mb("VmRSS")
    load = os.getloadavg()[0]
    walls, cpus = [], []
    while True:
        started, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
        if len(walls) == 1:
            peak = _status_mb("VmHWM")
        if (
            not repeat
            or walls[0] >= REPEAT_BELOW
            or len(walls) >= REPEAT_MAX
            or sum(walls) >= REPEAT_BUDGET
        ):
            break
    return result, {
        "seconds": statistics.median(walls),
        "cpu_seconds": statistics.median(cpus),
        "runs": len(walls),
        "peak_mb": round(peak, 1),
        "rss_before_mb": round(before, 1),
        "added_mb": round(max(0.0, peak - before), 1),
        "peak_exact": exact,
        "load": round(load, 2),
    }


def _load_graph(path: str):
    with open(path, "rb") as fh:
        G = pickle.load(fh)
    gc.collect()
    return G


def _size_of(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size if path.exists() else 0


# -- the rdflib baseline of the projection ------------------------------------------------------


def rdflib_projection(nquads: str) -> tuple[object, dict]:
    """The entity network the plain way: parse the N-Quads dump into an rdflib Dataset, take the
    entities of the registry graph as nodes, and walk the kg:Assertion of every named graph
    (rdf:subject / rdf:predicate / rdf:object) whose predicate is a network edge of the
    ontology into a MultiDiGraph, merging the sources of the same (s, predicate, o)."""
    import networkx as nx
    from rdflib import Dataset, Literal, URIRef
    from rdflib.namespace import RDF, RDFS

    from kg_builder.resources import ontology_dir
    from kg_builder.ontology import KG, load_ontology

    phases = {}
    started = time.perf_counter()
    onto = load_ontology(ontology_dir())
    ds = Dataset()
    ds.parse(nquads, format="nquads")
    phases["parse_seconds"] = time.perf_counter() - started

    started = time.perf_counter()
    edge_names = {URIRef(str(p.iri)): name for name, p in onto.edge_properties.items()}
    classes = onto.entity_classes
    G = nx.MultiDiGraph()
    registry = next(g for g in ds.graphs() if str(g.identifier).endswith("graph/registry"))
    for e, cls in registry.subject_objects(RDF.type):
        name = str(cls).rsplit("#", 1)[-1]
        if name not in classes or not isinstance(e, URIRef):
            continue
        label = registry.value(e, RDFS.label)
        G.add_node(
            str(e),
            label=str(label) if label is not None else str(e).rsplit("/", 1)[-1],
            type=name,
            top_type=str(onto.top_class(classes[name].iri)).rsplit("#", 1)[-1],
        )
    # One pass over the kg:Assertion typings of all graphs; the statement's parts are looked
    # up by subject in its graph. (Walking graph by graph, g.subjects(RDF.type, KG.Assertion),
    # is quadratic in rdflib's memory store: each call scans the assertions of every graph.)
    for a, _, _, gid in ds.quads((None, RDF.type, KG.Assertion, None)):
        g = ds.graph(gid)
        p = g.value(a, RDF.predicate)
        key = edge_names.get(p)
        if key is None:
            continue
        s, o = str(g.value(a, RDF.subject)), g.value(a, RDF.object)
        if isinstance(o, Literal) or s not in G or str(o) not in G:
            continue
        o = str(o)
        source = str(gid).rsplit("/", 1)[-1]
        conf = g.value(a, KG.confidence)
        if G.has_edge(s, o, key):
            data = G[s][o][key]
            data["sources"].add(source)
        else:
            G.add_edge(s, o, key=key, predicate=str(p), sources={source}, confidence=None)
            data = G[s][o][key]
        if conf is not None:
            c = float(conf)
            data["confidence"] = c if data["confidence"] is None else max(c, data["confidence"])
    for _, _, data in G.edges(data=True):
        data["weight"] = len(data["sources"])
        data["sources"] = ";".join(sorted(data["sources"]))
    phases["walk_seconds"] = time.perf_counter() - started
    return G, phases


# -- a synthetic entity network in the projection's shape ----------------------------------------

PREDICATES = (
    "admitsWithInternalPassport affiliatedWith alliedWith announced appliesToCitizensOf "
    "arrestedBy basedIn borderOf bornIn causedBy citizenOf comesFrom desertedFrom destination "
    "employedBy fledFrom fledTo formerCitizenOf formerMemberOf founderOf helps imposedBy "
    "intendsToGoTo interviewedBy leads locatedIn memberOf officialOf origin partOf "
    "participatedIn place relativeOf residesIn spokespersonFor spouseOf travelledVia "
    "travelledWith via visaFreeFor"
).split()
TYPES = (  # (class, top type, colour, share of the nodes)
    ("Person", "Person", "#1f77b4", 45),
    ("NGO", "Organisation", "#ff7f0e", 5),
    ("GovernmentBody", "Organisation", "#ff7f0e", 5),
    ("MediaOrganisation", "Organisation", "#ff7f0e", 5),
    ("Country", "Place", "#2ca02c", 1),
    ("City", "Place", "#2ca02c", 10),
    ("BorderCrossingPoint", "Place", "#2ca02c", 4),
    ("Flight", "Event", "#d62728", 10),
    ("Arrest", "Event", "#d62728", 5),
    ("Protest", "Event", "#d62728", 5),
    ("Desertion", "Event", "#d62728", 5),
)
FIRST = "Ivan Olga Dmitry Anna Sergei Maria Alexei Elena Pavel Irina Nikolai Yulia".split()
LAST = "Ivanov Petrova Smirnov Volkova Kuznetsov Sokolova Popov Lebedeva Amonov Orlova".split()
IRI = "https://w3id.org/kg-builder/id/"
KGNS = "https://w3id.org/kg-builder/ontology#"


def _words(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()


def _day(rng: random.Random) -> str:
    import datetime as dt

    first = dt.date(2022, 2, 24).toordinal()
    return dt.date.fromordinal(first + rng.randrange(1220)).isoformat()


def synthetic_graph(n_nodes: int, n_edges: int, seed: int = 42):
    """A MultiDiGraph with the attributes `project` gives (node: label, type, top_type, color,
    wikidata on 30%, latitude/longitude on places, start on events and half the others, end on
    some events; edge key: one of 40 predicate names, with predicate, label, sources, methods,
    weight, confidence on 60%, start on 40%, end on a tenth of those). Endpoints are drawn
    with a Zipf-like weight (1/rank^0.9 over a shuffled order), so a few hubs have thousands
    of facts and most nodes a handful; an (s, key, o) is drawn at most once, no self-loops."""
    import datetime as dt

    import networkx as nx

    rng = random.Random(seed)
    G = nx.MultiDiGraph(name="synthetic entity network", filter="all facts")
    total = sum(t[3] for t in TYPES)
    kinds = rng.choices(range(len(TYPES)), weights=[t[3] for t in TYPES], k=n_nodes)
    ids = []
    for i, k in enumerate(kinds):
        cls, top, colour, _ = TYPES[k]
        if top == "Person":
            label = f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}"
        else:
            label = f"{_words(cls).capitalize()} {i}"
        node = f"{IRI}{cls.lower()}-{i:06d}"
        data = {"label": label, "type": cls, "top_type": top, "color": colour}
        if rng.random() < 0.3:
            data["wikidata"] = f"Q{rng.randrange(1, 10**8)}"
        if top == "Place":
            data["latitude"] = round(rng.uniform(35, 70), 5)
            data["longitude"] = round(rng.uniform(10, 140), 5)
        if top == "Event" or rng.random() < 0.5:
            data["start"] = _day(rng)
            if top == "Event" and rng.random() < 0.3:
                end = dt.date.fromisoformat(data["start"]) + dt.timedelta(rng.randrange(1, 90))
                data["end"] = end.isoformat()
        G.add_node(node, **data)
        ids.append(node)
    assert total > 0
    order = ids[:]
    rng.shuffle(order)
    cum, acc = [], 0.0
    for rank in range(len(order)):
        acc += 1.0 / (rank + 1) ** 0.9
        cum.append(acc)
    sources = [f"a{n:06d}" for n in range(max(100, n_edges // 25))]
    labels = {p: _words(p) for p in PREDICATES}
    seen: set[tuple[str, str, str]] = set()
    while len(seen) < n_edges:
        batch = min(100_000, 2 * (n_edges - len(seen)))
        ss = rng.choices(order, cum_weights=cum, k=batch)
        oo = rng.choices(order, cum_weights=cum, k=batch)
        for s, o in zip(ss, oo, strict=True):
            if s == o:
                continue
            key = PREDICATES[rng.randrange(len(PREDICATES))]
            if (s, key, o) in seen:
                continue
            seen.add((s, key, o))
            srcs = sorted(rng.sample(sources, rng.choice((1, 1, 1, 2, 3))))
            data = {
                "predicate": KGNS + key,
                "label": labels[key],
                "sources": ";".join(srcs),
                "methods": "curated" if rng.random() < 0.9 else "curated;extracted",
                "weight": len(srcs),
            }
            if rng.random() < 0.6:
                data["confidence"] = round(rng.uniform(0.5, 1.0), 2)
            if rng.random() < 0.4:
                data["start"] = _day(rng)
                if rng.random() < 0.1:
                    end = dt.date.fromisoformat(data["start"]) + dt.timedelta(rng.randrange(1, 60))
                    data["end"] = end.isoformat()
            G.add_edge(s, o, key=key, **data)
            if len(seen) >= n_edges:
                break
    return G


# -- worker tasks (one fresh process each) --------------------------------------------------------


def w_project(args: dict) -> dict:
    """project(store) from the on-disk store; the graph is pickled for the later steps."""
    from kg_builder.analysis.projection import Filter, project
    from kg_builder.store import OxigraphStore

    store = OxigraphStore(args["store"])
    G, m = measure(lambda: project(store, Filter()))
    with open(args["pickle"], "wb") as fh:
        pickle.dump(G, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return {**m, "nodes": G.number_of_nodes(), "edges": G.number_of_edges()}


def w_project_rdflib(args: dict) -> dict:
    (G, phases), m = measure(lambda: rdflib_projection(args["nquads"]))
    return {**m, **phases, "nodes": G.number_of_nodes(), "edges": G.number_of_edges()}


def _warm_up(fn: Callable, G) -> None:
    """Run fn once on a small piece of G: the first call of a NetworkX (or SciPy) function
    pays one-time costs (lazy imports, backend dispatch) that are not the algorithm's."""
    try:
        fn(G.subgraph(list(G)[:200]).copy())
    except Exception:  # noqa: BLE001 - a warm-up may fail on a piece (no path, no edge)
        pass


def w_derive(args: dict) -> dict:
    try:
        from kg_builder.analysis.derived import derive
    except ImportError:  # before derived projections had their own module
        from kg_builder.analysis.projection import derive

    G = _load_graph(args["pickle"])
    _warm_up(lambda H: derive(H, args["name"]), G)
    H, m = measure(lambda: derive(G, args["name"]))
    return {**m, "nodes": H.number_of_nodes(), "edges": H.number_of_edges()}


ANALYSES = {
    "simple (undirected view)": lambda G: __import__(
        "kg_builder.analysis.metrics", fromlist=["simple"]
    ).simple(G),
    "summary": lambda G: _metrics().summary(G),
    "degree + pagerank": lambda G: _metrics().centrality(G, ("degree", "pagerank")),
    "betweenness exact": lambda G: _metrics().centrality(
        G, ("betweenness",), sample=G.number_of_nodes()
    ),
    "betweenness exact (NetworkX baseline)": lambda G: (
        None,
        {"note": str(len(__import__("networkx").betweenness_centrality(_metrics().simple(G))))},
    ),
    "betweenness k=1000": lambda G: _metrics().centrality(G, ("betweenness",), sample=1000),
    "eigenvector": lambda G: _metrics().centrality(G, ("eigenvector",)),
    "communities (Louvain)": lambda G: _metrics().communities(G),
    "communities (Leiden)": lambda G: _metrics().communities(G, method="leiden"),
}


def _metrics():
    from kg_builder.analysis import metrics

    return metrics


def w_analysis(args: dict) -> dict:
    G = _load_graph(args["pickle"])
    _warm_up(ANALYSES[args["name"]], G)
    result, m = measure(lambda: ANALYSES[args["name"]](G))
    out = dict(m)
    if args["name"].startswith("communities"):
        out["communities"] = result[1]["communities"]
        out["modularity"] = result[1]["modularity"]
    if args["name"].startswith(("betweenness", "eigenvector")):
        out["note"] = next(iter(result[1].values()), "")
    return out


def w_synth(args: dict) -> dict:
    G, m = measure(lambda: synthetic_graph(args["nodes"], args["edges"], args["seed"]))
    with open(args["pickle"], "wb") as fh:
        pickle.dump(G, fh, protocol=pickle.HIGHEST_PROTOCOL)
    degrees = sorted((d for _, d in G.degree()), reverse=True)
    return {
        **m,
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "max_degree": degrees[0],
        "median_degree": degrees[len(degrees) // 2],
        "top10_degrees": degrees[:10],
    }


def _nx_writer(fmt: str) -> Callable:
    import networkx as nx

    if fmt == "gexf":
        return lambda G, p: nx.write_gexf(G, p, version="1.2draft")
    if fmt == "graphml":
        return lambda G, p: nx.write_graphml(G, p)

    def node_link(G, p):
        with open(p, "w", encoding="utf-8") as fh:
            json.dump(nx.node_link_data(G, edges="links"), fh)

    return node_link


def w_export(args: dict) -> dict:
    from kg_builder.export.formats import export_network

    G = _load_graph(args["pickle"])
    path = Path(args["path"])
    if path.exists():
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    if args["impl"] == "ours":
        with_metrics = args.get("metrics", False)
        _, m = measure(  # metrics are added to G: a second run would not compute them
            lambda: export_network(G, args["format"], path, metrics=with_metrics),
            repeat=not with_metrics,
        )
    else:
        _, m = measure(lambda: _nx_writer(args["format"])(G, str(path)))
    m["bytes"] = _size_of(path)
    shutil.rmtree(path) if path.is_dir() else path.unlink()
    return m


class _OverBudget(Exception):
    pass


def _on_alarm(signum, frame):  # noqa: ARG001 - signal handler signature
    raise _OverBudget()


RDFLIB_FORMATS = {"nquads": "nquads", "turtle": "turtle", "trig": "trig", "jsonld": "json-ld"}


def w_rdf(args: dict) -> dict:
    path = Path(args["path"])
    path.unlink(missing_ok=True)
    fmt = args["format"]
    if args["impl"] == "ours":
        from kg_builder.export.rdf import export_rdf
        from kg_builder.store import OxigraphStore

        store = OxigraphStore(args["store"])
        report, m = measure(lambda: export_rdf(store, fmt, path))
        m["statements"] = report.statements
    else:
        from rdflib import Dataset

        # Turtle is one merged graph: a union Dataset serialises every graph's triples in it.
        ds = Dataset(default_union=fmt == "turtle")
        started = time.perf_counter()
        ds.parse(args["nquads"], format="nquads")
        parse = time.perf_counter() - started
        budget = int(args["budget"])
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.alarm(budget)
        try:
            _, m = measure(lambda: ds.serialize(str(path), format=RDFLIB_FORMATS[fmt]))
        except _OverBudget:
            path.unlink(missing_ok=True)
            return {"timeout_s": budget, "parse_seconds": parse}
        finally:
            signal.alarm(0)
        m["parse_seconds"] = parse
    m["bytes"] = _size_of(path)
    path.unlink(missing_ok=True)
    return m


WORKERS = {
    "project": w_project,
    "project-rdflib": w_project_rdflib,
    "derive": w_derive,
    "analysis": w_analysis,
    "synth": w_synth,
    "export": w_export,
    "rdf": w_rdf,
}


def run_worker(task: str, args: dict, timeout: float) -> dict:
    """One task in a fresh process; {"timeout_s": ...} or {"error": ...} when it fails."""
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks.network", "--worker", task, json.dumps(args)],
            capture_output=True,
            text=True,
            cwd=PROJECT,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"timeout_s": timeout}
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-3:] or [f"exit {proc.returncode}"]
        return {"error": " | ".join(tail)}
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["process_seconds"] = time.perf_counter() - started
    return out


# -- the parts -----------------------------------------------------------------------------------


def _label(n: int) -> str:
    exp = int(math.floor(math.log10(n)))
    mant = n / 10**exp
    return f"1e{exp}" if mant == 1 else f"{mant:g}e{exp}"


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def prepare_store(n: int, work: Path, seed: int, reuse: bool) -> dict:
    """Generate a corpus of about n quads and build it into a store (benchmarks.task build),
    with its N-Quads dump; reused when --reuse and it is there already."""
    from benchmarks.generate import generate
    from benchmarks.run import task

    folder = work / _label(n)
    info_file = folder / "build.json"
    if reuse and info_file.exists() and (folder / "kg.nq").exists():
        log(f"{_label(n)}: reusing the store in {folder}")
        return json.loads(info_file.read_text())
    if folder.exists():
        shutil.rmtree(folder)
    started = time.perf_counter()
    summary = generate(folder, n, seed=seed)
    gen_seconds = time.perf_counter() - started
    log(f"{_label(n)}: generated in {gen_seconds:.1f} s; building the store…")
    build = task(
        "build",
        {
            "corpus": str(folder / "corpus"),
            "data": str(folder / "data"),
            "store": str(folder / "store"),
            "dump": str(folder / "kg.nq"),
        },
    )
    if "error" in build:
        raise SystemExit(f"build of {_label(n)} failed: {build['error']}")
    info = {
        "target_quads": n,
        "quads": build["quads"],
        "generate_seconds": gen_seconds,
        "build_seconds": build["seconds"],
        "build_peak_mb": build["peak_mb"],
        "articles": summary["articles"],
        "folder": str(folder),
    }
    info_file.write_text(json.dumps(info))
    log(f"{_label(n)}: {build['quads']:,} quads built in {build['seconds']:.1f} s")
    return info


def part_projection(size: dict, timeout: float) -> dict:
    folder = Path(size["folder"])
    out: dict = {}
    log(f"{_label(size['target_quads'])}: project(store)…")
    out["project"] = run_worker(
        "project", {"store": str(folder / "store"), "pickle": str(folder / "G.pickle")}, timeout
    )
    log(f"  {_brief(out['project'])}")
    log(f"{_label(size['target_quads'])}: rdflib baseline projection…")
    out["project_rdflib"] = run_worker("project-rdflib", {"nquads": str(folder / "kg.nq")}, timeout)
    log(f"  {_brief(out['project_rdflib'])}")
    out["derive"] = {}
    for name in ("flows", "person-organisation", "people", "organisations", "cooccurrence"):
        res = run_worker("derive", {"pickle": str(folder / "G.pickle"), "name": name}, timeout)
        out["derive"][name] = res
        log(f"  derive {name}: {_brief(res)}")
    return out


def part_analysis(size: dict, timeout: float, nodes: int, nx_exact_up_to: int) -> dict:
    folder = Path(size["folder"])
    out = {}
    for name in ANALYSES:
        if name == "betweenness k=1000" and nodes <= 1000:
            out[name] = {"skipped": "no fewer pivots than nodes"}
            continue
        if name.endswith("(NetworkX baseline)") and nodes > nx_exact_up_to:
            out[name] = {"skipped": f"more than {nx_exact_up_to:,} nodes (--nx-exact-up-to)"}
            log(f"  {name}: skipped above {nx_exact_up_to:,} nodes")
            continue
        res = run_worker("analysis", {"pickle": str(folder / "G.pickle"), "name": name}, timeout)
        out[name] = res
        log(f"  {name}: {_brief(res)}")
    return out


EXPORTS = (  # (label, format, implementation, metrics)
    ("gexf", "gexf", "ours", False),
    ("gexf", "gexf", "networkx", False),
    ("graphml", "graphml", "ours", False),
    ("graphml", "graphml", "networkx", False),
    ("csv", "csv", "ours", False),
    ("json", "json", "ours", False),
    ("json", "json", "networkx", False),
    ("gexf + metrics", "gexf", "ours", True),
)


def part_export(work: Path, n_nodes: int, n_edges: int, seed: int, timeout: float) -> dict:
    folder = work / "export"
    folder.mkdir(parents=True, exist_ok=True)
    pickled = str(folder / "synthetic.pickle")
    log(f"synthetic graph of {n_nodes:,} nodes and {n_edges:,} edges…")
    out = {
        "graph": run_worker(
            "synth", {"nodes": n_nodes, "edges": n_edges, "seed": seed, "pickle": pickled}, timeout
        )
    }
    log(f"  {_brief(out['graph'])}")
    out["runs"] = []
    for label, fmt, impl, with_metrics in EXPORTS:
        suffix = "" if fmt == "csv" else f".{fmt}"
        args = {
            "pickle": pickled,
            "format": fmt,
            "impl": impl,
            "metrics": with_metrics,
            "path": str(folder / f"out-{impl}-{fmt}{suffix}"),
        }
        res = run_worker("export", args, timeout)
        out["runs"].append({"label": label, "format": fmt, "impl": impl, **res})
        log(f"  {label} ({impl}): {_brief(res)}")
    Path(pickled).unlink(missing_ok=True)
    return out


def part_rdf(size: dict, budget: float, timeout: float) -> dict:
    folder = Path(size["folder"])
    out = []
    for fmt in ("nquads", "turtle", "trig", "jsonld"):
        for impl in ("ours", "rdflib"):
            args = {
                "format": fmt,
                "impl": impl,
                "store": str(folder / "store"),
                "nquads": str(folder / "kg.nq"),
                "path": str(folder / f"rdf-{impl}.{fmt}"),
                "budget": budget,
            }
            res = run_worker("rdf", args, timeout)
            out.append({"format": fmt, "impl": impl, **res})
            log(f"  {fmt} ({impl}): {_brief(res)}")
    return out


# -- reporting -----------------------------------------------------------------------------------


def _brief(r: dict) -> str:
    if "timeout_s" in r:
        return f"> {r['timeout_s']:.0f} s (stopped)"
    if "error" in r:
        return "error: " + r["error"]
    if "skipped" in r:
        return r["skipped"]
    parts = [_s(r.get("seconds"))]
    if "peak_mb" in r:
        parts.append(f"peak {r['peak_mb']:,.0f} MB (+{r['added_mb']:,.0f})")
    if "nodes" in r:
        parts.append(f"{r['nodes']:,} nodes, {r['edges']:,} edges")
    if "bytes" in r:
        parts.append(f"{r['bytes'] / 1e6:,.1f} MB written")
    return "; ".join(parts)


def _s(x) -> str:
    if x is None:
        return "–"
    return f"{x:.2f} s" if x >= 0.1 else f"{x * 1000:.1f} ms"


def _t(r: dict | None) -> str:
    """A time cell: seconds, or why there is none."""
    if not r:
        return "–"
    if "timeout_s" in r:
        return f"> {r['timeout_s']:.0f} s (stopped)"
    if "error" in r:
        return "error"
    if "skipped" in r:
        return "–"
    return _s(r.get("seconds"))


def _mb(r: dict | None, key: str = "peak_mb") -> str:
    return "–" if not r or key not in r else f"{r[key]:,.0f}"


def _ratio(a: dict | None, b: dict | None) -> str:
    ta, tb = (a or {}).get("seconds"), (b or {}).get("seconds")
    if ta and tb:
        return f"{tb / ta:.1f}×"
    if ta and b and "timeout_s" in b:
        return f"> {b['timeout_s'] / ta:.0f}×"
    return "–"


def _growth(a: dict | None, b: dict | None, na: float, nb: float) -> str:
    """The time ratio and the exponent k of time ∝ size^k, from wall time and from CPU time
    (steadier on a shared machine)."""
    ta, tb = (a or {}).get("seconds"), (b or {}).get("seconds")
    if not ta or not tb:
        return "–"
    text = f"{tb / ta:.1f}× (k={math.log(tb / ta) / math.log(nb / na):.2f})"
    ca, cb = (a or {}).get("cpu_seconds"), (b or {}).get("cpu_seconds")
    if ca and cb:
        text += f"; CPU {cb / ca:.1f}× (k={math.log(cb / ca) / math.log(nb / na):.2f})"
    return text


def _table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def report(results: dict) -> str:
    """The results as Markdown tables (printed, and written to --work/report.md)."""
    sections = []
    sizes = results.get("sizes", [])
    if any("projection" in s for s in sizes):
        rows = []
        for s in sizes:
            p = s.get("projection")
            if not p:
                continue
            a, b = p["project"], p["project_rdflib"]
            rows.append(
                [
                    f"{s['quads']:,}",
                    f"{a.get('nodes', 0):,} / {a.get('edges', 0):,}",
                    _t(a),
                    _t(b) + (f" ({_s(b['parse_seconds'])} parse)" if "parse_seconds" in b else ""),
                    _ratio(a, b),
                    f"{_mb(a)} / {_mb(b)}",
                    f"{b.get('nodes', 0):,} / {b.get('edges', 0):,}",
                ]
            )
        sections.append(
            "### Projection: store → MultiDiGraph\n\n"
            + _table(
                [
                    "quads",
                    "nodes / edges",
                    "project(store)",
                    "rdflib baseline",
                    "speed-up",
                    "peak MB ours / rdflib",
                    "baseline nodes / edges",
                ],
                rows,
            )
        )
        rows = []
        for s in sizes:
            for name, r in (s.get("projection") or {}).get("derive", {}).items():
                rows.append(
                    [
                        f"{s['quads']:,}",
                        name,
                        _t(r),
                        _mb(r, "added_mb"),
                        f"{r.get('nodes', 0):,} / {r.get('edges', 0):,}",
                    ]
                )
        sections.append(
            "### Derived projections (from the entity network in memory)\n\n"
            + _table(["quads", "derive(G, …)", "time", "+MB", "nodes / edges"], rows)
        )
    with_analysis = [s for s in sizes if s.get("analysis")]
    if with_analysis:
        head = ["step"] + [f"{s['quads']:,} quads" for s in with_analysis] + ["+MB (largest)"]
        if len(with_analysis) >= 2:
            head.append("growth (time ratio, k vs quads)")
        rows = []
        for name in ANALYSES:
            cells = [name] + [_t(s["analysis"].get(name)) for s in with_analysis]
            cells.append(_mb(with_analysis[-1]["analysis"].get(name), "added_mb"))
            if len(with_analysis) >= 2:
                a, b = with_analysis[0], with_analysis[-1]
                cells.append(
                    _growth(
                        a["analysis"].get(name), b["analysis"].get(name), a["quads"], b["quads"]
                    )
                )
            rows.append(cells)
        graphs = ", ".join(
            f"{s['quads']:,} quads → {s['projection']['project'].get('nodes', 0):,} nodes, "
            f"{s['projection']['project'].get('edges', 0):,} edges"
            for s in with_analysis
            if s.get("projection")
        )
        sections.append(f"### Analysis ({graphs})\n\n" + _table(head, rows))
    if results.get("export"):
        e = results["export"]
        g = e["graph"]
        by = {(r["label"], r["impl"]): r for r in e["runs"]}
        rows = []
        for label in dict.fromkeys(r["label"] for r in e["runs"]):
            a, b = by.get((label, "ours")), by.get((label, "networkx"))
            rows.append(
                [
                    label,
                    _t(a),
                    _t(b),
                    _ratio(a, b),
                    f"{(a or {}).get('bytes', 0) / 1e6:,.1f}" if a else "–",
                    f"{b['bytes'] / 1e6:,.1f}" if b and "bytes" in b else "–",
                    f"{_mb(a, 'added_mb')} / {_mb(b, 'added_mb')}",
                ]
            )
        sections.append(
            f"### Network exports ({g.get('nodes', 0):,} nodes, {g.get('edges', 0):,} edges; "
            f"graph made in {_s(g.get('seconds'))}, held in {g.get('peak_mb', 0):,.0f} MB)\n\n"
            + _table(
                [
                    "format",
                    "ours",
                    "networkx",
                    "speed-up",
                    "MB written ours",
                    "networkx",
                    "+MB ours / networkx",
                ],
                rows,
            )
        )
    if results.get("rdf"):
        by = {(r["format"], r["impl"]): r for r in results["rdf"]["runs"]}
        rows = []
        for fmt in dict.fromkeys(r["format"] for r in results["rdf"]["runs"]):
            a, b = by.get((fmt, "ours")), by.get((fmt, "rdflib"))
            rows.append(
                [
                    fmt,
                    _t(a),
                    _t(b),
                    _ratio(a, b),
                    f"{a['bytes'] / 1e6:,.0f}" if a and "bytes" in a else "–",
                    f"{b['bytes'] / 1e6:,.0f}" if b and "bytes" in b else "–",
                    f"{_mb(a)} / {_mb(b)}",
                ]
            )
        sections.append(
            f"### RDF exports ({results['rdf']['quads']:,} quads; rdflib's parse not counted)\n\n"
            + _table(
                [
                    "format",
                    "export_rdf",
                    "rdflib serialize",
                    "speed-up",
                    "MB ours",
                    "MB rdflib",
                    "peak MB ours / rdflib",
                ],
                rows,
            )
        )
    return "\n\n".join(sections) + "\n"


def versions() -> dict:
    import networkx
    import pyoxigraph
    import rdflib

    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=PROJECT
        ).stdout.strip()
    except OSError:
        commit = None
    return {
        "commit": commit,
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "networkx": networkx.__version__,
        "pyoxigraph": pyoxigraph.__version__,
        "rdflib": rdflib.__version__,
        "memory": "VmHWM (kernel peak RSS), reset before each measured call",
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--worker":
        result = WORKERS[argv[1]](json.loads(argv[2]))
        print(json.dumps(result))
        return 0
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.network", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--quads", default="1e5,1e6", help="store sizes, comma-separated")
    parser.add_argument("--nodes", type=int, default=100_000, help="synthetic graph for exports")
    parser.add_argument("--edges", type=int, default=500_000)
    parser.add_argument("--parts", default="projection,analysis,export,rdf")
    parser.add_argument("--rdf-quads", default=None, help="store size for RDF exports (largest)")
    parser.add_argument("--rdflib-budget", type=float, default=180.0, help="seconds per format")
    parser.add_argument("--timeout", type=float, default=1200.0, help="seconds per measurement")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--nx-exact-up-to",
        type=int,
        default=20_000,
        help="largest entity network (nodes) on which NetworkX's exact betweenness runs",
    )
    parser.add_argument("--work", default=DEFAULT_WORK, help="scratch folder (under 1 GB)")
    parser.add_argument("--reuse", action="store_true", help="reuse stores built in --work")
    parser.add_argument("--out", default=str(HERE / "results" / "network-latest.json"))
    args = parser.parse_args(argv)

    parts = set(args.parts.split(","))
    unknown = parts - {"projection", "analysis", "export", "rdf"}
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    out_path = Path(args.out)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    results: dict = {
        "meta": versions(),
        "command": "python -m benchmarks.network " + " ".join(argv),
    }
    results["sizes"] = []

    def save() -> None:
        out_path.write_text(json.dumps(results, indent=1, default=str) + "\n")

    sizes = [int(float(q)) for q in args.quads.split(",") if q]
    rdf_size = int(float(args.rdf_quads)) if args.rdf_quads else max(sizes, default=0)
    store_sizes = sizes if parts & {"projection", "analysis"} else []
    if "rdf" in parts and rdf_size and rdf_size not in store_sizes:
        store_sizes = [*store_sizes, rdf_size]
    built = {n: prepare_store(n, work, args.seed, args.reuse) for n in store_sizes}
    for n in sizes if parts & {"projection", "analysis"} else []:
        entry = {"target_quads": n, "quads": built[n]["quads"], "store": built[n]}
        results["sizes"].append(entry)
        entry["projection"] = part_projection(built[n], args.timeout)
        save()
        if "analysis" in parts:
            log(f"{_label(n)}: analysis…")
            nodes = entry["projection"]["project"].get("nodes", 0)
            entry["analysis"] = part_analysis(built[n], args.timeout, nodes, args.nx_exact_up_to)
            save()
    if "export" in parts:
        results["export"] = part_export(work, args.nodes, args.edges, args.seed, args.timeout)
        save()
    if "rdf" in parts and rdf_size:
        log(f"{_label(rdf_size)}: RDF exports…")
        runs = part_rdf(built[rdf_size], args.rdflib_budget, args.timeout)
        results["rdf"] = {"quads": built[rdf_size]["quads"], "runs": runs}
        save()
    text = report(results)
    (work / "report.md").write_text(text)
    print()
    print(text)
    log(f"wrote {out_path} and {work / 'report.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
