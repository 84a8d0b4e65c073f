"""Charts where a picture says more than a table: degree distribution, country flows,
top entities by a centrality measure. PNG, SVG or PDF by the file's suffix (matplotlib)."""

from __future__ import annotations

from pathlib import Path

from .projection import NetworkError

SUFFIXES = (".png", ".svg", ".pdf")


def _pyplot():
    try:
        import matplotlib
    except ImportError as exc:
        raise NetworkError(
            "--plot needs matplotlib: pip install 'kg-builder[plot]' (or pip install matplotlib)"
        ) from exc
    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "kg-builder"  # the same SVG bytes on every run
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: Path) -> Path:
    from ..export.formats import check_target, write_atomic

    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise NetworkError(f"--plot: give a file ending in {', '.join(SUFFIXES)}, not {path.name}")
    check_target(path)
    fmt = path.suffix.lower().lstrip(".")
    # No dates in the file, so the same data gives the same bytes.
    meta = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(fmt, {})

    def write(p: Path) -> None:
        fig.savefig(p, format=fmt, dpi=150, bbox_inches="tight", metadata=meta)

    write_atomic(path.parent, {path.name: write})
    return path


def degree_distribution(summary: dict, path: Path, title: str | None = None) -> Path:
    """Log-log scatter of how many entities have each degree."""
    plt = _pyplot()
    dist = {int(k): v for k, v in summary["degree_distribution"].items()}
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    xs = [k for k in sorted(dist) if k > 0]
    ax.scatter(xs, [dist[k] for k in xs], s=22, color="#1f77b4", zorder=3)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("degree (entities linked to, direction ignored)")
    ax.set_ylabel("number of entities")
    isolated = dist.get(0, 0)
    sub = f"{summary['nodes']:,} entities, {summary['edges']:,} facts"
    if isolated:
        sub += f"; {isolated:,} isolated (not shown)"
    ax.set_title((title or "Degree distribution") + f"\n{sub}", fontsize=10)
    from matplotlib.ticker import ScalarFormatter

    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(ScalarFormatter())
    ax.grid(True, which="both", alpha=0.3, zorder=0)
    try:
        return _save(fig, path)
    finally:
        plt.close(fig)


def flows(rows: list[dict], path: Path, title: str | None = None) -> Path:
    """Horizontal bars: people per (from country → to country), largest on top."""
    plt = _pyplot()
    if not rows:
        raise NetworkError("no flows to plot: no person in this network has a country of origin")
    rows = rows[:30]
    labels = [f"{r['from_country']} \u2192 {r['to_country']}" for r in rows][::-1]
    values = [r["people"] for r in rows][::-1]
    fig, ax = plt.subplots(figsize=(7.0, 0.9 + 0.38 * len(rows)))
    bars = ax.barh(labels, values, color="#2ca02c")
    ax.bar_label(bars, padding=3, fontsize=9)
    ax.set_xlabel("people")
    ax.set_xlim(0, max(values) * 1.15)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_title(title or "Who fled where: people per country pair", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    try:
        return _save(fig, path)
    finally:
        plt.close(fig)


def top_entities(rows: list[dict], measure: str, path: Path, title: str | None = None) -> Path:
    """Horizontal bars of the entities ranked highest by one centrality measure, coloured by
    type as in the network exports (kg:displayColour)."""
    import textwrap

    from matplotlib.patches import Patch

    plt = _pyplot()
    rows = [r for r in rows if r.get(measure) is not None][:25]
    if not rows:
        raise NetworkError(f"nothing to plot: no entity has a {measure} value")
    labels = [textwrap.fill(r["label"], 38) for r in rows][::-1]
    colours = [r.get("color") or "#7f7f7f" for r in rows][::-1]
    height = 0.9 + sum(0.3 + 0.16 * label.count("\n") for label in labels)
    fig, ax = plt.subplots(figsize=(7.0, height))
    ax.barh(labels, [r[measure] for r in rows][::-1], color=colours)
    ax.set_xlabel(measure)
    ax.set_title(title or f"Top entities by {measure}", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    legend = {r.get("top_type") or r.get("type"): r.get("color") or "#7f7f7f" for r in rows}
    ax.legend(
        handles=[Patch(color=c, label=t) for t, c in sorted(legend.items())],
        loc="lower right",
        fontsize=8,
        frameon=False,
    )
    try:
        return _save(fig, path)
    finally:
        plt.close(fig)
