"""Writing outputs safely: all files are written aside, then renamed into place together."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_all(out_dir: Path, writers: dict[str, Callable[[Path], None]]) -> list[Path]:
    """Write every file to a temporary path in out_dir, then rename them all into place.

    If any writer fails, nothing in out_dir is replaced: the previous outputs stay intact.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    try:
        for name, writer in writers.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
            os.close(fd)
            tmp_path = Path(tmp)
            os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are shared
            staged.append((tmp_path, out_dir / name))
            writer(tmp_path)
            with open(tmp_path, "rb") as fh:
                os.fsync(fh.fileno())
    except BaseException:
        for tmp_path, _ in staged:
            tmp_path.unlink(missing_ok=True)
        raise
    for tmp_path, final in staged:
        os.replace(tmp_path, final)
    return [final for _, final in staged]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
