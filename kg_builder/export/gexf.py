"""GEXF 1.3 for Gephi: a streaming writer for the projected entity graph.

The document is written element by element into a buffered byte sink, never built as a
tree, so a graph of 10^5 nodes and 5*10^5 edges costs seconds and little memory. One
survey pass over the graph first fixes what the header must declare (attribute columns
and their types, whether anything is dated, the largest PageRank for node sizes). The
output depends only on the graph: nodes and edges in insertion order, columns in a fixed
order, and no clock time.
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import BinaryIO

import networkx as nx

from kg_builder.dates import parse_time

GEXF_NS = "http://gexf.net/1.3"
VIZ_NS = "http://gexf.net/1.3/viz"
CREATOR = "kg-builder"

NODE_OWN = frozenset({"label", "color", "start", "end"})
"""Node attributes written as the node's own label, viz:color and interval, not as attvalues."""

EDGE_OWN = frozenset({"label", "weight", "color", "start", "end"})
"""Edge attributes written as the edge's own label, weight, viz:color and interval."""

PREDICATE_NAME = "predicate_name"
"""Edge column holding the edge key (the predicate's local name), shown in Gephi's data table."""

NODE_FIRST = (
    "type",
    "top_type",
    "wikidata",
    "latitude",
    "longitude",
    "degree",
    "betweenness",
    "pagerank",
    "eigenvector",
    "community",
)
EDGE_FIRST = (PREDICATE_NAME, "predicate", "sources", "methods", "confidence")

SIZE_MIN, SIZE_MAX = 5.0, 50.0
"""viz:size range; a node's size grows with the square root of its share of the top PageRank."""

_INT32 = 2**31
_INT64 = 2**63
_WIDER = {
    frozenset({"integer", "long"}): "long",
    frozenset({"integer", "double"}): "double",
    frozenset({"long", "double"}): "double",
}
_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TOKEN_SPACE = re.compile("[ \t\n\r]+")
_COLOUR = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
_ATTR_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\t": "&#9;",
        "\n": "&#10;",
        "\r": "&#13;",
    }
)
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_NEEDS_ESCAPE = re.compile('[&<>"\t\n\r]|[^\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]')


@dataclass
class _Column:
    """One declared attribute: its id (also its title), its GEXF type, its escaped id."""

    name: str
    type: str
    escaped: str = ""

    def __post_init__(self) -> None:
        self.escaped = _attr(self.name)


@dataclass
class _Survey:
    """What the header needs to know before the first node is written."""

    node_types: dict[str, str] = field(default_factory=dict)
    edge_types: dict[str, str] = field(default_factory=dict)
    dated: bool = False
    top_pagerank: float = 0.0


def write_gexf(G: nx.MultiDiGraph, out: BinaryIO, *, title: str | None = None) -> None:
    """Write G as a GEXF 1.3 document to the binary file object out (UTF-8).

    Node keys become node ids; "label", "color" and "start"/"end" become the node's label,
    viz:color and interval; every other attribute becomes a typed attvalue. Edges keep
    their key as the GEXF kind (so parallel edges with different predicates stay apart)
    and as the "predicate_name" column; "label", "weight", "start"/"end" become the edge's
    own label, weight and interval. The graph is dynamic (dated intervals, Gephi's
    timeline) when any node or edge has a start or end, static otherwise. None and
    non-finite numbers are left out. Raises ValueError for a malformed date or colour.
    """
    survey = _survey(G)
    node_columns = _columns(survey.node_types, NODE_FIRST)
    edge_columns = _columns(survey.edge_types, EDGE_FIRST)
    sink = _Sink(out)
    sink.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    sink.write(f'<gexf xmlns="{GEXF_NS}" xmlns:viz="{VIZ_NS}" version="1.3">\n')
    _write_meta(sink, G.graph, title)
    _write_graph_open(sink, survey.dated, _edgetype(G))
    _write_columns(sink, "node", node_columns)
    _write_columns(sink, "edge", edge_columns)
    ids = _write_nodes(sink, G, node_columns, survey.top_pagerank)
    _write_edges(sink, G, edge_columns, ids)
    sink.write("  </graph>\n</gexf>\n")
    sink.flush()


class _Sink:
    """Collects text pieces and writes them to the binary file in UTF-8 blocks of about 1 MB."""

    def __init__(self, out: BinaryIO, block_chars: int = 1 << 20) -> None:
        self._out = out
        self._pieces: list[str] = []
        self._size = 0
        self._limit = block_chars

    def write(self, text: str) -> None:
        self._pieces.append(text)
        self._size += len(text)
        if self._size >= self._limit:
            self.flush()

    def flush(self) -> None:
        if self._pieces:
            self._out.write("".join(self._pieces).encode("utf-8"))
            self._pieces.clear()
            self._size = 0


def _survey(G: nx.MultiDiGraph) -> _Survey:
    """One pass over nodes and edges: column types, datedness and the top PageRank."""
    survey = _Survey()
    for _, data in G.nodes(data=True):
        _merge_types(survey.node_types, data, NODE_OWN)
        if data.get("start") is not None or data.get("end") is not None:
            survey.dated = True
        pagerank = _finite(data.get("pagerank"))
        if pagerank is not None and pagerank > survey.top_pagerank:
            survey.top_pagerank = pagerank
    if G.number_of_edges():
        survey.edge_types[PREDICATE_NAME] = "string"
    for _, _, data in G.edges(data=True):
        _merge_types(survey.edge_types, data, EDGE_OWN)
        if data.get("start") is not None or data.get("end") is not None:
            survey.dated = True
    return survey


def _merge_types(types: dict[str, str], data: dict, own: frozenset[str]) -> None:
    """Widen each column's type by the values in data (int < long < double; else string)."""
    for name, value in data.items():
        if name in own:
            continue
        kind = _kind(value)
        if kind is None:
            continue
        name = str(name)
        known = types.get(name)
        if known is None:
            types[name] = kind
        elif known != kind:
            types[name] = _WIDER.get(frozenset({known, kind}), "string")


def _kind(value: object) -> str | None:
    """The GEXF type of one Python value, or None when the value is to be left out."""
    if value is None:
        return None
    if isinstance(value, str):
        return "string"
    if _is_bool(value):
        return "boolean"
    if isinstance(value, numbers.Integral):
        number = int(value)
        if -_INT32 <= number < _INT32:
            return "integer"
        return "long" if -_INT64 <= number < _INT64 else "string"
    if isinstance(value, numbers.Real):
        return "double" if math.isfinite(value) else None
    return "string"


def _is_bool(value: object) -> bool:
    """True for Python and NumPy booleans (NumPy's are not int subclasses)."""
    return isinstance(value, bool) or getattr(getattr(value, "dtype", None), "kind", "") == "b"


def _finite(value: object) -> float | None:
    """value as a finite float, or None when it is missing, non-numeric or infinite."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _columns(types: dict[str, str], first: tuple[str, ...]) -> list[_Column]:
    """Columns in a fixed order: the well-known ones as listed, then the rest sorted."""
    known = [name for name in first if name in types]
    rest = sorted(name for name in types if name not in first)
    return [_Column(name, types[name]) for name in known + rest]


def _write_meta(sink: _Sink, graph: dict, title: str | None) -> None:
    """<meta>: creator, the title and description (1.3 has no title element) and the date."""
    date = graph.get("date")
    stamp = f' lastmodifieddate="{_date(date, "latest", "graph")}"' if date is not None else ""
    sink.write(f"  <meta{stamp}>\n    <creator>{CREATOR}</creator>\n")
    heading = title if title is not None else graph.get("name")
    parts = [str(p) for p in (heading, graph.get("description")) if p not in (None, "")]
    if parts:
        sink.write(f"    <description>{_text(' — '.join(parts))}</description>\n")
    sink.write("  </meta>\n")


def _write_graph_open(sink: _Sink, dated: bool, edgetype: str = "directed") -> None:
    """<graph>: directed (or, for an undirected projection, undirected), string ids;
    dynamic with date intervals when anything is dated."""
    if dated:
        time = ' mode="dynamic" timeformat="date" timerepresentation="interval"'
    else:
        time = ' mode="static"'
    sink.write(f'  <graph defaultedgetype="{edgetype}" idtype="string"{time}>\n')


def _edgetype(G: nx.MultiDiGraph) -> str:
    """ "undirected" when the caller marks the graph so (G.graph["edgetype"]), else directed."""
    kind = G.graph.get("edgetype", "directed")
    if kind not in ("directed", "undirected"):
        raise ValueError(f"graph edgetype must be directed or undirected, not {kind!r}")
    return kind


def _write_columns(sink: _Sink, cls: str, columns: list[_Column]) -> None:
    """<attributes class=...>: one typed, static <attribute> per column, id = title = name."""
    if not columns:
        return
    sink.write(f'    <attributes class="{cls}" mode="static">\n')
    for column in columns:
        name = column.escaped
        sink.write(f'      <attribute id="{name}" title="{name}" type="{column.type}"/>\n')
    sink.write("    </attributes>\n")


def _write_nodes(
    sink: _Sink, G: nx.MultiDiGraph, columns: list[_Column], top_pagerank: float
) -> dict[object, str]:
    """Write <nodes>; return each node's escaped id for the edges to reuse."""
    ids: dict[object, str] = {}
    sink.write(f'    <nodes count="{G.number_of_nodes()}">\n')
    for node, data in G.nodes(data=True):
        node_id = ids[node] = _attr(str(node))
        head = f'      <node id="{node_id}"{_label(data)}{_interval(data, node)}'
        body = _attvalues(data, columns)
        body += _viz_colour(data, node)
        body += _viz_size(data, top_pagerank)
        if body:
            sink.write(f"{head}>\n{body}      </node>\n")
        else:
            sink.write(f"{head}/>\n")
    sink.write("    </nodes>\n")
    return ids


def _write_edges(
    sink: _Sink, G: nx.MultiDiGraph, columns: list[_Column], ids: dict[object, str]
) -> None:
    """Write <edges>: ids numbered in iteration order, the key as kind and predicate_name."""
    sink.write(f'    <edges count="{G.number_of_edges()}">\n')
    for number, (source, target, key, data) in enumerate(G.edges(keys=True, data=True)):
        kind = _token(str(key))
        where = (source, key, target)
        head = (
            f'      <edge id="{number}" source="{ids[source]}" target="{ids[target]}"'
            f' kind="{kind}"{_label(data)}{_weight(data)}{_interval(data, where)}'
        )
        body = _attvalues({**data, PREDICATE_NAME: key}, columns)
        body += _viz_colour(data, where)
        if body:
            sink.write(f"{head}>\n{body}      </edge>\n")
        else:
            sink.write(f"{head}/>\n")
    sink.write("    </edges>\n")


def _attvalues(data: dict, columns: list[_Column]) -> str:
    """The <attvalues> block for one node or edge, in column order; '' when it has none."""
    lines = []
    for column in columns:
        value = data.get(column.name)
        if value is None:
            continue
        text = _value(value, column.type)
        if text is not None:
            lines.append(f'          <attvalue for="{column.escaped}" value="{text}"/>\n')
    if not lines:
        return ""
    return "        <attvalues>\n" + "".join(lines) + "        </attvalues>\n"


def _value(value: object, gexf_type: str) -> str | None:
    """One value, formatted for its column's type and escaped; None when it is left out."""
    if gexf_type == "double":
        number = _finite(value)
        return None if number is None else repr(number)
    if gexf_type in ("integer", "long"):
        return str(int(value))
    if gexf_type == "boolean":
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return _attr(_plain(value))


def _plain(value: object) -> str:
    """A value as the text a string column holds (booleans as XML Schema spells them)."""
    if isinstance(value, str):
        return value
    if _is_bool(value):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    isoformat = getattr(value, "isoformat", None)
    return isoformat() if callable(isoformat) else str(value)


def _label(data: dict) -> str:
    """The label attribute (an xsd:token: whitespace collapsed), or '' when there is none."""
    label = data.get("label")
    if label is None:
        return ""
    return f' label="{_token(_plain(label))}"'


def _weight(data: dict) -> str:
    """The edge weight attribute when the weight is a finite number, else ''."""
    weight = _finite(data.get("weight"))
    return "" if weight is None else f' weight="{weight!r}"'


def _interval(data: dict, where: object) -> str:
    """start/end attributes from the item's dates; a missing side stays open."""
    start, end = data.get("start"), data.get("end")
    text = ""
    first = last = None
    if start is not None:
        first = _date(start, "earliest", where)
        text += f' start="{first}"'
    if end is not None:
        last = _date(end, "latest", where)
        text += f' end="{last}"'
    if first is not None and last is not None and first > last:
        raise ValueError(f"GEXF export: {where!r} starts {first}, after it ends {last}")
    return text


def _date(value: object, side: str, where: object) -> str:
    """An xsd:date for one side of an interval; a month or year widens to its first or last day."""
    try:
        return _day(value, side)
    except (ValueError, TypeError) as err:
        raise ValueError(f"GEXF export: bad date on {where!r}: {err}") from None


@lru_cache(maxsize=4096)
def _day(value: object, side: str) -> str:
    """The cached core of _date (dates repeat across many nodes and edges)."""
    return getattr(parse_time(value), side).isoformat()


def _viz_colour(data: dict, where: object) -> str:
    """<viz:color r g b/> from "#rrggbb" (or "#rgb"); '' when there is no colour."""
    colour = data.get("color")
    if colour is None:
        return ""
    match = _COLOUR.match(str(colour).strip())
    if not match:
        raise ValueError(f"GEXF export: colour {colour!r} on {where!r} is not #rrggbb")
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    r, g, b = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
    return f'        <viz:color r="{r}" g="{g}" b="{b}"/>\n'


def _viz_size(data: dict, top_pagerank: float) -> str:
    """<viz:size/> from PageRank relative to the top one; '' without a usable PageRank."""
    pagerank = _finite(data.get("pagerank"))
    if pagerank is None or pagerank < 0 or top_pagerank <= 0:
        return ""
    size = SIZE_MIN + (SIZE_MAX - SIZE_MIN) * math.sqrt(pagerank / top_pagerank)
    return f'        <viz:size value="{size:.3f}"/>\n'


def _clean(text: str) -> str:
    """text without the characters XML 1.0 forbids (C0 controls, lone surrogates, U+FFFE/F)."""
    return _FORBIDDEN.sub("", text)


def _attr(text: str) -> str:
    """text escaped for a double-quoted attribute; tabs and newlines kept as references."""
    if not _NEEDS_ESCAPE.search(text):
        return text
    return _clean(text).translate(_ATTR_ESCAPES)


def _text(text: str) -> str:
    """text escaped for element content."""
    return _clean(text).translate(_TEXT_ESCAPES)


@lru_cache(maxsize=65536)
def _token(text: str) -> str:
    """text as an xsd:token (runs of XML whitespace collapsed, ends trimmed), escaped."""
    return _attr(_TOKEN_SPACE.sub(" ", _clean(text)).strip(" "))
