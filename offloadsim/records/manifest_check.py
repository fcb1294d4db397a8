"""Whether a results directory's manifest.json is what offloadsim writes, and the directory what it says.

Read by :func:`~offloadsim.records.stored.read_results` and :func:`~offloadsim.records.results.read_run`
alike (each a sibling of the other, neither importing it), so a manifest edited by hand is refused
by both, naming the file and the key.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from offloadsim.records.checked import REWRITE
from offloadsim.records.input_copies import kept_name
from offloadsim.shapes import describe, each, is_number, is_text, is_texts, is_whole
from offloadsim.suggest import quoted

__all__ = ["kind_claim_problem", "manifest_problem"]


def _is_kind(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _policy(value: Any) -> bool:
    return isinstance(value, dict) and is_text(value.get("name", "")) and is_text(value.get("label", ""))


def _entry(value: Any) -> bool:
    """A comparison's ``policies`` row: a name, its parameters and, where it was given one, a label."""
    return (
        isinstance(value, dict)
        and is_text(value.get("name"))
        and isinstance(value.get("params", {}), dict)
        and is_text(value.get("label", ""))
    )


def _git(value: Any) -> bool:
    """A manifest's ``git``: the commit of the checkout it ran from, and whether the package differed."""
    return isinstance(value, dict) and is_text(value.get("commit")) and isinstance(value.get("dirty"), bool)


def _resumes(value: Any) -> bool:
    """A sweep manifest's ``resumed``: each later run into its folder, with its command, time and jobs."""
    return isinstance(value, list) and all(
        isinstance(row, dict)
        and is_text(row.get("command"))
        and is_text(row.get("started_utc"))
        and is_number(row.get("wall_s"))
        and is_whole(row.get("jobs_run"))
        and is_whole(row.get("jobs_reused"))
        and ("jobs_run_other_code" not in row or is_whole(row["jobs_run_other_code"]))
        and ("code_fingerprint" not in row or is_text(row["code_fingerprint"]))
        and ("git" not in row or _git(row["git"]))
        for row in value
    )


def _copy_name(value: Any) -> bool:
    """An ``inputs_copied`` value: the copy's name in the result's folder, under ``inputs/``, or a list.

    A list where a key names several files (a sweep's points' traces at one key).
    """
    names = value if isinstance(value, list) and value else [value]
    return all(is_text(name) and kept_name(name) is not None for name in names)


def _times(positive: bool) -> Any:
    """Whether a value is a finite time in seconds (above 0 if ``positive``, else 0 or more), or a list.

    A comparison's or a sweep's manifest lists the distinct values where its points differ.
    """

    def fits(value: Any) -> bool:
        return all(
            is_number(v) and math.isfinite(v) and (v > 0 if positive else v >= 0)
            for v in (value if isinstance(value, list) and value else [value])
        )

    return fits


#: What every manifest's text keys are: what it ran, with what, where and when (read by the
#: tables' titles and the figures, or kept for whoever reruns it).
_TEXT_KEYS = (
    "scenario",
    "scenario_file",
    "scenario_hash",
    "scenario_document",
    "sweep_document",
    "name",
    "description",
    "sweep_file",
    "sweep_hash",
    "base_hash",
    "baseline",
    "adjust",
    "offloadsim_version",
    "code_fingerprint",
    "engine_build",
    "python_version",
    "platform",
    "host",
    "started_utc",
    "command",
)


#: The manifest keys the readers of results use (their readers, tables and figures), each with
#: what it must be and how a message says so; a key left out is read with its default.
_MANIFEST_KEYS: dict[str, tuple[Any, str]] = {
    "format": (is_text, "text"),
    **dict.fromkeys(_TEXT_KEYS, (is_text, "text")),
    "warmup_s": (_times(positive=False), "a time in seconds, 0 or more (a list of them where points differ)"),
    "duration_s": (_times(positive=True), "a time in seconds above 0 (a list of them where points differ)"),
    "points": (lambda v: is_whole(v) and v >= 1, "a whole number >= 1"),
    "policies": (
        lambda v: isinstance(v, list) and bool(v) and all(_entry(e) for e in v),
        "a list of policies, each with a name, its params and any label",
    ),
    "overrides": (is_texts, "a list of --set assignments (text)"),
    "skipped_checks": (is_texts, "a list of check names (text)"),
    "tasks": (is_whole, "a whole number"),
    "jobs": (is_whole, "a whole number"),
    "seed": (is_whole, "a whole number"),
    "replication": (is_whole, "a whole number"),
    "replications": (lambda v: is_whole(v) and v >= 1, "a whole number >= 1"),
    "end_s": (is_number, "a number"),
    "wall_s": (is_number, "a number"),
    "policy": (_policy, "a mapping with a name"),
    "versions": (each(is_text), "a mapping of library to version (text)"),
    "git": (_git, "a mapping with the commit (text) and whether the package's files differ from it (dirty)"),
    "swept": (is_texts, "a list of key paths"),
    "jobs_run": (is_whole, "a whole number"),
    "jobs_reused": (is_whole, "a whole number"),
    "jobs_run_other_code": (is_whole, "a whole number"),
    "resumed": (
        _resumes,
        "a list of runs, each with its command, started_utc, wall_s, jobs_run, jobs_reused "
        "(and any jobs_run_other_code as a whole number, code_fingerprint as text, git as a manifest's)",
    ),
    "labels": (each(is_text), "a mapping of key path to label"),
    "inputs_copied": (
        each(_copy_name),
        "a mapping of key path to its copy's name under inputs/ (or a list of them)",
    ),
    "inputs_not_copied": (each(is_text), "a mapping of key path to why it was not copied (text)"),
    "swept_kinds": (each(_is_kind), "a mapping of key path to kind"),
    "base_file": (is_text, "text"),
    "notes": (is_texts, "a list of notes"),
    "context_cuts": (lambda v: isinstance(v, list), "a list"),
    "run_notes": (lambda v: isinstance(v, list), "a list"),
    "run_warnings": (lambda v: isinstance(v, list), "a list"),  # a row of another shape: passed over
    "retried": (lambda v: isinstance(v, list), "a list"),
    "point_warnings": (
        lambda v: (
            isinstance(v, list)
            and all(isinstance(w, dict) and is_whole(w.get("point")) and is_text(w.get("message")) for w in v)
        ),
        "a list of warnings, each with a point and a message",
    ),
    "precision_notes": (
        lambda v: _kept_notes(v),
        "a list of notes, each with a note and the points it holds for",
    ),
    "note_facts": (lambda v: _kept_notes(v), "a list of notes, each with a note, its kind and facts"),
    "figure_notes": (
        lambda v: _kept_notes(v),
        "a list of notes, each with a note, its kind, points and the nodes it is about",
    ),
    "figure_merges": (
        lambda v: (
            isinstance(v, list)
            and all(
                isinstance(m, dict)
                and is_text(m.get("note"))
                and is_text(m.get("kind"))
                and isinstance(m.get("of"), list)
                and all(is_whole(i) for i in m["of"])
                for m in v
            )
        ),
        "a list of merged notes, each with a note, its kind and the rows it is of",
    ),
}


def _kept_notes(value: Any) -> bool:
    """Whether ``value`` is a manifest's list of notes kept with their kinds and facts (points, nodes)."""
    return isinstance(value, list) and all(
        isinstance(w, dict)
        and is_text(w.get("note"))
        and isinstance(w.get("points", []), list)
        and all(is_whole(p) for p in w.get("points", []))
        and is_text(w.get("kind", "note"))
        and isinstance(w.get("facts", {}), dict)
        # the nodes it is about (a plain speed's, the power values'): a figure of others leaves it out
        and is_texts(w.get("nodes", []))
        and is_texts(w.get("facts", {}).get("nodes", []))
        and _node_lines(w.get("each_node", []))
        and _group_sizes(w.get("node_groups", {}))
        and _group_sizes(w.get("facts", {}).get("node_groups", {}))
        for w in value
    )


def _group_sizes(value: Any) -> bool:
    """Whether ``value`` is a note's ``count:`` groups named whole (``node_groups``): each group's size."""
    return isinstance(value, dict) and all(is_text(group) and is_whole(size) for group, size in value.items())


def _node_lines(value: Any) -> bool:
    """Whether ``value`` is a note's lines of some nodes (``each_node``): each a note and its nodes."""
    return isinstance(value, list) and all(
        isinstance(item, dict) and is_text(item.get("note")) and is_texts(item.get("nodes")) for item in value
    )


def kind_claim_problem(path: Path, kind: str) -> str | None:
    """Why the directory ``path`` is not the ``kind`` its manifest's ``format`` says, or None.

    A comparison and a sweep write ``metrics.parquet`` and no ``summary.json``; a run the other
    way round.  A manifest whose ``format`` was edited from the one to the other was read as what
    it claimed: a run drawn as a sweep, or said by ``read_run`` to be a comparison to read as one.
    A directory holding neither is left to the readers' own checks (it is incomplete).
    """
    metrics, summary = (path / "metrics.parquet").is_file(), (path / "summary.json").is_file()
    if kind == "run" and metrics:
        was = "a comparison's or a sweep's (it holds metrics.parquet)"
    elif kind != "run" and summary and not metrics:
        was = "a run's (it holds summary.json, no metrics.parquet)"
    else:
        return None
    return f"{path / 'manifest.json'}: format: says {kind}, but the directory is {was}; {REWRITE}"


def manifest_problem(file: Path, manifest: Any) -> str | None:
    """Why ``manifest`` (read from ``file``) is not as offloadsim writes it, naming its first wrong key.

    None where it is.  A hand-edited or foreign file would otherwise fail deep in a table or a
    figure, or (read by ``read_run``) be trusted.  A copy ``inputs_copied`` lists that the folder
    lacks is not a problem here: the records and figures stand without it, and a rerun from the
    folder's ``scenario.yaml`` names the missing file itself.
    """
    rerun = "not as offloadsim writes it; rerun the command that made it"
    if not isinstance(manifest, dict):
        return f"{file}: expected a mapping at the top level, got {describe(manifest)} ({rerun})"
    for key, (fits, what) in _MANIFEST_KEYS.items():
        if key in manifest and not fits(manifest[key]):
            where, value, what = _wrong_item(key, manifest[key]) or (key, manifest[key], what)
            return f"{file}: {where}: expected {what}, got {describe(value)} ({rerun})"
    if (wrong := _inconsistent(manifest)) is not None:
        return f"{file}: {wrong} ({rerun})"
    return None


def _inconsistent(manifest: Mapping[str, Any]) -> str | None:
    """Which key disagrees with the others it follows from, and how; None where none does.

    Each key has the right type, but a hand-edited ``warmup_s`` read by a figure as the
    measured time's start while the run's records ended at ``end_s`` drew another window.
    """
    window: list[Any] = [manifest.get(key) for key in ("warmup_s", "duration_s", "end_s")]
    run = str(manifest.get("format", "")).startswith("offloadsim-run")
    if run and all(is_number(v) for v in window):
        warmup, duration, end = (float(v) for v in window)
        if not math.isclose(end, warmup + duration, rel_tol=1e-9, abs_tol=1e-9):
            return f"end_s: expected warmup_s + duration_s ({warmup:g} + {duration:g} s), got {end:g}"
    counts: list[Any] = [manifest.get(key) for key in ("points", "replications", "jobs")]
    if all(is_whole(v) for v in counts) and counts[2] != counts[0] * counts[1]:
        points, replications, jobs = counts
        return f"jobs: expected points × replications ({points} × {replications}), got {jobs}"
    policies, baseline = manifest.get("policies"), manifest.get("baseline")
    if isinstance(policies, list) and is_text(baseline):
        labels = [str(p.get("label", p["name"])) for p in policies]
        if baseline not in labels:
            return f"baseline: expected one of the policies ({', '.join(labels)}), got {quoted(baseline)}"
    return None


#: The manifest keys that hold a list or mapping of like items: the container, and what each item is.
_MANIFEST_ITEMS: dict[str, tuple[type, Any, str]] = {
    "swept": (list, is_text, "a key path (text)"),
    "notes": (list, is_text, "a note (text)"),
    "labels": (Mapping, is_text, "a label (text)"),
    "inputs_copied": (Mapping, _copy_name, "a copy's name under inputs/ (text, or a list of them)"),
    "inputs_not_copied": (Mapping, is_text, "why it was not copied (text)"),
    "swept_kinds": (Mapping, _is_kind, "a kind (text or null)"),
}


def _wrong_item(key: str, value: Any) -> tuple[str, Any, str] | None:
    """Where the first wrong item of the right container is (``notes[0]``, ``labels["seed"]``), or None.

    A list of notes holding a number said "expected a list of notes, got a list".
    """
    container, fits, what = _MANIFEST_ITEMS.get(key, (object, None, ""))
    if fits is None or not isinstance(value, container):
        return None
    found: Any = value  # a list or a mapping, as checked: not narrowed to object
    for name, item in found.items() if isinstance(found, Mapping) else enumerate(found):
        if not fits(item):
            return f"{key}[{quoted(name) if isinstance(name, str) else name}]", item, what
    return None
