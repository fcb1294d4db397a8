"""A dry run says which ``dynamics`` entries change the links and nodes it lists.

HG37's dry run of an LLM split whose Wi-Fi uplink follows a trace from 0 s listed ``links[0] phone
<-> ap: 1 link, 20 Mbps, 3 ms`` and nothing more: the 20 Mbps the trace replaces from the start read
as the link's rate.  The world summary now names each entry, its kind and what it changes.
"""

from __future__ import annotations

from pathlib import Path

from offloadsim.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _summary(capsys, scenario: str, *extra: str) -> list[str]:
    assert main(["run", str(ROOT / "scenarios" / scenario), "--dry-run", *extra]) == 0
    return capsys.readouterr().out.splitlines()


def test_a_dry_run_names_the_trace_that_drives_a_link(capsys):
    (line,) = [line for line in _summary(capsys, "unstable-uplink.yaml") if line.startswith("dynamics:")]
    assert line.startswith("dynamics: dynamics[0] link-trace of phone <-> server (")
    dynamics = "dynamics=[{kind: link-schedule, link: 2, steps: [{at: 5 s, up: false}]}]"
    (line,) = [line for line in _summary(capsys, "quickstart.yaml", "--set", dynamics) if "dynamics[" in line]
    assert line.startswith("dynamics: dynamics[0] link-schedule of links[2] (")


def test_a_dry_run_of_a_world_that_never_changes_says_nothing_of_dynamics(capsys):
    assert not [line for line in _summary(capsys, "quickstart.yaml") if line.startswith("dynamics")]
