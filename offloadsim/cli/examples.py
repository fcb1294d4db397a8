"""The ``examples`` verb: copy the shipped scenarios to a folder, for an install without a checkout.

The README's and the docs' commands name ``scenarios/quickstart.yaml`` and its siblings; a wheel
holds them inside the package, so ``offloadsim examples`` (into ``./scenarios``) makes those
commands run as written from any folder.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from offloadsim.cli import types as cli_types
from offloadsim.errors import shown_path
from offloadsim.shipped_scenarios import copy_shipped_scenarios

__all__ = ["add_examples_command"]

EXIT_OK = 0


def add_examples_command(subparsers: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Add ``examples [DIR]`` to the ``offloadsim`` verbs."""
    p = subparsers.add_parser(
        "examples",
        parents=parents,
        help="copy the shipped scenarios (quickstart.yaml, ...) into a folder",
        description=(
            "Copy the shipped example scenarios and their traces into DIR, so that the README's commands "
            "(offloadsim run scenarios/quickstart.yaml, ...) run from an installed package. A file already "
            "there with the same contents is kept; one with other contents is never overwritten."
        ),
    )
    p.add_argument(
        "dir",
        nargs="?",
        default="scenarios",
        type=cli_types.given("a folder"),
        metavar="DIR",
        help="folder to copy them into (default: scenarios)",
    )
    p.set_defaults(handler=_cmd_examples)


def _cmd_examples(args: argparse.Namespace) -> int:
    written, kept = copy_shipped_scenarios(Path(args.dir))
    folder = shown_path(args.dir)
    if kept:
        print(f"{len(kept)} shipped files already in {folder}, unchanged")
    print(f"wrote {len(written)} files to {folder}; try: offloadsim run {Path(args.dir) / 'quickstart.yaml'}")
    return EXIT_OK
