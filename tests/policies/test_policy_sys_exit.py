"""A plug-in that calls ``sys.exit()`` is said as its failure, in one line (exit 2), not obeyed.

``sys.exit("install torch first")`` is how a script stops; in a plug-in's module or method it
ended every command with the plug-in's status and no word of offloadsim's: a module calling it
as it was imported ended even ``offloadsim policies`` (status 3, after one warning of another
plug-in), a ``decide`` calling ``sys.exit(4)`` ended ``run`` with status 4 and nothing said, and a
constructor's ``sys.exit("no GPU here")`` printed its text alone, with status 1 (a bug's).
"""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

import pytest

import offloadsim
from offloadsim.cli import main
from offloadsim.engine.policy_faults import PolicyFailed
from offloadsim.policies import ENTRY_POINT_GROUP, register_policy

pytestmark = pytest.mark.usefixtures("fresh_registry")

PLUGIN = '''
"""A third-party package's policies, each ending the process its own way."""

import sys


class ExitInDecide:
    def decide(self, task, view):
        sys.exit(4)


class ExitInInit:
    def __init__(self):
        sys.exit("no GPU here")

    def decide(self, task, view):
        return None


class ExitInRequirements:
    def requirements(self):
        sys.exit(5)

    def decide(self, task, view):
        return None
'''
EXITS_ON_IMPORT = "import sys\n\nsys.exit(3)  # \"needs a GPU\": a script's way, not a plug-in's\n"
ENTRIES = {
    "exit-decide": "exit_policies:ExitInDecide",
    "exit-init": "exit_policies:ExitInInit",
    "exit-requirements": "exit_policies:ExitInRequirements",
    "exit-import": "exit_on_import:Policy",
}


def _install(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Install the plug-ins as pip would: their modules and their distribution's entry points."""
    site.mkdir()
    (site / "exit_policies.py").write_text(textwrap.dedent(PLUGIN))
    (site / "exit_on_import.py").write_text(EXITS_ON_IMPORT)
    info = site / "exit_policies-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: exit-policies\nVersion: 0.1\n")
    lines = "".join(f"{name} = {target}\n" for name, target in ENTRIES.items())
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{lines}")
    monkeypatch.syspath_prepend(str(site))
    for module in ("exit_policies", "exit_on_import"):
        monkeypatch.delitem(sys.modules, module, raising=False)


def _line(text: str) -> int:
    """The line of the plug-in's module where ``text`` is."""
    return next(i for i, line in enumerate(textwrap.dedent(PLUGIN).splitlines(), 1) if text in line)


@pytest.fixture
def installed(tmp_path, monkeypatch):
    _install(tmp_path / "site", monkeypatch)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "site"))  # compare's workers find them too


def test_a_module_that_exits_as_it_is_imported_is_a_skipped_plugin(installed, capsys):
    assert main(["policies"]) == 0
    out, err = capsys.readouterr()
    assert "neurosurgeon" in out and "exit-decide" in out and "exit-import" not in out
    assert (
        "offloadsim: warning: could not load policy plug-in 'exit-import' (exit_on_import:Policy) from "
        "distribution exit-policies 0.1; it is skipped: SystemExit: 3"
    ) in err.splitlines()


@pytest.mark.parametrize(
    ("policy", "said"),
    [
        (
            "exit-decide",
            r'policy "exit-decide" \(exit_policies\.ExitInDecide\) raised SystemExit in decide\(\) '
            rf"at simulated time [0-9.]+ s: 4 \(exit_policies\.py, line {_line('sys.exit(4)')}, in decide\); "
            r"run again with --debug to see its traceback",
        ),
        (
            "exit-init",
            r'.*tiny\.yaml: --policy exit-init: policy "exit-init" \(exit_policies\.ExitInInit\) raised '
            rf"SystemExit while it was built: no GPU here \(exit_policies\.py, line {_line('no GPU')}, "
            r"in __init__\)",
        ),
        (
            "exit-requirements",
            rf"a plug-in's code called sys\.exit\(5\) \(exit_policies\.py, line {_line('sys.exit(5)')}, "
            r"in requirements\), which would end offloadsim without a word; a plug-in says what went wrong "
            r"by raising an exception",
        ),
    ],
)
def test_run_says_a_plugins_sys_exit_in_one_line_and_writes_nothing(
    installed, tiny_scenario, tmp_path, capsys, policy, said
):
    out = tmp_path / "out"
    assert main(["run", str(tiny_scenario), "--policy", policy, "--out", str(out), "--quiet"]) == 2
    lines = capsys.readouterr().err.splitlines()
    (line,) = (
        line for line in lines if "exit-import" not in line
    )  # the warning of the skipped plug-in aside
    assert re.fullmatch("offloadsim: error: " + said, line), line
    assert not out.exists()


def test_compare_says_it_the_same_way_from_its_worker_processes(installed, tiny_scenario, tmp_path, capsys):
    out = tmp_path / "cmp"
    argv = ["compare", str(tiny_scenario), "--policies", "edge,exit-decide", "-n", "2", "--out", str(out)]
    assert main([*argv, "--workers", "2", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert (
        'offloadsim: error: policy "exit-decide" (exit_policies.ExitInDecide) raised SystemExit in decide()'
        in err
    )
    assert not out.exists()


class ExitsHere:
    def decide(self, task, view):
        sys.exit("stop")


def test_from_python_it_is_the_policys_failure_not_the_end_of_the_interpreter(tiny_scenario):
    register_policy("exits-here")(ExitsHere)
    with pytest.raises(
        PolicyFailed, match=r"raised SystemExit in decide\(\) at simulated time [0-9.]+ s: stop"
    ):
        offloadsim.run(tiny_scenario, policy="exits-here")
