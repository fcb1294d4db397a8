"""The testbed on this machine: real namespaces, a shaped link, real inference and TCP.

They need root and network namespaces and skip, with the reason, where these
are missing. The short ones run by default (about a minute on a loaded
two-core machine); ``--testbed`` adds the long ones. They check what holds on
a busy machine — the shaped link really limits the rate, tensors and results
arrive intact, every part is measured, the transfer model agrees within a
loose band, and nothing is left behind — not the accuracy targets, which
belong to the validation campaign on a quiet machine (docs/testbed.md).
"""

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from offloadsim.cli import main
from offloadsim.testbed.netns import PREFIX, our_namespaces, shaping_for

pytestmark = [pytest.mark.testbed, pytest.mark.usefixtures("testbed_machine")]

ROOT = Path(__file__).resolve().parents[2]
MODEL = "resnet18@64"  # small to compute, 32 KB at its middle cut: a transfer that dominates on a slow link
RATE = 2e6


def _workers_of(marker: str) -> list[int]:
    """Process ids whose command line mentions the testbed worker and ``marker``."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"offloadsim.testbed.worker" in cmdline and marker.encode() in cmdline:
            found.append(int(pid))
    return found


def test_split_inference_runs_over_the_shaped_link(tmp_path, onnx_cache, capsys):
    out = tmp_path / "run"
    argv = [
        "testbed",
        "run",
        "--model",
        MODEL,
        "--split",
        "middle",
        "--rate",
        f"{RATE} bps",
        "--requests",
        "5",
    ]
    assert main([*argv, "--out", str(out), "--cache", str(onnx_cache)]) == 0
    printed = capsys.readouterr().out
    assert "latency median" in printed and f"results: {out}/" in printed
    for name in (
        "manifest.json",
        "measured.csv",
        "predicted.csv",
        "summary.json",
        "scenario.yaml",
        "simulated",
    ):
        assert (out / name).exists(), name
    measured = pd.read_csv(out / "measured.csv")
    summary = json.loads((out / "summary.json").read_text())
    meta = json.loads((out / "manifest.json").read_text())
    assert len(measured) == summary["requests"] == 5
    assert measured["latency"].gt(0).all() and measured.notna().all().all()

    # the profile's CPU against this one: said, and kept with the results (on another CPU it said nothing)
    from offloadsim.testbed.experiment import calibrated_profile
    from offloadsim.testbed.profile_note import profile_note

    note = profile_note(calibrated_profile("epyc-ort-1t"))
    assert summary["profile"] == "epyc-ort-1t" and summary["profile_note"] == note
    assert (f"note: {note}" in printed.splitlines()) if note else "note:" not in printed

    # the real result came back: the edge's output equals the whole model's on the same input
    from offloadsim.calibration.kernels import ort_session
    from offloadsim.models import get_model
    from offloadsim.testbed.split import export_split

    graph = get_model("resnet18", image_size=64)
    whole = export_split(MODEL, graph, 0, onnx_cache)
    x = np.random.default_rng(0).standard_normal(graph.input_shape, dtype=np.float32)  # the device's seed 0
    expected = ort_session(str(whole.edge_onnx), 1).run(None, {whole.input_name: x})[0]
    got = np.load(out / "workers" / "device-0-output.npz")[graph.outputs[0]]
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * float(np.abs(expected).max()))

    # the cut tensors crossed the link, and the link is really shaped: no faster than tbf allows
    cut = summary["cut_bytes"]
    assert ((measured["bytes_up"] >= cut) & (measured["bytes_up"] < cut + 1000)).all()
    burst = meta["shaping"]["burst_bytes"]
    assert (measured["upload"] >= (measured["bytes_up"] - burst) * 8 / RATE).all()
    # ... and the transfer model agrees within a loose band even on a busy machine (TCP/IP headers add ~5 %)
    assert summary["predicted_upload_ms"] == pytest.approx(summary["measured_upload_ms"], rel=0.25)
    assert 0 < summary["device_cpu_share"] <= 1.1 and 0 < summary["edge_cpu_share"] <= 1.1

    # the scenario it wrote is a valid scenario describing what ran
    document = yaml.safe_load((out / "scenario.yaml").read_text())
    assert document["policy"] == {"name": "fixed", "nodes": ["$source", "edge"], "cuts": [summary["k"]]}
    assert document["links"][1]["bandwidth"] == "2 Mbps"
    assert main(["validate", str(out / "scenario.yaml")]) == 0
    assert not [ns for ns in our_namespaces() if ns.startswith(f"{PREFIX}{os.getpid()}-")]


def test_concurrent_flows_share_the_link_and_conserve_its_work(tmp_path):
    from offloadsim.testbed import FlowsConfig, run_flows

    size, rate, n = 400e3, 4e6, 2  # 1.6 s per round: long against a loaded machine's scheduling delays
    row = run_flows(FlowsConfig(devices=n, size_bytes=size, rate_bps=rate, rounds=2), tmp_path / "flows")
    measured = pd.read_csv(tmp_path / "flows" / "measured.csv")
    predicted = pd.read_csv(tmp_path / "flows" / "predicted.csv")
    assert len(measured) == len(predicted) == n * 2 == row["flows"]
    np.testing.assert_allclose(predicted["fct"], n * size * 8 / rate)  # max-min: equal halves of the link
    burst = shaping_for(rate).burst_bytes
    for _, flows in measured.groupby("round"):
        makespan = (flows["start"] + flows["fct"]).max() - flows["start"].min()
        assert (
            makespan >= (flows["bytes"].sum() - burst) * 8 / rate
        )  # the link never ran faster than its rate
        # whatever the split between the flows, the link stays busy: all bytes are through at ~ the fluid time
        assert makespan == pytest.approx(n * size * 8 / rate, rel=0.25)


@pytest.mark.parametrize(
    "signum",
    [signal.SIGTERM, pytest.param(signal.SIGINT, marks=pytest.mark.testbed_long)],
    ids=["TERM", "INT"],
)
def test_an_interrupted_run_leaves_nothing_behind(tmp_path, onnx_cache, signum):
    out = tmp_path / "killed"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    argv = [sys.executable, "-m", "offloadsim", "testbed", "run", "--model", MODEL, "--rate", "1 Mbps"]
    proc = subprocess.Popen(
        [*argv, "--requests", "500", "--out", str(out), "--cache", str(onnx_cache)], env=env
    )
    prefix = f"{PREFIX}{proc.pid}-"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:  # until its namespaces exist and both workers run
            if proc.poll() is not None:
                pytest.fail(f"the run ended early with status {proc.returncode}")
            if any(ns.startswith(prefix) for ns in our_namespaces()) and len(_workers_of(str(tmp_path))) >= 2:
                break
            time.sleep(0.2)
        else:
            pytest.fail("the run never got its workers going")
        time.sleep(1.0)
        proc.send_signal(signum)
        assert proc.wait(timeout=60) == (143 if signum == signal.SIGTERM else 130)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    time.sleep(0.5)
    assert not [ns for ns in our_namespaces() if ns.startswith(prefix)]
    assert not _workers_of(str(tmp_path))
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True, check=True).stdout
    assert "link-netns " + prefix not in links  # no veth left in this namespace pointing into one of ours
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((".killed", "killed"))]


@pytest.mark.testbed_long
def test_poisson_stream_from_two_devices(tmp_path, onnx_cache):
    from offloadsim.testbed import InferenceConfig, run_inference

    config = InferenceConfig(
        model=MODEL, split="offload", rate_bps=RATE, devices=2, requests=8, pattern="poisson", latency_s=0.02
    )
    row = run_inference(config, tmp_path / "p", cache_dir=onnx_cache)
    measured = pd.read_csv(tmp_path / "p" / "measured.csv")
    assert sorted(set(measured["device"])) == ["device-0", "device-1"] and len(measured) == 16
    assert row["rate_per_device_hz"] > 0 and row["simulated_requests"] == 16
    assert (measured["upload"] >= 0.02).all() and (measured["download"] >= 0.02).all()  # the added latency
    arrivals = pd.read_csv(tmp_path / "p" / "arrivals.csv")
    assert len(arrivals) == 16  # the simulator replays the very arrivals the devices used
    np.testing.assert_allclose(np.sort(arrivals["time"]), np.sort(measured["arrival"]), atol=1e-6)


@pytest.mark.testbed_long
def test_all_local_needs_no_network(tmp_path, onnx_cache):
    from offloadsim.testbed import InferenceConfig, run_inference

    row = run_inference(
        InferenceConfig(model=MODEL, split="local", requests=5), tmp_path / "l", cache_dir=onnx_cache
    )
    measured = pd.read_csv(tmp_path / "l" / "measured.csv")
    assert measured["upload"].isna().all() and math.isnan(row["predicted_upload_ms"])
    assert row["requests"] == 5 and row["measured_median_ms"] > 0
    assert not (tmp_path / "l" / "workers" / "edge.json").exists()
    assert yaml.safe_load((tmp_path / "l" / "scenario.yaml").read_text())["policy"] == {"name": "local"}


@pytest.mark.testbed_long
def test_tiny_campaign_end_to_end(tmp_path, onnx_cache, capsys):
    results = tmp_path / "c"
    assert main(["testbed", "campaign", "--tiny", "--results", str(results), "--cache", str(onnx_cache)]) == 0
    table = pd.read_csv(results / "validation.csv")
    flows = pd.read_csv(results / "flows.csv")
    assert len(table) == 4 and len(flows) == 1 and len(pd.read_csv(results / "runs.csv")) == 5
    assert table[["predicted_ms", "measured_ms", "error_pct"]].notna().all().all()
    assert (results / "testbed_validation.png").stat().st_size > 10_000
    capsys.readouterr()
    assert main(["testbed", "campaign", "--tiny", "--results", str(results), "--tables-only"]) == 0  # resumes
    assert "5 of 5 configurations" in capsys.readouterr().out
