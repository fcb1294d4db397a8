"""Tiny calibrations that really time kernels (a few seconds in all)."""

import numpy as np
import pytest
from calibration_graphs import tiny_cnn

from offloadsim.calibration import calibrate, save_profile
from offloadsim.calibration.kernels import kernel_for, random_inputs, supported
from offloadsim.calibration.numpy_ops import numpy_kernel
from offloadsim.calibration.specs import ModelSpec
from offloadsim.world.profiles.calibrated import load_profile
from offloadsim.world.profiles.fusion import NO_FUSION, ORT_FUSION, distinct_units


def test_numpy_kernels_give_the_layer_output_shapes():
    from offloadsim.models import get_model

    for name in ("resnet18", "mobilenet_v2", "efficientnet_b0", "squeezenet1_1"):
        for unit in distinct_units([get_model(name, image_size=32)], NO_FUSION):
            assert supported(unit)
            y = numpy_kernel(unit, random_inputs(unit), np.random.default_rng(0))()
            assert y.shape == unit.configs[-1].output_shape, unit.group


def test_tiny_numpy_calibration_runs_for_real(tmp_path):
    graph = tiny_cnn()

    def tiny_numpy():
        return calibrate(
            [ModelSpec("tiny", graph)],
            backend="numpy",
            warmup=1,
            repeats=3,
            cache_dir=tmp_path / "cache",
            correction=False,
        )

    profile = tiny_numpy()
    assert profile.kind == "calibrated" and profile.backend["name"] == "numpy"
    assert len(profile.measured) == 3
    assert all(t.seconds > 0 for t in profile.measured.values())
    seconds = profile.layer_seconds(graph)
    assert seconds.shape == (3,) and np.all(seconds > 0)
    assert profile.predict(graph).source == ("measured",) * 3
    assert len((tmp_path / "cache").glob("*.jsonl").__next__().read_text().splitlines()) == 3
    again = load_profile(save_profile(profile, tmp_path / "tiny.json"))
    np.testing.assert_array_equal(again.layer_seconds(graph), seconds)
    # A rerun takes every unit from the cache, and its profile and first line say so.
    from offloadsim.cli.calibrate import _timed_line

    rerun = tiny_numpy()
    assert (profile.provenance["units_cached"], rerun.provenance["units_cached"]) == (0, 3)
    assert "from the timing cache" not in _timed_line(profile.provenance, 1, tmp_path / "cache")
    line = _timed_line(rerun.provenance, 1, tmp_path / "cache")
    assert line.startswith(
        "3 units of 1 model(s) (0 without a kernel, predicted by the fit): 0 timed now, 3 read"
    )
    assert f"read from the timing cache ({tmp_path / 'cache'}), timed by an earlier calibrate" in line, line
    assert line.endswith("(--no-cache times every unit again)")


def test_tiny_onnxruntime_calibration_runs_for_real(tmp_path):
    pytest.importorskip("onnxruntime")
    graph = tiny_cnn()
    profile = calibrate(
        [ModelSpec("tiny", graph)], backend="onnxruntime", warmup=1, repeats=3, correction=False
    )
    units = distinct_units([graph], ORT_FUSION)
    assert len(units) == 2  # conv+relu fused, pool alone
    assert profile.predict(graph).source == ("measured", "fused", "measured")
    seconds = profile.layer_seconds(graph)
    assert seconds[0] > 0 and seconds[1] == 0 and seconds[2] > 0
    assert kernel_for(units[0], "onnxruntime")() is not None  # the wall-clock kernel path runs too
    # no correction: the profile says so, and the layout caveat questions it as a refused fit
    assert profile.correction["fitted"] is False and profile.correction["skipped"] == "--no-correction"
    assert profile.layout_s_per_byte == 0.0


def test_whole_model_timing_and_layout_correction():
    pytest.importorskip("onnxruntime")
    from offloadsim.calibration import fit_layout_correction, resolve_models
    from offloadsim.calibration.report import accuracy_table

    specs = resolve_models(["squeezenet1_1@32"])
    profile = calibrate(specs, warmup=1, repeats=3, correction=False)
    profile, measured = fit_layout_correction(profile, specs, warmup=1, repeats=3)
    timing = measured["squeezenet1_1@32"]
    assert timing.seconds > 0 and timing.runs >= 3 and profile.layout_s_per_byte >= 0
    assert timing.wall_seconds >= timing.seconds * 0.9  # thread CPU time: never much above the wall time
    table = accuracy_table(profile, specs, measured=measured)
    assert list(table["role"]) == ["train"] and np.isfinite(table["error_pct"]).all()
    assert np.isfinite(table["ci_pct"]).all() and (table["untimed_pct"] == 0).all()
