"""`kg add`: articles from files and from pages served over real HTTP on 127.0.0.1.

The pages in tests/data/add are news pages written for these tests (site navigation, cookie
banner, teasers, footer, og:/JSON-LD metadata around an invented story); report.pdf is one of
them printed by headless Chromium, scanned.pdf a page with no text layer.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kg_builder.cli import main
from kg_builder.extraction.text import MetadataError, read_corpus
from kg_builder.sources.corpus import Corpus
from kg_builder.sources.ingest import add_articles

DATA = Path(__file__).parent / "data" / "add"
UNSEEN = Path(__file__).parent / "data" / "extract" / "unseen"
HERALD = "northern-herald-border.html"


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        path = urllib.parse.urlsplit(self.path).path
        if path == "/slow":
            time.sleep(2.0)
        if path.startswith("/page/"):
            name = path.removeprefix("/page/")
            if not (DATA / name).is_file():
                return self._send(404, b"not found", "text/plain")
            return self._send(200, (DATA / name).read_bytes(), "text/html; charset=utf-8")
        if path == "/redirect-loop":
            self.send_response(302)
            self.send_header("Location", "/redirect-loop")
            self.end_headers()
            return None
        if path == "/moved":
            self.send_response(301)
            self.send_header("Location", f"/page/{HERALD}")
            self.end_headers()
            return None
        if path == "/json":
            return self._send(200, b'{"items": []}', "application/json")
        if path == "/huge":
            return self._send(200, b"<html><body>" + b"x" * 3_000_000 + b"</body></html>",
                              "text/html")
        if path == "/error":
            return self._send(500, b"oops", "text/plain")
        return self._send(404, b"not found", "text/plain")

    def _send(self, status, body, ctype):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _entries(folder: Path) -> list[dict]:
    return yaml.safe_load((folder / "sources.yaml").read_text("utf-8")) or []


def test_html_file_body_and_metadata(tmp_path):
    report = add_articles([DATA / HERALD], tmp_path)
    assert len(report.added) == 1 and not report.skipped
    entry = report.added[0].metadata
    assert entry["headline"].startswith("Finland shuts last crossings")
    assert entry["outlet"] == "The Northern Herald"
    assert entry["author"] == "Elina Korhonen"
    assert entry["published"] == "2022-09-30"
    assert entry["canonical_url"].startswith("https://www.northernherald.example/world/")
    assert entry["language"].startswith("en")
    assert entry["review"] == "unchecked"
    text = (tmp_path / entry["file"]).read_text("utf-8")
    assert "Vaalimaa" in text and "Finnish border guards" in text
    page = (DATA / HERALD).read_text("utf-8").lower()
    for furniture in ("cookie", "subscribe", "newsletter"):
        if furniture in page:
            assert furniture not in text.lower(), furniture
    assert (tmp_path / entry["original"]).read_bytes() == (DATA / HERALD).read_bytes()


def test_folder_is_readable_by_extraction_and_evidence_checks(tmp_path):
    report = add_articles([DATA / HERALD, DATA / "volunteers-exit-line.html",
                           UNSEEN / "kaz_steppe_shelter.txt"], tmp_path)
    ids = {a.id for a in report.added}
    docs, skipped = read_corpus(tmp_path)
    assert {d.id for d in docs} == ids and not skipped
    corpus = Corpus(tmp_path)
    assert set(corpus.articles) == ids
    text_entry = next(a for a in report.added if a.input.endswith(".txt"))
    assert text_entry.original is None  # a UTF-8 text file is its own original
    sentence = (UNSEEN / "kaz_steppe_shelter.txt").read_text("utf-8").split("\n")[-2][:60]
    if sentence.strip():
        assert corpus.get(text_entry.id).find(sentence) is not None


def test_pdf_and_pdf_without_text(tmp_path):
    report = add_articles([DATA / "report.pdf", DATA / "scanned.pdf"], tmp_path)
    assert len(report.added) == 1
    assert report.added[0].metadata["format"] == "pdf"
    assert report.added[0].metadata["pages"] >= 1
    assert "OCR" in report.skipped[0].reason and report.skipped[0].input.endswith("scanned.pdf")


def test_duplicates_add_nothing(tmp_path, server):
    first = add_articles([DATA / HERALD], tmp_path)
    hid = first.added[0].id
    before = (tmp_path / "sources.yaml").read_bytes()
    again = add_articles([DATA / HERALD, f"{server}/page/{HERALD}", f"{server}/moved"], tmp_path)
    assert not again.added
    assert [d.existing_id for d in again.duplicates] == [hid, hid, hid]
    assert (tmp_path / "sources.yaml").read_bytes() == before
    # a URL already listed is known without downloading it again
    url = add_articles([f"{server}/page/volunteers-exit-line.html"], tmp_path)
    twice = add_articles([f"{server}/page/volunteers-exit-line.html?utm_source=x"], tmp_path)
    assert twice.duplicates[0].existing_id == url.added[0].id
    # and within one call
    fresh = tmp_path / "other"
    one = add_articles([DATA / HERALD, DATA / HERALD], fresh)
    assert len(one.added) == 1 and len(one.duplicates) == 1


def test_url_records_url_and_final_url(tmp_path, server):
    report = add_articles([f"{server}/moved"], tmp_path)
    entry = report.added[0].metadata
    assert entry["url"] == f"{server}/moved"
    assert entry["final_url"] == f"{server}/page/{HERALD}"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/page/missing.html", "404"),
        ("/error", "500"),
        ("/json", "application/json"),
        ("/redirect-loop", "redirect"),
        ("/huge", "2,000,000"),
        ("/slow", "time"),
        ("/page/login-wall.html", "no article body"),
        ("/page/section-index.html", "no article body"),
    ],
)
def test_bad_urls_are_skipped_and_the_rest_is_added(tmp_path, server, path, reason):
    report = add_articles([f"{server}{path}", DATA / HERALD], tmp_path, timeout=0.5,
                          max_bytes=2_000_000)
    assert len(report.added) == 1
    assert len(report.skipped) == 1 and reason in report.skipped[0].reason
    assert [e["id"] for e in _entries(tmp_path)] == [report.added[0].id]


def test_bad_files_are_skipped(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "empty.txt").write_bytes(b"")
    (src / "binary.txt").write_bytes(bytes(range(256)) * 20)
    (src / "fake.pdf").write_bytes(b"not a pdf at all")
    out = tmp_path / "articles"
    report = add_articles([src / "empty.txt", src / "binary.txt", src / "fake.pdf",
                           src / "nowhere.txt", DATA / HERALD], out)
    reasons = {Path(s.input).name: s.reason for s in report.skipped}
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["binary.txt"] or "NUL" in reasons["binary.txt"]
    assert "PDF" in reasons["fake.pdf"]
    assert "no such file" in reasons["nowhere.txt"]
    assert len(report.added) == 1


def test_existing_entries_and_comments_are_kept_byte_for_byte(tmp_path):
    legacy = tmp_path / "sources.yaml"
    head = ("# my own notes, kept as they are\n"
            "- id: old-story\n  file: old-story.txt\n  headline: \"An old story\"  # checked\n")
    legacy.write_text(head, encoding="utf-8")
    (tmp_path / "old-story.txt").write_text("An old story\n\nIt happened long ago.\n")
    add_articles([DATA / HERALD], tmp_path)
    text = legacy.read_text("utf-8")
    assert text.startswith(head)
    assert [e["id"] for e in _entries(tmp_path)][0] == "old-story"
    # a legacy entry without hashes is still recognised by its file's content
    (tmp_path / "copy.txt").write_text("An old story\n\nIt happened long ago.\n")
    dup = add_articles([tmp_path / "copy.txt"], tmp_path)
    assert dup.duplicates and dup.duplicates[0].existing_id == "old-story"


def test_malformed_sources_yaml_is_an_error_and_nothing_is_added(tmp_path):
    (tmp_path / "sources.yaml").write_text("- id: a\n  file: [unclosed\n")
    with pytest.raises(MetadataError) as info:
        add_articles([DATA / HERALD], tmp_path)
    assert "sources.yaml:" in str(info.value)
    # nothing but the lock file that serialises kg add runs
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".kg-add.lock") == [
        "sources.yaml"
    ]


def test_a_failure_while_writing_leaves_the_folder_as_it_was(tmp_path, monkeypatch):
    from kg_builder.sources import ingest

    add_articles([DATA / "volunteers-exit-line.html"], tmp_path)
    before = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()
              and not p.name.startswith(".kg-add")}

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ingest, "_write_sources", boom)
    with pytest.raises((OSError, ingest.AddError)):
        add_articles([DATA / HERALD], tmp_path)
    after = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()
             and not p.name.startswith(".kg-add")}
    assert after == before


def test_kg_add_command_in_a_project(tmp_path, server, monkeypatch):
    from kg_builder.scaffold import init_project

    monkeypatch.delenv("KG_PROJECT", raising=False)
    init_project(tmp_path / "p")
    monkeypatch.chdir(tmp_path / "p")
    runner = CliRunner()
    result = runner.invoke(main, ["add", "--format", "json", str(DATA / HERALD),
                                  f"{server}/page/missing.html"])
    assert result.exit_code == 1  # one input skipped: scripts learn it; the other is added
    report = json.loads(result.stdout)
    assert len(report["added"]) == 1 and "404" in report["skipped"][0]["reason"]
    entries = _entries(tmp_path / "p" / "articles")
    assert entries[0]["outlet"] == "The Northern Herald"
    table = runner.invoke(main, ["add", str(DATA / HERALD)])
    assert table.exit_code == 0 and "Already there" in table.stderr


def test_kg_add_outside_a_project(tmp_path, monkeypatch):
    monkeypatch.delenv("KG_PROJECT", raising=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["add", str(DATA / HERALD)])
    assert result.exit_code == 4 and "kg init" in result.stderr
