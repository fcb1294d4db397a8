"""A plug-in processor model that raises mid-run is the plug-in's bug, said in one line, exit 2.

Before, an exception in a plug-in processor's ``submit`` or ``abort`` (any method the kernel,
the policy's view or a meter calls) ended ``offloadsim run`` as "internal error: ValueError: ..."
(exit 1, "a bug"), naming neither the model nor the node, and from Python as the bare exception.
"""

from __future__ import annotations

import os
import re
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import offloadsim
from offloadsim.cli import main
from offloadsim.engine.plugin_faults import PluginFailed
from offloadsim.engine.processor import Processor
from offloadsim.engine.processor_models import (
    ENTRY_POINT_GROUP,
    PLUGINS,
    register_processor_model,
    unregister_processor_model,
)
from offloadsim.policies.base import Plan
from offloadsim.policies.registry import register_policy, unregister_policy

# Down at 1 s: the kernel asks the edge's processor to abort its stages.
DOWN = "dynamics:\n  - {kind: node-schedule, node: edge, steps: [{at: 1 s, up: false}]}\n"


def _fifo(cls: type[Processor]) -> Any:
    def factory(env: Any, model: Any) -> Processor:
        spec = model.spec
        return cls(env, model.node, spec.name, model.cores, model.speed_flops, spec.queue_limit)

    return factory


class SubmitRaises(Processor):
    """Its queue fails once the run is half a second old."""

    def submit(self, service_s: float, callback: Any, payload: Any) -> bool:
        if self.env.now > 0.5:
            raise ValueError("queue index out of range")
        return super().submit(service_s, callback, payload)


class AbortRaises(Processor):
    """Cannot drop its stages when its node goes down."""

    def abort(self) -> list[Any]:
        raise RuntimeError("cannot drop a stage in service")


class WaitRaises(Processor):
    """Cannot say how long a stage would wait."""

    def expected_wait_s(self) -> float:
        raise ZeroDivisionError("no cores measured yet")


class CallbackRaises(Processor):
    """Schedules a completion of its own, which fails when it fires (from the event loop)."""

    def submit(self, service_s: float, callback: Any, payload: Any) -> bool:
        def done(_event: Any) -> None:
            raise KeyError("stage")

        self.env.timeout(service_s).callbacks.append(done)
        return True


class AskWait:
    """Runs every task on the edge, after asking its expected wait."""

    def decide(self, task: Any, view: Any) -> Plan:
        view.expected_wait_s("edge")
        return Plan.run_on("edge")


@pytest.fixture
def scenario(tmp_path, tiny_scenario_text):
    """Write the tiny scenario with the edge's processor model ``model`` (registered as it), dynamics too."""
    names: list[str] = []
    edge = "edge: {tier: edge, processor: {speed: 100 GFLOP/s}}"
    assert edge in tiny_scenario_text

    def write(model: str, cls: type[Processor] | None = None, extra: str = "", power: str = "") -> Path:
        if cls is not None:
            register_processor_model(model, _fifo(cls))
            names.append(model)
        path = tmp_path / "faulty.yaml"
        modelled = edge.replace("}}", f", model: {model}}}}}")
        if power:  # the edge's power: a battery's meter reads the busy time at every change of its draw
            modelled = modelled[:-1] + f", power: {power}}}"
        path.write_text(tiny_scenario_text.replace(edge, modelled) + extra)
        return path

    yield write
    for name in names:
        unregister_processor_model(name)


def _line_of(text: str) -> int:
    lines = Path(__file__).read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line and "_line_of" not in line)


def test_an_exception_in_submit_names_the_model_its_class_the_method_time_processor_and_node(scenario):
    with pytest.raises(PluginFailed) as caught:
        offloadsim.run(scenario("submit-raises", SubmitRaises))
    message = str(caught.value)
    assert re.fullmatch(
        rf'processor model "submit-raises" \({__name__}\.SubmitRaises\) of processor "cpu" at "edge" '
        r"raised ValueError in submit\(\) at simulated time 0\.5[0-9]* s: queue index out of range "
        rf"\(test_processor_plugin_faults\.py, line {_line_of('queue index out of range')}, in submit\)",
        message,
    ), message
    assert isinstance(caught.value.__cause__, ValueError)


def test_an_exception_in_abort_names_abort_at_the_time_the_node_went_down(scenario):
    with pytest.raises(
        PluginFailed,
        match=r'AbortRaises\) of processor "cpu" at "edge" raised RuntimeError in abort\(\) '
        r"at simulated time 1 s: ",
    ):
        offloadsim.run(scenario("abort-raises", AbortRaises, DOWN))


def test_a_method_the_policy_asks_through_its_view_is_the_processors_fault_not_the_policys(scenario):
    register_policy("ask-wait")(AskWait)
    try:
        with pytest.raises(
            PluginFailed, match=r"WaitRaises\) of .* raised ZeroDivisionError in expected_wait_s"
        ):
            offloadsim.run(scenario("wait-raises", WaitRaises), policy="ask-wait")
    finally:
        unregister_policy("ask-wait")


def test_under_by_group_a_wait_its_inner_plug_in_asks_is_still_the_processors_fault(scenario):
    """The inner plug-in policy asked the wait (its code outermost): the processor raised, not it."""
    register_policy("ask-wait")(AskWait)
    try:
        with pytest.raises(
            PluginFailed, match=r"WaitRaises\) of .* raised ZeroDivisionError in expected_wait_s"
        ):
            offloadsim.run(
                scenario("wait-raises", WaitRaises),
                policy="by-group",
                policy_params={"groups": {"phone": "ask-wait"}},
            )
    finally:
        unregister_policy("ask-wait")


class PolicyRaises:
    """Raises when the processor below calls it back (the reverse: the policy's code the deeper)."""

    def decide(self, task: Any, view: Any) -> Plan:
        raise LookupError("no plan for this one")


class CallsBack(Processor):
    """Asks a plug-in policy from inside its own method: the policy's code runs deeper than its own."""

    def expected_wait_s(self) -> float:
        return self.policy.decide(None, None)


@pytest.mark.parametrize("inner", [False, True])
def test_a_plug_in_policy_raising_deeper_than_a_plug_in_processor_is_the_policys_fault(inner):
    """The policy's code ran deeper than the processor's: the policy is blamed, the run's own or an inner one.

    By-group is shipped: its inner plug-in's code was not looked for, and the processor was blamed.
    """
    from offloadsim.engine.plugin_faults import blame_plugin
    from offloadsim.engine.policy_faults import blame_policy
    from offloadsim.policies import make_policy

    register_policy("raises-late")(PolicyRaises)
    try:
        policy = make_policy("by-group", {"groups": {"phone": "raises-late"}}) if inner else PolicyRaises()
        processor = CallsBack.__new__(CallsBack)
        processor.policy = policy.delegates[0].policy if inner else policy
        with pytest.raises(LookupError) as caught:
            processor.expected_wait_s()
        words = 'processor model "calls-back" (CallsBack) of processor "cpu" at "edge"'
        assert blame_plugin(caught.value, [(processor, words)], 1.0, policy) is None
        name = "by-group" if inner else "raises-late"
        blamed = blame_policy(caught.value, policy, name, 1.0)
        assert blamed is not None and str(blamed).startswith('policy "raises-late" (')
        assert "raised LookupError in decide() at simulated time 1 s: no plan for this one" in str(blamed)
    finally:
        unregister_policy("raises-late")


def test_a_callback_a_method_scheduled_is_that_methods(scenario):
    with pytest.raises(PluginFailed) as caught:
        offloadsim.run(scenario("callback-raises", CallbackRaises))
    assert "raised KeyError in submit() at simulated time " in str(caught.value)
    assert str(caught.value).endswith("in done)") and "line " + str(
        _line_of('raise KeyError("stage")')
    ) in str(caught.value)


def test_a_shipped_processor_that_raises_is_still_offloadsims_bug(scenario, monkeypatch):
    def broken(self: Processor, service_s: float, callback: Any, payload: Any) -> bool:
        raise IndexError("list index out of range")

    monkeypatch.setattr(Processor, "submit", broken)
    with pytest.raises(IndexError):
        offloadsim.run(scenario("fifo"))


PLUGIN = '''
"""A processor model with a bug in its submit."""

from offloadsim.engine.processor import Processor


class Buggy(Processor):
    def submit(self, service_s, callback, payload):
        if self.env.now > 0.5:
            raise ValueError("queue index out of range")
        return super().submit(service_s, callback, payload)


def buggy(env, model):
    spec = model.spec
    return Buggy(env, model.node, spec.name, model.cores, model.speed_flops, spec.queue_limit)
'''

ONE_LINE = (
    r'processor model "buggy" \(buggy_processor\.Buggy\) of processor "cpu" at "edge" raised ValueError '
    r"in submit\(\) at simulated time [0-9.]+ s: queue index out of range "
    r"\(buggy_processor\.py, line 10, in submit\)"
)


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """The buggy model installed as pip would (module and entry point), for this process and its workers."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "buggy_processor.py").write_text(textwrap.dedent(PLUGIN))
    info = site / "buggy_processor-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: buggy-processor\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\nbuggy = buggy_processor:buggy\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.delitem(sys.modules, "buggy_processor", raising=False)
    PLUGINS.forget()
    yield tmp_path
    unregister_processor_model("buggy")
    PLUGINS.forget()


def test_the_command_line_says_it_in_one_line_exit_2_and_leaves_no_run_directory(installed, scenario, capsys):
    path, out = scenario("buggy"), installed / "out"
    assert main(["run", str(path), "--out", str(out)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert re.fullmatch(
        rf"offloadsim: error: {ONE_LINE}; run again with --debug to see its traceback", line
    ), line
    assert not out.exists()
    assert main(["--debug", "run", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert 'buggy_processor.py", line 10, in submit' in err and "ValueError: queue index out of range" in err
    assert re.fullmatch(rf"offloadsim: error: {ONE_LINE}", err.splitlines()[-1])
    assert not out.exists()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_compare_says_it_the_same_way_in_this_process_and_in_workers(installed, scenario, capsys, workers):
    out = installed / "cmp"
    argv = ["compare", str(scenario("buggy")), "--policies", "edge,local", "-n", "1", "--out", str(out)]
    assert main([*argv, "--workers", workers]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert re.fullmatch(
        rf"offloadsim: error: {ONE_LINE}; run again with --debug to see its traceback", line
    ), line
    assert not out.exists()
    assert main(["--debug", *argv, "--workers", workers]) == 2  # a worker's traceback comes back as text
    assert 'buggy_processor.py", line 10, in submit' in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_sweep_says_it_at_the_failed_point_and_logs_the_traceback(installed, scenario, capsys, workers):
    scenario("buggy")
    sweep = installed / "sweep.yaml"
    sweep.write_text("base: faulty.yaml\ngrid:\n  links[0].bandwidth: [5 Mbps, 50 Mbps]\n")
    out = installed / "swept"
    assert main(["sweep", str(sweep), "--out", str(out), "--workers", workers]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert re.search(
        r"\(first: point 0 \(links\[0\]\.bandwidth=5 Mbps\), replication 0: PluginFailed: " + ONE_LINE,
        line,
    )
    log = (out / "failures.log").read_text()
    assert 'buggy_processor.py", line 10, in submit' in log
    assert not list((out / "points").glob("*.parquet"))


FACTORY = """
def broken(env, model):
    return {}["speed"]
"""


def test_a_factory_that_raises_shows_its_traceback_with_debug(tmp_path, scenario, monkeypatch, capsys):
    (tmp_path / "broken_factory.py").write_text(textwrap.dedent(FACTORY))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "broken_factory", raising=False)
    import broken_factory  # type: ignore[import-not-found]

    register_processor_model("broken", broken_factory.broken)
    try:
        path = scenario("broken")
        assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
        (line,) = capsys.readouterr().err.splitlines()
        assert line.endswith(
            "(broken_factory.py, line 3, in broken); run again with --debug to see its traceback"
        )
        assert main(["--debug", "run", str(path), "--out", str(tmp_path / "out")]) == 2
        assert 'broken_factory.py", line 3, in broken' in capsys.readouterr().err
    finally:
        unregister_processor_model("broken")


class BusyIsText(Processor):
    def busy_core_seconds(self) -> Any:
        return "1.5"


class BusyIsNaN(Processor):
    def busy_core_seconds(self) -> float:
        return float("nan")


class BusyGoesBack(Processor):
    """Counts its busy time down: 2 s at the start of the 2 s run, 0 s at its end."""

    def busy_core_seconds(self) -> float:
        return 2.0 - float(self.env.now)


@pytest.mark.parametrize(
    ("cls", "said"),
    [
        (BusyIsText, '"1.5" at simulated time 0 s'),
        (BusyIsNaN, "nan at simulated time 0 s"),
        (BusyGoesBack, "2.0 at simulated time 0 s and 0.0 at 2 s"),
    ],
)
def test_a_busy_time_that_is_no_number_nan_or_going_back_is_refused_not_written(
    cls, said, scenario, tmp_path, capsys
):
    """A str ended the run as an internal error (TypeError, exit 1); NaN or a busy time lower at
    the end than at the start was written to processors.parquet as the utilisation, exit 0."""
    out = tmp_path / "out"
    assert main(["run", str(scenario("odd-busy", cls)), "--out", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert err == (
        f'offloadsim: error: processor model "odd-busy" ({__name__}.{cls.__name__}) of processor "cpu" at '
        f'"edge": its busy_core_seconds() was {said}; expected core-seconds, a finite number >= 0 that '
        "never decreases\n"
    )
    assert not out.exists()


def _mid_run(value: Callable[[float, float], Any]) -> type[Processor]:
    """A processor whose busy time is ``value(now, its own)`` between 0 s and the end (2 s), its own then."""

    class MidRun(Processor):
        def busy_core_seconds(self) -> Any:
            own = super().busy_core_seconds()
            return value(self.env.now, own) if 0.0 < self.env.now < 2.0 else own

    return MidRun


BATTERY = "{idle: 1 W, busy: 5 W, battery: 1000 J}"
TIME = r"[0-9.e-]+"


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (lambda now, own: "1.5", rf'"1\.5" at simulated time {TIME} s'),
        (lambda now, own: float("nan"), rf"nan at simulated time {TIME} s"),
        (lambda now, own: -1.0, rf"-1\.0 at simulated time {TIME} s"),
        # One core-second ahead until 1 s, its own after: lower at the first read after 1 s.
        (
            lambda now, own: own + 1.0 if now < 1.0 else own,
            rf"{TIME} at simulated time 0\.[0-9]+ s and {TIME} at 1\.[0-9]+ s",
        ),
    ],
    ids=["text", "nan", "negative", "going back"],
)
def test_a_busy_time_odd_only_mid_run_on_a_battery_node_is_refused_by_the_energy_meters_read(
    value, said, scenario, tmp_path, capsys
):
    """Right at the start and at the end of the measured time, so the tables' reads never saw it: the
    battery's meter, which reads it at every change of the node's draw, ended the run as an internal
    error for a str (TypeError in its sums, exit 1), and summed NaN, a negative or a backward busy
    time into the node's energy and battery (exit 0).  It reads it through the plug-in's adapter now."""
    out = tmp_path / "out"
    path = scenario("mid-run", _mid_run(value), power=BATTERY)
    assert main(["run", str(path), "--out", str(out), "-q"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert re.fullmatch(
        rf'offloadsim: error: processor model "mid-run" \({__name__}\._mid_run\.<locals>\.MidRun\) of '
        rf'processor "cpu" at "edge": its busy_core_seconds\(\) was {said}; expected core-seconds, a finite '
        r"number >= 0 that never decreases",
        line,
    ), line
    assert not out.exists()
    with pytest.raises(PluginFailed):
        offloadsim.run(path)


def test_the_same_processor_at_the_same_values_runs_where_the_busy_time_stays_right(scenario):
    """The line above is the plug-in's: its busy time kept right, the battery node runs to the end."""
    raw = offloadsim.run(scenario("mid-run", _mid_run(lambda now, own: own), power=BATTERY))
    assert raw.nodes["energy_j"][list(raw.nodes["node"]).index("edge")] > 0


class QueueInWords(Processor):
    """Says how many stages wait in a word."""

    def queued(self) -> Any:
        return "many"


class RefusedGoesBack(Processor):
    """Forgets a stage it turned away: 2 of them until 1 s, 1 after."""

    @property  # type: ignore[override]
    def refused(self) -> int:
        return 2 if self.env.now < 1.0 else 1

    @refused.setter
    def refused(self, value: int) -> None:
        pass


class CoresInWords(Processor):
    """Says how many cores it has in a word."""

    @property  # type: ignore[override]
    def cores(self) -> Any:
        return "four"

    @cores.setter
    def cores(self, value: int) -> None:
        pass


@pytest.mark.parametrize(
    ("cls", "said", "power"),
    [
        (QueueInWords, 'queued() said "many"; expected stages waiting, a whole number >= 0', ""),
        # Read first by the node's energy meter, as the run is built (its own submit would read them next).
        (CoresInWords, 'cores was "four"; expected cores, a whole number >= 0', "{idle: 1 W, busy: 5 W}"),
        (
            RefusedGoesBack,
            "refused was 2 at simulated time 0 s and 1 at 2 s; expected stages, a whole number >= 0 that "
            "never decreases",
            "",
        ),
    ],
)
def test_a_count_that_is_no_whole_number_or_goes_back_is_refused_naming_the_model(
    cls, said, power, scenario, tmp_path, capsys
):
    """Text waiting was an internal error where the nodes table was made (ValueError, exit 1), cores in
    words one in the energy meter's sum (TypeError, exit 1), and a count of refused stages going back
    was written as -1 stage refused (exit 0)."""
    out = tmp_path / "out"
    assert main(["run", str(scenario("odd-count", cls, power=power)), "--out", str(out), "-q"]) == 2
    assert capsys.readouterr().err == (
        f'offloadsim: error: processor model "odd-count" ({__name__}.{cls.__name__}) of processor "cpu" at '
        f'"edge": its {said}\n'
    )
    assert not out.exists()


class ServesInWords(Processor):
    """Says what it serves as its node goes down in a form of its own."""

    def in_service(self) -> Any:
        return [("stage", "soon")]


def test_stages_in_service_that_are_no_callback_payload_and_times_are_the_models_one_line(scenario, capsys):
    """Asked as a powered node goes down: the kernel unpacked them in its own frame (ValueError, exit 1)."""
    path = scenario("odd-service", ServesInWords, DOWN, power="{idle: 1 W, busy: 5 W}")
    assert main(["run", str(path), "--out", str(path.parent / "out"), "-q"]) == 2
    assert capsys.readouterr().err == (
        f'offloadsim: error: processor model "odd-service" ({__name__}.ServesInWords) of processor "cpu" at '
        '"edge": its in_service() gave a list for a stage; expected (callback, payload, wait_s, ran_s), its '
        "times finite seconds >= 0\n"
    )
    assert not (path.parent / "out").exists()


def _pricing(value: Any) -> type[Processor]:
    class Prices(Processor):
        def pricer(self, kind: Any, world: Any) -> Any:
            return lambda task, start, stop: value

    return Prices


@pytest.mark.parametrize(("value", "shown"), [(float("nan"), "nan"), (-0.5, "-0.5"), ("1 ms", '"1 ms"')])
def test_a_stage_time_that_is_no_number_at_least_0_is_refused_naming_the_model(
    value, shown, scenario, capsys
):
    """A price of NaN ended the run in an internal error in the energy meters, -0.5 in the kernel
    ('NoneType' object is not callable), a str in the plan's sums (exit 1 each)."""
    assert main(["run", str(scenario("odd-price", _pricing(value))), "-q"]) == 2
    assert capsys.readouterr().err == (
        f'offloadsim: error: processor model "odd-price" ({__name__}._pricing.<locals>.Prices) of processor '
        f'"cpu" at "edge" priced layer 0 of a request of job at {shown}; expected seconds >= 0\n'
    )


def _waiting(value: Any) -> type[Processor]:
    class Waits(Processor):
        def expected_wait_s(self) -> Any:
            return value

    return Waits


@pytest.mark.parametrize(("value", "shown"), [(float("nan"), "nan"), (-1.0, "-1.0"), ("soon", '"soon"')])
def test_a_wait_the_policy_reads_that_is_no_number_at_least_0_is_the_processors_fault(value, shown, scenario):
    """A str was an internal error in the policy's sums (exit 1); NaN or -1 s steered it silently."""
    register_policy("ask-wait")(AskWait)
    try:
        with pytest.raises(PluginFailed) as caught:
            offloadsim.run(scenario("odd-wait", _waiting(value)), policy="ask-wait")
    finally:
        unregister_policy("ask-wait")
    assert str(caught.value) == (
        f'processor model "odd-wait" ({__name__}._waiting.<locals>.Waits) of processor "cpu" at "edge": '
        f"its expected_wait_s() said {shown}; expected seconds >= 0"
    )


def _built_wrong(env: Any, model: Any) -> Any:
    raise RuntimeError("no such accelerator on this machine")


def _lacks_members(env: Any, model: Any) -> Any:
    return object()


def _link_model_raises(env: Any, capacity_bps: Any) -> Any:
    raise RuntimeError("no circuits to reserve")


@pytest.mark.parametrize(
    ("factory", "said"),
    [
        (_built_wrong, "raised RuntimeError: no such accelerator on this machine"),
        (_lacks_members, "built a processor of class object, which lacks "),
    ],
)
def test_validate_and_a_dry_run_build_a_plugin_processor_as_the_run_does(
    factory, said, scenario, tmp_path, capsys
):
    register_processor_model("unbuildable", factory)
    try:
        path = scenario("unbuildable")
        lines = []
        for argv in (["validate", str(path)], ["run", str(path), "--dry-run"], ["run", str(path)]):
            assert main([*argv, "--out", str(tmp_path / "out")] if argv[0] == "run" else argv) == 2
            (line,) = capsys.readouterr().err.splitlines()
            # the file and the key naming the model, then the model (its file is the whole path)
            at = f"offloadsim: error: {path}: nodes.edge.processor.model: "
            assert line.startswith(f'{at}processor model "unbuildable"') and said in line, line
            lines.append(line)
        assert len(set(lines)) == 1  # validate says what the run says, word for word
        assert not (tmp_path / "out").exists()
    finally:
        unregister_processor_model("unbuildable")


def _link_model_of_nothing(env: Any, capacity_bps: Any) -> Any:
    return None


@pytest.mark.parametrize(
    ("factory", "said"),
    [
        (_link_model_raises, "_link_model_raises) raised RuntimeError while it was built: no circuits"),
        (_link_model_of_nothing, "_link_model_of_nothing) built a link model of class NoneType, which lacks"),
    ],
)
def test_validate_and_a_dry_run_build_a_plugin_link_model_as_the_run_does(
    factory, said, tiny_scenario, capsys, tmp_path
):
    """Its factory's exception was said with no file or key; one building nothing was ok to
    ``validate`` and ``--dry-run``, and the run's ``AttributeError`` an internal error (exit 1)."""
    from offloadsim.scenario.link_models import register_link_model, unregister_link_model

    register_link_model("unbuildable-links", factory)
    try:
        tiny_scenario.write_text(tiny_scenario.read_text() + "network: {model: unbuildable-links}\n")
        lines = []
        for argv in (["validate"], ["run", "--dry-run"], ["run"]):
            argv = [*argv, str(tiny_scenario)]
            assert main([*argv, "--out", str(tmp_path / "o")] if argv[0] == "run" else argv) == 2
            (line,) = capsys.readouterr().err.splitlines()
            at = f"offloadsim: error: {tiny_scenario}: network.model: "
            assert line.startswith(f'{at}link model "unbuildable-links" ({__name__}.{said}'), line
            lines.append(line)
        assert len(set(lines)) == 1  # validate and the dry run say what the run says, word for word
        assert not (tmp_path / "o").exists()
    finally:
        unregister_link_model("unbuildable-links")


def test_what_a_plugin_link_model_must_have_is_the_protocol_but_the_handovers():
    """PLUGIN_MEMBERS is written out (its module is compiled): it must follow LinkModel."""
    import ast

    from offloadsim.engine import network

    # Read from the source: a build compiled by mypyc keeps no annotations on the protocol.
    (protocol,) = (
        node
        for node in ast.parse((Path(network.__file__).parent / "network.py").read_text()).body
        if isinstance(node, ast.ClassDef) and node.name == "LinkModel"
    )
    declared = {
        member.target.id if isinstance(member, ast.AnnAssign) else member.name
        for member in protocol.body
        if isinstance(member, ast.FunctionDef)
        or (isinstance(member, ast.AnnAssign) and isinstance(member.target, ast.Name))
    }
    public = {name for name in declared if name[0] != "_"}
    assert set(network.PLUGIN_MEMBERS) == public - {"sending_over", "move"}
