"""Query workers as threads of the server, over one in-memory Oxigraph store (`kg serve
--in-memory`, or a store made with OxigraphStore.in_memory and given to make_server).

The pool has the interface of workers.QueryPool (`run`, `close`) and the same limits, with one
difference forced by the engine: Oxigraph cannot stop a query, and a thread cannot be killed.
A query past `timeout` is answered 503 at once, as on the process pool; if its answer is
streaming (rows come while the engine works), writing it stops at the next buffer (see
answers._LineCut); if the engine computes before the first row (ORDER BY, aggregates) the
query runs on to its end in the background, keeping its worker busy, and the server says so
in its log. While every worker is held that way, queries get 503 ("busy"), and the server
goes on serving pages. The threads live as long as the pool: Oxigraph makes a new thread's
first query cost about 1.5 ms more.
"""

from __future__ import annotations

import queue
import threading
import time

from ..queries import QueryFailed, QueryUsageError
from .answers import Outcome, TimeLimit, answer_bytes
from .sparql import ProtocolError, QueryRequest


class _Job:
    __slots__ = ("request", "deadline", "done", "outcome", "error", "abandoned")

    def __init__(self, request: QueryRequest, deadline: float):
        self.request, self.deadline = request, deadline
        self.done = threading.Event()
        self.outcome: Outcome | None = None
        self.error: tuple[int, str] | None = None
        self.abandoned = False


class ThreadPool:
    """`workers` threads answering queries on `store` (an in-memory OxigraphStore)."""

    def __init__(self, store, workers: int = 2, timeout: float = 30.0, max_rows: int = 10_000,
                 log=None):
        if workers < 1:
            raise ValueError("a query pool needs at least one worker")
        self.store, self.workers, self.timeout, self.max_rows = store, workers, timeout, max_rows
        self.log = log
        self._free = threading.Semaphore(workers)
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._lock = threading.Lock()
        self._busy = 0
        self.overran = 0  # queries answered 503 at the time limit
        self.stopped = 0  # of which stopped while their answer was written (the rest ran on)
        self.replaced = 0  # the process pool's counter: threads are never replaced

    def start(self) -> ThreadPool:
        for i in range(self.workers):
            t = threading.Thread(target=self._work, name=f"kg-serve-query-{i}", daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            with self._lock:
                self._busy += 1
            try:
                job.outcome = answer_bytes(self.store, job.request, self.max_rows, job.deadline)
            except TimeLimit as exc:
                self.stopped += 1
                job.error = (503, str(exc))
            except (QueryFailed, QueryUsageError) as exc:
                job.error = (400, str(exc))
            except Exception as exc:  # noqa: BLE001 - an engine bug must not end the worker
                job.error = (500, f"the query failed: {type(exc).__name__}: {exc}")
            finally:
                with self._lock:
                    self._busy -= 1
                job.done.set()
                self._free.release()
            if job.abandoned:
                took = time.monotonic() - job.deadline + self.timeout
                self._say(f"kg serve: a query given up at the time limit ended after {took:.1f} s;"
                          " its worker is free again")

    def _say(self, text: str) -> None:
        if self.log is not None:
            print(text, file=self.log, flush=True)

    def run(self, request: QueryRequest) -> Outcome:
        """The serialised answer, or ProtocolError (400 bad query, 503 time limit or busy)."""
        if self._closed:
            raise ProtocolError(503, "the server is shutting down")
        if not self._free.acquire(timeout=self.timeout):
            raise ProtocolError(
                503,
                f"all {self.workers} query workers stayed busy for {self.timeout:g} s (an "
                "in-memory server cannot stop a query that ran past the time limit: it holds "
                "its worker until it ends); try again shortly",
                {"Retry-After": "5"},
            )
        job = _Job(request, time.monotonic() + self.timeout)
        self._jobs.put(job)
        if not job.done.wait(self.timeout):
            job.abandoned = True
            self.overran += 1
            raise ProtocolError(
                503,
                f"the query ran past the time limit of {self.timeout:g} s and was given up; "
                "make it more selective (a LIMIT, fewer unbound patterns) or ask the "
                "server's operator for a longer --timeout",
            )
        if job.outcome is not None:
            return job.outcome
        raise ProtocolError(*job.error)

    def busy(self) -> int:
        """Workers answering now (or running on past the time limit)."""
        with self._lock:
            return self._busy

    def close(self) -> None:
        """Stop the idle threads; a query still running ends with the process (daemon)."""
        if self._closed:
            return
        self._closed = True
        for _ in self._threads:
            self._jobs.put(None)
