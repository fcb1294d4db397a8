"""What ``offloadsim plot`` drew a figure with: its command and the results it read, kept beside it.

A figure's options (``--kind``, ``--by``, ``--where``, ``--bin``...) were recorded nowhere: a
colleague given the PNG could not redraw it, and a wrong guess overwrote the same file.  The
command (written as :func:`plot_command` rebuilds it from the parsed options, defaults left out)
and the SHA-256 of the results' ``manifest.json`` go into the PNG's text chunks and the PDF's
keywords (:func:`figure_metadata`), and into ``FIG.plot.json`` beside them (:func:`plot_record`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shlex
from pathlib import Path
from typing import Any

from offloadsim._version import __version__

__all__ = ["RECORD_SUFFIX", "figure_metadata", "plot_command", "plot_record", "record_text"]

#: The file beside a figure (``FIG.plot.json``) holding the command that drew it and what it read.
RECORD_SUFFIX = "plot.json"

#: The options of ``plot`` that take a value, in the order the command writes them: (dest, flag).
_VALUED = (
    ("kind", "--kind"),
    ("metric", "--metric"),
    ("x", "--x"),
    ("by", "--by"),
    ("facet", "--facet"),
    ("facet_order", "--facet-order"),
    ("size", "--size"),
)
#: The times, written in seconds as ``time_s`` reads them back.
_TIMES = (("bin", "--bin"), ("from_s", "--from"), ("to_s", "--to"))


def plot_command(args: argparse.Namespace) -> str:
    """``offloadsim plot RESULTS --kind ... --where ...``: the options ``args`` holds, quoted for a shell.

    Every option given is written out, in one order (the times in seconds, as parsed);
    ``--out`` is left out (a redraw chooses its own file), the results directory kept as given.
    """
    words = ["offloadsim", "plot", str(args.results)]
    for dest, flag in _VALUED:
        value = getattr(args, dest, None)
        if value is not None:
            words += [flag, str(value)]
    for column, value in getattr(args, "where", None) or []:
        words += ["--where", f"{column}={value}"]
    for dest, flag in (("logx", "--logx"), ("logy", "--logy")):
        value = getattr(args, dest, None)
        if value is not None:
            words.append(flag if value else f"--no-{flag[2:]}")
    for dest, flag in _TIMES:
        value = getattr(args, dest, None)
        if value is not None:
            words += [flag, f"{value!r}s"]
    return shlex.join(words)


def manifest_sha256(results: Path) -> str | None:
    """The SHA-256 of ``results``' ``manifest.json`` (None where it has none to read)."""
    try:
        return hashlib.sha256((results / "manifest.json").read_bytes()).hexdigest()
    except OSError:
        return None


def plot_record(command: str, results: Path) -> dict[str, Any]:
    """The record of one figure: the command that drew it, offloadsim's version, the results it read."""
    return {
        "command": command,
        "offloadsim": __version__,
        "results": {"path": str(results), "manifest_sha256": manifest_sha256(results)},
    }


def record_text(record: dict[str, Any]) -> str:
    """``record`` as the JSON written beside the figure (keys in order, two-space indent, final newline)."""
    return json.dumps(record, indent=2, ensure_ascii=False) + "\n"


def figure_metadata(record: dict[str, Any]) -> dict[str, str]:
    """The text the PNG and the PDF carry: the command, and the results' manifest digest where known."""
    metadata = {"offloadsim plot": str(record["command"])}
    digest = record["results"].get("manifest_sha256")
    if digest:
        metadata["results manifest sha256"] = str(digest)
    return metadata
