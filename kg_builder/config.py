"""Where things are: project folders, the corpus, the output folder and the base IRI."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError

PROJECT_DIR = Path(os.environ.get("KG_PROJECT_DIR", Path(__file__).resolve().parent.parent))
DEFAULT_BASE_IRI = "https://w3id.org/kg-builder/"
MEMORY = "memory"


def default_store() -> str:
    """The --store default: $KG_STORE, else .kg/store in the project folder."""
    return os.environ.get("KG_STORE") or str(PROJECT_DIR / ".kg" / "store")


def _default_corpus() -> Path | None:
    """../shared/corpus next to the project, when it exists."""
    for candidate in (
        PROJECT_DIR.parent / "shared" / "corpus",
        Path.cwd().parent / "shared" / "corpus",
    ):
        if candidate.is_dir():
            return candidate
    return None


def resolve_corpus(option: str | Path | None, use_default: bool = True) -> Path | None:
    """The corpus folder: --corpus, else $KG_CORPUS, else ../shared/corpus when it exists.

    An explicitly named folder that does not exist is an error (not a silent fallback).
    """
    if not use_default and option is None:
        return None
    explicit = option if option is not None else os.environ.get("KG_CORPUS") or None
    if explicit is not None:
        path = Path(explicit).expanduser()
        if not path.is_dir():
            source = "--corpus" if option is not None else "KG_CORPUS"
            raise ConfigError(
                f"corpus folder {path} (from {source}) does not exist; "
                "name a folder that holds the article .txt files and sources.yaml"
            )
        return path.resolve()
    return _default_corpus() if use_default else None


def default_extracted_dir(data_dir: str | Path) -> Path:
    """Where extraction writes candidates: `extracted/` beside the curated folder
    (data/curated -> data/extracted), so a copy of the data folder carries its candidates.
    For the project's own data folder, $KG_EXTRACTED can name another place (the test suite
    points it at a scratch folder so that a developer's own extraction runs never leak in)."""
    data_dir = Path(data_dir)
    env = os.environ.get("KG_EXTRACTED")
    if env and data_dir.resolve() == (PROJECT_DIR / "data" / "curated").resolve():
        return Path(env)
    return data_dir.parent / "extracted"


@dataclass
class Settings:
    """Everything a build needs to know about its inputs and outputs."""

    data_dir: Path = field(default_factory=lambda: PROJECT_DIR / "data" / "curated")
    ontology_dir: Path = field(default_factory=lambda: PROJECT_DIR / "ontology")
    queries_dir: Path = field(default_factory=lambda: PROJECT_DIR / "queries")
    out_dir: Path = field(default_factory=lambda: PROJECT_DIR / "exports")
    corpus_dir: Path | None = None
    base_iri: str = field(default_factory=lambda: os.environ.get("KG_BASE_IRI", DEFAULT_BASE_IRI))
    check_owl: bool = True
    store: str = field(default_factory=default_store)  # "memory" or the folder of a store
    #: Candidates files of extraction (JSONL); default: `extracted/` beside the curated folder.
    extracted_dir: Path | None = None
    #: The project's own ontology extensions (Turtle files named in kg.toml): subclasses and
    #: subproperties of the shipped terms, loaded with the shipped ontology.
    ontology_extensions: list[Path] = field(default_factory=list)

    @property
    def in_memory(self) -> bool:
        return self.store == MEMORY

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir)
        self.ontology_dir = Path(self.ontology_dir)
        self.queries_dir = Path(self.queries_dir)
        self.out_dir = Path(self.out_dir)
        self.ontology_extensions = [Path(p) for p in self.ontology_extensions]
        self.extracted_dir = (
            Path(self.extracted_dir)
            if self.extracted_dir is not None
            else default_extracted_dir(self.data_dir)
        )
        self.store = str(self.store)
        if self.store != MEMORY:
            self.store = str(Path(self.store).expanduser())
        if not self.base_iri.startswith(("http://", "https://")):
            raise ConfigError(f"base IRI {self.base_iri!r} must start with http:// or https://")
        if re.search(r'[\s<>"{}|^`\\]', self.base_iri):
            raise ConfigError(f"base IRI {self.base_iri!r} contains a character IRIs cannot hold")
        if not self.base_iri.endswith(("/", "#")):
            self.base_iri += "/"
        if not self.data_dir.is_dir():
            raise ConfigError(f"curated data folder {self.data_dir} does not exist")
        if not (self.ontology_dir / "kg.ttl").is_file():
            raise ConfigError(f"ontology file {self.ontology_dir / 'kg.ttl'} is missing")
