"""The query workers of `kg serve`: worker processes, each with the store open (read-only on
disk, or a copy in memory); `pool_for` starts the pool a store needs.

Why worker processes: Oxigraph evaluates in Rust and cannot be cancelled, so a runaway query
in a thread would keep a core busy for ever. Each query runs in a worker process that opened
the store read-only; a worker that overruns the time limit is killed (SIGKILL) and replaced,
and the server answers 503 and keeps serving. Workers are fresh interpreters (`python -c`,
talking over a socket pair with multiprocessing's Connection): unlike fork they never inherit
the HTTP server's threads or locks, and unlike multiprocessing's spawn they do not re-import
the caller's __main__ (a notebook or an unguarded script works). One starts in a fraction of
a second; on Linux it dies with the server (PR_SET_PDEATHSIG), so Ctrl-C leaves nothing
running.

Serving from memory (`kg serve --in-memory`): the store is dumped once to a temporary N-Quads
file, and every worker, a replacement too, bulk-loads that file into its own in-memory
Oxigraph store: each answers from the same build, and the time limit is kept. Threads sharing
one copy were tried and measured: Oxigraph releases the GIL, so two threads answer in parallel
and one copy serves them all, but a thread cannot be killed; at 10^6 quads a query past the
50 s limit ran on for minutes while its thread's memory grew past 9.7 GB. A copy forked to
the workers would not stay shared either: reading the store writes to its pages (a forked
child's private memory grew from 1 to 312 MB of 408 over the listing queries at 10^6).
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

from ..queries import QueryFailed, QueryUsageError
from .answers import Outcome, answer_bytes
from .sparql import ProtocolError, QueryRequest


def open_worker_store(spec: tuple[str, str]):
    """The store a worker queries: ("oxigraph", folder) opened read-only; ("oxigraph-memory",
    file) an N-Quads dump loaded into an in-memory Oxigraph store (--in-memory); ("sparql",
    url) a remote store; ("nquads", file) parsed into an rdflib MemoryStore (the in-memory
    graph of `--store memory`)."""
    kind, where = spec
    if kind == "sparql":  # a remote store: the worker sends the query to the server
        from ..remote.store import RemoteStore

        return RemoteStore(where)
    if kind == "oxigraph":
        from ..store import OxigraphStore

        return OxigraphStore(where)
    if kind == "oxigraph-memory":
        import pyoxigraph as ox

        from ..store import OxigraphStore

        memory = ox.Store()  # the IRIs come from a store: not validated again (lenient)
        memory.bulk_load(path=where, format=ox.RdfFormat.N_QUADS, lenient=True)
        store = OxigraphStore.wrap(memory)
        store.held_in_memory = True
        return store
    from rdflib import Dataset

    from ..store import MemoryStore

    ds = Dataset()
    ds.parse(where, format="nquads")
    return MemoryStore(ds)


def worker_entry(fd: int, kind: str, where: str) -> None:
    """What a worker interpreter runs (see QueryPool._spawn): end with the server, then
    serve jobs on the inherited socket `fd`."""
    from multiprocessing.connection import Connection

    with contextlib.suppress(Exception):  # best effort, Linux only: die with the server
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    _worker_main(Connection(fd), (kind, where))


def _worker_main(conn, spec: tuple[str, str]) -> None:
    """A worker: open the store, say ready, then answer (request, max_rows) jobs until told to
    stop (None) or killed. Failures of a query are answers, never the worker's end."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which kills us
    try:
        store = open_worker_store(spec)
    except Exception as exc:  # noqa: BLE001 - reported to the server, which says it
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        request, max_rows = job
        try:
            conn.send(("ok", answer_bytes(store, request, max_rows)))
        except (QueryFailed, QueryUsageError) as exc:
            conn.send(("error", 400, str(exc)))
        except Exception as exc:  # noqa: BLE001 - an engine bug must not end the worker
            conn.send(("error", 500, f"the query failed: {type(exc).__name__}: {exc}"))


# -- the pool ----------------------------------------------------------------------------------
@dataclass
class _Worker:
    process: subprocess.Popen
    conn: object
    pid: int = 0


@dataclass
class QueryPool:
    """A few worker processes, each with the store open; one query at a time per worker.

    `run()` waits up to `timeout` seconds for a free worker (503 when none frees up), then up
    to `timeout` seconds for the answer; a worker that overruns is killed and a replacement
    started in the background.
    """

    spec: tuple[str, str]
    workers: int = 2
    timeout: float = 30.0
    max_rows: int = 10_000
    log: object = None
    _idle: queue.Queue = field(default_factory=queue.Queue)
    _all: dict = field(default_factory=dict)  # id -> _Worker, idle or busy
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _closed: bool = False
    _cleanup: str | None = None  # a temporary file to remove on close
    _spawn_jobs: queue.Queue | None = None
    replaced: int = 0
    ready_within: float = 120.0  # seconds a new worker may take to open its store

    def start(self, ready_within: float | None = None) -> QueryPool:
        if self.workers < 1:
            raise ValueError("a query pool needs at least one worker")
        self._spawn_jobs = queue.Queue()
        threading.Thread(target=self._spawner, name="kg-serve-spawner", daemon=True).start()
        started = [self._spawn() for _ in range(self.workers)]
        try:
            for w in started:
                self._wait_ready(w, ready_within or self.ready_within)
                self._idle.put(w)
        except Exception:
            self.close()
            raise
        return self

    def _spawner(self) -> None:
        """The one long-lived thread that starts workers. PR_SET_PDEATHSIG fires when the
        *thread* that forked the child ends, so workers must not be started by request or
        short-lived threads: this thread lives as long as the pool."""
        while True:
            job = self._spawn_jobs.get()
            if job is None:
                return
            box, done = job
            try:
                box["worker"] = self._spawn_now()
            except BaseException as exc:  # noqa: BLE001 - handed to the thread that asked
                box["error"] = exc
            done.set()

    def _spawn(self) -> _Worker:
        box, done = {}, threading.Event()
        self._spawn_jobs.put((box, done))
        if not done.wait(60):
            raise RuntimeError("no worker was started within 60 s (the pool is closing?)")
        if "error" in box:
            raise box["error"]
        return box["worker"]

    def _spawn_now(self) -> _Worker:
        from multiprocessing.connection import Connection

        parent, child = socket.socketpair()
        package_root = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (package_root, env.get("PYTHONPATH")) if p
        )
        code = (
            "import sys; from kg_builder.publish.workers import worker_entry; "
            "worker_entry(int(sys.argv[1]), sys.argv[2], sys.argv[3])"
        )
        try:
            proc = subprocess.Popen(
                [sys.executable, "-c", code, str(child.fileno()), *self.spec],
                pass_fds=[child.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                env=env,
            )
        finally:
            child.close()
        w = _Worker(proc, Connection(parent.detach()))
        with self._lock:
            self._all[id(w)] = w
        return w

    def _wait_ready(self, w: _Worker, within: float) -> None:
        from ..errors import StoreError

        if not w.conn.poll(within):
            self._kill(w)
            raise StoreError(f"a query worker did not open the store within {within:g} s")
        try:
            msg = w.conn.recv()
        except (EOFError, OSError) as exc:
            self._kill(w)
            raise StoreError("a query worker ended while opening the store") from exc
        if msg[0] != "ready":
            self._kill(w)
            raise StoreError(f"a query worker could not open the store: {msg[1]}")
        w.pid = msg[1]

    def _kill(self, w: _Worker) -> None:
        with self._lock:
            self._all.pop(id(w), None)
        try:
            if w.process.poll() is None:
                w.process.kill()
            w.process.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        try:
            w.conn.close()
        except OSError:
            pass

    def _replace(self, w: _Worker) -> None:
        """Kill a worker and start another in the background (the request does not wait)."""
        self._kill(w)
        self.replaced += 1
        if self._closed:
            return

        def work():
            try:
                fresh = self._spawn()
                self._wait_ready(fresh, self.ready_within)
            except Exception as exc:  # noqa: BLE001 - logged; the pool runs one worker short
                self._say(f"kg serve: could not replace a query worker: {exc}")
                return
            if self._closed:
                self._kill(fresh)
            else:
                self._idle.put(fresh)

        threading.Thread(target=work, name="kg-serve-respawn", daemon=True).start()

    def _say(self, text: str) -> None:
        if self.log is not None:
            print(text, file=self.log, flush=True)

    def _take(self) -> _Worker:
        """A free, living worker: one found dead while idle (killed from outside, out of
        memory) is replaced and the next one taken."""
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                w = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty as exc:
                raise ProtocolError(
                    503,
                    f"all {self.workers} query workers stayed busy for {self.timeout:g} s; "
                    "try again shortly",
                    {"Retry-After": "5"},
                ) from exc
            if w.process.poll() is None:
                return w
            self._say(f"kg serve: query worker {w.pid} had ended; starting another")
            self._replace(w)

    def run(self, request: QueryRequest) -> Outcome:
        """The serialised answer, or ProtocolError (400 bad query, 503 time limit or busy)."""
        if self._closed:
            raise ProtocolError(503, "the server is shutting down")
        w = self._take()
        try:
            w.conn.send((request, self.max_rows))
            if not w.conn.poll(self.timeout):
                self._replace(w)
                w = None
                raise ProtocolError(
                    503,
                    f"the query ran past the time limit of {self.timeout:g} s and was stopped; "
                    "make it more selective (a LIMIT, fewer unbound patterns) or ask the "
                    "server's operator for a longer --timeout",
                )
            msg = w.conn.recv()
        except (EOFError, OSError) as exc:
            if w is not None:
                self._replace(w)
                w = None
            raise ProtocolError(500, "the query worker ended unexpectedly (out of memory?); "
                                     "the server goes on with a new one") from exc
        finally:
            if w is not None:
                self._idle.put(w)
        if msg[0] == "ok":
            return msg[1]
        raise ProtocolError(msg[1], msg[2])

    def close(self) -> None:
        """Stop every worker (idle ones are asked, busy ones killed) and remove temp files."""
        self._closed = True
        while True:
            try:
                w = self._idle.get_nowait()
            except queue.Empty:
                break
            try:
                w.conn.send(None)
            except OSError:
                pass
            with contextlib.suppress(subprocess.TimeoutExpired):
                w.process.wait(2)
            self._kill(w)
        with self._lock:
            busy = list(self._all.values())
        for w in busy:
            self._kill(w)
        if self._spawn_jobs is not None:
            self._spawn_jobs.put(None)
        if self._cleanup:
            try:
                os.unlink(self._cleanup)
            except OSError:
                pass
            self._cleanup = None


def pool_for(
    store, workers: int, timeout: float, max_rows: int, log=sys.stderr, in_memory: bool = False
) -> QueryPool:
    """A started pool over the same graph as `store`: worker processes over the Oxigraph folder
    it reads, or the remote store it names; over their own in-memory copies of an Oxigraph
    store when `in_memory` is asked or the store is itself in memory (loaded from a temporary
    N-Quads dump of it, which replacements load too); over a temporary N-Quads copy of an rdflib
    store. A temporary file is removed when the pool closes."""
    if store.backend == "oxigraph" and (in_memory or store.held_in_memory or store.path is None):
        import pyoxigraph as ox

        fd, tmp = tempfile.mkstemp(prefix="kg-serve-", suffix=".nq")
        os.close(fd)
        try:
            store.raw.dump(tmp, ox.RdfFormat.N_QUADS)
        except OSError as exc:
            os.unlink(tmp)
            from ..errors import StoreError

            raise StoreError(
                f"the store could not be dumped for the in-memory workers ({exc})",
                "check the free space of the temporary folder ($TMPDIR), or serve from disk",
            ) from exc
        pool = QueryPool(("oxigraph-memory", tmp), workers, timeout, max_rows, log)
        pool.ready_within = max(120.0, os.path.getsize(tmp) / 1e6)  # a generous 1 MB/s
        pool._cleanup = tmp
        return pool.start()
    if store.backend == "oxigraph":
        pool = QueryPool(("oxigraph", str(store.path)), workers, timeout, max_rows, log)
        return pool.start()
    if store.backend == "sparql":
        return QueryPool(("sparql", store.value), workers, timeout, max_rows, log).start()
    fd, tmp = tempfile.mkstemp(prefix="kg-serve-", suffix=".nq")
    with os.fdopen(fd, "wb") as fh:
        fh.write(store.dataset.serialize(format="nquads", encoding="utf-8"))
    pool = QueryPool(("nquads", tmp), workers, timeout, max_rows, log)
    pool._cleanup = tmp
    return pool.start()
