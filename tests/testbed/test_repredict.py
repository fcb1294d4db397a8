"""Kept testbed runs predicted again under another link model, without the testbed (no root needed)."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest
import yaml

from offloadsim import api
from offloadsim.cli import main
from offloadsim.models import get_model
from offloadsim.testbed import campaign, compare, scenario
from offloadsim.testbed.experiment import FlowsConfig, InferenceConfig
from offloadsim.testbed.split import resolve_split

WIFI = 18.88e6
# Two requests 3 ms apart from one device: their uploads overlap on the shaped link.
ARRIVALS = [[0.5, 0.503]]


def _scenario(directory, document, arrivals):
    """A kept run's scenario and its arrival trace."""
    directory.mkdir(parents=True)
    (directory / "arrivals.csv").write_text(scenario.trace_csv(arrivals))
    (directory / "scenario.yaml").write_text(yaml.safe_dump(document, sort_keys=False))


def _results(directory, kind, measured, row):
    """The rest of a kept run as the testbed leaves one: measurements, summary, manifest."""
    measured.to_csv(directory / "measured.csv", index=False)
    (directory / "manifest.json").write_text(json.dumps({"format": "offloadsim-testbed/1", "kind": kind}))
    (directory / "summary.json").write_text(json.dumps(row))


def _files(directory):
    return {
        p.relative_to(directory): hashlib.sha256(p.read_bytes()).hexdigest() for p in directory.rglob("*")
    }


def _inference_run(results):
    """A kept alexnet middle-cut Poisson run over Wi-Fi, predicted with max-min, silently (an old run).

    Its measurements are what a FIFO link does: the simulator's own fifo prediction stands for them.
    """
    graph = get_model("alexnet")
    k = resolve_split(graph, "middle")
    common = dict(name="t", label="alexnet", k=k, layers=len(graph), devices=1, rate_bps=WIFI, latency_s=0.0,
                  profile="epyc-ort-1t", seed=0)  # fmt: skip
    document = scenario.inference_scenario(**common, duration_s=10.0, trace="arrivals.csv")
    del document["network"]  # written before the testbed recorded its link model
    run = results / "alexnet-middle-Wi-Fi-poisson" / "rep0"
    _scenario(run, document, ARRIVALS)
    fifo = compare.predicted_requests(
        api.run(run / "scenario.yaml", overrides=["network.model=fifo"], stages=True)
    )
    measured = fifo.assign(device_cpu=fifo["device_compute"], edge_cpu=fifo["edge_compute"])
    shared = compare.predicted_requests(api.run(run / "scenario.yaml", stages=True))
    config = {"model": "alexnet", "split": "middle", "k": k, "layers": len(graph), "rate_mbps": WIFI / 1e6,
              "devices": 1, "pattern": "poisson"}  # fmt: skip
    _results(run, "inference", measured, compare.inference_summary(config, measured, shared))
    costs = scenario.predicted_costs(scenario.inference_scenario(**common, duration_s=1.0, think_s=0.0), k)
    return run, costs


CAMPAIGN = ["testbed", "campaign", "--tables-only", "--no-flows", "--models", "alexnet", "--splits", "middle",
            "--links", "Wi-Fi", "--patterns", "poisson", "--repetitions", "1"]  # fmt: skip


def test_tables_only_re_predicts_kept_runs_under_fifo_and_leaves_them_as_they_were(tmp_path, capsys):
    results = tmp_path / "results"
    run, costs = _inference_run(results)
    argv = [*CAMPAIGN, "--results", str(results)]
    assert main(argv) == 0
    shared = pd.read_csv(results / "validation.csv").iloc[0]
    kept, validation = _files(run), (results / "validation.csv").read_bytes()

    assert main([*argv, "--link-model", "fifo"]) == 0
    out = capsys.readouterr().out
    assert "predicted with the fifo link model" in out and "validation-fifo.csv" in out
    assert _files(run) == kept  # nothing written in the kept run: summary.json and all
    assert (results / "validation.csv").read_bytes() == validation
    assert (results / "testbed_validation-fifo.png").exists()
    fifo = pd.read_csv(results / "validation-fifo.csv").iloc[0]
    # By hand: device compute d each (one core: the second waits for the first), uploads u alone, edge e,
    # download v. FIFO: the first uploads over [d, d + u], the second from d + u to d + 2u (2d < d + u),
    # so the latencies are d + u + e + v and d + 2u + e + v - 3 ms; the median of two is their mean.
    d, u, e, v = costs.device_s, costs.upload_s, costs.edge_s, costs.download_s
    assert 2 * d < d + u and e < u  # the case computed
    assert fifo["predicted_ms"] == pytest.approx(1e3 * (d + 1.5 * u + e + v - 0.0015), abs=2e-3)
    assert fifo["error_pct"] == pytest.approx(0.0, abs=1e-2)  # the run measured a FIFO link
    assert shared["predicted_ms"] > fifo["predicted_ms"] and shared["error_pct"] > 5
    assert fifo["measured_ms"] == shared["measured_ms"]
    runs = pd.read_csv(results / "runs-fifo.csv")
    assert list(runs["link_model"]) == ["fifo"]


FLOWS = [[0.0, 1.0], [0.0, 1.0]]  # two devices, two rounds, started together


def test_kept_flows_runs_are_re_predicted_by_hand_computation(tmp_path):
    # 100 kB each at 8 Mbps (1 MB/s): 0.1 s alone. Max-min: both 0.2 s; fifo: 0.1 s, then 0.2 s.
    document = scenario.flows_scenario(name="f", size_bytes=100e3, devices=2, rate_bps=8e6, latency_s=0.0,
                                       seed=0, duration_s=3.0, trace="arrivals.csv")  # fmt: skip
    measured = pd.DataFrame(
        {"device": ["device-0", "device-1"] * 2, "round": [0, 0, 1, 1], "start": [0.0, 0.0, 1.0, 1.0],
         "fct": [0.1, 0.2, 0.1, 0.2], "bytes": 100e3, "rate_bps": [8e6, 4e6, 8e6, 4e6]}
    )  # fmt: skip
    plan = campaign.flows_grid([2], [campaign.LINKS[1]], size_bytes=100e3, staggers=[0.0], rounds=2)[0]
    run = tmp_path / plan.id / "rep0"
    row = {"devices": 2, "size_bytes": 100e3, "rate_mbps": 8.0, "stagger_ms": 0.0, "link_model": "max-min",
           "flows": 4, "measured_median_fct_ms": 150.0, "predicted_median_fct_ms": 200.0,
           "within_15_pct": 0.5, "jain_fairness": 0.9, "drops_up": 0}  # fmt: skip
    _scenario(run, document, FLOWS)
    _results(run, "flows", measured, row)
    kept = _files(run)
    runs = campaign.run_campaign([plan], tmp_path, 1, link_model="fifo", log=pytest.fail)
    assert _files(run) == kept
    again = runs.iloc[0]
    assert again["link_model"] == "fifo" and again["drops_up"] == 0
    assert again["predicted_median_fct_ms"] == pytest.approx(150.0)
    assert again["predicted_p90_fct_ms"] == pytest.approx(200.0)
    assert again["within_15_pct"] == 1.0 and again["error_pct"] == pytest.approx(0.0)
    same = campaign.run_campaign([plan], tmp_path, 1, link_model="max-min", log=pytest.fail).iloc[0]
    assert same["predicted_median_fct_ms"] == 200.0  # predicted with max-min already: read, not simulated


@pytest.mark.parametrize("config", [FlowsConfig(), InferenceConfig()])
def test_the_testbed_predicts_with_max_min_unless_told_and_writes_its_model_into_the_scenario(config):
    assert config.link_model == "max-min"
    document = scenario.flows_scenario(name="f", size_bytes=1e3, devices=1, rate_bps=8e6, latency_s=0.0,
                                       seed=0, duration_s=1.0, trace="a.csv", link_model="fifo")  # fmt: skip
    assert document["network"] == {"model": "fifo"}


def test_the_figure_names_a_link_model_other_than_max_min():
    from offloadsim.testbed.figure import validation_figure

    table = pd.DataFrame(
        {"model": ["m"], "split": ["middle"], "pattern": ["poisson"], "measured_ms": [100.0],
         "predicted_ms": [105.0], "measured_min_ms": [95.0], "measured_max_ms": [110.0]}
    )  # fmt: skip
    (fifo,) = validation_figure(table, link_model="fifo").axes
    (shared,) = validation_figure(table).axes
    assert fifo.get_ylabel() == "prediction error, fifo links (%)"
    assert shared.get_ylabel() == "prediction error (%)"


def test_write_tables_draws_max_min_and_another_model_in_one_figure_when_both_tables_exist(tmp_path):
    import matplotlib.image

    runs = pd.DataFrame(
        {"id": "alexnet-middle-LTE-closed", "kind": "inference", "model": "alexnet", "split": "middle",
         "k": 10, "link": "LTE", "rate_mbps": 5.85, "pattern": "closed",
         "measured_median_ms": [90.0, 100.0, 120.0], "predicted_median_ms": 110.0, "measured_iqr_pct": 5.0,
         "device_cpu_share": 1.0, "edge_cpu_share": 0.9}
    )  # fmt: skip
    results = tmp_path / "results"
    *_, figures = campaign.write_tables(runs, results, results)
    assert sorted(f.name for f in figures) == ["testbed_validation.pdf", "testbed_validation.png"]
    *_, figures = campaign.write_tables(
        runs.assign(predicted_median_ms=95.0), results, results, link_model="fifo"
    )
    names = sorted(f.name for f in figures)
    assert names == ["testbed_validation-fifo.pdf", "testbed_validation-fifo.png",
                     "testbed_validation-vs-fifo.pdf", "testbed_validation-vs-fifo.png"]  # fmt: skip
    assert matplotlib.image.imread(results / "testbed_validation-vs-fifo.png").shape[1] > 1000
    # drawn from the two tables on disk: max-min filled (+10 %), fifo hollow (-5 %)
    from offloadsim.testbed.figure import validation_figure

    table, fifo = pd.read_csv(results / "validation.csv"), pd.read_csv(results / "validation-fifo.csv")
    (ax,) = validation_figure(table, alternative=("fifo", fifo, None)).axes
    ys = sorted(float(line.get_ydata()[0]) for line in ax.get_lines() if len(line.get_xdata()) == 1)
    assert ys == [pytest.approx(-5.0), pytest.approx(10.0)]


def test_a_kept_run_without_its_scenario_is_one_line_and_exit_2(tmp_path, capsys):
    results = tmp_path / "results"
    run, _ = _inference_run(results)
    (run / "scenario.yaml").unlink()
    assert main([*CAMPAIGN, "--results", str(results), "--link-model", "fifo"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.endswith("cannot predict this run again: it has no scenario.yaml\n"), err
    assert not list(results.glob("*.csv"))  # no half-written tables
