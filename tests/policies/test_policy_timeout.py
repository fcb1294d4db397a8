"""A plug-in policy whose ``decide`` never returns ends the run in one line naming it (exit 2), not a hang.

``run`` and ``compare`` sat at one simulated instant, without a word, until someone pressed
Ctrl-C (offloadsim.engine.policy_watch).
"""

from __future__ import annotations

import re
import sys
import textwrap
import time

import pytest

import offloadsim
from offloadsim.cli import main
from offloadsim.engine.errors import EngineError
from offloadsim.engine.policy_watch import POLICY_TIMEOUT_S
from offloadsim.errors import RunError
from offloadsim.experiments import compare
from offloadsim.policies import ENTRY_POINT_GROUP, register_policy

pytestmark = [pytest.mark.usefixtures("fresh_registry"), pytest.mark.timeout(120)]

PLUGIN = '''
"""A third-party package's policies that never return."""

import time

from offloadsim.policies import Plan


class Looper:
    def decide(self, task, view):
        n = 0
        while True:
            n += 1


class Sleeper:
    def decide(self, task, view):
        time.sleep(1e6)


class SlowOnce:
    """Takes 0.3 s a decision (the watcher looks every 0.25 s under a 1 s limit), and returns."""

    def decide(self, task, view):
        time.sleep(0.3)
        return Plan.run_on(task.source)
'''
ENTRIES = {
    "looper": "loop_policies:Looper",
    "sleeper": "loop_policies:Sleeper",
    "slow": "loop_policies:SlowOnce",
}


def _line(text: str) -> int:
    return next(i for i, line in enumerate(textwrap.dedent(PLUGIN).splitlines(), 1) if text in line)


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """The plug-ins installed as pip would: their module and their distribution's entry points."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "loop_policies.py").write_text(textwrap.dedent(PLUGIN))
    info = site / "loop_policies-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: loop-policies\nVersion: 0.1\n")
    lines = "".join(f"{name} = {target}\n" for name, target in ENTRIES.items())
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{lines}")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "loop_policies", raising=False)
    monkeypatch.setenv("PYTHONPATH", str(site))  # compare's workers find it too


@pytest.mark.parametrize(
    ("policy", "cls", "where"),
    [("looper", "Looper", ("while True", "n += 1")), ("sleeper", "Sleeper", ("time.sleep(1e6)",))],
)
def test_run_ends_a_decide_that_never_returns_in_one_line(
    installed, tiny_scenario, tmp_path, capsys, policy, cls, where
):
    out = tmp_path / "out"
    lines = "|".join(str(_line(text)) for text in where)  # the loop's test or its body: where it was stopped
    started = time.monotonic()
    argv = ["run", str(tiny_scenario), "--policy", policy, "--policy-timeout", "1 s", "--out", str(out), "-q"]
    assert main(argv) == 2
    assert time.monotonic() - started < 30
    (line,) = capsys.readouterr().err.splitlines()
    assert re.fullmatch(
        rf'offloadsim: error: policy "{policy}" \(loop_policies\.{cls}\) did not return from decide\(\) '
        rf"at simulated time [0-9.e-]+ s in 1 s of wall time \(loop_policies\.py, line ({lines}), "
        r"in decide\); a call that never returns hangs the run: if it is only slow, give it longer with "
        r"--policy-timeout \(such as '10 min'; '0 s': no limit\)",
        line,
    ), line
    assert not out.exists()


def test_compare_says_it_from_its_worker_processes(installed, tiny_scenario, tmp_path, capsys):
    """In the command's words, the flag: the worker processes once said Python's ``policy_timeout=``."""
    out = tmp_path / "cmp"
    argv = ["compare", str(tiny_scenario), "--policies", "edge,looper", "-n", "2", "--out", str(out)]
    assert main([*argv, "--workers", "2", "--policy-timeout", "1 s", "--quiet"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(
        'offloadsim: error: policy "looper" (loop_policies.Looper) did not return from decide()'
    )
    assert line.endswith("give it longer with --policy-timeout (such as '10 min'; '0 s': no limit)"), line
    assert not out.exists()


def test_sweep_says_it_from_its_worker_processes_in_the_commands_words(
    installed, tiny_scenario, tmp_path, capsys
):
    (tmp_path / "sweep.yaml").write_text(
        f"base: {tiny_scenario}\ngrid:\n  duration: [2 s, 3 s]\npolicies: [looper]\nreplications: 1\n"
    )
    argv = ["sweep", str(tmp_path / "sweep.yaml"), "--out", str(tmp_path / "s"), "--workers", "2"]
    assert main([*argv, "--policy-timeout", "1 s", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert 'policy "looper" (loop_policies.Looper) did not return from decide()' in err
    assert "give it longer with --policy-timeout (such as '10 min'; '0 s': no limit)" in err, err
    assert "policy_timeout=" not in err


def test_compare_from_python_with_workers_names_the_keyword(installed, tiny_scenario):
    """Only the command line's jobs are told of flags: a Python caller's workers name its keyword."""
    with pytest.raises(EngineError) as raised:
        compare(tiny_scenario, policies=["edge", "looper"], replications=1, workers=2, policy_timeout=1)
    assert str(raised.value).endswith("give it longer with policy_timeout= (in seconds; 0: no limit)")


def test_a_slow_decide_under_the_limit_runs(installed, tiny_scenario, tmp_path):
    """It wrote its run into the repository (results/tiny-slow-s0, relative to where pytest ran)."""
    out = tmp_path / "run"
    argv = ["run", str(tiny_scenario), "--policy", "slow", "--policy-timeout", "1 s", "--out", str(out), "-q"]
    assert main(argv) == 0
    assert (out / "tasks.parquet").is_file()


class LoopsHere:
    def decide(self, task, view):
        while True:
            pass


def test_from_python_it_is_an_engine_error_and_the_limit_is_the_commands(tiny_scenario):
    register_policy("loops-here")(LoopsHere)
    with pytest.raises(EngineError, match=r'policy "loops-here" .* did not return from decide\(\)'):
        offloadsim.run(tiny_scenario, policy="loops-here", policy_timeout=0.5)
    assert offloadsim.run.__kwdefaults__["policy_timeout"] == POLICY_TIMEOUT_S


def test_every_default_is_the_one_constant_and_compare_says_which():
    """Not each its own ``60.0`` (equal until one is changed): the constant itself, read where needed.

    Each literal ``60.0`` was a float object of its own module; reading the constant gives the one.
    """
    import argparse

    from offloadsim.cli.types import add_policy_timeout
    from offloadsim.experiments import sweep
    from offloadsim.experiments.jobs import Job

    parser = argparse.ArgumentParser()
    add_policy_timeout(parser)
    defaults = [f.__kwdefaults__["policy_timeout"] for f in (offloadsim.run, compare, sweep)]
    defaults += [Job.__dataclass_fields__["policy_timeout"].default, parser.get_default("policy_timeout")]
    assert all(default is POLICY_TIMEOUT_S for default in defaults)
    assert "POLICY_TIMEOUT_S" in " ".join((compare.__doc__ or "").split())


def test_from_python_the_line_names_the_keyword_not_the_flag(tiny_scenario):
    register_policy("loops-here")(LoopsHere)
    with pytest.raises(EngineError) as raised:
        offloadsim.run(tiny_scenario, policy="loops-here", policy_timeout=0.5)
    assert str(raised.value).endswith("give it longer with policy_timeout= (in seconds; 0: no limit)")


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf"), "60", True])
def test_a_bad_limit_is_refused(tiny_scenario, bad):
    with pytest.raises(RunError, match="policy_timeout: expected seconds"):
        offloadsim.run(tiny_scenario, policy="local", policy_timeout=bad)


def test_the_timer_is_gone_after_the_run(tiny_scenario):
    import signal

    before = signal.getsignal(signal.SIGALRM)
    register_policy("loops-here")(LoopsHere)
    with pytest.raises(EngineError):
        offloadsim.run(tiny_scenario, policy="loops-here", policy_timeout=0.5)
    assert signal.getsignal(signal.SIGALRM) is before


def test_sweep_from_python_takes_the_keyword_its_line_names(installed, tiny_scenario, tmp_path):
    """A sweep's line said "give it longer with policy_timeout=", which sweep() did not take."""
    from offloadsim.experiments import sweep, sweep_from_data
    from offloadsim.experiments.sweep import JobsFailedError

    spec = sweep_from_data({"base": str(tiny_scenario), "policies": ["looper"], "replications": 1})
    started = time.monotonic()
    with pytest.raises(JobsFailedError) as raised:
        sweep(spec, out=tmp_path / "s", workers=1, policy_timeout=1)
    assert time.monotonic() - started < 30
    assert "did not return from decide() at simulated time" in str(raised.value)
    assert "in 1 s of wall time" in str(raised.value)
    with pytest.raises(RunError, match="policy_timeout: expected seconds"):
        sweep(spec, out=tmp_path / "t", workers=1, policy_timeout="1 s")
