"""Where SPARQL servers differ, in one place.

Every engine-specific fact kg-builder relies on is here, each with the version it was checked
on; nothing else in kg-builder tests an engine's name. The README's "Remote stores" section
is written from this table.

- How to recognise the engine from HTTP (its `Server` header, or a header of its own).
- Where its update and Graph Store endpoints are, given the query endpoint or the base URL.
- Whether its default graph (a query with no FROM) is the union of the named graphs. kg-builder
  never relies on it: every query to a remote store names its dataset (the build's graphs)
  with the protocol's default-graph-uri / named-graph-uri, so the store's own bookkeeping
  graphs and a build's temporary graphs stay out of every answer, on every engine.
- Which terms it rewrites on the way in (datatype canonicalisation, language-tag case), so
  that answers are compared as the same values (`normalise_literal`).
- How it reports errors (status, body), so that a message names the engine and the feature.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit


@dataclass(frozen=True)
class Engine:
    name: str  # "oxigraph", "fuseki", "virtuoso", "generic"
    label: str
    #: the Server header (or another header) that identifies it: (header, regex with a version group)
    signature: tuple[str, str] | None = None
    tested: str = ""  # versions the test suite runs against
    #: SPARQL Update requests are atomic (several operations in one request: all or nothing)
    atomic_updates: bool = True
    #: MOVE / COPY / ADD are supported (SPARQL 1.1 Update graph management)
    graph_management: bool = True
    #: the default graph of a query with no dataset is the union of the named graphs
    union_default: str = "no"  # "no", "yes", "configurable"
    #: the GSP wants these media types for upload, in order of preference
    upload_types: tuple[str, ...] = ("application/n-triples", "text/turtle")
    #: the most triples one INSERT DATA block may hold (None: no limit known)
    max_insert: int | None = None
    #: evaluates `?x rdfs:subClassOf* C` right inside joins and EXISTS (else: expand_closures)
    reliable_paths: bool = True
    #: writes SPARQL JSON results as the Recommendation does (else: normalise_binding)
    standard_json: bool = True
    #: cuts SELECT answers at a configured number of rows without saying so (else: the
    #: answer is whole or the server reports the cut)
    silent_row_cap: bool = False
    #: the server's union default graph (where it has one on) holds the stored named graphs
    #: and nothing else (Virtuoso's holds its own system graphs too)
    clean_union: bool = True
    #: a long list of default-graph-uri costs little (Oxigraph evaluates each pattern once
    #: per listed graph: 20-35x slower at 120 graphs, measured)
    cheap_datasets: bool = True
    notes: tuple[str, ...] = field(default_factory=tuple)

    def candidates(self, query_url: str) -> dict[str, list[str]]:
        """Likely update and GSP endpoint URLs for a query endpoint of this engine."""
        return _CANDIDATES[self.name](query_url)


def _sibling(url: str, name: str) -> str:
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    head = path.rsplit("/", 1)[0] if "/" in path else ""
    return urlunsplit((parts.scheme, parts.netloc, f"{head}/{name}", "", ""))


def _base(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, "", ""))


def _oxigraph(url: str) -> dict[str, list[str]]:
    return {"update": [_sibling(url, "update")], "gsp": [_sibling(url, "store")]}


def _fuseki(url: str) -> dict[str, list[str]]:
    # /ds/sparql or /ds/query -> /ds/update, /ds/data; the dataset URL /ds serves all of them
    path = urlsplit(url).path.rstrip("/")
    last = path.rsplit("/", 1)[-1]
    dataset = _sibling(url, "")[:-1] if last in ("sparql", "query") else url.rstrip("/")
    return {"update": [dataset + "/update", dataset], "gsp": [dataset + "/data", dataset]}


def _virtuoso(url: str) -> dict[str, list[str]]:
    return {
        "update": [url, _base(url, "sparql-auth")],
        "gsp": [_base(url, "sparql-graph-crud-auth"), _base(url, "sparql-graph-crud")],
    }


def _generic(url: str) -> dict[str, list[str]]:
    return {"update": [url, _sibling(url, "update")],
            "gsp": [url, _sibling(url, "store"), _sibling(url, "data")]}


_CANDIDATES = {"oxigraph": _oxigraph, "fuseki": _fuseki, "virtuoso": _virtuoso,
               "generic": _generic}

ENGINES: dict[str, Engine] = {
    "oxigraph": Engine(
        "oxigraph", "Oxigraph server", ("server", r"^Oxigraph/(\S+)"), tested="0.5.13",
        union_default="configurable",
        cheap_datasets=False,
        notes=("query /query, update /update, Graph Store /store",
               "the default graph is empty unless `oxigraph serve --union-default-graph`",
               "an update request is one transaction"),
    ),
    "fuseki": Engine(
        "fuseki", "Apache Jena Fuseki", ("server", r"Fuseki \(?([\d.]+)"),
        tested="not tested here (Maven Central cannot be reached from this machine)",
        union_default="configurable",
        notes=("query /<ds>/sparql, update /<ds>/update, Graph Store /<ds>/data",
               "TDB2 keeps the default graph apart unless tdb2:unionDefaultGraph true"),
    ),
    "virtuoso": Engine(
        "virtuoso", "OpenLink Virtuoso", ("server", r"^Virtuoso/(\S+)"),
        tested="7.2.5.1 (Debian virtuoso-opensource)",
        union_default="yes",
        atomic_updates=False,
        upload_types=("text/turtle", "application/n-triples"),
        max_insert=4000,
        reliable_paths=False,
        standard_json=False,
        silent_row_cap=True,
        clean_union=False,
        notes=("query and update on /sparql (update needs SPARQL_UPDATE granted to the "
               "SPARQL user, or /sparql-auth with a user that has it)",
               "Graph Store on /sparql-graph-crud-auth, with HTTP Digest authentication",
               "the default graph is the union of all graphs (its own system graphs too)",
               "an update request is applied operation by operation, not as one transaction",
               "INSERT DATA refuses blank nodes and blocks of more than about 4,990 triples",
               "JSON results say typed-literal and write booleans as 1/0; numbers are "
               "canonicalised (01 -> 1, 1.50 -> 1.5); language tags lower-cased",
               "a query cut by its timeout answers 200 with partial results and the header "
               "X-SQL-State: S1TAT",
               "SELECT answers are cut at [SPARQL] ResultSetMaxRows rows (10,000 in Debian's "
               "ini) without a word: a suspiciously round answer is counted again",
               "property paths with * are evaluated wrongly in some joins (see README)"),
    ),
    "generic": Engine(
        "generic", "a SPARQL 1.1 server", None, union_default="no",
        notes=("update and Graph Store endpoints are looked for on the query URL and its "
               "siblings /update, /store and /data",),
    ),
}


def recognise(headers: dict) -> tuple[Engine, str | None]:
    """The engine and its version from the headers of any answer of the server."""
    lower = {k.lower(): v for k, v in headers.items()}
    if "fuseki-request-id" in lower and "fuseki" not in lower.get("server", "").lower():
        return ENGINES["fuseki"], None
    for engine in ENGINES.values():
        if engine.signature is None:
            continue
        header, pattern = engine.signature
        m = re.search(pattern, lower.get(header, ""), re.I)
        if m:
            return engine, m.group(1)
    return ENGINES["generic"], None


# -- answers: the same values whatever the engine ---------------------------------------------
def normalise_binding(value: dict) -> dict:
    """A SPARQL JSON results binding as the Recommendation writes it: older engines
    (Virtuoso) say "typed-literal" for a literal with a datatype, and some give xsd:string
    literals their datatype explicitly; language tags compare lower-case."""
    kind = value.get("type")
    if kind == "typed-literal":
        value = {**value, "type": "literal"}
    if value.get("datatype") == "http://www.w3.org/2001/XMLSchema#string":
        value = {k: v for k, v in value.items() if k != "datatype"}
    if value.get("datatype") == "http://www.w3.org/2001/XMLSchema#boolean":
        value = {**value, "value": {"1": "true", "0": "false"}.get(value.get("value"),
                                                                    value.get("value"))}
    lang = value.get("xml:lang")
    if lang:
        value = {**value, "xml:lang": lang.lower()}
    return value


#: phrases in engines' error bodies that name a SPARQL feature the engine lacks
_UNSUPPORTED = [
    (re.compile(r"SR\d+: .*?(not supported|unsupported)[^.\n]*", re.I), None),
    (re.compile(r"(?:not (?:yet )?(?:supported|implemented))[^.\n]*", re.I), None),
    (re.compile(r"Unknown (?:function|built-in)[^.\n]*", re.I), None),
]


#: 5xx answers that are not transient: the engine refused the query itself (Virtuoso answers
#: SPARQL compile and SQL errors, e.g. "Virtuoso 37000 Error SP030", with a 500)
_PERMANENT = re.compile(r"Virtuoso (?:37000|42000|42S22|22023|22026|22007|HY000) Error (?:SP|SQ|SR|TR)[\w.]*")


def refused(status: int | None, body: str) -> bool:
    """Whether an error answer is the engine refusing the request (not worth a retry)."""
    return status is not None and (400 <= status < 500 or bool(_PERMANENT.search(body or "")))


def explain_error(engine: Engine, status: int | None, body: str, head_lines: int = 0) -> str:
    """One line naming the engine and, where the body tells, what it refused; `head_lines`:
    lines kg-builder put before the user's text (PREFIX declarations), taken off the line
    numbers the engine reports."""
    text = " ".join((body or "").split())
    if head_lines:
        text = re.sub(r"\bline (\d+)\b",
                      lambda m: f"line {max(1, int(m.group(1)) - head_lines)}", text)
    # Virtuoso: "Virtuoso 37000 Error SP030: SPARQL compiler, line 1: syntax error at ..."
    m = re.search(r"Virtuoso (\w+) Error (\w+): (.*?)(?:SPARQL query:|$)", text)
    if m:
        text = f"{m.group(2)}: {m.group(3).strip()}"
    for pattern, _ in _UNSUPPORTED:
        found = pattern.search(text)
        if found:
            return f"{engine.label} does not support this: {found.group(0).strip()[:300]}"
    where = f" ({status})" if status else ""
    return f"{engine.label} refused the request{where}: {text[:400]}"


# -- property paths an engine gets wrong -------------------------------------------------------
_TERM = r"(?:\?\w+|\$\w+|<[^<>\s]+>|[A-Za-z][\w.-]*:[\w.-]*|:[\w.-]+)"
_TYPE = r"(?:a|rdf:type|<http://www\.w3\.org/1999/02/22-rdf-syntax-ns#type>)"
_HIERARCHY = (r"(?:rdfs:subClassOf|rdfs:subPropertyOf|<http://www\.w3\.org/2000/01/rdf-schema#"
              r"(?:subClassOf|subPropertyOf)>)")
_CLOSURE_PATH = re.compile(
    rf"(?P<s>{_TERM})\s+(?P<type>{_TYPE}\s*/\s*)?(?P<p>{_HIERARCHY})(?P<op>[*+])\s+"
    rf"(?P<o><[^<>\s]+>|[A-Za-z][\w.-]*:[\w.-]*)(?P<after>\s*;)?")
_PREFIX_DECL = re.compile(r"(?i)\bPREFIX\s+([A-Za-z][\w.-]*|)\s*:\s*<([^<>\s]*)>")
RDFS = "http://www.w3.org/2000/01/rdf-schema#"


def expand_closures(text: str, closure) -> str:
    """The query with every `S rdfs:subClassOf* C` / `S a/rdfs:subClassOf* C` (and
    subPropertyOf, and +) whose C is a constant replaced by the members of the closure,
    `VALUES ?x { … }`: for engines that evaluate such paths wrongly inside joins (Virtuoso 7).
    closure(predicate IRI, C's IRI, with_self) -> the IRIs; the closure query itself is run
    apart, where the engine answers it right. A path this cannot rewrite is left as it is."""
    prefixes = {p: ns for p, ns in _PREFIX_DECL.findall(text)}

    def iri(term: str) -> str | None:
        if term.startswith("<"):
            return term[1:-1]
        prefix, _, local = term.partition(":")
        return prefixes[prefix] + local if prefix in prefixes else None

    counter = [0]

    def replace(m: re.Match) -> str:
        head = text[: m.start()].rstrip()
        # only a triple that starts a pattern (not the object of another, not in a list)
        if head and head[-1] not in "{.})" and not head.endswith(("EXISTS", "OPTIONAL")):
            return m.group(0)
        pred, obj = iri(m.group("p")), iri(m.group("o"))
        if pred is None or obj is None:
            return m.group(0)
        members = closure(pred, obj, m.group("op") == "*")
        values = " ".join(f"<{x}>" for x in members)
        subject = m.group("s")
        counter[0] += 1
        var = f"?_kg_closure_{counter[0]}"
        if m.group("type"):
            out = f"{subject} a {var} . VALUES {var} {{ {values} }}"
        elif subject.startswith(("?", "$")):
            out = f"VALUES {subject} {{ {values} }}"
        else:
            out = f"VALUES {var} {{ {values} }} FILTER({var} = {subject})"
        if m.group("after"):  # `S path C ; p o` goes on as `S p o`
            out += f" . {subject}"
        return out

    def lone(m: re.Match) -> str:
        # FILTER [NOT] EXISTS { ?v path C }: a membership test (an EXISTS holding only a
        # VALUES block stops Virtuoso's compiler)
        inner = _CLOSURE_PATH.fullmatch(m.group("body").strip())
        if not inner or inner.group("type") or inner.group("after") or not inner.group(
                "s").startswith(("?", "$")):
            return m.group(0)
        pred, obj = iri(inner.group("p")), iri(inner.group("o"))
        if pred is None or obj is None:
            return m.group(0)
        members = closure(pred, obj, inner.group("op") == "*")
        negated = bool(m.group("not"))
        if not members:
            return "FILTER(true)" if negated else "FILTER(false)"
        listed = ", ".join(f"<{x}>" for x in members)
        return f"FILTER({inner.group('s')} {'NOT IN' if negated else 'IN'} ({listed}))"

    text = _LONE_EXISTS.sub(lone, text)
    return _CLOSURE_PATH.sub(replace, text)


_LONE_EXISTS = re.compile(r"FILTER\s+(?P<not>NOT\s+)?EXISTS\s*\{(?P<body>[^{}]*)\}", re.I)


# -- answers cut without a word ------------------------------------------------------------------
_PROLOGUE = re.compile(r"\A(?:\s+|#[^\n]*\n|(?:PREFIX|BASE)\b[^<]*<[^>]*>)*", re.I)
_LIMIT = re.compile(r"\bLIMIT\s+(\d+)", re.I)


def may_be_cut(engine: Engine, text: str, rows: int) -> bool:
    """Whether a SELECT answer of `rows` rows may have been cut by the engine's silent row cap:
    a round number (a multiple of 100, at least 1,000, as such caps are set) that no LIMIT of
    the query explains."""
    if not engine.silent_row_cap or rows < 1000 or rows % 100:
        return False
    return rows not in {int(n) for n in _LIMIT.findall(text)}


def counting_query(text: str) -> str:
    """The query that counts the rows of a SELECT query's whole answer (it as a sub-select)."""
    head = _PROLOGUE.match(text).end()
    return f"{text[:head]}SELECT (COUNT(*) AS ?kg_rows) WHERE {{ {{\n{text[head:]}\n}} }}"


def graph_names_pattern(engine: Engine) -> str:
    """A pattern binding ?g to each named graph of the server: `GRAPH ?g {}` reads Oxigraph's
    list of graphs; elsewhere every quad is matched (Virtuoso answers that from an index)."""
    return "GRAPH ?g {}" if engine.name == "oxigraph" else "GRAPH ?g { ?s ?p ?o }"
