"""The tables of benchmarks/serve.py: catalogue queries per server with their ratios, look-ups,
pages, start and memory, and the ways of copying a store into memory; printed (rich) and as
Markdown for RESULTS-serve.md."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

console = Console(highlight=False)
#: (key, label) of each server, in table order.
SIDES = (
    ("kg0", "kg serve (before)"),
    ("kg", "kg serve"),
    ("kgm", "kg serve --in-memory"),
    ("ox", "oxigraph serve"),
)


def _ms(d: dict | None, key: str = "median_ms") -> str:
    if not d:
        return "–"
    if "error" in d:
        return "error"
    v = d.get(key)
    return "–" if v is None else (f"{v:,.0f}" if v >= 100 else f"{v:.1f}")


def _ratio(a: dict, b: dict) -> str:
    x, y = (a or {}).get("median_ms"), (b or {}).get("median_ms")
    return "–" if not x or not y else f"{x / y:.2f}×"


#: Ratio columns: (label, numerator side, denominator side).
RATIOS = (
    ("before/ox", "kg0", "ox"),
    ("kg/ox", "kg", "ox"),
    ("memory/ox", "kgm", "ox"),
    ("disk/memory", "kg", "kgm"),
)


def _ratios(result: dict) -> list[tuple[str, str, str]]:
    present = {side for r in result.get("queries", {}).values() for side in r}
    return [(label, a, b) for label, a, b in RATIOS if a in present and b in present]


def _rows(r: dict) -> str:
    counts = [r[side].get("rows") for side, _ in SIDES if side in r]
    if any(c is None for c in counts):
        return "–"
    return f"{counts[0]:,}" if len(set(counts)) == 1 else " ≠ ".join(f"{c:,}" for c in counts)


def query_cols(result: dict) -> list[str]:
    cols = ["query", "in-process"]
    for side, label in SIDES:
        if any(side in r for r in result.get("queries", {}).values()):
            cols += [label, "p95"]
    return cols + [label for label, _, _ in _ratios(result)] + ["rows"]


def query_rows(result: dict) -> list[list[str]]:
    rows = []
    ratios = _ratios(result)
    for name, r in sorted(result.get("queries", {}).items()):
        cells = [name + (" (bound)" if name in result.get("bound_parameters", {}) else "")]
        cells.append(_ms(result.get("library", {}).get(name, {})))
        for side, _ in SIDES:
            if side in r:
                cells += [_ms(r[side]), _ms(r[side], "p95_ms")]
        cells += [_ratio(r.get(a), r.get(b)) for _, a, b in ratios]
        rows.append(cells + [_rows(r)])
    return rows


def _rate(d: dict, digits: int = 0) -> str:
    bad = {k: v for k, v in d["statuses"].items() if k != "200"}
    return f"{_ms(d)} / {_ms(d, 'p95_ms')} ms, {d['rps']:,.{digits}f}/s" + (
        f" (non-200: {bad})" if bad else ""
    )


def other_cols(result: dict) -> list[str]:
    return ["measure"] + [label for side, label in SIDES if side in result.get("lookup", {})]


def other_rows(result: dict) -> list[list[str]]:
    sides = [side for side, _ in SIDES if side in result.get("lookup", {})]
    rows = []
    first = next(iter(result.get("lookup", {}).values()), {})
    for c in first:
        if c != "rows":
            rows.append(
                [f"look-up (one entity's triples), concurrency {c}"]
                + [_rate(result["lookup"][side][c]) for side in sides]
            )
    pages = result.get("pages", {})
    first = next(iter(pages.values()), {})
    for media in ("text/html", "text/turtle"):
        for c in first.get(media, {}):
            label = f"page {media}, " + ("hub entity" if c == "hub" else f"concurrency {c}")
            cells = [label]
            for side in sides:
                p = pages.get(side, {}).get(media, {}).get(c)
                if p is None:
                    cells.append("no pages")
                    continue
                size = f", {p['mean_bytes'] / 1024:,.0f} KB" if c == "hub" else ""
                cells.append(_rate(p, 1) + size)
            rows.append(cells)
    st = result.get("start_seconds", {})
    cells = ["start (launch → first answer)"]
    for side in sides:
        extra = f" (+ load {result['oxigraph_load_seconds']:.1f} s)" if side == "ox" else ""
        extra = " (the copy included)" if side == "kgm" else extra
        cells.append(f"{st.get(side, 0):.2f} s{extra}")
    rows.append(cells)
    for when in ("memory_idle", "memory_after"):
        m = result.get(when, {})
        if m:
            cells = [f"resident memory ({when.split('_')[1]})"]
            for side in sides:
                k = m[side]
                each = ""
                if k["processes"] > 1:
                    each = f" ({' + '.join(f'{x:,.0f}' for x in k['each_mb'])})"
                cells.append(f"{k['total_mb']:,.0f} MB in {k['processes']} proc.{each}")
            rows.append(cells)
    return rows


def copy_rows(result: dict) -> list[list[str]]:
    """The ways of copying the store into memory (--copy-variants)."""
    ways = {
        "bytes": "dump to bytes, bulk_load",
        "file": "dump to a temporary file, bulk_load",
        "quads": "quad by quad (bulk_extend)",
        "library": "OxigraphStore.in_memory (what --in-memory does)",
    }
    return [
        [
            ways[way],
            f"{d['median_s']:.2f} s",
            f"{d['peak_mb']:,.0f} MB",
            f"{d['quads']:,}",
            str(d["runs"]),
        ]
        for way, d in result.get("copy_variants", {}).items()
    ]


COPY_COLS = ["way of copying", "median", "peak memory", "quads", "runs"]
WORKER_COLS = ["one in-memory copy, two workers", "figure"]
START_COLS = ["server, started alone", "start (median)", "runs", "resident memory, idle"]


def start_rows(result: dict) -> list[list[str]]:
    """--starts: each server started alone, several times."""
    labels = dict(SIDES)
    rows = []
    for side, d in result.get("starts", {}).items():
        m = d["memory_idle"]
        each = f" ({' + '.join(f'{x:,.0f}' for x in m['each_mb'])})" if m["processes"] > 1 else ""
        rows.append([labels[side], f"{d['median_s']:.2f} s", str(d["runs"]),
                     f"{m['total_mb']:,.0f} MB in {m['processes']} proc.{each}"])  # fmt: skip
    return rows


def worker_rows(result: dict) -> list[list[str]]:
    """Threads or forked processes over one copy (--worker-variants)."""
    w = result.get("worker_variants")
    if not w:
        return []
    rows = [
        ["the listing queries twice, one round after the other", f"{w['sequential_s']:.2f} s"],
        ["the same two rounds at once, in two threads", f"{w['two_threads_s']:.2f} s"],
        ["the parent holding the copy: resident", f"{w['parent']['rss']:,.0f} MB"],
    ]
    for i, child in enumerate(w["children"], 1):
        a, b = child["after_fork"], child["after_queries"]
        rows.append([
            f"forked worker {i}: private memory just forked → after one round",
            f"{a['private_dirty']:,.0f} → {b['private_dirty']:,.0f} MB "
            f"(still shared: {a['shared_dirty']:,.0f} → {b['shared_dirty']:,.0f} MB)",
        ])  # fmt: skip
    return rows


def _tables(result: dict) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, columns, rows) of each table this result has."""
    out = []
    if result.get("queries"):
        out.append(("catalogue queries, ms over HTTP", query_cols(result), query_rows(result)))
        out.append(("look-ups, pages, start, memory", other_cols(result), other_rows(result)))
    return out + [
        (title, cols, rows)
        for title, cols, rows in (
            ("copying the store into memory", COPY_COLS, copy_rows(result)),
            ("threads or forked workers", WORKER_COLS, worker_rows(result)),
            ("starts", START_COLS, start_rows(result)),
        )
        if rows
    ]


def print_tables(result: dict) -> None:
    size = f"{result.get('quads') or result['target_quads']:,} quads"
    for title, cols, rows in _tables(result):
        t = Table(title=f"{size}: {title}", title_justify="left")
        for col in cols:
            t.add_column(col, justify="left" if col in ("query", "measure") else "right")
        for cells in rows:
            t.add_row(*cells)
        console.print(t)


def markdown_tables(results: list[dict]) -> str:
    lines = []
    for r in results:
        size = f"{r.get('quads') or r['target_quads']:,} quads"
        lines += [f"### {size}", ""]
        for _, cols, rows in _tables(r):
            lines += ["| " + " | ".join(cols) + " |", "|---" * len(cols) + "|"]
            lines += ["| " + " | ".join(c) + " |" for c in rows]
            lines.append("")
    return "\n".join(lines)
