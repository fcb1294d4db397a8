"""A plug-in's messages say what is there to see: no traceback promised where none exists.

Under ``compare``'s worker processes, a plug-in metric returning text said "run again with --debug
to see its traceback" (the pool gives every error a cause: its own traceback text), where there was
no exception to show; and an entry point whose value is malformed (``pmod:``) was skipped with
"AttributeError: 'NoneType' object has no attribute 'group'", naming neither it nor its value.
"""

from __future__ import annotations

import sys
import warnings
from importlib import metadata
from pathlib import Path

import pytest
from toy_distributions import install_distribution, site_on_path

from offloadsim import plugins
from offloadsim.analysis import metric_list
from offloadsim.analysis.metric_registry import registered, unregister
from offloadsim.cli import main

TOY = """
from offloadsim.analysis.metric_display import Metric
from offloadsim.analysis.metric_registry import SummaryMetric


def _text(run):
    return "abc"


def _raising(run):
    raise KeyError("final_nod")


TEXT = SummaryMetric("toy_text", "a toy", {"toy_text": Metric("toy", "")}, compute=_text)
RAISING = SummaryMetric("toy_raise", "a toy", {"toy_raise": Metric("toy", "")}, compute=_raising)
"""


def _forget() -> None:
    for name in ("toy_text", "toy_raise"):
        if any(metric.name == name for metric in registered()):
            unregister(name)
    metric_list.PLUGINS.forget()
    sys.modules.pop("toy_bad_metrics", None)


@pytest.fixture
def install(tmp_path, monkeypatch):
    """A distribution declaring ``metric`` on sys.path and PYTHONPATH: worker processes load it too."""
    site = site_on_path(tmp_path, monkeypatch)

    def install(metric: str) -> None:
        install_distribution(site, "toy_bad_metrics", TOY, f"[offloadsim.metrics]\n{metric}\n")

    _forget()
    yield install
    _forget()


def _compare(scenario: Path, out: Path, workers: str) -> None:
    argv = ["compare", str(scenario), "--policies", "local,edge", "--workers", workers, "-q"]
    assert main([*argv, "--out", str(out)]) == 2


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_metric_s_wrong_result_under_compare_promises_no_traceback(
    workers, install, tiny_scenario, tmp_path, capsys
):
    install("toy_text = toy_bad_metrics:TEXT")
    _compare(tiny_scenario, tmp_path / "c", workers)
    line = capsys.readouterr().err.strip()
    assert 'run metric "toy_text"' in line and 'returned str "abc" from compute()' in line, line
    assert "--debug" not in line and "\n" not in line, line


def test_a_metric_that_raises_under_compare_still_offers_its_traceback(
    install, tiny_scenario, tmp_path, capsys
):
    install("toy_raise = toy_bad_metrics:RAISING")
    _compare(tiny_scenario, tmp_path / "c", "2")
    line = capsys.readouterr().err.strip()
    assert "KeyError" in line and line.endswith("run again with --debug to see its traceback"), line


def test_a_malformed_entry_point_value_is_named(monkeypatch):
    found = metadata.EntryPoints([metadata.EntryPoint("toy", "pmod:", "offloadsim.toy_malformed")])
    monkeypatch.setattr(plugins, "entry_points", lambda group: found)
    monkeypatch.setattr(plugins, "GROUPS", dict(plugins.GROUPS))
    group = plugins.EntryPointGroup("offloadsim.toy_malformed", "toy", lambda *_: None)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        group.load()
    [warning] = [str(w.message) for w in said]
    assert "NoneType" not in warning, warning
    assert "entry point 'toy' of group offloadsim.toy_malformed has a malformed value 'pmod:'" in warning
    assert "expected 'module' or 'module:attribute'" in warning
    assert "malformed value 'pmod:'" in (group.failure("toy") or "")
