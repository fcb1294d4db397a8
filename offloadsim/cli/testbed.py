"""The ``testbed`` verb: ``offloadsim testbed run|flows|check|clean`` (:func:`add_testbed_command`).

A user's mistake (bad option, no root, no namespaces, an unknown model or
profile) prints one line ``offloadsim: error: ...`` and exits 2. Ctrl-C (exit
130) or SIGTERM (exit 143) stop the run and remove its workers and
namespaces, leaving no results directory behind.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import math
import sys
from pathlib import Path
from typing import Any

from offloadsim.suggest import quoted
from offloadsim.unseen import escape_unseen
from offloadsim.userdirs import cache_dir

__all__ = ["add_testbed_command"]

EXIT_OK = 0
EXIT_USAGE = 2
_PREFIX = "offloadsim: error: "


def _quantity(kind: str) -> Any:
    """Type of an option that takes a ``kind`` of quantity (``5 ms``, ``10 Mbps``): never negative.

    A negative one (``--latency=-1ms``) was refused later by the testbed, without naming the option.
    """

    def parse(text: str) -> float:
        from offloadsim.scenario.units import UnitError, parse_quantity

        try:
            value = parse_quantity(text, kind)
        except UnitError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        if value < 0:
            raise argparse.ArgumentTypeError(f"expected a {kind} of at least 0, got {quoted(text)}")
        return value

    parse.__name__ = kind  # argparse names the type in its messages
    return parse


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {quoted(text)}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1 (exclusive), got {quoted(text)}")
    return value


def _link_model(p: argparse.ArgumentParser) -> None:

    p.add_argument(
        "--link-model",
        default="max-min",
        metavar="NAME",
        help="the simulator's link model for the predictions: max-min (default) or fifo, or a plug-in's; "
        "written into the scenario the testbed saves",
    )


def _common(p: argparse.ArgumentParser) -> None:
    from offloadsim.cli import types as cli_types

    p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")
    _link_model(p)
    p.add_argument(
        "--rate",
        type=_quantity("bandwidth"),
        default=10e6,
        metavar="BW",
        help="access link rate (default 10 Mbps)",
    )
    p.add_argument(
        "--latency",
        type=_quantity("time"),
        default=0.0,
        metavar="T",
        help="one-way propagation latency, added by the receiver (default 0 ms)",
    )
    p.add_argument(
        "--queue",
        type=_quantity("size"),
        default=1024**2,
        metavar="SIZE",
        help="tbf's drop-tail queue in front of the link (default 1 MiB)",
    )
    p.add_argument(
        "--devices",
        type=cli_types.positive,
        default=1,
        metavar="N",
        help="devices sharing the link",
    )
    p.add_argument(
        "--seed",
        type=cli_types.count,
        default=0,
        metavar="N",
        help="seed of arrivals (default 0)",
    )
    p.add_argument(
        "--time-limit",
        type=_quantity("time"),
        default=None,
        metavar="T",
        help="stop and fail a run that takes longer (default: generous against the predicted length, "
        "at least 600 s)",
    )
    p.add_argument(
        "--out",
        type=cli_types.given("a directory"),
        metavar="DIR",
        help="results directory (default results/testbed/<what>-<time>)",
    )
    p.add_argument(
        "--overwrite", action="store_true", help="replace an earlier result (default: keep it as DIR.old-N)"
    )


def add_testbed_command(subparsers: Any) -> None:
    """Add ``testbed`` and its sub-verbs to the ``offloadsim`` verbs."""
    from offloadsim.cli import types as cli_types

    p = subparsers.add_parser(
        "testbed",
        help="measure real split inference over emulated links and compare with the simulator (root)",
        description=(
            "An emulated testbed on this machine: network namespaces joined by veth pairs, the access "
            "link shaped with tc tbf, real onnxruntime inference on each side and real TCP between them. "
            "It writes what it ran as a scenario, simulates it and reports predicted against measured. "
            "Needs root. See docs/testbed.md."
        ),
    )
    p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")
    sub = p.add_subparsers(
        dest="testbed_command",
        metavar="run|flows|campaign|check|clean",
    )
    p.set_defaults(handler=_no_sub_verb)

    r = sub.add_parser(
        "run",
        help="split inference: the device runs the first layers, the edge the rest",
        description="Measure split inference of a zoo model on the testbed, simulate it, compare.",
    )
    r.add_argument(
        "--model",
        default="alexnet",
        metavar="NAME",
        help="zoo CNN, NAME or NAME@SIZE (default alexnet)",
    )
    r.add_argument(
        "--split",
        default="middle",
        metavar="K",
        help="layers run on the device: a number, local (all), middle or offload (none) (default middle)",
    )
    r.add_argument(
        "--requests",
        type=cli_types.positive,
        default=20,
        metavar="N",
        help="requests per device (default 20)",
    )
    r.add_argument(
        "--pattern",
        choices=("closed", "poisson"),
        default="closed",
        help="closed: one request at a time per device; poisson: an open stream at --load (default closed)",
    )
    r.add_argument(
        "--load",
        type=_fraction,
        metavar="U",
        help="poisson: load of the busiest resource (default 0.5)",
    )
    r.add_argument(
        "--think",
        type=_quantity("time"),
        metavar="T",
        help="closed: pause between requests (0 ms)",
    )
    r.add_argument(
        "--connections",
        type=cli_types.positive,
        default=4,
        metavar="N",
        help="TCP connections per device (4)",
    )
    r.add_argument(
        "--profile",
        default="epyc-ort-1t",
        metavar="NAME",
        help="calibrated profile of this machine (default epyc-ort-1t, shipped: measured on 2026-12-02 on an "
        "AMD EPYC cloud VM, not necessarily this one; calibrate yours and name it here)",
    )
    r.add_argument("--pin", action="store_true", help="pin the edge to the last CPU and device i to CPU i")
    r.add_argument(
        "--cache",
        metavar="DIR",
        help=f"where exported ONNX parts are kept (default {cli_types.directory_help(cache_dir('testbed'))})",
    )
    _common(r)
    r.set_defaults(handler=_cmd_run)

    f = sub.add_parser(
        "flows",
        help="concurrent uploads through one shaped link: TCP sharing against max-min sharing",
        description="Every device uploads the same bytes at once, round after round; compare their times.",
    )
    f.add_argument(
        "--size",
        type=_quantity("size"),
        default=500e3,
        metavar="SIZE",
        help="bytes per flow (500 KB)",
    )
    f.add_argument(
        "--rounds",
        type=cli_types.positive,
        default=5,
        metavar="N",
        help="rounds of flows (default 5)",
    )
    f.add_argument(
        "--stagger",
        type=_quantity("time"),
        default=0.0,
        metavar="T",
        help="device i starts i*T after its round starts (default 0 ms)",
    )
    _common(f)
    f.set_defaults(handler=_cmd_flows, devices=4)

    g = sub.add_parser(
        "campaign",
        help="the validation campaign: models x splits x links x load, repeated, with tables and a figure",
        description=(
            "Run every configuration of the validation grid on a fresh testbed, repetition after "
            "repetition; keep each run, skip finished ones (an interrupted campaign resumes), and write "
            "runs.csv, validation.csv, flows.csv and the predicted-vs-measured figure."
        ),
    )
    g.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")
    g.add_argument(
        "--results",
        default="results/testbed-validation",
        metavar="DIR",
        help="where runs are kept",
    )
    g.add_argument(
        "--figure",
        metavar="DIR",
        help="where the figure goes (default: the results directory)",
    )
    g.add_argument(
        "--repetitions",
        type=cli_types.positive,
        metavar="N",
        help="fresh runs each (3)",
    )
    g.add_argument(
        "--requests",
        type=cli_types.positive,
        metavar="N",
        help="requests per run (20)",
    )
    g.add_argument(
        "--models",
        type=cli_types.names,
        default=None,
        metavar="A,B",
        help="zoo models",
    )
    g.add_argument(
        "--splits",
        type=cli_types.names,
        default=None,
        metavar="A,B",
        help="local, middle, offload",
    )
    g.add_argument(
        "--links",
        type=cli_types.names,
        default=None,
        metavar="A,B",
        help="3G, LTE, Wi-Fi",
    )
    g.add_argument(
        "--patterns",
        type=cli_types.names,
        metavar="A,B",
        help="closed, poisson (default both)",
    )
    g.add_argument("--no-flows", action="store_true", help="skip the concurrent-flows experiments")
    g.add_argument("--pin", action="store_true", help="pin the edge and each device to a CPU")
    g.add_argument(
        "--profile",
        metavar="NAME",
        help="calibrated profile of this machine for every split-inference run (default epyc-ort-1t)",
    )
    g.add_argument(
        "--cache",
        metavar="DIR",
        help=f"exported ONNX parts (default {cli_types.directory_help(cache_dir('testbed'))})",
    )
    g.add_argument(
        "--tiny", action="store_true", help="a minute or two: proves the campaign works end to end"
    )
    g.add_argument(
        "--tables-only",
        action="store_true",
        help="only tabulate finished runs; run nothing (with --link-model, kept runs are simulated again "
        "under it and tabulated as validation-NAME.csv)",
    )
    _link_model(g)
    g.set_defaults(handler=_cmd_campaign)

    c = sub.add_parser("check", help="say whether this machine can host the testbed (exit 2 if not)")
    c.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")
    c.set_defaults(handler=_cmd_check)
    k = sub.add_parser("clean", help="remove namespaces left behind by killed testbed runs")
    k.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")
    k.set_defaults(handler=_cmd_clean)


def _guard(run: Any, args: argparse.Namespace) -> int:
    from offloadsim.testbed.errors import TestbedError

    try:
        return int(run(args))
    except TestbedError as error:
        print(_PREFIX + escape_unseen(" ".join(str(error).split())), file=sys.stderr)
        return EXIT_USAGE


def _check_cache(args: argparse.Namespace) -> None:
    """Refuse an ONNX cache that cannot be written, naming it, before anything is measured.

    It failed as the results directory's error ("cannot write results to OUT"), after the set-up.
    """
    from offloadsim.outdir import check_cache_dir

    given = args.cache is not None
    where = Path(args.cache) if given else cache_dir("testbed")
    check_cache_dir(where, "argument --cache" if given else "the ONNX cache (set it with --cache)")


def _no_sub_verb(args: argparse.Namespace) -> int:
    print(
        _PREFIX
        + "testbed needs a sub-verb: run, flows, campaign, check or clean (see 'offloadsim testbed --help')",
        file=sys.stderr,
    )
    return EXIT_USAGE


def _default_out(what: str) -> Path:
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("results") / "testbed" / f"{what}-{stamp}"


def _cmd_run(args: argparse.Namespace) -> int:
    return _guard(_run, args)


def _cmd_flows(args: argparse.Namespace) -> int:
    return _guard(_flows, args)


def _cmd_campaign(args: argparse.Namespace) -> int:
    return _guard(_campaign, args)


def _campaign(args: argparse.Namespace) -> int:
    from offloadsim.testbed import campaign
    from offloadsim.testbed.errors import TestbedError
    from offloadsim.testbed.experiment import InferenceConfig, calibrated_profile, check_link_model

    check_link_model(args.link_model)
    results = Path(args.results)
    _check_tiny(args)
    _check_tables_only(args)
    _check_grid_lists(args)
    _check_campaign_folders(args, results)
    repetitions = 1 if args.tiny else args.repetitions or 3
    profile = args.profile or "epyc-ort-1t"
    if args.tiny:
        planned = campaign.tiny_plan(profile)
        calibrated_profile(profile)  # a wrong name fails now, not after the first runs
    else:
        links = {link.name.lower(): link for link in campaign.LINKS}
        unknown = [name for name in args.links or () if name.lower() not in links]
        if unknown:
            known = ", ".join(link.name for link in campaign.LINKS)
            raise TestbedError(f"unknown link class {quoted(unknown[0])}; known: {known}")
        chosen = [links[name.lower()] for name in args.links] if args.links else list(campaign.LINKS)
        planned = campaign.inference_grid(
            args.models or campaign.MODELS,
            args.splits or campaign.SPLITS,
            chosen,
            args.patterns or ["closed", "poisson"],
            requests=args.requests or 20,
            base=InferenceConfig(pin=args.pin, profile=profile),
        )
        calibrated_profile(profile)  # a wrong name fails now, not after the first hour of runs
        campaign.check_plan(planned)  # so does a wrong model, split or pattern
        if not args.no_flows:
            planned += campaign.flows_grid(links=[link for link in chosen if link.name != "3G"] or chosen)
    if args.tables_only:
        done = campaign.finished(planned, results, repetitions)
        if not done:  # "0 of N configurations" and exit 0: an empty or mistyped --results passed
            where = "holds" if results.is_dir() else "is no directory, so it holds"
            raise TestbedError(
                f"nothing to tabulate: {results} {where} no finished run of the {len(planned)} "
                f"configurations planned (a summary.json in each of {repetitions} repetition folder(s)); "
                "run the campaign without --tables-only"
            )
        print(f"{len(done)} of {len(planned)} configurations have all {repetitions} repetition(s)")
        planned = done
    else:
        _check_cache(args)
    runs = campaign.run_campaign(
        planned,
        results,
        repetitions,
        cache_dir=Path(args.cache) if args.cache else None,
        link_model=args.link_model,
        reuse_checked=not args.tables_only,
    )
    if runs.empty:
        print("no finished runs to tabulate")
        return EXIT_OK
    suffix = campaign.table_suffix(args.link_model)
    tables = [(f"validation{suffix}.csv", campaign.validation_table(runs))]
    tables.append((f"flows{suffix}.csv", campaign.flows_table(runs)))
    dropped = campaign.dropped_configurations(results, tables)
    table, flows, figures = campaign.write_tables(
        runs, results, Path(args.figure) if args.figure else results, link_model=args.link_model
    )
    print(f"predicted with the {args.link_model} link model")
    if len(table):
        cols = ["model", "split", "link", "pattern", "predicted_ms", "measured_ms", "error_pct", "spread_pct"]
        print(table[cols].to_string(index=False, na_rep="–"))  # "–": undefined (one repetition: no spread)
    if len(flows):
        cols = [
            "devices",
            "link",
            "stagger_ms",
            "predicted_fct_ms",
            "measured_fct_ms",
            "error_pct",
            "within_15_pct",
        ]
        print(flows[cols].to_string(index=False, na_rep="–"))
    names = ", ".join(f"{name}{suffix}.csv" for name in ("runs", "validation", "flows"))
    print(f"tables: {results}/ ({names}); figure: {', '.join(map(str, figures))}")
    for note in campaign.profile_notes(runs):
        print(f"note: {note}")
    if dropped:
        print(
            f"note: the tables now leave out {len(dropped)} configuration(s) of an earlier campaign that "
            f"this grid does not hold ({', '.join(dropped)}); their runs are kept in {results}/: "
            "tabulate them with --tables-only and the options that ran them"
        )
    return EXIT_OK


#: The options of the campaign's grid, which ``--tiny``'s fixed plan leaves out.
#: ``--profile`` is not among them: the quick check of a machine wants the profile calibrated on it.
_GRID = ("models", "splits", "links", "patterns", "repetitions", "requests", "pin", "no_flows")
_TINY = (
    "whose plan is fixed (mobilenet_v2 split two ways over Wi-Fi, 4 requests, one flows run, one repetition)"
)

#: The options only new runs read, which ``--tables-only`` runs none of, with why each goes unread. A kept
#: run is found by its configuration's id (model, split, link, pattern: not its requests, pinning or
#: profile) and predicted again from the scenario it saved.
_NEW_RUNS_ONLY = {
    "cache": "the ONNX cache holds the parts of new runs",
    "requests": "a kept run is found by its model, split, link and pattern, whatever its requests",
    "pin": "pinning places the processes of new runs",
    "profile": "a kept run is predicted again from the scenario it saved, with its profile",
}


def _check_grid_lists(args: argparse.Namespace) -> None:
    """Refuse a name given twice in ``--models``, ``--splits``, ``--links`` or ``--patterns``.

    ``--models resnet18,resnet18`` planned each of its configurations twice: the second found the
    first's runs kept and read them again, so the tables counted every run twice.
    """
    from offloadsim.testbed.errors import TestbedError

    for dest in ("models", "splits", "links", "patterns"):
        names = [str(name).lower() for name in getattr(args, dest) or ()]
        twice = next((name for i, name in enumerate(names) if name in names[:i]), None)
        if twice is not None:
            raise TestbedError(
                f"argument --{dest}: {quoted(twice)} is given twice: each configuration is run once"
            )


def _check_campaign_folders(args: argparse.Namespace, results: Path) -> None:
    """Refuse a ``--results`` or ``--figure`` that is a file, or ``--tables-only`` of no directory.

    A file as ``--results`` failed as the first run's results were written, after its measurement;
    ``--tables-only`` of a folder that is not there (a typo) said "no finished runs to tabulate" and
    exited 0, as for a campaign that has not started.
    """
    from offloadsim.testbed.errors import TestbedError

    folders = [("results", results)] + ([("figure", Path(args.figure))] if args.figure else [])
    for option, folder in folders:
        if folder.exists() and not folder.is_dir():
            raise TestbedError(f"argument --{option}: {folder} exists and is not a directory")
    if args.tables_only and not results.is_dir():
        raise TestbedError(
            f"argument --results: {results}: no such directory, so no runs to tabulate "
            "(--tables-only reads the runs a campaign kept there)"
        )


def _check_tiny(args: argparse.Namespace) -> None:
    """Refuse an option of the campaign's grid beside ``--tiny``, whose plan is fixed (``--profile`` aside).

    ``campaign --tiny --models resnet18`` (or ``--repetitions``, ...) ran the tiny plan as ever,
    the option ignored without a word.
    """
    if args.tiny:
        _refuse_beside(args, "tiny", dict.fromkeys(_GRID, ""), _TINY)


def _check_tables_only(args: argparse.Namespace) -> None:
    """Refuse an option only new runs read beside ``--tables-only``, which runs nothing.

    ``campaign --tables-only --cache DIR`` (or ``--requests``, ``--pin``, ``--profile``) tabulated the
    kept runs as ever, the option unused without a word.
    """
    if args.tables_only:
        _refuse_beside(args, "tables-only", _NEW_RUNS_ONLY, "which runs nothing")


def _refuse_beside(args: argparse.Namespace, flag: str, ignored: dict[str, str], why: str) -> None:
    """Raise TestbedError naming the first option of ``ignored`` given, which ``--flag`` leaves unread.

    ``ignored``: each option's ``dest``, with why it goes unread (said in parentheses after ``why``).
    """
    from offloadsim.testbed.errors import TestbedError

    for dest, reason in ignored.items():
        if getattr(args, dest) not in (None, False):
            because = f"{why} ({reason})" if reason else why
            raise TestbedError(
                f"argument --{dest.replace('_', '-')}: not with --{flag}, {because}; leave out one of them"
            )


def _cmd_check(args: argparse.Namespace) -> int:
    def check(_: argparse.Namespace) -> int:
        from offloadsim.testbed.netns import check_available

        check_available()
        print("ok: root, ip and tc found, network namespaces can be created")
        return EXIT_OK

    return _guard(check, args)


def _cmd_clean(args: argparse.Namespace) -> int:
    def clean(_: argparse.Namespace) -> int:
        from offloadsim.testbed.netns import check_available, remove_stale

        check_available()
        removed = remove_stale()
        print(f"removed {len(removed)} stale namespace(s)" + (": " + ", ".join(removed) if removed else ""))
        return EXIT_OK

    return _guard(clean, args)


def _pattern_options(args: argparse.Namespace) -> tuple[float, float]:
    """``(load, think)`` of ``testbed run``; an option its ``--pattern`` does not use is refused.

    ``--pattern closed --load 0.9`` ran one request at a time, the load ignored without a word
    (and ``--pattern poisson --think T`` the pause).
    """
    from offloadsim.testbed.errors import TestbedError

    unused = {"closed": ("--load", args.load), "poisson": ("--think", args.think)}[args.pattern]
    if unused[1] is not None:
        used = "poisson" if args.pattern == "closed" else "closed"
        raise TestbedError(
            f"argument {unused[0]}: takes effect only with --pattern {used} (this run's pattern is "
            f"{args.pattern})"
        )
    return (0.5 if args.load is None else args.load), (0.0 if args.think is None else args.think)


def _run(args: argparse.Namespace) -> int:
    from offloadsim.testbed.experiment import InferenceConfig, run_inference

    load, think = _pattern_options(args)
    config = InferenceConfig(
        model=args.model,
        split=args.split,
        rate_bps=args.rate,
        latency_s=args.latency,
        queue_bytes=args.queue,
        devices=args.devices,
        requests=args.requests,
        pattern=args.pattern,
        load=load,
        think_s=think,
        connections=args.connections,
        seed=args.seed,
        profile=args.profile,
        pin=args.pin,
        time_limit_s=args.time_limit,
        link_model=args.link_model,
    )
    out = Path(args.out) if args.out else _default_out(f"{args.model}-{args.split}".replace("@", "-"))
    _check_cache(args)
    row = run_inference(config, out, cache_dir=args.cache, overwrite=args.overwrite)
    print(format_inference(row))
    print(f"results: {out}/")
    return EXIT_OK


def _flows(args: argparse.Namespace) -> int:
    from offloadsim.testbed.experiment import FlowsConfig, run_flows

    config = FlowsConfig(
        devices=args.devices,
        size_bytes=args.size,
        rate_bps=args.rate,
        latency_s=args.latency,
        queue_bytes=args.queue,
        rounds=args.rounds,
        stagger_s=args.stagger,
        seed=args.seed,
        time_limit_s=600.0 if args.time_limit is None else args.time_limit,  # 0 s is a limit, refused
        link_model=args.link_model,
    )
    out = Path(args.out) if args.out else _default_out(f"flows-{args.devices}")
    row = run_flows(config, out, overwrite=args.overwrite)
    print(format_flows(row))
    print(f"results: {out}/")
    return EXIT_OK


def _ms(value: Any) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:9.2f} ms"


def format_inference(row: dict[str, Any]) -> str:
    """The terminal summary of one split-inference run."""
    pattern = (
        "one request at a time"
        if row["pattern"] == "closed"
        else f"Poisson at load {row['load']:g} ({row['rate_per_device_hz']:.3g} /s per device)"
    )
    lines = [
        f"testbed: {row['model']} cut after {row['k']} of {row['layers']} layers, "
        f"{row['devices']} device(s), "
        f"{row['rate_mbps']:g} Mbps, {row['latency_ms']:g} ms, {pattern}, {row['requests']} requests per run",
        f"{'':16}{'measured':>12}{'predicted':>12}",
        f"{'latency median':16}{_ms(row['measured_median_ms']):>12}{_ms(row['predicted_median_ms']):>12}"
        f"   error {row['error_pct']:+.1f} %  (measured p10-p90 {row['measured_p10_ms']:.1f}-"
        f"{row['measured_p90_ms']:.1f} ms)",
    ]
    for part in ("device_compute", "upload", "edge_compute", "download"):
        lines.append(
            f"{part.replace('_', ' '):16}{_ms(row[f'measured_{part}_ms']):>12}"
            f"{_ms(row[f'predicted_{part}_ms']):>12}"
        )
    shares = [row.get("device_cpu_share"), row.get("edge_cpu_share")]
    shown = [f"{s:.2f}" for s in shares if s is not None and not math.isnan(s)]
    if shown:
        line = f"CPU time / wall time of compute (device, edge): {', '.join(shown)}"
        if any(float(s) < 0.9 for s in shown):
            line += " — below 0.9: other work took the CPU; compute timings are noisy"
        lines.append(line)
    note = row.get("profile_note")
    return "\n".join(lines + _predicted_with(row) + ([f"note: {note}"] if note else []))


def _predicted_with(row: dict[str, Any]) -> list[str]:
    """A line naming the link model the predictions used, unless it is the default max-min."""
    model = row.get("link_model") or "max-min"
    return [] if model == "max-min" else [f"predicted with the {model} link model"]


def format_flows(row: dict[str, Any]) -> str:
    """The terminal summary of one concurrent-flows run."""
    return "\n".join(
        [
            f"testbed flows: {row['devices']} device(s) x {row['size_bytes']:.0f} B, "
            f"{row['rate_mbps']:g} Mbps, "
            f"{row['rounds']} rounds, stagger {row['stagger_ms']:g} ms",
            f"{'':18}{'measured':>12}{'predicted':>12}",
            f"{'FCT median':18}{_ms(row['measured_median_fct_ms']):>12}"
            f"{_ms(row['predicted_median_fct_ms']):>12}"
            f"   error {row['error_pct']:+.1f} %",
            f"{'FCT p90':18}{_ms(row['measured_p90_fct_ms']):>12}{_ms(row['predicted_p90_fct_ms']):>12}",
            f"per flow: median |error| {row['median_abs_flow_error_pct']:.1f} %, "
            f"{100 * row['within_15_pct']:.0f} % within ±15 %; Jain fairness of measured rates "
            f"{row['jain_fairness']:.3f}",
            *_predicted_with(row),
        ]
    )
