"""Writing a build into a remote SPARQL store: manifest, lock, staged graphs, one swap.

The store keeps kg-builder's state in two named graphs of its own, so that every machine
that builds into it sees the same state:

    <urn:kg-builder:store:manifest>  one triple: the manifest (JSON: per named graph of the
                                     build its digest and quad count, and the builder's info)
    <urn:kg-builder:store:lock>      the lock record of a running build: owner and start time

A build (`RemoteWriter`):
1. takes the lock with one conditional update (INSERT … WHERE FILTER NOT EXISTS), reads it
   back, and refuses, naming the owner and the time, when another build holds it;
2. writes each new or changed graph under a temporary name
   (<urn:kg-builder:store:tmp:BUILD:N>), by the Graph Store Protocol (PUT, then POST per
   batch) or SPARQL Update, and checks the server's count of it against the quads sent;
3. swaps in ONE update request: MOVE each temporary graph onto its name, DROP the graphs the
   build no longer has, replace the manifest. On an engine whose update requests are
   transactions (Oxigraph, Fuseki) readers see the old build or the new one, never a mix; on
   one that commits operation by operation (Virtuoso) each graph is still replaced whole.
A failure before the swap (the server gone, a count that does not match, a validation error)
leaves the previous build and its manifest as they were; the temporary graphs are dropped when
possible, else by the next build, which also recovers the lock of a build that died
(`break_lock`).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import socket
import urllib.parse
import uuid
from collections.abc import Iterable

from ..errors import StoreError
from ..store import Manifest
from .dialect import graph_names_pattern
from .endpoints import StoreURL, discover
from .http import RemoteError
from .store import KGS, LOCK_GRAPH, MANIFEST_GRAPH, TMP_PREFIX, RemoteStore

XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
#: operations per update request of a commit on an engine whose updates are not atomic
COMMIT_OPS = 100
#: the swap moves every changed graph in one request: it may take this many times the timeout
LONG_FACTOR = 10
#: lock owners of the builds running in this process
_ACTIVE: set[str] = set()


def _dead(owner: str) -> bool:
    """Whether a lock record's owner is a build on this machine that is no longer running:
    its process is gone, or it is this process and none of its builds holds that lock."""
    parts = owner.split()
    try:
        host, pid = parts[parts.index("on") + 1], int(parts[parts.index("pid") + 1])
    except (ValueError, IndexError):
        return False
    if host != socket.gethostname():
        return False  # another machine's build: only --break-lock may remove it
    if pid == os.getpid():
        return owner not in _ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _literal(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid SPARQL string


def triple_line(quad_line: str) -> str:
    """The N-Triples line of an N-Quads line of a named graph (the last term dropped)."""
    body = quad_line.rstrip()
    body = body[:-1].rstrip() if body.endswith(".") else body
    return body[: body.rfind(" <")] + " ."


class RemoteWriter:
    """with RemoteWriter(url) as w: old = w.manifest; w.stage(name, lines) …; w.commit(m)"""

    def __init__(self, value: str, *, batch_quads: int = 50_000, break_lock: bool = False,
                 on_step=None):
        self.spec = StoreURL.parse(value)
        self.value = value
        self.client = self.spec.client()
        self.endpoints = discover(self.spec, self.client, need_update=True)
        self.engine = self.endpoints.engine
        self.store = RemoteStore(self.spec, endpoints=self.endpoints, client=self.client,
                                 require_build=False)
        self.batch_quads = batch_quads
        self.break_lock = break_lock
        self.owner = f"kg build on {socket.gethostname()} pid {os.getpid()} {uuid.uuid4().hex[:8]}"
        self.build_id = uuid.uuid4().hex[:12]
        self.staged: dict[str, str] = {}  # graph -> temporary graph
        #: graphs new to the store, written under their own names (no reader sees them: they
        #: are in no manifest) and recorded in the lock, so a dead build's are dropped
        self.direct: list[str] = []
        self._new: set[str] = set()  # the graphs plan() found new to the store
        self.quads_sent = 0
        self._locked = False
        self._gsp_type = self.engine.upload_types[0]
        self.step = on_step or (lambda _text: None)

    # -- the lock -----------------------------------------------------------------------------
    def __enter__(self) -> RemoteWriter:
        self._lock()
        try:
            self.manifest = self.store.manifest
            self._drop_leftovers()
        except BaseException:
            self._unlock()
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            unswapped = [*self.staged.values(), *self.direct]
            if unswapped:  # not swapped in: the previous build stays as it was
                try:
                    self._drop(unswapped)
                except (RemoteError, StoreError):
                    pass  # the next build drops them
                self.staged, self.direct = {}, []
        finally:
            self._unlock()

    def holders(self) -> list[tuple[str, str]]:
        rows = self.store.string_rows(
            f"SELECT ?owner ?since WHERE {{ GRAPH <{LOCK_GRAPH}> {{ ?lock "
            f"<{KGS}owner> ?owner . OPTIONAL {{ ?lock <{KGS}since> ?since }} }} }} "
            "ORDER BY ?owner", whole_store=True)
        return [(o, s or "") for o, s in rows]

    def _written_by(self, owner: str | None) -> list[str]:
        """The new graphs a lock's build recorded writing (owner None: every lock's), less
        those the manifest now lists (another build's swap made them current)."""
        who = f" ; <{KGS}owner> {_literal(owner)}" if owner else ""
        rows = self.store.string_rows(
            f"SELECT DISTINCT ?g WHERE {{ GRAPH <{LOCK_GRAPH}> {{ ?lock <{KGS}writes> ?g{who} }} }}",
            whole_store=True)
        current = set(self.store.manifest.graphs) if self.store.manifest else set()
        return sorted(g for (g,) in rows if g not in current)

    def _drop_written_by(self, owner: str | None) -> None:
        graphs = self._written_by(owner)
        if graphs:
            self.step(f"dropping {len(graphs)} new graphs a build left unswapped")
            self._drop(graphs)

    def _lock(self, again: bool = True) -> None:
        if self.break_lock:
            self._drop_written_by(None)
            self._update(f"DROP SILENT GRAPH <{LOCK_GRAPH}>")
        now = _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()
        self._update(
            f"INSERT {{ GRAPH <{LOCK_GRAPH}> {{ <{LOCK_GRAPH}:{self.build_id}> <{KGS}owner> "
            f"{_literal(self.owner)} ; <{KGS}since> \"{now}\"^^<{XSD_DATETIME}> }} }}\n"
            f"WHERE {{ FILTER NOT EXISTS {{ GRAPH <{LOCK_GRAPH}> {{ ?lock "
            f"<{KGS}owner> ?someone }} }} }}")
        holders = self.holders()
        owners = [o for o, _ in holders]
        if owners and owners[0] == self.owner:  # two at once: the first by name wins
            self._locked = True
            _ACTIVE.add(self.owner)
            return
        if self.owner in owners:  # lost the race: take our record back
            self._remove_lock_record(self.owner)
        other, since = next(((o, s) for o, s in holders if o != self.owner), ("?", "?"))
        if again and _dead(other):
            self.step(f"removing the lock of a build that died ({other}, since {since})")
            self._remove_lock_record(other)
            return self._lock(again=False)
        raise StoreError(
            f"the store at {self.endpoints.query} is locked: {other} has been writing it "
            f"since {since}",
            "wait for that build to finish; if it died, run kg build --break-lock",
        )

    def _remove_lock_record(self, owner: str) -> None:
        if owner != self.owner:
            self._drop_written_by(owner)
        self._update(
            f"DELETE WHERE {{ GRAPH <{LOCK_GRAPH}> {{ ?lock <{KGS}owner> "
            f"{_literal(owner)} . ?lock ?p ?o }} }}")

    def _unlock(self) -> None:
        if not self._locked:
            return
        try:
            self._update(f"DROP SILENT GRAPH <{LOCK_GRAPH}>")
        finally:
            self._locked = False
            _ACTIVE.discard(self.owner)

    # -- requests -----------------------------------------------------------------------------
    def _update(self, text: str, long: bool = False) -> None:
        """One update request; `long`: one that moves whole graphs, allowed LONG_FACTOR times
        the store's timeout and never sent twice (a MOVE whose source is gone empties its
        target: after an unclear failure, the next build redoes the work)."""
        url = self.endpoints.update
        body = urllib.parse.urlencode({"update": text}).encode("utf-8")
        self.client.request("POST", url, body,
                            {"Content-Type": "application/x-www-form-urlencoded"},
                            timeout=self.client.timeout * LONG_FACTOR if long else None,
                            retry=not long)

    def _drop(self, graphs: list[str]) -> None:
        """DROP SILENT each graph, COMMIT_OPS to a request (Virtuoso refuses long ones)."""
        for at in range(0, len(graphs), COMMIT_OPS):
            self._update(" ;\n".join(f"DROP SILENT GRAPH <{g}>"
                                     for g in graphs[at:at + COMMIT_OPS]))

    def _drop_leftovers(self) -> None:
        """Temporary graphs of builds that died before their swap."""
        rows = self.store.string_rows(
            f"SELECT DISTINCT ?g WHERE {{ {graph_names_pattern(self.engine)} "
            f"FILTER(STRSTARTS(STR(?g), \"{TMP_PREFIX}\")) }}", whole_store=True)
        if rows:
            self.step(f"dropping {len(rows)} graphs left by an interrupted build")
            self._drop([g for (g,) in rows])

    # -- staging ------------------------------------------------------------------------------
    def plan(self, names: Iterable[str]) -> None:
        """Record, in this build's lock record, the graphs about to be written that are new to
        the store: they are written under their own names, not staged and moved (no manifest
        lists them, so no reader sees them before the swap; half the work of a first build)."""
        current = set(self.manifest.graphs) if self.manifest else set()
        new = [n for n in names if n not in current]
        for at in range(0, len(new), 1000):
            objects = ", ".join(f"<{n}>" for n in new[at:at + 1000])
            self._update(f"INSERT DATA {{ GRAPH <{LOCK_GRAPH}> {{ <{LOCK_GRAPH}:{self.build_id}> "
                         f"<{KGS}writes> {objects} }} }}")
        self._new = set(new)

    def stage(self, name: str, lines: list[str]) -> str:
        """Write one graph under a temporary name (its own name, if plan() found it new);
        check the server's count of it."""
        if name in self._new:
            tmp = name
            self.direct.append(name)
            if not self.endpoints.gsp:  # a Graph Store PUT replaces; INSERT DATA adds
                self._update(f"DROP SILENT GRAPH <{name}>")
        else:
            tmp = f"{TMP_PREFIX}{self.build_id}:{len(self.staged)}"
            self.staged[name] = tmp
        triples = [triple_line(line) for line in lines]
        if any("_:" in t for t in triples):
            chunks = [triples]  # a blank node means the same node within one request only
        else:
            size = self.batch_quads
            if not self.endpoints.gsp and self.engine.max_insert:
                size = min(size, self.engine.max_insert)
            chunks = [triples[i:i + size] for i in range(0, len(triples), size)] or [[]]
        for number, chunk in enumerate(chunks):
            self._send(tmp, chunk, first=number == 0)
        held = self.store.count(tmp)
        if held != len(triples):
            raise StoreError(
                f"{self.engine.label} holds {held} triples of the {len(triples)} sent for "
                f"{name}; nothing was changed in the store's current build",
                "run kg build again; if it repeats, check the server's log",
            )
        self.quads_sent += len(triples)
        return tmp

    def _send(self, graph: str, triples: list[str], first: bool) -> None:
        gsp = self.endpoints.gsp
        if gsp:
            sep = "&" if "?" in gsp else "?"
            url = f"{gsp}{sep}graph={urllib.parse.quote(graph, safe='')}"
            body = ("\n".join(triples) + "\n").encode("utf-8")
            try:
                self.client.request("PUT" if first else "POST", url, body,
                                    {"Content-Type": self._gsp_type})
                return
            except RemoteError as exc:
                if exc.status != 415 or len(self.engine.upload_types) < 2:
                    raise
                self._gsp_type = self.engine.upload_types[1]
                self.client.request("PUT" if first else "POST", url, body,
                                    {"Content-Type": self._gsp_type})
                return
        data = "\n".join(triples)
        if any("_:" in t for t in triples):
            # blank nodes: a template (fresh nodes, the same within the one solution), since
            # some engines (Virtuoso) refuse blank nodes in INSERT DATA
            self._update(f"INSERT {{ GRAPH <{graph}> {{\n{data}\n}} }} WHERE {{}}")
        else:
            self._update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{data}\n}} }}")

    # -- the swap -----------------------------------------------------------------------------
    def commit(self, manifest: Manifest, removed: Iterable[str] = ()) -> None:
        """Every staged graph onto its name, removed graphs dropped, the manifest replaced:
        one update request."""
        ops = [f"MOVE SILENT GRAPH <{tmp}> TO GRAPH <{name}>"
               if self.engine.graph_management else
               f"DROP SILENT GRAPH <{name}> ; ADD SILENT GRAPH <{tmp}> TO GRAPH <{name}> ; "
               f"DROP SILENT GRAPH <{tmp}>"
               for name, tmp in self.staged.items()]
        ops += [f"DROP SILENT GRAPH <{name}>" for name in removed]
        last = [f"DROP SILENT GRAPH <{MANIFEST_GRAPH}>",
                f"INSERT DATA {{ GRAPH <{MANIFEST_GRAPH}> {{ <{MANIFEST_GRAPH}> "
                f"<{KGS}manifest> {_literal(manifest.to_json())} }} }}"]
        if self.engine.atomic_updates:
            self._update(" ;\n".join(ops + last), long=True)
        else:
            # applied operation by operation anyway, and Virtuoso's compiler refuses a request
            # of some hundred MOVEs ("Query too large"): in requests of COMMIT_OPS operations,
            # the manifest last, so that until it is replaced the previous manifest stands
            for at in range(0, len(ops), COMMIT_OPS):
                self._update(" ;\n".join(ops[at:at + COMMIT_OPS]), long=True)
            self._update(" ;\n".join(last))
        self.staged, self.direct = {}, []
        self.manifest = manifest
