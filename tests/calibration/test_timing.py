import json
import math

import numpy as np
import pytest

from offloadsim.calibration.timing import (
    TimingCache,
    choose_clock,
    make_bench,
    measure,
    summarize,
    summarize_noise,
    time_units,
)
from offloadsim.models import get_model
from offloadsim.world.profiles.calibrated import Timing
from offloadsim.world.profiles.fusion import NO_FUSION, distinct_units


class CountingBench:
    """A fake bench: runs take 1 ms (2 ms cold); raises KeyboardInterrupt on runner number ``fail_at``."""

    def __init__(self, fail_at=None):
        self.calls, self.fail_at = 0, fail_at

    def __call__(self, unit, cold=False):
        self.calls += 1
        if self.fail_at is not None and self.calls == self.fail_at:
            raise KeyboardInterrupt
        value = 1e-3 * (2 if cold else 1)
        return lambda: (value, 3 * value)


def test_measure_and_summarize():
    samples = measure(lambda: sum(range(50)), warmup=1, repeats=7)
    assert samples.shape == (7,) and np.all(samples > 0)
    median, spread = summarize(np.array([1.0, 1.0, 2.0, 3.0, 3.0]))
    assert median == 2.0 and spread == pytest.approx(1.0)


def test_cache_resumes_an_interrupted_run(tmp_path):
    units = distinct_units([get_model("squeezenet1_1", image_size=64)], NO_FUSION)
    path = tmp_path / "cache.jsonl"
    first = CountingBench(fail_at=6)
    with pytest.raises(KeyboardInterrupt):
        for _ in time_units(units, first, repeats=3, batch=1, cache=TimingCache(path, "fp")):
            pass
    assert len(path.read_text().splitlines()) == 5  # written as measured
    with path.open("a") as fh:
        fh.write('{"key": "half a line')  # a write cut short by the interruption
    second = CountingBench()
    timings = list(time_units(units, second, repeats=3, cache=TimingCache(path, "fp")))
    assert len(timings) == len(units)
    assert second.calls == len(units) - 5  # only the rest were timed
    third = CountingBench()
    assert len(list(time_units(units, third, repeats=3, cache=TimingCache(path, "fp")))) == len(units)
    assert third.calls == 0
    other_machine = CountingBench()
    list(time_units(units[:2], other_machine, repeats=3, cache=TimingCache(path, "other-fp")))
    assert other_machine.calls == 2  # the key includes the machine fingerprint


def test_a_batch_reaches_the_cache_whole_and_an_interrupted_batch_is_timed_again(tmp_path):
    units = distinct_units([get_model("squeezenet1_1", image_size=64)], NO_FUSION)
    path = tmp_path / "cache.jsonl"
    with pytest.raises(KeyboardInterrupt):
        list(time_units(units, CountingBench(fail_at=7), repeats=3, batch=4, cache=TimingCache(path, "fp")))
    assert len(path.read_text().splitlines()) == 4  # the first batch of four; the second never finished


def test_units_with_large_weights_are_also_timed_cold(tmp_path):
    units = distinct_units([get_model("alexnet")], NO_FUSION)
    timings = list(time_units(units, CountingBench(), repeats=2, cold_bytes=4 * 1024**2))
    cold = [t for t in timings if t.cold_seconds is not None]
    assert {t.unit.head.op for t in cold} == {"linear"}  # fc6, fc7, fc8
    assert all(t.cold_seconds == pytest.approx(2e-3) for t in cold)
    assert Timing.from_dict(json.loads(json.dumps(cold[0].to_dict()))) == cold[0]


def test_timings_carry_their_noise_and_round_trip():
    units = distinct_units([get_model("squeezenet1_1", image_size=64)], NO_FUSION)[:3]
    timings = list(time_units(units, CountingBench(), repeats=4))
    for t in timings:
        assert t.seconds == pytest.approx(1e-3) and t.repeats == 4  # a steady runner stops at the minimum
        assert t.ci == 0 and t.wall_ratio == pytest.approx(3.0) and t.median == pytest.approx(1e-3)
        assert Timing.from_dict(json.loads(json.dumps(t.to_dict()))) == t
    noise = summarize_noise(timings, 0.02)
    assert noise["median_wall_ratio"] == pytest.approx(3.0) and noise["units_over_target"] == 0
    old = {
        k: v
        for k, v in timings[0].to_dict().items()
        if k not in ("ci", "wall_ratio", "wall_spread", "median")
    }
    assert math.isnan(Timing.from_dict(old).ci)  # a cache line from before the noise fields still loads


def test_the_clock_is_thread_cpu_time_for_one_thread_on_the_cpu():
    assert choose_clock("onnxruntime", 1) == "cpu"
    assert choose_clock("onnxruntime", 1, "CUDAExecutionProvider") == "kernel"
    assert choose_clock("onnxruntime", 2) == "kernel" and choose_clock("numpy", 2) == "wall"
    with pytest.raises(ValueError, match="kernel clock"):
        choose_clock("numpy", 1, clock="kernel")


def test_the_cpu_clock_does_not_count_time_the_thread_waits():
    """A kernel that sleeps 5 ms has no CPU time to speak of: waiting for a core is not the kernel's time."""
    import time

    from offloadsim.world.profiles.fusion import LayerConfig, Unit

    relu = Unit((LayerConfig("act", ((1, 8),), (1, 8), (("kind", "relu"),), 8, 0),))
    calls = []
    import offloadsim.calibration.timing as timing

    def fake_kernel_for(unit, backend, **kwargs):
        return lambda: (calls.append(1), time.sleep(0.005))

    original = timing.kernel_for
    timing.kernel_for = fake_kernel_for
    try:
        cpu_run = make_bench("numpy", threads=1, warmup=1)(relu, False)
        wall_run = make_bench("numpy", threads=2, warmup=1)(relu, False)
        (cpu, wall), (wall_clock, _) = cpu_run(), wall_run()
    finally:
        timing.kernel_for = original
    assert wall >= 0.005 and wall_clock >= 0.005
    assert cpu < 0.002  # the sleep is off-CPU


def test_two_cpus_of_one_name_do_not_share_cached_timings(monkeypatch):
    # Cloud machines report one name ("AMD EPYC") for CPUs of different caches and generations; a
    # timing cache in a home directory both mount must keep their timings apart.
    from offloadsim.calibration import timing

    monkeypatch.setattr(timing, "cpu_model", lambda: "AMD EPYC")
    monkeypatch.setattr(timing, "cpu_fingerprint", lambda: {"family": 25, "caches": {"L2": 512 << 10}})
    here = timing.machine_fingerprint("numpy", "", 1, {"numpy": "2.0"})
    assert timing.machine_fingerprint("numpy", "", 1, {"numpy": "2.0"}) == here, "stable on one machine"
    monkeypatch.setattr(timing, "cpu_fingerprint", lambda: {"family": 25, "caches": {"L2": 1 << 20}})
    assert timing.machine_fingerprint("numpy", "", 1, {"numpy": "2.0"}) != here


def test_a_cache_line_that_is_not_utf8_is_timed_again(tmp_path):
    """A byte that is not UTF-8 in the cache (a disk's corruption) was an internal error on reading it."""
    units = distinct_units([get_model("squeezenet1_1", image_size=64)], NO_FUSION)
    path = tmp_path / "cache.jsonl"
    list(time_units(units[:3], CountingBench(), repeats=3, cache=TimingCache(path, "fp")))
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join([lines[0], b'{"key": "\xff\xfe"}\n', *lines[2:]]))
    again = CountingBench()
    assert len(list(time_units(units[:3], again, repeats=3, cache=TimingCache(path, "fp")))) == 3
    assert again.calls == 1  # the spoilt line's unit only


@pytest.mark.parametrize("what", ["a directory", "a FIFO (named pipe)"])
def test_a_cache_file_that_is_no_file_is_one_line(what, tmp_path, make_no_file):
    """A directory in the cache file's place was an internal error (IsADirectoryError); a FIFO hung."""
    from offloadsim.calibration.errors import CalibrationError

    path = make_no_file(tmp_path / "cache.jsonl", what)
    with pytest.raises(CalibrationError, match=r"^cannot read the timing cache .*cache\.jsonl: ") as caught:
        TimingCache(path, "fp")
    assert str(caught.value).endswith("(remove it, or give --cache DIR or --no-cache)")


def test_a_cache_that_cannot_be_written_is_one_line(tmp_path):
    """An OSError appending a timing (a read-only or full disk) was an internal error mid-run."""
    from offloadsim.calibration.errors import CalibrationError

    units = distinct_units([get_model("squeezenet1_1", image_size=64)], NO_FUSION)
    (tmp_path / "file").write_text("")
    cache = TimingCache(tmp_path / "file" / "cache.jsonl", "fp")  # its folder cannot be made
    with pytest.raises(CalibrationError, match=r"^cannot write the timing cache .*file/cache\.jsonl: "):
        list(time_units(units[:1], CountingBench(), repeats=3, cache=cache))
