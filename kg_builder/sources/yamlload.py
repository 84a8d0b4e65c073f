"""YAML loading that remembers the line of every mapping and key, for precise error messages."""

from __future__ import annotations

from pathlib import Path

import yaml


class LineDict(dict):
    """A mapping that knows the line it starts on and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        return getattr(self, "key_lines", {}).get(key, self.line)


class LineList(list):
    line: int = 0


# libyaml's parser (C) when PyYAML was built with it: the same nodes and marks, 5-10x faster.
class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    return out


def _construct_timestamp_as_text(loader: _LineLoader, node: yaml.ScalarNode) -> str:
    # Unquoted 2022-09-21 stays text: the date parser keeps its precision and checks it.
    return loader.construct_scalar(node)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp_as_text)


class YAMLSyntaxError(Exception):
    def __init__(self, path: Path, line: int | None, message: str):
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path}:{line}: {message}")


def load_yaml(path: Path):
    """Parse a YAML file; syntax errors become YAMLSyntaxError with the line."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = " ".join(filter(None, [exc.context, exc.problem]))
        raise YAMLSyntaxError(Path(path), line, f"YAML syntax error: {what}") from exc
    except yaml.YAMLError as exc:
        raise YAMLSyntaxError(Path(path), None, f"YAML error: {exc}") from exc
