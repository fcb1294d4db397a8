"""A run-time registration a worker can rebuild but whose registry there refuses it, said in one line.

A script imports a package whose import registers an entry ``far`` of its own, and replaces it with
its own under that name. A worker rebuilding the script's entry imports the package, which
registers its ``far`` again there: registering the script's warning kind then raised in the
worker's start, every worker died and the pool said only that a worker died; the script's policy
was dropped for the package's, silently (other code than the command's ran). Both are now one line
naming the script's entry and the worker's own; one the package's import registers as the script's
(the same class) is no clash and runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

MODULE = '''
from offloadsim.policies import Plan, register_policy


@register_policy("far")
class Far:
    """Run every task on its source."""

    def decide(self, task, view):
        return Plan.run_on(task.source)


class Tuned(Far):
    """Far, as the script tunes it."""
'''

KINDS = """
from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.analysis.warning_registry import WarningKind, register


def detect(inputs):
    return [("far: the package's warning", WarningFacts("far"))]


def tuned(inputs):
    return [("far: the script's warning", WarningFacts("far"))]


register(WarningKind(name="far", detect=detect, legend="the package's own"))
"""

#: Each registry's replacement of the package's entry by the script's, and the line naming it.
REPLACED = {
    "policy": (
        'unregister_policy("far")\n    register_policy("far")(far_plugins.Tuned)',
        'policy "far" (registered in this process, far_plugins.Tuned) cannot be registered in the worker '
        "processes: they have one of their own under that name (far_plugins.Far, registered there by an "
        "import) and would run it instead",
    ),
    "warning-kind": (
        "import far_kinds\n    from offloadsim.analysis import warning_registry as kinds\n    "
        'kinds.unregister("far")\n    kinds.register(kinds.WarningKind("far", far_kinds.tuned, legend="x"))',
        "warning kind 'far' (registered in this process, far_kinds.tuned) cannot be registered in the worker "
        "processes: they have one of their own under that name (far_kinds.detect, registered there by an "
        "import) and would run it instead",
    ),
}

SCRIPT = """
from offloadsim.experiments import compare
from offloadsim.policies import register_policy
from offloadsim.policies.registry import unregister_policy

if __name__ == "__main__":
    import far_plugins

    REGISTER
    compare("tiny.yaml", ["edge", "far"], replications=2, DISPATCH).write("out")
    print("written")
"""

ON_DASK = """scheduler=cluster.scheduler_address"""

CLUSTER = """import distributed

    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
    ) as cluster:
        compare"""


def _run(tmp_path: Path, register: str, dask: bool) -> subprocess.CompletedProcess[str]:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "far_plugins.py").write_text(MODULE, encoding="utf-8")
    (tmp_path / "site" / "far_kinds.py").write_text(KINDS, encoding="utf-8")
    text = SCRIPT.replace("REGISTER", register)
    if dask:
        text = text.replace("    compare", "    " + CLUSTER, 1).replace("DISPATCH", ON_DASK)
        text = text.replace('    print("written")', '        print("written")')
    else:
        text = text.replace("DISPATCH", "workers=2")
    script = tmp_path / "experiment.py"
    script.write_text(text, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path / "site")])}
    return subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize("dask", [False, True], ids=["pool", "dask"])
@pytest.mark.parametrize("what", list(REPLACED))
def test_an_entry_the_workers_registry_refuses_is_named_in_one_line(tiny, tmp_path, what, dask):
    if dask:
        pytest.importorskip("distributed")
    register, named = REPLACED[what]
    result = _run(tmp_path, register, dask)
    assert result.returncode == 1, result.stderr[-2000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("offloadsim.records.stored.ExperimentError: "), result.stderr[-3000:]
    said = last.split(": ", 1)[1]
    assert said.startswith(named), said
    assert said.endswith(
        "; leave out scheduler to run the jobs on this machine"
        if dask
        else "; run the jobs in this process (workers=1)"
    ), said
    assert "importable" not in said and "install its module" not in said  # its module imports there
    assert "a worker process died" not in result.stderr and "BrokenProcessPool" not in result.stderr
    if not dask:  # a local cluster's worker logs its job's failure here too
        assert result.stderr.count("Traceback") == 1  # the script's own, ending in that line: no worker's
    assert not (tmp_path / "out").exists()


def test_an_entry_its_modules_import_registers_again_in_the_worker_runs(tiny, tmp_path):
    """The package's own ``far``, carried: the worker's import of the package registers that same class."""
    result = _run(tmp_path, "pass  # far_plugins registered its Far on import", dask=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "written"
    assert (tmp_path / "out" / "summary.csv").is_file()
