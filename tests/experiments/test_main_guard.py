"""Scripts that call compare() on worker processes, as a newcomer writes them.

Before, the docs' compare snippet pasted into a script started the pool, every
worker imported the script again and died in Python's bootstrapping check, a
traceback each, and only then came "a worker process died"; and a policy the
script registered under its ``__main__`` guard was "unknown" to the workers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_carried_refused import MODULE

ROOT = Path(__file__).resolve().parents[2]


CALL = 'result = compare("tiny.yaml", ["local", "edge"], replications=2, workers=2)\nresult.write("out")\n'


def _run_script(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "experiment.py"
    script.write_text("from offloadsim.experiments import compare\n\n" + body)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )


def test_a_script_without_the_guard_is_told_before_any_worker_starts(tiny, tmp_path):
    result = _run_script(tmp_path, CALL)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last == (
        f"offloadsim.records.stored.ExperimentError: {tmp_path / 'experiment.py'}: compare and sweep run "
        "their jobs in worker processes, which import this script again, and it has no "
        '`if __name__ == "__main__":` guard, so every worker would start the experiment again: put the call '
        "under that guard, or pass workers=1 to run the jobs in this process"
    )
    assert "bootstrapping" not in result.stderr and "BrokenProcessPool" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_script_read_from_stdin_is_told_before_any_worker_starts(tiny, tmp_path):
    """``python - < nb.py``: each worker ran '<stdin>' as a file (FileNotFoundError, BrokenProcessPool)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    script = "from offloadsim.experiments import compare\n" + CALL
    result = subprocess.run(
        [sys.executable, "-"],
        input=script,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(
        "offloadsim.records.stored.ExperimentError: the main script is <stdin>, not a file"
    )
    assert last.endswith("or pass workers=1 to run the jobs in this process")
    assert "FileNotFoundError" not in result.stderr and "BrokenProcessPool" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_the_same_call_under_the_guard_runs_on_two_workers(tiny, tmp_path):
    result = _run_script(tmp_path, 'if __name__ == "__main__":\n' + textwrap.indent(CALL, "    "))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "summary.csv").is_file()


MINE = """
from dataclasses import dataclass

from offloadsim.policies import Plan, register_policy


@dataclass
class Mine:
    \"\"\"Run every task on its source.\"\"\"

    def decide(self, task, view):
        return Plan.run_on(task.source)


if __name__ == "__main__":
    register_policy("mine")(Mine)  # under the guard: the workers do not run this line
    result = compare("tiny.yaml", ["edge", "mine"], replications=2, workers=2)
    print(sorted(set(result.metrics.policy)))
"""


def test_a_policy_registered_under_the_guard_reaches_the_workers(tiny, tmp_path):
    result = _run_script(tmp_path, MINE)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "['edge', 'mine']"


DEFINED_UNDER_THE_GUARD = """
from offloadsim.policies import Plan, register_policy

if __name__ == "__main__":

    @register_policy("inner")
    class Inner:
        \"\"\"Run every task on its source.\"\"\"

        def decide(self, task, view):
            return Plan.run_on(task.source)

    compare("tiny.yaml", ["edge", "inner"], replications=2, workers=2).write("out")
"""

DEFINED_IN_A_FUNCTION = (
    DEFINED_UNDER_THE_GUARD.replace('if __name__ == "__main__":', "def main():").replace(
        'compare("tiny', 'return compare("tiny'
    )
    + '\nif __name__ == "__main__":\n    main()\n'
)


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (
            DEFINED_UNDER_THE_GUARD,
            'policy "inner" (__main__.Inner) is defined under the `if __name__ == "__main__":` guard, so the '
            "worker processes, which import this script again without running the guarded code, cannot find "
            "it: define it above the guard, or pass workers=1",
        ),
        (
            DEFINED_IN_A_FUNCTION,
            'policy "inner" (registered in this process, in __main__) cannot be handed to the worker '
            "processes: it cannot be pickled (AttributeError: Can't pickle local object "
            "'main.<locals>.Inner'); define it at the top level of a module",
        ),
    ],
    ids=["under-the-guard", "in-a-function"],
)
def test_a_policy_class_the_workers_cannot_find_is_refused_naming_it(tiny, tmp_path, body, said):
    """Every worker died unpickling the class (a traceback each, then "a worker process died"), or the
    workers called the policy unknown; neither said where the class was defined."""
    result = _run_script(tmp_path, body)
    assert result.returncode == 1
    assert said in result.stderr.strip().splitlines()[-1], result.stderr[-2000:]
    assert "a worker process died" not in result.stderr and "unknown policy" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_policy_class_above_the_guard_in_an_if_block_is_found(tiny, tmp_path):
    """Only the guard's block hides a name from the workers; another block at the top level does not."""
    body = DEFINED_UNDER_THE_GUARD.replace('if __name__ == "__main__":', "if True:", 1).replace(
        '    compare("tiny', 'if __name__ == "__main__":\n    compare("tiny'
    )
    result = _run_script(tmp_path, body)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "out" / "summary.csv").is_file()


MINE_ON_DASK = (
    MINE.split('if __name__ == "__main__":')[0]
    + """
if __name__ == "__main__":
    import distributed

    register_policy("mine")(Mine)  # under the guard: a Dask worker never runs the script at all
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
    ) as cluster:
        result = compare("tiny.yaml", ["edge", "mine"], replications=2, scheduler=cluster.scheduler_address)
    tasks = result.tasks
    mine = tasks[tasks.policy == "mine"]
    at_source = len(mine) > 0 and bool((mine.placement.astype(str) == mine.source.astype(str)).all())
    print(at_source, sorted(set(result.metrics.policy)))
"""
)


def test_a_policy_registered_under_the_guard_reaches_dask_workers(tiny, tmp_path):
    """A worker process of a Dask cluster found the script's policy unknown: compare stopped at its run."""
    pytest.importorskip("distributed")
    result = _run_script(tmp_path, MINE_ON_DASK)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "True ['edge', 'mine']"


class Before:
    """The script's policy as a first command brought it."""


class After:
    """The same policy, the script since edited."""


class Own:
    """The worker's own."""


class Installed:
    """The plug-in's policy, as the worker reads it from its entry point."""


class Scripts:
    """The policy the script registered, which the command ran."""


def _bring(policies: dict[str, type]) -> None:
    """Register ``policies`` as a job brings them to a worker: pickled, as every carried registry's are."""
    import pickle

    from offloadsim.experiments.carried_kinds import CarriedKinds, register_carried_kinds

    pickled = tuple((name, pickle.dumps((name, factory))) for name, factory in policies.items())
    register_carried_kinds(CarriedKinds((("policy", pickled, ()),)))


def _forget_brought(*names: str) -> None:
    from offloadsim.experiments import carried_kinds
    from offloadsim.policies.registry import unregister_policy

    for name in names:
        unregister_policy(name)
        carried_kinds._CARRIED.pop(("policy", name), None)


def test_a_worker_replaces_a_policy_an_earlier_job_brought_and_keeps_its_own():
    """A Dask worker outlives a command: a policy a later command brings under the same name is run, not
    the earlier one's; one the worker has of its own stays where it is the same class."""
    from offloadsim.policies.registry import find_policy, register_policy

    register_policy("test-own-policy")(Own)
    try:
        _bring({"test-carried-policy": Before, "test-own-policy": Own})
        assert find_policy("test-carried-policy").factory is Before
        assert find_policy("test-own-policy").factory is Own
        _bring({"test-carried-policy": After})
        assert find_policy("test-carried-policy").factory is After
    finally:
        _forget_brought("test-carried-policy", "test-own-policy")


#: A package whose import registers its own ``test-pkg-far``, with another policy a script registers itself.
PACKAGE = MODULE.replace('"far"', '"test-pkg-far"').replace("Tuned", "Near")


def test_a_worker_whose_import_registered_its_own_under_the_name_says_so(tmp_path, monkeypatch):
    """A script imports a package (registering its ``test-pkg-far``) and replaces that with its own.  In a
    worker, rebuilding an earlier entry imports the package, which registers its own there; the script's
    replacement then came to a name the worker had, which kept the package's and ran other code than
    the command's without a word.  Now it is one line naming both."""
    import pickle

    from offloadsim.experiments.carried_kinds import CarriedKinds, register_carried_kinds
    from offloadsim.experiments.carried_unreadable import CarriedUnreadable
    from offloadsim.policies.registry import find_policy, unregister_policy

    (tmp_path / "test_pkg_far.py").write_text(PACKAGE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    import test_pkg_far  # the script's import: the package's own registered, then replaced

    entries = (
        ("test-pkg-near", pickle.dumps(("test-pkg-near", test_pkg_far.Near))),
        ("test-pkg-far", pickle.dumps(("test-pkg-far", Scripts))),
    )
    unregister_policy("test-pkg-far")
    del sys.modules["test_pkg_far"]  # a fresh worker: it imports the package rebuilding Near
    try:
        with pytest.raises(CarriedUnreadable) as raised:
            register_carried_kinds(CarriedKinds((("policy", entries, ()),)))
        assert str(raised.value) == (
            f'policy "test-pkg-far" (registered in this process, {Scripts.__module__}.Scripts) cannot be '
            "registered in the worker processes: they have one of their own under that name "
            "(test_pkg_far.Far, registered there by an import) and would run it instead"
        )
        assert not raised.value.about_module  # its module imports there
        assert find_policy("test-pkg-far").factory.__module__ == "test_pkg_far"
    finally:
        _forget_brought("test-pkg-near", "test-pkg-far")
        sys.modules.pop("test_pkg_far", None)


def test_a_worker_runs_the_parents_registration_not_a_plugin_of_the_same_name(monkeypatch):
    """In the command, a policy the script registered takes the name from an installed plug-in (which
    is skipped with a warning); the pool's workers kept the plug-in and ran it instead, so the same
    ``compare`` gave other results with ``workers=2`` than with ``workers=1``."""
    from offloadsim.policies import registry
    from offloadsim.policies.registry import build_info, find_policy

    registry.find_policy("edge")  # the entry points read, so that the worker's plug-in stays put
    monkeypatch.setitem(registry._PLUGINS, "test-plugin-policy", build_info("test-plugin-policy", Installed))
    assert find_policy("test-plugin-policy").factory is Installed
    try:
        _bring({"test-plugin-policy": Scripts})
        assert find_policy("test-plugin-policy").factory is Scripts
    finally:
        _forget_brought("test-plugin-policy")


SESSION = """
from offloadsim.experiments import compare
from offloadsim.policies import Plan, register_policy

@register_policy("cell")
class Cell:
    '''Run every task on its source.'''

    def decide(self, task, view):
        return Plan.run_on(task.source)

result = compare("tiny.yaml", ["edge", "cell"], replications=2, workers=2)
mine = result.tasks[result.tasks.policy == "cell"]
print(len(mine) > 0 and bool((mine.placement.astype(str) == mine.source.astype(str)).all()))
"""


def _run_session(tmp_path: Path, code: str) -> subprocess.CompletedProcess[str]:
    """``code`` run as a notebook's cells are: in a ``__main__`` with no file to import again."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )


def test_a_policy_defined_in_a_notebook_reaches_the_workers(tiny, tmp_path):
    """A notebook's __main__ has no file: every worker died unpickling the class, the pool broke."""
    pytest.importorskip("cloudpickle")
    result = _run_session(tmp_path, SESSION)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "True"


def test_without_cloudpickle_a_notebooks_policy_is_refused_naming_it(tiny, tmp_path):
    result = _run_session(tmp_path, "import sys\nsys.modules['cloudpickle'] = None\n" + SESSION)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.endswith(
        'policy "cell" (registered in this process, in __main__) cannot be handed to the worker processes: '
        "it is defined in this interactive session, which the worker processes cannot import, and "
        "cloudpickle, which would "
        "carry it, is not installed (pip install 'offloadsim[distributed]'); define it at the top level "
        'of a module (above the `if __name__ == "__main__":` guard), or pass workers=1 to run the jobs '
        "in this process"
    ), result.stderr[-2000:]


WARNING_KIND = """
from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.analysis.warning_registry import WarningKind, register


def detect(inputs):
    return [("mine: a warning of the script's own", WarningFacts("mine"))]


if __name__ == "__main__":
    register(WarningKind(name="mine", detect=detect, legend="the script's own"))
    result = compare("tiny.yaml", ["edge", "local"], replications=2, workers=2)
    print(sorted({row["warning"] for row in result.manifest["run_warnings"]}))
"""


def test_a_warning_kind_registered_under_the_guard_reaches_the_workers(tiny, tmp_path):
    # A worker imports the script again but runs none of the guarded code: the kind was not
    # registered there, and the runs of two workers had none of its warnings.
    result = _run_script(tmp_path, WARNING_KIND)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "mine: a warning of the script's own" in result.stdout.strip().splitlines()[-1]


KIND_UNDER_THE_GUARD = """
from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.analysis.warning_registry import WarningKind, register

if __name__ == "__main__":

    def detect(inputs):
        return [("mine: a warning of the script's own", WarningFacts("mine"))]

    register(WarningKind(name="mine", detect=detect, legend="the script's own"))
    compare("tiny.yaml", ["edge", "local"], replications=2, workers=2)
"""


def test_a_warning_kinds_function_defined_under_the_guard_is_refused_naming_it(tiny, tmp_path):
    body = KIND_UNDER_THE_GUARD
    result = _run_script(tmp_path, body)
    assert result.returncode == 1
    said = result.stderr.strip().splitlines()[-1]
    assert "warning kind 'mine' (detect) (__main__.detect) is defined under the" in said, result.stderr[
        -2000:
    ]


def _on_dask(body: str, scenario: str) -> str:
    """``body`` with its two-worker comparison of ``scenario`` run on a local Dask cluster instead."""
    return body.replace(
        f'    result = compare("{scenario}", ["edge", "local"], replications=2, workers=2)',
        f"""    import distributed

    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
    ) as cluster:
        address = cluster.scheduler_address
        result = compare("{scenario}", ["edge", "local"], replications=2, scheduler=address)""",
    )


WARNING_KIND_ON_DASK = _on_dask(WARNING_KIND, "tiny.yaml")


def test_a_warning_kind_registered_under_the_guard_reaches_dask_workers(tiny, tmp_path):
    """A Dask worker never imports the script: each job brings the kind (by value, with cloudpickle)."""
    pytest.importorskip("distributed")
    assert "scheduler=address" in WARNING_KIND_ON_DASK
    result = _run_script(tmp_path, WARNING_KIND_ON_DASK)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "mine: a warning of the script's own" in result.stdout.strip().splitlines()[-1]


PLUGINS_OF_THE_SCRIPT = """
from pathlib import Path

from offloadsim.engine.network import FlowNetwork
from offloadsim.scenario.arrivals.base import register_arrival_process
from offloadsim.scenario.arrivals.poisson import Poisson
from offloadsim.scenario.link_models import register_link_model


class Mine(Poisson):
    kind = "mine"


def my_links(env, capacity_bps):
    return FlowNetwork(env, capacity_bps)


if __name__ == "__main__":
    register_arrival_process(Mine)
    register_link_model("my-links", my_links)
    text = Path("tiny.yaml").read_text().replace("arrivals: poisson", "arrivals: mine")
    Path("mine.yaml").write_text(text + "network: {model: my-links}\\n")
    result = compare("mine.yaml", ["edge", "local"], replications=2, workers=2)
    print(len(result.tasks), sorted(set(result.metrics.policy)))
"""


def test_an_arrival_process_and_a_link_model_registered_under_the_guard_reach_the_workers(tiny, tmp_path):
    # Each worker found "arrivals: mine" and "network.model: my-links" unknown: every job failed.
    result = _run_script(tmp_path, PLUGINS_OF_THE_SCRIPT)
    assert result.returncode == 0, result.stderr[-2000:]
    count, policies = result.stdout.strip().splitlines()[-1].split(" ", 1)
    assert int(count) > 0 and policies == "['edge', 'local']"


def test_a_link_model_defined_under_the_guard_is_refused_naming_it(tiny, tmp_path):
    body = PLUGINS_OF_THE_SCRIPT.replace(
        "\n\ndef my_links(env, capacity_bps):\n    return FlowNetwork(env, capacity_bps)\n", ""
    ).replace(
        'if __name__ == "__main__":\n',
        'if __name__ == "__main__":\n\n    def my_links(env, capacity_bps):\n'
        "        return FlowNetwork(env, capacity_bps)\n\n",
    )
    result = _run_script(tmp_path, body)
    assert result.returncode == 1
    said = result.stderr.strip().splitlines()[-1]
    assert "link model 'my-links' (__main__.my_links) is defined under the" in said, result.stderr[-2000:]


def test_an_arrival_process_and_a_link_model_registered_under_the_guard_reach_dask_workers(tiny, tmp_path):
    """A Dask worker never imports the script: each job brings them (by value, with cloudpickle)."""
    pytest.importorskip("distributed")
    body = _on_dask(PLUGINS_OF_THE_SCRIPT, "mine.yaml")
    assert "scheduler=address" in body
    result = _run_script(tmp_path, body)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1].endswith("['edge', 'local']")


BOOM = """
import sys
from dataclasses import dataclass

from offloadsim.policies import Plan, register_policy


@dataclass
class Boom:
    \"\"\"Raises on its first task.\"\"\"

    def decide(self, task, view):
        raise ValueError("my bug")


if __name__ == "__main__":
    register_policy("boom")(Boom)
    try:
        compare("tiny.yaml", ["boom", "local"], replications=2, workers=int(sys.argv[1]))
    except RuntimeError as error:
        print(error)
"""


def test_a_script_policys_fault_is_named_alike_on_one_worker_and_on_two(tiny, tmp_path):
    """A worker imports the script as ``__mp_main__``: the fault named ``__mp_main__.Boom`` there,
    ``__main__.Boom`` on one worker, though the student's class was the same."""
    script = tmp_path / "experiment.py"
    script.write_text("from offloadsim.experiments import compare\n\n" + BOOM)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    said = [
        subprocess.run(
            [sys.executable, str(script), workers],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        ).stdout
        for workers in ("1", "2")
    ]
    assert said[0].startswith('policy "boom" (__main__.Boom) raised ValueError in decide()'), said
    assert said[1] == said[0]
