"""Notes under a result's table, where its numbers could be misread: the results' own, not the CLI's.

:func:`comparison_notes` composes a comparison's or sweep's and :func:`run_table_notes` a run's;
the results keep them (``notes``, and their manifests), and the command line prints them as
kept, so a Python user reads what the command line's user reads.  Each piece is imported where
it is needed, so that a plain run imports nothing heavy for the other verbs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from offloadsim.analysis.batteries import flat_batteries_note
from offloadsim.analysis.config_labels import shared_labels
from offloadsim.analysis.in_flight_note import in_flight_note
from offloadsim.analysis.table_notes import (
    COMPARE_APPS_SHOWN,
    SWEEP_APPS_SHOWN,
    application_order,
    pooled_note,
    run_table_notes,
)
from offloadsim.analysis.warning_notes import run_warnings_notes
from offloadsim.suggest import counted  # here too: the commands import it from this module

__all__ = [
    "COMPARE_APPS_SHOWN",
    "SWEEP_APPS_SHOWN",
    "counted",
    "UNFINISHED_SHARE",
    "application_order",
    "comparison_notes",
    "kept_parameters_notes",
    "pooled_note",
    "run_table_notes",
    "served_applications",
    "world_notes",
    "clamped_cut_notes",
    "context_cut_notes",
    "dropped_runs_note",
    "pooled_applications_note",
    "carried_run_notes",
    "idle_link_notes",
    "unfinished_runs_note",
    "unpowered_sources_note",
]

#: A run that ends with this share of its tasks still in flight has latencies of its finished tasks only.
UNFINISHED_SHARE = 0.05


def clamped_cut_notes(
    scenario: Any, spec: Any, layers: Mapping[str, int], label: str | None = None
) -> list[str]:
    """The notes on policy ``spec``'s cuts clamped for some, not all, of ``scenario``'s applications.

    ``layers`` is each application's layer count (``World.layer_counts``).  What a run keeps in
    its manifest (:func:`~offloadsim.scenario.policy_check.layer_notes`), for the commands that
    print it without the run's records: ``compare``, ``sweep``, ``validate`` and ``run --dry-run``.
    ``label``: what the notes call the policy (a ``compare`` entry's, ``fixed(cuts=[4])``, that
    tells two entries of one policy apart); default its name.
    """
    from offloadsim.policies.registry import make_policy
    from offloadsim.scenario.policy_check import layer_notes

    return layer_notes(scenario, make_policy(spec.name, spec.params), label or spec.name, layers)


def unpowered_sources_note(scenarios: list[Any]) -> str | None:
    """A note when no source of the workload has ``power:``: its device energy is not measured.

    A comparison or sweep showed ``0.00 ± 0`` per policy and a Δ of ``0.00`` to each, which read
    as "offloading saves nothing" where nothing was measured: the runs' device energy per task is
    null (the summary's NaN) and the tables leave its row out, which this note says.
    """
    for scenario in scenarios:
        powered = {node.name for node in scenario.nodes if node.power is not None}
        if not scenario.workload or any(set(entry.sources) & powered for entry in scenario.workload):
            return None
    return (
        "no source of the workload has power:, so device energy per task is not measured: the tables "
        "leave it out, and metrics.parquet and summary.csv hold null"
    )


def context_cut_notes(
    metrics: Any, cuts: list[dict[str, Any]], keys: list[str], run: list[str], uncounted: int = 0
) -> list[str]:
    """The runs' LLM context-window cut notes added up: one line per configuration and application.

    ``metrics`` is the per-run table; ``keys`` name a configuration in it (``policy``; a sweep's
    swept keys and policy) and ``run`` a run in it and in ``cuts`` (``policy``/``point`` and
    ``replication``).  ``cuts`` are the runs' manifests' ``context_cuts`` rows.  A
    configuration's replications make one line (``12 requests in 3 of its 5 replications ...``),
    not one a seed, and configurations with the same counts share it (the draws do not depend on
    the policy).  ``uncounted`` runs (reused files of an older offloadsim) did not count theirs.
    """
    from offloadsim.analysis.values import value_text  # a swept value as the table shows it
    from offloadsim.engine.llm import ContextCuts

    if not cuts or not len(metrics):
        return []
    present = [key for key in keys if key in metrics.columns]
    config_of = {
        tuple(row[k] for k in run): tuple(row[k] for k in present) for row in metrics.to_dict("records")
    }
    runs = Counter(config_of.values())
    added: dict[tuple[Any, ...], dict[str, tuple[ContextCuts, int]]] = {}
    for row in cuts:
        config = config_of[tuple(row[k] for k in run)]
        counted, cut_runs = added.setdefault(config, {}).get(
            row["app"], (ContextCuts(row["app"], row["window"]), 0)
        )
        counted.merge(ContextCuts.from_dict(row))
        added[config][row["app"]] = (counted, cut_runs + 1)
    lines: dict[tuple[Any, ...], tuple[ContextCuts, list[str]]] = {}  # the same counts: one line
    for config, apps in added.items():
        label = ", ".join(f"{key}={value_text(value)}" for key, value in zip(present, config, strict=True))
        for counted, cut_runs in apps.values():
            same = tuple(counted.to_dict().values())
            lines.setdefault((*same, cut_runs, runs[config]), (counted, []))[1].append(label)
    notes = []
    for (*_, cut_runs, total), (counted, labels) in lines.items():
        every = len(labels) == len(runs) > 1
        where = "each " + " and ".join(present) if every else "; ".join(label for label in labels if label)
        notes.append(counted.note(where, f"in {cut_runs} of its {total} replications" if total > 1 else ""))
    if uncounted:
        notes.append(
            f"{uncounted} reused runs were simulated by an older offloadsim, which did not count its LLM "
            "requests cut to the context window: the notes above leave them out"
        )
    return notes


def carried_run_notes(
    manifest: Mapping[str, Any], metrics: Any, keys: list[str], run: list[str], processors: Any = None
) -> list[str]:
    """What each run of a comparison or sweep said under its own table, said once for them all.

    ``manifest`` holds the runs' own notes (``run_notes``) and recovery counts (``retried``), each
    row naming its run by ``run`` (``policy``/``point`` and ``replication``); ``metrics`` is the
    per-run table and ``keys`` name a configuration in it.  ``processors`` (the runs' processors
    table) gives the processors after each node's first, their utilisation averaged over a
    configuration's runs, in place of every run's note of them.  A note said by several runs is
    said once, with how many.
    """
    from offloadsim.analysis.values import value_text  # a swept value as the table shows it
    from offloadsim.records.schema import FIRST_PROCESSOR_ONLY

    if not len(metrics):
        return []
    present = [key for key in keys if key in metrics.columns]
    rows = metrics.to_dict("records")
    label_of = {
        tuple(row[k] for k in run): ", ".join(f"{k}={value_text(row[k])}" for k in present) for row in rows
    }
    notes = []
    processor_line = _other_processors_note(processors, run, label_of)
    if processor_line:
        notes.append(processor_line)
    said: dict[str, list[tuple[Any, ...]]] = {}
    for row in manifest.get("run_notes", ()):
        if not str(row["note"]).startswith(FIRST_PROCESSOR_ONLY) or processors is None:
            said.setdefault(str(row["note"]), []).append(tuple(row[k] for k in run))
    for note, where in said.items():
        if len(where) == len(rows) > 1:
            notes.append(f"{note} (every run)")
        elif len(rows) > 1:
            first = label_of.get(where[0], "")
            notes.append(
                f"{note} ({len(where)} of {len(rows)} runs: {first}, replication={where[0][-1]}, ...)"
                if len(where) > 1
                else f"{note} ({first}, replication={where[0][-1]})"
            )
        else:
            notes.append(note)
    retried_line = _retried_note(manifest, rows, present, run)
    if retried_line:
        notes.append(retried_line)
    unnoted = int(manifest.get("run_notes_uncounted_jobs", 0))
    if unnoted:
        notes.append(
            f"{unnoted} reused runs were simulated by an older offloadsim, which did not keep their "
            "processors table, notes or recovery counts: processors.parquet, the per-processor "
            "utilisations (utilisation_<tier>_<processor>) and the notes above leave them out"
        )
    return notes


def idle_link_notes(
    scenarios: list[Any], manifest: Mapping[str, Any], metrics: Any, keys: list[str], run: list[str]
) -> list[str]:
    """Where a link the sweep varies (or ``--set`` changes) carried no bytes: its values changed nothing.

    ``manifest``'s ``link_bytes`` rows give what each ``links[]`` entry carried in each run (named
    by ``run``); ``keys`` name a configuration in ``metrics``, the per-run table; its ``swept`` keys
    (a sweep's) or ``overrides`` (a comparison's) say which entries were changed.
    """
    from offloadsim.analysis.idle_links import changed_entries, idle_links_notes
    from offloadsim.analysis.values import value_text  # a swept value as the table shows it

    rows = list(manifest.get("link_bytes", ()))
    if not rows or not scenarios or not len(metrics):
        return []
    document = scenarios[0].document
    if "swept" in manifest:
        entries = changed_entries(list(manifest["swept"]), document)
        how, unit = "which the sweep varies", "points"
    else:  # a comparison: the keys given outside its file (--set, overrides=), as the scenario keeps them
        given = {key: set_by.note for key, set_by in scenarios[0].footprint.set_by}
        entries, how, unit = changed_entries(list(given), document, given), "", "policies"
    if not entries:
        return []
    # The keys that tell configurations apart: a sweep's one policy is no part of its points' names.
    present = [key for key in keys if key in metrics.columns and metrics[key].astype(str).nunique() > 1]
    label_of = {
        tuple(row[k] for k in run): ", ".join(f"{k}={value_text(row[k])}" for k in present)
        for row in metrics.to_dict("records")
    }
    return idle_links_notes(rows, entries, label_of, run, how, unit)


def _retried_note(
    manifest: Mapping[str, Any], rows: list[dict[str, Any]], present: list[str], run: list[str]
) -> str:
    """The tasks ``recovery:`` ran again, per configuration, said once for configurations alike; or "".

    A sweep of 12 points whose failures do not depend on the swept key said the same counts 12
    times, in one line of 1,500 characters. Configurations with the same counts share them: all
    of them (``each links[2].bandwidth and policy.name: ...``), or all of those with some keys'
    values (``policy.name=edge (each links[2].bandwidth): ...``); any others are said one by one.
    Every count stays: each configuration's is the one said for its group.
    """
    from offloadsim.analysis.values import grouped  # a count as a figure writes it: 1,839

    config_of = {tuple(row[k] for k in run): tuple(row[k] for k in present) for row in rows}
    runs_of = Counter(config_of.values())
    retried: dict[tuple[Any, ...], list[int]] = {}  # configuration -> runs, tasks retried, completed
    for row in manifest.get("retried", ()):
        config = config_of.get(tuple(row[k] for k in run))
        if config is None:  # a run the table does not hold: nothing to say it of
            continue
        counts = retried.setdefault(config, [0, 0, 0])
        counts[0] += 1
        counts[1] += int(row["retried"])
        counts[2] += int(row["recovered"])
    if not retried:
        return ""

    alike: dict[tuple[int, ...], list[tuple[Any, ...]]] = {}
    for config, counts in retried.items():
        alike.setdefault((*counts, runs_of[config]), []).append(config)
    parts = []
    for (n, tasks, done, runs), configs in alike.items():
        said = f"{grouped(counted(tasks, 'task'))} in {n} of its {runs} runs, {done:,} of them completed"
        parts += [f"{label}: {said}" if label else said for label in shared_labels(configs, present, runs_of)]
    return "retried by recovery (tasks recovery ran again, of any outcome): " + "; ".join(parts)


def _other_processors_note(processors: Any, run: list[str], label_of: Mapping[tuple[Any, ...], str]) -> str:
    """The processors after each node's first that computed, mean utilisation per configuration; or ""."""
    from offloadsim.records.schema import FIRST_PROCESSOR_ONLY

    if processors is None or not len(processors) or not set(run) <= set(processors.columns):
        return ""
    frame = processors.assign(
        _config=[label_of.get(key, "") for key in zip(*(processors[k] for k in run), strict=True)],
        _first=~processors.duplicated(subset=[*run, "node"]),
    )
    others = frame[~frame["_first"]]
    means = others.groupby(["_config", "node", "processor"], sort=False)["utilisation"].mean()
    shown: dict[str, list[str]] = {}
    for (config, node, name), share in means.items():
        if share > 0.0:
            shown.setdefault(str(config), []).append(f"{node} {name} {share * 100.0:.1f} %")
    if not shown:
        return ""
    parts = [f"{config + ': ' if config else ''}{', '.join(items)}" for config, items in shown.items()]
    more = f"; and {len(parts) - 5} more" if len(parts) > 5 else ""
    return (
        f"{FIRST_PROCESSOR_ONLY}; other processors computed too (busy time per core over the measured "
        f"time, averaged over each configuration's runs): {'; '.join(parts[:5])}{more} "
        "(processors.parquet has every processor's row of every run, and metrics.parquet each run's "
        "utilisation_<tier>_<processor>: a tier's processors of that name, averaged)"
    )


def unfinished_runs_note(metrics: Any, keys: list[str]) -> str | None:
    """A note when some runs ended with many tasks in flight: their latencies are of the finished ones.

    Their device energy per task is of the tasks that ended (completed, dropped or failed), as the
    summary defines it: a task in flight holds only the energy of the steps it finished.

    A run warns of this under its own table; a comparison or sweep averaged it away. An edge policy
    whose uploads never finished over a 2 Mbit/s radio read ``27.9 ± 0.0`` ms, the best latency of
    its sweep, from the few tasks of another application that did finish. ``metrics`` is the
    per-run table (``arrived``, ``in_flight``); ``keys`` name a run (swept keys, policy, replication).
    """
    found = _runs_short_of(metrics, keys, ["in_flight"])
    if found is None:
        return None
    flagged, most = found
    return (
        f"{flagged} ended with {UNFINISHED_SHARE:.0%} or more of their tasks still in flight ({most}): "
        "their latencies are of the tasks that finished and their device energy per task of those that "
        "ended, not of those still waiting; "
        "metrics.parquet's in_flight and arrived count them"
    )


def dropped_runs_note(metrics: Any, keys: list[str]) -> str | None:
    """A note when some runs dropped or failed many tasks: their latencies are of the completed ones.

    A policy whose small edge queue turned away a fifth of the tasks (those that would have waited
    longest) read the lowest mean and p95 latency of its sweep, whose table has no drop column.
    ``metrics`` is the per-run table (``arrived``, ``dropped``, ``failed``); ``keys`` name a run.
    """
    found = _runs_short_of(metrics, keys, ["dropped", "failed"])
    if found is None:
        return None
    flagged, most = found
    return (
        f"{flagged} dropped or failed {UNFINISHED_SHARE:.0%} or more of their tasks ({most}): their "
        "latencies are of the tasks that completed, so a policy that drops its slowest tasks reads "
        "fast; deadline misses count the dropped and failed tasks as missed, and metrics.parquet's "
        "dropped, failed and arrived count them"
    )


def _runs_short_of(metrics: Any, keys: list[str], columns: list[str]) -> tuple[str, str] | None:
    """The runs whose ``columns`` add up to ``UNFINISHED_SHARE`` or more of their arrivals, said.

    ``("3 of 12 runs", "most: policy=edge, replication=1, 23%")``, or None when there are none; a
    long value by its size (:func:`~offloadsim.analysis.brief_values.brief_text`).
    """
    if not len(metrics) or not {"arrived", *columns} <= set(metrics.columns):
        return None
    arrived = metrics["arrived"].astype(float)
    short = metrics[columns].astype(float).sum(axis=1)
    share = short / arrived.where(arrived > 0)
    flagged = share[share >= UNFINISHED_SHARE]
    if flagged.empty:
        return None
    from offloadsim.analysis.brief_values import IN_FULL, brief_text
    from offloadsim.analysis.values import value_text  # a swept value as the table shows it

    worst = metrics.loc[flagged.idxmax()]
    # a zipped list of access points said by its size, as the table says it: whole, it filled lines
    said = {key: value_text(worst[key]) for key in keys if key in metrics.columns}
    run = ", ".join(f"{key}={brief_text(text)}" for key, text in said.items())
    cut = f" {IN_FULL}" if any(brief_text(text) != text for text in said.values()) else ""
    return f"{len(flagged)} of {len(metrics)} runs", f"most: {run}, {flagged.max():.0%}{cut}"


def pooled_applications_note(scenarios: list[Any], tasks_file: Path, by: str | None = None) -> str | None:
    """A note when the tables pool the tasks of several applications, or None.

    A summary's latency and energy are over every task of a run, whatever its application: with
    AlexNet and VGG-16 requests side by side, a mean of 209 ms is of neither. Figures refuse such
    pooling; a table says it, and how to tell the applications apart.  What counts is the
    applications that served tasks in the records of ``tasks_file`` (per value of its ``by``
    column: a comparison's policies), not those the scenario declares: an application's
    ``alternatives`` pool only where a policy chose them (``model-select``, not ``local``).
    """
    if len(application_order(scenarios)) < 2:  # one application can pool nothing: no records to read
        return None
    return pooled_note(scenarios, served_applications(tasks_file, by))


def computed_by(
    processors: Any, by: str, planned: Mapping[str, Iterable[Sequence[str]]] | None = None
) -> dict[str, set[tuple[str, ...]]] | None:
    """Per value of the ``by`` column of a processors table, the ``(node, processor)`` pairs that computed.

    Busy or a stage completed in any of its runs; None for no table (the runs not read).  With
    them, ``planned``'s ``(application, node, processor)`` triples of that value (its runs'
    ``computed``): a note on an application's layers on a processor is said only where that
    application's plans computed there, not where another application's did.
    """
    if processors is None or len(processors) == 0 or by not in processors:
        return None
    ran = processors[(processors["busy_s"] > 0) | (processors["stages_completed"] > 0)]
    computed: dict[str, set[tuple[str, ...]]] = {str(label): set() for label in processors[by].unique()}
    for label, node, name in zip(ran[by], ran["node"], ran["processor"], strict=True):
        computed[str(label)].add((node, name))
    for label, triples in (planned or {}).items():
        if str(label) in computed:
            computed[str(label)].update(tuple(each) for each in triples)
    return computed


def world_notes(
    scenario: Any,
    policies: list[Any] | None,
    world: Any,
    labels: list[str] | None = None,
    computed: Mapping[str, Collection[tuple[str, ...]]] | None = None,
    ahead: bool = False,
) -> list[str]:
    """The notes of ``scenario``'s built ``world`` (None: none): its own, and each policy's clamped cuts.

    Taken from the world the checks built (:class:`offloadsim.api.WorldOnce`), so a comparison
    reads a scenario's ``dynamics`` once; ``policies``: those it ran (default: its own), called
    by ``labels`` (``compare``'s entries) where given; ``computed``: by label, the ``(node,
    processor)`` pairs its runs computed on (:func:`computed_by`), so that a note on a processor's
    numbers is said of the runs that computed there, not of those whose policy only may (the
    scenario's own policy's runs: label ``""``); ``ahead``: said before any run (a dry run), of
    where the runs would be allowed to compute.
    """
    if world is None:  # it could not be built: its runs failed and said why
        return []
    specs = policies or [scenario.policy]
    # under each policy run, a note that holds under only some saying which; the scenario's own: its notes
    named = dict(zip(labels or [spec.name for spec in specs], specs, strict=True))
    own = None if computed is None else computed.get("")  # the scenario's own policy's runs: label ""
    notes = list(
        world.notes_under_each(named, computed, ahead)
        if policies
        else world.notes_under(computed=own, ahead=ahead)
    )
    for i, spec in enumerate(specs):
        notes += clamped_cut_notes(scenario, spec, world.layer_counts, labels[i] if labels else None)
    return notes


def kept_parameters_notes(ran: list[dict[str, Any]]) -> list[str]:
    """For each compared policy that ran with the scenario's own parameters too: what it ran as.

    ``compare --policies neurosurgeon,local`` on a file whose policy is ``{name: neurosurgeon,
    objective: energy}`` runs the energy objective, and its column said only ``neurosurgeon``; an
    entry's parameters are merged over the file's, so ``neurosurgeon(load_aware=true)`` runs it too.
    ``ran``: the manifest's ``policies`` (each entry's name, parameters and label).
    """
    from offloadsim.scenario.policy_entries import entry_text, policy_entries

    notes = []
    for p in ran:
        label = p.get("label", p["name"])
        if p.get("params") and dict(p["params"]) != dict(policy_entries([label])[0].params):
            notes.append(
                f"{label} ran with the scenario's parameters, as {entry_text(p['name'], p['params'])}"
            )
    return notes


def comparison_notes(
    scenarios: list[Any],
    world_said: list[str],
    served: Mapping[str, set[str]],
    metrics: Any,
    manifest: Mapping[str, Any],
    processors: Any,
    run_keys: list[str],
    apps_shown: str | None = None,
    nodes: Any = None,
) -> list[str]:
    """The notes under a comparison's or sweep's table, as a run's under its own, each once.

    ``world_said``: those of the scenarios' worlds (:func:`world_notes`), first.  ``served``: the
    applications that served tasks per policy (:func:`served_applications`), which tell whether
    rows pool several.  ``metrics`` (one row per run, named by ``run_keys``) tell which runs ended
    with many tasks unfinished or dropped; ``manifest`` holds the runs' LLM requests cut to the
    context window, added up per configuration, and what the runs said under their own tables
    (their own notes and recovery counts); ``processors``, the processors after their nodes' first.
    ``apps_shown``: where the result shows each application alone, which a pooling note points to.
    ``nodes``: the runs' nodes tables, whose ``drained_at`` give each configuration's time to its
    first flat battery (:func:`~offloadsim.analysis.first_flat.first_flat_note`).
    """
    notes = dict.fromkeys(world_said)
    pooled = pooled_note(scenarios, served, apps_shown)
    # Many in flight in some run: said with its consequences; else however few, with their counts.
    many = unfinished_runs_note(metrics, run_keys)
    unfinished = many or in_flight_note(metrics, run_keys)
    dropped = dropped_runs_note(metrics, run_keys)
    flat = flat_batteries_note(metrics, run_keys)  # a flat device stops sending: no other row shows it
    from offloadsim.analysis.first_flat import first_flat_note  # pandas: not on validate's path

    first = first_flat_note(nodes, metrics, run_keys)  # when: censored where none ran flat, no mean
    for extra in (pooled, unpowered_sources_note(scenarios), unfinished, dropped, flat, first):
        if extra:
            notes[extra] = None
    configs = [key for key in run_keys if key != "replication"]
    run = ["point" if "point" in metrics.columns else "policy", "replication"]
    cuts = list(manifest.get("context_cuts", ()))
    uncounted = int(manifest.get("context_cuts_uncounted_jobs", 0))
    notes.update(dict.fromkeys(context_cut_notes(metrics, cuts, configs, run, uncounted)))
    notes.update(dict.fromkeys(carried_run_notes(manifest, metrics, configs, run, processors)))
    notes.update(dict.fromkeys(idle_link_notes(scenarios, manifest, metrics, configs, run)))
    said_in_flight = many is not None  # it says what a backlog warning would: not twice
    notes.update(
        dict.fromkeys(run_warnings_notes(manifest, metrics, configs, run, in_flight_said=said_in_flight))
    )
    return list(notes)


def served_applications(tasks_file: Path, by: str | None = None) -> dict[str, set[str]]:
    """The applications that served tasks in ``tasks_file``, per value of its ``by`` column (or ``""``)."""
    import pyarrow.parquet as pq

    if not tasks_file.is_file():
        return {}
    # Grouped in Arrow: one row per (row, application) pair, however many tasks the file holds.
    key = "app" if by is None else by
    # ParquetFile.read, not read_table: the dataset layer behind read_table imports pandas.
    columns = list(dict.fromkeys(["app", key]))
    pairs = pq.ParquetFile(tasks_file).read(columns=columns, use_pandas_metadata=False).group_by(columns)
    served: dict[str, set[str]] = {}
    for pair in pairs.aggregate([]).to_pylist():
        served.setdefault("" if by is None else str(pair[by]), set()).add(str(pair["app"]))
    return served
