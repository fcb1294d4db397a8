"""A distribution's sampler: numpy's draws in a fixed schedule of batches, each value handed out in C."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from offloadsim.scenario.distributions import Dist

DISTS = [
    Dist("exponential", (2.0,)),
    Dist("lognormal", (1.0, 0.5)),
    Dist("uniform", (1.0, 3.0)),
    Dist("empirical", (1.0, 2.0, 5.0)),
]
SCHEDULE = [16, 32, 64, 128, 256, 512, 1024, 1024]  # the batches, in order: 3,056 draws


def _batch(dist: Dist, rng: np.random.Generator, size: int) -> list[float]:
    """One batch of ``dist`` drawn straight from numpy, in draw order."""
    kind, p = dist.kind, dist.params
    if kind == "exponential":
        return rng.exponential(p[0], size).tolist()
    if kind == "lognormal":
        return rng.lognormal(np.log(p[0]) - 0.5 * p[1] ** 2, p[1], size).tolist()
    if kind == "uniform":
        return rng.uniform(p[0], p[1], size).tolist()
    return np.asarray(p)[rng.integers(0, len(p), size)].tolist()


@pytest.mark.parametrize("dist", DISTS, ids=lambda d: d.kind)
def test_two_samplers_of_one_generator_draw_each_batch_when_the_one_before_is_used_up(dist):
    # The records depend on this interleaving: a task's sizes come from two samplers of one stream.
    rng = np.random.default_rng(7)
    a, b = dist.sampler(rng), dist.sampler(rng)
    got = [(a(), b()) for _ in range(sum(SCHEDULE))]
    ref = np.random.default_rng(7)
    expected_a: list[float] = []
    expected_b: list[float] = []
    for size in SCHEDULE:
        expected_a += _batch(dist, ref, size)
        expected_b += _batch(dist, ref, size)
    assert [x for x, _ in got] == expected_a
    assert [y for _, y in got] == expected_b


def test_a_draw_runs_no_python_function_but_once_per_batch():
    # A draw is a call in C (the next value of the batch in hand): Python code runs only to make a
    # batch, 8 times in these 3,056 draws, not at every draw.
    draw = Dist("exponential", (1.0,)).sampler(np.random.default_rng(1))
    calls = []

    def profile(frame, event, arg):
        if event == "call":
            calls.append(frame.f_code.co_name)

    sys.setprofile(profile)
    try:
        for _ in range(sum(SCHEDULE)):
            draw()
    finally:
        sys.setprofile(None)
    assert len(calls) <= 4 * len(SCHEDULE), calls[:10]
