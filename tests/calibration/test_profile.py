import json
import re
from dataclasses import replace

import numpy as np
import pytest
from calibration_graphs import synthetic_profile as make_profile

from offloadsim.calibration import save_profile
from offloadsim.models import get_model
from offloadsim.world.profiles.calibrated import (
    ProfileError,
    Timing,
    find_profile,
    list_profiles,
    load_profile,
)


def synthetic_profile(name="synthetic"):
    """Half measured, half fitted, with a layout correction."""
    return replace(make_profile(name=name, measured_every=2), layout_s_per_byte=1e-11)


@pytest.mark.parametrize("name", ["resnet18", "mobilenet_v2", "efficientnet_b0", "vgg16", "vit_b_16"])
def test_layer_seconds_positive_finite_one_per_layer(name):
    profile = synthetic_profile()
    g = get_model(name)
    seconds = profile.layer_seconds(g)
    spread = profile.layer_spread(g)
    assert seconds.dtype == np.float64 and seconds.shape == (len(g),) and spread.shape == (len(g),)
    assert np.all(np.isfinite(seconds)) and np.all(seconds >= 0) and seconds.sum() > 0
    assert np.all(np.isfinite(spread)) and np.all(spread >= 0)
    assert profile.layer_seconds(g) is seconds  # cached per graph


def test_interface_matches_derived_profiles():
    p = synthetic_profile()
    assert p.kind == "calibrated" and p.name == "synthetic" and p.description
    assert p.effective_flops > 0 and p.memory_bandwidth_Bps > 0
    assert p.sources and all(isinstance(s, str) for s in p.sources)


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
@pytest.mark.parametrize("name", ["synthetic", "1e9"])
def test_round_trip_gives_the_same_predictions(tmp_path, suffix, name):
    """A name the strict reader reads as a number (1e9: YAML 1.1 writes it bare) stays text."""
    p = synthetic_profile(name)
    path = save_profile(p, tmp_path / f"dev{suffix}")
    q = load_profile(path)
    assert q.name == p.name and q.fusion == p.fusion and q.layout_s_per_byte == p.layout_s_per_byte
    for name in ("resnet18", "efficientnet_b0"):
        g = get_model(name)
        np.testing.assert_array_equal(q.layer_seconds(g), p.layer_seconds(g))
        np.testing.assert_array_equal(q.layer_spread(g), p.layer_spread(g))
        assert q.predict(g).source == p.predict(g).source


def test_find_profile_by_path_name_and_search_dirs(tmp_path):
    save_profile(synthetic_profile("edge-box"), tmp_path / "profiles" / "edge-box.json")
    assert find_profile(str(tmp_path / "profiles" / "edge-box.json")).name == "edge-box"
    assert find_profile("edge-box", [tmp_path / "nowhere", tmp_path / "profiles"]).name == "edge-box"
    assert find_profile("edge-box.json", [tmp_path / "profiles"]).name == "edge-box"
    assert find_profile("cortex-a76", [tmp_path / "profiles"]) is None
    (tmp_path / "profiles" / "notes.json").write_text("{}")
    assert list(list_profiles([tmp_path / "nowhere", tmp_path / "profiles"])) == ["edge-box"]


def test_the_shipped_profile_loads_and_predicts():
    from offloadsim.world.profiles import SHIPPED_PROFILE_DIR

    profile = load_profile(SHIPPED_PROFILE_DIR / "xeon-ort-1t.json")
    assert profile.name == "xeon-ort-1t" and profile.kind == "calibrated"
    assert profile.report["held_out"]["models"] > 0
    seconds = profile.layer_seconds(get_model("resnet50"))
    assert np.all(np.isfinite(seconds)) and 0.01 < seconds.sum() < 1.0


def test_bad_profile_files_are_calibration_errors(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ProfileError, match="not valid JSON"):
        load_profile(bad)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"name": "x"}))
    with pytest.raises(ProfileError, match="not an offloadsim calibrated profile") as caught:
        load_profile(other)
    # a profile written by hand from a data sheet: say what to write instead
    assert "give the node a processor {speed: ..., memory_bandwidth: ...}" in str(caught.value)
    with pytest.raises(ProfileError, match="cannot read profile"):
        load_profile(tmp_path / "missing.json")


def _edit(doc, path, value):
    """Set (or, with value ``...``, delete) the key at a dotted path; ``[i]`` indexes a list."""
    *parents, last = path.replace("[", ".").replace("]", "").split(".")
    for key in parents:
        doc = doc[int(key)] if isinstance(doc, list) else doc[key]
    key = int(last) if isinstance(doc, list) else last
    if value is ...:
        del doc[key]
    else:
        doc[key] = value


@pytest.mark.parametrize(
    ("path", "value", "named"),
    [
        ("cost_model", ..., "cost_model: missing"),
        ("effective_flops", "fast", "effective_flops: expected a rate in FLOP/s"),
        ("effective_flops", -5.0, "effective_flops: expected"),
        ("memory_bandwidth_Bps", 0, "memory_bandwidth_Bps: expected a bandwidth"),  # was a ZeroDivisionError
        ("measured[0].seconds", None, "measured[0].seconds: expected the unit's time"),
        ("measured[0].seconds", -0.001, "measured[0].seconds: expected"),  # was a negative layer time
        ("measured[0].seconds", float("nan"), "measured[0].seconds: expected"),
        ("measured[0].unit", [], "measured[0].unit: expected the unit's layers"),  # was an IndexError
        ("measured[0].repeats", ..., "measured[0].repeats: missing"),
        ("cost_model.groups.*.coef.s_per_flop", -1.0, "cost_model.groups.*.coef.s_per_flop: expected"),
        ("cost_model.groups.*.coef.intercept_s", float("inf"), "cost_model.groups.*.coef.intercept_s: expe"),
        ("layout_correction.s_per_byte", -1e-9, "layout_correction.s_per_byte: expected"),
        ("version", "two", "version: expected a whole number"),  # was an uncaught ValueError
        ("cost_model.groups.*", ..., "cost_model.groups.*: missing"),  # priced NaN: tasks in flight, exit 0
        # each of these ran, its predictions changed without a word:
        ("fusion.heads", "conv", 'fusion.heads: expected a list of layer groups, got "conv"'),  # c, o, n, v
        ("fusion.act", [1], "fusion.act: expected a list of layer groups, got a list"),
        ("cold.unit_weight_bytes", -1, "cold.unit_weight_bytes: expected bytes or null"),  # every unit cold
        ("cost_model.groups.*.coef.s_per_flops", 1e-12, "cost_model.groups.*.coef.s_per_flops: unknown coef"),
    ],
)
def test_a_malformed_profile_names_the_key_and_what_was_expected(tmp_path, path, value, named):
    """A hand-edited or damaged profile is refused at the key that is wrong, never as a bare exception."""
    good = tmp_path / "good.json"
    save_profile(synthetic_profile(), good)
    doc = json.loads(good.read_text())
    assert doc["measured"] and "*" in doc["cost_model"]["groups"]
    _edit(doc, path, value)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(ProfileError, match="^" + re.escape(f"{bad}: {named}")) as caught:
        load_profile(bad)
    assert len(str(caught.value).splitlines()) == 1


def test_a_pooled_fit_of_fewer_than_min_points_timings_prices_every_unit(tmp_path):
    """calibrate fits the pooled group from any timings; predict skipped it under min_points and priced
    every unit no other group fits NaN, whose tasks then stayed in flight in a run that exited 0."""
    good = tmp_path / "good.json"
    save_profile(synthetic_profile(), good)
    doc = json.loads(good.read_text())
    pooled = doc["cost_model"]["groups"]["*"]
    doc["cost_model"]["groups"] = {"*": {**pooled, "n": 2}}
    doc["measured"] = []
    few = tmp_path / "few.json"
    few.write_text(json.dumps(doc))
    prediction = load_profile(few).predict(get_model("resnet18"))
    assert np.all(np.isfinite(prediction.seconds)) and prediction.seconds.sum() > 0
    assert "extrapolated" in prediction.source


def test_a_json_profile_saved_as_yaml_loads_and_bad_yaml_is_one_line(tmp_path):
    """YAML 1.1 reads 8e-06 as text: such a time must load as the number it is, as it did before the
    checks named keys; a YAML syntax error spanned several lines (its line and a caret): it is one,
    in a scenario's words (the profile's YAML is read by the scenario's strict reader)."""
    good = tmp_path / "good.json"
    profile = synthetic_profile()
    save_profile(profile, good)
    doc = json.loads(good.read_text())
    doc["measured"][0]["seconds"] = 8e-06
    as_yaml = tmp_path / "good.yaml"
    as_yaml.write_text(json.dumps(doc))  # JSON is YAML; json writes 8e-06, which YAML 1.1 reads as text
    assert load_profile(as_yaml).measured[Timing.from_dict(doc["measured"][0]).unit.key].seconds == 8e-06
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: offloadsim.calibrated-profile\nversion: 1\nname: [unclosed\n")
    with pytest.raises(
        ProfileError, match="^" + re.escape(f"{bad}: line 4, column 1: YAML syntax error: ")
    ) as caught:
        load_profile(bad)
    assert len(str(caught.value).splitlines()) == 1


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
@pytest.mark.parametrize(
    ("key", "path", "lines"),
    [
        ('"effective_flops": ', "effective_flops", "lines {n} and {m}"),
        ('"s_per_flop": ', 'cost_model.groups["*"].coef.s_per_flop', "on line {n}"),
        ('"seconds": ', "measured[0].seconds", "on line {n}"),
    ],
)
def test_a_key_given_twice_in_a_profile_is_refused_at_its_key_path(suffix, key, path, lines, tmp_path):
    """The last value was read, without a word: a hand-edited profile's first value was ignored.

    JSON named the key but not where it was ("duplicate key "seconds" in one object"); YAML
    (PyYAML's safe_load) kept the last value silently.  Both name the key path, as a scenario would.
    """
    good = tmp_path / "good.json"
    save_profile(synthetic_profile(), good)
    text = good.read_text()
    assert key in text
    at = text.index(key)
    repeat = (key + "1.0,\n ") if path == "effective_flops" else (key + "1.0, ")
    twice = text[:at] + repeat + text[at:]
    bad = tmp_path / f"bad{suffix}"  # JSON is YAML too
    bad.write_text(twice)
    line = twice[:at].count("\n") + 1
    said = f"{bad}: {path}: given twice"
    if suffix == ".yaml":
        said += " (" + lines.format(n=line, m=line + 1) + ")"
    with pytest.raises(ProfileError, match="^" + re.escape(said + "; give each key once") + "$") as caught:
        load_profile(bad)
    assert len(str(caught.value).splitlines()) == 1
