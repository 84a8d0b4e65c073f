"""Writing a store: the next generation built beside the current one, then made current in one
atomic step (see kg_builder.store for the on-disk layout).

Bulk loads go in chunks through a background thread (`ChunkedLoader`): Oxigraph's bulk loader
parses and sorts in Rust without the GIL, so the builder generates the next chunk of N-Quads on
the other core while the previous one is written; memory stays at two chunks whatever the size
(a quiet machine loads 10^6 quads in chunks as fast as in one file: benchmarks/RESULTS.md).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import gc
import os
import queue
import shutil
import tempfile
import threading
import traceback
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from .errors import StoreError
from .store import Manifest, StoreFolder, _db_error, _fsync_dir, _ox, _write_atomic

#: Quads per bulk load. On a quiet machine 10^6 quads load in chunks of 10^5 (then optimize(),
#: which the commit of a full build runs anyway) in 10.1 s, and in one bulk load in 9.7 s.
CHUNK_QUADS = 100_000


def _bulk_load(db, path: Path, folder: Path) -> None:
    ox = _ox()
    try:
        db.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    except OSError as exc:
        raise disk_error(folder, exc) from exc
    except SyntaxError as exc:  # our own output failed to parse: a bug, say so plainly
        raise StoreError(f"generated N-Quads did not parse: {exc}") from exc


class ChunkedLoader:
    """N-Quads lines in, bulk loads out, on a background thread.

    Lines are written to a scratch file in the store folder; every `chunk_quads` lines the file
    goes to the loading thread and the next one starts, so generating chunk n+1 (Python) and
    loading chunk n (Rust, without the GIL) run on two cores. At most one chunk waits while one
    loads, so memory and scratch space stay at two chunks whatever the size of the build.

        with writer.loader() as load:
            for g in graphs:
                load(g.lines)
    A call's lines always go into one chunk (a chunk is handed over between calls): blank-node
    labels are scoped to one bulk load, so a graph must not be split. An error in the loading
    thread (a full disk) is raised in the caller at its next call or at
    the end; leaving the block on an exception stops the thread and removes the scratch files.
    """

    def __init__(self, db, folder: Path, chunk_quads: int = CHUNK_QUADS):
        self.db, self.folder, self.chunk_quads = db, Path(folder), chunk_quads
        self.quads = 0
        self.chunks = 0
        self._queue: queue.Queue = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._fh = None
        self._path: Path | None = None
        self._pending = 0
        self._thread = threading.Thread(target=self._work, name="kg-bulk-load", daemon=True)
        self._thread.start()

    def __call__(self, lines: Sequence[str]) -> None:
        self._raise_if_failed()
        if self._fh is None:
            fd, name = tempfile.mkstemp(prefix=".chunk.", suffix=".nq", dir=self.folder)
            self._fh, self._path = os.fdopen(fd, "w", encoding="utf-8"), Path(name)
        try:
            self._fh.writelines(lines)
        except OSError as exc:
            raise disk_error(self.folder, exc) from exc
        self._pending += len(lines)
        self.quads += len(lines)
        if self._pending >= self.chunk_quads:
            self._hand_over()

    def _hand_over(self) -> None:
        fh, path = self._fh, self._path
        self._fh = self._path = None
        self._pending = 0
        try:
            fh.close()
        except OSError as exc:
            path.unlink(missing_ok=True)
            raise disk_error(self.folder, exc) from exc
        self.chunks += 1
        self._queue.put(path)

    def _work(self) -> None:
        while True:
            path = self._queue.get()
            if path is None:
                return
            try:
                if self._error is None:
                    _bulk_load(self.db, path, self.folder)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                # The frames of this thread hold the database: clear their locals, or the
                # error kept by the caller would keep the abandoned generation open.
                for err in (exc, exc.__cause__, exc.__context__):
                    if err is not None and err.__traceback__ is not None:
                        traceback.clear_frames(err.__traceback__)
                self._error = exc
            finally:
                path.unlink(missing_ok=True)

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise self._error

    def close(self) -> None:
        """Load what is left and wait for the thread; raises its error, if any."""
        if self._fh is not None:
            self._hand_over()
        self._queue.put(None)
        self._thread.join()
        self.db = None
        self._raise_if_failed()

    def abort(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._path.unlink(missing_ok=True)
            self._fh = self._path = None
        self._error = self._error or StoreError("the build stopped")
        self._queue.put(None)
        self._thread.join()
        self.db = None

    def __enter__(self) -> ChunkedLoader:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


# -- writing ------------------------------------------------------------------------------------
class StoreWriter:
    """Builds the next generation of a store and makes it current in one atomic step.

    with StoreWriter(path) as w:          # takes the lock (fails at once if another writer has it)
        w.begin(full=False)               # checkpoint of current, or a fresh database
        w.replace_graphs(changed)         # named graph -> N-Quads lines
        w.commit(manifest)                # flush, write manifest, swap `current`
    An exception before commit() removes the half-built generation; `current` is untouched.
    """

    def __init__(self, path: str | Path):
        self.folder = StoreFolder(path)
        self._lock_fh = None
        self.gen: Path | None = None
        self.db = None
        self.full = False
        self.committed: Path | None = None

    # the lock --------------------------------------------------------------------------------
    def __enter__(self) -> StoreWriter:
        self.folder.init()
        lock_path = self.folder.path / "lock"
        fh = open(lock_path, "a+", encoding="utf-8")  # noqa: SIM115 - held until __exit__
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise StoreError(
                f"the store at {self.folder.path} is locked: {holder} is writing it",
                "wait for that build to finish; if no kg process is running, the lock is "
                "released by itself (locks die with their process)",
            ) from exc
        fh.seek(0)
        fh.truncate()
        fh.write(f"kg build (pid {os.getpid()})\n")
        fh.flush()
        self._lock_fh = fh
        self._remove_stale_generations()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if self.gen is not None:  # not committed: throw the half-built generation away
                self._abandon()
        finally:
            if self._lock_fh is not None:
                self._lock_fh.seek(0)
                self._lock_fh.truncate()
                fcntl.flock(self._lock_fh.fileno(), fcntl.LOCK_UN)
                self._lock_fh.close()
                self._lock_fh = None

    def _remove_stale_generations(self) -> None:
        current = self.folder.current()
        for gen in self.folder.generations():
            if current is None or gen.resolve() != current.resolve():
                shutil.rmtree(gen, ignore_errors=True)

    # building a generation ---------------------------------------------------------------------
    def begin(self, full: bool) -> None:
        ox = _ox()
        current = self.folder.current()
        self.full = full or current is None
        self.gen = self.folder.next_generation()
        self.gen.mkdir()
        try:
            if self.full:
                self.db = ox.Store(str(self.gen / "db"))
            else:
                try:
                    old = ox.Store.read_only(str(current / "db"))
                    old.backup(str(self.gen / "db"))  # hard links: cheap, whatever the size
                    del old
                except (OSError, RuntimeError, ValueError) as exc:
                    raise _db_error(current / "db", exc) from exc
                self.db = ox.Store(str(self.gen / "db"))
        except OSError as exc:
            raise disk_error(self.folder.path, exc) from exc

    def load_nquads(self, path: Path) -> None:
        """Bulk-load an N-Quads file (Oxigraph parses and sorts it in Rust)."""
        _bulk_load(self.db, path, self.folder.path)

    def loader(self, chunk_quads: int | None = None) -> ChunkedLoader:
        """A ChunkedLoader into this generation: `with w.loader() as load: load(lines)`."""
        return ChunkedLoader(self.db, self.folder.path, chunk_quads or CHUNK_QUADS)

    def remove_graphs(self, names: Iterable[str]) -> None:
        ox = _ox()
        try:
            for name in names:
                self.db.remove_graph(ox.NamedNode(name))
        except OSError as exc:
            raise disk_error(self.folder.path, exc) from exc

    def commit(self, manifest: Manifest) -> Path:
        try:
            self.db.flush()
            if self.full:
                self.db.optimize()
        except OSError as exc:
            raise disk_error(self.folder.path, exc) from exc
        self.db = None
        gc.collect()  # closes the database
        try:
            _write_atomic(self.gen / "manifest.json", manifest.to_json())
            _fsync_dir(self.gen)
            tmp_link = self.folder.path / ".current.tmp"
            with contextlib.suppress(FileNotFoundError):
                tmp_link.unlink()
            os.symlink(self.gen.name, tmp_link)
            os.replace(tmp_link, self.folder.current_link)
            _fsync_dir(self.folder.path)
        except OSError as exc:
            raise disk_error(self.folder.path, exc) from exc
        committed, self.gen = self.gen, None
        self._remove_stale_generations()
        return committed

    def _abandon(self) -> None:
        self.db = None
        gc.collect()
        if self.gen is not None:
            shutil.rmtree(self.gen, ignore_errors=True)
        self.gen = None


@contextlib.contextmanager
def edited_generation(path: str | Path, reason: str) -> Iterator[StoreWriter]:
    """A new generation of a built store, to change by hand (a SPARQL update, metrics written
    back): yields the writer (its `db` holds a copy of the current graph); on leaving, commits
    it marked as edited, so that the next build is a full one. `writer.committed` is then the
    new generation."""
    with StoreWriter(path) as writer:
        writer.folder.check_compatible()
        manifest = writer.folder.read_manifest()
        if manifest is None:
            raise StoreError(f"the store at {path} holds no build", "run kg build first")
        writer.begin(full=False)
        yield writer
        manifest.info["edited"] = reason
        writer.committed = writer.commit(manifest)


def disk_error(path: Path, exc: OSError) -> StoreError:
    if getattr(exc, "errno", None) == errno.ENOSPC or "No space left" in str(exc):
        return StoreError(
            f"the disk is full while writing the store at {path}; the previous build is intact",
            "free some space and build again",
        )
    return StoreError(
        f"writing the store at {path} failed ({exc}); the previous build is intact",
        "check the folder's permissions and free space, then build again",
    )
