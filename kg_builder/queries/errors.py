"""The errors of the query layer, each with its exit code."""

from __future__ import annotations

from ..errors import KGError, Problem, ProblemsError


class QueryUsageError(KGError):
    """The query was asked for wrongly: unknown name or parameter, bad value, refused form."""

    exit_code = 4


class QueryFailed(KGError):
    """The query does not parse, failed while running, or ran past its timeout."""

    exit_code = 6


class QueryTimeout(QueryFailed):
    pass


class CatalogueError(ProblemsError):
    """A catalogue file's header is malformed."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        super().__init__(problems, what="query catalogue")
