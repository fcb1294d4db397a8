"""compare(replications=...) that is no whole number says so, naming the argument.

``replications=2.0`` or ``"2"`` was told "replications must be at least 1, got 2.0": a message a
value of 2 contradicts.
"""

from pathlib import Path

import pytest

from offloadsim.experiments import ExperimentError, compare

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("replications", [2.0, "2", 0, -1, True])
def test_compare_given_replications_no_whole_number_says_so(replications):
    with pytest.raises(ExperimentError, match=r"^replications: expected a whole number of at least 1, got "):
        compare(REPO / "scenarios" / "quickstart.yaml", ["local"], replications, workers=1)
