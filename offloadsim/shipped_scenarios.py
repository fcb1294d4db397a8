"""The shipped example scenarios (``scenarios/`` of the repository), wherever offloadsim is installed.

The README and ``docs/`` run ``scenarios/quickstart.yaml`` and its siblings. A checkout has them
beside the package; a wheel carries them inside it (``offloadsim/_scenarios``, pyproject.toml's
``force-include``), where a user who never cloned cannot name them. :func:`copy_shipped_scenarios`
copies them, their traces included, to a folder of the user's (``offloadsim examples``), so that
the documented commands run as written.
"""

from __future__ import annotations

import importlib.resources
from contextlib import ExitStack
from pathlib import Path

from offloadsim.errors import RunError, shown_path

__all__ = ["copy_shipped_scenarios", "shipped_scenario_files"]

#: Where a wheel holds the repository's ``scenarios/`` (pyproject.toml's ``force-include`` names it too).
WHEEL_FOLDER = "_scenarios"


def _shipped_folder(stack: ExitStack) -> Path:
    """The folder of the shipped scenarios: the wheel's copy, else a checkout's ``scenarios/``."""
    packaged = stack.enter_context(importlib.resources.as_file(importlib.resources.files("offloadsim")))
    if (packaged / WHEEL_FOLDER).is_dir():
        return packaged / WHEEL_FOLDER
    checkout = packaged.parent / "scenarios"  # an editable install or PYTHONPATH: the sources' own
    if (checkout / "quickstart.yaml").is_file():
        return checkout
    wheel = shown_path(packaged / WHEEL_FOLDER)
    raise RunError(
        f"this installation of offloadsim has no shipped scenarios (neither {wheel} nor "
        f"{shown_path(checkout)}): reinstall it from a wheel or a checkout"
    )


def shipped_scenario_files() -> dict[str, bytes]:
    """Every shipped scenario file by its path relative to ``scenarios/`` (``traces/lte-uplink.csv``)."""
    with ExitStack() as stack:
        folder = _shipped_folder(stack)
        return {
            path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*"))
            if path.is_file() and "__pycache__" not in path.parts
        }


def copy_shipped_scenarios(dest: str | Path) -> tuple[list[Path], list[Path]]:
    """Copy the shipped scenarios into ``dest``; return the files written and those already there.

    A file already at ``dest`` with the same bytes is left as it is (a second call writes nothing);
    one with other bytes is a user's, which is never overwritten: the call is refused, naming it,
    before anything is written.
    """
    dest = Path(dest)
    files = shipped_scenario_files()
    if dest.exists() and not dest.is_dir():
        raise RunError(f"{shown_path(dest)} is a file, not a folder: choose another folder for the scenarios")
    present = [name for name in files if (dest / name).exists()]
    differing = [dest / name for name in present if not _holds(dest / name, files[name])]
    if differing:
        shown = ", ".join(shown_path(path) for path in differing[:3])
        more = f" and {len(differing) - 3} more" if len(differing) > 3 else ""
        files_ = "a file" if len(differing) == 1 else "files"
        raise RunError(
            f"{shown}{more}: {files_} of that name already there, with other contents than the shipped "
            "scenarios': nothing was written; move them away or choose another folder"
        )
    written = []
    for name, data in files.items():
        target = dest / name
        if name in present:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        partial.write_bytes(data)
        partial.replace(target)  # a file is there whole or not at all
        written.append(target)
    return written, [dest / name for name in present]


def _holds(path: Path, data: bytes) -> bool:
    return path.is_file() and path.read_bytes() == data
