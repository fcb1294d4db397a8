"""A shipped calibrated profile simulates models at rates it measured, and says what those rates are.

A new user found ResNet-50 simulated at about 154 GFLOP/s on ``xeon-ort-1t``, whose
``profiles show`` stated one sustained rate, 124.8 GFLOP/s. That rate is every timed
convolution and linear unit together, AlexNet's memory-bound fully connected layers and
the depthwise convolutions included; the Xeon timed ResNet-50 whole at 151 GFLOP/s, and
its dense convolutions at 142 to 156 (docs/calibration.md, *The sustained rate*). These
tests hold the simulation to what the profile measured.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from offloadsim.calibration.specs import resolve_models
from offloadsim.cli.profiles import describe_profile
from offloadsim.models import get_model
from offloadsim.scenario import load_scenario
from offloadsim.world import build_world
from offloadsim.world.profiles import SHIPPED_PROFILE_DIR
from offloadsim.world.profiles.calibrated import load_profile

SHIPPED = sorted(p.stem for p in SHIPPED_PROFILE_DIR.glob("*.json"))
CNNS = ("alexnet", "vgg16", "resnet18", "resnet50", "mobilenet_v2", "efficientnet_b0", "squeezenet1_1")
QUICKSTART = Path(__file__).resolve().parents[2] / "scenarios" / "quickstart.yaml"

# Each model the profile timed whole must be simulated within 12 % of that timing: the ±10 %
# the calibration aims at for a held-out model (calibrate's report) plus the 2 % to which its
# units' times are known (--target-ci). The largest error of either shipped profile is 11.7 %
# (ResNet-18 at 160 px on the Xeon, whose own timing spread 28 %); the median over the 12 models
# held out of the fit, held to half the target, is 3.3 % (Xeon) and 2.7 % (EPYC). The 9 the fit
# was made on are not in that median: how well a fit matches its own data is no evidence of
# prediction (over all 21 the median read 2.5 and 2.4 %).
WHOLE_MODEL_BOUND = 0.12
MEDIAN_BOUND = 0.05


def _rate(text: str, label: str) -> float:
    """The GFLOP/s ``profiles show`` states after ``label`` (e.g. ``fastest unit``), in FLOP/s."""
    found = re.search(rf"{label} ([0-9.]+) ([GT])FLOP/s", text)
    assert found, f"profiles show states no {label!r} rate:\n{text}"
    return float(found[1]) * {"G": 1e9, "T": 1e12}[found[2]]


def _simulated_rate(profile, graph) -> float:
    return sum(layer.flops for layer in graph.layers) / float(np.sum(profile.layer_seconds(graph)))


def test_the_quickstarts_edge_runs_resnet50_above_the_sustained_rate_and_below_what_show_states():
    """The user's case, in the quickstart's own world: 154 GFLOP/s against 124.8 sustained, 174 fastest."""
    world = build_world(load_scenario(QUICKSTART))
    profile = world.processors["edge"].costs
    flops = sum(layer.flops for layer in get_model("resnet50").layers)
    rate = flops / float(np.sum(world.layer_seconds("classify", "edge")))
    text = describe_profile(profile)
    assert profile.name == "xeon-ort-1t" and rate > profile.effective_flops  # what the user saw
    assert rate <= _rate(text, "fastest unit")  # what show now states bounds it
    measured = {row["model"]: row["measured_ms"] for row in profile.report["rows"]}["resnet50"]
    assert abs(rate / (flops / (measured * 1e-3)) - 1) < WHOLE_MODEL_BOUND  # and the Xeon timed it so


def test_the_dry_run_labels_a_calibrated_rate_as_the_sustained_average_not_every_layers_rate():
    """A dry run printed ``edge (124.8 GFLOP/s x4)``, read as each layer's rate: ResNet-50 runs faster."""
    from offloadsim.scenario.units import format_quantity

    world = build_world(load_scenario(QUICKSTART))
    edge, phone = world.processors["edge"], world.processors["phone-0"]
    summary = world.summary()
    sustained = format_quantity(edge.costs.effective_flops, "speed")
    assert f"edge (~{sustained} sustained, calibrated, x{edge.cores})" in summary
    assert f", edge ~{sustained}," in summary  # the applications line's rate too
    # a derived profile runs every layer at its rate (or the memory roofline): said plainly
    assert f"phone ({format_quantity(phone.speed_flops, 'speed')} x1) x20" in summary


@pytest.mark.parametrize("name", SHIPPED)
def test_no_shipped_model_is_simulated_faster_than_the_fastest_unit_show_states(name):
    """A model is a sum of units, so none may run faster than the fastest kernel the machine ran.

    A fit extrapolating past its timings (a rate per FLOP above any unit's) would break this.
    """
    profile = load_profile(SHIPPED_PROFILE_DIR / f"{name}.json")
    fastest = _rate(describe_profile(profile), "fastest unit")
    for model in CNNS:
        assert _simulated_rate(profile, get_model(model)) <= fastest, model


@pytest.mark.parametrize("name", SHIPPED)
def test_show_states_each_kinds_measured_rate_and_the_sustained_rate_between_them(name):
    profile = load_profile(SHIPPED_PROFILE_DIR / f"{name}.json")
    text = describe_profile(profile)
    kinds = {k: _rate(text, re.escape(k)) for k in ("conv/spatial", "conv/pointwise", "linear/vector")}
    sustained = _rate(text, "sustained:")
    assert abs(sustained - profile.effective_flops) <= 0.01 * sustained
    # the one rate mixes fast dense convolutions with memory-bound linear layers: it lies between
    assert kinds["linear/vector"] < sustained < min(kinds["conv/spatial"], kinds["conv/pointwise"])


@pytest.mark.parametrize("name", SHIPPED)
def test_every_model_the_profile_timed_whole_is_simulated_near_that_timing(name):
    profile = load_profile(SHIPPED_PROFILE_DIR / f"{name}.json")
    rows = profile.report["rows"]
    assert len(rows) >= 20  # nine training models and twelve held out, all CNNs at several sizes
    errors, roles = {}, {row["model"]: row["role"] for row in rows}
    for row in rows:
        graph = resolve_models([row["model"]])[0].graph
        simulated_s = float(np.sum(profile.layer_seconds(graph)))
        errors[row["model"]] = simulated_s / (row["measured_ms"] * 1e-3) - 1
    worst = max(errors, key=lambda m: abs(errors[m]))
    assert abs(errors[worst]) < WHOLE_MODEL_BOUND, (worst, errors[worst])
    held_out = [abs(e) for m, e in errors.items() if roles[m] == "held-out"]
    assert len(held_out) >= 12 and set(roles.values()) == {"train", "held-out"}
    assert float(np.median(held_out)) < MEDIAN_BOUND


def test_calibrate_prints_what_its_sustained_rate_averages_over_and_records_that_rate(tmp_path, capsys):
    """A new profile's ``effective_flops`` is rates.py's sustained rate; calibrate says what it is."""
    from offloadsim.cli import main
    from offloadsim.world.profiles.rates import kind_rates, sustained_rate

    out = tmp_path / "p.json"
    argv = ["calibrate", "--models", "squeezenet1_1@32", "--backend", "numpy", "--repeats", "2"]
    argv += ["--warmup", "1", "--no-cache", "--no-correction", "--out", str(out)]
    assert main(argv) == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    assert "(all convolution and linear units together; by kind: offloadsim profiles show)" in printed
    profile = load_profile(out)
    assert abs(profile.effective_flops / sustained_rate(profile.measured.values()) - 1) < 1e-12
    kinds = kind_rates(profile.measured.values())
    total = sum(k.flops for k in kinds) / sum(k.seconds for k in kinds)
    assert abs(profile.effective_flops / total - 1) < 1e-12  # the kinds add up to it
