"""A run in another precision than its model's, or with a ``compression``, says accuracy is not modelled.

int8 ran faster and smaller, and the run's output said nothing of what quantising costs a model's
answers, which offloadsim does not model (docs/models.md#precision): a new user read the faster
run as free.  One note, under the run's table (and compare's and sweep's, ``validate``'s and the
manifest's notes), naming each such application; none for a scenario that sets neither, nor for a
precision that is the model's own (a Llama's bf16).
"""

from __future__ import annotations

import json
import re

import pytest

from offloadsim.cli import main
from offloadsim.scenario import load_scenario_text
from offloadsim.world import build_world

SCENARIO = """
name: acc
duration: 20 s
nodes:
  phone: {count: 2, tier: device, processor: {speed: 50 GFLOP/s, memory_bandwidth: 20 GB/s}}
  edge: {tier: edge, processor: {speed: 2 TFLOP/s}}
links:
  - {between: [phone-*, edge], bandwidth: 50 Mbps, latency: 5 ms}
applications:
  detect: DETECT
workload:
  - {app: detect, sources: phone-*, rate: 1 /s}
policy: local
"""

SUFFIX = ": bytes and time only; accuracy is not modelled (docs/models.md#precision)"


def _notes(detect: str, scenario: str = SCENARIO) -> list[str]:
    world = build_world(load_scenario_text(scenario.replace("DETECT", detect), source="<t>"))
    return [note for note in world.notes if "accuracy" in note]


PLAIN = (
    "; {} runs no faster than fp32 on nodes.phone.processor, whose plain speed is the same FLOP/s for every "
    "precision"
)


@pytest.mark.parametrize(
    ("detect", "said"),
    [
        (
            "{model: alexnet, params: {precision: int8}}",
            "precision int8 (applications.detect): " + PLAIN.format("int8"),
        ),
        (
            "{model: alexnet, params: {dtype_bytes: 2}}",
            "precision fp16 (applications.detect): " + PLAIN.format("fp16"),
        ),
        ("{model: alexnet, compression: int8}", "compression int8 (applications.detect): "),
        (
            "{model: alexnet, compression: int8, params: {precision: fp16}}",
            "precision fp16 (applications.detect), compression int8 (applications.detect): "
            + PLAIN.format("fp16"),
        ),
        (  # an int4 Llama computes in fp16 (W4A16), its checkpoint in bf16
            "{model: llama-3.2-1b, prompt_tokens: 64, output_tokens: 8, params: {precision: int4}}",
            "precision int4 (applications.detect): " + PLAIN.format("fp16").replace("than fp32", "than bf16"),
        ),
    ],
)
def test_a_precision_not_the_models_own_or_a_compression_is_said_once(detect, said):
    """Said once; under ``local`` on phones at a plain speed, that another precision is no faster there."""
    lead, plain = said.split(": ", 1)
    assert _notes(detect) == [lead + SUFFIX.replace(" (docs", plain + " (docs")]


def test_no_note_where_the_model_runs_in_its_own_precision_uncompressed():
    quiet = [
        "{model: alexnet}",
        "{model: alexnet, params: {precision: fp32}}",  # the model's own
        "{model: alexnet, params: {dtype_bytes: 4}}",
        "{model: llama-3.2-1b, prompt_tokens: 64, output_tokens: 8, params: {precision: bf16}}",
        "{model: llama-3.2-1b, prompt_tokens: 64, output_tokens: 8}",
        "{work: 1 GFLOP, input: 10 KB, output: 1 KB}",
    ]
    assert {detect: _notes(detect) for detect in quiet} == {detect: [] for detect in quiet}
    assert _notes("{model: alexnet, params: {precision: fp16}}")  # and where it runs in another: one


def test_a_codec_that_compresses_nothing_has_its_own_note_not_this_one():
    """fp16 activations of an int8 model: nothing is compressed, so the codec costs no accuracy."""
    assert _notes("{model: alexnet, compression: fp16, params: {precision: int8}}") == [
        "precision int8 (applications.detect)" + SUFFIX.replace(" (docs", PLAIN.format("int8") + " (docs")
    ]


def test_several_applications_make_one_note_naming_each():
    two = SCENARIO.replace(
        "  detect: DETECT\n",
        "  detect: DETECT\n  track: {model: mobilenet_v2, compression: int8}\n",
    ).replace("rate: 1 /s}", "rate: 1 /s}\n  - {app: track, sources: phone-*, rate: 1 /s}")
    assert _notes("{model: alexnet, params: {precision: fp16}}", two) == [
        "precision fp16 (applications.detect), compression int8 (applications.track)"
        + SUFFIX.replace(" (docs", PLAIN.format("fp16") + " (docs")
    ]


def _write(tmp_path, detect: str):
    path = tmp_path / "acc.yaml"
    path.write_text(SCENARIO.replace("DETECT", detect), encoding="utf-8")
    return path


def test_run_prints_the_note_once_under_its_table_and_keeps_it_in_the_manifest(tmp_path, capsys):
    path = _write(tmp_path, "{model: alexnet, input: 150 KB, output: 4 KB, params: {precision: int8}}")
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    plain = SUFFIX.replace(" (docs", PLAIN.format("int8") + " (docs")
    note = "note: precision int8 (applications.detect)" + plain
    assert out.count("accuracy is not modelled") == 1 and note in out.splitlines()
    assert out.index(note) > out.index("latency")  # under the table
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert note.removeprefix("note: ") in manifest["notes"]
    # The same run in the model's own precision says nothing of accuracy.
    path = _write(tmp_path, "{model: alexnet, input: 150 KB, output: 4 KB}")
    assert main(["run", str(path), "--out", str(tmp_path / "own")]) == 0
    assert "accuracy" not in capsys.readouterr().out


def test_compare_and_sweep_print_the_note_once(tmp_path, capsys):
    path = _write(tmp_path, "{model: alexnet, input: 150 KB, output: 4 KB, compression: int8}")
    note = "note: compression int8 (applications.detect)" + SUFFIX
    given = ["--replications", "2", "--set", "duration=5 s"]
    assert main(["compare", str(path), "--policies", "local,edge", *given, "--out", str(tmp_path / "c")]) == 0
    out = capsys.readouterr().out
    assert out.count("accuracy is not modelled") == 1 and note in out.splitlines()
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(
        "name: s\nbase: acc.yaml\nset: {duration: 5 s}\ngrid:\n  links[0].bandwidth: [10 Mbps, 50 Mbps]\n"
        "policies: [local, edge]\nreplications: 2\n",
        encoding="utf-8",
    )
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "s")]) == 0
    out = capsys.readouterr().out
    assert out.count("accuracy is not modelled") == 1 and note in out.splitlines()


def test_on_built_in_profiles_the_note_says_the_speed_up_is_the_data_sheets_peak_ratio():
    """MobileNetV2 on the phone ran 4x faster in int8 (45.7 to 11.4 ms): the A76's int8/fp32 peaks.

    The note said accuracy only; measured int8 speed-ups on phones are smaller, so it says where
    the speed-up comes from, each built-in profile's ratio worked out here from its peaks.
    """
    from offloadsim.world.profiles import BUILTIN_PROFILES

    scenario = SCENARIO.replace("{speed: 50 GFLOP/s, memory_bandwidth: 20 GB/s}", "{profile: cortex-a76}")
    scenario = scenario.replace("{speed: 2 TFLOP/s}", "{profile: a100}")
    scenario = scenario.replace("policy: local", "policy: edge")  # the a100 may run layers
    (note,) = _notes("{model: mobilenet_v2, params: {precision: int8}}", scenario)
    from offloadsim.models import get_model

    a76, a100 = (BUILTIN_PROFILES[name] for name in ("cortex-a76", "a100"))
    ratios = [profile.peak_for("int8")[1] / profile.peak_for("fp32")[1] for profile in (a76, a100)]
    # the model's own time in fp32 over int8 on each: the A100's memory-bound layers gain far less
    graphs = [get_model("mobilenet_v2", precision=p) for p in ("fp32", "int8")]
    faster = [
        float(pr.layer_seconds(graphs[0]).sum() / pr.layer_seconds(graphs[1]).sum()) for pr in (a76, a100)
    ]
    assert faster[1] < ratios[1] / 2
    assert note == (
        "precision int8 (applications.detect): bytes and time only; accuracy is not modelled; int8's peak "
        f"is {ratios[0]:.3g}x fp32's on cortex-a76 (the model {faster[0]:.3g}x faster here), "
        f"{ratios[1]:.3g}x on a100 (the model {faster[1]:.3g}x faster here): the data sheets' peak "
        "ratios, not measured; measured int8 speed-ups on a phone's CPU are 1.5-2.5x, TensorFlow Lite; "
        "a comparison between precisions, or with offloading, rests on them (docs/models.md#precision)"
    )
    # a profile without an int8 peak (the Raspberry Pi's falls back to fp32) speeds nothing up: unsaid
    pi = scenario.replace("{profile: cortex-a76}", "{profile: raspberry-pi-4}")
    (note,) = _notes("{model: mobilenet_v2, params: {precision: int8}}", pi)
    assert "int8's peak is 32x fp32's on a100 (the model " in note and "raspberry-pi-4" not in note
    assert "TensorFlow Lite" not in note  # a GPU alone: the phone-CPU measurements are not its
    # an fp16 LLM's decode and prefill: the fp16/bf16 peaks (the A76 widens bf16 to fp32, so 2x)
    (note,) = _notes(
        "{model: llama-3.2-1b, prompt_tokens: 64, output_tokens: 8, params: {precision: fp16}}", scenario
    )
    assert "fp16's peak is 2x bf16's on cortex-a76: the data sheets' peak ratios, not measured;" in note


def test_on_a_calibrated_profile_the_note_says_int8_is_costed_from_the_fit_alone():
    """The note said "int8 work is costed at its measured rate" while the edge's ResNet-50 took 5.5 % less.

    ``calibrate`` times fp32 kernels: an int8 layer matches none, so the fit prices it from its FLOPs
    and its fewer bytes (docs/calibration.md); the note says so, with the change worked out here.
    """
    from offloadsim.models import get_model
    from offloadsim.world.profiles import get_profile

    scenario = SCENARIO.replace("{speed: 2 TFLOP/s}", "{profile: xeon-ort-1t}")
    world = build_world(
        load_scenario_text(
            scenario.replace("DETECT", "{model: resnet50, params: {precision: int8}}"), source="<t>"
        )
    )
    (note,) = [note for note in world.notes if "on xeon-ort-1t:" in note]
    profile = get_profile("xeon-ort-1t")
    seconds = {
        p: float(profile.layer_seconds(get_model("resnet50", precision=p)).sum()) for p in ("fp32", "int8")
    }
    less = 100.0 * (1.0 - seconds["int8"] / seconds["fp32"])
    assert 1.0 < less < 20.0  # the fit moved it: the old note's "measured rate" would have kept it
    assert note == (
        "applications.detect (int8) on xeon-ort-1t: calibrate times fp32 kernels only, so each int8 layer "
        "is costed from the profile's fit alone (its FLOPs and its int8 bytes moved), not at a measured "
        f"int8 rate: {less:.1f} % less time than in fp32 "
        "(docs/calibration.md#how-far-a-profile-can-be-trusted)"
    )


def test_the_speed_up_is_said_only_of_hardware_the_policy_may_place_on():
    """All local on phones, a T4 edge server idle: the note named the T4's 16x and not the phones.

    A new user's run at a plain ``speed:`` read "int8 is 16x fp32's speed on t4 here" while every
    layer ran on the phones, where int8 runs no faster than fp32; a phone on a Cortex-A76 with fp16
    read "8.02x on t4" too.  Under ``edge`` both are said, and a comparison says which policy may
    place on each.
    """
    t4 = SCENARIO.replace("{speed: 2 TFLOP/s}", "{profile: t4}")
    (local,) = _notes("{model: alexnet, params: {precision: int8}}", t4)
    assert "t4" not in local and local.endswith(PLAIN.format("int8") + " (docs/models.md#precision)")
    a76 = t4.replace("{speed: 50 GFLOP/s, memory_bandwidth: 20 GB/s}", "{profile: cortex-a76}")
    (local,) = _notes("{model: alexnet, params: {precision: fp16}}", a76)
    assert "fp16's peak is 2x fp32's on cortex-a76 (the model " in local and "t4" not in local
    fp16 = "{model: alexnet, params: {precision: fp16}}"
    (edge,) = _notes(fp16, a76.replace("policy: local", "policy: edge"))
    assert (
        "fp16's peak is 2x fp32's on cortex-a76 (the model " in edge and ", 8.02x on t4 (the model " in edge
    )
    from offloadsim.scenario.model import PolicySpec

    int8 = "{model: alexnet, params: {precision: int8}}"
    world = build_world(load_scenario_text(t4.replace("DETECT", int8)))
    compared = [
        note
        for note in world.notes_under_each({"local": PolicySpec("local"), "edge": PolicySpec("edge")})
        if "accuracy" in note
    ]
    (faster,) = re.findall(r"under edge only; the model ([0-9.]+)x faster here", compared[0])
    assert compared == [
        "precision int8 (applications.detect): bytes and time only; accuracy is not modelled; int8's peak is "
        f"16x fp32's on t4 (under edge only; the model {faster}x faster here): the data sheets' peak ratios, "
        "not measured; a comparison between precisions, "
        "or with offloading, rests on them" + PLAIN.format("int8") + " (docs/models.md#precision)"
    ]
    assert 1.0 < float(faster) < 16.0
