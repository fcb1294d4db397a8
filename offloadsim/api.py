"""The Python entry point: load a scenario, simulate it, return (and optionally write) the result.

>>> import offloadsim
>>> result = offloadsim.run("scenarios/quickstart.yaml", policy="edge")  # doctest: +SKIP
>>> result.tasks.groupby("status").size()  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import numbers
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from offloadsim.errors import MAX_INDEX, RunError, shown_path, shown_text
from offloadsim.experiment_defaults import POLICY_TIMEOUT_S
from offloadsim.input_kinds import SCENARIO, misdirected_path
from offloadsim.outdir import DirectoryLockedError, ResultsError, check_out_dir
from offloadsim.progress import make_progress
from offloadsim.startup import release_collector
from offloadsim.suggest import quoted

if TYPE_CHECKING:
    from offloadsim.records.results import RunResult
    from offloadsim.scenario.errors import Problem, ScenarioError
    from offloadsim.scenario.model import PolicySpec, Scenario
    from offloadsim.scenario.policy_entries import PolicyEntry
    from offloadsim.world.build import World
    from offloadsim.world.dynamics.base import Dynamics

__all__ = [
    "RunError",
    "run",
    "load",
    "resolve_policy",
    "chosen_policy",
    "check_policy_overrides",
    "check_policy",
    "scenario_warnings",
    "WorldOnce",
    "policy_given",
    "check_index",
    "check_flags",
    "check_policy_name",
    "check_policy_timeout",
    "check_out",
    "OutRefused",
    "check_overrides",
    "check_seed",
    "scenario_from",
    "check_built",
    "default_out_dir",
]


def check_index(value: object, what: str) -> int:
    """Return ``value`` if it is a whole number from 0 to 2**63 - 1, else raise :class:`RunError`.

    What the command line's ``--seed`` and ``--replication`` accept; from Python a negative or
    a string seed would otherwise end deep in numpy with its own message.  numpy's integers
    (``np.random.randint``'s) are whole numbers too, returned as Python's ``int``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 0 <= int(value) <= MAX_INDEX:
        shown = quoted(value) if len(quoted(value)) <= 40 else f"{quoted(value)[:30]}..."
        raise RunError(f"{what}: expected a whole number from 0 to {MAX_INDEX}, got {shown}")
    return int(value)


def check_policy_name(policy: object) -> str:
    """Return ``policy`` if it is text (a name or an entry), else raise :class:`RunError` saying what it is.

    ``run(policy=3)`` ended in a TypeError from ``"(" in 3``; ``resolve_policy(scenario, 3)``
    returned a policy named 3, refused only later as an unknown policy.
    """
    if not isinstance(policy, str):
        raise RunError(
            f"policy: {said}"
            if (said := policy_object_words(policy, "policy="))
            else "policy: expected a policy name or an entry like 'neurosurgeon(objective=energy)', "
            f"got {type(policy).__name__} {policy!r:.60}"
        )
    return policy


def policy_object_words(policy: object, pass_as: str) -> str | None:
    """What to say of a policy's class or object given where its name goes; None for anything else.

    ``run(policy=WaitThreshold)`` said only "got type <class ...>", and ``compare`` read an
    object's repr, ``WaitThreshold(threshold_s=0.5)``, as an entry naming a policy ``WaitThreshold``.
    A policy is named: say the name its class is registered under, or how to register it.
    ``pass_as``: how the caller gives a name (``policy=``, or ``""`` for an entry of a list).
    """
    if not hasattr(policy, "decide"):
        return None
    from offloadsim.policies.registry import available_policies

    cls = policy if isinstance(policy, type) else type(policy)
    what = "class" if isinstance(policy, type) else "object of class"
    head = f"got the policy {what} {cls.__qualname__}, not its name: "
    name = next((name for name, info in available_policies().items() if info.factory is cls), None)
    if name is None:
        return (
            f'{head}register it first, offloadsim.policies.register_policy("NAME")({cls.__qualname__}), '
            f'and pass {pass_as}"NAME"'
        )
    entry = quoted(f"{name}(KEY=VALUE, ...)")
    said = f"it is registered as {quoted(name)}: pass {pass_as}{quoted(name)}"
    return f"{head}{said} (its parameters in the entry, {entry})"


class OutRefused(RunError, ResultsError):
    """``out=`` cannot take a run's result: a ``ValueError``, as sweep's refusal of it is.

    It was a bare ``ResultsError``, so ``except ValueError`` (what docs/python.md says catches a refused
    argument) caught ``sweep(..., out=FILE)`` but not ``run`` or ``compare``'s.
    """


def check_out(out: str | Path, overwrite: bool, inputs: Iterable[str | Path]) -> None:
    """:func:`~offloadsim.outdir.check_out_dir`, refusing with an :class:`OutRefused` (a held lock as is)."""
    try:
        check_out_dir(out, overwrite, inputs)
    except DirectoryLockedError:  # busy, not a wrong argument
        raise
    except ResultsError as error:
        raise OutRefused(str(error)) from None


def check_policy_timeout(policy_timeout: object) -> None:
    """Raise :class:`RunError` unless ``policy_timeout`` is seconds (at least 0, finite) or None."""
    if policy_timeout is not None and (
        isinstance(policy_timeout, bool)
        or not isinstance(policy_timeout, int | float)
        or not 0 <= policy_timeout < math.inf
    ):
        raise RunError(f"policy_timeout: expected seconds (at least 0) or None, got {policy_timeout!r:.60}")


def check_flags(**flags: object) -> None:
    """Raise :class:`RunError` unless each keyword is True or False, as the command line's flags are.

    ``stages="no"`` was taken as true and recorded the stages it meant to leave out.
    """
    for name, value in flags.items():
        if not isinstance(value, bool):
            raise RunError(f"{name}: expected True or False, got {type(value).__name__} {value!r:.40}")


def check_overrides(overrides: object) -> tuple[str, ...]:
    """Return ``overrides`` as a tuple of ``"key.path=value"`` strings, or raise :class:`RunError`.

    A lone string is the commonest slip (``overrides="duration=5 s"``): iterated, it would be
    read as one override per character.
    """
    if isinstance(overrides, str | bytes) or not isinstance(overrides, Sequence):
        raise RunError(
            f"overrides: expected a list of 'key.path=value' strings, got {type(overrides).__name__} "
            f"{overrides!r:.60}" + (f" (write [{overrides!r:.60}])" if isinstance(overrides, str) else "")
        )
    for item in overrides:
        if not isinstance(item, str):
            raise RunError(
                f"overrides: expected 'key.path=value' strings, got {type(item).__name__} {item!r:.60}"
            )
    return tuple(overrides)


def load(path: str | Path, overrides: Sequence[str] = (), overrides_option: str = "overrides=") -> Scenario:
    """Load and validate a scenario file with ``--set``-style ``overrides`` (``"key.path=value"``).

    Raises :class:`RunError` if the file is missing and the loader's
    ``ScenarioError`` for anything wrong inside it.  ``overrides_option``: how the
    caller's user gave the overrides (the command line's ``--set ``), which a message
    about a value one gave names: ``(set by overrides="duration=-1 s")``.
    """
    if not isinstance(path, str | Path):
        raise RunError(
            f"scenario: expected a path to a YAML file or a loaded Scenario, got {type(path).__name__}"
            + (
                " (offloadsim.scenario.load_scenario_data(mapping) loads a mapping into a Scenario)"
                if isinstance(path, Mapping)
                else ""
            )
        )
    if isinstance(path, str) and "\n" in path.strip():  # a notebook's YAML string: no file name has lines
        how = (
            "offloadsim.scenario.load_scenario_text(text) loads it into a Scenario, which this takes"
            if overrides_option == "overrides="
            else "save it to a file and name that"  # the command line's
        )
        raise RunError(f"scenario: got YAML text, not a file path: {how}")
    overrides = check_overrides(overrides)
    file = Path(path)
    try:
        exists, is_dir = file.exists(), file.is_dir()
    except (OSError, ValueError) as error:  # a name too long for the file system, a NUL byte
        reason = getattr(error, "strerror", None) or str(error)
        raise RunError(f"cannot use scenario path {shown_path(file)}: {reason}") from None
    if not exists:
        from offloadsim.suggest import did_you_mean_file

        raise RunError(f"scenario file not found: {file}{did_you_mean_file(file)}")
    if is_dir:
        wrong = misdirected_path(file, SCENARIO)  # a results directory given to run
        raise RunError(wrong or f"scenario path is a directory, not a file: {file}")
    from offloadsim import scenario as scenario_package

    loader = getattr(scenario_package, "load_scenario", None)
    if loader is None:
        raise RunError(
            "the scenario loader is not available in this build (offloadsim.scenario.load_scenario)"
        )
    scenario: Scenario = loader(file, overrides, overrides_option)
    return scenario


def check_seed(scenario: Scenario, seed: int | None, seed_option: str = "seed=") -> None:
    """Raise :class:`RunError` if ``seed`` and an override of ``seed`` the scenario was loaded with differ.

    ``--seed 5 --set seed=4`` ran with 5 without a word: one of the two the user gave was
    dropped.  Both, with one value, are harmless.  ``seed_option``: how the caller's user gave
    ``seed`` (the command line's ``--seed ``); the override is named as it was given
    (``--set "seed=4"``, or Python's ``overrides="seed=4"``).
    """
    from offloadsim.scenario.overrides import PathError, parse_path

    if seed is None or seed == scenario.seed:
        return
    for key, where in scenario.footprint.set_by:
        try:
            is_seed = parse_path(key) == ("seed",)
        except PathError:  # a sweep's key as its file names it: not an override's path
            continue
        if is_seed:
            raise RunError(
                f"seed: given twice ({seed_option}{seed}, and {scenario.seed} {where.note}); give it once"
            )


def scenario_from(
    scenario: str | Path | Scenario, overrides: Sequence[str] = (), checked: bool = False
) -> Scenario:
    """The scenario an entry point was given: a file loaded with ``overrides``, or a loaded one.

    A loaded one is checked as one built by hand (:func:`check_built`) unless ``checked`` says
    :func:`load` returned it and nothing changed it since, as the command line's ``run`` does:
    the checks validate each spec again with its own model of the schema, a pydantic validator
    each, about 2 % of a run with no tasks (issue 12 e). A loaded one whose fields
    ``dataclasses.replace`` changed gets a document saying so, which its manifest hashes and its
    ``scenario.yaml`` writes (:mod:`offloadsim.scenario.current_document`).
    """
    from offloadsim.scenario.model import Scenario

    if not isinstance(scenario, Scenario):
        return load(scenario, overrides)
    if not checked:
        check_built(scenario)
    if overrides:
        raise RunError(
            "overrides apply to a scenario file, not a loaded Scenario (which is frozen): load it again"
            " with them, offloadsim.scenario.load_scenario_data(scenario.document, scenario.source,"
            " scenario.base_dir, overrides)"
        )
    from offloadsim.scenario.current_document import changed_fields, with_current_document

    try:
        return with_current_document(scenario)  # changed with dataclasses.replace: its manifest says so
    except Exception as error:  # a plug-in's value that its own code fails to write back
        raise RunError(
            f"scenario: {', '.join(changed_fields(scenario))} changed with dataclasses.replace, and its"
            f" document cannot be written back to say so ({type(error).__name__}: {error}); give the"
            " document that describes it too, dataclasses.replace(scenario, ..., document=...)"
        ) from None


def check_built(scenario: Scenario) -> None:
    """Raise :class:`RunError` where a :class:`Scenario` built by hand holds what the loader never makes.

    The loader validates every value; one built by hand, or changed with ``dataclasses.replace``, is
    taken as is, and ``duration_s=-1.0``, ``seed=-1`` or ``policy="edge"`` ended in a KeyError, a
    ValueError from numpy or an AttributeError deep in the run.  Its top-level fields are checked
    here, and every spec below them as the loader checks a file's entry, in its words, at the
    field's path (:mod:`offloadsim.scenario.built_check`): ``scenario.links[0].bandwidth_bps:
    expected a positive bandwidth like 20 Mbps, got -5``.
    """
    from offloadsim.scenario.model import AppSpec, LinkSpec, NodeSpec, PolicySpec, WorkloadSpec
    from offloadsim.scenario.units import LARGEST

    fix = " (offloadsim.scenario.load_scenario_data(mapping) builds a validated one)"

    def got(value: object) -> str:
        return f"{type(value).__name__} {value!r:.40}"

    if not isinstance(scenario.name, str):
        raise RunError(f"scenario.name: expected text, got {got(scenario.name)}{fix}")
    if not isinstance(scenario.policy, PolicySpec):
        raise RunError(f"scenario.policy: expected a PolicySpec, got {got(scenario.policy)}{fix}")
    if not isinstance(scenario.policy.name, str):
        raise RunError(f"scenario.policy.name: expected a policy name, got {got(scenario.policy.name)}{fix}")
    if not isinstance(scenario.policy.params, Mapping):  # dict.update's own ValueError, deep in the run
        raise RunError(f"scenario.policy.params: expected a mapping, got {got(scenario.policy.params)}{fix}")
    check_index(scenario.seed, "scenario.seed")
    for name, least in (("duration_s", "a positive"), ("warmup_s", "a non-negative")):
        value = getattr(scenario, name)
        number = isinstance(value, numbers.Real) and not isinstance(value, bool)
        # Past the loader's largest time a run never ends (1e308 s hung), as the loader says of a file's.
        if not number or not 0 <= value <= LARGEST or (value == 0 and name == "duration_s"):
            above = (
                f": above {LARGEST:g} s, the largest time offloadsim computes with"
                if number and value > LARGEST
                else ""
            )
            raise RunError(
                f"scenario.{name}: expected {least} number of seconds, got {got(value)}{above}{fix}"
            )
    if not isinstance(scenario.document, Mapping):  # the checks read the file's keys from it
        raise RunError(f"scenario.document: expected a mapping, got {type(scenario.document).__name__}{fix}")
    dynamics = scenario.dynamics
    if isinstance(dynamics, str | bytes) or not isinstance(dynamics, Sequence):
        raise RunError(f"scenario.dynamics: expected a tuple of mappings, got {type(dynamics).__name__}{fix}")
    items: tuple[tuple[str, object, type], ...] = (
        ("nodes", scenario.nodes, NodeSpec),
        ("links", scenario.links, LinkSpec),
        ("workload", scenario.workload, WorkloadSpec),
        ("applications", scenario.applications, AppSpec),
    )
    for name, held, kind in items:
        container = Mapping if kind is AppSpec else Sequence
        if isinstance(held, str | bytes) or not isinstance(held, container):
            raise RunError(
                f"scenario.{name}: expected a {'mapping' if kind is AppSpec else 'tuple'} "
                f"of {kind.__name__}, got {type(held).__name__}{fix}"
            )
        mapping = isinstance(held, Mapping)
        pairs: Iterable[tuple[object, object]] = (
            held.items() if isinstance(held, Mapping) else enumerate(held)
        )
        for key, item in pairs:
            if not isinstance(item, kind):
                where = f"[{key!r}]" if mapping else f"[{key}]"
                raise RunError(f"scenario.{name}{where}: expected a {kind.__name__}, got {got(item)}{fix}")
    _check_fields(scenario, fix)
    from offloadsim.scenario.built_check import built_problems, one_way_changes

    problems = built_problems(scenario)  # each spec as the schema checks a file's entry
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise RunError(f"scenario.{problems[0].key_path}: {problems[0].message}{more}")
    import warnings

    from offloadsim.scenario.errors import ScenarioWarning

    for problem in one_way_changes(scenario):  # allowed, but seldom what dataclasses.replace meant
        warnings.warn(ScenarioWarning(f"scenario.{problem.key_path}: {problem.message}"), stacklevel=4)


def _check_fields(scenario: Scenario, fix: str) -> None:
    """The fields :func:`check_built` checked nowhere else: each ended in an AttributeError or a TypeError.

    ``link_model=3`` (``'int' object has no attribute 'casefold'``), ``base_dir=3``,
    ``recovery={"retries": 2}``, ``footprint=None``, and ``skip_checks="plain-latencies"``, read a
    letter at a time ("unknown scenario check 'p'").
    """
    from offloadsim.scenario.model import RecoverySpec
    from offloadsim.scenario.size import Footprint

    expected: tuple[tuple[str, bool, str], ...] = (
        ("link_model", isinstance(scenario.link_model, str), "a link model's name"),
        ("base_dir", isinstance(scenario.base_dir, str), "text (a directory, or '' for none)"),
        (
            "recovery",
            scenario.recovery is None or isinstance(scenario.recovery, RecoverySpec),
            "a RecoverySpec or None",
        ),
        ("footprint", isinstance(scenario.footprint, Footprint), "a Footprint"),
        (
            "skip_checks",
            isinstance(scenario.skip_checks, tuple | list)
            and all(isinstance(c, str) for c in scenario.skip_checks),
            "a tuple of check names",
        ),
    )
    for name, fits, what in expected:
        if not fits:
            value = getattr(scenario, name)
            raise RunError(f"scenario.{name}: expected {what}, got {type(value).__name__} {value!r:.40}{fix}")
    count = len(scenario.workload)
    for i, entry in enumerate(scenario.workload):
        # The engine names an entry's random streams and its messages by its index: one outside the
        # workload was an IndexError, and two entries of one index (WorkloadSpec's default 0, an
        # entry repeated) drew the same arrivals, in lockstep, without a word.
        index = getattr(entry, "index", 0)
        if isinstance(index, bool) or not isinstance(index, int) or index != i:
            if isinstance(index, bool) or not isinstance(index, int):
                also = ""
            elif 0 <= index < i:
                also = f", the index of workload[{index}] too: the two would draw the same random numbers"
            else:
                also = f" (the workload holds {count})"
            raise RunError(
                f"scenario.workload[{i}].index: expected {i}, its entry's place (0 to {count - 1}), "
                f"got {type(index).__name__} {index!r:.40}{also}: number the entries in order with "
                "dataclasses.replace(entry, index=i)"
            )


def resolve_policy(
    scenario: Scenario, policy: str | None = None, policy_params: Mapping[str, Any] | None = None
) -> PolicySpec:
    """Return the policy to run: the scenario's, or ``policy`` with ``policy_params``.

    Naming the scenario's own policy keeps its parameters (``policy_params``
    are merged over them); naming another one starts from no parameters.
    """
    from offloadsim.scenario.model import PolicySpec

    if policy_params is not None and not isinstance(policy_params, Mapping):  # dict.update's own error
        raise RunError(
            "policy_params: expected a mapping of parameter names to values like {'objective': 'energy'}, "
            f"got {type(policy_params).__name__} {policy_params!r:.60}"
        )
    base = scenario.policy
    name = base.name if policy is None else check_policy_name(policy)
    params = dict(base.params) if name == base.name else {}
    params.update(policy_params or {})
    return PolicySpec(name, params)


def chosen_policy(
    scenario: Scenario, text: str | None, option: str = "policy="
) -> tuple[PolicySpec, str | None]:
    """The policy ``text`` chose (``NAME``, ``NAME(KEY=VALUE, ...)`` or ``LABEL=ENTRY``) and the entry's text.

    The file's policy where ``text`` is None.  The entry's text (as written, its label too) is None
    for a plain name (nothing to name a problem of its parameters by).
    An entry's parameters mean what ``NAME`` with ``--set policy.KEY=VALUE`` would (merged over
    the file's own where NAME is its policy), read by the one reader of entries
    (:mod:`offloadsim.scenario.policy_entries`); one the file's policy was also given by ``--set``
    is refused, as one of the two would be dropped.  ``option``: how the caller's user named it
    (the command line's ``--policy ``).
    """
    from offloadsim.scenario.errors import yaml_text
    from offloadsim.scenario.overrides import PathError, get_path, parse_path
    from offloadsim.scenario.policy_entries import EntryError, policy_entries

    if text is None:
        return resolve_policy(scenario), None
    check_policy_name(text)
    try:
        (entry,) = policy_entries([text])
    except EntryError as error:
        raise RunError(f"{option.rstrip(' =')}: {error}") from None
    _refuse_spaced_parameters(text, entry.name, option)
    check_policy_overrides(scenario, (entry.name,), option, (entry.label,))
    for key, where in scenario.footprint.set_by:
        try:
            parts = parse_path(key)
        except PathError:
            continue
        if len(parts) > 1 and parts[0] == "policy" and parts[1] in entry.params:
            value = yaml_text(get_path(scenario.document, f"policy.{parts[1]}"))
            raise RunError(
                f"{scenario.source}: policy.{parts[1]}: given twice ({option}{entry.label}, "
                f"and {value} {where.note}); give it once"
            )
    spec = resolve_policy(scenario, entry.name, entry.params)
    return spec, text.strip() if entry.params or entry.label != text.strip() else None


def _refuse_spaced_parameters(text: str, name: str, option: str) -> None:
    """Raise :class:`RunError` for ``neurosurgeon objective=latency``: parameters after a known name.

    Read as ``LABEL=ENTRY`` it asked for a policy named ``latency``, "unknown policy" with no word of
    the ``NAME(KEY=VALUE)`` form the user meant.
    """
    from offloadsim.policies.registry import find_policy
    from offloadsim.scenario.resolve import spaced_entry

    meant = spaced_entry(text)
    if meant is None or find_policy(name) is not None or find_policy(meant.partition("(")[0]) is None:
        return
    raise RunError(
        f"{option.rstrip(' =')}: {quoted(text.strip())}: a policy's parameters go in parentheses after "
        f"its name, {quoted(meant)} (read as LABEL=ENTRY it named a policy {quoted(name)})"
    )


def check_policy_overrides(
    scenario: Scenario, names: Sequence[str], option: str = "policy=", shown: Sequence[str] = ()
) -> None:
    """Raise :class:`RunError` if an override of the file's policy is dropped by every policy in ``names``.

    ``--policy deadline-aware --set policy.margin_s=0.05`` on a file whose policy is
    ``neurosurgeon``: the override went to neurosurgeon's parameters, which ``--policy`` replaces
    with none (:func:`resolve_policy`), so the run went on without the value the user gave, without
    a word. One policy of ``names`` that is the file's keeps it (``compare --policies
    neurosurgeon,local --set policy.objective=energy``); ``option``: how the caller's user named
    the policies (the command line's ``--policy ``), and ``shown`` how it wrote them (``compare``'s
    entries, ``least-loaded(load_bucket=0.02)``; default: ``names``).  Several policies are told how
    to compare the file's with the value: as its entry's parameter, ``edge(fallback=drop)``.
    """
    from offloadsim.scenario.errors import format_path, yaml_text
    from offloadsim.scenario.overrides import PathError, get_path, parse_path

    if isinstance(names, str) or not isinstance(names, Sequence):  # "edge": the file's "e" found in it
        raise RunError(
            f"names: expected a list of policy names like ['edge'], got {type(names).__name__} {names!r:.60}"
        )
    if not names or scenario.policy.name in names:
        return
    chosen = ",".join(shown or names)
    for key, where in scenario.footprint.set_by:
        try:
            parts = parse_path(key)
        except PathError:  # a sweep's key as its file names it: not an override's path
            continue
        if parts[0] != "policy":
            continue
        given = where.note.removeprefix("set by ")
        if parts == ("policy", "name") or len(parts) == 1:
            raise RunError(f"{given} and {option}{chosen} both name the policy to run; name it once")
        if len(names) > 1:
            try:
                value = yaml_text(get_path(scenario.document, format_path(parts[:2])))
            except PathError:
                value = "VALUE"
            fix = (
                "each policy compared other than the file's runs with its defaults; to compare the "
                f"file's with it, add {scenario.policy.name}({parts[1]}={value}) to {option.strip()}"
            )
        elif shown and shown[0] != names[0]:  # an entry with parameters: give it there
            fix = f"to give it to {names[0]}, give {parts[1]}=VALUE in the parentheses of {option}{shown[0]}"
        elif option.startswith("-"):
            name = names[0]
            fix = f"to give it to {name}, write --set policy.name={name} instead of {option}{name}"
        else:
            fix = f"to give it to {names[0]}, pass it in policy_params"
        raise RunError(
            f"{given} is a parameter of the file's policy {quoted(scenario.policy.name)}, which "
            f"{option}{chosen} replaces, parameters and all: it would be dropped; {fix}"
        )


def policy_given(scenario: Scenario, spec: PolicySpec, option: str, label: str | None = None) -> str | None:
    """Where a problem at the ``policy`` key is said: ``option`` and the name, or None for the scenario's.

    A policy chosen by an argument (``--policies edge``, ``policy="edge"``) is not the file's
    ``policy`` key, so a warning about it names the argument, as a ``--set`` is named.  ``label``:
    the entry that chose it with parameters (``neurosurgeon(objective=energy)``), which gave them
    even to the scenario's own policy, so it is named in any case.

    >>> from offloadsim.scenario.model import PolicySpec, Scenario
    >>> file = Scenario("s", (), (), {}, (), PolicySpec("local"))
    >>> policy_given(file, PolicySpec("edge"), "--policies "), policy_given(file, PolicySpec("local"), "-p ")
    ('--policies edge', None)
    """
    if label is not None and label != spec.name:
        return f"{option}{shown_text(label)}"
    return None if spec.name == scenario.policy.name else f"{option}{shown_text(spec.name)}"


def check_policy(
    spec: PolicySpec,
    scenario: Scenario | None = None,
    option: str | None = None,
    *,
    world: WorldOnce | None = None,
    label: str | None = None,
) -> None:
    """Check the policy before a long run: everything the run would refuse is refused here.

    Raises :class:`RunError` for an unknown policy or (without ``scenario``)
    wrong parameters.  With ``scenario``, the parameters and the policy's
    needs are checked against it (nodes and tiers it names, sources that
    must compute or give their power, cuts within the applications' layers): a
    ``ScenarioError`` names the file and key path (``policy.node``).  What
    will run but not as meant is issued as a ``ScenarioWarning``: the
    warnings of every scenario check (:mod:`offloadsim.scenario.checks`),
    the policy's own first, each ending with its check's name (``[policy-reach]``), but those of the
    checks the scenario's ``skip_checks`` names, which do not run.  ``option``: how the caller's
    user chose ``spec`` (``"--policies "``); a problem at the ``policy`` key of a policy not the
    scenario's is then said at that argument (:func:`policy_given`).  ``world``: the world of
    ``scenario`` (:class:`WorldOnce`) the caller runs or reads next (:func:`run`, ``validate``, the
    notes of ``compare``), built on its first call and kept: the checks read the ``dynamics`` from
    it, not reading them again.  ``label``: the entry that chose ``spec`` with its parameters
    (``--policy 'neurosurgeon(objective=energy)'``), where a problem of them is said (:func:`policy_given`).
    """
    import warnings

    from offloadsim.scenario.errors import ScenarioError, ScenarioWarning
    from offloadsim.scenario.model import PolicySpec
    from offloadsim.scenario.policy_entries import policy_entries

    if not isinstance(spec, PolicySpec):  # check_policy("edge"): an AttributeError on .name
        raise RunError(
            f"spec: expected a PolicySpec (resolve_policy makes one), got {type(spec).__name__} {spec!r:.60}"
        )

    given = None if option is None or scenario is None else policy_given(scenario, spec, option, label)
    try:
        problems = scenario_warnings(spec, scenario, given, world=world)
    except ScenarioError as error:
        if scenario is None or label is None:
            raise
        said = kept_params_refused(error, scenario, *policy_entries([label]))
        if said is error:
            raise
        raise said from None
    for problem in problems:
        warnings.warn(ScenarioWarning(str(problem)), stacklevel=2)


def kept_params_refused(error: ScenarioError, scenario: Scenario, entry: PolicyEntry) -> ScenarioError:
    """``error``, a refusal of ``entry``'s policy, with what the scenario's own policy kept beside it.

    An entry of the scenario's own policy is merged over its parameters (:func:`resolve_policy`):
    ``fixed(nodes=[a, b], cuts=[3])`` over ``{name: fixed, node: c}`` runs with both, refused though
    the entry gave one, so each problem names the parameters kept.  ``error`` itself where none were.
    """
    from offloadsim.scenario.errors import ScenarioError
    from offloadsim.scenario.policy_entries import kept_params_note

    own = scenario.policy
    if not entry.params or entry.name != own.name:
        return error
    kept = {key: value for key, value in own.params.items() if key not in entry.params}
    note = kept_params_note(scenario.source, own.name, kept)
    if not note:
        return error
    return ScenarioError([problem._replace(message=problem.message + note) for problem in error.problems])


def scenario_warnings(
    spec: PolicySpec,
    scenario: Scenario | None = None,
    given: str | None = None,
    *,
    world: WorldOnce | None = None,
) -> list[Problem]:
    """:func:`check_policy`'s checks, its warnings returned (file, key path, message), not issued.

    For a caller that places them itself (a sweep names the sweep key behind one).
    """
    from offloadsim.policies.registry import PolicyParamError, UnknownPolicyError, make_policy

    refused: PolicyParamError | None = None
    try:
        make_policy(spec.name, spec.params)
    except UnknownPolicyError as error:  # said at the argument that named it (--policies), if one did
        raise RunError(f"{given or 'policy'}: {error}") from None
    except PolicyParamError as error:
        if scenario is None:
            raise RunError(f"policy: {error}") from None
        refused = error
    if scenario is None:
        return []
    from offloadsim.scenario.checks import POLICY_BUILD_FAILED, CheckedRun, run_scenario_checks

    # One reading of the dynamics for the checks that ask (a trace's rows are read once).
    dynamics = functools.cache(functools.partial(_read_dynamics, scenario, world))
    once = world or WorldOnce(scenario)  # built, where a check asks, once for all of them
    return run_scenario_checks(
        CheckedRun(
            scenario,
            spec,
            lambda: _application_layers(scenario),
            lambda: _outages(scenario, dynamics),
            given,
            quantity_keys=_quantity_keys,
            change_time_keys=_change_time_keys,
            random_start_keys=_random_start_keys,
            dynamics_refused=_dynamics_refused(scenario, world),
            unreached=lambda: _unreached(scenario, dynamics),
            unchanging_steps=lambda: _unchanging(scenario, dynamics),
            stalled=lambda: _stalled(scenario, dynamics),
            least_compute=lambda: _least_compute(once),
            nominal_loads=lambda: _nominal_loads(spec, once),
            # The policy check refuses this build's failure, not building it again: a plug-in's
            # constructor that fails once (a file not there yet) must not pass at a second try.
            shared={} if refused is None else {POLICY_BUILD_FAILED: refused},
        )
    )


def _application_layers(scenario: Scenario) -> dict[str, int] | None:
    """Each workload application's layer count, or None where one cannot be built.

    An application that cannot be built is reported, with its key path, when the world is.
    """
    from offloadsim.world.build import WorldError, application_layers

    try:
        return application_layers(scenario)
    except WorldError:
        return None


#: What a reading of the ``dynamics``' node changes gives for each node or key path.
_T = TypeVar("_T")


def _outages(
    scenario: Scenario, read: Callable[[], tuple[Dynamics, ...] | None]
) -> dict[str, tuple[float, str]] | None:
    """Each node the scenario's ``dynamics`` take down for good: when, and the step's key path.

    None where not known: a kind that does not declare what it does to nodes, or an entry the
    world refuses (it is reported, with its key path, when the world is built).  ``read``: the
    ``dynamics`` as :func:`_read_dynamics` reads them.
    """
    from offloadsim.world.dynamics.outages import down_for_good

    return _of_node_changes(scenario, read, down_for_good)


def _unchanging(
    scenario: Scenario, read: Callable[[], tuple[Dynamics, ...] | None]
) -> dict[str, tuple[tuple[str, ...], bool, str | None]] | None:
    """Each stated node step that changes nothing (``CheckedRun.unchanging_steps``).

    None as for :func:`_outages`.
    """
    from offloadsim.world.dynamics.outages import unchanging_steps

    return _of_node_changes(scenario, read, unchanging_steps)


def _of_node_changes(
    scenario: Scenario,
    read: Callable[[], tuple[Dynamics, ...] | None],
    said: Callable[[Sequence[Dynamics], float], dict[str, _T] | None],
) -> dict[str, _T] | None:
    """What ``said`` makes of the ``dynamics``' node changes before the run's end, ``{}`` without any.

    None where they are refused or not known; a plug-in kind's ``node_changes`` that raises is
    its bug, said at its entry (the world's build never meets it).
    """
    if not scenario.dynamics:
        return {}
    from offloadsim.scenario.errors import PluginRaised
    from offloadsim.scenario.overrides import blamed
    from offloadsim.world.dynamics.outages import NodeChangesFailed
    from offloadsim.world.dynamics.plugin_kind import entry_keys

    dynamics = read()
    if dynamics is None:
        return None
    try:
        return said(dynamics, scenario.end_s)
    except NodeChangesFailed as error:  # a plug-in kind's bug, which the world's build never meets
        about = entry_keys(error.index, scenario.dynamics[error.index])
        raise PluginRaised([blamed(scenario, error.key_path, error.message, about)]) from error.__cause__


def _unreached(
    scenario: Scenario, read: Callable[[], tuple[Dynamics, ...] | None]
) -> dict[int, tuple[str, ...]] | None:
    """``{i: devices}``: those ``dynamics[i]`` moves that no access point reaches (``CheckedRun.unreached``).

    None where the ``dynamics`` are refused (said, with its key path, when the world is built);
    ``read`` as for :func:`_outages`.
    """
    from offloadsim.world.dynamics.reach import never_in_reach

    if not scenario.dynamics:
        return {}
    dynamics = read()
    return None if dynamics is None else never_in_reach(dynamics, scenario.end_s)


def _stalled(
    scenario: Scenario, read: Callable[[], tuple[Dynamics, ...] | None]
) -> Mapping[int, Mapping[str, tuple[float, bool]]] | None:
    """Each trace's bandwidth columns at 0 to the run's end (``CheckedRun.stalled``); None if refused."""
    from offloadsim.world.dynamics.stalled import stalled_traces

    if not scenario.dynamics:
        return {}
    dynamics = read()
    return None if dynamics is None else stalled_traces(dynamics, scenario.end_s)


def _least_compute(world: WorldOnce) -> dict[str, float] | None:
    """Per application, a lower bound on one request's compute time (``CheckedRun.least_compute``).

    None where the world cannot be built (the run says why, with its key path).
    """
    from offloadsim.world.least_compute import least_compute_s

    built = world()
    return None if built is None else least_compute_s(built)


def _nominal_loads(spec: PolicySpec, world: WorldOnce) -> list[Any] | None:
    """Each processor's nominal offered load under ``spec`` (``CheckedRun.nominal_loads``).

    None where the policy places at run time (the world is then not built for it) or the world
    cannot be built (the run says why, with its key path).
    """
    from offloadsim.world.nominal_load import STATIC_POLICIES, nominal_loads

    if spec.name not in STATIC_POLICIES:
        return None
    built = world()
    return None if built is None else nominal_loads(built, spec.name, spec.params)


def _read_dynamics(scenario: Scenario, world: WorldOnce | None) -> tuple[Dynamics, ...] | None:
    """The scenario's ``dynamics`` as the world reads them; None if refused.

    ``world``: the run's world (:func:`check_policy`), whose reading is taken where it was built;
    they are read here otherwise.
    """
    from offloadsim.world.dynamics import DynamicsError, parse_dynamics

    built = world() if world is not None else None
    try:
        return built.dynamics if built is not None else parse_dynamics(scenario.dynamics, scenario)
    except DynamicsError:
        return None


def _dynamics_refused(scenario: Scenario, world: WorldOnce | None = None) -> Callable[[int], bool]:
    """Whether the world refuses ``dynamics[i]``: ``CheckedRun.dynamics_refused``, each answer kept.

    None is refused where ``world`` was built (it read every entry); else the entry is read alone,
    by its kind, as the world reads it (a bug of a shipped kind raises, as it would in the run).
    The kinds' registry is imported only when a check asks.
    """

    @functools.cache
    def refused(index: int) -> bool:
        if (world is not None and world() is not None) or index >= len(scenario.dynamics):
            return False  # the document's entries are scenario.dynamics, as resolve passes them on
        from offloadsim.world.dynamics import DynamicsError, parse_entry

        try:
            parse_entry(index, scenario.dynamics[index], scenario)
        except DynamicsError:
            return True
        return False

    return refused


class WorldOnce:
    """A scenario's world, built on the first call and kept: the checks' and the run's one reading.

    A trace's ``dynamics`` entry is read row by row (7 to 17 us a row on two shared cores): read
    for the ``servers-down`` check and again for the run, a trace of a million rows made a run
    20.0 s where one reading makes it 12.3 s (docs/performance.md, "Dynamics read once a run").
    A world that cannot be built is None here, whatever the error: the run builds it again and
    says why where it always did (:func:`offloadsim.engine.simulate`), so no failure moves.
    The one seam for every command that checks a scenario and then builds or reads its world:
    ``run``, ``validate``, ``run --dry-run``, and the parent of ``compare`` and ``sweep`` (one a
    point), whose notes read it after the runs.
    """

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.tried = False
        self.world: World | None = None

    def __call__(self) -> World | None:
        """The world, built now if it was not yet; None where it cannot be built."""
        if not self.tried:
            self.tried = True
            from offloadsim.world.build import build_world

            try:
                self.world = build_world(self.scenario)
            except Exception:  # any error: the run builds it again and reports it there
                self.world = None
        return self.world


def _quantity_keys(kind: str) -> dict[str, tuple[str, ...]]:
    """Where a ``dynamics`` entry of ``kind`` holds each quantity (``{"latency": ("steps[].latency",)}``).

    As the kind declares them; read by the ``plain-latencies`` and ``plain-bandwidths`` checks.
    The kinds' registry is imported for a scenario with ``dynamics`` only.
    """
    from offloadsim.world.dynamics import quantity_keys

    return quantity_keys(kind)


def _change_time_keys(kind: str) -> dict[str, str | None]:
    """The keys below a ``dynamics`` entry of ``kind`` that hold a change's time, as the kind declares them.

    Each with what a run that ends before it misses, in the kind's words (None: the check's own).
    Read by the ``late-dynamics`` check; the kinds' registry is imported for a scenario with
    ``dynamics`` only.
    """
    from offloadsim.world.dynamics import change_time_keys

    return change_time_keys(kind)


def _random_start_keys(kind: str) -> tuple[str, ...]:
    """The keys that, given in a ``dynamics`` entry of ``kind``, start each run at its own point of it."""
    from offloadsim.world.dynamics import random_start_keys

    return random_start_keys(kind)


def default_out_dir(scenario_name: str, policy: str, seed: int, replication: int = 0) -> Path:
    """``results/<scenario>-<policy>-s<seed>`` (with ``-r<replication>`` when it is not 0)."""
    name = f"{scenario_name}-{policy}-s{seed}" + (f"-r{replication}" if replication else "")
    return Path("results") / name.replace("/", "_").replace("\\", "_")


def run(
    scenario: str | Path | Scenario,
    *,
    policy: str | None = None,
    policy_params: Mapping[str, Any] | None = None,
    seed: int | None = None,
    replication: int = 0,
    overrides: Sequence[str] = (),
    out: str | Path | None = None,
    overwrite: bool = False,
    progress: bool = False,
    stages: bool = False,
    records_dir: str | Path | None = None,
    policy_option: str = "policy=",
    policy_label: str | None = None,
    policy_timeout: float | None = POLICY_TIMEOUT_S,
    scenario_checked: bool = False,
) -> RunResult:
    """Simulate one replication of a scenario and return its :class:`RunResult`.

    ``scenario`` is a YAML file (with ``overrides`` like ``"links[0].bandwidth=5 Mbps"``)
    or an already loaded :class:`Scenario`.  ``policy`` / ``policy_params``
    replace the scenario's policy (see :func:`resolve_policy`; ``policy`` may also be an entry,
    ``"neurosurgeon(objective=energy)"``, as ``--policy`` takes: :func:`chosen_policy`; one written
    ``LABEL=ENTRY`` names the run's policy ``LABEL``, in its title, figures and manifest), ``seed`` its
    root seed.  With ``out``, the run directory is written atomically
    (:func:`offloadsim.records.results.write_run`), the records streamed into it as
    the run goes, so memory does not grow with the number of tasks; an earlier result there is kept
    as ``out.old-N`` (deleted with ``overwrite``), and a directory that
    cannot be used is an error before simulating.  The result then reads
    ``result.tasks`` and ``result.stages`` back from its directory on first
    use, following it to ``out.old-N`` when a later run takes its place
    (a ``ResultsError`` if it was deleted).  ``progress``
    shows a bar on a terminal for runs longer than about two seconds.
    ``stages`` also records one row per compute stage and transfer
    (``result.stages``, ``stages.parquet``), for timelines.  Without ``out``,
    the records are spilled as the run goes into ``records_dir`` (made, and
    removed once emptied; default: a temporary directory), where a caller
    that writes them itself (a job of ``compare`` or ``sweep``) wants them.
    ``policy_option``: how the caller's user chose ``policy`` (the command line's ``--policy ``),
    for a warning about a policy not the scenario's (:func:`policy_given`), and ``policy_label`` how
    it wrote ``policy`` with ``policy_params`` (``neurosurgeon(objective=energy)``), for one about them.
    ``policy_timeout``: how long one call of a plug-in policy's code (its ``decide``) may run, in
    wall-clock seconds, before the run ends with an ``EngineError`` naming it (None or 0: no limit).
    ``scenario_checked``: ``scenario`` is a :class:`Scenario` that :func:`load` returned, unchanged
    since (the command line's), so it is not checked again as one built by hand (:func:`scenario_from`);
    ``overrides`` are then those :func:`load` applied, which the manifest lists (not applied again).
    The manifest's ``overrides`` lists those of a file, as a comparison's does (``[]`` for a Scenario).
    """
    from offloadsim import engine
    from offloadsim.outdir import write_directory
    from offloadsim.records.results import RunResult, write_files
    from offloadsim.scenario.input_hashes import input_files
    from offloadsim.scenario.policy_entries import given_label

    if seed is not None:
        seed = check_index(seed, "seed")
    replication = check_index(replication, "replication")
    if policy is not None:
        check_policy_name(policy)
    if records_dir is not None and not isinstance(records_dir, str | os.PathLike):
        raise RunError(
            f"records_dir: expected a directory path, got {type(records_dir).__name__} {records_dir!r:.60}"
        )
    if records_dir is not None:
        try:
            taken = Path(records_dir).exists() and not Path(records_dir).is_dir()
        except (OSError, ValueError) as error:  # a name too long for the file system, a NUL byte
            reason = getattr(error, "strerror", None) or str(error)
            raise RunError(f"records_dir: cannot use {shown_path(Path(records_dir))}: {reason}") from None
        if taken:  # found by the first chunk of records spilled, 131,072 tasks into the run: FileExistsError
            raise RunError(f"records_dir: {shown_path(Path(records_dir))} exists and is not a directory")
    check_flags(overwrite=overwrite, progress=progress, stages=stages, scenario_checked=scenario_checked)
    for name, text in (("policy_option", policy_option), ("policy_label", policy_label)):
        if not isinstance(text, str) and (text is not None or name == "policy_option"):  # len(3) in a warning
            raise RunError(f"{name}: expected text, got {type(text).__name__} {text!r:.60}")
    check_policy_timeout(policy_timeout)
    if out is not None:
        check_out(out, overwrite, [scenario] if isinstance(scenario, str | Path) else [])
    overrides = check_overrides(overrides)
    # A checked Scenario (the command line's) was loaded with them: kept for its manifest, not applied again.
    given = () if scenario_checked and not isinstance(scenario, str | Path) else overrides
    loaded = scenario_from(scenario, given, checked=scenario_checked)
    check_seed(loaded, seed)
    label = None
    if policy is not None and ("(" in policy or "=" in policy):  # an entry: NAME(KEY=VALUE, ...), LABEL=ENTRY
        if policy_params:
            raise RunError(
                f"{policy_option}{policy}: give its parameters in it or as policy_params, not both"
            )
        spec, entry = chosen_policy(loaded, policy, policy_option)
        policy_label, label = policy_label or entry, given_label(policy)
    else:
        if loaded is not scenario:  # loaded here; one handed in was checked by its caller (compare's jobs)
            check_policy_overrides(loaded, () if policy is None else (policy,), policy_option)
        spec = resolve_policy(loaded, policy, policy_params)
    world = WorldOnce(loaded)  # built for the checks, if one reads it, and run: read once
    check_policy(spec, loaded, policy_option, world=world, label=policy_label)
    inputs = input_files(loaded)  # hashed before the run: what the run reads
    if out is not None and overwrite:  # nor the traces, ONNX files, CSVs it reads: --overwrite deletes
        check_out(out, overwrite, [file.path for file in inputs])
    started = _dt.datetime.now(_dt.UTC)

    def simulate(records_dir: Path | None) -> RunResult:
        release_collector()  # held by the command line while it started (offloadsim.startup)
        built = world()  # None: it cannot be built, and the engine builds it again to say why
        with make_progress(loaded.end_s, progress) as tick:
            raw = engine.simulate(
                loaded if built is None else built,
                policy=spec,
                seed=seed,
                replication=replication,
                progress=tick if progress else None,
                record_stages=stages,
                records_dir=records_dir,
                policy_timeout_s=policy_timeout,
            )
        return RunResult.from_raw(
            raw, loaded, policy=spec, started_utc=started, inputs=inputs, label=label, overrides=overrides
        )

    if out is None:
        return simulate(None if records_dir is None else Path(records_dir))
    results: list[RunResult] = []

    def fill(tmp: Path) -> None:
        # The records stream into the partial directory as the run goes; a run killed midway
        # leaves only that hidden directory, which the next write removes.
        spill = tmp / ".records"
        results.append(simulate(spill))
        write_files(results[0], tmp)
        if spill.exists():
            spill.rmdir()

    written = write_directory(out, fill, overwrite=overwrite)
    result = results[0]
    result.written_at(written.path)
    return result
