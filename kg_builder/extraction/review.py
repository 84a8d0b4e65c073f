"""Review of extracted candidates: accepted ones become curated facts, rejected ones are
remembered.

Why facts are APPENDED as text to the curated YAML (not loaded and dumped again): the curated
files are written by hand, with comments, grouping and an order that a YAML round trip would
destroy. An accepted fact is appended at the end of its source's facts file, with a note
naming the rule, confidence and key it came from, so a curator can trace (and undo) it.
Decisions go to the review log (`review.jsonl` in the extracted folder) as well as the
candidate's status, so a later run of extraction does not propose a rejected fact again.
"""

from __future__ import annotations

import csv
import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from anyascii import anyascii

from ..config import default_extracted_dir
from ..errors import KGError
from .candidates import (
    CandidateFile,
    append_log,
    decisions,
    read_folder,
    set_status,
)
from .model import Candidate, ProposedEntity

EXPORT_COLUMNS = [
    "key",
    "source",
    "subject",
    "relation",
    "object",
    "value",
    "date",
    "confidence",
    "rule",
    "evidence",
    "decision",
]
DECISIONS = {"accept": "accept", "a": "accept", "reject": "reject", "r": "reject", "": None}
STATUS_DECISION = {"accepted": "accept", "rejected": "reject", "proposed": ""}
EXTRACTED_ENTITIES = "extracted.yaml"
_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:(.*)$")


class ReviewError(KGError):
    """A review command cannot do what it was asked (unknown key, bad CSV, ...)."""

    exit_code = 2


@dataclass
class Item:
    """One candidate and the file (and line) it lives in."""

    file: CandidateFile
    candidate: Candidate

    @property
    def key(self) -> str:
        return self.candidate.key

    @property
    def line(self) -> int | None:
        return self.file.lines.get(self.key)

    def row(self) -> dict:
        """The candidate as a flat row (CSV export, JSON listing)."""
        c = self.candidate
        return {
            "key": c.key,
            "source": c.source,
            "subject": c.subject,
            "relation": c.relation,
            "object": c.object or "",
            "value": c.value or "",
            "date": c.date or "",
            "confidence": c.confidence,
            "rule": c.rule,
            "evidence": c.evidence,
            "decision": STATUS_DECISION.get(c.status, ""),
        }


def _yaml_str(text) -> str:
    """A double-quoted YAML scalar (JSON strings are valid YAML ones)."""
    return json.dumps(str(text), ensure_ascii=False)


def _note(c: Candidate) -> str:
    note = f"accepted from extraction: rule {c.rule}, confidence {c.confidence}, key {c.key}"
    return f"{note}; {c.note}" if c.note else note


def fact_yaml(c: Candidate, indent: str = "  ", with_source: bool = False) -> str:
    """The curated YAML list item of an accepted candidate (the fields of data/README.md)."""
    inner = indent + "  "
    lines = [f"{indent}- subject: {c.subject}", f"{inner}relation: {c.relation}"]
    if c.object is not None:
        lines.append(f"{inner}object: {c.object}")
    else:
        lines.append(f"{inner}value: {_yaml_str(c.value)}")
    if with_source:
        lines.append(f"{inner}source: {_yaml_str(c.source)}")
    if c.date:
        lines.append(f"{inner}date: {_yaml_str(c.date)}")
    lines.append(f"{inner}evidence: {_yaml_str(c.evidence)}")
    lines.append(f"{inner}note: {_yaml_str(_note(c))}")
    return "\n".join(lines) + "\n"


def entity_yaml(e: ProposedEntity, indent: str = "  ") -> str:
    """The registry entry of a proposed entity, as in data/curated/entities/*.yaml."""
    inner = indent + "  "
    lines = [
        f"{indent}- id: {e.id}",
        f"{inner}type: {e.type}",
        f"{inner}label: {_yaml_str(e.label)}",
    ]
    aliases = [a for a in e.aliases if a != e.label]
    if aliases:
        lines.append(f"{inner}aliases: {json.dumps(aliases, ensure_ascii=False)}")
    if e.wikidata:
        lines.append(f"{inner}wikidata: {e.wikidata}")
    if _is_event(e.type):
        # a curated event needs its date; extraction proposes dates as facts, so say it
        lines.append(f"{inner}date: unknown  # proposed by extraction: give the date if known")
    return "\n".join(lines) + "\n"


def _is_event(type_name: str) -> bool:
    from ..ontology import KG, load_ontology
    from ..resources import ontology_dir

    info = load_ontology(ontology_dir()).entity_classes.get(type_name)
    return info is not None and KG.Event in info.supers


def _list_indent(text: str, key: str) -> str:
    """The indentation of the items of the top-level list `key:` (two spaces by default)."""
    after = text.split(f"\n{key}:", 1)[-1] if not text.startswith(f"{key}:") else text
    m = re.search(r"^([ \t]*)- ", after, re.M)
    return m.group(1) if m else "  "


def append_to_list(path: Path, key: str, item_text_for, header: str) -> None:
    """Append an item to the top-level list `key:` of a hand-written YAML file, as text.

    The list must be the file's last top-level key (as in every curated file), else the
    appended text would land in another mapping: that is an error rather than a silent
    misfiling. A missing file is created with `header`.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file():
        path.write_text(header + f"{key}:\n" + item_text_for("  "), encoding="utf-8")
        return
    text = path.read_text(encoding="utf-8")
    tops = [m for m in map(_TOP_KEY.match, text.splitlines()) if m]
    last = tops[-1] if tops else None
    prefix = "" if not text or text.endswith("\n") else "\n"
    if last is None or last.group(1) != key:
        if any(m.group(1) == key for m in tops):
            raise ReviewError(
                f"{path}: '{key}:' is not the last top-level key; move it to the end so that "
                "accepted entries can be appended"
            )
        path.write_text(text + prefix + f"{key}:\n" + item_text_for("  "), encoding="utf-8")
        return
    if last.group(2).strip() not in ("", "[]"):
        raise ReviewError(f"{path}: '{key}:' is a flow list; write it as a block list (- ...)")
    if last.group(2).strip() == "[]":
        # an empty list (as kg init writes it): it becomes a block list, comments kept
        lines = text.splitlines(keepends=True)
        at = max(
            i for i, line in enumerate(lines)
            if (m := _TOP_KEY.match(line.rstrip("\n"))) and m.group(1) == key
        )
        lines[at] = re.sub(r":\s*\[\s*\]", ":", lines[at], count=1)
        text = "".join(lines)
        path.write_text(text + prefix + item_text_for("  "), encoding="utf-8")
        return
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(prefix + item_text_for(_list_indent(text, key)))


def registry_ids(data_dir: Path) -> set[str]:
    """Every entity id of the curated registry (YAML and CSV), read without the ontology."""
    ids: set[str] = set()
    folder = Path(data_dir) / "entities"
    for path in sorted(folder.glob("*.y*ml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        items = doc.get("entities", []) if isinstance(doc, dict) else doc
        ids |= {str(i["id"]) for i in items or [] if isinstance(i, dict) and i.get("id")}
    for path in sorted(folder.glob("*.csv")):
        with open(path, newline="", encoding="utf-8") as fh:
            ids |= {row["id"].strip() for row in csv.DictReader(fh) if row.get("id")}
    return ids


def source_ids(data_dir: Path) -> set[str]:
    """The ids of sources.yaml (facts of other articles cannot be curated)."""
    path = Path(data_dir) / "sources.yaml"
    if not path.is_file():
        return set()
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    items = doc.get("sources", []) if isinstance(doc, dict) else doc
    return {str(i["id"]) for i in items or [] if isinstance(i, dict) and i.get("id")}


class Review:
    """The candidates of an extracted folder and the curated folder they are accepted into."""

    def __init__(self, data_dir: str | Path, extracted_dir: str | Path | None = None):
        self.data_dir = Path(data_dir)
        if not self.data_dir.is_dir():
            raise ReviewError(f"curated data folder {self.data_dir} does not exist")
        self.extracted_dir = (
            Path(extracted_dir) if extracted_dir else default_extracted_dir(self.data_dir)
        )
        self.files = read_folder(self.extracted_dir)
        self.log = decisions(self.extracted_dir)

    # -- selecting ----------------------------------------------------------------------
    def items(self) -> list[Item]:
        return [Item(f, c) for f in self.files for c in f.candidates]

    def select(
        self,
        source: str | None = None,
        status: str = "proposed",
        min_confidence: float | None = None,
    ) -> list[Item]:
        """Candidates of a source (id or unique prefix), status ("all" for any) and
        confidence."""
        out = []
        for item in self.items():
            c = item.candidate
            if source and not c.source.startswith(source):
                continue
            if status != "all" and c.status != status:
                continue
            if min_confidence is not None and c.confidence < min_confidence:
                continue
            out.append(item)
        return out

    def find(self, prefix: str) -> Item:
        """The candidate whose key starts with `prefix`; an error lists close keys."""
        prefix = prefix.strip().lower()
        items = self.items()
        hits = [i for i in items if i.key.startswith(prefix)] if prefix else []
        if len(hits) == 1:
            return hits[0]
        if hits:
            keys = ", ".join(i.key for i in hits[:5])
            raise ReviewError(f"key '{prefix}' is ambiguous: {keys}; give more characters")
        raise ReviewError(f"no candidate with key '{prefix}'" + self._close(prefix, items))

    def _close(self, prefix: str, items: list[Item]) -> str:
        keys = [i.key for i in items]
        if not keys:
            return f" (no candidates in {self.extracted_dir})"

        def shared(k: str) -> int:
            n = 0
            while n < min(len(k), len(prefix)) and k[n] == prefix[n]:
                n += 1
            return n

        ranked = sorted(keys, key=lambda k: (-shared(k), k))[:3]
        fuzzy = difflib.get_close_matches(prefix, keys, n=3, cutoff=0.5)
        close = list(dict.fromkeys(fuzzy + ranked))[:3]
        return f"; close keys: {', '.join(close)}"

    # -- deciding -----------------------------------------------------------------------
    def accept(self, keys: Iterable[str]) -> list[Item]:
        """Append each candidate's fact (and the entities it needs) to the curated files and
        mark it accepted. Already accepted candidates are left alone (not returned)."""
        items = [self.find(k) for k in keys]
        items = [i for i in items if i.candidate.status != "accepted"]
        for item in items:
            self._check_acceptable(item)  # all checked before any file changes
        done = []
        for item in items:
            facts_file = self._curate(item)
            self._decide(item, "accept", facts_file=str(facts_file))
            done.append(item)
        return done

    def reject(self, keys: Iterable[str], reason: str | None = None) -> list[Item]:
        """Mark candidates rejected and log it: extraction will not propose them again."""
        items = [self.find(k) for k in keys]
        for item in items:
            if item.candidate.status == "accepted":
                raise ReviewError(
                    f"candidate {item.key} is already accepted (a curated fact of "
                    f"{item.candidate.source}); remove the fact from its facts file by hand"
                )
        done = []
        for item in items:
            if item.candidate.status != "rejected":
                self._decide(item, "reject", reason=reason)
                done.append(item)
        return done

    def _decide(self, item: Item, decision: str, **extra) -> None:
        status = "accepted" if decision == "accept" else "rejected"
        set_status(item.file.path, {item.key: status})
        item.candidate.status = status
        entry = {"key": item.key, "decision": decision, "source": item.candidate.source}
        entry.update({k: v for k, v in extra.items() if v})
        append_log(self.extracted_dir, entry)
        self.log[item.key] = status

    def _check_acceptable(self, item: Item) -> None:
        c = item.candidate
        if c.source not in source_ids(self.data_dir) and not item.file.document.get("id"):
            raise ReviewError(
                f"candidate {c.key}: article '{c.source}' is not in "
                f"{self.data_dir / 'sources.yaml'}; add it (with its publisher) first"
            )
        known = registry_ids(self.data_dir)
        for eid in (c.subject, c.object):
            if eid and eid not in known and item.file.entity(eid) is None:
                raise ReviewError(
                    f"candidate {c.key}: entity '{eid}' is neither in the registry nor "
                    f"proposed in {item.file.path}"
                )

    def facts_file(self, source: str) -> tuple[Path, bool]:
        """The facts file of a source and whether it names the source in its header."""
        folder = self.data_dir / "facts"
        path = folder / f"{source}.yaml"
        if path.is_file():
            return path, _header_source(path) is not None
        for other in sorted(folder.glob("*.y*ml")):
            if _header_source(other) == source:
                return other, True
        return path, True  # created with its header

    def _ensure_source(self, item: Item, known: set[str]) -> None:
        """An article first curated here enters sources.yaml, with the metadata extraction
        recorded (headline, date) and its outlet as publisher (a media organisation of the
        registry, proposed in entities/extracted.yaml when the registry has none)."""
        c, doc = item.candidate, item.file.document
        if c.source in source_ids(self.data_dir):
            return
        name = str(doc.get("publisher") or "").strip()
        eid = re.sub(r"[^a-z0-9]+", "-", anyascii(name).lower()).strip("-") if name else ""
        if not eid:
            eid, name = "unknown-publisher", "Unknown publisher"
        if eid not in known:
            ent = ProposedEntity(id=eid, type="MediaOrganisation", label=name)
            append_to_list(
                self.data_dir / "entities" / EXTRACTED_ENTITIES,
                "entities",
                lambda indent, ent=ent: entity_yaml(ent, indent),
                "# Entities proposed by extraction and accepted in review (kg review).\n",
            )
            known.add(eid)
        lines = [f"- id: {_yaml_str(c.source)}", "  kind: article", f"  publisher: {eid}"]
        if doc.get("headline"):
            lines.append(f"  headline: {_yaml_str(str(doc['headline']))}")
        if doc.get("published"):
            lines.append(f"  published: {_yaml_str(str(doc['published']))}")
        if name == "Unknown publisher":
            lines.append("  # publisher unknown: name the outlet (an organisation id) here")
        append_to_list(
            self.data_dir / "sources.yaml",
            "sources",
            lambda indent: "".join(f"{indent}{line}\n" for line in lines),
            "# The sources facts are taken from (kg review adds the articles it curates).\n",
        )

    def _curate(self, item: Item) -> Path:
        c = item.candidate
        known = registry_ids(self.data_dir)
        self._ensure_source(item, known)
        for eid in dict.fromkeys(e for e in (c.subject, c.object) if e):
            if eid in known:
                continue
            ent = item.file.entity(eid)
            append_to_list(
                self.data_dir / "entities" / EXTRACTED_ENTITIES,
                "entities",
                lambda indent, ent=ent: entity_yaml(ent, indent),
                "# Entities proposed by extraction and accepted in review (kg review).\n",
            )
            known.add(eid)
        path, has_header = self.facts_file(c.source)
        append_to_list(
            path,
            "facts",
            lambda indent: fact_yaml(c, indent, with_source=not has_header),
            f"source: {_yaml_str(c.source)}\n",
        )
        return path

    # -- CSV: the non-interactive path ----------------------------------------------------
    def export_csv(self, path: str | Path, **selection) -> int:
        """Write the selected candidates (default: proposed) with an empty decision column."""
        items = self.select(**selection)
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=EXPORT_COLUMNS)
            writer.writeheader()
            for item in items:
                writer.writerow(item.row())
        return len(items)

    def import_csv(self, path: str | Path) -> dict[str, int]:
        """Apply the decisions of an edited export; every faulty row is reported (with its
        CSV line) before anything is changed."""
        plan, errors = self._read_decisions(Path(path))
        if errors:
            raise ReviewError(f"{len(errors)} problem(s) in {path}:\n" + "\n".join(errors))
        counts = {"accepted": 0, "rejected": 0, "unchanged": 0}
        for item, decision, reason in plan:
            if decision == "accept":
                done = self.accept([item.key])
            else:
                done = self.reject([item.key], reason=reason)
            counts["accepted" if decision == "accept" else "rejected"] += len(done)
            counts["unchanged"] += 1 - len(done)
        return counts

    def _read_decisions(self, path: Path):
        plan, errors = [], []
        try:
            fh = open(path, newline="", encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            raise ReviewError(f"cannot read {path}: {exc}") from exc
        with fh:
            reader = csv.DictReader(fh)
            missing = [c for c in ("key", "decision") if c not in (reader.fieldnames or [])]
            if missing:
                raise ReviewError(f"{path}:1: missing column(s) {', '.join(missing)}")
            for row in reader:
                where = f"{path}:{reader.line_num}"
                raw = (row.get("decision") or "").strip().lower()
                if raw not in DECISIONS:
                    errors.append(f"{where}: decision {raw!r} is not accept, reject or blank")
                    continue
                if DECISIONS[raw] is None:
                    continue
                try:
                    item = self.find(row.get("key") or "")
                except ReviewError as exc:
                    errors.append(f"{where}: {exc}")
                    continue
                if DECISIONS[raw] == "reject" and item.candidate.status == "accepted":
                    errors.append(f"{where}: {item.key} is already accepted; cannot reject it")
                    continue
                plan.append((item, DECISIONS[raw], (row.get("reason") or "").strip() or None))
        return plan, errors


def _header_source(path: Path) -> str | None:
    """The `source:` of a facts file's header, read as text (first top-level key only)."""
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _TOP_KEY.match(line)
        if m and m.group(1) == "source":
            value = m.group(2).split("#")[0].strip().strip("\"'")
            return value or None
    return None


__all__ = ["EXPORT_COLUMNS", "Item", "Review", "ReviewError", "entity_yaml", "fact_yaml"]
