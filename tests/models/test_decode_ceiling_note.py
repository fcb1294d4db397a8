"""An LLM decoding memory-bound on a built-in profile says its tokens/s is the bandwidth's ceiling.

A new user's trial read 824 tok/s for Llama-3.2-1B on an A100 and 81 tok/s on a Jetson Orin off
``compare``: exactly the weights over the data sheet's memory bandwidth, which a derived profile
uses in full (docs/profiles.md), where one request's measured decoding reaches about half of it.
Nothing in the run said so.  One note now does, under the run's table (compare's and sweep's once,
``validate``'s and the dry run's), with each ceiling.
"""

from __future__ import annotations

import re

from offloadsim.cli import main
from offloadsim.models import LLM_CONFIGS, decode_weight_bytes
from offloadsim.scenario import load_scenario_text
from offloadsim.world import build_world
from offloadsim.world.profiles import BUILTIN_PROFILES

SCENARIO = """
name: ceiling
duration: 20 s
nodes:
  phone: {count: 2, tier: device, processor: PHONE}
  edge: {tier: edge, processor: EDGE}
links:
  - {between: [phone-*, edge], bandwidth: 50 Mbps, latency: 5 ms}
applications:
  chat: {model: llama-3.2-1b, prompt_tokens: 32, output_tokens: 8}
workload:
  - {app: chat, sources: phone-*, rate: 0.2 /s}
policy: local
"""
PREFIX = "LLM decode runs at the profile's full memory bandwidth"


def _notes(
    phone: str = "{profile: cortex-a76}", edge: str = "{profile: jetson-orin}", **more: str
) -> list[str]:
    text = SCENARIO.replace("PHONE", phone).replace("EDGE", edge)
    for old, new in more.items():
        text = text.replace(old, new)
    return [
        note for note in build_world(load_scenario_text(text, source="<t>")).notes if note.startswith(PREFIX)
    ]


def _ceilings(note: str) -> dict[str, float]:
    """Each profile's ceiling the note states, tok/s."""
    return {name: float(rate) for rate, name in re.findall(r"([0-9.]+) tok/s on ([a-z0-9-]+)", note)}


ANYWHERE = {"policy: local": "policy: least-loaded"}  # a policy that may place on every node


def test_each_built_in_profile_an_llm_decodes_on_states_its_ceiling_weights_over_bandwidth():
    (note,) = _notes(**ANYWHERE)
    weights = decode_weight_bytes(LLM_CONFIGS["llama-3.2-1b"])
    expected = {
        name: BUILTIN_PROFILES[name].memory_bandwidth_Bps / weights for name in ("cortex-a76", "jetson-orin")
    }
    said = _ceilings(note)
    assert said.keys() == expected.keys()
    for name, rate in said.items():
        assert abs(rate / expected[name] - 1) < 5e-3, (name, rate, expected[name])  # 3 significant digits
    assert "applications.chat (llama-3.2-1b)" in note and "docs/profiles.md#" in note


def test_no_ceiling_note_where_the_bandwidth_is_the_users_or_a_calibrated_profiles_or_no_llm():
    given = "{profile: jetson-orin, memory_bandwidth: 150 GB/s}"  # the user's own bandwidth
    assert _notes(phone=given, edge=given) == []
    speed = "{speed: 50 GFLOP/s, memory_bandwidth: 20 GB/s}"
    assert _notes(phone=speed, edge=speed) == []
    assert _notes(phone=speed, edge="{profile: xeon-ort-1t}") == []  # the calibrated one has its own note
    cnn = {"{model: llama-3.2-1b, prompt_tokens: 32, output_tokens: 8}": "{model: alexnet}"}
    assert _notes(**cnn) == []
    # hosts: only the processors that may run the model
    hosted = {"output_tokens: 8}": "output_tokens: 8, hosts: [edge]}"}
    (note,) = _notes(**hosted, **ANYWHERE)
    assert set(_ceilings(note)) == {"jetson-orin"}


def test_the_ceilings_are_those_of_the_nodes_the_policy_may_use():
    """Under ``local`` in int4 the note listed the edge's and the cloud's GPUs, which local never uses."""
    (note,) = _notes()  # local: the phones alone
    assert set(_ceilings(note)) == {"cortex-a76"}
    (note,) = _notes(**{"policy: local": "policy: edge"})  # the edge, and the phones as its fallback
    assert set(_ceilings(note)) == {"cortex-a76", "jetson-orin"}
    fixed = {"policy: local": "policy: {name: fixed, node: edge}"}
    (note,) = _notes(**fixed)
    assert set(_ceilings(note)) == {"jetson-orin"}


def test_run_compare_and_sweep_print_the_note_once(tmp_path, capsys):
    path = tmp_path / "ceiling.yaml"
    path.write_text(
        SCENARIO.replace("PHONE", "{profile: cortex-a76}").replace("EDGE", "{profile: jetson-orin}")
    )
    assert main(["run", str(path), "--out", str(tmp_path / "r")]) == 0
    assert capsys.readouterr().out.count(PREFIX) == 1
    given = ["--replications", "2", "--set", "duration=5 s", "--out", str(tmp_path / "c")]
    assert main(["compare", str(path), "--policies", "local,edge", *given]) == 0
    # One line a policy: their ceilings differ (local uses the phones alone), each line scoped.
    said = [line for line in capsys.readouterr().out.splitlines() if PREFIX in line]
    assert [line.rsplit(" (", 1)[1] for line in said] == ["under local only)", "under edge only)"], said
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(
        "name: s\nbase: ceiling.yaml\nset: {duration: 5 s}\ngrid:\n  links[0].bandwidth: [10 Mbps, 50 Mbps]\n"
        "policies: [local, edge]\nreplications: 2\n"
    )
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "s")]) == 0
    said = [line for line in capsys.readouterr().out.splitlines() if PREFIX in line]
    assert len(said) == len(set(said)) == 2, said  # once a policy, not once a point
