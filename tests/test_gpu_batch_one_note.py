"""A layer graph on a built-in GPU profile is said to run at the assumed efficiency, with the published ratio.

The quickstart's cloud runs ResNet-50 on ``a100`` at 0.40 of its peak, 7 times faster than
MLPerf's published batch-one latency (docs/profiles.md, "Batch one against published
latencies"), and a run said nothing of it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from offloadsim.cli import main
from offloadsim.world.profiles.published import RESNET50_INT8_BATCH_ONE_MS, batch_one_ratio

QUICKSTART = str(Path(__file__).resolve().parents[1] / "scenarios" / "quickstart.yaml")
SAID = "a built-in GPU profile runs each layer at an assumed 0.40 of its data-sheet peak"


def _gpu_notes(capsys, *argv: str) -> list[str]:
    assert main([*argv]) == 0
    captured = capsys.readouterr()
    return [line for line in (captured.out + captured.err).splitlines() if SAID in line]


@pytest.mark.parametrize(
    "argv",
    [
        ["run", QUICKSTART, "--dry-run"],
        ["compare", QUICKSTART, "--policies", "local,edge,cloud", "--dry-run"],
    ],
    ids=["run", "compare"],
)
def test_a_cnn_on_a100_is_noted_once_with_its_published_ratio(argv, capsys):
    (note,) = _gpu_notes(capsys, *argv)
    assert "applications.classify (resnet50) on a100" in note
    assert "7.2x on a100" in note and "docs/profiles.md#batch-one-against-published-latencies" in note


def test_two_gpu_profiles_are_one_line_and_an_unchecked_one_is_said_so(capsys):
    (note,) = _gpu_notes(capsys, "run", QUICKSTART, "--dry-run", "--set", "nodes.edge.processor.profile=t4")
    assert "on t4, a100" in note and "no published batch-one time checks t4" in note


def test_validate_checks_the_file_and_leaves_the_note_to_a_run(capsys):
    assert _gpu_notes(capsys, "validate", QUICKSTART) == []


def test_no_gpu_note_on_cpu_profiles_or_a_plain_speed(capsys):
    cpu = ["--set", "nodes.cloud.processor.profile=cortex-a76"]
    assert _gpu_notes(capsys, "run", QUICKSTART, "--dry-run", *cpu) == []
    speed = ["--set", "nodes.cloud.processor={speed: 17.5 TFLOP/s, cores: 8}"]
    assert _gpu_notes(capsys, "run", QUICKSTART, "--dry-run", *speed) == []


def test_the_ratio_is_published_over_simulated_from_the_one_table():
    # The note and docs/profiles.md's comparison read the same table; 0.0654 ms is the dry run there.
    assert batch_one_ratio("a100") == pytest.approx(
        RESNET50_INT8_BATCH_ONE_MS["a100", "MLPerf Inference v3.0"] / 0.0654, rel=0.01
    )
    assert batch_one_ratio("jetson-orin") == pytest.approx(1.07, abs=0.01)
    assert batch_one_ratio("t4") is None and batch_one_ratio("h100") is None
