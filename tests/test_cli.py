"""The `kg` command: exit codes, messages, machine-readable output, help and docs."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from kg_builder.cli import main
from tests.conftest import REPO as PROJECT_DIR


@pytest.fixture
def runner():
    return CliRunner()


def test_build_writes_outputs_and_prints_summary(tmp_path, corpus_dir):
    # A real process, as a researcher runs it.
    env = dict(os.environ, KG_CORPUS=str(corpus_dir))
    proc = subprocess.run(
        [sys.executable, "-m", "kg_builder.cli", "build", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Entities per class" in proc.stdout and "Facts per source and method" in proc.stdout
    assert "evidence checked against the articles" in proc.stdout
    assert (tmp_path / "kg.nq").stat().st_size > 100_000
    assert (tmp_path / "kg.ttl").stat().st_size > 100_000


def test_build_json(runner, tmp_path, corpus_dir):
    result = runner.invoke(
        main,
        [
            "build",
            "--corpus",
            str(corpus_dir),
            "--out",
            str(tmp_path),
            "--no-owl",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] and data["evidence_checked"] and data["entities"] > 100
    assert {r["source"] for r in data["sources"]} >= {"002_aa80568b4da406dd", "gazetteer"}


def test_build_without_corpus_says_evidence_unchecked(runner, tmp_path):
    result = runner.invoke(main, ["build", "--no-corpus", "--no-owl", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "NOT checked" in result.stderr


def test_missing_corpus_folder_is_a_config_error(runner, tmp_path):
    result = runner.invoke(
        main, ["build", "--corpus", str(tmp_path / "nope"), "--out", str(tmp_path)]
    )
    assert result.exit_code == 4
    assert "does not exist" in result.stderr and "--corpus" in result.stderr
    assert not (tmp_path / "kg.nq").exists()


@pytest.mark.parametrize("engine", ["oxigraph", "memory"])
def test_validate_ok(runner, corpus_dir, engine):
    result = runner.invoke(
        main, ["validate", "--corpus", str(corpus_dir), "--no-owl", "--engine", engine]
    )
    assert result.exit_code == 0, result.output
    assert "Valid:" in result.stdout and "evidence checked" in result.stdout


def test_stats_without_a_store_says_how_to_build_one(runner, tmp_path):
    result = runner.invoke(main, ["stats", "--store", str(tmp_path / "none")])
    assert result.exit_code == 5
    assert "there is no store" in result.stderr and "kg build --store" in result.stderr


def test_validate_lists_every_problem_with_file_and_line(runner, curated_copy, corpus_dir):
    facts = curated_copy / "facts" / "002_aa80568b4da406dd.yaml"
    start = facts.read_text("utf-8").count("\n") + 1
    facts.write_text(
        facts.read_text("utf-8") + "  - subject: nobody\n    relation: fledTo\n    object: turkey\n"
        "    evidence: x\n  - subject: yevgeny\n    relation: age\n    value: old\n"
        "    evidence: x\n",
        "utf-8",
    )
    result = runner.invoke(
        main, ["validate", "--data", str(curated_copy), "--corpus", str(corpus_dir), "--no-owl"]
    )
    assert result.exit_code == 2
    assert (
        f"002_aa80568b4da406dd.yaml:{start}: error: subject 'nobody' is not a defined entity"
        in result.stderr
    )
    assert (
        f"002_aa80568b4da406dd.yaml:{start + 6}: error: value of 'age' must be a whole number"
        in result.stderr
    )
    assert "2 error(s)" in result.stderr

    as_json = runner.invoke(
        main,
        [
            "validate",
            "--data",
            str(curated_copy),
            "--corpus",
            str(corpus_dir),
            "--no-owl",
            "--format",
            "json",
        ],
    )
    assert as_json.exit_code == 2
    problems = json.loads(as_json.stdout)["problems"]
    assert [p["line"] for p in problems] == [start, start + 6]


@pytest.fixture
def built_store(runner, corpus_dir, tmp_path) -> str:
    store = str(tmp_path / "store")
    args = ["build", "--store", store, "--corpus", str(corpus_dir), "--no-owl", "--no-export"]
    result = runner.invoke(main, args + ["--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["build"]["full"] is True
    return store


def test_build_into_a_store_is_incremental(runner, built_store, corpus_dir):
    args = ["build", "--store", built_store, "--corpus", str(corpus_dir), "--no-owl"]
    again = runner.invoke(main, args + ["--no-export", "--format", "json"])
    assert again.exit_code == 0, again.output
    data = json.loads(again.stdout)
    assert data["build"]["up_to_date"] and data["build"]["quads_written"] == 0
    table = runner.invoke(main, args + ["--no-export"])
    assert "is up to date" in table.stdout
    full = runner.invoke(main, args + ["--full", "--no-export"])
    assert "full build" in full.stdout and "9 of 9 named graphs written" in full.stdout


@pytest.mark.parametrize("where", ["store", "memory"])
def test_stats_json(runner, corpus_dir, built_store, where):
    store = built_store if where == "store" else "memory"
    result = runner.invoke(
        main, ["stats", "--store", store, "--corpus", str(corpus_dir), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    classes = {r["class"]: r["entities"] for r in data["classes"]}
    assert classes["Person"] == 27
    assert data["orphan_entities"] == [] and data["facts_without_source"] == []
    props = {r["property"]: r["facts"] for r in data["properties"]}
    assert props["fledTo"] > 10 and props["said"] > 50


def test_stats_table(runner, built_store):
    result = runner.invoke(main, ["stats", "--store", built_store])
    assert result.exit_code == 0
    assert "Facts per property" in result.stdout and "Orphan entities" in result.stdout


COMMANDS = sorted(main.commands)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(runner, command):
    result = runner.invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_documented_in_the_readme(command):
    readme = (PROJECT_DIR / "README.md").read_text("utf-8")
    assert f"kg {command}" in readme
