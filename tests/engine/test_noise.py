"""The optional noise model: stage times drawn around the calibrated prediction with its measured spread."""

from __future__ import annotations

import math

import numpy as np
import pytest

from offloadsim.engine import simulate
from offloadsim.scenario import load_scenario_text
from offloadsim.world import build_world

ROOT_SCENARIOS = __import__("pathlib").Path(__file__).resolve().parents[2] / "scenarios"

TEXT = """
name: noisy
duration: 2000 s
nodes:
  box: {tier: edge, processor: {profile: xeon-ort-1t, cores: 1, noise: NOISE}}
applications:
  cnn: {model: squeezenet1_1}
workload:
  - {app: cnn, sources: box, arrivals: periodic, period: 1 s}
policy: local
"""


def run(noise: bool, seed: int = 1):
    scenario = load_scenario_text(
        TEXT.replace("NOISE", str(noise).lower()), source="<t>", base_dir=ROOT_SCENARIOS
    )
    return simulate(scenario, seed=seed), build_world(scenario)


def test_without_noise_every_stage_takes_the_prediction():
    raw, world = run(False)
    predicted = float(world.layer_seconds("cnn", "box").sum())
    np.testing.assert_allclose(raw.tasks["compute_time"], predicted, rtol=1e-12)


def test_noise_keeps_the_mean_and_has_the_measured_spread():
    raw, world = run(True)
    times = world.layer_seconds("cnn", "box")
    spread = world.layer_spread("cnn", "box")
    predicted = float(times.sum())
    sigma = math.sqrt(float(np.sum((times * spread) ** 2))) / predicted / 1.349
    assert sigma > 0.0, "the shipped profile measured a spread"
    samples = raw.tasks["compute_time"] / predicted
    n = len(samples)
    assert n > 1000
    # Mean factor 1: inside a 99.9% interval of the sample mean (lognormal sd ~ sigma for small sigma).
    assert abs(samples.mean() - 1.0) < 3.3 * samples.std(ddof=1) / math.sqrt(n)
    # Spread of the log factor equals sigma within sampling error (chi-square, 99.9%).
    log_sd = np.log(samples).std(ddof=1)
    assert log_sd == pytest.approx(sigma, rel=3.3 / math.sqrt(2 * (n - 1)) * 1.5)


def test_noise_is_repeatable_for_a_seed():
    a, _ = run(True, seed=3)
    b, _ = run(True, seed=3)
    np.testing.assert_array_equal(a.tasks["compute_time"], b.tasks["compute_time"])
