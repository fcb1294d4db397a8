"""Streams keyed by names: adding a node or a workload entry leaves every other source's draws alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from offloadsim.engine import simulate
from offloadsim.engine.streams import name_key, stream, workload_name
from offloadsim.scenario import load_scenario_text

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"

# Three phones run a noisy calibrated model and a synthetic job of random size, each locally, so
# every number of a phone's records comes from that phone's own streams: its arrivals, its tasks'
# attributes and its processor's noise.
SMALL = """
name: streams
duration: 60 s
nodes:
  NEW_NODES
  phone: {count: PHONES, tier: device, processor: {profile: xeon-ort-1t, noise: true}}
applications:
  NEW_APP
  cnn: {model: squeezenet1_1}
  job: {work: {exponential: 0.2 GFLOP}}
workload:
  NEW_ENTRY
  - {app: cnn, sources: phone-*, arrivals: poisson, rate: 2 /s}
  - {app: job, sources: phone-*, arrivals: periodic, period: 0.7 s, jitter: 0.2 s}
policy: local
"""

COLUMNS = ("arrival", "app", "compute_time", "latency")


def _run(text: str, replication: int = 0) -> dict[str, np.ndarray]:
    scenario = load_scenario_text(text, source="<t>", base_dir=SCENARIOS)
    return simulate(scenario, seed=5, replication=replication).tasks


def _of(tasks: dict[str, np.ndarray], source: str) -> dict[str, np.ndarray]:
    mine = tasks["source"] == source
    order = np.argsort(tasks["arrival"][mine], kind="stable")
    return {column: np.asarray(tasks[column])[mine][order] for column in COLUMNS}


def _base(phones: int = 3) -> str:
    return (
        SMALL.replace("  NEW_NODES\n", "")
        .replace("  NEW_APP\n", "")
        .replace("  NEW_ENTRY\n", "")
        .replace("PHONES", str(phones))
    )


def test_adding_a_node_and_a_workload_entry_leaves_the_other_sources_draws_unchanged():
    before = _run(_base())
    # A node listed first (every phone moves one place down the node list), a fourth phone, and a
    # workload entry of a new application ahead of the others (every entry moves one place down).
    grown = (
        SMALL.replace("NEW_NODES", "tablet: {tier: device, processor: {speed: 5 GFLOP/s}}")
        .replace("NEW_APP", "extra: {work: {exponential: 1 GFLOP}}")
        .replace("NEW_ENTRY", "- {app: extra, sources: [tablet, phone-1], arrivals: poisson, rate: 1 /s}")
        .replace("PHONES", "4")
    )
    after = _run(grown)
    assert set(after["source"]) == {"tablet", "phone-0", "phone-1", "phone-2", "phone-3"}
    for phone in ("phone-0", "phone-2"):  # phone-1 also runs the new entry's tasks, so its queue changed
        old, new = _of(before, phone), _of(after, phone)
        assert len(old["arrival"]) > 100
        for column in COLUMNS:
            np.testing.assert_array_equal(old[column], new[column], err_msg=f"{phone} {column}")
    # phone-1's own requests still arrive when they did and draw the same work; only queueing behind
    # the new entry's tasks may delay them.
    old, new = _of(before, "phone-1"), _of(after, "phone-1")
    ours = new["app"] != "extra"
    np.testing.assert_array_equal(old["arrival"], new["arrival"][ours])
    assert (new["latency"][ours] >= old["latency"] - 1e-12).all()


def test_the_draws_do_depend_on_the_replication_and_the_source():
    a, b = _run(_base()), _run(_base(), replication=1)
    assert not np.array_equal(_of(a, "phone-0")["arrival"][:5], _of(b, "phone-0")["arrival"][:5])
    assert not np.array_equal(_of(a, "phone-0")["arrival"][:5], _of(a, "phone-1")["arrival"][:5])


def test_stream_names_are_hashed_stably_across_processes():
    """Python's str hash is salted per process; the stream key must not be."""
    code = (
        "from offloadsim.engine.streams import name_key, stream;"
        "print(name_key('phone-3'), stream(7, 0, 'arrivals', 'cnn', 0, 'phone-3').random())"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            check=True,
            capture_output=True,
            text=True,
            env={"PYTHONHASHSEED": salt, "PATH": "", "PYTHONPATH": ":".join(sys.path)},
        ).stdout
        for salt in ("1", "2")
    }
    here = f"{name_key('phone-3')} {stream(7, 0, 'arrivals', 'cnn', 0, 'phone-3').random()}\n"
    assert outputs == {here}


def test_a_workload_entry_is_named_by_its_application_and_its_rank_among_entries_of_it():
    assert workload_name(["cnn", "job", "cnn"], 0) == ("cnn", 0)
    assert workload_name(["cnn", "job", "cnn"], 2) == ("cnn", 1)
    assert workload_name(["extra", "cnn", "job", "cnn"], 3) == ("cnn", 1)
