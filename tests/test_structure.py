"""The package's shape: no import cycles between modules (counting imports inside functions),
the CLI's shared module imports no command, and the library never imports the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parent.parent / "kg_builder"


def _module(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, deep: bool = False) -> set[str]:
    """Modules of kg_builder that `path` imports at module level (not inside functions)."""
    name = _module(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    tree = ast.parse(path.read_text("utf-8"))
    for node in (ast.walk(tree) if deep else tree.body):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("kg_builder"):
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if (PACKAGE.parent / Path(*sub.split("."))).with_suffix(".py").exists()
                          or (PACKAGE.parent / Path(*sub.split("."))).is_dir() else target)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("kg_builder")}
    found.discard(name)
    return found


def _graph(deep: bool = True) -> nx.DiGraph:
    """Every import, at module level or inside a function (a late import hides a cycle, it
    does not remove it)."""
    g = nx.DiGraph()
    for path in PACKAGE.rglob("*.py"):
        if "shipped" in path.parts:
            continue
        g.add_node(_module(path))
        for target in _imports(path, deep):
            g.add_edge(_module(path), target)
    return g


def test_no_import_cycles():
    g = _graph()
    # a package's __init__ importing its own modules is not a cycle of code
    g.remove_edges_from([(a, b) for a, b in list(g.edges) if b.startswith(a + ".")])
    cycles = list(nx.simple_cycles(g))
    assert not cycles, f"import cycles: {cycles[:5]}"


def test_cli_common_imports_no_command():
    imported = _imports(PACKAGE / "cli" / "common.py", deep=True)
    assert not {m for m in imported if m.startswith("kg_builder.cli.")}, imported


def test_the_library_never_imports_the_cli():
    g = _graph()
    for module in g.nodes:
        if module.startswith("kg_builder.cli") or module == "kg_builder.__main__":
            continue
        assert not any(t.startswith("kg_builder.cli") for t in g.successors(module)), module
