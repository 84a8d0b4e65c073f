"""A researcher's journey with an installed kg-builder, end to end.

The wheel is built from this checkout and installed (not editable) into a fresh virtual
environment; every command then runs as a separate process in a new folder outside the
checkout, with none of the test suite's environment variables: `kg init`, `kg add` of
article files and of pages served over HTTP by a local server, `kg extract`, `kg review`
through the CSV path, `kg build`, `kg query run` of a built-in and of a project query,
`kg analyze centrality`, `kg export --format gexf`, `kg publish`, and `kg serve` answering a
SPARQL query and an entity page. Each step's output is checked, not only its exit code.
"""

from __future__ import annotations

import csv
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import networkx as nx
import pytest
import yaml
from lxml import etree
from rdflib import Graph

from tests.conftest import REPO

pytestmark = pytest.mark.journey

ADD = REPO / "tests" / "data" / "add"
UNSEEN = REPO / "tests" / "data" / "extract" / "unseen"
GEXF_RNG = REPO.parent / "shared" / "schemas" / "gexf-1.3" / "gexf.rng"
PAGES = {
    "/world/2022/09/30/finland-shuts-crossings": "northern-herald-border.html",
    "/news/europe/court-orders-new-hearings": "baltic-observer-asylum.html",
}


@pytest.fixture(scope="module")
def kg_bin(tmp_path_factory) -> Path:
    """The `kg` of a fresh virtual environment with the wheel installed (not editable)."""
    root = tmp_path_factory.mktemp("install")
    dist = root / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(REPO)],
        check=True,
        timeout=600,
    )
    wheel = next(dist.glob("kg_builder-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in (
        "kg_builder/shipped/ontology/kg.ttl",
        "kg_builder/shipped/ontology/shapes.ttl",
        "kg_builder/shipped/ontology/context.jsonld",
        "kg_builder/shipped/queries/exit-routes.rq",
        "kg_builder/shipped/queries/checks/facts-without-source.rq",
    ):
        assert shipped in names, f"{shipped} is not in the wheel"
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", str(wheel)], check=True, timeout=1500
    )
    return venv / "bin" / "kg"


def _env(kg_bin: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env["PATH"] = f"{kg_bin.parent}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "200"
    return env


def run(kg_bin: Path, cwd: Path, *args, code: int = 0) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [str(kg_bin), *map(str, args)],
        cwd=cwd,
        env=_env(kg_bin),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == code, (
        f"kg {' '.join(map(str, args))} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    )
    return proc


class _Pages(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        name = PAGES.get(urllib.parse.urlsplit(self.path).path)
        if name is None:
            self.send_error(404)
            return
        body = (ADD / name).read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def page_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_outside_a_project(kg_bin, tmp_path):
    """The installed tool knows its ontology and catalogue; a command that needs a project
    says so and suggests kg init."""
    listing = run(kg_bin, tmp_path, "query", "list", "--format", "json")
    names = {q["name"] for q in json.loads(listing.stdout)}
    assert {"exit-routes", "quotes", "people-by-source"} <= names
    assert all(q["origin"] == "built-in" for q in json.loads(listing.stdout))
    failed = run(kg_bin, tmp_path, "build", code=4)
    assert "kg init" in failed.stderr and "kg.toml" in failed.stderr
    info = run(kg_bin, tmp_path, "config", "--format", "json")
    rows = {r["setting"]: r for r in json.loads(info.stdout)}
    assert rows["project"]["value"] is None
    assert "site-packages" in rows["ontology"]["value"]  # the installed package, not a checkout


def test_journey(kg_bin, tmp_path, page_server):
    home = tmp_path

    # -- kg init ---------------------------------------------------------------------------
    out = run(kg_bin, home, "init", "border-watch", "--title", "Border watch",
              "--base-iri", "https://example.org/border-watch/").stdout
    project = home / "border-watch"
    assert "Created the project" in out
    for rel in ("kg.toml", ".gitignore", "README.md", "articles/sources.yaml",
                "data/curated/sources.yaml", "data/curated/entities/entities.yaml",
                "queries/people-and-articles.rq"):
        assert (project / rel).is_file(), rel
    again = run(kg_bin, home, "init", "border-watch", code=4)
    assert "is a project already" in again.stderr

    # -- kg add: files and pages over HTTP -----------------------------------------------
    added = run(
        kg_bin, project, "add", "--format", "json",
        UNSEEN / "geo_upper_lars.txt",
        UNSEEN / "kaz_steppe_shelter.txt",
        ADD / "volunteers-exit-line.html",
        f"{page_server}/world/2022/09/30/finland-shuts-crossings",
        f"{page_server}/news/europe/court-orders-new-hearings",
    )
    report = json.loads(added.stdout)
    assert len(report["added"]) == 5, report
    meta = yaml.safe_load((project / "articles" / "sources.yaml").read_text("utf-8"))
    assert len(meta) == 5
    by_outlet = {m.get("outlet"): m for m in meta}
    herald = by_outlet["The Northern Herald"]
    assert herald["published"] == "2022-09-30"
    assert herald["canonical_url"].startswith("https://www.northernherald.example/")
    assert herald["url"].startswith(page_server)
    assert (project / "articles" / herald["file"]).is_file()
    assert (project / "articles" / herald["original"]).is_file()
    # the same page again, under its canonical URL's twin: nothing added
    dup = json.loads(run(kg_bin, project, "add", "--format", "json",
                         ADD / "northern-herald-border.html").stdout)
    assert not dup["added"] and dup["duplicates"][0]["existing_id"] == herald["id"]
    # a URL that answers 404 is skipped; the file is unchanged
    before = (project / "articles" / "sources.yaml").read_bytes()
    missing = run(kg_bin, project, "add", f"{page_server}/no-such-story", code=1)
    assert "404" in missing.stderr
    assert (project / "articles" / "sources.yaml").read_bytes() == before

    # -- kg extract (before any build: names come from the curated data) ----------------
    extracted = json.loads(run(kg_bin, project, "extract", "--format", "json").stdout)
    assert extracted["summary"]["articles"] == 5
    assert extracted["summary"]["candidates"] > 10
    assert len(list((project / "data" / "extracted").glob("*.jsonl"))) == 5

    # -- kg review through the CSV path ------------------------------------------------
    sheet = project / "review.csv"
    run(kg_bin, project, "review", "export", "--csv", sheet)
    with open(sheet, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    said = [r for r in rows if r["relation"] == "said"][:3]
    other = [r for r in rows if r["relation"] != "said"][:2]
    assert said and other
    for r in rows:
        r["decision"] = "accept" if r in said else ("reject" if r in other else "")
    with open(sheet, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    imported = run(kg_bin, project, "review", "import", "--csv", sheet).stdout
    assert f"accepted {len(said)}, rejected 2" in imported
    curated = yaml.safe_load((project / "data" / "curated" / "sources.yaml").read_text("utf-8"))
    assert {s["id"] for s in curated["sources"]} == {r["source"] for r in said}
    facts_text = "".join(
        p.read_text("utf-8") for p in (project / "data" / "curated" / "facts").glob("*.yaml")
    )
    for r in said:
        assert r["evidence"][:40] in facts_text

    # -- kg build ----------------------------------------------------------------------------
    built = json.loads(run(kg_bin, project, "build", "--format", "json").stdout)
    assert built["ok"] and built["evidence_checked"]
    assert built["store"] == str(project / ".kg" / "store")
    assert set(Path(p).name for p in built["outputs"]) == {"kg.nq", "kg.ttl"}
    methods = {r["method"].lower() for r in built["sources"]}
    assert {"curated", "extracted"} <= methods
    g = Graph().parse(project / "exports" / "kg.ttl")
    assert any(str(s).startswith("https://example.org/border-watch/id/") for s in g.subjects())

    # -- kg query: a built-in query and the project's own ------------------------------
    listing = json.loads(run(kg_bin, project, "query", "list", "--format", "json").stdout)
    origins = {q["name"]: q["origin"] for q in listing}
    assert origins["people-and-articles"] == "project" and origins["quotes"] == "built-in"
    quotes = list(csv.DictReader(run(kg_bin, project, "query", "run", "quotes",
                                     "--format", "csv").stdout.splitlines()))
    assert quotes and {q["person"] for q in quotes}
    mine = list(csv.DictReader(run(kg_bin, project, "query", "run", "people-and-articles",
                                   "--format", "csv").stdout.splitlines()))
    assert mine and all(int(r["articles"]) >= 1 for r in mine)
    assert {r["person"] for r in mine} >= {q["person"] for q in quotes}

    # -- kg analyze, kg export ----------------------------------------------------------
    central = json.loads(run(kg_bin, project, "analyze", "centrality", "--format", "json").stdout)
    assert central and all("pagerank" in r for r in central)
    run(kg_bin, project, "export", "--format", "gexf")
    gexf = project / "exports" / "kg.gexf"
    net = nx.read_gexf(gexf)
    labels = {d.get("label") for _, d in net.nodes(data=True)}
    assert net.number_of_nodes() >= len(central) and {r["label"] for r in central} <= labels
    if GEXF_RNG.is_file():
        assert etree.RelaxNG(etree.parse(str(GEXF_RNG))).validate(etree.parse(str(gexf)))

    # -- kg publish ---------------------------------------------------------------------
    published = json.loads(run(kg_bin, project, "publish", "--format", "json").stdout)
    site = project / "site"
    assert (site / "index.html").is_file() and (site / "sitemap.xml").is_file()
    assert published["pages"] > 10
    void = Graph().parse(site / "void.ttl")
    assert "Border watch" in {str(o) for o in void.objects()}

    # -- kg serve -----------------------------------------------------------------------
    port = _free_port()
    server = subprocess.Popen(
        [str(kg_bin), "serve", "--port", str(port)], cwd=project, env=_env(kg_bin),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/sparql", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        person = urllib.parse.quote("SELECT (COUNT(?p) AS ?n) WHERE { ?p a <https://w3id.org/kg-builder/ontology#Person> }")
        req = urllib.request.Request(f"{base}/sparql?query={person}",
                                     headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            n = int(json.load(resp)["results"]["bindings"][0]["n"]["value"])
        assert n >= len({q["person"] for q in quotes})
        speaker = quotes[0]["speaker"]
        path = urllib.parse.urlsplit(speaker).path.removeprefix("/border-watch")
        req = urllib.request.Request(base + path, headers={"Accept": "text/html"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            assert resp.headers["Content-Type"].startswith("text/html")
            assert quotes[0]["person"] in resp.read().decode("utf-8")
    finally:
        server.terminate()
        server.wait(timeout=30)
    shutil.rmtree(project / ".kg", ignore_errors=True)
