"""Two swept keys given one label are refused: a figure's axis or legend could not tell them apart.

Before, ``labels: {links[0].bandwidth: x, links[0].latency: x}`` was accepted, and every table and
figure named both swept keys "x".
"""

from __future__ import annotations

from pathlib import Path

from offloadsim.cli import main


def test_a_label_given_to_two_swept_keys_is_refused_at_the_second(tmp_path: Path, tiny_scenario, capsys):
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(
        f"base: {tiny_scenario.name}\ngrid:\n  links[0].bandwidth: [1 Mbps, 2 Mbps]\n"
        "  links[0].latency: [1 ms, 2 ms]\nlabels:\n"
        "  links[0].bandwidth: uplink\n  links[0].latency: uplink\n"
    )
    assert main(["sweep", str(sweep), "--dry-run"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (
        f'offloadsim: error: {sweep}: labels["links[0].latency"]: "uplink" already labels '
        "links[0].bandwidth: each swept key needs its own label"
    )


def test_distinct_labels_are_kept(tmp_path: Path, tiny_scenario, capsys):
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(
        f"base: {tiny_scenario.name}\ngrid:\n  links[0].bandwidth: [1 Mbps, 2 Mbps]\n"
        "  links[0].latency: [1 ms, 2 ms]\nlabels:\n  links[0].bandwidth: uplink\n  links[0].latency: delay\n"
    )
    assert main(["sweep", str(sweep), "--dry-run"]) == 0
