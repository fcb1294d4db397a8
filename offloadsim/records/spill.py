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

import json
import shutil
import tempfile
import weakref
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

__all__ = ["ArraysFile", "SpilledTable", "save_arrays"]

# A chunk of numpy arrays on disk: this magic, the header's length (8 bytes, little-endian), the
# header (JSON: name -> [dtype, shape, offset]), then each array's bytes as they lie in memory, at
# 64-byte aligned offsets.  Not ``np.savez``: a zip file checksums every byte on writing and on
# reading, and is opened again for every array read; a chunk of the engine's records (17 MB) took
# 30 ms to write that way and 35 ms to read, against about 6 and 3 (issue 12).
_MAGIC = b"OFFLOADSIM-ARRAYS-1\n"
_ALIGN = 64


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
        suffix: str = ".arrays",
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
        """Write the next chunk as numpy arrays by name (:func:`save_arrays`; read by :class:`ArraysFile`)."""
        return self.append(lambda path: save_arrays(path, arrays))

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


def save_arrays(path: Path, arrays: Mapping[str, np.ndarray]) -> None:
    """Write ``arrays`` (name -> array, C-contiguous or made so) to ``path``, raw, for :class:`ArraysFile`."""
    import numpy as np

    header: dict[str, list[Any]] = {}
    offset = 0
    contiguous = {name: np.ascontiguousarray(values) for name, values in arrays.items()}
    for name, values in contiguous.items():
        header[name] = [values.dtype.str, list(values.shape), offset]
        offset += -(-values.nbytes // _ALIGN) * _ALIGN
    text = json.dumps(header).encode()
    start = -(-(len(_MAGIC) + 8 + len(text)) // _ALIGN) * _ALIGN  # where the first array begins
    with path.open("wb") as out:
        out.write(_MAGIC + (start - len(_MAGIC) - 8).to_bytes(8, "little"))
        out.write(text.ljust(start - len(_MAGIC) - 8))
        for values in contiguous.values():
            out.write(memoryview(values.reshape(-1).view(np.uint8)))  # type: ignore[arg-type]
            out.write(bytes(-values.nbytes % _ALIGN))


class ArraysFile:
    """A chunk written by :func:`save_arrays`: its arrays' names and shapes, each array read when asked for.

    ``stored[name]`` reads just that array's bytes into a new (writable) array.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        with path.open("rb") as file:
            head = file.read(len(_MAGIC) + 8)
            if head[: len(_MAGIC)] != _MAGIC:
                raise ValueError(f"{path} is not a chunk of arrays")
            size = int.from_bytes(head[len(_MAGIC) :], "little")
            self.header: dict[str, list[Any]] = json.loads(file.read(size))
        self.start = len(_MAGIC) + 8 + size

    @property
    def files(self) -> list[str]:
        """The arrays' names, in the order written (as ``np.load``'s ``files``)."""
        return list(self.header)

    def shape(self, name: str) -> tuple[int, ...]:
        """The shape of array ``name``, without reading it."""
        return tuple(self.header[name][1])

    def __contains__(self, name: object) -> bool:
        return name in self.header

    def __getitem__(self, name: str) -> np.ndarray:
        import numpy as np

        dtype, shape, offset = self.header[name]
        count = 1
        for size in shape:
            count *= size
        values = np.fromfile(self.path, dtype=np.dtype(dtype), count=count, offset=self.start + offset)
        return values.reshape(shape)
