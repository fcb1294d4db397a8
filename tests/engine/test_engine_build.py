"""Which engine build runs: the pure one in the default tests, the compiled one where the check says so.

The default test run must run the pure engine; an opt-in compiled install made from a clone
(``HATCH_BUILD_HOOK_ENABLE_MYPYC=1 pip install .``) leaves extension modules beside the clone's
sources, which a run from that clone then imports instead of them. ``.ci/compiled`` runs this file
against its compiled install with ``OFFLOADSIM_EXPECT_ENGINE_BUILD=mypyc``: there every module of
the build hook's list must be loaded from its extension, and from the installed package, not the
sources.
"""

from __future__ import annotations

import importlib
import os
import tomllib
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

import offloadsim
from offloadsim.engine_build import ENGINE_DIR, compiled_modules, engine_build

ROOT = Path(__file__).resolve().parents[2]


def _hook_modules() -> list[str]:
    """The modules the opt-in build compiles, as import names (pyproject.toml's mypyc hook)."""
    with (ROOT / "pyproject.toml").open("rb") as handle:
        hook = tomllib.load(handle)["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]["mypyc"]
    return [path.removesuffix(".py").replace("/", ".") for path in hook["include"]]


def _is_extension(module: object) -> bool:
    return str(getattr(module, "__file__", "")).endswith(tuple(EXTENSION_SUFFIXES))


def test_a_module_counts_as_compiled_only_with_this_interpreters_extension(tmp_path):
    for name in ("network.py", "tasks.py", "due.py"):
        (tmp_path / name).write_text("")
    assert engine_build(tmp_path) == "python"
    (tmp_path / "network.cpython-27-other.so").write_bytes(b"")  # another Python's: not imported here
    (tmp_path / "tasks.so.txt").write_text("")
    (tmp_path / "__pycache__").mkdir()
    assert compiled_modules(tmp_path) == [] and engine_build(tmp_path) == "python"
    (tmp_path / f"tasks{EXTENSION_SUFFIXES[0]}").write_bytes(b"")
    assert compiled_modules(tmp_path) == ["tasks"]
    assert engine_build(tmp_path) == "mypyc (1 module)"
    (tmp_path / f"network{EXTENSION_SUFFIXES[-1]}").write_bytes(b"")
    assert compiled_modules(tmp_path) == ["network", "tasks"]
    assert engine_build(tmp_path) == "mypyc (2 modules)"


def test_the_hook_compiles_engine_modules_that_exist():
    modules = _hook_modules()
    assert modules and all(m.startswith("offloadsim.engine.") for m in modules)
    assert all((ROOT / (m.replace(".", "/") + ".py")).is_file() for m in modules), modules


def test_the_engine_that_runs_is_the_build_expected():
    expected = os.environ.get("OFFLOADSIM_EXPECT_ENGINE_BUILD", "python")
    modules = _hook_modules()
    loaded = {name: importlib.import_module(name) for name in ["offloadsim.engine", *modules]}
    from_extensions = sorted(name for name, module in loaded.items() if _is_extension(module))
    if expected == "python":
        assert from_extensions == [] and engine_build() == "python", (
            f"the default tests run the pure engine, but {ENGINE_DIR} has compiled modules "
            f"({', '.join(compiled_modules())}), left there by a compiled install from this tree: "
            f"`git clean -fXq -- offloadsim '*__mypyc*'` removes them"
        )
    elif expected == "mypyc":
        assert from_extensions == sorted(modules)
        assert engine_build() == f"mypyc ({len(modules)} modules)"
        package = Path(offloadsim.__file__).resolve().parent
        assert package != ROOT / "offloadsim", "the installed package, not the sources it was built from"
    else:
        pytest.fail(f"OFFLOADSIM_EXPECT_ENGINE_BUILD={expected!r}: expected 'python' or 'mypyc'")
