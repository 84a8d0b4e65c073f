"""The benchmark code still runs: the whole runner at 10^4 quads (a CI-sized smoke run). It
checks that every task and its floor ran and agree on what they computed; no timings are
judged here (they are figures for benchmarks/RESULTS.md, measured on a quiet machine)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def test_the_benchmark_runs_end_to_end_at_ten_thousand_quads(tmp_path):
    report = tmp_path / "RESULTS.md"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--sizes", "1e4", "--reps", "1",
         "--budget", "10", "--baseline-up-to", "1e4", "--work", str(tmp_path / "work"),
         "--name", "smoke", "--results", str(tmp_path), "--markdown", str(report)],
        cwd=PROJECT, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    (r,) = json.loads((tmp_path / "smoke.json").read_text())["results"]
    assert 9_000 < r["quads"] < 11_000
    for key in ("build", "floor_build", "validate", "floor_validate", "export", "floor_export",
                "incremental", "rdflib_build", "rdflib_load", "rdflib_export",
                "rdflib_validate"):
        assert r[key].get("seconds", 0) > 0, (key, r[key])
        assert r[key].get("peak_mb", 0) > 0, (key, r[key])
    # the floors did the same work: the same quads loaded, the same quads exported
    assert r["floor_build"]["quads"] == r["quads"]
    assert r["export"]["lines"] == r["floor_export"]["lines"] == r["quads"]
    assert r["validate"]["errors"] == 0 == r["rdflib_validate"]["errors"]
    assert r["floor_validate"]["rows"] == 0
    # the rebuild wrote one graph and validated only what it touched
    inc = r["incremental"]
    assert inc["unchanged_up_to_date"] and inc["graphs_written"] == 1
    assert inc["first_validation"]["mode"] == "full"
    assert inc["validation"]["mode"] == "incremental" and inc["validation"]["touched_nodes"] > 0
    # every catalogue query ran through kg-builder and directly, with the same rows
    queries = sorted(p.stem for p in (PROJECT / "queries").glob("*.rq"))
    assert sorted(r["queries"]) == queries
    for name, q in r["queries"].items():
        assert q["kg_ms"] > 0 and q["direct_ms"] > 0, (name, q)
        assert q["rows"] == q["direct_rows"], name
        assert "median_ms" in r["rdflib_queries"][name], name
    text = report.read_text()
    assert "### 10," in text and "| build (curated files → store) |" in text
    assert text.count("| amonov-timeline |") == 1 and "### Growth" in text
