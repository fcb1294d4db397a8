"""A run-time registration whose module this process could import but a worker cannot.

A script that loads its plug-in module from a file (``importlib``, a path not on ``sys.path``) and
registers a policy or a warning kind from it hands the entry to the workers by name: each worker
died importing the module, a traceback each, and the pool said only that a worker died.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

MODULE = '''
from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.policies import Plan


class Far:
    """Run every task on its source."""

    def decide(self, task, view):
        return Plan.run_on(task.source)


def detect(inputs):
    return [("far: a warning of the module's own", WarningFacts("far"))]
'''

SCRIPT = """
import importlib.util
import sys

from offloadsim.experiments import compare

if __name__ == "__main__":
    spec = importlib.util.spec_from_file_location("far_plugins", "elsewhere/far_plugins.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["far_plugins"] = module
    spec.loader.exec_module(module)
    REGISTER
    compare("tiny.yaml", POLICIES, replications=2, workers=2).write("out")
"""

REGISTRATIONS = {
    "policy": (
        'from offloadsim.policies import register_policy; register_policy("far")(module.Far)',
        '["edge", "far"]',
        'policy "far"',
    ),
    "warning-kind": (
        "from offloadsim.analysis.warning_registry import WarningKind, register; "
        'register(WarningKind(name="far", detect=module.detect, legend="the module\'s own"))',
        '["edge", "local"]',
        "warning kind 'far'",
    ),
}


ON_DASK = """import distributed

    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
    ) as cluster:
        compare("tiny.yaml", POLICIES, replications=2, scheduler=cluster.scheduler_address).write("out")"""


def _script(kind: str, dask: bool) -> str:
    register, policies, _ = REGISTRATIONS[kind]
    text = (
        SCRIPT.replace('compare("tiny.yaml", POLICIES, replications=2, workers=2).write("out")', ON_DASK)
        if dask
        else SCRIPT
    )
    return text.replace("REGISTER", register).replace("POLICIES", policies)


@pytest.mark.parametrize("dask", [False, True], ids=["pool", "dask"])
@pytest.mark.parametrize("kind", list(REGISTRATIONS))
def test_an_entry_whose_module_a_worker_cannot_import_is_named_in_one_line(tiny, tmp_path, kind, dask):
    if dask:
        pytest.importorskip("distributed")
    named = REGISTRATIONS[kind][2]
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "far_plugins.py").write_text(MODULE, encoding="utf-8")
    script = tmp_path / "experiment.py"
    script.write_text(_script(kind, dask), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 1, result.stderr[-2000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("offloadsim.records.stored.ExperimentError: "), result.stderr[-3000:]
    assert named in last and "module far_plugins" in last, last
    assert ("Dask workers" if dask else "workers=1") in last, last
    assert "a worker process died" not in result.stderr and "BrokenProcessPool" not in result.stderr
    if not dask:  # a local cluster's worker logs its job's failure here too; a real one, on its machine
        assert result.stderr.count("Traceback") == 1  # the script's own, ending in that line: no worker's
    assert not (tmp_path / "out").exists()
