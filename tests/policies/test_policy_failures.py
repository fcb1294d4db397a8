"""An exception in a user's policy is reported as the policy's: its name, its class and its line.

Before, a plug-in's ``IndexError`` ended ``offloadsim run`` as "internal error:
IndexError: string index out of range" (exit 1, "a bug"), naming neither the
policy nor its file, and from Python as a bare ``IndexError`` out of the engine.
"""

from __future__ import annotations

import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

import offloadsim
from offloadsim.cli import main
from offloadsim.engine.errors import EngineError
from offloadsim.engine.policy_faults import PolicyFailed
from offloadsim.policies import ENTRY_POINT_GROUP, Plan, PlanError, Requirement, register_policy
from offloadsim.policies.basic import EdgePolicy
from offloadsim.scenario import ScenarioError

pytestmark = pytest.mark.usefixtures("fresh_registry")


PLUGIN = '''
"""A third-party policy with a bug in it."""

from offloadsim.policies import Plan


class Buggy:
    """Pick the sixth edge node (there is one)."""

    def decide(self, task, view):
        nodes = [view.nearest(task.source, "edge")]
        return Plan.run_on(nodes[5])
'''


@dataclass
class DecideRaises:
    """Looks up a key the task does not have."""

    def decide(self, task, view):
        return Plan.run_on({"phone": "edge"}[task.app])


@dataclass
class ResetRaises:
    """Fails before its first decision."""

    def reset(self, view):
        raise ValueError("no model file found")

    def decide(self, task, view):
        return Plan.run_on(task.source)


@dataclass
class RaisesPlanError:
    """Refuses the system it is run on, as the shipped policies do."""

    def decide(self, task, view):
        raise PlanError("policy 'picky' needs a cloud node")


def test_an_exception_in_decide_names_the_policy_its_class_and_its_line(tiny_scenario):
    register_policy("decide-raises")(DecideRaises)
    with pytest.raises(PolicyFailed) as caught:
        offloadsim.run(tiny_scenario, policy="decide-raises")
    message = str(caught.value)
    assert message.startswith(
        f'policy "decide-raises" ({__name__}.DecideRaises) raised KeyError in decide() at simulated time '
    )
    line = _line_of('{"phone": "edge"}[task.app]')
    assert message.endswith(f": 'job' (test_policy_failures.py, line {line}, in decide)")
    assert isinstance(caught.value.__cause__, KeyError)  # the original, with its traceback, is kept
    assert isinstance(caught.value, EngineError)  # what the command line reports as the user's (exit 2)


def test_an_exception_in_reset_names_reset(tiny_scenario):
    register_policy("reset-raises")(ResetRaises)
    expected = (
        r'policy "reset-raises" .* raised ValueError in reset\(\) at simulated time 0 s: '
        r"no model file found \(test_policy_failures.py, line \d+, in reset\)"
    )
    with pytest.raises(PolicyFailed, match=expected):
        offloadsim.run(tiny_scenario, policy="reset-raises")


@dataclass
class RequirementsRaise:
    """Declares what it needs, wrongly."""

    def requirements(self):
        return (Requirement.computing_tier(["edge"]),)  # the reason is missing

    def decide(self, task, view):
        return Plan.run_on(task.source)


def _refusal(scenario: Path, name: str, factory: object) -> str:
    """The scenario error a run of ``factory``, registered as ``name``, is refused with."""
    register_policy(name)(factory)
    with pytest.raises(ScenarioError) as caught:
        offloadsim.run(scenario, policy=name)
    return str(caught.value)


def test_an_exception_in_requirements_is_a_scenario_error_naming_the_policy_and_its_line(tiny_scenario):
    line = _line_of("Requirement.computing_tier([")
    assert _refusal(tiny_scenario, "requirements-raise", RequirementsRaise) == (
        f'{tiny_scenario}: policy=requirements-raise: policy "requirements-raise" '
        f"({__name__}.RequirementsRaise) raised "
        "TypeError in requirements(): Requirement.computing_tier() missing 1 required positional argument: "
        f"'reason' (test_policy_failures.py, line {line}, in requirements)"
    )


class ConstructorRaises:
    """Reads a file it was not given."""

    def __init__(self, table: str = "missing.csv"):
        self.rows = {}[table]

    def decide(self, task, view):
        return Plan.run_on(task.source)


def table_policy(**params):
    """A factory that fails as its class does."""
    return ConstructorRaises(**params)


@pytest.mark.parametrize("factory", [ConstructorRaises, table_policy])
def test_an_exception_in_a_plugins_constructor_is_a_scenario_error_naming_it(
    tiny_scenario, factory, tmp_path, capsys
):
    """Not "internal error: KeyError" (exit 1): the plug-in's bug, with its line, exit 2."""
    line = _line_of("self.rows = {}[table]")
    assert _refusal(tiny_scenario, "constructor-raises", factory) == (
        f'{tiny_scenario}: policy=constructor-raises: policy "constructor-raises" '
        f"({__name__}.{factory.__qualname__}) raised KeyError while it was built: 'missing.csv' "
        f"(test_policy_failures.py, line {line}, in __init__)"
    )
    out = tmp_path / "out"
    assert main(["run", str(tiny_scenario), "--policy", "constructor-raises", "--out", str(out)]) == 2
    (message,) = capsys.readouterr().err.splitlines()
    assert message.startswith(f'offloadsim: error: {tiny_scenario}: --policy constructor-raises: policy "')
    assert not out.exists()


class FailsOnce:
    """Reads a cache its first build finds missing (a file written as it failed): built at a second try."""

    builds = 0

    def __init__(self):
        type(self).builds += 1
        if type(self).builds == 1:
            raise FileNotFoundError("cache.bin")

    def decide(self, task, view):
        return Plan.run_on(task.source)


def test_a_plugins_constructor_that_fails_once_is_refused_not_built_again_by_the_checks(
    tiny_scenario, tmp_path, capsys
):
    """The run's checks kept its first failure aside and built it again: the run passed, quietly."""
    register_policy("fails-once")(FailsOnce)
    out = tmp_path / "out"
    assert main(["run", str(tiny_scenario), "--policy", "fails-once", "--out", str(out)]) == 2
    (message,) = capsys.readouterr().err.splitlines()
    said = f'offloadsim: error: {tiny_scenario}: --policy fails-once: policy "fails-once" ('
    assert message.startswith(said)
    assert "raised FileNotFoundError while it was built: cache.bin" in message
    assert FailsOnce.builds == 1 and not out.exists()


class NoDecide:
    """Names its method otherwise."""

    def choose(self, task, view):
        return Plan.run_on(task.source)


def test_a_plugin_that_builds_no_decide_method_is_a_scenario_error(tiny_scenario, tmp_path, capsys):
    register_policy("no-decide")(NoDecide)
    out = tmp_path / "out"
    assert main(["run", str(tiny_scenario), "--policy", "no-decide", "--out", str(out)]) == 2
    (message,) = capsys.readouterr().err.splitlines()
    assert f'policy "no-decide" ({__name__}.NoDecide) built <' in message
    assert message.endswith(", which has no decide method")
    assert "internal error" not in message and not out.exists()


@dataclass
class RequirementsReturn:
    """Returns what it is given from requirements()."""

    needs: object = None

    def requirements(self):
        return self.needs

    def decide(self, task, view):
        return Plan.run_on(task.source)


@pytest.mark.parametrize(
    ("needs", "said"),
    [
        (None, "None"),
        (Requirement.sources_compute("runs locally"), "Requirement(need='sources compute'"),
        (("sources compute",), "'sources compute' in ('sources compute',)"),
    ],
)
def test_requirements_that_are_not_requirement_objects_are_the_policys_error(tiny_scenario, needs, said):
    """Not "internal error: TypeError: 'NoneType' object is not iterable" (exit 1)."""
    register_policy("requirements-return")(RequirementsReturn)
    with pytest.raises(ScenarioError) as caught:
        offloadsim.run(tiny_scenario, policy="requirements-return", policy_params={"needs": needs})
    message = str(caught.value)
    assert message.startswith(
        f'{tiny_scenario}: policy=requirements-return: policy "requirements-return" '
        f"({__name__}.RequirementsReturn) requirements() returned {said}"
    ), message
    assert message.endswith(
        "; expected a tuple of Requirement objects (Requirement.sources_compute(...), ...; () for none)"
    )


def test_a_plan_error_a_plugin_raises_is_a_user_error_with_its_message(tiny_scenario):
    register_policy("picky")(RaisesPlanError)
    with pytest.raises(EngineError) as caught:
        offloadsim.run(tiny_scenario, policy="picky")
    assert str(caught.value) == "policy 'picky' needs a cloud node"
    assert not isinstance(caught.value, PolicyFailed)


@dataclass
class MalformedPlan:
    """Returns the plan it is given: cuts or nodes of the wrong type."""

    plan: object = None

    def decide(self, task, view):
        return self.plan


WHOLE_CUTS = "a plan's cuts must be a tuple of whole layer counts"


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        (Plan(("phone", "edge"), (0.5,)), f"{WHOLE_CUTS}, got (0.5,)"),
        (Plan(("phone", "edge"), None), f"{WHOLE_CUTS}, got None"),
        (Plan(("phone", "edge"), (True,)), f"{WHOLE_CUTS}, got (True,)"),
        (Plan("edge"), 'a plan\'s nodes must be a tuple of node names, got "edge" (str)'),
    ],
)
def test_a_plan_with_cuts_or_nodes_of_the_wrong_type_is_the_policys_error(tiny_scenario, plan, expected):
    """Not an internal error (exit 1) from deep in the engine, nor a plan read letter by letter."""
    register_policy("malformed")(MalformedPlan)
    with pytest.raises(EngineError) as caught:
        offloadsim.run(tiny_scenario, policy="malformed", policy_params={"plan": plan})
    assert str(caught.value).startswith(f'policy "malformed": {expected}')


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        (
            Plan.run_on("egde"),
            'on "egde", which is not a node with a processor (view.nodes() lists those) '
            '(did you mean "edge"?)',
        ),
        (Plan((None,)), "on None (NoneType); expected the name of a computing node (view.nodes())"),
    ],
)
def test_a_plan_on_a_misspelt_node_or_no_name_says_what_was_meant(tiny_scenario, plan, expected):
    """Not "which cannot compute" for a name no node has, nor for None."""
    register_policy("malformed")(MalformedPlan)
    with pytest.raises(EngineError) as caught:
        offloadsim.run(tiny_scenario, policy="malformed", policy_params={"plan": plan})
    assert str(caught.value) == f'policy "malformed" placed task 0 {expected}'


@pytest.mark.parametrize(
    "plan",
    [Plan(["edge"]), Plan(["phone", "edge"], [0]), Plan(("phone", "edge"), [0], processors=[None, None])],
)
def test_a_plan_given_lists_runs_as_its_tuples(tiny_scenario, plan):
    """Lists for tuples are a plan's natural spelling; they ended the run in "unhashable type: 'list'"."""
    register_policy("malformed")(MalformedPlan)
    result = offloadsim.run(tiny_scenario, policy="malformed", policy_params={"plan": plan})
    assert len(result.tasks) > 0
    assert set(result.tasks.placement) == {"edge"}


@pytest.mark.parametrize(
    ("answer", "shown"),
    [(["edge"], "list ['edge']"), ({"nodes": ["edge"]}, "dict {'nodes': ['edge']}"), ("edge", "str 'edge'")],
)
def test_an_answer_that_is_no_plan_is_the_policys_error_saying_what_it_was(tiny_scenario, answer, shown):
    """Not an internal TypeError from the engine's cache of compiled plans (a list, a dict)."""
    register_policy("malformed")(MalformedPlan)
    with pytest.raises(EngineError) as caught:
        offloadsim.run(tiny_scenario, policy="malformed", policy_params={"plan": answer})
    assert str(caught.value) == (
        f'policy "malformed" ({__name__}.MalformedPlan) returned {shown}, expected a Plan '
        "(offloadsim.policies.Plan: Plan.run_on(node), Plan.split(device, server, cut), Plan.reject())"
    )


@dataclass
class AsksTheView:
    """Asks the view one question about one node, then runs the task on its source."""

    question: str = "expected_wait_s"
    node: str = "phone"

    def decide(self, task, view):
        if self.question == "expected_wait_s":
            view.expected_wait_s(self.node)
        else:
            view.compute_time_s(task, self.node)
        return Plan.run_on(task.source)


@pytest.mark.parametrize(
    ("question", "node", "why"),
    [
        ("expected_wait_s", "sensor", '"sensor" has no processor'),
        ("compute_time_s", "sensor", '"sensor" has no processor'),
        ("compute_time_s", "egde", '"egde" is no node of this system (did you mean "edge"?)'),
    ],
)
def test_asking_the_processor_of_a_node_without_one_says_which_and_why(
    tiny_scenario, tiny_scenario_text, question, node, why
):
    """The report said only KeyError: 'sensor-0' (a source that cannot compute, in the docs' own example)."""
    text = tiny_scenario_text.replace("links:", "  sensor: {tier: device}\nlinks:").replace(
        "latency: 3 ms}", "latency: 3 ms}\n  - {between: [sensor, edge], bandwidth: 20 Mbps}"
    )
    tiny_scenario.write_text(text)
    register_policy("asks")(AsksTheView)
    with pytest.raises(PolicyFailed) as caught:
        offloadsim.run(tiny_scenario, policy="asks", policy_params={"question": question, "node": node})
    message = str(caught.value)
    assert isinstance(caught.value.__cause__, KeyError)  # what a policy may catch, as before
    assert (
        "raised NoProcessorError in decide() at simulated time " in message
        and f": view.{question}(): {why}; ask it of a computing node (view.nodes() lists them" in message
    ), message


class DecideWithoutView:
    """Forgets the view in decide's signature."""

    def decide(self, task):
        return Plan.run_on(task.source)


class ResetWithoutView:
    """Forgets the view in reset's signature."""

    def reset(self):
        pass

    def decide(self, task, view):
        return Plan.run_on(task.source)


@pytest.mark.parametrize(
    ("factory", "method", "said"),
    [
        (
            DecideWithoutView,
            "decide",
            "DecideWithoutView.decide() takes 2 positional arguments but 3 were given",
        ),
        (ResetWithoutView, "reset", "ResetWithoutView.reset() takes 1 positional argument but 2 were given"),
    ],
)
def test_a_method_offloadsim_cannot_call_for_its_signature_is_the_policys_error(
    tiny_scenario, factory, method, said
):
    """The TypeError is raised at the engine's call, in none of the policy's code: an internal error.

    Now it names the policy and where the method is defined.
    """
    register_policy("wrong-signature")(factory)
    with pytest.raises(PolicyFailed) as caught:
        offloadsim.run(tiny_scenario, policy="wrong-signature")
    line = getattr(factory, method).__code__.co_firstlineno
    message = str(caught.value)
    assert message.startswith(
        f'policy "wrong-signature" ({__name__}.{factory.__qualname__}) raised TypeError in {method}() at '
    ), message
    assert message.endswith(f": {said} (test_policy_failures.py, line {line}, def {method})"), message


def test_a_shipped_policy_that_raises_is_still_offloadsims_bug(tiny_scenario, monkeypatch):
    def broken(self, task, view):
        raise IndexError("list index out of range")

    monkeypatch.setattr(EdgePolicy, "decide", broken)
    with pytest.raises(IndexError):
        offloadsim.run(tiny_scenario, policy="edge")


def test_the_command_line_reports_an_installed_plugins_exception_in_one_line(
    tiny_scenario, tmp_path, monkeypatch, capsys
):
    _install(tmp_path / "site", monkeypatch)
    out = tmp_path / "out"
    assert main(["run", str(tiny_scenario), "--policy", "buggy", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    (line,) = err.splitlines()
    assert re.fullmatch(
        r'offloadsim: error: policy "buggy" \(buggy_policy\.Buggy\) raised IndexError in decide\(\) '
        r"at simulated time [0-9.]+ s: list index out of range \(buggy_policy\.py, line 12, in decide\); "
        r"run again with --debug to see its traceback",
        line,
    ), line
    assert not out.exists()
    assert main(["--debug", "run", str(tiny_scenario), "--policy", "buggy", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert 'buggy_policy.py", line 12, in decide' in err and "IndexError: list index out of range" in err
    assert err.splitlines()[-1].startswith('offloadsim: error: policy "buggy" (buggy_policy.Buggy) raised')


def test_compare_reports_it_the_same_way_from_its_worker_processes(
    tiny_scenario, tmp_path, monkeypatch, capsys
):
    _install(tmp_path / "site", monkeypatch)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "site"))  # the workers find the plug-in too
    argv = [
        "compare",
        str(tiny_scenario),
        "--policies",
        "edge,buggy",
        "-n",
        "2",
        "--out",
        str(tmp_path / "cmp"),
    ]
    assert main([*argv, "--workers", "2"]) == 2
    err = capsys.readouterr().err
    assert 'offloadsim: error: policy "buggy" (buggy_policy.Buggy) raised IndexError in decide()' in err
    assert not (tmp_path / "cmp").exists()


def _install(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Install the buggy plug-in as pip would: a module and its distribution's entry point."""
    site.mkdir()
    (site / "buggy_policy.py").write_text(textwrap.dedent(PLUGIN))
    info = site / "buggy_policy-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: buggy-policy\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\nbuggy = buggy_policy:Buggy\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "buggy_policy", raising=False)


def _line_of(text: str) -> int:
    """The line of this file where ``text`` first appears (inside a function, not this call)."""
    lines = Path(__file__).read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line and "_line_of" not in line)


@pytest.mark.parametrize(
    ("module", "shipped"),
    [("offloadsim", True), ("offloadsim.policies.x", True), ("offloadsim_contrib", False), ("lab", False)],
)
def test_the_pool_and_the_fault_reports_agree_on_what_is_shipped(module, shipped):
    """A policy handed to pool workers is one whose exceptions are its own, and the reverse."""
    from offloadsim.policies.faults import describe_failure
    from offloadsim.policies.registry import registered_here

    broken = type("Broken", (DecideRaises,), {"__module__": module})
    register_policy("module-named")(broken)
    try:
        broken().decide(type("Task", (), {"app": "job"})(), None)
    except KeyError as error:
        described = describe_failure(error, broken(), "module-named")
    assert ("module-named" not in registered_here()) is shipped
    assert (described is None) is shipped


def decide_function(task, view):
    """A policy written as a bare decide function."""
    return Plan.run_on(task.source)


def test_a_decide_function_registered_as_the_factory_says_so(tiny_scenario):
    """It was "needs parameter(s): task, view", as if the scenario had to give them."""
    register_policy("bare-function")(decide_function)
    with pytest.raises(ScenarioError) as caught:
        offloadsim.run(tiny_scenario, policy="bare-function")
    assert str(caught.value).endswith(
        f'policy "bare-function" ({__name__}.decide_function) is registered as a factory, which is called '
        "with the scenario's policy parameters and returns the policy, but it takes decide's (task, view): "
        "register a class with a decide(self, task, view) method instead"
    )


@dataclass
class ReadsRecordColumn:
    """Reads the task's id by the records' column name, task_id."""

    def decide(self, task, view):
        return Plan.run_on(task.source) if task.task_id % 2 else Plan.run_on("edge")


@dataclass
class MisspeltViewMethod:
    """Asks the view for a method by a name without its unit."""

    def decide(self, task, view):
        return Plan.run_on("edge" if view.compute_time(task, "edge") < 1 else task.source)


@pytest.mark.parametrize(
    ("policy", "said", "code"),
    [
        (  # a student wrote the records' column name and read only "no attribute 'task_id'"
            ReadsRecordColumn,
            "'Task' object has no attribute 'task_id' (did you mean \"id\"?); a task has id, app, source, "
            "arrival, deadline, layers, flops and cut_bytes (offloadsim.policies.TaskView)",
            "task.task_id % 2",
        ),
        (
            MisspeltViewMethod,
            "object has no attribute 'compute_time' (did you mean \"compute_time_s\"?); "
            "the view's members are those of offloadsim.policies.SystemView",
            "view.compute_time(task",
        ),
    ],
)
def test_an_attribute_the_task_or_view_lacks_is_said_with_the_nearest_and_where_they_are_listed(
    tiny_scenario, policy, said, code
):
    register_policy("reads-what-is-not-there")(policy)
    with pytest.raises(PolicyFailed) as caught:
        offloadsim.run(tiny_scenario, policy="reads-what-is-not-there")
    message = str(caught.value)
    assert said in message
    assert message.endswith(f"(test_policy_failures.py, line {_line_of(code)}, in decide)")
