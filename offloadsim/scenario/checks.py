"""Scenario checks: what would run, but not as meant, found before anything runs.

A check reads a scenario and the policy it will run with (a
:class:`CheckedRun`) and returns warnings, each a :class:`Problem` naming
the file and key path; it may also raise :class:`ScenarioError` for what
the run itself would refuse.  ``validate``, ``run``, ``compare`` and
``sweep`` run every registered check through
:func:`offloadsim.api.check_policy`, so a new kind of warning is one
module with its function plus one line in :data:`SHIPPED` (the module is
imported on the first check run).  A plug-in registers its own with
:func:`register_scenario_check`; they run after the shipped ones.

Each warning ends with its check's registered name in brackets
(``... [silent-workloads]``), as a linter names its rule, so that the user
knows what to skip: a scenario's ``skip_checks: [NAME, ...]`` key names checks
that do not run at all for it (an unknown name is refused, and so is ``policy``).

One mistake is said once: a check may name the checks whose warnings explain its own
(:data:`EXPLAINED_BY`, or ``explained_by`` of :func:`register_scenario_check`), and where the
warnings are gathered (:func:`run_scenario_checks`) a warning of it is dropped when one of theirs
is at or within a key path it is about (its ``Problem.about``, else its key path).  A bare
``deadline: 50`` (50 s, ``plain-deadlines``) in a 20 s run is no longer ``unmissable-deadlines``
too; a bare ``speed: 10`` (10 FLOP/s, ``plain-speeds``) is neither its processor's ``offered-load``
nor an ``unmeetable-deadlines`` of an application that processor may run.  A skipped explainer
explains nothing, so the other warning is said.

Shipped checks, in the order they run: ``policy``
(:mod:`offloadsim.scenario.policy_check`: refuses what the policy names and needs that the
scenario lacks; it warns of nothing, so it cannot be skipped), ``policy-reach`` (the same
module: a node or tier the policy sends to that some task sources cannot reach),
``silent-workloads``, ``lone-arrivals`` and ``unmissable-deadlines``
(:mod:`offloadsim.scenario.window_check`: what the measured window makes
meaningless), ``unmeetable-deadlines`` (:mod:`offloadsim.scenario.deadline_check`: a deadline
below the least compute time any placement gives the application), ``late-dynamics``
(:mod:`offloadsim.scenario.dynamics_check`: a
scheduled change or failures the run never reaches; ``early-dynamics``, an entry all of whose
changes fall inside the warm-up; ``unchanging-steps``, a scheduled step that sets a node to the
state it is already in), ``idle-processors``
(:mod:`offloadsim.scenario.processor_check`: a node's processors the policy
never uses), ``servers-down`` (:mod:`offloadsim.scenario.outage_check`: a node
the policy needs that the ``dynamics`` take down for all the measured time), ``unreached-devices``
(:mod:`offloadsim.scenario.reach_check`: ``mobility`` devices no access point ever reaches),
``stalled-traces`` (:mod:`offloadsim.scenario.stalled_trace_check`: a ``link-trace`` whose
bandwidth is 0 in every row the run reaches, so no transfer that way finishes),
``plain-latencies`` (:mod:`offloadsim.scenario.latency_check`: a link latency written as a
bare number of 1 or more, read as seconds where milliseconds were surely meant),
``plain-bandwidths`` (:mod:`offloadsim.scenario.bandwidth_check`: a bandwidth written as a bare
number below 10,000, read as bit/s where Mbit/s were surely meant), ``plain-speeds``
(:mod:`offloadsim.scenario.speed_check`: a processor speed or memory bandwidth written as a bare
number below a million, read as FLOP/s or B/s where GFLOP/s or GB/s were surely meant),
``plain-tails`` (:mod:`offloadsim.scenario.tail_check`: a node's radio ``tail`` written as a bare
number of 20 or more, read as seconds where milliseconds were surely meant), ``plain-rates``
(:mod:`offloadsim.scenario.rate_check`: a node's ``transmit_per_rate`` or ``receive_per_rate``
written as a bare number of 0.001 or more, read as J/bit where mW/Mbps were surely meant),
``plain-sizes`` (:mod:`offloadsim.scenario.size_check`: an application's ``input``, ``output`` or a
stage's ``output`` written as a bare number below 10,000, read as bytes where KB were surely meant),
``bit-sizes`` (the same module: one of them written in ``b``, ``kb``, ``Mb``, bits where bytes were
surely meant), ``plain-powers`` (:mod:`offloadsim.scenario.power_check`: a device's power, of its
``power`` or a processor's ``busy``, written as a bare number of 100 or more, read as watts where
milliwatts were surely meant), ``plain-batteries`` (:mod:`offloadsim.scenario.battery_check`: a
node's ``battery`` written as a bare number below 10,000, read as joules where milliampere-hours or
watt-hours were surely meant), ``plain-deadlines`` (:mod:`offloadsim.scenario.deadline_unit_check`:
an application's ``deadline`` written as a bare number of 10 or more, 300 or more for an LLM, read as
seconds where milliseconds were surely meant), ``changed-inputs``
(:mod:`offloadsim.scenario.result_inputs_check`: a result's ``scenario.yaml`` rerun with a file
whose bytes its manifest does not list), ``other-code`` (:mod:`offloadsim.scenario.result_code_check`:
one rerun under another offloadsim, its code or a library's version), ``offered-load``
(:mod:`offloadsim.scenario.load_check`: a processor whose nominal offered load is 100 % or more of
its cores, where the policy fixes each task's node).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from offloadsim.plugins import dotted_name, said_raised, shipped_module
from offloadsim.scenario.arrivals.base import arrival_faults
from offloadsim.scenario.errors import (
    PluginRaised,
    Problem,
    ScenarioError,
    describe,
    did_you_mean_key,
    first_repeat,
    given_twice,
)
from offloadsim.scenario.model import PolicySpec, Scenario
from offloadsim.scenario.overrides import blame_given
from offloadsim.suggest import quoted

__all__ = [
    "EXPLAINED_BY",
    "POLICY_BUILD_FAILED",
    "SHIPPED",
    "CheckFailed",
    "CheckedRun",
    "ScenarioCheck",
    "register_scenario_check",
    "run_scenario_checks",
    "scenario_check_names",
    "skipped_checks",
    "merged_by_policy",
    "said_of_policies",
    "whoever_said",
    "tagged",
    "unregister_scenario_check",
    "with_note",
]


def _not_known() -> None:
    """What a :class:`CheckedRun` made without the world says of its nodes' outages."""
    return None


def _no_quantities(kind: str) -> Mapping[str, Sequence[str]]:
    """What a :class:`CheckedRun` made without the world knows of a kind's quantities: none."""
    return {}


def _no_change_times(kind: str) -> Mapping[str, str | None]:
    """What a :class:`CheckedRun` made without the world knows of a kind's change times: none."""
    return {}


def _no_random_starts(kind: str) -> Sequence[str]:
    """What a :class:`CheckedRun` made without the world knows of a kind's random starts: none."""
    return ()


def _none_unreached() -> None:
    """What a :class:`CheckedRun` made without the world knows of moving devices out of reach: nothing."""
    return None


def _none_unchanging() -> None:
    """What a :class:`CheckedRun` made without the world knows of steps that change nothing: nothing."""
    return None


def _none_stalled() -> None:
    """What a :class:`CheckedRun` made without the world knows of traces that stall a link: nothing."""
    return None


def _none_bounded() -> None:
    """What a :class:`CheckedRun` made without the world knows of applications' least compute: nothing."""
    return None


def _no_nominal_loads() -> None:
    """What a :class:`CheckedRun` made without the world knows of its processors' offered loads: nothing."""
    return None


def _none_refused(index: int) -> bool:
    """What a :class:`CheckedRun` made without the world knows of the ``dynamics`` it refuses: none."""
    return False


# eq=False: a bundle of one run's tables and parts, compared by identity (nothing compares or hashes
# two); the value __eq__ and __hash__ dataclass would write cost start-up (issue 12 e).
@dataclass(frozen=True, slots=True, eq=False)
class CheckedRun:
    """What a scenario check reads: the scenario, the policy it runs with, what the world makes of them.

    ``layers`` gives each application's layer count as the world builds its
    chain (the scenario cannot count them itself), or None where one cannot
    be built; a check that needs it calls it (it may build the applications).
    ``outages`` gives ``{node: (time, key path)}`` for each node the
    ``dynamics`` take down from that time to the run's end, by the step at
    that key path, as the world reads them; None where not known (a kind of
    dynamics that is not built in, or one the world refuses).
    ``given``: the argument that chose the policy instead of the scenario's
    ``policy`` key (``--policies edge``), None when the scenario's is run; a
    problem a check finds at ``policy`` is then said at that argument.
    ``quantity_keys`` gives where an entry of the ``dynamics`` kind named holds each quantity
    of :data:`~offloadsim.scenario.plain_numbers.QUANTITIES`, ``{"latency": ("steps[].latency",)}``:
    keys below the entry, or a column of the CSV file a key names (``file:latency``,
    :func:`~offloadsim.scenario.errors.key_place`), as the kind declares them to the world's
    registry; none for a kind that declares none, or is unknown.
    ``change_time_keys`` gives, likewise, the keys below such an entry that hold the time of a
    change (``steps[].at``), each with the words the kind gives for what a run that ends before
    it misses (``nothing fails in the run``), None where it gives none.
    ``random_start_keys`` gives the keys that, given in such an entry, start each run at its own
    drawn point of its changes (``link-trace``'s ``offset``): its stated times are not a run's.
    ``dynamics_refused`` says whether the world refuses ``dynamics[i]`` (its kind's reader: a
    trace whose row has a cell that is not a number, a radio's ``exponent: abc``), which the run
    then refuses with one line naming what is wrong: :func:`run_scenario_checks` drops every
    check's warnings at a key path in such an entry (a bare bandwidth beside the bad key, a cell
    of its file, a step after the run's end), so that this line is all the user reads of it.
    Asked only of an entry warned of; False where not known.
    ``unreached`` gives ``{i: devices}``: the devices the ``mobility`` entry ``dynamics[i]`` moves
    that no access point ever reaches in the run, as the world reads them; None where not known
    (an entry the world refuses).
    ``unchanging_steps`` gives ``{key path: (nodes, up, previous)}``: each stated step before the
    run's end (a ``node-schedule``'s ``steps[1].at``) that sets its nodes to the state its entry
    already holds them in, the key path of the entry's step that did (``previous``, None: the
    nodes' start, up); None where not known.
    ``stalled`` gives ``{i: {column: (from_s, every_row)}}``: each bandwidth column of the trace
    ``dynamics[i]`` that is 0 from ``from_s`` to the run's end (``every_row``: in every row of its
    file), as :mod:`offloadsim.world.dynamics.stalled` reads them; None where not known.
    ``least_compute`` gives ``{application: seconds}``: a lower bound on one request's compute time
    whatever the placement (:mod:`offloadsim.world.least_compute`), for those it is known of; None
    where the world cannot be built.
    ``nominal_loads`` gives each processor's nominal offered load (:class:`~offloadsim.world.nominal_load.
    NominalLoad`: its node, processor, cores, tasks a second and mean compute seconds a task) where
    the policy fixes each task's node before the run; None where it decides at run time, or the
    world cannot be built.
    ``shared``: what a check works out for a later one of the same run, by the later one's
    name (the ``policy`` check's warnings, which ``policy-reach`` gives), or by the name of
    what several share (``plain-numbers``: the CSV files' bare cells
    :mod:`~offloadsim.scenario.plain_numbers` read once for both ``plain-*`` checks); empty at
    first.
    """

    scenario: Scenario
    policy: PolicySpec
    layers: Callable[[], Mapping[str, int] | None]
    outages: Callable[[], Mapping[str, tuple[float, str]] | None] = _not_known
    given: str | None = None
    quantity_keys: Callable[[str], Mapping[str, Sequence[str]]] = _no_quantities
    change_time_keys: Callable[[str], Mapping[str, str | None]] = _no_change_times
    random_start_keys: Callable[[str], Sequence[str]] = _no_random_starts
    dynamics_refused: Callable[[int], bool] = _none_refused
    unreached: Callable[[], Mapping[int, Sequence[str]] | None] = _none_unreached
    unchanging_steps: Callable[[], Mapping[str, tuple[Sequence[str], bool, str | None]] | None] = (
        _none_unchanging
    )
    stalled: Callable[[], Mapping[int, Mapping[str, tuple[float, bool]]] | None] = _none_stalled
    least_compute: Callable[[], Mapping[str, float] | None] = _none_bounded
    nominal_loads: Callable[[], Sequence[Any] | None] = _no_nominal_loads
    shared: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


#: The key in :attr:`CheckedRun.shared` of what building the policy raised before the checks ran
#: (a ``PolicyParamError``): the ``policy`` check refuses that, not building the policy again.
POLICY_BUILD_FAILED = "policy-build-failed"

#: A check: the warnings a run of the scenario under the policy deserves (it may raise ScenarioError).
ScenarioCheck = Callable[[CheckedRun], Iterable[Problem]]

#: The shipped checks, ``name -> "module:function"``, in the order they run (imported when first run).
SHIPPED: Mapping[str, str] = {
    "policy": "offloadsim.scenario.policy_check:policy_refusals",
    "policy-reach": "offloadsim.scenario.policy_check:policy_reach",
    "silent-workloads": "offloadsim.scenario.window_check:silent_workloads",
    "lone-arrivals": "offloadsim.scenario.window_check:lone_arrivals",
    "unmissable-deadlines": "offloadsim.scenario.window_check:unmissable_deadlines",
    "unmeetable-deadlines": "offloadsim.scenario.deadline_check:unmeetable_deadlines",
    "late-dynamics": "offloadsim.scenario.dynamics_check:late_dynamics",
    "early-dynamics": "offloadsim.scenario.dynamics_check:early_dynamics",
    "unchanging-steps": "offloadsim.scenario.dynamics_check:unchanging_steps",
    "idle-processors": "offloadsim.scenario.processor_check:idle_processors",
    "servers-down": "offloadsim.scenario.outage_check:servers_down",
    "unreached-devices": "offloadsim.scenario.reach_check:unreached_devices",
    "stalled-traces": "offloadsim.scenario.stalled_trace_check:stalled_traces",
    "plain-latencies": "offloadsim.scenario.latency_check:plain_latencies",
    "plain-bandwidths": "offloadsim.scenario.bandwidth_check:plain_bandwidths",
    "plain-speeds": "offloadsim.scenario.speed_check:plain_speeds",
    "plain-tails": "offloadsim.scenario.tail_check:plain_tails",
    "plain-rates": "offloadsim.scenario.rate_check:plain_rates",
    "plain-sizes": "offloadsim.scenario.size_check:plain_sizes",
    "bit-sizes": "offloadsim.scenario.size_check:bit_sizes",
    "plain-powers": "offloadsim.scenario.power_check:plain_powers",
    "plain-batteries": "offloadsim.scenario.battery_check:plain_batteries",
    "plain-deadlines": "offloadsim.scenario.deadline_unit_check:plain_deadlines",
    "changed-inputs": "offloadsim.scenario.result_inputs_check:changed_inputs",
    "other-code": "offloadsim.scenario.result_code_check:other_code",
    "offered-load": "offloadsim.scenario.load_check:offered_overload",
}

_CHECKS: dict[str, ScenarioCheck | str] = dict(SHIPPED)

#: For a shipped check, the checks whose warnings explain its own on the same thing (a key path
#: it is about): the one mistake a bare number is, said by the ``plain-*`` check that names it.
#: ``offered-load`` and ``unmeetable-deadlines`` are about processors (their ``Problem.about``):
#: a bare speed makes one's load and the other's least compute time what no one meant.
EXPLAINED_BY: Mapping[str, tuple[str, ...]] = {
    "unmissable-deadlines": ("plain-deadlines",),
    "unmeetable-deadlines": ("plain-speeds",),
    "offered-load": ("plain-speeds",),
}

_EXPLAINERS: dict[str, tuple[str, ...]] = dict(EXPLAINED_BY)

#: Checks a scenario's ``skip_checks`` may not name (they refuse early what the run would refuse),
#: each with the check that gives its warnings, which may be skipped.
_UNSKIPPABLE: Mapping[str, str] = {"policy": "policy-reach"}


#: A check's name: written in a scenario's ``skip_checks`` and in brackets after its warnings.
_NAME = r"^[a-z0-9][a-z0-9-]*$"  # a string: re compiles (and caches) it at first use (issue 12 e)


class CheckFailed(PluginRaised):
    """A plug-in's scenario check raised, or returned what is not warnings: its bug, not offloadsim's.

    One line naming the check, its function, the exception and the plug-in's line; the command line
    shows it (exit 2) and, with ``--debug``, the traceback of the check's exception (its ``__cause__``).
    """


def register_scenario_check(name: str, check: ScenarioCheck, explained_by: Iterable[str] = ()) -> None:
    """Run ``check`` on every scenario before it runs, after those registered before it.

    ``name`` (lower-case letters, digits and ``-``) ends each of its warnings, in brackets, and is
    what a scenario's ``skip_checks`` names to skip it.  ``explained_by``: the names of checks
    (shipped, or registered before or after it) whose warning at or within a key path a warning of
    ``check`` is about explains it, so that only theirs is said (:data:`EXPLAINED_BY`).
    """
    if not isinstance(name, str) or not re.match(_NAME, name):
        raise ValueError(f"a scenario check's name is lower-case letters, digits and '-', got {name!r}")
    if name in _CHECKS:
        raise ValueError(f"a scenario check named {name!r} is already registered")
    explainers = (explained_by,) if isinstance(explained_by, str) else tuple(explained_by)
    for other in explainers:
        if not isinstance(other, str) or not re.match(_NAME, other) or other == name:
            raise ValueError(f"explained_by names other checks by their names, got {other!r}")
    _CHECKS[name] = check
    if explainers:
        _EXPLAINERS[name] = explainers


def unregister_scenario_check(name: str) -> None:
    """Forget a registered check (tests and plug-ins that clean up after themselves)."""
    if name in SHIPPED:
        raise ValueError(f"{name!r} is shipped")
    _CHECKS.pop(name, None)
    _EXPLAINERS.pop(name, None)


def scenario_check_names() -> list[str]:
    """Every registered check's name, in the order they run."""
    return list(_CHECKS)


def run_scenario_checks(run: CheckedRun) -> list[Problem]:
    """Every registered check's warnings but those the scenario skips, each ending ``[NAME]``.

    In registration order, each naming a ``--set`` that gave its value, and a problem at the
    scenario's ``policy`` key said at ``run.given`` when the policy came from there; none at a
    key path in a ``dynamics[i]`` entry the world refuses (``run.dynamics_refused``), whose
    error is then the one line said of it; none another check's warning explains
    (:func:`_unexplained`).  A
    :class:`ScenarioError` a check raises propagates (the run would refuse the scenario), and
    so does one for an unknown or repeated name in ``skip_checks``.
    """
    skipped = skipped_checks(run.scenario)
    given = dict(run.scenario.footprint.set_by)
    found: list[Problem] = []
    for name in list(_CHECKS):
        if name in skipped:
            continue
        check = _check(name)
        try:
            problems = blame_given(_not_of_refused(_warnings_of(check, name, run), run), given)
        except ScenarioError as error:
            if isinstance(error, PluginRaised):  # a check's or what a shipped check asked: as it is
                raise
            raise ScenarioError(_at_given(error.problems, run.given)) from None
        found.extend(tagged(problem, name) for problem in _at_given(problems, run.given))
    return _unexplained(found)


def _unexplained(found: list[Problem]) -> list[Problem]:
    """``found`` but the warnings another of them explains, as their checks declare (:data:`EXPLAINED_BY`).

    A warning is explained by one of a check its own names whose key path is at or within a key
    path it is about (``Problem.about``, else its own key path): ``nodes.edge.processor.speed`` is
    within ``nodes.edge.processor``.  Only what was said counts: a skipped check explains nothing.
    """
    said: dict[str | None, list[str]] = {}
    for problem in found:
        said.setdefault(problem.check, []).append(problem.key_path)
    return [problem for problem in found if not _explained(problem, said)]


def _explained(problem: Problem, said: Mapping[str | None, Sequence[str]]) -> bool:
    """Whether a warning of a check ``problem``'s names as its explainer is at or within what it is about."""
    things = problem.about or (problem.key_path,)
    return any(
        path == thing or path.startswith((f"{thing}.", f"{thing}["))
        for explainer in _EXPLAINERS.get(problem.check or "", ())
        for path in said.get(explainer, ())
        for thing in things
    )


#: The ``dynamics`` entry a key path is in: ``dynamics[2]`` of ``dynamics[2].steps[0].at``.
#: A string: re compiles (and caches) it at first use, not at import, as a run seldom needs it (issue 12 e).
_DYNAMICS_ENTRY = r"^dynamics\[(\d+)\](?=$|[.\[])"


def _not_of_refused(problems: list[Problem], run: CheckedRun) -> list[Problem]:
    """``problems`` but those at a key path in a ``dynamics[i]`` entry the world refuses.

    The run refuses the entry with one line naming what is wrong (a trace's row ``1,abc``, a
    radio's ``exponent: abc``); a warning of its other keys or its file's cells (a bare
    ``bandwidth: 20`` beside it, a step after the run's end) is noise until it runs, so the
    refusal is all the user reads.  ``run.dynamics_refused`` is asked only of an entry warned of.
    """
    kept = []
    for problem in problems:
        entry = re.match(_DYNAMICS_ENTRY, problem.key_path)
        if entry is None or not run.dynamics_refused(int(entry[1])):
            kept.append(problem)
    return kept


def _warnings_of(check: ScenarioCheck, name: str, run: CheckedRun) -> list[Problem]:
    """What ``check`` warns of ``run``; a plug-in's exception or odd return is :class:`CheckFailed`.

    A shipped check's exception stays what it is: offloadsim's bug.
    """
    module = str(getattr(check, "__module__", ""))
    if shipped_module(module):
        with arrival_faults(run.scenario.source):  # a plug-in it asked (an arrival process's none_between)
            return list(check(run))
    where = f"scenario check {describe(name)} ({dotted_name(check)})"
    try:
        found = check(run)  # a generator's exception comes from list(): the check's too
        iterable = isinstance(found, Iterable) and not isinstance(found, str | Problem)
        problems = list(found) if iterable else None
    except ScenarioError:
        raise
    except Exception as error:
        raise CheckFailed([Problem(run.scenario.source, "", said_raised(where, error))]) from error
    if problems is None or not all(isinstance(problem, Problem) for problem in problems):
        got = type(found).__name__ if problems is None else _first_not_a_problem(problems)
        said = f"{where} returned {got}, expected a list of offloadsim.scenario.errors.Problem"
        raise CheckFailed([Problem(run.scenario.source, "", said)])
    return problems


def _first_not_a_problem(problems: list[Problem]) -> str:
    """``a list holding a str``: the first item of a check's return that is not a Problem."""
    item = next(problem for problem in problems if not isinstance(problem, Problem))
    return f"a list holding a {type(item).__name__}"


def skipped_checks(scenario: Scenario) -> tuple[str, ...]:
    """The checks ``scenario``'s ``skip_checks`` names, each a registered one (else a ScenarioError).

    Read when the checks run, not when the scenario loads: a plug-in registers its check later.
    The ``policy`` check cannot be skipped: it refuses, before anything runs and at its key
    path, what the run itself would refuse (so ``validate`` refuses whatever ``run`` would); the
    refusal names ``policy-reach``, which gives its warnings and can be.
    """
    names = scenario.skip_checks
    skippable = [name for name in _CHECKS if name not in _UNSKIPPABLE]
    problems = []
    for i, name in enumerate(names):
        if name in _UNSKIPPABLE:
            why = (
                f"{describe(name)} cannot be skipped: it refuses before the run what the run would refuse; "
                f"skip {describe(_UNSKIPPABLE[name])} for what it warns of"
            )
        elif name not in _CHECKS:
            why = f"unknown scenario check {describe(name)}{did_you_mean_key(name, skippable)}"
        else:
            continue
        problems.append(
            Problem(scenario.source, f"skip_checks[{i}]", f"{why}; skippable checks: {', '.join(skippable)}")
        )
    twice = first_repeat(names)
    if twice is not None:
        first, again = twice
        said = given_twice(describe(names[first]), describe(names[again]))
        problems.append(Problem(scenario.source, f"skip_checks[{again}]", said))
    if problems:
        raise ScenarioError(blame_given(problems, dict(scenario.footprint.set_by)))
    return names


def tagged(problem: Problem, name: str) -> Problem:
    """``problem`` as a warning of the check ``name``: ``str()`` ends ``... [silent-workloads]``."""
    return problem._replace(check=name)


def with_note(problem: Problem, note: str) -> Problem:
    """``problem`` with ``note`` added to its message, so before the ``[NAME]`` of the check that gave it.

    >>> print(with_note(Problem("s.yaml", "workload", "no entry", "silent-workloads"), "(point 0)"))
    s.yaml: workload: no entry (point 0) [silent-workloads]
    """
    return problem._replace(message=f"{problem.message} {note}")


def merged_by_policy(per_policy: Sequence[tuple[str, Sequence[Problem]]]) -> list[Problem]:
    """Several policies' warnings of one scenario, each said once (``compare``: not once per policy).

    ``per_policy``: each policy's name and its warnings, in the order compared.  Warnings of the same
    file, key path and check whose texts are the same but for the policy they name (``policy
    "local" runs ...``) are one: in first-seen order, it names ``every compared policy`` where all
    gave it and ``each of policies "a", "b"`` where only those did; one naming no policy ends
    with the policies it applies to where not all (``(edge, neurosurgeon)``).  One policy's
    warnings come back as they are.

    >>> a = Problem("s.yaml", "nodes.e", 'policy "a" never uses it', "idle-processors")
    >>> b = Problem("s.yaml", "nodes.e", 'policy "b" never uses it', "idle-processors")
    >>> late = Problem("s.yaml", "dynamics", "after the end", "late-dynamics")
    >>> for problem in merged_by_policy([("a", [a, late]), ("b", [b])]):
    ...     print(problem)
    s.yaml: nodes.e: every compared policy never uses it [idle-processors]
    s.yaml: dynamics: after the end (a) [late-dynamics]
    """
    names = [name for name, _ in per_policy]
    if len(names) < 2:
        return [problem for _, problems in per_policy for problem in problems]
    groups: dict[tuple[Any, ...], tuple[Problem, list[str]]] = {}
    for name, problems in per_policy:
        for problem in problems:
            key = (problem.file, problem.key_path, problem.check, whoever_said(problem.message, name))
            first, named = groups.setdefault(key, (problem, []))
            if name not in named:
                named.append(name)
    merged = []
    for (_, _, _, text), (first, named) in groups.items():
        if "\0" in text:
            merged.append(
                first._replace(message=said_of_policies(first.message, named, len(names), "compared"))
            )
        else:
            merged.append(first if len(named) == len(names) else _for(first, named))
    return merged


def whoever_said(message: str, policy: str) -> str:
    """``message`` with the policy it names, ``policy "NAME"``, left out: the same for every policy.

    Two policies' warnings that differ only in naming their policy are one warning.

    >>> whoever_said('policy "a" never uses it', "a") == whoever_said('policy "b" never uses it', "b")
    True
    """
    return message.replace(f"policy {quoted(policy)}", "\0")


def said_of_policies(message: str, named: Sequence[str], total: int, how: str) -> str:
    """``message``, which says ``policy "a"`` of ``named[0]``, said of every policy ``named``.

    ``total``: how many policies there are; ``how``: how the command chose them (``compared``).

    >>> said_of_policies('policy "a" never uses it', ["a", "b"], 2, "compared")
    'every compared policy never uses it'
    >>> said_of_policies('policy "a" never uses it', ["a", "b"], 3, "swept")
    'each of policies "a", "b" never uses it'
    """
    if len(named) < 2:
        return message
    who = (
        f"every {how} policy" if len(named) == total else "each of policies " + ", ".join(map(quoted, named))
    )
    return message.replace(f"policy {quoted(named[0])}", who, 1)


def _for(problem: Problem, named: Sequence[str]) -> Problem:
    """``problem`` noting the policies it applies to, unless its key path already says the one.

    The key path says it at the scenario's ``policy`` key (the file's own policy) or at the
    argument that chose it (``--policies edge``, :func:`_at_given`).
    """
    path = problem.key_path
    if len(named) == 1 and (path.split(": ")[0].endswith(f" {named[0]}") or _at_policy(path)):
        return problem
    return with_note(problem, f"({', '.join(named)})")


def _at_policy(path: str) -> bool:
    """Whether ``path`` is the scenario's ``policy`` key or one within it."""
    return path == "policy" or path.startswith(("policy.", "policy["))


def _at_given(problems: Iterable[Problem], given: str | None) -> list[Problem]:
    """``problems``, those at the scenario's ``policy`` key said at ``given``, the argument that chose it.

    ``s.yaml: policy: ...`` becomes ``s.yaml: --policies edge: ...`` and ``s.yaml: policy.server:
    ...`` ``s.yaml: --policies edge: policy.server: ...``: the file does not hold that policy.
    """
    if given is None:
        return list(problems)
    moved = []
    for problem in problems:
        path = problem.key_path
        if path in ("policy", "policy.name"):
            problem = problem._replace(key_path=given)
        elif _at_policy(path):
            problem = problem._replace(key_path=f"{given}: {path}")
        moved.append(problem)
    return moved


def _check(name: str) -> ScenarioCheck:
    """The check registered as ``name``, a shipped one imported on first use."""
    check = _CHECKS[name]
    if isinstance(check, str):
        module, function = check.split(":")
        check = _CHECKS[name] = getattr(importlib.import_module(module), function)
    return check
