"""calibrate refuses an LLM (gpt2, the Llamas) as a model to time, at once and in one line.

The fit does not cost an LLM (docs/calibration.md, Limits), yet ``--models llama-3.2-1b`` built its
units' ONNX graphs with a gigabyte of weights each and printed nothing for minutes (``llama-3.1-8b``
still nothing after 400 s), for timings the profile would never use.
"""

import pytest

from offloadsim.cli import main


@pytest.mark.parametrize(
    "argv",
    [
        ["calibrate", "--models", "llama-3.2-1b"],
        ["calibrate", "--models", "squeezenet1_1,Llama-3.1-8B"],
        ["calibrate", "--models", "gpt2"],
        ["calibrate", "--models", "squeezenet1_1", "--report", "--holdout", "llama-3.2-1b"],
        ["calibrate", "report", "epyc-ort-1t", "--models", "llama-3.2-1b"],
    ],
)
def test_an_llm_is_refused_before_any_timing(argv, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert main([*argv, "-q"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("offloadsim: error: bad model ")
    assert "an LLM is not costed by the fit" in line
    assert not any(tmp_path.rglob("*.json"))
