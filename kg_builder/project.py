"""A project: a folder with a `kg.toml` at its root, like `pyproject.toml` or `Cargo.toml`.

    [project]   name, title, description, base_iri, language
    [paths]     articles, curated, extracted, store, exports, queries, site
    [ontology]  extensions = ["ontology/volunteers.ttl"]
    [publish]   license, publisher, publisher_url, base_url, dumps_url, dumps, keywords, ...

Every path is relative to the kg.toml. Commands find the project by walking up from the
working directory to the nearest kg.toml, or take `--project DIR` / `$KG_PROJECT`. A
malformed file is a ConfigError naming file, line and key.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError

FILENAME = "kg.toml"
ENV = "KG_PROJECT"
DEFAULT_BASE_IRI = "https://w3id.org/kg-builder/"

#: [paths] keys: default (relative to kg.toml), and whether the folder must already exist.
PATHS = {
    "articles": ("articles", True),
    "curated": ("data/curated", True),
    "extracted": ("data/extracted", False),
    "store": (".kg/store", False),
    "exports": ("exports", False),
    "queries": ("queries", False),
    "site": ("site", False),
}
PROJECT_KEYS = {
    "name": str,
    "title": str,
    "description": str,
    "base_iri": str,
    "language": str,
}
#: [publish] keys: what VoID/DCAT and the published pages say about the dataset.
PUBLISH_KEYS = {
    "title": str,
    "description": str,
    "license": str,
    "publisher": str,
    "publisher_url": str,
    "base_url": str,
    "dumps_url": str,
    "dumps": list,
    "keywords": list,
    "issued": str,
    "homepage": str,
    "language": str,
}
URL_KEYS = ("license", "publisher_url", "base_url", "dumps_url", "homepage")
TABLES = {
    "project": PROJECT_KEYS,
    "paths": {k: str for k in PATHS},
    "ontology": {"extensions": list},
    "publish": PUBLISH_KEYS,
}
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


@dataclass
class Project:
    """A loaded kg.toml: every path absolute, with the line each value came from."""

    root: Path
    file: Path
    name: str
    title: str
    description: str = ""
    base_iri: str = DEFAULT_BASE_IRI
    language: str = "en"
    paths: dict[str, Path] = field(default_factory=dict)
    extensions: list[Path] = field(default_factory=list)
    publish: dict = field(default_factory=dict)
    #: key ("paths.store") -> line in kg.toml, for the keys the file sets
    lines: dict[str, int] = field(default_factory=dict)

    def origin(self, key: str) -> str:
        """Where a setting came from: 'kg.toml:12' or 'default (kg.toml)' (`kg config` names
        the file itself on its first row)."""
        line = self.lines.get(key)
        return f"{self.file.name}:{line}" if line else f"default ({self.file.name})"

    def publish_config(self) -> dict:
        """The publishing configuration: [publish], with the project's title, description
        and language where [publish] does not give its own."""
        cfg = {"title": self.title, "language": self.language}
        if self.description:
            cfg["description"] = self.description
        return {**cfg, **self.publish}


# -- discovery -------------------------------------------------------------------------------
def find_project_file(start: Path | None = None) -> Path | None:
    """The nearest kg.toml in `start` (default: the working directory) or a parent folder."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / FILENAME
        if candidate.is_file():
            return candidate
    return None


def locate(explicit: str | Path | None = None, start: Path | None = None) -> Path | None:
    """The kg.toml to use: `explicit` (--project), else $KG_PROJECT, else the nearest one up
    from the working directory; None outside any project. An explicitly named folder or file
    without a kg.toml is an error."""
    named, what = (explicit, "--project") if explicit else (os.environ.get(ENV), f"${ENV}")
    if named:
        path = Path(named).expanduser()
        file = path if path.name == FILENAME and path.is_file() else path / FILENAME
        if not file.is_file():
            raise ConfigError(
                f"{path} (from {what}) is not a kg-builder project: it has no {FILENAME}; "
                f"create one with: kg init {path}"
            )
        return file.resolve()
    return find_project_file(start)


def open_project(explicit: str | Path | None = None, start: Path | None = None) -> Project | None:
    """Locate and load the project (see `locate`); None outside any project."""
    file = locate(explicit, start)
    return load_project(file) if file else None


def no_project_error(what: str = "this command") -> ConfigError:
    return ConfigError(
        f"{what} needs a project, and there is no {FILENAME} in {Path.cwd()} or any folder "
        f"above it. Create one with `kg init DIR` (then cd DIR), or name one with "
        f"--project DIR or ${ENV}"
    )


# -- loading ---------------------------------------------------------------------------------
def _key_lines(text: str) -> dict[str, int]:
    """'table.key' -> line for every `key = ...` of the file (TOML gives values no lines)."""
    lines: dict[str, int] = {}
    table = ""
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        header = re.match(r"^\[\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\s*(#.*)?$", line)
        if header:
            table = header.group(1).replace('"', "").replace("'", "")
            lines.setdefault(table, number)
            continue
        key = re.match(r"^(\"[^\"]+\"|'[^']+'|[A-Za-z0-9_\-.]+)\s*=", line)
        if key:
            name = key.group(1).strip("\"'")
            lines.setdefault(f"{table}.{name}" if table else name, number)
    return lines


def _type_name(kind) -> str:
    return {str: "a string", list: "a list of strings"}[kind]


def check_publish_value(where: str, key: str, value) -> None:
    """One [publish] value (also used for a publish.yaml given with --config)."""
    want = PUBLISH_KEYS[key]
    if key == "issued" and isinstance(value, dt.date):
        return
    if want is list:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: {key} must be a list of strings")
        return
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {key} must be a string, not {type(value).__name__}")
    if key in URL_KEYS and (
        not value.startswith(("http://", "https://")) or any(c in value for c in ' <>"')
    ):
        raise ConfigError(f"{where}: {key} must be an http(s) URL, not {value!r}")


def check_base_iri(value: str, where: str) -> str:
    """The base IRI, ending in / or #; ConfigError when it cannot be one."""
    if not value.startswith(("http://", "https://")):
        raise ConfigError(f"{where}: base IRI {value!r} must start with http:// or https://")
    if re.search(r'[\s<>"{}|^`\\]', value) or not re.match(r"^https?://[^/]+", value):
        raise ConfigError(f"{where}: base IRI {value!r} is not a valid IRI")
    return value if value.endswith(("/", "#")) else value + "/"


def load_project(file: str | Path) -> Project:
    """Read and check a kg.toml; every problem is a ConfigError naming file:line and key."""
    file = Path(file).resolve()
    root = file.parent
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read the project file ({exc})") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        where = f"{file}:{m.group(1)}" if m else str(file)
        raise ConfigError(f"{where}: invalid TOML: {msg}") from exc
    lines = _key_lines(text)

    def where(key: str) -> str:
        return f"{file}:{lines.get(key, 1)}"

    for table, value in data.items():
        if table not in TABLES:
            raise ConfigError(f"{where(table)}: unknown table [{table}]{_hint(table, TABLES)}")
        if not isinstance(value, dict):
            raise ConfigError(f"{where(table)}: {table} must be a table ([{table}])")
        for key, item in value.items():
            known = TABLES[table]
            dotted = f"{table}.{key}"
            if key not in known:
                extra = " (spell it 'license')" if key == "licence" else _hint(key, known)
                raise ConfigError(
                    f"{where(dotted)}: unknown key {key!r} in [{table}]{extra}; "
                    f"known keys: {', '.join(known)}"
                )
            if table == "publish":
                check_publish_value(where(dotted), key, item)
                continue
            if known[key] is str and not isinstance(item, str):
                raise ConfigError(
                    f"{where(dotted)}: {dotted} must be {_type_name(str)}, "
                    f"not {type(item).__name__}"
                )
            if known[key] is list and (
                not isinstance(item, list) or not all(isinstance(v, str) for v in item)
            ):
                raise ConfigError(f"{where(dotted)}: {dotted} must be {_type_name(list)}")

    meta = data.get("project", {})
    name = meta.get("name") or _slug(root.name)
    if not _NAME.match(name):
        raise ConfigError(
            f"{where('project.name')}: project.name {name!r} must be lower-case letters, "
            "digits, '.', '_' or '-'"
        )
    base = meta.get("base_iri", DEFAULT_BASE_IRI)
    base = check_base_iri(base, where("project.base_iri"))

    paths: dict[str, Path] = {}
    for key, (default, must_exist) in PATHS.items():
        given = data.get("paths", {}).get(key)
        if key == "store" and isinstance(given, str) and given.startswith("sparql+"):
            paths[key] = given  # a remote SPARQL store (kg_builder.remote), not a folder
            continue
        path = (root / (given if given is not None else default)).resolve()
        if given is not None and not given.strip():
            raise ConfigError(f"{where('paths.' + key)}: paths.{key} is empty")
        if must_exist and not path.is_dir():
            raise ConfigError(
                f"{where('paths.' + key)}: paths.{key} = {given or default!r}: the folder "
                f"{path} does not exist"
                + ("" if given is not None else f" (the default; set paths.{key} in {FILENAME})")
            )
        if given is not None and path.exists() and not path.is_dir():
            raise ConfigError(f"{where('paths.' + key)}: paths.{key}: {path} is not a folder")
        if key == "queries" and given is not None and not path.is_dir():
            raise ConfigError(
                f"{where('paths.queries')}: paths.queries = {given!r}: the folder {path} "
                "does not exist"
            )
        paths[key] = path

    extensions = []
    for rel in data.get("ontology", {}).get("extensions", []):
        path = (root / rel).resolve()
        if not path.is_file():
            raise ConfigError(
                f"{where('ontology.extensions')}: ontology extension {rel!r}: {path} does not exist"
            )
        extensions.append(path)

    publish = {
        k: (v.isoformat() if isinstance(v, dt.date) else v)
        for k, v in data.get("publish", {}).items()
    }
    return Project(
        root=root,
        file=file,
        name=name,
        title=meta.get("title") or name,
        description=meta.get("description", ""),
        base_iri=base,
        language=meta.get("language", "en"),
        paths=paths,
        extensions=extensions,
        publish=publish,
        lines=lines,
    )


def _hint(name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known), 1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-._")
    return slug or "kg-project"
