"""Projects: kg.toml (discovery, precedence, errors with file:line and key), kg init, kg config,
the project's own queries over the built-in catalogue, and the example project's graph
unchanged by the move to a project layout."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg_builder import build, make_settings
from kg_builder.cli import main
from kg_builder.config import resolve_settings
from kg_builder.errors import ConfigError, ProblemsError
from kg_builder.project import load_project, locate, open_project
from kg_builder.queries import Catalogue
from kg_builder.resources import ontology_dir, queries_dir
from kg_builder.scaffold import init_project
from tests.conftest import REPO, needs_corpus

#: sha256 of exports/kg.nq of the example project, as the layout before projects built it
#: (curated facts alone; and with the candidates of `kg extract`). Change them only with a
#: deliberate change of the ontology, the curated data or the extraction rules.
DIGEST_CURATED = "8afa97dce63ecbf2b53d5660ec1c4dfc286ec046daf9adde7700e6a9a2285fed"
DIGEST_WITH_EXTRACTED = "9c230a94d7297c1873868f254550483b036031041d2b7beb903bedf2c4632c1c"


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def fresh(tmp_path, monkeypatch) -> Path:
    """A new project made by kg init, as the working directory, outside the repository."""
    monkeypatch.delenv("KG_PROJECT", raising=False)
    monkeypatch.delenv("KG_STORE", raising=False)
    monkeypatch.delenv("KG_EXTRACTED", raising=False)
    init_project(tmp_path / "proj", title="Border watch")
    monkeypatch.chdir(tmp_path / "proj")
    return tmp_path / "proj"


def _toml(folder: Path, text: str) -> Path:
    (folder / "articles").mkdir(exist_ok=True)
    (folder / "data" / "curated").mkdir(parents=True, exist_ok=True)
    path = folder / "kg.toml"
    path.write_text(text, encoding="utf-8")
    return path


# -- the example project ------------------------------------------------------------------
def test_the_repository_is_the_example_project():
    project = load_project(REPO / "kg.toml")
    assert project.paths["curated"] == REPO / "data" / "curated"
    assert project.paths["articles"] == (REPO.parent / "shared" / "corpus").resolve()
    assert project.paths["exports"] == REPO / "exports"
    settings = resolve_settings(project=project)
    assert settings.ontology_dir == ontology_dir()
    assert settings.query_folders == [queries_dir()]  # the repo's queries/ is the built-in one


@needs_corpus
def test_example_graph_is_unchanged_by_the_move(tmp_path):
    settings = make_settings(out=tmp_path / "out", store=tmp_path / "store", check_owl=False)
    build(settings, write=True)
    digest = hashlib.sha256((tmp_path / "out" / "kg.nq").read_bytes()).hexdigest()
    assert digest == DIGEST_CURATED


@needs_corpus
def test_example_graph_with_extraction_is_unchanged_by_the_move(tmp_path, runner):
    store, extracted = tmp_path / "store", tmp_path / "extracted"
    build(make_settings(out=tmp_path / "o1", store=store, check_owl=False), write=False)
    result = runner.invoke(main, ["extract", "--store", str(store), "--out", str(extracted),
                                  "--format", "json"])
    assert result.exit_code == 0, result.output
    settings = make_settings(out=tmp_path / "o2", store=tmp_path / "s2", extracted=extracted,
                             check_owl=False)
    build(settings, write=True)
    digest = hashlib.sha256((tmp_path / "o2" / "kg.nq").read_bytes()).hexdigest()
    assert digest == DIGEST_WITH_EXTRACTED


# -- discovery ------------------------------------------------------------------------------
def test_found_by_walking_up(fresh, monkeypatch):
    deep = fresh / "data" / "curated" / "facts"
    monkeypatch.chdir(deep)
    assert locate() == fresh / "kg.toml"
    assert resolve_settings().data_dir == fresh / "data" / "curated"


def test_project_option_and_environment(fresh, tmp_path, monkeypatch, runner):
    monkeypatch.chdir(tmp_path)
    assert locate() is None
    assert locate(fresh) == fresh / "kg.toml"
    assert locate(fresh / "kg.toml") == fresh / "kg.toml"
    monkeypatch.setenv("KG_PROJECT", str(fresh))
    assert open_project().name == "proj"
    monkeypatch.delenv("KG_PROJECT")
    out = runner.invoke(main, ["--project", str(fresh), "config", "--format", "json"])
    rows = {r["setting"]: r for r in json.loads(out.stdout)}
    assert rows["project"]["value"] == str(fresh / "kg.toml")
    assert rows["project"]["from"] == "--project"


def test_named_folder_without_kg_toml_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="no kg.toml; create one with: kg init"):
        locate(tmp_path)


def test_outside_any_project(tmp_path, monkeypatch, runner):
    monkeypatch.delenv("KG_PROJECT", raising=False)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 4
    assert "kg init DIR" in result.stderr and "no kg.toml" in result.stderr
    # a command that needs no project still works: the built-in catalogue
    listing = runner.invoke(main, ["query", "list", "--format", "json"])
    assert listing.exit_code == 0
    assert len(json.loads(listing.stdout)) >= 20


# -- precedence and kg config -----------------------------------------------------------------
def test_option_over_environment_over_kg_toml(fresh, monkeypatch, tmp_path):
    s = resolve_settings()
    assert s.store == str(fresh / ".kg" / "store")
    assert s.origins["store"] == "kg.toml:16"
    monkeypatch.setenv("KG_STORE", str(tmp_path / "env-store"))
    s = resolve_settings()
    assert s.store == str(tmp_path / "env-store") and s.origins["store"] == "$KG_STORE"
    s = resolve_settings(store=tmp_path / "opt-store")
    assert s.store == str(tmp_path / "opt-store") and s.origins["store"] == "--store"
    assert s.base_iri == "https://w3id.org/kg-builder/proj/"
    monkeypatch.setenv("KG_BASE_IRI", "https://example.org/x")
    assert resolve_settings().base_iri == "https://example.org/x/"


def test_kg_config_lists_every_setting_with_its_origin(fresh, runner):
    result = runner.invoke(main, ["config", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {r["setting"]: r for r in json.loads(result.stdout)}
    for key in ("articles", "curated", "extracted", "store", "exports", "project queries",
                "site", "base_iri", "ontology", "built-in queries", "publish.license"):
        assert key in rows, key
    assert rows["curated"]["value"] == str(fresh / "data" / "curated")
    assert rows["curated"]["from"] == "kg.toml:14"
    assert rows["publish.title"]["value"] == "Border watch"
    table = runner.invoke(main, ["config"])
    assert "kg.toml:" in table.stdout


# -- bad kg.toml: file, line and key ----------------------------------------------------
@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('[project]\nname = "x"\ntitle = "a\n', 3, "invalid TOML"),
        ('[project]\nname = "x"\ntitel = "A"\n', 3, "unknown key 'titel' in [project] (did you mean 'title'?)"),
        ('[paths]\narticles = "articles"\ncurated = 7\n', 3, "paths.curated must be a string"),
        ('[paths]\n\ncurated = "nowhere"\n', 3, "does not exist"),
        ('[project]\nbase_iri = "ftp://example.org/"\n', 2, "must start with http:// or https://"),
        ('[project]\nbase_iri = "https://exa mple.org/"\n', 2, "not a valid IRI"),
        ('[projekt]\nname = "x"\n', 1, "unknown table [projekt] (did you mean 'project'?)"),
        ('[publish]\nlicence = "https://x.org/l"\n', 2, "spell it 'license'"),
        ('[publish]\nlicense = "CC BY"\n', 2, "license must be an http(s) URL"),
        ('[ontology]\nextensions = ["missing.ttl"]\n', 2, "missing.ttl"),
        ('[project]\nname = "Not A Slug"\n', 2, "lower-case"),
        ('[paths]\nqueries = "my-queries"\n', 2, "paths.queries"),
    ],
)
def test_bad_kg_toml_names_file_line_and_key(tmp_path, text, line, message):
    path = _toml(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_project(path)
    assert f"{path}:{line}:" in str(info.value)
    assert message in str(info.value)


def test_bad_kg_toml_is_reported_by_any_command(tmp_path, monkeypatch, runner):
    _toml(tmp_path, '[paths]\ncuratd = "data/curated"\n')
    monkeypatch.delenv("KG_PROJECT", raising=False)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["stats"])
    assert result.exit_code == 4
    assert "kg.toml:2" in result.stderr and "did you mean 'curated'" in result.stderr


# -- kg init ------------------------------------------------------------------------------------
def test_init_makes_a_project_that_builds(fresh):
    for rel in (".gitignore", "README.md", "articles/sources.yaml", "data/curated/sources.yaml",
                "data/curated/entities/entities.yaml", "queries/people-and-articles.rq"):
        assert (fresh / rel).is_file(), rel
    assert ".kg/" in (fresh / ".gitignore").read_text()
    project = load_project(fresh / "kg.toml")
    assert project.title == "Border watch" and project.name == "proj"
    result = build(make_settings(check_owl=False), write=True)  # an empty project builds
    assert (fresh / "exports" / "kg.nq").is_file()
    assert result.stats.graphs >= 1


def test_init_refuses_a_project_and_keeps_existing_files(tmp_path, runner):
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "README.md").write_text("mine\n")
    result = runner.invoke(main, ["init", str(folder), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert str(folder.resolve() / "README.md") in report["kept"]
    assert (folder / "README.md").read_text() == "mine\n"
    before = (folder / "kg.toml").read_bytes()
    again = runner.invoke(main, ["init", str(folder)])
    assert again.exit_code == 4 and "is a project already" in again.stderr
    assert (folder / "kg.toml").read_bytes() == before


def test_init_rejects_a_bad_base_iri(tmp_path, runner):
    result = runner.invoke(main, ["init", str(tmp_path / "p"), "--base-iri", "example.org"])
    assert result.exit_code == 4 and "http://" in result.stderr
    assert not (tmp_path / "p" / "kg.toml").exists()


# -- the project's queries over the built-in catalogue ------------------------------------
def test_project_queries_add_and_override(fresh, runner):
    own = fresh / "queries"
    (own / "quotes.rq").write_text(
        "# Question: Our own version of the quotes question\n"
        "PREFIX kg: <https://w3id.org/kg-builder/ontology#>\n"
        "SELECT ?q WHERE { ?q a kg:Quote }\n"
    )
    cat = Catalogue(folders=[queries_dir(), own])
    assert cat.get("quotes").origin == "project" and cat.get("quotes").overrides
    assert cat.get("people-and-articles").origin == "project"
    assert cat.get("exit-routes").origin == "built-in"
    result = runner.invoke(main, ["query", "list", "--format", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any(line.startswith("quotes,project (overrides built-in),") for line in lines)
    assert any(line.startswith("exit-routes,built-in,") for line in lines)
    shown = runner.invoke(main, ["query", "show", "quotes", "--format", "json"])
    assert json.loads(shown.stdout)["question"] == "Our own version of the quotes question"


def test_empty_catalogue_is_an_error(tmp_path):
    (tmp_path / "q").mkdir()
    with pytest.raises(ProblemsError, match="the catalogue is empty"):
        Catalogue(tmp_path / "q")


def test_project_hygiene_checks_run_in_the_build(fresh):
    checks = fresh / "queries" / "checks"
    checks.mkdir()
    (checks / "no-people.rq").write_text(
        "# Check: every project has an organisation\n"
        "PREFIX kg: <https://w3id.org/kg-builder/ontology#>\n"
        "SELECT ?missing WHERE { BIND(\"no organisation\" AS ?missing) "
        "FILTER NOT EXISTS { ?o a kg:MediaOrganisation } }\n"
    )
    with pytest.raises(ProblemsError) as info:
        build(make_settings(check_owl=False, store="memory"), write=False)
    assert any(p.check == "hygiene" and "no organisation" in p.message
               for p in info.value.problems)


def test_publish_configuration_comes_from_kg_toml(fresh):
    from kg_builder.publish.void import project_config

    settings = resolve_settings()
    cfg = project_config(settings)
    assert cfg["title"] == "Border watch"
    assert cfg["license"] == "https://creativecommons.org/licenses/by/4.0/"


def test_no_path_of_the_checkout_is_needed(fresh):
    """Settings of a project outside the checkout point into the project and the package."""
    s = resolve_settings()
    for path in (s.data_dir, s.out_dir, Path(s.store), s.extracted_dir):
        assert fresh in path.parents or path == fresh
    assert os.path.commonpath([s.ontology_dir, Path(__file__)]) != str(REPO) or (
        s.ontology_dir == REPO / "kg_builder" / "shipped" / "ontology"
    )
