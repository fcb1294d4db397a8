"""A profile says how far to trust it: noisy timings, a poor fit, and models made of what it never timed."""

import doctest
from dataclasses import replace

import pytest
from calibration_graphs import synthetic_profile

from offloadsim.calibration.profile import save_profile
from offloadsim.calibration.specs import resolve_models
from offloadsim.calibration.trust import TRUST_MODELS, assess
from offloadsim.models import get_model
from offloadsim.world.profiles import trust
from offloadsim.world.profiles.trust import caveats, extrapolated, profile_issues, recorded_caveats


def profile_of(*models, name="cnn-box", **provenance):
    """A profile fitted to made-up timings of ``models``' units, all of them measured."""
    return synthetic_profile(models, name=name, **provenance)


def test_docstring_examples():
    result = doctest.testmod(trust)
    assert result.attempted > 0 and result.failed == 0


def test_alexnet_and_resnet18_say_nothing_about_efficientnet():
    """The issue's case: such a profile predicted EfficientNet-B0 at 2,064 ms (29 ms measured), silently."""
    profile = profile_of("alexnet", "resnet18")
    share, kinds = extrapolated(profile, get_model("efficientnet_b0"))
    assert share > trust.MAX_EXTRAPOLATED
    assert "act/silu" in kinds and any(k.startswith("conv/depthwise") for k in kinds)
    assert extrapolated(profile, get_model("resnet18"))[0] == 0.0
    assert extrapolated(profile, get_model("resnet18", image_size=160))[0] < 0.05  # same kinds, other sizes
    # ResNet-50's bottlenecks are 1x1 convolutions with ReLU; ResNet-18 has three 1x1 ones, without
    share, kinds = extrapolated(profile, get_model("resnet50"))
    assert share > trust.MAX_EXTRAPOLATED and "conv/pointwise+relu" in kinds
    line, layout = caveats(profile, {"efficientnet_b0": get_model("efficientnet_b0")})
    assert "not to be trusted for efficientnet_b0" in line and "act/silu" in line
    assert "it converts 18 MB" in layout and "--no-correction" in layout  # made-up timings: no correction


def test_squeezenet_says_nothing_about_mobilenet_v2s_convolutions():
    """A new user's case: a SqueezeNet profile predicted MobileNetV2 at -19.8 %, with no caveat.

    Counting op kinds, only 12-14 % of MobileNetV2's work was untimed (the depthwise convolutions):
    its 1x1 convolutions were "conv/pointwise+act" like SqueezeNet's, but with ReLU6 (a further
    pass over the output) or with no activation at all. Counting variants, none of it was timed.
    """
    squeezenet = profile_of("squeezenet1_1")
    mobilenet = get_model("mobilenet_v2")
    share, kinds = extrapolated(squeezenet, mobilenet)
    assert share > trust.MAX_EXTRAPOLATED
    assert {"conv/pointwise+relu6", "conv/pointwise", "conv/depthwise+relu6"} <= set(kinds)
    (line,) = caveats(squeezenet, {"mobilenet_v2": mobilenet})
    assert "not to be trusted for mobilenet_v2" in line and "conv/pointwise+relu6" in line
    # A profile that timed those variants (on MobileNetV2 at 224 px) is trusted at another size.
    assert (
        extrapolated(profile_of("squeezenet1_1", "mobilenet_v2"), get_model("mobilenet_v2", image_size=160))[
            0
        ]
        < 0.05
    )
    assert extrapolated(squeezenet, mobilenet, variants=False)[0] < trust.MAX_EXTRAPOLATED  # by kind: none


def test_assess_records_which_models_a_profile_is_not_for():
    profile = profile_of("alexnet", "resnet18")
    record = assess(profile, resolve_models(TRUST_MODELS))
    assert record["ok"] is True  # nothing wrong with the profile itself ...
    assert "efficientnet_b0" in record["untrusted_for"]  # ... but not for this one
    assert "resnet18" not in record["untrusted_for"] and record["extrapolated_pct"]["alexnet"] == 0.0
    profile = replace(profile, trust=record)
    warned = recorded_caveats(profile)
    assert list(record["layout_untrusted_for"]) == ["efficientnet_b0"]  # made-up timings: no correction
    assert len(warned) == len(record["untrusted_for"]) + 1 and all("--models" in line for line in warned)


@pytest.mark.parametrize(
    ("provenance", "report", "phrase"),
    [
        ({"noise": {"median_ci_pct": 7.0}}, {}, "noisy"),
        ({"fit": {"mdape": 0.3}}, {}, "fits its own timings poorly"),
        ({}, {"held_out": {"models": 12, "within": 5}, "tolerance_pct": 10}, "5 of 12 held-out"),
    ],
)
def test_profile_wide_issues(provenance, report, phrase):
    profile = replace(profile_of("resnet18", **provenance), report=report)
    (issue,) = profile_issues(profile)
    assert phrase in issue
    assert caveats(profile)[0].startswith('profile "cnn-box" is not to be trusted: ')


def test_a_quiet_well_fitted_profile_has_no_issues():
    profile = profile_of("resnet18", noise={"median_ci_pct": 1.0}, fit={"mdape": 0.05})
    profile = replace(profile, report={"held_out": {"models": 12, "within": 11}})
    assert profile_issues(profile) == [] and caveats(profile, {"r": get_model("resnet18")}) == []


SCENARIO = """
name: trust
duration: 1 s
nodes:
  box: {tier: edge, processor: {profile: cnn-box}}
applications:
  cnn: {model: MODEL}
workload:
  - {app: cnn, sources: box, arrivals: periodic, period: 1 s}
policy: local
"""


EPYC_THERE = {
    "family": 25,
    "model": 1,
    "stepping": 1,
    "caches": {"L1d": 32 << 10, "L2": 1 << 20, "L3": 8 << 20},
}


def _world_notes(tmp_path, model, monkeypatch, cpu="test CPU", there=EPYC_THERE, here=EPYC_THERE):
    """The notes of a world costing ``model`` on a profile of 'test CPU' (fingerprint ``there``)."""
    from offloadsim.scenario import load_scenario
    from offloadsim.world import build_world

    monkeypatch.setattr("offloadsim.host.cpu_model", lambda: cpu)
    monkeypatch.setattr("offloadsim.host.cpu_fingerprint", lambda: here)
    provenance = {"cpu": there} if there is not None else {}
    save_profile(profile_of("alexnet", "resnet18", **provenance), tmp_path / "profiles" / "cnn-box.json")
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.replace("MODEL", model))
    return build_world(load_scenario(path)).notes


def test_a_scenario_says_when_its_profile_is_not_to_be_trusted_for_its_model(tmp_path, monkeypatch):
    notes = _world_notes(tmp_path, "efficientnet_b0", monkeypatch)
    assert any("not to be trusted for applications.cnn (efficientnet_b0)" in n for n in notes)
    assert _world_notes(tmp_path, "alexnet", monkeypatch) == ()


def test_a_scenario_says_how_a_calibrated_profile_costs_an_llm(tmp_path, monkeypatch):
    """GPT-2 on a profile timed on CNNs ran at its two sustained rates, and no note said so."""
    (note,) = _world_notes(tmp_path, "gpt2", monkeypatch)
    assert note.startswith("applications.cnn (gpt2) on cnn-box: a calibrated profile costs an LLM's prefill")
    assert note.endswith("(a roofline), not by the kernels it timed")


def test_a_scenario_says_when_its_profile_was_measured_on_another_cpu(tmp_path, monkeypatch):
    notes = _world_notes(tmp_path, "resnet18", monkeypatch, cpu="Some Other CPU")
    (note,) = notes
    assert "calibrated on test CPU" in note and "not on this machine's Some Other CPU" in note
    assert note.endswith(SIMULATES)


#: How each note of a profile calibrated on another CPU, or perhaps on another, ends: a new user read
#: "it may simulate another CPU" as "my results depend on my machine"; they are the calibrated CPU's.
SIMULATES = (
    ": results simulate that CPU, whatever machine runs the simulator "
    "(run offloadsim calibrate to simulate yours)"
)


def test_a_cpu_of_the_same_name_with_other_caches_is_another_cpu(tmp_path, monkeypatch):
    """Cloud VMs of other CPUs report one generic name ('AMD EPYC'): the fingerprint tells them apart."""
    here = {**EPYC_THERE, "model": 17, "caches": {**EPYC_THERE["caches"], "L3": 32 << 20}, "logical_cores": 2}
    (note,) = _world_notes(tmp_path, "resnet18", monkeypatch, here=here)
    assert note == (
        'profile "cnn-box" was calibrated on another test CPU than this machine\'s (?; '
        "L3 8 MiB there, 32 MiB here; model 1 there, 17 here)" + SIMULATES
    )
    # the same CPU in a VM of more cores, or a machine that reads less of itself: nothing to say
    assert _world_notes(tmp_path, "resnet18", monkeypatch, here={**EPYC_THERE, "logical_cores": 16}) == ()
    assert _world_notes(tmp_path, "resnet18", monkeypatch, here={"model": 1}) == ()


def test_a_profile_that_records_only_a_shared_name_says_it_cannot_tell(tmp_path, monkeypatch):
    (note,) = _world_notes(tmp_path, "resnet18", monkeypatch, there=None)
    assert note == 'profile "cnn-box" was calibrated on a CPU named test CPU (?)' + SIMULATES
    assert "may simulate another CPU" not in note
    (again,) = _world_notes(tmp_path, "resnet18", monkeypatch, here={})  # here nothing to compare with
    assert again == note


def test_the_run_summary_prints_the_notes(tmp_path, monkeypatch, capsys):
    from offloadsim.cli import main

    _world_notes(tmp_path, "efficientnet_b0", monkeypatch, cpu="Some Other CPU")
    assert main(["run", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "run")]) == 0
    out = capsys.readouterr().out
    assert 'note: profile "cnn-box" was calibrated on test CPU' in out
    assert 'note: profile "cnn-box" is not to be trusted for applications.cnn (efficientnet_b0)' in out
    import json

    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert len(manifest["notes"]) == 3  # the CPU, the untimed kinds, the layout (no correction)


def test_validate_says_what_a_run_would_of_the_file_but_not_of_this_machine(tmp_path, monkeypatch, capsys):
    """`validate` printed "ok" and no word of a profile not to be trusted for the file's model."""
    from offloadsim.cli import main

    _world_notes(tmp_path, "efficientnet_b0", monkeypatch, cpu="Some Other CPU")
    scenario = str(tmp_path / "s.yaml")
    assert main(["validate", scenario]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("ok: ")
    untrusted = [
        line for line in lines if line.startswith('note: profile "cnn-box" is not to be trusted for')
    ]
    assert len(untrusted) == 2 and len(lines) == 3  # the untimed kinds, the layout; not the CPU's note
    assert main(["run", scenario, "--out", str(tmp_path / "run")]) == 0
    ran = capsys.readouterr().out.splitlines()
    assert all(line in ran for line in untrusted)  # the lines a run prints, word for word
    assert main(["validate", scenario, "--show"]) == 0  # the world's summary: its notes, the CPU's too
    shown = capsys.readouterr().out
    assert all(shown.count(line) == 1 for line in untrusted) and "calibrated on test CPU" in shown
    _world_notes(tmp_path, "alexnet", monkeypatch, cpu="Some Other CPU")
    assert main(["validate", scenario]) == 0
    assert capsys.readouterr().out.count("\n") == 1  # a model it can be trusted for: nothing to say


def test_compare_and_sweep_print_the_notes_too(tmp_path, monkeypatch, capsys):
    from offloadsim.cli import main

    _world_notes(tmp_path, "efficientnet_b0", monkeypatch)
    argv = ["compare", str(tmp_path / "s.yaml"), "--policies", "local", "--replications", "1"]
    assert main([*argv, "--workers", "1", "--out", str(tmp_path / "cmp")]) == 0
    assert 'note: profile "cnn-box" is not to be trusted for applications.cnn' in capsys.readouterr().out
    (tmp_path / "sweep.yaml").write_text("base: s.yaml\ngrid:\n  duration: [1 s, 2 s]\nreplications: 1\n")
    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--workers", "1", "--out", str(tmp_path / "sw")]) == 0
    out = capsys.readouterr().out
    assert (
        out.count('note: profile "cnn-box" is not to be trusted for applications.cnn') == 2
    )  # kinds, layout


def test_a_model_in_another_precision_is_not_told_to_calibrate_on_itself():
    """calibrate times fp32 kernels, so an int8 model's units are never timed however it is calibrated:
    the note used to say 'calibrate on this model' of the very model the profile was fitted to."""
    profile = profile_of("alexnet")
    assert caveats(profile, {"alexnet": get_model("alexnet")}) == []
    (line,) = caveats(profile, {"alexnet (int8)": get_model("alexnet", precision="int8")})
    assert "not to be trusted for alexnet (int8)" in line
    assert line.endswith("calibrate times fp32 only, so its int8 layers are predicted from the fit")
    assert "calibrate on this model" not in line


def test_a_model_timed_at_another_size_is_named_at_its_size_and_told_which_size_to_time():
    """A new user's case: a profile calibrated on SqueezeNet at 224 px, a scenario running it at 160 px:
    the note named ``squeezenet1_1``, the very model calibrated, and said to calibrate on it."""
    from offloadsim.world.profiles.trust import model_label

    profile = profile_of("squeezenet1_1")  # its provenance records the models it timed
    at_160 = get_model("squeezenet1_1", image_size=160)
    assert (
        model_label(at_160) == "squeezenet1_1@160"
        and model_label(get_model("squeezenet1_1")) == "squeezenet1_1"
    )
    (line,) = caveats(profile, {f"applications.classify ({model_label(at_160)})": at_160})
    assert "not to be trusted for applications.classify (squeezenet1_1@160): " in line
    assert line.endswith(
        "it timed squeezenet1_1 at 224 px only, and at 160 px these kinds are predicted by fits to too few "
        "timings; calibrate at this size too (--models squeezenet1_1@160)"
    )
    assert caveats(profile, {"applications.classify (squeezenet1_1)": get_model("squeezenet1_1")}) == []
    # Timed at another size only, the model at its default size is told its size: a trial's caveat read
    # "it timed squeezenet1_1 at 192 px only, and at  px these kinds are predicted ...".
    (default,) = caveats(profile_of("squeezenet1_1@192"), {"squeezenet1_1": get_model("squeezenet1_1")})
    assert default.endswith(
        "it timed squeezenet1_1 at 192 px only, and at 224 px these kinds are predicted by fits to too few "
        "timings; calibrate at this size too (--models squeezenet1_1)"
    ), default
    # Another model is still told to calibrate on itself.
    (other,) = caveats(profile, {"mobilenet_v2": get_model("mobilenet_v2")})
    assert other.endswith("calibrate on this model (--models or --onnx)")


def test_a_failed_held_out_check_says_its_bar_and_whose_error_decided_it():
    """One held-out model at +10.7 % against +-10 % made the whole profile "not to be trusted", with
    nothing saying that the bar is a share of held-out models and that one model's error decided it."""
    rows = [
        {"model": "squeezenet1_1", "role": "train", "error_pct": 0.5},
        {"model": "squeezenet1_1@160", "role": "held-out", "error_pct": 10.7},
    ]
    report = {"held_out": {"models": 1, "within": 0}, "tolerance_pct": 10, "rows": rows}
    (issue,) = profile_issues(replace(profile_of("squeezenet1_1"), report=report))
    assert issue == (
        "only 0 of 1 held-out models were predicted within ±10% (squeezenet1_1@160 +10.7%), fewer than the "
        "75% of them the held-out check asks for; with one held-out model, its error alone decides this "
        "(--holdout more models)"
    )
