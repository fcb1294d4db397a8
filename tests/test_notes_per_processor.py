"""The notes on hardware name only the processors a run computes on, not every one of a node it may use.

Under ``fixed(node=phone, processors=[npu])`` the precision note said "int8's peak is 4x fp32's on
cortex-a76" and quoted the phone-CPU measurements (1.5-2.5x, TensorFlow Lite) of a CPU the run never
used; under ``local`` (a node's first processor only) the plain-speed note named the idle NPU.
"""

from __future__ import annotations

from npu_phone_scenario import BASE

from offloadsim.scenario import PolicySpec, load_scenario_text
from offloadsim.world import build_world

NPU = PolicySpec("fixed", {"node": "phone", "processors": ["npu"]})


def _notes(policy: PolicySpec, precision: str = "int8") -> list[str]:
    scenario = load_scenario_text(BASE, overrides=[f"applications.classify.params.precision={precision}"])
    return list(build_world(scenario).notes_under(policy))


def test_on_the_npu_the_precision_note_names_no_cpu_profile():
    (note,) = [line for line in _notes(NPU) if line.startswith("precision int8")]
    assert "cortex-a76" not in note and "TensorFlow Lite" not in note
    assert "int8 runs no faster than fp32 on nodes.phone.processors.npu" in note


def test_on_the_first_processor_the_idle_npu_is_not_named():
    notes = _notes(PolicySpec("local"))
    (note,) = [line for line in notes if line.startswith("precision int8")]
    assert "4x fp32's on cortex-a76" in note and "processors.npu" not in note
    assert not any(line.startswith("nodes.phone.processors.npu.speed") for line in notes)
    assert any(line.startswith("nodes.phone.processors.npu.speed") for line in _notes(NPU))
