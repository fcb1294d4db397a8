"""A table kept on disk as chunk files: appended one at a time, kept in order, discarded together.

Three tables outgrow memory in a long run or a large experiment: the
engine's task records and its stage log (numpy chunks of 131,072 rows), and
the per-run task files of ``compare`` and ``sweep`` (a Parquet file per
run).  Each is a :class:`SpilledTable`: it owns its chunk files and the
directory that holds them, so that where a table lives and how it is
removed are decided once, here.  The directory is either given (a run's
partial directory, an experiment's scratch directory: its owner removes it)
or a temporary one in ``$TMPDIR`` made on the first chunk and removed with
the table, when :meth:`SpilledTable.discard` is called or when the table is
garbage-collected (an interrupted command unwinding).
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

__all__ = ["SpilledTable"]


class SpilledTable:
    """The chunk files of one table, in row order, in one directory.

    ``directory``: where the chunks go (made when the first is written, and
    removed by :meth:`discard` if it is then empty); ``None`` for a
    temporary directory named ``prefix...`` in ``$TMPDIR``, made on the
    first chunk and removed with everything in it by :meth:`discard` or
    when the table goes.  Chunks are named ``{stem}-000000{suffix}`` in
    order unless :meth:`append` is given a name.
    """

    def __init__(
        self,
        directory: Path | None = None,
        *,
        prefix: str = "offloadsim-",
        stem: str = "chunk",
        suffix: str = ".npz",
    ) -> None:
        self.chunks: list[Path] = []
        self.prefix, self.stem, self.suffix = prefix, stem, suffix
        self._given = directory
        self._temporary: Path | None = None
        self._cleanup: Callable[[], Any] | None = None
        self._made = False  # this table made the given directory (so it may remove it, once empty)

    @property
    def location(self) -> Path | None:
        """The chunks' directory, or None while a temporary one has not been made yet."""
        return self._given if self._given is not None else self._temporary

    @property
    def directory(self) -> Path:
        """The chunks' directory, made now if it does not exist yet."""
        if self._given is None:
            if self._temporary is None:
                self._temporary = Path(tempfile.mkdtemp(prefix=self.prefix))
                self._cleanup = weakref.finalize(self, shutil.rmtree, self._temporary, True)
            return self._temporary
        if not self._given.is_dir():
            self._given.mkdir(parents=True)
            self._made = True
        return self._given

    def append(self, write: Callable[[Path], object], name: str | None = None) -> Path:
        """Write the next chunk with ``write(path)`` and keep it (``name``: its file name without suffix)."""
        path = self.directory / f"{name or f'{self.stem}-{len(self.chunks):06d}'}{self.suffix}"
        try:
            write(path)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        self.chunks.append(path)
        return path

    def append_arrays(self, arrays: Mapping[str, np.ndarray]) -> Path:
        """Write the next chunk as numpy arrays by name (an ``.npz`` file, uncompressed)."""
        import numpy as np

        def write(path: Path) -> None:
            with path.open("wb") as out:
                np.savez(out, **arrays)  # type: ignore[arg-type]  # numpy's stub types the keywords badly

        return self.append(write)

    def adopt(self, path: Path) -> Path:
        """Keep a chunk written in the directory by someone else (a worker process), as the next one."""
        self.chunks.append(path)
        return path

    def __len__(self) -> int:
        return len(self.chunks)

    def __iter__(self) -> Iterator[Path]:
        return iter(self.chunks)

    def discard(self) -> None:
        """Remove the chunks, and the directory: a temporary one with all in it, a given one if now empty."""
        for path in self.chunks:
            path.unlink(missing_ok=True)
        self.chunks.clear()
        if self._cleanup is not None:
            self._cleanup()
        elif self._made and self._given is not None:
            try:
                self._given.rmdir()
                self._made = False
            except OSError:  # not empty (another table's chunks beside ours) or already gone
                pass
