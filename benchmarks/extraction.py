"""Extraction throughput: `kg extract` on 1,000 generated articles, beside a spaCy baseline.

    python -m benchmarks.extraction                 # 100 and 1,000 articles
    python -m benchmarks.extraction --articles 100,1000,3000 --out benchmarks/results/extraction.json

The articles come from benchmarks/generate.py (seeded; a third carry scraped-site furniture),
with the graph that generator's curated data builds, so the gazetteer is as large as a real
project's (about 9 entities per 1,000 quads). Every measurement runs in its own process; its
peak memory is the kernel's peak RSS (VmHWM) of that process.

Measured:
- **ours**: `extract_corpus` (read, boilerplate, mentions, dates, quantities, linking,
  sentences, relations) with the rules backend and the graph's EntityIndex, per stage;
- **baseline**: spaCy's own way of doing gazetteer NER: a blank English pipeline with an
  EntityRuler holding the same names as phrase patterns, run over the same texts (`nlp.pipe`);
  it only finds mentions (no linking, dates or relations), so it is a floor for that part.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
WORK = Path("/tmp/kg-bench-extraction")


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def prepare(work: Path, articles: int, seed: int) -> dict:
    """Generate a corpus with at least `articles` articles, build its store, and lay out
    folders holding the first 100 / 1,000 / ... of them (with their sources.yaml)."""
    import yaml

    from benchmarks.generate import generate
    from kg_builder.pipeline import build, make_settings

    quads = int(articles / 1.1 * 1000) + 50_000  # the generator writes ~1.13 articles per 10^3
    folder = work / "gen"
    meta_file = folder / "corpus" / "sources.yaml"
    have = len(yaml.safe_load(meta_file.read_text("utf-8"))) if meta_file.exists() else 0
    if not (folder / "store").exists() or have < articles:
        for old in work.glob("articles-*"):
            shutil.rmtree(old)
        shutil.rmtree(folder, ignore_errors=True)
        generate(folder, quads, seed=seed)
        settings = make_settings(
            corpus=folder / "corpus",
            data_dir=folder / "data",
            store=str(folder / "store"),
            check_owl=False,
        )
        build(settings, validate=False, write=False)
    meta = yaml.safe_load(meta_file.read_text(encoding="utf-8"))
    if len(meta) < articles:
        raise SystemExit(f"the generator wrote {len(meta)} articles, fewer than {articles}")
    return {"folder": str(folder), "available": len(meta)}


def subset(work: Path, n: int) -> Path:
    import yaml

    src = work / "gen" / "corpus"
    dest = work / f"articles-{n}"
    if dest.exists():
        return dest
    meta = yaml.safe_load((src / "sources.yaml").read_text(encoding="utf-8"))[:n]
    dest.mkdir(parents=True)
    for entry in meta:
        shutil.copy(src / entry["file"], dest / entry["file"])
    (dest / "sources.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), "utf-8")
    return dest


# --- workers (one process each) -------------------------------------------------------------


def worker_ours(args: dict) -> dict:
    from kg_builder.extraction import extract as ex
    from kg_builder.extraction.gazetteer import EntityIndex
    from kg_builder.store import OxigraphStore

    t0 = time.perf_counter()
    store = OxigraphStore(args["store"])
    index = EntityIndex.from_store(store)
    index_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    run = ex.extract_corpus(Path(args["corpus"]), index, "rules")
    seconds = time.perf_counter() - t1
    chars = sum(len(r.document.text) for r in run.results)
    s = run.summary()
    return {
        "seconds": seconds,
        "index_seconds": index_s,
        "articles": s["articles"],
        "skipped": s["skipped"],
        "chars": chars,
        "mentions": s["mentions"],
        "candidates": s["candidates"],
        "articles_per_s": s["articles"] / seconds,
        "chars_per_s": chars / seconds,
        "peak_mb": _peak_mb(),
    }


def worker_spacy(args: dict) -> dict:
    import spacy

    from kg_builder.extraction.gazetteer import EntityIndex
    from kg_builder.extraction.text import read_corpus
    from kg_builder.store import OxigraphStore

    index = EntityIndex.from_store(OxigraphStore(args["store"]))
    names = sorted({(n, e.type) for e in index.entries.values() for n in e.names})
    docs, _ = read_corpus(Path(args["corpus"]))
    t0 = time.perf_counter()
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns([{"label": t, "pattern": n} for n, t in names])
    setup = time.perf_counter() - t0
    t1 = time.perf_counter()
    found = sum(len(d.ents) for d in nlp.pipe((doc.text for doc in docs), batch_size=64))
    seconds = time.perf_counter() - t1
    return {
        "seconds": seconds,
        "setup_seconds": setup,
        "articles": len(docs),
        "mentions": found,
        "patterns": len(names),
        "articles_per_s": len(docs) / seconds,
        "peak_mb": _peak_mb(),
    }


def run_worker(name: str, args: dict, timeout: float) -> dict:
    cmd = [sys.executable, "-m", "benchmarks.extraction", "--worker", name, json.dumps(args)]
    try:
        done = subprocess.run(
            cmd, cwd=PROJECT, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return {"error": f"stopped after {timeout:.0f} s"}
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", default="100,1000")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", default=str(WORK))
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--out", default=str(HERE / "results" / "extraction-latest.json"))
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("payload", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        fn = {"ours": worker_ours, "spacy": worker_spacy}[args.worker]
        print(json.dumps(fn(json.loads(args.payload))))
        return 0
    work = Path(args.work)
    sizes = [int(float(x)) for x in args.articles.split(",")]
    started = time.perf_counter()
    prep = prepare(work, max(sizes), args.seed)
    print(f"corpus and store ready in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    store = str(work / "gen" / "store")
    results = []
    for n in sizes:
        corpus = subset(work, n)
        ours = run_worker("ours", {"store": store, "corpus": str(corpus)}, args.timeout)
        base = run_worker("spacy", {"store": store, "corpus": str(corpus)}, args.timeout)
        results.append({"articles": n, "ours": ours, "spacy_entity_ruler": base})
        print(f"{n} articles: ours {ours}\n  spaCy EntityRuler {base}", file=sys.stderr)
    growth = None
    if len(results) >= 2 and all("seconds" in r["ours"] for r in results[-2:]):
        import math

        a, b = results[-2], results[-1]
        growth = math.log(b["ours"]["seconds"] / a["ours"]["seconds"]) / math.log(
            b["articles"] / a["articles"]
        )
    out = {
        "command": "python -m benchmarks.extraction " + " ".join(argv or sys.argv[1:]),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "prepared": prep,
        "sizes": results,
        "growth_exponent": growth,
    }
    Path(args.out).write_text(json.dumps(out, indent=1), encoding="utf-8")
    print(f"{'articles':>9} {'ours s':>8} {'art/s':>7} {'peak MB':>8} {'spaCy ruler s':>14} "
          f"{'art/s':>7} {'peak MB':>8}")
    for r in results:
        o, s = r["ours"], r["spacy_entity_ruler"]
        print(f"{r['articles']:>9} {o.get('seconds', float('nan')):>8.2f} "
              f"{o.get('articles_per_s', float('nan')):>7.1f} {o.get('peak_mb', float('nan')):>8.0f} "
              f"{s.get('seconds', float('nan')):>14.2f} {s.get('articles_per_s', float('nan')):>7.1f} "
              f"{s.get('peak_mb', float('nan')):>8.0f}")
    if growth is not None:
        print(f"growth exponent (time ∝ articles^k): k = {growth:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
