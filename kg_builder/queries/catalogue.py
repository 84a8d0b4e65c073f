"""The query catalogue: queries/*.rq (and queries/checks/*.rq), one question per file.

A file's header has `# Question:`, `# Parameter: NAME (TYPE[, default VALUE]): meaning` and
`# Column: NAME: meaning` lines, free notes, and optionally `# Variant-of: OTHER` (the body of
another file with other defaults). `Catalogue` layers the built-in catalogue and a project's
own folder; a malformed header is a CatalogueError located by file and line.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import resources
from ..errors import Problem
from .errors import CatalogueError, QueryUsageError
from .lexer import shape

#: The types a parameter can declare.
TYPES = ("entity", "iri", "string", "integer", "decimal", "date", "boolean")


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: str | None
    description: str

    @property
    def optional(self) -> bool:
        return self.default is None

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "type": self.type,
            "default": self.default,
            "description": self.description,
        }


@dataclass
class CatalogueQuery:
    name: str
    path: Path
    question: str
    text: str
    parameters: dict[str, Parameter] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    variant_of: str | None = None
    check: bool = False
    #: "built-in" (shipped with kg-builder) or "project" (the project's queries/ folder)
    origin: str = "built-in"
    #: a project query that replaces the built-in query of the same name
    overrides: bool = False

    @property
    def form(self) -> str:
        return shape(self.text).form

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "question": self.question,
            "parameters": [p.as_dict() for p in self.parameters.values()],
            "columns": [{"name": k, "meaning": v} for k, v in self.columns.items()],
            "notes": " ".join(self.notes),
            "variant_of": self.variant_of,
            "origin": self.origin,
            "overrides": self.overrides,
            "file": str(self.path),
        }


_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)\s*\(\s*(?P<type>[a-z]+)\s*"
    r"(?:,\s*default\s+(?P<default>\"(?:[^\"\\]|\\.)*\"|[^)\s]+))?\s*\)\s*:\s*(?P<desc>.+)$"
)
_COLUMN = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*:\s*(?P<desc>.+)$")
_TAG = re.compile(r"^#\s?(?P<tag>Question|Parameter|Column|Variant-of|Check):\s*(?P<rest>.*)$")


def _default_value(raw: str | None) -> str | None:
    if raw is None:
        return None
    if raw.startswith('"') and raw.endswith('"'):
        return raw[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return raw


def parse_header(path: Path, text: str) -> tuple[CatalogueQuery, list[Problem]]:
    """A catalogue file's header and body; problems are located by file and line."""
    problems: list[Problem] = []
    rel = _display(path)
    query = CatalogueQuery(path.stem, path, "", "")
    lines = text.splitlines()
    last = None  # the Parameter/Column/Question a continuation line belongs to
    body_start = len(lines)
    for n, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped:
            last = None
            continue
        if not stripped.startswith("#"):
            body_start = n - 1
            break
        m = _TAG.match(stripped)
        if m is None:
            cont = stripped[1:]
            if last is not None and cont.startswith("   ") and cont.strip():
                kind, key = last
                extra = " " + cont.strip()
                if kind == "Parameter":
                    p = query.parameters[key]
                    query.parameters[key] = Parameter(
                        p.name, p.type, p.default, p.description + extra
                    )
                elif kind == "Column":
                    query.columns[key] += extra
                else:
                    query.question += extra
            elif cont.strip():
                query.notes.append(cont.strip())
                last = None
            continue
        tag, rest = m.group("tag"), m.group("rest").strip()
        if tag in ("Question", "Check"):
            query.question = rest
            query.check = tag == "Check"
            last = ("Question", None)
        elif tag == "Variant-of":
            query.variant_of = rest
            last = None
        elif tag == "Parameter":
            pm = _PARAM.match(rest)
            if pm is None:
                problems.append(
                    Problem(
                        rel,
                        n,
                        "malformed parameter line; expected "
                        "'# Parameter: NAME (TYPE[, default VALUE]): meaning'",
                    )
                )
                continue
            if pm.group("type") not in TYPES:
                problems.append(
                    Problem(
                        rel,
                        n,
                        f"unknown parameter type {pm.group('type')!r}; "
                        f"known types: {', '.join(TYPES)}",
                    )
                )
                continue
            param = Parameter(
                pm.group("name"),
                pm.group("type"),
                _default_value(pm.group("default")),
                pm.group("desc").strip(),
            )
            if param.name in query.parameters:
                problems.append(Problem(rel, n, f"parameter {param.name!r} is declared twice"))
            query.parameters[param.name] = param
            last = ("Parameter", param.name)
        else:  # Column
            cm = _COLUMN.match(rest)
            if cm is None:
                problems.append(
                    Problem(rel, n, "malformed column line; expected '# Column: NAME: meaning'")
                )
                continue
            query.columns[cm.group("name")] = cm.group("desc").strip()
            last = ("Column", cm.group("name"))
    query.text = "\n".join(lines[body_start:]).strip() + "\n"
    if not query.question:
        problems.append(Problem(rel, 1, "no '# Question:' (or '# Check:') line in the header"))
    return query, problems


def _display(path: Path) -> str:
    """A path as the user reads it: relative to the working directory when below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class Catalogue:
    """The named queries of one or more folders, checks under `checks/<name>`.

    `Catalogue()` is the built-in catalogue shipped with kg-builder; `Catalogue(folder)` one
    folder; `Catalogue(folders=[built_in, project])` layers them: a later folder adds its
    queries and replaces an earlier query of the same name (marked `overrides`). A catalogue
    with no query at all is an error, never an empty listing.
    """

    def __init__(self, folder: str | Path | None = None, *, folders=None):
        if folders is None:
            folders = [Path(folder) if folder else resources.queries_dir()]
        self.folders = [Path(f) for f in folders]
        self.folder = self.folders[-1]
        self.queries: dict[str, CatalogueQuery] = {}
        problems: list[Problem] = []
        for rank, base in enumerate(self.folders):
            if not base.is_dir():
                problems.append(Problem(_display(base), None, "query folder does not exist"))
                continue
            origin = "built-in" if rank == 0 and len(self.folders) > 1 else "project"
            if len(self.folders) == 1:
                origin = "built-in" if folder is None else "project"
            paths = sorted(base.glob("*.rq")) + sorted(base.glob("checks/*.rq"))
            for path in paths:
                try:
                    text = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    problems.append(Problem(_display(path), None, f"cannot read: {exc}"))
                    continue
                q, found = parse_header(path, text)
                if path.parent != base:
                    q.name = f"checks/{path.stem}"
                q.origin = origin
                q.overrides = q.name in self.queries
                problems += found
                self.queries[q.name] = q
        for q in self.queries.values():
            problems += self._resolve(q)
        if not problems and not self.queries:
            where = ", ".join(_display(f) for f in self.folders)
            problems.append(Problem(where, None, "no queries (*.rq files): the catalogue is empty"))
        if problems:
            raise CatalogueError(problems)

    def _resolve(self, q: CatalogueQuery) -> list[Problem]:
        rel = _display(q.path)
        if q.variant_of:
            base = self.queries.get(q.variant_of)
            if base is None or base.variant_of:
                return [Problem(rel, None, f"Variant-of names no query file: {q.variant_of!r}")]
            if q.text.strip():
                return [Problem(rel, None, "a variant has no query body of its own")]
            q.text = base.text
            q.parameters = {**base.parameters, **q.parameters}
            q.columns = q.columns or dict(base.columns)
            q.notes = q.notes or list(base.notes)
        problems = []
        variables = shape(q.text).variables
        for name in q.parameters:
            if name not in variables:
                problems.append(
                    Problem(rel, None, f"parameter {name!r} is not a variable (?{name})")
                )
        if not shape(q.text).form:
            problems.append(Problem(rel, None, "no SELECT, ASK, CONSTRUCT or DESCRIBE query"))
        return problems

    def __iter__(self):
        return iter(self.queries.values())

    def __len__(self) -> int:
        return len(self.queries)

    def names(self, checks: bool = False) -> list[str]:
        return [n for n in self.queries if checks or not n.startswith("checks/")]

    def get(self, name: str) -> CatalogueQuery:
        q = self.queries.get(name.removesuffix(".rq"))
        if q is None:
            known = self.names(checks=True)
            close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise QueryUsageError(
                f"no query named {name!r} in {', '.join(_display(f) for f in self.folders)}"
                f"{hint}; "
                f"known queries: {', '.join(known)}"
            )
        return q
