"""The figure tests' wording of messages, and the runs several of their files draw (built once a worker)."""

from __future__ import annotations

import pytest
from figure_helpers import speeds_sweep, swept

from offloadsim.errors import as_flags
from offloadsim.experiments import compare, read_results

#: The tests that read messages as a Python caller of plot_results has them (``where=``).
PYTHON_WORDING = {"test_plot_results_names_its_arguments_as_python_has_them"}


@pytest.fixture(autouse=True)
def command_line_wording(request):
    """The messages these tests read name ``plot``'s flags (``--where``), as the command line has them.

    ``plot_results`` called from Python names its keyword arguments instead (``where=``): the tests
    in ``PYTHON_WORDING`` read those.
    """
    if request.node.name in PYTHON_WORDING:
        yield
        return
    with as_flags():
        yield


@pytest.fixture(scope="session")
def compare_results(tmp_path_factory):
    from experiment_data import TINY

    folder = tmp_path_factory.mktemp("plots-compare")
    (folder / "tiny.yaml").write_text(TINY, encoding="utf-8")
    compare(folder / "tiny.yaml", ["local", "edge"], 2, workers=1, out=folder / "cmp")
    return read_results(folder / "cmp")


@pytest.fixture(scope="session")
def two_apps(tmp_path_factory):
    """A Neurosurgeon sweep with two applications and two objectives (the shape of sweep-neurosurgeon)."""
    from experiment_data import SWEEP_TWO_APPS, TWO_APPS

    return swept(tmp_path_factory, "plots-two-apps", "two.yaml", TWO_APPS, SWEEP_TWO_APPS)


@pytest.fixture(scope="session")
def speed_sweep(tmp_path_factory):
    return speeds_sweep(
        tmp_path_factory.mktemp("speeds"),
        "grid:\n  nodes.phone.processor.speed: [10 GFLOP/s, 40 GFLOP/s]\n"
        "  links[0].bandwidth: [5 Mbps, 50 Mbps]\npolicies: [local, edge]\n",
    )


@pytest.fixture(scope="session")
def radio_sweep(tmp_path_factory):
    from experiment_data import RADIO, SWEEP_RADIO

    return swept(tmp_path_factory, "plots-radio", "radio.yaml", RADIO, SWEEP_RADIO)
