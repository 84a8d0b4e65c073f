"""The reviewable candidates file: one JSONL file per article in the extracted folder.

Why JSONL: one record per line gives every candidate a line number (so a problem found when
the graph is built points at `file:line`, as for curated YAML), a reviewer's decision rewrites
one field of one line, and diffs stay readable. The first line describes the article (so the
file can be checked against the article it was extracted from), then the proposed entities,
then the candidates:

    {"kind": "document", "id": ..., "file": ..., "sha256": ..., "headline": ..., ...}
    {"kind": "entity", "id": ..., "type": ..., "label": ..., "aliases": [...]}
    {"kind": "candidate", "key": ..., "subject": ..., "relation": ..., ..., "status": ...}

Decisions live in two places: the candidate's `status` in its file, and the review log
(`review.jsonl` in the same folder), which outlives the candidates files: a re-run of
extraction rewrites a file but keeps every decision of the log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from ..errors import KGError
from .model import Candidate, Document, ProposedEntity

REVIEW_LOG = "review.jsonl"
STATUSES = ("proposed", "accepted", "rejected")
KINDS = ("document", "entity", "candidate")
CANDIDATE_REQUIRED = ("source", "subject", "relation", "evidence", "confidence", "rule")
ENTITY_REQUIRED = ("id", "type", "label")
_CANDIDATE_FIELDS = {f.name for f in fields(Candidate)} | {"key", "kind"}
_ENTITY_FIELDS = {f.name for f in fields(ProposedEntity)} | {"kind"}
#: Decisions of the review log, as written by review.py.
DECISION_STATUS = {"accept": "accepted", "reject": "rejected"}


class CandidatesError(KGError):
    """A candidates file (or the review log) is malformed; the message names file:line."""

    exit_code = 2

    def __init__(self, file: str, line: int | None, message: str):
        self.file, self.line, self.detail = file, line, message
        where = file if line is None else f"{file}:{line}"
        super().__init__(f"{where}: {message}")


@dataclass
class CandidateFile:
    """One article's candidates file, read back, with the line of every record."""

    path: Path
    document: dict
    entities: list[ProposedEntity] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    #: line numbers (1-based): candidate key -> line, entity id -> line
    lines: dict[str, int] = field(default_factory=dict)
    entity_lines: dict[str, int] = field(default_factory=dict)
    document_line: int = 1

    @property
    def source(self) -> str:
        return str(self.document.get("id", ""))

    def entity(self, eid: str) -> ProposedEntity | None:
        """The proposed entity with that id: a file-level entry or one of a candidate's."""
        for ent in self.entities:
            if ent.id == eid:
                return ent
        for cand in self.candidates:
            for ent in cand.new_entities:
                if ent.id == eid:
                    return ent
        return None


# -- writing ------------------------------------------------------------------------------
def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def document_record(doc: Document, run: dict) -> dict:
    """The first line: which article (and which version of it) the candidates come from."""
    meta = doc.metadata or {}
    extractor = dict(run or {})
    extractor.setdefault("time", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    record = {
        "kind": "document",
        "id": doc.id,
        "file": Path(doc.path).name if doc.path else None,
        "sha256": sha256(doc.text),
        "headline": meta.get("headline") or meta.get("title"),
        "published": doc.published.text if doc.published else meta.get("published"),
        "extractor": extractor,
    }
    publisher = meta.get("publisher") or meta.get("agency") or meta.get("outlet")
    if publisher:
        record["publisher"] = str(publisher)
    return record


def _entities(entities: Iterable[ProposedEntity] | None, candidates: list[Candidate]):
    """Proposed entities, given and carried by candidates, once each (first one wins)."""
    out: dict[str, ProposedEntity] = {}
    for ent in list(entities or []) + [e for c in candidates for e in c.new_entities]:
        if isinstance(ent, dict):
            ent = ProposedEntity(**{k: v for k, v in ent.items() if k != "kind"})
        out.setdefault(ent.id, ent)
    return list(out.values())


def _entity_dict(ent: ProposedEntity) -> dict:
    data = {k: v for k, v in asdict(ent).items() if v not in (None, [])}
    return {"kind": "entity", **data}


def write_candidates(
    out_dir: Path,
    doc: Document,
    candidates: list[Candidate],
    entities: Iterable[ProposedEntity] | None = None,
    run: dict | None = None,
) -> Path:
    """Write `out_dir/<doc.id>.jsonl` atomically and return its path.

    Earlier decisions win over a fresh run: a candidate whose key was accepted or rejected
    (in the previous file or in the review log) keeps that status, so a rejected fact is never
    proposed again and an accepted one is not loaded twice (it is curated by then).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{doc.id}.jsonl"
    decided = previous_statuses(path)
    decided.update(decisions(out_dir))
    lines = [document_record(doc, run or {})]
    lines += [_entity_dict(e) for e in _entities(entities, candidates)]
    seen: set[str] = set()
    for cand in candidates:
        key = cand.key
        if key in seen:
            continue  # the same fact from the same sentence, proposed by two rules
        seen.add(key)
        record = {"kind": "candidate", **cand.as_dict()}
        if decided.get(key) in ("accepted", "rejected"):
            record["status"] = decided[key]
        lines.append(record)
    write_jsonl(path, lines)
    return path


def write_jsonl(path: Path, records: list[dict]) -> None:
    """Temp file in the same folder, then rename: a reader never sees half a file."""
    text = "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in records)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def previous_statuses(path: Path) -> dict[str, str]:
    """key -> status of the candidates of an existing file ({} when there is none)."""
    if not Path(path).is_file():
        return {}
    try:
        return {c.key: c.status for c in read_candidates(path).candidates}
    except CandidatesError:
        return {}  # a damaged file: the review log still holds every decision


# -- reading ------------------------------------------------------------------------------
def _fail(path: Path, line: int | None, message: str):
    raise CandidatesError(str(path), line, message)


def _parse_line(path: Path, number: int, raw: str) -> dict:
    try:
        record = json.loads(raw)
    except json.JSONDecodeError as exc:
        _fail(path, number, f"bad JSON: {exc.msg} (column {exc.colno})")
    if not isinstance(record, dict):
        _fail(path, number, "each line must be a JSON object")
    kind = record.get("kind")
    if kind not in KINDS:
        _fail(path, number, f"unknown kind {kind!r}: expected one of {', '.join(KINDS)}")
    return record


def _require(path: Path, number: int, record: dict, names: Iterable[str], what: str) -> None:
    missing = [n for n in names if record.get(n) in (None, "")]
    if missing:
        _fail(path, number, f"{what} without {', '.join(missing)} (missing field)")


def _unknown(path: Path, number: int, record: dict, allowed: set[str], what: str) -> None:
    extra = sorted(set(record) - allowed)
    if extra:
        _fail(path, number, f"unknown field(s) {', '.join(extra)} in {what}")


def _entity(path: Path, number: int, record: dict) -> ProposedEntity:
    _require(path, number, record, ENTITY_REQUIRED, "entity")
    _unknown(path, number, record, _ENTITY_FIELDS, "an entity")
    data = {k: v for k, v in record.items() if k != "kind"}
    if not isinstance(data.get("aliases", []), list):
        _fail(path, number, "entity aliases must be a list of names")
    return ProposedEntity(**data)


def _candidate(path: Path, number: int, record: dict) -> Candidate:
    _require(path, number, record, CANDIDATE_REQUIRED, "candidate")
    _unknown(path, number, record, _CANDIDATE_FIELDS, "a candidate")
    if "evidence_offset" not in record:
        _fail(path, number, "candidate without evidence_offset (missing field)")
    conf = record["confidence"]
    if isinstance(conf, bool) or not isinstance(conf, int | float) or not 0 <= conf <= 1:
        _fail(path, number, f"confidence {conf!r} is not a number from 0 to 1")
    if not isinstance(record["evidence_offset"], int) or record["evidence_offset"] < 0:
        _fail(path, number, f"evidence_offset {record['evidence_offset']!r} is not an offset")
    status = record.get("status", "proposed")
    if status not in STATUSES:
        _fail(path, number, f"status {status!r} is not one of {', '.join(STATUSES)}")
    if record.get("object") in (None, "") and record.get("value") in (None, ""):
        _fail(path, number, "candidate without object or value (missing field)")
    data = {k: v for k, v in record.items() if k != "kind"}
    try:
        cand = Candidate.from_dict(data)
    except (TypeError, ValueError) as exc:
        _fail(path, number, f"malformed candidate: {exc}")
    if record.get("key") and record["key"] != cand.key:
        _fail(
            path,
            number,
            f"key {record['key']} does not match the candidate's source, subject, relation, "
            f"object/value and evidence (they give {cand.key}); remove the key to recompute it",
        )
    return cand


def read_candidates(path: Path) -> CandidateFile:
    """Read and check one candidates file; CandidatesError names file:line and the fault."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(path, None, f"cannot read: {exc}")
    result: CandidateFile | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        record = _parse_line(path, number, raw)
        kind = record["kind"]
        if result is None:
            if kind != "document":
                _fail(path, number, "the first record must be the document (kind: document)")
            _require(path, number, record, ("id",), "document")
            result = CandidateFile(path, record, document_line=number)
        elif kind == "document":
            _fail(path, number, f"a second document record (the first is on line "
                  f"{result.document_line})")
        elif kind == "entity":
            ent = _entity(path, number, record)
            result.entities.append(ent)
            result.entity_lines.setdefault(ent.id, number)
        else:
            cand = _candidate(path, number, record)
            if cand.key in result.lines:
                _fail(path, number, f"duplicate candidate {cand.key} (first on line "
                      f"{result.lines[cand.key]})")
            result.candidates.append(cand)
            result.lines[cand.key] = number
    if result is None:
        _fail(path, None, "empty candidates file: expected a document record first")
    return result


def candidate_paths(out_dir: Path) -> list[Path]:
    """The candidates files of a folder (every *.jsonl but the review log), sorted."""
    folder = Path(out_dir)
    try:
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.glob("*.jsonl") if p.name != REVIEW_LOG and p.is_file())
    except PermissionError as exc:
        raise CandidatesError(
            str(folder), None, f"cannot read the extracted-candidates folder: {exc.strerror}"
        ) from exc


def read_folder(out_dir: Path) -> list[CandidateFile]:
    """Every candidates file of the folder ([] when the folder does not exist)."""
    return [read_candidates(p) for p in candidate_paths(out_dir)]


# -- the review log -------------------------------------------------------------------------
def read_log(out_dir: Path) -> list[dict]:
    """The review log's entries, oldest first ([] when there is none)."""
    path = Path(out_dir) / REVIEW_LOG
    if not path.is_file():
        return []
    entries = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            entry = json.loads(raw)
        except json.JSONDecodeError as exc:
            _fail(path, number, f"bad JSON: {exc.msg} (column {exc.colno})")
        if not isinstance(entry, dict) or entry.get("decision") not in DECISION_STATUS:
            _fail(path, number, "a log entry needs a key and a decision (accept or reject)")
        if not entry.get("key"):
            _fail(path, number, "a log entry needs a key (missing field)")
        entries.append(entry)
    return entries


def decisions(out_dir: Path) -> dict[str, str]:
    """key -> status ("accepted" / "rejected") by the latest decision of the review log."""
    return {e["key"]: DECISION_STATUS[e["decision"]] for e in read_log(out_dir)}


def append_log(out_dir: Path, entry: dict) -> None:
    """Append one decision to the review log (append-only: the history is kept)."""
    path = Path(out_dir) / REVIEW_LOG
    path.parent.mkdir(parents=True, exist_ok=True)
    entry = {**entry}
    entry.setdefault("time", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")


def set_status(path: Path, statuses: dict[str, str]) -> None:
    """Rewrite a candidates file with new statuses for some keys (every other byte kept)."""
    path = Path(path)
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.strip():
            record = json.loads(raw)
            if record.get("kind") == "candidate":
                key = record.get("key") or Candidate.from_dict(
                    {k: v for k, v in record.items() if k != "kind"}
                ).key
                if key in statuses:
                    record["status"] = statuses[key]
                    raw = json.dumps(record, ensure_ascii=False)
        out.append(raw)
    text = "".join(line + "\n" for line in out)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


__all__ = [
    "REVIEW_LOG",
    "CandidateFile",
    "CandidatesError",
    "append_log",
    "candidate_paths",
    "decisions",
    "read_candidates",
    "read_folder",
    "read_log",
    "set_status",
    "write_candidates",
]
