"""Build a copy of this tree with the engine's hot path compiled by mypyc (an experiment, issue 12).

The copy holds the tree's files, tracked or not ignored (as they are in the working tree) with a
``.so`` beside each compiled module and mypyc's shared library at its top; run
it with ``PYTHONPATH=DIR`` from ``DIR`` (``python -m`` puts the working directory
first on ``sys.path``, so run from another tree it imports that tree's pure
modules). The tree itself is never built in: no ``.so`` lands beside its sources.

    python benchmarks/mypyc_build.py --out /tmp/offloadsim-mypyc
    cd /tmp/offloadsim-mypyc && PYTHONPATH=. python -m offloadsim run benchmarks/scenarios/city.yaml ...

Needs mypy (with mypyc), a C compiler and Python's headers; about 1 to 2 minutes
of two cores. See docs/performance.md, "(b) compiled with mypyc".
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def hook_config(pyproject: Path = ROOT / "pyproject.toml") -> dict[str, Any]:
    """The opt-in build's mypyc hook table in ``pyproject.toml``: its modules and mypy's arguments.

    One list of modules, there (with why the rest is left pure); this script builds what
    ``HATCH_BUILD_HOOK_ENABLE_MYPYC=1 pip install .`` builds, into a copy of the tree.
    """
    with pyproject.open("rb") as handle:
        return dict(tomllib.load(handle)["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]["mypyc"])


HOOK = hook_config()
MODULES: list[str] = list(HOOK["include"])
MYPY_ARGS: list[str] = list(HOOK.get("mypy-args", []))


def copy_tree(out: Path) -> None:
    """The tree's files (tracked, or untracked and not ignored), as in the working tree, into ``out``."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    with tarfile.open(out / ".copy.tar", "w") as tar:
        for name in filter(None, files):
            path = ROOT / os.fsdecode(name)
            if path.is_file():
                tar.add(path, arcname=os.fsdecode(name))
    with tarfile.open(out / ".copy.tar") as tar:
        tar.extractall(out, filter="data")
    (out / ".copy.tar").unlink()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/offloadsim-mypyc"))
    parser.add_argument("--modules", nargs="*", default=MODULES, help="paths relative to the tree")
    parser.add_argument(
        "--pure", action="store_true", help="copy only, compile nothing (the A/B's other side)"
    )
    args = parser.parse_args()
    out = args.out.resolve()
    if out == ROOT or ROOT in out.parents:
        parser.error("--out must be outside the tree")
    copy_tree(out)
    if args.pure:
        print(f"copied the tree, pure Python, to {out}")
        return 0
    # setuptools (which mypyc's build runs) reads pyproject.toml in the working directory and refuses its
    # PEP 639 license string: build without it, then put it back.
    pyproject = out / "pyproject.toml"
    pyproject.rename(out / "pyproject.toml.aside")
    mypyc = Path(sys.executable).with_name("mypyc")
    start = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(out)}
    done = subprocess.run(
        [str(mypyc), *MYPY_ARGS, *args.modules], cwd=out, env=env, capture_output=True, text=True
    )
    (out / "pyproject.toml.aside").rename(pyproject)
    notes = [line for line in done.stdout.splitlines() if ": error:" in line or ": warning:" in line]
    print("\n".join(notes))
    if done.returncode:
        print(done.stdout[-4000:], done.stderr[-4000:], sep="\n", file=sys.stderr)
        return 1
    built = sorted(str(p.relative_to(out)) for p in out.rglob("*.so") if "build" not in p.parts)
    print(f"built {len(built)} extension modules in {time.perf_counter() - start:.0f} s under {out}")
    print("\n".join(built))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
