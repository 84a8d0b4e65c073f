"""What kg-builder ships: the ontology, its shapes and JSON-LD context, and the built-in query
catalogue, found inside the installed package through importlib.resources.

In the repository they live at the top level (`ontology/`, `queries/`); the package reaches
them through `kg_builder/shipped/` (links in a checkout, real folders in a wheel), so an
installed kg-builder never depends on where it was built from.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from .errors import ConfigError


def _shipped(name: str) -> Path:
    root = files("kg_builder") / "shipped" / name
    if not isinstance(root, Path):  # a zipped install: the loaders need real files
        raise ConfigError(
            f"kg-builder's {name} files are inside an archive ({root}); install kg-builder "
            "unpacked (pip install kg-builder)"
        )
    if not root.is_dir():
        raise ConfigError(
            f"kg-builder's {name} files are missing from the installed package ({root}); "
            "reinstall kg-builder"
        )
    return root


def ontology_dir() -> Path:
    """The shipped ontology folder: kg.ttl, shapes.ttl, context.jsonld."""
    return _shipped("ontology")


def queries_dir() -> Path:
    """The built-in query catalogue (checks/ holds the hygiene queries)."""
    return _shipped("queries")
