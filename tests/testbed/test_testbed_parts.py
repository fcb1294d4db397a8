"""The testbed parts that need no root: shaping, cuts, ONNX parts, protocol, scenarios, tables, CLI."""

import math
import socket
import threading
import time

import numpy as np
import pandas as pd
import pytest

from offloadsim.cli import main
from offloadsim.models import as_chain, get_model
from offloadsim.models.graph import chain_cut_points, cut_bytes
from offloadsim.testbed import campaign, compare, measure, scenario
from offloadsim.testbed.errors import TestbedError
from offloadsim.testbed.netns import FRAME_BYTES, check_available, shaping_for
from offloadsim.testbed.protocol import ProtocolError, recv_message, send_message
from offloadsim.testbed.split import crossing_tensors, export_split, resolve_split

# --------------------------------------------------------------------------- shaping


@pytest.mark.parametrize("rate", [8e3, 1.1e6, 18.88e6, 1e9])
def test_tbf_parameters_admit_full_frames_and_bound_the_burst(rate):
    shaping = shaping_for(rate)
    assert shaping.burst_bytes >= 2 * FRAME_BYTES  # tbf drops frames larger than its bucket
    assert shaping.burst_bytes <= max(2 * FRAME_BYTES, rate / 8 / 1000 + 1)  # at most 1 ms at line rate
    assert shaping.limit_bytes == 1024**2
    assert shaping_for(rate, 1000).limit_bytes == 16 * FRAME_BYTES
    args = shaping.tc_args()
    assert args[:3] == ["tbf", "rate", f"{round(rate)}bit"]


@pytest.mark.parametrize("rate, queue", [(1e3, 1e6), (20e9, 1e6), (float("nan"), 1e6), (1e6, 0), (1e6, 2e9)])
def test_tbf_parameters_refuse_what_tc_cannot_do(rate, queue):
    with pytest.raises(TestbedError):
        shaping_for(rate, queue)


# --------------------------------------------------------------------------- cuts and ONNX parts


def test_split_words_and_numbers():
    g = get_model("resnet18")
    assert resolve_split(g, "local") == len(g)
    assert resolve_split(g, "offload") == resolve_split(g, "0") == 0
    middle = resolve_split(g, "middle")
    assert middle in chain_cut_points(g) and abs(middle - len(g) / 2) <= 6
    for bad in ("half", "-1", str(len(g) + 1)):
        with pytest.raises(TestbedError):
            resolve_split(g, bad)


@pytest.mark.parametrize("model", ["resnet18", "squeezenet1_1", "mobilenet_v2"])
def test_crossing_tensors_carry_the_bytes_the_simulator_charges(model):
    g = get_model(model)
    sizes = {layer.name: layer.output_bytes for layer in g.layers}
    for k in range(len(g) + 1):
        crossing = crossing_tensors(g, k)
        total = sum(g.input_bytes if name == "<input>" else sizes[name] for name in crossing)
        assert total == cut_bytes(g, k), (model, k, crossing)


def test_onnx_parts_compute_the_whole_model(onnx_cache):
    from offloadsim.calibration.kernels import ort_session

    g = get_model("squeezenet1_1", image_size=64)
    several = next(k for k in range(1, len(g)) if len(crossing_tensors(g, k)) > 1)  # inside a fire module
    x = np.random.default_rng(1).standard_normal(g.input_shape, dtype=np.float32)
    whole = export_split("squeezenet1_1@64", g, 0, onnx_cache)
    reference = ort_session(str(whole.edge_onnx), 1).run(None, {whole.input_name: x})[0]
    for k in (several, resolve_split(g, "middle")):
        parts = export_split("squeezenet1_1@64", g, k, onnx_cache)
        assert len(parts.crossing) == len(crossing_tensors(g, k))
        device = ort_session(str(parts.device_onnx), 1)
        middle = dict(
            zip([o.name for o in device.get_outputs()], device.run(None, {parts.input_name: x}), strict=True)
        )
        assert set(middle) == set(parts.crossing)
        assert sum(a.nbytes for a in middle.values()) == cut_bytes(g, k)
        out = ort_session(str(parts.edge_onnx), 1).run(None, middle)[0]
        np.testing.assert_allclose(out, reference, rtol=1e-4, atol=1e-4 * float(np.abs(reference).max()))
    local = export_split("squeezenet1_1@64", g, len(g), onnx_cache)
    assert local.edge_onnx is None and local.device_onnx is not None


# --------------------------------------------------------------------------- protocol


def test_messages_arrive_whole_with_their_tensors():
    a, b = socket.socketpair()
    tensors = {"x": np.arange(24, dtype=np.float32).reshape(2, 3, 4), "y": np.zeros(0, np.uint8)}
    with a, b:
        sent = {}
        thread = threading.Thread(target=lambda: sent.update(n=send_message(a, {"id": 7}, tensors)))
        thread.start()
        message = recv_message(b, time.monotonic_ns() + 5_000_000_000)
        thread.join()
        assert message is not None and message.header["id"] == 7
        np.testing.assert_array_equal(message.tensors["x"], tensors["x"])
        assert message.tensors["y"].shape == (0,)
        assert message.nbytes == sent["n"] > 96
        assert message.first_ns <= message.last_ns
        a.shutdown(socket.SHUT_WR)
        assert recv_message(b, time.monotonic_ns() + 5_000_000_000) is None  # a clean close between messages


@pytest.mark.parametrize("then_close", [False, True])
def test_a_peer_that_stalls_or_stops_mid_message_is_an_error(then_close):
    a, b = socket.socketpair()
    with a, b:
        a.sendall(b"\x00\x00\x00\x40{")  # promises a 64-byte header, sends one byte
        if then_close:
            a.close()
        with pytest.raises(ProtocolError if then_close else TimeoutError):
            recv_message(b, time.monotonic_ns() + 300_000_000)


# --------------------------------------------------------------------------- scenarios


def _inference_doc(k, **extra):
    g = get_model("alexnet")
    return scenario.inference_scenario(
        name="t",
        label="alexnet",
        k=k,
        layers=len(g),
        devices=2,
        rate_bps=10e6,
        latency_s=0.005,
        profile="epyc-ort-1t",
        seed=0,
        duration_s=5.0,
        **extra,
    )


@pytest.mark.parametrize("split", ["offload", "middle", "local"])
def test_the_written_scenario_costs_what_the_testbed_runs(split, tmp_path):
    import yaml

    from offloadsim import api

    g = get_model("alexnet")
    k = resolve_split(g, split)
    (tmp_path / "arrivals.csv").write_text(scenario.trace_csv([[0.5], [3.0]]))
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(_inference_doc(k, trace="arrivals.csv")))
    result = api.run(tmp_path / "s.yaml", stages=True)
    predicted = compare.predicted_requests(result)
    assert list(predicted["device"]) == ["device-0", "device-1"]
    assert (result.tasks["split"] == k).all()
    costs = scenario.predicted_costs(_inference_doc(k, think_s=0.0), k)
    if k < len(g):
        bits = as_chain(g).cut_bytes[k] * 8
        np.testing.assert_allclose(
            predicted["upload"], bits / 10e6 + 0.005
        )  # alone on the link, plus latency
        np.testing.assert_allclose(predicted["edge_compute"], costs.edge_s)
        np.testing.assert_allclose(costs.upload_s, bits / 10e6)
    else:
        assert predicted["upload"].isna().all() and costs.upload_s == 0
    np.testing.assert_allclose(predicted["device_compute"], costs.device_s)
    np.testing.assert_allclose(predicted["latency"], predicted[list(compare.PARTS)].fillna(0).sum(axis=1))


def test_simultaneous_flows_are_predicted_at_their_fair_share(tmp_path):
    import yaml

    from offloadsim import api

    doc = scenario.flows_scenario(
        name="f",
        size_bytes=100e3,
        devices=3,
        rate_bps=8e6,
        latency_s=0.0,
        seed=0,
        duration_s=5,
        trace="a.csv",
    )
    (tmp_path / "a.csv").write_text(scenario.trace_csv([[0.0, 2.0]] * 3))
    (tmp_path / "f.yaml").write_text(yaml.safe_dump(doc))
    flows = compare.predicted_flows(api.run(tmp_path / "f.yaml", stages=True))
    assert list(flows["round"]) == [0, 0, 0, 1, 1, 1]
    np.testing.assert_allclose(flows["fct"], 3 * 100e3 * 8 / 8e6)  # max-min: a third of the link each


def test_a_scenario_gives_one_request_pattern():
    with pytest.raises(ValueError):
        _inference_doc(3)
    with pytest.raises(ValueError):
        _inference_doc(3, think_s=0.0, trace="a.csv")


# --------------------------------------------------------------------------- measurement and tables


def _records():
    device = [
        {"device": "device-0", "id": i, "arrival": 1.0 * i, "compute_start": 1.0 * i + 0.01,
         "compute_end": 1.0 * i + 0.03, "compute_cpu": 0.02, "queued": 1.0 * i + 0.03,
         "send_start": 1.0 * i + 0.031, "finish": 1.0 * i + 0.2, "bytes_in": 4100}
        for i in range(3)
    ]  # fmt: skip
    edge = [
        {"device": "device-0", "id": i, "delivered": 1.0 * i + 0.131, "compute_start": 1.0 * i + 0.132,
         "compute_end": 1.0 * i + 0.182, "compute_cpu": 0.025, "reply_start": 1.0 * i + 0.183,
         "bytes_in": 125_100}
        for i in range(3)
    ]  # fmt: skip
    return device, edge


def test_request_rows_split_the_latency_into_its_parts():
    frame = measure.requests_frame(*_records())
    assert list(frame.columns) == list(measure.MEASURED_COLUMNS)
    row = frame.iloc[1]
    assert row["latency"] == pytest.approx(0.2)
    assert row["device_wait"] == pytest.approx(0.01)
    assert row["device_compute"] == pytest.approx(0.02)
    assert row["connection_wait"] == pytest.approx(0.001)
    assert row["upload"] == pytest.approx(0.1)
    assert row["edge_wait"] == pytest.approx(0.001)
    assert row["edge_compute"] == pytest.approx(0.05)
    assert row["download"] == pytest.approx(0.017)
    parts = [
        "device_wait",
        "device_compute",
        "connection_wait",
        "upload",
        "edge_wait",
        "edge_compute",
        "download",
    ]
    assert frame[parts].sum(axis=1).to_numpy() == pytest.approx(frame["latency"].to_numpy(), abs=2e-3)
    summary = compare.inference_summary({"model": "m"}, frame, frame.assign(latency=frame["latency"] * 1.1))
    assert summary["error_pct"] == pytest.approx(10.0)
    assert summary["device_cpu_share"] == pytest.approx(1.0)
    assert summary["edge_cpu_share"] == pytest.approx(0.5)
    assert summary["measured_device_cpu_ms"] == pytest.approx(20.0)
    assert summary["measured_edge_cpu_ms"] == pytest.approx(25.0)


def test_flow_summary_pairs_flows_and_scores_fairness():
    measured = pd.DataFrame(
        {"device": ["d0", "d1"] * 2, "round": [0, 0, 1, 1], "start": 0.0, "fct": [1.0, 1.0, 0.5, 1.0],
         "bytes": 1e5, "rate_bps": [8e5, 8e5, 1.6e6, 8e5]}
    )  # fmt: skip
    predicted = pd.DataFrame({"device": ["d0", "d1"] * 2, "round": [0, 0, 1, 1], "start": 0.0, "fct": 1.0})
    row = compare.flows_summary({}, measured, predicted)
    assert row["within_15_pct"] == pytest.approx(0.75)  # one flow of four was twice as fast as predicted
    jain_round_1 = (2.4e6**2) / (2 * (1.6e6**2 + 8e5**2))
    assert row["jain_fairness"] == pytest.approx(float(np.median([1.0, jain_round_1])), rel=1e-4)


def test_campaign_grid_runs_local_once_per_model_and_pattern():
    planned = campaign.inference_grid(["alexnet", "resnet18"], ["local", "middle", "offload"])
    assert len(planned) == 2 * 2 * (1 + 2 * 3)
    assert len({p.id for p in planned}) == len(planned)
    rates = {p.config.rate_bps for p in planned}
    assert rates == {link.rate_bps for link in campaign.LINKS}
    flows = campaign.flows_grid()
    assert len({p.id for p in flows}) == len(flows) == 2 * 2 * 2


def test_validation_table_reports_median_and_spread_over_repetitions():
    runs = pd.DataFrame(
        {"id": ["a"] * 3, "model": "m", "split": "middle", "k": 3, "link": "LTE", "rate_mbps": 5.85,
         "pattern": "closed", "measured_median_ms": [90.0, 100.0, 120.0], "predicted_median_ms": 110.0,
         "measured_iqr_pct": 5.0, "device_cpu_share": 1.0, "edge_cpu_share": 0.9}
    )  # fmt: skip
    row = campaign.validation_table(runs).iloc[0]
    assert row["measured_ms"] == 100.0 and row["error_pct"] == pytest.approx(10.0)
    assert (row["measured_min_ms"], row["measured_max_ms"]) == (90.0, 120.0)
    assert row["spread_pct"] == pytest.approx(30.0) and row["repetitions"] == 3


def test_one_repetition_has_no_spread_not_a_spread_of_zero():
    runs = pd.DataFrame(
        {"id": ["a"], "model": "m", "split": "middle", "k": 3, "link": "LTE", "rate_mbps": 5.85,
         "pattern": "closed", "measured_median_ms": [90.0], "predicted_median_ms": 110.0,
         "measured_iqr_pct": 5.0, "device_cpu_share": 1.0, "edge_cpu_share": 0.9}
    )  # fmt: skip
    row = campaign.validation_table(runs).iloc[0]
    assert row["repetitions"] == 1 and (row["measured_min_ms"], row["measured_max_ms"]) == (90.0, 90.0)
    assert math.isnan(row["spread_pct"])  # printed 0.0, as if repetitions had agreed


FIGURE_TABLE = pd.DataFrame(
    {"model": ["m", "m", "n"], "split": ["middle", "offload", "middle"], "link": ["LTE", "3G", "Wi-Fi"],
     "pattern": ["closed", "poisson", "closed"], "measured_ms": [100.0, 200.0, 400.0],
     "predicted_ms": [105.0, 150.0, 380.0], "measured_min_ms": [95.0, 190.0, 390.0],
     "measured_max_ms": [110.0, 230.0, 420.0]}
)  # fmt: skip
FIGURE_FLOWS = pd.DataFrame(
    {"devices": [2, 4], "size_bytes": 5e5, "link": ["LTE", "Wi-Fi"], "stagger_ms": [0.0, 50.0],
     "measured_fct_ms": [300.0, 600.0], "predicted_fct_ms": [320.0, 540.0], "measured_min_ms": [280.0, 590.0],
     "measured_max_ms": [330.0, 640.0]}
)  # fmt: skip


def _markers(ax, *, hollow):
    """The (x, y) of the single-point markers of ``ax``, filled or hollow."""
    return sorted(
        (float(line.get_xdata()[0]), float(line.get_ydata()[0]))
        for line in ax.get_lines()
        if line.get_marker() not in ("None", "", None) and len(line.get_xdata()) == 1
        and (line.get_markerfacecolor() == "none") == hollow
    )  # fmt: skip


def _band(ax):
    """The y extent of the shaded band (a span across the whole axes)."""
    (span,) = [p for p in ax.patches if p.get_width() == 1.0]  # axhspan: full width in axes coordinates
    return span.get_y(), span.get_y() + span.get_height()


def test_validation_figure_draws_the_error_against_measured_with_the_bands_and_one_legend():
    from offloadsim.plots.checks import figure_problems
    from offloadsim.testbed.figure import validation_figure

    fig = validation_figure(FIGURE_TABLE, FIGURE_FLOWS)
    closed, poisson, flows = fig.axes
    assert [ax.get_title(loc="left") for ax in fig.axes] == [
        "(a) one request at a time",
        "(b) Poisson, 50 % load",
        "(c) concurrent flows",
    ]
    assert all(ax.get_xscale() == "log" and ax.get_yscale() == "linear" for ax in fig.axes)
    # y is 100 (predicted - measured) / measured, x the measured median: one filled marker per configuration
    assert _markers(closed, hollow=False) == [(100.0, pytest.approx(5.0)), (400.0, pytest.approx(-5.0))]
    assert _markers(poisson, hollow=False) == [(200.0, pytest.approx(-25.0))]
    assert _markers(flows, hollow=False) == [(300.0, pytest.approx(20 / 3)), (600.0, pytest.approx(-10.0))]
    assert not any(_markers(ax, hollow=True) for ax in fig.axes)
    assert _band(closed) == (-10.0, 10.0) and _band(flows) == (-15.0, 15.0)
    assert all(any(list(line.get_ydata()) == [0.0, 0.0] for line in ax.get_lines()) for ax in fig.axes)
    # the bar spans the repetitions' medians at the point's error
    assert any(list(line.get_xdata()) == [190.0, 230.0] for line in poisson.get_lines())
    # every configuration names its link; staggered flows say so
    assert sorted(t.get_text() for t in closed.texts) == ["LTE", "Wi-Fi"]
    assert sorted(t.get_text() for t in flows.texts) == ["LTE", "Wi-Fi, st."]
    # one legend for the figure: models, splits, flows and the band, none per panel
    assert all(ax.get_legend() is None for ax in fig.axes)
    (legend,) = fig.legends
    entries = {t.get_text() for t in legend.get_texts()} - {" "}
    assert entries == {
        "m",
        "n",
        "middle split",
        "offload split",
        "2 flows",
        "4 flows",
        "target ±10 % (flows ±15 %)",
    }
    assert figure_problems(fig) == []


def test_validation_figure_panels_share_one_y_scale():
    from offloadsim.testbed.figure import validation_figure

    fig = validation_figure(FIGURE_TABLE, FIGURE_FLOWS)  # errors +5 % and -25 %, +5 %, +7 % and -10 %
    limits = {tuple(round(v, 6) for v in ax.get_ylim()) for ax in fig.axes}
    assert len(fig.axes) == 3 and len(limits) == 1  # each panel had its own: a 10 % error looked like 40 %


def test_validation_figure_ticks_near_its_leftmost_point():
    from offloadsim.testbed.figure import validation_figure

    table = FIGURE_TABLE.assign(measured_ms=[28.0, 330.0, 600.0], measured_min_ms=[28.0, 330.0, 600.0],
                                measured_max_ms=[28.0, 330.0, 600.0])  # fmt: skip
    fig = validation_figure(table)
    ax = fig.axes[0]  # the closed panel: 28 and 600 ms
    labelled = [t.get_position()[0] for t in ax.get_xticklabels() if t.get_text()]
    lo, hi = ax.get_xlim()
    # a label within a factor of 1.25 of the point (the axis was ticked from 50 ms up)
    assert min(abs(math.log(v / 28.0)) for v in labelled if lo <= v <= hi) < math.log(1.25)


def test_validation_figure_notes_what_its_runs_rest_on():
    from offloadsim.testbed.figure import validation_figure

    runs = pd.DataFrame(
        {"id": ["a", "a", "a", "b"], "repetition": [0, 1, 2, 0], "profile": "epyc-ort-1t",
         "profile_note": None, "device_cpu_share": [0.4, 0.5, 0.6, 0.5], "edge_cpu_share": 0.95,
         "load_average": [1.2, 1.9, 1.5, 1.4]}
    )  # fmt: skip
    note = campaign.figure_note(runs)
    assert note.splitlines() == [
        "compute predicted with profile epyc-ort-1t; 1–3 repetitions per configuration (bars: the range of "
        "their medians)",
        "CPU time / wall time of compute, median over runs: device 0.50, edge 0.95 (below 0.9: other work "
        "took the CPU; compute timings are noisy); host load average (1 min) at the runs' start 1.20–1.90",
    ]
    fig = validation_figure(FIGURE_TABLE, note=note)
    assert "1–3 repetitions per configuration" in fig.get_supxlabel()  # under the figure: none was


def test_validation_figure_draws_a_second_link_model_hollow_and_joined_to_the_first():
    from offloadsim.plots.checks import figure_problems
    from offloadsim.testbed.figure import Predictions, validation_figure

    fifo = FIGURE_TABLE.assign(predicted_ms=[90.0, 150.0, 380.0])
    fifo_flows = FIGURE_FLOWS.assign(predicted_fct_ms=[240.0, 540.0])
    fig = validation_figure(FIGURE_TABLE, FIGURE_FLOWS, alternative=Predictions("fifo", fifo, fifo_flows))
    closed, poisson, flows = fig.axes
    assert _markers(closed, hollow=True) == [(100.0, pytest.approx(-10.0)), (400.0, pytest.approx(-5.0))]
    assert _markers(poisson, hollow=True) == [(200.0, pytest.approx(-25.0))]  # agrees: rings the filled one
    assert _markers(flows, hollow=True) == [(300.0, pytest.approx(-20.0)), (600.0, pytest.approx(-10.0))]
    # a thin vertical line joins the two predictions of one configuration
    assert any(list(line.get_xdata()) == [100.0, 100.0] and np.allclose(line.get_ydata(), [5.0, -10.0])
               for line in closed.get_lines())  # fmt: skip
    (legend,) = fig.legends
    texts = {t.get_text() for t in legend.get_texts()}
    assert {"filled: max-min links", "hollow: fifo links"} <= texts
    assert figure_problems(fig) == []
    # a configuration the other model lacks is drawn filled only
    partial = validation_figure(FIGURE_TABLE, alternative=("fifo", fifo.iloc[:1], None))
    assert _markers(partial.axes[0], hollow=True) == [(100.0, pytest.approx(-10.0))]
    assert _markers(partial.axes[1], hollow=True) == []


# --------------------------------------------------------------------------- command line


def test_without_root_the_testbed_says_so_and_exits_2(monkeypatch, capsys):
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    with pytest.raises(TestbedError, match="needs root"):
        check_available()
    for argv in (["testbed", "check"], ["testbed", "run", "--requests", "1"], ["testbed", "flows"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("offloadsim: error: ") and "root" in err, err


def test_without_ip_the_testbed_says_so(monkeypatch, capsys):
    monkeypatch.setattr("os.geteuid", lambda: 0)
    monkeypatch.setattr("shutil.which", lambda name: None)
    assert main(["testbed", "check"]) == 2
    assert "'ip'" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, words",
    [
        (["testbed"], "sub-verb"),
        (["testbed", "run", "--rate", "fast"], "bandwidth"),
        (["testbed", "run", "--split", "99", "--model", "alexnet"], "outside 0..20"),
        (["testbed", "run", "--model", "nope"], "unknown model"),
        # an LLM's world has no cuts: its predicted costs failed an assertion (exit 1), before the refusal
        # of its export that a transformer such as bert-base got
        (["testbed", "run", "--model", "gpt2"], "gpt2: export_onnx supports CNN operators only; 'gpt2' has"),
        (["testbed", "run", "--model", "llama-3.2-1b"], "llama-3.2-1b: export_onnx supports CNN operators"),
        (["testbed", "run", "--load", "1.5"], "between 0 and 1"),
        # each was ignored without a word by the other pattern (before any root check or set-up)
        (["testbed", "run", "--load", "0.3"], "argument --load: takes effect only with --pattern poisson"),
        (
            ["testbed", "run", "--pattern", "poisson", "--think", "5 ms"],
            "argument --think: takes effect only with --pattern closed",
        ),
        (["testbed", "flows", "--size", "0 B"], "flow size"),
        (["testbed", "flows", "--devices", "65"], "devices must be"),
        (["testbed", "run", "--profile", "no-such-profile"], "profile"),
        (["testbed", "run", "--profile", "cortex-a76"], "derived profile"),
        (["testbed", "campaign", "--profile", "no-such-profile"], "profile"),
        (["testbed", "campaign", "--profile", "cortex-a76", "--no-flows"], "derived profile"),
        (
            ["testbed", "run", "--split", "offload", "--rate", "100 kbps", "--time-limit", "10 s"],
            "would take about",
        ),
        (
            ["testbed", "run", "--link-model", "fifi"],
            'link model: unknown link model "fifi" (did you mean',
        ),
        (["testbed", "flows", "--link-model", "maxmin"], 'unknown link model "maxmin"'),
        (["testbed", "campaign", "--tables-only", "--link-model", "fifi"], 'unknown link model "fifi"'),
        # the tiny plan is fixed: each was ignored without a word
        (["testbed", "campaign", "--tiny", "--models", "resnet18"], "argument --models: not with --tiny"),
        (["testbed", "campaign", "--tiny", "--repetitions", "3"], "argument --repetitions: not with --tiny"),
        (["testbed", "campaign", "--tiny", "--patterns", "closed"], "argument --patterns: not with --tiny"),
        (["testbed", "campaign", "--tiny", "--no-flows"], "argument --no-flows: not with --tiny"),
        # only new runs read them, and --tables-only runs none: each was ignored without a word
        (
            ["testbed", "campaign", "--tables-only", "--requests", "15"],
            "argument --requests: not with --tables-only",
        ),
        (["testbed", "campaign", "--tables-only", "--pin"], "argument --pin: not with --tables-only"),
        (
            ["testbed", "campaign", "--tables-only", "--profile", "epyc-ort-1t"],
            "argument --profile: not with --tables-only",
        ),
    ],
)
def test_bad_options_are_one_line_and_exit_2(argv, words, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err, err


@pytest.mark.parametrize("name", ["offloadsim.testbed.netns", "offloadsim.testbed.split"])
def test_docstring_examples(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_the_manifest_names_the_cpu_by_its_fingerprint_too():
    # "AMD EPYC" names many CPUs; a testbed run is compared with a profile's provenance by its design.
    from offloadsim.host import cpu_fingerprint
    from offloadsim.testbed.experiment import _machine

    machine = _machine()
    assert machine["cpu"] == cpu_fingerprint()
    assert set(machine) >= {"cpu_model", "cores", "platform", "versions"}


@pytest.mark.parametrize("verb", [["run"], ["campaign", "--tiny"]])
def test_a_cache_that_cannot_be_made_is_refused_naming_it_before_anything_runs(tmp_path, capsys, verb):
    """It failed inside the writing of the results, said as theirs: "cannot write results to OUT"."""
    (tmp_path / "afile").write_text("not a folder")
    cache = tmp_path / "afile" / "onnx"
    where = ["--out", str(tmp_path / "out")] if verb == ["run"] else ["--results", str(tmp_path / "out")]
    assert main(["testbed", *verb, "--cache", str(cache), *where]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (
        f"offloadsim: error: argument --cache: {tmp_path / 'afile'} exists and is not a directory "
        f"(so {cache} cannot be made)"
    )
    assert not (tmp_path / "out").exists()


def test_a_cache_beside_tables_only_is_refused_before_anything_runs(tmp_path, capsys, monkeypatch):
    """``--tables-only`` runs nothing, so its ``--cache`` went unused without a word."""
    from offloadsim.testbed import campaign

    def ran(*_args, **_kwargs):
        raise AssertionError("the campaign ran")

    monkeypatch.setattr(campaign, "finished", ran)
    monkeypatch.setattr(campaign, "run_campaign", ran)
    results = tmp_path / "out"
    argv = [
        "testbed",
        "campaign",
        "--tables-only",
        "--cache",
        str(tmp_path / "onnx"),
        "--results",
        str(results),
    ]
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (
        "offloadsim: error: argument --cache: not with --tables-only, which runs nothing "
        "(the ONNX cache holds the parts of new runs); leave out one of them"
    )
    assert not results.exists() and not (tmp_path / "onnx").exists()


def test_a_scenario_the_testbed_writes_reads_back_as_written(tmp_path):
    """Text YAML 1.1 writes bare but the scenario reader reads as a number (1e9) was read back as one."""
    from offloadsim.strict_yaml import read_yaml
    from offloadsim.testbed.experiment import _write_yaml

    document = {"name": "1e9", "description": "2E-3", "duration": "12.5 s"}
    _write_yaml(tmp_path / "scenario.yaml", document, "a comment")
    assert read_yaml((tmp_path / "scenario.yaml").read_text()) == document


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--models", "alexnet,resnet19"], 'model: unknown model "resnet19"'),
        (["--models", "alexnet,gpt2"], "gpt2: export_onnx supports CNN operators only"),
        (["--splits", "local,half"], "split must be a layer count 0..20 or one of local, middle, offload"),
        (["--splits", "local,99"], "split 99 is outside 0..20 for alexnet"),
        (["--patterns", "closed,bursty"], "pattern must be one of closed, poisson, got 'bursty'"),
        (["--models", "alexnet,alexnet"], 'argument --models: "alexnet" is given twice'),
        (["--links", "LTE,lte"], 'argument --links: "lte" is given twice'),
    ],
)
def test_a_campaign_refuses_a_configuration_before_its_first_run(
    options, words, tmp_path, capsys, monkeypatch
):
    """Each was said only when the campaign came to it, after the runs planned before it (or never)."""

    def ran(*_args, **_kwargs):
        raise AssertionError("the campaign ran")

    monkeypatch.setattr(campaign, "run_inference", ran)
    monkeypatch.setattr(campaign, "run_flows", ran)
    results = tmp_path / "camp"
    argv = ["testbed", "campaign", "--no-flows", "--results", str(results)]
    if "--models" not in options:
        argv += ["--models", "alexnet"]
    assert main([*argv, *options]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("offloadsim: error: ") and words in line, line
    assert not results.exists()


@pytest.mark.parametrize("tables_only", [False, True])
def test_a_campaign_refuses_results_or_figure_that_are_files(tables_only, tmp_path, capsys, monkeypatch):
    def ran(*_args, **_kwargs):
        raise AssertionError("the campaign ran")

    monkeypatch.setattr(campaign, "run_inference", ran)
    (tmp_path / "afile").write_text("x")
    base = ["testbed", "campaign", "--no-flows", "--models", "alexnet", *(["--tables-only"] * tables_only)]
    for argv, said in (
        ([*base, "--results", str(tmp_path / "afile")], "argument --results: "),
        (
            [*base, "--results", str(tmp_path / "camp"), "--figure", str(tmp_path / "afile")],
            "argument --figure: ",
        ),
    ):
        (tmp_path / "camp").mkdir(exist_ok=True)
        assert main(argv) == 2
        (line,) = capsys.readouterr().err.splitlines()
        assert said + f"{tmp_path / 'afile'} exists and is not a directory" in line, line


def test_tables_only_of_no_directory_is_refused_not_an_empty_table(tmp_path, capsys):
    missing = tmp_path / "campaing"
    assert main(["testbed", "campaign", "--tables-only", "--results", str(missing)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert f"argument --results: {missing}: no such directory" in line, line
    assert not missing.exists()


@pytest.mark.parametrize("verb", ["run", "flows"])
def test_a_time_limit_of_0_s_is_refused_before_anything_runs(verb, tmp_path, capsys, monkeypatch):
    """``flows --time-limit 0s`` ran under the default 600 s limit without a word (0 read as "not given")."""
    from offloadsim.testbed import experiment

    def prepared():
        raise AssertionError("the testbed was set up")

    monkeypatch.setattr(experiment, "_prepare", prepared)
    out = tmp_path / "out"
    assert main(["testbed", verb, "--time-limit", "0 s", "--out", str(out)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == "offloadsim: error: time limit must be 1 s .. 24 h, got 0 s", line
    assert not out.exists()


# A --results that is not there is refused by its argument (hd31; tested above), before this check.
@pytest.mark.parametrize("holding", ["nothing", "a run cut short"])
def test_tables_only_with_nothing_to_tabulate_is_refused(holding, tmp_path, capsys):
    """It said "0 of N configurations have all 1 repetition(s)", "no finished runs to tabulate", exit 0."""
    from offloadsim.testbed import campaign

    results = tmp_path / "campaign"
    results.mkdir()
    if holding == "a run cut short":  # its folder and scenario, no summary.json: killed mid-run
        rep = results / campaign.tiny_plan()[0].id / "rep0"
        rep.mkdir(parents=True)
        (rep / "scenario.yaml").write_text("scenario: {}\n", encoding="utf-8")
    assert main(["testbed", "campaign", "--tiny", "--tables-only", "--results", str(results)]) == 2
    out, err = capsys.readouterr()
    (line,) = err.splitlines()
    assert line.startswith(f"offloadsim: error: nothing to tabulate: {results} ")
    assert "run the campaign without --tables-only" in line
    assert not out
    assert not list(results.glob("*.csv")) and not list(results.glob("*.png"))
