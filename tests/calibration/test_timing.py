import json

import numpy as np
import pytest

from offloadsim.calibration.timing import Timing, TimingCache, measure, summarize, time_units
from offloadsim.calibration.units import NO_FUSION, distinct_units
from offloadsim.models import get_model


class CountingTimer:
    """A fake timer: 1 ms per run; raises KeyboardInterrupt on call number ``fail_at``."""

    def __init__(self, fail_at=None):
        self.calls, self.fail_at = 0, fail_at

    def __call__(self, unit, warmup, repeats, cold=False):
        self.calls += 1
        if self.fail_at is not None and self.calls == self.fail_at:
            raise KeyboardInterrupt
        return np.full(repeats, 1e-3 * (2 if cold else 1))


def test_measure_and_summarize():
    samples = measure(lambda: sum(range(50)), warmup=1, repeats=7)
    assert samples.shape == (7,) and np.all(samples > 0)
    median, spread = summarize(np.array([1.0, 1.0, 2.0, 3.0, 3.0]))
    assert median == 2.0 and spread == pytest.approx(1.0)


def test_cache_resumes_an_interrupted_run(tmp_path):
    units = distinct_units([get_model("squeezenet1_1", image_size=64)], NO_FUSION)
    path = tmp_path / "cache.jsonl"
    first = CountingTimer(fail_at=6)
    with pytest.raises(KeyboardInterrupt):
        for _ in time_units(units, first, repeats=3, cache=TimingCache(path, "fp")):
            pass
    assert len(path.read_text().splitlines()) == 5  # written as measured
    with path.open("a") as fh:
        fh.write('{"key": "half a line')  # a write cut short by the interruption
    second = CountingTimer()
    timings = list(time_units(units, second, repeats=3, cache=TimingCache(path, "fp")))
    assert len(timings) == len(units)
    assert second.calls == len(units) - 5  # only the rest were timed
    third = CountingTimer()
    assert len(list(time_units(units, third, repeats=3, cache=TimingCache(path, "fp")))) == len(units)
    assert third.calls == 0
    other_machine = CountingTimer()
    list(time_units(units[:2], other_machine, repeats=3, cache=TimingCache(path, "other-fp")))
    assert other_machine.calls == 2  # the key includes the machine fingerprint


def test_units_with_large_weights_are_also_timed_cold(tmp_path):
    units = distinct_units([get_model("alexnet")], NO_FUSION)
    timer = CountingTimer()
    timings = list(time_units(units, timer, repeats=2, cold_bytes=4 * 1024**2))
    cold = [t for t in timings if t.cold_seconds is not None]
    assert {t.unit.head.op for t in cold} == {"linear"}  # fc6, fc7, fc8
    assert all(t.cold_seconds == pytest.approx(2e-3) for t in cold)
    assert Timing.from_dict(json.loads(json.dumps(cold[0].to_dict()))) == cold[0]
