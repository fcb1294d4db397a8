"""A sweep's refusal of a point names the file the bad value is in, at its key, with the point.

HJ46: ``s.yaml: grid["nodes.phone.count"]: quickstart.yaml: nodes.phone.count: expected an integer,
got 2.5`` sent the reader to the base scenario, which holds a good count: the 2.5 is the sweep
file's.  Each of the sweep file's sections that gives a point a value is said so; the base is named
only where the value at fault is its own.
"""

from __future__ import annotations

import pytest

from offloadsim.cli import main

COUNT = "expected an integer, got 2.5"


@pytest.mark.parametrize(
    ("block", "said"),
    [
        (
            "grid:\n  nodes.phone.count: [2, 2.5]\n",
            f'grid["nodes.phone.count"]: {COUNT} (point 1: nodes.phone.count=2.5)',
        ),
        (
            "zip:\n  nodes.phone.count: [2, 2.5]\n  workload[0].rate: [1 /s, 2 /s]\n",
            f'zip["nodes.phone.count"]: {COUNT} (point 1: nodes.phone.count=2.5, workload[0].rate=2 /s)',
        ),
        (
            "set:\n  nodes.phone.count: 2.5\ngrid:\n  workload[0].rate: [1 /s, 2 /s]\n",
            f'set["nodes.phone.count"]: {COUNT} (point 0: workload[0].rate=1 /s)',
        ),
        (  # inside a swept mapping: the key path in it is said too
            "grid:\n  nodes.edge.processor: [{speed: 40 GFLOP/s}, {speed: 40 GFLOP/s, cores: 1.5}]\n",
            'grid["nodes.edge.processor"]: nodes.edge.processor.cores: expected an integer, got 1.5 '
            "(point 1: nodes.edge.processor={speed: 40 GFLOP/s, cores: 1.5})",
        ),
        (  # a key the base lacks is the sweep file's too
            "grid:\n  links[7].bandwidth: [1 Mbps]\n",
            'grid["links[7].bandwidth"]: links[7]: no entry [7]: links has 2 entries '
            "(point 0: links[7].bandwidth=1 Mbps)",
        ),
    ],
)
def test_a_bad_value_of_the_sweep_file_is_said_there_alone(tiny, capsys, block, said):
    sweep = tiny.parent / "s.yaml"
    sweep.write_text(f"base: tiny.yaml\n{block}", encoding="utf-8")
    for argv in (["--dry-run"], ["--out", str(tiny.parent / "out")]):
        assert main(["sweep", str(sweep), *argv]) == 2
        assert capsys.readouterr().err.splitlines() == [f"offloadsim: error: {sweep}: {said}"]
    assert not (tiny.parent / "out").exists()


def test_a_policy_the_sweep_names_is_said_at_its_policies(tiny, capsys):
    sweep = tiny.parent / "s.yaml"
    sweep.write_text("base: tiny.yaml\npolicies: [local, nosuch]\n", encoding="utf-8")
    assert main(["sweep", str(sweep), "--dry-run"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f'offloadsim: error: {sweep}: policies: unknown policy "nosuch"; known: '), line
    assert line.endswith("(point 1: policy.name=nosuch)") and "tiny.yaml" not in line, line


def test_a_bad_value_of_the_base_is_said_at_the_base(tiny, capsys):
    """No sweep key gave it: the base scenario's own line, with the point it was found at."""
    tiny.write_text(tiny.read_text().replace("count: 3", "count: 2.5"), encoding="utf-8")
    sweep = tiny.parent / "s.yaml"
    sweep.write_text("base: tiny.yaml\ngrid:\n  workload[0].rate: [1 /s, 2 /s]\n", encoding="utf-8")
    assert main(["sweep", str(sweep), "--dry-run"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"offloadsim: error: {sweep}: {tiny}: nodes.phone.count: {COUNT} (point 0: workload[0].rate=1 /s)"
    ]
