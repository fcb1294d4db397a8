"""Hand-edited calibrated profiles: a huge layout correction, and counts of the cost model that are none.

``layout_correction.s_per_byte: 1e300`` (finite, non-negative: the reader takes it) made the units'
time in :func:`~offloadsim.world.profiles.trust.layout_extrapolated` cancel to 0 s, and ``validate``
of a scenario naming the profile died of a ZeroDivisionError (exit 1).
"""

import json
import re
from pathlib import Path

import pytest

from offloadsim.cli import main
from offloadsim.world.profiles.calibrated import ProfileError, load_profile

SHIPPED = (
    Path(__file__).resolve().parents[2] / "offloadsim" / "world" / "profiles" / "data" / "epyc-ort-1t.json"
)

SCENARIO = """\
name: huge-correction
duration: 1 s
nodes:
  phone: {tier: device, processor: {profile: cortex-a76}}
  edge: {tier: edge, processor: {profile: huge}}
links:
  - {between: [phone, edge], bandwidth: 20 Mbps, latency: 3 ms}
applications:
  classify: {model: mobilenet_v2, input: 150 KB, output: 4 KB}
workload:
  - {app: classify, sources: phone, arrivals: poisson, rate: 1 /s}
policy: {name: edge}
"""


def test_a_huge_layout_correction_is_no_internal_error(tmp_path, capsys):
    doc = json.loads(SHIPPED.read_text(encoding="utf-8"))
    doc["name"] = "huge"
    doc["layout_correction"]["s_per_byte"] = 1e300
    (tmp_path / "huge.json").write_text(json.dumps(doc), encoding="utf-8")
    (tmp_path / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    assert main(["validate", str(tmp_path / "s.yaml")]) == 0
    out = capsys.readouterr()
    assert out.out.startswith("ok:"), out
    assert "internal error" not in out.err


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (
            lambda doc: doc["cost_model"].__setitem__("min_points", -5),
            "cost_model.min_points: expected a whole",
        ),
        (
            lambda doc: doc["cost_model"].__setitem__("min_points", 2.5),
            "cost_model.min_points: expected a whole",
        ),
        (
            lambda doc: doc["cost_model"].__setitem__("min_points", True),
            "cost_model.min_points: expected a whole",
        ),
        (
            lambda doc: doc["cost_model"]["groups"]["*"].__setitem__("n", -1),
            "cost_model.groups.*.n: expected a whole",
        ),
        (
            lambda doc: doc["cost_model"]["groups"]["conv"].__setitem__("n", 8.5),
            "cost_model.groups.conv.n: expected",
        ),
    ],
    ids=["negative-min-points", "fractional-min-points", "boolean-min-points", "negative-n", "fractional-n"],
)
def test_a_count_of_the_cost_model_that_is_no_count_is_refused(edit, said, tmp_path):
    """Each was read by int() and taken: -5 as -5, 2.5 as 2, true as 1; a group's n and min_points decide
    which fit prices a unit, so a run's compute times changed without a word (exit 0)."""
    doc = json.loads(SHIPPED.read_text(encoding="utf-8"))
    edit(doc)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ProfileError, match="^" + re.escape(f"{bad}: {said}")):
        load_profile(bad)


def _set(path: str, value):
    """An edit of the document: ``value`` at the dotted ``path``."""

    def edit(doc):
        *above, last = path.split(".")
        for key in above:
            doc = doc[key]
        doc[last] = value

    return edit


@pytest.mark.parametrize(
    ("path", "value", "said"),
    [
        ("kind", "derived", 'kind: expected "calibrated" (derived profiles are built in), got "derived"'),
        ("kind", 3, 'kind: expected "calibrated" (derived profiles are built in), got 3'),
        ("backend.threads", 0, "backend.threads: expected a whole number of threads, at least 1, got 0"),
        ("backend.threads", -2, "backend.threads: expected a whole number of threads, at least 1, got -2"),
        ("backend.threads", 1.5, "backend.threads: expected a whole number of threads, at least 1, got 1.5"),
        (
            "backend.threads",
            "two",
            'backend.threads: expected a whole number of threads, at least 1, got "two"',
        ),
        (
            "backend.threads",
            True,
            "backend.threads: expected a whole number of threads, at least 1, got true",
        ),
        (
            "provenance.threads",
            0,
            "provenance.threads: expected a whole number of threads, at least 1, got 0",
        ),
        (
            "cost_model.features",
            "s_per_flop",
            "cost_model.features: expected a list of the cost model's features",
        ),
        ("cost_model.features", [1, 2], "cost_model.features: expected a list of the cost model's features"),
        ("cost_model.features", ["s_per_flop"], "cost_model.features: expected a list of the cost model's"),
        (
            "provenance.versions",
            {"numpy": 2.4},
            "provenance.versions: expected a mapping of package to version",
        ),
        ("version", 0, "version: expected the profile format's version, a whole number from 1 to 1, got 0"),
        ("version", -3, "version: expected the profile format's version, a whole number from 1 to 1, got -3"),
    ],
)
def test_a_field_of_the_wrong_shape_is_refused_naming_the_file_and_key(path, value, said, tmp_path, capsys):
    """Each was taken as it came: a profile file saying it is derived was read as calibrated, a thread
    count of "two" ended the testbed's check in a ValueError (exit 1), version 0 was read as version 1."""
    doc = json.loads(SHIPPED.read_text(encoding="utf-8"))
    _set(path, value)(doc)
    doc["name"] = "huge"
    (tmp_path / "huge.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ProfileError, match="^" + re.escape(f"{tmp_path / 'huge.json'}: {said}")):
        load_profile(tmp_path / "huge.json")
    (tmp_path / "s.yaml").write_text(SCENARIO, encoding="utf-8")  # validate says it in one line, exit 2
    assert main(["validate", str(tmp_path / "s.yaml")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and said in err[0], err


def test_the_shipped_profiles_fit_every_check():
    from offloadsim.world.profiles import SHIPPED_PROFILE_DIR

    for path in sorted(SHIPPED_PROFILE_DIR.glob("*.json")):
        assert load_profile(path).kind == "calibrated"
