"""kg-builder: news reporting -> a provenance-aware knowledge graph.

Library API (the CLI is a thin layer over it):
    build(corpus=None, out=None, write=False)  -> BuildResult (.dataset is an rdflib Dataset)
    load(...)                                   -> (CuratedData, problems)
    stats(store)                                -> dict of counts
"""

__version__ = "0.2.0"

from .errors import ConfigError, CurationError, GraphValidationError, KGError, Problem
from .pipeline import BuildResult, build, load, make_settings
from .stats import stats

__all__ = [
    "BuildResult",
    "ConfigError",
    "CurationError",
    "GraphValidationError",
    "KGError",
    "Problem",
    "build",
    "load",
    "make_settings",
    "stats",
]
