"""queueing_table.py refuses a selection that prints no row, rather than an empty table.

A reviewer re-running docs/validation.md section 1 asked for the Gilbert–Elliott line under
another seed (``--seed 2 --only Gilbert``) and for the M/M/8 row (``--only M/M/8``): both
printed the table's header and nothing else, exit 0, which reads as "no check to run" (the
link check has a seed of its own, the M/M/8 check runs with ``--slow`` only). A typo in
``--only`` did the same. These refusals run no simulation.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "tests" / "validation" / "queueing_table.py"


def _table(*argv: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    return subprocess.run(
        [sys.executable, str(SCRIPT), *argv], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--only", "M/M/2"], "names no check; the checks: M/M/1, ρ = 0.8"),
        (["--only", "M/M/8"], "(the long ones run with --slow): M/M/8, ρ = 0.9"),
        (
            ["--seed", "2", "--only", "Gilbert"],
            "the Gilbert–Elliott link check's seed is --link-seed (the tests': 5), not --seed",
        ),
    ],
    ids=["no-match", "slow-only", "link-under-seed"],
)
def test_a_selection_of_no_row_is_refused_with_the_reason(argv, said):
    proc = _table(*argv)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert proc.stdout == ""  # no header of an empty table
    assert said in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "argv", [["--seed", "-1"], ["--only", "Gilbert", "--link-seed", "-3"], ["--seed", "x"]]
)
def test_a_seed_below_zero_is_refused_with_the_reason(argv):
    """A negative root seed ran the first check and then stopped with numpy's traceback, exit 1."""
    proc = _table(*argv)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert proc.stdout == "" and "Traceback" not in proc.stderr
    assert f"expected a whole number of 0 or more, got '{argv[-1]}'" in proc.stderr


def test_the_link_check_runs_under_the_seed_it_is_given():
    """--link-seed draws other replications: the same check, not the tests' numbers again."""
    from test_link_dynamics import LINK_SEED, gilbert_elliott_samples

    _, tests_capacity, _ = gilbert_elliott_samples(100, 2)
    _, other_capacity, _ = gilbert_elliott_samples(100, 2, LINK_SEED + 1)
    assert tests_capacity == gilbert_elliott_samples(100, 2, LINK_SEED)[1]
    assert other_capacity != tests_capacity


def test_a_simulated_mean_is_written_to_the_decimals_its_interval_knows():
    """The tables wrote ``3.9912 ± 0.2070``: two digits the 99 % interval does not know.

    Now as compare's table writes a mean: the half-width to two significant digits, the mean to
    its decimals (the ciw table's too, which imports this).
    """
    from queueing_table import with_ci

    assert with_ci(3.9912, 0.2070) == "3.99 ± 0.21"
    assert with_ci(0.8792, 0.0206) == "0.879 ± 0.021"
    assert with_ci(18.372, 1.173) == "18.4 ± 1.2"
