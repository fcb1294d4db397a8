"""The ``offloadsim`` command line: thin verbs over the library, with one error discipline.

A user's mistake (bad scenario, unknown policy, bad arguments, missing file,
unusable output directory) prints ``offloadsim: error: ...`` on stderr and
exits 2, with no traceback and nothing written.  What runs but probably not
as meant (a scenario warning) prints ``offloadsim: warning: ...`` and goes on.  An internal error exits 1
(traceback with ``--debug``); Ctrl-C exits 130 and SIGTERM 143, leaving
nothing half-written and no worker process behind.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import json
import logging
import os
import re
import shlex
import shutil
import signal
import sys
import threading
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

from offloadsim._version import __version__
from offloadsim.cli import types as cli_types
from offloadsim.engine_build import engine_build
from offloadsim.errors import as_flags, message_lines, user_errors
from offloadsim.startup import hold_collector, release_collector, resume_collector
from offloadsim.suggest import close_matches, counted, did_you_mean_file, quoted
from offloadsim.sweep_keys import SWEEP_KEYS
from offloadsim.unseen import escape_unseen

__all__ = [
    "main",
    "entry",
    "build_parser",
    "EXIT_OK",
    "EXIT_INTERNAL",
    "EXIT_USAGE",
    "EXIT_INTERRUPTED",
    "EXIT_TERMINATED",
    "EXIT_BROKEN_PIPE",
]

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143  # 128 + SIGTERM, as a shell reports a process that SIGTERM ended
#: 128 + SIGPIPE, as a shell reports ``yes | head -1``'s writer: stdout's reader stopped reading, not a bug.
EXIT_BROKEN_PIPE = 141

#: a line under ``run``'s table: its numbers are one replication's, as ``compare -n 1`` says of
#: its own (a reviewer's trial, 2026-12-07: one run of an M/M/1 queue at load 0.8 read a mean
#: latency of 5,173.5 ms, where its replications spread by about 320 ms about 5,000)
ONE_RUN = "one replication: each value is this run's, with no CI (compare --replications N: a 95 % CI over N)"


_PREFIX = "offloadsim: error: "
# A sweep file's keys that are not also a scenario's: a --set of one belongs in the file itself.
_SWEEP_FILE_ONLY = frozenset(SWEEP_KEYS) - {"name", "description"}


#: A word that is a value though it starts with ``-``: a minus and a digit (``-1ms``, ``-.5``), or a
#: minus and a number with no digit, infinity or not-a-number as ``float`` reads them (``-inf``,
#: ``-Infinity``, ``-nan``, ``-inf%``; not ``-info`` nor ``-infms``, which are no number).  No option of
#: the command line is named so (``-n``, ``-h`` and ``-q`` are its short ones).  Such a word is a value
#: in every parser, before argparse looks for an option it starts with (:meth:`_Parser._parse_optional`):
#: ``compare --seed -nan`` was read as ``-n an``.
_NEGATIVE_VALUE = re.compile(  # whole words: argparse matches or fullmatches it
    r"-(?:\.?\d|(?:inf(?:inity)?|nan)(?![a-z0-9_])).*", re.DOTALL | re.IGNORECASE
)
#: argparse's message for an option whose value is missing (or was read as an option).
#: argparse's message for a verb (or sub-verb) it does not know, the word refused in its group 1.
#: A string: re compiles (and caches) it at first use, not at import, as a run seldom needs it (issue 12 e).
_INVALID_CHOICE = r"^argument \S+: invalid choice: '(.*)' \(choose from "
_NO_VALUE = r"^argument (\S+): expected (?:one argument|at least one argument)$"


class _UsageError(Exception):
    """Bad command-line arguments (raised instead of argparse's print-and-exit).

    A world refused is :class:`offloadsim.cli.worlds.WorldRefused`, a user error too.
    """


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, handled by :func:`main`, and whose options are whole.

    No option may be abbreviated (``allow_abbrev=False``): argparse took ``run --ou DIR`` for
    ``--out``, so a typo that happened to be a prefix silently chose an option.  Every verb's
    parser is of this class (``add_parser`` builds its parent's class), so the refusal reaches
    each; the error then suggests the option meant (:func:`_option_hint`).
    """

    _given: Sequence[str] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)
        cli_types.given_once_by_default(self)
        # A word that starts with a minus and a digit is a value, not an option (no option is named so):
        # argparse took -1 and -0.5 as values but read --latency -1ms, --target-ci -5% or --load -1e-3
        # as an option, and said only "expected one argument"; the option's own check now says why
        # the value is refused.
        self._negative_number_matcher = _NEGATIVE_VALUE

    def _parse_optional(self, arg_string: str) -> Any:
        """Read a word as argparse does, but a negative value as a value (:data:`_NEGATIVE_VALUE`).

        argparse looks for an option a word starts with before asking its negative-number matcher,
        so where ``-n`` is an option, ``-nan`` (and ``-NaN``, ``-nan%``) was ``-n an``: ``compare
        --seed -nan`` said "expected one argument", where ``--seed -inf`` reached the option's check.
        """
        if arg_string not in self._option_string_actions and self._negative_number_matcher.fullmatch(
            arg_string
        ):
            return None
        return super()._parse_optional(arg_string)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        """Parse as argparse does, keeping the arguments for :meth:`error` (a verb's parser gets its own)."""
        self._given = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(args, namespace)

    def error(self, message: str) -> NoReturn:
        invalid_choice = re.match(_INVALID_CHOICE, message)
        unknown = self._unknown_options(before=invalid_choice)
        if unknown and (invalid_choice or message.startswith("the following arguments are required")):
            # argparse checks what is missing before its caller sees what it did not know: the
            # option mistyped is the mistake to report (models show --x: not "NAME is required";
            # calibrate --desc x: not "invalid choice: 'x'", the value of the option mistyped).
            message = f"unrecognized arguments: {' '.join(unknown)}{_option_hint(self, unknown)}"
        raise _UsageError(f"{message}{self._dash_value_hint(message)} (see '{self.prog} --help')")

    def _unknown_options(self, before: re.Match[str] | None = None) -> list[str]:
        """The arguments given that look like options this parser does not have (``--x``).

        ``before``: an invalid choice's message; only those before the word refused are taken.
        """
        unknown = []
        for arg in self._given:
            if arg == "--" or (before is not None and arg == before.group(1)):
                break
            if len(arg) < 2 or arg[0] != "-" or " " in arg or self._negative_number_matcher.match(arg):
                continue
            if not self._names_option(arg):
                unknown.append(arg)
        return unknown

    def _names_option(self, arg: str) -> bool:
        """Whether ``arg`` is one of this parser's options: by name, ``-n5`` or ``--x=V`` (whole)."""
        known = self._option_string_actions
        return arg.split("=", 1)[0] in known or (arg[1] != "-" and arg[:2] in known)

    def _dash_value_hint(self, message: str) -> str:
        """How to give a value that starts with ``-``, where argparse took it for an option.

        ``--description -fast`` said only "expected one argument": argparse reads a word that starts
        with ``-`` (but not a digit) as an option, and ``--description=-fast`` is the way to say it.
        """
        said = re.match(_NO_VALUE, message)
        if said is None:
            return ""
        options = said.group(1).split("/")
        for word, after in zip(self._given, self._given[1:], strict=False):
            if word == "--":
                break
            typed = word.split("=", 1)[0]
            if "=" in word or typed not in options:
                continue
            if after.startswith("-") and after != "-" and not self._names_option(after):
                return (
                    f"; {quoted(after)} starts with '-', which reads as an option: "
                    f"write {typed}={shlex.quote(after)}"
                )
        return ""


def _option_hint(parser: argparse.ArgumentParser, unknown: Sequence[str]) -> str:
    """`` (did you mean --out?)`` for the first word of ``unknown`` near one of ``parser``'s options.

    An option's start (``--ou``) names every option it starts (options are never abbreviated);
    otherwise the close spellings (``--oput``).  ``""`` when none is near.
    """
    options = [option for option in parser._option_string_actions if option.startswith("--")]
    for word in unknown:
        typed = word.split("=", 1)[0]
        if not typed.startswith("--") or len(typed) < 3:
            continue
        meant = [option for option in options if option.startswith(typed)]
        if meant:
            return f" (options are written in full: did you mean {_either(meant)}?)"
        meant = close_matches(typed[2:], [option[2:] for option in options], n=3, within=0.05)
        if meant:  # without the dashes, which made any short word near (--ke: --help)
            return f" (did you mean {_either([f'--{name}' for name in meant])}?)"
    return ""


def _either(options: Sequence[str]) -> str:
    """``--a``, ``--a or --b``, ``--a, --b or --c``: the options a word may have meant, as typed."""
    return " or ".join([", ".join(options[:-1]), options[-1]] if len(options) > 2 else options)


# --------------------------------------------------------------------------- parser


def build_parser(verb: str | None = None) -> argparse.ArgumentParser:
    """Build the argument parser: every verb and option, or with ``verb`` only that verb's group.

    A parser with one verb parses that verb's command lines exactly as the
    full one does (same options, messages and ``--help``); :func:`main`
    uses it when the command line names its verb first, since building
    every verb costs about 20 ms of a run's start-up (argparse looks up
    message translations for every option, and the verb modules are imported).
    """
    common = _Parser(add_help=False)
    cli_types.add_debug(common)
    parser = _Parser(
        prog="offloadsim",
        description="Simulate edge/cloud offloading of AI inference.",
        epilog="Run 'offloadsim VERB --help' for a verb's options.",
    )
    # The engine's build too: a compiled install's timings are not the pure one's (docs/performance.md).
    parser.add_argument(
        "--version", action="version", version=f"offloadsim {__version__} (engine: {engine_build()})"
    )
    parser.add_argument("--debug", action="store_true", help=cli_types.DEBUG_HELP)
    verbs = parser.add_subparsers(
        dest="command",
        metavar="VERB",
    )
    added: set[Callable[..., None]] = set()
    for name, add in _VERBS.items():
        if (verb is None or name == verb) and add not in added:
            add(verbs, common)
            added.add(add)
    return parser


def _overrides_flag() -> argparse.ArgumentParser:
    overrides = _Parser(add_help=False)
    overrides.add_argument(
        "--set",
        dest="overrides",
        metavar="KEY.PATH=VALUE",
        type=cli_types.override,
        action="append",
        default=[],
        help="override a scenario value, e.g. --set 'links[0].bandwidth=5 Mbps' (repeatable)",
    )
    return overrides


def _add_run(verbs: Any, common: argparse.ArgumentParser) -> None:
    p = verbs.add_parser(
        "run",
        parents=[common, _overrides_flag()],
        help="run one scenario with one policy",
        description="Run one replication of a scenario; print its summary and write the run directory.",
    )
    p.add_argument("file", type=cli_types.given("a scenario file"), metavar="FILE", help="scenario YAML file")
    p.add_argument(
        "--policy",
        type=cli_types.one_policy,
        metavar="NAME",
        help="placement policy (default: the scenario's): NAME, or NAME(KEY=VALUE, ...) with its parameters, "
        "e.g. 'neurosurgeon(objective=energy)' (quoted for the shell); LABEL=ENTRY names the run LABEL, "
        "as compare names an entry",
    )
    cli_types.add_seed(p)
    p.add_argument(
        "--replication",
        type=cli_types.count,
        default=0,
        metavar="N",
        help="replication index (default 0)",
    )
    p.add_argument(
        "--out",
        type=cli_types.given("a directory"),
        metavar="DIR",
        help="run directory (default: results/<scenario>-<policy>-s<seed>[-r<replication>])",
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="delete the earlier result there instead of keeping it as DIR.old-N",
    )
    p.add_argument("--dry-run", action="store_true", help="validate and describe the topology; run nothing")
    p.add_argument(
        "--stages", action="store_true", help="also record every compute stage and transfer (stages.parquet)"
    )
    cli_types.add_policy_timeout(p)
    p.add_argument(
        "--quiet", "-q", action="store_true", help="no progress bar and no table; print only the path"
    )
    p.set_defaults(handler=_cmd_run)


def _add_validate(verbs: Any, common: argparse.ArgumentParser) -> None:
    p = verbs.add_parser(
        "validate",
        parents=[common, _overrides_flag()],
        help="check a scenario file",
        description="Check a scenario file (and its overrides) without running it.",
    )
    p.add_argument("file", type=cli_types.given("a scenario file"), metavar="FILE", help="scenario YAML file")
    p.add_argument(
        "--policy",
        type=cli_types.one_policy,
        metavar="NAME",
        help="check with this policy (default: the scenario's): NAME, or NAME(KEY=VALUE, ...) with its "
        "parameters",
    )
    p.add_argument(
        "--show",
        action="store_true",
        help="print the resolved scenario as a scenario file (SI units, patterns expanded), then the world",
    )
    p.add_argument(
        "--out",
        type=cli_types.given("a directory"),
        metavar="DIR",
        help="check the free disk where 'run --out DIR' would write (default: run's default directory)",
    )
    p.add_argument("--stages", action="store_true", help="count the stage records 'run --stages' writes")
    p.set_defaults(handler=_cmd_validate)


def _add_schema(verbs: Any, common: argparse.ArgumentParser) -> None:
    p = verbs.add_parser(
        "schema",
        parents=[common],
        help="print the scenario JSON Schema",
        description="Print the JSON Schema.",
    )
    p.set_defaults(handler=_cmd_schema)


def _add_policies(verbs: Any, common: argparse.ArgumentParser) -> None:
    p = verbs.add_parser(
        "policies",
        parents=[common],
        help="list placement policies",
        description="List the placement policies with their parameters.",
    )
    p.set_defaults(handler=_cmd_policies)


def _add_link_models(verbs: Any, common: argparse.ArgumentParser) -> None:
    p = verbs.add_parser(
        "link-models",
        parents=[common],
        help="list link models",
        description="List the link models (network: {model: NAME}) with the keys each takes under network.",
    )
    p.set_defaults(handler=_cmd_link_models)


def _add_models(verbs: Any, common: argparse.ArgumentParser) -> None:
    p = verbs.add_parser(
        "models",
        parents=[common],
        help="list the built-in models",
        description="List the built-in models, or show one model's layers.",
    )
    p.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    shows = p.add_subparsers(
        dest="models_command",
        metavar="show",
    )
    s = shows.add_parser(
        "show", parents=[common], help="one model's layers", description="Show one model's layers."
    )
    s.add_argument(
        "name",
        metavar="NAME",
        help="model name, e.g. resnet50, NAME@SIZE for an image model at SIZE pixels (resnet18@160), "
        "or an ONNX file",
    )
    s.add_argument(
        "--csv", action="store_true", default=argparse.SUPPRESS, help="print CSV instead of a table"
    )
    p.set_defaults(handler=_cmd_models)


# The other verb groups' modules are imported only when their verbs are built.


def _add_profiles(verbs: Any, common: argparse.ArgumentParser) -> None:
    from offloadsim.cli.profiles import add_profiles_command

    add_profiles_command(verbs, [common])


def _add_examples(verbs: Any, common: argparse.ArgumentParser) -> None:
    from offloadsim.cli.examples import add_examples_command

    add_examples_command(verbs, [common])


def _add_experiments(verbs: Any, common: argparse.ArgumentParser) -> None:
    from offloadsim.cli.experiments import add_experiment_commands

    add_experiment_commands(verbs)


def _add_calibrate(verbs: Any, common: argparse.ArgumentParser) -> None:
    from offloadsim.cli.calibrate import add_calibrate_command

    add_calibrate_command(verbs)


def _add_testbed(verbs: Any, common: argparse.ArgumentParser) -> None:
    from offloadsim.cli.testbed import add_testbed_command

    add_testbed_command(verbs)


# Every verb, in the order --help lists them, with the function that adds its group of verbs.
_VERBS: dict[str, Callable[[Any, argparse.ArgumentParser], None]] = {
    "run": _add_run,
    "validate": _add_validate,
    "schema": _add_schema,
    "policies": _add_policies,
    "link-models": _add_link_models,
    "models": _add_models,
    "profiles": _add_profiles,
    "compare": _add_experiments,
    "sweep": _add_experiments,
    "plot": _add_experiments,
    "calibrate": _add_calibrate,
    "testbed": _add_testbed,
    "examples": _add_examples,
}


def _parser(verb: str | None = None) -> argparse.ArgumentParser:
    """The parser :func:`main` uses for ``verb`` (None: every verb), built once per process and kinds.

    A parser is reusable across calls, so a program or test calling :func:`main` many times builds
    it once; ``plot``'s help lists the figure kinds registered when it was built, so a kind
    registered since (a script's, a test's) gets a parser of its own.
    """
    kinds: tuple[str, ...] = ()
    if verb in (None, "compare", "sweep", "plot"):  # their parser reads the kind registry anyway
        from offloadsim.plots.kind_registry import registered_kinds

        kinds = tuple(kind.name for kind in registered_kinds())
    return _built_parser(verb, kinds)


@functools.cache
def _built_parser(verb: str | None, kinds: tuple[str, ...]) -> argparse.ArgumentParser:
    """:func:`build_parser` for ``verb`` while ``kinds`` are the registered figure kinds."""
    del kinds  # a key of the cache only
    return build_parser(verb)


def _verb_of(args: Sequence[str]) -> str | None:
    """The verb a command line names first (after any ``--debug``), if it is one; else None.

    Anything else before the verb (``--help``, ``--version``, a typo) needs the full parser.
    """
    for arg in args:
        if arg != "--debug":
            return arg if arg in _VERBS else None
    return None


def _innermost(parser: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.ArgumentParser:
    """The parser of the verb (or sub-verb: ``models show``) the command line chose.

    argparse hands options a verb does not know back up to the top parser,
    whose error would point at ``offloadsim --help``; the verb's own parser
    points at its help, which lists the options it does take.
    """
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            chosen = action.choices.get(getattr(args, action.dest, None) or "")
            if chosen is not None:
                return _innermost(chosen, args)
    return parser


def _split_value_hint(argv: Sequence[str], unknown: Sequence[str]) -> str:
    """Why a word is left over when it follows a ``--set`` or ``--where`` value: a space the shell split at.

    ``--set links[0].bandwidth=5 Mbps`` unquoted gives ``--set`` the value ``links[0].bandwidth=5``
    and leaves ``Mbps`` over; argparse then says only that it does not know ``Mbps`` (or, with
    ``FILE`` after it, takes ``Mbps`` for ``FILE`` and does not know ``FILE``).  An option the
    verb does not take is itself among ``unknown``: ``sweep S --set a=1 --set b=2`` got the hint
    to quote ``'a=1 --set'``.
    """
    for i, arg in enumerate(argv):
        if arg in unknown:  # a verb that takes no --set (sweep): no value of it was split
            continue
        if arg in ("--set", "--where") and i + 2 < len(argv):
            option, value, after = arg, argv[i + 1], argv[i + 2]
        elif arg.startswith(("--set=", "--where=")) and i + 1 < len(argv):
            (option, value), after = arg.split("=", 1), argv[i + 1]
        else:
            continue
        # Before FILE, the word left over is read as FILE and FILE is the one argparse does not know.
        if "=" in value and (after in unknown or not (after.startswith("-") or os.path.exists(after))):
            return f" (the shell split a value at its space: quote it, {option} '{value} {after}')"
    return ""


def _sweep_set_hint(command: str | None, unknown: Sequence[str]) -> str:
    """Where a sweep's ``--set`` goes: its file's ``set:`` section, which applies to every point.

    ``sweep S --set duration=10s`` was refused as unrecognized arguments, with no word of how.  A
    sweep file holds what its points run (``base``, ``set``, ``grid``), so that rerunning it resumes
    the same jobs and its manifest names every value; a command-line value would be one the file
    does not hold.
    """
    if command != "sweep":
        return ""
    for i, word in enumerate(unknown):
        option, _, value = word.partition("=")
        if option != "--set":
            continue
        value = value or (unknown[i + 1] if i + 1 < len(unknown) else "")
        key, equals, given = value.partition("=")
        root = re.split(r"[.\[]", key, maxsplit=1)[0]
        if equals and root in _SWEEP_FILE_ONLY:  # grid, policies, ...: the sweep file's own, not a point's
            rest = key[len(root) :]
            example = f"{root}: {{{rest[1:]}: {given}}}" if rest.startswith(".") else f"{key}: {given}"
            return (
                f" (sweep takes no --set: {root} is a key of the sweep file itself, not of the scenario its "
                f"points run: write it there, {example})"
            )
        example = f"set: {{{key}: {given}}}" if equals and key else "set: {duration: 60 s}"
        return (
            " (sweep takes no --set: write it in the sweep file's set: section, which applies to every "
            f"point and keeps the sweep's jobs resumable: {example})"
        )
    return ""


def _comma_list_hint(parser: argparse.ArgumentParser, argv: Sequence[str], unknown: Sequence[str]) -> str:
    """Why words are left over after a list option's value: its items given apart, not with commas.

    ``compare S --policies local edge`` gives ``--policies`` the value ``local`` and leaves ``edge``
    over (with ``FILE`` after the list, ``edge`` is read as ``FILE`` and the file is what argparse
    does not know).  The options that take a list are those whose metavar holds a comma
    (``A,B,...``, ``COLUMN[,COLUMN]``); for ``--policies``, only known policies are taken for its items.
    """
    lists = {
        option
        for option, action in parser._option_string_actions.items()
        if isinstance(action.metavar, str) and "," in action.metavar
    }
    for i, arg in enumerate(argv):
        option, _, value = arg.partition("=")
        if option not in lists or (not value and i + 1 == len(argv)):
            continue
        start = i + 1 if value else i + 2
        value = value or argv[i + 1]
        if value.startswith("-"):
            continue
        apart: list[str] = []
        for word in argv[start:]:
            if word.startswith("-") or (apart and os.path.exists(word)):
                break
            apart.append(word)
        rest = argv[start + len(apart) : start + len(apart) + 1]
        if option == "--policies":
            from offloadsim.policies.registry import policy_names  # only on this error: startup stays light

            if not {word.strip(",") for word in apart} <= set(policy_names()):
                continue  # "--policies edge extra": a word left over, not a policy given apart
        if apart and (set(apart) & set(unknown) or set(rest) & set(unknown)):
            together = ",".join([value.rstrip(","), *(word.strip(",") for word in apart)])
            return f" ({option} takes one comma-separated list, without spaces: {option} {together})"
    return ""


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args_list
    try:
        with warnings.catch_warnings():
            # Warnings meant for the user (scenario warnings, skipped plug-ins) are one line each, and
            # each once: compare and sweep check every policy and point, most warnings alike.  From
            # the parser on: --kind's choices read the figure kinds' entry points (a plug-in kind
            # named like a shipped one was a raw PluginWarning with its source line).
            warnings.simplefilter("always", UserWarning)
            warnings.showwarning = _WarningPrinter()
            parser = _parser(_verb_of(args_list))
            try:
                args, unknown = parser.parse_known_args(args_list)
                if unknown:
                    verb_parser = _innermost(parser, args)
                    hint = _sweep_set_hint(getattr(args, "command", None), unknown)
                    hint = hint or _split_value_hint(args_list, unknown)
                    hint = hint or _comma_list_hint(verb_parser, args_list, unknown)
                    hint = hint or _option_hint(verb_parser, unknown)
                    verb_parser.error(f"unrecognized arguments: {' '.join(unknown)}{hint}")
            except SystemExit as exit_:  # --help, --version
                return exit_.code if isinstance(exit_.code, int) else EXIT_OK
            debug = bool(getattr(args, "debug", False))
            if args.command is None:
                raise _UsageError(
                    "no verb given: use one of run, compare, sweep, plot, calibrate, testbed, validate, "
                    "schema, policies, models, profiles, examples (see 'offloadsim --help')"
                )
            handler: Callable[[argparse.Namespace], int] = args.handler
            with _notes_on_stderr(), _sigterm_interrupts(), as_flags():
                return handler(args)
    except _Terminated as stop:
        print("offloadsim: terminated" + _saved_note(stop), file=sys.stderr)
        return EXIT_TERMINATED
    except KeyboardInterrupt as stop:
        print("offloadsim: interrupted" + _saved_note(stop), file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `offloadsim models | head`
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except SystemExit as exit_:  # sys.exit() in a plug-in's code, which nothing of offloadsim's calls
        said = _exit_called(exit_)
        if said is None:
            raise
        print(_PREFIX + said, file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:
        if isinstance(error, (_UsageError, *user_errors())):
            lines = message_lines(error)  # one per problem; a newline in a user's value escaped
            if getattr(error, "show_cause_with_debug", False):  # a plug-in's own exception: where in its code
                if debug:
                    traceback.print_exception(error.__cause__ or error, file=sys.stderr)
                else:
                    at = getattr(error, "hint_line", -1)  # the plug-in's line, among a sweep's other refusals
                    at = at if -len(lines) <= at < len(lines) else -1
                    lines[at] += "; run again with --debug to see its traceback"
            for line in lines:
                print(_PREFIX + line, file=sys.stderr)
            return EXIT_USAGE
        print(f"offloadsim: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        if debug:
            traceback.print_exc(file=sys.stderr)
        else:
            print("offloadsim: run again with --debug to see the traceback", file=sys.stderr)
        return EXIT_INTERNAL
    finally:
        release_collector()


def _saved_note(stop: KeyboardInterrupt) -> str:
    """What a stopped sweep kept and how to resume it ("; 2 of 48 jobs saved in DIR: ..."), else ""."""
    note = getattr(stop, "saved_note", "")
    return f"; {note}" if note else ""


def entry() -> NoReturn:
    """The console script and ``python -m offloadsim``: run :func:`main` and exit with its status.

    After Ctrl-C or SIGTERM the command has already cleaned up (partial
    results removed, workers ended) when :func:`main` returns, so the process
    ends at once: a signal that arrived while a library held a lock (a
    process pool's futures) would otherwise hang the interpreter's exit
    handlers, which join the pool's threads.
    """
    if _verb_of(sys.argv[1:]) in ("run", "validate"):
        hold_collector()  # until the simulation begins (api.run) or main returns: offloadsim.startup
    else:
        resume_collector()  # held by python -m offloadsim while it imported this module
    status = main()
    if status in (EXIT_INTERRUPTED, EXIT_TERMINATED):
        # os._exit skips the exit handlers, so the interrupted run's temporary files (spilled
        # records, whose owners the unwinding left unreachable) are removed here: collecting
        # them runs their finalizers.  So is multiprocessing's own temporary directory (the
        # forkserver's socket), which only its exit handler would remove.
        gc.collect()
        _remove_multiprocessing_temp_dir()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(status)
    raise SystemExit(status)


def _remove_multiprocessing_temp_dir() -> None:
    """Remove the ``pymp-*`` folder multiprocessing made for a pool (in ``$TMPDIR`` or ``/tmp``), if any."""
    if "multiprocessing" not in sys.modules:  # no pool was started: nothing to remove, nothing to import
        return
    from offloadsim.experiments.socket_folder import made_folder

    directory = made_folder()
    if directory is not None:
        shutil.rmtree(directory, ignore_errors=True)


class _WarningPrinter:
    """``warnings.showwarning`` for one command: ``offloadsim: warning: ...`` on one line, each text once.

    No source line, no category; a warning already printed by this command is not printed again.
    Its whitespace runs are one space, and other controls and format marks escaped, as an error's are.
    """

    def __init__(self) -> None:
        self.printed: set[str] = set()

    def __call__(self, message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        text = escape_unseen(" ".join(str(message).split()).removeprefix("offloadsim: "))
        if text not in self.printed:
            self.printed.add(text)
            print(f"offloadsim: warning: {text}", file=sys.stderr)


class _Terminated(KeyboardInterrupt):
    """SIGTERM arrived: unwound like Ctrl-C, so every writer cleans up, then exit 143."""


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """Make SIGTERM unwind like Ctrl-C while the block runs (main thread only).

    Python's default for SIGTERM is to die on the spot: no clean-up, worker
    processes left running.  Raised as :class:`_Terminated`, it runs the
    same clean-up as Ctrl-C: partial results removed, workers stopped.
    Further SIGTERMs during that clean-up are ignored.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise _Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _notes_on_stderr() -> Iterator[None]:
    """Show the library's notes (``offloadsim`` logger, INFO and up) as ``offloadsim: note: ...`` lines.

    Notes say what the command did beside its result: an earlier result
    moved aside, leftovers of a killed run removed.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("offloadsim: note: %(message)s"))
    logger = logging.getLogger("offloadsim")
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


def _exit_called(exit_: SystemExit) -> str | None:
    """The line saying that a plug-in's code called ``sys.exit()``, where; None where none of its frames did.

    A plug-in policy's ``decide`` (or ``__init__``, or any plug-in method offloadsim calls) that
    calls ``sys.exit(4)`` ended the command with status 4 and no word; ``sys.exit("no GPU")``
    printed its text alone, with status 1, which means a bug of offloadsim's.
    """
    from offloadsim.plugins import plugin_line

    where = plugin_line(exit_)
    if not where:
        return None
    code = exit_.code
    called = f"sys.exit({code!r})" if code is not None else "sys.exit()"
    return (
        f"a plug-in's code called {called}{where}, which would end offloadsim without a word; "
        "a plug-in says what went wrong by raising an exception"
    )


def _optional(module: str, name: str) -> Any:
    """``module.name`` if it can be imported, else None (parts of the package may be absent)."""
    import importlib

    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the interpreter's final flush stays quiet."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


# --------------------------------------------------------------------------- verbs


def _cmd_run(args: argparse.Namespace) -> int:
    from offloadsim import api
    from offloadsim.records.results import RUN_FILES, check_out_dir
    from offloadsim.records.tables import record_tables

    if args.out is not None:  # a dry run too: it said "nothing written" of a run that could not write
        check_out_dir(args.out, args.overwrite, [args.file])  # fail fast, before loading or running
    scenario = api.load(args.file, args.overrides, "--set ")
    api.check_seed(scenario, args.seed, "--seed ")
    spec, label = api.chosen_policy(scenario, args.policy, "--policy ")
    from offloadsim.scenario.policy_entries import given_label

    named = given_label(args.policy) if args.policy is not None else None  # LABEL=ENTRY: its name
    seed = scenario.seed if args.seed is None else args.seed
    out = (
        Path(args.out)
        if args.out is not None
        else api.default_out_dir(scenario.name, named or spec.name, seed, args.replication)
    )
    check_out_dir(out, args.overwrite, [args.file])
    from offloadsim.cli.room import check_run_room

    check_run_room(scenario, out, args.stages)  # a dry run too: --stages counts the stage records there
    if args.dry_run:
        once = api.WorldOnce(scenario)  # the check's and the summary's one reading of the dynamics
        api.check_policy(spec, scenario, "--policy ", world=once, label=label)  # a real run: in api.run
        from offloadsim.cli.worlds import built_world, print_world, station_lines

        world = built_world(scenario, once)  # a bad world is refused before anything is printed
        # Its trial decisions, under --policy-timeout: a plug-in's fault is refused here too.
        stations = station_lines(spec, world, seed, policy_timeout_s=args.policy_timeout)
        if args.quiet:  # every check made: only the directory the run would write, as a run prints it
            print(out)
            return EXIT_OK
        print(f"policy {named or label or spec.name}, {counted(len(scenario.workload), 'workload')}")
        print_world(world, [spec])  # its first line counts the nodes; its notes: under the policy run
        _print_cut_notes(scenario, spec, world)
        for line in stations:
            print(line)
        print("dry run: nothing simulated, nothing written")
        return EXIT_OK
    result = api.run(
        scenario,
        # an entry as written (its label named in the records), else the policy resolved
        policy=spec.name if label is None else label,
        policy_params=spec.params if label is None else None,
        seed=seed,
        replication=args.replication,
        out=out,
        overwrite=args.overwrite,
        progress=not args.quiet,
        stages=args.stages,
        policy_option="--policy ",
        policy_label=label,
        policy_timeout=args.policy_timeout,
        scenario_checked=True,  # api.load's, as loaded: not validated a second time
        overrides=args.overrides,  # those api.load applied, for the manifest
    )
    if args.quiet:
        print(out)
        return EXIT_OK
    print(result.format_table())  # its notes under it, as a Python user reads them
    wall = result.manifest.get("wall_s", float("nan"))
    print(f"\nsimulated {result.manifest.get('end_s', 0.0):g} s in {wall:.2f} s of wall time")
    print(ONE_RUN)
    # --stages adds one; a plug-in its record tables (offloadsim.records.tables)
    files = (*RUN_FILES, *(t.file for t in record_tables() if t.file not in RUN_FILES), "stages.parquet")
    written = [name for name in files if (out / name).is_file()]
    from offloadsim.scenario.inputs_folder import INPUTS_FOLDER

    written += [f"{INPUTS_FOLDER}/"] if (out / INPUTS_FOLDER).is_dir() else []  # the files it read, copied
    print(f"results: {out}/  ({', '.join(written)})")
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    from offloadsim import api
    from offloadsim.cli.room import check_run_room
    from offloadsim.cli.worlds import built_world, station_lines, world_summary
    from offloadsim.outdir import out_path

    scenario = api.load(args.file, args.overrides, "--set ")
    spec, label = api.chosen_policy(scenario, args.policy, "--policy ")
    once = api.WorldOnce(scenario)  # the check's and the summary's one reading of the dynamics
    api.check_policy(spec, scenario, "--policy ", world=once, label=label)
    out = (
        out_path(args.out)  # what run refuses ('-', a NUL): refused here too
        if args.out is not None
        else api.default_out_dir(scenario.name, spec.name, scenario.seed, 0)
    )
    check_run_room(scenario, out, args.stages)
    world = built_world(scenario, once)
    summary = world_summary(world, [spec])  # its notes those of a run of the policy checked
    stations = station_lines(spec, world, scenario.seed) if args.show else []  # before anything printed
    print("ok: " + _counts_line(scenario))
    if args.show:
        from offloadsim.scenario.written import resolved_scenario
        from offloadsim.strict_yaml import dump_yaml

        document, notes = resolved_scenario(scenario)
        print(f"# the resolved scenario of {scenario.source}, a scenario file: save --- to ... to run it")
        for line in notes:
            print(f"# {line}")
        text = dump_yaml(  # as the scenario reader reads it back: a description "1e9" stays text
            document,
            sort_keys=False,
            allow_unicode=True,
            explicit_start=True,
            explicit_end=True,
            width=100_000,
        )
        print(text, end="")
        if summary:
            print(summary)  # its notes included
        for line in stations:
            print(line)
    elif world is not None:
        for note in world.scenario_notes_under(spec):  # a profile not to be trusted, a key not acted on, ...
            print(f"note: {note}")
    _print_cut_notes(scenario, spec, world)
    return EXIT_OK


def _cmd_schema(args: argparse.Namespace) -> int:
    schema_fn = _optional("offloadsim.scenario", "scenario_json_schema")
    if schema_fn is None:
        raise _UsageError("the scenario schema is not available in this build")
    print(json.dumps(schema_fn(), indent=2))
    return EXIT_OK


def _cmd_policies(args: argparse.Namespace) -> int:
    from offloadsim.policies.registry import describe_policies

    infos = describe_policies()
    width = max((len(info.name) for info in infos), default=0)
    for info in infos:
        origin = getattr(info, "origin", "offloadsim")
        note = f"  [{origin}]" if origin != "offloadsim" else ""
        print(f"{info.name.ljust(width)}  {info.summary}{note}")
        for param in info.params:
            name, type_, default, help_ = param
            shown = "required" if getattr(param, "required", False) else f"default {quoted(default)}"
            line = f"{' ' * (width + 2)}  {name}: {type_} ({shown})"
            print(line + (f"  {help_}" if help_ else ""))
    return EXIT_OK


def _cmd_link_models(args: argparse.Namespace) -> int:
    from offloadsim.scenario.link_models import describe_link_models

    infos = describe_link_models()
    width = max((len(info.name) for info in infos), default=0)
    for info in infos:
        note = f"  [{info.origin}]" if info.origin != "offloadsim" else ""
        print(f"{info.name.ljust(width)}  {info.summary}{note}")
        for declared in info.keys:
            shown = (
                "required" if declared.required else f"default {declared.default_doc or declared.default!r}"
            )
            unit = f", {declared.unit}" if declared.unit else ""
            print(f"{' ' * (width + 2)}  {declared.yaml} ({shown}{unit})  {declared.doc}")
    return EXIT_OK


def _cmd_models(args: argparse.Namespace) -> int:
    models = _optional("offloadsim.models", "models_table")
    layers = _optional("offloadsim.models", "layers_table")
    notes = _optional("offloadsim.models", "table_notes")
    if models is None or layers is None or notes is None:
        raise _UsageError("the model zoo is not available in this build")
    if args.models_command != "show":
        table, said = models(), notes()
    elif args.name.lower().endswith(".onnx") or os.path.isfile(args.name):  # False for a name too long
        table, said = layers(_onnx_graph(args.name)), []
    else:
        table, said = _zoo_layers(layers, args.name), notes(args.name.partition("@")[0])
    if args.csv:
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        print(table.to_string(index=False))
        for line in said:  # what a row is of, where the table cannot say it (a 128-token prefill)
            print(line)
    return EXIT_OK


def _zoo_layers(layers: Callable[..., Any], label: str) -> Any:
    """The layer table of zoo model ``label``, ``NAME`` or ``NAME@SIZE`` as ``calibrate`` reads it.

    ``resnet18@160`` is resnet18 at 160 px (``params: {image_size: 160}`` in a scenario); a size
    the model cannot take, or a model that takes none, is a usage error naming the label as
    ``calibrate`` does (``bad model "resnet18@0": ...``).
    """
    from offloadsim.models.registry import sized_model, unbuildable
    from offloadsim.shapes import describe

    bad = f"bad model {describe(label)}"
    try:
        name, params = sized_model(label)  # an unknown model raises, as a bare name does
    except ValueError as error:
        raise _UsageError(f"{bad}: {error}") from None
    try:
        return layers(name, **params)
    except ValueError as error:  # an image too small for the model's windows, as a scenario says it
        if not params:
            raise
        raise _UsageError(f"{bad}: {unbuildable(name, params, error)}") from None


def _onnx_graph(path: str) -> Any:
    """The layer graph of an ONNX file, as a scenario's ``onnx:`` reads it; a usage error if it cannot be."""
    from offloadsim.models.onnx_io import import_failure, load_onnx, onnx_path_problem

    what = onnx_path_problem(path)
    if what is not None:
        what += did_you_mean_file(path) if what == "no such file" else ""
        raise _UsageError(f"{path}: {what}; expected an ONNX model file (or a built-in model's name)")

    try:
        return load_onnx(path)
    except Exception as error:  # the file is the user's: failing to import it is bad input, not a bug
        raise _UsageError(import_failure(path, error, shown=path)) from None


# --------------------------------------------------------------------------- helpers


def _counts_line(scenario: Any) -> str:
    """``N nodes (a device, b edge, ...), M links, K workloads``."""
    tiers: dict[str, int] = {}
    for node in scenario.nodes:
        tiers[node.tier] = tiers.get(node.tier, 0) + 1
    per_tier = ", ".join(f"{count} {tier}" for tier, count in tiers.items())
    return (
        f"{counted(len(scenario.nodes), 'node')}"
        + (f" ({per_tier})" if per_tier else "")
        + f", {counted(len(scenario.links), 'link')}, {counted(len(scenario.workload), 'workload')}"
    )


def _print_cut_notes(scenario: Any, spec: Any, world: Any) -> None:
    """The note a run prints under its table for each cut of ``spec`` clamped for some applications."""
    if world is None:
        return
    from offloadsim.analysis.notes import clamped_cut_notes

    for note in clamped_cut_notes(scenario, spec, world.layer_counts):
        print(f"note: {note}")
