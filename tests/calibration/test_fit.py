import itertools

import numpy as np
import pytest

from offloadsim.calibration.fit import fit_cost_model, fit_group, nnls
from offloadsim.world.profiles.calibrated import Timing
from offloadsim.world.profiles.cost_model import FEATURES, POOLED
from offloadsim.world.profiles.fusion import LayerConfig, Unit


def brute_nnls(a, b):
    best, cost = None, np.inf
    for size in range(a.shape[1] + 1):
        for cols in itertools.combinations(range(a.shape[1]), size):
            x = np.zeros(a.shape[1])
            if cols:
                sol, *_ = np.linalg.lstsq(a[:, cols], b, rcond=None)
                if np.any(sol < 0):
                    continue
                x[list(cols)] = sol
            c = np.sum((a @ x - b) ** 2)
            if c < cost:
                best, cost = x, c
    return best


def test_nnls_is_non_negative_and_optimal():
    rng = np.random.default_rng(3)
    for _ in range(20):
        a = rng.standard_normal((30, 4))
        b = rng.standard_normal(30)
        x = nnls(a, b)
        assert np.all(x >= 0)
        assert np.sum((a @ x - b) ** 2) <= np.sum((a @ brute_nnls(a, b) - b) ** 2) + 1e-9


def test_fit_group_recovers_known_parameters_from_noisy_timings():
    rng = np.random.default_rng(7)
    n = 200
    flops = 10 ** rng.uniform(3, 9.7, n)  # sizes over six decades, as layers are
    nbytes = 10 ** rng.uniform(3, 7.7, n)
    x = np.column_stack([np.ones(n), flops, nbytes, np.zeros(n)])
    truth = np.array([4e-6, 1 / 80e9, 1 / 20e9, 0.0])
    t = (x @ truth) * rng.lognormal(0.0, 0.03, n)  # 3 % multiplicative noise
    fit = fit_group(x, t)
    np.testing.assert_allclose(fit.coef[:3], truth[:3], rtol=0.06)
    assert fit.coef[3] == 0.0
    assert fit.mdape < 0.05 and fit.r2 > 0.99


def _conv_unit(c_in, c_out, hw, k=3):
    flops = 2 * c_in * c_out * hw * hw * k * k
    cfg = LayerConfig(
        "conv",
        ((1, c_in, hw, hw),),
        (1, c_out, hw, hw),
        (("groups", 1), ("kernel", k), ("padding", k // 2), ("stride", 1)),
        flops,
        4 * c_in * c_out * k * k,
    )
    return Unit((cfg,))


def test_fit_cost_model_uses_groups_and_flags_extrapolation():
    rng = np.random.default_rng(0)
    timings = []
    for c_in, c_out, hw in zip(
        rng.integers(8, 256, 30), rng.integers(8, 256, 30), rng.integers(7, 56, 30), strict=True
    ):
        u = _conv_unit(int(c_in), int(c_out), int(hw))
        timings.append(Timing(u, 2e-6 + u.flops / 100e9, 0.01, 10))
    model = fit_cost_model(timings)
    assert set(model.groups) >= {"conv/spatial", "conv", POOLED}
    u = _conv_unit(64, 64, 28)
    seconds, group = model.predict(u)
    assert group == "conv/spatial"
    assert seconds == pytest.approx(2e-6 + u.flops / 100e9, rel=0.02)
    softmax = Unit((LayerConfig("softmax", ((1, 1000),), (1, 1000), (), 5000, 0),))
    seconds, group = model.predict(softmax)
    assert group == POOLED and seconds > 0  # never timed: the pooled fallback, flagged


def test_cold_rows_fit_the_cold_weight_coefficient():
    timings = []
    for k in range(1, 9):
        cfg = LayerConfig("linear", ((1, 1024 * k),), (1, 1024), (), 2 * 1024 * 1024 * k, 4 * 1024 * 1024 * k)
        u = Unit((cfg,))
        warm = 1e-6 + cfg.bytes_moved / 40e9
        timings.append(
            Timing(u, warm, 0.01, 10, cold_seconds=warm + cfg.param_bytes / 10e9, cold_spread=0.02)
        )
    model = fit_cost_model(timings)
    coef = dict(zip(FEATURES, model.groups["linear/vector"].coef, strict=True))
    assert coef["s_per_cold_weight_byte"] == pytest.approx(1 / 10e9, rel=0.05)
    u = timings[3].unit
    assert model.predict(u, cold=True)[0] > model.predict(u)[0]
