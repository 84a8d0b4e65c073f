"""What a researcher sees in a browser: headless Chromium loads pages of a running `kg serve`
and the test reads the DOM after the page's scripts ran (`--dump-dom`), as a person would read
the screen: an entity page with its facts and sources, and the query page running a query from
the catalogue against the real endpoint."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import urllib.parse

import pytest
from lxml import html

from kg_builder import build, make_settings

from .conftest import needs_corpus

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    needs_corpus,
    pytest.mark.skipif(CHROMIUM is None, reason="needs headless Chromium (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory, corpus_dir):
    from kg_builder.publish.server import make_server

    folder = tmp_path_factory.mktemp("browser")
    settings = make_settings(corpus=corpus_dir, store=str(folder / "store"), check_owl=False)
    build(settings, validate=False, write=False)
    srv = make_server(settings, "127.0.0.1", 0, timeout=20, workers=1, log=None)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


def render(url: str, budget_ms: int = 8000) -> html.HtmlElement:
    """The DOM after Chromium loaded `url` and ran its scripts (fetches included, within the
    virtual time budget)."""
    profile = tempfile.mkdtemp(prefix="kg-chromium-")
    try:
        args = [CHROMIUM, "--headless", "--disable-gpu", "--no-first-run"]
        args += [f"--user-data-dir={profile}", f"--virtual-time-budget={budget_ms}"]
        if os.geteuid() == 0:
            args.append("--no-sandbox")  # Chromium refuses to sandbox as root
        done = subprocess.run(
            args + ["--dump-dom", url], capture_output=True, text=True, timeout=120, check=False
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip(), done.stderr[-2000:]
    return html.fromstring(done.stdout)


def test_entity_page_shows_facts_with_sources_and_evidence(server):
    dom = render(f"{server}/id/person/andrei-amonov")
    text = " ".join(dom.text_content().split())
    assert "Andrei Amonov" in dom.findtext(".//h1")
    assert "Kazakhstan" in text  # his flight
    assert "Like Sergei and Alexander, Andrei Amonov fled to Kazakhstan" in text  # evidence
    assert "003_69489bb5dd5d6fb8" in text or "Russian deserters" in text  # its source
    hrefs = {a.get("href") for a in dom.iter("a")}
    assert any(h and h.endswith("place/kazakhstan") for h in hrefs)
    assert any(h and h.endswith(".ttl") for h in hrefs)  # the same description as Turtle


def test_query_page_runs_a_catalogue_query_and_renders_the_table(server):
    from kg_builder.queries import Catalogue

    text = Catalogue().get("deserters-and-destinations").text
    dom = render(f"{server}/?query={urllib.parse.quote(text)}")
    rows = dom.xpath("//table//tr[td]")
    assert len(rows) >= 3, html.tostring(dom)[:2000]
    shown = " ".join(dom.text_content().split())
    assert "Andrei Amonov" in shown or "andrei-amonov" in shown
    assert "Kazakhstan" in shown or "kazakhstan" in shown
    # the catalogue is on the page as examples
    assert "deserters-and-destinations" in shown or "Which" in shown


def test_query_page_shows_the_error_of_a_bad_query(server):
    dom = render(f"{server}/?query={urllib.parse.quote('SELECT * WHERE { ?s ?p }')}")
    shown = " ".join(dom.text_content().split())
    assert "400" in shown or "syntax" in shown.lower() or "error" in shown.lower()
    assert not dom.xpath("//table//tr[td]")


def test_the_ontology_page_documents_the_classes(server):
    dom = render(f"{server}/ontology")
    ids = {e.get("id") for e in dom.iter() if e.get("id")}
    assert {"Person", "Desertion", "fledTo"} <= ids
