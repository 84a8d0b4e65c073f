"""Where things are: the project's folders, the corpus, the store, the outputs and the base IRI.

Each setting comes from, in order: the option (or library argument), its environment variable,
the project's kg.toml, the default. `Settings.origins` records which, for `kg config`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from . import resources
from .errors import ConfigError
from .project import DEFAULT_BASE_IRI, Project, check_base_iri, no_project_error, open_project

MEMORY = "memory"
#: Environment variables, by setting.
ENV = {
    "corpus": "KG_CORPUS",
    "store": "KG_STORE",
    "base_iri": "KG_BASE_IRI",
    "extracted": "KG_EXTRACTED",
}


@dataclass
class Settings:
    """Everything a build needs to know about its inputs and outputs."""

    data_dir: Path
    out_dir: Path
    store: str  # "memory", the folder of a store, or a remote store (sparql+http://…)
    ontology_dir: Path = field(default_factory=resources.ontology_dir)
    queries_dir: Path = field(default_factory=resources.queries_dir)
    corpus_dir: Path | None = None
    base_iri: str = DEFAULT_BASE_IRI
    check_owl: bool = True
    #: Candidates files of extraction (JSONL); default: `extracted/` beside the curated folder.
    extracted_dir: Path | None = None
    #: The project's own ontology extensions (Turtle files named in kg.toml): subclasses and
    #: subproperties of the shipped terms, loaded with the shipped ontology.
    ontology_extensions: list[Path] = field(default_factory=list)
    #: The project's own queries (added to the built-in catalogue; same name overrides).
    project_queries_dir: Path | None = None
    project: Project | None = None
    #: setting -> where its value came from ("--store", "$KG_STORE", "kg.toml:7", "default")
    origins: dict[str, str] = field(default_factory=dict)

    @property
    def in_memory(self) -> bool:
        return self.store == MEMORY

    @property
    def query_folders(self) -> list[Path]:
        """The catalogue's folders, built-in first; a later folder overrides by name."""
        folders = [self.queries_dir]
        extra = self.project_queries_dir
        if extra is not None and extra.is_dir() and extra.resolve() != self.queries_dir.resolve():
            folders.append(extra)
        return folders

    @property
    def publish_config(self) -> dict:
        """The project's [publish] configuration (with its title), else {}."""
        return self.project.publish_config() if self.project else {}

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir)
        self.ontology_dir = Path(self.ontology_dir)
        self.queries_dir = Path(self.queries_dir)
        self.out_dir = Path(self.out_dir)
        self.ontology_extensions = [Path(p) for p in self.ontology_extensions]
        if self.project_queries_dir is not None:
            self.project_queries_dir = Path(self.project_queries_dir)
        self.extracted_dir = (
            Path(self.extracted_dir)
            if self.extracted_dir is not None
            else self.data_dir.parent / "extracted"
        )
        self.store = str(self.store)
        if self.store != MEMORY and not self.store.startswith(("sparql+http://",
                                                               "sparql+https://")):
            self.store = str(Path(self.store).expanduser())
        self.base_iri = check_base_iri(self.base_iri, self.origins.get("base_iri", "base IRI"))
        if not self.data_dir.is_dir():
            raise ConfigError(
                f"curated data folder {self.data_dir} "
                f"(from {self.origins.get('data_dir', 'the settings')}) does not exist"
            )
        if not (self.ontology_dir / "kg.ttl").is_file():
            raise ConfigError(f"ontology file {self.ontology_dir / 'kg.ttl'} is missing")


def _pick(name: str, option, project: Project | None, key: str | None, flag: str):
    """(value, origin) of a setting: option, environment, kg.toml, or (None, None)."""
    if option is not None:
        return option, flag
    env = ENV.get(name)
    if env and os.environ.get(env):
        return os.environ[env], f"${env}"
    if project is not None and key is not None:
        table, _, sub = key.partition(".")
        value = project.paths.get(sub) if table == "paths" else getattr(project, sub)
        return value, project.origin(key)
    return None, None


def resolve_settings(
    *,
    project: Project | str | Path | None = None,
    corpus=None,
    out=None,
    data_dir=None,
    base_iri=None,
    check_owl: bool = True,
    use_default_corpus: bool = True,
    store=None,
    extracted=None,
) -> Settings:
    """Settings from options (None: not given), the environment and the project.

    `project` is a Project, a folder or kg.toml path, or None to find one (--project,
    $KG_PROJECT, else the nearest kg.toml up from the working directory). Outside any project
    every folder must be given."""
    if not isinstance(project, Project):
        project = open_project(project)
    origins: dict[str, str] = {}

    def need(name, option, key, flag, what):
        value, origin = _pick(name, option, project, key, flag)
        if value is None:
            raise no_project_error(f"{what} (set with {flag})") if project is None else ConfigError(
                f"{what} is not set"
            )
        origins[name] = origin
        return value

    data = need("data_dir", data_dir, "paths.curated", "--data", "the curated data folder")
    if out is None and project is None:
        out_value, origins["out_dir"] = Path("exports"), "default (./exports)"
    else:
        out_value = need("out_dir", out, "paths.exports", "--out", "the output folder")
    store_value, store_origin = _pick("store", store, project, "paths.store", "--store")
    if store_value is None:
        store_value, store_origin = str(Path(".kg") / "store"), "default (./.kg/store)"
    origins["store"] = store_origin
    base, base_origin = _pick("base_iri", base_iri, project, "project.base_iri", "--base-iri")
    if base is None:
        base, base_origin = DEFAULT_BASE_IRI, "default"
    origins["base_iri"] = base_origin
    # $KG_EXTRACTED and paths.extracted go with the project's curated folder; a folder named
    # with --data keeps its candidates beside it.
    extracted_value, extracted_origin = _pick(
        "extracted", extracted, project if data_dir is None else None, "paths.extracted",
        "--extracted",
    )
    if data_dir is not None and extracted is None:
        extracted_value = None
    if extracted_value is None:
        extracted_origin = "default (extracted/ beside the curated folder)"
    origins["extracted_dir"] = extracted_origin
    corpus_dir = resolve_corpus(corpus, project, use_default_corpus, origins)
    settings = Settings(
        data_dir=Path(data),
        out_dir=Path(out_value),
        store=str(store_value),
        corpus_dir=corpus_dir,
        base_iri=str(base),
        check_owl=check_owl,
        extracted_dir=Path(extracted_value) if extracted_value is not None else None,
        ontology_extensions=list(project.extensions) if project else [],
        project_queries_dir=project.paths["queries"] if project else None,
        project=project,
        origins=origins,
    )
    origins.setdefault("ontology_dir", "shipped with kg-builder")
    origins.setdefault("queries_dir", "shipped with kg-builder")
    if project is not None:
        origins["project_queries_dir"] = project.origin("paths.queries")
        origins["ontology_extensions"] = project.origin("ontology.extensions")
    return settings


def resolve_corpus(
    option: str | Path | None,
    project: Project | None = None,
    use_default: bool = True,
    origins: dict | None = None,
) -> Path | None:
    """The articles folder: --corpus, else $KG_CORPUS, else the project's paths.articles.

    An explicitly named folder that does not exist is an error (not a silent fallback)."""
    origins = origins if origins is not None else {}
    if not use_default and option is None:
        origins["corpus_dir"] = "--no-corpus"
        return None
    value, origin = _pick("corpus", option, project if use_default else None, "paths.articles",
                          "--corpus")
    if value is None:
        origins["corpus_dir"] = "none (no project)"
        return None
    path = Path(value).expanduser()
    if not path.is_dir():
        raise ConfigError(
            f"corpus folder {path} (from {origin}) does not exist; "
            "name a folder that holds the article files and sources.yaml"
        )
    origins["corpus_dir"] = origin
    return path.resolve()


def default_extracted_dir(data_dir: str | Path) -> Path:
    """Where extraction writes candidates for a curated folder named on its own: `extracted/`
    beside it (data/curated -> data/extracted), so a copy of the data carries its candidates."""
    return Path(data_dir).parent / "extracted"
