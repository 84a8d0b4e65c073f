"""One exception hierarchy for the whole tool, each class mapped to a CLI exit code."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input or the graph, located as precisely as we can."""

    file: str
    line: int | None
    message: str
    severity: str = "error"  # "error" or "warning"
    check: str = "curation"  # curation | shacl | owl | hygiene | corpus

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.severity}: {self.message}"

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "severity": self.severity,
            "check": self.check,
            "message": self.message,
        }


class KGError(Exception):
    """Base class: a failure the user can act on. The message says what to do."""

    exit_code = 1


class ConfigError(KGError):
    """A path, option or environment variable is wrong."""

    exit_code = 4


class StoreError(KGError):
    """A store folder cannot be used: missing, locked, corrupt, full or from another version."""

    exit_code = 5

    def __init__(self, message: str, fix: str | None = None):
        self.fix = fix
        super().__init__(message + (f"\nFix: {fix}" if fix else ""))


class ProblemsError(KGError):
    """The input or the graph has problems; all of them are listed, not only the first."""

    exit_code = 2

    def __init__(self, problems: list[Problem], what: str = "curated data"):
        self.what = what
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.message))
        errors = [p for p in self.problems if p.severity == "error"]
        lines = "\n".join(f"  {p}" for p in errors)
        super().__init__(f"{len(errors)} problem(s) in the {what}:\n{lines}")


class CurationError(ProblemsError):
    """Curated YAML/CSV files are malformed or inconsistent with the ontology or corpus."""

    exit_code = 2


class GraphValidationError(ProblemsError):
    """The built graph fails SHACL, OWL consistency or hygiene checks."""

    exit_code = 3

    def __init__(self, problems: list[Problem]):
        super().__init__(problems, what="built graph")


class ExportError(KGError):
    """An export or chart cannot be written: unknown format, missing or read-only folder."""

    exit_code = 7

    def __init__(self, message: str, fix: str | None = None):
        self.fix = fix
        super().__init__(message + (f"\nFix: {fix}" if fix else ""))
