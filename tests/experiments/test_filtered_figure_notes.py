"""A figure filtered to some policies says the notes of those policies, as of them."""

from __future__ import annotations

from pathlib import Path

from offloadsim.experiments import compare, read_results
from offloadsim.plots.results import plot_results
from offloadsim.world.notes.kept import said_under_figure

LOAD = Path(__file__).resolve().parents[2] / "scenarios" / "compare-load.yaml"


def _notes(fig) -> str:
    label = fig._supxlabel  # the notes under the figure (style.note_under)
    return "" if label is None else label.get_text()


def test_a_figure_of_one_policy_says_its_notes_as_of_it_alone(tmp_path):
    """``plot --where policy=local`` of a comparison of local, edge and cloud said the A100's line
    "(under cloud only)" and the edge's plain speed "(under edge only)": notes of runs not drawn."""
    text = (
        LOAD.read_text(encoding="utf-8")
        .replace("duration: 60 s", "duration: 3 s")
        .replace("count: 20", "count: 2")
    )
    (tmp_path / "s.yaml").write_text(text.replace("warmup: 10 s", "warmup: 0 s"), encoding="utf-8")
    compare(tmp_path / "s.yaml", ["local", "edge", "cloud"], 1, workers=1, out=tmp_path / "cmp")
    results = read_results(tmp_path / "cmp")
    every = _notes(plot_results(results, "bars"))
    assert "(under cloud only)" in every and "(under edge only)" in every  # all three drawn: said as written
    local = _notes(plot_results(results, "bars", where={"policy": "local"}))
    assert "a100" not in local and "processor.speed" not in local
    edge = _notes(plot_results(results, "bars", where={"policy": "edge"}))
    assert "nodes.edge.processor.speed (300 GFLOP/s): the scenario's own figure" in edge
    assert "under" not in edge and "a100" not in edge
    both = _notes(plot_results(results, "bars", where={"policy": ("local", "edge")}))
    assert "(under edge only)" in both and "a100" not in both  # local drawn too: edge's line names edge


def test_notes_of_results_written_before_keep_their_lines():
    """A manifest whose rows carry no policies (written before) says every note, as written."""
    manifest = {"figure_notes": [{"note": "x (under cloud only)", "kind": "gpu-efficiency"}]}
    assert said_under_figure(manifest, None, energy=False, policies={"local"}) == ["x (under cloud only)"]
