"""A timing cache line whose time is not finite and non-negative is timed again, not put into the profile.

An edited (or foreign) cache line's ``seconds: -1`` or ``NaN`` went into the profile as it came:
``calibrate`` wrote at exit 0 a profile whose ``measured[0].seconds`` every scenario naming it refused.
"""

import json

import pytest

from offloadsim.calibration.timing import TimingCache, time_units
from offloadsim.models import get_model
from offloadsim.world.profiles.fusion import NO_FUSION, distinct_units


def _bench(unit, cold=False):
    value = 1e-3 * (2 if cold else 1)
    return lambda: (value, 3 * value)


@pytest.mark.parametrize(
    ("key", "value"),
    [("seconds", -1.0), ("seconds", float("nan")), ("seconds", float("inf")), ("cold_seconds", -2.0)],
    ids=["negative", "nan", "inf", "negative-cold"],
)
def test_a_cached_time_that_is_no_time_is_timed_again(key, value, tmp_path):
    units = distinct_units([get_model("squeezenet1_1", image_size=64)], NO_FUSION)[:3]
    path = tmp_path / "cache.jsonl"
    list(time_units(units, _bench, repeats=3, cache=TimingCache(path, "fp")))
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    lines[0][key] = value
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    again = list(time_units(units, _bench, repeats=3, cache=TimingCache(path, "fp")))
    assert [t.unit.key for t in again] == [u.key for u in units]
    assert all(t.seconds == pytest.approx(1e-3) for t in again)
    assert all(t.cold_seconds is None or t.cold_seconds >= 0 for t in again)
