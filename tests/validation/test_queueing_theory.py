"""The simulator against queueing theory: simulated means inside confidence intervals of closed forms.

Each check runs independent replications (distinct random streams from one
root seed), removes the warm-up, and builds a 99% Student-t interval from
the replication means.  The closed form must lie inside it, and the interval
must be tight enough to mean something (relative half-width bound), so a
check cannot pass by being vague.  The default versions take seconds; the
--runslow versions run longer at higher load.
"""

from __future__ import annotations

import numpy as np
import pytest

from offloadsim.analysis import theory
from offloadsim.analysis.statistics import mean_ci
from offloadsim.engine import simulate
from offloadsim.scenario import load_scenario_text

CONFIDENCE = 0.99


def replicate(text: str, column: str, replications: int, seed: int = 11) -> tuple[float, float]:
    """Mean of ``column`` over completed tasks, per replication; return (mean, CI half-width)."""
    scenario = load_scenario_text(text, source="<validation>")
    means = []
    for r in range(replications):
        raw = simulate(scenario, seed=seed, replication=r)
        done = raw.tasks["status"] == "completed"
        means.append(float(np.mean(raw.tasks[column][done])))
    return mean_ci(means, CONFIDENCE)


def assert_within(expected: float, mean: float, half: float, max_relative_half_width: float) -> None:
    assert half / expected < max_relative_half_width, f"CI too wide to test anything: {mean:.4f} ± {half:.4f}"
    assert abs(mean - expected) <= half, f"theory {expected:.4f} outside CI {mean:.4f} ± {half:.4f}"


def single_server(arrival_rate: float, service: str, cores: int, duration: float, warmup: float) -> str:
    return f"""
name: queue
duration: {duration}
warmup: {warmup}
nodes:
  server: {{tier: edge, processor: {{speed: 1 FLOP/s, cores: {cores}}}}}
applications:
  job: {{service: {service}}}
workload:
  - {{app: job, sources: server, arrivals: poisson, rate: {arrival_rate}}}
policy: local
"""


@pytest.mark.parametrize(
    ("rho", "duration", "replications", "width"),
    [
        pytest.param(0.8, 20_000, 12, 0.12, id="rho0.8"),
        pytest.param(0.9, 100_000, 30, 0.06, id="rho0.9-long", marks=pytest.mark.slow),
    ],
)
def test_mm1_wait(rho, duration, replications, width):
    mu = 1.0
    text = single_server(rho * mu, "{exponential: {mean: 1 s}}", 1, duration, duration / 20)
    mean, half = replicate(text, "wait", replications)
    assert_within(theory.mm1_wait(rho * mu, mu), mean, half, width)


@pytest.mark.parametrize(
    ("cores", "rho", "duration", "replications", "width"),
    [
        pytest.param(3, 0.85, 10_000, 12, 0.12, id="c3-rho0.85"),
        pytest.param(8, 0.9, 40_000, 30, 0.06, id="c8-rho0.9-long", marks=pytest.mark.slow),
    ],
)
def test_mmc_wait_erlang_c(cores, rho, duration, replications, width):
    mu = 1.0
    lam = rho * cores * mu
    text = single_server(lam, "{exponential: {mean: 1 s}}", cores, duration, duration / 20)
    mean, half = replicate(text, "wait", replications)
    assert_within(theory.mmc_wait(lam, mu, cores), mean, half, width)


@pytest.mark.parametrize(
    ("rho", "duration", "replications", "width"),
    [
        pytest.param(0.8, 20_000, 12, 0.1, id="rho0.8"),
        pytest.param(0.9, 100_000, 30, 0.05, id="rho0.9-long", marks=pytest.mark.slow),
    ],
)
def test_md1_wait_pollaczek_khinchine(rho, duration, replications, width):
    text = single_server(rho, "1 s", 1, duration, duration / 20)
    mean, half = replicate(text, "wait", replications)
    assert_within(theory.md1_wait(rho, 1.0), mean, half, width)


@pytest.mark.parametrize(
    ("duration", "replications", "width"),
    [
        pytest.param(20_000, 12, 0.1, id="short"),
        pytest.param(100_000, 30, 0.04, id="long", marks=pytest.mark.slow),
    ],
)
def test_jackson_tandem_sojourn(duration, replications, width):
    # Two exponential stations in series (mu 1.0 and 1.25) fed at 0.8 /s; the
    # hops between them carry no bytes and take no time, so latency is the
    # end-to-end sojourn.
    text = f"""
name: tandem
duration: {duration}
warmup: {duration / 20}
nodes:
  source: {{tier: device}}
  first: {{tier: edge, processor: {{speed: 1 FLOP/s}}}}
  second: {{tier: edge, processor: {{speed: 1 FLOP/s}}}}
links:
  - {{between: [source, first], bandwidth: 1 Gbps}}
  - {{between: [first, second], bandwidth: 1 Gbps}}
applications:
  job:
    stages:
      - {{service: {{exponential: {{mean: 1 s}}}}}}
      - {{service: {{exponential: {{mean: 0.8 s}}}}}}
workload:
  - {{app: job, sources: source, arrivals: poisson, rate: 0.8}}
policy: {{name: fixed, nodes: [first, second], cuts: [1]}}
"""
    mean, half = replicate(text, "latency", replications)
    assert_within(theory.jackson_tandem_sojourn(0.8, [1.0, 1.25]), mean, half, width)


@pytest.mark.parametrize(
    ("rho", "duration", "replications", "width"),
    [
        pytest.param(0.8, 20_000, 12, 0.1, id="rho0.8"),
        pytest.param(0.9, 100_000, 30, 0.05, id="rho0.9-long", marks=pytest.mark.slow),
    ],
)
def test_shared_link_is_processor_sharing(rho, duration, replications, width):
    # Poisson flows of exponential size on one 8 Mbps link (1 MB/s): M/M/1-PS,
    # mean transfer time E[S] / (1 - rho).  No latency, no compute, no reply bytes.
    mean_size = 1_000_000 * rho  # bytes; arrivals at 1 /s
    text = f"""
name: ps-link
duration: {duration}
warmup: {duration / 20}
nodes:
  phone: {{tier: device}}
  edge: {{tier: edge, processor: {{speed: 1 TFLOP/s}}}}
links:
  - {{between: [phone, edge], bandwidth: 8 Mbps}}
applications:
  upload: {{service: 0 s, input: {{exponential: {{mean: {mean_size}}}}}}}
workload:
  - {{app: upload, sources: phone, arrivals: poisson, rate: 1 /s}}
policy: edge
"""
    mean, half = replicate(text, "transfer_time", replications)
    assert_within(theory.ps_sojourn(1.0, mean_size, 1_000_000.0), mean, half, width)
