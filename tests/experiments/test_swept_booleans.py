"""A swept boolean is shown as the sweep file wrote it (``true``) and chosen with ``--where`` so.

The tables store it as a bool; Python's ``str`` printed it ``True`` in the summary table, the
panel titles and the legends, and ``--where KEY=true`` (how YAML writes it) matched no row.
"""

from __future__ import annotations

import contextlib
import io

import matplotlib.pyplot as plt
import pytest
from experiment_data import TINY
from matplotlib.figure import Figure

from offloadsim import plots
from offloadsim.experiments import read_results

KEY = "nodes.edge.processor.noise"  # a scenario key whose values are booleans

SWEEP = f"""
base: tiny.yaml
grid:
  {KEY}: [true, false]
  links[0].bandwidth: [5 Mbps, 50 Mbps]
policies: [edge]
replications: 2
"""


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """A sweep over a boolean key, run through the command line: its directory, ``main``, what it printed."""
    from offloadsim.cli import main

    folder = tmp_path_factory.mktemp("booleans")
    (folder / "tiny.yaml").write_text(TINY.replace("duration: 20 s", "duration: 4 s"), encoding="utf-8")
    (folder / "sweep.yaml").write_text(SWEEP, encoding="utf-8")
    out = folder / "out"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["sweep", str(folder / "sweep.yaml"), "--out", str(out), "--workers", "1"]) == 0
    return out, main, printed.getvalue()


def legend_texts(fig: Figure) -> list[str]:
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + list(fig.legends)
    return [t.get_text() for legend in legends for t in legend.get_texts()]


def test_the_summary_table_shows_a_swept_boolean_as_yaml_writes_it(swept):
    lines = swept[2].splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("edge noise  "))  # as figures name it
    rows = [line.split()[0] for line in lines[header + 2 : header + 6]]
    assert rows == ["true", "true", "false", "false"], swept[2]


def test_facet_titles_and_legends_show_a_swept_boolean_as_yaml_writes_it(swept):
    results = read_results(swept[0])
    faceted = plots.plot_results(results, "sweep", facet=KEY)
    titles = [ax.get_title(loc="left") for ax in faceted.axes if ax.get_visible()]
    assert titles == ["(a) edge noise = true", "(b) edge noise = false"], titles
    by = plots.plot_results(results, "sweep", by=KEY)
    named = {text.split(" (same line as ")[0] for text in legend_texts(by)}  # lines that coincide say so
    assert named >= {"true", "false"} and not {"True", "False"} & named
    assert not any("True" in text or "False" in text for text in legend_texts(by))
    plt.close("all")


@pytest.mark.parametrize("given", ["true", "True", "TRUE"])  # YAML 1.2's; yes is text now (HO33)
def test_where_keeps_a_stored_true_however_yaml_writes_it(given, swept, tmp_path, capsys):
    out, main, _ = swept
    figure = tmp_path / "f"
    assert main(["plot", str(out), "--kind", "sweep", "--where", f"{KEY}={given}", "--out", str(figure)]) == 0
    assert (tmp_path / "f.png").is_file()
    fig = plots.plot_results(read_results(out), "sweep", where={KEY: given})
    assert fig.axes[0].get_title(loc="left") == "edge noise = true"  # the value kept, as YAML writes it
    plt.close("all")


def test_where_names_the_values_as_yaml_writes_them_when_none_match(swept, tmp_path, capsys):
    out, main, _ = swept
    assert (
        main(["plot", str(out), "--kind", "sweep", "--where", f"{KEY}=maybe", "--out", str(tmp_path / "f")])
        == 2
    )
    err = capsys.readouterr().err
    assert (
        err
        == f"offloadsim: error: --where {KEY}=maybe: no rows have that value; {KEY} is one of true, false\n"
    )
    assert not (tmp_path / "f.png").exists()


def test_a_refusal_suggests_the_where_that_works(swept, capsys):
    out, main, _ = swept
    assert main(["plot", str(out), "--kind", "sweep"]) == 2
    err = capsys.readouterr().err
    assert f"{KEY} (true, false)" in err and f"--where {KEY}=true" in err, err
