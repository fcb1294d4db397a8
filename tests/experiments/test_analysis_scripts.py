"""Every figure script in analysis/ runs, and build_gallery.py rebuilds them all (slow: --runslow)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted(
    p
    for p in (ROOT / "analysis").glob("*.py")
    if not p.name.startswith("_") and p.stem not in ("gallery", "build_gallery")
)


def test_every_gallery_figure_has_a_script_a_caption_and_a_file():
    sys.path.insert(0, str(ROOT / "analysis"))
    import gallery

    gallery_md = (ROOT / "docs" / "gallery.md").read_text(encoding="utf-8")
    assert [s.stem for s in SCRIPTS] == sorted(gallery.FIGURE_NAMES)
    assert "python analysis/build_gallery.py" in gallery_md
    for script in SCRIPTS:
        assert f"python analysis/{script.name}" in gallery_md
        assert f"figures/{script.stem}.png" in gallery_md
        assert (ROOT / "docs" / "figures" / f"{script.stem}.png").is_file()
        assert (ROOT / "docs" / "figures" / f"{script.stem}.pdf").is_file()


def _run(args: list[str], tmp_path: Path) -> None:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    common = ["--quick", "--workers", "2", "--out", str(tmp_path), "--results", str(tmp_path / "runs")]
    subprocess.run([sys.executable, *args, *common], check=True, env=env, cwd=ROOT, timeout=900)


@pytest.mark.slow
def test_build_gallery_rebuilds_every_figure(tmp_path):
    _run([str(ROOT / "analysis" / "build_gallery.py")], tmp_path)
    for script in SCRIPTS:
        assert (tmp_path / f"{script.stem}.png").stat().st_size > 10_000
        assert (tmp_path / f"{script.stem}.pdf").is_file()
    assert (tmp_path / "data" / "gallery.json").is_file()


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_script_rebuilds_its_figure(script, tmp_path):
    _run([str(script)], tmp_path)
    assert (tmp_path / f"{script.stem}.png").stat().st_size > 10_000
    assert (tmp_path / f"{script.stem}.pdf").is_file()


def _commute_tasks(replications: int):
    """Task records shaped like sweep-commute's: every rule, two phones, tasks a handover met and not."""
    import pandas as pd

    rows = []
    for rep in range(replications):
        for rule in ("continue", "restart", "fail"):
            for k, phone in enumerate(("phone-0", "phone-1")):
                for t, moved in ((40.0, 0), (120.0, 1), (200.0, 0), (280.0, 1)):
                    failed = rule == "fail" and moved
                    rows.append(
                        {
                            "replication": rep,
                            "seed": 7,
                            "dynamics[0].in_flight": rule,
                            "source": phone,
                            "arrival": t + k + rep,
                            "status": "failed" if failed else "completed",
                            "latency": float("nan") if failed else 1.0 + moved * (rep + 2.5),
                            "deadline": 3.0,
                            "handovers": moved,
                        }
                    )
    return pd.DataFrame(rows)


def test_the_handover_figure_says_what_its_error_bars_are():
    """Panel (b)'s error bars were explained by the caption only, not on the figure."""
    from types import SimpleNamespace

    sys.path.insert(0, str(ROOT / "analysis"))
    import handover_timeline

    fig = handover_timeline.draw({"sweep-commute": SimpleNamespace(tasks=_commute_tasks(3))})
    (panel,) = [ax for ax in fig.axes if ax.get_title(loc="left").startswith("(b)")]
    note = " ".join(panel.get_xlabel().split())
    assert note == "error bars: 95 % CI of the mean (Student t) over 3 replications"


def test_the_gallery_cdf_says_that_each_line_pools_the_replications():
    """Only the caption said that each line holds the tasks of all 5 replications."""
    from types import SimpleNamespace

    import pandas as pd

    sys.path.insert(0, str(ROOT / "analysis"))
    import latency_cdf

    tasks = pd.DataFrame(
        [
            {
                "policy": policy,
                "replication": rep,
                "task_id": i,
                "status": "completed",
                "latency": 0.01 * (i + 1),
            }
            for policy in ("local", "edge", "cloud", "least-loaded")
            for rep in range(5)
            for i in range(20)
        ]
    )
    fig = latency_cdf.draw({"compare-load": SimpleNamespace(tasks=tasks)})
    assert fig._supxlabel.get_text() == "each line pools the completed tasks of 5 replications"
    assert gallery_refusals("latency_cdf", fig) == []


def gallery_refusals(name: str, fig) -> list[str]:
    """What the gallery's build refuses of figure ``name`` (figure_problems and legend_over_data)."""
    sys.path.insert(0, str(ROOT / "analysis"))
    import gallery

    return gallery.refusals(name, fig)


def _sweep_split():
    """The gallery's sweep-split table as its metrics, and one task per run standing for its tasks."""
    from types import SimpleNamespace

    import pandas as pd

    metrics = pd.read_csv(ROOT / "docs" / "figures" / "data" / "sweep-split.csv", dtype={"policy": str})
    ran = metrics[metrics["completed"] > 0]
    tasks = pd.DataFrame(
        {
            "links[0].bandwidth": ran["links[0].bandwidth"],
            "policy": ran["policy"],
            "replication": ran["replication"],
            "app": "classify",
            "source": "pi-0",
            "placement": ["pi-0" if s == 20 else "pi-0>edge" for s in ran["split_mean"]],
            "status": "completed",
            "split": ran["split_mean"],
            "compute_time": 0.372,
            "latency": ran["latency_mean_s"],
        }
    )
    manifest = {"labels": {"links[0].bandwidth": "Pi uplink"}}
    return {"sweep-split": SimpleNamespace(metrics=metrics, tasks=tasks, manifest=manifest)}


@pytest.mark.parametrize(
    ("figure", "intervals"),
    [
        ("split_vs_bandwidth", "lines: mean per run; bands"),
        ("energy_latency", "markers: mean per run; error bars"),
    ],
)
def test_the_split_sweep_figures_say_what_their_intervals_are(figure, intervals):
    """Their bands and error bars were explained by the captions only, not on the figures."""
    import importlib

    from offloadsim.plots.checks import figure_problems

    sys.path.insert(0, str(ROOT / "analysis"))
    fig = importlib.import_module(figure).draw(_sweep_split())
    lines = fig._supxlabel.get_text().splitlines()
    assert lines[0] == f"{intervals}: 95 % CI of the mean (Student t) over 5 replications"
    assert lines[1].startswith("not drawn: a run completed under 95 % of its tasks")
    assert figure_problems(fig) == []


def test_every_gallery_figure_is_refused_with_a_legend_over_its_data():
    """Only latency_cdf was held to legend_over_data; the handover figure's legend sat on its handovers."""
    import matplotlib.pyplot as plt

    sys.path.insert(0, str(ROOT / "analysis"))
    import gallery

    assert not set(gallery.LEGEND_EXEMPT) - set(gallery.FIGURE_NAMES)
    for name in gallery.FIGURE_NAMES:
        if name in gallery.LEGEND_EXEMPT:
            continue
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0.9, 0.9], label="covered")
        ax.plot([0, 1], [0.1, 0.1], label="other")
        ax.legend(loc="upper left")
        assert any("covers the data of 'covered'" in p for p in gallery.refusals(name, fig)), name
        plt.close(fig)


def test_the_handover_figure_has_no_legend_over_its_data():
    from types import SimpleNamespace

    from offloadsim.plots.checks import legend_over_data

    sys.path.insert(0, str(ROOT / "analysis"))
    import handover_timeline

    fig = handover_timeline.draw({"sweep-commute": SimpleNamespace(tasks=_commute_tasks(3))})
    assert legend_over_data(fig) == []


def test_the_handover_figure_draws_an_upload_at_the_windows_end_whole():
    """An upload arriving at 328.5 s, in the window's last seconds, was cut in half by the axes' edge: the
    reviewer's checks looked at lines' markers only, and these are a scatter's."""
    from types import SimpleNamespace

    import numpy as np
    import pandas as pd

    sys.path.insert(0, str(ROOT / "analysis"))
    import gallery
    import handover_timeline

    tasks = _commute_tasks(3)
    last = tasks[(tasks["replication"] == 0) & (tasks["source"] == "phone-0")].assign(
        arrival=328.5, handovers=0
    )
    tasks = pd.concat([tasks, last.assign(status="completed", latency=0.5)], ignore_index=True)
    fig = handover_timeline.draw({"sweep-commute": SimpleNamespace(tasks=tasks)})
    assert gallery.refusals("handover_timeline", fig) == []
    from offloadsim.plots.style import house_style

    (panel,) = [ax for ax in fig.axes if ax.get_title(loc="left").startswith("(c)")]
    with house_style():  # measured as saved
        fig.draw_without_rendering()
    right = panel.get_window_extent().x1
    for rule in panel.collections:  # each rule's markers, the last one's right edge inside the axes
        x, _ = panel.transData.transform(rule.get_offsets()).max(axis=0)
        reach = np.sqrt(rule.get_sizes().max()) / 2 * fig.dpi / 72
        assert x + reach <= right, (rule.get_label(), x + reach, right)


def test_the_utilisation_time_figure_says_how_it_was_estimated_as_offloadsim_plot_does(tmp_path):
    """The gallery's figure drew utilisation from task records without saying so; the command's said it.

    Its note is the command's own, written by the one function (not a copy that can drift).
    """
    from experiment_data import TINY

    import offloadsim
    from offloadsim.experiments import read_results
    from offloadsim.plots import plot_results

    sys.path.insert(0, str(ROOT / "analysis"))
    import utilisation_time

    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    offloadsim.run(tmp_path / "tiny.yaml", policy="edge", out=tmp_path / "run")
    results = read_results(tmp_path / "run")
    gallery_note = utilisation_time.draw({"least-loaded-run": results})._supxlabel.get_text()
    command_note = plot_results(results, "utilisation-time")._supxlabel.get_text()
    assert gallery_note.startswith("estimated from task records") and "above 100 %" in gallery_note
    assert gallery_note in command_note


def _compare_load():
    """The gallery's compare-load table as its metrics, and nodes: 20 phones, an edge and a cloud."""
    from types import SimpleNamespace

    import pandas as pd

    metrics = pd.read_csv(ROOT / "docs" / "figures" / "data" / "compare-load.csv", dtype={"policy": str})
    nodes = pd.DataFrame(
        [
            {
                "policy": run.policy,
                "replication": run.replication,
                "node": node,
                "tier": tier,
                "cores": 1,
                "utilisation": getattr(run, f"utilisation_{tier}") * (1 + (i % 5 - 2) / 50),
            }
            for run in metrics.itertuples()
            for i, (node, tier) in enumerate(
                [*((f"phone-{k}", "device") for k in range(20)), ("edge", "edge"), ("cloud", "cloud")]
            )
        ]
    )
    return {"compare-load": SimpleNamespace(metrics=metrics, nodes=nodes)}


def _sweep_bandwidth():
    from types import SimpleNamespace

    import pandas as pd

    metrics = pd.read_csv(ROOT / "docs" / "figures" / "data" / "sweep-bandwidth.csv", dtype={"policy": str})
    manifest = {"labels": {"links[0].bandwidth": "phone uplink"}}
    return {"sweep-bandwidth": SimpleNamespace(metrics=metrics, manifest=manifest)}


@pytest.mark.parametrize(
    ("figure", "data", "intervals"),
    [
        ("policy_bars", _compare_load, "error bars"),
        ("utilisation", _compare_load, "error bars"),
        ("bandwidth_sweep", _sweep_bandwidth, "bands"),
    ],
)
def test_the_gallery_figures_say_what_their_intervals_are(figure, data, intervals):
    """Their error bars and bands were explained by the captions only, not on the figures."""
    import importlib

    from offloadsim.plots.checks import figure_problems, legend_over_data

    sys.path.insert(0, str(ROOT / "analysis"))
    fig = importlib.import_module(figure).draw(data())
    # the first line; bandwidth_sweep's next ones name the points it leaves out (the 95 % rule)
    first = fig._supxlabel.get_text().split("\n")[0]
    assert first == f"{intervals}: 95 % CI of the mean (Student t) over 5 replications"
    assert figure_problems(fig) == [] and legend_over_data(fig) == []


def test_the_gallery_utilisation_says_the_device_bar_is_the_mean_of_20_phones():
    """The figure drew the mean of 20 phones as one 'device' bar; only the caption said so."""
    sys.path.insert(0, str(ROOT / "analysis"))
    import utilisation

    (ax,) = utilisation.draw(_compare_load()).axes
    assert [t.get_text() for t in ax.get_xticklabels()] == ["device\nmean of 20 nodes", "edge", "cloud"]
    assert "dots: one per node" in ax.get_xlabel()


def test_the_gallery_energy_figure_labels_every_line_end_or_says_why():
    """neurosurgeon's 500 Mbit/s end sat on edge's, under edge's label, with no word on the figure:
    the script set its own note and skipped the one offloadsim plot writes of ends left unlabelled."""
    from figure_checks import labelled_ends

    sys.path.insert(0, str(ROOT / "analysis"))
    import energy_latency

    fig = energy_latency.draw(_sweep_split())
    (ax,) = fig.axes
    note = " ".join(fig._supxlabel.get_text().split())
    labelled = labelled_ends(ax)
    # local's line stays on one spot whatever the bandwidth: no end of it to label (HL33)
    assert not any(name == "local" for name, _ in labelled)
    ends = {("edge", "8 Mbit/s"), ("edge", "500 Mbit/s")}
    ends |= {("neurosurgeon", "1 Mbit/s"), ("neurosurgeon", "500 Mbit/s")}
    for name, value in ends - labelled:
        assert f"{name}'s {value}" in note, (name, value, note)
    assert ("neurosurgeon", "500 Mbit/s") not in labelled
    assert "one label for ends on the same spot: edge's and neurosurgeon's 500 Mbit/s" in note


def _testbed_figure():
    """The gallery's testbed_validation figure, drawn from the shipped campaign runs."""
    sys.path.insert(0, str(ROOT / "analysis"))
    import testbed_validation

    manifest: dict = {"experiments": {}}
    return testbed_validation.build(
        out=ROOT / "docs" / "figures", quick=False, retime=False, manifest=manifest
    )


def test_the_testbed_figure_spells_out_flow_completion_time():
    """Panel (c)'s x axis said "measured median FCT (ms)": nothing on the figure said what FCT is."""
    fig = _testbed_figure()
    flows = fig.axes[2].get_xlabel()
    assert "FCT" not in flows and " ".join(flows.split()) == "measured median flow completion time (ms)"


def test_the_testbed_figure_labels_touch_no_line_and_no_other_marker():
    """Link labels sat across the lines joining the two link models' predictions, on the zero line and
    against other configurations' markers: a reader could not tell which point a label named."""
    from offloadsim.plots.checks import figure_problems
    from offloadsim.plots.style import house_style

    fig = _testbed_figure()
    assert figure_problems(fig) == []
    with house_style():  # measured in the figure's type, as it is saved
        fig.draw_without_rendering()
        _labels_clear(fig, fig._get_renderer())


def _labels_clear(fig, renderer) -> None:
    """No label on another configuration's filled marker; few across a line (their spread bars and lines).

    None: in the crowd of (b) every place beside one point, out to 20 pt, crosses a line; the
    placement set 11 labels of 36 across lines, then 6, then 1, 2 on a y scale the panels share, then
    none. A label is its text: an annotation's own box takes in its leader line's whole span from the point,
    which crosses nothing a reader would take for the label.
    """
    import numpy as np
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

    crossings = []
    for ax in fig.axes:
        panel = ax.get_title(loc="left")
        labels = [(t, Text.get_window_extent(t, renderer).shrunk(0.9, 0.8)) for t in ax.texts]
        assert labels, panel
        for line in ax.get_lines():
            data = np.asarray(line.get_xydata(), dtype=float)
            xy = line.get_transform().transform(data)  # the zero line is in axes coordinates along x
            filled = str(line.get_markerfacecolor()) != "none"
            if line.get_marker() not in ("", "None", None) and len(xy) == 1 and filled:
                mark = Bbox.from_bounds(xy[0][0] - 2, xy[0][1] - 2, 4, 4)  # a filled marker, its 4 px middle
                others = [
                    t.get_text() for t, box in labels if box.overlaps(mark) and not np.allclose(t.xy, data[0])
                ]
                assert not others, (panel, "a label on another point's marker", others)
            elif len(xy) == 2 and line.get_linestyle() not in ("None", ""):  # a bar, a joining or zero line
                lo, hi = xy.min(axis=0), xy.max(axis=0)
                segment = Bbox.from_extents(lo[0], lo[1] - 0.5, hi[0], hi[1] + 0.5)
                crossings += [
                    (panel, t.get_text(), tuple(t.xy)) for t, box in labels if box.overlaps(segment)
                ]
    # None, though the panels share one y scale (hm31), on which (b)'s points sit closer together: two of
    # its Wi-Fi labels were left across lines until a label left across one could be set again among
    # all the others, a neighbour making way.
    assert sorted(set(crossings)) == []


def test_the_handover_timeline_says_whose_run_it_draws_and_what_its_series_are():
    """The legends read "continue, restart, fail" with nothing on the figure saying those are the rule for
    an upload caught by a handover, and panels (a) and (c) drew one replication's phone-0 without saying
    which (the caption alone said either)."""
    from types import SimpleNamespace

    sys.path.insert(0, str(ROOT / "analysis"))
    import handover_timeline

    fig = handover_timeline.draw({"sweep-commute": SimpleNamespace(tasks=_commute_tasks(3))})
    titles = {ax.get_title(loc="left")[:3]: " ".join(ax.get_title(loc="left").split()) for ax in fig.axes}
    assert titles["(a)"] == "(a) phone-0's access point, replication 0"
    assert titles["(b)"] == "(b) all phones, by in-flight rule"
    assert titles["(c)"] == "(c) its uploads' latency"  # phone-0's, whose legend names the same rules


def test_the_gallery_figures_of_one_run_say_so(tmp_path):
    """The utilisation over time and the timeline drew one run of least-loaded, and only the caption
    said so: read alone, a curve or its tasks could be taken for a mean over replications, as the
    gallery's other figures draw, and the timeline's 30 tasks for the whole run of 1,844."""
    from experiment_data import TINY

    import offloadsim
    from offloadsim.experiments import read_results

    sys.path.insert(0, str(ROOT / "analysis"))
    import timeline
    import utilisation_time

    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    offloadsim.run(tmp_path / "tiny.yaml", policy="edge", replication=1, stages=True, out=tmp_path / "run")
    results = read_results(tmp_path / "run")
    for script in (utilisation_time, timeline):
        fig = script.draw({"least-loaded-run": results})
        (ax,) = [ax for ax in fig.axes if ax.get_visible()]
        assert ax.get_title(loc="left") == "one run of edge (replication 1)", script.__name__
        assert gallery_refusals(script.__name__, fig) == []  # the build's checks, in the default run
    # and of how many of its tasks the timeline's 30 are, in offloadsim plot's words
    done = int((results.tasks["status"] == "completed").sum())
    assert done > 30
    note = " ".join(timeline.draw({"least-loaded-run": results})._supxlabel.get_text().split())
    assert note.startswith(f"the first 30 of {done:,} completed tasks, by arrival"), note


def test_the_latency_time_gallery_figure_passes_the_builds_checks_in_the_default_run(tmp_path):
    """The figures drawn from task records were held to the build's checks only by the build and the slow
    --every-figure check: drawn here from a tiny run's records, in seconds. Its tasks arrive faster than
    the edge serves them, so that the lower panel of tasks not completed is drawn (and checked) too."""
    from experiment_data import TINY

    import offloadsim
    from offloadsim.experiments import read_results

    sys.path.insert(0, str(ROOT / "analysis"))
    import latency_time

    (tmp_path / "tiny.yaml").write_text(TINY.replace("rate: 2 /s", "rate: 20 /s"), encoding="utf-8")
    offloadsim.run(tmp_path / "tiny.yaml", policy="edge", out=tmp_path / "run")
    fig = latency_time.draw({"edge-outage-run": read_results(tmp_path / "run")})
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 2  # its lower panel of tasks not completed
    assert gallery_refusals("latency_time", fig) == []
