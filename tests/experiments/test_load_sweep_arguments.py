"""load_sweep from Python given what is no path: one line naming it, not the file reader's TypeError."""

import pytest

from offloadsim.experiments import load_sweep


@pytest.mark.parametrize("path", [3, None])
def test_load_sweep_given_no_path_says_so(path):
    """load_sweep(3) ended in a TypeError from the file reader."""
    from offloadsim.scenario.errors import ScenarioError

    with pytest.raises(
        ScenarioError, match=rf"<sweep>: expected a sweep file's path, got {type(path).__name__}"
    ):
        load_sweep(path)
