"""The ``compare``, ``sweep`` and ``plot`` verbs of the command line (:func:`add_experiment_commands`).

Handlers raise the library's user errors (``ExperimentError``,
``ScenarioError``, ``ResultsError`` ...) and let :func:`offloadsim.cli.main`
report them as one line ``offloadsim: error: ...`` with exit status 2.
"""

from __future__ import annotations

import argparse
import textwrap
import time
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from offloadsim.analysis.notes import counted
from offloadsim.analysis.notes import world_notes as _world_notes
from offloadsim.cli import types as cli_types
from offloadsim.errors import shown_path
from offloadsim.experiment_defaults import COMPARE_REPLICATIONS
from offloadsim.suggest import listed, quoted
from offloadsim.sweep_keys import SWEEP_KEYS

if TYPE_CHECKING:
    import pandas as pd

    from offloadsim.analysis.breakdown_registry import Breakdown
    from offloadsim.analysis.qualifiers import Qualifiers

__all__ = ["add_experiment_commands"]

EXIT_OK = 0


def _assignment(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected COLUMN=VALUE, got {quoted(text)}")
    return key.strip(), value.strip()


def _execution_flags(parser: argparse.ArgumentParser) -> None:
    # One or the other: --workers counts local processes, and on a Dask cluster its own workers run the
    # jobs (a --workers beside --scheduler was silently ignored).
    cli_types.add_policy_timeout(parser)
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=cli_types.workers,
        metavar="N",
        help="local worker processes (default: all cores; 1 = here); not with --scheduler",
    )
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on a Dask cluster, e.g. tcp://10.0.0.5:8786 (needs: pip install 'dask[distributed]')",
    )
    parser.add_argument(
        "--quiet", "-q", action="store_true", help="no progress bar and no table; print only the path"
    )


class _WhenShown(str):
    """A help text worked out when ``--help`` shows it (:class:`_KindsFormatter`), not at the parser's build.

    ``plot``'s help lists the figure kinds, an installed plug-in's included, whose entry points
    are read only then: building the parser reads none (every command builds it).
    """

    make: Callable[[], str]

    def __new__(cls, make: Callable[[], str]) -> _WhenShown:
        text = super().__new__(cls, "(the figure kinds)")
        text.make = make
        return text


class _KindsFormatter(argparse.HelpFormatter):
    """argparse's formatter, working out each :class:`_WhenShown` help as it is shown."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        shown = action.help
        return shown.make() if isinstance(shown, _WhenShown) else super()._get_help_string(action)


def add_experiment_commands(subparsers: Any) -> None:
    """Add ``compare``, ``sweep`` and ``plot`` to the ``offloadsim`` verbs (``subparsers`` of cli.main)."""
    from offloadsim.plots.kinds import KindNames, figure_kinds

    def taking(option: str) -> str:  # the kinds an option applies to, as the registry says (plug-ins too)
        return ", ".join(
            f"{kind.name}, {kind.option_note(option)}" if kind.option_note(option) else kind.name
            for kind in figure_kinds()
            if kind.takes(option)
        )

    def per_kind(option: str) -> str:  # the kinds an option applies to, then ``kind: what it does; ...``
        taken = [kind for kind in figure_kinds() if kind.takes(option)]
        plain = ", ".join(kind.name for kind in taken if not kind.option_note(option))
        noted = [f"{kind.name}: {kind.option_note(option)}" for kind in taken if kind.option_note(option)]
        return "; ".join(filter(None, [plain, *noted]))

    def kinds_help() -> str:
        listed = "; ".join(f"{kind.name}, {kind.summary}" for kind in figure_kinds())
        return f"figure to draw (default cdf): {listed}".replace("%", "%%")

    p = subparsers.add_parser(
        "compare",
        help="compare policies over replications, on common random numbers",
        description=(
            "Run each policy for N replications of a scenario; replication r of every policy uses the same "
            "seed and streams (identical arrivals). Print mean ± 95 % CI per metric and the paired "
            "difference to the baseline; write per-replication metrics, task records and the summary. "
            "--dry-run makes every check first and lists what would run, running and writing nothing."
        ),
    )
    cli_types.add_debug(p)
    p.add_argument("file", type=cli_types.given("a scenario file"), metavar="FILE", help="scenario YAML file")
    p.add_argument(
        "--policies",
        type=cli_types.policy_list,
        required=True,
        metavar="A,B,...",
        help="policies to compare, comma-separated; each NAME, or NAME(KEY=VALUE, ...) to give it "
        "parameters, labelled by its text: 'least-loaded(tiers=[edge]),least-loaded' (quoted for the shell)",
    )
    p.add_argument(
        "--replications",
        "-n",
        type=cli_types.positive,
        default=COMPARE_REPLICATIONS,
        metavar="N",
        help=f"replications (default {COMPARE_REPLICATIONS})",
    )
    p.add_argument(
        "--baseline",
        metavar="LABEL",
        help="policy the differences are taken against, as --policies writes it (default: the first)",
    )
    p.add_argument(
        "--adjust",
        choices=("none", "holm"),
        default="none",
        help="none (default): each Δ starred where its 95 %% CI excludes 0, a test at 5 %% of its own; "
        "holm: only where Holm's step-down adjustment over the table's Δs keeps it (the chance of any "
        "star from chance alone held to 5 %%)",
    )
    cli_types.add_seed(p)
    p.add_argument(
        "--set",
        dest="overrides",
        metavar="KEY.PATH=VALUE",
        type=cli_types.override,
        action="append",
        default=[],
        help="override a scenario value, e.g. --set 'links[0].bandwidth=5 Mbps' (repeatable)",
    )
    p.add_argument(
        "--out",
        type=cli_types.given("a directory"),
        metavar="DIR",
        help="output directory (default: results/<scenario>-compare-s<seed>)",
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="delete the earlier result there instead of keeping it as DIR.old-N",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="check the comparison, list its policies and runs (and a fixed plan's stations); run nothing",
    )
    _execution_flags(p)
    p.set_defaults(handler=_cmd_compare)

    p = subparsers.add_parser(
        "sweep",
        help="run a grid of scenario variants (resumable)",
        description=(
            "Run every point of a sweep file x its replications, on all local cores or a Dask cluster. "
            "Finished jobs are kept in OUT/points/; rerunning the same command runs only what is missing. "
            "Writes OUT/tasks.parquet, metrics.parquet, nodes.parquet, summary.parquet, summary.csv and "
            "manifest.json."
        ),
    )
    cli_types.add_debug(p)
    # Every section the sweep reader accepts, from its own list (set and labels were left out).
    p.add_argument(
        "file",
        type=cli_types.given("a sweep file"),
        metavar="SWEEP",
        help=f"sweep YAML file ({', '.join(SWEEP_KEYS)})",
    )
    p.add_argument(
        "--out",
        type=cli_types.given("a directory"),
        metavar="DIR",
        help="output directory (default: results/<sweep name>)",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="check the sweep, list its points (and a fixed plan's stations); run nothing",
    )
    _execution_flags(p)
    p.set_defaults(handler=_cmd_sweep)

    p = subparsers.add_parser(
        "plot",
        help="draw a figure of a run, compare or sweep directory",
        description="Draw one paper-style figure (PDF + PNG) from a results directory.",
        formatter_class=_KindsFormatter,
    )
    cli_types.add_debug(p)
    p.add_argument(
        "results",
        type=cli_types.given("a results directory"),
        metavar="RESULTS_DIR",
        help="directory written by run, compare or sweep",
    )
    p.add_argument(
        "--kind",
        choices=KindNames(),
        default="cdf",
        help=_WhenShown(kinds_help),
    )
    p.add_argument(
        "--metric",
        type=cli_types.given("a metric name"),
        metavar="NAME",
        help=_WhenShown(lambda: f"what is drawn ({per_kind('metric')})"),
    )
    p.add_argument(
        "--x",
        type=cli_types.given("a swept key"),
        metavar="KEY",
        help=_WhenShown(lambda: f"swept key on the x axis ({taking('x')})"),
    )
    p.add_argument(
        "--by",
        type=cli_types.columns,
        metavar="COLUMN[,COLUMN]",
        help=_WhenShown(
            lambda: (
                "column(s) that make the series, e.g. app or 'app,policy.objective', by default policy "
                f"({per_kind('by')})"
            )
        ),
    )
    p.add_argument(
        "--facet",
        type=cli_types.given("a column name"),
        metavar="COLUMN",
        help="one panel per value of this column, e.g. app",
    )
    p.add_argument(
        "--facet-order",
        type=cli_types.facet_values,
        metavar="VALUE[,VALUE]",
        help="the panels' values in the order they come, e.g. old,mid,new (the rest after them; "
        "default: in order of value; source_group: the scenario's order of its groups)",
    )
    p.add_argument(
        "--where",
        type=_assignment,
        action="append",
        default=[],
        metavar="COLUMN=VALUE",
        help="keep only rows with this value, e.g. --where 'links[0].bandwidth=20 Mbps' (repeatable: "
        "several columns keep the rows that have all, one column twice the rows of either value)",
    )
    p.add_argument(
        "--logx",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=_WhenShown(lambda: f"log x axis ({taking('logx')}; default: chosen from the data's range)"),
    )
    p.add_argument(
        "--logy",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=_WhenShown(lambda: f"log y axis ({taking('logy')}; default: chosen from the data's range)"),
    )
    p.add_argument(
        "--bin",
        type=cli_types.width_s,
        metavar="TIME",
        help=_WhenShown(
            lambda: (
                f"{taking('bin_s')}'s bin width, e.g. 5s "
                "(default: measured time / 60, rounded to 1, 2 or 5 × 10ⁿ)"
            )
        ),
    )
    p.add_argument(
        "--from",
        dest="from_s",
        type=cli_types.time_s,
        metavar="TIME",
        help=_WhenShown(lambda: f"draw the tasks arriving from this time on, e.g. 95s ({taking('from_s')})"),
    )
    p.add_argument(
        "--to",
        dest="to_s",
        type=cli_types.time_s,
        metavar="TIME",
        help=_WhenShown(lambda: f"draw the tasks arriving before this time, e.g. 130s ({taking('to_s')})"),
    )
    p.add_argument(
        "--size",
        choices=("one-column", "one-column-tall", "two-column", "two-column-tall"),
        help="figure size (default one-column; two-column for timeline)",
    )
    p.add_argument(
        "--out",
        type=cli_types.given("a file stem"),
        metavar="FILE",
        help="output file stem; .pdf and .png are written (default: RESULTS_DIR/figures/KIND, with the "
        "metric where the kind names it and each --where: figures/bars-app=vgg16)",
    )
    p.set_defaults(handler=_cmd_plot)


# --------------------------------------------------------------------------- handlers


def _cmd_compare(args: argparse.Namespace) -> int:
    from offloadsim import api
    from offloadsim.cli.room import check_experiment_room
    from offloadsim.experiments import COMPARE_FILES, compare, default_compare_dir
    from offloadsim.experiments.dask_cluster import dask_log_shown
    from offloadsim.experiments.executors import local_workers
    from offloadsim.experiments.jobs import MAX_JOBS
    from offloadsim.records.results import check_out_dir
    from offloadsim.scenario.input_hashes import input_files

    if args.out is not None:
        check_out_dir(args.out, args.overwrite, [args.file])
    scenario = api.load(args.file, args.overrides, "--set ")
    api.check_seed(scenario, args.seed, "--seed ")
    seed = scenario.seed if args.seed is None else args.seed
    out = Path(args.out) if args.out is not None else default_compare_dir(scenario.name, seed)
    # nor the traces, ONNX files, CSVs the runs read: --overwrite would delete them after the runs
    check_out_dir(out, args.overwrite, [args.file, *(file.path for file in input_files(scenario))])
    runs = len(args.policies) * args.replications
    if runs <= MAX_JOBS:  # more: compare refuses them, naming the limit
        at_once = 0 if args.scheduler else local_workers(args.workers, runs)
        check_experiment_room([(scenario, runs)], out, at_once)
    world = api.WorldOnce(scenario)  # read for the policies' checks and the notes: once
    if args.dry_run:
        return _compare_dry_run(args, scenario, seed, out, world)
    with dask_log_shown(getattr(args, "debug", False)):  # Dask's own log on stderr with --debug
        result = compare(
            scenario,
            args.policies,
            args.replications,
            baseline=args.baseline,
            workers=args.workers,
            seed=seed,
            scheduler=args.scheduler,
            progress=not args.quiet,
            policy_option="--policies ",
            world=world,
            policy_timeout=args.policy_timeout,
        )
    result.manifest["overrides"] = list(args.overrides)
    result.manifest["scenario_file"] = args.file
    result.manifest["adjust"] = args.adjust  # the table's stars, here and in summary.txt
    result.write(out, overwrite=args.overwrite)
    if args.quiet:
        print(out)
        return EXIT_OK
    print(result.format_table(notes=False))
    drops = result.drop_lines()
    if drops:
        print("\n" + "\n".join(drops))
    for note in result.notes:  # the comparison's own (its manifest's), as a Python user reads them
        print(f"note: {note}")
    print(f"\n{len(result.metrics)} runs in {result.manifest['wall_s']:.1f} s of wall time")
    files = result.manifest.get("files") or COMPARE_FILES  # a plug-in's record tables too, where kept
    from offloadsim.scenario.inputs_folder import INPUTS_FOLDER

    kept = f", {INPUTS_FOLDER}/" if (Path(out) / INPUTS_FOLDER).is_dir() else ""  # the files it read, copied
    print(f"results: {out}/  ({', '.join(files)}{kept})")
    return EXIT_OK


def _compare_dry_run(args: argparse.Namespace, scenario: Any, seed: int, out: Path, world: Any) -> int:
    """``compare --dry-run``: what a comparison would run, checked as it checks it; nothing run or written.

    Compare's own checks and plan (:func:`~offloadsim.experiments.compare.plan_compare`: what it
    refuses is refused here, its warnings said), the world built and checked as ``run --dry-run``
    builds it (validate's trial request of each plug-in kind of work), then each entry with the
    policy and parameters it runs, the topology, each entry's clamped cuts and each different
    ``fixed`` plan's stations once, headed by the entries it is of.
    """
    from offloadsim.cli.worlds import built_world, print_world, station_lines
    from offloadsim.experiments.compare import plan_compare
    from offloadsim.experiments.jobs import point_text
    from offloadsim.scenario.errors import ScenarioWarning

    plan = plan_compare(
        scenario,
        args.policies,
        args.replications,
        args.baseline,
        seed=seed,
        out=out,
        overwrite=args.overwrite,
        policy_option="--policies ",
        world=world,
    )
    for problem in plan.warnings:  # said as the comparison says them, each once
        warnings.warn(ScenarioWarning(str(problem)), stacklevel=2)
    built = built_world(scenario, world)  # a bad world, or a kind of work's trial request, is refused here
    specs = [plan.specs[label] for label in plan.names]
    # none: not fixed; its trial decisions each under --policy-timeout, as a run's
    tables = [
        station_lines(spec, built, plan.scenario.seed, policy_timeout_s=args.policy_timeout) for spec in specs
    ]
    if args.quiet:  # every check made: only the directory the comparison would write, as a run prints it
        print(out)
        return EXIT_OK
    print(
        f"ok: {counted(len(plan.names), 'policy', 'policies')} x "
        f"{counted(plan.replications, 'replication')} = {counted(len(plan.jobs), 'job')} "
        f"(seed {plan.scenario.seed}; results to {out})"
    )
    for label, spec in zip(plan.names, specs, strict=True):
        said = point_text([("policy.name", spec.name), *((f"policy.{k}", v) for k, v in spec.params.items())])
        print(f"  {label}" + (" (baseline)" if label == plan.baseline else "") + f": {said}")
    print_world(built, dict(zip(plan.names, specs, strict=True)))  # its notes: under each entry's policy
    if built is not None:  # each entry's clamped cuts; the world's own notes end its summary
        own = len(built.notes_under_each(dict(zip(plan.names, specs, strict=True))))
        for note in dict.fromkeys(_world_notes(scenario, specs, built, plan.names)[own:]):
            print(f"note: {note}")
    groups = _same_tables(tables)
    for table, at in groups.items():
        entries = listed([plan.names[i] for i in at])
        print(f"fixed plan's stations of {'policies' if len(at) > 1 else 'policy'} {entries}:")
        for line in table:
            print(line)
    print("dry run: nothing simulated, nothing written")
    return EXIT_OK


def _cmd_sweep(args: argparse.Namespace) -> int:
    from offloadsim.cli.room import check_experiment_room
    from offloadsim.cli.worlds import station_lines
    from offloadsim.experiments import SWEEP_FILES, default_sweep_dir, expand, load_sweep, plan_sweep, sweep
    from offloadsim.experiments.dask_cluster import dask_log_shown
    from offloadsim.experiments.executors import local_workers
    from offloadsim.experiments.jobs import point_text
    from offloadsim.experiments.sweep import check_sweep_out, point_notes, point_world_notes
    from offloadsim.experiments.sweep_merge import PointNotes, said_at

    started = time.perf_counter()  # the printed wall time: the whole command, its planning and merge too
    spec = load_sweep(args.file)
    # what the sweep refuses of --out, said before planning, and by a dry run ("nothing written", exit 0)
    out = check_sweep_out(args.out if args.out is not None else default_sweep_dir(spec), spec.name)
    world_notes: dict[int, PointNotes] = {}  # each point's, from the world its checks built, once it has run
    noted: dict[str, list[int]] = {}  # a dry run's: each of those notes, with the points it is of
    tables: list[list[str]] = []  # a dry run's: each listed point's fixed plan's stations (none: [])
    points = expand(spec)  # the grid, once: the notes' entry labels and the dry run's list

    def keep_notes(index: int, scenario: Any, world: Any) -> None:
        if args.dry_run and index < _LISTED:  # the points it lists
            # a plug-in's fault at 0 s (an EngineError) refuses the point: plan_sweep lists it in order
            tables.append(
                station_lines(scenario.policy, world(), scenario.seed, policy_timeout_s=args.policy_timeout)
            )
        if args.quiet and args.dry_run:  # its --quiet prints the directory: no notes
            return
        if not args.dry_run:  # said of where its runs computed, once they have
            world_notes[index] = point_notes(spec, points[index], scenario, world)
            return
        notes = point_world_notes(spec, points[index], scenario, world(), ahead=True)
        for note in dict.fromkeys(notes):  # the world planning built for its checks: none built again
            noted.setdefault(note, []).append(index)

    # A run builds each point's world in its job as well (in its own process).
    jobs = plan_sweep(spec, worlds=args.dry_run, with_world=keep_notes, progress=not args.quiet)
    at_once = 0 if args.scheduler else local_workers(args.workers, len(jobs))
    check_experiment_room([(job.scenario, 1) for job in jobs], out, at_once, sweep_file=str(spec.file))
    if args.dry_run and args.quiet:  # every check made: only the directory the sweep would write
        print(out)
        return EXIT_OK
    if args.dry_run:
        from offloadsim.experiments.sweep_merge import job_file_problem, jobs_by_key

        # Those the sweep would reuse: a file it cannot reuse (cut short, edited, another job's) is run again.
        claims = jobs_by_key(jobs)
        done = sum(
            job_file_problem(out / "points" / f"{job.key}.parquet", claims[job.key]) is None for job in jobs
        )
        print(
            f"ok: {counted(len(points), 'point')} x {counted(spec.replications, 'replication')} = "
            f"{counted(len(jobs), 'job')} "
            f"({done} already finished in {out})"
        )
        for i, point in enumerate(points[:_LISTED]):
            print(f"  point {i}: " + (point_text(point.items()) or "(base scenario)"))
        if len(points) > _LISTED:
            print(f"  ... and {len(points) - _LISTED} more")
        for line in said_at([(i, note) for note, at in noted.items() for i in at], range(len(points))):
            print(f"note: {line}")  # a GPU line per precision: one line, with the points it is of
        for line in _station_tables(tables, len(points)):
            print(line)
        print("dry run: nothing simulated, nothing written")
        return EXIT_OK
    with dask_log_shown(getattr(args, "debug", False)):  # Dask's own log on stderr with --debug
        result = sweep(
            spec,
            out=out,
            workers=args.workers,
            scheduler=args.scheduler,
            progress=not args.quiet,
            policy_timeout=args.policy_timeout,
            jobs=jobs,
            world_notes=world_notes,
        )
    if args.quiet:
        print(out)
        return EXIT_OK
    print(_sweep_table(result))
    from offloadsim.analysis.breakdown_list import registered_breakdowns

    breakdowns = [_sweep_breakdown_table(result, breakdown) for breakdown in registered_breakdowns()]
    for table in (_sweep_group_table(result), *breakdowns):
        if table:
            print("\n" + table)
    for note in result.notes:  # the sweep's own (its manifest's), as a Python user reads them
        print(f"note: {note}")
    print(
        f"\n{len(result.metrics)} jobs: {result.ran} run{_other_code(result.other_code)}, "
        f"{result.reused} reused, "
        f"in {time.perf_counter() - started:.1f} s of wall time "
        f"({result.manifest['wall_s']:.1f} s of it checking and running jobs, the manifest's wall_s)"
    )
    from offloadsim.scenario.inputs_folder import INPUTS_FOLDER

    kept = f", {INPUTS_FOLDER}/" if (Path(out) / INPUTS_FOLDER).is_dir() else ""  # the files it read, copied
    print(f"results: {out}/  ({', '.join(result.manifest.get('files') or SWEEP_FILES)}, points/{kept})")
    return EXIT_OK


def _other_code(count: int) -> str:
    """Why a resumed sweep ran jobs it had saved: their files are of other code (a job's key hashes it)."""
    return f" ({count} saved by other code)" if count else ""


#: The points a sweep's dry run lists, and tables the fixed plan of.
_LISTED = 50


def _same_tables(tables: list[list[str]]) -> dict[tuple[str, ...], list[int]]:
    """Each different table of ``tables`` (none: ``[]``, left out), with the indices of those it is."""
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, lines in enumerate(tables):
        if lines:
            groups.setdefault(tuple(lines), []).append(i)
    return groups


def _station_tables(tables: list[list[str]], points: int) -> list[str]:
    """A sweep's dry run's fixed plans: each different table once, headed by the points it is of.

    ``tables``: the first points' (those listed), in order; none for a point whose policy is not
    ``fixed``.  One table for every point reads ``at every point``; a swept key that changes the
    plan (a cut, a link's latency, a processor) makes one table per plan it makes.
    """
    groups = _same_tables(tables)
    out: list[str] = []
    every = len(groups) == 1 and len(tables) == points and all(tables)
    for table, at in groups.items():
        if every:
            out.append("fixed plan's stations at every point:")
        else:
            said = listed([str(i) for i in at])
            out.append(f"fixed plan's stations at point{'s' if len(at) > 1 else ''} {said}:")
        out += table
    if groups and len(tables) < points:
        out.append(f"(the stations of the points after point {len(tables) - 1} are not shown)")
    return out


def _sweep_table(result: Any, limit: int = 40, qualifiers: Mapping[str, Qualifiers] | None = None) -> str:
    """Mean ± CI of the headline metrics per point, one line per point, and the lines the headings omit.

    ``qualifiers``: what bounds or qualifies each point's numbers, by its number as text (default:
    :func:`~offloadsim.analysis.qualifiers.point_qualifiers` of the result's manifest and metrics).

    Each cell as compare's (:meth:`~offloadsim.analysis.catalogue.Metric.format`: its digits from the
    CI's half-width, ``± 0`` where every replication agreed), each swept value as the figures and
    ``--where`` show it (:func:`~offloadsim.analysis.values.value_text`), under the name the figures
    give its key (the manifest's ``labels``: ``mobility in-flight rule``, not
    ``dynamics[0].in_flight``), with the unit of plain numbers
    (:func:`~offloadsim.analysis.values.table_heading`: ``failures MTTR (s)``).  ``summary.csv``
    keeps the key paths as its columns, as ``--where`` takes them.

    A table wider than :data:`~offloadsim.cli.table_fit.TABLE_WIDTH` wraps its longest headings
    (:func:`~offloadsim.cli.table_fit.fit_table`); one too wide even so leaves out the columns that
    say nothing its rows do not (a swept key null in every row, or a policy parameter each row's
    policy label names: ``node`` beside ``fixed(node=jet-0)``; a metric with no value in any row),
    one line naming them, and prints the rest in blocks: an LLM sweep's table was 380 characters wide.
    """
    from offloadsim.analysis.brief_values import IN_FULL, brief_text
    from offloadsim.analysis.catalogue import basis_lines, metric_info, sweep_columns
    from offloadsim.analysis.groups import pooled_groups
    from offloadsim.analysis.overload_marks import OVERLOAD_MARK, Overloaded, runs_footnote
    from offloadsim.analysis.qualifiers import PLAIN, point_qualifiers
    from offloadsim.analysis.raw_input import raw_input_meanings, with_meaning
    from offloadsim.analysis.table_notes import window_text
    from offloadsim.analysis.values import NO_PARAMETER, NO_PARAMETER_LINE, shown_value, table_heading
    from offloadsim.cli.table_fit import TABLE_WIDTH, fit_table, wrapped_width
    from offloadsim.experiments.compare import NO_DEADLINES, fewer_runs_text, table_metrics
    from offloadsim.point_spans import keyed_values

    summary = result.summary
    replications = result.manifest.get("replications")
    served = set(summary.loc[summary["mean"].notna(), "metric"])
    headline = [
        "latency_mean_s",
        # The tail a capacity planner sizes for ("99 % within 100 ms"), read from the table first:
        # p99, not p95 (summary.csv keeps both).  One tail column, not two: a camera sweep's table
        # with both was 120 characters wide, at the limit, with p99 alone 110.  A table of what
        # keeps p95 alone (groups.csv, the table per source group) shows its p95, not a p99 of "-".
        "latency_p95_s"
        if {"latency_p95_s"} == {"latency_p95_s", "latency_p99_s"} & set(summary["metric"])
        else "latency_p99_s",
        # The registered metrics under the latency rows: where LLM requests were served, their time to
        # first token, per output token and tokens/s; latency fairness, where two sources or more.
        *sweep_columns(served, by_latency=True),
        "deadline_miss_rate",
        "fail_rate",
        "retry_rate",
        # As compare's table: what an overloaded point's warning speaks of (a summary without it: none).
        *[name for name in ("throughput_per_s",) if name in served],
        "device_energy_mean_j",
        # The other registered metrics' (batteries: a flat one stops sending, which no column above shows).
        *sweep_columns(served, by_latency=False),
    ]
    columns = table_metrics(headline, summary)  # failed tasks where some run failed one, as compare's
    if getattr(result, "own_metrics_only", False):  # an application's table: no device energy column of "-"
        columns = [c for c in columns if c in set(summary["metric"])]
    swept = list(result.manifest.get("swept", []))
    labels = result.manifest.get("labels") or {}
    meanings = raw_input_meanings(result.manifest)  # an input of 0 B: the model's own tensor, said
    # Each policy by its label, as the tables' policy column: fixed(cuts=[4]), not fixed.
    shown_as = _shown_as(swept, summary.columns)
    headings = [table_heading(k, summary[shown_as[k]].tolist(), labels.get(k)) for k in swept]
    rows = [[*headings, *(metric_info(c).heading for c in columns)]]
    firsts = []
    cut: set[int] = set()  # the swept keys some of whose values are too long for a cell: said by size
    # What bounds or qualifies each point's numbers; a point some run of which never reached a steady
    # state: its row's first cell marked, a line under it.
    if qualifiers is None:
        qualifiers = point_qualifiers(result.manifest, getattr(result, "metrics", None))
    marked: dict[int, tuple[str, Overloaded]] = {}  # its row's index -> its keys' values and its runs
    for _, group in summary.groupby("point", sort=True):
        first = group.iloc[0]
        firsts.append(first)
        raw = [first[shown_as[k]] for k in swept]
        values = [shown_value(k, v) for k, v in zip(swept, raw, strict=True)]
        cut.update(i for i, text in enumerate(values) if brief_text(text) != text)
        row = [
            with_meaning(brief_text(t), k, v, meanings) for t, k, v in zip(values, swept, raw, strict=True)
        ]
        point = qualifiers.get(str(first["point"]), PLAIN)
        if point.overloaded is not None:
            marked[len(rows)] = (keyed_values(headings, row), point.overloaded)  # "at phone (count) 100"
        for column in columns:
            match = group[group["metric"] == column]
            if match.empty or match["mean"].isna().all():
                # No run of the point had a task with a deadline: say so, as `run` and `compare` do.
                row.append(NO_DEADLINES if column == "deadline_miss_rate" and not match.empty else "-")
                continue
            # To the CI's precision, as compare's table: 8.7 ± 0.1 ms, not a small one's "0.0 ± 0.0".
            mean, half = float(match["mean"].iloc[0]), float(match["ci"].iloc[0])
            text = point.cell(column, mean, half, metric_info(column).format(mean, half))
            row.append(text + fewer_runs_text(int(match["n"].iloc[0]), replications))
        rows.append(row)
    shown = rows[: limit + 1]
    keys, left_out = len(swept), ""  # a wide table's keys and metrics that say nothing, and why
    if wrapped_width(shown) > TABLE_WIDTH:  # too wide even with its headings wrapped
        said = _said_elsewhere(swept, shown_as, firsts[:limit])
        why = {i: said[k] for i, k in enumerate(swept) if k in said}
        for i in range(len(swept), len(rows[0])):  # a metric with no value in any row shown
            cells = {row[i] for row in shown[1:]}
            if cells <= {"-"} or cells == {NO_DEADLINES}:
                why[i] = "no value in any row" if cells <= {"-"} else "no task had a deadline"
        shown = [[cell for i, cell in enumerate(row) if i not in why] for row in shown]
        keys -= len(said)
        left_out = "; ".join(
            f"{', '.join(rows[0][i] for i in why if why[i] == reason)} ({reason})"
            for reason in dict.fromkeys(why.values())
        )
    for i in marked:  # the row's first cell shown (a wide table's may have left its key out), marked
        if i < len(shown) and shown[i]:
            shown[i][0] += f" {OVERLOAD_MARK}"
    window = window_text(result.manifest)
    reps = result.manifest.get("replications")
    # One replication per point has no interval: the title says so rather than promise one.
    over = "one replication per point, no CI" if reps == 1 else f"mean ± 95 % CI over {reps} replications"
    lines = [f"{result.manifest.get('name')}: {over}" + (f"; {window}" if window else "")]
    lines += [pooled] if (pooled := pooled_groups(getattr(result, "groups", None), "table")) else []
    lines += fit_table(shown, keys)
    if cut:  # a zipped list of access points made the table hundreds of characters wide
        sized = ", ".join(headings[i] for i in sorted(cut))
        lines += textwrap.wrap(f"{sized}: said by size where too long for a cell {IN_FULL}", TABLE_WIDTH)
    if left_out:
        lines += textwrap.wrap(f"left out (in summary.csv): {left_out}", TABLE_WIDTH, break_on_hyphens=False)
    if len(rows) - 1 > limit:
        lines.append(f"... and {len(rows) - 1 - limit} more points (see summary.csv)")
    if any(cell == NO_PARAMETER for row in shown[1:] for cell in row[:keys]):
        lines.append(NO_PARAMETER_LINE)
    # What a heading has no room for ("above idle"), said under the table rather than widening it.
    lines += basis_lines([c for c in columns if metric_info(c).heading in shown[0]])
    # The line names the marked rows shown; those past the limit are counted apart, as no row shows them.
    beyond = [found for i, (_, found) in marked.items() if i > limit]
    named = {label: found for i, (label, found) in marked.items() if i <= limit}
    lines += [line] if (line := runs_footnote(named, "at ", beyond)) else []
    return "\n".join(lines)


def _sweep_group_table(result: Any, limit: int = 40) -> str:
    """The sweep's table per source group (``groups.csv``): :func:`_sweep_table`, a row a point and group.

    Its group first, then the point's swept values and the metrics compare's table per group
    shows; over ``limit`` rows, one line naming ``groups.csv`` instead.  "" where the tasks' sources
    are of one group.
    """
    from offloadsim.analysis.group_warned import overload_concerned
    from offloadsim.analysis.groups import GROUP_BATTERY_METRICS, GROUP_COLUMN
    from offloadsim.analysis.qualifiers import group_qualifiers

    groups = result.groups
    if groups is None or not len(groups):
        return ""
    if "metric" in groups.columns:  # the batteries per group are groups.csv's, not the printed table's
        groups = groups[~groups["metric"].isin(GROUP_BATTERY_METRICS)]
    # Each point's, under the (point, group) rows' numbers: its overload the row's of each group some
    # overload warning of the point's runs concerned (as their facts say; else groups.csv's warned,
    # any warning's), every group's where not known.
    warned = overload_concerned(groups, result.manifest.get("run_warnings") or [], "point")
    return _sweep_keyed_table(
        result, groups, ("group", GROUP_COLUMN, "source group", "groups.csv"), limit,
        lambda found, point, group: group_qualifiers(found, warned.get((str(point), group), 0)),
    )  # fmt: skip


def _sweep_breakdown_table(result: Any, breakdown: Breakdown, limit: int = 40) -> str:
    """A sweep's table of a breakdown (``apps.csv``): :func:`_sweep_table`, a row a point and value.

    Its value first, then the point's swept values and the metrics compare's table of the
    breakdown shows (an application's: an LLM's ttft and tpot where one served requests), each row
    qualified as its point's row is, through the breakdown's ``qualify``; over ``limit`` rows, one
    line naming its file.  Under it, the values some points served none of.  "" for one value.
    """
    from offloadsim.analysis.unserved_values import unserved, unserved_line

    frame = getattr(result, "breakdowns", {}).get(breakdown.name)
    key = breakdown.column
    if frame is None or frame[key].nunique() < 2:
        return ""
    optional = set(frame.loc[frame["metric"].isin(breakdown.optional), key].astype(str))
    shown = frame[frame["metric"].isin(breakdown.table_metrics)]

    def qualify(found: Qualifiers, _: Any, value: str) -> Qualifiers:
        return breakdown.qualify(found, value in optional)

    table = _sweep_keyed_table(
        result, shown, (key, key, breakdown.what[0], breakdown.file), limit, qualify, own_metrics_only=True
    )
    line = unserved_line(
        unserved(frame, result.summary["point"], key),
        result.summary["point"].nunique(),
        _point_values(result),
        breakdown.file,
    )
    return f"{table}\n{line}" if line else table


def _shown_as(swept: list[str], columns: pd.Index) -> dict[str, str]:
    """Each swept key's column in a summary: ``policy.name`` as its ``policy`` label, where it has one."""
    return {k: "policy" if k == "policy.name" and "policy" in columns else k for k in swept}


def _point_values(result: Any) -> Callable[[int], str]:
    """A sweep's point as its table's row names it (:func:`~offloadsim.point_spans.point_describer`)."""
    from offloadsim.point_spans import point_describer

    manifest = result.manifest
    return point_describer(result.summary, list(manifest.get("swept", [])), manifest.get("labels"))


def _sweep_keyed_table(
    result: Any,
    frame: pd.DataFrame,
    key: tuple[str, str, str, str],
    limit: int,
    qualify: Callable[[Qualifiers, Any, str], Qualifiers],
    own_metrics_only: bool = False,
) -> str:
    """:func:`_sweep_table` of ``frame``, a row a point and value of its column ``key[0]``.

    ``key``: that column, the swept key its values are shown as (before the sweep's own), its
    heading and the file that holds the rows; over ``limit`` rows, one line naming the file.
    ``qualify(point's qualifiers, point, value)``: a row's qualifiers; ``own_metrics_only``: no
    column of a headline metric ``frame`` has no row of (an application's: no device energy).
    """
    from types import SimpleNamespace

    from offloadsim.analysis.qualifiers import PLAIN, point_qualifiers

    column, shown_as, heading, file = key
    named = list(dict.fromkeys(frame[column].astype(str)))
    title = f"{result.manifest.get('name')} per {heading} ({', '.join(named)})"
    rank = frame[column].astype(str).map({g: i for i, g in enumerate(named)})
    rows = frame.assign(_rank=rank).sort_values(["point", "_rank"], kind="stable")
    pairs = rows[["point", "_rank"]].drop_duplicates()
    if len(pairs) > limit:
        return f"{title}: {len(pairs)} rows, in {file}"
    # Each (point, value) a point of its own, the value a swept key before the sweep's own.
    number = {pair: i for i, pair in enumerate(pairs.itertuples(index=False, name=None))}
    row_of = [number[pair] for pair in zip(rows["point"], rows["_rank"], strict=True)]
    view = rows.drop(columns=["_rank", column]).assign(point=row_of)
    view.insert(0, shown_as, rows[column].astype(str))
    swept = [shown_as, *result.manifest.get("swept", [])]
    labels = {**(result.manifest.get("labels") or {}), shown_as: heading}
    points = point_qualifiers(result.manifest, getattr(result, "metrics", None))
    qualifiers = {
        str(i): qualify(points.get(str(point), PLAIN), point, named[rank])
        for (point, rank), i in number.items()
    }
    manifest = {**result.manifest, "name": title, "swept": swept, "labels": labels}
    table = SimpleNamespace(summary=view, manifest=manifest, own_metrics_only=own_metrics_only)
    return _sweep_table(table, limit, qualifiers)


def _said_elsewhere(swept: list[str], shown_as: dict[str, str], firsts: list[Any]) -> dict[str, str]:
    """The swept keys whose column a wide table can leave out, each with why: it says nothing else does.

    Null in every row shown (a policy parameter's: not applicable, as its cells' ``–`` say), or a
    policy parameter whose every value is named by its row's policy label (``fixed(node=jet-0)``
    beside ``node jet-0``, or null for a policy that takes none).
    """
    from offloadsim.analysis.values import NO_PARAMETER, policy_label_shows, shown_value, value_text

    said: dict[str, str] = {}
    labelled = "policy.name" in swept and shown_as["policy.name"] == "policy"
    for key in swept:
        if key == "policy.name":
            continue
        values = [first[shown_as[key]] for first in firsts]
        if all(value_text(v) == "null" for v in values):  # as its cells show it: a policy's as –
            said[key] = (
                "not applicable in every row"
                if shown_value(key, None) == NO_PARAMETER
                else "null in every row"
            )
        elif labelled and all(
            policy_label_shows(key, f["policy"], v) for f, v in zip(firsts, values, strict=True)
        ):
            said[key] = "the policy names them"
    return said


def _write_figure_table(table: Any, target: Path, suffix: str = "csv") -> Path:
    """Write a figure's data as ``STEM.SUFFIX`` beside its PDF and PNG (whole or not at all)."""
    from offloadsim.outdir import atomic_write
    from offloadsim.plots.style import figure_files

    path = figure_files(target, (suffix,))[0]
    return atomic_write(
        path, lambda tmp: table.to_csv(tmp, index=False, float_format="%.9g", lineterminator="\n")
    )


def _write_record(record: dict[str, Any], target: Path) -> Path:
    """Write ``STEM.plot.json`` (the command that drew the figure, the results it read) beside it."""
    from offloadsim.cli.plot_record import RECORD_SUFFIX, record_text
    from offloadsim.outdir import atomic_write
    from offloadsim.plots.style import figure_files

    text = record_text(record)

    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    return atomic_write(figure_files(target, (RECORD_SUFFIX,))[0], write)


def _cmd_plot(args: argparse.Namespace) -> int:
    from offloadsim.cli.plot_record import figure_metadata, plot_command, plot_record
    from offloadsim.experiments import read_results
    from offloadsim.plots import default_figure_name, figure_files, save_figure
    from offloadsim.plots.results import plot_with_tables

    chosen: dict[str, tuple[str, ...]] = {}
    for column, value in args.where:  # one column twice: the rows of either value (AND across columns)
        chosen[column] = (*chosen.get(column, ()), value)
    if args.out:  # a directory or a device as --out, or one under a file, is refused before anything is read
        figure_files(args.out)
    results = read_results(args.results)
    # latency-time's bins beside it (its tables), so that a paper's numbers are the figure's
    figure, tables = plot_with_tables(
        results,
        args.kind,
        metric=args.metric,
        x=args.x,
        by=args.by,
        facet=args.facet,
        facet_order=args.facet_order,
        where=chosen,
        size=args.size,
        logx=args.logx,
        logy=args.logy,
        bin_s=args.bin,
        from_s=args.from_s,
        to_s=args.to_s,
    )
    target = (
        Path(args.out)
        if args.out
        else results.path / "figures" / default_figure_name(args.kind, args.metric, chosen)
    )
    # The command and the results it read, in the files and beside them: a figure a colleague can redraw.
    record = plot_record(plot_command(args), results.path)
    try:
        files = save_figure(figure, target, metadata=figure_metadata(record))
        files += [_write_figure_table(table, target, suffix) for suffix, table in tables.items()]
        files.append(_write_record(record, target))
    except OSError as error:
        from offloadsim.experiments import ExperimentError

        raise ExperimentError(
            f"cannot write the figure to {shown_path(target)}: {error.strerror or error}"
        ) from None
    for file in files:
        print(file)
    return EXIT_OK
