"""A panel title or note whose last word is wider than the figure is drawn, cut inside, not an internal error.

Before, ``plot --facet source_group`` over a group named by one 300-character word ended in
"internal error: ValueError: min() arg is an empty sequence" (exit 1): the title's wrapping
found no place to cut the word it had left, and asked ``min`` of none.
"""

from __future__ import annotations

from pathlib import Path

from offloadsim.cli import main
from offloadsim.plots.style import wrap

LONG = "g" * 300


def test_a_word_wider_than_the_room_is_cut_inside_every_character_kept():
    """Once drawn whole (running past the figure's edges); since HI37 cut inside, within the room."""
    for before, after in (("(a) source group = ", ""), ("", ""), ("", " and after")):
        pieces = wrap(f"{before}{LONG}{after}", len, 40)
        assert all(len(piece) <= 40 for piece in pieces), pieces
        assert "".join(pieces).replace(" ", "") == f"{before}{LONG}{after}".replace(" ", "")
    assert wrap(f"(a) source group = {LONG}", len, 40)[0] == "(a) source group ="
    assert wrap(f"{LONG} and after", len, 40)[-1] == "and after"


def test_a_facet_of_a_group_named_by_one_long_word_is_drawn(tmp_path: Path, capsys):
    scenario = tmp_path / "fleet.yaml"
    scenario.write_text(
        "name: fleet\nduration: 2 s\nnodes:\n"
        f"  {LONG}: {{tier: device, processor: {{speed: 10 GFLOP/s}}}}\n"
        "  short: {tier: device, processor: {speed: 10 GFLOP/s}}\n"
        "  edge: {tier: edge, processor: {speed: 100 GFLOP/s}}\n"
        f"links:\n  - {{between: [{LONG}, edge], bandwidth: 20 Mbps}}\n"
        "  - {between: [short, edge], bandwidth: 20 Mbps}\n"
        "applications:\n  job: {work: 1 GFLOP, input: 10 KB}\n"
        f"workload:\n  - {{app: job, sources: [{LONG}, short], rate: 5 /s}}\npolicy: edge\n"
    )
    out = tmp_path / "cmp"
    argv = ["compare", str(scenario), "--policies", "local,edge", "-n", "2", "--workers", "1", "-q"]
    assert main([*argv, "--out", str(out)]) == 0
    capsys.readouterr()
    plot = ["plot", str(out), "--kind", "bars", "--metric", "latency_mean_s", "--facet", "source_group"]
    assert main([*plot, "--out", str(tmp_path / "figure")]) == 0, capsys.readouterr().err
    assert (tmp_path / "figure.png").stat().st_size > 0
