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
    # a dry run runs nothing: the A100 would be allowed to run it (the quickstart's run puts nothing there)
    assert "applications.classify (resnet50, fp32) would be allowed to run on a100: " in note
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


_NO_CLOUD_LINK = (
    "links=[{between: [phone-*, ap], bandwidth: 20 Mbps, latency: 3 ms}, "
    "{between: [ap, edge], bandwidth: 1 Gbps, latency: 0.5 ms}]"
)


@pytest.mark.parametrize(
    "overrides",
    [
        ["policy.name=local"],
        ["policy={name: fixed, nodes: [$source]}"],
        [_NO_CLOUD_LINK],
    ],
    ids=["local", "fixed-on-source", "cloud-unreachable"],
)
def test_no_gpu_note_where_no_layer_can_run_on_the_gpu(overrides, capsys):
    """A run that keeps every task on the phones, or whose phones cannot reach the A100, said it too."""
    sets = [arg for value in overrides for arg in ("--set", value)]
    assert _gpu_notes(capsys, "run", QUICKSTART, "--dry-run", *sets) == []


def test_a_run_of_another_policy_is_noted_under_the_policy_it_runs():
    """``run --policy local`` of the quickstart (whose own policy offloads) computes nothing on the A100."""
    from offloadsim import api

    def gpu_notes(policy: str) -> list[str]:
        result = api.run(QUICKSTART, overrides=["duration=2 s", "warmup=0 s"], policy=policy)
        return [note for note in result.manifest["notes"] if SAID in note]

    assert gpu_notes("local") == []
    (note,) = gpu_notes("cloud")
    assert "applications.classify (resnet50, fp32) on a100" in note


@pytest.mark.parametrize(
    ("overrides", "unchecked"),
    [
        ([], "; no published point checks fp32 ("),
        (["applications.classify.model=mobilenet_v2"], "; no published point checks fp32 or mobilenet_v2 ("),
        (["applications.classify.params.precision=int8"], None),
    ],
    ids=["fp32", "mobilenet-fp32", "resnet50-int8"],
)
def test_the_note_says_its_evidence_is_one_point_and_what_it_leaves_unchecked(overrides, unchecked, capsys):
    """The note read as if every model and precision ran 7.2x too fast; its evidence is int8 ResNet-50."""
    sets = [arg for value in overrides for arg in ("--set", value)]
    (note,) = _gpu_notes(capsys, "run", QUICKSTART, "--dry-run", *sets)
    assert (
        "one published point checks it, int8 ResNet-50 at batch one, slower than simulated: 7.2x on a100"
        in note
    )
    if unchecked is None:
        assert "no published point checks" not in note
    else:
        assert unchecked in note


def test_the_ratio_is_published_over_simulated_from_the_one_table():
    # The note and docs/profiles.md's comparison read the same table; 0.0654 ms is the dry run there.
    assert batch_one_ratio("a100") == pytest.approx(
        RESNET50_INT8_BATCH_ONE_MS["a100", "MLPerf Inference v3.0"] / 0.0654, rel=0.01
    )
    assert batch_one_ratio("jetson-orin") == pytest.approx(1.07, abs=0.01)
    assert batch_one_ratio("t4") is None and batch_one_ratio("h100") is None


@pytest.mark.parametrize(
    ("policy", "noted"),
    [
        ("fixed(node=edge)", False),
        ("fixed(nodes=[$source, edge], cuts=[4])", False),
        ("edge", False),
        ("edge(fallback=drop)", False),
        ("fixed(node=cloud)", True),
        ("fixed(nodes=[$source, cloud], cuts=[4])", True),
        ("cloud", True),
        ("random", True),
    ],
)
def test_the_note_only_under_a_policy_that_may_place_on_the_gpu(policy, noted, capsys):
    """``run --policy 'fixed(node=edge)'`` ran nothing on the cloud's A100 and said its batch-one note."""
    assert len(_gpu_notes(capsys, "run", QUICKSTART, "--dry-run", "--policy", policy)) == noted


def test_a_run_of_a_fixed_plan_off_the_gpu_keeps_no_note_in_its_manifest():
    from offloadsim import api

    def gpu_notes(node: str) -> list[str]:
        overrides = ["duration=2 s", "warmup=0 s"]
        result = api.run(QUICKSTART, overrides=overrides, policy="fixed", policy_params={"node": node})
        return [note for note in result.manifest["notes"] if SAID in note]

    assert gpu_notes("edge") == []
    assert len(gpu_notes("cloud")) == 1


def test_run_dry_run_notes_under_the_policy_given_not_the_files(capsys):
    """The quickstart's own policy (neurosurgeon) may run layers on the A100; ``--policy local`` cannot."""
    assert _gpu_notes(capsys, "run", QUICKSTART, "--dry-run", "--policy", "local") == []
    assert len(_gpu_notes(capsys, "run", QUICKSTART, "--dry-run")) == 1


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "run"])
def test_compare_says_which_policies_the_note_holds_under(dry_run, tmp_path, capsys):
    argv = ["compare", QUICKSTART, "--policies", "local,edge,cloud", "--set", "policy.name=local"]
    argv += (
        ["--dry-run"] if dry_run else ["--set", "duration=2 s", "--set", "warmup=0 s", "--out", str(tmp_path)]
    )
    (note,) = _gpu_notes(capsys, *argv)
    assert note.endswith("(docs/profiles.md#batch-one-against-published-latencies) (under cloud only)")


def test_compare_of_policies_that_all_may_use_the_gpu_says_the_note_plainly(capsys):
    (note,) = _gpu_notes(capsys, "compare", QUICKSTART, "--policies", "cloud,neurosurgeon", "--dry-run")
    assert note.endswith("(docs/profiles.md#batch-one-against-published-latencies)")
    assert _gpu_notes(capsys, "compare", QUICKSTART, "--policies", "local,edge", "--dry-run") == []


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "run"])
def test_a_sweep_over_precision_says_the_note_once_for_both(dry_run, tmp_path, capsys):
    """Each point's world said the line of its own precision: two long lines alike but for it.

    Under ``cloud``: a run says the line only where it computed on the A100, and the quickstart's
    own ``neurosurgeon`` puts no task there.
    """
    sweep = tmp_path / "precision.yaml"
    sweep.write_text(
        f"name: precision\nbase: {QUICKSTART}\nset: {{duration: 2 s, warmup: 0 s, policy.name: cloud}}\n"
        "grid:\n  applications.classify.params.precision: [fp32, int8]\n"
    )
    argv = ["sweep", str(sweep), "--out", str(tmp_path / "out"), *(["--dry-run"] if dry_run else [])]
    (note,) = _gpu_notes(capsys, *argv)
    on = "would be allowed to run on" if dry_run else "on"
    assert f"note: applications.classify (resnet50, fp32 and int8) {on} a100: " in note
    assert note.endswith(
        "7.2x on a100; no published point checks fp32"
        " (docs/profiles.md#batch-one-against-published-latencies)"
    )


LLM = str(Path(__file__).resolve().parents[1] / "scenarios" / "llm-assistant.yaml")


def test_an_llms_prefill_on_a_gpu_is_noted_where_a_policy_may_run_it_there(capsys):
    """The 8B's TTFT on the cloud A100 rests on 0.40 of its bf16 peak, and its run said nothing of it.

    Its decode has its own note (a bandwidth ceiling); its prefill runs at the assumed efficiency
    as a CNN's layers do.  Under ``local`` no GPU runs it: no note.
    """
    (note,) = _gpu_notes(capsys, "run", LLM, "--dry-run", "--policy", "cloud")
    chat_8b = "note: applications.chat-8b (llama-3.1-8b prefill, bf16) would be allowed to run on a100: "
    assert note.startswith(chat_8b + SAID)
    assert "7.2x on a100" in note and "no published point checks bf16 or llama-3.1-8b prefill" in note
    (both,) = _gpu_notes(capsys, "run", LLM, "--dry-run", "--policy", "model-select")
    assert "applications.chat-1b (llama-3.2-1b prefill, bf16) would be allowed to run on jetson-orin;" in both
    assert _gpu_notes(capsys, "run", LLM, "--dry-run", "--policy", "local") == []


def test_a_run_says_the_gpu_ran_it_where_its_dry_run_says_it_would_be_allowed_to(tmp_path, capsys):
    """A dry run simulates nothing, and said "applications.classify (resnet50, fp32) on a100" as a run."""
    argv = ["run", QUICKSTART, "--policy", "cloud", "--set", "duration=2 s", "--set", "warmup=0 s"]
    (ahead,) = _gpu_notes(capsys, *argv, "--dry-run")
    (ran,) = _gpu_notes(capsys, *argv, "--out", str(tmp_path / "run"))
    assert ahead.startswith("note: applications.classify (resnet50, fp32) would be allowed to run on a100: ")
    assert ran.startswith("note: applications.classify (resnet50, fp32) on a100: ")
    assert ahead.replace(" would be allowed to run on ", " on ") == ran


def test_a_fusing_gpu_is_compared_with_its_fused_time(capsys):
    """With ``fusion: onnxruntime`` the simulated time is shorter, so the published point is further off.

    The note said "7.2x on a100" whatever the processor's fusion; fused, int8 ResNet-50 on the a100
    is simulated in about 0.039 ms against MLPerf's 0.47 ms: 12x.
    """
    (note,) = _gpu_notes(
        capsys,
        "run",
        QUICKSTART,
        "--dry-run",
        "--set",
        "nodes.cloud.processor.fusion=onnxruntime",
        "--policy",
        "fixed(node=cloud)",
    )
    fused = batch_one_ratio("a100", "onnxruntime")
    assert fused is not None and fused > 1.5 * batch_one_ratio("a100")  # type: ignore[operator]
    assert f"{fused:.2g}x on a100 (onnxruntime fusion)" in note and "7.2x" not in note


def test_an_int4_llms_prefill_is_said_with_the_precision_it_computes_in(tmp_path, capsys):
    """A sweep over precisions said ``bf16 and fp16 and int8``: its int4 points' prefill, which
    computes in fp16 at the same assumed share of the peak, was merged into fp16's and not named."""
    sweep = tmp_path / "precision.yaml"
    sweep.write_text(
        f"name: precision\nbase: {LLM}\nset: {{duration: 20 s, warmup: 0 s, policy: cloud}}\n"
        "grid:\n  applications.chat-8b.params.precision: [bf16, int8, int4]\n"
    )
    (note,) = _gpu_notes(capsys, "sweep", str(sweep), "--out", str(tmp_path / "out"), "--dry-run")
    assert "(llama-3.1-8b prefill, bf16, int8 and int4 (" in note, note
    assert " compute)) would be allowed to run on a100: " in note, note  # a dry run: HG35's wording
