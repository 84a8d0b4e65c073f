"""`kg extract` and `kg evaluate` end to end on the corpus, through the CLI: the reviewable files,
what reaches the graph (never site furniture; the curated identities reused, not duplicated),
measured quality, and bad input that is reported while the run goes on."""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg_builder import build, make_settings
from kg_builder.cli import main
from kg_builder.extraction.candidates import read_folder
from kg_builder.extraction.evaluate import load_gold

from .conftest import CURATED, SHARED, needs_corpus

pytestmark = needs_corpus
GOLD = SHARED / "gold" if SHARED else None


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold().strip()


@pytest.fixture(scope="module")
def project(tmp_path_factory, corpus_dir):
    """A project of its own: a copy of the curated data and its built Oxigraph store."""
    root = tmp_path_factory.mktemp("extract-project")
    shutil.copytree(CURATED, root / "curated")
    settings = make_settings(
        corpus=corpus_dir, data_dir=root / "curated", store=str(root / "store"), check_owl=False
    )
    build(settings, validate=False, write=False)
    return root


@pytest.fixture(scope="module")
def extracted(project, corpus_dir):
    args = ["extract", str(corpus_dir), "--store", str(project / "store")]
    args += ["--data", str(project / "curated"), "--out", str(project / "extracted")]
    result = CliRunner().invoke(main, args + ["--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture(scope="module")
def files(extracted, project):
    return read_folder(project / "extracted")


def test_every_article_gets_a_reviewable_file(extracted, files, corpus_dir):
    assert extracted["summary"]["articles"] == 5
    assert extracted["summary"]["skipped"] == 0
    assert len(files) == 5
    assert extracted["summary"]["candidates"] == sum(len(f.candidates) for f in files)
    assert extracted["summary"]["candidates"] >= 40


def test_evidence_is_verbatim_and_never_site_furniture(files, corpus_dir):
    gold = load_gold(GOLD)
    for f in files:
        doc_id = f.document["id"]
        text = (corpus_dir / f.document["file"]).read_text(encoding="utf-8")
        furniture = gold[doc_id].boilerplate
        for c in f.candidates:
            start = c.evidence_offset
            assert text[start : start + len(c.evidence)] == c.evidence, c.key
            end = start + len(c.evidence)
            assert not any(s < end and start < e for s, e in furniture), (doc_id, c.evidence)


def _furniture_only_names(corpus_dir) -> dict[str, set[str]]:
    """Capitalised words that occur in an article's gold boilerplate and nowhere in its body."""
    gold = load_gold(GOLD)
    out = {}
    for doc_id, g in gold.items():
        text = (corpus_dir / g.file).read_text(encoding="utf-8")
        body, pos = [], 0
        for s, e in sorted(g.boilerplate):
            body.append(text[pos:s])
            pos = e
        body.append(text[pos:])
        body_words = set(re.findall(r"[A-Z][a-z]{3,}", " ".join(body)))
        furniture = set()
        for s, e in g.boilerplate:
            furniture |= set(re.findall(r"[A-Z][a-z]{3,}", text[s:e]))
        out[doc_id] = furniture - body_words
    return out


def test_furniture_names_enter_neither_candidates_nor_graph(project, files, corpus_dir):
    names = _furniture_only_names(corpus_dir)
    assert sum(len(v) for v in names.values()) >= 5  # the test has something to look for
    for f in files:
        words = names[f.document["id"]]
        for e in f.entities:
            label = e.get("label", "") if isinstance(e, dict) else e.label
            assert not set(label.split()) & words, label
    settings = make_settings(
        corpus=corpus_dir,
        data_dir=project / "curated",
        extracted=project / "extracted",
        store="memory",
        check_owl=False,
    )
    # validated: SHACL holds with extracted facts in (one confidence per assertion even when
    # two sentences propose the same fact, every fact traceable, ranges respected)
    result = build(settings, validate=True, write=False)
    rows = result.store().select(
        """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
           SELECT DISTINCT ?g ?label WHERE {
             GRAPH ?g { ?x ?p ?y } FILTER(STRENDS(STR(?g), "/extracted"))
             ?x rdfs:label ?label }"""
    )
    assert rows, "no extracted graph was built"
    every = set().union(*names.values())
    for row in rows:
        assert not set(str(row["label"]).split()) & every, row


def test_curated_identities_are_reused_not_duplicated(project, files):
    from kg_builder.pipeline import load

    data, _ = load(make_settings(data_dir=project / "curated", store="memory", check_owl=False))
    known = {}
    for e in data.entities.values():
        if e.method == "extracted":  # proposed by the candidates themselves, not curated
            continue
        for name in [e.label, *e.aliases]:
            known.setdefault(_fold(name), set()).add(e.type)
    linked = proposed = 0
    for f in files:
        new_ids = set()
        for e in f.entities:
            label = e["label"] if isinstance(e, dict) else e.label
            etype = e["type"] if isinstance(e, dict) else e.type
            assert _fold(label) not in known or etype not in known[_fold(label)], label
            new_ids.add(e["id"] if isinstance(e, dict) else e.id)
        for c in f.candidates:
            for ref in (c.subject, c.object):
                if ref is None:
                    continue
                assert ref in data.entities or ref in new_ids, ref
                linked += ref in data.entities
                proposed += ref in new_ids
    assert linked > 5 * max(proposed, 1)  # on its own corpus, the graph's entities dominate


def test_evaluate_reports_the_figures(project, corpus_dir):
    args = ["evaluate", str(corpus_dir), "--gold", str(GOLD), "--store", str(project / "store")]
    result = CliRunner().invoke(main, args + ["--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    for key in ("entities", "linking", "relations"):
        assert {"precision", "recall", "f1", "per_type"} <= set(report[key])
    assert report["entities"]["f1"] >= 0.8
    assert report["linking"]["f1"] >= 0.7
    assert report["relations"]["precision"] >= 0.5
    # relative dates resolved against the publication date and the graph's event dates
    assert report["date_values"]["accuracy"] >= 0.8
    table = CliRunner().invoke(main, args)
    assert table.exit_code == 0, table.output
    assert "Mentions" in table.output and "Relations" in table.output


def test_bad_input_is_reported_and_the_run_goes_on(project, corpus_dir, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(corpus_dir / "002_aa80568b4da406dd.txt", folder / "good.txt")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 20)
    (folder / "latin1.txt").write_bytes(
        "Anna Sokolova, a café owner, fled to Finland in 2022.".encode("cp1252")
    )
    (folder / "page.html").write_text(
        "<html><head><title>Exodus</title><script>var Moscow = 1;</script></head>"
        "<body><nav>Home | World</nav><p>Many Russians fled to Georgia.</p></body></html>",
        encoding="utf-8",
    )
    (folder / "sources.yaml").write_text(
        "- id: ghost\n  file: ghost.txt\n  published: '2022-09-23'\n", encoding="utf-8"
    )
    args = ["extract", str(folder), "--store", str(project / "store")]
    args += ["--data", str(project / "curated"), "--out", str(tmp_path / "out"), "--format", "json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    reasons = {Path(s["path"]).name: s["reason"] for s in report["skipped"]}
    assert {"empty.txt", "binary.txt", "ghost.txt"} <= set(reasons), reasons
    read = {a["article"] for a in report["articles"]}
    assert {"good", "latin1", "page"} <= read
    latin = next(a for a in report["articles"] if a["article"] == "latin1")
    assert "cp1252" in latin["warnings"] or "1252" in latin["warnings"] or latin["warnings"]
    table = CliRunner().invoke(main, args[:-2])
    assert "Skipped" in table.output and "empty.txt" in table.output


def test_unknown_backend_and_missing_spacy_model_say_what_to_do(project, corpus_dir):
    base = ["extract", str(corpus_dir), "--store", str(project / "store"), "--out", "/nonexistent"]
    result = CliRunner().invoke(main, base + ["--ner", "nltk"])
    assert result.exit_code != 0 and "spacy:MODEL" in result.output
    result = CliRunner().invoke(main, base + ["--ner", "spacy:xx_no_such_model"])
    assert result.exit_code != 0
    assert "spacy download" in result.output or "install" in result.output
