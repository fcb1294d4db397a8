"""calibrate's progress as compare's and sweep's: a bar on a terminal only, and one for the whole models too.

Piped (``calibrate ... | tee log``), it wrote tqdm's bar anyway, its first ETA 53:24; and the
second phase, some 45 s timing whole models, showed nothing at all.
"""

import pytest
from terminal_output import drawn_on_a_terminal

from offloadsim.cli.main import main as run


def test_no_bar_where_stderr_is_not_a_terminal(tmp_path, capsys):
    out = tmp_path / "p.json"
    argv = ["calibrate", "--models", "squeezenet1_1@32", "--backend", "numpy", "--repeats", "2"]
    assert run([*argv, "--warmup", "1", "--no-cache", "--out", str(out)]) == 0  # no -q
    err = capsys.readouterr().err
    assert "calibrate numpy" not in err and "unit/s" not in err and "\r" not in err, err


def test_timing_whole_models_shows_a_bar_over_the_models_on_a_terminal(monkeypatch):
    pytest.importorskip("onnxruntime")
    from offloadsim.calibration import resolve_models
    from offloadsim.calibration.report import time_whole_models
    from offloadsim.world.profiles import get_profile

    specs = resolve_models(["squeezenet1_1@32", "mobilenet_v2@32"])
    profile = get_profile("epyc-ort-1t")  # onnxruntime, one thread on the CPU
    timed: dict = {}

    def draw(progress: bool) -> None:
        timed.update(time_whole_models(specs, profile, warmup=1, repeats=2, max_repeats=2, progress=progress))

    drawn = drawn_on_a_terminal(monkeypatch, lambda: draw(True))
    assert "timing whole models" in drawn and "/2 [" in drawn and "model/s" in drawn, drawn  # a bar over 2
    assert set(timed) == {"squeezenet1_1@32", "mobilenet_v2@32"}
    assert "timing whole models" not in drawn_on_a_terminal(monkeypatch, lambda: draw(False))
