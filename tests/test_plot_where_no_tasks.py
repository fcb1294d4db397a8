"""``plot --where`` on a sweep whose runs had no task: a value no run has is refused, as with tasks.

The values were checked against the task records only; where none arrived (runs too short for a
rare request), ``--where 'links[0].bandwidth=nope'`` drew an empty figure titled "bandwidth = nope"
at exit 0, on a zipped key as on any other.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from tiny_scenarios import phone_edge

from offloadsim.experiments import ExperimentError, read_results, sweep
from offloadsim.plots import plot_results

BASE = phone_edge("name: quiet\nseed: 1\nduration: 2 s\n", rate="0.001 /s")

SWEEP = """
name: quiet-sweep
base: base.yaml
zip:
  links[0].bandwidth: [1 Mbps, 10 Mbps]
  links[0].latency: [50 ms, 5 ms]
replications: 1
"""


@pytest.fixture(scope="module")
def quiet(tmp_path_factory) -> Path:
    here = tmp_path_factory.mktemp("quiet")
    (here / "base.yaml").write_text(BASE)
    (here / "sweep.yaml").write_text(SWEEP)
    sweep(here / "sweep.yaml", out=here / "out", workers=1)
    assert len(pd.read_parquet(here / "out" / "tasks.parquet")) == 0
    return here / "out"


@pytest.mark.parametrize(
    ("where", "said"),
    [
        (
            {"links[0].bandwidth": "nope"},
            "no rows have that value; links[0].bandwidth is one of 1 Mbps, 10 Mbps",
        ),
        (
            {"links[0].latency": "5 ms", "links[0].bandwidth": "1 Mbps"},
            "no rows have all of these; where links[0].latency=5 ms, links[0].bandwidth is one of 10 Mbps",
        ),
    ],
)
def test_where_a_value_no_run_has_is_refused_without_tasks(quiet, where, said):
    with pytest.raises(ExperimentError, match=re.escape(said)):
        plot_results(read_results(quiet), "sweep", where=where)


def test_the_command_line_says_it_in_one_line_and_draws_nothing(quiet, tmp_path):
    figure = ["--kind", "sweep", "--where", "links[0].bandwidth=nope", "--out", str(tmp_path / "f")]
    done = subprocess.run(
        [sys.executable, "-m", "offloadsim", "plot", str(quiet), *figure],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        "offloadsim: error: --where links[0].bandwidth=nope: no rows have that value; "
        "links[0].bandwidth is one of 1 Mbps, 10 Mbps\n"
    )
    assert not list(tmp_path.iterdir())


def test_a_value_the_runs_have_still_draws(quiet):
    figure = plot_results(read_results(quiet), "sweep", where={"links[0].latency": "5 ms"})
    assert figure.axes
