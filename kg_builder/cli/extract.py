"""`kg extract` and `kg evaluate`: thin commands over kg_builder.extraction."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..errors import ConfigError
from ..pipeline import open_graph
from . import common
from .common import data_option, format_option, store_option
from .network import handle_errors

ner_option = click.option(
    "--ner",
    default="rules",
    show_default=True,
    metavar="rules|spacy:MODEL",
    help="Mention recogniser: the offline rules and gazetteers, or an installed spaCy "
    "pipeline (e.g. spacy:en_core_web_sm).",
)
gazetteer_option = click.option(
    "--gazetteer",
    type=click.Choice(["graph", "generic"]),
    default="graph",
    show_default=True,
    help="Names to look for: the graph's entities and aliases plus country and city lists "
    "(graph), or the country and city lists alone (generic: how the rules fare on articles "
    "about people the graph does not know).",
)
metadata_option = click.option(
    "--metadata",
    type=click.Path(dir_okay=False, exists=True),
    default=None,
    help="Article metadata (sources.yaml format; default: CORPUS_DIR/sources.yaml if present).",
)
max_bytes_option = click.option(
    "--max-bytes",
    type=int,
    default=None,
    help="Skip (never truncate) articles larger than this (default 5,000,000).",
)


def run_options(fn):
    """The options `kg extract` and `kg evaluate` share: how to extract, and from which graph."""
    for option in reversed(
        [ner_option, gazetteer_option, metadata_option, max_bytes_option, format_option,
         store_option, data_option]
    ):
        fn = option(fn)
    return fn


def _index(settings, gazetteer: str):
    """The gazetteer of the graph the facts are for (read from the built store), and the
    dates of its events by name (for "the day after the mobilisation")."""
    from ..extraction.extract import event_anchors
    from ..extraction.gazetteer import EntityIndex

    if gazetteer == "generic":
        return EntityIndex.cold(), {}
    if not settings.in_memory and not Path(settings.store).exists():
        # No graph built yet (a new project): the curated data, built in memory, are the graph.
        from dataclasses import replace

        from ..config import MEMORY

        common.err.print(
            f"[yellow]No store at {escape(settings.store)} yet: names are looked up in the "
            "curated data (run kg build to use the built graph).[/]",
            soft_wrap=True,
        )
        settings = replace(settings, store=MEMORY)
    store = open_graph(settings)
    try:
        return EntityIndex.from_store(store), event_anchors(store)
    finally:
        close = getattr(store, "close", None)
        if close:
            close()


def _run(corpus_dir, settings, ner, gazetteer, metadata, max_bytes, quiet: bool):
    from ..extraction.extract import extract_corpus

    index, anchors = _index(settings, gazetteer)
    from ..extraction.text import ARTICLE_SUFFIXES

    files = [
        p for p in Path(corpus_dir).iterdir() if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES
    ]
    if quiet:
        return extract_corpus(corpus_dir, index, ner, metadata, max_bytes, anchors=anchors)
    with Progress(
        TextColumn("extracting"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[doc]}"),
        TimeElapsedColumn(),
        console=common.err,
        transient=True,
    ) as bar:
        task = bar.add_task("extract", total=len(files), doc="")
        return extract_corpus(
            corpus_dir,
            index,
            ner,
            metadata,
            max_bytes,
            progress=lambda doc_id: bar.update(task, advance=1, doc=doc_id),
            anchors=anchors,
        )


def _short(path: str, folder: Path) -> str:
    """A path relative to the corpus folder when it is inside it (tables stay narrow)."""
    try:
        return str(Path(path).relative_to(folder))
    except ValueError:
        return path


def _check_corpus(corpus_dir: str | None, settings=None) -> Path:
    if corpus_dir is None:
        if settings is None or settings.corpus_dir is None:
            raise ConfigError(
                "no articles folder: name one (kg extract DIR) or run inside a project "
                "(paths.articles of kg.toml)"
            )
        return settings.corpus_dir
    path = Path(corpus_dir)
    if not path.is_dir():
        raise ConfigError(f"corpus folder {path} does not exist")
    return path


@click.command()
@click.argument("corpus_dir", type=click.Path(), required=False)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=None,
    help="Where the reviewable candidate files go (default: data/extracted beside the "
    "curated data).",
)
@run_options
@handle_errors
def extract(corpus_dir, out, ner, gazetteer, metadata, max_bytes, fmt, store, data_dir):
    """Propose facts from the articles of CORPUS_DIR (default: the project's articles), for review.

    Reads plain-text and HTML articles, drops site furniture, finds mentions of people,
    organisations, places, events, dates and quantities, links them to the graph's entities
    (or proposes new ones), and proposes facts from sentence patterns, each with its evidence
    sentence and a confidence. One reviewable JSONL file per article goes to --out; `kg build`
    loads them as extracted facts, `kg review` accepts or rejects them.

    Example: kg extract --format json       (or: kg extract ../shared/corpus)
    """
    from ..extraction.candidates import write_candidates

    settings = common.settings(store=store, data_dir=data_dir)
    corpus = _check_corpus(corpus_dir, settings)
    run = _run(corpus, settings, ner, gazetteer, metadata, max_bytes, fmt == "json")
    default_out = getattr(settings, "extracted_dir", None) or settings.data_dir.parent / "extracted"
    out_dir = Path(out) if out else Path(default_out)
    written = []
    for r in run.results:
        path = write_candidates(out_dir, r.document, r.candidates, r.entities, run.info())
        written.append(str(path))
    rows = [
        {
            "article": r.document.id,
            "mentions": len(r.mentions),
            "linked": r.linked,
            "new_entities": len(r.entities),
            "candidates": len(r.candidates),
            "warnings": "; ".join(r.document.warnings),
        }
        for r in run.results
    ]
    skipped = [{"path": s.path, "reason": s.reason} for s in run.skipped]
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "summary": run.summary(),
                    "articles": rows,
                    "skipped": skipped,
                    "out": str(out_dir),
                    "files": written,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    cli = common
    columns = ["article", "mentions", "linked", "new_entities", "candidates", "warnings"]
    cli.console.print(
        cli._table("Extraction", columns, [[row[c] for c in columns] for row in rows])
    )
    if skipped:
        rows = [[_short(s["path"], corpus), s["reason"]] for s in skipped]
        cli.console.print(cli._table(f"Skipped (in {escape(str(corpus))})", ["file", "reason"], rows))
    s = run.summary()
    cli.console.print(
        f"{s['articles']} article(s) read, {s['skipped']} skipped; {s['candidates']} candidate "
        f"fact(s) written to {escape(str(out_dir))} in {s['seconds']:.1f} s. "
        "Next: kg review list, or kg build to load them as extracted facts."
    )


@click.command()
@click.argument("corpus_dir", type=click.Path())
@click.option(
    "--gold",
    "gold_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder of gold annotations (the format of ../shared/gold).",
)
@run_options
@handle_errors
def evaluate(corpus_dir, gold_dir, ner, gazetteer, metadata, max_bytes, fmt, store, data_dir):
    """Score extraction on CORPUS_DIR against gold annotations.

    Precision, recall and F1 per type for mentions (exact and partial spans), linking,
    relations and boilerplate. Nothing is written.

    Example: kg evaluate ../shared/corpus --gold ../shared/gold --format json
    """
    from ..extraction.evaluate import load_gold, predictions, score

    corpus = _check_corpus(corpus_dir)
    gold = load_gold(Path(gold_dir))
    settings = common.settings(store=store, data_dir=data_dir)
    run = _run(corpus, settings, ner, gazetteer, metadata, max_bytes, fmt == "json")
    report = score(predictions(run), gold)
    report["backend"] = run.backend
    report["gazetteer"] = gazetteer
    report["skipped"] = [{"path": s.path, "reason": s.reason} for s in run.skipped]
    if fmt == "json":
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    _print_report(report)


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def _print_report(report: dict) -> None:
    cli = common
    ent = report["entities"]
    rows = []
    for t, m in ent["per_type"].items():
        p = ent["partial"]["per_type"][t]
        rows.append([t, _pct(m["precision"]), _pct(m["recall"]), _pct(m["f1"]), _pct(p["f1"]),
                     m["tp"] + m["fn"]])
    rows.append(["all", _pct(ent["precision"]), _pct(ent["recall"]), _pct(ent["f1"]),
                 _pct(ent["partial"]["f1"]), ent["tp"] + ent["fn"]])
    cli.console.print(cli._table(
        f"Mentions ({report['backend']}, {report['gazetteer']} gazetteer): exact span",
        ["type", "precision", "recall", "F1", "F1 partial", "gold"], rows))
    for key, title in (("linking", "Linking"), ("relations", "Relations")):
        part = report[key]
        rows = [[t, _pct(m["precision"]), _pct(m["recall"]), _pct(m["f1"]), m["tp"] + m["fn"]]
                for t, m in part["per_type"].items()]
        rows.append(["all", _pct(part["precision"]), _pct(part["recall"]), _pct(part["f1"]),
                     part["tp"] + part["fn"]])
        cli.console.print(cli._table(title, ["type", "precision", "recall", "F1", "gold"], rows))
    docs = report.get("per_document", {})
    if len(docs) > 1:
        rows = []
        for doc_id, d in docs.items():
            e, pt, k = d["entities"], d["entities"]["per_type"], d["key_facts"]
            rows.append([doc_id, _pct(e["f1"]), *(_pct(pt.get(t, {}).get("f1")) for t in
                         ("Person", "Organisation", "Place", "Event")),
                         _pct(d["relations"]["precision"]), _pct(d["relations"]["recall"]),
                         f"{k['found']}/{k['total']}" if k["total"] else "—"])
        cli.console.print(cli._table(
            "Per article (mention F1 exact; relations; key facts found)",
            ["article", "mentions", "Person", "Org.", "Place", "Event", "rel. P", "rel. R",
             "key facts"], rows))
    k = report["key_facts"]
    if k["total"]:
        cli.console.print(f"Key facts: {k['found']} of {k['total']} found among the candidates "
                          f"({_pct(k['share'])}).")
    else:
        cli.console.print("Key facts: none marked in the gold (nothing to score).")
    b = report["boilerplate"]
    if b["gold_spans"]:
        cli.console.print(
            f"Boilerplate: precision {_pct(b['precision'])}, recall {_pct(b['recall'])}, "
            f"F1 {_pct(b['f1'])} (characters); {b['gold_spans_found']} of {b['gold_spans']} "
            "gold spans found."
        )
    else:
        cli.console.print("Boilerplate: the gold marks none (nothing to score).")
    d = report["date_values"]
    if d["matched"]:
        cli.console.print(
            f"Dates: {d['value_correct']} of {d['matched']} found at a gold date span carry "
            f"gold's normalised value ({_pct(d['accuracy'])})."
        )
    for t, n in sorted(report.get("not_annotated", {}).items()):
        name = t.removeprefix("relation ")
        what = f"{name} fact" if t.startswith("relation ") else f"{t} mention"
        cli.console.print(f"{n} predicted {what}(s) not scored: the gold does not annotate "
                          f"{name}.")
    for key in ("entities", "linking", "relations"):
        for t, m in report[key]["per_type"].items():
            if m.get("note"):
                cli.console.print(f"{key} {t}: {m['note']} ({m['fp']} predicted).")
    if report["relations"].get("unmapped_gold"):
        cli.console.print(
            f"{report['relations']['unmapped_gold']} gold relation(s) have no ontology property "
            "(other, reported_by) and are not scored."
        )
    for s in report["skipped"]:
        cli.err.print(f"[yellow]skipped {escape(s['path'])}: {escape(s['reason'])}[/]")
