"""Running a query: checks, parameters, view, then the engine, in a worker with a timeout.

`prepare()` does everything before the engine (form and prefixes checked, parameters bound,
the view applied), so that `run()` (the whole answer as a QueryResult) and
`output.stream()` (the answer written as it is read) refuse and fail alike.

The engine runs in a worker thread so that a timeout returns on time. Workers are kept and
reused: a new thread's first Oxigraph query costs about 1.5 ms of setup, more than a small
query itself. A query already known to answer in a few milliseconds on a store that cannot
change runs in the caller's thread (see _QUICK).
"""

from __future__ import annotations

import _thread
import ctypes
import os
import queue
import threading
import time
import traceback
import weakref
from dataclasses import dataclass, field

from ..store import Answer, QueryError, QuerySyntaxError
from .catalogue import CatalogueQuery
from .errors import QueryFailed, QueryTimeout, QueryUsageError
from .lexer import PREFIX_MAP, checked, describe_syntax_error
from .params import bind
from .terms import oxigraph_answer
from .views import View, apply_view


@dataclass
class QueryResult:
    answer: Answer
    seconds: float
    name: str | None = None
    bindings: dict = field(default_factory=dict)
    view: View | None = None

    @property
    def form(self) -> str:
        return self.answer.form

    def dicts(self) -> list[dict]:
        return [dict(zip(self.answer.variables, row, strict=True)) for row in self.answer.rows]

    def __len__(self) -> int:
        a = self.answer
        if a.form == "SELECT":
            return len(a.rows)
        if a.graph is not None:
            return len(a.graph)
        return 1


@dataclass
class Prepared:
    """A query ready for the engine: its text and form, bound parameters, the store to ask
    (the view's, if any)."""

    text: str
    form: str
    bindings: dict
    store: object
    name: str | None = None
    view: View | None = None


def prepare(
    store,
    query: CatalogueQuery | str,
    params: dict[str, str] | None = None,
    view: View | None = None,
    allow_writes: bool = False,
    allow_service: bool = False,
) -> Prepared:
    """Check a query (a catalogue query or a text), bind its parameters and apply the view;
    raises QueryUsageError or QueryFailed as run() does."""
    named = isinstance(query, CatalogueQuery)
    text = query.text if named else query
    sh = checked(text, allow_writes, allow_service)
    if sh.form == "UPDATE":
        raise QueryUsageError("use update() (kg query run --allow-writes) for updates")
    bindings = bind(store, query if named else None, text, params or {})
    target = apply_view(store, view)
    return Prepared(text, sh.form, bindings, target, query.name if named else None, view)


# -- workers -------------------------------------------------------------------------------------
class _Cancelled(BaseException):
    """Raised inside a worker thread whose query ran out of time."""


class _Job:
    def __init__(self, fn):
        self.fn = fn
        self.done = _thread.allocate_lock()  # held until the worker is done with the job
        self.done.acquire()
        self.finished = False  # set under _LOCK by the worker
        self.abandoned = False  # set under _LOCK by the caller, on timeout
        self.value = None
        self.error: BaseException | None = None


_LOCK = threading.Lock()
_IDLE: list[_Worker] = []


class _Worker(threading.Thread):
    """A daemon thread that runs one job at a time, and waits among the idle workers between
    jobs. A worker whose job ran out of time is stopped and never reused."""

    def __init__(self):
        super().__init__(name="kg-query", daemon=True)
        self.jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self.start()

    def run(self) -> None:
        try:
            while True:
                job = self.jobs.get()
                try:
                    job.value = job.fn()
                except _Cancelled as exc:
                    _without_locals(exc)
                except BaseException as exc:  # handed to the caller
                    job.error = _without_locals(exc)
                with _LOCK:
                    job.finished = True
                    if job.abandoned:
                        return
                    _IDLE.append(self)
                job.done.release()
                del job
        except _Cancelled as exc:  # on its way back to the idle workers
            _without_locals(exc)


def _without_locals(exc: BaseException) -> BaseException:
    """The error, its frames cleared of their local variables (and those of its causes): the
    engine's result objects there are freed now, by this thread (Oxigraph's refuse to be freed
    by another), not when some thread's garbage collection finds a cycle through a frame."""
    stack, seen = [exc], set()
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        traceback.clear_frames(e.__traceback__)
        stack += [e.__cause__, e.__context__]
    return exc


def _after_fork() -> None:  # a child has none of its parent's threads
    global _LOCK
    _LOCK = threading.Lock()
    _IDLE.clear()


os.register_at_fork(after_in_child=_after_fork)


def _in_thread(fn, timeout: float | None):
    """fn() in a worker thread, stopped after `timeout` seconds.

    rdflib evaluates in Python and is interrupted at once. Oxigraph evaluates in Rust without
    the GIL; the caller gets QueryTimeout on time, and the worker stops at its next step in
    Python (the `kg query` command exits, which ends it for good).
    """
    if timeout is None:
        return fn()
    with _LOCK:
        worker = _IDLE.pop() if _IDLE else None
    if worker is None:
        worker = _Worker()
    job = _Job(fn)
    worker.jobs.put(job)
    if not job.done.acquire(True, max(timeout, 0)):
        with _LOCK:
            if not job.finished:
                job.abandoned = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(worker.ident), ctypes.py_object(_Cancelled)
                )
                raise QueryTimeout(
                    f"the query ran past its timeout of {timeout:g} s and was stopped; make "
                    "it more selective (a parameter, a LIMIT) or allow more time with --timeout"
                )
        job.done.acquire()  # it finished as the time ran out
    error, value = job.error, job.value
    del job  # no reference cycle from the error's traceback through this frame to the error
    if error is not None:
        try:
            raise error
        finally:
            del error
    return value


def in_worker(fn, text: str, timeout: float | None):
    """fn() in a worker with a timeout, the engine's errors as QueryFailed (located in
    `text` for a syntax error)."""
    try:
        return _in_thread(fn, timeout)
    except QuerySyntaxError as exc:
        raise QueryFailed(describe_syntax_error(text, exc)) from exc
    except QueryError as exc:
        raise QueryFailed(str(exc)) from exc


# -- running -------------------------------------------------------------------------------------
def run(
    store,
    query: CatalogueQuery | str,
    params: dict[str, str] | None = None,
    view: View | None = None,
    timeout: float | None = None,
    allow_writes: bool = False,
    allow_service: bool = False,
) -> QueryResult:
    """Run a catalogue query (or a query text) on a store and return the whole answer."""
    p = prepare(store, query, params, view, allow_writes, allow_service)
    key = _quick_key(p)
    known = _known_duration(p.store, key)
    if known is not None and (timeout is None or known * _MARGIN < timeout):
        timeout = None  # known to be quick: in this thread
    started = time.perf_counter()
    answer = in_worker(lambda: _execute(p), p.text, timeout)
    seconds = time.perf_counter() - started
    if key is not None:
        _remember(p.store, key, seconds)
    return QueryResult(answer, seconds, p.name, p.bindings, p.view)


# A query that answered quickly on a store whose content cannot change (an Oxigraph store
# opened read-only: one generation) answers as quickly again, and runs in the caller's thread:
# handing a job to a worker and back (0.05-0.1 ms on a 2-core virtual machine) costs more than
# the timeout can protect there (a small catalogue query takes 0.4 ms). Known durations are
# kept per open store, by query text and bound values.
_QUICK = 0.005  # seconds: a query that took less is known to be quick...
_MARGIN = 100  # ...for a timeout at least this many times as long
_DURATIONS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _quick_key(p: Prepared) -> tuple | None:
    """The key of a query's known duration, or None on a store whose content may change."""
    store = p.store
    if getattr(store, "backend", None) != "oxigraph" or getattr(store, "generation", None) is None:
        return None
    if store.restriction is not None:  # a view: a new store each time
        return None
    return p.text, tuple(sorted((k, v.n3()) for k, v in p.bindings.items()))


def _known_duration(store, key: tuple | None) -> float | None:
    if key is None:
        return None
    with _LOCK:
        return _DURATIONS.get(store, {}).get(key)


def _remember(store, key: tuple, seconds: float) -> None:
    with _LOCK:
        durations = _DURATIONS.setdefault(store, {})
        if seconds >= _QUICK:
            durations.pop(key, None)
            return
        if len(durations) >= 512:
            durations.clear()
        durations[key] = seconds


def _execute(p: Prepared) -> Answer:
    store = p.store
    if store.backend == "oxigraph":
        return oxigraph_answer(store, p.text, p.bindings, PREFIX_MAP, p.form == "DESCRIBE")
    if store.backend == "sparql":
        return store.execute(p.text, p.bindings, PREFIX_MAP, describe=p.form == "DESCRIBE")
    return store.execute(p.text, p.bindings, PREFIX_MAP)


def update(store_path, text: str, allow_service: bool = False) -> dict:
    """Apply a SPARQL update to an Oxigraph store as a new generation; the next kg build
    is then a full rebuild (the store no longer matches the curated files)."""
    from ..store import OxigraphStore
    from ..storewrite import edited_generation

    sh = checked(text, True, allow_service)
    if sh.form != "UPDATE":
        raise QueryUsageError("not an update: use run() for queries")
    started = time.perf_counter()
    reason = "changed by a SPARQL update; the next build is a full one"
    with edited_generation(store_path, reason) as writer:
        before = len(writer.db)
        try:
            OxigraphStore.wrap(writer.db).update(text, PREFIX_MAP)
        except QuerySyntaxError as exc:
            raise QueryFailed(describe_syntax_error(text, exc)) from exc
        except QueryError as exc:
            raise QueryFailed(str(exc)) from exc
        after = len(writer.db)
    gen = writer.committed
    return {
        "quads_before": before,
        "quads_after": after,
        "generation": gen.name,
        "seconds": time.perf_counter() - started,
    }
