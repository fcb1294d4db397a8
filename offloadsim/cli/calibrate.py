"""The ``calibrate`` verb of the command line (:func:`add_calibrate_command`).

``offloadsim calibrate`` times real kernels and writes a calibrated profile;
``offloadsim calibrate report PROFILE`` times whole models against it. A
user's mistake (unknown model or backend, missing file) prints one line
``offloadsim: error: ...`` and exits 2, as every verb does.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shlex
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from offloadsim.cli import types as cli_types
from offloadsim.errors import message_lines
from offloadsim.suggest import quoted
from offloadsim.userdirs import cache_dir, data_dir

__all__ = ["DEFAULT_HOLDOUT", "DEFAULT_MODELS", "add_calibrate_command"]

EXIT_OK = 0
EXIT_USAGE = 2
_PREFIX = "offloadsim: error: "

#: Models timed unit by unit when none are named: five zoo CNN families at 224 px, four also at 192 px.
DEFAULT_MODELS = (
    "alexnet",
    "resnet18",
    "mobilenet_v2",
    "efficientnet_b0",
    "squeezenet1_1",
    "resnet18@192",
    "mobilenet_v2@192",
    "efficientnet_b0@192",
    "squeezenet1_1@192",
)
#: Models the accuracy report predicts without having timed their units: other models and resolutions.
DEFAULT_HOLDOUT = (
    "vgg16",
    "resnet50",
    *(
        f"{m}@{s}"
        for s in (160, 288)
        for m in ("resnet18", "mobilenet_v2", "efficientnet_b0", "squeezenet1_1", "resnet50")
    ),
)


def _names(text: str) -> list[str]:
    """Comma-separated names, each once: ``alexnet,resnet18@160``.

    ``--models resnet18,resnet18`` timed it once and recorded it twice in the profile's
    ``provenance.models``; refused as ``compare --policies edge,edge`` is.  Two spellings of one
    model are one (``resnet18,ResNet-18@224``: resnet18 at its default image size).
    """
    from offloadsim.scenario.errors import first_repeat, given_twice

    names = [part.strip() for part in text.split(",")]
    if not text.strip() or any(not n for n in names):
        raise argparse.ArgumentTypeError(f"expected comma-separated model names, got {quoted(text)}")
    if (twice := first_repeat(_model_key(n) for n in names)) is not None:
        first, again = (names[i] for i in twice)
        said = given_twice(quoted(first), quoted(again), "model")
        both = "" if first == again else f" (both name {_model_key(first)})"
        raise argparse.ArgumentTypeError(f"{said}{both}: each model is timed once")
    return names


def _model_key(name: str) -> str:
    """``name`` as :func:`~offloadsim.models.registry.sized_label` spells it; as given where unknown.

    An unknown name or a bad size is left to :func:`offloadsim.calibration.specs.resolve_models`
    to say, after the list is read.
    """
    from offloadsim.models.registry import sized_label

    try:
        return sized_label(name)
    except (KeyError, ValueError):  # UnknownModelError is a KeyError
        return name


def _default_name(name: str | None, out: str | None, otherwise: str) -> str:
    """``--name``; else the ``--out`` file's stem, the name ``profile: STEM`` finds it by; else ``otherwise``.

    ``--out mine.json`` wrote a profile named ``calibrated-ort-1t``: a scenario naming it ``profile:
    mine`` read notes on ``calibrated-ort-1t``, and two such files in one folder had one name.
    A stem that is no profile name (``t4``, a derived profile's) keeps ``otherwise``.
    """
    if name:
        return name
    if out:
        try:
            return _profile_name(Path(out).stem)
        except argparse.ArgumentTypeError:
            pass
    return otherwise


def _profile_name(text: str) -> str:
    """A name that ``profile: NAME`` finds: a plain file name, not a shipped derived profile's.

    ``--name a/b`` wrote ``a/b.json`` under the profile directory, which no scenario finds by name
    (a profile with a path separator is read as a path), and ``--name t4`` a profile that the
    shipped ``t4`` shadows; both were said only after minutes of timing.
    """
    import os

    from offloadsim.scenario.errors import name_problem
    from offloadsim.world.profiles.builtin import BUILTIN_PROFILES

    name = text.strip()
    if name in ("", ".", ".."):  # the profile's file would be ".json", "..json" or "...json"
        raise argparse.ArgumentTypeError(
            f"expected a profile name (a scenario finds it as NAME.json), got {quoted(text)}"
        )
    if "/" in name or (os.altsep and os.altsep in name) or os.sep in name:
        raise argparse.ArgumentTypeError(
            f"expected a profile name without a path separator (a scenario finds it as NAME.json), "
            f"got {quoted(text)}; to write elsewhere give --out PATH.json"
        )
    problem = name_problem(name)  # the name is the file's: no NUL, newline or other control
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    if name in BUILTIN_PROFILES:
        raise argparse.ArgumentTypeError(
            f"{quoted(name)} is a shipped derived profile: 'profile: {name}' would find that one, "
            "not this calibration; choose another name"
        )
    return name


def add_calibrate_command(subparsers: Any) -> None:
    """Add ``calibrate`` (and ``calibrate report``) to the ``offloadsim`` verbs."""
    p = subparsers.add_parser(
        "calibrate",
        help="time real kernels on this machine and write a calibrated profile",
        description=(
            "Time every distinct layer unit of the chosen models on this machine (warm-up, repeats, "
            "robust time and noise; cached so an interrupted run resumes), fit a per-op cost model and write "
            "a calibrated device profile. 'calibrate report PROFILE' times whole models against a profile."
        ),
    )
    cli_types.add_debug(p)
    p.add_argument(
        "--models",
        type=_names,
        metavar="A,B,...",
        help=f"zoo models to time, NAME or NAME@IMAGE_SIZE (default {','.join(DEFAULT_MODELS)})",
    )
    _onnx_option(p)
    p.add_argument(
        "--backend",
        default="onnxruntime",
        metavar="NAME",
        help="onnxruntime (default), numpy or torch",
    )
    p.add_argument(
        "--provider",
        default="CPUExecutionProvider",
        metavar="EP",
        help="onnxruntime execution provider, e.g. CUDAExecutionProvider (default CPU)",
    )
    p.add_argument(
        "--threads",
        type=cli_types.positive,
        default=1,
        metavar="N",
        help="intra-op threads (default 1; at most the cores this process may use)",
    )
    p.add_argument(
        "--repeats",
        type=cli_types.positive,
        default=20,
        metavar="N",
        help="timed runs per unit (default 20)",
    )
    p.add_argument(
        "--max-repeats",
        type=cli_types.positive,
        metavar="N",
        help="timed runs per unit at most, while its time is still uncertain (default 4 x --repeats)",
    )
    p.add_argument(
        "--target-ci",
        type=_percent,
        default=0.02,
        metavar="PCT",
        help="repeat a unit until the 95%% CI of its time is within this (default 2%%)",
    )
    _warmup_option(p)
    p.add_argument(
        "--out",
        type=cli_types.given("a file name"),
        metavar="PROFILE.json",
        help="profile file to write (default: NAME.json in the user profile directory, "
        f"{cli_types.directory_help(data_dir('profiles'))}, where 'profile: NAME' finds it from any "
        "scenario)",
    )
    p.add_argument(
        "--name",
        metavar="NAME",
        type=_profile_name,
        help="profile name (default: --out's file name without .json, else calibrated-<backend>-<threads>t)",
    )
    p.add_argument("--description", type=_one_line, metavar="TEXT", help="one line describing the device")
    # One or the other: --no-cache beside --cache DIR kept no cache, and DIR was ignored without a word.
    caching = p.add_mutually_exclusive_group()
    caching.add_argument(
        "--cache",
        type=cli_types.given("a directory"),
        metavar="DIR",
        help=f"timing cache directory (default {cli_types.directory_help(cache_dir('calibration'))}); "
        "not with --no-cache",
    )
    caching.add_argument("--no-cache", action="store_true", help="time everything again; keep no cache")
    p.add_argument(
        "--no-correction",
        action="store_true",
        help="skip the layout-conversion correction fitted on whole training-model timings",
    )
    p.add_argument(
        "--report", action="store_true", help="then time held-out models whole and report accuracy"
    )
    p.add_argument(
        "--holdout",
        type=_names,
        metavar="A,B,...",
        help=f"models for --report (default {','.join(DEFAULT_HOLDOUT)})",
    )
    p.add_argument(
        "--report-dir",
        type=cli_types.given("a directory"),
        metavar="DIR",
        help="where --report writes (default ./NAME-report/)",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bars")
    p.set_defaults(handler=_cmd_calibrate, calibrate_command=None)

    sub = p.add_subparsers(
        dest="calibrate_command",
        metavar="report",
    )
    r = sub.add_parser(
        "report",
        help="time whole models against a calibrated profile",
        description="Time whole models with onnxruntime; compare with the profile's per-layer predictions.",
    )
    cli_types.add_debug(r)
    r.add_argument(
        "profile", metavar="PROFILE", help="calibrated profile: a file (.json/.yaml) or a profile name"
    )
    r.add_argument(
        "--models",
        type=_names,
        metavar="A,B,...",
        help="models to time (default: the held-out set and the profile's training models)",
    )
    _onnx_option(r)
    r.add_argument(
        "--repeats",
        type=cli_types.positive,
        default=10,
        metavar="N",
        help="timed runs per model (default 10)",
    )
    _warmup_option(r)
    r.add_argument(
        "--out",
        type=cli_types.given("a directory"),
        metavar="DIR",
        help="report directory (default ./NAME-report/)",
    )
    r.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    r.set_defaults(handler=_cmd_report)


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from offloadsim.calibration.errors import CalibrationError
    from offloadsim.world.profiles.calibrated import ProfileError

    try:
        return _calibrate(args)
    except (CalibrationError, ProfileError) as error:  # a profile file that cannot be read
        print(_PREFIX + message_lines(error)[0], file=sys.stderr)
        return EXIT_USAGE


def _cmd_report(args: argparse.Namespace) -> int:
    from offloadsim.calibration.errors import CalibrationError
    from offloadsim.world.profiles.calibrated import ProfileError

    try:
        return _report(args)
    except (CalibrationError, ProfileError) as error:  # a profile file that cannot be read
        print(_PREFIX + message_lines(error)[0], file=sys.stderr)
        return EXIT_USAGE


def _calibrate(args: argparse.Namespace) -> int:
    from offloadsim.calibration import pipeline as cal
    from offloadsim.calibration.errors import CalibrationError
    from offloadsim.calibration.specs import refuse_llms
    from offloadsim.experiments.executors import default_workers
    from offloadsim.outdir import check_cache_dir, check_out_dir, check_out_file
    from offloadsim.world.profiles import user_profile_dir

    if args.max_repeats is not None and args.max_repeats < args.repeats:
        # the timings ran --repeats times each while the profile recorded the smaller maximum
        raise CalibrationError(
            f"argument --max-repeats: expected at least --repeats ({args.repeats}), got {args.max_repeats}"
        )
    cores = default_workers()
    if args.threads > cores:  # --threads 100000 started that many threads per session: a hang, then OOM
        raise CalibrationError(
            f"argument --threads: expected at most {cores} (the cores this process may use: more threads "
            f"than cores time their contention, not the kernels), got {args.threads}"
        )
    for option, given in (("--holdout", args.holdout), ("--report-dir", args.report_dir)):
        if given is not None and not args.report:
            # it was ignored without a word, after minutes of timing
            raise CalibrationError(f"argument {option}: takes effect only with --report (add --report)")
    refuse_llms([*(args.models or []), *(args.holdout or [])])
    models = cal.resolve_models(args.models or ([] if args.onnx else list(DEFAULT_MODELS)), args.onnx)
    holdout = cal.resolve_models(args.holdout or list(DEFAULT_HOLDOUT)) if args.report else []
    cal.check_backend(args.backend, args.provider)
    cache_dir = None if args.no_cache else Path(args.cache) if args.cache else cal.default_cache_dir()
    slug = "ort" if args.backend == "onnxruntime" else args.backend
    name = _default_name(args.name, args.out, f"calibrated-{slug}-{args.threads}t")
    out = Path(args.out) if args.out else user_profile_dir() / f"{name}.json"
    report_dir = Path(args.report_dir) if args.report_dir else Path(f"{name}-report")
    if cache_dir is not None:  # a file as the cache, or above it, or a read-only disk: an internal error
        check_cache_dir(cache_dir, "argument --cache")  # at the first unit timed
    check_out_file(out)  # fail now, not after the timings
    _check_profile_out(out)
    if args.report:
        check_out_dir(report_dir)
    program = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "offloadsim"
    program = "offloadsim" if program in ("__main__.py", "-c", "") else program  # python -m offloadsim
    command = " ".join([program, *(shlex.quote(a) for a in sys.argv[1:])])
    profile = cal.calibrate(
        models,
        backend=args.backend,
        provider=args.provider,
        threads=args.threads,
        warmup=args.warmup,
        repeats=args.repeats,
        max_repeats=args.max_repeats,
        target_ci=args.target_ci,
        cache_dir=cache_dir,
        name=name,
        description=args.description,
        correction=not args.no_correction,
        progress=not args.quiet,
        command=command,
    )
    fit = profile.provenance.get("fit", {})
    print(_timed_line(profile.provenance, len(models), cache_dir))
    print(
        f"fit: median error {fit.get('mdape', float('nan')):.1%}, "
        f"90th percentile {fit.get('p90_ape', 0):.1%}; "
        f"sustained {profile.effective_flops / 1e9:.1f} GFLOP/s (all convolution and linear units together; "
        "by kind: offloadsim profiles show), "
        f"{profile.memory_bandwidth_Bps / 1e9:.1f} GB/s"
    )
    if not args.report:
        print(_noise_line(profile))
        kept = _save(profile, out)
    else:
        from offloadsim.calibration.report import (
            accuracy_summary,
            accuracy_table,
            format_table,
            training_timings,
        )
        from offloadsim.calibration.trust import TRUST_MODELS, assess

        table = accuracy_table(
            profile, [*models, *holdout], measured=training_timings(profile), progress=not args.quiet
        )
        summary = accuracy_summary(table)
        profile = dataclasses.replace(profile, report=summary)  # profiles are frozen: a new one
        profile = dataclasses.replace(
            profile, trust=assess(profile, [*models, *holdout, *cal.resolve_models(TRUST_MODELS)])
        )
        notes = _report_notes(profile, table)
        # the profile saved last, before the report's partial folder is moved into place: a calibrate
        # that failed (or was stopped) while saving it left a report of no profile behind
        kept = _write_report(profile, table, report_dir, notes, then=lambda: _save(profile, out))
        print(_noise_line(profile))  # after the report: the whole models' wall time is known
        print(format_table(table))
        _print_summary(summary)
        _print_notes(notes)  # what the held-out line covers too, as accuracy.txt says it
        print(f"report: {report_dir}/")
    _warn_untrusted(profile)
    print(f"profile: {out}")
    if kept is not None:
        print(kept)
    print(_how_to_use(profile.name, out))
    return EXIT_OK


def _timed_line(provenance: Mapping[str, Any], models: int, cache_dir: Path | None) -> str:
    """How many units the profile has timings of, and how many of those an earlier run timed (the cache).

    A rerun read every unit from the timing cache and printed "timed 27 units", its noise line then
    "known to ±0.7% within this run", both the earlier run's: a user rerunning on a quieter machine
    got the same timings without a word.
    """
    timed, cached = provenance["units_timed"], provenance.get("units_cached", 0)
    skipped = provenance["units_skipped"]
    units = f"{timed} units of {models} model(s) ({skipped} without a kernel, predicted by the fit)"
    if not cached:
        return f"timed {units}"
    return (
        f"{units}: {timed - cached} timed now, {cached} read from the timing cache ({cache_dir}), timed by "
        "an earlier calibrate on this machine, whose noise the line below gives too (--no-cache times "
        "every unit again)"
    )


def _save(profile: Any, out: Path) -> str | None:
    """Write the profile to ``out``, making the folders above it that are missing, as every ``--out`` does.

    A write that fails leaves none of the folders it made, as a run's result directory does not.
    An earlier profile at ``out`` is kept as ``out.old-N``, as an earlier result directory is (a
    name that ``profile: NAME`` and ``offloadsim profiles`` do not find): a rerun under the same
    name replaced it without a word, and a run that named it, which does not copy a profile from
    the user profile directory, would have read the new one when run again. Returns the line
    saying so, or None.
    """
    from offloadsim.calibration.profile import save_profile
    from offloadsim.outdir import (
        ResultsError,
        describe_os_error,
        missing_directories,
        move_aside,
        remove_empty,
    )

    created = missing_directories(out.parent)
    earlier = out.is_file() and out.stat().st_size > 0  # a profile: _check_profile_out refused all else
    when = _calibrated_on(out) if earlier else ""
    kept = move_aside(out) if earlier else None
    try:
        save_profile(profile, out)
    except BaseException as error:
        if kept is not None:
            os.replace(kept, out)
        remove_empty(created)
        if isinstance(error, OSError):  # checked before the timings, yet the disk may fill or refuse since
            raise ResultsError(f"cannot write {out}: {describe_os_error(error)}") from error
        raise
    if kept is None:
        return None
    return (
        f"kept the earlier profile there{when} as {kept.name}; a scenario naming "
        f"{quoted(profile.name)} reads the new one from now on"
    )


def _calibrated_on(path: Path) -> str:
    """`` (calibrated 2026-12-07T09:41:42+00:00)``: when the profile at ``path`` was made, or ``""``."""
    from offloadsim.world.profiles.calibrated import ProfileError, load_profile

    try:
        date = str(load_profile(path).provenance.get("date", ""))
    except (ProfileError, OSError, ValueError):
        return ""
    return f" (calibrated {date})" if date else ""


def _one_line(text: str) -> str:
    """Type of ``--description``: one line of text (``profiles show`` prints it as its first line's end).

    A line break in it was kept, and split that line and the table of ``offloadsim profiles``.
    """
    if len(text.splitlines()) > 1 or not text.strip():
        raise argparse.ArgumentTypeError(f"expected one line of text, got {quoted(text)}")
    return text


def _check_profile_out(out: Path) -> None:
    """Refuse an ``--out`` no scenario could load as a profile, or that would replace another kind of file.

    ``--out model.onnx`` (for ``--onnx``) wrote the profile over the ONNX model it had just timed.
    """
    from offloadsim.bounded_read import read_head
    from offloadsim.calibration.errors import CalibrationError
    from offloadsim.input_kinds import PROFILE_FORMAT
    from offloadsim.world.profiles.search import PROFILE_SUFFIXES, suffixes_text

    if out.suffix not in PROFILE_SUFFIXES:
        raise CalibrationError(
            f"cannot write {out}: a profile file is named {suffixes_text()} (how a scenario's "
            f"profile: finds it), got {quoted(out.suffix or 'no suffix')}"
        )
    if out.is_file():
        try:
            head = read_head(out, 4096)
        except OSError:
            return  # check_out_file has judged whether it can be replaced
        if head.strip() and PROFILE_FORMAT not in head:
            raise CalibrationError(
                f"cannot write {out}: it exists and is not a calibrated profile (no "
                f"'format: {PROFILE_FORMAT}' at its start); remove it or choose another --out"
            )


def _how_to_use(name: str, path: Path) -> str:
    """How a scenario names the profile just written: by name where the search finds it, else by path.

    The mapping as the scenario reader reads it back: a name ``1e9`` quoted (bare, a number).
    """
    from offloadsim.strict_yaml import plain_or_quoted
    from offloadsim.world.profiles import profile_search_path

    found_by_name = path.stem == name and path.parent.absolute() in {
        d.absolute() for d in profile_search_path()
    }
    if found_by_name:
        return f"use it in a scenario as: processor: {plain_or_quoted({'profile': name})}"
    said = f"use it in a scenario as: processor: {plain_or_quoted({'profile': str(path.absolute())})}"
    if path.stem != name:  # profile: STEM finds this file, or a derived profile of that name first
        return said
    # A scenario's search looks in its folder's profiles/, then in its folder: the folders whose
    # scenarios find the file by name are the one above a profiles/ folder, and the file's own.
    folder = path.absolute().parent
    folders = [folder.parent, folder] if folder.name == "profiles" else [folder]
    return f"{said}, or by name from a scenario in {' or in '.join(str(f) for f in folders)}"


def _report(args: argparse.Namespace) -> int:
    from offloadsim.calibration import pipeline as cal
    from offloadsim.calibration.report import accuracy_summary, accuracy_table, format_table
    from offloadsim.calibration.specs import refuse_llms
    from offloadsim.outdir import check_out_dir

    profile = _calibrated_profile(args.profile)
    out = Path(args.out) if args.out else Path(f"{profile.name}-report")
    check_out_dir(out)  # fail now, not after the timings
    refuse_llms(args.models or [])
    names = args.models or [*_zoo_training_models(profile, args.onnx), *DEFAULT_HOLDOUT]
    models = cal.resolve_models(list(dict.fromkeys(names)), args.onnx)
    table = accuracy_table(profile, models, warmup=args.warmup, repeats=args.repeats, progress=not args.quiet)
    notes = _report_notes(profile, table)
    _write_report(profile, table, out, notes)
    print(format_table(table))
    _print_summary(accuracy_summary(table))
    _print_notes(notes)  # its own timings' load: the profile's noise line is the calibration's
    print(f"report: {out}/")
    return EXIT_OK


def _zoo_training_models(profile: Any, onnx_files: list[str]) -> list[str]:
    """The profile's training models that are zoo models; those from ONNX files need their file.

    A profile records an ONNX training model by its file's stem (``tiny`` for ``tiny.onnx``), which
    is no zoo name: the report times it when ``--onnx`` gives the file, and says how otherwise.
    """
    from offloadsim.models import get_model
    from offloadsim.models.registry import UnknownModelError

    given = {Path(f).stem for f in onnx_files}
    names = []
    for label in profile.provenance.get("models", []):
        try:
            get_model(str(label).partition("@")[0])
        except UnknownModelError:
            if label not in given:
                print(
                    f"offloadsim: note: training model {quoted(label)} is not a zoo model (an ONNX file, "
                    f"by its name): give it with --onnx FILE to time it too",
                    file=sys.stderr,
                )
            continue
        names.append(str(label))
    return names


def _onnx_option(parser: argparse.ArgumentParser) -> None:
    """``--onnx FILE ...``, of ``calibrate`` and of ``calibrate report``."""
    parser.add_argument(
        "--onnx",
        nargs="+",
        default=[],
        metavar="FILE",
        help="ONNX models to time as well",
    )


def _warmup_option(parser: argparse.ArgumentParser) -> None:
    """``--warmup N``, of ``calibrate`` and of ``calibrate report``."""
    parser.add_argument(
        "--warmup",
        type=cli_types.count,
        default=3,
        metavar="N",
        help="untimed runs first (default 3)",
    )


def _percent(text: str) -> float:
    """``2``, ``2%`` or ``0.5 %`` -> a fraction (0.02)."""
    try:
        value = float(text.strip().rstrip("%").strip()) / 100
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a percentage like 2 or 2%, got {quoted(text)}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a percentage between 0 and 100, got {quoted(text)}")
    return value


def _noise_line(profile: Any) -> str:
    """How noisy the timings were, and how loaded the machine (each phase's wall/measured time)."""
    from offloadsim.world.profiles.wall_ratio import noise_line

    return noise_line(profile, this_run=True)


def _warn_untrusted(profile: Any) -> None:
    """Say loudly, on stderr, what the profile cannot be trusted for (it is still written)."""
    from offloadsim.world.profiles.trust import recorded_caveats

    for line in recorded_caveats(profile):
        print(f"offloadsim: warning: {line}", file=sys.stderr)


def _calibrated_profile(text: str) -> Any:
    """The calibrated profile a file path or a profile name (along the profile search path) gives."""
    from offloadsim.calibration.errors import CalibrationError
    from offloadsim.world.profiles import get_profile
    from offloadsim.world.profiles.calibrated import load_profile
    from offloadsim.world.profiles.search import PROFILE_SUFFIXES

    if Path(text).suffix in PROFILE_SUFFIXES or Path(text).exists():
        return load_profile(text)
    try:
        profile = get_profile(text)
    except KeyError as error:
        raise CalibrationError(str(error.args[0])) from None
    if profile.kind != "calibrated":
        raise CalibrationError(
            f"profile {quoted(text)} is a derived profile; the report needs a calibrated one"
        )
    return profile


def _print_summary(summary: dict[str, Any]) -> None:
    """The held-out models' line, and the models furthest from their measured time, training ones too."""
    from offloadsim.calibration.report import largest_errors

    held = summary["held_out"]
    if held["models"]:
        print(
            f"held-out: {held['within']}/{held['models']} models within ±{summary['tolerance_pct']:.0f}% "
            f"(median |error| {held['median_abs_error_pct']:.1f}%, worst {held['max_abs_error_pct']:.1f}%)"
        )
    if worst := largest_errors(summary):
        print(worst)


def _print_notes(notes: list[str]) -> None:
    """The report's lines under its summary, those that say something, as ``accuracy.txt`` has them.

    ``calibrate --report`` printed the load line alone: after a fit on squeezenet1_1 its output said
    "held-out: 1/1 models within ±10%" without the line that the held-out model was 62 % extrapolated,
    which only ``accuracy.txt`` and ``calibrate report`` said.
    """
    for line in notes:
        if line:
            print(line)


def _report_notes(profile: Any, table: Any) -> list[str]:
    """The lines under a report's table: another CPU's profile, how loaded, what the held-out check covers.

    Each ``""`` when there is nothing to say; ``accuracy.txt`` carries those that are not.
    """
    from offloadsim.calibration.report import another_machine_line, cpu_timed, reach_line
    from offloadsim.world.profiles.wall_ratio import report_load_line

    rows = table.to_dict(orient="records")
    return [
        another_machine_line(profile),
        report_load_line(rows, cpu_timed(profile)),
        reach_line(profile, rows),
    ]


def _write_report(
    profile: Any,
    table: Any,
    out: Path,
    notes: list[str] | None = None,
    then: Callable[[], str | None] | None = None,
) -> str | None:
    """The report directory, all or nothing: its tables, its figure in the house style, a manifest.

    Written like every result directory (:func:`offloadsim.outdir.write_directory`):
    an earlier report there is kept as ``NAME.old-N``.  ``then``: what must be done before the
    report is moved into place (``calibrate --report`` saving its profile), called once its files
    are written; its result is returned (None without it).  Should it fail, no report is left.
    """
    from offloadsim._version import __version__
    from offloadsim.calibration.report import cpu_timed, figure_note, write_report
    from offloadsim.outdir import write_directory, write_json
    from offloadsim.plots import calibration_accuracy, new_axes, note_under, save_figure

    title = f"profile {profile.name}: {profile.description}"

    def fill(tmp: Path) -> None:
        write_report(table, tmp, title=title, notes=notes or [])
        fig, ax = new_axes("one-column")
        note_under(fig, figure_note(profile, table))  # first: the names are placed in the axes it leaves
        calibration_accuracy(table, ax=ax, clock="cpu" if cpu_timed(profile) else "wall")
        save_figure(fig, tmp / "accuracy")
        manifest = {
            "format": "offloadsim-calibration-report",
            "offloadsim_version": __version__,
            "title": title,
        }
        write_json(manifest, tmp / "manifest.json")
        if then is not None:
            done.append(then())

    done: list[str | None] = []
    write_directory(out, fill)
    return done[0] if done else None
