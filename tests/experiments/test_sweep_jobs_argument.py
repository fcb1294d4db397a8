"""sweep(jobs=...) given no Jobs: one line naming the argument, before any job runs or any folder is made.

A string (its characters) or a list of ints ended deep in the merge: "AttributeError: 'str' object
has no attribute 'key'".
"""

from pathlib import Path

import pytest

from offloadsim.experiments import ExperimentError, sweep

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("jobs", ["x", [1], 3, [None]])
def test_sweep_given_jobs_that_are_no_jobs_says_so(jobs, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(
        ExperimentError, match=r"^jobs: expected the Jobs plan_sweep planned of this sweep, got "
    ):
        sweep(REPO / "scenarios" / "sweep-bandwidth.yaml", out=out, workers=1, jobs=jobs)
    assert not out.exists()
