"""The ``profiles`` verb: every device profile a scenario can name, and one profile's numbers.

``offloadsim profiles`` lists the derived profiles and every calibrated profile
found along the profile search path, with the numbers a stage's time comes
from; ``offloadsim profiles show NAME`` prints one profile in full: peaks per
precision, efficiency, memory bandwidth, data-sheet power and sources (derived),
or the machine, method, fit, noise and trust of a calibration (calibrated).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from offloadsim.cli import types as cli_types
from offloadsim.errors import shown_path
from offloadsim.unseen import escape_unseen

if TYPE_CHECKING:
    from offloadsim.world.profiles.calibrated import Timing

__all__ = ["add_profiles_command", "describe_profile", "profiles_table"]

EXIT_OK = 0
EXIT_USAGE = 2


def add_profiles_command(subparsers: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Add ``profiles`` and ``profiles show NAME`` to the ``offloadsim`` verbs."""
    p = subparsers.add_parser(
        "profiles",
        parents=parents,
        help="list the device profiles a scenario can name",
        description=(
            "List the device profiles: the derived ones (published peaks x efficiency) and the calibrated "
            "profile files found along the profile search path, which is printed at the end."
        ),
    )
    _add_scenario_option(p, default=None)
    shows = p.add_subparsers(
        dest="profiles_command",
        metavar="show",
    )
    s = shows.add_parser(
        "show",
        parents=parents,
        help="one profile's numbers and sources",
        description="One profile: its numbers, where they come from and, if calibrated, how far to trust it.",
    )
    s.add_argument(
        "name",
        type=cli_types.given("a profile name or file"),
        metavar="NAME",
        help="profile name (or a calibrated profile file)",
    )
    # Given after ``show`` too; SUPPRESS keeps a --scenario given before it (argparse would reset it).
    _add_scenario_option(s, default=argparse.SUPPRESS)
    p.set_defaults(handler=_cmd_profiles)


_SCENARIO_HINT = (
    "a scenario also finds NAME.json in its own folder and its profiles/ folder: add --scenario FILE"
)


def _add_scenario_option(parser: argparse.ArgumentParser, default: Any) -> None:
    parser.add_argument(
        "--scenario",
        type=cli_types.given("a scenario file"),
        metavar="FILE",
        default=default,
        help="search as a run of this scenario file does: its folder's profiles/ and its folder first",
    )


def _scenario_folder(file: str | None) -> Path | None:
    """The folder a run of scenario ``file`` looks up profile names from first (None: no file given).

    A file that is not there, or is not a scenario, is the user's mistake, said on one line (the
    caller exits 2).  Only the folder is used, but a sweep file, a profile or a results directory
    given here was taken without a word, and a FIFO or a device was "no such file"; each is said
    as run and validate say it.
    """
    if file is None:
        return None
    from offloadsim.bounded_read import not_a_file
    from offloadsim.input_kinds import SCENARIO, misdirected, path_kind
    from offloadsim.suggest import did_you_mean_file

    path = Path(file)
    what = not_a_file(path) or ""
    if not path.exists():
        what = "no such file" + did_you_mean_file(path)
    elif wrong := misdirected(path_kind(path), SCENARIO, file):  # a sweep file, a results directory
        what = wrong
    elif what == "is a directory":
        what = "a directory, not a scenario file"
    elif what:
        what += ", not a regular file"
    if what:
        print(f"offloadsim: error: --scenario {escape_unseen(shown_path(file))}: {what}", file=sys.stderr)
        return None
    from offloadsim.scenario.inputs_folder import files_folder

    return files_folder(path)  # a result's scenario.yaml: the inputs/ beside it, as a run of it reads


def _cmd_profiles(args: argparse.Namespace) -> int:
    from offloadsim.world.profiles import describe_search, get_profile, profile_search_path

    folder = _scenario_folder(args.scenario)
    if folder is None and args.scenario is not None:
        return EXIT_USAGE
    dirs = profile_search_path(folder)  # what the world searches for a scenario in ``folder``
    if args.profiles_command == "show":
        try:
            profile = get_profile(args.name, dirs)
        except KeyError as error:  # an unknown name: the user's mistake, one line, exit 2
            # not a file of another kind: a name or path the scenario's folders might hold
            unknown = getattr(error, "not_found", False)  # the lookup says so, not its words
            hint = f"; {_SCENARIO_HINT}" if unknown and folder is None else ""
            print(f"offloadsim: error: {escape_unseen(str(error.args[0]))}{hint}", file=sys.stderr)
            return EXIT_USAGE
        print(describe_profile(profile))
        from offloadsim.world.profiles.search import passed_over

        passed = passed_over(args.name, getattr(profile, "path", None) or None, dirs)
        if passed is not None:  # a run of the scenario says it too
            print(f"note: {passed}")
        return EXIT_OK
    print(profiles_table(dirs))
    print(f"\nsearched: {describe_search(dirs)}")
    if folder is None:
        print(f"({_SCENARIO_HINT})")
    return EXIT_OK


def _rate(flops: float) -> str:
    """``19.5 TFLOP/s``."""
    from offloadsim.scenario.units import format_quantity

    return format_quantity(flops, "speed")


def _peak(precision: str, ops: float) -> str:
    """``312 TFLOP/s`` for fp16; integer precisions count operations: ``624 TOP/s`` for int8."""
    from offloadsim.scenario.units import format_rate

    return format_rate(ops, precision)


def _short(value: float) -> str:
    """``312T``, ``89.6G``: a peak in a narrow column."""
    for factor, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M")):
        if value >= factor:
            return f"{value / factor:.4g}{prefix}"
    return f"{value:.4g}"


def profiles_table(search_dirs: list[Path] | None = None) -> str:
    """One line per profile: its fp32 peak, sustained rate, memory bandwidth, other peaks, power, origin.

    A profile file that cannot be read is a row of kind ``unreadable``, and a line under the table
    says why (its file, the key and what was expected there).

    ``search_dirs``: where calibrated profile files are found (default: the profile search path).

    >>> print(profiles_table().splitlines()[0])  # doctest: +NORMALIZE_WHITESPACE
    name  kind  fp32 peak  sustained  memory  other peaks (per s)  max power  from
    """
    from offloadsim.world.profiles import available_profiles, get_profile

    rows = [("name", "kind", "fp32 peak", "sustained", "memory", "other peaks (per s)", "max power", "from")]
    unreadable: list[str] = []
    for name in available_profiles(search_dirs):
        try:
            profile = get_profile(name, search_dirs)
        except (KeyError, ValueError) as error:  # one broken file in a searched folder hid every profile
            unreadable.append(f"unreadable: {error.args[0] if error.args else error}")
            rows.append((name, "unreadable", "-", "-", "-", "-", "-", "see below"))
            continue
        calibrated = profile.kind == "calibrated"
        peaks = ", ".join(f"{p} {_short(v)}" for p, v in getattr(profile, "peaks", ())) or "-"
        power = getattr(profile, "max_power_W", None)
        rows.append(
            (
                name,
                profile.kind,
                "-" if calibrated else _rate(profile.peak_flops),
                _rate(profile.effective_flops),
                f"{profile.memory_bandwidth_Bps / 1e9:.4g} GB/s",
                peaks,
                f"{power:g} W" if power else "-",
                _origin(profile),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        [
            *("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows),
            *unreadable,
        ]
    )


def _origin(profile: Any) -> str:
    """``data sheets`` (noting an assumed memory bandwidth), or where a calibrated profile was measured."""
    from offloadsim.world.profiles import SHIPPED_PROFILE_DIR, user_profile_dir
    from offloadsim.world.profiles.search import shipped_profile_file

    if profile.kind != "calibrated":
        return "data sheets (memory assumed)" if getattr(profile, "memory_assumed", False) else "data sheets"
    folder = Path(profile.path).absolute().parent if profile.path else Path("?")
    where = {SHIPPED_PROFILE_DIR: "shipped", user_profile_dir(): "user"}.get(folder, str(folder))
    if folder != SHIPPED_PROFILE_DIR and shipped_profile_file(Path(profile.path).stem) is not None:
        where += ", in place of the shipped one"  # by the lookup order: the table lists it once
    return f"measured on {profile.provenance.get('cpu_model', '?')} ({where})"


#: Said under a derived profile's efficiency: the one number of it that no data sheet gives.
EFFICIENCY_ORIGIN = (
    "an assumed typical fraction for whole-network inference, not a data-sheet figure; "
    "a calibrated profile measures it per layer"
)
#: Said under a derived profile's memory bandwidth: bytes get no efficiency, unlike FLOPs.
BANDWIDTH_USE = (
    "used in full: no efficiency applies to bytes, so memory-bound stages (LLM decoding) run at this rate"
)


def describe_profile(profile: Any) -> str:
    """Every number of ``profile`` with its source, as lines of text (what ``profiles show`` prints)."""
    lines = [f"{profile.name} ({profile.kind}): {profile.description}"]
    if profile.kind != "calibrated":
        peaks = [("fp32", profile.peak_flops), *getattr(profile, "peaks", ())]
        lines.append("peak: " + ", ".join(f"{p} {_peak(p, v)}" for p, v in peaks))
        lines.append(
            f"efficiency: {profile.efficiency:.2f} of peak, so a stage's FLOPs run at "
            f"{_rate(profile.effective_flops)} in fp32 (each precision at this fraction of its peak)"
        )
        lines.append(f"  ({EFFICIENCY_ORIGIN})")
        lines.append(f"memory bandwidth: {profile.memory_bandwidth_Bps / 1e9:.4g} GB/s")
        lines.append(f"  ({BANDWIDTH_USE})")
        power = getattr(profile, "max_power_W", None)
        lines.append(
            f"max power (data sheet): {power:g} W" if power else "max power: not stated by a data sheet"
        )
        lines.append("  (energy comes from each node's power: in the scenario, not from the profile)")
        lines.append("sources:")
        lines += [f"  - {source}" for source in profile.sources]
        return "\n".join(lines)
    p = profile.provenance
    backend = profile.backend
    path = getattr(profile, "path", None)
    if path:
        lines.append(f"file: {path}")
    lines.append(
        f"measured on: {p.get('cpu_model', '?')} ({p.get('cores', '?')} cores, {p.get('platform', '?')}), "
        f"{p.get('date', '?')}"
    )
    if isinstance(p.get("cpu"), dict):
        from offloadsim.host import describe_fingerprint

        lines.append(f"CPU: {describe_fingerprint(p['cpu'])}")
    lines.append(
        f"backend: {backend.get('name')} {p.get('versions', {}).get(backend.get('name', ''), '')} "
        f"{backend.get('provider', '')}, {backend.get('threads', '?')} thread(s), "
        f"{backend.get('clock', '?')} clock"
    )
    if p.get("command"):
        lines.append(f"command: {p['command']}")
    lines.append(
        f"sustained: {_rate(profile.effective_flops)}, the timed convolution and linear units' FLOPs over "
        "their time, memory-bound and depthwise ones included, so a dense model runs faster (by kind below); "
        f"memory-bound units at {profile.memory_bandwidth_Bps / 1e9:.4g} GB/s"
    )
    lines.append(_kind_rates_line(profile.measured.values()))
    models = ", ".join(p.get("models", [])) or "?"
    lines.append(f"timed: {p.get('units_timed', len(profile.measured))} units of {models}")
    fit = p.get("fit", {})
    if fit:
        lines.append(
            f"fit on the timed units: median error {fit.get('mdape', float('nan')):.1%}, "
            f"90th percentile {fit.get('p90_ape', float('nan')):.1%}"
        )
    held = profile.report.get("held_out", {}) if profile.report else {}
    if held.get("models"):
        lines.append(
            f"held-out whole models: {held['within']}/{held['models']} within "
            f"±{profile.report.get('tolerance_pct', 10):.0f}% "
            f"(median |error| {held['median_abs_error_pct']:.1f}%)"
        )
        lines += _reach(profile)
    from offloadsim.world.profiles.wall_ratio import noise_line

    lines.append(noise_line(profile, this_run=False))
    from offloadsim.world.profiles.trust import caveats, recorded_caveats

    if profile.trust:
        untrusted, none = recorded_caveats(profile), "trust: no issues recorded"
    else:  # the profile-wide checks need nothing recorded but the profile
        untrusted, none = caveats(profile), "trust: no profile-wide issue in what it records"
    lines += [f"caution: {line}" for line in untrusted] or [none]
    if "layout_untrusted_for" not in profile.trust:  # silence here would read as 'none'
        what = "its layout correction" if profile.trust else "it"
        lines.append(
            f"trust: which models {what} is not to be trusted for is not recorded (calibrated before "
            "calibrate recorded it); a scenario checks the models it runs"
        )
    lines.append("this profile describes the machine above; another machine needs its own calibration")
    return "\n".join(lines)


def _reach(profile: Any) -> list[str]:
    """What the held-out count covers, as ``calibrate --report`` said it under its table; none unrecorded.

    A profile fitted on squeezenet1_1 alone showed "held-out whole models: 1/1 within ±10%" where its
    one held-out model was 62 % extrapolated. Said only where the profile recorded its held-out models'
    untimed share and its trust record, which the line rests on (not ``xeon-ort-1t``'s).
    """
    from offloadsim.calibration.report import reach_line

    rows = profile.report.get("rows", [])
    held = [row for row in rows if row.get("role") == "held-out"]
    if not profile.trust or not held or any("untimed_pct" not in row for row in held):
        return []
    line = reach_line(profile, rows)
    return [line] if line else []


def _kind_rates_line(timings: Iterable[Timing]) -> str:
    """Each kind of convolution and linear unit's measured rate, and the fastest unit's (a model's bound)."""
    from offloadsim.world.profiles.rates import fastest_rate, kind_rates

    timings = list(timings)
    kinds = ", ".join(f"{r.kind} {_rate(r.rate)} ({r.units} units)" for r in kind_rates(timings))
    return (
        f"measured by kind: {kinds or 'none timed'}; fastest unit {_rate(fastest_rate(timings))} "
        "(a model mixes its units' rates, so runs at most about this)"
    )
