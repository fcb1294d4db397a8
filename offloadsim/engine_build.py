"""Which build of the engine this installation runs: pure Python, or modules compiled by mypyc.

The opt-in compiled install (``HATCH_BUILD_HOOK_ENABLE_MYPYC=1 pip install .``,
docs/performance.md) puts an extension module beside some of ``offloadsim/engine``'s
sources; Python imports a module's extension in preference to its ``.py`` when one
for this interpreter is there. Runs of the two builds give the same records but not
the same timings, so a run's manifest and ``offloadsim --version`` say which ran.

The answer is read from the engine's directory (what the import system will load),
not by importing the engine: ``--version`` stays as cheap as it was.
"""

from __future__ import annotations

from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

__all__ = ["ENGINE_DIR", "compiled_modules", "engine_build"]

#: The engine package's directory, found beside this module (importing it would load SimPy).
ENGINE_DIR = Path(__file__).resolve().parent / "engine"


def compiled_modules(directory: Path = ENGINE_DIR) -> list[str]:
    """The modules of ``directory`` that this interpreter imports from an extension, sorted.

    An extension counts only with a suffix of this interpreter
    (``network.cpython-311-x86_64-linux-gnu.so``, ``network.abi3.so``, ``network.so``):
    one built for another Python is not what runs here.
    """
    names = set()
    for path in directory.iterdir():
        for suffix in EXTENSION_SUFFIXES:
            if path.name.endswith(suffix) and path.is_file():
                stem = path.name[: -len(suffix)]
                if stem.isidentifier():
                    names.add(stem)
    return sorted(names)


def engine_build(directory: Path = ENGINE_DIR) -> str:
    """``"python"`` for the pure engine, else ``"mypyc (N modules)"``: the provenance of a run's speed.

    >>> engine_build()  # a plain install; a compiled one gives 'mypyc (13 modules)'
    'python'
    """
    compiled = compiled_modules(directory)
    if not compiled:
        return "python"
    return f"mypyc ({len(compiled)} module{'s' if len(compiled) != 1 else ''})"
